"""The main window: three tabs, menus, remembered geometry, and a clean shutdown.

Only the Datasets tab is built with the window.  Training and Draw are built the first
time they are shown, so their imports (Keras among them) never delay the window.
Closing asks every tab with a ``shutdown()`` to stop its work and waits, bounded, for
every task thread: no "QThread: Destroyed while thread is still running" abort.
"""

from __future__ import annotations

import importlib
import logging

from PySide6.QtCore import QByteArray, QSettings, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from gui.datasets_tab import DatasetsTab
from gui.errors import MessageBanner

log = logging.getLogger("inklab.gui")

SHUTDOWN_WAIT_MS = 2000

# (title, module, class): built lazily by _LazyTab on first show.
LAZY_TABS = (
    ("Training", "gui.training_tab", "TrainingTab"),
    ("Draw", "gui.draw_tab", "DrawTab"),
)


class _LazyTab(QWidget):
    """A tab page that imports and builds its real widget the first time it is shown."""

    def __init__(self, title: str, module: str, class_name: str, parent=None) -> None:
        super().__init__(parent)
        self.title, self.module, self.class_name = title, module, class_name
        self.widget: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.ensure_built()

    def ensure_built(self) -> QWidget | None:
        """Build the real tab now if it is not built yet; return it (None when unavailable)."""
        if self.widget is not None or self._layout.count():
            return self.widget
        try:
            module = importlib.import_module(self.module)
        except ModuleNotFoundError as err:
            if err.name != self.module:
                raise
            placeholder = QLabel(f"The {self.title} tab is not part of this build yet.")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            placeholder.setEnabled(False)
            self._layout.addWidget(placeholder)
            return None
        self.widget = getattr(module, self.class_name)()
        self._layout.addWidget(self.widget)
        return self.widget


class MainWindow(QMainWindow):
    """InkLab's window: Datasets, Training and Draw tabs (Ctrl+1/2/3), File and Help menus."""

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        if settings is None:
            from gui import app_settings

            settings = app_settings()
        self.settings = settings
        self.setWindowTitle("InkLab")
        self.resize(1280, 820)

        self.banner = MessageBanner()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.datasets_tab = DatasetsTab(settings=settings)
        self.tabs.addTab(self.datasets_tab, "Datasets")
        self._lazy: dict[str, _LazyTab] = {}
        for title, module, class_name in LAZY_TABS:
            page = _LazyTab(title, module, class_name)
            self._lazy[title] = page
            self.tabs.addTab(page, title)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self._restore_geometry()

    # --- menus and shortcuts --------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.import_action = QAction("&Import data set…", self)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(self.open_import)
        file_menu.addAction(self.import_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        for i in range(self.tabs.count()):
            action = QAction(self.tabs.tabText(i), self)
            action.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            action.triggered.connect(lambda _checked=False, i=i: self.tabs.setCurrentIndex(i))
            view_menu.addAction(action)
            self.addAction(action)  # shortcuts work even with the menu bar hidden

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About InkLab", self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    @Slot()
    def open_import(self) -> None:
        self.tabs.setCurrentWidget(self.datasets_tab)
        self.datasets_tab.open_import()

    @Slot()
    def show_about(self) -> None:
        from core import storage

        QMessageBox.about(
            self,
            "About InkLab",
            "<h3>InkLab</h3><p>Handwriting recognition you can watch learn: browse data sets, "
            "train networks and draw characters for them to recognise, all offline.</p>"
            f"<p>Your data and settings: {storage.data_dir()}</p>",
        )

    # --- tabs -----------------------------------------------------------------------------------
    def tab(self, title: str) -> QWidget | None:
        """The real widget of a tab by title, building a lazy one now; None when not available."""
        if title == "Datasets":
            return self.datasets_tab
        page = self._lazy.get(title)
        return None if page is None else page.ensure_built()

    def tab_titles(self) -> list[str]:
        return [self.tabs.tabText(i) for i in range(self.tabs.count())]

    def show_error(self, text: str) -> None:
        """Show a one-line error at the top of the window (used by the uncaught-exception hook)."""
        self.banner.show_error(text)

    # --- geometry and shutdown ------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)

    def shutdown(self, timeout_ms: int = SHUTDOWN_WAIT_MS) -> bool:
        """Stop every tab's work and wait (bounded) for the task threads; True if all ended."""
        from gui import workers

        pages = [self.datasets_tab] + [page.widget for page in self._lazy.values() if page.widget is not None]
        for page in pages:
            stop = getattr(page, "shutdown", None)
            if callable(stop):
                try:
                    stop()
                except Exception:  # one tab failing to stop must not keep the others running
                    log.exception("shutdown of %s failed", type(page).__name__)
        done = workers.stop_all(timeout_ms)
        if not done:
            log.warning("some tasks were still running %d ms after the window closed", timeout_ms)
        return done

    def closeEvent(self, event) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.sync()
        self.shutdown()
        event.accept()
