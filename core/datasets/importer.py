"""Importing the user's own data files: IDX pairs, CSV, NPZ, or a folder of class sub-folders.

An import is parsed and checked completely first
(:func:`core.datasets.import_preview.preview_import`, which the GUI shows before anything
is written), then saved (:func:`save_import`).  A generic import is
stored as ``imported/NAME/dataset.npz`` in InkLab's layout plus a ``dataset.json`` saying
where it came from, so it loads fast later and no longer depends on the original files.

Files of a built-in set that cannot be downloaded (Sign-MNIST needs a login; EMNIST's zip
is 536 MB) are recognised by their names.  Imported under the built-in's own name
(``--name sign-mnist``), they are checked with the built-in loader and copied into the
built-in folder, ``datasets/sign-mnist/``, so that catalogue entry becomes available.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core import storage
from core.datasets.builtin import BY_NAME
from core.datasets.dataset import Dataset, Split
from core.datasets.download import install_files
from core.datasets.import_preview import (
    ImportPreview,
    missing_builtin_files,
    numbered_names,
    preview_import,
)
from core.datasets.names import (
    IMPORT_DATA_FILE,
    IMPORT_INFO_FILE,
    IMPORTED,
    check_import_name,
    imported_folder,
    is_built_in,
)
from core.datasets.readers.npzfile import read_npz
from core.datasets.spec import DatasetSpec
from core.errors import DataError
from core.progress import CancelToken, ProgressCallback, no_progress


def imported_specs() -> list[DatasetSpec]:
    """A catalogue entry for every data set the user imported (one per ``imported/NAME/``)."""
    specs = []
    root = storage.subdir(IMPORTED)
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        info = _read_info(folder)
        if info is None and not (folder / IMPORT_DATA_FILE).is_file():
            continue
        info = info or {}
        specs.append(
            DatasetSpec(
                name=folder.name,
                title=str(info.get("title") or folder.name),
                description=f"Imported {info.get('format', '')} from "
                f"{', '.join(info.get('sources', [])) or 'unknown files'}",
                label_names=tuple(str(n) for n in info.get("label_names", ())),
                files=(IMPORT_DATA_FILE,),
                load=load_imported,
                kind="imported",
                folder=folder,
            )
        )
    return specs


def _read_info(folder: Path) -> dict | None:
    try:
        info = json.loads((folder / IMPORT_INFO_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None  # a missing or damaged note must not hide the data set itself
    return info if isinstance(info, dict) else None


def load_imported(
    folder: Path, progress: ProgressCallback = no_progress, cancel: CancelToken | None = None
) -> Dataset:
    """Load ``imported/NAME/dataset.npz`` (InkLab layout) back into a Dataset."""
    arrays = read_npz(folder / IMPORT_DATA_FILE)
    names = arrays.pop("label_names", None)
    groups = _read_groups(folder / IMPORT_DATA_FILE, {split: len(pair[1]) for split, pair in arrays.items()})
    splits = {split: Split(*pair, groups.get(split)) for split, pair in arrays.items()}
    if names is None:
        names = numbered_names(splits.values())
    return Dataset(folder.name, tuple(names), splits, source=str(folder))


def _read_groups(path: Path, sizes: dict[str, int]) -> dict[str, np.ndarray]:
    """The writer numbers saved with an import of pen drawings (``train_groups``...), where there are any."""
    try:
        with np.load(path, allow_pickle=False) as data:
            found = {split: data[f"{split}_groups"] for split in sizes if f"{split}_groups" in data.files}
    except (OSError, ValueError, KeyError) as err:
        raise DataError(f"{path}: unreadable writer numbers ({err})") from None
    for split, groups in found.items():
        if groups.shape != (sizes[split],) or groups.dtype.kind not in "iu":
            raise DataError(f"{path}: '{split}_groups' must hold one integer per sample")
    return {split: groups.astype(np.int64) for split, groups in found.items()}


# --------------------------------------------------------------------------- saving

def _install_builtin(preview: ImportPreview, overwrite: bool, cancel: CancelToken | None) -> Path:
    name = preview.builtin
    assert name is not None
    target = storage.subdir("datasets") / BY_NAME[name].root_folder
    canonical = dict(preview.builtin_files)
    convert_csv = name == "emnist-letters" and not all(
        f in canonical or f.removesuffix(".gz") in canonical for f in BY_NAME[name].files
    )
    wanted = list(BY_NAME[name].files) if convert_csv else list(canonical)
    clashes = [f for f in wanted if (target / f).exists() or (target / f.removesuffix(".gz")).exists()]
    if clashes and not overwrite:
        raise DataError(f"{target} already holds {', '.join(clashes)}: use --overwrite to replace them")
    with storage.scratch_folder("import-") as staged:
        if convert_csv:
            # The built-in entry needs IDX files: write them from the checked data, undoing
            # the loader's transpose and label shift so they are byte-for-byte EMNIST's layout.
            for split_name, split in preview.dataset.splits.items():
                images = np.ascontiguousarray(split.images.transpose(0, 2, 1))
                labels = (split.labels + 1).astype(np.uint8)
                _write_idx_gz(staged / f"emnist-letters-{split_name}-images-idx3-ubyte.gz", images)
                _write_idx_gz(staged / f"emnist-letters-{split_name}-labels-idx1-ubyte.gz", labels)
                if cancel is not None:
                    cancel.raise_if_cancelled()
        else:
            for target_name, source in canonical.items():
                shutil.copyfile(source, staged / target_name)
                if cancel is not None:
                    cancel.raise_if_cancelled()
        placed = {p.name: p for p in staged.iterdir()}
        known = set(BY_NAME[name].files) | {f.removesuffix(".gz") for f in BY_NAME[name].files}
        # A stale other form (raw vs .gz) of a placed file would shadow it: leave it out.
        stale = tuple(
            other
            for placed_name in placed
            if (other := placed_name.removesuffix(".gz") if placed_name.endswith(".gz") else placed_name + ".gz")
            in known
        )
        install_files(placed, target, remove=stale)
    return target


def _write_idx_gz(path: Path, array: np.ndarray) -> None:
    header = bytes([0, 0, 8, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    with gzip.open(path, "wb", compresslevel=6) as handle:
        handle.write(header)
        handle.write(array.tobytes())


def save_import(
    preview: ImportPreview,
    name: str,
    overwrite: bool = False,
    cancel: CancelToken | None = None,
) -> DatasetSpec:
    """Write a previewed import under ``name``; return its catalogue entry.

    Under a built-in's name the original files go into that built-in's folder; otherwise
    the parsed data is saved as ``imported/NAME/dataset.npz`` with a ``dataset.json`` note.
    Existing data is never replaced unless ``overwrite`` is True.
    """
    check_import_name(name, preview.builtin, overwrite)
    if is_built_in(name):
        if not preview.builtin_files:
            raise DataError(missing_builtin_files(name, list(preview.paths)))
        _install_builtin(preview, overwrite, cancel)
        return BY_NAME[name]

    folder = imported_folder(name)
    dataset = preview.dataset
    arrays: dict[str, np.ndarray] = {"label_names": np.asarray(dataset.label_names, dtype=str)}
    for split_name, split in dataset.splits.items():
        arrays[f"{split_name}_images"] = split.images
        arrays[f"{split_name}_labels"] = split.labels
        if split.groups is not None:  # who wrote each drawing (pen imports): validation holds writers out
            arrays[f"{split_name}_groups"] = split.groups
    if cancel is not None:
        cancel.raise_if_cancelled()
    # Data and note are staged together and swapped in with one rename, under the set's lock.
    with storage.writer_lock("dataset", name):
        check_import_name(name, preview.builtin, overwrite)  # again: another process may have taken it
        with storage.replace_folder(folder) as staged:
            storage.write_npz(staged / IMPORT_DATA_FILE, **arrays)
            storage.write_json(
                staged / IMPORT_INFO_FILE,
                {
                    "title": name,
                    "format": preview.format,
                    "sources": [str(p) for p in preview.paths],
                    "imported": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                    "label_names": list(dataset.label_names),
                    "splits": {s: len(split) for s, split in dataset.splits.items()},
                },
            )
    return next(spec for spec in imported_specs() if spec.name == name)


def import_paths(
    paths: Sequence[str | os.PathLike[str]],
    name: str,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    overwrite: bool = False,
) -> DatasetSpec:
    """Parse, check and save ``paths`` as the data set ``name`` (see :func:`preview_import`).

    The name is checked before any file is parsed, so a clash fails fast.
    """
    check_import_name(name, name, overwrite)  # whether the files are that built-in's is checked while parsing
    preview = preview_import(paths, name=name, progress=progress, cancel=cancel)
    return save_import(preview, name, overwrite=overwrite, cancel=cancel)
