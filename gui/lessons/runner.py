"""The Lessons menu and what a lesson's step buttons do in the window.

Picking a lesson sets the Training tab to its data set, preset and settings and opens its
panel (a dock on the right).  Each step button does what a person would: Start is the
Training tab's own :meth:`start`, Save is its Save button, the confusion matrix, mistakes,
comparison and contest are pages of its results, Draw and Data sets are tabs, the contest
file is File > Export's dialog.  The menu is re-read each time it opens, so a lesson file a
teacher just copied into the lessons folder appears at once; a bad file is an entry that
says what is wrong with it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu

from gui.errors import report
from gui.lessons.panel import LessonPanel

PANEL_WIDTH = 220


class LessonRunner(QObject):
    """Owns the Lessons menu and the lesson dock of ``window`` (an InkLab MainWindow)."""

    def __init__(self, window: QMainWindow, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.menu = menu
        self.lesson = None
        self.saved_model: str | None = None  # the last model the Training tab saved: the contest file's
        self.panel = LessonPanel()
        self.panel.action.connect(self._on_action)
        self.panel.close_requested.connect(self.close_lesson)
        self.dock = QDockWidget("Lesson", window)
        self.dock.setObjectName("lesson-dock")
        self.dock.setWidget(self.panel)
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.problems: list[str] = []
        # Read when the menu opens, never on the way to the first paint (tomllib, numpy).
        menu.addAction("&Reading the lessons…").setEnabled(False)  # an empty menu may not open at all
        menu.aboutToShow.connect(self.fill_menu)

    # ------------------------------------------------------------------ the menu

    @Slot()
    def fill_menu(self) -> None:
        from core.lessons import list_lessons

        self.menu.clear()
        lessons, self.problems = list_lessons()
        for lesson in lessons:
            mine = "" if lesson.builtin else " (yours)"
            action = QAction(f"&{lesson.number}. {lesson.title}{mine}", self.menu)
            action.setToolTip(lesson.summary)
            action.triggered.connect(lambda _=False, lesson=lesson: self.open_lesson(lesson))
            self.menu.addAction(action)
        if self.problems:
            bad = QAction(f"{len(self.problems)} lesson file(s) cannot be read: &why?", self.menu)
            bad.triggered.connect(self.show_problems)
            self.menu.addAction(bad)
        self.menu.addSeparator()
        folder = QAction("&Open my lessons folder…", self.menu)
        folder.setToolTip("Copy a lesson file here (TOML or JSON) and edit it: it appears in this menu")
        folder.triggered.connect(self.open_folder)
        self.menu.addAction(folder)

    @Slot()
    def show_problems(self) -> None:
        report(self.window, " · ".join(self.problems))

    @Slot()
    def open_folder(self) -> None:
        from core.lessons import user_lessons_dir

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(user_lessons_dir())))

    def lesson_titles(self) -> list[str]:
        """The menu's lesson entries, as shown (for tests)."""
        return [a.text().replace("&", "") for a in self.menu.actions() if not a.isSeparator()]

    # ------------------------------------------------------------------ a lesson

    def open_lesson(self, lesson) -> None:
        """Set the Training tab to the lesson and show its steps."""
        self.lesson = lesson
        self.panel.show_lesson(lesson)
        self.dock.setWindowTitle(f"Lesson {lesson.number}")
        self.dock.show()
        # As narrow as it reads well: the Training tab keeps its width on a 1280-wide screen.
        self.window.resizeDocks([self.dock], [PANEL_WIDTH], Qt.Orientation.Horizontal)
        self.use_settings()

    @Slot()
    def close_lesson(self) -> None:
        self.lesson = None
        self.dock.hide()

    def _training(self):
        window = self.window
        window.tabs.setCurrentIndex(window.tab_titles().index("Training"))
        tab = window.tab("Training")
        tab.ensure_ready()
        if not getattr(self, "_listening", False):
            self._listening = True
            tab.model_saved.connect(self._on_saved)
        return tab

    @Slot(str)
    def _on_saved(self, name: str) -> None:
        self.saved_model = name

    def use_settings(self) -> None:
        from gui.session_settings import apply_training

        tab = self._training()
        if tab.is_running():
            report(tab, "A run is training: the lesson's settings apply to the next one.", "info")
            return
        note = apply_training(tab.form, self.lesson.settings)
        if note:
            report(tab, note, "warning")

    @Slot(int, str)
    def _on_action(self, index: int, action: str) -> None:
        getattr(self, "do_" + action.replace("-", "_"))()

    def do_use_settings(self) -> None:
        self.use_settings()

    def do_start_training(self) -> None:
        """The Training tab's own Start (the lesson's data set picked first if it has appeared since)."""
        tab = self._training()
        dataset = self.lesson.settings.get("dataset")
        if not tab.is_running() and tab.form.dataset_combo.currentData() != dataset:
            self.use_settings()
        tab.start()

    def _results_page(self, page) -> None:
        tab = self._training()
        tab.results.setCurrentIndex(page if isinstance(page, int) else tab.results.indexOf(page))
        return tab

    def do_show_results(self) -> None:
        from gui.training.results_panel import RESULTS_PAGE

        tab = self._results_page(RESULTS_PAGE)
        if tab.results.evaluation is None:
            report(tab, "The confusion matrix appears here once a run has been tested.", "info")

    def do_show_mistakes(self) -> None:
        from gui.training.results_panel import MISTAKES_PAGE

        self._results_page(MISTAKES_PAGE)

    def do_show_compare(self) -> None:
        from gui.training.results_panel import COMPARE_PAGE

        self._results_page(COMPARE_PAGE)

    def do_show_contest(self) -> None:
        tab = self._training()
        self._results_page(tab.contest)

    def do_save_model(self) -> None:
        tab = self._training()
        tab.results.setCurrentIndex(0)
        if not tab.results.save_button.isEnabled():
            report(tab, "Train a model first: Save keeps the model of the last run.", "info")
            return
        tab.results.save_button.click()

    def _show_tab(self, title: str):
        window = self.window
        window.tabs.setCurrentIndex(window.tab_titles().index(title))
        return window.tab(title)

    def do_show_draw(self) -> None:
        self._show_tab("Draw")

    def do_show_datasets(self) -> None:
        tab = self._show_tab("Datasets")
        dataset = self.lesson.settings.get("dataset")
        if dataset:
            tab.select_dataset(dataset)  # a set not listed yet: the tab says so

    def do_collect_writing(self) -> None:
        draw = self._show_tab("Draw")
        draw.multi.switch.setChecked(False)
        draw.collect.collection_combo.setEditText(self.lesson.collection)
        draw.collect.label_edit.setFocus()
        report(draw, f"Write a letter, type it as the label, press Add: it goes to “{self.lesson.collection}”.", "info")

    def do_export_contest(self) -> None:
        self.window.open_export("contest", self.saved_model)

    def do_presenter(self) -> None:
        self.window.presenter_action.toggle()
