"""The training session: one run of one preset on one data set, observable and stoppable.

The GUI and the CLI drive the same :class:`TrainingSession`.  It reports through a plain
Python :class:`TrainingListener` (no Qt): the GUI adapts it to signals, the CLI prints.
Following the Keras habit, the hooks inside ``fit`` stay tiny: a batch hook compares two
clock readings and only builds an event when the ~30-per-second budget allows it, so a
session costs the same as a bare ``model.fit`` (see ``bench/training.py``).

Data flows from the uint8 arrays through ``tf.data``: shuffled *indices* are batched and
each batch is gathered, scaled to [0, 1] and (optionally) augmented on the fly, so there is
never a float copy of the whole data set.

Threads: :meth:`TrainingSession.run` blocks and is meant for a worker thread; ``stop``,
``pause`` and ``resume`` may be called from any thread and take effect within one batch.
Listener methods are called on the training thread.  A Keras model must never be called
from two threads at once, so read ``session.model`` only after ``run`` returned (or from
inside a listener method, which runs between batches).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from core.datasets.dataset import Dataset, Split
from core.errors import DataError, TrainingError
from core.presets import DEFAULT_PRESET, OPTIMIZERS, PRESETS, SCHEDULES, AugmentParams, get_preset

log = logging.getLogger(__name__)

BATCH_EVENTS_PER_S = 30
PREVIEW_SAMPLES = 16

__all__ = [
    "AugmentParams",
    "BatchProgress",
    "EpochResult",
    "RunInfo",
    "RunResult",
    "TrainingConfig",
    "TrainingListener",
    "TrainingSession",
    "augment_images",
    "compile_model",
    "make_tf_dataset",
    "predict_batch",
    "warm_up",
]


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class TrainingConfig:
    """Everything that defines a run.  ``None`` means "the preset's default".

    ``validation`` is a fraction (0 < v < 1), a whole number of samples, or 0 for none.
    ``limit`` keeps only the first N samples of the split: quick runs for a class, tests
    and benchmarks.
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

        With ``n_samples`` (the split's size) the validation size is checked against it;
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
            _check_augment(c.augment_params)
        if not _is_int(c.seed) or c.seed < 0:
            raise TrainingError(f"seed must be a whole number of at least 0, got {c.seed}")
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


def _check_augment(params: AugmentParams | None) -> None:
    if params is None:
        raise TrainingError("augmentation is on but has no parameters")
    limits = {"rotation": (0, 180), "shift": (0, 0.5), "shear": (0, 1), "zoom": (0, 0.9)}
    for key, (low, high) in limits.items():
        value = getattr(params, key)
        if not isinstance(value, (int, float)) or not (low <= value <= high):
            raise TrainingError(f"augmentation {key} must be between {low} and {high}, got {value}")


def validation_count(validation: float | int, n: int) -> int:
    """How many of ``n`` samples the validation setting holds out."""
    if _is_int(validation):
        return int(validation)
    if validation <= 0:
        return 0
    return max(1, round(validation * n))


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class RunInfo:
    """Sent once before the first batch: the shape of the run ahead."""

    epochs: int
    steps_per_epoch: int
    batch_size: int
    train_samples: int
    val_samples: int
    label_names: tuple[str, ...]
    device: str


@dataclass(frozen=True)
class BatchProgress:
    """A (throttled) batch end.  ``loss``/``accuracy`` are running means of the epoch so far.

    ``epoch`` and ``step`` count from 1; ``samples_seen`` counts from the start of the run,
    and ``position`` is the run's progress in epochs (2.5 = half-way through epoch 3), a
    natural x axis for a plot.
    """

    epoch: int
    step: int
    steps: int
    loss: float
    accuracy: float
    samples_seen: int

    @property
    def position(self) -> float:
        return self.epoch - 1 + self.step / self.steps


@dataclass(frozen=True)
class EpochResult:
    """An epoch end (always delivered).  Validation values are None without validation.

    ``preview`` holds the class probabilities of the session's preview samples (see
    :attr:`TrainingSession.preview_images`) after this epoch, or None.
    """

    epoch: int
    epochs: int
    loss: float
    accuracy: float
    val_loss: float | None
    val_accuracy: float | None
    learning_rate: float
    samples_per_s: float
    elapsed_s: float
    eta_s: float
    preview: np.ndarray | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class RunResult:
    """How a run ended: ``status`` is "completed", "stopped" or "failed" (then ``error`` says why)."""

    status: str
    error: str
    history: dict
    elapsed_s: float
    epochs_done: int


class TrainingListener:
    """Override the methods you need; each is called on the training thread.

    Keep them quick (hand the event to another thread or store it): time spent here is
    time the model does not train.
    """

    def on_run_start(self, info: RunInfo) -> None:
        """The run is about to train its first batch."""

    def on_batch_end(self, progress: BatchProgress) -> None:
        """A batch ended (at most ~30 per second; each epoch's last batch always comes)."""

    def on_epoch_end(self, result: EpochResult) -> None:
        """An epoch ended, validation included; every completed epoch is reported."""

    def on_run_end(self, result: RunResult) -> None:
        """The run ended: completed, stopped or failed.  Always called, once."""


def empty_history() -> dict:
    """The history layout: per-epoch lists, and the (throttled) per-batch series."""
    return {
        "epoch": [],
        "loss": [],
        "accuracy": [],
        "val_loss": [],
        "val_accuracy": [],
        "learning_rate": [],
        "samples_per_s": [],
        "elapsed_s": [],
        "batches": {"epoch": [], "step": [], "position": [], "samples_seen": [], "loss": [], "accuracy": []},
    }


# --------------------------------------------------------------------------- tf.data and models


def _normalise(images):
    import tensorflow as tf

    return tf.expand_dims(tf.cast(images, tf.float32) / 255.0, -1)


def _augment(x, seed, params: AugmentParams):
    """Apply one random affine warp per image (rotation, shear, zoom, shift) in a single op.

    One combined transform instead of four Keras layers: one resampling, so less blur and
    less CPU.  Randomness is stateless from ``seed`` so a run is reproducible.
    """
    import tensorflow as tf

    n = tf.shape(x)[0]
    size = tf.cast(tf.shape(x)[1], tf.float32)
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), 5)

    def uniform(i: int, bound: float):
        return tf.random.stateless_uniform([n], seed=seeds[i], minval=-bound, maxval=bound)

    theta = uniform(0, params.rotation * math.pi / 180.0)
    shear = uniform(1, params.shear)
    scale = 1.0 / (1.0 + uniform(2, params.zoom))
    tx = uniform(3, params.shift) * size
    ty = uniform(4, params.shift) * size
    cos, sin = tf.cos(theta), tf.sin(theta)
    # Maps each output pixel to where it samples the input: R(theta) @ Shear @ scale, about the centre.
    a00, a01 = cos * scale, (cos * shear - sin) * scale
    a10, a11 = sin * scale, (sin * shear + cos) * scale
    c = (size - 1.0) / 2.0
    zeros = tf.zeros_like(theta)
    transforms = tf.stack(
        [a00, a01, c - a00 * c - a01 * c + tx, a10, a11, c - a10 * c - a11 * c + ty, zeros, zeros], axis=1
    )
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=x,
        transforms=transforms,
        output_shape=tf.shape(x)[1:3],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )


