"""The ``tf.data`` input pipeline: uint8 arrays -> shuffled, scaled, augmented batches.

Shuffled *indices* are batched and each batch is gathered, scaled to [0, 1] and (optionally)
augmented on the fly, so there is never a float copy of the whole data set.  Also the
seeded hold-out of validation samples.  TensorFlow is imported inside the functions.
"""

from __future__ import annotations

import math

import numpy as np

from core.datasets.dataset import Split
from core.models.presets import AugmentParams
from core.training.config import validation_count


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
    shard: tuple[int, int] | None = None,
    drop_remainder: bool = False,
):
    """A ``tf.data`` pipeline of (float32 (b, 28, 28, 1) in [0, 1], int labels) batches.

    The uint8 images are held once; shuffling permutes indices, and each batch is gathered,
    scaled and augmented on the fly in parallel with training.  ``shard=(count, index)``
    keeps every count-th shuffled sample from ``index`` on (one worker's share of a
    multi-worker run: the same seeded shuffle everywhere, so the shards are disjoint).
    """
    import tensorflow as tf

    images_t = tf.constant(images)
    labels_t = tf.constant(labels.astype(np.int64, copy=False))
    indices = tf.data.Dataset.range(len(labels))
    if shuffle:
        indices = indices.shuffle(len(labels), seed=seed, reshuffle_each_iteration=True)
    if shard is not None:
        indices = indices.shard(*shard)
    batches = indices.batch(batch_size, drop_remainder=drop_remainder)
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
