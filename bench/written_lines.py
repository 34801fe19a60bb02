"""Numbers and words "written" by real writers: their own pen characters placed on one line.

A writer's isolated characters (pendigits digits, UNIPEN letters) are laid left to right
the way a person writes a line, in three styles chosen per line:

- ``normal``: the gap between neighbouring characters 0.15-0.45 of the writer's character
  height ``h`` (for lower-case words: their x-height), each gap jittered by +-0.05 h;
- ``tight``: gaps of 0.00-0.10 h, jittered by +-0.03 h (so neighbours sometimes touch or
  cross by a hair);
- ``drift``: normal gaps, the baseline climbing or falling by up to 0.08 h per character
  (+-0.03 h jitter) and the size changing steadily to 0.85-1.15 of the first character's
  by the end of the line.

Characters keep the writer's own shape (their tablet coordinates, flipped to screen y
down), each scaled to the writer's usual height for its zone +-8% (isolated samples were
written at whatever size their box allowed; the letters of one word are alike); digits
and capitals stand on the baseline, lower-case letters by their zone (x-height letters on
it, ascenders from it, descenders hanging below it).  Each
character's strokes get times as if written in turn (0.01 s per point, 0.15 s between
strokes, 0.3 s between characters).  Used by ``bench.multi``; nothing in core/ imports it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

STYLES = ("normal", "tight", "drift")
MAX_BOX_OVERLAP = 0.15  # neighbours' boxes overlap by at most this share of h (slanted writing)
_ASCENDERS = set("bdfhklt")
_DESCENDERS = set("gpqy")
# Common English words of 3-7 letters; a word is written only by a writer who has a
# separate sample of each of its letters.
WORDS = """
cat dog sun map box red key zoo fox jam cup hat pen ink web sky yes way art bed bus car day
egg fish game home idea joke king lake moon name open park quiz rain star tree unit view wind
year zero able back call dark easy fact good hand item jump kind last make next only page
quick right small table under value water young about black brown chair dream every field
green happy ideal juice knife light music night ocean paper queen river sound tiger voice
world yellow zebra animal bridge castle doctor engine forest garden island jacket kitchen
letter market number orange pencil rabbit silver ticket window winter family friend planet
school spring summer monday python wizard oxygen quartz jigsaw lizard vortex gadget frozen
hello house mouse plant storm cloud bread sugar lemon grape melon peach flute drum piano
""".split()


@dataclass
class Line:
    """One written line: its text, its strokes (x, y, pressure, t; screen y down), each character's strokes."""

    text: str
    strokes: list[np.ndarray]
    owners: list[int]  # for each stroke, the index of its character
    writer: str
    style: str