def make_tf_dataset(
    images: np.ndarray,
    labels: np.ndarray,
    batch_size: int,
    *,
    shuffle: bool = False,
    seed: int = 0,
    augment: AugmentParams | None = None,
):
    """A ``tf.data`` pipeline of (float32 (b, 28, 28, 1) in [0, 1], int labels) batches.

    The uint8 images are held once; shuffling permutes indices, and each batch is gathered,
    scaled and augmented on the fly in parallel with training.
    """
    import tensorflow as tf

    images_t = tf.constant(images)
    labels_t = tf.constant(labels.astype(np.int64, copy=False))
    indices = tf.data.Dataset.range(len(labels))
    if shuffle:
        indices = indices.shuffle(len(labels), seed=seed, reshuffle_each_iteration=True)
    batches = indices.batch(batch_size)
    if augment is None:

        def load(idx):
            return _normalise(tf.gather(images_t, idx)), tf.gather(labels_t, idx)

        ds = batches.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    else:
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)

        def load_augmented(idx, pair):
            x = _augment(_normalise(tf.gather(images_t, idx)), pair, augment)
            return x, tf.gather(labels_t, idx)

        ds = tf.data.Dataset.zip((batches, seeds)).map(
            load_augmented, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True
        )
    return ds.prefetch(tf.data.AUTOTUNE)


