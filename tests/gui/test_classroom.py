"""The classroom from the window: a whole lesson through its step buttons, presenter view on and
off, the class contest with a malformed file, and the settings remembered between sessions."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt, QTimer

from core import contest
from core.lessons import find_lesson, user_lessons_dir
from core.models import library
from tests.helpers.gui import RUN_TIMEOUT_MS, draw, press, vertical_bar


def _menu_action(window, text):
    window.lessons.menu.aboutToShow.emit()  # as opening the menu does: re-read the lessons folder
    return next(a for a in window.lessons.menu.actions() if text in a.text())


def _step(window, qtbot, index):
    press(qtbot, window.lessons.panel.step_buttons[index])


def test_a_teacher_runs_lesson_3_from_the_menu_to_a_contest_file(main_window, qtbot, tmp_path):
    # The teacher's edited copy of lesson 3 (a quick run for the test) takes the built-in's place.
    quick = find_lesson("3").path.read_text().replace("limit = 12000", "limit = 600").replace(
        "epochs = 3", "epochs = 1").replace("validation = 2000", "validation = 100")
    (user_lessons_dir() / "3-best-accuracy.toml").write_text(quick)
    main_window.resize(1280, 680)
    _menu_action(main_window, "3. Who gets the best accuracy? (yours)").trigger()
    tab = main_window.tab("Training")
    panel = main_window.lessons.panel
    assert main_window.lessons.dock.isVisible() and main_window.tabs.currentWidget().widget is tab
    assert "Who gets the best accuracy?" in panel.title.text() and len(panel.step_buttons) == 5
    area = main_window.tabs.currentWidget().scroll_area  # the panel leaves the tab its width
    qtbot.waitUntil(lambda: area.viewport().width() >= tab.minimumSizeHint().width(), timeout=5000)
    form = tab.form
    assert (form.dataset_combo.currentData(), form.preset_combo.currentData()) == ("mnist", "cnn-classic")
    assert (form.epochs_spin.value(), form.limit_spin.value(), form.batch_spin.value()) == (1, 600, 64)
    assert (form.validation_spin.value(), form.validation_unit.currentText()) == (100, "samples")

    _step(main_window, qtbot, 0)  # Start training: the tab's own Start
    qtbot.waitUntil(tab.is_running, timeout=10_000)
    qtbot.waitUntil(lambda: not tab.is_running() and tab.results.save_button.isEnabled(), timeout=RUN_TIMEOUT_MS)
    assert "%" in tab.results.test_label.text()
    _step(main_window, qtbot, 1)  # the mistakes
    assert tab.results.currentIndex() == 1
    _step(main_window, qtbot, 2)  # Save the model
    qtbot.waitUntil(lambda: main_window.lessons.saved_model is not None, timeout=30_000)
    saved = main_window.lessons.saved_model
    assert saved in [card.name for card in library.list_models()]

    usb = tmp_path / "usb"

    def fill_dialog():
        dialog = main_window.export_dialog
        assert dialog.format_combo.currentData() == "contest" and dialog.model_combo.currentData() == saved
        dialog.student_edit.setText("Ana")
        dialog.folder_edit.setText(str(usb))
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()

    QTimer.singleShot(300, fill_dialog)
    _step(main_window, qtbot, 3)  # Export a contest file… (the dialog is modal: filled in by the timer)
    qtbot.waitUntil(lambda: "Exported to" in main_window.banner.text(), timeout=30_000)
    written = [p for p in usb.iterdir() if not p.name.startswith(".")]
    assert [p.suffix for p in written] == [".inklab-contest"]
    info, _ = contest.read_contest_file(written[0])
    assert info["student"] == "Ana" and info["card"]["preset"] == "cnn-classic"
    _step(main_window, qtbot, 4)  # the class contest
    assert tab.results.currentWidget() is tab.contest
    assert panel.done_steps() == [0, 1, 2, 3, 4]
    press(qtbot, panel.close_button)
    assert not main_window.lessons.dock.isVisible()


def test_a_bad_lesson_file_is_said_in_the_menu_and_the_others_still_listed(main_window, qtbot):
    (user_lessons_dir() / "broken.json").write_text('{"title": "x", "steps": []}')
    _menu_action(main_window, "cannot be read").trigger()
    assert "broken.json: a lesson needs a [training] table" in main_window.banner.text()
    titles = main_window.lessons.lesson_titles()
    assert len([t for t in titles if t.split(".")[0].isdigit()]) == 6 and "Open my lessons folder…" in titles
    for action in main_window.lessons.menu.actions():  # every entry has its key, as the other menus
        assert action.isSeparator() or "&" in action.text(), action.text()


def _pen_widths(tab):
    return [item.opts["pen"].widthF() for plot in (tab.live.loss_plot, tab.live.accuracy_plot)
            for item in plot.plot_widget.getPlotItem().listDataItems() if item.opts.get("pen") is not None]


def test_presenter_view_on_and_off_restores_everything(main_window, qtbot):
    main_window.tabs.setCurrentIndex(1)
    tab = main_window.tab("Training")
    tab.ensure_ready()
    size, font = main_window.size(), main_window.font().pointSizeF()
    title_font = tab.results.test_label.font().pointSizeF()
    pens = _pen_widths(tab)
    qtbot.keyClick(main_window, Qt.Key.Key_F11)
    presenter = main_window.presenter
    assert presenter.active and main_window.presenter_action.isChecked()
    screen = main_window.screen().geometry()
    assert main_window.isFullScreen() or main_window.geometry() == screen  # offscreen: no window manager
    assert main_window.font().pointSizeF() >= 2 * font
    assert tab.results.test_label.font().pointSizeF() >= 2 * title_font
    assert all(now >= 2 * before for now, before in zip(_pen_widths(tab), pens, strict=True))
    assert main_window.palette().color(main_window.palette().ColorRole.Window).name() == "#ffffff"
    draw_tab = main_window.tab("Draw")
    assert tab.form.isHidden() and draw_tab.collect.isHidden() and draw_tab.pad_panel.save_button.isHidden()
    assert not tab.bar.start_button.isHidden()  # what the class needs stays
    qtbot.keyClick(main_window, Qt.Key.Key_F11)
    assert not presenter.active and not main_window.isFullScreen()
    qtbot.waitUntil(lambda: main_window.size() == size, timeout=5000)
    assert main_window.font().pointSizeF() == font and tab.results.test_label.font().pointSizeF() == title_font
    assert _pen_widths(tab) == pens
    assert not tab.form.isHidden() and not draw_tab.collect.isHidden() and not draw_tab.pad_panel.save_button.isHidden()


def _cut_on_the_projector(window, qtbot) -> list[str]:
    """What a class would not see whole on each tab: a tab that scrolls, a label cut, a plot's
    title or legend wider than the plot."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QLabel

    from gui.widgets.elided_label import ElidedLabel

    problems = []
    for index, title in enumerate(window.tab_titles()):
        window.tabs.setCurrentIndex(index)
        page = window._lazy[title]
        qtbot.waitUntil(lambda page=page: abs(page.scroll_area.viewport().width() - window.tabs.width()) <= 4
                        and page.scroll_area.viewport().height() < window.height(), timeout=5000)  # laid out
        qtbot.wait(50)
        least, room = page.widget.minimumSizeHint(), page.scroll_area.viewport().size()
        if least.width() > room.width() or least.height() > room.height():
            problems.append(f"{title} scrolls: needs {least.width()}x{least.height()}, has {room.width()}x{room.height()}")
        for label in page.widget.findChildren(QLabel):
            text = label.text()
            if (label.isVisible() and text and not label.wordWrap() and not isinstance(label, ElidedLabel)
                    and "<" not in text and "&" not in text
                    and label.fontMetrics().horizontalAdvance(text) > label.width() + 2):
                problems.append(f"{title}: the label {text!r} is cut")
        for plot in page.widget.findChildren(pg.PlotWidget):
            item = plot.getPlotItem()
            if plot.isVisible() and item.titleLabel.text and item.titleLabel.item.boundingRect().width() > plot.width():
                problems.append(f"{title}: the plot title {item.titleLabel.text!r} is cut")
            legend = getattr(item, "legend", None)
            if plot.isVisible() and legend is not None and legend.items:
                right = legend.mapRectToScene(legend.boundingRect()).right()
                if right > plot.width() or any(label.mapRectToScene(label.boundingRect()).right() > plot.width()
                                               for _, label in legend.items):
                    problems.append(f"{title}: the legend under {item.titleLabel.text!r} is cut")
            if plot.isVisible() and plot.height() < 150:
                problems.append(f"{title}: the plot {item.titleLabel.text!r} is {plot.height()} px tall")
    return problems


