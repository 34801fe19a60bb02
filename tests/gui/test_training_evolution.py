"""The Training tab's "Filters and weights" page: captured from the run's own events, scrubbed after it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.helpers.gui import RUN_TIMEOUT_MS, configure, press


def _growing_capture():
    """A WeightCapture fed three epochs of a model whose filters grow (a stand-in for training)."""
    import keras

    from core.training.events import EpochResult, RunInfo
    from core.training.evolution import WeightCapture

    keras.utils.set_random_seed(4)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3), keras.layers.Flatten(),
                              keras.layers.Dense(10)])
    capture = WeightCapture(lambda: model)
    steps = [lambda: capture.on_run_start(RunInfo(2, 1, 1, 1, 0, tuple("0123456789"), "CPU"))]
    for epoch in (1, 2):
        steps.append(lambda epoch=epoch: capture.on_epoch_end(
            EpochResult(epoch, 2, 0.0, 0.0, None, None, 0.0, 0.0, 0.0, 0.0)))

    def grow_then(step):
        def run():
            step()
            kernel = model.layers[0].kernel
            kernel.assign(kernel * 2.0)
        return run

    return capture, [grow_then(step) for step in steps]


def test_it_follows_the_run_then_scrubs_through_every_epoch(qtbot) -> None:
    from gui.training.evolution_view import EvolutionView

    view = EvolutionView()
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    capture, steps = _growing_capture()
    view.start(capture)
    for step in steps:
        step()
        with qtbot.waitSignal(view.shown):
            view.refresh()
    assert not view.slider.isEnabled() and view.epoch_label.text() == "2 (training…)"
    assert view.status.text() == "The weights after epoch 2"
    assert [h.name for h in view.histograms.histograms] == ["Conv 1", "Output"]
    assert view.filters.pixmap().width() >= 4 * 26
    view.finish()
    assert view.slider.isEnabled() and view.slider.maximum() == 2
    # Scrub back to the start with the keyboard: the random weights, epoch 0.
    view.slider.setFocus()
    with qtbot.waitSignal(view.shown) as shown:
        QTest.keyClick(view.slider, Qt.Key.Key_Home)
    snaps = capture.snapshots
    assert shown.args == [0] and view.epoch_label.text() == "0 of 2"
    assert view.status.text().startswith("The weights before training (random weights)")
    assert view.histograms.histograms[0].reach == snaps[0].histograms[0].reach
    assert view.histograms.reach["Conv 1"] == snaps[2].histograms[0].reach  # one x range for the run
    with qtbot.waitSignal(view.shown) as shown:
        QTest.keyClick(view.slider, Qt.Key.Key_Right)
    assert shown.args == [1] and view.epoch_label.text() == "1 of 2"
    view.grab()  # paints the histograms


def test_a_page_behind_another_draws_its_epochs_only_once_shown(qtbot) -> None:
    """Issue 28: the filters and histograms are not drawn at every epoch behind another page."""
    from gui.training.evolution_view import EvolutionView

    view = EvolutionView()
    qtbot.addWidget(view)
    view.resize(900, 400)
    drawn = []
    view.shown.connect(drawn.append)
    capture, steps = _growing_capture()
    view.start(capture)
    for step in steps:
        step()
        view.refresh()
    view.finish()
    assert drawn == [] and view.histograms.histograms == ()  # hidden the whole run: nothing drawn
    assert view.slider.maximum() == 2 and view.slider.isEnabled()
    view.show()
    qtbot.waitUntil(lambda: drawn == [2])
    assert view.epoch_label.text() == "2 of 2" and [h.name for h in view.histograms.histograms] == ["Conv 1", "Output"]


def test_a_run_in_the_training_tab_keeps_every_epochs_filters(training_tab, qtbot) -> None:
    tab = training_tab
    tab.form.preset_combo.setCurrentIndex(tab.form.preset_combo.findData("cnn-classic"))
    configure(tab, samples=600, epochs=2)  # the preset brought its own epochs
    page = tab.evolution
    tab.results.setCurrentWidget(page)
    press(qtbot, tab.bar.start_button)
    qtbot.waitUntil(lambda: len(page.snapshots) >= 1, timeout=RUN_TIMEOUT_MS)
    assert page.running and not page.slider.isEnabled()
    qtbot.waitUntil(lambda: tab.state() == "idle", timeout=RUN_TIMEOUT_MS)
    assert [s.epoch for s in page.snapshots] == [0, 1, 2]
    assert page.snapshots[0].filters.shape == (32, 3, 3)
    assert not np.allclose(page.snapshots[0].filters, page.snapshots[2].filters)  # they learned
    assert page.slider.isEnabled() and page.epoch_label.text() == "2 of 2"
    assert [h.name for h in page.histograms.histograms] == ["Conv 1", "Conv 2", "Conv 3", "Dense 1", "Output"]
    page.slider.setValue(0)
    assert page.status.text().startswith("The weights before training")
    assert tab.results.tabText(tab.results.indexOf(page)) == "Filters and weights"


def test_a_dense_model_says_it_has_no_filters(training_tab, qtbot) -> None:
    tab = training_tab  # dense-small
    press(qtbot, tab.bar.start_button)
    qtbot.waitUntil(lambda: tab.state() == "idle", timeout=RUN_TIMEOUT_MS)
    page = tab.evolution
    tab.results.setCurrentWidget(page)  # the user opens the page after the run
    assert page.filters.text() == "This model has no convolution, so it has no filters to show."
    assert [h.name for h in page.histograms.histograms] == ["Dense 1", "Dense 2", "Output"]
