"""What a training run reports, and to whom: the events and the :class:`TrainingListener`.

Plain frozen dataclasses and a plain-Python listener (no Qt, no TensorFlow): the GUI adapts
the listener to signals, the CLI prints, tests record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.errors import InkLabError


@dataclass(frozen=True)
class RunInfo:
    """Sent once before the first batch: the shape of the run ahead."""

    epochs: int
    steps_per_epoch: int
    batch_size: int
    train_samples: int
    val_samples: int
    label_names: tuple[str, ...]
    device: str
    notes: tuple[str, ...] = ()  # how the settings were adapted to the data (a capped validation)


@dataclass(frozen=True)
class BatchProgress:
    """A (throttled) batch end.  ``loss``/``accuracy`` are running means of the epoch so far.

    ``epoch`` and ``step`` count from 1; ``samples_seen`` counts from the start of the run,
    and ``position`` is the run's progress in epochs (2.5 = half-way through epoch 3), a
    natural x axis for a plot.
    """

    epoch: int
    step: int
    steps: int
    loss: float
    accuracy: float
    samples_seen: int

    @property
    def position(self) -> float:
        return self.epoch - 1 + self.step / self.steps


@dataclass(frozen=True)
class EpochResult:
    """An epoch end (always delivered).  Validation values are None without validation.

    ``preview`` holds the class probabilities of the session's preview samples (see
    :attr:`TrainingSession.preview_images`) after this epoch, or None.
    """

    epoch: int
    epochs: int
    loss: float
    accuracy: float
    val_loss: float | None
    val_accuracy: float | None
    learning_rate: float
    samples_per_s: float
    elapsed_s: float
    eta_s: float
    preview: np.ndarray | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class RunResult:
    """How a run ended: ``status`` is "completed", "stopped" or "failed" (then ``error`` says why).

    ``batches_done`` counts every batch trained, a stopped epoch's too.  ``advice`` is one
    line saying why the run ended far below what its preset reaches, or "" (see
    :mod:`core.training.advice`).
    """

    status: str
    error: str
    history: dict
    elapsed_s: float
    epochs_done: int
    batches_done: int = 0
    advice: str = ""


class TrainingListener:
    """Override the methods you need; each is called on the training thread.

    Keep them quick (hand the event to another thread or store it): time spent here is
    time the model does not train.
    """

    def on_run_start(self, info: RunInfo) -> None:
        """The run is about to train its first batch."""

    def on_batch_end(self, progress: BatchProgress) -> None:
        """A batch ended (at most ~30 per second; each epoch's last batch always comes)."""

    def on_epoch_end(self, result: EpochResult) -> None:
        """An epoch ended, validation included; every completed epoch is reported."""

    def on_run_end(self, result: RunResult) -> None:
        """The run ended: completed, stopped or failed.  Always called, once."""


def empty_history() -> dict:
    """The history layout: per-epoch lists, and the (throttled) per-batch series."""
    return {
        "epoch": [],
        "loss": [],
        "accuracy": [],
        "val_loss": [],
        "val_accuracy": [],
        "learning_rate": [],
        "samples_per_s": [],
        "elapsed_s": [],
        "batches": {"epoch": [], "step": [], "position": [], "samples_seen": [], "loss": [], "accuracy": []},
    }


def describe_failure(err: BaseException) -> str:
    """One line for a failed run: InkLab errors as they are, others with their type."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    if isinstance(err, InkLabError):
        return text
    name = type(err).__name__
    if "ResourceExhausted" in name or isinstance(err, MemoryError):
        return f"out of memory ({text or name}); try a smaller batch size or model"
    return f"{name}: {text}" if text else name
