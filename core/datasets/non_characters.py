"""Shapes that are not characters: scribbles, zigzags, asterisks, circles with lines through.

A model trained only on characters answers *something* for every drawing: a zigzag comes
out as "3, 82% sure".  The bundled models learn to say "not a character" from these
shapes (and their thresholds are calibrated on them), so they are generated here as pen
strokes in screen coordinates (y down, a few hundred pixels across, points about 2 px
apart, as the pad sends them) and go through the pad's own renderer like any drawing.

Every kind is chosen to be unlike any digit or letter: zigzags have at least six
segments (a "W" has four), asterisks at least three lines (an "X" has two), circles
carry at least two lines (a slashed "0" has one).  Everything is seeded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core import limits
from core.errors import DataError
from core.imaging import render_strokes, to_uint8

Strokes = list[np.ndarray]
_SIZE = 200.0  # nominal drawing size in pad pixels


def _densify(points: np.ndarray, step: float = 2.0) -> np.ndarray:
    """Points along the polyline ``points`` about ``step`` apart, as a pen sends them."""
    points = np.asarray(points, np.float64)
    if len(points) < 2:
        return points
    seg = np.hypot(*np.diff(points, axis=0).T)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    n = max(2, int(arc[-1] / step) + 1)
    at = np.linspace(0.0, arc[-1], n)
    return np.column_stack([np.interp(at, arc, points[:, 0]), np.interp(at, arc, points[:, 1])])


def _line(rng: np.random.Generator, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    wobble = rng.normal(scale=1.5, size=(2, 2))
    return _densify(np.array([a, b]) + wobble)


def _ellipse(rng: np.random.Generator, centre, rx: float, ry: float, turns: float = 1.0) -> np.ndarray:
    start = rng.uniform(0, 2 * math.pi)
    t = start + np.linspace(0, 2 * math.pi * turns, int(60 * turns) + 2)
    return _densify(np.column_stack([centre[0] + rx * np.cos(t), centre[1] + ry * np.sin(t)]))


def zigzag(rng: np.random.Generator) -> Strokes:
    """A zigzag of 6..14 segments, horizontal or vertical, in one stroke."""
    n = int(rng.integers(6, 15))
    along = np.linspace(0, _SIZE, n + 1) + rng.normal(scale=4, size=n + 1)
    across = np.where(np.arange(n + 1) % 2 == 0, 0.0, _SIZE * rng.uniform(0.3, 0.9))
    across += rng.normal(scale=6, size=n + 1)
    pts = np.column_stack([along, across]) if rng.random() < 0.6 else np.column_stack([across, along])
    return [_densify(pts)]


def scribble(rng: np.random.Generator) -> Strokes:
    """A tangle: a smooth random curve with several loops, one or two strokes."""
    strokes = []
    for _ in range(int(rng.integers(1, 3))):
        t = np.linspace(0, 1, 300)
        xy = np.zeros((len(t), 2))
        for axis in range(2):
            for _k in range(4):
                freq = rng.uniform(2, 9)
                xy[:, axis] += rng.uniform(0.2, 1.0) * np.sin(2 * math.pi * freq * t + rng.uniform(0, 6.3))
        xy = (xy - xy.min(0)) / np.maximum(np.ptp(xy, 0), 1e-9) * _SIZE
        strokes.append(_densify(xy))
    return strokes


def asterisk(rng: np.random.Generator) -> Strokes:
    """Three to six lines through one centre."""
    n = int(rng.integers(3, 7))
    c = np.array([_SIZE / 2, _SIZE / 2])
    angles = np.sort(rng.uniform(0, math.pi, n)) if rng.random() < 0.5 else np.linspace(0, math.pi, n, endpoint=False)
    angles = angles + rng.normal(scale=0.08, size=n)
    out = []
    for a in angles:
        r = _SIZE / 2 * rng.uniform(0.7, 1.0)
        d = np.array([math.cos(a), math.sin(a)]) * r
        out.append(_line(rng, c - d, c + d))
    return out


def hatch(rng: np.random.Generator) -> Strokes:
    """A grid or a hatching: 3..6 parallel lines, sometimes crossed by another 2..6."""
    out = []
    families = 2 if rng.random() < 0.6 else 1
    base = rng.uniform(0, math.pi)
    for f in range(families):
        angle = base + f * rng.uniform(1.1, 2.0)
        n = int(rng.integers(3, 7)) if f == 0 else int(rng.integers(2, 7))
        d = np.array([math.cos(angle), math.sin(angle)])
        normal = np.array([-d[1], d[0]])
        for off in np.linspace(-0.4, 0.4, n) * _SIZE:
            c = np.array([_SIZE / 2, _SIZE / 2]) + normal * (off + rng.normal(scale=4))
            out.append(_line(rng, c - d * _SIZE * 0.45, c + d * _SIZE * 0.45))
    return out


def circle_with_lines(rng: np.random.Generator) -> Strokes:
    """A circle crossed by two to four lines (an "0" with a slash has only one)."""
    c = np.array([_SIZE / 2, _SIZE / 2])
    r = _SIZE * rng.uniform(0.3, 0.45)
    out = [_ellipse(rng, c, r, r * rng.uniform(0.7, 1.3))]
    for a in rng.uniform(0, math.pi, int(rng.integers(2, 5))):
        d = np.array([math.cos(a), math.sin(a)]) * r * rng.uniform(1.0, 1.5)
        shift = rng.normal(scale=r * 0.2, size=2)
        out.append(_line(rng, c - d + shift, c + d + shift))
    return out


def spiral(rng: np.random.Generator) -> Strokes:
    """A spiral of 2..4 turns (or concentric circles)."""
    c = np.array([_SIZE / 2, _SIZE / 2])
    if rng.random() < 0.5:
        turns = rng.uniform(2, 4)
        t = np.linspace(0, 2 * math.pi * turns, int(80 * turns))
        r = _SIZE / 2 * (0.1 + 0.9 * t / t[-1])
        sign = 1 if rng.random() < 0.5 else -1
        return [_densify(np.column_stack([c[0] + r * np.cos(sign * t), c[1] + r * np.sin(t)]))]
    n = int(rng.integers(2, 5))
    return [_ellipse(rng, c, _SIZE / 2 * k / n, _SIZE / 2 * k / n * rng.uniform(0.8, 1.2)) for k in range(1, n + 1)]


def wave(rng: np.random.Generator) -> Strokes:
    """A long wave or a row of loops (a "~" stretched over 3..7 periods)."""
    periods = rng.uniform(3, 7)
    t = np.linspace(0, 1, 400)
    amp = _SIZE * rng.uniform(0.1, 0.3)
    x = t * _SIZE * rng.uniform(1.5, 2.5)
    if rng.random() < 0.5:  # loops: a cycloid-like curve
        x = x + amp * 0.8 * np.cos(2 * math.pi * periods * t)
    y = amp * np.sin(2 * math.pi * periods * t)
    return [_densify(np.column_stack([x, y]))]


def polygon_clutter(rng: np.random.Generator) -> Strokes:
    """A star (pentagram), a box with its diagonals, or a handful of random short strokes."""
    c = np.array([_SIZE / 2, _SIZE / 2])
    kind = rng.integers(0, 3)
    if kind == 0:
        a = rng.uniform(0, 2 * math.pi) + np.arange(6) * 4 * math.pi / 5
        return [_densify(c + _SIZE / 2 * np.column_stack([np.cos(a), np.sin(a)]))]
    if kind == 1:
        s = _SIZE / 2
        corners = c + np.array([[-s, -s], [s, -s], [s, s], [-s, s], [-s, -s]]) * rng.uniform(0.8, 1, (5, 2))
        return [_densify(corners), _line(rng, corners[0], corners[2]), _line(rng, corners[1], corners[3])]
    n = int(rng.integers(5, 10))
    starts = rng.uniform(0, _SIZE, (n, 2))
    ends = starts + rng.normal(scale=_SIZE * 0.25, size=(n, 2))
    return [_line(rng, a, b) for a, b in zip(starts, ends, strict=True)]


KINDS: dict[str, Callable[[np.random.Generator], Strokes]] = {
    "zigzag": zigzag,
    "scribble": scribble,
    "asterisk": asterisk,
    "hatch": hatch,
    "circle_with_lines": circle_with_lines,
    "spiral": spiral,
    "wave": wave,
    "polygon_clutter": polygon_clutter,
}


def non_character_strokes(n: int, seed: int = 0) -> list[tuple[str, Strokes]]:
    """``n`` random non-characters as ``(kind, strokes)``, the kinds taken in turn."""
    rng = np.random.default_rng(seed)
    names = list(KINDS)
    out = []
    for i in range(n):
        kind = names[i % len(names)]
        strokes = KINDS[kind](rng)
        # A random rotation and aspect, so no kind always comes at one angle or shape.
        theta = rng.uniform(0, 2 * math.pi)
        m = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
        m = m @ np.diag([math.exp(rng.uniform(-0.4, 0.4)), 1.0])
        out.append((kind, [s @ m.T + 300 for s in strokes]))
    return out


def non_character_images(n: int, seed: int = 0, *, pen_width: tuple[float, float] | None = None) -> np.ndarray:
    """``n`` non-characters rendered by the pad's renderer: uint8 (n, 28, 28).

    With ``pen_width`` each gets a random width in that range, else the pad's default.
    """
    rng = np.random.default_rng(seed + 1_000_003)
    images = np.zeros((n, 28, 28), np.uint8)
    for i, (_kind, strokes) in enumerate(non_character_strokes(n, seed)):
        width = None if pen_width is None else float(rng.uniform(*pen_width))
        images[i] = to_uint8(render_strokes(strokes, pen_width=width))
    return images


DOODLES_FILE = "quickdraw/doodles-train.jsonl.gz"  # under a data root ($INKLAB_DATA_PATH)
MAX_DOODLE_BYTES = 64 * 1024 * 1024  # unpacked; the real file is ~1.5 MB


def load_doodles(path: Path) -> list[tuple[str, Strokes]]:
    """Real doodles (Quick, Draw!) as ``(kind, strokes)``, y down, from a ``.jsonl.gz`` file.

    One ``{"label": KIND, "strokes": [[[x, y], ...], ...]}`` a line.  Raises DataError
    naming the file and line for anything else.
    """
    import gzip

    from core.imaging.stroke_batches import read_strokes

    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read(MAX_DOODLE_BYTES + 1)
    except (OSError, EOFError) as err:
        raise DataError(f"{path}: not a readable .jsonl.gz file ({err})") from None
    if len(raw) > MAX_DOODLE_BYTES:
        raise DataError(f"{path}: unpacks to more than {MAX_DOODLE_BYTES // 2**20} MB")
    out = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        obj = limits.parse_json(line, f"{path}:{number}", DataError)
        if not isinstance(obj, dict) or not isinstance(obj.get("label"), str):
            raise DataError(f"{path}:{number}: expected {{\"label\": ..., \"strokes\": ...}}")
        out.append((obj["label"], read_strokes(obj, f"{path}:{number}")))
    return out


__all__ = ["DOODLES_FILE", "KINDS", "load_doodles", "non_character_images", "non_character_strokes"]
