"""Strokes written on one line -> which of them make each character, left to right.

Every distance is a share of the line's character height ``H`` (the median height of its
tall strokes), so small and large writing group alike.  By rule: a *bar* (a flat stroke: a
T's or a 4's crossbar, a 5's flag) joins what it overlaps and touches; a *mark* (an i's dot)
joins the stroke written just before it, or the nearest; a stroke inside another's box is
part of it.  Neighbouring parts that touch, are very close, or of which one is a *raised
piece* (ending above the baseline: half of a 4) may be one character or two:
:class:`Segmentation` lists those joins as candidates with the geometry's log-prior, and
the model's answers decide (:meth:`Segmentation.choose`).  Everything else splits.  A
picture's connected blobs of ink group the same way (:mod:`core.imaging.ink_parts`); the
rendering and the model are :mod:`core.models.reading`'s.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from core.errors import DrawingError
from core.imaging.stroke_geometry import Lines, box, ink_distance, union_box

MAX_STROKES = 150  # strokes in one line read at once (a long word has ~15-30)
MAX_CHARACTERS = 32
MAX_RUN = 3  # parts one candidate character may join
_EMPTY = "drawing is empty: nothing drawn"


@dataclass(frozen=True)
class Rules:
    """The grouping thresholds, each a share of the character height ``H`` unless said."""

    tall: float = 0.35  # strokes at least this share of the tallest one's height set H
    narrow: float = 0.12  # a narrower stroke counts as this wide (a stem, a "1")
    flat: float = 0.4  # a stroke lower than this is a bar (a T's, a 4's crossbar, a 5's flag)
    overlap: float = 0.55  # share of a bar's extent inside another stroke's (or the reverse): one character
    edge: float = 0.12  # ... unless the narrower one's centre lies within this share of the wider one's end
    touch: float = 0.06  # ink this close touches
    inside: float = 0.1  # a stroke inside another's box, this share of its width from its sides, is part of it
    mark: float = 0.3  # strokes smaller than this (both sides) are marks: i-dots, short bars
    reach: float = 0.35  # a mark joins the character this close to it, horizontally
    near: float = 0.1  # neighbouring parts this close (or touching, or raised) may be one character
    merge_cost: float = 0.5  # log-probability each join must gain over its parts read apart
    gap_cost: float = 4.0  # ... more per H of clear gap between the parts
    wide: float = 1.0  # ... and more for a join wider than this
    wide_cost: float = 4.0  # ... per H beyond it
    raised: float = 0.1  # a part whose bottom is this far above the line's baseline is a piece
    raised_cost: float = 8.0  # ... costing this per H above it when read alone
    touch_bonus: float = 0.5  # parts whose ink touches or crosses: a join costs this much less
    model_weight: float = 1.5  # the model's log-probabilities count this much against the geometry's priors


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Group:
    """Strokes read as one character: their indices (in the order given) and their box."""

    strokes: tuple[int, ...]
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in the input's coordinates


@dataclass(frozen=True)
class Segmentation:
    """The parts of a line and every candidate character the recognizer must score.

    ``candidates`` starts with the parts themselves, left to right; each later candidate
    joins the parts ``runs[k]`` (a half-open range of part indices) that lie close together.
    ``priors`` are what the geometry says of each candidate, in log-probability: a join
    costs, more so across a gap or when it is too wide for one character; a part raised
    above the line (a 4's left half, a 5's flag) costs when read alone.  ``marks`` are the
    small strokes that joined no character (a stray dot).
    """

    parts: list[Group]
    candidates: list[Group]
    runs: list[tuple[int, int]]
    priors: list[float]
    height: float
    marks: tuple[int, ...] = field(default=())
    model_weight: float = 1.0

    def choose(self, scores: Sequence[float]) -> list[Group]:
        """The characters, left to right, given each candidate's log-probability from the model.

        A dynamic programme over the parts: each part either stands alone or is joined with
        its neighbours into one of the candidates; the grouping with the highest total of
        ``model_weight`` x score + prior wins (a tie keeps the parts apart); a candidate
        scored ``-inf`` (never predicted: it could not win) is never chosen.
        """
        if len(scores) != len(self.candidates):
            raise ValueError(f"expected {len(self.candidates)} scores, got {len(scores)}")
        total = [self.model_weight * float(s) + p for s, p in zip(scores, self.priors, strict=True)]
        n = len(self.parts)
        ending: dict[int, list[tuple[int, int]]] = {}
        for k, (start, stop) in enumerate(self.runs):
            ending.setdefault(stop, []).append((start, n + k))
        best = [0.0] + [-math.inf] * n
        back = [(0, 0)] * (n + 1)
        for stop in range(1, n + 1):
            best[stop], back[stop] = best[stop - 1] + total[stop - 1], (stop - 1, stop - 1)
            for start, k in ending.get(stop, ()):
                if best[start] + total[k] > best[stop] + 1e-9:
                    best[stop], back[stop] = best[start] + total[k], (start, k)
        chosen, stop = [], n
        while stop > 0:
            start, k = back[stop]
            chosen.append(self.candidates[k])
            stop = start
        return chosen[::-1]


def segment(
    strokes: Sequence[np.ndarray], rules: Rules = DEFAULT_RULES, *, y_up: bool = False, paths: bool = True
) -> Segmentation:
    """Group ``strokes`` (arrays whose first two columns are x and y) into candidate characters.

    Coordinates are screen coordinates (y down) unless ``y_up``.  ``paths``: the strokes
    are pen paths, points in writing order; False for a picture's blobs of ink (their
    pixels).  Empty strokes are skipped (indices still count them).
    Raises :class:`DrawingError` when nothing is drawn, for more than :data:`MAX_STROKES`
    strokes or more than :data:`MAX_CHARACTERS` characters.
    """
    kept = [i for i, s in enumerate(strokes) if len(s)]
    if not kept:
        raise DrawingError(_EMPTY)
    if len(kept) > MAX_STROKES:
        raise DrawingError(
            f"{len(kept)} strokes: InkLab reads at most {MAX_STROKES} strokes as one line of characters"
        )
    boxes = np.array([box(np.asarray(strokes[i], np.float64)) for i in kept])
    if not np.isfinite(boxes).all():
        raise DrawingError("a stroke has NaN or infinite coordinates")
    if y_up:  # work in screen coordinates: the baseline is below the characters
        boxes[:, [1, 3]] = -boxes[:, [3, 1]]
    height = _line_height(boxes, rules)
    sizes = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    marks = sizes < rules.mark * height
    if marks.all():  # only small strokes: none of them is a mark beside the others
        marks[:] = False
    lines = Lines([strokes[i] for i in kept], 0.04 * height, paths, y_up)
    parent = list(range(len(kept)))
    _join_bars(boxes, lines, ~marks, height, rules, parent)
    _join_inside(boxes, ~marks, rules, parent)
    lonely = _attach_marks(boxes, marks, height, rules, parent)
    members: dict[int, list[int]] = {}
    for i in range(len(kept)):
        if i not in lonely:
            members.setdefault(_root(parent, i), []).append(i)
    if len(members) > MAX_CHARACTERS:
        raise DrawingError(
            f"about {len(members)} characters: InkLab reads at most {MAX_CHARACTERS} at once; write fewer"
        )
    unsorted = list(members.values())
    boxes_of = np.array([union_box(boxes[m]) for m in unsorted])
    order = np.argsort((boxes_of[:, 0] + boxes_of[:, 2]) / 2, kind="stable")
    groups, part_boxes = [unsorted[k] for k in order], boxes_of[order]
    reach = height * rules.touch
    touching = [_parts_touch(groups[k], groups[k + 1], part_boxes[k], part_boxes[k + 1], lines, reach)
                for k in range(len(groups) - 1)]
    centres = (part_boxes[:, 0] + part_boxes[:, 2]) / 2
    raised = (_baseline(part_boxes, height)(centres) - part_boxes[:, 3]) / height
    runs = _runs(part_boxes, touching, raised > rules.raised, height, rules)
    priors = _priors(part_boxes, runs, touching, raised, height, rules)
    if y_up:
        boxes[:, [1, 3]] = -boxes[:, [3, 1]]
    parts = [_group(kept, boxes, m) for m in groups]
    candidates = parts + [_group(kept, boxes, [i for g in groups[a:b] for i in g]) for a, b in runs]
    return Segmentation(parts, candidates, runs, priors, height, tuple(kept[i] for i in sorted(lonely)),
                        rules.model_weight)


def _line_height(boxes: np.ndarray, rules: Rules) -> float:
    """H: the median height of the strokes at least ``rules.tall`` of the tallest one's height."""
    heights = boxes[:, 3] - boxes[:, 1]
    tall = heights[heights >= rules.tall * heights.max()]
    height = float(np.median(tall)) if tall.size else 0.0
    if height <= 0:  # only flat strokes (dashes): their length is the scale
        height = float((boxes[:, 2] - boxes[:, 0]).max())
    return height if height > 0 else 1.0


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _union(parent: list[int], i: int, j: int) -> None:
    parent[_root(parent, i)] = _root(parent, j)


