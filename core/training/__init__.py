"""The training engine: one run of one preset on one data set, observable and stoppable.

``config`` (what defines a run and the checks of its values), ``events`` (what a run
reports, and the listener that hears it), ``pipeline`` (``tf.data`` batches, augmentation,
the validation hold-out), ``optimizers``, ``session`` (the run itself, evaluate and save)
and ``warmup`` (TensorFlow's one-time set-up, paid early).

The public names are re-exported here so callers write ``from core.training import
TrainingSession``.  Importing this package does not import TensorFlow: every module imports
it inside the functions that need it, so the GUI and the CLI start fast.
"""

from core.models.presets import AugmentParams
from core.training.config import MAX_VALIDATION_SHARE, TrainingConfig, validation_count, validation_note
from core.training.events import (
    BatchProgress,
    EpochResult,
    RunInfo,
    RunResult,
    TrainingListener,
    empty_history,
)
from core.training.optimizers import compile_model, make_optimizer
from core.training.pipeline import augment_images, make_tf_dataset, split_validation
from core.training.session import TrainingSession
from core.training.warmup import warm_up

__all__ = [
    "MAX_VALIDATION_SHARE",
    "AugmentParams",
    "BatchProgress",
    "EpochResult",
    "RunInfo",
    "RunResult",
    "TrainingConfig",
    "TrainingListener",
    "TrainingSession",
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
