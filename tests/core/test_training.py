"""The training session on small slices of real MNIST: events, stop, pause, throttling, errors."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from core.datasets.dataset import Split
from core.errors import TrainingError
from core.models.inference import predict_batch
from core.models.presets import AugmentParams
from core.training import (
    TrainingConfig,
    TrainingListener,
    TrainingRun,
    augment_images,
    split_validation,
    validation_count,
    validation_note,
)
from core.training.advice import low_accuracy_reason

WAIT = 60  # seconds: generous bounds for the shared CI machine, never a timing assertion


class Recorder(TrainingListener):
    """Keeps every event; can signal the test thread when the first batch has come."""

    def __init__(self) -> None:
        self.starts, self.batches, self.epochs, self.ends = [], [], [], []
        self.first_batch = threading.Event()

    def on_run_start(self, info):
        self.starts.append(info)

    def on_batch_end(self, progress):
        self.batches.append(progress)
        self.first_batch.set()

    def on_epoch_end(self, result):
        self.epochs.append(result)

    def on_run_end(self, result):
        self.ends.append(result)


def tiny(**overrides) -> TrainingConfig:
    settings = dict(preset="dense-small", epochs=2, batch_size=100, limit=1000, validation=0.2, seed=1)
    settings.update(overrides)
    return TrainingConfig(**settings)


def run_in_thread(session: TrainingRun) -> threading.Thread:
    worker = threading.Thread(target=session.run, daemon=True)
    worker.start()
    return worker


@pytest.mark.slow
def test_tiny_run_completes_with_history_and_events(mnist) -> None:
    recorder = Recorder()
    session = TrainingRun(tiny(), recorder, data=mnist, batch_interval=0)
    result = session.run()

    assert result.status == "completed" and result.error == "" and result.epochs_done == 2
    (info,) = recorder.starts
    assert (info.epochs, info.steps_per_epoch, info.train_samples, info.val_samples) == (2, 8, 800, 200)
    assert info.label_names == mnist.label_names
    assert [e.epoch for e in recorder.epochs] == [1, 2]
    assert all(e.val_accuracy is not None and 0 <= e.val_accuracy <= 1 for e in recorder.epochs)
    assert recorder.epochs[-1].eta_s == 0 and recorder.epochs[0].samples_per_s > 0
    assert recorder.epochs[-1].preview.shape == (len(session.preview_images), 10)
    assert len(recorder.batches) == 16
    assert recorder.batches[-1].samples_seen == 1600 and recorder.batches[-1].position == 2.0
    assert len(recorder.ends) == 1 and recorder.ends[0] is result
    history = session.history
    assert history["epoch"] == [1, 2] and len(history["val_loss"]) == 2
    assert len(history["batches"]["loss"]) == 16
    assert history["loss"][1] < history["loss"][0]  # it learns something


@pytest.mark.slow
def test_stop_from_another_thread_keeps_history_and_a_usable_model(mnist) -> None:
    recorder = Recorder()
    session = TrainingRun(tiny(epochs=50), recorder, data=mnist, batch_interval=0)
    worker = run_in_thread(session)
    assert recorder.first_batch.wait(WAIT)
    session.stop()
    worker.join(WAIT)
    assert not worker.is_alive()
    result = session.result
    assert result.status == "stopped" and result.epochs_done < 50
    assert len(session.history["epoch"]) == result.epochs_done
    assert recorder.ends == [result]
    probabilities = predict_batch(session.model, mnist.splits["test"].images[:20], session.outputs)
    assert probabilities.shape == (20, 10)
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-4)


@pytest.mark.slow
def test_pause_holds_then_resume_completes(mnist) -> None:
    recorder = Recorder()
    session = TrainingRun(tiny(epochs=2), recorder, data=mnist, batch_interval=0)
    session.pause()
    worker = run_in_thread(session)
    deadline = time.monotonic() + WAIT
    while not session.holding and time.monotonic() < deadline:
        time.sleep(0.01)
    assert session.holding and session.paused
    seen = len(recorder.batches)
    time.sleep(0.3)  # while held, not a single batch may run
    assert len(recorder.batches) == seen and worker.is_alive()
    session.resume()
    worker.join(WAIT)
    assert session.result.status == "completed" and len(recorder.batches) == 16


@pytest.mark.slow
def test_stop_while_paused_ends_the_run(mnist) -> None:
    session = TrainingRun(tiny(epochs=5), data=mnist)
    session.pause()
    worker = run_in_thread(session)
    deadline = time.monotonic() + WAIT
    while not session.holding and time.monotonic() < deadline:
        time.sleep(0.01)
    session.stop()
    worker.join(WAIT)
    assert session.result.status == "stopped" and session.result.epochs_done == 0


@pytest.mark.slow
def test_throttling_always_delivers_epoch_ends_and_last_batches(mnist) -> None:
    recorder = Recorder()
    # An interval of an hour: only the forced events can get through.
    session = TrainingRun(tiny(epochs=3), recorder, data=mnist, batch_interval=3600)
    session.run()
    assert [e.epoch for e in recorder.epochs] == [1, 2, 3]
    # The very first batch passes (nothing sent yet); each epoch's last batch always does.
    last = [(b.epoch, b.step) for b in recorder.batches if b.step == b.steps]
    assert last == [(1, 8), (2, 8), (3, 8)]
    assert len(recorder.batches) <= 3 + 3


@pytest.mark.slow
def test_same_seed_same_run(mnist) -> None:
    runs = [TrainingRun(tiny(epochs=1), data=mnist).run() for _ in range(2)]
    assert np.allclose(runs[0].history["loss"], runs[1].history["loss"], rtol=1e-4)


@pytest.mark.slow
def test_a_failing_listener_ends_the_run_as_failed_not_raised(mnist) -> None:
    class Broken(Recorder):
        def on_epoch_end(self, result):
            raise RuntimeError("plot exploded")

    recorder = Broken()
    result = TrainingRun(tiny(epochs=2), recorder, data=mnist).run()
    assert result.status == "failed" and "plot exploded" in result.error
    assert recorder.ends == [result]


@pytest.mark.slow
def test_augmented_run_and_preview(mnist) -> None:
    params = AugmentParams(rotation=15, shift=0.1, shear=0.2, zoom=0.2)
    session = TrainingRun(tiny(epochs=1, augment=True, augment_params=params), data=mnist)
    assert session.run().status == "completed"
    images = mnist.splits["train"].images[:8]
    shown = augment_images(images, params, seed=3)
    assert shown.shape == (8, 28, 28) and shown.dtype == np.float32
    assert 0 <= shown.min() and shown.max() <= 1
    assert not np.allclose(shown, images / 255.0)
    assert np.allclose(augment_images(images, params, seed=3), shown)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"preset": "nope"}, "unknown preset"),
        ({"epochs": 0}, "epochs"),
        ({"learning_rate": -1.0}, "learning rate"),
        ({"learning_rate": 0.0}, "learning rate"),
        ({"batch_size": 0}, "batch size"),
        ({"optimizer": "lbfgs"}, "unknown optimizer"),
        ({"validation": 1.5}, "validation"),
        ({"validation": -3}, "validation"),
        ({"seed": -1}, "seed"),
        ({"augment": True, "augment_params": AugmentParams(rotation=400)}, "rotation"),
    ],
)
def test_invalid_settings_raise_training_error(overrides: dict, message: str) -> None:
    with pytest.raises(TrainingError, match=message):
        TrainingConfig(**overrides).validate()
    with pytest.raises(TrainingError, match=message):
        TrainingRun(TrainingConfig(**overrides))


def test_a_validation_fraction_that_leaves_nothing_is_refused(mnist) -> None:
    with pytest.raises(TrainingError, match="leaves no training samples"):
        TrainingRun(tiny(limit=10, validation=0.99), data=mnist).prepare()


def test_a_validation_count_larger_than_the_data_is_capped_and_said(mnist) -> None:
    """cnn-classic's 5,000 on "Samples 3000", or 500 on a six-drawing collection: capped, not refused."""
    session = TrainingRun(tiny(limit=1000, validation=1000), data=mnist)
    session.prepare()
    assert (len(session.train_split), len(session.val_split)) == (800, 200)
    assert session.notes == ("validation of 1000 samples capped to 200 (20% of the 1000 samples)",)
    assert validation_count(500, 6) == 1 and validation_count(5000, 3000) == 600
    assert validation_count(500, 4) == 0 and "too few" in validation_note(500, 4)
    assert validation_count(5000, 60_000) == 5000 and validation_note(5000, 60_000) == ""


