"""Class balance (a bar per class) and the mean image of each class, with pyqtgraph.

The mean images are a quick honest look at a data set: a blurry "average 7" shows what
varies between writers, and an empty class shows up as a black square at once.
This module imports pyqtgraph, so the window imports it only after it has shown.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

_GAP = 4  # px between mean images, in image pixels
_LABEL_ROOM = 20  # room under each mean image for its label (image pixels; ~1 px each on screen)
_ROW_HEIGHT_PX = 70  # screen height each row of mean images needs (image + label)


class ClassCharts(QWidget):
    """A bar chart of samples per class above a mosaic of per-class mean images."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        background = self.palette().color(QPalette.ColorRole.Window)
        foreground = self.palette().color(QPalette.ColorRole.WindowText)
        self._background = background

        self.balance_title = QLabel("Class balance")
        self.balance_title.setWordWrap(True)  # never wider than the pane (presenter view's large text)
        self.balance_plot = pg.PlotWidget(background=background)
        self.balance_plot.setMenuEnabled(False)
        self.balance_plot.setMouseEnabled(x=False, y=False)
        self.balance_plot.hideButtons()
        self.balance_plot.setMinimumHeight(150)
        self.balance_plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a picture: no keys to take
        self.balance_plot.setAccessibleName("Class balance")
        for axis in ("left", "bottom"):
            self.balance_plot.getAxis(axis).setPen(foreground)
            self.balance_plot.getAxis(axis).setTextPen(foreground)
        self.balance_plot.setLabel("left", "samples")
        self.balance_plot.showGrid(y=True, alpha=0.2)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=pg.mkBrush(70, 130, 200), pen=None)
        self.balance_plot.addItem(self.bars)
        self._count_labels: list[pg.TextItem] = []

        self.means_title = QLabel("Mean image of each class")
        self.means_title.setWordWrap(True)
        self.means_view = pg.GraphicsLayoutWidget()
        self.means_view.setBackground(background)
        self.means_view.setMinimumHeight(_ROW_HEIGHT_PX)
        self.means_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.means_view.setAccessibleName("Mean image of each class")
        self.means_box = self.means_view.addViewBox(lockAspect=True, enableMouse=False, invertY=True)
        self.means_box.setMenuEnabled(False)
        self.means_image = pg.ImageItem(axisOrder="row-major")
        self.means_box.addItem(self.means_image)
        self._mean_labels: list[pg.TextItem] = []
        self._mean_names: tuple[str, ...] = ()
        self.means_box.sigResized.connect(self._elide_mean_labels)
        self._heights = np.zeros(0)
        self._means = np.zeros((0, 28, 28), np.float32)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for title in (self.balance_title, self.means_title):
            font = title.font()
            font.setBold(True)
            title.setFont(font)
        layout.addWidget(self.balance_title)
        layout.addWidget(self.balance_plot, 3)
        layout.addWidget(self.means_title)
        layout.addWidget(self.means_view, 2)

    def set_data(self, label_names: tuple[str, ...], counts: np.ndarray, means: np.ndarray, title: str = "") -> None:
        """Show ``counts[c]`` and ``means[c]`` (float 0..255, (n, 28, 28)) for each class ``c``."""
        n = len(label_names)
        self._heights = np.asarray(counts, np.float64)
        self._means = np.asarray(means, np.float32)
        x = np.arange(n)
        self.bars.setOpts(x=x, height=self._heights, width=0.7)
        self.balance_title.setText(f"Class balance{f' — {title}' if title else ''}")
        step = max(1, math.ceil(n / 26))  # keep tick labels from overlapping on many classes
        self.balance_plot.getAxis("bottom").setTicks([[(i, self._tick_text(label_names[i], n, step))
                                                       for i in range(0, n, step)], []])
        top = float(self._heights.max()) if n else 1.0
        self.balance_plot.setXRange(-0.6, max(n - 0.4, 0.4), padding=0)
        self.balance_plot.setYRange(0, top * 1.15 if top > 0 else 1, padding=0)
        for item in self._count_labels:
            self.balance_plot.removeItem(item)
        self._count_labels = []
        if n <= 12:  # the exact numbers fit above few bars; more would be clutter
            for i, height in enumerate(self._heights):
                text = pg.TextItem(f"{int(height):,}", color=self.palette().color(QPalette.ColorRole.WindowText),
                                   anchor=(0.5, 1.0))
                text.setPos(i, height)
                self.balance_plot.addItem(text)
                self._count_labels.append(text)
        self._show_means(label_names, self._means)

    def _tick_text(self, name: str, n: int, step: int) -> str:
        """A class name elided to the room its bar has, so long names do not run together."""
        from PySide6.QtGui import QFontMetrics

        room = max(24, (self.balance_plot.width() - 60) * step // max(n, 1) - 6)
        return QFontMetrics(self.font()).elidedText(name, Qt.TextElideMode.ElideRight, room)

    def _show_means(self, label_names: tuple[str, ...], means: np.ndarray) -> None:
        n = len(label_names)
        for item in self._mean_labels:
            self.means_box.removeItem(item)
        self._mean_labels = []
        if n == 0:
            self.means_image.clear()
            return
        cols = n if n <= 13 else math.ceil(n / math.ceil(n / 13))
        rows = math.ceil(n / cols)
        # Labels are text of a fixed pixel size under images that scale with the view: each
        # row needs its own ~70 px, or the labels of one row run into the images of the next.
        self.means_view.setMinimumHeight(_ROW_HEIGHT_PX * rows)
        slot_w, slot_h = 28 + _GAP, 28 + _LABEL_ROOM
        bg = self._background
        mosaic = np.empty((rows * slot_h, cols * slot_w, 3), np.uint8)
        mosaic[:] = (bg.red(), bg.green(), bg.blue())
        colour = self.palette().color(QPalette.ColorRole.WindowText)
        for c in range(n):
            r, k = divmod(c, cols)
            y0, x0 = r * slot_h, k * slot_w + _GAP // 2
            mosaic[y0:y0 + 28, x0:x0 + 28] = np.clip(means[c], 0, 255).astype(np.uint8)[..., None]
            label = pg.TextItem(label_names[c], color=colour, anchor=(0.5, 0.0))
            label.setPos(x0 + 14, y0 + 28)
            label.setToolTip(label_names[c])
            self.means_box.addItem(label)
            self._mean_labels.append(label)
        self._mean_names = tuple(label_names)
        self.means_image.setImage(mosaic, levels=(0, 255))
        self.means_box.setRange(xRange=(0, mosaic.shape[1]), yRange=(0, mosaic.shape[0]), padding=0.02)
        self._elide_mean_labels()

    def _elide_mean_labels(self, *_args) -> None:
        """Fit each label under its image ("triangle" -> "tri…"; the whole name in its tooltip).

        The labels are text of a fixed pixel size under images that scale with the view, so
        long class names would otherwise run into each other.
        """
        if not self._mean_labels:
            return
        from PySide6.QtGui import QFontMetrics

        # The box's own transform says how many screen pixels one image pixel takes (its
        # width and view range can disagree while a layout settles).
        units_per_px = self.means_box.viewPixelSize()[0]
        if units_per_px <= 0:
            return
        slot_px = int((28 + _GAP) / units_per_px)
        text_item = self._mean_labels[0].textItem
        slot_px -= int(2 * text_item.document().documentMargin()) + 2  # the text's own margins
        metrics = QFontMetrics(text_item.font())
        for item, name in zip(self._mean_labels, self._mean_names, strict=True):
            room = max(slot_px, 8)
            for _ in range(4):  # the drawn text can be wider than the font metrics say: shrink to fit
                item.setText(metrics.elidedText(name, Qt.TextElideMode.ElideRight, room))
                drawn = item.textItem.boundingRect().width() - 2 * item.textItem.document().documentMargin()
                if drawn <= slot_px or room <= 8:
                    break
                room = max(8, room - int(drawn - slot_px) - 1)

    def mean_label_texts(self) -> list[str]:
        """The labels as shown under the mean images (elided to fit)."""
        return [item.textItem.toPlainText() for item in self._mean_labels]

    def clear(self) -> None:
        self.set_data((), np.zeros(0), np.zeros((0, 28, 28), np.float32))

    def bar_heights(self) -> np.ndarray:
        """The bar heights shown, one per class (for tests and the Training tab)."""
        return np.asarray(self.bars.opts.get("height", []), np.float64)

    def mean_images(self) -> np.ndarray:
        return self._means
