"""A user's own pen files as a data set to import: UNIPEN segment files and labelled stroke JSONL.

**UNIPEN**: a segment file (``.dat``, ``.unp``, ``.uni``, or any text file that starts with
a UNIPEN keyword such as ``.VERSION``), or a folder of them (searched to any depth; files
without ``.SEGMENT`` lines, and everything under a folder called ``include``, are the
includes, read only when a segment file names them).  ``.INCLUDE`` paths are resolved
against the first ``include/`` folder found beside the segment file or above it, else the
file's own folder, and read with the real UNIPEN reader
(:mod:`core.datasets.readers.unipen_format`).  Files named ``pendigits*`` are in UCI's
pendigits layout and go through its reader.

**Stroke JSONL**: one drawing per line, the stroke JSON that ``recognize`` reads plus a
label, and optionally a writer::

    {"label": "a", "strokes": [[[x, y], ...], ...], "writer": "anna"}

Points are screen coordinates (y down), as the pad and ``recognize`` use them.

Every drawing is rendered by the pad's renderer.  Classes follow the labels
(:func:`core.datasets.pen_samples.class_names`); a file whose name says ``test`` (or
``t10k``) is the test split, every other one train.  Writers become ``groups``.  The first
problem found is one :class:`~core.errors.DataError` naming the file and line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import limits
from core.datasets.dataset import Split
from core.datasets.pen_samples import class_names, label_indices, render_drawings, writer_numbers
from core.datasets.readers.unipen_format import (
    MAX_DOCUMENT_BYTES,
    InkSample,
    folder_resolver,
    read_segment_file,
)
from core.errors import DataError
from core.progress import CancelToken, ProgressCallback, no_progress

UNIPEN_SUFFIXES = frozenset({".dat", ".unp", ".uni"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
MAX_PEN_FILES = 20_000  # segment files in one import (UNIPEN's 1a, 1b and 1c hold 4,202)
MAX_PEN_DRAWINGS = 200_000  # drawings in one import (UNIPEN's 1a, 1b and 1c: 105,382)
MAX_JSONL_IMPORT_BYTES = 512 * limits.MiB
_SNIFF_BYTES = 4096
_KEYWORD = re.compile(rb"\s*\.[A-Z][A-Z_]*(\s|$)")
_SEGMENT_LINE = re.compile(r"^\.SEGMENT\b", re.MULTILINE)


@dataclass(frozen=True)
class PenImport:
    """The drawings of an import, rendered: format, class names, splits (with writers as groups)."""

    format: str
    label_names: tuple[str, ...]
    splits: dict[str, Split]


def pen_kind(path: Path) -> str | None:
    """``"unipen"`` or ``"jsonl"`` for a pen file (by its suffix, else its first bytes); None otherwise."""
    suffix = path.suffix.lower()
    if suffix in UNIPEN_SUFFIXES:
        return "unipen"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES).lstrip()
    except OSError:
        return None
    if head.startswith(b"{"):
        return "jsonl"
    return "unipen" if _KEYWORD.match(head) else None


def is_pen_import(paths: Sequence[Path]) -> bool:
    """Whether these paths are pen files (or folders holding some) rather than images or tables."""
    for path in paths:
        if path.is_dir():
            if any(_pen_suffix(p) for p in _walk(path, include_dirs=True, limit=MAX_PEN_FILES)):
                return True
        elif path.is_file() and pen_kind(path) is not None:
            return True
    return False


def _pen_suffix(path: Path) -> bool:
    return path.suffix.lower() in UNIPEN_SUFFIXES | JSONL_SUFFIXES


def _walk(folder: Path, include_dirs: bool = False, limit: int = MAX_PEN_FILES) -> list[Path]:
    """The regular files under ``folder`` in sorted order (hidden ones, and ``include/`` unless asked, left out)."""
    found: list[Path] = []
    for top, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (include_dirs or d.lower() != "include"))
        for name in sorted(files):
            if not name.startswith("."):
                found.append(Path(top) / name)
                if len(found) > limit:
                    return found
    return found


def include_root(segment_file: Path) -> Path:
    """Where ``segment_file``'s includes are: the nearest ``include/`` beside or above it, else its folder."""
    for folder in segment_file.resolve().parents:
        if (folder / "include").is_dir():
            return folder / "include"
    return segment_file.resolve().parent


def _pen_files(paths: Sequence[Path]) -> list[tuple[Path, str, bool]]:
    """Each pen file to read, its kind, and whether it was named (not found inside a folder)."""
    out: list[tuple[Path, str, bool]] = []
    for path in paths:
        if path.is_dir():
            inside = _walk(path)
            if len(inside) > MAX_PEN_FILES:
                raise DataError(f"{path}: more than {MAX_PEN_FILES:,} files; InkLab imports at most that many")
            for file in inside:
                if not file.is_file():
                    continue  # a device, a pipe or a broken link: never data (reading it may not end)
                kind = pen_kind(file)
                if kind is not None:
                    out.append((file, kind, False))
        else:
            kind = pen_kind(path) if path.is_file() else None
            if kind is None:
                raise DataError(f"{path}: not a UNIPEN or stroke JSONL file: import pen files on their own, "
                                "apart from images and tables")
            out.append((path, kind, True))
    return out


