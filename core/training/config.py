"""What defines a training run (:class:`TrainingConfig`) and the checks of its values.

Checking lives with the settings so the CLI, the GUI form and :class:`TrainingRun`
refuse a bad value with the same message, before any data is loaded or TensorFlow starts.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from core.errors import DataError, TrainingError
from core.models.presets import DEFAULT_PRESET, OPTIMIZERS, PRESETS, SCHEDULES, AugmentParams, get_preset


@dataclass(frozen=True)
class TrainingConfig:
    """Everything that defines a run.  ``None`` means "the preset's default".

    ``validation`` is a fraction (0 < v < 1), a whole number of samples, or 0 for none.
    ``limit`` keeps only the first N samples of the split: quick runs for a class, tests
    and benchmarks.  ``reject`` adds generated non-characters as one more class, so the
    model can answer "not a character" (:mod:`core.training.reject`; the window and
    ``train`` turn it on for digit and letter sets unless told otherwise).
    """

    dataset: str = "mnist"
    split: str = "train"
    preset: str = DEFAULT_PRESET
    epochs: int | None = None
    batch_size: int | None = None
    optimizer: str | None = None
    learning_rate: float | None = None
    schedule: str | None = None
    validation: float | int | None = None
    augment: bool | None = None
    augment_params: AugmentParams | None = None
    seed: int = 0
    limit: int | None = None
    name: str | None = None
    reject: bool = False
    base_model: str | None = None  # fine-tune this model's weights instead of building the preset

    @classmethod
    def for_preset(cls, preset: str, **overrides) -> TrainingConfig:
        """A config with every field filled from ``preset``'s defaults, then ``overrides``."""
        return dataclasses.replace(cls(preset=preset), **overrides).resolved()

    def resolved(self) -> TrainingConfig:
        """This config with every ``None`` replaced by the preset's default."""
        preset = get_preset(self.preset)
        defaults = {
            "epochs": preset.epochs,
            "batch_size": preset.batch_size,
            "optimizer": preset.optimizer,
            "learning_rate": preset.learning_rate,
            "schedule": preset.schedule,
            "validation": preset.validation,
            "augment": preset.augment,
            "augment_params": preset.augment_params,
        }
        return dataclasses.replace(
            self, **{key: value for key, value in defaults.items() if getattr(self, key) is None}
        )

    def validate(self, n_samples: int | None = None, check_data: bool = False) -> TrainingConfig:
        """The resolved config, or a TrainingError saying which setting is wrong and why.

        With ``n_samples`` (the split's size) the validation size is checked against it (a
        count adapts, see :func:`validation_count`; a fraction that leaves nothing is refused);
        with ``check_data`` the data set must be on this machine.
        """
        if self.preset not in PRESETS:
            raise TrainingError(f"unknown preset '{self.preset}' (known: {', '.join(PRESETS)})")
        c = self.resolved()
        if not _is_int(c.epochs) or c.epochs < 1:
            raise TrainingError(f"epochs must be a whole number of at least 1, got {c.epochs}")
        if not _is_int(c.batch_size) or c.batch_size < 1:
            raise TrainingError(f"batch size must be a whole number of at least 1, got {c.batch_size}")
        if c.optimizer not in OPTIMIZERS:
            raise TrainingError(f"unknown optimizer '{c.optimizer}' (known: {', '.join(OPTIMIZERS)})")
        if isinstance(c.learning_rate, bool) or not isinstance(c.learning_rate, (int, float)) or not (
            math.isfinite(c.learning_rate) and c.learning_rate > 0
        ):
            raise TrainingError(f"learning rate must be a number above 0, got {c.learning_rate}")
        if c.schedule not in SCHEDULES:
            raise TrainingError(f"unknown schedule '{c.schedule}' (known: {', '.join(SCHEDULES)})")
        _check_validation(c.validation)
        if c.augment:
            check_augment(c.augment_params)
        if not _is_int(c.seed) or c.seed < 0:
            raise TrainingError(f"seed must be a whole number of at least 0, got {c.seed}")
        if c.base_model is not None and (not isinstance(c.base_model, str) or not c.base_model.strip()):
            raise TrainingError(f"the model to start from must be a model's name, got {c.base_model!r}")
        if not isinstance(c.reject, bool):
            raise TrainingError(f"reject must be on or off, got {c.reject!r}")
        if c.limit is not None and (not _is_int(c.limit) or c.limit < 2):
            raise TrainingError(f"limit must be a whole number of at least 2 samples, got {c.limit}")
        if n_samples is not None:
            n = min(n_samples, c.limit) if c.limit else n_samples
            n_val = validation_count(c.validation, n)
            if n_val >= n:
                raise TrainingError(
                    f"validation of {c.validation} leaves no training samples (the split has {n})"
                )
        if check_data:
            from core.datasets import is_available

            try:
                available = is_available(c.dataset)
            except DataError as err:
                raise TrainingError(str(err)) from None
            if not available:
                raise TrainingError(
                    f"data set '{c.dataset}' is not on this machine "
                    f"(see 'python main.py datasets list')"
                )
        return c

    def as_dict(self) -> dict:
        """Plain JSON-able data (for the model card and the GUI's run table)."""
        data = dataclasses.asdict(self)
        data["augment_params"] = self.augment_params.as_dict() if self.augment_params else None
        return data


