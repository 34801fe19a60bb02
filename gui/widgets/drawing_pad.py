"""The drawing pad: a large white sheet the user writes on with a mouse or a pen tablet.

Strokes are kept as vector data in widget coordinates, one float32 array (n, 4) of
``x, y, pressure, t`` per stroke (``t`` in seconds since the pad was created), because the
model input is rendered from them by core's preprocessing, not from the pixels shown here.
The screen shows dark ink on white, as on paper; what the model sees (white on black,
28x28) is the Draw tab's business.

Finished strokes are painted once into a cached image; only the stroke being drawn is
re-painted on each move, as a quadratically smoothed path through the midpoints of the
sampled points (:mod:`gui.widgets.ink`), so the pen keeps up even with long drawings.

An opened picture (``show_picture``) is shown read-only, scaled to fit, with its file name,
until the user starts drawing: the first pen-down (or Clear) puts the blank sheet back.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPen,
    QTabletEvent,
)
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget

from gui.widgets.ink import MOUSE_PRESSURE, paint_stroke

PAPER = QColor("#ffffff")
COMPRESS_MOVES = Qt.ApplicationAttribute.AA_CompressHighFrequencyEvents


class DrawingPad(QWidget):
    """A canvas for one handwritten character; emits its strokes as they change.

    Signals: ``strokes_changed`` while drawing and after undo/redo/clear,
    ``stroke_finished`` at every pen-up.
    """

    strokes_changed = Signal()
    stroke_finished = Signal()

    def __init__(self, parent: QWidget | None = None, pen_width: float = 14.0) -> None:
        super().__init__(parent)
        self._strokes: list[np.ndarray] = []
        self._current: list[tuple[float, float, float, float]] = []
        self._undo: list[list[np.ndarray]] = []
        self._redo: list[list[np.ndarray]] = []
        self._pen_width = float(pen_width)
        self._drawing = False
        self._compress_was = True
        self._t0 = time.monotonic()
        self._cache: QImage | None = None
        self._picture: tuple[QImage, str] | None = None  # (image, caption) shown until drawing starts
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAttribute(Qt.WidgetAttribute.WA_TabletTracking, False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(280, 280)
        self.setToolTip("Draw one character. Ctrl+Z undo, Ctrl+Shift+Z redo, Esc clear.")
        self.setAccessibleName("Drawing pad")
        self.setAccessibleDescription(
            "Draw one character with the mouse, a pen or a finger; it is recognised as you draw. "
            "Ctrl+Z undo, Ctrl+Shift+Z redo, Escape clear."
        )

    def sizeHint(self) -> QSize:
        return QSize(480, 480)

    # --- the drawing as data -------------------------------------------------------

    def strokes(self) -> list[np.ndarray]:
        """Every stroke, including the one being drawn, as float32 (n, 4): x, y, pressure, t."""
        strokes = list(self._strokes)
        if self._current:
            strokes.append(np.asarray(self._current, dtype=np.float32))
        return strokes

    def is_empty(self) -> bool:
        """No strokes (an opened picture is not a drawing)."""
        return not self._strokes and not self._current

    def show_picture(self, image: QImage, caption: str) -> None:
        """Show ``image`` (scaled to fit, read-only) with ``caption`` in place of the drawing, until
        the user draws or clears; the strokes are cleared (undoably) first."""
        self.clear()
        self._picture = (image, caption)
        self._invalidate()

    def picture_caption(self) -> str | None:
        """The caption of the picture on show, or None when the sheet shows the drawing."""
        return self._picture[1] if self._picture is not None else None

    def _drop_picture(self) -> bool:
        if self._picture is None:
            return False
        self._picture = None
        self._invalidate()
        return True

    def set_strokes(self, strokes: Sequence[np.ndarray]) -> None:
        """Replace the drawing (undoable); (n, 2) or (n, 3) arrays get pressure and time filled in."""
        self._picture = None
        self._push_undo()
        self._strokes = [self._as_pad_stroke(s) for s in strokes if len(s)]
        self._current = []
        self._stop_drawing()
        self._changed()

    @staticmethod
    def _as_pad_stroke(stroke: np.ndarray) -> np.ndarray:
        stroke = np.asarray(stroke, dtype=np.float32)
        out = np.zeros((len(stroke), 4), np.float32)
        out[:, 2] = MOUSE_PRESSURE
        out[:, : min(4, stroke.shape[1])] = stroke[:, :4]
        return out

    @property
    def pen_width(self) -> float:
        return self._pen_width

    def set_pen_width(self, width: float) -> None:
        """The ink width on screen, in pixels (pressure scales it around this value)."""
        self._pen_width = max(1.0, float(width))
        self._invalidate()

    # --- undo / redo / clear -------------------------------------------------------

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> None:
        if self._drawing or not self._undo:
            return
        self._redo.append(self._strokes)
        self._strokes = self._undo.pop()
        self._changed()

    def redo(self) -> None:
        if self._drawing or not self._redo:
            return
        self._undo.append(self._strokes)
        self._strokes = self._redo.pop()
        self._changed()

    def clear(self) -> None:
        """Wipe the sheet (and any opened picture); undo brings the drawing back."""
        if self._drop_picture() and self.is_empty():
            self.strokes_changed.emit()
            return
        if self.is_empty():
            return
        self._push_undo()
        self._strokes = []
        self._current = []
        self._stop_drawing()
        self._changed()

    def _push_undo(self) -> None:
        self._undo.append(list(self._strokes))
        self._redo.clear()

    def _changed(self) -> None:
        self._invalidate()
        self.strokes_changed.emit()

    def _invalidate(self) -> None:
        self._cache = None
        self.update()

    # --- pen input -----------------------------------------------------------------

    def _begin(self, pos: QPointF, pressure: float) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._drop_picture()  # drawing goes back to live strokes
        # Qt merges queued mouse moves into the last one when the GUI thread falls behind
        # (say, while TensorFlow loads on another thread); for ink that cuts corners off the
        # character, so every sampled point is kept while the pen is down.
        self._compress_was = QApplication.testAttribute(COMPRESS_MOVES)
        QApplication.setAttribute(COMPRESS_MOVES, False)
        self._drawing = True
        self._current = [self._point(pos, pressure)]
        self.update()
        self.strokes_changed.emit()

    def _extend(self, pos: QPointF, pressure: float) -> None:
        if not self._drawing:
            return
        point = self._point(pos, pressure)
        last = self._current[-1]
        if abs(point[0] - last[0]) < 0.5 and abs(point[1] - last[1]) < 0.5:
            return  # sub-pixel jitter adds nothing but work
        self._current.append(point)
        # Only the tail of the smoothed path changes: repaint around the last three samples.
        tail = np.asarray(self._current[-3:], dtype=np.float32)
        low, high = tail[:, :2].min(axis=0), tail[:, :2].max(axis=0)
        margin = self._pen_width * 2.2 + 2
        self.update(
            QRectF(float(low[0]), float(low[1]), float(high[0] - low[0]), float(high[1] - low[1]))
            .adjusted(-margin, -margin, margin, margin)
            .toAlignedRect()
        )
        self.strokes_changed.emit()

    def _end(self, pos: QPointF | None, pressure: float) -> None:
        if not self._drawing:
            return
        if pos is not None:
            self._extend(pos, pressure)
        self._stop_drawing()
        stroke = np.asarray(self._current, dtype=np.float32)
        self._current = []
        self._push_undo()
        self._strokes = [*self._strokes, stroke]
        self._invalidate()
        self.stroke_finished.emit()

    def _stop_drawing(self) -> None:
        if self._drawing:
            self._drawing = False
            QApplication.setAttribute(COMPRESS_MOVES, self._compress_was)

    def _point(self, pos: QPointF, pressure: float) -> tuple[float, float, float, float]:
        return (float(pos.x()), float(pos.y()), float(pressure), time.monotonic() - self._t0)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position(), MOUSE_PRESSURE)
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drawing:
            self._extend(event.position(), MOUSE_PRESSURE)
            event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._drawing:
            self._end(event.position(), MOUSE_PRESSURE)
            event.accept()

    def tabletEvent(self, event: QTabletEvent) -> None:
        # Accepting stops Qt from also synthesising mouse events for the same pen motion.
        kind = event.type()
        pressure = float(event.pressure()) if event.pressure() > 0 else MOUSE_PRESSURE
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position(), pressure)
        elif kind == QEvent.Type.TabletMove:
            self._extend(event.position(), pressure)
        elif kind == QEvent.Type.TabletRelease:
            self._end(None, pressure)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if event.matches(QKeySequence.StandardKey.Redo) or (ctrl and shift and key == Qt.Key.Key_Z):
            self.redo()
        elif event.matches(QKeySequence.StandardKey.Undo) or (ctrl and not shift and key == Qt.Key.Key_Z):
            self.undo()
        elif key == Qt.Key.Key_Escape:
            self.clear()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # --- painting ------------------------------------------------------------------

    def resizeEvent(self, event) -> None:
        self._cache = None
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:
        if self._cache is None or self._cache.size() != self.size() * self.devicePixelRatioF():
            self._cache = self._render_finished()
        painter = QPainter(self)
        painter.drawImage(QRectF(self.rect()), self._cache)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._current:
            paint_stroke(painter, np.asarray(self._current, dtype=np.float32), self._pen_width)
        if self._picture is not None and self.is_empty():
            self._paint_picture(painter, *self._picture)
        elif self.is_empty():
            painter.setPen(QColor("#9aa3ad"))
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.4)
            painter.setFont(font)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Draw a character here")
        painter.setPen(QPen(QColor("#c8ced6"), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

    def _picture_target(self, image: QImage) -> QRectF | None:
        """Where the opened picture is drawn: scaled to fit above its two caption lines."""
        line = self.fontMetrics().height() + 6
        area = QRectF(self.rect()).adjusted(16, 16, -16, -16 - 2 * line)
        if image.isNull() or area.width() <= 0 or area.height() <= 0:
            return None
        scale = min(area.width() / image.width(), area.height() / image.height())
        w, h = max(1, int(image.width() * scale)), max(1, int(image.height() * scale))
        return QRectF(area.center().x() - w / 2, area.center().y() - h / 2, w, h)

    def picture_placement(self) -> tuple[float, float, float] | None:
        """(x, y, scale): the opened picture's pixel (px, py) is shown at (x + px*scale, y + py*scale)."""
        target = self._picture_target(self._picture[0]) if self._picture is not None else None
        return None if target is None else (target.x(), target.y(), target.width() / self._picture[0].width())

    def _paint_picture(self, painter: QPainter, image: QImage, caption: str) -> None:
        """The opened picture scaled to fit above its caption (file name and a hint)."""
        metrics = painter.fontMetrics()
        line = metrics.height() + 6
        target = self._picture_target(image)
        if target is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, image)
        text = QRectF(0, self.height() - 16 - 2 * line, self.width(), line)
        painter.setPen(QColor("#57606a"))
        painter.drawText(text, Qt.AlignmentFlag.AlignCenter, metrics.elidedText(caption, Qt.TextElideMode.ElideMiddle, self.width() - 32))
        painter.setPen(QColor("#9aa3ad"))
        painter.drawText(text.translated(0, line), Qt.AlignmentFlag.AlignCenter, "Draw to replace it")

    def _render_finished(self) -> QImage:
        ratio = self.devicePixelRatioF()
        image = QImage(self.size() * ratio, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        image.fill(PAPER)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for stroke in self._strokes:
            paint_stroke(painter, stroke, self._pen_width)
        painter.end()
        return image

    def render_image(self, background: QColor = PAPER) -> QImage:
        """The drawing as the user sees it (dark ink on white, no hint text), for saving as PNG."""
        image = QImage(self.size(), QImage.Format.Format_RGB32)
        image.fill(background)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for stroke in self.strokes():
            paint_stroke(painter, stroke, self._pen_width)
        painter.end()
        return image
