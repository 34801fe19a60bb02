"""The Training tab's rough edges a new user hit (issue 16), driven as a person would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from tests.helpers.gui import RUN_TIMEOUT_MS, configure, press, wheel_over

QUESTION = "A run is in progress: stop it and quit?"


def answer_next_question(button: QMessageBox.StandardButton, seen: list[str]) -> None:
    """When the next message box shows, note its text and click ``button`` as the user would."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.button(button).click()
        else:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(0, answer)


@pytest.fixture
def training_window(main_window, qtbot):
    """The 1280x720 window on its Training tab, set for a long small run (stopped afterwards)."""
    main_window.resize(1280, 720)
    main_window.tabs.setCurrentIndex(main_window.tab_titles().index("Training"))
    tab = main_window.tab("Training")
    qtbot.waitUntil(lambda: tab._ready)
    tab.form.dataset_combo.setCurrentIndex(tab.form.dataset_combo.findData("mnist"))
    tab.form.preset_combo.setCurrentIndex(tab.form.preset_combo.findData("dense-small"))
    configure(tab, samples=3000, epochs=200)
    yield main_window, tab
    if tab.is_running():
        tab.stop()
        qtbot.waitUntil(lambda: not tab.is_running(), timeout=RUN_TIMEOUT_MS)


def test_closing_or_ctrl_q_mid_run_asks_and_cancel_keeps_the_run(training_window, qtbot):
    window, tab = training_window
    press(qtbot, tab.bar.start_button)
    qtbot.waitUntil(lambda: tab.batches_received >= 2, timeout=RUN_TIMEOUT_MS)

    # On its own tab the run shows its progress bar, and the title stays put (renaming a tab
    # at every percent stalled the plots); the other tabs see the run in the title.
    qtbot.waitUntil(lambda: tab.bar.progress_bar.value() > 0, timeout=RUN_TIMEOUT_MS)
    assert window.tabs.tabText(1) == "Training"
    window.tabs.setCurrentIndex(window.tab_titles().index("Draw"))
    qtbot.waitUntil(lambda: re.fullmatch(r"Training \(\d+%\)", window.tabs.tabText(1)) is not None)

    seen: list[str] = []
    answer_next_question(QMessageBox.StandardButton.Cancel, seen)
    window.close()
    assert seen == [QUESTION]
    assert window.isVisible() and tab.is_running()
    held = tab.batches_received
    qtbot.waitUntil(lambda: tab.batches_received > held, timeout=RUN_TIMEOUT_MS)  # it goes on

    answer_next_question(QMessageBox.StandardButton.Cancel, seen)
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert seen[1] == QUESTION and window.isVisible() and tab.is_running()

    window.tabs.setCurrentIndex(window.tab_titles().index("Training"))
    press(qtbot, tab.bar.stop_button)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=RUN_TIMEOUT_MS)
    assert window.tabs.tabText(1) == "Training"  # gone with the run


def test_the_wheel_scrolls_the_settings_and_leaves_learning_rate_and_epochs_alone(training_window, qtbot):
    _window, tab = training_window
    form = tab.form
    lr, epochs = form.lr_spin.value(), form.epochs_spin.value()
    for field in (form.lr_spin, form.epochs_spin):
        wheel_over(field, steps=-1)
        wheel_over(field, steps=1)
    assert (form.lr_spin.value(), form.epochs_spin.value()) == (lr, epochs)

    qtbot.mouseClick(form.epochs_spin, Qt.MouseButton.LeftButton)  # clicked into: now it is the user's
    form.epochs_spin.setFocus()
    qtbot.waitUntil(form.epochs_spin.hasFocus)
    wheel_over(form.epochs_spin, steps=1)
    assert form.epochs_spin.value() != epochs


def test_paused_status_fits_at_1280_px_and_stop_keeps_the_progress(training_window, qtbot):
    _window, tab = training_window
    press(qtbot, tab.bar.start_button)
    qtbot.waitUntil(lambda: tab.batches_received >= 3, timeout=RUN_TIMEOUT_MS)
    press(qtbot, tab.bar.pause_button)
    label = tab.bar.status_label
    qtbot.waitUntil(lambda: label.full_text().startswith("Paused at epoch"))
    shown = label.text()
    assert shown.startswith("Paused at epoch")  # what matters is on screen
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()  # nothing cut off

    press(qtbot, tab.bar.pause_button)
    press(qtbot, tab.bar.stop_button)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=RUN_TIMEOUT_MS)
    bar = tab.bar.progress_bar
    assert 0 < bar.value() < bar.maximum()  # where the run got to, not 0%