def _join_bars(
    boxes: np.ndarray, lines: Lines, big: np.ndarray, height: float, rules: Rules, parent: list[int]
) -> None:
    """Join each bar (a flat stroke) to the strokes it overlaps mostly, horizontally (module doc).

    Among those, the bar joins the ones its ink touches (a T's stem, an H's two posts); when
    it touches none, the one it overlaps most, unless the bar only reaches over its end (a
    7's bar over the next digit).
    """
    centre = (boxes[:, 0] + boxes[:, 2]) / 2
    half = np.maximum(boxes[:, 2] - boxes[:, 0], rules.narrow * height) / 2
    lo, hi = centre - half, centre + half
    flat = (boxes[:, 3] - boxes[:, 1]) < rules.flat * height
    idx = np.flatnonzero(big)
    for bar in np.flatnonzero(flat & big):
        shares = {int(o): _overlap_share(lo, hi, bar, o, 0.0) for o in idx if o != bar}
        partners = [o for o, share in shares.items() if share >= rules.overlap]
        touching = [o for o in partners if ink_distance(lines[bar], lines[o]) <= rules.touch * height]
        if not touching:
            inside = [o for o in partners if _overlap_share(lo, hi, bar, o, rules.edge) >= rules.overlap]
            touching = [max(inside, key=shares.__getitem__)] if inside else []
        for other in touching:
            _union(parent, int(bar), other)