def _is_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_validation(validation: float | int) -> None:
    if isinstance(validation, bool) or not isinstance(validation, (int, float, np.integer, np.floating)):
        raise TrainingError(f"validation must be a fraction or a number of samples, got {validation!r}")
    if _is_int(validation):
        if validation < 0:
            raise TrainingError(f"validation cannot be negative, got {validation}")
    elif not (0 <= validation < 1):
        raise TrainingError(
            f"validation must be a fraction below 1 (like 0.1) or a whole number of samples, got {validation}"
        )


def check_augment(params: AugmentParams | None) -> None:
    """A TrainingError unless every augmentation amount is within its sensible range."""
    if params is None:
        raise TrainingError("augmentation is on but has no parameters")
    limits = {"rotation": (0, 180), "shift": (0, 0.5), "shear": (0, 1), "zoom": (0, 0.9)}
    for key, (low, high) in limits.items():
        value = getattr(params, key)
        if not isinstance(value, (int, float)) or not (low <= value <= high):
            raise TrainingError(f"augmentation {key} must be between {low} and {high}, got {value}")


# A validation *count* takes at most this share of the samples.  Counts come from lessons
# written for the full MNIST (cnn-classic holds out 5,000 of 60,000); on a quick run of
# 3,000 samples or a collection of six drawings the same count would leave nothing to
# train on, so it shrinks to this share instead of refusing the run.
MAX_VALIDATION_SHARE = 0.2


def validation_count(validation: float | int, n: int) -> int:
    """How many of ``n`` samples the validation setting holds out.

    A fraction holds out ``round(fraction * n)`` (at least 1).  A count is capped to
    :data:`MAX_VALIDATION_SHARE` of ``n`` (rounded down, so a handful of samples gets no
    validation at all rather than nothing to train on); :func:`validation_note` says so.
    """
    if _is_int(validation):
        return min(int(validation), int(MAX_VALIDATION_SHARE * n))
    if validation <= 0:
        return 0
    return max(1, round(validation * n))


def validation_note(validation: float | int, n: int) -> str:
    """One line saying how a validation count was adapted to ``n`` samples, or "" if it was not."""
    if not _is_int(validation) or validation <= validation_count(validation, n):
        return ""
    held = validation_count(validation, n)
    share = f"{MAX_VALIDATION_SHARE:.0%}"
    if held == 0:
        return f"validation of {validation} samples skipped: {n} samples are too few to hold any out"
    return f"validation of {validation} samples capped to {held} ({share} of the {n} samples)"
