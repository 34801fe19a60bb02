"""The window shell: tabs, shortcuts, a clean close while work runs, and a fast, TF-free start."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from gui import concurrency

REPO = Path(__file__).resolve().parents[2]


def test_three_tabs_and_shortcuts(main_window, qtbot):
    assert main_window.windowTitle() == "InkLab"
    assert main_window.tab_titles() == ["Datasets", "Training", "Draw"]
    qtbot.keyClick(main_window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert main_window.tabs.currentIndex() == 2
    qtbot.keyClick(main_window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert main_window.current_tab() is main_window.datasets_tab
    menus = [action.text().replace("&", "") for action in main_window.menuBar().actions()]
    assert "File" in menus and "Help" in menus


def test_geometry_is_remembered(main_window, qtbot):
    from gui.main_window import MainWindow

    main_window.resize(760, 540)  # fits the offscreen 800x600 screen
    expected = (main_window.width(), main_window.height())
    assert expected != (1280, 820)
    main_window.close()
    again = MainWindow()
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == expected


def test_close_while_a_task_runs_stops_it(main_window, qtbot):
    runner = concurrency.Worker(main_window)

    def endless(progress, cancel):
        while True:
            progress(1, None, "working")
            cancel.raise_if_cancelled()
            cancel._event.wait(0.05)

    runner.start(endless)
    qtbot.waitUntil(lambda: concurrency.live_tasks() >= 1)
    main_window.close()
    assert concurrency.live_tasks() == 0


def test_uncaught_exception_becomes_a_banner(main_window):
    from gui.errors import install_excepthook

    saved = sys.excepthook
    try:
        install_excepthook(main_window.show_error)
        try:
            raise ValueError("boom")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = saved
    assert "boom" in main_window.banner.text()


@pytest.mark.slow
def test_window_starts_without_tensorflow_and_exits_cleanly(tmp_path):
    """Showing the window imports no TensorFlow; closing it mid-task exits 0 without a Qt abort."""
    script = textwrap.dedent(
        """
        import sys
        from PySide6.QtCore import QTimer
        from gui.app import create_application, create_window
        from gui import concurrency

        app = create_application([])
        window = create_window()
        window.show()

        def endless(progress, cancel):
            while not cancel.cancelled:
                cancel._event.wait(0.05)

        def check():
            if window.datasets_tab.current_dataset() is None:
                QTimer.singleShot(50, check)
                return
            print("tensorflow loaded:", "tensorflow" in sys.modules, flush=True)
            runner = concurrency.Worker(window)
            runner.start(endless)
            window.runner = runner
            QTimer.singleShot(100, window.close)

        QTimer.singleShot(0, check)
        sys.exit(app.exec())
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "tensorflow loaded: False" in done.stdout
    assert "Destroyed while thread" not in done.stderr


