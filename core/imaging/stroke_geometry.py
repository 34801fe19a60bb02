"""Measuring strokes for grouping them into characters (:mod:`core.imaging.segmentation`).

Boxes of strokes, and each stroke resampled every ``step`` of arc length so that distances
between strokes are measured alike whatever the input's point density.
"""

from __future__ import annotations

import numpy as np


def box(points: np.ndarray) -> np.ndarray:
    """(x0, y0, x1, y1) of a stroke's points (or a blob's pixels)."""
    xy = points.reshape(len(points), -1)[:, :2]
    return np.concatenate([xy.min(axis=0), xy.max(axis=0)])


def union_box(boxes: np.ndarray) -> np.ndarray:
    """The box around several (n, 4) boxes."""
    return np.concatenate([boxes[:, :2].min(axis=0), boxes[:, 2:].max(axis=0)])


class Lines:
    """Each stroke resampled for measuring distances (:func:`decimated`), made when first needed."""

    def __init__(self, strokes: list, step: float, paths: bool, y_up: bool) -> None:
        self._strokes, self._step, self._paths, self._y_up = strokes, step, paths, y_up
        self._made: dict[int, np.ndarray] = {}

    def __getitem__(self, i: int) -> np.ndarray:
        if i not in self._made:
            line = decimated(np.asarray(self._strokes[i], np.float64), self._step, self._paths)
            if self._y_up:
                line[:, 1] *= -1
            self._made[i] = line
        return self._made[i]


def ink_distance(a: np.ndarray, b: np.ndarray) -> float:
    """The smallest distance between the points of two (decimated) strokes."""
    return float(np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2).min()))


def decimated(points: np.ndarray, step: float, path: bool = True) -> np.ndarray:
    """A stroke's path (x, y) resampled every ``step`` of arc length, both ends kept.

    Dense pad input gets fewer points, a sparse straight line more, so distances between
    strokes are measured alike.  A blob of pixels (not a path) keeps one point per
    ``step``-sized cell.
    """
    xy = points.reshape(len(points), -1)[:, :2].astype(np.float64)
    if not path:
        return np.unique(np.floor(xy / step), axis=0) * step
    if len(xy) < 2:
        return xy.copy()
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
    at = np.linspace(0.0, arc[-1], max(2, int(arc[-1] / step) + 2))
    return np.column_stack([np.interp(at, arc, xy[:, 0]), np.interp(at, arc, xy[:, 1])])
