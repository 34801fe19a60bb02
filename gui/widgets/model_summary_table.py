"""A preset's model summary as a table: layer, type, output shape, parameters, and the total."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

_COLUMNS = ("layer", "type", "output shape", "parameters")


def _shape_text(shape: object) -> str:
    if isinstance(shape, (tuple, list)):
        return "(" + ", ".join("batch" if d is None else str(d) for d in shape) + ")"
    return str(shape)


class ModelSummaryTable(QTableWidget):
    """Read-only table; the last row is the total in bold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(_COLUMNS), parent)
        self.setHorizontalHeaderLabels(_COLUMNS)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(30)
        self.total = 0

    def set_summary(self, rows: Iterable[tuple[str, str, object, int]], total: int) -> None:
        """Rows of (layer name, layer type, output shape, parameter count) plus the total."""
        rows = list(rows)
        self.clearSpans()
        self.setRowCount(len(rows) + 1)
        for r, (name, kind, shape, params) in enumerate(rows):
            for c, text in enumerate((name, kind, _shape_text(shape), f"{int(params):,}")):
                item = QTableWidgetItem(text)
                if c == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(r, c, item)
        self.total = int(total)
        for c, text in enumerate(("total", "", "", f"{self.total:,}")):
            item = QTableWidgetItem(text)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            if c == 3:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.setItem(len(rows), c, item)

    def set_message(self, text: str) -> None:
        """A one-line message in place of the table (building..., or why it cannot be built)."""
        self.setRowCount(1)
        self.total = 0
        item = QTableWidgetItem(text)
        self.setItem(0, 0, item)
        for c in range(1, len(_COLUMNS)):
            self.setItem(0, c, QTableWidgetItem(""))
        self.clearSpans()
        self.setSpan(0, 0, 1, len(_COLUMNS))
