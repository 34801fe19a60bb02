"""Running a model's LiteRT file (``model.tflite``) without TensorFlow.

Recognising one drawing is a millisecond of arithmetic, but importing TensorFlow costs
seconds and hundreds of MB.  Every model InkLab saves therefore carries a LiteRT copy, run
here with the ``ai-edge-litert`` interpreter (21 MB, XNNPACK on CPU).  This module imports
neither TensorFlow nor Keras; when ``ai-edge-litert`` is not installed (a platform without
wheels) :func:`runtime_available` says so and the recognizer falls back to Keras.

A LiteRT file is refused, with a :class:`~core.errors.ModelError` naming the problem, when
it is not a flatbuffer, does not match the checksum its card records, or does not take a
28x28 image or give one output per class of the card.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

import numpy as np

from core.errors import ModelError
from core.hardware import usable_cores

log = logging.getLogger(__name__)

LITERT_FILE = "model.tflite"
# A LiteRT flatbuffer carries this file identifier at bytes 4..8.
_IDENTIFIER = b"TFL3"
_reported: dict[str, str] = {}
_reported_lock = threading.Lock()


def interpreter_class():
    """The ``ai-edge-litert`` Interpreter class; ImportError when the package is missing."""
    from ai_edge_litert.interpreter import Interpreter

    return Interpreter


def runtime_available() -> bool:
    """True when ``ai-edge-litert`` can be imported on this platform."""
    try:
        interpreter_class()
    except ImportError:
        return False
    return True


def report_once(key: str, message: str) -> bool:
    """Log ``message`` as a warning the first time ``key`` is seen in this process.

    Falling back to Keras is not an error, but it is slower and loads TensorFlow: say so
    once, not on every drawing.  Returns True when the message was logged now.
    """
    with _reported_lock:
        if key in _reported:
            return False
        _reported[key] = message
    log.warning("%s", message)
    return True


def last_reason(key: str) -> str | None:
    """The fallback message logged for ``key`` (a model folder, or "runtime"), if any."""
    with _reported_lock:
        return _reported.get(key) or _reported.get("runtime")


def sha256(content: bytes) -> str:
    """The checksum a card records for its LiteRT file."""
    return hashlib.sha256(content).hexdigest()


KEPT_BATCH_SIZES = 4


class LiteRTModel:
    """A LiteRT flatbuffer in interpreters: one fixed at batch 1, and one per recent batch size.

    The batch-1 interpreter never resizes, so a single drawing costs one ``invoke``; batch
    interpreters are kept for the :data:`KEPT_BATCH_SIZES` sizes used last (opening one
    costs ~1.5 CPU-ms, more than predicting a dozen drawings: a line of characters on the
    pad alternates between a few sizes as it is written).  Not thread-safe: the recognizer
    calls it under its lock.
    """

    def __init__(self, content: bytes, n_classes: int, where: str = "LiteRT model", interpreter=None) -> None:
        if len(content) < 8 or content[4:8] != _IDENTIFIER:
            raise ModelError(f"{where}: not a LiteRT model file (corrupt, or not a .tflite flatbuffer)")
        self.where = where
        self.content = content
        self.n_classes = int(n_classes)
        self._interpreter_class = interpreter or interpreter_class()
        self._one = self._open(batch=1)
        self._many: dict[int, tuple] = {}  # batch size -> interpreter, least recently used first

    @classmethod
    def from_file(cls, path: Path, n_classes: int, expected_sha256: str | None = None) -> LiteRTModel:
        """Read and check ``path``; ``expected_sha256`` (from the card) must match when given."""
        try:
            content = Path(path).read_bytes()
        except OSError as err:
            raise ModelError(f"{path}: the LiteRT file cannot be read ({err})") from None
        if expected_sha256 and sha256(content) != expected_sha256:
            raise ModelError(f"{path}: the LiteRT file does not match its card (checksum differs)")
        return cls(content, n_classes, str(path))

    def _open(self, batch: int):
        try:
            interpreter = self._interpreter_class(model_content=self.content, num_threads=_threads_for(batch))
        except (ValueError, RuntimeError) as err:
            reason = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
            raise ModelError(f"{self.where}: the LiteRT file is corrupt ({reason})") from None
        inputs, outputs = interpreter.get_input_details(), interpreter.get_output_details()
        if len(inputs) != 1 or len(outputs) != 1:
            raise ModelError(f"{self.where}: the LiteRT model must have one input and one output")
        shape = tuple(int(d) for d in inputs[0]["shape"])
        if int(np.prod(shape[1:])) != 28 * 28 or inputs[0]["dtype"] != np.float32:
            raise ModelError(f"{self.where}: the LiteRT model expects input {shape}, not a 28x28 float image")
        n_out = int(outputs[0]["shape"][-1])
        if n_out != self.n_classes:
            raise ModelError(
                f"{self.where}: the LiteRT model has {n_out} outputs but its card names {self.n_classes} classes"
            )
        self._feature_shape = shape[1:]
        if shape[0] != batch:
            interpreter.resize_tensor_input(inputs[0]["index"], (batch, *shape[1:]))
        try:
            interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as err:
            raise ModelError(f"{self.where}: the LiteRT model cannot run ({err})") from None
        return interpreter, inputs[0]["index"], outputs[0]["index"]

    def run(self, x: np.ndarray) -> np.ndarray:
        """Raw model outputs (N, n_classes) for float32 images (N, 28, 28) already scaled."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        if len(x) == 1:
            handle = self._one
        else:
            handle = self._many.pop(len(x), None) or self._open(batch=len(x))
            self._many[len(x)] = handle  # now the most recently used
            if len(self._many) > KEPT_BATCH_SIZES:
                del self._many[next(iter(self._many))]
        interpreter, input_index, output_index = handle
        interpreter.set_tensor(input_index, x.reshape((len(x), *self._feature_shape)))
        interpreter.invoke()
        return np.array(interpreter.get_tensor(output_index), dtype=np.float32).reshape(len(x), -1)


