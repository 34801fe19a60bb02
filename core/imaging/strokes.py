"""Pen strokes -> the 28x28 model input, and the stroke JSON format they are saved in.

Strokes are vector data, so they are first rendered anti-aliased (supersampled) with a pen
width *relative to the character's size*: a digit drawn small and the same digit drawn
large give the same image, with strokes about as wide as MNIST's.  The ink is then framed
with the MNIST recipe (:mod:`core.imaging.framing`).  One drawing and a batch of thousands
(:func:`render_many_strokes`) take the same path.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from core import limits
from core.errors import DrawingError
from core.imaging.framing import BOX, place_ink_boxes

# Stroke width in output pixels.  With 2.4, rendered pendigits match MNIST's mean pixel
# intensity (0.130 vs 0.130) and pixels above half intensity (107 vs 103 per image).
DEFAULT_PEN_WIDTH = 2.4
_SUPERSAMPLE = 4  # high-resolution pixels per output pixel when rendering strokes
_STEP = 1.5  # high-resolution pixels of arc length between the points drawn

_EMPTY_DRAWING = "drawing is empty: nothing drawn"
_TOO_SMALL = "too small to read: draw the character bigger"
# A drawing must span at least this share of the shorter side of the area it was drawn in.
MIN_DRAWING_FRACTION = 0.03

StrokeLike = Sequence[Sequence[float]] | np.ndarray


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
    (result,) = render_many_strokes([strokes], pen_width=pen_width, y_up=y_up)
    if isinstance(result, DrawingError):
        raise result
    return result


def render_many_strokes(
    drawings: Sequence[Sequence[StrokeLike]], *, pen_width: float | None = None, y_up: bool = False
) -> list[np.ndarray | DrawingError]:
    """:func:`render_strokes` for many drawings: each one's image, or the DrawingError it raised.

    One drawing and a batch of thousands take the same path (the pad's answer and
    ``recognize`` of a JSONL file see the same pixels), but the framing runs once over the
    whole batch (:func:`core.imaging.framing.place_ink_boxes`).  A bad pen width is refused
    for the whole call.
    """
    pw = DEFAULT_PEN_WIDTH if pen_width is None else float(pen_width)
    if not (0.2 <= pw <= BOX / 2):  # also rejects NaN
        raise DrawingError(f"pen width must be between 0.2 and {BOX // 2} pixels, got {pen_width}")
    results: list[np.ndarray | DrawingError | None] = []
    boxes, places = [], []
    for strokes in drawings:
        try:
            boxes.append(_ink_box(strokes, pw, y_up))
            places.append(len(results))
            results.append(None)  # filled below, once the whole batch is framed
        except DrawingError as err:
            results.append(err)
    for place, image in zip(places, place_ink_boxes(boxes), strict=True):
        results[place] = image
    return results  # type: ignore[return-value]  (no None is left)


def _ink_box(strokes: Sequence[StrokeLike], pw: float, y_up: bool) -> tuple[np.ndarray, float]:
    """The drawing rendered at _SUPERSAMPLE x, cropped to its ink (float32 0..1), and its scale to 28x28.

    The points of all strokes are placed and thinned in one pass of numpy calls, with the
    same arithmetic per point as stroke by stroke (so the same pixels): ~8% less CPU than a
    pass per stroke on real pen drawings.
    """
    checked = _check_strokes(strokes)
    xy_all = checked[0][:, :2] if len(checked) == 1 else np.concatenate([s[:, :2] for s in checked])
    low, high = xy_all.min(axis=0).tolist(), xy_all.max(axis=0).tolist()
    if y_up:  # the y axis flipped: y -> -y
        low[1], high[1] = -high[1], -low[1]
    extent = max(high[0] - low[0], high[1] - low[1])
    k = _SUPERSAMPLE
    # A drawing with no extent (a dot) has no size to be relative to: give it the pen
    # width a normal-sized character would have, instead of blowing it up to 20 px.
    is_dot = extent <= 1e-9 * max(1.0, *(abs(v) for v in low + high))
    scale = 0.0 if is_dot else k * (BOX - pw) / extent
    widths = [k * pw * (_pressure_factor(s[:, 2]) if s.shape[1] == 3 else np.ones(len(s))) for s in checked]
    margin = max(float(w.max()) for w in widths) / 2 + 2
    size = np.ceil((np.array(high) - np.array(low)) * scale + 2 * margin).astype(int) + 1
    canvas = Image.new("L", (int(size[0]), int(size[1])), 0)
    xy = np.empty((len(xy_all), 2))
    xy[:, 0] = (xy_all[:, 0] - low[0]) * scale + margin
    xy[:, 1] = ((-xy_all[:, 1] if y_up else xy_all[:, 1]) - low[1]) * scale + margin
    _draw_strokes(Image.core.draw(canvas.im, 0), xy, np.concatenate(widths), [len(s) for s in checked])
    # Cropped to the ink before going to floats (a disc at every point: never inkless).
    ink = np.asarray(canvas.crop(canvas.getbbox()), np.float32) * np.float32(1.0 / 255.0)
    return ink, (1.0 / k if is_dot else BOX / max(ink.shape))


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


def _draw_strokes(core, xy: np.ndarray, width: np.ndarray, lengths: list[int]) -> None:
    """The strokes (their points one after another, ``lengths`` each) on the high-resolution
    canvas through Pillow's drawing core (``core``): round joints and caps, dots for single points.

    The pixels are exactly those of ``ImageDraw.line``/``ellipse`` (the ink ``ImageDraw``
    itself would pass), without their per-call argument handling (~15% of rendering a pen
    digit: ~40 discs each).  A pad or tablet sends points far denser than the 80 px canvas
    can show; keeping about one per _STEP of arc length moves the line by under a fifth of
    an output pixel and makes drawing several times faster.
    """
    ends = list(itertools.accumulate(lengths))
    starts = [end - n for end, n in zip(ends, lengths, strict=True)]
    hops = np.hypot(*np.diff(xy, axis=0).T).tolist() if len(xy) > 1 else []
    arc = []
    for start, end in zip(starts, ends, strict=True):  # a running sum within each stroke
        arc.append(0.0)
        arc.extend(itertools.accumulate(hops[start : end - 1]))
    bucket = np.floor(np.array(arc) / _STEP)
    keep = np.ones(len(xy), bool)
    keep[1:] = bucket[1:] != bucket[:-1]
    keep[starts] = True
    keep[[end - 1 for end in ends]] = True
    xy, width = xy[keep], width[keep]
    kept = np.add.reduceat(keep, starts).tolist()
    ink = core.draw_ink(255)
    flat = xy.ravel().tolist()
    end = 0
    for n in kept:
        start, end = end, end + n
        if n < 2:
            continue
        w = width[start:end]
        if w.min() == w.max():
            core.draw_lines(flat[2 * start : 2 * end], ink, max(1, round(float(w[0]))))
        else:  # pressure varies: each segment gets the mean width of its two ends
            segment_widths = np.maximum(1, np.round((w[:-1] + w[1:]) / 2)).astype(int).tolist()
            for j, sw in enumerate(segment_widths):
                core.draw_lines(flat[2 * (start + j) : 2 * (start + j) + 4], ink, sw)
    # A disc at every point makes the joints and the caps round (and a lone point a dot);
    # Pillow's own joint="curve" is several times slower, and its wide lines leave notches
    # at joints even where the line barely turns, so every point needs its disc.
    r = np.maximum(0.0, width / 2 - 0.5)[:, None]  # Pillow's box is inclusive: its disc is one pixel wider
    for box in np.concatenate([xy - r, xy + r], axis=1).tolist():
        core.draw_ellipse(box, ink, 1)


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
        obj = limits.read_json(path, DrawingError)  # bounded in size and nesting
    if not isinstance(obj, dict) or not isinstance(obj.get("strokes"), list):
        raise DrawingError(f'{where}: expected an object with a "strokes" list')
    raw_strokes = obj["strokes"]
    pressures = obj.get("pressure")
    if pressures is not None and (not isinstance(pressures, list) or len(pressures) != len(raw_strokes)):
        raise DrawingError(f'{where}: "pressure" must be a list with one list per stroke')
    if len(raw_strokes) > limits.MAX_STROKES:
        raise DrawingError(f"{where}: {len(raw_strokes)} strokes; InkLab reads at most {limits.MAX_STROKES}")
    points = sum(len(raw) for raw in raw_strokes if isinstance(raw, list))
    if points > limits.MAX_POINTS:
        raise DrawingError(f"{where}: {points} points; InkLab reads at most {limits.MAX_POINTS} per drawing")
    strokes = []
    for i, raw in enumerate(raw_strokes):
        what = f"{where}: stroke {i + 1}"
        if not _is_point_list(raw):
            raise DrawingError(f"{what} must be a list of [x, y] or [x, y, pressure] points")
        if not raw:
            continue
        if len(set(map(len, raw))) != 1:
            raise DrawingError(f"{what} mixes points with and without pressure")
        try:
            a = np.asarray(raw, np.float64)
        except OverflowError:  # an integer beyond float's range (JSON has no bound on digits)
            raise DrawingError(f"{what} has a coordinate too large to be a number") from None
        p = None if pressures is None else pressures[i]
        if p is not None:
            if not isinstance(p, list) or len(p) != len(raw) or not _are_numbers(p):
                raise DrawingError(f"{what}: its pressure list must have one number per point")
            try:
                a = np.column_stack([a[:, :2], np.asarray(p, np.float64)])
            except OverflowError:
                raise DrawingError(f"{what}: a pressure value is too large to be a number") from None
        if not np.isfinite(a).all():
            raise DrawingError(f"{what} has NaN or infinite values")
        if np.abs(a[:, :2]).max() > limits.MAX_COORDINATE:
            raise DrawingError(f"{what} has a coordinate beyond ±{limits.MAX_COORDINATE:,.0f}")
        strokes.append(a.astype(np.float32))
    return strokes


_JSON_NUMBERS = frozenset((int, float))


def _are_numbers(values: list) -> bool:
    """Whether every value is an int or a float (not a bool: JSON's true is no coordinate)."""
    kinds = set(map(type, values))  # one pass in C: the common case, plain JSON numbers
    if kinds <= _JSON_NUMBERS:
        return True
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _is_point_list(raw: object) -> bool:
    """Whether ``raw`` is a list of [x, y] or [x, y, pressure] lists of numbers."""
    if not isinstance(raw, list):
        return False
    if set(map(type, raw)) - {list} and not all(isinstance(p, list) for p in raw):
        return False
    if not set(map(len, raw)) <= {2, 3}:
        return False
    return _are_numbers(list(itertools.chain.from_iterable(raw)))


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

