"""Fine-tuning: a trained model (bundled or from the library) adapted to new drawings of its classes.

``train --from MODEL``, the Training tab's "Start from: a model" and the Draw tab's "Teach it
my writing" all come here.  The base model keeps everything a user relies on: its classes
(in its order), its "not a character" output, its input recipe and its card's ``reject``
section; only its weights move.

- :func:`class_indices` maps a data set's labels to the model's classes *by name* (letters
  case-merged when the model's classes are the upper-case letters A-Z, as the bundled letters
  model's are); a label the model does not have is one :class:`~core.errors.TrainingError`
  naming it.
- :func:`trainable_copy` clones the base (its weights copied, the original left alone) with
  the batch norms frozen in inference mode, and with ``what="head"`` every layer but the two
  Dense layers frozen.
- :func:`adapt` runs the steps (progress, cancel) and returns the adapted model, its weights
  mixed with the base's (:func:`mix_with_base`): ``mix`` of the way from the base to the
  fine-tuned weights.  Fine-tuned all the way, one person's round makes the model forget what
  it knew of letters the round shows once; part of the way keeps most of the gain and loses
  less (weight-space ensembling, Wortsman et al., "Robust fine-tuning of zero-shot models",
  CVPR 2022).  The Training tab's "Start from" run mixes the same way when it ends.

The defaults (:class:`FinetuneSettings`) were chosen on writers held out of the bundled
models' training (``python -m bench.finetune``, README "Teach it your handwriting"): they
must work for one person's 50 drawings and for a data set of 50,000.  TensorFlow is imported
inside the functions.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.errors import TrainingError
from core.labels import LETTERS, LOWERCASE, NOT_A_CHARACTER
from core.models.presets import AugmentParams
from core.progress import CancelToken, ProgressCallback, no_progress

TRAIN_WHAT = ("all", "head")
#: The augmentation fine-tuning uses by default (``--no-augment`` turns it off).
AUGMENT = AugmentParams(rotation=8.0, shift=0.06, shear=0.15, zoom=0.08)


@dataclass(frozen=True)
class FinetuneSettings:
    """How a model is adapted.  ``steps`` None: :func:`default_steps` for the number of drawings."""

    what: str = "all"
    learning_rate: float = 1e-3
    steps: int | None = None
    batch_size: int = 32
    augment: AugmentParams | None = AUGMENT  # measured with the mix: on (README)
    rejects: float = 0.1  # generated non-characters mixed in, as a share of the drawings
    seed: int = 0
    mix: float = 0.6  # share of the way from the base's weights to the fine-tuned ones

    def check(self) -> FinetuneSettings:
        if self.what not in TRAIN_WHAT:
            raise TrainingError(f"train must be one of {', '.join(TRAIN_WHAT)}, got {self.what!r}")
        if isinstance(self.learning_rate, bool) or not isinstance(self.learning_rate, (int, float)) or not (
                math.isfinite(self.learning_rate) and 0 < self.learning_rate <= 1):
            raise TrainingError(f"learning rate must be a number above 0 and at most 1, got {self.learning_rate}")
        if self.steps is not None and (not isinstance(self.steps, int) or self.steps < 1):
            raise TrainingError(f"steps must be a whole number of at least 1, got {self.steps}")
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise TrainingError(f"batch size must be a whole number of at least 1, got {self.batch_size}")
        if isinstance(self.mix, bool) or not isinstance(self.mix, (int, float)) or not 0 < self.mix <= 1:
            raise TrainingError(f"mix must be a number above 0 and at most 1, got {self.mix}")
        return self

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["augment"] = self.augment.as_dict() if self.augment else None
        return data


#: Fewest and most steps :func:`default_steps` chooses; between them, EPOCHS passes over the data.
MIN_STEPS, MAX_STEPS, EPOCHS = 300, 6000, 3


def default_steps(n: int, batch_size: int = 32) -> int:
    """Steps for ``n`` drawings: :data:`EPOCHS` passes, at least :data:`MIN_STEPS`, at most :data:`MAX_STEPS`."""
    return int(min(MAX_STEPS, max(MIN_STEPS, math.ceil(EPOCHS * n / batch_size))))


def class_indices(labels: Sequence[str], model_classes: Sequence[str], model_name: str = "the model") -> np.ndarray:
    """Each label's index among ``model_classes`` (matched by name), or one TrainingError naming the first unknown.

    When the model's classes are the letters A-Z (case merged), "a" is "A".  The model's
    "not a character" output is a class like any other here.
    """
    index = {name: i for i, name in enumerate(model_classes)}
    if set(LETTERS) <= set(model_classes):
        index.update({lower: index[upper] for lower, upper in zip(LOWERCASE, LETTERS, strict=True) if lower not in index})
    unknown = [label for label in dict.fromkeys(labels) if label not in index]
    if unknown:
        shown = ", ".join(c for c in model_classes if c != NOT_A_CHARACTER)
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise TrainingError(f"label {unknown[0]!r}{more} is not one of {model_name}'s classes ({shown})")
    return np.array([index[label] for label in labels], np.int64)


def trainable_copy(base, what: str = "all"):
    """A copy of the Keras model ``base`` to fine-tune: batch norms frozen (inference mode), and
    with ``what="head"`` everything before the first Dense layer frozen too."""
    import keras

    model = keras.models.clone_model(base)
    model.set_weights(base.get_weights())
    dense_seen = False
    for layer in model.layers:
        dense_seen = dense_seen or isinstance(layer, keras.layers.Dense)
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
        elif what == "head" and not dense_seen:
            layer.trainable = False
    return model


def _batches(images: np.ndarray, labels: np.ndarray, settings: FinetuneSettings):
    from core.training.pipeline import make_tf_dataset

    batch = min(settings.batch_size, len(labels))
    ds = make_tf_dataset(images, labels, batch, shuffle=True, seed=settings.seed, augment=settings.augment,
                         drop_remainder=True)
    return ds.repeat()


def with_rejects(images: np.ndarray, labels: np.ndarray, reject_index: int | None, share: float,
                 seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The drawings with ``share`` as many generated non-characters (class ``reject_index``) added."""
    if reject_index is None or share <= 0:
        return images, labels
    from core.training.reject import non_characters

    n = max(8, round(share * len(labels)))
    pool = non_characters(max(n, 256), seed)
    pick = np.random.default_rng(seed).choice(len(pool), n, replace=n > len(pool))
    return (np.concatenate([images, pool[pick]]),
            np.concatenate([labels, np.full(n, reject_index, np.int64)]))


