"""The Training tab's "Compare runs" page: the session's leaderboard and earlier runs drawn behind.

The runs themselves are :class:`core.training.runs.RunHistory` (plain Python); this page
lists them ranked, and turns a finished run into an overlay on both plots when the next
one starts.  Ticking "show" draws an earlier run behind the current one, or hides it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from core.training.runs import RunHistory, RunRecord

COLUMNS = ["show", "rank", "run", "preset", "settings", "validation acc.", "test acc."]


class ComparePanel(QWidget):
    """The leaderboard of this session's runs, and their overlays on ``loss_plot``/``accuracy_plot``."""

    def __init__(self, loss_plot, accuracy_plot, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loss_plot = loss_plot
        self.accuracy_plot = accuracy_plot
        self.history = RunHistory()
        self.current: RunRecord | None = None  # the run on screen
        compare_col = QVBoxLayout(self)
        compare_col.addWidget(QLabel("Who gets the best accuracy? Tick a run to draw it behind the current one."))
        self.leaderboard = QTableWidget(0, len(COLUMNS))
        self.leaderboard.setHorizontalHeaderLabels(COLUMNS)
        self.leaderboard.verticalHeader().setVisible(False)
        self.leaderboard.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.leaderboard.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.leaderboard.itemChanged.connect(self._on_leaderboard_item)
        compare_col.addWidget(self.leaderboard, 1)

    def title(self) -> str:
        """The page's tab title: with the number of runs once there is more than one."""
        count = len(self.history)
        return f"Compare runs ({count})" if count > 1 else "Compare runs"

    def start_run(self, config) -> RunRecord:
        """Archive the run on screen as an overlay and record a new one for ``config``."""
        self._archive_current_run()
        self.current = self.history.start(config.dataset, config.preset, {
            "epochs": config.epochs, "batch_size": config.batch_size, "optimizer": config.optimizer,
            "learning_rate": config.learning_rate, "validation": config.validation,
            "augment": config.augment, "seed": config.seed, "limit": config.limit,
        })
        return self.current

    def longest_epochs(self, epochs: int) -> int:
        """The x range the plots need: the new run's epochs or the longest earlier run's."""
        return max([epochs] + [len(r.history.get("epoch") or []) for r in self.history.runs])

    def _archive_current_run(self) -> None:
        """Turn the run on screen into an overlay before a new one starts."""
        record = self.current
        if record is None or record.status == "failed" or not len(record.loss_curve[0]):
            return
        colour = record.number - 1
        self.loss_plot.add_overlay(record.number, record.label, record.loss_curve,
                                   record.epoch_series("val_loss"), colour)
        acc_x, acc_y = record.epoch_series("val_accuracy")
        self.accuracy_plot.add_overlay(record.number, record.label, record.accuracy_curve,
                                       (acc_x, acc_y * 100), colour)

    def refresh(self) -> None:
        table = self.leaderboard
        table.blockSignals(True)
        runs = self.history.leaderboard()
        table.setRowCount(len(runs))
        for row, record in enumerate(runs):
            show = QTableWidgetItem()
            is_current = record is self.current
            if is_current or record.status == "failed" or not len(record.loss_curve[0]):
                show.setFlags(Qt.ItemFlag.NoItemFlags)
                show.setText("now" if is_current else "")
            else:
                show.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                show.setCheckState(Qt.CheckState.Checked if self.loss_plot.overlay_visible(record.number)
                                   else Qt.CheckState.Unchecked)
            show.setData(Qt.ItemDataRole.UserRole, record.number)
            val = record.history.get("val_accuracy") or []
            val_text = f"{val[-1]:.2%}" if val and val[-1] is not None else "—"
            test_text = f"{record.test_accuracy:.2%}" if record.test_accuracy is not None else (
                record.status if record.status != "completed" else "—")
            rank = str(row + 1) if record.test_accuracy is not None else ""
            cells = [show, QTableWidgetItem(rank), QTableWidgetItem(str(record.number)),
                     QTableWidgetItem(record.preset), QTableWidgetItem(record.hyper_text()),
                     QTableWidgetItem(val_text), QTableWidgetItem(test_text)]
            for col, item in enumerate(cells):
                if col and is_current:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                table.setItem(row, col, item)
        table.blockSignals(False)

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
