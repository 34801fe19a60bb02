"""The runs of this session, for "compare runs" and the classroom leaderboard.

Plain Python (no Qt): each finished run is kept with its settings, its curves and its test
accuracy, so the Training tab can overlay earlier runs and rank them.  Nothing is written
to disk; a saved model carries its own history in its card.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np


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
