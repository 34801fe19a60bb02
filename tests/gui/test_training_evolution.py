"""The Training tab's "Filters and weights" page, fed snapshots as a run sends them."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def _snapshots():
    import keras

    from core.training.evolution import snapshot

    keras.utils.set_random_seed(4)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3), keras.layers.Flatten(),
                              keras.layers.Dense(10)])
    out = []
    for epoch in range(3):
        out.append(snapshot(model, epoch))
        kernel = model.layers[0].kernel
        kernel.assign(kernel * 2.0)  # "training": the filters grow
    return out


def test_it_follows_the_run_then_scrubs_through_every_epoch(qtbot) -> None:
    from gui.training.evolution_view import EvolutionView

    view = EvolutionView()
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    view.start()
    snaps = _snapshots()
    for snap in snaps:
        with qtbot.waitSignal(view.shown):
            view.add(snap)
    assert not view.slider.isEnabled() and view.epoch_label.text() == "2 (training…)"
    assert view.status.text() == "The weights after epoch 2"
    assert [h.name for h in view.histograms.histograms] == ["Conv 1", "Output"]
    assert view.filters.pixmap().width() >= 4 * 30
    view.finish()
    assert view.slider.isEnabled() and view.slider.maximum() == 2
    # Scrub back to the start with the keyboard: the random weights, epoch 0.
    view.slider.setFocus()
    with qtbot.waitSignal(view.shown) as shown:
        QTest.keyClick(view.slider, Qt.Key.Key_Home)
    assert shown.args == [0] and view.epoch_label.text() == "0 of 2"
    assert view.status.text().startswith("The weights before training (random weights)")
    assert view.histograms.histograms[0].reach == snaps[0].histograms[0].reach
    # One x range for every epoch: the largest reach of the run.
    assert view.histograms.reach["Conv 1"] == snaps[2].histograms[0].reach
    image = view.filters.pixmap().toImage()
    assert image.width() > 0
    view.grab()  # paints the histograms without error


def test_a_dense_model_says_it_has_no_filters(qtbot) -> None:
    import keras

    from core.training.evolution import snapshot
    from gui.training.evolution_view import EvolutionView

    view = EvolutionView()
    qtbot.addWidget(view)
    view.start()
    view.add(snapshot(keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]), 0))
    assert view.filters.text() == "This model has no convolution, so it has no filters to show."
    assert np.asarray([h.weights for h in view.histograms.histograms]).tolist() == [7840]