def test_a_capped_validation_is_said_before_start_and_a_weak_run_says_why(training_tab, qtbot):
    tab, form = training_tab, training_tab.form
    form.limit_spin.setValue(3000)
    form.epochs_spin.setValue(1)
    form.optimizer_combo.setCurrentIndex(form.optimizer_combo.findData("sgd"))
    form.lr_spin.setValue(0.001)
    form.validation_unit.setCurrentIndex(1)
    form.validation_spin.setValue(5000)
    assert form.validation_note.isVisible()
    assert "capped to 600" in form.validation_note.text()  # before Start

    press(qtbot, tab.bar.start_button)
    # Said again as the run starts (information: it goes away by itself after a few seconds).
    qtbot.waitUntil(lambda: "capped to 600" in tab.banner.text(), timeout=RUN_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=RUN_TIMEOUT_MS)
    assert tab.runs()[-1].status == "completed"
    assert tab.results.advice_label.isVisible()
    assert "too few samples/epochs for this optimizer" in tab.results.advice_label.text().lower()


def test_a_failed_run_is_not_ranked_and_the_strip_does_not_keep_loading(training_tab, qtbot):
    tab = training_tab
    tab.form.limit_spin.setValue(10)
    tab.form.validation_unit.setCurrentIndex(0)
    tab.form.validation_spin.setValue(99)
    press(qtbot, tab.bar.start_button)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=RUN_TIMEOUT_MS)
    assert tab.runs()[-1].status == "failed"
    assert tab.compare.leaderboard.rowCount() == 0
    assert "Loading" not in tab.live.strip_caption.text()
    assert not tab.results.advice_label.isVisible()


@pytest.mark.slow
def test_compare_runs_shows_epochs_run_names_exports_and_survives_a_restart(training_tab, qtbot, monkeypatch,
                                                                             tmp_path):
    from gui.training.tab import TrainingTab

    tab = training_tab
    press(qtbot, tab.bar.start_button)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=RUN_TIMEOUT_MS)
    configure(tab, samples=3000, epochs=200)
    press(qtbot, tab.bar.start_button)
    qtbot.waitUntil(lambda: tab.live.epochs_received >= 1, timeout=RUN_TIMEOUT_MS)
    press(qtbot, tab.bar.stop_button)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=RUN_TIMEOUT_MS)

    table = tab.compare.leaderboard
    rows = {table.item(r, 2).text(): r for r in range(table.rowCount())}
    assert set(rows) == {"1", "2"}
    assert table.item(rows["1"], 4).text().startswith("2 ep,")
    assert re.match(r"\d+/200 ep,", table.item(rows["2"], 4).text())  # the epochs it really ran
    assert "stopped" in table.item(rows["2"], 6).text()
    assert [table.item(rows[n], 3).text() for n in "12"] == ["#1 dense-small", "#2 dense-small"]
    assert "Ranked by test accuracy" in table.horizontalHeaderItem(1).toolTip()

    # Export: names from the run, the folder remembered.
    starts: list[Path] = []

    def save_as(parent, title, start, filters):
        starts.append(Path(start))
        return str(tmp_path / Path(start).name), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as))
    press(qtbot, tab.results.csv_button)
    press(qtbot, tab.results.png_button)
    assert starts[0].name == "dense-small-run2-history.csv"
    assert starts[1] == tmp_path / "dense-small-run2-plots.png"
    assert (tmp_path / "dense-small-run2-history.csv").read_text().startswith("epoch,")

    # A restart: the leaderboard is still there, until the user clears it.
    again = TrainingTab()
    qtbot.addWidget(again)
    again.show()
    again.ensure_ready()
    assert again.compare.leaderboard.rowCount() == 2
    press(qtbot, again.compare.clear_button)
    assert again.compare.leaderboard.rowCount() == 0
    third = TrainingTab()
    qtbot.addWidget(third)
    third.ensure_ready()
    assert third.compare.leaderboard.rowCount() == 0
