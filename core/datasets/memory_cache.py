"""The data sets already in memory, shared by everything in the process.

The Datasets tab, the Training tab's runs and the CLI all ask for sets by name; without
one shared cache MNIST would be read (and held) once per asker.  Entries are keyed by the
set's name, folder and the folder's modification time: a collection that gained drawings,
or a set imported again under its name, has a new folder time and is read afresh, while an
unchanged set comes back at once.  The cache is bounded (least recently used goes first),
thread-safe, and two threads asking for the same set at once share one load.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from core.datasets.catalogue import find, load_dataset, locate
from core.datasets.dataset import Dataset
from core.progress import CancelToken, ProgressCallback, no_progress

#: How many sets stay in memory (EMNIST letters, the largest, is ~115 MB as uint8).
CAPACITY = 3

_Key = tuple[str, str, int]

_lock = threading.Lock()
_entries: OrderedDict[_Key, Dataset] = OrderedDict()
_loading: dict[_Key, threading.Lock] = {}


def _key(name: str) -> _Key | None:
    folder = locate(find(name))
    if folder is None:
        return None  # not on this machine: load_dataset says how to get it
    try:
        stamp = Path(folder).stat().st_mtime_ns
    except OSError:
        stamp = -1
    return (name, str(folder), stamp)


def cached(name: str) -> Dataset | None:
    """The set if it is in memory and unchanged on disk, else None (never reads the files)."""
    key = _key(name)
    with _lock:
        dataset = _entries.get(key) if key is not None else None
        if dataset is not None:
            _entries.move_to_end(key)
        return dataset


def load_shared(
    name: str, progress: ProgressCallback = no_progress, cancel: CancelToken | None = None
) -> Dataset:
    """The named set, from memory when it is there and unchanged, else loaded and kept.

    Same errors as :func:`core.datasets.load_dataset` (a DataError for a missing or broken
    set, :class:`~core.errors.Cancelled` when ``cancel`` is set during a slow first load).
    """
    key = _key(name)
    if key is None:
        return load_dataset(name, progress, cancel)
    with _lock:
        gate = _loading.setdefault(key, threading.Lock())
    with gate:  # a second asker waits for the first load instead of reading the files again
        with _lock:
            dataset = _entries.get(key)
            if dataset is not None:
                _entries.move_to_end(key)
                return dataset
        dataset = load_dataset(name, progress, cancel)
        with _lock:
            for stale in [k for k in _entries if k[0] == name and k != key]:
                del _entries[stale]  # an older version of the same set
            _entries[key] = dataset
            while len(_entries) > CAPACITY:
                _entries.popitem(last=False)
            _loading.pop(key, None)
        return dataset


def forget(name: str | None = None) -> None:
    """Drop ``name`` (every set when None) from memory, e.g. after it was deleted or replaced."""
    with _lock:
        for key in [k for k in _entries if name is None or k[0] == name]:
            del _entries[key]
