"""The UNIPEN built-in data sets: real pen-tablet digits and letters, rendered as the pad renders.

Four sets are read from one file, ``unipen/unipen-1abc.tar.xz`` under a data root (the
UNIPEN train_r01_v07 isolated characters, read in place by
:mod:`core.datasets.unipen_archive`):

- ``unipen-digits`` (part 1a, classes 0-9), ``unipen-upper`` (1b, A-Z),
  ``unipen-lower`` (1c, a-z), and ``unipen-letters`` (1b + 1c, case merged into A-Z like
  EMNIST letters).

Every sample is rendered to 28x28 by the drawing pad's own renderer (y up) and the images
are cached in the user folder.  A sample of fewer than three points or with no extent (a
dot, mostly the dot of an i or a j) is skipped: it is no character.

``groups`` are writer numbers, the same in every UNIPEN set: the people of the whole
archive sorted by name (``contributor/writer``), numbered from 0.  The ``test`` split holds
every fifth of them (number % 5 == 0), so test writers never appear in ``train``, and no
writer is in ``train`` of one UNIPEN set and ``test`` of another.  Within each split the
samples are in a fixed shuffled order, so "the first N samples" spans many writers.
"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path

import numpy as np

from core.datasets.dataset import Dataset, Split
from core.datasets.spec import DatasetSpec
from core.errors import DataError
from core.labels import DIGITS, LETTERS, LOWERCASE
from core.progress import CancelToken, ProgressCallback, no_progress

log = logging.getLogger(__name__)

# The archive's reader, renderer and cache import Pillow and tarfile: they are imported
# when a set is loaded, not when the catalogue is listed (on the way to the first paint).
FOLDER = "unipen"  # under a data root: unipen/unipen-1abc.tar.xz
ARCHIVE = "unipen-1abc.tar.xz"  # core.datasets.unipen_archive.ARCHIVE (a test checks they agree)
TEST_EVERY = 5  # writers numbered 0, 5, 10, ... are the test split
_ORDER_SEED = 0
_PART_CLASSES = {"1a": DIGITS, "1b": LETTERS, "1c": LOWERCASE}
_PART_WHAT = {"1a": "digits", "1b": "upper-case letters", "1c": "lower-case letters"}
_SETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "unipen-digits": (("1a",), DIGITS),
    "unipen-upper": (("1b",), LETTERS),
    "unipen-lower": (("1c",), LOWERCASE),
    "unipen-letters": (("1b", "1c"), LETTERS),
}
# IBM's writer ids are "rSS-WW": session SS of writer WW (its header: 12 writers, three
# sessions each; the 22 ids hold 12 distinct WW).  One person is one group.
_IBM_SESSION = re.compile(r"ibm/r\d+-(\w+)")


def person_of(writer: str) -> str:
    """The person behind a UNIPEN writer id (``contributor/id``): IBM's sessions merged."""
    match = _IBM_SESSION.fullmatch(writer)
    return f"ibm/{match.group(1)}" if match else writer


def unipen_people(
    folder: Path, progress: ProgressCallback = no_progress, cancel: CancelToken | None = None
) -> list[str]:
    """Every person of the archive's three parts, sorted: a person's place is its writer number."""
    from core.datasets.derived_cache import load_or_build
    from core.datasets.unipen_archive import PARTS, unipen_samples

    archive = Path(folder) / ARCHIVE

    def build() -> dict[str, np.ndarray]:
        people = {person_of(s.writer) for part in PARTS for s in unipen_samples(folder, part, progress, cancel)}
        return {"people": np.array(sorted(people), dtype=str)}

    return [str(p) for p in load_or_build(archive, "unipen-people", ("people",), build)["people"]]


def _part_images(
    folder: Path, part: str, progress: ProgressCallback, cancel: CancelToken | None
) -> dict[str, np.ndarray]:
    """One part's drawable samples rendered (cached): images, labels, people, and how many were skipped."""
    from core.datasets.derived_cache import load_or_build
    from core.datasets.pen_samples import is_drawable, label_indices, render_drawings
    from core.datasets.unipen_archive import unipen_samples

    archive = Path(folder) / ARCHIVE
    names = _PART_CLASSES[part]

    def build() -> dict[str, np.ndarray]:
        samples = unipen_samples(folder, part, progress, cancel)
        unknown = sorted({s.label for s in samples} - set(names))
        if unknown:
            raise DataError(f"{archive}: UNIPEN {part} should hold {_PART_WHAT[part]}, but holds "
                            f"{', '.join(repr(u) for u in unknown[:5])}")
        kept = [s for s in samples if is_drawable(s.strokes)]
        images = render_drawings([s.strokes for s in kept], y_up=True, progress=progress, cancel=cancel,
                                 message=f"Rendering UNIPEN {_PART_WHAT[part]}")
        return {
            "images": images,
            "labels": label_indices([s.label for s in kept], names),
            "people": np.array([person_of(s.writer) for s in kept], dtype=str),
            "skipped": np.array([len(samples) - len(kept)], np.int64),
        }

    return load_or_build(archive, f"unipen-{part}-rendered", ("images", "labels", "people", "skipped"), build)


