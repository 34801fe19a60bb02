"""A real pendigits writer's digits laid out as a written number, in pad or any coordinates."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def written_number(shared_data: Path, text: str, writer: int = 25, seed: int = 0) -> tuple[list[np.ndarray], list[int]]:
    """(strokes, owners): ``text`` written by pendigits ``writer`` with normal spacing, screen
    coordinates (y down, x, y, pressure, time), each stroke's character index in ``owners``."""
    from bench.written_lines import compose
    from core.datasets.readers.unipen import load_pendigits_strokes

    mine = [s for s in load_pendigits_strokes(shared_data / "pendigits") if s.writer == writer]
    rng = np.random.default_rng(seed)
    picks = []
    for c in text:
        pool = [s.strokes for s in mine if str(s.label) == c]
        picks.append(pool[int(rng.integers(len(pool)))])
    height = float(np.median([np.ptp(np.concatenate(s.strokes)[:, 1]) for s in mine]))
    line = compose(text, picks, str(writer), "normal", rng, height, sizes={"full": height})
    return line.strokes, line.owners


def fit(strokes: list[np.ndarray], width: float, height: float) -> list[np.ndarray]:
    """``strokes`` scaled and moved to fill the middle of a ``width`` x ``height`` area."""
    xy = np.concatenate(strokes)[:, :2]
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    scale = min(0.8 * width / (hi - lo)[0], 0.45 * height / (hi - lo)[1])
    shift = np.array([width, height]) / 2 - (lo + hi) / 2 * scale
    return [np.column_stack([s[:, :2] * scale + shift, s[:, 2:]]).astype(np.float32) for s in strokes]