def augment_images(images: np.ndarray, params: AugmentParams, seed: int = 0) -> np.ndarray:
    """Augmented copies of a few uint8 images as float32 (N, 28, 28) in [0, 1].

    For the GUI's preview strip: shows exactly what the training pipeline would feed.
    """
    import tensorflow as tf

    x = _augment(_normalise(tf.constant(images)), tf.constant([seed, 0], tf.int64), params)
    return np.clip(x.numpy()[..., 0], 0.0, 1.0)


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


def predict_batch(model, images: np.ndarray, outputs: str | None = None, batch_size: int = 512) -> np.ndarray:
    """Class probabilities (N, n_classes) float32 for uint8 (N, 28, 28) images.

    Float images are taken as already in [0, 1].  Calls ``model(x, training=False)`` per
    batch rather than ``model.predict``: no per-call set-up cost, so it is cheap for a
    strip of 16 samples as well as for a whole test set.  ``outputs`` ("logits" or
    "softmax") says whether to apply a softmax; None guesses from the last layer.
    """
    import tensorflow as tf

    from core.presets import model_outputs

    if outputs is None:
        outputs = model_outputs(model)
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4:
        raise DataError(f"images must be (N, 28, 28) or (N, 28, 28, 1), got shape {images.shape}")
    chunks = []
    for start in range(0, len(images), batch_size):
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


def split_validation(split: Split, validation: float | int, seed: int) -> tuple[Split, Split | None]:
    """Hold out a seeded random validation part of ``split``: ``(train, validation or None)``.

    When the split knows who made each sample (``groups``), whole writers are held out so
    validation measures how the model does on handwriting it has never seen.
    """
    n = len(split)
    n_val = validation_count(validation, n)
    if n_val <= 0:
        return split, None
    rng = np.random.default_rng(seed)
    if split.groups is not None:
        groups, sizes = np.unique(split.groups, return_counts=True)
        order = rng.permutation(len(groups))
        # The fewest whole writers whose samples reach the requested validation size.
        enough = int(np.searchsorted(np.cumsum(sizes[order]), n_val)) + 1
        held = groups[order[:enough]]
        mask = np.isin(split.groups, held)
        if mask.all():
            mask[np.flatnonzero(mask)[-1]] = False
    else:
        mask = np.zeros(n, bool)
        mask[rng.permutation(n)[:n_val]] = True
    return split.take(np.flatnonzero(~mask)), split.take(np.flatnonzero(mask))


# --------------------------------------------------------------------------- the session


