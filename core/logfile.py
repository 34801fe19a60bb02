"""``inklab.log`` in the user data folder: where the app and the CLI record what went wrong.

Errors reach the user as one line (CLI) or a banner (GUI); the details, tracebacks and
failed training runs included, go here, so a failure can be looked up afterwards.
"""

from __future__ import annotations

import logging
import os

from core import storage

LOG_MAX_BYTES = 2_000_000
LOG_BACKUPS = 2


def setup_logging() -> str:
    """Log to ``inklab.log`` in the user data folder; return its path.

    The file is rotated when the program starts (``inklab.log.1``, ``.2``) rather than with
    ``logging.handlers``, whose import (sockets, pickle) costs a fifth of Qt's start-up.
    A handler this function added for another data folder (tests switch folders) is
    replaced, not kept beside the new one.
    """
    path = str(storage.data_dir() / "inklab.log")
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_inklab_log", False)]
    if not any(h.baseFilename == path for h in ours):
        for handler in ours:
            root.removeHandler(handler)
            handler.close()
        rotate_log(path)
        handler = logging.FileHandler(path, encoding="utf-8")
        handler._inklab_log = True
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def rotate_log(path: str, max_bytes: int = LOG_MAX_BYTES, backups: int = LOG_BACKUPS) -> None:
    """Shift ``path`` to ``path.1`` (and older ones along) once it has grown past ``max_bytes``."""
    try:
        if os.path.getsize(path) <= max_bytes:
            return
        for n in range(backups - 1, 0, -1):
            if os.path.exists(f"{path}.{n}"):
                os.replace(f"{path}.{n}", f"{path}.{n + 1}")
        os.replace(path, f"{path}.1")
    except OSError:  # no log yet, or a read-only folder: logging must never stop the program
        pass
