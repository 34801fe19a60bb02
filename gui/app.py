"""Start the InkLab window.

Keep the path to the first paint short: Qt, the window and the Datasets tab's widgets only.
Numpy-heavy work, pyqtgraph and the catalogue scan come right after the window shows, and
TensorFlow only when the Training or Draw tab needs it.
"""

from __future__ import annotations

import gc
import logging
import os
import sys

from PySide6.QtWidgets import QApplication

log = logging.getLogger("inklab.gui")


LOG_MAX_BYTES = 2_000_000
LOG_BACKUPS = 2


def setup_logging() -> str:
    """Log to ``inklab.log`` in the user data folder; return its path.

    The file is rotated when the app starts (``inklab.log.1``, ``.2``) rather than with
    ``logging.handlers``, whose import (sockets, pickle) costs a fifth of Qt's start-up.
    """
    from core import storage

    path = str(storage.data_dir() / "inklab.log")
    root = logging.getLogger()
    if not any(isinstance(h, logging.FileHandler) and h.baseFilename == path for h in root.handlers):
        rotate_log(path)
        handler = logging.FileHandler(path, encoding="utf-8")
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
    except OSError:  # no log yet, or a read-only folder: logging must never stop the app
        pass


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with InkLab's names (used by QSettings and the window system)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "inklab", *(argv or [])])
    app.setApplicationName("InkLab")
    app.setOrganizationName("InkLab")
    app.setApplicationDisplayName("InkLab")
    from gui import concurrency

    concurrency.install(app)
    return app


def create_window():
    """The main window with the error hook wired to its banner (not shown yet)."""
    from gui.errors import install_excepthook
    from gui.main_window import MainWindow

    window = MainWindow()
    install_excepthook(window.show_error)
    return window


def run_app(argv: list[str] | None = None) -> int:
    """Open the window and run the event loop; the exit code (0 after a normal close)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ chatter out of the terminal
    app = create_application(argv)
    log_path = setup_logging()
    log.info("InkLab starting; log at %s", log_path)
    window = create_window()
    window.show()
    code = app.exec()
    # The process ends now.  Its final garbage collection would walk every object
    # TensorFlow made (measured: ~0.95 s of a 2 s budget after a run); frozen, it skips them
    # (0.06 s) and memory goes back to the system with the process anyway.
    gc.freeze()
    log.info("InkLab closed (exit code %d)", code)
    return code
