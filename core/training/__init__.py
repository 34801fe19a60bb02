"""The training engine: one run of one preset on one data set, observable and stoppable.

``run`` (:class:`TrainingRun`, the one owner of a run: state, clock, history, evaluation,
saving, listeners), ``config`` (what defines a run and the checks of its values),
``events`` (what a run reports, and the listener that hears it), ``state`` (the run's state
and clock), ``history`` (the history listener), ``fit`` (the Keras hooks), ``pipeline``
(``tf.data`` batches, augmentation, the validation hold-out), ``optimizers`` and ``warmup``
(TensorFlow's one-time set-up, paid early).

The public names are re-exported here so callers write ``from core.training import
TrainingRun``.  Importing this package does not import TensorFlow: every module imports
it inside the functions that need it, so the GUI and the CLI start fast.
"""

from core.models.presets import AugmentParams
from core.training.config import MAX_VALIDATION_SHARE, TrainingConfig, validation_count, validation_note
from core.training.events import (
    BatchProgress,
    EpochResult,
    Evaluated,
    Prepared,
    RunInfo,
    RunResult,
    TrainingListener,
)
from core.training.history import History, empty_history
from core.training.optimizers import compile_model, make_optimizer
from core.training.pipeline import augment_images, make_tf_dataset, split_validation
from core.training.run import TrainingRun
from core.training.state import RunClock, RunState
from core.training.warmup import warm_up

__all__ = [
    "MAX_VALIDATION_SHARE",
    "AugmentParams",
    "BatchProgress",
    "EpochResult",
    "Evaluated",
    "History",
    "Prepared",
    "RunClock",
    "RunInfo",
    "RunResult",
    "RunState",
    "TrainingConfig",
    "TrainingListener",
    "TrainingRun",
    "augment_images",
    "compile_model",
    "empty_history",
    "make_optimizer",
    "make_tf_dataset",
    "split_validation",
    "validation_count",
    "validation_note",
    "warm_up",
]
