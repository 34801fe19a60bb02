"""Reading the files of an import: what format they are, what they hold, whose files they are.

:func:`preview_import` parses and checks everything and writes nothing, so the GUI can show
what an import would add before the user confirms; :mod:`core.datasets.importer` then
saves it.  Formats are told by their first bytes (names lie; magic numbers rarely do);
the files of a built-in set are recognised by their (distinctive) names and checked with
that set's own loader.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core import storage
from core.datasets.builtin import BY_NAME, emnist_letters_split, sign_mnist_labels
from core.datasets.dataset import Dataset, Split
from core.datasets.names import is_built_in, refuse_built_in_name, shares_files, usable_name
from core.datasets.readers.csvfile import read_label_pixel_csv
from core.datasets.readers.idx import read_idx_pair
from core.datasets.readers.imagefolder import class_folders, read_image_folder, read_image_folder_skipping
from core.datasets.readers.npzfile import read_npz
from core.errors import DataError
from core.labels import LETTERS, SIGN_LETTERS, counted
from core.progress import CancelToken, ProgressCallback, no_progress


@dataclass(frozen=True)
class ImportPreview:
    """What an import would add, fully parsed and checked, before anything is written.

    ``builtin`` names the built-in set these files belong to (``sign-mnist``...), if any;
    ``builtin_files`` then maps each of that set's canonical file names to its source, so
    the files can be copied into the built-in folder unchanged.
    """

    format: str
    dataset: Dataset
    paths: tuple[Path, ...]
    suggested_name: str
    builtin: str | None = None
    builtin_files: dict[str, Path] = field(default_factory=dict)
    skipped: tuple[Path, ...] = ()  # files left out (``skip_unreadable``): the user is told which

    def describe(self) -> str:
        """One line for the CLI and the GUI: format, classes, samples per split."""
        splits = ", ".join(f"{n} {len(s)}" for n, s in self.dataset.splits.items())
        return f"{self.format}: {counted(self.dataset.n_classes, 'class')}, {splits}"


def preview_import(
    paths: Sequence[str | os.PathLike[str]],
    name: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    skip_unreadable: bool = False,
) -> ImportPreview:
    """Parse and check ``paths`` without writing anything; DataError on any bad file.

    With ``skip_unreadable``, an image of a folder import that cannot be read is left out
    and listed in :attr:`ImportPreview.skipped` instead (the GUI asks before skipping).

    Accepted: an IDX images+labels pair per split (``.gz`` or raw), CSV files
    ``label,p1..p784`` (one per split), an ``.npz``, or one folder holding a sub-folder per
    class.  A folder holding data files (no sub-folders) is read as those files.  Split
    names come from file names: ``test`` or ``t10k`` means test, anything else train.
    ``name`` only matters when it is a built-in's name: the files must then be that set's.
    """
    progress = progress or no_progress
    paths = [Path(p) for p in paths]
    if not paths:
        raise DataError("nothing to import: give one or more files or a folder")
    for path in paths:
        if not path.exists():
            raise DataError(f"{path}: file not found")
    if not is_built_in(name):
        from core.datasets.pen_import import is_pen_import

        if is_pen_import(paths):
            return _preview_pen(paths, name, progress, cancel)

    image_folders = [p for p in paths if p.is_dir() and class_folders(p)]
    if image_folders:
        if len(paths) > 1:
            raise DataError(f"{image_folders[0]}: import a folder of class sub-folders on its own")
        return _preview_image_folder(image_folders[0], name, progress, cancel, skip_unreadable)

    files = _expand(paths)
    _refuse_loose_images(paths, files)
    builtin = _builtin_of(files)
    if builtin is not None and name is not None and shares_files(name, builtin):
        builtin = name  # the UNIPEN archive: whichever of its sets is named is the one previewed
    if is_built_in(name):
        refuse_built_in_name(name, builtin)
    suggested = builtin or usable_name(files[0].stem.split(".")[0])
    progress(0, None, "Reading files")
    if cancel is not None:
        cancel.raise_if_cancelled()

    if builtin is not None and _has_all_files(builtin, files):
        canonical = _canonical_names(builtin, files)
        dataset = _load_via_builtin(builtin, canonical, progress, cancel)
        title = BY_NAME[builtin].title
        return ImportPreview(f"{title} files", dataset, tuple(files), suggested, builtin, canonical)
    if is_built_in(name):
        raise DataError(missing_builtin_files(name, files))

    fmt, splits, names = _read_files(files, builtin, progress, cancel)
    split_objects = {s: Split(pair[0], pair[1]) for s, pair in splits.items()}
    if not sum(len(split) for split in split_objects.values()):
        raise DataError(f"{', '.join(str(p) for p in files)}: holds no samples")
    if names is None:
        names = numbered_names(split_objects.values())
    try:
        dataset = Dataset(name or suggested, tuple(names), split_objects,
                          source=", ".join(str(p) for p in files))
    except DataError as err:  # labels beyond the stored class names: say which files
        raise DataError(f"{', '.join(str(p) for p in files)}: {err}") from None
    return ImportPreview(fmt, dataset, tuple(files), suggested)


def _preview_image_folder(folder: Path, name, progress, cancel, skip_unreadable: bool) -> ImportPreview:
    """One folder holding a sub-folder per class."""
    refuse_built_in_name(name, None)
    skipped: tuple[Path, ...] = ()
    if skip_unreadable:
        images, labels, label_names, skipped = read_image_folder_skipping(folder, progress, cancel)
    else:
        images, labels, label_names = read_image_folder(folder, progress, cancel)
    dataset = Dataset(name or usable_name(folder.name), label_names, {"train": Split(images, labels)},
                      source=str(folder))
    return ImportPreview("image folder", dataset, (folder,), usable_name(folder.name), skipped=skipped)


def _read_files(files: list[Path], builtin: str | None, progress, cancel) -> tuple[str, dict, tuple | None]:
    """``(format, {split: (images, labels, path)}, label names or None)`` of IDX, CSV or NPZ files."""
    kinds = {path: _sniff(path) for path in files}
    found = set(kinds.values())
    if found <= {"idx-images", "idx-labels"}:
        fmt, splits, names = "IDX", _read_idx_files(kinds), None
    elif found == {"csv"}:
        fmt, splits, names = "CSV", {}, None
        for path in files:
            _add_split(splits, _split_of(path), read_label_pixel_csv(path), path)
        if builtin == "sign-mnist":
            fmt, names = "Sign-MNIST CSV", SIGN_LETTERS
            splits = {s: (x, sign_mnist_labels(y, str(p))) for s, (x, y, p) in splits.items()}
        elif builtin == "emnist-letters":
            fmt, names = "EMNIST letters CSV", LETTERS
            splits = {s: _emnist_pair(x, y, p, progress, cancel) for s, (x, y, p) in splits.items()}
    elif found == {"npz"}:
        if len(files) > 1:
            raise DataError(f"import one .npz at a time ({len(files)} given)")
        arrays = read_npz(files[0])
        names = arrays.pop("label_names", None)
        fmt, splits = "NPZ", {s: (x, y, files[0]) for s, (x, y) in arrays.items()}
        if not splits:
            raise DataError(f"{files[0]}: holds no images")
    else:
        listing = ", ".join(f"{p.name} ({k})" for p, k in kinds.items())
        raise DataError(f"cannot import a mix of formats together: {listing}")
    if builtin == "emnist-letters" and fmt == "IDX":
        fmt, names = "EMNIST letters IDX", LETTERS
        splits = {s: _emnist_pair(x, y, p, progress, cancel) for s, (x, y, p) in splits.items()}
    return fmt, splits, names


def _preview_pen(
    paths: list[Path], name: str | None, progress: ProgressCallback, cancel: CancelToken | None
) -> ImportPreview:
    """UNIPEN segment files or labelled stroke JSONL (:mod:`core.datasets.pen_import`), rendered."""
    from core.datasets.pen_import import read_pen_import

    pen = read_pen_import(paths, progress, cancel)
    first = paths[0]
    suggested = usable_name(first.name if first.is_dir() else first.stem.split(".")[0])
    dataset = Dataset(name or suggested, pen.label_names, pen.splits, source=", ".join(str(p) for p in paths))
    return ImportPreview(pen.format, dataset, tuple(paths), suggested)


def _expand(paths: list[Path]) -> list[Path]:
    """Replace a folder of data files by its files (sorted), drop hidden files."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            if not inside:
                raise DataError(f"{path}: the folder is empty")
            files.extend(inside)
        else:
            files.append(path)
    return files