def _present_at_1280x720(window, qtbot) -> None:
    """Presenter view on a 1280x720 projector (offscreen, "full screen" is the test screen's size)."""
    window.presenter.set_active(True)
    qtbot.wait(200)  # the full-screen request settles first
    window.setGeometry(0, 0, 1280, 720)
    qtbot.waitUntil(lambda: window.width() == 1280 and window.tabs.width() > 800, timeout=5000)


def test_presenter_view_fits_a_1280x720_projector_with_and_without_a_lesson(main_window, qtbot):
    """Issue 27: at twice the size nothing is cut or scrolled on any tab, beside the lesson panel too."""
    main_window.tab("Training").ensure_ready()
    _present_at_1280x720(main_window, qtbot)
    assert _cut_on_the_projector(main_window, qtbot) == []
    main_window.lessons.open_lesson(find_lesson("3"))
    qtbot.waitUntil(lambda: main_window.lessons.panel.isVisible(), timeout=5000)
    main_window.presenter.set_active(False)  # (entered again: the lesson panel gets its presenter width)
    _present_at_1280x720(main_window, qtbot)
    assert _cut_on_the_projector(main_window, qtbot) == []
    main_window.presenter.set_active(False)


def test_contest_import_with_a_malformed_file_then_scored_on_our_handwriting(main_window, qtbot, tmp_path):
    usb = tmp_path / "usb"
    contest.export_contest("digits", usb, student="Ben")
    (usb / "Cleo.inklab-contest").write_bytes(b"PK\x03\x04 this is not a contest file")
    # The class draws two ones on the Draw tab, into the collection "class".
    main_window.tabs.setCurrentIndex(2)
    draw_tab = main_window.tab("Draw")
    draw_tab.collect.collection_combo.setEditText("class")
    for _ in range(2):
        draw(draw_tab.pad, vertical_bar(draw_tab.pad))
        qtbot.waitUntil(lambda: draw_tab.image is not None, timeout=5000)
        draw_tab.collect.label_edit.setText("1")
        with qtbot.waitSignal(draw_tab.sample_added, timeout=5000):
            press(qtbot, draw_tab.collect.add_button)
        assert draw_tab.collect.add_status.text() == "Added “1” to class."
        qtbot.waitUntil(lambda: draw_tab.image is None, timeout=5000)  # the pad is cleared for the next one
    main_window.tabs.setCurrentIndex(1)
    tab = main_window.tab("Training")
    tab.ensure_ready()
    board = tab.contest
    board.import_folder(usb)  # what Import folder… does once the folder is picked
    qtbot.waitUntil(lambda: not board.worker.is_running() and bool(board.rows), timeout=60_000)
    assert [row[1] for row in board.cells()] == ["Ben"]
    assert board.problem_label.isVisibleTo(board) and "Cleo.inklab-contest" in board.problem_label.text()
    assert len(board.problem_label.text().splitlines()) == 1
    assert "1 contest file(s) imported, 1 refused" in tab.banner.text()
    board.refresh()
    board.collection_combo.setCurrentText("class")
    press(qtbot, board.score_button)
    qtbot.waitUntil(lambda: not board.worker.is_running() and bool(board.scores), timeout=60_000)
    row = board.cells()[0]
    assert row[5] == "99.14%" and row[6].endswith("%") and row[7] == "2"
    assert board.export_csv(tmp_path / "board.csv") and board.export_png(tmp_path / "board.png")
    assert (tmp_path / "board.csv").read_text().splitlines()[1].startswith("1,Ben,digits")
    assert (tmp_path / "board.png").stat().st_size > 1000


