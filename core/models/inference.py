"""Running a Keras model on images: class probabilities, whatever the last layer gives.

Shared by training (the epoch-end preview), evaluation and the bundled-model build, so that
evaluation does not depend on the training engine.  TensorFlow is imported inside the
functions.
"""

from __future__ import annotations

import numpy as np

from core.errors import DataError


def model_outputs(model) -> str:
    """``"softmax"`` when the model's last layer already gives probabilities, else ``"logits"``.

    Used when a model comes without a card saying so; presets record it explicitly.
    """
    import keras

    try:
        last = model.layers[-1]
    except (AttributeError, IndexError):  # not a layered Keras model: assume raw scores
        return "logits"
    if isinstance(last, keras.layers.Softmax):
        return "softmax"
    activation = getattr(last, "activation", None)
    return "softmax" if activation is keras.activations.softmax else "logits"


def predict_batch(model, images: np.ndarray, outputs: str | None = None, batch_size: int = 512,
                  should_stop=None) -> np.ndarray:
    """Class probabilities (N, n_classes) float32 for uint8 (N, 28, 28) images.

    Float images are taken as already in [0, 1].  Calls ``model(x, training=False)`` per
    batch rather than ``model.predict``: no per-call set-up cost, so it is cheap for a
    strip of 16 samples as well as for a whole test set.  ``outputs`` ("logits" or
    "softmax") says whether to apply a softmax; None guesses from the last layer.
    ``should_stop()``, checked before each batch, raises :class:`core.errors.Cancelled` when true.
    """
    import tensorflow as tf

    if outputs is None:
        outputs = model_outputs(model)
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4:
        raise DataError(f"images must be (N, 28, 28) or (N, 28, 28, 1), got shape {images.shape}")
    chunks = []
    for start in range(0, len(images), batch_size):
        if should_stop is not None and should_stop():
            from core.errors import Cancelled

            raise Cancelled()
        block = images[start : start + batch_size]
        x = block.astype(np.float32) / 255.0 if block.dtype == np.uint8 else block.astype(np.float32)
        out = model(tf.constant(x), training=False)
        if outputs == "logits":
            out = tf.nn.softmax(out, axis=-1)
        chunks.append(np.asarray(out, dtype=np.float32))
    if not chunks:
        n_classes = int(model.outputs[0].shape[-1]) if getattr(model, "outputs", None) else 0
        return np.zeros((0, n_classes), np.float32)
    return np.concatenate(chunks)