_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def _refuse_loose_images(paths: list[Path], files: list[Path]) -> None:
    """Images not sorted into class folders: say the layout an image import needs."""
    if not files or any(f.suffix.lower() not in _IMAGE_SUFFIXES for f in files):
        return
    top = paths[0] if len(paths) == 1 and paths[0].is_dir() else files[0].parent
    shown = ", ".join(f.name for f in files[:2]) + (", …" if len(files) > 2 else "")
    raise DataError(
        f"{top}: images ({shown}) but no class folders; a folder of images needs one sub-folder per "
        f"class, named by its label: {top.name}/0/{files[0].name}, {top.name}/1/…, then import {top.name}"
    )


def _sniff(path: Path) -> str:
    """The format of one file from its first bytes (names lie; magic numbers rarely do)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
        if head[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as handle:
                head = handle.read(4)
    except OSError as err:
        raise DataError(f"{path}: not a readable file ({err.strerror or err})") from None
    except (EOFError, zlib.error):
        raise DataError(f"{path}: truncated or damaged gzip file") from None
    if len(head) == 4 and head[:2] == b"\x00\x00":
        if head[3] == 3:
            return "idx-images"
        if head[3] == 1:
            return "idx-labels"
        raise DataError(f"{path}: an IDX file with {head[3]} dimensions (expected images or labels)")
    if head[:2] == b"PK":
        return "npz"
    if path.suffix.lower() in (".csv", ".txt") or (head[:1].isdigit() or head[:1].isalpha()):
        if path.name.lower().startswith("pendigits"):
            return "unipen"
        return "csv"
    raise DataError(f"{path}: not a format InkLab can import (IDX, CSV, NPZ or a folder of images)")


def _split_of(path: Path) -> str:
    lower = path.name.lower()
    return "test" if ("test" in lower or "t10k" in lower) else "train"


def _add_split(splits: dict, split: str, pair: tuple[np.ndarray, np.ndarray], path: Path) -> None:
    if split in splits:
        raise DataError(f"two files for the {split} split: {splits[split][2].name} and {path.name}")
    splits[split] = (*pair, path)


def _read_idx_files(kinds: dict[Path, str]) -> dict[str, tuple[np.ndarray, np.ndarray, Path]]:
    by_split: dict[str, dict[str, list[Path]]] = {}
    for path, kind in kinds.items():
        by_split.setdefault(_split_of(path), {"idx-images": [], "idx-labels": []})[kind].append(path)
    splits: dict[str, tuple[np.ndarray, np.ndarray, Path]] = {}
    for split, group in by_split.items():
        images, labels = group["idx-images"], group["idx-labels"]
        if len(images) != 1 or len(labels) != 1:
            have = ", ".join(p.name for p in images + labels)
            raise DataError(f"the {split} split needs one IDX images file and one IDX labels file (got: {have})")
        x, y = read_idx_pair(images[0], labels[0])
        splits[split] = (x, y, images[0])
    return splits


def _emnist_pair(
    x: np.ndarray, y: np.ndarray, path: Path, progress: ProgressCallback, cancel: CancelToken | None
) -> tuple[np.ndarray, np.ndarray]:
    split = emnist_letters_split(x, y, str(path), progress, cancel)
    return split.images, split.labels


def numbered_names(splits) -> tuple[str, ...]:
    """Class names "0".."K-1" for files that store only label numbers."""
    top = max((int(s.labels.max()) for s in splits if len(s)), default=-1)
    return tuple(str(i) for i in range(top + 1))


# --------------------------------------------------------------------------- built-in sets

_MNIST_FILES = set(BY_NAME["mnist"].files)


def _builtin_of(files: list[Path]) -> str | None:
    """The built-in set all these files belong to, judged by their (distinctive) names."""
    def owner(path: Path) -> str | None:
        lower = path.name.lower()
        if re.fullmatch(r"sign_mnist_(train|test)\.csv", lower):
            return "sign-mnist"
        if lower.startswith("emnist-letters-"):
            return "emnist-letters"
        if lower in _MNIST_FILES or lower + ".gz" in _MNIST_FILES:
            return "mnist"
        if lower == "pendigits-orig.tra":
            return "pendigits"
        if lower == BY_NAME["unipen-letters"].files[0]:
            return "unipen-letters"  # and the other UNIPEN sets: they share this archive
        return None

    owners = {owner(p) for p in files}
    return owners.pop() if len(owners) == 1 else None


def _canonical_names(builtin: str, files: list[Path]) -> dict[str, Path]:
    """Map each file to the name the built-in loader expects."""
    if builtin == "sign-mnist":
        return {f"sign_mnist_{_split_of(p)}.csv": p for p in files}
    return {p.name.lower(): p for p in files}


def _has_all_files(builtin: str, files: list[Path]) -> bool:
    names = set(_canonical_names(builtin, files))
    if builtin == "emnist-letters" and {"emnist-letters-train.csv", "emnist-letters-test.csv"} <= names:
        return True
    return all(f in names or f.removesuffix(".gz") in names for f in BY_NAME[builtin].files)


def missing_builtin_files(name: str, files: list[Path]) -> str:
    """The error message for an import under a built-in's name that lacks some of its files."""
    spec = BY_NAME[name]
    names = set(_canonical_names(name, files)) if _builtin_of(files) == name else set()
    missing = [f for f in spec.files if f not in names and f.removesuffix(".gz") not in names]
    also = " (or the Kaggle CSV files emnist-letters-train.csv and emnist-letters-test.csv)"
    return (
        f"to import '{name}' give all its files; missing: {', '.join(missing)}"
        + (also if name == "emnist-letters" else "")
    )


def _load_via_builtin(
    builtin: str, canonical: dict[str, Path], progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Dataset:
    """Check the files with the built-in's own loader, seen under their canonical names."""
    with storage.scratch_folder("check-") as folder:
        for target, source in canonical.items():
            try:
                os.symlink(source.resolve(), folder / target)
            except OSError:  # no symlinks (Windows without developer mode): copy instead
                shutil.copyfile(source, folder / target)
        try:
            dataset = BY_NAME[builtin].load(folder, progress, cancel)
        except DataError as err:
            # The loader names the staging path; point at the user's file instead.
            message = str(err)
            for target, source in canonical.items():
                message = message.replace(str(folder / target), str(source))
            raise DataError(message.replace(str(folder), "the imported files")) from None
    return Dataset(dataset.name, dataset.label_names, dataset.splits,
                   source=", ".join(str(p) for p in canonical.values()))
