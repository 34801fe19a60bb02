"""The Training tab's plots, layer table and results as a person reads them (issue 16, items 5, 7, 10)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractScrollArea

from tests.helpers.gui import RUN_TIMEOUT_MS


@pytest.fixture
def window_on_training(main_window, qtbot):
    """The window at its default size (1280x820) on the Training tab."""
    main_window.resize(1280, 820)
    main_window.tabs.setCurrentIndex(main_window.tab_titles().index("Training"))
    tab = main_window.tab("Training")
    qtbot.waitUntil(lambda: tab._ready)
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
    for preset, total in (("recommended", 104_874), ("cnn-pool", 1_199_882), ("cnn-classic", 93_322)):
        form.preset_combo.setCurrentIndex(form.preset_combo.findData(preset))
        qtbot.waitUntil(lambda total=total: form.summary_table.total == total, timeout=RUN_TIMEOUT_MS)
        qtbot.wait(50)  # the layouts settle
        table = form.summary_table
        assert table_reads_whole(table), preset
        assert table.item(0, 0).text() == "conv2d" and "…" not in table.item(0, 0).text()
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
