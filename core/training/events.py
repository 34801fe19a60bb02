"""What a training run reports, and to whom: the events and the :class:`TrainingListener`.

Plain frozen dataclasses and a plain-Python listener (no Qt, no TensorFlow): the GUI adapts
the listener to signals, the CLI prints, tests record.  The order of one run::

    on_state_changed(RUNNING)  on_prepared  on_run_start  (on_batch_end... on_epoch_end)...
    on_run_end  [on_evaluation_start  on_evaluated | on_evaluation_failed]  on_state_changed(FINISHED)

(``on_state_changed`` also whenever pause, resume or stop change the state.)  How to add a
listener is in :mod:`core.training.run`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.errors import InkLabError


@dataclass(frozen=True)
class Prepared:
    """Sent when the data is loaded and the model built, before the first batch.

    ``preview_*`` are the fixed validation samples shown after each epoch (None without
    validation) and ``preview_probabilities`` the untrained model's guesses ("epoch 0");
    ``summary`` is :func:`core.models.presets.model_summary` of the model as built.
    """

    label_names: tuple[str, ...]
    preview_images: np.ndarray | None = field(repr=False, compare=False)
    preview_labels: np.ndarray | None = field(repr=False, compare=False)
    preview_probabilities: np.ndarray | None = field(repr=False, compare=False)
    summary: dict | None = field(repr=False, compare=False)


@dataclass(frozen=True)
class Evaluated:
    """The evaluation after training: on ``split`` ("test", or "validation" when the set has
    no test split; see :meth:`core.training.run.TrainingRun.evaluation_split`).

    ``images`` are the evaluated samples, which ``evaluation.mistakes`` index into.
    """

    split: str
    evaluation: object = field(repr=False, compare=False)  # core.evaluation.Evaluation
    images: np.ndarray = field(repr=False, compare=False)


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

    ``preview`` holds the class probabilities of the run's preview samples (see
    :attr:`core.training.run.TrainingRun.preview_images`) after this epoch, or None.
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
    # This process's CPU seconds over the epoch's training part (first batch to last,
    # validation excluded): steadier than samples_per_s on a shared machine.
    train_cpu_s: float = field(default=0.0, compare=False)


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
    """Override the methods you need; the run calls them in the order the module docstring shows.

    ``run`` is the :class:`~core.training.run.TrainingRun` this listener was added to (set
    by :meth:`~core.training.run.TrainingRun.add_listener`), so a method can read
    ``self.run.model``: the run events come on the training thread, between batches, where
    the model may be used.  ``on_state_changed`` comes on whichever thread changed the state
    (pause and stop are often pressed on another one).

    Keep the methods quick (hand the event to another thread or store it): time spent here
    is time the model does not train.  An exception in one ends the run as "failed".
    """

    run = None

    def on_state_changed(self, state) -> None:
        """The run's :class:`~core.training.state.RunState` changed."""

    def on_prepared(self, prepared: Prepared) -> None:
        """The data is loaded and the model built."""

    def on_run_start(self, info: RunInfo) -> None:
        """The run is about to train its first batch."""

    def on_batch_end(self, progress: BatchProgress) -> None:
        """A batch ended (at most ~30 per second; each epoch's last batch always comes)."""

    def on_epoch_end(self, result: EpochResult) -> None:
        """An epoch ended, validation included; every completed epoch is reported."""

    def on_run_end(self, result: RunResult) -> None:
        """Training ended: completed, stopped or failed.  Always called, once; an evaluation may follow."""

    def on_evaluation_start(self, split: str) -> None:
        """The evaluation on ``split`` begins."""

    def on_evaluated(self, evaluated: Evaluated) -> None:
        """The evaluation is done."""

    def on_evaluation_failed(self, message: str) -> None:
        """The evaluation failed (one readable line); the trained model is still there."""


def describe_failure(err: BaseException) -> str:
    """One line for a failed run: InkLab errors as they are, others with their type."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    if isinstance(err, InkLabError):
        return text
    name = type(err).__name__
    if "ResourceExhausted" in name or isinstance(err, MemoryError):
        return f"out of memory ({text or name}); try a smaller batch size or model"
    return f"{name}: {text}" if text else name
