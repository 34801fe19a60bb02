"""Reader for ``label,pixel1..pixel784`` CSV files (Sign-Language-MNIST, EMNIST on Kaggle).

Sign-MNIST has a header row ``label,pixel1,...``; the Kaggle EMNIST files have none.  Both
hold one image per line: a label, then 784 integer pixels 0..255, row by row.

These files are large (EMNIST letters train: 88,800 rows, ~70 million cells), so the
usual tools are slow: ``np.loadtxt`` needs ~0.7 s for 30,000 rows and Python ``int()``
per cell many seconds.  Since every cell is a small non-negative integer, the common case
is parsed straight from the bytes with vectorised numpy, a block of rows at a time to keep
the working arrays small (~0.3 s for 30,000 rows here).  Anything unusual (a sign, a decimal point, a stray letter, a wrong column
count) sends that block to a careful line-by-line check that names the file and line.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from core import limits
from core.errors import DataError

N_PIXELS = 28 * 28
N_COLUMNS = 1 + N_PIXELS
_BLOCK_BYTES = 1 << 20  # ~400 rows: the working arrays stay in the CPU cache
_COMMA, _NEWLINE, _ZERO, _NINE = ord(","), ord("\n"), ord("0"), ord("9")


def read_label_pixel_csv(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """Read a ``label,p1..p784`` CSV into uint8 images (N, 28, 28) and int64 labels (N,).

    A first line containing letters is taken as a header and skipped.  Every malformed
    line raises a :class:`DataError` naming the file and the 1-based line number, because
    a user fixing a 100 MB file needs to know where to look.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except OSError as err:
        raise DataError(f"{path}: cannot read the file ({err.strerror or err})") from None
    if b"\r" in raw:
        raw = raw.replace(b"\r", b"")
    # Offsets instead of strip()/slices: each copy of a 200 MB file costs ~0.1 s.
    stop = len(raw)
    while stop and raw[stop - 1] in b"\n \t":
        stop -= 1
    if not stop:
        raise DataError(f"{path}: the file is empty (expected rows of label,pixel1..pixel784)")

    begin = 3 if raw.startswith(b"\xef\xbb\xbf") else 0  # the byte-order mark Excel writes
    first_end = raw.find(b"\n", begin, stop)
    first_line = raw[begin : stop if first_end < 0 else first_end]
    start, line_no = begin, 1
    if any(chr(c).isalpha() for c in first_line):
        _check_header(path, first_line)
        if first_end < 0:
            raise DataError(f"{path}: the file has a header but no data rows")
        start, line_no = first_end + 1, 2

    view = memoryview(raw)
    blocks: list[np.ndarray] = []
    while start < stop:
        end = raw.find(b"\n", min(start + _BLOCK_BYTES, stop), stop) + 1
        if end == 0:  # the last line has no newline: give it one (a copy of one block only)
            end, block = stop, bytes(view[start:stop]) + b"\n"
        else:
            block = view[start:end]
        parsed = _parse_block_fast(block)
        if parsed is None:
            parsed = _parse_block_careful(path, bytes(block), line_no)
        blocks.append(parsed)
        line_no += len(parsed)
        start = end

    table = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    labels = table[:, 0].astype(np.int64)
    images = table[:, 1:].astype(np.uint8).reshape(-1, 28, 28)
    return images, labels


def _check_header(path: Path, line: bytes) -> None:
    cells = line.split(b",")
    if len(cells) != N_COLUMNS:
        raise DataError(
            f"{path}, line 1: the header has {len(cells)} columns, expected {N_COLUMNS} "
            "(label and 784 pixels)"
        )


def _parse_block_fast(block: bytes | memoryview) -> np.ndarray | None:
    """Parse whole lines of plain digits into an int16 (rows, 785) table, or None if unusual.

    A cell is 1-3 ASCII digits ending at a separator ``p``: its value is the digit at
    ``p-1``, plus ten times the one at ``p-2``, plus a hundred times the one at ``p-3`` when
    the cell is three digits long.  Only whole-array operations and gathers are used
    (boolean-mask indexing is several times slower on arrays this size).
    """
    data = np.frombuffer(block, np.uint8)
    if np.any(data > _NINE):
        return None
    seps = np.flatnonzero(data < _ZERO)
    if len(seps) % N_COLUMNS:
        return None
    ends = data.take(seps).reshape(-1, N_COLUMNS)
    if np.any(ends[:, :-1] != _COMMA) or np.any(ends[:, -1] != _NEWLINE):
        return None
    lengths = np.empty_like(seps)
    lengths[0] = seps[0]
    np.subtract(seps[1:], seps[:-1], out=lengths[1:])
    lengths[1:] -= 1
    if lengths.min() < 1 or lengths.max() > 3:
        return None
    # Digit values (0 at separators), shifted right by three so p-3 never falls off the start.
    digits = np.zeros(len(data) + 3, np.uint8)
    np.maximum(data, _ZERO, out=digits[3:])
    digits[3:] -= _ZERO
    values = digits.take(seps + 2).astype(np.int16)
    values += 10 * digits.take(seps + 1).astype(np.int16)
    values += 100 * (digits.take(seps) * (lengths == 3)).astype(np.int16)
    table = values.reshape(-1, N_COLUMNS)
    if table[:, 1:].max() > 255:
        return None
    return table


def _parse_block_careful(path: Path, block: bytes, first_line_no: int) -> np.ndarray:
    """Check a block line by line; raise at the first bad line, else return its table.

    Reached only for unusual files, so clarity matters more than speed here.  Values such
    as ``12.0`` or `` 12`` are accepted when they are whole numbers in range.
    """
    rows = []
    for offset, line in enumerate(block.rstrip(b"\n").split(b"\n")):
        where = f"{path}, line {first_line_no + offset}"
        cells = line.split(b",")
        if len(cells) != N_COLUMNS:
            raise DataError(
                f"{where}: {len(cells)} columns, expected {N_COLUMNS} (label and 784 pixels)"
            )
        row = np.empty(N_COLUMNS, np.int64)
        for column, cell in enumerate(cells):
            what = "label" if column == 0 else f"pixel {column}"
            try:
                value = float(cell)
            except ValueError:
                text = cell.decode("utf-8", "replace").strip() or "an empty cell"
                raise DataError(f"{where}: {what} is '{text}', not a number") from None
            if not value.is_integer():  # also NaN and infinity ("1e999")
                raise DataError(f"{where}: {what} is {value}, not a whole number")
            if column == 0 and value < 0:
                raise DataError(f"{where}: label {int(value)} is negative")
            if column == 0 and value >= limits.MAX_CLASSES:
                raise DataError(f"{where}: label {value:g} is too large (InkLab handles at most "
                                f"{limits.MAX_CLASSES} classes)")
            if column > 0 and not 0 <= value <= 255:
                raise DataError(f"{where}: {what} is {value:g}, outside 0..255")
            row[column] = int(value)
        rows.append(row)
    return np.stack(rows)
