"""The one owner of a training run (core.training.TrainingRun): state, clock, events, evaluation rule.

No display: the CLI, the Training tab and tools/build_models.py drive this same object.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from core.datasets.dataset import Dataset
from core.errors import TrainingError
from core.training import RunClock, RunState, TrainingConfig, TrainingListener, TrainingRun


class Everything(TrainingListener):
    """Notes each event by name (and what a listener may read of the run in it)."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.weights_after_epoch: list[int] = []
        self.evaluated = None

    def on_state_changed(self, state):
        self.seen.append(f"state:{state}")

    def on_prepared(self, prepared):
        self.seen.append("prepared")
        assert prepared.summary["total"] > 0 and prepared.preview_probabilities.shape[1] == 10

    def on_run_start(self, info):
        self.seen.append("start")

    def on_batch_end(self, progress):
        if not self.seen or self.seen[-1] != "batch":
            self.seen.append("batch")

    def on_epoch_end(self, result):
        self.seen.append(f"epoch:{result.epoch}")
        self.weights_after_epoch.append(len(self.run.model.get_weights()))  # the model, between batches

    def on_run_end(self, result):
        self.seen.append(f"end:{result.status}")

    def on_evaluation_start(self, split):
        self.seen.append(f"evaluating:{split}")

    def on_evaluated(self, evaluated):
        self.seen.append("evaluated")
        self.evaluated = evaluated


def tiny(**overrides) -> TrainingConfig:
    settings = dict(preset="dense-small", epochs=2, batch_size=100, limit=600, validation=0.2, seed=1)
    settings.update(overrides)
    return TrainingConfig(**settings)


def test_events_come_in_order_and_the_run_is_tested_on_the_test_split(mnist) -> None:
    listener = Everything()
    run = TrainingRun(tiny(), listener, data=mnist, batch_interval=0, evaluate_after=True, evaluate_limit=500)
    assert run.state is RunState.IDLE and listener.run is run
    result = run.run()
    assert result.status == "completed" and run.state is RunState.FINISHED
    assert listener.seen == ["state:running", "prepared", "start", "batch", "epoch:1", "batch", "epoch:2",
                             "end:completed", "state:evaluating", "evaluating:test", "evaluated", "state:finished"]
    assert listener.weights_after_epoch == [6, 6]  # three Dense layers: kernels and biases
    assert run.evaluated_split == "test" and run.evaluation.samples == 500
    assert listener.evaluated.images.shape == (500, 28, 28)
    assert run.card_info()["test"]["samples"] == 500 and run.card_info()["evaluated_on"] == "test"
    assert run.history["epoch"] == [1, 2] and len(run.history["batches"]["loss"]) == result.batches_done
    with pytest.raises(TrainingError, match="already run"):
        run.run()


def test_without_a_test_split_the_run_is_judged_on_its_validation_samples(mnist) -> None:
    train_only = Dataset("train-only", mnist.label_names, {"train": mnist.split("train").take(slice(0, 600))})
    run = TrainingRun(tiny(epochs=1, dataset="train-only"), data=train_only, evaluate_after=True)
    assert run.run().status == "completed"
    assert run.evaluation_split() == "validation" and run.evaluated_split == "validation"
    assert run.evaluation.samples == len(run.val_split) == 120

    no_validation = TrainingRun(tiny(epochs=1, dataset="train-only", validation=0), data=train_only,
                                evaluate_after=True)
    assert no_validation.run().status == "completed"
    assert no_validation.evaluation_split() is None and no_validation.evaluation is None


def test_a_stop_during_the_evaluation_cuts_it_short_and_cancel_skips_it(mnist) -> None:
    class StopsTheTest(TrainingListener):
        def on_evaluation_start(self, split):
            self.run.stop()

    run = TrainingRun(tiny(epochs=1), StopsTheTest(), data=mnist, evaluate_after=True)
    assert run.run().status == "completed"  # training was not stopped: only the test
    assert run.evaluation is None and run.state is RunState.FINISHED

    recorder = Everything()
    cancelled = TrainingRun(tiny(epochs=1), recorder, data=mnist, evaluate_after=True)
    cancelled.pause()
    assert cancelled.state is RunState.PAUSED
    cancelled.cancel()
    result = cancelled.run()
    assert result.status == "stopped" and result.batches_done == 0 and "evaluating:test" not in recorder.seen


def test_pause_and_stop_move_the_state_and_a_stopped_run_is_still_tested(mnist) -> None:
    class PausesThenStops(TrainingListener):
        def __init__(self):
            self.states = []

        def on_state_changed(self, state):
            self.states.append(state)

        def on_batch_end(self, progress):
            if progress.step == 2 and progress.epoch == 1:
                self.run.pause()
                self.run.resume()
                self.run.stop()

    listener = PausesThenStops()
    run = TrainingRun(tiny(epochs=5), listener, data=mnist, batch_interval=0, evaluate_after=True,
                      evaluate_limit=100)
    result = run.run()
    assert result.status == "stopped" and result.batches_done == 2 and result.epochs_done == 0
    assert listener.states == ["running", "paused", "running", "stopping", "evaluating", "finished"]
    assert run.evaluation is not None and run.evaluation.samples == 100


def test_the_clock_leaves_paused_time_out() -> None:
    clock = RunClock()
    assert clock.elapsed_s() == 0.0
    clock.start()
    time.sleep(0.05)
    clock.hold()
    time.sleep(0.3)
    held = clock.elapsed_s()
    assert held < 0.25  # it does not move while held
    clock.go_on()
    time.sleep(0.05)
    assert held < clock.elapsed_s() < 0.3
    assert np.isfinite(clock.elapsed_s())
