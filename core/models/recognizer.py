"""A loaded model plus its labels: turns one 28x28 drawing (or thousands) into predictions.

Recognition runs on the model's LiteRT copy (:mod:`core.models.litert`): no TensorFlow
import, a fraction of a millisecond per drawing.  Models without a usable LiteRT file, or
platforms without ``ai-edge-litert``, fall back to Keras as described below.

Why not ``model.predict``?  It builds a data pipeline on every call and costs ~75 ms for a
single drawing, far too slow to follow a pen.  Calling the model inside a ``tf.function``
with a fixed input signature traces the graph once and then runs in about a millisecond,
so the Draw tab can predict on the GUI thread while the user draws.  Batches (the CLI's
JSONL mode) go through a second ``tf.function`` with a variable batch size, one model call
per chunk.

A Keras model must never be called from two threads at once (the Training tab may run
while the Draw tab predicts), so every model call holds the recognizer's lock.
The LiteRT interpreters are not thread-safe either, so the same lock covers them.
TensorFlow is imported lazily, and only on the Keras path.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.errors import DrawingError, ModelError
from core.models import litert
from core.models.card import ModelCard
from core.models.litert import LiteRTModel, softmax

IMAGE_SHAPE = (28, 28)
# Below this top probability, or with the runner-up this close, the answer is a guess.
UNSURE_BELOW = 0.6
UNSURE_MARGIN = 0.2
BATCH_SIZE = 256


@dataclass(frozen=True)
class Prediction:
    """What the model thinks one drawing is.

    ``probabilities`` has one entry per class in the card's label order; ``top`` lists the
    most likely classes first; ``unsure`` is set when the answer is a guess, and then
    ``message`` says so ("not sure: 3 or 8?") so nobody mistakes a guess for an answer.
    ``status`` is "sure", "unsure" or "not-a-character": the last only from a model with a
    reject class (the bundled ones), whose ``message`` then says "not a digit" or "not a
    letter"; ``label`` and ``confidence`` still name the most likely real class, and
    ``probabilities`` leave the reject class out (so they may sum to less than 1).
    ``image`` is the 28x28 input the model saw (white ink on black, 0..1), kept so the GUI
    can show exactly that.
    """

    label: str
    confidence: float
    probabilities: np.ndarray
    top: list[tuple[str, float]]
    unsure: bool
    message: str
    index: int = 0
    image: np.ndarray | None = field(default=None, repr=False, compare=False)
    status: str = "sure"

    def best_guesses(self, n: int = 2) -> str:
        """What the model considered most: "looks most like m 31%, n 22%" (said under "not a letter").

        As shares of the real classes: when the reject output takes nearly everything, the
        classes' own probabilities are all under 1% and would say nothing.
        """
        total = float(np.sum(self.probabilities)) or 1.0
        shown = [f"{label} {p / total:.0%}" for i, (label, p) in enumerate(self.top[:n]) if i == 0 or p / total >= 0.005]
        return f"looks most like {', '.join(shown)}" if shown else ""


def check_image(image: Any, where: str = "drawing") -> np.ndarray:
    """Validate one model input: a 28x28 array, white ink on black, 0..1 (uint8 0..255 accepted).

    Refusing anything else here, with a message, beats a silent wrong answer or a
    TensorFlow shape error deep inside a graph.
    """
    array = np.asarray(image)
    if array.shape != IMAGE_SHAPE:
        raise DrawingError(f"{where}: expected a 28x28 image, got shape {array.shape}")
    return _to_unit_float(array, where)


def _to_unit_float(array: np.ndarray, where: str) -> np.ndarray:
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise DrawingError(f"{where}: expected numbers, got {array.dtype}")
    out = array.astype(np.float32)
    if not np.isfinite(out).all():
        raise DrawingError(f"{where}: the image contains NaN or infinite values")
    if out.size and (out.min() < -1e-3 or out.max() > 1.0 + 1e-3):
        raise DrawingError(
            f"{where}: pixel values must lie in 0..1 (found {out.min():g}..{out.max():g})"
        )
    return np.clip(out, 0.0, 1.0)


def reject_status(probabilities: np.ndarray, sure_threshold: float, margin: float = UNSURE_MARGIN) -> str:
    """"sure", "unsure" or "not-a-character" for the outputs of a model whose last class rejects.

    The reject class wins when it is more likely than every real class; otherwise the
    answer is sure only when its probability reaches the card's calibrated
    ``sure_threshold`` and leads the runner-up by ``margin``.
    """
    p = np.asarray(probabilities, np.float32)
    real = p[:-1]
    order = np.argsort(real)[::-1]
    p1 = float(real[order[0]])
    p2 = float(real[order[1]]) if len(real) > 1 else 0.0
    if float(p[-1]) > p1:
        return "not-a-character"
    if p1 < sure_threshold or p1 - p2 < margin:
        return "unsure"
    return "sure"


class Recognizer:
    """One model and its card, ready to predict single drawings fast and batches in bulk.

    ``model`` is a :class:`~core.models.litert.LiteRTModel` (no TensorFlow) or a Keras
    model; :meth:`load` picks LiteRT when the model has a usable LiteRT file and the
    runtime is installed, else Keras.  ``backend`` says which ("litert" or "keras") and
    ``fallback_reason`` why Keras was used for a model that should have had LiteRT.
    """

    def __init__(self, model: Any, card: ModelCard) -> None:
        self.model = model
        self.card = card
        self.name = card.name
        self.outputs = card.outputs
        self._n_outputs = len(card.label_names)
        # A reject class ("not-a-character", last) is an output, never an answer.
        reject = card.data.get("reject")
        self._reject = card.reject_label is not None
        self.label_names = list(card.answers)
        self._sure_threshold = float(reject.get("sure_threshold", UNSURE_BELOW)) if self._reject else UNSURE_BELOW
        self._noun = str(reject.get("noun") or "character") if self._reject else "character"
        self.fallback_reason: str | None = None
        self._lock = threading.Lock()
        # The card's input spec says the value range; InkLab's own models take 0..1.
        high = card.input_range[1]
        self._scale = high if high in (1, 255) else 1.0
        if isinstance(model, LiteRTModel):
            self.backend = "litert"
            self._init_litert(model)
        else:
            self.backend = "keras"
            self._init_keras(model)

    def _init_litert(self, model: LiteRTModel) -> None:
        if model.n_classes != self._n_outputs:
            raise ModelError(
                f"model '{self.name}' has {model.n_classes} outputs but its card names "
                f"{self._n_outputs} classes"
            )
        outputs, scale = self.outputs, self._scale

        def run(x: np.ndarray) -> np.ndarray:
            raw = model.run(x * scale if scale != 1.0 else x)
            return softmax(raw) if outputs == "logits" else raw

        self._one = self._many = run

    def _init_keras(self, model: Any) -> None:
        import tensorflow as tf

        try:
            output_shape = tuple(model.output_shape)
            input_shape = tuple(model.input_shape)
        except (AttributeError, ValueError) as err:
            raise ModelError(f"model '{self.name}' has no single input and output: {err}") from None
        n_out = output_shape[-1]
        if n_out != self._n_outputs:
            raise ModelError(
                f"model '{self.name}' has {n_out} outputs but its card names "
                f"{self._n_outputs} classes"
            )
        feature_shape = input_shape[1:]
        if int(np.prod([d or 0 for d in feature_shape])) != 28 * 28:
            raise ModelError(f"model '{self.name}' expects input {input_shape}, not a 28x28 image")
        target = (-1, *feature_shape)
        use_softmax = self.outputs == "logits"
        scale = self._scale

        def run(x):
            y = model(tf.reshape(x * scale, target), training=False)
            return tf.nn.softmax(y) if use_softmax else y

        # A fixed signature: traced once, never again, whatever the caller passes.
        self._one = tf.function(run, input_signature=[tf.TensorSpec((1, 28, 28), tf.float32)])
        self._many = tf.function(run, input_signature=[tf.TensorSpec((None, 28, 28), tf.float32)])

    @classmethod
    def load(cls, name_or_path: str | os.PathLike[str]) -> Recognizer:
        """Load a library or bundled model by name, or a ``.keras`` file by path (safe mode).

        LiteRT first (no TensorFlow); Keras when the model has no usable LiteRT file or
        ``ai-edge-litert`` is missing, with the reason logged once.  A library model saved
        before LiteRT copies existed is given one here, once it is loaded with Keras
        (:func:`core.models.library.attach_litert`; loading itself never writes).
        """
        from core.models import library

        card = library.find_model(name_or_path)
        lite = litert.load_for_card(card)
        if lite is not None:
            recognizer = cls(lite, card)
        else:
            model, card = library.load_model(name_or_path)
            recognizer = cls(model, card)
            recognizer.fallback_reason = litert.last_reason(str(card.folder))
            if card.litert is None and not card.bundled and card.model_file is None:
                library.attach_litert(card, model)  # the next load uses LiteRT
        recognizer.warm_up()
        return recognizer

    @property
    def can_reject(self) -> bool:
        """Whether the model has a "not a character" output; without one it always picks a class."""
        return self._reject

    @property
    def n_classes(self) -> int:
        return len(self.label_names)

    def warm_up(self) -> None:
        """Trace the single-drawing graph now, so the first stroke is not the slow one."""
        self._call_one(np.zeros((1, 28, 28), np.float32))

    def _call_one(self, x: np.ndarray) -> np.ndarray:
        with self._lock:
            return np.asarray(self._one(x))[0]

    def predict(self, image: Any) -> Prediction:
        """Predict one 28x28 image (white on black, 0..1); raises DrawingError on bad input."""
        x = check_image(image)
        if not x.any():
            raise DrawingError("Draw a character: the image is blank")
        probabilities = self._call_one(x[None])
        return self._prediction(probabilities, x)

    def predict_many(self, images: Any, batch_size: int = BATCH_SIZE) -> list[Prediction]:
        """Predict 28x28 images, one model call per ``batch_size`` (blank ones too: callers check)."""
        array = np.asarray(images)
        if array.ndim != 3 or array.shape[1:] != IMAGE_SHAPE:
            raise DrawingError(f"expected images of shape (N, 28, 28), got {array.shape}")
        x = _to_unit_float(array, "images")
        return [self._prediction(p, img) for start in range(0, len(x), batch_size)
                for p, img in zip(self.outputs_many(x[start : start + batch_size]), x[start : start + batch_size],
                                  strict=True)]

    def outputs_many(self, images: Any) -> np.ndarray:
        """The raw outputs (N, classes [+ reject]) of (N, 28, 28) images in one call; :meth:`prediction` makes one."""
        array = np.asarray(images)
        if array.ndim != 3 or array.shape[1:] != IMAGE_SHAPE:
            raise DrawingError(f"expected images of shape (N, 28, 28), got {array.shape}")
        if len(array) == 0:
            return np.zeros((0, self._n_outputs), np.float32)
        with self._lock:
            return np.asarray(self._many(_to_unit_float(array, "images")), np.float32)

    def prediction(self, outputs: np.ndarray, image: np.ndarray | None = None) -> Prediction:
        return self._prediction(outputs, image)  # one row of outputs_many

    def recognize_strokes(self, strokes: Sequence[Any], **render_options: Any) -> Prediction:
        """Render pen strokes (screen coordinates, y down) the way the pad does, then predict.

        This is the Draw tab's exact path (and the one the latency benchmark times): pad
        strokes carry (x, y, pressure, time) and the time column is dropped here.
        """
        from core.imaging import render_strokes

        trimmed = [np.asarray(s, dtype=np.float32)[:, :3] for s in strokes]
        return self.predict(render_strokes(trimmed, **render_options))

    def recognize_image(self, image: Any) -> Prediction:
        """Recognise a picture (path, PIL image or array) of one dark character on a light ground."""
        from core.imaging import image_to_input

        return self.predict(image_to_input(image))

    def _prediction(self, probabilities: np.ndarray, image: np.ndarray | None) -> Prediction:
        probabilities = np.asarray(probabilities, dtype=np.float32)
        if not np.isfinite(probabilities).all():
            raise ModelError(f"model '{self.name}' produced NaN outputs; it may be broken")
        if self._reject:
            status = reject_status(probabilities, self._sure_threshold)
            probabilities = probabilities[:-1]
        order = np.argsort(probabilities)[::-1]
        best = int(order[0])
        p1 = float(probabilities[best])
        p2 = float(probabilities[order[1]]) if len(order) > 1 else 0.0
        top = [(self.label_names[int(i)], float(probabilities[int(i)])) for i in order[:5]]
        if not self._reject:
            status = "unsure" if p1 < UNSURE_BELOW or (p1 - p2) < UNSURE_MARGIN else "sure"
        unsure = status != "sure"
        label = self.label_names[best]
        if status == "not-a-character":
            message = f"not a {self._noun}"
        elif unsure and len(order) > 1:
            message = f"not sure: {label} or {self.label_names[int(order[1])]}?"
        elif unsure:
            message = f"not sure: {label}?"
        else:
            message = f"{label} ({p1:.0%})"
        return Prediction(label, p1, probabilities, top, unsure, message, best, image, status)


class RecognizerCache:
    """Loaded recognizers by model name, so switching back to a model is instant.

    Loading takes a fraction of a second on LiteRT, seconds on the Keras fallback
    (TensorFlow import, file read, tracing); it happens once per model, under a lock so two threads asking at once do not load it twice.
    """

    def __init__(self) -> None:
        self._items: dict[str, Recognizer] = {}
        self._lock = threading.Lock()

    def get(self, name_or_path: str) -> Recognizer:
        """The recognizer for ``name_or_path``, loading it on first use (may take seconds)."""
        with self._lock:
            cached = self._items.get(name_or_path)
            if cached is not None:
                return cached
            recognizer = Recognizer.load(name_or_path)
            self._items[name_or_path] = recognizer
            return recognizer

    def cached(self, name_or_path: str) -> Recognizer | None:
        """The recognizer if already loaded, else None; never loads (safe on the GUI thread)."""
        return self._items.get(name_or_path)

    def invalidate(self, name_or_path: str | None = None) -> None:
        """Forget one model (it was retrained or deleted) or, with None, all of them."""
        with self._lock:
            if name_or_path is None:
                self._items.clear()
            else:
                self._items.pop(name_or_path, None)


_default_cache = RecognizerCache()


def recognize_strokes(strokes: Sequence[Any], model: str = "digits") -> Prediction:
    """Recognise pen strokes with a library or bundled model (loaded once, then cached)."""
    return _default_cache.get(model).recognize_strokes(strokes)


def recognize_image(image: Any, model: str = "digits") -> Prediction:
    """Recognise an image file or array of one handwritten character (loaded once, then cached)."""
    return _default_cache.get(model).recognize_image(image)
