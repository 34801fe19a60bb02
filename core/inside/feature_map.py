"""The map of what a model learned: test samples placed by what its last layer reads.

The features the model's last (output) layer reads, for ~2,000 test samples, are projected
to 2-D by PCA (numpy's SVD; the first two principal axes), one colour per class.  A drawing
is placed on the same map with the same projection, so a user sees their "4" sitting among
the 9s.  PCA is linear and fixed once fitted: moving the drawing's marker is one small
matrix product.  The samples come from the test split of the set the model was trained on,
or, when that set is not here (the bundled models learned from a mix), from a set on this
machine with the model's classes.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np

from core.errors import DataError
from core.progress import CancelToken, ProgressCallback, no_progress

SAMPLES = 2000
_SEED = 25  # which samples: fixed, so the map of a model is the same every time
# Sets to try, in order, for a model whose own training set is not here (by its classes).
_FALLBACK_SETS = ("mnist", "unipen-digits", "pendigits", "unipen-letters", "emnist-letters", "unipen-upper")


@dataclass(frozen=True)
class FeatureMap:
    """``points`` (N, 2) of the samples (``labels``, ``images``) and the projection that made them."""

    model: str
    dataset: str
    label_names: tuple[str, ...]
    points: np.ndarray
    labels: np.ndarray
    images: np.ndarray  # uint8 (N, 28, 28): what hovering shows
    indices: np.ndarray  # each sample's index in the test split
    mean: np.ndarray
    axes: np.ndarray  # (2, features)
    explained: tuple[float, float]  # share of the features' variance along each axis

    def project(self, features: np.ndarray) -> np.ndarray:
        """Where feature vectors (features,) or (N, features) fall on the map: (2,) or (N, 2)."""
        return (np.asarray(features, np.float32) - self.mean) @ self.axes.T

    def neighbourhood(self, point: np.ndarray, k: int = 15) -> tuple[int, int]:
        """(the class most of the ``k`` samples nearest ``point`` belong to, how many of them do)."""
        nearest = np.argsort(((self.points - np.asarray(point, np.float32)) ** 2).sum(axis=1))[:k]
        counts = np.bincount(self.labels[nearest], minlength=len(self.label_names))
        among = int(np.argmax(counts))
        return among, int(counts[among])

    def nearest(self, point: np.ndarray) -> int:
        """The sample closest to ``point`` (map units)."""
        return int(np.argmin(((self.points - np.asarray(point, np.float32)) ** 2).sum(axis=1)))


def principal_axes(features: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """(mean, the first two principal axes (2, D), their shares of the variance)."""
    x = np.asarray(features, np.float64)
    mean = x.mean(axis=0)
    _, singular, vt = np.linalg.svd(x - mean, full_matrices=False)
    variance = singular**2
    total = float(variance.sum()) or 1.0
    axes = vt[:2]
    if len(axes) < 2:  # a single feature: the map is a line
        axes = np.vstack([axes, np.zeros_like(axes)])
    # Sign convention (SVD's is arbitrary): the larger end of each axis points positive.
    signs = np.sign(axes[np.arange(2), np.abs(axes).argmax(axis=1)])
    axes = axes * np.where(signs == 0, 1, signs)[:, None]
    shares = (float(variance[0] / total), float(variance[1] / total) if len(variance) > 1 else 0.0)
    return mean.astype(np.float32), axes.astype(np.float32), shares


def choose_samples(card, label_names: list[str], progress: ProgressCallback = no_progress,
                   cancel: CancelToken | None = None, n: int = SAMPLES):
    """(set name, images uint8, labels, indices) of up to ``n`` test samples with the model's classes.

    ``card`` is the model's :class:`core.models.card.ModelCard`: its own data set is tried first.
    """
    from core.datasets.catalogue import catalogue, find, locate
    from core.datasets.memory_cache import load_shared

    own = card.dataset
    wanted = tuple(label_names)
    names = [own] if own else []
    names += [name for name in _FALLBACK_SETS if name not in names]
    names += [spec.name for spec in catalogue() if spec.name not in names]
    for name in names:
        try:
            spec = find(name)
        except DataError:
            continue
        if tuple(spec.label_names) != wanted or locate(spec) is None:
            continue
        dataset = load_shared(name, progress, cancel)
        split = dataset.splits.get("test") or dataset.splits.get("train")
        if split is None or not len(split):
            continue
        order = np.random.default_rng(_SEED).permutation(len(split))[:n]
        order.sort()
        return name, split.images[order], split.labels[order], order
    raise DataError(
        f"no data set with this model's {len(wanted)} classes is on this machine to draw its map "
        f"(download or import one with the classes {', '.join(wanted[:5])}…)"
    )


_maps: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_maps_lock = threading.Lock()


def cached(recognizer) -> FeatureMap | None:
    """The map already built for this loaded model, or None (never builds: safe on the GUI thread)."""
    with _maps_lock:
        return _maps.get(recognizer)


def build(recognizer, progress: ProgressCallback = no_progress, cancel: CancelToken | None = None,
          n: int = SAMPLES) -> FeatureMap:
    """The map of ``recognizer``'s model (loads the samples, reads their features, fits PCA), kept with it."""
    from core.inside.probe import probe_for

    done = cached(recognizer)
    if done is not None:
        return done

    probe = probe_for(recognizer)
    name, images, labels, indices = choose_samples(recognizer.card, recognizer.label_names, progress, cancel, n)
    features = probe.features(images, progress, cancel)
    mean, axes, explained = principal_axes(features)
    points = ((features - mean) @ axes.T).astype(np.float32)
    made = FeatureMap(recognizer.name, name, tuple(recognizer.label_names), points, labels.astype(np.int64),
                      images, indices, mean, axes, explained)
    with _maps_lock:
        _maps[recognizer] = made
    return made
