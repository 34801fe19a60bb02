"""Start the real app as ``main.py`` does, start one long task, close the window mid-task.

    python tests/gui/close_during_task.py idle|training|training-paused|dataset|warm-up|draw|training-import

Run by ``test_shutdown.py`` in a subprocess (QT_QPA_PLATFORM=offscreen, a temp
INKLAB_DATA_DIR).  It prints ``CLOSING`` on the line before it closes the window; the test
times the process exit from there.  The app itself runs through :func:`gui.app.run_app`, so
the exit path under test is the real one.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from gui.app import create_application, run_app  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402

POLL_MS = 20
GIVE_UP_MS = 120_000


def window() -> MainWindow | None:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)), None)


def close_when(ready) -> None:
    """Poll ``ready(window)``; once true, say so and close the window."""
    waited = [0]

    def poll() -> None:
        win = window()
        if win is not None and ready(win):
            close(win)
            return
        waited[0] += POLL_MS
        if waited[0] > GIVE_UP_MS:
            print("GAVE UP waiting for the task", flush=True)
            QApplication.exit(3)
            return
        QTimer.singleShot(POLL_MS, poll)

    QTimer.singleShot(0, poll)


def close(win: MainWindow) -> None:
    """Close the window as a person would; a run in progress makes it ask, and they confirm.

    ``CLOSING`` is printed as the close is confirmed: the exit is timed from there.
    """
    if not win.training_in_progress():
        print("CLOSING", flush=True)
        win.close()
        return

    def confirm() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(POLL_MS, confirm)
            return
        print("CLOSING", flush=True)
        box.button(QMessageBox.StandardButton.Yes).click()

    QTimer.singleShot(0, confirm)
    win.close()


def training_is_running(win: MainWindow) -> bool:
    tab = win.tab("Training")
    win.tabs.setCurrentIndex(1)
    if not tab._ready or tab.is_running():
        return bool(tab.is_running() and tab.batches_received > 0)
    if tab.form.dataset_combo.findData("mnist") < 0:
        return False
    tab.form.dataset_combo.setCurrentIndex(tab.form.dataset_combo.findData("mnist"))
    tab.form.preset_combo.setCurrentIndex(tab.form.preset_combo.findData("dense-small"))
    tab.form.epochs_spin.setValue(50)  # far longer than the test waits
    tab.form.limit_spin.setValue(3000)
    tab.start()
    return False


def training_is_paused(win: MainWindow) -> bool:
    """A paused run waits on the session, not on a batch: only the cancel callback can stop it."""
    tab = win.tab("Training")
    if training_is_running(win) and tab.state() == "running":
        tab.toggle_pause()
    run = tab.driver.run
    return tab.state() == "paused" and run is not None and run.holding


def dataset_is_loading(win: MainWindow) -> bool:
    tab = win._lazy["Datasets"].widget
    return tab is not None and tab.is_busy()


def draw_model_is_loading(win: MainWindow) -> bool:
    tab = win.tab("Draw")
    win.tabs.setCurrentIndex(2)
    # With LiteRT the load can be over before a poll sees it running: close once it started.
    return tab.models.loader.is_running() or tab.models.state() in ("loading", "ready")


def training_tab_imports_tensorflow(win: MainWindow) -> bool:
    tab = win.tab("Training")
    win.tabs.setCurrentIndex(1)
    return tab._ready and tab.form._summary_runner.is_running()


def training_tab_warms_up(win: MainWindow) -> bool:
    tab = win.tab("Training")
    win.tabs.setCurrentIndex(1)
    return tab._ready and tab.form._warm_runner.is_running()


SCENARIOS = {
    "idle": lambda win: win.isVisible(),  # the baseline: nothing running
    "warm-up": training_tab_warms_up,
    "training": training_is_running,
    "training-paused": training_is_paused,
    "dataset": dataset_is_loading,
    "draw": draw_model_is_loading,
    "training-import": training_tab_imports_tensorflow,
}

if __name__ == "__main__":
    create_application([])
    close_when(SCENARIOS[sys.argv[1]])
    sys.exit(run_app([]))
