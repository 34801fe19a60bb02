""""Why?": which ink pushed the model towards a class, measured by hiding it (occlusion).

The 28x28 input is cut into 4x4 cells; each cell that holds ink is hidden (a 6x6 patch, so
neighbouring cells overlap and the map is smooth) and the drawing run through the same
LiteRT model, all cells in one batch.  A cell's score for class c is how much hiding it
lowers log p(c): positive ink argued *for* c, negative ink argued *against* it.  One batch
gives the score of every class, so "why not 7?" for the second guess costs nothing more.

Gradients x input would need TensorFlow (seconds to import, hundreds of MB) on the Draw tab;
occlusion asks the model itself what each stroke is worth, in ~20-30 model runs of ~0.2 ms.
Log probabilities rather than probabilities, because a confident model's probability
barely moves (0.9999 -> 0.9990) where its log still does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CELL = 4  # pixels per occlusion cell: 7x7 cells over the 28x28 input
MARGIN = 1  # each hidden patch reaches this far into its neighbours
BATCH = 32  # occlusion images per model call at most
INK = 0.02  # a pixel above this is ink


@dataclass(frozen=True)
class Saliency:
    """Every class's occlusion scores for one drawing: :meth:`for_class` gives its 28x28 map."""

    image: np.ndarray
    cells: np.ndarray  # (7, 7, classes): drop in log p(class) when the cell is hidden

    def for_class(self, index: int) -> np.ndarray:
        """Signed map (28, 28) in -1..1 for class ``index``: + ink for it, - ink against it, 0 off the ink."""
        grid = self.cells[:, :, index]
        n = grid.shape[0]
        up = np.kron(grid, np.ones((CELL, CELL), np.float32))[: n * CELL, : n * CELL]
        up = _blur(up)
        ink = _dilate(self.image > INK)
        up = np.where(ink, up, 0.0).astype(np.float32)
        peak = float(np.abs(up).max())
        return up / peak if peak > 1e-6 else up

    def strength(self, index: int) -> float:
        """The largest single cell's effect on log p(class): how much any ink mattered."""
        return float(np.abs(self.cells[:, :, index]).max())


def _blur(a: np.ndarray) -> np.ndarray:
    padded = np.pad(a, 1, mode="edge")
    out = np.zeros_like(a)
    for dy in range(3):
        for dx in range(3):
            out += padded[dy : dy + a.shape[0], dx : dx + a.shape[1]]
    return out / 9.0


def _dilate(mask: np.ndarray) -> np.ndarray:
    padded = np.pad(mask, 1)
    out = np.zeros_like(mask)
    for dy in range(3):
        for dx in range(3):
            out |= padded[dy : dy + mask.shape[0], dx : dx + mask.shape[1]]
    return out


def occlusion(probe, image: np.ndarray) -> Saliency:
    """Occlusion scores of every class for one 28x28 image (0..1) through ``probe``'s model."""
    image = np.asarray(image, np.float32)
    n = image.shape[0] // CELL
    cells = [(r, c) for r in range(n) for c in range(n) if image[r * CELL : (r + 1) * CELL, c * CELL : (c + 1) * CELL].max() > INK]
    hidden = np.repeat(image[None], len(cells) + 1, axis=0)
    for i, (r, c) in enumerate(cells, start=1):
        y0, x0 = max(0, r * CELL - MARGIN), max(0, c * CELL - MARGIN)
        hidden[i, y0 : (r + 1) * CELL + MARGIN, x0 : (c + 1) * CELL + MARGIN] = 0.0
    scores = []
    for start in range(0, len(hidden), BATCH):
        chunk = hidden[start : start + BATCH]
        # Padded to a multiple of 8: at most four interpreter sizes, each sized once.
        padded = np.zeros((-(-len(chunk) // 8) * 8, *image.shape), np.float32)
        padded[: len(chunk)] = chunk
        scores.append(probe.log_probabilities(padded)[: len(chunk)])
    logp = np.concatenate(scores)
    grid = np.zeros((n, n, logp.shape[1]), np.float32)
    for i, (r, c) in enumerate(cells, start=1):
        grid[r, c] = logp[0] - logp[i]
    return Saliency(image, grid)


def placement_on_pad(strokes, image: np.ndarray, pen_px: float = 2.4) -> tuple[float, float, float] | None:
    """Where the 28x28 input lies over the strokes it was rendered from: (left, top, side) in pad units.

    The renderer scales the ink to a fixed box and centres it by mass; the ink's extent is
    the same shape in both, so the strokes' box (centre lines) is matched to the image's ink
    box less half a pen width each side.  None when there is nothing to place.
    """
    points = [np.asarray(s, np.float64)[:, :2] for s in strokes if len(s)]
    rows, cols = np.nonzero(np.asarray(image) > 0.1)
    if not points or not len(rows):
        return None
    xy = np.concatenate(points)
    (px0, py0), (px1, py1) = xy.min(axis=0), xy.max(axis=0)
    half = pen_px / 2
    ix0, ix1 = cols.min() + half, cols.max() + 1 - half
    iy0, iy1 = rows.min() + half, rows.max() + 1 - half
    span_image = max(ix1 - ix0, iy1 - iy0, 1e-3)
    span_pad = max(px1 - px0, py1 - py0)
    if span_pad <= 0:
        return None
    scale = span_pad / span_image
    # Centre on the boxes' centres: the longer side fixes the scale, the other is centred.
    left = (px0 + px1) / 2 - (ix0 + ix1) / 2 * scale
    top = (py0 + py1) / 2 - (iy0 + iy1) / 2 * scale
    return float(left), float(top), float(28 * scale)
