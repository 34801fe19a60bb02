"""Training runs as the app keeps them: the run history behind "compare runs".

Plain Python (no Qt), so the Training tab's bookkeeping is testable without a window:
:class:`RunHistory` holds the runs for "compare runs" and the classroom leaderboard (each
kept with its settings, its curves and its test accuracy, and saved in the user folder so
the leaderboard outlives a restart).  A run's state and clock are in
:mod:`core.training.state`.

How runs are ranked (:meth:`RunHistory.leaderboard`): by test accuracy, the score of the
model each run produced on samples it never saw.  A stopped run is ranked on the model it
had when it was stopped, and shown as stopped with the epochs it really ran ("6/10 ep");
ties go to the better best validation accuracy.  Runs without a test score (stopped before
the first epoch ended, or still going) come last; failed runs are not listed.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core import storage

log = logging.getLogger("inklab.training.runs")

#: Runs kept in the saved leaderboard (the oldest go first).
KEPT_RUNS = 50
#: Points kept of each saved batch curve: enough to redraw it behind a new run.
SAVED_CURVE_POINTS = 400


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
    epochs_done: int = 0

    @property
    def label(self) -> str:
        return f"run {self.number}: {self.preset}"

    @property
    def name(self) -> str:
        """What the run is called in the leaderboard: its saved model's name, else "#3 cnn-classic"."""
        return self.saved_as or f"#{self.number} {self.preset}"

    @property
    def best_val_accuracy(self) -> float | None:
        values = [v for v in self.history.get("val_accuracy") or [] if v is not None and math.isfinite(v)]
        return max(values) if values else None

    def epochs_text(self) -> str:
        """The epochs really run: "10 ep", or "6/10 ep" for a run stopped after 6 of 10."""
        planned = self.settings.get("epochs")
        if self.status in ("stopped", "failed") or (self.status == "completed" and self.epochs_done != planned):
            return f"{self.epochs_done}/{planned} ep"
        return f"{planned} ep"

    def hyper_text(self) -> str:
        """The settings a class would compare, in one short line."""
        s = self.settings
        text = (f"{self.epochs_text()}, batch {s.get('batch_size')}, {s.get('optimizer')} "
                f"lr {s.get('learning_rate'):g}")
        if s.get("augment"):
            text += ", augmented"
        if s.get("reject"):
            text += ", not-a-character"
        if s.get("limit"):
            text += f", {s['limit']:,} samples"
        return text

    def epoch_series(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(epoch numbers, values) of one per-epoch metric, e.g. ``val_accuracy``."""
        values = np.asarray(self.history.get(key, []), np.float64)
        return np.arange(1, len(values) + 1, dtype=np.float64), values


    def to_dict(self) -> dict:
        """JSON-ready; the batch curves thinned to :data:`SAVED_CURVE_POINTS` points."""
        return {
            "number": self.number, "dataset": self.dataset, "preset": self.preset,
            "settings": self.settings, "status": self.status, "error": self.error,
            "history": self.history, "test_accuracy": self.test_accuracy, "test_loss": self.test_loss,
            "saved_as": self.saved_as, "epochs_done": self.epochs_done,
            "loss_curve": _thin(self.loss_curve), "accuracy_curve": _thin(self.accuracy_curve),
        }

    @classmethod
    def from_dict(cls, data: dict) -> RunRecord:
        curves = {key: tuple(np.asarray(data.get(key, [[], []])[i], np.float64) for i in (0, 1))
                  for key in ("loss_curve", "accuracy_curve")}
        return cls(
            number=int(data["number"]), dataset=str(data["dataset"]), preset=str(data["preset"]),
            settings=dict(data.get("settings") or {}), status=str(data.get("status", "completed")),
            error=str(data.get("error", "")), history=dict(data.get("history") or {}),
            test_accuracy=data.get("test_accuracy"), test_loss=data.get("test_loss"),
            saved_as=str(data.get("saved_as", "")), epochs_done=int(data.get("epochs_done", 0)), **curves,
        )


def _thin(curve: tuple[np.ndarray, np.ndarray]) -> list[list[float]]:
    x, y = (np.asarray(a, np.float64) for a in curve)
    if len(x) > SAVED_CURVE_POINTS:
        keep = np.unique(np.linspace(0, len(x) - 1, SAVED_CURVE_POINTS).round().astype(int))
        x, y = x[keep], y[keep]
    return [x.tolist(), y.tolist()]


class RunHistory:
    """The runs in the order they started; with ``path``, kept in that file across restarts.

    The file is read once here and rewritten (atomically) by :meth:`save` and :meth:`clear`.
    A file that cannot be read is set aside, never a reason for the tab not to open.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.runs: list[RunRecord] = []
        if self.path is not None and self.path.exists():
            try:
                saved = json.loads(self.path.read_text(encoding="utf-8"))
                self.runs = [RunRecord.from_dict(item) for item in saved.get("runs", [])]
            except (OSError, ValueError, KeyError, TypeError, IndexError) as err:
                log.warning("could not read the saved runs in %s (%s); starting afresh", self.path, err)
                self.runs = []

    def __len__(self) -> int:
        return len(self.runs)

    def start(self, dataset: str, preset: str, settings: dict) -> RunRecord:
        number = max((r.number for r in self.runs), default=0) + 1
        record = RunRecord(number, dataset, preset, dict(settings))
        self.runs.append(record)
        return record

    def clear(self, keep: RunRecord | None = None) -> None:
        """Forget every run (but ``keep``, e.g. the one going now) and the saved file."""
        self.runs = [r for r in self.runs if r is keep]
        self.save()

    def save(self) -> None:
        """Keep the finished runs on disk (call when a run ended or was saved as a model)."""
        if self.path is None:
            return
        finished = [r for r in self.runs if r.status in ("completed", "stopped")][-KEPT_RUNS:]
        try:
            storage.write_json(self.path, {"version": 1, "runs": [r.to_dict() for r in finished]})
        except OSError as err:  # the leaderboard on screen is still right
            log.warning("could not save the runs to %s: %s", self.path, err)

    def leaderboard(self) -> list[RunRecord]:
        """Runs ranked as the module docstring says, best first; failed runs left out."""
        def rank(r: RunRecord):
            return (r.test_accuracy is None, -(r.test_accuracy or 0.0), -(r.best_val_accuracy or 0.0), r.number)

        return sorted((r for r in self.runs if r.status != "failed"), key=rank)


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
