"""Reader for UNIPEN pen-trajectory files, and the drawing pad's rendering of their samples.

UCI's pen-based digits (``pendigits-orig.tra``, optionally ``.tes``) keep each digit as the
pen strokes a writer made on a tablet::

    .SEGMENT DIGIT 0 ? "8"      a sample; its label is the quoted text
    .COMMENT 8 12 224           label, writer id, index
    .PEN_DOWN                   a stroke: one "x y" line per point ...
     267  333
    .PEN_UP                     ... until the pen lifts
    .DT 100                     time between strokes (ignored)

Tablet y points *up*.  The samples are rendered to 28x28 with the drawing pad's own
pipeline (:mod:`core.imaging`), so a model trained or measured on them sees exactly
what it will see from the pad.  The pendigits data set built from them (rendered once,
then cached) is :func:`core.datasets.builtin.load_pendigits`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import limits
from core.errors import DataError, DrawingError
from core.imaging import render_strokes, to_uint8
from core.progress import CancelToken, ProgressCallback, no_progress

TRAIN_FILE = "pendigits-orig.tra"
TEST_FILE = "pendigits-orig.tes"
MAX_UNIPEN_BYTES = 64 * limits.MiB  # pendigits' training file is ~4 MB; every point becomes arrays

_LABEL = re.compile(r'"([^"]*)"\s*$')


@dataclass(frozen=True, eq=False)
class PenSample:
    """One handwritten character as the pen drew it: label, writer and strokes.

    Each stroke is a float32 ``(n, 2)`` array of tablet coordinates (y up).
    """

    label: int
    writer: int
    strokes: list[np.ndarray]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PenSample):
            return NotImplemented
        return (
            self.label == other.label
            and self.writer == other.writer
            and len(self.strokes) == len(other.strokes)
            and all(np.array_equal(a, b) for a, b in zip(self.strokes, other.strokes, strict=True))
        )

    __hash__ = None  # type: ignore[assignment]  # mutable arrays inside


def _parse_points(lines: list[tuple[int, str]], path: Path) -> np.ndarray:
    """The "x y" lines of one stroke as a float32 (n, 2) array; DataError at the bad line."""
    ok = all(len(text.split()) == 2 for _, text in lines)
    if ok:
        try:  # one numpy conversion for the whole stroke is several times faster than per line
            values = np.array(" ".join(text for _, text in lines).split(), dtype=np.float64)
            ok = bool(np.isfinite(values).all())
        except ValueError:
            ok = False
    if ok:
        return values.reshape(-1, 2).astype(np.float32)
    # Slow path, only to name the offending line.
    for number, text in lines:
        try:
            point = [float(f) for f in text.split()]
        except ValueError:
            point = []
        if len(point) != 2 or not np.isfinite(point).all():
            raise DataError(f"{path}, line {number}: expected two numbers 'x y', got {text.strip()!r}")
    raise DataError(f"{path}: unreadable coordinates")  # not reached


def read_unipen(path: str | Path) -> list[PenSample]:
    """Read a UNIPEN file of digit segments (pendigits' format) into :class:`PenSample` s.

    Header keywords (``.INCLUDE``, ``.LEXICON``, ``.HIERARCHY``...) and ``.DT`` are skipped.
    The writer id is the second number of each segment's ``.COMMENT`` (0 when absent).
    Raises :class:`DataError` naming the file and line for a non-numeric coordinate, points
    outside ``.PEN_DOWN``/``.PEN_UP``, a segment without a digit label or without strokes,
    and for a file with no samples at all.
    """
    path = Path(path)
    text = limits.read_text(path, DataError, MAX_UNIPEN_BYTES, "UNIPEN file")

    samples: list[PenSample] = []
    label: int | None = None  # the open segment's label; None while outside a segment
    segment_line = 0
    writer = 0
    strokes: list[np.ndarray] = []
    pen_lines: list[tuple[int, str]] | None = None  # collecting points while the pen is down

    def close_segment() -> None:
        if label is None:
            return
        if not strokes:
            raise DataError(f"{path}, line {segment_line}: segment has no pen strokes")
        samples.append(PenSample(label, writer, list(strokes)))

    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("."):
            if pen_lines is None:
                raise DataError(f"{path}, line {number}: coordinates outside .PEN_DOWN ... .PEN_UP")
            pen_lines.append((number, stripped))
            continue
        keyword = stripped.split(None, 1)[0].upper()
        if pen_lines is not None and keyword != ".PEN_UP":
            raise DataError(f"{path}, line {number}: {keyword} before the stroke's .PEN_UP")
        if keyword == ".SEGMENT":
            close_segment()
            strokes = []
            writer = 0
            segment_line = number
            match = _LABEL.search(stripped)
            if match is None:
                raise DataError(f'{path}, line {number}: segment without a label (expected ... "digit")')
            if len(match.group(1)) != 1 or match.group(1) not in "0123456789":
                raise DataError(f"{path}, line {number}: label {match.group(1)!r} is not a digit 0-9")
            label = int(match.group(1))
        elif keyword == ".COMMENT":
            fields = stripped.split()
            # A free-text comment is legal UNIPEN: only pendigits' "label writer index" is used.
            if label is not None and len(fields) >= 3 and fields[2].isdigit():
                writer = int(fields[2])
        elif keyword == ".PEN_DOWN":
            if label is None:
                raise DataError(f"{path}, line {number}: .PEN_DOWN before any .SEGMENT")
            pen_lines = []
        elif keyword == ".PEN_UP":
            if pen_lines is None:
                raise DataError(f"{path}, line {number}: .PEN_UP without .PEN_DOWN")
            if pen_lines:
                strokes.append(_parse_points(pen_lines, path))
            pen_lines = None
        # .INCLUDE, .LEXICON, .HIERARCHY, .DT and other keywords carry nothing we need.
    if pen_lines is not None:
        raise DataError(f"{path}: the file ends inside a stroke (missing .PEN_UP)")
    close_segment()
    if not samples:
        raise DataError(f"{path}: no digit samples found (is this a UNIPEN file?)")
    return samples


def render_samples(
    samples: list[PenSample],
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> np.ndarray:
    """Render pen samples to uint8 (N, 28, 28) with the drawing pad's pipeline (y up)."""
    images = np.zeros((len(samples), 28, 28), np.uint8)
    for i, sample in enumerate(samples):
        if i % 250 == 0:
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(i, len(samples), "Rendering pen strokes")
        try:
            images[i] = to_uint8(render_strokes(sample.strokes, y_up=True))
        except DrawingError as err:
            raise DataError(f"sample {i + 1} (label {sample.label}, writer {sample.writer}): {err}") from None
    progress(len(samples), len(samples), "Rendering pen strokes")
    return images


def load_pendigits_strokes(folder: str | Path, split: str = "train") -> list[PenSample]:
    """The raw pen samples of a pendigits split, for tests and benchmarks that need strokes."""
    names = {"train": TRAIN_FILE, "test": TEST_FILE}
    if split not in names:
        raise DataError(f"pendigits has no '{split}' split (it has: train, test)")
    return read_unipen(Path(folder) / names[split])