def test_a_run_far_below_its_preset_says_why(mnist) -> None:
    """cnn-classic's plain SGD on 2,500 samples for one epoch ends near chance: the result says why."""
    recorder = Recorder()
    config = TrainingConfig(preset="cnn-classic", epochs=1, limit=2500, seed=0)
    result = TrainingRun(config, recorder, data=mnist).run()
    assert result.status == "completed" and recorder.starts[0].notes  # 5,000 validation capped to 500
    assert result.advice.startswith("too few samples/epochs for this optimizer: sgd made 32 weight updates")
    assert result.batches_done == 32


def test_enough_training_gives_no_advice() -> None:
    assert low_accuracy_reason(accuracy=0.95, loss=0.1, updates=10, optimizer="sgd", learning_rate=0.01,
                               train_samples=640, batch_size=64) == ""
    assert low_accuracy_reason(accuracy=0.3, loss=2.0, updates=5000, optimizer="sgd", learning_rate=0.01,
                               train_samples=64_000, batch_size=64) == ""
    assert "NaN" in low_accuracy_reason(accuracy=0.1, loss=float("nan"), updates=5000, optimizer="adam",
                                        learning_rate=5.0, train_samples=64_000, batch_size=64)


def test_a_failed_run_is_logged_with_its_reason(mnist, caplog) -> None:
    class FailingListener(TrainingListener):
        def on_run_start(self, info):
            raise RuntimeError("listener broke")

    session = TrainingRun(tiny(), FailingListener(), data=mnist)
    with caplog.at_level("ERROR", logger="core.training.session"):
        assert session.run().status == "failed"
    assert "training run failed (dense-small on mnist)" in caplog.text


