"""InkLab's fused batch norm trains exactly like Keras' own, and its models reload anywhere InkLab runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.models import library
from core.models.inference import predict_batch
from core.models.presets import get_preset

ROOT = Path(__file__).resolve().parents[2]


def _training_step(layer, x, upstream):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(layer(x, training=True) * upstream)
    grads = tape.gradient(loss, [x, *layer.trainable_weights])
    return [g.numpy() for g in grads]


def test_a_training_step_matches_keras_batch_norm() -> None:
    import keras
    import tensorflow as tf

    from core.models.layers import fused_batch_normalization

    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(2.0, 3.0, (16, 7, 7, 5)).astype("float32"))
    upstream = tf.constant(rng.normal(size=(16, 7, 7, 5)).astype("float32"))
    plain, fused = keras.layers.BatchNormalization(momentum=0.9), fused_batch_normalization()(momentum=0.9)
    for layer in (plain, fused):
        layer.build(x.shape)
    start = [w + 0.1 * i for i, w in enumerate(plain.get_weights())]  # not the 1/0 defaults
    plain.set_weights(start)
    fused.set_weights(start)

    plain_out, fused_out = plain(x, training=True).numpy(), fused(x, training=True).numpy()
    assert np.allclose(plain_out, fused_out, atol=1e-5)
    assert np.abs(fused_out.mean(axis=(0, 1, 2)) - fused.beta.numpy()).max() < 1e-4  # normalised, then shifted
    # The moving statistics take the same step (the batch's own variance, not the n-1 one).
    for p, f in zip(plain.get_weights(), fused.get_weights(), strict=True):
        assert np.allclose(p, f, atol=1e-5)
    for p, f in zip(_training_step(plain, x, upstream), _training_step(fused, x, upstream), strict=True):
        assert np.allclose(p, f, atol=1e-4)
    assert np.allclose(plain(x, training=False).numpy(), fused(x, training=False).numpy(), atol=1e-5)


@pytest.mark.slow
def test_a_saved_recommended_model_loads_in_a_fresh_process_with_safe_mode(mnist) -> None:
    model = get_preset("recommended").build(10)
    assert any(type(layer).__name__ == "FusedBatchNormalization" for layer in model.layers)
    images = mnist.splits["test"].images[:8]
    card = library.save_model(model, "fused", label_names=tuple("0123456789"), outputs="logits", litert_copy=False)
    expected = predict_batch(model, images, "logits")
    np.save(card.folder / "expected.npy", expected)
    np.save(card.folder / "images.npy", images)
    # A new interpreter has never built the preset, so only the library's own import registers the layer.
    script = (
        "import sys, numpy as np\n"
        "from core.models import library\n"
        "from core.models.inference import predict_batch\n"
        "model, card = library.load_model('fused')\n"
        "got = predict_batch(model, np.load(card.folder / 'images.npy'), card.outputs)\n"
        "sys.exit(0 if np.allclose(got, np.load(card.folder / 'expected.npy'), atol=1e-6) else 3)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=dict(os.environ), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
