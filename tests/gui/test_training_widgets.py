"""The Training tab's plots, layer table and results as a person reads them (issue 16, items 5, 7, 10)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractScrollArea

from tests.helpers.gui import RUN_TIMEOUT_MS


@pytest.fixture
def window_on_training(main_window, qtbot):
    """The window at its default size (1280x820) on the Training tab."""
    main_window.resize(1280, 820)
    main_window.tabs.setCurrentIndex(main_window.tab_titles().index("Training"))
    tab = main_window.tab("Training")
    qtbot.waitUntil(lambda: tab._ready)
    tab.form.reject_check.setChecked(False)  # the presets' totals below are for MNIST's 10 outputs
    return main_window, tab


def fully_visible(widget, scroll: QAbstractScrollArea) -> bool:
    """Whether all of ``widget`` lies inside the scroll area's viewport as it is scrolled now."""
    viewport = scroll.viewport()
    top_left = widget.mapTo(viewport, widget.rect().topLeft())
    bottom_right = widget.mapTo(viewport, widget.rect().bottomRight())
    return viewport.rect().contains(top_left) and viewport.rect().contains(bottom_right)


def table_reads_whole(table) -> bool:
    """No scroll bar needed, no cell text elided: every column as wide as its widest text, all rows in view."""
    header = table.horizontalHeader()
    if table.horizontalScrollBar().maximum() or table.verticalScrollBar().maximum():
        return False
    for col in range(table.columnCount()):  # Qt's own measure of what the cells need, so nothing is elided
        if header.sectionSize(col) < max(table.sizeHintForColumn(col), header.sectionSizeHint(col)):
            return False
    return table.viewport().width() >= header.length() and table.viewport().height() >= (
        table.verticalHeader().length())


@pytest.mark.parametrize("size", [(1280, 820), (1280, 720)])
def test_the_layer_table_of_a_cnn_preset_reads_whole_with_its_total(window_on_training, qtbot, size):
    window, tab = window_on_training
    window.resize(*size)
    form = tab.form
    for preset, total in (("recommended", 104_106), ("cnn-pool", 1_199_882), ("cnn-classic", 93_322)):
        form.preset_combo.setCurrentIndex(form.preset_combo.findData(preset))
        qtbot.waitUntil(lambda total=total: form.summary_table.total == total, timeout=RUN_TIMEOUT_MS)
        qtbot.wait(50)  # the layouts settle
        table = form.summary_table
        assert table_reads_whole(table), preset
        assert table.item(0, 0).text() == "conv2d" and "…" not in table.item(0, 0).text()
        if preset == "recommended":  # InkLab's fused batch norm reads as the batch norm it is
            assert (table.item(1, 0).text(), table.item(1, 1).text()) == ("batch_norm", "BatchNorm")
        assert form.summary_table.footer.text() == f"Total: {total:,} parameters"
        assert form.summary_table.footer.isVisible()
        # The settings column never scrolls sideways, and nothing in it is cut on the right.
        assert form.horizontalScrollBar().maximum() == 0
        assert table.mapTo(form.widget(), table.rect().topRight()).x() <= form.viewport().width()
        if size == (1280, 820):  # the default size: table and total in view without scrolling
            assert fully_visible(table, form) and fully_visible(table.footer, form), preset
        else:  # smaller: the column scrolls down to show it all
            form.ensureWidgetVisible(table.footer)
            assert fully_visible(table.footer, form)
    assert [table.item(r, 1).text() for r in range(table.rowCount())][:2] == ["Conv2D", "MaxPool2D"]


def hue_apart(a, b, degrees: float = 30) -> bool:
    """Whether two colours read as different: other hues, or one of them a grey."""
    from PySide6.QtGui import QColor

    ca, cb = QColor(*a[:3]), QColor(*b[:3])
    if ca.hsvSaturationF() < 0.2 or cb.hsvSaturationF() < 0.2:
        return True
    diff = abs(ca.hsvHue() - cb.hsvHue()) % 360
    return min(diff, 360 - diff) >= degrees


def legend_clear_of_the_curves(plot) -> bool:
    """The legend lies outside the plotting area and wholly inside the widget (nothing clipped)."""
    item = plot.plot_widget.getPlotItem()
    legend = plot.legend.sceneBoundingRect()
    visible = plot.plot_widget.mapToScene(plot.plot_widget.viewport().rect()).boundingRect()
    return (not legend.intersects(item.vb.sceneBoundingRect()) and visible.contains(legend)
            and legend.height() > 0)


