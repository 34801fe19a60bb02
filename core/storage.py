"""Where InkLab keeps its files, and how it writes them without ever leaving half a file.

Every file the app writes goes through :func:`atomic_path`: the content is written to a
temporary file in the same folder and moved into place with ``os.replace``, so a crash or
a full disk leaves either the old file or the new one, never a torn mix.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

APP_NAME = "InkLab"


def data_dir() -> Path:
    """The user data folder: ``$INKLAB_DATA_DIR`` if set, else the platform's user data dir."""
    override = os.environ.get("INKLAB_DATA_DIR")
    if override:
        path = Path(override).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def subdir(name: str) -> Path:
    """A named folder inside the user data folder (``datasets``, ``models``, ...), created."""
    path = data_dir() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it onto ``target`` only on success.

    The temporary name keeps ``target``'s suffix (or ``suffix``) because some writers,
    Keras and numpy among them, choose the format from the file extension.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp" + (target.suffix if suffix is None else suffix),
        dir=target.parent,
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp creates 0600 files; give the result the mode an ordinary file gets.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _umask() -> int:
    """The process umask, read without changing it (Linux), else the usual 022."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_json(target: str | os.PathLike[str], obj: object) -> None:
    """Write ``obj`` as pretty UTF-8 JSON to ``target`` atomically."""
    write_bytes(target, (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def write_npz(target: str | os.PathLike[str], **arrays: np.ndarray) -> None:
    """Write numpy arrays to a compressed ``.npz`` atomically (no pickled objects)."""
    import numpy as np  # here, not at the top: the window reads data_dir() before it shows

    with atomic_path(target, suffix=".npz") as tmp:
        np.savez_compressed(tmp, **arrays)
