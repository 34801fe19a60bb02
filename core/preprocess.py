"""Strokes or images -> the 28x28 input every InkLab model sees: the one pipeline.

The drawing pad, the CLI, the pendigits data set and image files all come through here, so
a model sees a drawing exactly the way it saw its training data.  The recipe is MNIST's:
crop to the ink, scale the longer side to 20 px keeping the aspect ratio (anti-aliased),
and place the result in 28x28 so that the ink's centre of mass sits on pixel (14, 14);
white ink on black, float32 in [0, 1].

Strokes are vector data, so they are first rendered anti-aliased (supersampled) with a pen
width *relative to the character's size*: a digit drawn small and the same digit drawn
large give the same image, with strokes about as wide as MNIST's.

Change :data:`PREPROCESS_VERSION` whenever the output of this module changes: model cards
store it and caches of rendered data sets are keyed by it.
"""

from __future__ import annotations

import functools
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

from core.errors import DrawingError
from core.progress import CancelToken, ProgressCallback, no_progress

PREPROCESS_VERSION = 1

SIZE = 28  # the output side, as MNIST
BOX = 20  # the ink's longer side in the output, as MNIST
# Stroke width in output pixels.  With 2.4, rendered pendigits match MNIST's mean pixel
# intensity (0.130 vs 0.130) and pixels above half intensity (107 vs 103 per image).
DEFAULT_PEN_WIDTH = 2.4
_REFRAME_CHUNK = 2000  # images re-framed between progress reports and cancel checks
_SUPERSAMPLE = 4  # high-resolution pixels per output pixel when rendering strokes
_WORK_SIDE = 1024  # images are box-reduced to at most this side before any analysis
_STEP = 1.5  # high-resolution pixels of arc length between the points drawn
_DETAIL_SIDE = 8 * BOX  # ink is worked on at about this size before the final resize

_EMPTY_DRAWING = "drawing is empty: nothing drawn"
_TOO_SMALL = "too small to read: draw the character bigger"
# A drawing must span at least this share of the shorter side of the area it was drawn in.
MIN_DRAWING_FRACTION = 0.03
_EMPTY_IMAGE = "is empty: nothing drawn"

StrokeLike = Sequence[Sequence[float]] | np.ndarray


# --------------------------------------------------------------------------------------
# the MNIST recipe, shared by strokes and images


def _place(ink: np.ndarray, scale: float) -> np.ndarray:
    """Resize ``ink`` by ``scale`` and paste it into 28x28 with its centre of mass on (14, 14).

    As MNIST did: the box is resized on its own (so a 20 px side covers exactly 20 pixels)
    and then moved by whole pixels, which keeps the strokes as sharp as the resize left
    them.  Ink pushed past the border is clipped.
    """
    h, w = ink.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if size != (w, h):
        resample = Image.Resampling.BOX if scale <= 1 else Image.Resampling.BILINEAR
        ink = np.asarray(Image.fromarray(np.ascontiguousarray(ink, np.float32)).resize(size, resample))
    small = np.clip(ink, 0.0, 1.0).astype(np.float32, copy=False)
    return _centre_by_mass(small[None])[0]


def _centre_by_mass(small: np.ndarray) -> np.ndarray:
    """Paste each of a stack of same-sized ink boxes (k, h, w) into 28x28, centre of mass on (14, 14).

    Moved by whole pixels; ink pushed past the border is clipped; an inkless box gives black.
    """
    k, h, w = small.shape
    out = np.zeros((k, SIZE, SIZE), np.float32)
    mass = small.sum(axis=(1, 2), dtype=np.float64)
    safe = np.where(mass > 0, mass, 1.0)
    cy = small.sum(axis=2, dtype=np.float64) @ np.arange(h) / safe
    cx = small.sum(axis=1, dtype=np.float64) @ np.arange(w) / safe
    # Round halves up, not to even, so a symmetric shape always lands the same way.
    oy = np.floor(SIZE / 2 - cy + 0.5).astype(int)
    ox = np.floor(SIZE / 2 - cx + 0.5).astype(int)
    for i in np.flatnonzero(mass > 0):
        y0, x0 = max(0, oy[i]), max(0, ox[i])
        y1, x1 = min(SIZE, oy[i] + h), min(SIZE, ox[i] + w)
        if y1 > y0 and x1 > x0:
            out[i, y0:y1, x0:x1] = small[i, y0 - oy[i] : y1 - oy[i], x0 - ox[i] : x1 - ox[i]]
    return out