@pytest.mark.slow
def test_five_runs_keep_the_plots_readable(training_tab, qtbot):
    from tests.helpers.gui import configure

    tab = training_tab
    live = tab.live
    accuracy_y = live.accuracy_plot.plot_widget.getPlotItem().viewRange
    configure(tab, samples=400, epochs=1)
    ranges = []
    for run in range(5):
        tab.form.lr_spin.setValue(0.001 * (run + 1))
        assert tab.bar.start_button.isEnabled()
        tab.bar.start_button.click()
        # A 13-batch run on idle cores can end before a (throttled) batch event is sent.
        qtbot.waitUntil(lambda: live.batches_received > 0 or not tab.is_running(), timeout=RUN_TIMEOUT_MS)
        ranges.append(accuracy_y()[1])  # during the run (or right at its end)
        qtbot.waitUntil(lambda: not tab.is_running(), timeout=RUN_TIMEOUT_MS)
        ranges.append(accuracy_y()[1])  # after it
    assert [r.status for r in tab.runs()] == ["completed"] * 5
    # The accuracy axis holds still: the same frame during and after every run.
    assert all(r == pytest.approx(ranges[0]) for r in ranges)
    low, high = ranges[0]
    assert low <= 0 and 100 <= high <= 105

    # By default only the current run is drawn; its legend sits under the plot, not on it.
    assert not live.earlier_check.isChecked()
    qtbot.wait(100)  # the legends' layouts settle
    for plot in (live.loss_plot, live.accuracy_plot):
        assert not any(plot.overlay_drawn(n) for n in range(1, 5))
        assert plot.legend_labels() == ["train (batch)", "train (epoch)", "validation"]
        assert legend_clear_of_the_curves(plot)

    # Asked for, the four earlier runs come back, faint and thin, each in a colour of its own
    # that no one could take for the current run's blue or orange; the legend still clear.
    qtbot.mouseClick(live.earlier_check, Qt.MouseButton.LeftButton,
                     pos=live.earlier_check.rect().topLeft() + QPoint(8, live.earlier_check.height() // 2))
    assert live.earlier_check.isChecked()
    qtbot.wait(100)
    from gui.widgets.live_plot import EARLIER_LABEL, TRAIN_COLOUR, VAL_COLOUR

    for plot in (live.loss_plot, live.accuracy_plot):
        assert all(plot.overlay_drawn(n) for n in range(1, 5)), [(r.number, r.status, len(r.loss_curve[0]), plot.overlay_visible(r.number)) for r in tab.runs()]
        # One row however many runs: the earlier ones share one entry (colours in Compare runs).
        assert plot.legend_labels() == ["train (batch)", "train (epoch)", "validation", EARLIER_LABEL]
        assert legend_clear_of_the_curves(plot)
        current_width = plot.batch_curve.opts["pen"].widthF()
        colours = []
        for n in range(1, 5):
            line = plot._overlays[n][0]
            pen = line.opts["pen"]
            rgba = pen.color().getRgb()
            assert rgba[3] < 255 and pen.widthF() < current_width  # fainter and thinner
            assert hue_apart(rgba, TRAIN_COLOUR) and hue_apart(rgba, VAL_COLOUR)
            colours.append(rgba[:3])
        assert len(set(colours)) == 4
    assert accuracy_y()[1] == pytest.approx(ranges[0])

    # Unticking a run in Compare runs hides it; ticking it again is enough to see it.
    live.earlier_check.setChecked(False)
    board = tab.compare.leaderboard
    show = next(board.item(r, 0) for r in range(board.rowCount()) if board.item(r, 2).text() == "2")
    assert show.data(Qt.ItemDataRole.DecorationRole) is not None  # the run's colour, to find it
    show.setCheckState(Qt.CheckState.Unchecked)
    show.setCheckState(Qt.CheckState.Checked)
    assert live.earlier_check.isChecked() and live.loss_plot.overlay_drawn(2)


def test_the_plots_keep_their_height_at_1280x720_whatever_the_results_want(window_on_training, qtbot):
    """With a long Compare runs list the results panel below once squeezed the plots to ~20 px."""
    from gui.training.live_view import PLOTS_MIN_HEIGHT

    window, tab = window_on_training
    window.resize(1280, 720)
    tab.results.setCurrentIndex(2)  # Compare runs
    tab.results.setMinimumHeight(600)  # a results panel that wants everything
    qtbot.wait(50)
    assert tab.live.plots.height() >= PLOTS_MIN_HEIGHT
    assert tab.live.loss_plot.plot_widget.height() >= PLOTS_MIN_HEIGHT - 10


def test_the_progress_bar_moves_with_the_next_frame_not_inside_each_update(qtbot):
    """Issue 28: QProgressBar.setValue repainted the bar inside the call (2-4 ms on the GUI
    thread at every status update of a run); the live view's update shows the same value
    and text, painted once with the frame."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QProgressBar

    from gui.training.live_view import show_progress

    bar = QProgressBar()
    bar.setRange(0, 400)
    bar.resize(300, 24)
    qtbot.addWidget(bar)
    bar.show()
    qtbot.waitExposed(bar)

    class Paints(QObject):
        count = 0

        def eventFilter(self, watched, event):  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint:
                Paints.count += 1
            return False

    paints = Paints()
    bar.installEventFilter(paints)
    for step in (37, 74, 111):
        show_progress(bar, step, f"batch {step}/400 · %p%")
    assert Paints.count == 0  # nothing painted inside the updates
    qtbot.waitUntil(lambda: Paints.count >= 1)
    assert bar.value() == 111 and bar.text() == "batch 111/400 · 27%"
