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

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from core.logfile import setup_logging
from core.resource_files import resource_path
from core.version import app_version

log = logging.getLogger("inklab.gui")


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with InkLab's names (used by QSettings and the window system)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "inklab", *(argv or [])])
    app.setApplicationName("InkLab")
    app.setOrganizationName("InkLab")
    app.setApplicationDisplayName("InkLab")
    app.setApplicationVersion(app_version())
    # Wayland matches the window to inklab.desktop (its icon, its name) by this id; without
    # it the app shows up as "python3".
    app.setDesktopFileName("inklab")
    app.setWindowIcon(app_icon())
    if not app.property("inklab_shutdown_installed"):
        # gui.concurrency itself is imported when the app quits (or a tab first needs it),
        # not on the path to the first paint.
        app.setProperty("inklab_shutdown_installed", True)
        app.aboutToQuit.connect(_shut_down_workers)
    return app


def _shut_down_workers() -> None:
    """Cancel and await every background task as the app quits (the one shutdown path)."""
    from gui import concurrency

    concurrency.shutdown()


def app_icon() -> QIcon:
    """InkLab's icon in every size it is drawn in (the same files install-desktop installs)."""
    icon = QIcon()
    for path in sorted(resource_path("icons", "hicolor").glob("*/apps/inklab.*")):
        icon.addFile(str(path))
    return icon


def create_window():
    """The main window with the error hook wired to its banner (not shown yet)."""
    from gui.errors import install_excepthook
    from gui.main_window import MainWindow

    window = MainWindow()
    install_excepthook(window.show_error)
    return window


def show_startup_error(text: str) -> int:
    """The window cannot start (its data folder is unusable): one line on stderr and in a box; exit 2."""
    print(f"inklab: error: {text}", file=sys.stderr)
    from PySide6.QtWidgets import QMessageBox

    app = create_application()
    box = QMessageBox(QMessageBox.Icon.Critical, "InkLab cannot start", f"InkLab cannot start: {text}.",
                      QMessageBox.StandardButton.Close)
    if app.platformName() != "offscreen":  # nobody could answer it there
        box.exec()
    return 2


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
