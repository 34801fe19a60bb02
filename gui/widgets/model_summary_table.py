"""A preset's model summary as a table (layer, type, output, parameters) and a footer with the total.

The table sits in the settings column (~330 px wide), so it is built to be read whole there:
column widths come from the contents, Keras's long names are shortened ("BatchNorm" for
``BatchNormalization``, "batch_norm_1" for ``batch_normalization_7``: Keras numbers layers
across every model built in the process, so they are renumbered within this model), output
shapes are written ``26×26×32``, and the table is as tall as its rows, so neither scroll bar
appears.  The total is the :attr:`ModelSummaryTable.footer` line the owner places under the
table, so it stays in view however many layers there are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QWidget

_COLUMNS = ("layer", "type", "output", "params")
_PARAMS = 3

# Keras class names that do not fit a narrow column, and the words of their default layer names.
SHORT_TYPES = {
    "BatchNormalization": "BatchNorm",
    "FusedBatchNormalization": "BatchNorm",  # core.models.layers: Keras' batch norm, trained fused
    "MaxPooling2D": "MaxPool2D",
    "AveragePooling2D": "AvgPool2D",
    "GlobalAveragePooling2D": "GlobalAvgPool",
    "GlobalMaxPooling2D": "GlobalMaxPool",
    "LayerNormalization": "LayerNorm",
    "SeparableConv2D": "SepConv2D",
    "DepthwiseConv2D": "DwConv2D",
}
_SHORT_WORDS = (
    ("fused_batch_normalization", "batch_norm"),
    ("normalization", "norm"),
    ("pooling2d", "pool"),
    ("average", "avg"),
    ("separable_conv2d", "sep_conv2d"),
)


def _snake(class_name: str) -> str:
    """Keras's default layer-name stem for a class ("MaxPooling2D" -> "max_pooling2d", "ReLU" -> "re_lu")."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def short_names(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(layer name, type) pairs as shown: default Keras names renumbered in this model and shortened.

    A name the preset chose itself (not ``<type>`` or ``<type>_<n>``) is kept as it is.
    """
    seen: dict[str, int] = {}
    shown = []
    for name, kind in rows:
        stem = _snake(kind)
        if re.fullmatch(rf"{re.escape(stem)}(_\d+)?", name):
            count = seen.get(stem, 0)
            seen[stem] = count + 1
            for long, short in _SHORT_WORDS:
                stem = stem.replace(long, short)
            name = stem if count == 0 else f"{stem}_{count}"
        shown.append((name, SHORT_TYPES.get(kind, kind)))
    return shown


def _shape_text(shape: object) -> str:
    if isinstance(shape, (tuple, list)):
        dims = ["batch" if d is None else str(d) for d in shape]
        return "×".join(dims) if dims else "—"
    return str(shape)


class ModelSummaryTable(QTableWidget):
    """Read-only table, as wide and tall as its contents; :attr:`footer` says the total."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(_COLUMNS), parent)
        self.setHorizontalHeaderLabels(_COLUMNS)
        self.horizontalHeaderItem(_PARAMS).setToolTip("The layer's parameters (weights and biases)")
        self.horizontalHeaderItem(_PARAMS).setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        # Tab leaves the table for the next field: it reads the rows with the arrow keys, and with
        # Tab moving between cells the keyboard got stuck in it once it had a current cell.
        self.setTabKeyNavigation(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)  # spare width goes to the parameter counts
        header.setMinimumSectionSize(30)
        self.footer = QLabel()
        self.footer.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        font = self.footer.font()
        font.setBold(True)
        self.footer.setFont(font)
        self.total = 0

    def set_summary(self, rows: Iterable[tuple[str, str, object, int]], total: int) -> None:
        """Rows of (layer name, layer type, output shape, parameter count) plus the total."""
        rows = list(rows)
        names = short_names([(name, kind) for name, kind, _, _ in rows])
        self.clearSpans()
        self.setRowCount(len(rows))
        for r, ((name, kind, shape, params), (shown_name, shown_kind)) in enumerate(zip(rows, names, strict=True)):
            for c, text in enumerate((shown_name, shown_kind, _shape_text(shape), f"{int(params):,}")):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{name} ({kind}): output {_shape_text(shape)}, {int(params):,} parameters")
                if c == _PARAMS:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(r, c, item)
        self.total = int(total)
        self.footer.setText(f"Total: {self.total:,} parameters")
        self._fit()

    def set_message(self, text: str) -> None:
        """A one-line message in place of the table (building..., or why it cannot be built)."""
        self.setRowCount(1)
        self.total = 0
        item = QTableWidgetItem(text)
        item.setToolTip(text)
        self.setItem(0, 0, item)
        for c in range(1, len(_COLUMNS)):
            self.setItem(0, c, QTableWidgetItem(""))
        self.clearSpans()
        self.setSpan(0, 0, 1, len(_COLUMNS))
        self.footer.setText("")
        self._fit()

    def contents_width(self) -> int:
        """The width every column needs, frame included (the settings column is made this wide)."""
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        self.resizeColumnsToContents()
        width = header.length() + 2 * self.frameWidth()
        header.setStretchLastSection(True)
        return width

    def _fit(self) -> None:
        """As tall as the header and rows (no vertical scrolling); at least as wide as the columns."""
        height = self.horizontalHeader().height() or self.horizontalHeader().sizeHint().height()
        height += self.verticalHeader().defaultSectionSize() * self.rowCount() + 2 * self.frameWidth()
        self.setFixedHeight(height)
        if self.rowCount() and not self.columnSpan(0, 0) > 1:
            self.setMinimumWidth(self.contents_width())