BATCH_THREADS = 4  # at most, for a batch; one drawing runs on one thread (0.2 ms: nothing to split)


def _threads_for(batch: int) -> int:
    """Threads for a model call on ``batch`` images: XNNPACK splits a batch ~1.8x faster on 2 cores."""
    return 1 if batch <= 1 else max(1, min(BATCH_THREADS, usable_cores()))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float32, stable for large logits."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted, dtype=np.float32)
    return e / e.sum(axis=-1, keepdims=True)


def load_for_card(card) -> LiteRTModel | None:
    """The model's LiteRT copy ready to run, or None (reason logged once) to use Keras instead.

    ``card`` is a :class:`core.models.card.ModelCard`.  None when ``ai-edge-litert`` is
    missing, the card lists no LiteRT file, or the file is refused (corrupt, mismatched).
    """
    key = str(card.folder)
    entry = card.litert
    if entry is None or not entry.get("file"):
        reason = (entry or {}).get("error") if isinstance(entry, dict) else None
        why = f"its LiteRT conversion failed ({reason})" if reason else "it has no LiteRT file yet"
        report_once(key, f"model '{card.name}': {why}; recognising with Keras (TensorFlow) instead")
        return None
    if not runtime_available():
        report_once(
            "runtime", "ai-edge-litert is not installed on this platform; recognising with Keras (TensorFlow)"
        )
        return None
    # A loose ``x.keras`` file (card beside it) has its LiteRT copy beside it as ``x.tflite``.
    path = card.model_file.with_suffix(".tflite") if card.model_file else card.folder / str(entry["file"])
    if not path.is_file():
        report_once(key, f"model '{card.name}': {path} is missing; recognising with Keras (TensorFlow) instead")
        return None
    try:
        return LiteRTModel.from_file(path, len(card.label_names), entry.get("sha256"))
    except ModelError as err:
        report_once(key, f"{err}; recognising with Keras (TensorFlow) instead")
        return None
