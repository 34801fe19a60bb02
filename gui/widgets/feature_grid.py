"""One layer's feature maps as a grid of small pictures, strongest first; hover and click a map.

The picture itself is drawn by :func:`core.inside.pictures.map_grid` (the same one
``inspect`` saves); this widget scales it to its width with hard pixel edges and says which
map is under the pointer (``hovered``) or was clicked (``clicked``), as channel numbers.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from core.inside import pictures
from core.inside.pictures import grid_columns
from core.inside.probe import Activation
from gui.widgets.image import rgb_qimage

GAP = 2
MAX_TILE = 40  # px: a 7x7 map is not drawn bigger than this, however wide the panel
MIN_TILE = 14


class FeatureGrid(QWidget):
    """The maps of one conv or pool layer (H, W, C), ``columns`` a row."""

    hovered = Signal(int)  # channel under the pointer, -1 when none
    clicked = Signal(int)

    def __init__(self, columns: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.activation: Activation | None = None
        self.order: np.ndarray = np.zeros(0, int)
        self._image = None
        self._selected = -1
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_activation(self, activation: Activation, strip: np.ndarray | None = None) -> None:
        """Show ``activation``'s maps (strongest first); ``strip`` is their one-row picture when
        already drawn (:func:`core.inside.pictures.map_grid` with ``cell=1, gap=0``, off the GUI thread)."""
        self.activation = activation
        self.order = activation.strongest()
        h, w, _ = activation.values.shape
        if strip is None:
            strip = pictures.map_grid(activation, cell=1, gap=0, columns=len(self.order))
        self._image = rgb_qimage(strip)
        self._map_size = (h, w)
        self.updateGeometry()
        self.update()

    def select(self, channel: int) -> None:
        """Outline ``channel`` (the map whose filter is shown), -1 for none."""
        self._selected = channel
        self.update()

    def channels(self) -> int:
        return len(self.order)

    def _tile(self) -> int:
        width = max(1, self.width() or 400)
        return int(max(MIN_TILE, min(MAX_TILE, (width - GAP * (self.columns - 1)) // self.columns)))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        rows = -(-max(1, len(self.order)) // self.columns)
        return QSize(self.columns * (MAX_TILE + GAP), rows * (self._tile() + GAP))

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt's name)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt's name)
        tile = int(max(MIN_TILE, min(MAX_TILE, (width - GAP * (self.columns - 1)) // self.columns)))
        rows = -(-max(1, len(self.order)) // self.columns)
        return rows * (tile + GAP)

    def tile_rect(self, slot: int) -> QRect:
        """Where the ``slot``-th strongest map is drawn."""
        tile = self._tile()
        row, col = divmod(slot, self.columns)
        return QRect(col * (tile + GAP), row * (tile + GAP), tile, tile)

    def channel_at(self, pos: QPoint) -> int:
        """The channel of the map under ``pos``, or -1."""
        tile = self._tile()
        col, row = pos.x() // (tile + GAP), pos.y() // (tile + GAP)
        slot = row * self.columns + col
        if col >= self.columns or slot >= len(self.order) or not self.tile_rect(slot).contains(pos):
            return -1
        return int(self.order[slot])

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.hovered.emit(self.channel_at(event.position().toPoint()))

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.hovered.emit(-1)
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        channel = self.channel_at(event.position().toPoint())
        if channel >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(channel)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._image is None:
            return
        painter = QPainter(self)
        h, w = self._map_size
        for slot, channel in enumerate(self.order):
            source = QRectF(slot * w, 0, w, h)
            painter.drawImage(QRectF(self.tile_rect(slot)), self._image, source)
            if int(channel) == self._selected:
                painter.setPen(QPen(QColor("#0969da"), 2))
                painter.drawRect(self.tile_rect(slot).adjusted(1, 1, -1, -1))
        painter.end()


class ValueRow(QWidget):
    """A dense or pooled layer's values as thin bars (units in order; red +, blue -)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values = np.zeros(0, np.float32)
        self.setMinimumHeight(34)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(300, 34)

    def set_values(self, values: np.ndarray) -> None:
        self.values = np.asarray(values, np.float32).reshape(-1)
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not len(self.values):
            return
        painter = QPainter(self)
        peak = float(np.abs(self.values).max()) or 1.0
        slot = self.width() / len(self.values)
        height = self.height() - 2
        painter.setPen(Qt.PenStyle.NoPen)
        for i, v in enumerate(self.values):
            bar = abs(float(v)) / peak * height
            painter.setBrush(QColor("#dc2828") if v >= 0 else QColor("#286edc"))
            painter.drawRect(QRectF(i * slot, height - bar + 1, max(1.0, slot * 0.8), bar))
        painter.setPen(QPen(QColor("#c8ced6"), 1))
        painter.drawLine(0, self.height() - 1, self.width(), self.height() - 1)
        painter.end()


class LayerRow(QWidget):
    """One layer: its name, shape and detail, then its maps (a grid) or its values (bars)."""

    def __init__(self, layer, first_conv: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer = layer
        title = QLabel(f"<b>{layer.name}</b> · {layer.shape_text()} · {layer.detail}")
        title.setStyleSheet("color: #57606a;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(title)
        self.title = title
        if layer.has_maps:
            self.grid = FeatureGrid(grid_columns(layer.shape[-1], aspect=3.0))
            self.grid.setToolTip("Hover a map to enlarge it" + ("; click it for its filter" if first_conv else ""))
            layout.addWidget(self.grid)
            self.values = None
        else:
            self.grid = None
            self.values = ValueRow()
            layout.addWidget(self.values)

    def show(self, activation, strip=None) -> None:  # noqa: A003 - a row shows one activation
        if self.grid is not None:
            self.grid.set_activation(activation, strip)
        else:
            self.values.set_values(activation.values)
        super().show()