class TrainingSession:
    """One training run: prepare, run (blocking), stop/pause/resume from anywhere, evaluate, save.

    ``data`` may be an already loaded :class:`Dataset` (the GUI has one); otherwise
    ``config.dataset`` is loaded on :meth:`prepare`.  ``batch_interval`` is the least time
    between two batch events.  ``preview`` validation samples (0 for none) are predicted at
    each epoch end and sent in :attr:`EpochResult.preview`.
    """

    def __init__(
        self,
        config: TrainingConfig,
        listener: TrainingListener | None = None,
        data: Dataset | None = None,
        *,
        batch_interval: float = 1.0 / BATCH_EVENTS_PER_S,
        preview: int = PREVIEW_SAMPLES,
    ) -> None:
        self.config = config.validate()
        self.listener = listener or TrainingListener()
        self.batch_interval = batch_interval
        self.preview_count = preview
        self._data = data
        self.dataset: Dataset | None = None
        self.train_split: Split | None = None
        self.val_split: Split | None = None
        self.preview_images: np.ndarray | None = None
        self.preview_labels: np.ndarray | None = None
        self.model = None
        self.outputs = get_preset(self.config.preset).outputs
        self.history = empty_history()
        self.result: RunResult | None = None
        self.device = ""
        self._stop = threading.Event()
        self._unpaused = threading.Event()
        self._unpaused.set()
        self._holding = threading.Event()
        self._started = False
        self._prepared = False
        self._lock = threading.Lock()

    # ---- control, safe from any thread

    def stop(self) -> None:
        """End the run after the current batch (also when paused); the model stays usable."""
        self._stop.set()
        self._unpaused.set()

    def pause(self) -> None:
        """Hold the run after the current batch until :meth:`resume` (or :meth:`stop`)."""
        if not self._stop.is_set():
            self._unpaused.clear()

    def resume(self) -> None:
        """Let a paused run go on."""
        self._unpaused.set()

    @property
    def paused(self) -> bool:
        return not self._unpaused.is_set()

    @property
    def holding(self) -> bool:
        """True while a paused run is actually held (the current batch has finished)."""
        return self._holding.is_set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    # ---- set-up

    @property
    def label_names(self) -> tuple[str, ...]:
        return self.dataset.label_names if self.dataset else ()

    def prepare(self) -> None:
        """Load the data, hold out validation, build and compile the model.

        Raises an InkLabError when the data set is missing or the settings do not fit it.
        :meth:`run` calls it when needed; call it first to report such errors early.
        """
        with self._lock:
            if self._prepared:
                return
            c = self.config
            if self._data is None:
                from core.datasets import load_dataset

                self._data = load_dataset(c.dataset)
            self.dataset = self._data
            split = self.dataset.split(c.split)
            if c.limit:
                split = split.take(slice(0, c.limit))
            c.validate(n_samples=len(split))
            if len(split) < 1:
                raise TrainingError(f"data set '{self.dataset.name}' has no samples in '{c.split}'")
            self.train_split, self.val_split = split_validation(split, c.validation, c.seed)
            if self.val_split is not None and self.preview_count > 0:
                pick = np.linspace(0, len(self.val_split) - 1, min(self.preview_count, len(self.val_split)))
                pick = np.unique(pick.astype(int))
                self.preview_images = self.val_split.images[pick]
                self.preview_labels = self.val_split.labels[pick]
            import keras

            from core.hardware import describe_device

            self.device = describe_device()
            keras.utils.set_random_seed(c.seed)
            self.model = get_preset(c.preset).build(self.dataset.n_classes)
            compile_model(self.model, c, self.steps_per_epoch, self.outputs)
            self._prepared = True

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.train_split) / self.config.batch_size) if self.train_split else 0

    # ---- the run

    def run(self) -> RunResult:
        """Train (blocking) and return how it ended.  Never raises for a failed run.

        Errors — bad data, out of memory, a listener that throws — end the run with status
        "failed" and the message; the traceback goes to the log.
        """
        if self._started:
            raise TrainingError("this training session has already run; start a new one")
        self._started = True
        self._t0 = time.monotonic()
        self._paused_s = 0.0
        self._epochs_done = 0
        try:
            self.prepare()
            c = self.config
            train_ds = make_tf_dataset(
                self.train_split.images,
                self.train_split.labels,
                c.batch_size,
                shuffle=True,
                seed=c.seed,
                augment=c.augment_params if c.augment else None,
            )
            self._val_ds = (
                make_tf_dataset(self.val_split.images, self.val_split.labels, max(c.batch_size, 256))
                if self.val_split is not None
                else None
            )
            log.info("training %s on %s (%s)", c.preset, self.dataset.name, self.device)
            self._t0 = time.monotonic()
            self.listener.on_run_start(
                RunInfo(
                    epochs=c.epochs,
                    steps_per_epoch=self.steps_per_epoch,
                    batch_size=c.batch_size,
                    train_samples=len(self.train_split),
                    val_samples=len(self.val_split) if self.val_split is not None else 0,
                    label_names=self.label_names,
                    device=self.device,
                )
            )
            if not self._stop.is_set():
                self.model.fit(
                    train_ds, epochs=c.epochs, verbose=0, shuffle=False, callbacks=[_make_bridge(self)]
                )
            status, error = ("stopped" if self._epochs_done < c.epochs else "completed"), ""
        except Exception as err:  # a failed run is reported, never raised
            log.exception("training run failed")
            status, error = "failed", _describe(err)
        self.result = RunResult(
            status=status,
            error=error,
            history=self.history,
            elapsed_s=time.monotonic() - self._t0 - self._paused_s,
            epochs_done=self._epochs_done,
        )
        try:
            self.listener.on_run_end(self.result)
        except Exception:
            log.exception("training listener failed in on_run_end")
        return self.result

    # ---- hooks called by the Keras callback on the training thread (keep them tiny)

    def _epoch_begin(self, epoch: int) -> None:
        self._epoch = epoch
        self._epoch_t0 = time.monotonic()
        self._epoch_paused_s = 0.0
        self._last_event = 0.0
        self._steps_done = 0

    def _batch_end(self, step: int, logs: dict | None) -> None:
        self._steps_done = step + 1
        steps = self.steps_per_epoch
        now = time.monotonic()
        if self._steps_done == steps or now - self._last_event >= self.batch_interval:
            self._last_event = now
            self._emit_batch(self._epoch, self._steps_done, steps, logs or {})
        if not self._unpaused.is_set():
            held = time.monotonic()
            self._holding.set()
            self._unpaused.wait()
            self._holding.clear()
            waited = time.monotonic() - held
            self._paused_s += waited
            self._epoch_paused_s += waited
        if self._stop.is_set():
            self.model.stop_training = True

    def _emit_batch(self, epoch: int, step: int, steps: int, logs: dict) -> None:
        n_train = len(self.train_split)
        seen = (epoch - 1) * n_train + min(step * self.config.batch_size, n_train)
        progress = BatchProgress(
            epoch=epoch,
            step=step,
            steps=steps,
            loss=float(logs.get("loss", math.nan)),
            accuracy=float(logs.get("accuracy", math.nan)),
            samples_seen=seen,
        )
        series = self.history["batches"]
        series["epoch"].append(epoch)
        series["step"].append(step)
        series["position"].append(progress.position)
        series["samples_seen"].append(seen)
        series["loss"].append(progress.loss)
        series["accuracy"].append(progress.accuracy)
        self.listener.on_batch_end(progress)

    def _epoch_end(self, epoch: int, logs: dict | None) -> None:
        if self._steps_done < self.steps_per_epoch:
            return  # stopped mid-epoch: not a finished epoch; its batches are in the series
        logs = logs or {}
        c = self.config
        train_s = time.monotonic() - self._epoch_t0 - self._epoch_paused_s
        val_loss = val_acc = None
        preview = None
        if self._val_ds is not None and not self._stop.is_set():
            scores = self.model.evaluate(self._val_ds, verbose=0, return_dict=True)
            val_loss, val_acc = float(scores["loss"]), float(scores["accuracy"])
        if self.preview_images is not None and not self._stop.is_set():
            preview = predict_batch(self.model, self.preview_images, self.outputs)
        self._epochs_done = epoch
        elapsed = time.monotonic() - self._t0 - self._paused_s
        eta = elapsed / epoch * (c.epochs - epoch)
        result = EpochResult(
            epoch=epoch,
            epochs=c.epochs,
            loss=float(logs.get("loss", math.nan)),
            accuracy=float(logs.get("accuracy", math.nan)),
            val_loss=val_loss,
            val_accuracy=val_acc,
            learning_rate=_current_lr(self.model),
            samples_per_s=len(self.train_split) / train_s if train_s > 0 else 0.0,
            elapsed_s=elapsed,
            eta_s=eta,
            preview=preview,
        )
        h = self.history
        h["epoch"].append(epoch)
        h["loss"].append(result.loss)
        h["accuracy"].append(result.accuracy)
        h["val_loss"].append(val_loss)
        h["val_accuracy"].append(val_acc)
        h["learning_rate"].append(result.learning_rate)
        h["samples_per_s"].append(result.samples_per_s)
        h["elapsed_s"].append(elapsed)
        self.listener.on_epoch_end(result)

    # ---- after the run

    def evaluate(self, split: str = "test", limit: int | None = None):
        """Evaluate the trained model on a split of the data set (default: test).

        ``split="validation"`` uses the samples held out of this run.  Call after
        :meth:`run` returned: the model must not be used by two threads.
        """
        from core.evaluation import evaluate

        if self.model is None or self.dataset is None:
            raise TrainingError("there is no trained model yet: run the session first")
        if split == "validation":
            if self.val_split is None or not len(self.val_split):
                raise TrainingError("this run held out no validation samples to evaluate on")
            data = self.val_split
        else:
            data = self.dataset.split(split)
        if limit:
            data = data.take(slice(0, limit))
        return evaluate(self.model, data, self.label_names, self.outputs)

    def card_info(self, evaluation=None) -> dict:
        """What the model card records about this run (data, preset, settings, history, test)."""
        c = self.config
        return {
            "dataset": {
                "name": self.dataset.name if self.dataset else c.dataset,
                "split": c.split,
                "train_samples": len(self.train_split) if self.train_split is not None else 0,
                "val_samples": len(self.val_split) if self.val_split is not None else 0,
                "test_samples": evaluation.samples if evaluation is not None else None,
            },
            "preset": c.preset,
            "training": c.as_dict(),
            "status": self.result.status if self.result else "not run",
            "epochs_done": self.result.epochs_done if self.result else 0,
            "elapsed_s": round(self.result.elapsed_s, 2) if self.result else 0.0,
            "device": self.device,
            "history": self.history,
            "test": evaluation.metrics() if evaluation is not None else None,
        }

    def save(self, name: str | None = None, evaluation=None, overwrite: bool = False):
        """Save the model and its card to the library; returns the :class:`ModelCard`."""
        from core import library

        if self.model is None:
            raise TrainingError("there is no trained model to save: run the session first")
        name = name or self.config.name or library.default_name(self.config.preset, self.config.dataset)
        return library.save_model(
            self.model,
            name,
            label_names=self.label_names,
            outputs=self.outputs,
            info=self.card_info(evaluation),
            overwrite=overwrite,
        )


