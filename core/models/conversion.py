"""Keras model -> LiteRT flatbuffer, verified against the Keras model before anyone trusts it.

Called when a model is saved (TensorFlow is loaded then anyway) and when a model saved by
an older InkLab is first loaded with Keras, so every library model ends up with a LiteRT
copy.  The converted model must agree with Keras on a fixed probe batch: the largest
difference between the two models' class probabilities must stay within
:data:`TOLERANCE`; otherwise the conversion is refused and the card says why.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from dataclasses import dataclass

import numpy as np

from core.models import litert

log = logging.getLogger(__name__)

# Largest allowed |p_litert - p_keras| on the probe batch.  Float32 conversions of InkLab's
# presets measure 1e-7..1e-5 (XNNPACK sums in another order); 1e-4 leaves headroom while
# still catching a wrong layer, a lost softmax or a mis-shaped input.
TOLERANCE = 1e-4
PROBE_SIZE = 64
_PROBE_SEED = 20261202


@dataclass(frozen=True)
class Conversion:
    """A verified LiteRT flatbuffer and the card entry that describes it."""

    content: bytes
    entry: dict


def probe_batch(n: int = PROBE_SIZE) -> np.ndarray:
    """Fixed images (n, 28, 28) in 0..1 mixing blank, sparse and dense ink: the parity probe."""
    rng = np.random.default_rng(_PROBE_SEED)
    ink = rng.random((n, 28, 28), dtype=np.float32)
    density = np.linspace(0.0, 0.6, n, dtype=np.float32)[:, None, None]
    return np.where(rng.random((n, 28, 28)) < density, ink, 0.0).astype(np.float32)


def _probabilities(raw: np.ndarray, outputs: str) -> np.ndarray:
    return litert.softmax(raw) if outputs == "logits" else raw


def _parity_interpreter():
    """ai-edge-litert's interpreter, or TensorFlow's own when the package is missing."""
    try:
        return litert.interpreter_class()
    except ImportError:
        import tensorflow as tf

        return tf.lite.Interpreter


def convert(model, outputs: str) -> Conversion:
    """Convert a Keras model and check it against Keras; raises ValueError when they disagree."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    from core.models.inference import predict_batch

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    with contextlib.redirect_stdout(io.StringIO()):  # Keras prints the temporary export's signature
        content = bytes(converter.convert())
    n_classes = int(model.outputs[0].shape[-1])
    runner = litert.LiteRTModel(content, n_classes, "converted model", interpreter=_parity_interpreter())
    probe = probe_batch()
    lite = _probabilities(runner.run(probe), outputs)
    keras_probs = predict_batch(model, probe, outputs=outputs)
    diff = float(np.max(np.abs(lite - keras_probs)))
    if not diff <= TOLERANCE:
        raise ValueError(f"LiteRT and Keras disagree by {diff:.2g} on the probe batch (allowed {TOLERANCE:g})")
    entry = {
        "file": litert.LITERT_FILE,
        "bytes": len(content),
        "sha256": litert.sha256(content),
        "probe_images": PROBE_SIZE,
        "max_abs_diff": float(f"{diff:.3g}"),
        "tolerance": TOLERANCE,
        "converter": f"tensorflow {tf.__version__}",
    }
    return Conversion(content, entry)


def convert_or_explain(model, outputs: str, name: str) -> tuple[bytes | None, dict]:
    """``(flatbuffer, card entry)``; on failure ``(None, entry with the reason)``, logged.

    A failed conversion never blocks a save: the card then says why there is no LiteRT
    file, and recognition uses Keras for that model.
    """
    try:
        done = convert(model, outputs)
    except Exception as err:  # the converter raises many types (ConverterError, ValueError, ...)
        log.warning("model '%s': no LiteRT copy: %s", name, err, exc_info=True)
        reason = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
        return None, {"file": None, "error": reason}
    return done.content, done.entry
