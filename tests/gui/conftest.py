"""GUI fixtures: a shown main window whose Datasets tab has loaded its default set (MNIST)."""

from __future__ import annotations

import pytest


@pytest.fixture
def main_window(qtbot, shared_data):
    """The InkLab window, shown offscreen; closed (and its threads stopped) afterwards."""
    from gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


@pytest.fixture
def datasets_tab(main_window, qtbot):
    """The Datasets tab once it has picked and loaded its default data set."""
    tab = main_window.datasets_tab
    qtbot.waitUntil(lambda: tab.current_dataset() is not None, timeout=30_000)
    return tab


@pytest.fixture(autouse=True)
def no_task_thread_outlives_its_test():
    """Every task thread a test started has ended before the next test (or the process) goes on.

    The window waits only ~1 s on close for a task that is not TensorFlow's; on a loaded machine a load can take longer, and
    a task left running would slow down or disturb the next test.
    """
    yield
    import gc

    from gui import concurrency

    assert concurrency.shutdown(60_000, native_timeout_ms=60_000), "a task thread was still running 60 s after its test"
    # Collect the test's dead widgets here, on the GUI thread.  Left for later, a garbage
    # collection that happens to run on a worker thread (Keras allocating) frees PySide
    # wrappers there, and shiboken's deletion hand-off to the main thread deadlocks against
    # it (seen once in a full run: main thread in runDeletionInMainThread, worker waiting for
    # the GIL).
    gc.collect()


@pytest.fixture
def training_tab(qtbot, shared_data):
    """A shown Training tab set to dense-small on 600 MNIST samples, 2 epochs of batch 32."""
    from gui.training.tab import TrainingTab
    from tests.helpers.gui import configure

    widget = TrainingTab()
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    widget.ensure_ready()
    widget.form.dataset_combo.setCurrentIndex(widget.form.dataset_combo.findData("mnist"))
    widget.form.preset_combo.setCurrentIndex(widget.form.preset_combo.findData("dense-small"))
    configure(widget, samples=600, epochs=2)
    yield widget
    from gui import concurrency

    assert concurrency.shutdown(5000)
