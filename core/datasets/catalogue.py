"""The catalogue of data sets InkLab knows: built-in public sets plus the user's own.

It only composes the providers, each of which describes its sets with a
:class:`~core.datasets.spec.DatasetSpec`: the built-ins (:mod:`core.datasets.builtin`,
found in the data roots), the imported sets (:mod:`core.datasets.importer`,
``imported/NAME/``) and the drawn collections (:mod:`core.datasets.collections`,
``collections/NAME/``).  Names are unique across all of them (:mod:`core.datasets.names`).
"""

from __future__ import annotations

from pathlib import Path

from core.datasets.builtin import BUILT_IN, built_in_folder
from core.datasets.collections import collection_specs
from core.datasets.dataset import Dataset
from core.datasets.importer import imported_specs
from core.datasets.spec import DatasetSpec
from core.errors import DataError
from core.progress import CancelToken, ProgressCallback, no_progress


def catalogue() -> list[DatasetSpec]:
    """Every data set InkLab knows about, available or not, built-ins first."""
    return list(BUILT_IN) + imported_specs() + collection_specs()


def find(name: str) -> DatasetSpec:
    """The catalogue entry called ``name``, or a DataError naming the known ones."""
    for spec in catalogue():
        if spec.name == name:
            return spec
    known = ", ".join(spec.name for spec in catalogue())
    raise DataError(f"unknown data set '{name}' (known: {known})")


def locate(spec: DatasetSpec) -> Path | None:
    """The folder holding ``spec``'s files, or None when the set is not on this machine."""
    if spec.folder is not None:
        return spec.folder if all((spec.folder / f).is_file() for f in spec.files) else None
    return built_in_folder(spec)


def is_available(name: str) -> bool:
    """Whether the set's files are on this machine."""
    return locate(find(name)) is not None


def load_dataset(
    name: str, progress: ProgressCallback = no_progress, cancel: CancelToken | None = None
) -> Dataset:
    """Load a data set by name; a DataError says how to get it when it is missing.

    Most sets load in well under a second; a first load that derives images (pendigits'
    strokes, EMNIST's re-framing) takes seconds, reports ``progress`` and raises
    :class:`~core.errors.Cancelled` when ``cancel`` is set.
    """
    spec = find(name)
    folder = locate(spec)
    if folder is None:
        hint = spec.how_to_get or (
            f"download it with 'python main.py datasets download {name}'" if spec.download else "import it"
        )
        raise DataError(f"data set '{name}' is not on this machine: {hint}")
    return spec.load(folder, progress, cancel)
