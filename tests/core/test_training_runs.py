"""The Training tab's bookkeeping without a window: run state, ETA, run history and the batch curve."""

from __future__ import annotations

import math

import numpy as np

from core.training.batch_curve import BatchCurve
from core.training.runs import RunHistory
from core.training.state import RunState, remaining_s

SETTINGS = {"epochs": 10, "batch_size": 32, "optimizer": "adam", "learning_rate": 0.001}


def test_run_state_reads_as_its_name():
    assert RunState.IDLE == "idle" and not RunState.IDLE.busy
    assert RunState.PAUSED.busy and RunState.PAUSED.training
    assert RunState.EVALUATING.busy and not RunState.EVALUATING.training


def test_remaining_time_is_the_pace_so_far():
    assert remaining_s(2, 10, 60.0) == 240.0
    assert math.isnan(remaining_s(0, 10, 5.0))


def test_a_stopped_run_shows_the_epochs_it_ran_and_a_name_of_its_own():
    history = RunHistory()
    done, stopped = history.start("mnist", "cnn-classic", SETTINGS), history.start("mnist", "cnn-classic", SETTINGS)
    done.status, done.epochs_done = "completed", 10
    stopped.status, stopped.epochs_done = "stopped", 6
    assert done.hyper_text().startswith("10 ep,") and stopped.hyper_text().startswith("6/10 ep,")
    assert (done.name, stopped.name) == ("#1 cnn-classic", "#2 cnn-classic")
    stopped.saved_as = "my-cnn"
    assert stopped.name == "my-cnn"


def test_leaderboard_ranks_by_test_accuracy_then_validation_and_leaves_out_failed_runs():
    history = RunHistory()
    a, b, c, failed = (history.start("mnist", "dense-small", SETTINGS) for _ in range(4))
    a.status = b.status = "completed"
    c.status, failed.status = "stopped", "failed"
    a.test_accuracy = b.test_accuracy = 0.9
    a.history = {"val_accuracy": [0.8, 0.85]}
    b.history = {"val_accuracy": [0.95, 0.9]}  # the better best validation breaks the tie
    assert [r.number for r in history.leaderboard()] == [2, 1, 3]


def test_finished_runs_are_kept_across_restarts_and_cleared_on_request(tmp_path):
    path = tmp_path / "runs.json"
    history = RunHistory(path)
    first = history.start("mnist", "dense-small", SETTINGS)
    first.status, first.epochs_done, first.test_accuracy = "stopped", 6, 0.91
    first.history = {"loss": [0.5] * 6, "val_accuracy": [0.9] * 6}
    first.loss_curve = (np.linspace(0, 6, 1000), np.linspace(2, 0.3, 1000))
    going = history.start("mnist", "dense-small", SETTINGS)  # still running: not saved
    history.save()

    again = RunHistory(path)
    assert [r.number for r in again.runs] == [1]
    kept = again.runs[0]
    assert kept.hyper_text().startswith("6/10 ep") and kept.test_accuracy == 0.91
    assert 0 < len(kept.loss_curve[0]) <= 400 and kept.loss_curve[1][0] == 2.0
    assert again.start("mnist", "dense-small", SETTINGS).number == 2  # numbers go on
    again.clear()
    assert RunHistory(path).runs == [] and going.number == 2


def test_a_broken_runs_file_starts_an_empty_history(tmp_path):
    path = tmp_path / "runs.json"
    path.write_text("{not json", encoding="utf-8")
    assert RunHistory(path).runs == []


def test_the_batch_curve_does_not_jump_when_the_running_mean_restarts():
    """Keras's batch values are running means of the epoch so far: they restart each epoch."""
    true_loss = 2.0 * np.exp(-np.arange(300) / 60) + 0.3  # a model improving steadily
    curve, raw, drawn = BatchCurve(), [], []
    for epoch in range(3):
        values = true_loss[epoch * 100:(epoch + 1) * 100]
        for step in range(1, 101):
            running_mean = values[:step].mean()
            raw.append(running_mean)
            drawn.append(curve.add(epoch + 1, step, running_mean))
    assert raw[99] - raw[100] > 0.5  # the jump plotted before
    assert abs(drawn[99] - drawn[100]) < 0.02  # the curve drawn now
    assert abs(drawn[-1] - true_loss[-1]) < 0.1  # and it follows the model


def test_the_batch_curve_recovers_batches_between_throttled_reports():
    curve = BatchCurve(span_batches=1)  # no smoothing: the recovered values themselves
    assert curve.add(1, 2, 3.0) == 3.0  # batches 1-2 averaged 3
    assert curve.add(1, 4, 2.0) == 1.0  # (4*2 - 2*3) / 2: batches 3-4 averaged 1