def test_a_drawn_sample_shows_up_in_the_datasets_tab(main_window, qtbot, tmp_path_factory, mnist):
    """Draw tab -> "Add to my data set" -> the collection is listed on the Datasets tab."""
    from tests.helpers.gui import LOAD_TIMEOUT_MS, dataset_row_names, draw, vertical_bar
    from tests.helpers.models import install_tiny_model

    install_tiny_model(tmp_path_factory, mnist)
    datasets = main_window.datasets_tab
    qtbot.keyClick(main_window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    draw_tab = main_window.current_tab()
    try:
        draw(draw_tab.pad, vertical_bar(draw_tab.pad))
        qtbot.waitUntil(lambda: draw_tab.image is not None, timeout=5000)
        draw_tab.collect.collection_combo.setEditText("class-3b")
        draw_tab.collect.label_edit.setText("1")
        draw_tab.collect.add_button.click()
        qtbot.waitUntil(lambda: "class-3b" in dataset_row_names(datasets), timeout=5000)
    finally:
        assert draw_tab.models.loader.wait(LOAD_TIMEOUT_MS)


def test_a_model_saved_on_the_training_tab_appears_in_the_draw_tab(main_window, qtbot, tmp_path_factory, mnist):
    """The Training tab's model_saved reaches the Draw tab's model picker."""
    import shutil

    from core.models import library
    from tests.helpers.gui import LOAD_TIMEOUT_MS
    from tests.helpers.models import tiny_model_folder

    training, draw_tab = main_window.tab("Training"), main_window.tab("Draw")
    try:
        names = lambda: [draw_tab.model_combo.itemText(i) for i in range(draw_tab.model_combo.count())]  # noqa: E731
        source = tiny_model_folder(tmp_path_factory, mnist)
        assert not any(source.name in n for n in names())
        shutil.copytree(source, library.models_dir() / source.name)
        training.model_saved.emit(source.name)
        qtbot.waitUntil(lambda: any(source.name in n for n in names()), timeout=5000)
    finally:
        assert draw_tab.models.loader.wait(LOAD_TIMEOUT_MS)


def test_the_window_paints_before_the_datasets_tab_is_built(qtbot):
    """The first paint is not held up by the Datasets tab: it is built on the loop's next turn."""
    from PySide6.QtCore import QEvent, QObject

    from gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    page = window._lazy["Datasets"]
    first_paint = []

    class Watch(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and not first_paint:
                first_paint.append(page.built)
            return False

    watch = Watch()
    window.installEventFilter(watch)
    window.show()
    qtbot.waitUntil(lambda: page.built)
    assert first_paint == [False]
    assert window.tab("Datasets") is not None


def test_the_log_is_rotated_when_it_has_grown(tmp_path):
    from core.logfile import rotate_log

    log = tmp_path / "inklab.log"
    log.write_text("old\n")
    (tmp_path / "inklab.log.1").write_text("older\n")
    rotate_log(str(log), max_bytes=100)  # small: left alone
    assert log.read_text() == "old\n"
    rotate_log(str(log), max_bytes=2)
    assert not log.exists()
    assert (tmp_path / "inklab.log.1").read_text() == "old\n"
    assert (tmp_path / "inklab.log.2").read_text() == "older\n"
    rotate_log(str(tmp_path / "missing.log"))  # no log yet: nothing happens, nothing raised


def run_window(tmp_path, start: str, body: str) -> subprocess.CompletedProcess:
    """Run ``body`` in a fresh process beside a shown window (``app``, ``window``, ``QTimer`` and
    ``sys`` in scope), call its function ``start`` once the event loop runs, and return the
    finished process (it must exit cleanly; its prints are in ``stdout``)."""
    script = textwrap.dedent("""
        import sys
        from PySide6.QtCore import QTimer
        from gui.app import create_application, create_window

        app = create_application([])
        window = create_window()
        window.show()
        """) + textwrap.dedent(body) + textwrap.dedent(f"""
        QTimer.singleShot(0, {start})
        QTimer.singleShot(60_000, app.quit)
        sys.exit(app.exec())
        """)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", INKLAB_DATA_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done


def test_an_idle_window_imports_the_draw_tab_ahead_so_its_first_click_is_quick(tmp_path):
    """Opening Draw for the first time froze the window ~0.2 s importing its modules on the
    GUI thread; a settled window has imported them on a worker (never TensorFlow), so the click
    only builds widgets."""
    done = run_window(tmp_path, "check", """
        def check():
            if not window.prefetched():
                QTimer.singleShot(20, check)
                return
            print("draw built:", window._lazy["Draw"].built)
            print("prefetched:", all(m in sys.modules for m in ("gui.draw.tab", "core.models.library")))
            print("tensorflow loaded:", "tensorflow" in sys.modules or "keras" in sys.modules, flush=True)
            window.tabs.setCurrentIndex(window.tab_titles().index("Draw"))
            print("draw tab:", type(window.tab("Draw")).__name__, flush=True)
            QTimer.singleShot(0, window.close)
        """)
    assert "draw built: False" in done.stdout
    assert "prefetched: True" in done.stdout
    assert "tensorflow loaded: False" in done.stdout
    assert "draw tab: DrawTab" in done.stdout


def test_prefetching_a_module_that_is_missing_is_not_an_error() -> None:
    from gui.prefetch import prefetch_modules

    assert prefetch_modules(["json", "no_such_module_here", "core.labels:no_such_function"]) == [
        "no_such_module_here", "core.labels:no_such_function"]


def test_the_training_tab_clicked_while_made_ahead_says_preparing_and_is_finished_in_pieces(tmp_path):
    """Clicked before the work ahead had made it, the Training tab was made at once and froze
    the window ~0.15 s; now it says "Preparing…" and the work ahead finishes it, a piece per
    turn of the event loop, with nobody asking for it."""
    done = run_window(tmp_path, "click", """
        page = None

        def click():
            global page
            if window._ahead is None:  # the work ahead starts once the window has painted
                QTimer.singleShot(5, click)
                return
            window.tabs.setCurrentIndex(window.tab_titles().index("Training"))
            page = window.tabs.currentWidget()
            print("at the click: built", page.built, "says", page._waiting.text() if page._waiting else None, flush=True)
            QTimer.singleShot(20, wait)

        def wait():
            if not page.built:
                QTimer.singleShot(20, wait)
                return
            print("then:", type(page.widget).__name__, "waiting label", page._waiting, flush=True)
            QTimer.singleShot(0, window.close)
        """)
    assert "at the click: built False says Preparing the Training tab…" in done.stdout
    assert "then: TrainingTab waiting label None" in done.stdout