@pytest.fixture
def fresh_window(qtbot, shared_data):
    from gui.main_window import MainWindow

    windows = []

    def make():
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


def test_settings_are_restored_and_a_damaged_file_is_reset_with_a_notice(fresh_window, qtbot, user_data_dir):
    first = fresh_window()
    first.tabs.setCurrentIndex(1)
    first.tab("Training").ensure_ready()
    form = first.tab("Training").form
    form.preset_combo.setCurrentIndex(form.preset_combo.findData("dense-small"))
    form.epochs_spin.setValue(7)
    form.limit_spin.setValue(500)
    form.lr_spin.setValue(0.002)
    first.tabs.setCurrentIndex(2)
    first.tab("Draw").pad_panel.pen_slider.setValue(9)
    first.tab("Draw").multi.switch.setChecked(True)
    first.close()

    second = fresh_window()
    qtbot.waitUntil(lambda: second.tabs.currentIndex() == 2, timeout=5000)  # the tab of last time
    assert second.tab("Draw").pad_panel.pen_slider.value() == 9 and second.tab("Draw").multi.switch.isChecked()
    second.tabs.setCurrentIndex(1)
    second.tab("Training").ensure_ready()
    form = second.tab("Training").form
    assert (form.preset_combo.currentData(), form.epochs_spin.value(), form.limit_spin.value()) == (
        "dense-small", 7, 500)
    assert form.lr_spin.value() == pytest.approx(0.002)
    second.close()

    settings = user_data_dir / "settings.ini"
    settings.write_bytes(b"\x00\xff\xfe garbage \x00" * 100)
    third = fresh_window()
    qtbot.waitUntil(lambda: "settings file is not text" in third.banner.text(), timeout=5000)
    assert (user_data_dir / "settings.ini.damaged").is_file()
    third.settings.setValue("session/training", json.dumps({"preset": "no-such-preset"}))
    third.settings.sync()
    third.close()

    fourth = fresh_window()
    fourth.tabs.setCurrentIndex(1)
    training = fourth.tab("Training")
    training.ensure_ready()
    qtbot.waitUntil(lambda: "could not be restored" in training.banner.text(), timeout=5000)
    assert training.form.preset_combo.currentData() == "recommended"
