"""The "Why?" map laid faintly over the drawing pad, where the strokes are.

A child of the pad that lets every mouse and tablet event through; it paints the signed
saliency map (red: ink that argued for the class, blue: against) at a fraction of its
strength over the part of the pad the 28x28 input came from
(:func:`core.inside.saliency.placement_on_pad`).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QWidget

from core.inside.saliency import placement_on_pad

OPACITY = 0.45


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
        self._image: QImage | None = None
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
        v = np.clip(np.asarray(saliency, np.float32), -1, 1)
        rgba = np.zeros((*v.shape, 4), np.uint8)
        rgba[..., 0] = np.where(v > 0, 220, 40)
        rgba[..., 1] = np.where(v > 0, 40, 110)
        rgba[..., 2] = np.where(v > 0, 40, 220)
        rgba[..., 3] = (np.abs(v) * 255 * OPACITY).astype(np.uint8)
        pixels = np.ascontiguousarray(rgba)
        self._image = QImage(pixels.data, 28, 28, 28 * 4, QImage.Format.Format_RGBA8888).copy()
        self.setGeometry(self._pad.rect())
        self.show()
        self.raise_()
        self.update()

    def clear(self) -> None:
        self.placement = None
        self._image = None
        self.hide()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._image is None or self.placement is None:
            return
        left, top, side = self.placement
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRectF(left, top, side, side), self._image)
        painter.end()
