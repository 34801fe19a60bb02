"""The Inside view's pictures as RGB arrays: the window shows them, ``inspect`` saves them.

One place draws them, so the PNGs of the command line are the pictures of the window:
feature maps as a grid (strongest channel first, one colour scale per layer so a weak map
looks weak), a row of values as bars, filters on a diverging scale (blue negative, red
positive) and the saliency map over the input.
"""

from __future__ import annotations

import math

import numpy as np

from core.inside.probe import Activation

# A perceptual dark-to-bright ramp (magma-like): 0 is black like the input's background.
_RAMP = np.array(
    [[0, 0, 4], [40, 11, 84], [101, 21, 110], [159, 42, 99], [212, 72, 66], [245, 125, 21], [250, 193, 39], [252, 255, 164]],
    np.float32,
)
_NEGATIVE = np.array([40, 110, 220], np.float32)  # blue: against
_POSITIVE = np.array([220, 40, 40], np.float32)  # red: for


def ramp(values: np.ndarray) -> np.ndarray:
    """Values in 0..1 -> uint8 RGB (..., 3) on the dark-to-bright ramp."""
    v = np.clip(np.asarray(values, np.float32), 0.0, 1.0) * (len(_RAMP) - 1)
    low = np.floor(v).astype(int)
    high = np.minimum(low + 1, len(_RAMP) - 1)
    t = (v - low)[..., None]
    return (_RAMP[low] * (1 - t) + _RAMP[high] * t).astype(np.uint8)


def diverging(values: np.ndarray, background: np.ndarray | None = None) -> np.ndarray:
    """Signed values in -1..1 -> uint8 RGB: red for +, blue for -, over ``background`` (gray 0..1) or white."""
    v = np.clip(np.asarray(values, np.float32), -1.0, 1.0)[..., None]
    base = np.full((*v.shape[:-1], 3), 255.0, np.float32) if background is None else (
        np.repeat(np.asarray(background, np.float32)[..., None], 3, axis=-1) * 255.0
    )
    colour = np.where(v > 0, _POSITIVE, _NEGATIVE)
    a = np.abs(v)
    return (base * (1 - a) + colour * a).astype(np.uint8)


def grid_columns(channels: int, aspect: float = 2.0) -> int:
    """Columns of a map grid about ``aspect`` times as wide as high."""
    return max(1, min(channels, math.ceil(math.sqrt(channels * aspect))))


def map_grid(activation: Activation, cell: int = 2, gap: int = 2, columns: int | None = None) -> np.ndarray:
    """A conv/pool layer's maps (H, W, C) as one RGB grid, strongest first, each pixel ``cell`` px.

    One colour scale for the whole layer (its largest value), so a weak map looks weak.
    Vectorised: the Inside view draws every layer's grid at each look (~1 ms, not ~50).
    """
    values = activation.values
    h, w, channels = values.shape
    columns = columns or grid_columns(channels)
    rows = math.ceil(channels / columns)
    peak = float(values.max()) if float(values.max()) > 0 else 1.0
    tiles = np.moveaxis(ramp(np.maximum(values[:, :, activation.strongest()], 0) / peak), 2, 0)  # (C, h, w, 3)
    if cell > 1:
        tiles = tiles.repeat(cell, axis=1).repeat(cell, axis=2)
    th, tw = h * cell, w * cell
    canvas = np.full((rows * columns, th + gap, tw + gap, 3), 255, np.uint8)
    canvas[:channels, :th, :tw] = tiles
    canvas = canvas.reshape(rows, columns, th + gap, tw + gap, 3).transpose(0, 2, 1, 3, 4)
    out = canvas.reshape(rows * (th + gap), columns * (tw + gap), 3)
    return np.ascontiguousarray(out[: out.shape[0] - gap, : out.shape[1] - gap])


def bar_row(values: np.ndarray, width: int = 2, height: int = 40) -> np.ndarray:
    """A row of values as vertical bars (RGB), scaled to the row's largest magnitude."""
    values = np.asarray(values, np.float32).reshape(-1)
    peak = float(np.abs(values).max()) or 1.0
    out = np.full((height, len(values) * width, 3), 255, np.uint8)
    for i, v in enumerate(values):
        bar = int(round(abs(v) / peak * (height - 1)))
        if bar:
            out[height - bar :, i * width : (i + 1) * width] = (_POSITIVE if v >= 0 else _NEGATIVE).astype(np.uint8)
    return out


