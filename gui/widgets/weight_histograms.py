"""Per-layer weight histograms side by side (tfjs-vis style), one small plot per layer."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

PLOT_W = 150
PLOT_H = 84


class WeightHistograms(QWidget):
    """Shows the histograms of one snapshot; ``reach`` per layer fixes each plot's x range."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.histograms: tuple = ()
        self.reach: dict[str, float] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(PLOT_H + 4)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(max(1, len(self.histograms)) * (PLOT_W + 8), PLOT_H + 4)

    def show_histograms(self, histograms: tuple, reach: dict[str, float]) -> None:
        """``histograms``: core LayerHistograms; ``reach``: each layer's x range over the whole run."""
        self.histograms = tuple(histograms)
        self.reach = dict(reach)
        self.updateGeometry()
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self.histograms:
            return
        painter = QPainter(self)
        metrics = painter.fontMetrics()
        width = max(60.0, min(PLOT_W, (self.width() - 8 * len(self.histograms)) / len(self.histograms)))
        for i, h in enumerate(self.histograms):
            box = QRectF(i * (width + 8), 0, width, self.height() - 2)
            painter.setPen(QColor("#57606a"))
            painter.drawText(box.adjusted(0, 0, 0, -(box.height() - metrics.height())),
                             Qt.AlignmentFlag.AlignLeft, f"{h.name} · {h.weights:,}")
            plot = box.adjusted(0, metrics.height() + 2, 0, -metrics.height())
            reach = self.reach.get(h.name, h.reach) or h.reach
            peak = float(max(1, h.counts.max()))
            slot = plot.width() * (h.reach / reach) / len(h.counts)
            left = plot.center().x() - slot * len(h.counts) / 2
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#0969da"))
            for j, count in enumerate(h.counts):
                bar = plot.height() * float(count) / peak
                painter.drawRect(QRectF(left + j * slot, plot.bottom() - bar, max(1.0, slot - 0.5), bar))
            painter.setPen(QPen(QColor("#8c959f"), 1))
            painter.drawLine(plot.bottomLeft(), plot.bottomRight())
            painter.drawLine(plot.center().x(), plot.top(), plot.center().x(), plot.bottom())
            painter.drawText(QRectF(plot.left(), plot.bottom(), plot.width(), metrics.height()),
                             Qt.AlignmentFlag.AlignLeft, f"{-reach:.2f}")
            painter.drawText(QRectF(plot.left(), plot.bottom(), plot.width(), metrics.height()),
                             Qt.AlignmentFlag.AlignRight, f"{reach:.2f}")
        painter.end()