def _join_inside(boxes: np.ndarray, big: np.ndarray, rules: Rules, parent: list[int]) -> None:
    """Join a stroke lying wholly inside another's box, away from its sides (the slash of a Ø)."""
    idx = np.flatnonzero(big)
    for a in idx:
        for b in idx:
            if a == b:
                continue
            margin = rules.inside * (boxes[b, 2] - boxes[b, 0])
            if (boxes[a, 0] >= boxes[b, 0] + margin and boxes[a, 2] <= boxes[b, 2] - margin
                    and boxes[a, 1] >= boxes[b, 1] and boxes[a, 3] <= boxes[b, 3]):
                _union(parent, int(a), int(b))


def _overlap_share(lo: np.ndarray, hi: np.ndarray, a: int, b: int, edge: float) -> float:
    """The share of the narrower extent inside the wider one; 0 when its centre sits at the wider's end."""
    overlap = min(hi[a], hi[b]) - max(lo[a], lo[b])
    if overlap <= 0:
        return 0.0
    narrow, wide = (a, b) if hi[a] - lo[a] <= hi[b] - lo[b] else (b, a)
    width = hi[wide] - lo[wide]
    centre = (lo[narrow] + hi[narrow]) / 2
    if min(centre - lo[wide], hi[wide] - centre) < edge * width:
        return 0.0
    return float(overlap / (hi[narrow] - lo[narrow]))


def _attach_marks(boxes: np.ndarray, marks: np.ndarray, height: float, rules: Rules, parent: list[int]) -> set[int]:
    """Join each mark to a character within reach horizontally; the rest are lonely.

    The stroke written just before the mark wins when it is within reach and the mark is
    not to its left (an i is dotted right after its stem, often with the dot off to the
    right); otherwise the horizontally nearest stroke, and among strokes as near, the one
    vertically nearer.
    """
    big = np.flatnonzero(~marks)
    lonely = set()
    for m in np.flatnonzero(marks):
        cx = (boxes[m, 0] + boxes[m, 2]) / 2
        cy = (boxes[m, 1] + boxes[m, 3]) / 2
        gap_x = np.maximum(0.0, np.maximum(boxes[big, 0] - cx, cx - boxes[big, 2]))
        gap_y = np.maximum(0.0, np.maximum(boxes[big, 1] - cy, cy - boxes[big, 3]))
        within = gap_x <= rules.reach * height
        if not within.any():
            lonely.add(int(m))
            continue
        previous = _previous_big(m, marks)
        # Going back to dot an earlier letter (the i's dot written after the whole word)
        # puts the mark to the left of the stroke written just before it.
        if previous >= 0 and within[np.searchsorted(big, previous)] and cx >= boxes[previous, 0] - 0.05 * height:
            chosen = previous
        else:
            order = np.lexsort((gap_y, np.round(gap_x / (0.02 * height))))
            chosen = big[order[0]]
        _union(parent, int(m), int(chosen))
    return lonely


