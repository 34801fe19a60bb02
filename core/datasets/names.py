"""Data-set names: what a name may look like, and which names are already taken.

Built-in sets, imports and collections share one namespace, because the catalogue looks
every set up by name alone.  So an import may not take a collection's name, a new
collection may not take an imported set's name, and neither may take a built-in's (an
import *under* a built-in's name is how that built-in's files are installed, and is
allowed only when the files are that set's).  To tell which names are taken without
loading anything, this module knows where each kind of user set lives on disk.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from core import storage
from core.datasets.builtin import BY_NAME
from core.errors import DataError

IMPORTED = "imported"  # imported/NAME/ holds an imported set ...
IMPORT_DATA_FILE = "dataset.npz"  # ... its data in InkLab's layout
IMPORT_INFO_FILE = "dataset.json"  # ... and a note of where it came from
COLLECTIONS = "collections"  # collections/NAME/ holds a collection ...
COLLECTION_INFO_FILE = "collection.json"  # ... described by this file

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def is_built_in(name: str | None) -> bool:
    """Whether ``name`` is a built-in set's."""
    return name in BY_NAME


def check_format(name: str, what: str = "data set") -> None:
    """DataError unless ``name`` is 1-64 letters, digits, '-' and '_', not starting with '-' or '_'."""
    if not _NAME.fullmatch(name or ""):
        raise DataError(f"'{name}' is not a usable {what} name: use letters, digits, '-' and '_' (at most 64)")


def usable_name(text: str) -> str:
    """A name following the rules made from any text (a file or folder name), for suggestions."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-_")[:64]
    return name or "imported"


def name_slug(text: str, what: str = "data set") -> str:
    """The name stored for what the user typed: "my symbols" -> "my-symbols" (the one rule for
    a collection on the Draw tab and an import in the Import dialog).

    Spaces (and any other character a name may not hold) become '-', so a name typed with
    spaces is accepted; the caller shows the slug, so the user knows what it is called.
    DataError when nothing usable is left.
    """
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", (text or "").strip()).strip("-_")
    if not slug:
        raise DataError(f"'{text}' is not a usable {what} name: use letters, digits, '-' and '_'")
    check_format(slug, what)
    return slug


def collection_slug(text: str) -> str:
    """The collection name stored for what the user typed (see :func:`name_slug`)."""
    return name_slug(text, "collection")


def shares_files(name: str | None, other: str | None) -> bool:
    """Whether built-ins ``name`` and ``other`` are read from the same files in the same folder.

    The four UNIPEN sets are all read from ``unipen/unipen-1abc.tar.xz``: that archive,
    imported under any of their names, completes all four.
    """
    if name == other:
        return True
    if name not in BY_NAME or other not in BY_NAME:
        return False
    a, b = BY_NAME[name], BY_NAME[other]
    return (a.root_folder, a.files) == (b.root_folder, b.files)


def refuse_built_in_name(name: str | None, builtin: str | None) -> None:
    """Refuse a built-in's name for files that are not that set's (``builtin`` names whose they are)."""
    if is_built_in(name) and not shares_files(name, builtin):
        raise DataError(
            f"'{name}' is the name of a built-in data set and these are not its files: choose another name"
        )


def imported_folder(name: str) -> Path:
    """Where the imported set ``name`` lives (not created)."""
    return storage.subdir(IMPORTED) / name


def is_imported(name: str) -> bool:
    """Whether an imported set called ``name`` exists: its data, or a readable note of it."""
    folder = imported_folder(name)
    if (folder / IMPORT_DATA_FILE).is_file():
        return True
    try:
        info = json.loads((folder / IMPORT_INFO_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(info, dict)


def is_collection(name: str) -> bool:
    """Whether a collection called ``name`` exists."""
    return (storage.subdir(COLLECTIONS) / name / COLLECTION_INFO_FILE).is_file()


def check_import_name(name: str, builtin: str | None = None, overwrite: bool = False) -> None:
    """Refuse an import name that is malformed, a built-in's (unless these are its files) or taken."""
    check_format(name)
    if is_built_in(name):
        refuse_built_in_name(name, builtin)
        return
    if is_collection(name):
        raise DataError(f"'{name}' is already the name of one of your collections: choose another name")
    if (imported_folder(name) / IMPORT_DATA_FILE).exists() and not overwrite:
        raise DataError(f"an imported data set called '{name}' already exists: use --overwrite to replace it")


def check_collection_name(name: str) -> None:
    """Refuse a collection name that is malformed or a built-in's."""
    check_format(name, "collection")
    if is_built_in(name):
        raise DataError(f"'{name}' is the name of a built-in data set: choose another collection name")


def refuse_imported_name(name: str) -> None:
    """A new collection may not take an imported set's name: the catalogue lists imports
    first, so the collection (and every drawing added to it) would be hidden behind it."""
    if is_imported(name):
        raise DataError(f"'{name}' is the name of a data set you imported: choose another collection name")
