"""A bar chart of every class probability, the three best highlighted.

Painted with QPainter rather than pyqtgraph: the Draw tab is the first thing many people
open, and a pyqtgraph plot there cost the click ~0.3 s (importing pyqtgraph and building a
graphics scene) for eleven rectangles.  An update only stores the values and schedules a
repaint, so the chart keeps up with a prediction on every pen move.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

BEST = "#1f6feb"
RUNNERS_UP = "#79b0f5"
OTHERS = "#c9d1d9"
_BACKGROUND = "#ffffff"
_AXIS = "#57606a"
_GRID = "#e6e8eb"
_TICKS = ((0.0, "0"), (0.5, "50%"), (1.0, "100%"))
_AXIS_WIDTH = 40  # px left of the bars for the tick labels
_BAR_SHARE = 0.75  # of each class's slot
_MARGIN = 6


def _axis_width(metrics: QFontMetrics) -> int:
    """Room for "100%" at the widget's font (presenter view doubles it)."""
    return max(_AXIS_WIDTH, metrics.horizontalAdvance("100%") + 8)


class ProbabilityBars(QWidget):
    """Vertical bars 0..1, one per class, labelled with the class names below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._labels: list[str] = []
        self._values = np.zeros(0, np.float32)
        self._colours: list[str] = []
        self.setMinimumHeight(120)  # the Draw tab must fit 1280x680 with the "Several characters" switch
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAccessibleName("Class probabilities")
        self.setAccessibleDescription("nothing recognised yet")

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(360, 180)

    def set_labels(self, labels: Sequence[str]) -> None:
        """The class names, in the model's output order; resets the bars to zero."""
        self._labels = [str(label) for label in labels]
        self.set_probabilities(np.zeros(len(self._labels), np.float32))

    def labels(self) -> list[str]:
        return list(self._labels)

    def values(self) -> np.ndarray:
        """The probabilities shown now (for tests)."""
        return self._values.copy()

    def colours(self) -> list[str]:
        """Each bar's colour, in class order: what a user sees as highlighted (for tests)."""
        return list(self._colours)

    def set_probabilities(self, probabilities: np.ndarray | None) -> None:
        """Show one probability per class; None or an empty array clears the chart."""
        n = len(self._labels)
        values = np.zeros(n, np.float32) if probabilities is None else np.asarray(probabilities, np.float32)
        if values.shape != (n,) or not np.isfinite(values).all():
            values = np.zeros(n, np.float32)
        self._values = np.clip(values, 0.0, 1.0)
        colours = [OTHERS] * n
        best = self.highlighted()
        for rank, label in enumerate(best):
            colours[self._labels.index(label)] = BEST if rank == 0 else RUNNERS_UP
        self._colours = colours
        self.setAccessibleDescription(
            "best guesses: " + ", ".join(f"{label} {self._values[self._labels.index(label)]:.0%}" for label in best)
            if best else "nothing recognised yet"
        )
        self.update()

    def highlighted(self) -> list[str]:
        """The labels of the (up to) three highlighted bars, best first."""
        if not self._values.any():
            return []
        order = np.argsort(self._values, kind="stable")[::-1][:3]
        return [self._labels[int(i)] for i in order]

    # -- painting ---------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(_BACKGROUND))
        metrics = QFontMetrics(self.font())
        plot = self._plot_rect(metrics)
        if plot.width() <= 4 or plot.height() <= 4:
            painter.end()
            return
        self._paint_axis(painter, plot, metrics)
        n = len(self._labels)
        if n:
            slot = plot.width() / n
            painter.setPen(Qt.PenStyle.NoPen)
            for i, (value, colour) in enumerate(zip(self._values, self._colours, strict=True)):
                height = float(value) * plot.height()
                if height > 0:
                    left = plot.left() + slot * (i + (1 - _BAR_SHARE) / 2)
                    painter.fillRect(QRectF(left, plot.bottom() - height, slot * _BAR_SHARE, height), QColor(colour))
            self._paint_class_names(painter, plot, metrics, slot)
        painter.end()

    def _paint_axis(self, painter: QPainter, plot: QRectF, metrics: QFontMetrics) -> None:
        """Faint grid lines and the 0 / 50% / 100% labels on the left."""
        for value, text in _TICKS:
            y = plot.bottom() - value * plot.height()
            painter.setPen(QPen(QColor(_GRID if value else _AXIS), 1))
            painter.drawLine(int(plot.left()), round(y), int(plot.right()), round(y))
            painter.setPen(QColor(_AXIS))
            box = QRectF(0, y - metrics.height() / 2, _axis_width(metrics) - 6, metrics.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)

    def _plot_rect(self, metrics: QFontMetrics) -> QRectF:
        text_h = metrics.height()
        axis = _axis_width(metrics)
        return QRectF(
            axis, _MARGIN + text_h / 2, self.width() - axis - _MARGIN,
            self.height() - 2 * _MARGIN - text_h * 1.5,
        )

    def shown_names(self) -> list[tuple[int, str]]:
        """(class index, text) of the names written under the bars at the current width.

        When they do not all fit, single characters are thinned to every k-th one, longer
        names are elided; the best guess is always named (its neighbours make room).
        """
        if not self._labels:
            return []
        metrics = QFontMetrics(self.font())
        slot = max(1.0, self._plot_rect(metrics).width() / len(self._labels))
        widest = max(metrics.horizontalAdvance(label) for label in self._labels) + 4
        every = max(1, int(np.ceil(widest / slot)))
        if every > 1 and max(len(label) for label in self._labels) > 2:
            every = 1  # names, not single characters: elide each rather than drop some
        best = self._colours.index(BEST) if BEST in self._colours else -1
        shown = []
        for i, label in enumerate(self._labels):
            if i != best and (i % every or (best >= 0 and abs(i - best) < every)):
                continue
            shown.append((i, metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(slot * every))))
        return shown

    def _paint_class_names(self, painter: QPainter, plot: QRectF, metrics: QFontMetrics, slot: float) -> None:
        top = plot.bottom() + 2
        shown = self.shown_names()
        width = max(slot, max((metrics.horizontalAdvance(text) for _, text in shown), default=0))
        for i, text in shown:
            painter.setPen(QColor(BEST if self._colours[i] == BEST else _AXIS))
            box = QRectF(plot.left() + slot * i + slot / 2 - width / 2, top, width, metrics.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)
