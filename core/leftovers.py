"""Leftovers of killed writers, removed or put back when the CLI or the window starts.

:func:`clean_leftovers` removes what killed writers left behind (a staging folder, a
temporary file, an orphan sample image) once its writer is gone, and finishes or undoes a
swap or a model rename that was cut in half (the rename by the name in the model's card,
read with :class:`core.models.card.ModelCard`, the one card reader).  The writes themselves
(atomic files, staged folder swaps, locks) are :mod:`core.storage`'s.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import time
from pathlib import Path

from core import locks
from core.errors import ModelError
from core.storage import _LEFTOVER, _OLD, _TEMP_FILE, CACHE, LEFTOVER_AGE_S, data_dir

log = logging.getLogger("core.storage")


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
    from core.models.card import CARD_FILE, ModelCard

    try:
        card_name = ModelCard.read(entry / CARD_FILE).data.get("name")
    except ModelError:
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
