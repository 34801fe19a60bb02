"""Keras optimizers by InkLab name, learning-rate schedules, and compiling a model for a run.

Keras is imported inside the functions, so naming the optimizers costs nothing.
"""

from __future__ import annotations

import math

import numpy as np

from core.errors import TrainingError
from core.models.presets import OPTIMIZERS
from core.training.config import TrainingConfig


def make_optimizer(name: str, learning_rate: float, schedule: str = "constant", total_steps: int = 0):
    """A Keras optimizer by InkLab name, with a constant or a one-cycle learning rate.

    One-cycle (a linear warm-up to ``learning_rate`` over the first 30% of the steps, then
    a cosine decay to 1% of it) uses Keras' own CosineDecay, so saved models stay loadable
    without custom objects.
    """
    import keras

    lr: object = learning_rate
    if schedule == "one-cycle" and total_steps > 1:
        warmup = max(1, int(0.3 * total_steps))
        lr = keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=learning_rate / 20.0,
            decay_steps=max(1, total_steps - warmup),
            alpha=0.01,
            warmup_target=learning_rate,
            warmup_steps=warmup,
        )
    if name == "sgd":
        return keras.optimizers.SGD(lr)
    if name == "sgd-momentum":
        return keras.optimizers.SGD(lr, momentum=0.9)
    if name == "adam":
        return keras.optimizers.Adam(lr)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(lr)
    if name == "adadelta":
        return keras.optimizers.Adadelta(lr)
    raise TrainingError(f"unknown optimizer '{name}' (known: {', '.join(OPTIMIZERS)})")


def compile_model(model, config: TrainingConfig, steps_per_epoch: int, outputs: str) -> None:
    """Compile ``model`` for ``config`` (resolved): optimizer, schedule, loss and accuracy."""
    import keras

    optimizer = make_optimizer(
        config.optimizer, config.learning_rate, config.schedule, steps_per_epoch * config.epochs
    )
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=outputs == "logits"),
        metrics=["accuracy"],
    )


def current_learning_rate(model) -> float:
    """The optimizer's learning rate now (a schedule's current value), or NaN if unreadable."""
    try:
        return float(np.asarray(model.optimizer.learning_rate))
    except Exception:  # a display value only
        return math.nan
