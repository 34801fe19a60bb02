"""The confusion matrix as a heat map a class can read from the back row, and per-class bars.

Both are painted directly (no plotting library): a 26 x 26 grid of counts with labels is a
few hundred rectangles and texts, and painting lets the hover tooltip name exactly the
cell under the mouse.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

_LOW = np.array([255, 255, 255], np.float64)
_HIGH = np.array([8, 69, 148], np.float64)  # a dark blue; white text reads on it


def _heat(fraction: float) -> QColor:
    rgb = _LOW + (_HIGH - _LOW) * float(np.clip(fraction, 0.0, 1.0)) ** 0.6
    return QColor(*[int(v) for v in rgb])


MIN_SIDE = 190  # the least width and height of the matrix, in pixels

class ConfusionView(QWidget):
    """Rows are the true class, columns the model's guess; colour is the share of the row.

    Clicking a cell (or Enter on the keyboard's current cell) emits ``cell_clicked(true,
    predicted)``: the Training tab then shows exactly those samples' mistakes.
    """

    cell_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._matrix = np.zeros((0, 0), np.int64)
        self._names: Sequence[str] = ()
        self.setMouseTracking(True)
        self.setMinimumSize(MIN_SIDE, MIN_SIDE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Confusion matrix")
        self.setAccessibleDescription("no test result yet")
        # The keyboard's way to what the mouse gets by hovering: Tab in, arrows move a cell.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.current: tuple[int, int] | None = None


    def set_presenter(self, on: bool, _scale: float = 2.0) -> None:
        """Presenter view (:mod:`gui.presenter`): a smaller least size (it still grows with the
        room), so the Training tab does not scroll at 720 px with every heading twice its size."""
        side = round(MIN_SIDE * 0.75) if on else MIN_SIDE
        self.setMinimumSize(side, side)
    def set_matrix(self, matrix: np.ndarray, label_names: Sequence[str]) -> None:
        self._matrix = np.asarray(matrix, np.int64)
        self._names = list(label_names)
        self.current = None
        self.setAccessibleDescription(self.summary())
        self.update()

    def summary(self) -> str:
        """The matrix in words for a screen reader: its size and the three commonest confusions."""
        n = len(self._matrix)
        if n == 0:
            return "no test result yet"
        off = self._matrix * (1 - np.eye(n, dtype=np.int64))
        order = np.argsort(off, axis=None)[::-1][:3]
        worst = [
            f"{self._names[i]} taken for {self._names[j]} {off[i, j]} times"
            for i, j in (np.unravel_index(k, off.shape) for k in order)
            if off[i, j] > 0
        ]
        head = f"{n} classes, rows the true class, columns the model's guess"
        return head + ("; most confused: " + "; ".join(worst) if worst else "; no mistakes")

    def clear(self) -> None:
        self.set_matrix(np.zeros((0, 0), np.int64), ())

    def matrix(self) -> np.ndarray:
        return self._matrix.copy()

    # -- geometry ----------------------------------------------------------------------------

    def _layout(self) -> tuple[float, float, float]:
        """(left, top, cell) of the grid in widget coordinates."""
        n = max(1, len(self._matrix))
        margin = 34.0
        side = min(self.width() - margin - 6, self.height() - margin - 6)
        cell = max(4.0, side / n)
        return margin, margin, cell

    def cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        """(true, predicted) under a widget position, or None outside the grid."""
        n = len(self._matrix)
        left, top, cell = self._layout()
        col = int((pos.x() - left) // cell)
        row = int((pos.y() - top) // cell)
        if n and 0 <= row < n and 0 <= col < n and pos.x() >= left and pos.y() >= top:
            return row, col
        return None

    def tooltip_text(self, row: int, col: int) -> str:
        count = int(self._matrix[row, col])
        total = int(self._matrix[row].sum())
        share = f" ({count / total:.1%} of the {self._names[row]}s)" if total else ""
        verb = "correct" if row == col else f"mistaken for {self._names[col]}"
        return f"true {self._names[row]}, predicted {self._names[col]}: {count} samples{share} - {verb}"

    # -- painting ----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        n = len(self._matrix)
        if not n:
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                             "The confusion matrix appears\nafter a run.")
            return
        left, top, cell = self._layout()
        rows = self._matrix.sum(axis=1, keepdims=True).astype(np.float64)
        share = np.divide(self._matrix, rows, out=np.zeros(self._matrix.shape), where=rows > 0)
        font = QFont(self.font())
        font.setPixelSize(int(max(7, min(16, cell * 0.38))))
        painter.setFont(font)
        for r in range(n):
            for c in range(n):
                rect = QRectF(left + c * cell, top + r * cell, cell, cell)
                colour = _heat(share[r, c])
                painter.fillRect(rect, colour)
                count = int(self._matrix[r, c])
                if count and cell >= 14:
                    dark = share[r, c] > 0.35
                    painter.setPen(QColor("white") if dark else QColor(40, 40, 40))
                    if r != c and count:
                        painter.setPen(QColor("white") if dark else QColor(190, 30, 30))
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(count))
        painter.setPen(QColor(200, 200, 200))
        painter.drawRect(QRectF(left, top, n * cell, n * cell))
        if self.current is not None and self.hasFocus():
            r, c = self.current
            frame = QRectF(left + c * cell, top + r * cell, cell, cell).adjusted(2, 2, -2, -2)
            for colour, width in (("black", 5), ("#ffb000", 2)):  # seen on dark and light cells alike
                painter.setPen(QPen(QColor(colour), width))
                painter.drawRect(frame)
        # Axis labels: class names on both axes, and what the axes mean.
        label_font = QFont(self.font())
        label_font.setPixelSize(int(max(8, min(15, cell * 0.5))))
        label_font.setBold(True)
        painter.setFont(label_font)
        painter.setPen(self.palette().color(self.foregroundRole()))
        for i, name in enumerate(self._names):
            painter.drawText(QRectF(left - 22, top + i * cell, 20, cell),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)
            painter.drawText(QRectF(left + i * cell, top - 18, cell, 16), Qt.AlignmentFlag.AlignCenter, name)
        small = QFont(self.font())
        small.setPixelSize(11)
        painter.setFont(small)
        painter.drawText(QRectF(0, 0, left, 16), Qt.AlignmentFlag.AlignLeft, "true ↓")
        painter.drawText(QRectF(left, 0, n * cell, 14), Qt.AlignmentFlag.AlignLeft, "predicted →")

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        pos = event.position().toPoint()
        hit = self.cell_at(pos)
        if hit is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(event.globalPosition().toPoint(), self.tooltip_text(*hit), self)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        hit = self.cell_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and hit is not None:
            self.current = hit
            self.update()
            self.cell_clicked.emit(*hit)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Arrow keys walk the cells; each says its counts (tooltip and accessible description).
        Enter or Space opens the current cell, as a click does."""
        steps = {Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0), Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1)}
        n = len(self._matrix)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self.current is not None:
            self.cell_clicked.emit(*self.current)
            return
        if event.key() not in steps or not n:
            super().keyPressEvent(event)
            return
        if self.current is None:  # the first press lands on the top-left cell
            self.current = (0, 0)
        else:
            (r, c), (dr, dc) = self.current, steps[event.key()]
            self.current = (min(n - 1, max(0, r + dr)), min(n - 1, max(0, c + dc)))
        text = self.tooltip_text(*self.current)
        self.setAccessibleDescription(text)
        left, top, cell = self._layout()
        r, c = self.current
        QToolTip.showText(self.mapToGlobal(QPoint(int(left + (c + 1) * cell), int(top + r * cell))), text, self)
        self.update()