def _unit_float(gray: np.ndarray) -> np.ndarray:
    """A 2-D array as float32 in [0, 1]: uint8 and 0-255 floats are divided by 255."""
    a = np.asarray(gray)
    if a.ndim != 2 or a.size == 0:
        raise DrawingError(f"expected a 2-D grayscale image, got shape {a.shape}")
    if a.dtype == np.bool_:
        return a.astype(np.float32)
    if not np.issubdtype(a.dtype, np.number):
        raise DrawingError(f"expected numbers in the image, got {a.dtype}")
    a = a.astype(np.float32, copy=False)
    if not np.isfinite(a).all():
        raise DrawingError("image contains NaN or infinite values")
    if np.issubdtype(np.asarray(gray).dtype, np.integer) or a.max() > 1.0:
        a = a / 255.0
    return np.clip(a, 0.0, 1.0)


def mnist_normalize(gray: np.ndarray) -> np.ndarray:
    """Crop, scale and centre a grayscale ink image (ink bright) the way MNIST was made.

    Any size is accepted; values are 0..1 floats or 0..255.  The ink's bounding box is
    scaled so its longer side is 20 px (keeping the aspect ratio) and the result is placed
    in 28x28 with the centre of mass at pixel (14, 14).  Everything above zero counts as
    ink, so callers remove background and noise first (:func:`image_to_input` does).
    Returns float32 (28, 28) in [0, 1]; raises :class:`DrawingError` when there is no ink.
    """
    a = _unit_float(gray)
    rows = np.flatnonzero(a.any(axis=1))
    if rows.size == 0:
        raise DrawingError(f"image {_EMPTY_IMAGE}")
    cols = np.flatnonzero(a.any(axis=0))
    ink = a[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    factor = max(ink.shape) // (2 * _DETAIL_SIDE)
    if factor >= 2:
        # A box-reduce first keeps the final resize (and its padding) small; it loses
        # nothing at the 20 px the ink ends up as.
        ink = np.asarray(Image.fromarray(np.ascontiguousarray(ink, np.float32)).reduce(factor), np.float32)
    return _place(ink, BOX / max(ink.shape))


def reframe_images(
    images: np.ndarray, progress: ProgressCallback = no_progress, cancel: CancelToken | None = None
) -> np.ndarray:
    """uint8 (N, 28, 28) images made again with the MNIST recipe; empty ones stay empty.

    For sets framed another way: EMNIST scales each letter to fill 24 of its 28 px and
    centres its box, so a model trained on EMNIST as it is would see the pad's drawings
    (20 px, centred by mass) about a fifth too small.  Gives what :func:`mnist_normalize`
    gives image by image, to within one grey level on a few pixels (float rounding; the
    tests hold it to that), but vectorised: images whose ink box has the same size are
    resized together by matrix products built from Pillow's own resize weights, so all of
    EMNIST takes a few seconds, not a minute.  Reports ``progress`` and
    stops (:class:`~core.errors.Cancelled`) when ``cancel`` is set.
    """
    images = np.asarray(images)
    out = np.zeros(images.shape, np.uint8)
    rows, cols = images.any(axis=2), images.any(axis=1)
    present = np.flatnonzero(rows.any(axis=1))
    top, left = rows[present].argmax(axis=1), cols[present].argmax(axis=1)
    height = images.shape[1] - rows[present, ::-1].argmax(axis=1) - top
    width = images.shape[2] - cols[present, ::-1].argmax(axis=1) - left
    done, message = 0, "Framing the images like the drawing pad"
    progress(0, len(present), message)
    if not len(present):
        return out
    for (h, w), members in _group_by(height, width):
        for chunk in np.array_split(members, -(-len(members) // _REFRAME_CHUNK)):
            if cancel is not None:
                cancel.raise_if_cancelled()
            index = present[chunk]
            r = top[chunk, None, None] + np.arange(h)[None, :, None]
            c = left[chunk, None, None] + np.arange(w)[None, None, :]
            ink = images[index[:, None, None], r, c].astype(np.float32) / 255.0
            out[index] = _place_many(ink)
            done += len(chunk)
            progress(done, len(present), message)
    return out


def _group_by(height: np.ndarray, width: np.ndarray):
    """(box size, positions) for each ink-box size present."""
    keys = height * 1000 + width
    order = np.argsort(keys, kind="stable")
    bounds = np.flatnonzero(np.diff(keys[order])) + 1
    for members in np.split(order, bounds):
        yield (int(height[members[0]]), int(width[members[0]])), members


def _place_many(ink: np.ndarray) -> np.ndarray:
    """:func:`_place` for a stack of same-sized ink boxes (k, h, w) scaled to the 20 px box."""
    k, h, w = ink.shape
    scale = BOX / max(h, w)
    size_w, size_h = max(1, round(w * scale)), max(1, round(h * scale))
    if (size_w, size_h) != (w, h):
        resample = Image.Resampling.BOX if scale <= 1 else Image.Resampling.BILINEAR
        # Horizontal pass first, each pass rounded to float32, as Pillow does.
        ink = (ink @ _resize_matrix(w, size_w, resample).T).astype(np.float32)
        ink = (_resize_matrix(h, size_h, resample) @ ink).astype(np.float32)
    return to_uint8(_centre_by_mass(np.clip(ink, 0.0, 1.0).astype(np.float32)))


@functools.lru_cache(maxsize=256)
def _resize_matrix(n_in: int, n_out: int, resample: Image.Resampling) -> np.ndarray:
    """Pillow's 1-D resize from ``n_in`` to ``n_out`` pixels as an (n_out, n_in) matrix.

    Read off Pillow itself by resizing an identity image along one axis, so the weights
    are exactly those :func:`_place` gets from ``Image.resize``.
    """
    identity = Image.fromarray(np.eye(n_in, dtype=np.float32))
    return np.asarray(identity.resize((n_in, n_out), resample), np.float32)


def to_uint8(img28: np.ndarray) -> np.ndarray:
    """A [0, 1] float image as uint8 0..255, the way data sets store images."""
    return np.round(np.clip(np.asarray(img28, np.float32), 0.0, 1.0) * 255.0).astype(np.uint8)


# --------------------------------------------------------------------------------------
# strokes


def _check_strokes(strokes: object) -> list[np.ndarray]:
    """Strokes as float64 (n, 2|3) arrays, empty ones dropped; DrawingError if malformed."""
    if strokes is None:
        raise DrawingError(_EMPTY_DRAWING)
    if isinstance(strokes, np.ndarray) and strokes.ndim == 2:
        strokes = [strokes]  # one stroke given bare
    try:
        items = list(strokes)  # type: ignore[call-overload]
    except TypeError:
        raise DrawingError(f"strokes must be a list of strokes, got {type(strokes).__name__}") from None
    checked = []
    for i, stroke in enumerate(items):
        try:
            a = np.asarray(stroke, dtype=np.float64)
        except (TypeError, ValueError):
            raise DrawingError(f"stroke {i + 1} is not a list of (x, y) points") from None
        if a.size == 0:
            continue
        if a.ndim == 1 and a.shape[0] in (2, 3):
            a = a[None, :]  # a single point given bare
        if a.ndim != 2 or a.shape[1] not in (2, 3):
            raise DrawingError(f"stroke {i + 1} must have points of 2 or 3 numbers, got shape {a.shape}")
        if not np.isfinite(a).all():
            raise DrawingError(f"stroke {i + 1} has NaN or infinite coordinates")
        checked.append(a)
    if not checked:
        raise DrawingError(_EMPTY_DRAWING)
    return checked


def _pressure_factor(pressure: np.ndarray) -> np.ndarray:
    """Width multiplier for tablet pressure in [0, 1]: 0.5x when light, 1x at half, 1.5x at full."""
    return 0.5 + np.clip(pressure, 0.0, 1.0)


def render_strokes(
    strokes: Sequence[StrokeLike], *, pen_width: float | None = None, y_up: bool = False
) -> np.ndarray:
    """Render pen strokes to the 28x28 model input (float32, white on black, [0, 1]).

    ``strokes`` is a list of strokes, each ``(n, 2)`` or ``(n, 3)``: x, y and optionally
    pressure in [0, 1], in screen coordinates (y down) unless ``y_up`` (tablets, UNIPEN).
    ``pen_width`` is the stroke width *in output pixels* (MNIST's are about 2-3; default
    :data:`DEFAULT_PEN_WIDTH`): because it is relative to the character's size, the same
    drawing at any scale gives the same image.  A single dot gives a small centred blob, a
    straight line a centred bar.  Raises :class:`DrawingError` when nothing was drawn or a
    coordinate is not finite.
    """
    pw = DEFAULT_PEN_WIDTH if pen_width is None else float(pen_width)
    if not (0.2 <= pw <= BOX / 2):  # also rejects NaN
        raise DrawingError(f"pen width must be between 0.2 and {BOX // 2} pixels, got {pen_width}")
    checked = _check_strokes(strokes)
    xy_all = np.concatenate([s[:, :2] for s in checked])
    sign = -1.0 if y_up else 1.0
    lo = np.array([xy_all[:, 0].min(), (sign * xy_all[:, 1]).min()])
    hi = np.array([xy_all[:, 0].max(), (sign * xy_all[:, 1]).max()])
    extent = float((hi - lo).max())
    k = _SUPERSAMPLE
    # A drawing with no extent (a dot) has no size to be relative to: give it the pen
    # width a normal-sized character would have, instead of blowing it up to 20 px.
    is_dot = extent <= 1e-9 * max(1.0, float(np.abs(xy_all).max()))
    scale = 0.0 if is_dot else k * (BOX - pw) / extent
    widths = [k * pw * (_pressure_factor(s[:, 2]) if s.shape[1] == 3 else np.ones(len(s))) for s in checked]
    margin = max(float(w.max()) for w in widths) / 2 + 2
    size = np.ceil((hi - lo) * scale + 2 * margin).astype(int) + 1
    canvas = Image.new("L", (int(size[0]), int(size[1])), 0)
    draw = ImageDraw.Draw(canvas)
    for stroke, width in zip(checked, widths, strict=True):
        xy = np.empty((len(stroke), 2))
        xy[:, 0] = (stroke[:, 0] - lo[0]) * scale + margin
        xy[:, 1] = (sign * stroke[:, 1] - lo[1]) * scale + margin
        _draw_stroke(draw, xy, width)
    hires = np.asarray(canvas, np.float32) * (1.0 / 255.0)
    if is_dot:
        rows, cols = np.flatnonzero(hires.any(1)), np.flatnonzero(hires.any(0))
        return _place(hires[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1], 1.0 / k)
    return mnist_normalize(hires)


def check_drawing_size(
    strokes: Sequence[np.ndarray], area_side: float, min_fraction: float = MIN_DRAWING_FRACTION
) -> None:
    """Refuse (DrawingError) a drawing smaller than ``min_fraction`` of ``area_side``.

    ``strokes`` are arrays whose first two columns are x and y, in the units of
    ``area_side`` (the drawing area's shorter side).  The MNIST recipe scales every drawing
    up to a 20 px box, so a stray click or a wobble of a few pixels would come out as a
    full-size scribble and get an answer it does not deserve.
    """
    points = [np.asarray(s, np.float64) for s in strokes if len(s)]
    if not points:
        raise DrawingError(_EMPTY_DRAWING)
    xy = np.concatenate([p.reshape(len(p), -1)[:, :2] for p in points])
    if float(np.ptp(xy, axis=0).max()) < min_fraction * area_side:
        raise DrawingError(_TOO_SMALL)


def _draw_stroke(draw: ImageDraw.ImageDraw, xy: np.ndarray, width: np.ndarray) -> None:
    """One stroke on the high-resolution canvas: round joints and caps, dots for single points."""
    if len(xy) > 2:
        # A pad or tablet sends points far denser than the 80 px canvas can show; keeping
        # about one per _STEP of arc length moves the line by under a fifth of an output
        # pixel and makes drawing several times faster.
        arc = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
        bucket = np.floor(arc / _STEP)
        keep = np.ones(len(xy), bool)
        keep[1:-1] = bucket[1:-1] != bucket[:-2]
        xy, width = xy[keep], width[keep]
    pts = xy.tolist()
    ws = width.tolist()
    if len(pts) > 1:
        if width.min() == width.max():
            draw.line(xy.ravel().tolist(), fill=255, width=max(1, round(ws[0])))
        else:  # pressure varies: each segment gets the mean width of its two ends
            for i in range(len(pts) - 1):
                (xa, ya), (xb, yb) = pts[i], pts[i + 1]
                draw.line((xa, ya, xb, yb), fill=255, width=max(1, round((ws[i] + ws[i + 1]) / 2)))
    # A disc at every point makes the joints and the caps round (and a lone point a dot);
    # Pillow's own joint="curve" is several times slower.
    for (x, y), w in zip(pts, ws, strict=True):
        r = max(0.0, w / 2 - 0.5)  # Pillow's box is inclusive: its disc is one pixel wider
        draw.ellipse((x - r, y - r, x + r, y + r), fill=255)


# --------------------------------------------------------------------------------------
# stroke JSON: {"strokes": [[[x, y], ...], ...], "pressure": [[p, ...], ...]?}


def load_strokes_json(obj_or_path: object) -> list[np.ndarray]:
    """Read the stroke JSON format into a list of float32 (n, 2) or (n, 3) arrays.

    ``obj_or_path`` is the parsed object (a dict) or a path to a ``.json`` file.  Points are
    ``[x, y]`` or ``[x, y, pressure]`` in screen coordinates (y down); pressure may also be
    given as a parallel ``"pressure"`` list of lists.  Raises :class:`DrawingError` naming
    the file and the problem when the content is not in this shape.
    """
    where = "stroke JSON"
    obj = obj_or_path
    if isinstance(obj_or_path, (str, os.PathLike)):
        path = Path(obj_or_path)
        where = str(path)
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DrawingError(f"{where}: file not found") from None
        except (OSError, UnicodeDecodeError) as err:
            raise DrawingError(f"{where}: cannot read the file ({err})") from None
        except json.JSONDecodeError as err:
            raise DrawingError(f"{where}: not valid JSON ({err})") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("strokes"), list):
        raise DrawingError(f'{where}: expected an object with a "strokes" list')
    raw_strokes = obj["strokes"]
    pressures = obj.get("pressure")
    if pressures is not None and (not isinstance(pressures, list) or len(pressures) != len(raw_strokes)):
        raise DrawingError(f'{where}: "pressure" must be a list with one list per stroke')
    strokes = []
    for i, raw in enumerate(raw_strokes):
        what = f"{where}: stroke {i + 1}"
        if not isinstance(raw, list) or not all(
            isinstance(p, list)
            and len(p) in (2, 3)
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)
            for p in raw
        ):
            raise DrawingError(f"{what} must be a list of [x, y] or [x, y, pressure] points")
        if not raw:
            continue
        if len({len(p) for p in raw}) != 1:
            raise DrawingError(f"{what} mixes points with and without pressure")
        a = np.asarray(raw, np.float64)
        p = None if pressures is None else pressures[i]
        if p is not None:
            if (
                not isinstance(p, list)
                or len(p) != len(raw)
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)
            ):
                raise DrawingError(f"{what}: its pressure list must have one number per point")
            a = np.column_stack([a[:, :2], np.asarray(p, np.float64)])
        if not np.isfinite(a).all():
            raise DrawingError(f"{what} has NaN or infinite values")
        strokes.append(a.astype(np.float32))
    return strokes


