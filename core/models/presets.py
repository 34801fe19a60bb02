"""Model presets: one builder per teaching lesson InkLab grew from, plus InkLab's own default.

A preset is a recipe, not a model: it builds a fresh Keras model for any number of classes
and carries the lesson's own defaults (optimizer, learning rate, batch size, epochs,
validation, augmentation), so a class can reproduce "their" lesson with one choice and
then change one knob at a time.

Every model takes float32 images in [0, 1] of shape (28, 28, 1), white ink on black, and
ends either in logits or in a softmax.  Which one is recorded in ``Preset.outputs`` (and
in the model card), because the loss needs ``from_logits`` and prediction code must always
be able to turn the output into probabilities.

TensorFlow is imported inside the builders only: the GUI lists presets at start-up
without paying for TensorFlow.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.errors import TrainingError

INPUT_SHAPE = (28, 28, 1)
# InkLab's optimizer names and how the window titles them.
OPTIMIZER_TITLES = {"sgd": "SGD", "sgd-momentum": "SGD + momentum", "adam": "Adam", "rmsprop": "RMSprop",
                    "adadelta": "Adadelta"}
OPTIMIZERS = tuple(OPTIMIZER_TITLES)
SCHEDULES = ("constant", "one-cycle")


@dataclass(frozen=True)
class AugmentParams:
    """Random geometric changes applied to each training image on the fly.

    ``rotation`` is the largest turn in degrees; ``shift`` the largest move as a fraction of
    the image side; ``shear`` the largest shear factor (x moves by ``shear * y``); ``zoom``
    the largest relative change of scale (0.3 means 0.7x .. 1.3x).
    """

    rotation: float = 10.0
    shift: float = 0.1
    shear: float = 0.1
    zoom: float = 0.1

    def as_dict(self) -> dict[str, float]:
        return {"rotation": self.rotation, "shift": self.shift, "shear": self.shear, "zoom": self.zoom}


@dataclass(frozen=True)
class Preset:
    """A named model recipe with the defaults of the lesson it reproduces."""

    name: str
    description: str
    lesson: str
    builder: Callable[[int, tuple[int, ...]], Any] = field(repr=False)
    outputs: str  # "logits" or "softmax": what the last layer gives
    optimizer: str
    learning_rate: float
    batch_size: int
    epochs: int
    validation: float | int = 0.1
    augment: bool = False
    augment_params: AugmentParams = field(default_factory=AugmentParams)
    schedule: str = "constant"

    @property
    def loss_from_logits(self) -> bool:
        return self.outputs == "logits"

    def build(self, n_classes: int, input_shape: tuple[int, ...] = INPUT_SHAPE):
        """A fresh, uncompiled Keras model for ``n_classes`` classes, named after the preset."""
        if n_classes < 2:
            raise TrainingError(f"a model needs at least 2 classes, got {n_classes}")
        return self.builder(n_classes, tuple(input_shape))


def _keras():
    import keras

    return keras


def _dense_small(n: int, shape: tuple[int, ...]):
    k = _keras()
    L = k.layers
    return k.Sequential(
        [
            k.Input(shape),
            L.Flatten(),
            L.Dense(25, activation="relu"),
            L.Dense(15, activation="relu"),
            L.Dense(n),
        ],
        name="dense-small",
    )


def _cnn_classic(n: int, shape: tuple[int, ...]):
    k = _keras()
    L = k.layers
    return k.Sequential(
        [
            k.Input(shape),
            L.Conv2D(32, 3, activation="relu"),
            L.MaxPooling2D(),
            L.Conv2D(64, 3, activation="relu"),
            L.MaxPooling2D(),
            L.Conv2D(64, 3, activation="relu"),
            L.Flatten(),
            L.Dense(64, activation="relu"),
            L.Dense(n, activation="softmax"),
        ],
        name="cnn-classic",
    )


def _cnn_bn_gap(n: int, shape: tuple[int, ...]):
    k = _keras()
    L = k.layers
    layers: list = [k.Input(shape)]
    # Blocks 2-4 halve the resolution: without it the last block sees only a 9x9 patch, global
    # pooling averages away the digit's shape (65% after the lesson's one epoch, measured) and
    # an epoch costs 25x more.
    for filters, stride in ((16, 1), (32, 2), (64, 2), (128, 2)):
        layers += [
            L.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False),
            L.BatchNormalization(),
            L.ReLU(),
        ]
    layers += [L.GlobalAveragePooling2D(), L.Dense(n)]
    return k.Sequential(layers, name="cnn-bn-gap")


def _cnn_pool(n: int, shape: tuple[int, ...], strided: bool = False):
    k = _keras()
    L = k.layers
    # The lesson's Keras example keeps its two dropout layers; they are part of what it teaches.
    if strided:
        convs = [L.Conv2D(32, 3, activation="relu"), L.Conv2D(64, 3, strides=2, activation="relu")]
    else:
        convs = [L.Conv2D(32, 3, activation="relu"), L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D()]
    return k.Sequential(
        [
            k.Input(shape),
            *convs,
            L.Dropout(0.25),
            L.Flatten(),
            L.Dense(128, activation="relu"),
            L.Dropout(0.5),
            L.Dense(n, activation="softmax"),
        ],
        name="cnn-strided" if strided else "cnn-pool",
    )


def _cnn_sign(n: int, shape: tuple[int, ...]):
    k = _keras()
    L = k.layers
    return k.Sequential(
        [
            k.Input(shape),
            L.Conv2D(64, 3, activation="relu"),
            L.MaxPooling2D(),
            L.Conv2D(64, 3, activation="relu"),
            L.MaxPooling2D(),
            L.Flatten(),
            L.Dense(512, activation="relu"),
            L.Dense(n, activation="softmax"),
        ],
        name="cnn-sign",
    )


def _recommended(n: int, shape: tuple[int, ...], widths: tuple[int, int] = (32, 64), name: str = "recommended"):
    from core.models.layers import fused_batch_normalization

    k = _keras()
    L = k.layers
    batch_norm = fused_batch_normalization()

    def block(filters: int, size: int = 3, stride: int = 1) -> list:
        # momentum 0.9: the BatchNorm statistics settle within tens of steps, so even a short
        # classroom run on a slice validates well.
        return [
            L.Conv2D(filters, size, strides=stride, padding="same", use_bias=False),
            batch_norm(momentum=0.9),
            L.ReLU(),
        ]

    # Measured on 2 CPU cores (issue 14, CPU-seconds, as wall time varies with the share of
    # the cores a run gets): the passes over big feature maps cost as much as the
    # multiply-adds, so the 5x5 first convolution strides straight to 14x14 and nothing runs
    # at 28x28, and the batch norm trains in TensorFlow's fused kernel (core.models.layers:
    # -20% CPU).  32/64 filters, batch 256 and a 1e-2 one-cycle peak: 99.34-99.47% in 3
    # epochs (seeds 0-4) on ~0.3 CPU-ms a training sample; 48/96 at batch 128 and 3e-3 gave
    # 99.31-99.40% on 0.5-0.65.  A hidden Dense 128 and no dropout (a 3-epoch run underfits
    # rather than overfits).  XLA (jit_compile) makes each step ~2.5x dearer on CPU: off.
    # ``widths`` (48, 96) is recommended-wide: the bundled digits model, whose unseen pen
    # writers lose 0.3-0.7 points on the narrower net (measured on two writer folds).
    return k.Sequential(
        [
            k.Input(shape),
            *block(32, size=5, stride=2),
            *block(widths[0]),
            L.MaxPooling2D(),
            *block(widths[1]),
            L.MaxPooling2D(),
            L.Flatten(),
            L.Dense(128, activation="relu"),
            L.Dense(n),
        ],
        name=name,
    )


_LIST = (
    Preset(
        "dense-small",
        "Flatten, Dense 25 relu, Dense 15 relu, Dense n (logits): a first neural network",
        "first neural network lesson (originally on 20x20 digits)",
        _dense_small,
        outputs="logits",
        optimizer="adam",
        learning_rate=1e-3,
        batch_size=32,
        epochs=10,
        validation=0.1,
    ),
    Preset(
        "cnn-classic",
        "Conv32-Pool-Conv64-Pool-Conv64, Dense 64, softmax; plain SGD",
        "school lesson: \"who gets the best accuracy?\"",
        _cnn_classic,
        outputs="softmax",
        optimizer="sgd",
        learning_rate=0.01,
        batch_size=64,
        epochs=3,
        validation=5000,
    ),
    Preset(
        "cnn-bn-gap",
        "four Conv3x3 blocks (16/32/64/128, stride 2 from the second) with BatchNorm+ReLU, "
        "global average pooling, logits",
        "batch-norm lesson (reported 92.6% after one epoch with SGD 0.1)",
        _cnn_bn_gap,
        outputs="logits",
        optimizer="sgd",
        learning_rate=0.1,
        batch_size=64,
        epochs=1,
        validation=0.1,
    ),
    Preset(
        "cnn-pool",
        "Conv32, Conv64, MaxPool, Dense 128, softmax; Adadelta",
        "the Keras MNIST CNN example",
        _cnn_pool,
        outputs="softmax",
        optimizer="adadelta",
        learning_rate=1.0,
        batch_size=128,
        epochs=12,
        validation=0.1,
    ),
    Preset(
        "cnn-strided",
        "as cnn-pool but a strided convolution instead of max pooling",
        "the Keras MNIST CNN example, pooling replaced by strides",
        lambda n, shape: _cnn_pool(n, shape, strided=True),
        outputs="softmax",
        optimizer="adadelta",
        learning_rate=1.0,
        batch_size=128,
        epochs=12,
        validation=0.1,
    ),
    Preset(
        "cnn-sign",
        "Conv64-Pool-Conv64-Pool, Dense 512, softmax; Adam with augmentation",
        "Sign-Language-MNIST lesson",
        _cnn_sign,
        outputs="softmax",
        optimizer="adam",
        learning_rate=1e-3,
        batch_size=64,
        epochs=10,
        validation=0.1,
        augment=True,
        augment_params=AugmentParams(rotation=10.0, shift=0.2, shear=0.1, zoom=0.3),
    ),
    Preset(
        "recommended",
        "compact BatchNorm CNN (5x5 stride-2 stem 32, then 32 and 64), Dense 128, Adam with a one-cycle learning rate",
        "InkLab's own default: best accuracy per CPU-minute",
        _recommended,
        outputs="logits",
        optimizer="adam",
        learning_rate=1e-2,
        batch_size=256,
        epochs=3,
        validation=0.05,
        schedule="one-cycle",
    ),
    Preset(
        "recommended-wide",
        "recommended with 48 and 96 filters, batch 128, Adam 3e-3 one-cycle: about twice its CPU time",
        "InkLab's bundled digits model: wider, so pen strokes of unseen writers are read better",
        lambda n, shape: _recommended(n, shape, widths=(48, 96), name="recommended-wide"),
        outputs="logits",
        optimizer="adam",
        learning_rate=3e-3,
        batch_size=128,
        epochs=3,
        validation=0.05,
        schedule="one-cycle",
    ),
)

PRESETS: dict[str, Preset] = {preset.name: preset for preset in _LIST}
DEFAULT_PRESET = "recommended"


def get_preset(name: str) -> Preset:
    """The preset called ``name``, or a TrainingError listing the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise TrainingError(f"unknown preset '{name}' (known: {', '.join(PRESETS)})") from None


def model_summary(model) -> dict:
    """The model's layers as data (for the GUI's table and ``models info``), not printed text.

    Returns ``{"layers": [{"layer", "type", "output_shape", "params"}...], "total": int,
    "trainable": int}``; ``output_shape`` omits the batch dimension.
    """
    rows = []
    for layer in model.layers:
        try:
            shape = tuple(layer.output.shape[1:])
        except (AttributeError, ValueError):
            shape = ()
        rows.append(
            {
                "layer": layer.name,
                "type": type(layer).__name__,
                "output_shape": [int(d) if d is not None else None for d in shape],
                "params": int(layer.count_params()),
            }
        )
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    return {"layers": rows, "total": int(model.count_params()), "trainable": trainable}
