"""The main window: three tabs, menus, remembered geometry, and a clean shutdown.

No tab is built before the window first paints: the Datasets tab is built on the next
turn of the event loop after it, Training and Draw the first time they are shown, so
their imports (Keras among them) never delay the window.
Closing cancels every background task through :func:`gui.concurrency.shutdown` and waits
for them, bounded; closing (or Ctrl+Q) while a training run is in progress asks first.
While a run trains, the Training tab's title shows how far it is ("Training (42%)"), so the
other tabs show it too.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QSettings, QSize, QTimer, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMainWindow, QTabWidget, QVBoxLayout, QWidget

from gui import session_settings
from gui.lazy_tab import LazyTab, module_tab

log = logging.getLogger("inklab.gui")

# (title, module, class): built lazily by LazyTab on first show.
LAZY_TABS = (
    ("Training", "gui.training.tab", "TrainingTab"),
    ("Draw", "gui.draw.tab", "DrawTab"),
)
# What a tab's first use imports besides its module, fetched ahead with it (never TensorFlow:
# its import cannot be interrupted, and a close during it waits for it).
PREFETCH_EXTRA = {
    "Draw": ("core.imaging", "core.models.library", "core.models.litert:interpreter_class"),
    # The panels the Training tab builds on first show (with pyqtgraph: 0.4-0.8 s of imports).
    "Training": ("gui.training.live_view", "gui.training.results_panel", "gui.training.compare_panel",
                 "gui.training.settings_form", "gui.training.run", "gui.training.evolution_view",
                 "gui.training.leaderboard"),
}
PREFETCH_DELAY_MS = 50  # after the Datasets tab is built and has painted
TITLE_BAR = QSize(0, 40)  # room left for the window manager's frame on a small screen


class MainWindow(QMainWindow):
    """InkLab's window: Datasets, Training and Draw tabs (Ctrl+1/2/3), File and Help menus."""

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        notice = None
        if settings is None:
            settings, notice = session_settings.checked_settings()  # a damaged file is reset, with a notice
        self.settings = settings
        self.setWindowTitle("InkLab")
        self.resize(self._first_size())

        self._focus_rings = None
        self._exporter = None
        self._ahead = None  # gui.prefetch.Ahead, once the window has painted
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self._lazy: dict[str, LazyTab] = {
            "Datasets": LazyTab("Datasets", self._build_datasets_tab, True, self._connect_tabs)
        }
        for title, module, class_name in LAZY_TABS:
            self._lazy[title] = LazyTab(title, module_tab(module, class_name), on_built=self._connect_tabs)
        self._connected: set[str] = set()
        for title, page in self._lazy.items():
            self.tabs.addTab(page, title)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self._restore_geometry()
        self._training_progress: tuple[int, str] = (-1, "")
        self.tabs.currentChanged.connect(self._title_training_tab)
        # The tab and view of last time (each tab's own settings come back as it is built).
        QTimer.singleShot(0, lambda: session_settings.restore_view(self, notice))

    @staticmethod
    def _first_size() -> QSize:
        """1280x820, or less on a smaller screen (a laptop at 200% scaling is 1280x800 or less).

        A window taller than the screen hides the buttons at the bottom of every tab; the
        title bar (not part of the size) is left room for.
        """
        wanted = QSize(1280, 820)
        screen = QGuiApplication.primaryScreen()
        return wanted if screen is None else wanted.boundedTo(screen.availableGeometry().size() - TITLE_BAR)

    @property
    def banner(self):
        """Where the window's own messages go: the message line of the tab on show.

        Every tab has one in its layout, so a message of the window (an export, an
        unexpected error) never covers a control either.
        """
        tab = self.current_tab()
        if hasattr(tab, "ensure_ready"):
            tab.ensure_ready()  # the Training tab makes its widgets on first show
        return tab.banner

    def _build_datasets_tab(self) -> QWidget:
        from gui.datasets.tab import DatasetsTab
        from gui.widgets.focus_ring import FocusRings

        QTimer.singleShot(PREFETCH_DELAY_MS, self._prefetch_tab_modules)
        if self._focus_rings is None:  # after the first paint: a ring around what Tab reaches
            self._focus_rings = FocusRings(self)
        return DatasetsTab(settings=self.settings)

    def _prefetch_tab_modules(self) -> None:
        """The unopened tabs' modules imported ahead on a worker, the Training tab's widgets made
        ahead between them (:class:`gui.prefetch.Ahead`)."""
        if self._ahead is not None:
            return
        from gui.prefetch import Ahead

        self._ahead = Ahead(self)
        # The Draw tab's first (most people go there first), then the Training tab's, which
        # is then made ahead once nothing else is imported (a piece made on the GUI thread
        # while a worker imports waits for the interpreter half the time).
        for title, module, _ in sorted(LAZY_TABS, key=lambda tab: tab[0] != "Draw"):
            if not self._lazy[title].built:
                self._ahead.then_import([module, *PREFETCH_EXTRA.get(title, ())])
        if not self._lazy["Training"].built:
            self._ahead.then_make(self._lazy["Training"].ahead())

    def prefetched(self) -> bool:
        """Whether the unopened tabs' modules are imported and the Training tab made ahead (benchmarks, tests)."""
        return self._ahead is not None and self._ahead.prefetched()

    def _built(self, title: str) -> QWidget | None:
        page = self._lazy[title]
        return page.widget if page.built else None

    def _connect_tabs(self) -> None:
        """Wire tabs to each other once both ends exist (tabs are built lazily, in any order).

        A drawn sample added to a collection shows up in the Datasets tab; a model saved on
        the Training tab shows up in the Draw tab's model list.
        """
        datasets, training, draw = (self._built(t) for t in ("Datasets", "Training", "Draw"))
        session_settings.restore_built(self, self._connected)  # what each tab had last time, once it exists
        # (The Training tab re-lists data sets itself whenever it is shown while idle.)
        if datasets is not None and draw is not None and "samples" not in self._connected:
            draw.sample_added.connect(datasets.refresh)
            self._connected.add("samples")
        if training is not None and draw is not None and "models" not in self._connected:
            training.model_saved.connect(draw.refresh_models)
            self._connected.add("models")
        if training is not None and "progress" not in self._connected:
            training.run_progress.connect(self._show_training_progress)
            self._connected.add("progress")

    @Slot(int, str)
    def _show_training_progress(self, percent: int, where: str) -> None:
        """Seen from another tab, the Training tab's title follows its run: "Training (42%)".

        Only while another tab is shown: renaming a tab lays out the tab widget again, ~20 ms
        of the GUI thread each time, which made every plot frame of a watched run a stall of
        40-70 ms (the Training tab shows its progress bar itself).  Plain again after the run.
        """
        self._training_progress = (percent, where)
        self._title_training_tab()

    @Slot()
    def _title_training_tab(self) -> None:
        percent, where = self._training_progress
        page = self._lazy["Training"]
        index = self.tabs.indexOf(page)
        running = percent >= 0 and self.tabs.currentWidget() is not page
        text = f"Training ({percent}%)" if running else "Training"
        if self.tabs.tabText(index) != text:
            self.tabs.setTabText(index, text)
            self.tabs.setTabToolTip(index, f"A run is training: {where}, {percent}% done" if running else "")

    @property
    def datasets_tab(self):
        """The Datasets tab (built now if the window has not painted yet)."""
        return self._lazy["Datasets"].ensure_built()

    # --- menus and shortcuts --------------------------------------------------------------------
    def _build_menus(self) -> None:
        # setShortcuts([...]), not setShortcut(...): the latter's overload check makes PySide
        # build every Qt namespace enum (~45 ms) before the window can paint.
        file_menu = self.menuBar().addMenu("&File")
        self.import_action = QAction("&Import data set…", self)
        self.import_action.setShortcuts([QKeySequence("Ctrl+I")])
        self.import_action.triggered.connect(self.open_import)
        file_menu.addAction(self.import_action)
        self.export_action = QAction("&Export model…", self)
        self.export_action.triggered.connect(lambda: self.open_export())
        file_menu.addAction(self.export_action)
        contest = QAction("Export a &contest file…", self)
        contest.setToolTip("A small file for the class leaderboard: your model, its card and test accuracy")
        contest.triggered.connect(lambda: self.open_export("contest"))
        file_menu.addAction(contest)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcuts([QKeySequence("Ctrl+Q")])
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        for i in range(self.tabs.count()):
            action = QAction(self.tabs.tabText(i), self)
            action.setShortcuts([QKeySequence(f"Ctrl+{i + 1}")])
            action.triggered.connect(lambda _checked=False, i=i: self.tabs.setCurrentIndex(i))
            view_menu.addAction(action)
            self.addAction(action)  # shortcuts work even with the menu bar hidden
        from gui.presenter import PresenterView

        self.presenter = PresenterView(self)
        view_menu.addSeparator()
        self.presenter_action = QAction("&Presenter view", self)
        self.presenter_action.setCheckable(True)
        self.presenter_action.setShortcuts([QKeySequence("F11")])
        self.presenter_action.setToolTip("Full screen, large type, high contrast: for a projector")
        self.presenter_action.toggled.connect(self.presenter.set_active)
        view_menu.addAction(self.presenter_action)
        self.addAction(self.presenter_action)

        from gui.lessons.runner import LessonRunner

        self.lessons = LessonRunner(self, self.menuBar().addMenu("&Lessons"))

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About InkLab", self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    @Slot()
    def open_import(self) -> None:
        tab = self.datasets_tab
        self.tabs.setCurrentWidget(self._lazy["Datasets"])
        tab.open_import()

    def open_export(self, fmt: str | None = None, model: str | None = None) -> None:
        """File > Export model…: ask what and where, then export in the background."""
        from gui.export_dialog import ExportDialog
        from gui.widgets import file_dialogs

        dialog = ExportDialog(self, file_dialogs.start_folder("models"))
        if fmt:
            dialog.select_format(fmt)
        if model:
            dialog.select_model(model)
        self.export_dialog = dialog  # tests fill it in while it is open
        if dialog.exec() == ExportDialog.DialogCode.Accepted:
            choice = dialog.choice()
            file_dialogs.remember("models", choice.folder)
            self.start_export(choice.name, choice.folder, choice.fmt, choice.student, choice.include_model)

    def start_export(self, name: str, folder, fmt: str = "tflite", student: str = "", include_model: bool = True) -> None:
        """Export a library model (or a contest file) on a worker thread; the outcome shows in the banner."""
        from core.contest import export_contest
        from core.models.export import export_model
        from gui.concurrency import Worker

        if self._exporter is None:
            # native: a SavedModel export runs TensorFlow, which must not be abandoned at exit.
            self._exporter = Worker(self, "export model", native=True)
            self._exporter.returned.connect(lambda target: self.banner.show_info(f"Exported to {target}"))
            self._exporter.errored.connect(self.banner.show_error)
            self._exporter.running_changed.connect(self.export_action.setDisabled)
        if self._exporter.is_running():
            self.banner.show_error("An export is still running; wait for it to finish")
            return
        if fmt == "contest":
            self._exporter.start(lambda progress, cancel: export_contest(name, folder, student or None, include_model))
        else:
            self._exporter.start(lambda progress, cancel: export_model(name, folder, fmt))

    @Slot()
    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from core import storage
        from core.version import app_version

        QMessageBox.about(
            self,
            "About InkLab",
            f"<h3>InkLab {app_version()}</h3><p>Handwriting recognition you can watch learn: browse data sets, "
            "train networks and draw characters for them to recognise, all offline.</p>"
            f"<p>Your data and settings: {storage.data_dir()}</p>",
        )

    # --- tabs -----------------------------------------------------------------------------------
    def tab(self, title: str) -> QWidget | None:
        """The real widget of a tab by title, building a lazy one now; None when not available."""
        page = self._lazy.get(title)
        return None if page is None else page.ensure_built()

    def current_tab(self) -> QWidget | None:
        """The real widget of the tab on show (built now if needed)."""
        page = self.tabs.currentWidget()
        return page.ensure_built() if isinstance(page, LazyTab) else page

    def tab_titles(self) -> list[str]:
        """The tabs' names in order (without a running training's progress)."""
        return list(self._lazy)

    def show_error(self, text: str) -> None:
        """Show a one-line error on the message line of the tab on show (the uncaught-exception hook)."""
        self.banner.show_error(text)

    # --- geometry and shutdown ------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        """The size and place of last time, cut to this screen (it may be smaller than then)."""
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        available = screen.availableGeometry()
        size = self.size().boundedTo(available.size() - TITLE_BAR)
        if size != self.size():
            self.resize(size)
        place = self.geometry()
        x = min(max(place.x(), available.left()), available.right() + 1 - size.width())
        y = min(max(place.y(), available.top()), available.bottom() + 1 - size.height())
        if (x, y) != (place.x(), place.y()):
            self.move(x, y)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Esc with the focus nowhere in particular dismisses the message showing."""
        from PySide6.QtCore import Qt

        from gui.widgets.message_banner import dismiss_showing

        if event.key() == Qt.Key.Key_Escape and dismiss_showing(self):
            return
        super().keyPressEvent(event)

    def training_in_progress(self) -> bool:
        """True while the Training tab has a run going (paused and testing included)."""
        training = self._built("Training")
        return training is not None and training.is_running()

    def confirm_stop_training(self) -> bool:
        """Ask whether to stop the run in progress and quit; True when the user says so."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Question, "Quit InkLab",
                          "A run is in progress: stop it and quit?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        stop = box.button(QMessageBox.StandardButton.Yes)
        stop.setText("Stop and quit")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is stop

    def closeEvent(self, event) -> None:
        from gui import concurrency

        if self.training_in_progress() and not self.confirm_stop_training():
            event.ignore()  # the run goes on
            return
        session_settings.save(self)
        self.presenter.set_active(False)  # the normal window's geometry is what is remembered
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.sync()
        # Gone from the screen at once: what is left is waiting for background work, which
        # the user did not ask for (TensorFlow's warm-up takes up to ~1 s to reach a point
        # where it can stop; Ctrl+Q seemed to hang for 1.6-2.1 s).
        self.hide()
        QGuiApplication.processEvents()
        # The one shutdown path (also run on aboutToQuit): cancel every task and wait,
        # bounded; a task that cannot stop in time is a daemon thread and is left behind.
        concurrency.shutdown()
        event.accept()
