"""One writer at a time: a cross-process lock per model, collection or data set.

Two processes saving a model under one name, or adding drawings to one collection, must
not interleave their writes.  A lock is an open lock file in ``<data>/locks/`` locked
with ``fcntl.flock`` (POSIX) or ``msvcrt.locking`` (Windows): the operating system drops it
when its process dies, even by ``kill -9``, so a crash never leaves a lock held.  The
lock files themselves stay (empty, a few bytes of name): deleting one while another
process waits on it would let a third process lock a different file of the same name.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from core.errors import InkLabError

LOCKS = "locks"
WAIT_S = 60.0  # an add or a save takes well under this; longer means something is stuck
_POLL_S = 0.02

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class LockTimeout(InkLabError):
    """Another process kept the lock longer than we were willing to wait."""


def lock_path(data_dir: Path, kind: str, name: str) -> Path:
    """The lock file of ``kind``/``name`` (``model``/``digits``) under ``data_dir``.

    The name is folded to lower case (two names differing in case are one folder on
    Windows and macOS) and anything but letters, digits, '-', '_' and '.' is escaped.
    """
    safe = re.sub(r"[^a-z0-9_.-]", lambda m: f"%{ord(m.group()):02x}", name.lower())
    return data_dir / LOCKS / f"{kind}-{safe}.lock"


@contextlib.contextmanager
def held(path: Path, wait_s: float | None = WAIT_S) -> Iterator[None]:
    """Hold the lock file ``path`` for the ``with`` block (waiting up to ``wait_s``).

    ``wait_s=0`` tries once; ``None`` waits for ever.  Raises :class:`LockTimeout` when
    another process holds it longer.
    """
    fd = _acquire(path, wait_s)
    if fd is None:
        raise LockTimeout(f"{path.stem} is being changed by another InkLab process; try again when it has finished")
    try:
        yield
    finally:
        _release(fd)


def try_hold(path: Path) -> int | None:
    """Take the lock without waiting: a handle for :func:`release`, or None if it is held."""
    return _acquire(path, 0)


def release(handle: int) -> None:
    """Release a lock taken with :func:`try_hold`."""
    _release(handle)


def _acquire(path: Path, wait_s: float | None) -> int | None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    deadline = None if wait_s is None else time.monotonic() + wait_s
    while True:
        if _try_lock(fd):
            return fd
        if deadline is not None and time.monotonic() >= deadline:
            os.close(fd)
            return None
        time.sleep(_POLL_S)


def _release(fd: int) -> None:
    try:
        _unlock(fd)
    finally:
        os.close(fd)