class ClassAccuracyBars(QWidget):
    """One bar per class: the share of that class's test samples the model got right.

    The worst classes (every class tied at the lowest value) are red even at 0%, where a bar
    has no height: they get a red floor line and a red value.  A class with no samples in the
    split is not 0% right: it is drawn as "no samples", in grey, and never counted as worst.
    """

    WORST = QColor(198, 40, 40)
    NORMAL = QColor(0, 114, 178)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._accuracy = np.zeros(0)
        self._support = np.zeros(0, np.int64)
        self._names: Sequence[str] = ()
        self.setMinimumHeight(110)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Accuracy per class")
        self.setAccessibleDescription("no test result yet")

    def set_accuracy(self, accuracy: np.ndarray, label_names: Sequence[str],
                     support: np.ndarray | None = None) -> None:
        """``support``: how many samples of each class the split has (None: all have some)."""
        self._accuracy = np.nan_to_num(np.asarray(accuracy, np.float64))
        n = len(self._accuracy)
        self._support = np.ones(n, np.int64) if support is None else np.asarray(support, np.int64)
        self._names = list(label_names)
        measured = [int(i) for i in np.argsort(self._accuracy) if self._support[int(i)] > 0]
        empty = [self._names[i] for i in range(n) if self._support[i] == 0]
        parts = [f"{self._names[i]} {self._accuracy[i]:.0%}" for i in measured[:3]]
        text = ("lowest: " + ", ".join(parts)) if parts else ""
        if empty:
            text += ("; " if text else "") + "no samples: " + ", ".join(empty)
        self.setAccessibleDescription(text or "no test result yet")
        self.update()

    def clear(self) -> None:
        self.set_accuracy(np.zeros(0), ())

    def values(self) -> np.ndarray:
        return self._accuracy.copy()

    def worst(self) -> list[int]:
        """The classes marked in red: every measured class at the lowest accuracy."""
        measured = self._support > 0
        if not measured.any():
            return []
        low = float(self._accuracy[measured].min())
        return [i for i in range(len(self._accuracy)) if measured[i] and self._accuracy[i] <= low + 1e-9]

    def value_text(self, i: int) -> str:
        """What is written over bar ``i``: its percentage, or "no samples"."""
        return "no samples" if self._support[i] == 0 else f"{self._accuracy[i] * 100:.0f}"

    def _bar_width(self) -> float:
        return (self.width() - 8) / max(1, len(self._accuracy))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        n = len(self._accuracy)
        fg = self.palette().color(self.foregroundRole())
        if not n:
            return
        width = self._bar_width()
        label_h, value_h = 16.0, 14.0
        chart_h = self.height() - label_h - value_h - 4
        font = QFont(self.font())
        font.setPixelSize(int(max(8, min(12, width * 0.35))))
        painter.setFont(font)
        worst = set(self.worst())
        grey = QColor(140, 140, 140)
        for i, acc in enumerate(self._accuracy):
            x = 4 + i * width
            bar_h = chart_h * acc
            base = value_h + chart_h
            colour = self.WORST if i in worst else self.NORMAL
            if self._support[i] == 0:
                painter.setPen(grey)
                painter.drawText(QRectF(x, base - 3 * value_h, width, 3 * value_h),
                                 Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, "no samples")
            else:
                # At least a 3 px floor, so a class at 0% still shows its (red) bar.
                rect = QRectF(x + width * 0.15, base - max(bar_h, 3.0), width * 0.7, max(bar_h, 3.0))
                painter.fillRect(rect, colour)
                painter.setPen(self.WORST if i in worst else fg)
                if width >= 22:
                    painter.drawText(QRectF(x, base - max(bar_h, 3.0) - value_h, width, value_h),
                                     Qt.AlignmentFlag.AlignCenter, self.value_text(i))
            painter.setPen(fg)
            painter.drawText(QRectF(x, self.height() - label_h, width, label_h),
                             Qt.AlignmentFlag.AlignCenter, self._names[i])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        n = len(self._accuracy)
        i = int((event.position().x() - 4) // max(1.0, self._bar_width()))
        if n and 0 <= i < n:
            text = (f"{self._names[i]}: no samples in this split" if self._support[i] == 0
                    else f"{self._names[i]}: {self._accuracy[i]:.1%} right of {self._support[i]:,}")
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        super().mouseMoveEvent(event)