def strokes_to_json(strokes: Sequence[StrokeLike]) -> dict:
    """The stroke JSON object for ``strokes`` (inverse of :func:`load_strokes_json`).

    x, y go in ``"strokes"``, so a reader that knows only the basic format still works;
    pressure, when any stroke has it, goes in a parallel ``"pressure"`` list (``null`` for
    strokes without).
    """
    arrays = [np.asarray(s, np.float64).reshape(-1, np.shape(s)[-1]) for s in strokes if len(s)]
    out: dict = {"strokes": [np.round(a[:, :2], 3).tolist() for a in arrays]}
    if any(a.shape[1] == 3 for a in arrays):
        out["pressure"] = [np.round(a[:, 2], 4).tolist() if a.shape[1] == 3 else None for a in arrays]
    return out


# --------------------------------------------------------------------------------------
# images


def _open_image(path: Path) -> Image.Image:
    try:
        img = Image.open(path)
        # JPEG can decode at 1/2..1/8 scale for free: a phone photo need not be decoded whole.
        img.draft("RGB", (2 * _WORK_SIDE, 2 * _WORK_SIDE))
        img.load()
        return ImageOps.exif_transpose(img)
    except FileNotFoundError:
        raise DrawingError(f"{path}: file not found") from None
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as err:
        raise DrawingError(f"{path}: not a readable image ({err})") from None


