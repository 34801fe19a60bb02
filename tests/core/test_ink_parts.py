"""Touching characters in a picture: one blob of ink, cut where the ink is thinnest."""

from __future__ import annotations

import numpy as np

from core.imaging.ink_parts import split_touching


def blob(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    return np.column_stack([xs, ys]).astype(np.float64)


def ring(width: int, height: int, pen: int = 6) -> np.ndarray:
    mask = np.zeros((height, width), bool)
    mask[:pen], mask[-pen:], mask[:, :pen], mask[:, -pen:] = True, True, True, True
    return mask


def test_two_rings_joined_by_a_thin_bridge_are_cut_at_the_bridge() -> None:
    page = np.zeros((100, 200), bool)
    page[:, :80] = ring(80, 100)
    page[:, 110:190] = ring(80, 100)
    page[48:52, 80:110] = True  # a pen that did not lift: the two "0"s touch
    single = ring(80, 100)
    pieces, origin = split_touching([blob(single), blob(page)], height=100)
    assert origin == [0, 1, 1]  # the lone ring is left whole
    left, right = pieces[1], pieces[2]
    assert left[:, 0].max() < 110 and right[:, 0].min() >= 80  # the cut lies in the bridge
    assert len(left) + len(right) == page.sum()  # no ink lost


def test_characters_apart_or_a_single_wide_one_among_wide_ones_are_not_cut() -> None:
    rings = [blob(ring(80, 100)) + [120 * k, 0] for k in range(3)]
    pieces, origin = split_touching(rings, height=100)
    assert origin == [0, 1, 2]
    wide = np.zeros((100, 120), bool)
    wide[:, :] = ring(120, 100)  # an M-wide letter among letters as wide: not touching characters
    pieces, origin = split_touching([blob(wide), blob(wide) + [150, 0]], height=100)
    assert origin == [0, 1]