def test_missing_data_set_is_refused_up_front() -> None:
    with pytest.raises(TrainingError, match="no-such-set"):
        TrainingConfig(dataset="no-such-set").validate(check_data=True)


def test_preset_defaults_fill_what_is_not_set() -> None:
    config = TrainingConfig.for_preset("cnn-classic", epochs=1)
    assert (config.epochs, config.batch_size, config.optimizer, config.validation) == (1, 64, "sgd", 5000)
    assert config.as_dict()["augment_params"]["rotation"] >= 0


def test_validation_holds_out_whole_writers() -> None:
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(10), 30)
    split = Split(rng.integers(0, 255, (300, 28, 28), dtype=np.uint8), np.arange(300) % 10, groups)
    train, val = split_validation(split, 0.2, seed=0)
    assert len(train) + len(val) == 300 and len(val) >= 60
    assert not set(train.groups) & set(val.groups)


@pytest.mark.slow
def test_a_set_without_test_split_is_judged_on_its_validation_samples(mnist) -> None:
    """A drawn collection has only a train split: evaluation falls back to the held-out samples."""
    from core.datasets.dataset import Dataset

    train = mnist.split("train").take(slice(0, 1000))
    collection = Dataset("class-3b", mnist.label_names, {"train": train})
    session = TrainingRun(tiny(), data=collection, batch_interval=0)
    assert session.run().status == "completed"
    evaluation = session.evaluate("validation")
    assert evaluation.samples == len(session.val_split) == 200
    assert int(np.asarray(evaluation.confusion).sum()) == 200
    with pytest.raises(Exception, match="no 'test' split"):
        session.evaluate("test")


@pytest.mark.slow
def test_warm_up_runs_once_on_private_data(monkeypatch) -> None:
    import core.training.warmup

    monkeypatch.setattr(core.training.warmup, "_warmed", False)
    assert core.training.warmup.warm_up() is True
    assert core.training.warmup.warm_up() is False  # once per process
