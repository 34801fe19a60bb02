"""One 28x28 sample, large and pixelated, with every pixel's value written in its cell.

Seeing "0 ... 84 185 253 ..." in the cells is the lesson: the network gets nothing but
these 784 numbers.  Values are drawn only when a cell is big enough to read; the text is
black on light cells and white on dark ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from gui.widgets.image import to_qimage

if TYPE_CHECKING:
    import numpy as np

MIN_CELL_FOR_TEXT = 12  # px: below this "255" no longer fits legibly


class PixelGrid(QWidget):
    """Paints a uint8 (28, 28) image as square cells, values in them; keeps a square aspect."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._image: np.ndarray | None = None
        self._qimage = None
        self.show_values = True
        self.setMinimumSize(240, 240)
        # Square cells centred in whatever room it gets (no height-for-width: that made the
        # panel as tall as it was wide in a scrolling tab).
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_image(self, image: np.ndarray | None) -> None:
        import numpy as np

        self._image = None if image is None else np.asarray(image, np.uint8)
        self._qimage = None if image is None else to_qimage(self._image)
        self.update()

    def image(self) -> np.ndarray | None:
        return self._image

    def sizeHint(self) -> QSize:
        return QSize(448, 448)

    def cell_size(self) -> int:
        n = 28 if self._image is None else max(self._image.shape)
        return max(1, min(self.width(), self.height()) // n)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        image = self._image
        if image is None:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Click a sample to see its pixels")
            return
        h, w = image.shape
        cell = self.cell_size()
        left = (self.width() - cell * w) // 2
        top = (self.height() - cell * h) // 2
        target = QRect(left, top, cell * w, cell * h)
        # Nearest-neighbour scaling: each pixel stays one crisp square.
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(target, self._qimage)
        if self.show_values and cell >= MIN_CELL_FOR_TEXT:
            font = QFont(self.font())
            font.setPixelSize(max(6, int(cell * 0.42)))
            painter.setFont(font)
            dark_text, light_text, dim_text = QColor(0, 0, 0), QColor(255, 255, 255), QColor(55, 55, 55)
            for y in range(h):
                for x in range(w):
                    value = int(image[y, x])
                    painter.setPen(dim_text if value == 0 else dark_text if value >= 128 else light_text)
                    painter.drawText(
                        QRect(left + x * cell, top + y * cell, cell, cell), Qt.AlignmentFlag.AlignCenter, str(value)
                    )
        painter.setPen(QPen(QColor(128, 128, 128), 1))
        painter.drawRect(target.adjusted(0, 0, -1, -1))
        painter.end()


class SampleView(QWidget):
    """The clicked sample large, with its index and label as a caption."""

    sample_changed = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.grid = PixelGrid()
        self.caption = QLabel("No sample selected")
        font = self.caption.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.caption.setFont(font)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.caption)
        self._index: int | None = None
        self._label: str | None = None

    def show_sample(self, image: np.ndarray, index: int, label: str, where: str = "") -> None:
        """Show ``image``, sample number ``index`` (in its split) labelled ``label``."""
        self._index, self._label = int(index), str(label)
        self.grid.set_image(image)
        suffix = f"  ·  {where}" if where else ""
        self.caption.setText(f"Sample #{index:,}  ·  label “{label}”{suffix}")
        self.sample_changed.emit(self._index)

    def clear(self) -> None:
        self._index = self._label = None
        self.grid.set_image(None)
        self.caption.setText("No sample selected")

    def current_index(self) -> int | None:
        """The split index of the sample shown, or None."""
        return self._index

    def current_label(self) -> str | None:
        """The label name of the sample shown, or None."""
        return self._label