def _make_bridge(session: TrainingSession):
    """The Keras callback that forwards to the session; defined lazily to keep Keras unimported."""
    import keras

    class _Bridge(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            session._epoch_begin(epoch + 1)

        def on_train_batch_end(self, batch, logs=None):
            session._batch_end(batch, logs)

        def on_epoch_end(self, epoch, logs=None):
            session._epoch_end(epoch + 1, logs)

    return _Bridge()


def _current_lr(model) -> float:
    try:
        return float(np.asarray(model.optimizer.learning_rate))
    except Exception:  # a display value only
        return math.nan


def _describe(err: BaseException) -> str:
    """One line for a failed run: InkLab errors as they are, others with their type."""
    from core.errors import InkLabError

    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    if isinstance(err, InkLabError):
        return text
    name = type(err).__name__
    if "ResourceExhausted" in name or isinstance(err, MemoryError):
        return f"out of memory ({text or name}); try a smaller batch size or model"
    return f"{name}: {text}" if text else name


# ---- one-time start-up of TensorFlow's training machinery

_WARM_LOCK = threading.Lock()
_warmed = False


def warm_up() -> bool:
    """Pay TensorFlow's one-time training set-up now, on a tiny throw-away run; True if it ran.

    The first fit, validation and prediction in a process do one-off C++ set-up that holds
    the GIL for a few hundred ms at a time.  In the app that lands in the first seconds of
    the first run, exactly when a class is watching the plots start, and freezes the window
    (measured: 260-590 ms without this warm-up, under 40 ms with it; bench/gui_training.py).  The
    Training tab calls this on a background thread while the user is still choosing
    settings.  Runs once per process; later calls return False at once.  The model and data
    are private to this call, so it never touches a model another thread uses.
    """
    global _warmed
    with _WARM_LOCK:
        if _warmed:
            return False
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, size=(96, 28, 28), dtype=np.uint8)
        labels = np.arange(96, dtype=np.int64) % 2
        data = Dataset("warm-up", ("0", "1"), {"train": Split(images, labels), "test": Split(images[:32], labels[:32])})
        config = TrainingConfig.for_preset("dense-small", dataset=data.name, epochs=1, batch_size=32,
                                           validation=0.25, seed=0)
        session = TrainingSession(config, TrainingListener(), data=data)
        session.prepare()
        predict_batch(session.model, images[:4], session.outputs)
        if session.run().status == "failed":  # logged by run(); the real run will say why
            return False
        session.evaluate("test")
        _warmed = True
        return True
