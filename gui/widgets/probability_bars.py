"""A bar chart of every class probability, the three best highlighted.

Following pyqtgraph's examples, the bar item is created once per set of classes and only
its heights and brushes change on each prediction (up to 20 times a second while the
user draws), so updating never rebuilds the scene.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

BEST = "#1f6feb"
RUNNERS_UP = "#79b0f5"
OTHERS = "#c9d1d9"


class ProbabilityBars(QWidget):
    """Vertical bars 0..1, one per class, labelled with the class names on the x axis."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._labels: list[str] = []
        self._values = np.zeros(0, np.float32)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setYRange(0, 1.04, padding=0)  # a little headroom so the "1" tick shows
        self.plot.showGrid(y=True, alpha=0.25)
        item = self.plot.getPlotItem()
        item.getAxis("left").setTicks([[(0, "0"), (0.5, "50%"), (1, "100%")]])
        item.getAxis("left").setWidth(40)
        self._bars = pg.BarGraphItem(x=[], height=[], width=0.75, brush=OTHERS, pen=None)
        self.plot.addItem(self._bars)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.setMinimumHeight(140)
        self.setAccessibleName("Class probabilities")
        self.setAccessibleDescription("nothing recognised yet")

    def set_labels(self, labels: Sequence[str]) -> None:
        """The class names, in the model's output order; resets the bars to zero."""
        self._labels = [str(label) for label in labels]
        n = len(self._labels)
        axis = self.plot.getPlotItem().getAxis("bottom")
        axis.setTicks([[(i, name) for i, name in enumerate(self._labels)]])
        self.plot.setXRange(-0.6, max(n, 1) - 0.4, padding=0)
        self.set_probabilities(np.zeros(n, np.float32))

    def labels(self) -> list[str]:
        return list(self._labels)

    def values(self) -> np.ndarray:
        """The probabilities shown now (for tests)."""
        return self._values.copy()

    def set_probabilities(self, probabilities: np.ndarray | None) -> None:
        """Show one probability per class; None or an empty array clears the chart."""
        n = len(self._labels)
        values = np.zeros(n, np.float32) if probabilities is None else np.asarray(probabilities, np.float32)
        if values.shape != (n,):
            values = np.zeros(n, np.float32)
        self._values = values
        brushes = [OTHERS] * n
        if values.any():
            order = np.argsort(values)[::-1]
            brushes[int(order[0])] = BEST
            for i in order[1:3]:
                brushes[int(i)] = RUNNERS_UP
        self._bars.setOpts(x=np.arange(n), height=values, width=0.75, brushes=brushes, pen=None)
        best = self.highlighted()
        self.setAccessibleDescription(
            "best guesses: " + ", ".join(f"{label} {values[self._labels.index(label)]:.0%}" for label in best)
            if best else "nothing recognised yet"
        )

    def highlighted(self) -> list[str]:
        """The labels of the (up to) three highlighted bars, best first."""
        if not self._values.any():
            return []
        order = np.argsort(self._values)[::-1][:3]
        return [self._labels[int(i)] for i in order]
