"""A 2-D scatter of samples, one colour per class, with one marker that can move: the map's canvas.

It draws what :class:`core.inside.feature_map.FeatureMap` computed; hovering a point says
which sample it is (``hovered``), a click opens it (``clicked``), and :meth:`set_marker` places
the drawing's marker (clamped to the edge when it falls outside the samples).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from core.inside.pictures import class_palette

MARGIN = 10
PICK_PX = 8


def class_colours(n: int) -> list[QColor]:
    """The maps' class colours (:func:`core.inside.pictures.class_palette`) as QColors."""
    return [QColor(*rgb) for rgb in class_palette(n)]


class FeatureScatter(QWidget):
    """Points (N, 2) coloured by ``labels``; a marker for the drawing."""

    hovered = Signal(int)  # sample index under the pointer, -1 when none
    clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points = np.zeros((0, 2), np.float32)
        self.labels = np.zeros(0, int)
        self.colours: list[QColor] = []
        self.marker: np.ndarray | None = None
        self.marker_text = ""
        self._low = np.zeros(2)
        self._span = np.ones(2)
        self.setMouseTracking(True)
        self.setMinimumSize(200, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(420, 320)

    def set_points(self, points: np.ndarray, labels: np.ndarray, n_classes: int) -> None:
        self.points = np.asarray(points, np.float32)
        self.labels = np.asarray(labels, int)
        self.colours = class_colours(n_classes)
        if len(self.points):
            low, high = self.points.min(axis=0), self.points.max(axis=0)
            self._low, self._span = low, np.maximum(high - low, 1e-6)
        self.marker = None
        self.update()

    def set_marker(self, point: np.ndarray | None, text: str = "") -> None:
        """Place (or with None remove) the drawing's marker at ``point`` (map units)."""
        self.marker = None if point is None else np.asarray(point, np.float32)
        self.marker_text = text
        self.update()

    def to_widget(self, point: np.ndarray) -> QPointF:
        """Map units -> widget pixels (y up), clamped to the canvas."""
        w, h = self.width() - 2 * MARGIN, self.height() - 2 * MARGIN
        t = np.clip((np.asarray(point, np.float64) - self._low) / self._span, -0.02, 1.02)
        return QPointF(MARGIN + t[0] * w, MARGIN + (1 - t[1]) * h)

    def _widget_points(self) -> np.ndarray:
        w, h = self.width() - 2 * MARGIN, self.height() - 2 * MARGIN
        t = np.clip((self.points - self._low) / self._span, -0.02, 1.02)
        return np.column_stack([MARGIN + t[:, 0] * w, MARGIN + (1 - t[:, 1]) * h])

    def sample_at(self, pos: QPointF) -> int:
        """The sample nearest ``pos`` within a few pixels, or -1."""
        if not len(self.points):
            return -1
        xy = self._widget_points()
        d = ((xy - np.array([pos.x(), pos.y()])) ** 2).sum(axis=1)
        best = int(np.argmin(d))
        return best if d[best] <= PICK_PX**2 else -1

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.hovered.emit(self.sample_at(event.position()))

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.hovered.emit(-1)
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        index = self.sample_at(event.position())
        if index >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(index)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor("#d0d7de"), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        xy = self._widget_points()
        for c, colour in enumerate(self.colours):
            faded = QColor(colour)
            faded.setAlpha(170)
            painter.setBrush(faded)
            for x, y in xy[self.labels == c]:
                painter.drawEllipse(QPointF(float(x), float(y)), 2.6, 2.6)
        if self.marker is not None:
            centre = self.to_widget(self.marker)
            painter.setBrush(QColor(255, 255, 255, 220))
            painter.setPen(QPen(QColor("#111111"), 3))
            painter.drawEllipse(centre, 9, 9)
            painter.setBrush(QColor("#111111"))
            painter.drawEllipse(centre, 2.5, 2.5)
            if self.marker_text:
                font = painter.font()
                font.setBold(True)
                painter.setFont(font)
                painter.drawText(QRectF(centre.x() + 12, centre.y() - 10, 160, 20),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.marker_text)
        painter.end()