def adapt(base, outputs: str, images: np.ndarray, labels: np.ndarray, settings: FinetuneSettings | None = None,
          *, reject_index: int | None = None, progress: ProgressCallback = no_progress,
          cancel: CancelToken | None = None):
    """``base`` fine-tuned on ``images`` (uint8 N x 28 x 28) with ``labels`` (indices of its classes).

    Returns a new Keras model; ``base`` is not changed.  ``progress(step, steps, message)`` is
    told every few steps and ``cancel`` checked as often (a cancelled run raises
    :class:`~core.progress.Cancelled`).  ``reject_index`` is the base's "not a character"
    output, which keeps seeing non-characters so it keeps its meaning.
    """
    import keras

    settings = (settings or FinetuneSettings()).check()
    if cancel is not None:
        cancel.raise_if_cancelled()
    if len(labels) == 0:
        raise TrainingError("there are no drawings to learn from")
    steps = settings.steps or default_steps(len(labels), settings.batch_size)
    images, labels = with_rejects(images, labels, reject_index, settings.rejects, settings.seed)
    keras.utils.set_random_seed(settings.seed)
    model = trainable_copy(base, settings.what)
    model.compile(optimizer=keras.optimizers.Adam(settings.learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=outputs == "logits"))
    ds = _batches(images, labels, settings)
    model.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False, callbacks=[_steps_bridge(steps, progress, cancel)])
    if cancel is not None:
        cancel.raise_if_cancelled()
    mix_with_base(model, base, settings.mix)
    return model


def mix_with_base(model, base, mix: float) -> None:
    """Set ``model``'s weights ``mix`` of the way from ``base``'s to its own (1: unchanged).

    ``model`` is a :func:`trainable_copy` of ``base``: the same layers, so the same weights in
    the same order (the frozen batch norms' statistics are equal in both and stay so).
    """
    if mix >= 1:
        return
    model.set_weights([(1.0 - mix) * b + mix * m for b, m in zip(base.get_weights(), model.get_weights(), strict=True)])


def _steps_bridge(steps: int, progress: ProgressCallback, cancel: CancelToken | None):
    """A Keras callback: ``progress`` every few steps, and a stop at the next step once ``cancel`` is set."""
    import keras

    every = max(1, steps // 50)
    message = "Adapting the model"

    class _Bridge(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            progress(0, steps, message)

        def on_train_batch_end(self, batch, logs=None):
            done = batch + 1
            if done % every == 0 or done == steps:
                progress(done, steps, message)
            if cancel is not None and cancel.cancelled:
                self.model.stop_training = True

    return _Bridge()
