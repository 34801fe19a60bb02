"""A model's layers and what each one outputs for a drawing, read from its LiteRT copy.

Two ways were measured to get a LiteRT model's intermediate outputs (issue 25): converting
once more with every layer's output as an extra model output, or asking the interpreter to
keep its intermediate tensors (``experimental_preserve_all_tensors``).  The second needs no
TensorFlow, no second file and works on every LiteRT file InkLab has already saved; its
tensors equal Keras' layer outputs (checked layer by layer in the tests) and an invoke costs
~0.2 ms for ``recommended`` (0.13 ms without).  It is what this module does.

LiteRT fuses a convolution with its batch normalisation and ReLU, so a "conv" layer here is
the block's output (what the next layer reads); dropout and flatten vanish.  Layers are
named by kind and order ("Conv 1", "Pool 2", "Dense 1"), with what was fused in the detail.
"""

from __future__ import annotations

import threading
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.errors import Cancelled, ModelError
from core.models import litert
from core.progress import CancelToken

_CONV_OPS = {"CONV_2D": "conv", "DEPTHWISE_CONV_2D": "conv"}
_POOL_OPS = {"MAX_POOL_2D": "max", "AVERAGE_POOL_2D": "average", "MEAN": "global average"}
FEATURE_CHUNK = 250  # samples per invoke when reading features of many samples


@dataclass(frozen=True)
class Layer:
    """One layer as the Inside view shows it.

    ``kind`` is "conv", "pool" or "dense"; ``shape`` the output of one sample ((H, W, C)
    for maps, (N,) for a row of values); ``detail`` says what it does ("5x5, stride 2,
    BatchNorm, ReLU").
    """

    name: str
    kind: str
    shape: tuple[int, ...]
    detail: str
    tensor: int
    kernel: int | None = None

    @property
    def has_maps(self) -> bool:
        """Whether the output is a stack of 2-D maps (drawn as a grid) rather than one row."""
        return len(self.shape) == 3 and self.shape[0] * self.shape[1] > 1

    def shape_text(self) -> str:
        return "×".join(str(d) for d in self.shape)


@dataclass(frozen=True)
class Activation:
    """A layer's output for one drawing: (H, W, C) maps or a (N,) row."""

    layer: Layer
    values: np.ndarray

    def strongest(self) -> np.ndarray:
        """Channel (or unit) indices, strongest first: by mean activation for maps, by value for rows."""
        strength = self.values.reshape(-1, self.values.shape[-1]).mean(axis=0) if self.layer.has_maps else self.values
        return np.argsort(-strength, kind="stable")


@dataclass(frozen=True)
class Inside:
    """Every shown layer's output for one drawing, and the model's class probabilities."""

    image: np.ndarray
    activations: list[Activation]
    probabilities: np.ndarray  # every output of the model (a reject class included), summing to 1
    features: np.ndarray  # what the last layer reads: the point on the map


def _op_name(details: dict) -> str:
    return str(details.get("op_name", ""))


def _fused(name: str) -> list[str]:
    lowered = name.lower()
    parts = []
    if "batchnorm" in lowered or "batch_normalization" in lowered:
        parts.append("BatchNorm")
    if "relu" in lowered:
        parts.append("ReLU")
    return parts