def _previous_big(m: int, marks: np.ndarray) -> int:
    """The last stroke before stroke ``m`` that is not a mark (-1 when there is none)."""
    earlier = np.flatnonzero(~marks[:m])
    return int(earlier[-1]) if earlier.size else -1


def _group(kept: list[int], boxes: np.ndarray, members: list[int]) -> Group:
    b = union_box(boxes[members])
    return Group(tuple(sorted(kept[i] for i in members)), (float(b[0]), float(b[1]), float(b[2]), float(b[3])))


def _runs(
    parts: np.ndarray, touching: list[bool], raised: np.ndarray, height: float, rules: Rules
) -> list[tuple[int, int]]:
    """Ranges of neighbouring parts that may be one character: two of which one touches the
    next, comes within ``rules.near`` of it, or is a raised piece; three (an H, an N) only
    when each touches the next or a piece is among them."""
    gaps = parts[1:, 0] - parts[:-1, 2]
    piece = [bool(raised[k] or raised[k + 1]) for k in range(len(gaps))]
    strong = [touching[k] or piece[k] for k in range(len(gaps))]
    linked = [strong[k] or gaps[k] <= rules.near * height for k in range(len(gaps))]
    runs = []
    for start in range(len(gaps)):
        if linked[start]:
            runs.append((start, start + 2))
            if MAX_RUN >= 3 and start + 1 < len(gaps) and strong[start] and strong[start + 1]:
                runs.append((start, start + 3))
    return runs


def _parts_touch(a: list[int], b: list[int], box_a: np.ndarray, box_b: np.ndarray, lines: Lines,
                 reach: float) -> bool:
    """Whether the ink of two parts comes within ``reach`` (touches or crosses)."""
    if (box_a[0] > box_b[2] + reach or box_b[0] > box_a[2] + reach
            or box_a[1] > box_b[3] + reach or box_b[1] > box_a[3] + reach):
        return False
    pa, pb = np.concatenate([lines[i] for i in a]), np.concatenate([lines[i] for i in b])
    # Only the points near the other part's box can be near its ink.
    pa = pa[(pa[:, 0] >= pb[:, 0].min() - reach) & (pa[:, 0] <= pb[:, 0].max() + reach)]
    pb = pb[(pb[:, 0] >= pa[:, 0].min() - reach) & (pb[:, 0] <= pa[:, 0].max() + reach)] if len(pa) else pb[:0]
    return bool(len(pa) and len(pb) and ink_distance(pa, pb) <= reach)


def _priors(
    parts: np.ndarray, runs: list[tuple[int, int]], touching: list[bool], raised: np.ndarray, height: float,
    rules: Rules,
) -> list[float]:
    """The geometry's log-prior of each candidate: parts alone first, then the joins (class doc)."""
    priors = [-rules.raised_cost * max(0.0, float(r) - rules.raised) for r in raised]
    for start, stop in runs:
        run = parts[start:stop]
        gap = float(np.max(np.maximum(0.0, run[1:, 0] - run[:-1, 2]))) / height
        # As wide as it is tall is still one character, however tall the line's others are.
        width = float(run[:, 2].max() - run[:, 0].min()) / max(height, float(run[:, 3].max() - run[:, 1].min()))
        joins = sum(rules.merge_cost - (rules.touch_bonus if touching[k] else 0.0) for k in range(start, stop - 1))
        priors.append(-joins - rules.gap_cost * gap - rules.wide_cost * max(0.0, width - rules.wide))
    return priors


def _baseline(parts: np.ndarray, height: float):
    """The line's baseline (y of the characters' bottoms) as a function of x.

    Its slope is the median of the slopes between pairs of parts (Theil-Sen); its height
    is where the most parts end (within 0.12 H), the lower of two as popular: raised
    pieces (a 4 in two strokes) and descenders (g, p, y) are outliers on either side.
    """
    x = (parts[:, 0] + parts[:, 2]) / 2
    y = parts[:, 3]
    i, j = np.triu_indices(len(x), 1)
    dx = x[j] - x[i]
    ok = np.abs(dx) > 1e-9
    slope = float(np.median((y[j] - y[i])[ok] / dx[ok])) if ok.sum() >= 2 else 0.0
    slope = float(np.clip(slope, -0.3, 0.3))
    level = y - slope * x
    near = np.abs(level[:, None] - level[None, :]) <= 0.12 * height
    counts = near.sum(axis=1)
    best = np.flatnonzero(counts == counts.max())
    k = best[np.argmax(level[best])]
    intercept = float(np.median(level[near[k]]))
    return lambda at: intercept + slope * at
