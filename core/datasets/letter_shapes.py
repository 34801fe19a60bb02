"""Hand-drawn stroke templates for the lowercase shapes fonts rarely give.

Fonts settle on one form of each letter, but people write ``a`` and ``g`` with one storey
or two, ``l`` as a bar or a loop, ``q`` with or without a tail; the letters model once
read a handwritten ``g`` as "Z" and ``q`` as "G".  These templates draw each such variant
(and the print forms of ``e``, ``r``, ``d`` and ``I`` it also confused) as pen strokes in
a unit box: y down, x-height from 0.5 to the baseline at 1.0, ascenders from 0,
descenders to about 1.45.  :mod:`core.datasets.synthetic` renders them through the pad's
renderer with a random writer's distortion, as it does the Hershey fonts.
"""

from __future__ import annotations

import numpy as np


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, n: int = 40) -> np.ndarray:
    """Points on an ellipse from angle ``start`` to ``end`` (degrees; 0 = right, 90 = down)."""
    t = np.radians(np.linspace(start, end, n))
    return np.column_stack([cx + rx * np.cos(t), cy + ry * np.sin(t)])


def _line(*points: tuple[float, float]) -> np.ndarray:
    return np.asarray(points, np.float64)


def _join(*parts: np.ndarray) -> np.ndarray:
    return np.concatenate(parts)


def _bowl() -> np.ndarray:
    """The round part of a, d, g, q: drawn from the top right, anticlockwise, as most people do."""
    return _arc(0.32, 0.75, 0.24, 0.25, -30, -390)


def _templates() -> dict[str, list[list[np.ndarray]]]:
    single_a = [_bowl(), _line((0.58, 0.5), (0.58, 1.0))]
    double_a = [_join(_arc(0.33, 0.66, 0.22, 0.16, 200, 360), _line((0.55, 0.66), (0.55, 1.0))),
                _join(_line((0.55, 0.76), (0.3, 0.76)), _arc(0.3, 0.88, 0.2, 0.12, 270, 90 - 20))]
    single_g = [_bowl(), _join(_line((0.58, 0.5), (0.58, 1.25)), _arc(0.34, 1.25, 0.24, 0.2, 0, 160))]
    double_g = [_arc(0.32, 0.68, 0.18, 0.17, 0, 360),
                _join(_line((0.25, 0.85), (0.2, 0.95), (0.5, 1.0)), _arc(0.32, 1.18, 0.28, 0.2, -40, 220),
                      _line((0.1, 1.12), (0.2, 0.97))),
                _line((0.46, 0.56), (0.62, 0.5))]
    looped_l = [_join(_line((0.05, 0.85)), _arc(0.3, 0.25, 0.14, 0.27, 115, -90),
                      _line((0.22, 0.5), (0.2, 0.92)), _arc(0.32, 0.92, 0.12, 0.08, 180, 60))]
    plain_l = [_line((0.3, 0.0), (0.3, 1.0))]
    footed_l = [_join(_line((0.3, 0.0), (0.3, 0.9)), _arc(0.42, 0.9, 0.12, 0.1, 180, 60))]
    tailed_q = [_bowl(), _join(_line((0.58, 0.5), (0.58, 1.4)), _line((0.58, 1.4), (0.78, 1.28)))]
    plain_q = [_bowl(), _line((0.58, 0.5), (0.58, 1.45))]
    print_e = [_join(_line((0.1, 0.76), (0.56, 0.76)), _arc(0.33, 0.76, 0.23, 0.25, 0, -320))]
    print_r = [_line((0.15, 0.5), (0.15, 1.0)), _join(_line((0.15, 0.68)), _arc(0.4, 0.72, 0.25, 0.2, 200, 300))]
    print_d = [_bowl(), _line((0.58, 0.0), (0.58, 1.0))]
    serif_i = [_line((0.3, 0.0), (0.3, 1.0)), _line((0.12, 0.0), (0.48, 0.0)), _line((0.12, 1.0), (0.48, 1.0))]
    return {
        "a": [single_a, double_a],
        "g": [single_g, double_g],
        "l": [looped_l, plain_l, footed_l],
        "q": [tailed_q, plain_q],
        "e": [print_e],
        "r": [print_r],
        "d": [print_d],
        "I": [serif_i],
    }


TEMPLATES = _templates()


def template_strokes(char: str, rng: np.random.Generator) -> list[np.ndarray]:
    """One random variant of ``char`` as strokes (float (n, 2), y down); [] if none is drawn here."""
    variants = TEMPLATES.get(char)
    if not variants:
        return []
    return [s.copy() for s in variants[int(rng.integers(len(variants)))]]


__all__ = ["TEMPLATES", "template_strokes"]
