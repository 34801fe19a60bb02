"""Reader for real UNIPEN files: includes, pen components and ``.SEGMENT`` delineations.

The UNIPEN format (Guyon et al., 1994) keeps pen data and its labels apart.  A *segment
file* names the pen-data files it needs and then labels parts of that data::

    .VERSION 1.0
    .INCLUDE apa/app.doc                  the recording's header (.COORD, resolution...)
    .INCLUDE apa/data/apa13/app1300.dat   the pen data: .WRITER_ID, .PEN_DOWN / .PEN_UP ...
    .SEGMENT CHARACTER 4-5 ? "t"          components 4 to 5 are a "t" (quality "?" or OK)
    .SEGMENT CHARACTER 7:3-8:12 OK "e"    component 7 from point 3 to component 8 point 12

The rules this reader follows (checked against UNIPEN train_r01_v07):

* ``.INCLUDE`` paths are relative to the distribution's ``include/`` folder (a
  :class:`Resolver` finds them); included files may include others (bounded depth, no
  cycles).  The included text is read in place, in order.
* Components (strokes) are numbered from 0 over the whole document: every ``.PEN_DOWN``
  **and** ``.PEN_UP`` entry that holds points counts (some recorders store the hovering
  pen under ``.PEN_UP``); an entry without points does not.
* Points are one per line, ``x y`` or ``x y t`` as ``.COORD`` says; pen data before any
  ``.COORD`` is an error.  ``.X_POINTS_PER_INCH`` / ``_PER_MM`` (and Y) give the
  resolution: y is scaled by x's resolution over y's, so a tablet with non-square points
  still gives letters of the right shape.  y points **up**, as on every tablet.
* A delineation is a comma-separated list of ``A``, ``A-B``, ``A:M-B:N`` (0-based,
  inclusive; a missing point index means the whole component).
* The writer of a sample is ``.WRITER_ID`` in force when its first component was read,
  prefixed with the contributor (the first folder of the include path), because ids are
  only unique within one institution.

Every problem is one :class:`~core.errors.DataError` naming the file and line: a missing or
unreadable include, an include cycle, a point that is not two or three numbers or lies
beyond :data:`MAX_COORDINATE`, a delineation that names a
component or point the document does not have, a label that is not one character.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from core.errors import DataError

MAX_INCLUDE_DEPTH = 8
MAX_COORDINATE = 1e7  # real tablets give at most ~10^5 points per axis
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024  # one segment file with everything it includes
MAX_SEGMENT_POINTS = 100_000  # a character drawn with more points than this is not one

# .SEGMENT <type> <delineation> [<quality>] "<label>": a quality never starts with a quote, so a
# segment written without one still has its label.
_SEGMENT = re.compile(r'^\.SEGMENT\s+(\S+)\s+(\S+)(?:\s+([^"\s]\S*))?\s*(.*)$')
_RANGE = re.compile(r"^(\d+)(?::(\d+))?(?:-(\d+)(?::(\d+))?)?$")
_RESOLUTION = {
    ".X_POINTS_PER_INCH": (0, 1.0), ".Y_POINTS_PER_INCH": (1, 1.0),
    ".X_POINTS_PER_MM": (0, 25.4), ".Y_POINTS_PER_MM": (1, 25.4),
}


@dataclass(frozen=True, eq=False)
class InkSample:
    """One labelled character: its label (one character), writer and strokes (y up).

    Each stroke is a float32 ``(n, 2)`` array in the tablet's x units (y rescaled to them).
    """

    label: str
    writer: str
    strokes: list[np.ndarray]

    def point_count(self) -> int:
        return sum(len(s) for s in self.strokes)


# Reads the text of an include path ("apa/app.doc"); raises DataError when it is missing.
Resolver = Callable[[str], tuple[str, str]]


def folder_resolver(include_root: Path) -> Resolver:
    """Includes read from ``include_root`` (a folder); paths may not leave it."""
    root = include_root.resolve()

    def resolve(name: str) -> tuple[str, str]:
        rel = PurePosixPath(name.replace("\\", "/"))
        if rel.is_absolute() or ".." in rel.parts:
            raise DataError(f"include path {name!r} leaves the include folder")
        path = root.joinpath(*rel.parts)
        if not path.is_file():  # a folder, a device (/dev/zero has no size and no end) or a pipe
            raise DataError(f"included file {name!r} not found under {root}")
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_DOCUMENT_BYTES + 1)  # bounded even if the size lies
        except OSError:
            raise DataError(f"included file {name!r} not found under {root}") from None
        if len(data) > MAX_DOCUMENT_BYTES:
            raise DataError(f"{path}: larger than {MAX_DOCUMENT_BYTES // 2**20} MB")
        return str(path), data.decode("latin-1")

    return resolve


def mapping_resolver(files: dict[str, bytes], where: str) -> Resolver:
    """Includes read from a dict of ``include/``-relative names to bytes (an archive's members)."""

    def resolve(name: str) -> tuple[str, str]:
        key = str(PurePosixPath(name.replace("\\", "/")))
        data = files.get(key)
        if data is None:
            raise DataError(f"included file {name!r} is not in {where}")
        return f"{where}:include/{key}", data.decode("latin-1")

    return resolve


@dataclass
class _Document:
    """What has been read so far: components with their writer, and the segments."""

    points: list[np.ndarray] = field(default_factory=list)
    down: list[bool] = field(default_factory=list)  # .PEN_DOWN (ink) or .PEN_UP (the pen hovering)
    writers: list[str] = field(default_factory=list)
    segments: list[tuple[str, int, str, str, str]] = field(default_factory=list)  # where, line, type, delin, label
    columns: int = 0  # from .COORD; 0 until seen
    resolution: list[float] = field(default_factory=lambda: [0.0, 0.0])
    writer: str = ""
    contributor: str = ""
    size: int = 0


def read_segment_file(
    name: str, text: str, resolve: Resolver, *, contributor: str = "", cache: dict | None = None
) -> list[InkSample]:
    """The labelled characters of one segment file (``text``, called ``name`` in messages).

    ``resolve`` reads each ``.INCLUDE``; ``contributor`` prefixes writer ids (by default the
    first folder of the first pen-data include).  Segments of a type other than
    ``CHARACTER`` are skipped, and so are segments holding no pen-down stroke.  ``cache`` (any dict, shared between calls) keeps parsed
    includes, which the digit, upper- and lower-case segment files of a recording share.
    Raises :class:`DataError` on the first problem.
    """
    doc = _Document(contributor=contributor)
    _read(doc, name, text, resolve, 0, (name,), {} if cache is None else cache)
    cut = [_cut(doc, *segment) for segment in doc.segments if segment[2].upper() == "CHARACTER"]
    return [sample for sample in cut if sample is not None]


def _events(where: str, text: str) -> list[tuple]:
    """A file's keyword lines ``(KEYWORD, line number, line)``; a pen entry's line holds its point lines."""
    events: list[tuple] = []
    pen: list[tuple[int, str]] | None = None  # the open pen entry's point lines
    pen_line, pen_kind = 0, ""
    for number, line, is_keyword in _lines(text):
        if not is_keyword:
            if pen is not None:
                pen.append((number, line))
            # else: the free text of a header keyword (.DATA_CONTACT, .COMMENT...)
            continue
        if pen:
            events.append((pen_kind, pen_line, pen))
        pen = None
        keyword = line.split(None, 1)[0].upper()
        if keyword in (".PEN_DOWN", ".PEN_UP"):
            pen, pen_line, pen_kind = [], number, keyword
        else:
            events.append((keyword, number, line))
    if pen:
        events.append((pen_kind, pen_line, pen))
    return events


def _read(doc: _Document, where: str, text: str, resolve: Resolver, depth: int, stack: tuple[str, ...],
          cache: dict) -> None:
    doc.size += len(text)
    if doc.size > MAX_DOCUMENT_BYTES:
        raise DataError(f"{stack[0]}: with its includes larger than {MAX_DOCUMENT_BYTES // 2**20} MB")
    # Only included files are shared through the cache: the segment file itself is read once,
    # and two calls may give different texts under one name (its parse was reused before).
    parsed = cache if depth else {}
    events = parsed.get(("events", where))
    if events is None:
        events = parsed[("events", where)] = _events(where, text)
    for keyword, number, line in events:
        if keyword in (".PEN_DOWN", ".PEN_UP"):
            if doc.columns == 0:
                raise DataError(f"{where}, line {number}: pen data before any .COORD (which says what "
                                "each point's numbers are)")
            key = ("points", where, number, doc.columns)
            xy = parsed.get(key)
            if xy is None:
                xy = parsed[key] = _parse_points(where, line, doc.columns)
            _add_component(doc, xy, keyword == ".PEN_DOWN")
        elif keyword == ".INCLUDE":
            target = line.split(None, 1)[1].strip() if len(line.split()) > 1 else ""
            if not target:
                raise DataError(f"{where}, line {number}: .INCLUDE without a file name")
            if depth + 1 > MAX_INCLUDE_DEPTH or target in stack:
                raise DataError(f"{where}, line {number}: includes nested too deep or in a cycle ({target})")
            if not doc.contributor and "/data/" in f"/{target}":
                doc.contributor = PurePosixPath(target).parts[0]
            sub = cache.get(("file", target))
            if sub is None:
                sub = cache[("file", target)] = resolve(target)
            _read(doc, sub[0], sub[1], resolve, depth + 1, (*stack, target), cache)
        elif keyword == ".COORD":
            fields = [f.upper() for f in line.split()[1:]]
            if fields[:2] != ["X", "Y"]:
                raise DataError(f"{where}, line {number}: .COORD must start with X Y, got {line!r}")
            doc.columns = len(fields)
        elif keyword in _RESOLUTION:
            axis, per_inch = _RESOLUTION[keyword]
            doc.resolution[axis] = _number(line, where, number) * per_inch
        elif keyword == ".WRITER_ID":
            doc.writer = line.split(None, 1)[1].strip() if len(line.split()) > 1 else ""
        elif keyword == ".SEGMENT":
            match = _SEGMENT.match(line)
            if match is None:
                raise DataError(f"{where}, line {number}: .SEGMENT needs a type and a delineation")
            kind, delineation, _quality, rest = match.groups()
            label = _label(rest, where, number) if kind.upper() == "CHARACTER" else ""
            doc.segments.append((where, number, kind, delineation, label))


def _lines(text: str) -> Iterator[tuple[int, str, bool]]:
    """Stripped non-empty lines with their numbers, and whether each is a keyword line.

    A keyword starts in the line's first column: an indented ".PEN_DOWN" is the free text
    of a header (one recorder's .PAD describes its own algorithm that way).
    """
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if line:
            yield number, line, raw[0] == "."


def _number(line: str, where: str, number: int) -> float:
    fields = line.split()
    try:
        value = float(fields[1])
    except (IndexError, ValueError):
        raise DataError(f"{where}, line {number}: expected a number after {fields[0]}") from None
    if not (0 < value < 1e9):
        raise DataError(f"{where}, line {number}: {fields[0]} must be positive, got {fields[1]}")
    return value


def _label(rest: str, where: str, number: int) -> str:
    match = re.match(r'^"([^"]*)"', rest.strip())
    if match is None:
        raise DataError(f'{where}, line {number}: segment without a quoted label (expected ... "a")')
    label = match.group(1)
    if len(label) != 1 or not label.isprintable() or label.isspace():
        raise DataError(f"{where}, line {number}: label {label!r} is not one character")
    return label


def _parse_points(where: str, lines: list[tuple[int, str]], cols: int) -> np.ndarray:
    """One pen entry's points as float64 (n, 2), in one numpy conversion for the whole entry."""
    try:
        values = np.array(" ".join(text for _, text in lines).split(), dtype=np.float64)
        ok = values.size == cols * len(lines)
    except ValueError:
        ok = False
    if not ok:  # find the offending line to name it
        for number, text in lines:
            fields = text.split()
            try:
                [float(f) for f in fields]
                good = len(fields) == cols
            except ValueError:
                good = False
            if not good:
                raise DataError(f"{where}, line {number}: expected {cols} numbers per point (.COORD), "
                                f"got {text[:60]!r}")
        raise DataError(f"{where}, line {lines[0][0]}: unreadable points")  # not reached
    xy = values.reshape(-1, cols)[:, :2]
    bad = ~np.isfinite(xy) | (np.abs(xy) > MAX_COORDINATE)
    if bad.any():
        row = int(np.flatnonzero(bad.any(axis=1))[0])
        raise DataError(f"{where}, line {lines[row][0]}: coordinate {lines[row][1][:40]!r} is beyond "
                        f"+-{MAX_COORDINATE:.0e} (not a tablet's)")
    return xy


def _add_component(doc: _Document, xy: np.ndarray, down: bool) -> None:
    """One component, y rescaled to x's resolution, with the writer in force and its pen state."""
    xres, yres = doc.resolution
    if xres > 0 and yres > 0 and xres != yres:
        xy = xy * np.array([1.0, xres / yres])
    doc.points.append(xy.astype(np.float32))
    doc.down.append(down)
    writer = doc.writer or "unknown"
    doc.writers.append(f"{doc.contributor}/{writer}" if doc.contributor else writer)


def _cut(doc: _Document, where: str, number: int, kind: str, delineation: str, label: str) -> InkSample | None:
    """The strokes a delineation names, as one sample (None when it names no pen-down stroke)."""
    strokes: list[np.ndarray] = []
    n = len(doc.points)
    first_component = None
    for part in delineation.split(","):
        match = _RANGE.match(part.strip())
        if match is None:
            raise DataError(f"{where}, line {number}: delineation {delineation!r} is not A, A-B or A:M-B:N")
        a, m, b, e = match.groups()
        a = int(a)
        b = a if b is None else int(b)
        if b < a:
            raise DataError(f"{where}, line {number}: delineation {delineation!r} runs backwards "
                            f"(component {a} to {b})")
        if b >= n:
            has = f"{n} (0-{n - 1})" if n else "none"
            raise DataError(f"{where}, line {number}: delineation {delineation!r} names component {b}, "
                            f"but the pen data has {has}")
        first_component = a if first_component is None else first_component
        for c in range(a, b + 1):
            pts = doc.points[c]
            lo = int(m) if (c == a and m is not None) else 0
            hi = int(e) if (c == b and e is not None) else len(pts) - 1
            if c == b and e is None and match.group(3) is None and m is not None:
                hi = len(pts) - 1  # "A:M" alone: from point M to the component's end
            if lo >= len(pts) or hi >= len(pts):
                raise DataError(f"{where}, line {number}: delineation {delineation!r} names point "
                                f"{max(lo, hi)} of component {c}, which has {len(pts)} points")
            if hi < lo:  # "3:9-3:4": was silently an empty sample
                raise DataError(f"{where}, line {number}: delineation {delineation!r} runs backwards "
                                f"(point {lo} to {hi} of component {c})")
            if doc.down[c]:  # a hovering pen's trace counts in the numbering, but is no ink
                strokes.append(pts[lo : hi + 1])
    if not strokes:
        return None  # only the hovering pen: nothing was written
    if sum(len(s) for s in strokes) > MAX_SEGMENT_POINTS:
        raise DataError(f"{where}, line {number}: segment of more than {MAX_SEGMENT_POINTS} points")
    return InkSample(label, doc.writers[first_component], strokes)
