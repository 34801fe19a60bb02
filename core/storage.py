"""Where InkLab keeps its files, and how it writes them without ever leaving half a file.

Every file the app writes goes through :func:`atomic_path`: the content is written to a
temporary file in the same folder and moved into place with ``os.replace``, so a crash or
a full disk leaves either the old file or the new one, never a torn mix.

Things made of several files (a model and its card, an imported set and its note) are
written whole into a staging folder beside their final place and swapped in by
:func:`replace_folder` with one rename, so they too are either old or new, never a mix.
:func:`writer_lock` serialises the writers of one such thing across processes.  The names
the writers give their temporary things (``_LEFTOVER``, ``_TEMP_FILE``) are exactly what
:func:`core.leftovers.clean_leftovers` (run when the CLI or the window starts) recognises.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from core import locks

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

APP_NAME = "InkLab"
CACHE = "cache"
LEFTOVER_AGE_S = 300.0  # a temporary thing older than this whose writer cannot be told is dead


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


def check_data_dir() -> Path:
    """The user data folder, made if needed and checked writable, or one StorageError saying why not.

    Run first by the window and by every command: a data folder that cannot be used
    (``INKLAB_DATA_DIR`` naming a file, a folder without write permission) is one line
    naming the folder, not a traceback from whatever touched it first.
    """
    from core.errors import StorageError

    override = os.environ.get("INKLAB_DATA_DIR")
    where = Path(override).expanduser() if override else None
    source = " (set by INKLAB_DATA_DIR)" if override else ""
    try:
        path = data_dir()
        fd, probe = tempfile.mkstemp(prefix=".write-check-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except (FileExistsError, NotADirectoryError):
        raise StorageError(f"cannot use the data folder {where or _default_dir()}{source}: a file is in "
                           "the way, not a folder") from None
    except PermissionError:
        raise StorageError(f"cannot use the data folder {where or _default_dir()}{source}: "
                           "no permission to write there") from None
    except OSError as err:
        raise StorageError(f"cannot use the data folder {where or _default_dir()}{source}: "
                           f"{err.strerror or err}") from None
    return path


def _default_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


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
    # The pid in the name lets clean_leftovers tell a dead writer's file from a live one's.
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}-", suffix=".tmp" + (target.suffix if suffix is None else suffix),
        dir=target.parent,
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        plain_permissions(tmp)  # mkstemp creates 0600 files
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


# --------------------------------------------------------------------------- one writer at a time


def writer_lock(kind: str, name: str, wait_s: float | None = locks.WAIT_S) -> contextlib.AbstractContextManager[None]:
    """Hold the cross-process lock of the ``kind`` (``model``, ``collection``, ``dataset``) ``name``.

    Every writer of one model, collection or data set holds it while it writes, so two
    processes never interleave their files; a killed process drops it with its life.
    """
    return locks.held(locks.lock_path(data_dir(), kind, name), wait_s)


# --------------------------------------------------------------------------- whole folders

_STAGING = "staging"  # .NAME.staging-PID-RAND: a folder being written; incomplete until swapped in
_OLD = "old"  # .NAME.old-PID-RAND: the previous version, moved aside only where no exchange exists
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<what>staging|old|renaming)-(?P<pid>\d+)-[0-9a-f]+$")
_TEMP_FILE = re.compile(r"^\..+\.(?:(?P<pid>\d+)-)?[A-Za-z0-9_]{8}\.tmp(?:\..*)?$")


def plain_permissions(path: str | os.PathLike[str]) -> None:
    """Give a file or folder made by ``mkstemp``/``mkdtemp`` (0600/0700, private) the mode
    the user's umask gives anything they create (usually 0644/0755)."""
    os.chmod(path, (0o777 if os.path.isdir(path) else 0o666) & ~_umask())


def staging_name(final: Path, what: str = _STAGING) -> Path:
    """A hidden sibling of ``final`` for a temporary version of it, named so the cleaner knows it."""
    return final.parent / f".{final.name}.{what}-{os.getpid()}-{os.urandom(4).hex()}"


@contextlib.contextmanager
def replace_folder(final: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty staging folder beside ``final``; swap it in as ``final`` on success.

    Everything the caller writes into the yielded folder appears at ``final`` together,
    with one rename; the previous ``final`` (if any) is kept until that rename succeeded.
    On an error the staging folder is removed and ``final`` is untouched.  Hold the
    :func:`writer_lock` of the thing while inside.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    staged = staging_name(final)
    staged.mkdir()
    try:
        yield staged
        swap_in(staged, final)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


def swap_in(staged: Path, final: Path) -> None:
    """Put the folder ``staged`` at ``final`` with one rename, then remove the old version.

    On Linux an existing ``final`` is exchanged with ``staged`` atomically
    (``renameat2(RENAME_EXCHANGE)``).  Elsewhere the old folder is first renamed aside to
    ``.NAME.old-*``; a crash between the two renames leaves no ``final`` but that old
    folder, which :func:`core.leftovers.clean_leftovers` puts back.
    """
    if not final.exists():
        os.rename(staged, final)
        return
    if _exchange(staged, final):
        shutil.rmtree(staged, ignore_errors=True)  # it now holds the old version
        return
    aside = staging_name(final, _OLD)
    os.rename(final, aside)
    os.rename(staged, final)
    shutil.rmtree(aside, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically where the system can (Linux 3.15+); False if it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:  # glibc before 2.28, or musl
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


@contextlib.contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder in the user's cache (on the same disk as the data), removed after."""
    cache = subdir(CACHE)
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=cache))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_TEMPDIR_LOCK = threading.Lock()


@contextlib.contextmanager
def temp_files_inside(folder: Path) -> Iterator[None]:
    """Send ``tempfile``'s default folder into ``folder`` for the block.

    Keras saves and loads through folders made with a bare ``tempfile.mkdtemp()``; a
    process killed meanwhile left them in the system temp folder for ever.  Inside one of
    our scratch folders they go with it.  Process-wide, so one block at a time.
    """
    with _TEMPDIR_LOCK:
        before = tempfile.tempdir
        tempfile.tempdir = str(folder)
        try:
            yield
        finally:
            tempfile.tempdir = before


# --------------------------------------------------------------------------- leftovers

# (folder under the data folder, the lock kind of each thing in it)