def _array_to_pil(a: np.ndarray, where: str) -> Image.Image:
    """A numpy image (gray, gray+alpha, RGB, RGBA; any numeric dtype) as an 8-bit PIL image."""
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (2, 3, 4)):
        raise DrawingError(f"{where}: expected a gray, RGB or RGBA image array, got shape {a.shape}")
    if a.size == 0:
        raise DrawingError(f"{where} {_EMPTY_IMAGE}")
    if a.dtype == np.bool_:
        a = a.astype(np.uint8) * 255
    elif not np.issubdtype(a.dtype, np.number):
        raise DrawingError(f"{where}: expected numbers in the image, got {a.dtype}")
    if a.dtype != np.uint8:
        # Scale to 0..255 a few rows at a time: an 8000x8000 float64 array must not be
        # copied whole into another float array.
        step = max(1, (1 << 22) // max(1, a[0].size))
        top = 0.0
        for i in range(0, len(a), step):
            chunk = a[i : i + step]
            if np.issubdtype(a.dtype, np.floating) and not np.isfinite(chunk).all():
                raise DrawingError(f"{where}: image contains NaN or infinite values")
            top = max(top, float(chunk.max()))
        if np.issubdtype(a.dtype, np.floating) and top <= 1.0:
            k = 255.0  # 0..1 floats
        else:
            k = 1.0 if top <= 255 else (255.0 / 65535.0 if top <= 65535 else 255.0 / top)
        out = np.empty(a.shape, np.uint8)
        for i in range(0, len(a), step):
            out[i : i + step] = np.clip(a[i : i + step] * k + 0.5, 0, 255)
        a = out
    # fromarray picks L, LA, RGB or RGBA from the shape of a uint8 array.
    return Image.fromarray(np.ascontiguousarray(a))


def _eight_bit(img: Image.Image, where: str) -> Image.Image:
    """Any PIL image as L, LA, RGB or RGBA."""
    if img.mode in ("L", "LA", "RGB", "RGBA"):
        return img
    if img.mode == "1":
        return img.convert("L")
    if img.mode in ("P", "PA"):
        return img.convert("RGBA" if img.mode == "PA" or "transparency" in img.info else "RGB")
    if img.mode in ("La", "RGBa"):
        return img.convert("LA" if img.mode == "La" else "RGBA")
    if img.mode.startswith("I") or img.mode == "F":
        return _array_to_pil(np.asarray(img), where)  # 16/32-bit gray: scaled to 0..255
    return img.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBX


def _gray(img: Image.Image) -> np.ndarray:
    """Float32 [0, 1] luminance; transparency is laid over a backdrop that contrasts with the ink."""
    has_alpha = img.mode in ("LA", "RGBA")
    a = np.asarray(img, np.float32) * (1.0 / 255.0)
    if not has_alpha:
        return a if a.ndim == 2 else a @ np.array([0.299, 0.587, 0.114], np.float32)
    colour, alpha = a[..., :-1], a[..., -1]
    lum = colour[..., 0] if colour.shape[-1] == 1 else colour @ np.array([0.299, 0.587, 0.114], np.float32)
    if alpha.min() >= 1.0:
        return lum
    opaque = alpha > 0.5
    # Dark ink on a transparent sheet goes on white, light ink on black: never lose the ink.
    backdrop = 1.0 if (not opaque.any() or float(lum[opaque].mean()) < 0.5) else 0.0
    return lum * alpha + backdrop * (1.0 - alpha)


def _reduce_to(img: Image.Image, side: int) -> Image.Image:
    """Box-average ``img`` by an integer factor until its longer side is at most ``side``."""
    factor = math.ceil(max(img.size) / side)
    return img.reduce(factor) if factor > 1 else img


class _InkLevels:
    """How to turn one image's gray levels into ink: polarity, background, contrast, noise."""

    def __init__(self, g: np.ndarray, where: str) -> None:
        h, w = g.shape
        b = max(1, round(0.03 * min(h, w)))
        border = np.concatenate([g[:b].ravel(), g[-b:].ravel(), g[:, :b].ravel(), g[:, -b:].ravel()])
        bg = float(np.median(border))
        lo, hi = np.percentile(g, [0.5, 99.5])
        dark, bright = bg - lo, hi - bg
        if max(dark, bright) < 0.04:  # the ink is a tiny part of the picture: use the extremes
            dark, bright = bg - float(g.min()), float(g.max()) - bg
        # Ink is whatever departs furthest from the background, so a light background (paper)
        # means dark ink to invert; a tie goes to the common case of a light page.
        self.invert = dark > bright or (dark == bright and bg > 0.5)
        if self.invert:
            border, bg = 1.0 - border, 1.0 - bg
        self.bg = bg
        self.noise = float(np.percentile(np.clip(border - bg, 0, None), 99))
        contrast = max(dark, bright)
        if contrast < 0.04:
            raise DrawingError(f"{where} {_EMPTY_IMAGE}")
        g0 = (1.0 - g if self.invert else g) - bg
        candidates = g0[g0 > max(2 * self.noise, 0.25 * contrast)]
        self.peak = float(np.percentile(candidates, 90)) if candidates.size else contrast
        self.floor = float(np.clip(1.5 * self.noise / self.peak + 0.03, 0.05, 0.5))

    def apply(self, g: np.ndarray, despeckle: bool = True) -> np.ndarray:
        """Ink bright on exact black: background removed, contrast stretched, specks gone."""
        if self.invert:
            g = 1.0 - g
        g = np.clip((g - self.bg) / self.peak, 0.0, 1.0)
        g = np.clip((g - self.floor) / (1.0 - self.floor), 0.0, 1.0)
        if not despeckle:
            return g.astype(np.float32, copy=False)
        ink = g > 0
        # A lone bright pixel is sensor noise or dust, not writing, and would stretch the box.
        padded = np.pad(ink, 1).astype(np.uint8)
        neighbours = sum(
            padded[1 + dy : 1 + dy + g.shape[0], 1 + dx : 1 + dx + g.shape[1]]
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
            if dy or dx
        )
        g[ink & (neighbours == 0)] = 0.0
        return g.astype(np.float32, copy=False)


def _is_normalized(img28: np.ndarray) -> bool:
    """Whether a 28x28 ink image already has MNIST's 20 px box and centred mass."""
    rows, cols = np.flatnonzero(img28.any(axis=1)), np.flatnonzero(img28.any(axis=0))
    if rows.size == 0:
        return False
    long_side = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    mass = float(img28.sum())
    cy = float(img28.sum(axis=1) @ np.arange(SIZE)) / mass
    cx = float(img28.sum(axis=0) @ np.arange(SIZE)) / mass
    return BOX - 1 <= long_side <= BOX + 1 and abs(cy - SIZE / 2) <= 1.0 and abs(cx - SIZE / 2) <= 1.0


def image_to_input(image: object) -> np.ndarray:
    """Any picture of one character -> the 28x28 model input (float32, white on black).

    ``image`` is a PIL image, a path to an image file, or a numpy array (any size; gray,
    RGB or RGBA; uint8, or floats 0..1 or 0..255).  Dark ink on a light background
    (paper, a scan, a photo) is detected and inverted; the background level is removed,
    the contrast stretched and faint noise suppressed; then the MNIST recipe
    (:func:`mnist_normalize`).  A ready MNIST-like 28x28 array passes through nearly
    unchanged.  Huge images are box-reduced first, then the ink region is re-read at a
    finer scale.  Raises :class:`DrawingError` for an unreadable file or an empty image.
    """
    if isinstance(image, (str, os.PathLike)):
        where = str(image)
        img = _open_image(Path(image))
    elif isinstance(image, Image.Image):
        where = "image"
        img = image
    else:
        where = "image"
        img = _array_to_pil(np.asarray(image), where)
    if img.width == 0 or img.height == 0:
        raise DrawingError(f"{where} {_EMPTY_IMAGE}")
    img = _eight_bit(img, where)
    work = _reduce_to(img, _WORK_SIDE)
    gray = _gray(work)
    levels = _InkLevels(gray, where)
    if gray.shape == (SIZE, SIZE):
        ready = levels.apply(gray, despeckle=False)
        if _is_normalized(ready):
            # Already made the MNIST way (a pupil's 28x28 matrix, an MNIST sample): redoing
            # the crop and scale could only move or blur it.
            return ready
    ink = levels.apply(gray)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        raise DrawingError(f"{where} {_EMPTY_IMAGE}")
    factor = img.width / work.width
    long_side = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    if factor > 1 and long_side < _DETAIL_SIDE:
        # The character is small in a big picture: re-read just its region with less
        # reduction so that thin strokes keep their detail.
        margin = 2
        box = (
            max(0, int((cols[0] - margin) * factor)),
            max(0, int((rows[0] - margin) * factor)),
            min(img.width, int(math.ceil((cols[-1] + 1 + margin) * factor))),
            min(img.height, int(math.ceil((rows[-1] + 1 + margin) * factor))),
        )
        detail = _reduce_to(img.crop(box), _DETAIL_SIDE * 2)
        ink = levels.apply(_gray(detail))
        if not ink.any():
            raise DrawingError(f"{where} {_EMPTY_IMAGE}")
    return mnist_normalize(ink)
