"""The Training tab's "Compare runs" page: the leaderboard of runs and earlier runs drawn behind.

The runs themselves are :class:`core.training.runs.RunHistory` (plain Python, saved in the
user folder so the leaderboard outlives a restart; "Clear" forgets it).  This page lists
them ranked (how: the rank column's tooltip, from :mod:`core.training.runs`), and turns a
finished run into an overlay on both plots when the next one starts.  Ticking "show" picks
the earlier runs drawn behind the current one while the live view's "Show earlier runs" is on
(the tick's swatch is the run's colour); runs from earlier sessions start unticked.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import storage
from core.training.runs import RunHistory, RunRecord

COLUMNS = ["show", "rank", "run", "name", "settings", "best validation", "test acc."]
RUNS_FILE = "training-runs.json"
RANKING = ("Ranked by test accuracy: how well the model each run produced does on samples it never saw. "
           "A stopped run is ranked on the model it had when stopped, and its epochs read e.g. "
           "\u201c6/10 ep\u201d; ties go to the better validation accuracy. Runs without a test score "
           "come last; failed runs are not listed.")


class ComparePanel(QWidget):
    """The leaderboard of the runs, and their overlays on ``loss_plot``/``accuracy_plot``."""

    title_changed = Signal(str)  # the page's tab title, whenever the list changes (restart included)

    def __init__(self, loss_plot, accuracy_plot, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loss_plot = loss_plot
        self.accuracy_plot = accuracy_plot
        self.history = RunHistory(storage.data_dir() / RUNS_FILE)
        self.current: RunRecord | None = None  # the run on screen
        compare_col = QVBoxLayout(self)
        head = QHBoxLayout()
        intro = QLabel("Who gets the best accuracy? Tick a run to draw it behind the current one.")
        intro.setToolTip(RANKING)
        head.addWidget(intro, 1)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Forget the runs listed here (saved models stay in the library)")
        self.clear_button.clicked.connect(self.clear)
        head.addWidget(self.clear_button)
        compare_col.addLayout(head)
        self.leaderboard = QTableWidget(0, len(COLUMNS))
        self.leaderboard.setHorizontalHeaderLabels(COLUMNS)
        self.leaderboard.horizontalHeaderItem(1).setToolTip(RANKING)
        self.leaderboard.verticalHeader().setVisible(False)
        self.leaderboard.setAccessibleName("Runs, best test accuracy first")
        self.leaderboard.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.leaderboard.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.leaderboard.itemChanged.connect(self._on_leaderboard_item)
        compare_col.addWidget(self.leaderboard, 1)
        for record in self.history.runs:  # from earlier sessions: listed, drawn only when ticked
            self._add_overlay(record, visible=False)
        self.refresh()

    def title(self) -> str:
        """The page's tab title: with the number of runs listed, runs of earlier sessions included."""
        count = len(self.history.leaderboard())
        return f"Compare runs ({count})" if count else "Compare runs"

    def start_run(self, config) -> RunRecord:
        """Archive the run on screen as an overlay and record a new one for ``config``."""
        if self.current is not None:
            self._add_overlay(self.current, visible=True)
        self.current = self.history.start(config.dataset, config.preset, {
            "epochs": config.epochs, "batch_size": config.batch_size, "optimizer": config.optimizer,
            "learning_rate": config.learning_rate, "validation": config.validation,
            "augment": config.augment, "seed": config.seed, "limit": config.limit, "reject": config.reject,
        })
        return self.current

    def training_ended(self, result, loss_curve, accuracy_curve) -> None:
        """The current run's training is over: its status, per-epoch history and batch curves."""
        record = self.current
        record.status, record.error, record.epochs_done = result.status, result.error, result.epochs_done
        record.history = {k: v for k, v in result.history.items() if k != "batches"}
        record.loss_curve, record.accuracy_curve = loss_curve, accuracy_curve

    def tested(self, accuracy: float, loss: float) -> None:
        """The current run's evaluation: what it is ranked by."""
        self.current.test_accuracy, self.current.test_loss = accuracy, loss

    def saved_as(self, name: str) -> None:
        """The current run's model was saved as ``name``: the leaderboard calls it so from now on."""
        self.current.saved_as = name
        self.finish_run()

    def finish_run(self) -> None:
        """The current run ended (or was saved as a model): list it and keep it on disk."""
        self.history.save()
        self.refresh()

    def longest_epochs(self, epochs: int) -> int:
        """The x range the plots need: the new run's epochs or the longest earlier run drawn."""
        drawn = [r for r in self.history.runs if r is self.current or self.loss_plot.overlay_drawn(r.number)]
        return max([epochs] + [len(r.history.get("epoch") or []) for r in drawn])

    def _add_overlay(self, record: RunRecord, visible: bool) -> None:
        """Draw ``record`` behind the current run (failed or empty runs have nothing to draw)."""
        if record.status == "failed" or not len(record.loss_curve[0]):
            return
        colour = record.number - 1
        # Short "#3" in the legends (the leaderboard has the name and the colour swatch).
        self.loss_plot.add_overlay(record.number, f"#{record.number}", record.loss_curve,
                                   record.epoch_series("val_loss"), colour)
        acc_x, acc_y = record.epoch_series("val_accuracy")
        self.accuracy_plot.add_overlay(record.number, f"#{record.number}", record.accuracy_curve,
                                       (acc_x, acc_y * 100), colour)
        if not visible:
            self.set_overlay_visible(record.number, False)

    @Slot()
    def clear(self) -> None:
        """Forget every run but the one going now, on screen and on disk."""
        for record in self.history.runs:
            if record is not self.current:
                self.loss_plot.remove_overlay(record.number)
                self.accuracy_plot.remove_overlay(record.number)
        keep = self.current if self.current is not None and self.current.status == "running" else None
        self.history.clear(keep=keep)
        if keep is None:
            self.current = None
        self.refresh()

    def refresh(self) -> None:
        table = self.leaderboard
        table.blockSignals(True)
        runs = self.history.leaderboard()
        table.setRowCount(len(runs))
        for row, record in enumerate(runs):
            show = QTableWidgetItem()
            is_current = record is self.current
            if is_current or not len(record.loss_curve[0]):
                show.setFlags(Qt.ItemFlag.NoItemFlags)
                show.setText("now" if is_current else "")
            else:
                show.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                show.setCheckState(Qt.CheckState.Checked if self.loss_plot.overlay_visible(record.number)
                                   else Qt.CheckState.Unchecked)
            show.setData(Qt.ItemDataRole.UserRole, record.number)
            colour = self.loss_plot.overlay_colour(record.number)
            if colour is not None:  # the colour the run is drawn in, to find it on the plots
                show.setData(Qt.ItemDataRole.DecorationRole, QColor(*colour))
            best = record.best_val_accuracy
            val_text = f"{best:.2%}" if best is not None else "—"
            test_text = f"{record.test_accuracy:.2%}" if record.test_accuracy is not None else (
                record.status if record.status != "completed" else "—")
            if record.status == "stopped" and record.test_accuracy is not None:
                test_text += " (stopped)"
            rank = str(row + 1) if record.test_accuracy is not None else ""
            cells = [show, QTableWidgetItem(rank), QTableWidgetItem(str(record.number)),
                     QTableWidgetItem(record.name), QTableWidgetItem(record.hyper_text()),
                     QTableWidgetItem(val_text), QTableWidgetItem(test_text)]
            cells[3].setToolTip(f"{record.preset} on {record.dataset}" + (
                f", saved as \u201c{record.saved_as}\u201d" if record.saved_as else ""))
            for col, item in enumerate(cells):
                if col and is_current:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                table.setItem(row, col, item)
        table.blockSignals(False)
        self.title_changed.emit(self.title())
        self.clear_button.setEnabled(bool(runs) and any(r is not self.current or r.status != "running" for r in runs))

    @Slot(QTableWidgetItem)
    def _on_leaderboard_item(self, item: QTableWidgetItem) -> None:
        if item.column() != 0 or not (item.flags() & Qt.ItemFlag.ItemIsUserCheckable):
            return
        number = item.data(Qt.ItemDataRole.UserRole)
        self.set_overlay_visible(number, item.checkState() == Qt.CheckState.Checked)

    def set_overlay_visible(self, number: int, visible: bool) -> None:
        """Show or hide an earlier run (by its number) on both plots."""
        self.loss_plot.set_overlay_visible(number, visible)
        self.accuracy_plot.set_overlay_visible(number, visible)
