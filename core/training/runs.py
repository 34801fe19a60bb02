"""A session's training runs as the app keeps them: the run state, the run history, the ETA.

Plain Python (no Qt), so the Training tab's bookkeeping is testable without a window:
:class:`RunState` is the tab's state machine, :class:`RunHistory` the runs of this session
for "compare runs" and the classroom leaderboard (each kept with its settings, its curves
and its test accuracy), and :func:`remaining_s` the one ETA formula (the engine's epoch
events and the tab's status line both use it).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class RunState(StrEnum):
    """Where the Training tab's run is.  A ``StrEnum``: ``RunState.IDLE == "idle"``."""

    IDLE = "idle"  # no run: the settings can be edited
    RUNNING = "running"
    PAUSED = "paused"  # held after the current batch, waiting for Resume
    STOPPING = "stopping"  # Stop was asked; the current batch ends first
    EVALUATING = "evaluating"  # training is over; the test evaluation runs

    @property
    def busy(self) -> bool:
        """True while a run is going (anything but idle)."""
        return self is not RunState.IDLE

    @property
    def training(self) -> bool:
        """True while batches may still arrive (the status line and plots are live)."""
        return self in (RunState.RUNNING, RunState.PAUSED, RunState.STOPPING)


def remaining_s(done: float, total: float, elapsed_s: float) -> float:
    """Seconds left for ``total`` units of work, ``done`` of them in ``elapsed_s``: NaN when unknown.

    The units are anything that goes at a steady pace: epochs for the engine's epoch
    events, samples for the live status line.
    """
    if done <= 0 or elapsed_s <= 0 or not math.isfinite(elapsed_s):
        return math.nan
    return max(0.0, elapsed_s / done * (total - done))


@dataclass
class RunRecord:
    """One run: what was asked for, what happened, and the curves to redraw it."""

    number: int
    dataset: str
    preset: str
    settings: dict  # epochs, batch_size, optimizer, learning_rate, validation, augment, seed, limit
    status: str = "running"  # running | completed | stopped | failed
    error: str = ""
    history: dict[str, list[float]] = field(default_factory=dict)  # per-epoch metrics
    loss_curve: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))  # per-batch running values
    accuracy_curve: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))
    test_accuracy: float | None = None
    test_loss: float | None = None
    saved_as: str = ""

    @property
    def label(self) -> str:
        return f"run {self.number}: {self.preset}"

    def hyper_text(self) -> str:
        """The settings a class would compare, in one short line."""
        s = self.settings
        text = (f"{s.get('epochs')} ep, batch {s.get('batch_size')}, {s.get('optimizer')} "
                f"lr {s.get('learning_rate'):g}")
        if s.get("augment"):
            text += ", augmented"
        if s.get("limit"):
            text += f", {s['limit']:,} samples"
        return text

    def epoch_series(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(epoch numbers, values) of one per-epoch metric, e.g. ``val_accuracy``."""
        values = np.asarray(self.history.get(key, []), np.float64)
        return np.arange(1, len(values) + 1, dtype=np.float64), values


class RunHistory:
    """The session's runs in the order they started."""

    def __init__(self) -> None:
        self.runs: list[RunRecord] = []

    def __len__(self) -> int:
        return len(self.runs)

    def start(self, dataset: str, preset: str, settings: dict) -> RunRecord:
        record = RunRecord(len(self.runs) + 1, dataset, preset, dict(settings))
        self.runs.append(record)
        return record

    def leaderboard(self) -> list[RunRecord]:
        """Runs ranked by test accuracy, best first; runs without one (failed, running) last."""
        return sorted(self.runs, key=lambda r: (r.test_accuracy is None, -(r.test_accuracy or 0.0), r.number))


def history_csv(history: dict[str, list[float]]) -> str:
    """Per-epoch history as CSV text: one row per epoch, one column per metric."""
    keys = [k for k in ("loss", "accuracy", "val_loss", "val_accuracy") if k in history]
    # "epoch" is the row number column already.
    keys += sorted(k for k in history if k not in keys and k != "epoch")
    epochs = max((len(history[k]) for k in keys), default=0)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["epoch", *keys])
    for e in range(epochs):
        row = [e + 1]
        for k in keys:
            values = history[k]
            row.append(f"{values[e]:.6g}" if e < len(values) and values[e] is not None else "")
        writer.writerow(row)
    return out.getvalue()
