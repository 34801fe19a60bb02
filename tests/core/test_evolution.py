"""The weights of a run, captured before it and after every epoch (filters and histograms)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="module")
def small_cnn():
    import keras

    keras.utils.set_random_seed(3)
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(6, 5, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(12, activation="relu"),
        keras.layers.Dense(10),
    ])


def test_a_snapshot_holds_the_first_filters_and_one_histogram_per_layer(small_cnn) -> None:
    from core.training.evolution import BINS, snapshot

    snap = snapshot(small_cnn, 0)
    kernel = np.asarray(small_cnn.layers[0].kernel)  # (5, 5, 1, 6)
    assert snap.filters.shape == (6, 5, 5)
    np.testing.assert_allclose(snap.filters[2], kernel[:, :, 0, 2])
    assert [h.name for h in snap.histograms] == ["Conv 1", "Dense 1", "Output"]
    assert [h.weights for h in snap.histograms] == [150, 12 * 864, 120]
    assert all(len(h.counts) == BINS and h.counts.sum() == h.weights for h in snap.histograms)
    assert snap.histograms[0].reach == pytest.approx(float(np.abs(kernel).max()))


def test_the_capture_keeps_epoch_0_and_every_epoch_of_a_fit(small_cnn, mnist) -> None:
    import keras

    from core.training.events import EpochResult, RunInfo
    from core.training.evolution import WeightCapture

    heard = []
    capture = WeightCapture(lambda: small_cnn, heard.append)
    split = mnist.split("train").take(slice(0, 256))
    small_cnn.compile(optimizer=keras.optimizers.Adam(1e-2),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    capture.on_run_start(RunInfo(2, 8, 32, 256, 0, tuple("0123456789"), "CPU"))

    class Bridge(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            capture.on_epoch_end(EpochResult(epoch + 1, 2, 0.0, 0.0, None, None, 0.0, 0.0, 0.0, 0.0))

    small_cnn.fit(split.images[..., None] / np.float32(255), split.labels, epochs=2, batch_size=32, verbose=0,
                  callbacks=[Bridge()])
    assert [s.epoch for s in capture.snapshots] == [0, 1, 2] and heard == capture.snapshots
    first, last = capture.snapshots[0].filters, capture.snapshots[-1].filters
    assert not np.allclose(first, last)  # the filters changed as it learned


def test_a_dense_model_has_histograms_but_no_filters() -> None:
    import keras

    from core.training.evolution import snapshot

    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    snap = snapshot(model, 1)
    assert snap.filters is None and [h.name for h in snap.histograms] == ["Output"]


def test_train_weights_out_writes_every_epochs_filters_and_histograms(tmp_path, shared_data, capsys) -> None:
    import json

    from core.cli import run_cli

    out = tmp_path / "weights"
    code = run_cli(["train", "--preset", "cnn-classic", "--limit", "300", "--epochs", "2", "--batch-size", "32",
                    "--validation", "0", "--no-test", "--name", "evolving", "--weights-out", str(out)])
    assert code == 0
    assert f"weights of epochs 0-2 written to {out} (4 files)" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [
        "filters-epoch-0.png", "filters-epoch-1.png", "filters-epoch-2.png", "weights.json"]
    data = json.loads((out / "weights.json").read_text())
    assert [e["epoch"] for e in data["epochs"]] == [0, 1, 2]
    first = data["epochs"][0]["layers"][0]
    assert first["name"] == "Conv 1" and first["weights"] == 288 and sum(first["counts"]) == 288


def test_a_run_from_a_model_shows_last_the_mixed_weights_it_saves(mnist, tmp_path_factory) -> None:
    """A "Start from" run mixes its weights with the base's after the last epoch: the last
    snapshot (the Filters and weights page's last epoch) is the model that is saved."""
    from core.training.config import TrainingConfig
    from core.training.evolution import WeightCapture, snapshot
    from core.training.run import TrainingRun
    from tests.helpers.models import install_tiny_model

    name = install_tiny_model(tmp_path_factory, mnist)
    capture = WeightCapture()
    run = TrainingRun(TrainingConfig(dataset="mnist", base_model=name, epochs=1, limit=256, batch_size=32,
                                     validation=0, learning_rate=0.01, augment=False), capture)
    assert run.run().status == "completed" and run.mixed
    shown = capture.snapshots
    assert [s.epoch for s in shown] == [0, 1]
    saved = snapshot(run.model, 1)
    np.testing.assert_array_equal(shown[-1].filters, saved.filters)
    for mine, theirs in zip(shown[-1].histograms, saved.histograms, strict=True):
        np.testing.assert_array_equal(mine.counts, theirs.counts)
    # And a run from a fresh preset takes no extra snapshot.
    capture = WeightCapture()
    fresh = TrainingRun(TrainingConfig(dataset="mnist", preset="dense-small", epochs=1, limit=256, batch_size=32,
                                       validation=0), capture)
    assert fresh.run().status == "completed" and not fresh.mixed
    assert [s.epoch for s in capture.snapshots] == [0, 1]
