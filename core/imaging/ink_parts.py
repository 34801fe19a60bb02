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
WIDE = 1.3  # a blob wider than this many character widths is taken for touching characters and cut
CUT_SPACING = 0.5  # cuts at least this many character widths apart, and from the blob's ends
CUT_INK = 1.0  # a cut goes through a column with at most the blob's median column ink (fold 0: 0.5 cut too little)


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


def line_height(blobs: list[np.ndarray]) -> float:
    """The line's character height: the median height of the blobs at least 0.35 of the tallest's."""
    heights = np.array([float(np.ptp(b[:, 1])) for b in blobs])
    return max(1.0, float(np.median(heights[heights >= 0.35 * heights.max()])))


def split_touching(blobs: list[np.ndarray], height: float) -> tuple[list[np.ndarray], list[int]]:
    """Blobs wider than :data:`WIDE` character widths cut where their ink is thinnest (touching characters).

    The character width is the blobs' median width, between half and all of the line's
    ``height``.  A blob's columns of ink are counted; the cuts go through the columns of least
    ink (local minima at most :data:`CUT_INK` of its median column), :data:`CUT_SPACING`
    character widths apart, about one per character width.  Returns the pieces and, for each, the index of its blob: the
    reader still judges whether the pieces of a blob are one character (a wide 2, an M) and
    reads them whole when the model finds that likelier (:func:`core.models.reading.read_image`).
    """
    out: list[np.ndarray] = []
    origin: list[int] = []
    widths = [float(b[:, 0].max() - b[:, 0].min() + 1) for b in blobs]
    width = float(np.clip(np.median(widths), 0.5 * height, height))
    for index, blob in enumerate(blobs):
        x0, x1 = blob[:, 0].min(), blob[:, 0].max()
        cuts: list[int] = []
        if x1 - x0 + 1 > WIDE * width:
            columns = np.bincount((blob[:, 0] - x0).astype(np.intp), minlength=int(x1 - x0 + 1)).astype(np.float64)
            cuts = _cuts(np.convolve(columns, np.ones(3) / 3, mode="same"), width)
        piece = np.searchsorted(np.asarray(cuts, np.float64) + x0, blob[:, 0], side="right")
        for k in range(len(cuts) + 1):
            if (piece == k).any():
                out.append(blob[piece == k])
                origin.append(index)
    return out, origin


def _cuts(profile: np.ndarray, width: float) -> list[int]:
    """Where to cut a blob with this column ``profile``: the thinnest columns, spaced apart."""
    spacing = max(2, int(CUT_SPACING * width))
    limit = CUT_INK * float(np.median(profile[profile > 0]))
    inner = np.arange(spacing, len(profile) - spacing)
    low = [int(c) for c in inner if profile[c] <= limit
           and profile[c] <= profile[c - 1] and profile[c] <= profile[c + 1]]
    wanted = max(1, int(round(len(profile) / width)) - 1)
    chosen: list[int] = []
    for c in sorted(low, key=lambda c: (profile[c], c)):
        if all(abs(c - k) >= spacing for k in chosen):
            chosen.append(c)
        if len(chosen) == wanted:
            break
    return sorted(chosen)
