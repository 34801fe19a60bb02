"""The "Why?" map laid faintly over the drawing pad, where the strokes are.

A child of the pad that lets every mouse and tablet event through.  It traces the strokes
again in a wide, half-transparent pen coloured by the signed saliency map under each piece
(red: ink that argued for the class, blue: against), the map placed over the part of the pad
the 28x28 input came from (:func:`core.inside.saliency.placement_on_pad`).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QWidget

from core.inside.saliency import placement_on_pad

OPACITY = 0.5
WIDTH = 2.6  # times the pad's pen: a soft band along the ink


class WhyOverlay(QWidget):
    """Transparent to input; shows :meth:`show_map`'s map until :meth:`clear`."""

    def __init__(self, pad: QWidget) -> None:
        super().__init__(pad)
        self._pad = pad
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_TabletTracking, False)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.placement: tuple[float, float, float] | None = None
        self._strokes: list[np.ndarray] = []
        self._heat = np.zeros((28, 28), np.float32)
        self._layer: QImage | None = None
        pad.installEventFilter(self)
        self.setGeometry(pad.rect())
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self._pad and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._pad.rect())
        return False

    def show_map(self, strokes, image: np.ndarray, saliency: np.ndarray) -> None:
        """Lay ``saliency`` (28x28, -1..1) over ``strokes`` (pad coordinates) rendered as ``image``."""
        self.placement = placement_on_pad(strokes, image) if strokes else None
        if self.placement is None:
            self.clear()
            return
        self._strokes = [np.asarray(s, np.float32)[:, :2] for s in strokes if len(s)]
        self._heat = np.clip(np.asarray(saliency, np.float32), -1, 1)
        self._layer = None
        self.setGeometry(self._pad.rect())
        self.show()
        self.raise_()
        self.update()

    def clear(self) -> None:
        self.placement = None
        self._strokes = []
        self._layer = None
        self.hide()

    def heat_at(self, x: float, y: float) -> float:
        """The map's value under pad point (x, y): 0 outside the input's square."""
        if self.placement is None:
            return 0.0
        left, top, side = self.placement
        col, row = int((x - left) / side * 28), int((y - top) / side * 28)
        return float(self._heat[row, col]) if 0 <= row < 28 and 0 <= col < 28 else 0.0

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """The traced layer, half-transparent; drawn again only when the map or the size changed,
        so the pad's repaints while the pen moves cost one image blit here."""
        if self.placement is None:
            return
        if self._layer is None or self._layer.size() != self.size() * self.devicePixelRatioF():
            self._layer = self._trace()
        painter = QPainter(self)
        painter.setOpacity(OPACITY)
        painter.drawImage(0, 0, self._layer)
        painter.end()

    def _trace(self) -> QImage:
        """Each piece of every stroke, traced again in a wide soft pen coloured by the map under it.

        Drawn into a layer where each piece replaces what is under it (no beads where the round
        ends of neighbouring pieces overlap).
        """
        ratio = self.devicePixelRatioF()
        layer = QImage(self.size() * ratio, QImage.Format.Format_ARGB32_Premultiplied)
        layer.setDevicePixelRatio(ratio)
        layer.fill(Qt.GlobalColor.transparent)
        painter = QPainter(layer)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        width = max(6.0, float(getattr(self._pad, "pen_width", 14.0)) * WIDTH)
        for stroke in self._strokes:
            for (x0, y0), (x1, y1) in zip(stroke[:-1], stroke[1:], strict=True):
                v = self.heat_at((x0 + x1) / 2, (y0 + y1) / 2)
                if abs(v) < 0.05:
                    continue
                colour = QColor(220, 40, 40) if v > 0 else QColor(40, 110, 220)
                colour.setAlphaF(min(1.0, abs(v)))
                pen = QPen(colour, width)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                painter.setPen(pen)
                painter.drawLine(QPointF(float(x0), float(y0)), QPointF(float(x1), float(y1)))
        painter.end()
        return layer
