"""Issue 24, item 9: the smaller things a second day in the app ran into, driven as a person would."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QApplication, QToolTip

from tests.helpers.gui import RUN_TIMEOUT_MS, click_row, configure, contrast, press


def test_pixel_values_are_legible_or_shown_on_hover_and_large(datasets_tab, main_window, qtbot):
    main_window.resize(1280, 680)
    qtbot.wait(100)
    grid = datasets_tab.sample_view.grid
    assert grid.image() is not None
    font = grid.value_font()
    if font is not None:  # written in the cells: a real font, and "255" inside its cell
        assert font.pixelSize() >= 9
        assert QFontMetrics(font).horizontalAdvance("255") <= grid.cell_size() - 2
    else:
        assert not grid.values_shown()  # too small to read: not written (it was 6 px text)
    # Hovering a pixel says its value.
    row, col = 14, 14
    left, top, cell = grid._origin()
    qtbot.mouseMove(grid, QPoint(left + col * cell + cell // 2, top + row * cell + cell // 2))
    qtbot.waitUntil(lambda: QToolTip.isVisible() and QToolTip.text().startswith(f"row {row}, column {col}: "))
    assert QToolTip.text().split(": ")[1].split("\n")[0] == str(int(grid.image()[row, col]))
    # A click opens it large, every value written legibly; Esc closes it.
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=QPoint(left + cell, top + cell))
    dialog = grid.dialog
    qtbot.waitExposed(dialog)
    assert dialog.grid.values_shown() and dialog.grid.value_font().pixelSize() >= 9
    assert QFontMetrics(dialog.grid.value_font()).horizontalAdvance("255") <= dialog.grid.cell_size() - 2
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_missing_set_reads_clearly_and_draws_no_empty_charts(datasets_tab, qtbot):
    click_row(datasets_tab, "emnist-letters")
    qtbot.waitUntil(datasets_tab.browser.is_showing_missing)
    assert not datasets_tab.browser.right.widget().isVisible()  # no empty "Class balance" axes
    row = datasets_tab.dataset_list.row_widget("emnist-letters")
    image = row.grab().toImage()
    background = datasets_tab.dataset_list.palette().color(datasets_tab.dataset_list.palette().ColorRole.Highlight)
    title = row.title.geometry()
    ink = [QColor(image.pixel(x, y)) for x in range(title.left(), title.right()) for y in range(title.top(), title.bottom())]
    best = max(contrast(c, background) for c in ink)
    assert best >= 3.0, f"the selected missing set's title has a contrast of {best:.1f} on the selection"
    with qtbot.waitSignal(datasets_tab.dataset_loaded, timeout=30_000):
        click_row(datasets_tab, "mnist")
    assert datasets_tab.browser.right.widget().isVisible()


def test_compare_runs_is_counted_after_a_restart(qtbot):
    from core import storage
    from core.training.runs import RunHistory
    from gui.training.compare_panel import RUNS_FILE
    from gui.training.tab import TrainingTab

    history = RunHistory(storage.data_dir() / RUNS_FILE)
    for accuracy in (0.9, 0.95):
        record = history.start("mnist", "dense-small", {"epochs": 1, "batch_size": 32, "optimizer": "adam",
                                                        "learning_rate": 0.001, "limit": 600})
        record.status, record.test_accuracy, record.epochs_done = "completed", accuracy, 1
    history.save()
    tab = TrainingTab()  # the app started again
    qtbot.addWidget(tab)
    tab.show()
    tab.ensure_ready()
    assert tab.results.tabText(2) == "Compare runs (2)"
    tab.results.setCurrentIndex(2)
    qtbot.mouseClick(tab.compare.clear_button, Qt.MouseButton.LeftButton)
    assert tab.results.tabText(2) == "Compare runs"


@pytest.mark.slow
def test_the_status_line_is_whole_and_a_new_run_closes_the_enlarged_mistake(main_window, qtbot):
    main_window.resize(1280, 680)
    qtbot.keyClick(main_window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    tab = main_window.tab("Training")
    qtbot.waitUntil(lambda: tab._ready)
    tab.form.dataset_combo.setCurrentIndex(tab.form.dataset_combo.findData("mnist"))
    tab.form.preset_combo.setCurrentIndex(tab.form.preset_combo.findData("dense-small"))
    configure(tab, samples=3000, epochs=2)
    press(qtbot, tab.bar.start_button)
    label, bar = tab.bar.status_label, tab.bar.progress_bar
    qtbot.waitUntil(lambda: label.full_text().startswith("Epoch 1/2"), timeout=RUN_TIMEOUT_MS)
    assert label.text() == label.full_text(), f"cut off: {label.text()!r}"  # was "… · batch 10…"
    assert "batch " in bar.text()
    assert bar.fontMetrics().horizontalAdvance(bar.text()) < bar.width()
    press(qtbot, tab.bar.pause_button)
    qtbot.waitUntil(lambda: label.full_text().startswith("Paused at epoch"))
    assert label.text() == label.full_text()
    press(qtbot, tab.bar.pause_button)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=RUN_TIMEOUT_MS)
    qtbot.waitUntil(lambda: tab.results.evaluation is not None, timeout=RUN_TIMEOUT_MS)

    tab.results.setCurrentIndex(1)  # Mistakes
    gallery = tab.results.gallery
    qtbot.waitUntil(lambda: gallery.count() > 0)
    gallery.setFocus()
    gallery.setCurrentRow(0)
    qtbot.keyClick(gallery, Qt.Key.Key_Return)
    assert gallery.dialog.isVisible()
    qtbot.keyClick(gallery, Qt.Key.Key_Escape)  # Esc, wherever the focus is left
    assert gallery.dialog is None or not gallery.dialog.isVisible()
    qtbot.keyClick(gallery, Qt.Key.Key_Return)
    dialog = gallery.dialog
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    qtbot.keyClick(gallery, Qt.Key.Key_Return)
    dialog = gallery.dialog
    press(qtbot, tab.bar.start_button)  # a new run: the old run's mistake goes
    assert not dialog.isVisible()
    tab.stop()
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=RUN_TIMEOUT_MS)


@pytest.mark.slow
def test_ctrl_q_with_nothing_running_quits_at_once(main_window, qtbot, monkeypatch):
    """Even while TensorFlow's warm-up runs in the background (the window stayed 1.6-2.1 s)."""
    from core.training import warmup
    from gui import concurrency

    # The warm-up runs once per process: when an earlier test has paid it, the tab's runner
    # would return at once and never be seen running. This test needs a real one.
    monkeypatch.setattr(warmup, "_warmed", False)
    qtbot.keyClick(main_window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    tab = main_window.tab("Training")
    qtbot.waitUntil(lambda: tab._ready)
    warm = tab.form._warm_runner
    qtbot.waitUntil(warm.is_running, timeout=RUN_TIMEOUT_MS)  # the model summary imported TensorFlow
    qtbot.wait(300)  # into its little training run
    seen = []
    wait_for_tasks = concurrency.shutdown
    monkeypatch.setattr(concurrency, "shutdown", lambda *a, **k: (
        seen.append((time.monotonic(), main_window.isVisible())), wait_for_tasks(*a, **k))[1])
    started = time.monotonic()
    qtbot.keyClick(main_window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    ended = time.monotonic()
    assert seen, "closing did not stop the background tasks"
    (waiting_from, still_shown), = seen[:1]
    assert not still_shown and waiting_from - started < 0.2  # gone from the screen at once
    assert concurrency.live_tasks() == 0
    assert ended - started < 2.0, f"the warm-up held the exit for {ended - started:.2f} s"
    QApplication.processEvents()


def test_the_warm_up_stops_when_cancelled(monkeypatch):
    import threading

    from core.progress import CancelToken
    from core.training import warmup

    monkeypatch.setattr(warmup, "_warmed", False)  # an earlier test in this process may have warmed up
    token = CancelToken()
    threading.Timer(0.05, token.cancel).start()
    assert warmup.warm_up(token) is False
    assert not warmup._warmed


def test_one_class_is_said_as_one_class_in_the_data_set_list(datasets_tab):
    from core.datasets.collections import add_sample

    add_sample("just-one", "x", np.zeros((28, 28), np.uint8))
    datasets_tab.refresh()
    assert datasets_tab.dataset_list.row_widget("just-one").status.text() == "just-one · 1 class · collection"