def _read_unipen(path: Path, named: bool, caches: dict[Path, dict]) -> list[InkSample]:
    """The characters of one UNIPEN segment file ([] for an include file found in a folder)."""
    if path.name.lower().startswith("pendigits"):
        from core.datasets.readers.unipen import read_unipen

        return [InkSample(str(s.label), f"pendigits/{s.writer}", s.strokes) for s in read_unipen(path)]
    limits.check_file_size(path, MAX_DOCUMENT_BYTES, DataError, "UNIPEN file")
    try:
        text = path.read_bytes().decode("latin-1")
    except OSError as err:
        raise DataError(f"{path}: cannot read the file ({err.strerror or err})") from None
    if not text.strip():
        raise DataError(f"{path}: the file is empty")
    if not _SEGMENT_LINE.search(text):
        if not named:
            return []  # pen data or a header that segment files include
        raise DataError(f'{path}: no .SEGMENT lines (a UNIPEN segment file labels its pen data: '
                        '.SEGMENT CHARACTER 0-1 ? "a")')
    root = include_root(path)
    try:
        samples = read_segment_file(str(path), text, folder_resolver(root), cache=caches.setdefault(root, {}))
    except DataError as err:
        message = str(err)
        raise DataError(message if str(path) in message else f"{path}: {message}") from None
    if not samples:
        raise DataError(f'{path}: no labelled characters (only .SEGMENT CHARACTER ... "a" is read)')
    return samples


def _one_character(label: object) -> bool:
    return isinstance(label, str) and len(label) == 1 and label.isprintable() and not label.isspace()


def _read_jsonl_line(line: bytes, where: str) -> InkSample:
    from core.imaging.stroke_batches import read_strokes

    obj = limits.parse_json(line, where, DataError)
    if not isinstance(obj, dict):
        raise DataError(f'{where}: expected an object {{"label": "a", "strokes": [[[x, y], ...], ...]}}')
    if "label" not in obj:
        raise DataError(f'{where}: no "label" (each line is {{"label": "a", "strokes": [...]}})')
    if not _one_character(obj["label"]):
        raise DataError(f"{where}: label {obj['label']!r} is not one character")
    strokes = read_strokes(obj, where)
    if not strokes:
        raise DataError(f"{where}: the drawing is empty (no points)")
    writer = obj.get("writer")
    if writer is not None and (isinstance(writer, bool) or not isinstance(writer, (str, int))):
        raise DataError(f'{where}: "writer" must be a name or a number, got {writer!r}')
    flipped = []
    for stroke in strokes:  # screen y points down; UNIPEN's and the stored samples' point up
        stroke = stroke.copy()
        stroke[:, 1] *= -1
        flipped.append(stroke)
    return InkSample(obj["label"], "" if writer is None else str(writer), flipped)


def _read_jsonl(path: Path) -> tuple[list[InkSample], list[str]]:
    """The drawings of one labelled stroke JSONL file, and where each is (``file:line``)."""
    limits.check_file_size(path, MAX_JSONL_IMPORT_BYTES, DataError, "JSONL file")
    samples: list[InkSample] = []
    wheres: list[str] = []
    try:
        with open(path, "rb") as handle:
            for number, line in enumerate(iter(lambda: handle.readline(limits.MAX_JSONL_LINE_BYTES + 1), b""), 1):
                if len(line) > limits.MAX_JSONL_LINE_BYTES:
                    raise DataError(f"{path}:{number}: a line longer than "
                                    f"{limits.MAX_JSONL_LINE_BYTES // limits.MiB} MB")
                if not line.strip():
                    continue
                if len(samples) >= limits.MAX_JSONL_DRAWINGS:
                    raise DataError(f"{path}: more than {limits.MAX_JSONL_DRAWINGS:,} drawings; split the file")
                samples.append(_read_jsonl_line(line, f"{path}:{number}"))
                wheres.append(f"{path}:{number}")
    except OSError as err:
        raise DataError(f"{path}: cannot read the file ({err.strerror or err})") from None
    if not samples:
        raise DataError(f"{path}: holds no drawings (the file is empty)")
    return samples, wheres


def _split_of(path: Path) -> str:
    lower = path.name.lower()
    return "test" if ("test" in lower or "t10k" in lower) else "train"


def read_pen_import(
    paths: Sequence[str | os.PathLike[str]],
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> PenImport:
    """Read, check and render the pen files ``paths`` (files or folders); nothing is written."""
    files = _pen_files([Path(p) for p in paths])
    if not files:
        raise DataError(f"{', '.join(str(p) for p in paths)}: no UNIPEN or stroke JSONL files")
    samples: list[InkSample] = []
    wheres: list[str] = []
    split_of: list[str] = []
    caches: dict[Path, dict] = {}
    kinds = set()
    for i, (path, kind, named) in enumerate(files):
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(i, len(files), "Reading pen files")
        if kind == "jsonl":
            found, where = _read_jsonl(path)
        else:
            found = _read_unipen(path, named, caches)
            where = [f"{path}: character {n + 1} ({s.label!r})" for n, s in enumerate(found)]
        if found:
            kinds.add(kind)
        samples.extend(found)
        wheres.extend(where)
        split_of.extend([_split_of(path)] * len(found))
        if len(samples) > MAX_PEN_DRAWINGS:
            raise DataError(f"more than {MAX_PEN_DRAWINGS:,} drawings in one import: import fewer files")
    if not samples:
        raise DataError(f"{', '.join(str(p) for p in paths)}: no labelled characters in these files")
    images = render_drawings([s.strokes for s in samples], y_up=True, progress=progress, cancel=cancel,
                             where=wheres)
    names = class_names(s.label for s in samples)
    labels = label_indices([s.label for s in samples], names)
    writers = [s.writer for s in samples]
    groups = writer_numbers(writers) if any(writers) else None
    chosen = np.array(split_of)
    splits = {}
    for split in ("train", "test"):
        picked = np.flatnonzero(chosen == split)
        if len(picked):
            splits[split] = Split(images[picked], labels[picked], None if groups is None else groups[picked])
    fmt = " + ".join({"unipen": "UNIPEN", "jsonl": "stroke JSONL"}[k] for k in sorted(kinds, reverse=True))
    return PenImport(fmt, names, splits)
