"""Ink on the drawing pad: how one stroke of ``x, y, pressure, t`` points is painted.

Quadratic curves through the midpoints of the samples, so a stroke looks smooth and still
ends exactly where the pen lifted; with a pen tablet each short curve takes its own width
from the pressure.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

INK = QColor("#1b1f24")
MOUSE_PRESSURE = 0.5  # a mouse has no pressure; this draws at exactly the chosen pen width


def width_factor(pressure: float) -> float:
    """Pen width multiplier: 0.5 pressure (and a mouse) gives the chosen width."""
    return 0.35 + 1.3 * float(pressure)


def paint_stroke(painter: QPainter, stroke: np.ndarray, pen_width: float) -> None:
    """Quadratic curves through the midpoints of the samples: smooth, and still exact at the ends."""
    pen = QPen(INK)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    n = len(stroke)
    if n == 1:
        x, y, p = float(stroke[0, 0]), float(stroke[0, 1]), float(stroke[0, 2])
        radius = pen_width * width_factor(p) / 2
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(INK)
        painter.drawEllipse(QPointF(x, y), radius, radius)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        return
    points = [QPointF(float(x), float(y)) for x, y in stroke[:, :2]]
    pressures = stroke[:, 2]
    if float(np.ptp(pressures)) < 0.02:
        # Constant pressure (a mouse): one path, one pen; the cheapest and smoothest case.
        path = QPainterPath(points[0])
        for i in range(1, n - 1):
            path.quadTo(points[i], (points[i] + points[i + 1]) / 2)
        path.lineTo(points[-1])
        pen.setWidthF(pen_width * width_factor(float(pressures[0])))
        painter.setPen(pen)
        painter.drawPath(path)
        return
    # Varying pressure: one short curve per sample, each with its own width.
    start = points[0]
    for i in range(1, n):
        end = points[i] if i == n - 1 else (points[i] + points[i + 1]) / 2
        path = QPainterPath(start)
        if i == n - 1:
            path.lineTo(end)
        else:
            path.quadTo(points[i], end)
        pen.setWidthF(pen_width * width_factor(float(pressures[i])))
        painter.setPen(pen)
        painter.drawPath(path)
        start = end
