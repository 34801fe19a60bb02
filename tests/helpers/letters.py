"""Capital letters drawn as simple pen strokes (screen coordinates, y down), laid out as a word.

Plain enough that the bundled letters model reads most of them right; two of them it reads
as another letter alone (a plain I as L, a G with a short bar as C), which is what the
words option is for.
"""

from __future__ import annotations

import numpy as np


def _arc(cx: float, cy: float, r: float, a0: float, a1: float, n: int = 20) -> np.ndarray:
    t = np.radians(np.linspace(a0, a1, n))
    return np.column_stack([cx + r * np.cos(t), cy - 2 * r * np.sin(t)])


def _line(*points: tuple[float, float], n: int = 12) -> np.ndarray:
    pts = np.array(points, float)
    out = [pts[0]]
    for a, b in zip(pts[:-1], pts[1:], strict=False):
        out += [a + (b - a) * t for t in np.linspace(0, 1, n)[1:]]
    return np.array(out)


def _oval(x: float) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, 30)
    return np.column_stack([x + 45 + 45 * np.cos(t), 100 + 100 * np.sin(t)])


def _d(x: float) -> list[np.ndarray]:
    t = np.linspace(0, np.pi, 20)
    return [_line((x, 0), (x, 200)), np.column_stack([x + 80 * np.sin(t), 100 - 100 * np.cos(t)])]


LETTERS = {
    "A": lambda x: [_line((x, 200), (x + 45, 0), (x + 90, 200)), _line((x + 20, 120), (x + 70, 120))],
    "C": lambda x: [_arc(x + 50, 100, 50, 45, 315)],
    "D": _d,
    "E": lambda x: [_line((x + 80, 0), (x, 0), (x, 200), (x + 80, 200)), _line((x, 100), (x + 60, 100))],
    "H": lambda x: [_line((x, 0), (x, 200)), _line((x + 80, 0), (x + 80, 200)), _line((x, 100), (x + 80, 100))],
    "I": lambda x: [_line((x + 20, 0), (x + 20, 200))],
    "L": lambda x: [_line((x, 0), (x, 200), (x + 80, 200))],
    "N": lambda x: [_line((x, 200), (x, 0), (x + 80, 200), (x + 80, 0))],
    "O": lambda x: [_oval(x)],
    "T": lambda x: [_line((x, 0), (x + 90, 0)), _line((x + 45, 0), (x + 45, 200))],
}


def written_word(text: str, gap: float = 40.0) -> list[np.ndarray]:
    """``text`` (capitals of :data:`LETTERS`) as float32 (n, 2) strokes, letters 200 units tall."""
    strokes: list[np.ndarray] = []
    x = 20.0
    for c in text:
        parts = LETTERS[c](x)
        strokes += [np.column_stack([p[:, 0], p[:, 1] + 20]).astype(np.float32) for p in parts]
        x = max(float(p[:, 0].max()) for p in parts) + gap
    return strokes