class NetworkProbe:
    """A LiteRT model opened to be looked into; thread-safe (one lock per interpreter).

    ``outputs`` is the card's "logits" or "softmax"; ``scale`` multiplies the 0..1 input as
    the recognizer does (255 for a model trained on 0..255).
    """

    def __init__(self, content: bytes, outputs: str = "logits", scale: float = 1.0, where: str = "model") -> None:
        self.where, self.outputs, self.scale = where, outputs, float(scale)
        self._content = content
        self._class = litert.interpreter_class()
        self._one = self._open(1, preserve=True)
        self._one_lock = threading.Lock()
        self._many: tuple = ()
        self._many_lock = threading.Lock()
        self._plain: dict[int, tuple] = {}  # batch size -> interpreter (a few sizes)
        self._plain_lock = threading.Lock()
        interpreter, self._input, self._output = self._one
        tensors = {int(t["index"]): t for t in interpreter.get_tensor_details()}
        ops = [op for op in interpreter._get_ops_details() if _op_name(op) != "DELEGATE"]
        self.layers = self._read_layers(ops, tensors)
        dense = [op for op in ops if _op_name(op) == "FULLY_CONNECTED"]
        if not dense:
            raise ModelError(f"{where}: no dense layer found: InkLab cannot look inside this model")
        self._feature_tensor = int(dense[-1]["inputs"][0])
        self.feature_size = int(np.prod(tensors[self._feature_tensor]["shape"][1:]))

    def _open(self, batch: int, preserve: bool, threads: int = 1) -> tuple:
        with warnings.catch_warnings():  # "preserve_all_tensors is for debugging": it is what we want
            warnings.simplefilter("ignore")
            try:
                interpreter = self._class(
                    model_content=self._content, num_threads=threads, experimental_preserve_all_tensors=preserve
                )
            except (ValueError, RuntimeError) as err:
                raise ModelError(f"{self.where}: the LiteRT file cannot be opened ({err})") from None
        inputs, outputs = interpreter.get_input_details(), interpreter.get_output_details()
        if len(inputs) != 1 or len(outputs) != 1:
            raise ModelError(f"{self.where}: the LiteRT model must have one input and one output")
        shape = [int(d) for d in inputs[0]["shape"]]
        if shape[0] != batch:
            interpreter.resize_tensor_input(inputs[0]["index"], [batch, *shape[1:]])
        interpreter.allocate_tensors()
        self._feature_shape = tuple(shape[1:])
        return interpreter, int(inputs[0]["index"]), int(outputs[0]["index"])

    def _read_layers(self, ops: list[dict], tensors: dict[int, dict]) -> list[Layer]:
        layers: list[Layer] = []
        counts = {"conv": 0, "pool": 0, "dense": 0}
        dense_ops = [op for op in ops if _op_name(op) == "FULLY_CONNECTED"]
        for op in ops:
            name = _op_name(op)
            out = int(op["outputs"][0])
            shape = tuple(int(d) for d in tensors[out]["shape"][1:])
            fused = _fused(str(tensors[out]["name"]))
            if name in _CONV_OPS:
                counts["conv"] += 1
                kernel = int(op["inputs"][1])
                k = tensors[kernel]["shape"]
                source = tensors[int(op["inputs"][0])]["shape"]
                stride = max(1, round(int(source[1]) / max(1, shape[0])))
                detail = ", ".join([f"{k[1]}×{k[2]}" + (f", stride {stride}" if stride > 1 else ""), *fused])
                layers.append(Layer(f"Conv {counts['conv']}", "conv", shape, detail, out, kernel))
            elif name in _POOL_OPS:
                counts["pool"] += 1
                layers.append(Layer(f"Pool {counts['pool']}", "pool", shape, f"{_POOL_OPS[name]} pooling", out))
            elif name == "FULLY_CONNECTED" and op is not dense_ops[-1]:
                counts["dense"] += 1
                detail = ", ".join([f"{shape[-1]} units", *fused])
                layers.append(Layer(f"Dense {counts['dense']}", "dense", shape, detail, out))
        return layers

    # --- one drawing -----------------------------------------------------------------

    def _x(self, images: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(images, dtype=np.float32) * np.float32(self.scale)
        return x.reshape((len(x), *self._feature_shape))

    def look(self, image: np.ndarray) -> Inside:
        """Every layer's output for one 28x28 image (0..1, white on black)."""
        image = np.asarray(image, np.float32)
        interpreter, input_index, output_index = self._one
        with self._one_lock:
            interpreter.set_tensor(input_index, self._x(image[None]))
            interpreter.invoke()
            activations = [
                Activation(layer, np.array(interpreter.get_tensor(layer.tensor)[0], np.float32))
                for layer in self.layers
            ]
            raw = np.array(interpreter.get_tensor(output_index)[0], np.float32)
            features = np.array(interpreter.get_tensor(self._feature_tensor), np.float32).reshape(-1)
        return Inside(image, activations, self.probabilities(raw[None])[0], features)

    def probabilities(self, raw: np.ndarray) -> np.ndarray:
        """Raw outputs (N, classes) as probabilities."""
        return litert.softmax(raw) if self.outputs == "logits" else raw

    def log_probabilities(self, images: np.ndarray) -> np.ndarray:
        """log p for every class of every image (N, classes), through a plain batch interpreter.

        One interpreter per batch size, kept (the occlusion path pads to a few sizes).
        """
        images = np.asarray(images, np.float32)
        batch = len(images)
        with self._plain_lock:
            if batch not in self._plain:
                self._plain[batch] = self._open(batch, preserve=False)
            interpreter, input_index, output_index = self._plain[batch]
            interpreter.set_tensor(input_index, self._x(images))
            interpreter.invoke()
            raw = np.array(interpreter.get_tensor(output_index), np.float32).reshape(batch, -1)
        if self.outputs == "logits":
            shifted = raw - raw.max(axis=1, keepdims=True)
            return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return np.log(np.maximum(raw, 1e-12))

    # --- filters and features --------------------------------------------------------

    def first_conv(self) -> Layer | None:
        """The first convolution, or None for a model without one (dense only)."""
        return next((layer for layer in self.layers if layer.kind == "conv"), None)

    def filters(self) -> np.ndarray | None:
        """The first convolution's kernels (C, kh, kw), summed over input channels; None without one."""
        layer = self.first_conv()
        if layer is None or layer.kernel is None:
            return None
        with self._one_lock:
            kernel = np.array(self._one[0].get_tensor(layer.kernel), np.float32)
        return kernel.sum(axis=-1) if kernel.ndim == 4 else None

    def features(
        self,
        images: np.ndarray,
        progress: Callable[[int, int | None, str], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> np.ndarray:
        """What the last layer reads, for many images (N, 28, 28) in 0..1: (N, feature_size)."""
        images = np.asarray(images)
        if images.dtype == np.uint8:
            images = images.astype(np.float32) / 255.0
        out = np.zeros((len(images), self.feature_size), np.float32)
        with self._many_lock:
            for start in range(0, len(images), FEATURE_CHUNK):
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                chunk = images[start : start + FEATURE_CHUNK]
                if not self._many or self._many[0] != len(chunk):
                    self._many = (len(chunk), self._open(len(chunk), preserve=True, threads=litert._threads_for(len(chunk))))
                interpreter, input_index, _ = self._many[1]
                interpreter.set_tensor(input_index, self._x(chunk))
                interpreter.invoke()
                out[start : start + len(chunk)] = np.asarray(interpreter.get_tensor(self._feature_tensor)).reshape(
                    len(chunk), -1
                )
                if progress is not None:
                    progress(start + len(chunk), len(images), "reading the test samples' features")
        return out


_probes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_probes_lock = threading.Lock()


def probe_for(recognizer) -> NetworkProbe:
    """The probe of a loaded :class:`~core.models.recognizer.Recognizer` (made once, then kept with it).

    A ModelError when the model runs on Keras (no LiteRT copy): there is nothing to look into
    without TensorFlow.
    """
    with _probes_lock:
        probe = _probes.get(recognizer)
        if probe is not None:
            return probe
    model = recognizer.model
    if recognizer.backend != "litert" or not isinstance(model, litert.LiteRTModel):
        raise ModelError(
            f"model '{recognizer.name}' has no LiteRT copy, so InkLab cannot look inside it "
            "(open it once in a newer InkLab, or save it again)"
        )
    high = recognizer.card.input_range[1]
    scale = high if high in (1, 255) else 1.0
    probe = NetworkProbe(model.content, recognizer.outputs, scale, f"model '{recognizer.name}'")
    with _probes_lock:
        _probes[recognizer] = probe
    return probe
