"""Where InkLab keeps its files, and how it writes them without ever leaving half a file.

Every file the app writes goes through :func:`atomic_path`: the content is written to a
temporary file in the same folder and moved into place with ``os.replace``, so a crash or
a full disk leaves either the old file or the new one, never a torn mix.

Things made of several files (a model and its card, an imported set and its note) are
written whole into a staging folder beside their final place and swapped in by
:func:`replace_folder` with one rename, so they too are either old or new, never a mix.
:func:`writer_lock` serialises the writers of one such thing across processes, and
:func:`clean_leftovers` (run when the CLI or the window starts) removes what killed
writers left behind.  The module is long because these four belong together: the names
the writers give their temporary things are exactly what the cleaner recognises.
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
import time
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
    folder, which :func:`clean_leftovers` puts back.
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
_LIBRARIES = (("models", "model"), ("imported", "dataset"), ("datasets", "dataset"), ("collections", "collection"))


def clean_leftovers(max_age_s: float = LEFTOVER_AGE_S) -> list[Path]:
    """Remove what killed writers left behind; put back a version a crash left aside.

    Run when the CLI or the window starts.  A staging folder, a temporary file or an
    orphan sample image is removed once its writer is gone: its lock is free, or the
    process named in it no longer runs, or (where neither can be told) it is older than
    ``max_age_s``.  Returns what was removed or restored (for the log and the tests).
    """
    root = data_dir()
    done: list[Path] = []
    try:
        for folder_name, kind in _LIBRARIES:
            library = root / folder_name
            if library.is_dir():
                done += _clean_library(library, kind, max_age_s)
        cache = root / CACHE
        if cache.is_dir():
            for entry in cache.iterdir():
                match = re.match(r"^[a-z]+-(\d+)-", entry.name)
                if entry.is_dir() and _writer_gone(match and int(match.group(1)), entry, max_age_s):
                    shutil.rmtree(entry, ignore_errors=True)
                    done.append(entry)
        done += _clean_temp_files(root, max_age_s)
    except OSError as err:  # a tidy-up must never stop the app from starting
        log.warning("could not remove every leftover: %s", err)
    if done:
        log.info("removed %d leftovers of interrupted writes: %s", len(done), ", ".join(map(str, done)))
    return done


def _clean_library(library: Path, kind: str, max_age_s: float) -> list[Path]:
    done: list[Path] = []
    entries = sorted(library.iterdir(), key=lambda p: p.name)
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if not match or not entry.is_dir():
            continue
        handle = locks.try_hold(locks.lock_path(data_dir(), kind, match["name"]))
        if handle is None:
            continue  # its writer is still at work
        try:
            done += _settle(entry, library / match["name"], match["what"], kind)
        finally:
            locks.release(handle)
    for entry in library.iterdir():
        if not entry.is_dir() or entry.name.startswith("."):
            continue
        done += _clean_temp_files(entry, max_age_s)
        if kind == "collection":  # an image without its sample: only while no add is under way
            handle = locks.try_hold(locks.lock_path(data_dir(), kind, entry.name))
            if handle is not None:
                try:
                    done += _clean_orphan_images(entry)
                finally:
                    locks.release(handle)
    done += _clean_temp_files(library, max_age_s)
    return done


def _settle(entry: Path, final: Path, what: str, kind: str) -> list[Path]:
    """Finish or undo one interrupted folder swap or rename."""
    if what == _OLD and not final.exists():
        os.rename(entry, final)  # killed between the two renames of a swap: the old version returns
        return [final]
    if what == "renaming":
        target = _renamed_to(entry, final)
        if target is not None:
            os.rename(entry, target)
            return [target]
        log.warning("cannot finish renaming %s: both names are taken; left as it is", entry)
        return []
    shutil.rmtree(entry, ignore_errors=True)
    return [entry]


def _renamed_to(entry: Path, new: Path) -> Path | None:
    """Where an interrupted model rename belongs: the name in its card (old or new), if free."""
    try:
        card_name = json.loads((entry / "card.json").read_text("utf-8")).get("name")
    except (OSError, ValueError, AttributeError):
        card_name = None
    for candidate in (card_name, new.name):
        if isinstance(candidate, str) and candidate and "/" not in candidate and "\\" not in candidate:
            target = new.parent / candidate
            if candidate not in (".", "..") and not target.exists():
                return target
    return None


def _clean_temp_files(folder: Path, max_age_s: float) -> list[Path]:
    done = []
    for entry in folder.iterdir():
        match = _TEMP_FILE.match(entry.name)
        if match and entry.is_file():
            pid = int(match["pid"]) if match["pid"] else None
            if _writer_gone(pid, entry, max_age_s):
                with contextlib.suppress(OSError):
                    entry.unlink()
                    done.append(entry)
    return done


def _clean_orphan_images(folder: Path) -> list[Path]:
    """A collection sample is its JSON; an image without one is from a killed add."""
    done = []
    for image in folder.glob("*.png"):
        if not image.name.startswith(".") and not image.with_suffix(".json").exists():
            with contextlib.suppress(OSError):
                image.unlink()
                done.append(image)
    return done


def _writer_gone(pid: int | None, path: Path, max_age_s: float) -> bool:
    """Whether the process that wrote ``path`` has ended (by its pid, else by the file's age)."""
    if pid and os.name == "posix":
        if pid == os.getpid():
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False  # alive, someone else's
        return False
    try:
        return time.time() - path.stat().st_mtime > max_age_s
    except OSError:
        return False