def load_unipen_set(
    name: str, folder: Path, progress: ProgressCallback = no_progress, cancel: CancelToken | None = None
) -> Dataset:
    """The UNIPEN set ``name`` (``unipen-digits|upper|lower|letters``) from ``folder``'s archive.

    The first load parses the archive (~30 s) and renders the samples (~0.3 ms each); both
    are cached in the user folder, so later loads take about a second.
    """
    from core.datasets.pen_samples import writer_numbers

    if name not in _SETS:
        raise DataError(f"unknown UNIPEN set {name!r} (known: {', '.join(_SETS)})")
    parts, label_names = _SETS[name]
    folder = Path(folder)
    number = {person: i for i, person in enumerate(unipen_people(folder, progress, cancel))}
    pieces = [_part_images(folder, part, progress, cancel) for part in parts]
    images = np.concatenate([p["images"] for p in pieces])
    labels = np.concatenate([p["labels"] for p in pieces]).astype(np.int64)
    groups = writer_numbers([str(w) for p in pieces for w in p["people"]], list(number))
    skipped = int(sum(int(p["skipped"][0]) for p in pieces))
    log.info("%s: %d samples, %d skipped (fewer than 3 points or no extent)", name, len(labels), skipped)
    rng = np.random.default_rng(_ORDER_SEED)
    is_test = groups % TEST_EVERY == 0
    splits = {}
    for split, mask in (("train", ~is_test), ("test", is_test)):
        chosen = np.flatnonzero(mask)
        chosen = chosen[rng.permutation(len(chosen))]
        splits[split] = Split(images[chosen], labels[chosen], groups[chosen])
    return Dataset(name, label_names, splits, source=str(folder / ARCHIVE))


CITATION_SHORT = (
    "Cite Guyon et al., ICPR 1994 (doi:10.1109/ICPR.1994.576870) and doi:10.5281/zenodo.1195803. "
    "Licence: CC BY 4.0 (Zenodo); the 1999 CD's terms: research use, no commercial distribution."
)
HOW_TO_GET = (
    "UNIPEN train_r01_v07 (International Unipen Foundation, 1999; Guyon et al., ICPR 1994) is "
    "published on Zenodo: https://doi.org/10.5281/zenodo.1195803. Pack its train_r01_v07 folder "
    f"(data/1a, 1b, 1c and include/) as {ARCHIVE} and Import it under this name, or put it in a "
    f"folder {FOLDER}/ of a data root ($INKLAB_DATA_PATH)."
)
# Measured on the real archive (sha256 871eaa6b...): samples kept, skipped, writers (people:
# IBM's 22 session ids are 12 people; 318 ids, 308 people in all), and the test split.
_FACTS = {
    "unipen-digits": "15,950 digits (3 without extent skipped) by 258 writers; test split: 2,230 by 51 "
                     "other writers",
    "unipen-upper": "28,064 upper-case letters (5 without extent skipped) by 272 writers; test split: "
                    "4,989 by 54 other writers",
    "unipen-lower": "61,320 lower-case letters (40 dots or without extent skipped, mostly of i and j) by "
                    "286 writers; test split: 11,270 by 58 other writers",
    "unipen-letters": "89,384 letters A-Z, cases merged (45 dots or without extent skipped) by 298 "
                      "writers; test split: 16,259 by 60 other writers",
}
_TITLES = {
    "unipen-digits": "UNIPEN digits (real pen strokes)",
    "unipen-upper": "UNIPEN upper-case letters",
    "unipen-lower": "UNIPEN lower-case letters",
    "unipen-letters": "UNIPEN letters (case merged)",
}


def _spec(name: str) -> DatasetSpec:
    return DatasetSpec(
        name=name,
        title=_TITLES[name],
        description=f"{_FACTS[name]} (every fifth writer, by name). Real pen-tablet strokes from 21 "
        "institutions, rendered as the pad renders a drawing. " + CITATION_SHORT,
        label_names=_SETS[name][1],
        files=(ARCHIVE,),
        load=functools.partial(load_unipen_set, name),
        how_to_get=HOW_TO_GET,
        subfolder=FOLDER,
    )


UNIPEN_SETS: tuple[DatasetSpec, ...] = tuple(_spec(name) for name in _SETS)