def filter_grid(kernels: np.ndarray, cell: int = 6, gap: int = 2, columns: int | None = None) -> np.ndarray:
    """Kernels (C, kh, kw) as a row/grid of diverging tiles, one scale for all (as trained)."""
    kernels = np.asarray(kernels, np.float32)
    peak = float(np.abs(kernels).max()) or 1.0
    count, kh, kw = kernels.shape
    columns = columns or count
    rows = math.ceil(count / columns)
    th, tw = kh * cell, kw * cell
    out = np.full((rows * (th + gap) - gap, columns * (tw + gap) - gap, 3), 255, np.uint8)
    for i in range(count):
        r, c = divmod(i, columns)
        tile = diverging(kernels[i] / peak)
        out[r * (th + gap) : r * (th + gap) + th, c * (tw + gap) : c * (tw + gap) + tw] = np.repeat(
            np.repeat(tile, cell, axis=0), cell, axis=1
        )
    return out


def saliency_picture(image: np.ndarray, saliency: np.ndarray, cell: int = 8) -> np.ndarray:
    """The 28x28 input (dimmed, ink dark on white) with the signed saliency over it, ``cell`` px a pixel."""
    paper = 1.0 - 0.6 * np.clip(np.asarray(image, np.float32), 0, 1)
    rgb = diverging(saliency, paper)
    return np.repeat(np.repeat(rgb, cell, axis=0), cell, axis=1)


def input_picture(image: np.ndarray, cell: int = 8) -> np.ndarray:
    """The 28x28 input as the model sees it (white ink on black), ``cell`` px a pixel, RGB."""
    gray = (np.clip(np.asarray(image, np.float32), 0, 1) * 255).astype(np.uint8)
    rgb = np.repeat(gray[..., None], 3, axis=-1)
    return np.repeat(np.repeat(rgb, cell, axis=0), cell, axis=1)


_TEN = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
        (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207))


def class_palette(n: int) -> list[tuple[int, int, int]]:
    """``n`` distinct RGB colours: the ten familiar ones, or hues around the wheel for more classes."""
    import colorsys

    if n <= len(_TEN):
        return list(_TEN[:n])
    out = []
    for i in range(n):
        r, g, b = colorsys.hls_to_rgb(i / n, 0.45 if i % 2 else 0.6, 0.75)
        out.append((int(r * 255), int(g * 255), int(b * 255)))
    return out


def map_picture(points: np.ndarray, labels: np.ndarray, n_classes: int, marker: np.ndarray | None = None,
                size: int = 480) -> np.ndarray:
    """The map as an RGB picture: each sample a dot in its class colour, the drawing a black ring."""
    points = np.asarray(points, np.float32)
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.maximum(high - low, 1e-6)
    margin = 12

    def to_px(p: np.ndarray) -> np.ndarray:
        t = np.clip((p - low) / span, 0, 1)
        return np.column_stack([margin + t[:, 0] * (size - 2 * margin), margin + (1 - t[:, 1]) * (size - 2 * margin)])

    out = np.full((size, size, 3), 255, np.uint8)
    palette = np.array(class_palette(n_classes), np.uint8)
    xy = to_px(points).astype(int)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            out[xy[:, 1] + dy, xy[:, 0] + dx] = palette[np.asarray(labels, int)]
    if marker is not None:
        cx, cy = to_px(np.asarray(marker, np.float32)[None])[0]
        yy, xx = np.mgrid[0:size, 0:size]
        r = np.hypot(xx - cx, yy - cy)
        out[(r >= 6) & (r <= 9)] = 0
        out[r <= 2.5] = 0
    return out


def png_bytes(rgb: np.ndarray) -> bytes:
    """An RGB picture as PNG file content (for :func:`core.storage.write_bytes`)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb, np.uint8), "RGB").save(buffer, format="PNG")
    return buffer.getvalue()