def _flip(strokes: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Tablet strokes (y up) in screen coordinates, the box's top-left at (0, 0)."""
    xy = [np.column_stack([np.asarray(s, np.float64)[:, 0], -np.asarray(s, np.float64)[:, 1]]) for s in strokes]
    lo = np.concatenate(xy).min(axis=0)
    return [a - lo for a in xy]


def _zone_bottom(label: str, height: float, x_height: float) -> float:
    """Where a character's box bottom sits relative to the baseline (screen y down: + is below)."""
    if not label.islower() or label in _ASCENDERS:
        return 0.0
    if label in _DESCENDERS:
        return max(0.0, height - x_height)  # its top at the x-height
    if label == "j":
        return 0.4 * x_height
    return 0.0


def zone(label: str) -> str:
    """The band of the line a character fills: "full" (digits, capitals), or for lower case
    "x" (x-height), "ascender", "descender", or its own for i and j (their dots)."""
    if not label.islower():
        return "full"
    if label in "ij":
        return label
    return "ascender" if label in _ASCENDERS else "descender" if label in _DESCENDERS else "x"


def zone_heights(by_label: dict[str, list]) -> dict[str, float]:
    """A writer's median character height in each zone (see :func:`zone`)."""
    heights: dict[str, list[float]] = defaultdict(list)
    for label, samples in by_label.items():
        heights[zone(label)] += [float(np.ptp(np.concatenate(s)[:, 1])) for s in samples]
    return {z: float(np.median(h)) for z, h in heights.items() if h}


def compose(
    text: str, samples: Sequence[Sequence[np.ndarray]], writer: str, style: str, rng: np.random.Generator,
    height: float, x_height: float | None = None, sizes: dict[str, float] | None = None,
) -> Line:
    """Lay the characters ``samples`` (tablet strokes, y up) of ``text`` out in one ``style``.

    ``sizes`` (see :func:`zone_heights`): each character is scaled to its writer's usual
    height for its zone, +-8%, as a person writes the letters of one word alike.
    """
    lo_gap, hi_gap = (-0.0, 0.10) if style == "tight" else (0.15, 0.45)
    jitter = 0.03 if style == "tight" else 0.05
    base_gap = rng.uniform(lo_gap, hi_gap)
    slope = rng.uniform(-0.08, 0.08) if style == "drift" else 0.0
    size_end = rng.uniform(0.85, 1.15) if style == "drift" else 1.0
    x_height = x_height or height
    strokes, owners = [], []
    baseline, t = 0.0, 0.0
    previous: list[np.ndarray] = []
    for k, (label, sample) in enumerate(zip(text, samples, strict=True)):
        scale = 1.0 + (size_end - 1.0) * (k / max(1, len(text) - 1))
        parts = _flip(sample)
        own = float(np.concatenate(parts)[:, 1].max())
        if sizes and sizes.get(zone(label)) and own > 0:
            scale *= float(np.clip(sizes[zone(label)] / own, 0.6, 1.6)) * rng.uniform(0.92, 1.08)
        parts = [a * scale for a in parts]
        box = np.concatenate(parts).max(axis=0)
        if k:
            baseline += (slope + (rng.uniform(-0.03, 0.03) if style == "drift" else 0.0)) * height
        top = baseline + _zone_bottom(label, float(box[1]), x_height * scale) - box[1]
        parts = [a + [0.0, top] for a in parts]
        x = 0.0
        if k:
            gap = (base_gap + rng.uniform(-jitter, jitter)) * height
            x = _place_after(previous, parts, gap, 0.05 * height, MAX_BOX_OVERLAP * height)
        parts = [a + [x, 0.0] for a in parts]
        for part in parts:
            n = len(part)
            times = t + 0.01 * np.arange(n)
            t = float(times[-1]) + 0.15
            strokes.append(np.column_stack([part, np.full(n, 0.5), times]).astype(np.float32))
            owners.append(k)
        t += 0.15
        previous = parts
    return Line(text, strokes, owners, writer, style)


def _place_after(left: list[np.ndarray], right: list[np.ndarray], gap: float, band: float, overlap: float) -> float:
    """The x shift that leaves ``gap`` between the two characters' ink at the height where they
    come closest (as a person leaves room beside the letter before), or between their boxes
    when they share no height."""
    def profile(strokes, side):
        pts = np.concatenate([_dense(s, band / 2) for s in strokes])
        rows = np.floor(pts[:, 1] / band).astype(int)
        out: dict[int, float] = {}
        for r, x in zip(rows.tolist(), pts[:, 0].tolist(), strict=True):
            out[r] = side(out.get(r, x), x)
        return out

    right_edge, left_edge = profile(left, max), profile(right, min)
    shared = set(right_edge) & set(left_edge)
    by_boxes = float(np.concatenate(left)[:, 0].max() - np.concatenate(right)[:, 0].min())
    if not shared:
        return by_boxes + gap
    # Nestled, but the boxes overlap by at most MAX_BOX_OVERLAP of the line's height.
    return max(float(max(right_edge[r] - left_edge[r] for r in shared)) + gap, by_boxes - overlap)


def _dense(stroke: np.ndarray, step: float) -> np.ndarray:
    """A stroke's points with more put in between, at most ``step`` apart."""
    if len(stroke) < 2:
        return stroke
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(stroke, axis=0).T))])
    at = np.linspace(0.0, arc[-1], max(2, int(arc[-1] / step) + 2))
    return np.column_stack([np.interp(at, arc, stroke[:, 0]), np.interp(at, arc, stroke[:, 1])])


