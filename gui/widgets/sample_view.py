"""One 28x28 sample, large and pixelated, with every pixel's value written in its cell.

Seeing "0 ... 84 185 253 ..." in the cells is the lesson: the network gets nothing but
these 784 numbers.  Values are written only when they can be read: a font of at least
:data:`MIN_VALUE_PX` pixels, and "255" narrower than its cell (at ~6 px, three-digit values
ran together).  When the cells are too small for that (a 1280x720 screen), hovering a pixel
shows its value and a click opens the sample large, every value readable; Esc closes it.
The text is black on light cells and white on dark ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QPainter, QPen
from PySide6.QtWidgets import QDialog, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from gui.widgets.elided_label import ElidedLabel
from gui.widgets.image import to_qimage

if TYPE_CHECKING:
    import numpy as np

MIN_VALUE_PX = 9  # the smallest font the values are written in
ENLARGED_CELL = 24  # px per pixel in the enlarged view, when the screen has room


class PixelGrid(QWidget):
    """Paints a uint8 (28, 28) image as square cells, values in them; keeps a square aspect."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._image: np.ndarray | None = None
        self._qimage = None
        self.show_values = True
        self.enlargeable = False  # a click opens the enlarged view (the Datasets tab's grid)
        self.title = ""  # the enlarged view's window title
        self.dialog: PixelDialog | None = None
        self.setMouseTracking(True)  # hovering a pixel shows its value
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

    def value_font(self) -> QFont | None:
        """The font the values are written in at this size, or None when they would not be legible."""
        cell = self.cell_size()
        font = QFont(self.font())
        font.setPixelSize(max(MIN_VALUE_PX, int(cell * 0.4)))
        if QFontMetrics(font).horizontalAdvance("255") > cell - 2:
            return None
        return font

    def values_shown(self) -> bool:
        """Whether the values are written in the cells (legibly) at this size."""
        return self.show_values and self._image is not None and self.value_font() is not None

    def _origin(self) -> tuple[int, int, int]:
        h, w = self._image.shape
        cell = self.cell_size()
        return (self.width() - cell * w) // 2, (self.height() - cell * h) // 2, cell

    def pixel_at(self, pos: QPoint) -> tuple[int, int] | None:
        """The (row, column) of the pixel under ``pos``, or None."""
        if self._image is None:
            return None
        left, top, cell = self._origin()
        row, col = (pos.y() - top) // cell, (pos.x() - left) // cell
        h, w = self._image.shape
        return (row, col) if 0 <= row < h and 0 <= col < w else None

    def value_text(self, row: int, col: int) -> str:
        return f"row {row}, column {col}: {int(self._image[row, col])}"

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        pixel = self.pixel_at(event.position().toPoint())
        if pixel is None:
            QToolTip.hideText()
        else:
            hint = "" if self.values_shown() or not self.enlargeable else "\n(click to see every value)"
            QToolTip.showText(event.globalPosition().toPoint(), self.value_text(*pixel) + hint, self)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.enlargeable and event.button() == Qt.MouseButton.LeftButton and self._image is not None:
            self.enlarge()
        super().mouseReleaseEvent(event)

    def enlarge(self) -> PixelDialog:
        """Open the sample large, every value readable (non-modal; Esc closes it)."""
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = PixelDialog(self._image, self.title or "Sample", self.window())
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

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
        font = self.value_font() if self.show_values else None
        if font is not None:
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


class PixelDialog(QDialog):
    """The sample as large as the screen allows (up to :data:`ENLARGED_CELL` px a pixel), values in."""

    def __init__(self, image: np.ndarray, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.grid = PixelGrid()
        self.grid.set_image(image)
        layout = QVBoxLayout(self)
        layout.addWidget(self.grid)
        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry().height() - 120 if screen is not None else 28 * ENLARGED_CELL
        side = max(28 * 12, min(28 * ENLARGED_CELL, room))
        self.resize(QSize(side, side) + QSize(24, 24))


class SampleView(QWidget):
    """The clicked sample large, with its index and label as a caption."""

    sample_changed = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.grid = PixelGrid()
        self.grid.enlargeable = True
        # Elided: a long data-set name must not widen the pane (the whole caption is its tooltip).
        self.caption = ElidedLabel("No sample selected")
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
        self.grid.title = f"Sample #{index:,}, label “{label}”{suffix.replace('  ·  ', ', ')}"
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
