"""The UNIPEN train_r01_v07 archive (``unipen/unipen-1abc.tar.xz``) as pen samples.

The archive holds the distribution as published: ``train_r01_v07/data/1a|1b|1c/...`` segment
files (isolated digits, upper-case and lower-case letters) and the ``include/`` files they
name.  It is read in place (never unpacked beside the data); the parsed strokes of all three
parts are kept in the user cache folder as one ``.npz`` of flat arrays (parsing takes ~30 s,
reading the cache well under a second).

:func:`unipen_samples` gives the :class:`~core.datasets.readers.unipen_format.InkSample` s
of one part, which the built-in data sets render with the pad's renderer and the bundled
models' builder renders with distortions.
"""

from __future__ import annotations

import tarfile
from pathlib import Path, PurePosixPath

import numpy as np

from core.datasets.derived_cache import load_or_build
from core.datasets.readers.unipen_format import InkSample, mapping_resolver, read_segment_file
from core.errors import DataError
from core.progress import CancelToken, ProgressCallback, no_progress

ARCHIVE = "unipen-1abc.tar.xz"
ROOT = "train_r01_v07"
PARTS = ("1a", "1b", "1c")  # digits, upper case, lower case
MAX_ARCHIVE_MEMBER = 64 * 1024 * 1024
MAX_ARCHIVE_TOTAL = 512 * 1024 * 1024  # the real one unpacks to 68 MB
CITATION = (
    "UNIPEN train_r01_v07 (International Unipen Foundation, 1999; doi:10.5281/zenodo.1195803): "
    "I. Guyon, L. Schomaker, R. Plamondon, M. Liberman, S. Janet, \"UNIPEN project of on-line data "
    "exchange and recognizer benchmarks\", ICPR 1994 (doi:10.1109/ICPR.1994.576870). The Zenodo "
    "distribution is CC BY 4.0; the 1999 CD's own terms allow research use and forbid commercial "
    "distribution."
)


def _read_members(path: Path, progress: ProgressCallback, cancel: CancelToken | None) -> dict[str, bytes]:
    """Every regular file of the archive under ``train_r01_v07/``, by its path below that."""
    files: dict[str, bytes] = {}
    total = 0
    try:
        with tarfile.open(path, "r:*") as archive:
            for i, member in enumerate(archive):
                if i % 500 == 0:
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    progress(i, 7500, "Reading the UNIPEN archive")
                if not member.isfile():
                    continue
                parts = PurePosixPath(member.name).parts
                if len(parts) < 2 or parts[0] != ROOT or ".." in parts:
                    continue
                if member.size > MAX_ARCHIVE_MEMBER:
                    raise DataError(f"{path}: member {member.name} is larger than "
                                    f"{MAX_ARCHIVE_MEMBER // 2**20} MB")
                total += member.size
                if total > MAX_ARCHIVE_TOTAL:
                    raise DataError(f"{path}: unpacks to more than {MAX_ARCHIVE_TOTAL // 2**20} MB")
                handle = archive.extractfile(member)
                if handle is not None:
                    files["/".join(parts[1:])] = handle.read()
    except (tarfile.TarError, OSError, EOFError) as err:
        raise DataError(f"{path}: not a readable UNIPEN archive ({err})") from None
    return files


def parse_archive(
    path: Path, progress: ProgressCallback = no_progress, cancel: CancelToken | None = None,
    *, max_files: int | None = None,
) -> dict[str, list[InkSample]]:
    """All three parts' samples, straight from the archive (slow: use :func:`unipen_samples`).

    ``max_files`` reads only every so-manieth segment file of each part, up to that many
    (a small sample of writers, for quick builds and tests).
    """
    files = _read_members(path, progress, cancel)
    include = {name.removeprefix("include/"): data for name, data in files.items() if name.startswith("include/")}
    resolve = mapping_resolver(include, str(path))
    cache: dict = {}
    out: dict[str, list[InkSample]] = {}
    for part in PARTS:
        prefix = f"data/{part}/"
        names = sorted(n for n in files if n.startswith(prefix))
        if max_files is not None and names:
            names = names[:: max(1, len(names) // max_files)][:max_files]
        if not names:
            raise DataError(f"{path}: no {ROOT}/{prefix} segment files (is this the UNIPEN 1abc archive?)")
        samples: list[InkSample] = []
        for i, name in enumerate(names):
            if i % 100 == 0:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                progress(i, len(names), f"Reading UNIPEN {part}")
            samples.extend(read_segment_file(f"{path}:{ROOT}/{name}", files[name].decode("latin-1"), resolve,
                                             cache=cache))
        out[part] = samples
    return out


def _flatten(parts: dict[str, list[InkSample]]) -> dict[str, np.ndarray]:
    """Samples as flat arrays: points, stroke ends, sample ends (in strokes), labels, writers, part."""
    points, stroke_ends, sample_ends, labels, writers, part_of = [], [], [], [], [], []
    n_points = n_strokes = 0
    for p, part in enumerate(PARTS):
        for s in parts[part]:
            for stroke in s.strokes:
                points.append(stroke)
                n_points += len(stroke)
                stroke_ends.append(n_points)
            n_strokes += len(s.strokes)
            sample_ends.append(n_strokes)
            labels.append(s.label)
            writers.append(s.writer)
            part_of.append(p)
    return {
        "points": np.concatenate(points).astype(np.float32),
        "stroke_ends": np.array(stroke_ends, np.int64),
        "sample_ends": np.array(sample_ends, np.int64),
        "labels": np.array(labels, dtype="<U1"),
        "writers": np.array(writers, dtype=str),
        "parts": np.array(part_of, np.int8),
    }


_NAMES = ("points", "stroke_ends", "sample_ends", "labels", "writers", "parts")


def unipen_samples(
    folder: Path, part: str, progress: ProgressCallback = no_progress, cancel: CancelToken | None = None
) -> list[InkSample]:
    """The pen samples of one part (``"1a"`` digits, ``"1b"`` upper, ``"1c"`` lower case).

    ``folder`` holds :data:`ARCHIVE`.  The first call parses the archive (~30 s) and caches
    all three parts in the user cache folder; later calls read the cache.
    """
    if part not in PARTS:
        raise DataError(f"UNIPEN has no part {part!r} (it has: {', '.join(PARTS)})")
    path = Path(folder) / ARCHIVE
    if not path.is_file():
        raise DataError(f"{folder}: missing {ARCHIVE}")
    arrays = load_or_build(path, "unipen-strokes-v2", _NAMES,
                           lambda: _flatten(parse_archive(path, progress, cancel)))
    index = PARTS.index(part)
    points, stroke_ends, sample_ends = arrays["points"], arrays["stroke_ends"], arrays["sample_ends"]
    stroke_starts = np.concatenate([[0], stroke_ends[:-1]])
    sample_starts = np.concatenate([[0], sample_ends[:-1]])
    out = []
    for i in np.flatnonzero(arrays["parts"] == index):
        strokes = [points[stroke_starts[k] : stroke_ends[k]] for k in range(sample_starts[i], sample_ends[i])]
        out.append(InkSample(str(arrays["labels"][i]), str(arrays["writers"][i]), strokes))
    return out
