"""A catalogue entry: what a data set is and how to find, load and fetch it.

Every provider of data sets (the built-ins, the user's imports and collections) describes
its sets with a :class:`DatasetSpec`; the catalogue only lists and looks them up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from core.datasets.dataset import Dataset
from core.progress import CancelToken, ProgressCallback


@dataclass(frozen=True)
class Download:
    """Where a set can be fetched from and how to check it.

    ``files`` maps each file the set needs to ``(url, known_hash)``.  Alternatively
    ``archive`` is ``(url, known_hash)`` of one zip, and ``members`` maps each needed file
    to its path inside that zip.
    ``known_hash`` is ``"sha256:..."`` (or ``"md5:..."`` where the host publishes nothing
    stronger) in pooch's notation.  With ``unlzw`` the fetched file is Unix-``compress``ed
    and its hash in ``files`` is checked after decompression.
    """

    files: dict[str, tuple[str, str]] = field(default_factory=dict)
    archive: tuple[str, str] | None = None
    members: dict[str, str] = field(default_factory=dict)
    unlzw: bool = False


@dataclass(frozen=True)
class DatasetSpec:
    """A catalogue entry: what the set is and how to find, load and fetch it."""

    name: str
    title: str
    description: str
    label_names: tuple[str, ...]
    files: tuple[str, ...]
    # load(folder, progress, cancel): long loads report progress and stop on cancel.
    load: Callable[[Path, ProgressCallback, CancelToken | None], Dataset]
    kind: str = "built-in"  # built-in | imported | collection
    download: Download | None = None
    how_to_get: str = ""
    folder: Path | None = None  # fixed location (user sets); built-ins are searched for
    # A built-in's folder under a data root; several sets read from one file share one
    # (the four UNIPEN sets: ``unipen/``).  Empty: the set's name.
    subfolder: str = ""

    @property
    def root_folder(self) -> str:
        """The name of the folder under a data root that holds this built-in's files."""
        return self.subfolder or self.name
