"""Arrays derived from a data file (rendered strokes, re-framed images), cached in the user folder.

Deriving them takes seconds; reading them back takes milliseconds.  A cache file is named
after its source, the preprocessing version and the source's sha256, so a changed source
or a changed recipe simply makes a new one.  It lives in the user folder, never beside the
source (that may be read-only, like ``../shared/data``).  An unusable cache file is
ignored (with a warning in the log) and rebuilt; nothing else is ever deleted.
"""

from __future__ import annotations

import hashlib
import logging
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core import storage
from core.errors import DataError
from core.imaging import PREPROCESS_VERSION

log = logging.getLogger(__name__)

CACHE_DIR = "cache"


def source_digest(path: Path) -> str:
    """The sha256 of ``path``'s bytes; DataError naming the file when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as err:
        raise DataError(f"{path}: cannot read the file ({err})") from None


def cache_path(tag: str, digest: str) -> Path:
    """Where the arrays derived as ``tag`` from a source with sha256 ``digest`` are kept."""
    return storage.subdir(CACHE_DIR) / f"{tag}-v{PREPROCESS_VERSION}-{digest[:12]}.npz"


def read_cached(path: Path, names: tuple[str, ...]) -> dict[str, np.ndarray] | None:
    """The cached arrays, or None when the file is missing or unusable (then it is rebuilt)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in names}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as err:
        log.warning("ignoring unusable cache %s: %s", path, err)
        return None


def load_or_build(
    source: Path, tag: str, names: tuple[str, ...], build: Callable[[], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """The arrays ``names`` derived from ``source``: from the cache, or ``build()`` and cached."""
    path = cache_path(tag, source_digest(source))
    arrays = read_cached(path, names)
    if arrays is None:
        arrays = build()
        storage.write_npz(path, **arrays)
    return arrays
