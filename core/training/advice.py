"""Why a run ended far below what its preset normally reaches, in one line a learner can act on.

Every preset reaches 90% or more on the built-in sets when run as its lesson intends, so
a run that ends under :data:`LOW_ACCURACY` has a reason.  The common one in class is too
little training for the optimizer: plain SGD at 0.01 (cnn-classic) needs a couple of
thousand weight updates, so 1 epoch of 2,500 samples (about 30 updates) ends near 19%
although nothing is wrong with the model.  The other is a loss that blew up to NaN.
"""

from __future__ import annotations

import math

LOW_ACCURACY = 0.6

# Rough number of weight updates (batches) each optimizer needs before the presets leave
# the "barely learned" zone on MNIST at their lesson's learning rate.  Plain SGD is the
# slow one; momentum and the adaptive optimizers get there several times sooner.
MIN_UPDATES = {"sgd": 1000, "sgd-momentum": 300, "rmsprop": 200, "adam": 200, "adadelta": 300}


def low_accuracy_reason(
    *,
    accuracy: float | None,
    loss: float | None,
    updates: int,
    optimizer: str,
    learning_rate: float,
    train_samples: int,
    batch_size: int,
) -> str:
    """One line saying why ``accuracy`` is far below what the preset reaches, or "" if it is not.

    ``updates`` is the number of batches actually trained (all epochs, a stopped run's too).
    """
    if loss is not None and not math.isfinite(loss):
        return f"the loss became NaN: the learning rate {learning_rate:g} is too high for this model"
    if accuracy is None or not math.isfinite(accuracy) or accuracy >= LOW_ACCURACY:
        return ""
    needed = MIN_UPDATES.get(optimizer, 300)
    if updates >= needed:
        return ""
    epochs = updates * batch_size / train_samples if train_samples else 0
    faster = "" if optimizer != "sgd" else ", or pick sgd-momentum or adam"
    return (
        f"too few samples/epochs for this optimizer: {optimizer} made {updates:,} weight updates "
        f"({train_samples:,} samples x {epochs:.1f} epochs / batch {batch_size}) and usually needs "
        f"about {needed:,}; use more samples or epochs{faster}"
    )


def run_advice(history: dict, config, updates: int, train_samples: int) -> str:
    """:func:`low_accuracy_reason` for a run's history (the last epoch, else the last batches).

    The last epoch's validation accuracy is the measure when there is one; a run stopped
    inside its first epoch is judged on the running accuracy of its batches.
    """
    if history["epoch"]:
        val = history["val_accuracy"][-1]
        accuracy = val if val is not None else history["accuracy"][-1]
        loss = history["loss"][-1]
    elif history["batches"]["accuracy"]:
        accuracy, loss = history["batches"]["accuracy"][-1], history["batches"]["loss"][-1]
    else:
        return ""
    return low_accuracy_reason(
        accuracy=accuracy, loss=loss, updates=updates, optimizer=config.optimizer,
        learning_rate=config.learning_rate, train_samples=train_samples, batch_size=config.batch_size,
    )