def number_lines(pen_samples: Sequence, writers: set[str], per_writer: int, seed: int = 0) -> list[Line]:
    """Numbers of 2-6 digits by each pendigits writer in ``writers`` ("pendigits/7"), each digit one of theirs."""
    rng = np.random.default_rng(seed)
    by_writer: dict[str, list] = defaultdict(list)
    for sample in pen_samples:
        name = f"pendigits/{sample.writer}"
        if name in writers:
            by_writer[name].append(sample)
    lines = []
    for writer in sorted(by_writer):
        mine = by_writer[writer]
        by_label = defaultdict(list)
        for sample in mine:
            by_label[str(sample.label)].append(sample.strokes)
        height = float(np.median([np.ptp(np.concatenate(s.strokes)[:, 1]) for s in mine]))
        for i in range(per_writer):
            length = int(rng.integers(2, 7))
            text = "".join(rng.choice(sorted(by_label), length))
            picks = _distinct_picks(text, by_label, rng)
            lines.append(compose(text, picks, writer, STYLES[i % len(STYLES)], rng, height, sizes={"full": height}))
    return lines


def word_lines(ink_samples: Sequence, writers: set[str], per_writer: int, seed: int = 0,
               person_of=lambda w: w, vocabulary: Sequence[str] = WORDS) -> list[Line]:
    """Words of 3-7 letters, all capitals or all lower case, by each UNIPEN person in ``writers``.

    ``ink_samples`` are UNIPEN 1b and 1c samples; a person's case is picked per word among
    those for which they have enough letters.  ``vocabulary``: the words to write (codes:
    :func:`codes`).
    """
    rng = np.random.default_rng(seed)
    letters: dict[tuple[str, bool], dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for sample in ink_samples:
        person = person_of(sample.writer)
        if person in writers and sample.label.isalpha() and len(sample.strokes):
            letters[(person, sample.label.islower())][sample.label].append(sample.strokes)
    lines = []
    for person in sorted({p for p, _ in letters}):
        options = []
        for lower in (False, True):
            by_label = letters.get((person, lower), {})
            usable = [w for w in vocabulary if _has_letters(w if lower else w.upper(), by_label)]
            if usable:
                options.append((lower, by_label, usable))
        if not options:
            continue
        for i in range(per_writer):
            lower, by_label, usable = options[int(rng.integers(len(options)))]
            word = usable[int(rng.integers(len(usable)))]
            text = word if lower else word.upper()
            picks = _distinct_picks(text, by_label, rng)
            height, x_height = _letter_heights(by_label, lower)
            # Lower-case letters are spaced by their x-height, as people space them.
            unit = x_height if lower else height
            lines.append(compose(text, picks, person, STYLES[i % len(STYLES)], rng, unit, x_height,
                                 zone_heights(by_label)))
    return lines


def codes(count: int, seed: int = 0) -> list[str]:
    """``count`` random strings of 3-7 letters a-z: names and codes, which no word list holds."""
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), int(rng.integers(3, 8)))) for _ in range(count)]


def _has_letters(text: str, by_label: dict[str, list]) -> bool:
    return all(len(by_label.get(c, ())) >= text.count(c) for c in set(text))


def _distinct_picks(text: str, by_label: dict[str, list], rng: np.random.Generator) -> list:
    """One sample per character of ``text``, a repeated character getting different samples when there are."""
    used: dict[str, list[int]] = defaultdict(list)
    picks = []
    for c in text:
        pool = [i for i in range(len(by_label[c])) if i not in used[c]] or list(range(len(by_label[c])))
        i = int(rng.choice(pool))
        used[c].append(i)
        picks.append(by_label[c][i])
    return picks


def _letter_heights(by_label: dict[str, list], lower: bool) -> tuple[float, float]:
    """(character height, x-height) of a person's letters: the median heights of their capitals,
    or of their ascender and their x-height lower-case letters."""
    def median_height(labels) -> float:
        heights = [np.ptp(np.concatenate(s)[:, 1]) for c in labels for s in by_label.get(c, ())]
        return float(np.median(heights)) if heights else 0.0

    if not lower:
        h = median_height(by_label)
        return h, h
    x_height = median_height([c for c in by_label if c not in _ASCENDERS | _DESCENDERS | {"i", "j"}])
    tall = median_height([c for c in by_label if c in _ASCENDERS])
    x_height = x_height or tall / 2 or 1.0
    return tall or 2 * x_height, x_height
