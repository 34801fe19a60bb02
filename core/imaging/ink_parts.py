"""A picture of several characters -> its blobs of ink, and candidate characters -> 28x28.

A picture has no strokes, so each connected blob of ink (8-connected, after the background
and specks are removed exactly as for one character, :func:`core.imaging.images.ink_image`)
stands in for a stroke, and :mod:`core.imaging.segmentation` groups the blobs with the same
rules (the dot of an i, the separate bar of a 5).  Each candidate character is its blobs'
ink alone (other blobs masked out), framed by the MNIST recipe like a single picture.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.errors import DrawingError
from core.imaging.framing import mnist_normalize
from core.imaging.images import ink_image

MIN_BLOB_SHARE = 0.002  # blobs with less ink than this share of the largest one's are specks


def ink_blobs(image: object) -> tuple[np.ndarray, list[np.ndarray], float]:
    """(ink, blobs, scale): the picture's ink, each blob as (n, 2) pixel coordinates (x, y) of
    that ink, and the factor from those pixels to the picture's own."""
    ink, scale = ink_image(image)
    labels, count = label_blobs(ink > 0)
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    sizes[0] = 0
    keep = np.flatnonzero(sizes >= max(2, MIN_BLOB_SHARE * sizes.max()))
    ys, xs = np.nonzero(np.isin(labels, keep))
    owner = labels[ys, xs]
    order = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[order], keep)
    ends = np.append(bounds[1:], len(order))
    blobs = [np.column_stack([xs[order[a:b]], ys[order[a:b]]]).astype(np.float64) for a, b in zip(bounds, ends, strict=True)]
    # Left to right by their first column, so a blob's index is stable for the caller.
    blobs.sort(key=lambda b: (b[:, 0].min(), b[:, 1].min()))
    if not blobs:
        raise DrawingError("image is empty: nothing drawn")
    return ink, blobs, scale


def render_blobs(ink: np.ndarray, blobs: Sequence[np.ndarray], groups: Sequence[Sequence[int]]) -> np.ndarray:
    """The 28x28 input of each group of blobs: their ink alone, cropped and framed (N, 28, 28)."""
    out = np.zeros((len(groups), 28, 28), np.float32)
    for k, group in enumerate(groups):
        pixels = np.concatenate([blobs[i] for i in group]).astype(np.int64)
        x0, y0 = pixels.min(axis=0)
        x1, y1 = pixels.max(axis=0) + 1
        crop = np.zeros((y1 - y0, x1 - x0), np.float32)
        crop[pixels[:, 1] - y0, pixels[:, 0] - x0] = ink[pixels[:, 1], pixels[:, 0]]
        out[k] = mnist_normalize(crop)
    return out


def label_blobs(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """8-connected components of a boolean image: (labels, count), labels 1..count, 0 = background.

    Runs of ink are found row by row with numpy and joined to the overlapping runs of the
    row above (a union-find over runs), then numbered; fast enough for a 1024 px picture of
    a line of writing (thousands of runs).
    """
    h, w = mask.shape
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded, axis=1)
    rows_s, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)  # same row order as the starts (row-major scan)
    n = len(starts)
    parent = np.arange(n)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    row_first = np.searchsorted(rows_s, np.arange(h + 1))
    for r in range(1, h):
        above = range(row_first[r - 1], row_first[r])
        here = range(row_first[r], row_first[r + 1])
        if not len(above) or not len(here):
            continue
        j0 = above.start
        for i in here:
            # Runs of the row above that touch [start - 1, end] (8-connectivity): ends are exclusive.
            j = j0
            while j < above.stop and ends[j] < starts[i]:
                j += 1
            j0 = j
            while j < above.stop and starts[j] <= ends[i]:
                a, b = root(i), root(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
                j += 1
    roots = np.array([root(i) for i in range(n)], np.int64)
    _, numbered = np.unique(roots, return_inverse=True)
    labels = np.zeros((h, w), np.int32)
    for i in range(n):
        labels[rows_s[i], starts[i] : ends[i]] = numbered[i] + 1
    return labels, int(numbered.max() + 1) if n else 0
