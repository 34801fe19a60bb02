"""The Training tab's "Class contest" page: the leaderboard of contest files from other machines.

Import a folder of ``*.inklab-contest`` files (a USB stick, a shared drive), score every
model on a collection the class drew on the Draw tab ("our handwriting"), side by side with
the test accuracy each student's machine measured, and export the board as CSV or PNG.
Importing and scoring run on a worker (importing loads each model with Keras safe_mode and
rebuilds its LiteRT copy); a refused file is one line under the table, the others are
imported.  The work itself is :mod:`core.contest` and :mod:`core.contest_board`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.contest_board import CSV_COLUMNS
from gui.concurrency import Worker
from gui.errors import report

OURS = CSV_COLUMNS.index("our handwriting")


class ContestPanel(QWidget):
    """Import, score, rank, export.  Messages go to the tab's message line (:func:`gui.errors.report`)."""


    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = []
        self.scores: dict = {}
        self.problems: list[str] = []
        col = QVBoxLayout(self)
        head = QHBoxLayout()
        self.import_button = QPushButton("Import folder…")
        self.import_button.setToolTip("Import every contest file (*.inklab-contest) in a folder: a USB stick, "
                                      "a shared drive. Students write them with File > Export model…")
        self.collection_combo = QComboBox()
        self.collection_combo.setAccessibleName("Our handwriting")
        self.collection_combo.setToolTip("A collection the class drew on the Draw tab: every model is tested on it")
        self.score_button = QPushButton("Score on our handwriting")
        self.csv_button = QPushButton("Export CSV…")
        self.png_button = QPushButton("Export PNG…")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Forget the imported contest files")
        head.addWidget(self.import_button)
        label = QLabel("Our handwriting:")
        label.setBuddy(self.collection_combo)  # a screen reader names the box by it
        head.addWidget(label)
        head.addWidget(self.collection_combo, 1)
        head.addWidget(self.score_button)
        col.addLayout(head)
        exports = QHBoxLayout()
        for button in (self.csv_button, self.png_button, self.clear_button):
            exports.addWidget(button)
        exports.addStretch(1)
        self.status = QLabel("Import a folder of contest files to start the class leaderboard.")
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        exports.insertWidget(0, self.status, 1)
        col.addLayout(exports)
        self.table = QTableWidget(0, len(CSV_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(CSV_COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName("Class leaderboard")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        col.addWidget(self.table, 1)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #b00020;")
        self.problem_label.hide()
        col.addWidget(self.problem_label)

        self.worker = Worker(self, "class contest", native=True)  # imports load Keras: not abandoned
        self.worker.returned.connect(self._on_done)
        self.worker.errored.connect(self._on_failed)
        self.worker.progress.connect(lambda done, total, text: self.status.setText(text or self.status.text()))
        self.worker.running_changed.connect(self._update_enabled)
        self.import_button.clicked.connect(self.choose_folder)
        self.score_button.clicked.connect(self.score)
        self.csv_button.clicked.connect(self._ask_csv)
        self.png_button.clicked.connect(self._ask_png)
        self.clear_button.clicked.connect(self.clear)
        self.refresh()

    # ------------------------------------------------------------------ listing

    def refresh(self) -> None:
        """Re-read the imported entries and the collections; show the board."""
        from core.contest import list_entries
        from core.contest_board import ranked
        from core.datasets.collections import list_collections

        current = self.collection_combo.currentText()
        self.collection_combo.clear()
        self.collection_combo.addItems(list_collections())
        if current:
            self.collection_combo.setCurrentIndex(max(0, self.collection_combo.findText(current)))
        self.rows = ranked(list_entries(), self.scores)
        self._fill()
        self._update_enabled(self.worker.is_running())

    def _fill(self) -> None:
        from core.contest_board import row_cells

        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            for c, text in enumerate(row_cells(row)):
                item = QTableWidgetItem(text)
                if row.score is not None and row.score.error and c == OURS:
                    item.setToolTip(row.score.error)
                self.table.setItem(r, c, item)

    def cells(self) -> list[list[str]]:
        """The table as shown, row by row (for tests)."""
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]

    @Slot(bool)
    def _update_enabled(self, running: bool = False) -> None:
        has_rows = bool(self.rows)
        self.import_button.setEnabled(not running)
        self.score_button.setEnabled(not running and has_rows and self.collection_combo.count() > 0)
        for button in (self.csv_button, self.png_button, self.clear_button):
            button.setEnabled(not running and has_rows)

    # ------------------------------------------------------------------ import and score

    def choose_folder(self) -> None:
        from gui.widgets.file_dialogs import ask_folder

        folder = ask_folder(self, "contest", "Import the contest files of a folder")
        if folder is not None:
            self.import_folder(folder)

    def import_folder(self, folder: str | Path) -> None:
        """Import every contest file of ``folder`` on the worker."""
        from core.contest import import_folder

        self.status.setText(f"Importing the contest files of {folder}…")
        self.worker.start(lambda progress, cancel: ("import", import_folder(folder, progress, cancel)))

    def score(self) -> None:
        """Score every imported model on the chosen collection, on the worker."""
        from core.contest_board import score_entries

        collection = self.collection_combo.currentText()
        if not collection:
            return
        self.status.setText(f"Scoring every model on “{collection}”…")
        self.worker.start(lambda progress, cancel: ("score", (collection,
                                                              score_entries(collection, None, progress, cancel))))

    @Slot(object)
    def _on_done(self, outcome) -> None:
        kind, result = outcome
        if kind == "import":
            self.problems = list(result.problems)
            self.problem_label.setText("\n".join(self.problems))
            self.problem_label.setVisible(bool(self.problems))
            text = f"{len(result.imported)} contest file(s) imported"
            if self.problems:
                text += f", {len(self.problems)} refused (listed under the table)"
            self.status.setText(text + ".")
            report(self, text + ".", "error" if self.problems else "info")
        else:
            collection, self.scores = result
            self.status.setText(f"Scored on “{collection}”, the class's own handwriting.")
        self.refresh()

    @Slot(str)
    def _on_failed(self, text: str) -> None:
        self.status.setText(text)
        report(self, text, "error")

    def clear(self) -> None:
        from core.contest import remove_entries

        remove_entries()
        self.scores, self.problems = {}, []
        self.problem_label.hide()
        self.status.setText("Import a folder of contest files to start the class leaderboard.")
        self.refresh()

    # ------------------------------------------------------------------ export

    def _ask_csv(self) -> None:
        from gui.widgets.file_dialogs import ask_save_path

        chosen = ask_save_path(self, "exports", "Export the leaderboard", "leaderboard.csv", "CSV files (*.csv)")
        if chosen:
            self.export_csv(chosen[0])

    def export_csv(self, path: str | Path) -> bool:
        from core.contest_board import write_csv
        from core.errors import InkLabError

        try:
            write_csv(path, self.rows)
        except InkLabError as err:
            report(self, str(err), "error")
            return False
        report(self, f"Leaderboard written to {path}", "info")
        return True

    def _ask_png(self) -> None:
        from gui.widgets.file_dialogs import ask_save_path

        chosen = ask_save_path(self, "exports", "Export the leaderboard", "leaderboard.png", "PNG images (*.png)")
        if chosen:
            self.export_png(chosen[0])

    def export_png(self, path: str | Path) -> bool:
        """The table, every row and column of it, as a PNG (atomically)."""
        from core import storage

        table = self.table
        width = table.verticalHeader().width() + table.horizontalHeader().length() + 4
        height = table.horizontalHeader().height() + table.verticalHeader().length() + 4
        old = table.size()
        table.resize(max(width, 200), max(height, 60))
        image = table.grab()
        table.resize(old)
        try:
            with storage.atomic_path(path, ".png") as tmp:
                if not image.save(str(tmp), "PNG"):
                    raise OSError("the image could not be encoded")
        except OSError as err:
            report(self, f"Cannot write {path}: {err}", "error")
            return False
        report(self, f"Leaderboard written to {path}", "info")
        return True
