"""A live training-curve plot that stays smooth with many thousands of points.

Following pyqtgraph's own examples, each curve is created once and fed with ``setData``
on numpy buffers that grow by doubling; the plot clips to the view and peak-downsamples.
Points arrive from the worker at batch rate but the plot is only redrawn by
:meth:`LivePlot.flush`, which the owner calls from a timer (~30 Hz), so a burst of
batches costs one redraw.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem, QVBoxLayout, QWidget

# Colour-blind-safe pair (Okabe-Ito): train = blue, validation = orange.
TRAIN_COLOUR = (0, 114, 178)
VAL_COLOUR = (230, 159, 0)
# Earlier runs are drawn in muted, distinct colours so the current run stays in front.
OVERLAY_COLOURS = [(204, 121, 167), (213, 94, 0), (0, 158, 115), (86, 180, 233), (120, 120, 120),
                   (240, 228, 66)]


class GrowingBuffer:
    """x/y float arrays that double their capacity when full, so appends are amortised O(1)."""

    def __init__(self, capacity: int = 256) -> None:
        self._x = np.empty(capacity, np.float64)
        self._y = np.empty(capacity, np.float64)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def append(self, x: float, y: float) -> None:
        if self._n == len(self._x):
            self._x = np.resize(self._x, 2 * len(self._x))
            self._y = np.resize(self._y, 2 * len(self._y))
        self._x[self._n] = x
        self._y[self._n] = y
        self._n += 1

    def clear(self) -> None:
        self._n = 0

    def view(self) -> tuple[np.ndarray, np.ndarray]:
        """The filled part (views, not copies: setData copies what it keeps)."""
        return self._x[: self._n], self._y[: self._n]


class LivePlot(QWidget):
    """One metric (loss or accuracy) against epochs: batch line, epoch markers, overlays."""

    def __init__(self, title: str, y_label: str, legend_corner: str = "top-right",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget = pg.PlotWidget(background="w")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)
        item = self.plot_widget.getPlotItem()
        item.setTitle(title, color="k", size="13pt")
        # A painted plot is a blank to a screen reader: its name, and the latest epoch in words.
        self._title = title
        self.setAccessibleName(f"{title} plot")
        self.setAccessibleDescription(f"{title} against epochs; no epoch finished yet")
        item.setLabel("bottom", "epoch")
        item.setLabel("left", y_label)
        # No grid: translucent grid lines over the whole plot were 3/4 of each repaint's cost.
        # The axes are cached as pixmaps; during a run their range is held still (hold_range),
        # so a repaint only draws the curves.
        for name in ("left", "bottom"):
            item.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        item.setClipToView(True)
        item.setDownsampling(auto=True, mode="peak")
        offset = (-10, 10) if legend_corner == "top-right" else (-10, -10)
        self.legend = item.addLegend(offset=offset, labelTextColor="k", labelTextSize="9pt")
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 200))

        # Keras' batch values are running means of the epoch so far, so the thin line
        # restarts at each epoch; the epoch markers are the numbers to compare.
        self.batch_curve = item.plot(name="train (batch)", pen=pg.mkPen(TRAIN_COLOUR, width=1))
        self.epoch_curve = item.plot(
            name="train (epoch)", pen=None,
            symbol="o", symbolSize=10, symbolBrush=TRAIN_COLOUR, symbolPen="w",
        )
        self.val_curve = item.plot(
            name="validation", pen=pg.mkPen(VAL_COLOUR, width=2),
            symbol="s", symbolSize=10, symbolBrush=VAL_COLOUR, symbolPen="w",
        )
        self._buffers = {
            self.batch_curve: GrowingBuffer(1024),
            self.epoch_curve: GrowingBuffer(16),
            self.val_curve: GrowingBuffer(16),
        }
        self._dirty = False
        self._overlays: dict[object, list[pg.PlotDataItem]] = {}
        self._y_fixed: tuple[float, float] | None = None
        self._y_top = -np.inf

    # -- current run -------------------------------------------------------------------------

    def add_batch(self, x: float, y: float) -> None:
        """Queue one running (per-batch) value; drawn at the next flush."""
        if np.isfinite(y):
            self._buffers[self.batch_curve].append(x, y)
            self._dirty = True

    def add_epoch(self, x: float, train: float | None, val: float | None) -> None:
        """Queue one epoch's train and validation values (None when there is none)."""
        if train is not None and np.isfinite(train):
            self._buffers[self.epoch_curve].append(x, train)
        if val is not None and np.isfinite(val):
            self._buffers[self.val_curve].append(x, val)
        self._dirty = True
        words = [f"train {train:.4g}" if train is not None else "", f"validation {val:.4g}" if val is not None else ""]
        self.setAccessibleDescription(f"{self._title} after epoch {x:g}: " + ", ".join(w for w in words if w))

    def flush(self) -> bool:
        """Push pending points to the curves; returns whether anything was redrawn."""
        if not self._dirty:
            return False
        for curve, buffer in self._buffers.items():
            x, y = buffer.view()
            curve.setData(x, y)
        if self._y_fixed is None and len(self._buffers[self.batch_curve]):
            self._grow_y()
        self._dirty = False
        return True

    def hold_range(self, x_max: float, y_range: tuple[float, float] | None = None) -> None:
        """Fix the view for a run: x from 0 to ``x_max`` epochs, y fixed or grown only upwards.

        Auto-ranging on every update makes pyqtgraph rebuild both axes ~30 times a second,
        which is most of the cost of drawing; a still frame is also easier to read from
        the back of a classroom (the whole run's width is visible from the start).
        """
        item = self.plot_widget.getPlotItem()
        item.disableAutoRange()
        item.setXRange(0, max(x_max, 1e-3), padding=0.02)
        self._y_fixed = y_range
        self._y_top = -np.inf
        if y_range is not None:
            item.setYRange(*y_range, padding=0.02)

    def release_range(self) -> None:
        """Back to pyqtgraph's auto-range (after a run: fit everything, overlays included)."""
        self._y_fixed = None
        self.plot_widget.getPlotItem().enableAutoRange()

    def _grow_y(self) -> None:
        _, y = self._buffers[self.batch_curve].view()
        top = float(np.nanmax(y)) if len(y) else 1.0
        for curve in (self.epoch_curve, self.val_curve):
            _, ey = self._buffers[curve].view()
            if len(ey):
                top = max(top, float(np.nanmax(ey)))
        if top > self._y_top:
            # Grow in steps of 25% so a slowly rising maximum does not move the axis each time.
            self._y_top = top * 1.25 if np.isfinite(top) and top > 0 else 1.0
            self.plot_widget.getPlotItem().setYRange(0, self._y_top, padding=0.02)

    def clear(self) -> None:
        """Forget the current run's points (overlays of earlier runs stay)."""
        for buffer in self._buffers.values():
            buffer.clear()
        self._dirty = True
        self.flush()

    def point_count(self, which: str = "batch") -> int:
        """How many points the named curve (batch / epoch / val) currently *shows*."""
        curve = {"batch": self.batch_curve, "epoch": self.epoch_curve, "val": self.val_curve}[which]
        x, _ = curve.getOriginalDataset()
        return 0 if x is None else len(x)

    def series(self, which: str = "batch") -> tuple[np.ndarray, np.ndarray]:
        """A copy of the named curve's buffered data (for overlays and export)."""
        curve = {"batch": self.batch_curve, "epoch": self.epoch_curve, "val": self.val_curve}[which]
        x, y = self._buffers[curve].view()
        return x.copy(), y.copy()

    # -- earlier runs ------------------------------------------------------------------------

    def add_overlay(self, key: object, label: str, batch: tuple[np.ndarray, np.ndarray],
                    val: tuple[np.ndarray, np.ndarray], colour_index: int) -> None:
        """Draw an earlier run (its batch line and validation markers) behind the current one."""
        self.remove_overlay(key)
        colour = OVERLAY_COLOURS[colour_index % len(OVERLAY_COLOURS)]
        item = self.plot_widget.getPlotItem()
        line = pg.PlotDataItem(batch[0], batch[1], pen=pg.mkPen(colour, width=1), name=label)
        markers = pg.PlotDataItem(val[0], val[1], pen=pg.mkPen(colour, width=1, style=Qt.PenStyle.DotLine),
                                  symbol="t", symbolSize=9, symbolBrush=colour, symbolPen="w")
        for curve in (line, markers):
            curve.setZValue(-10)  # behind the live run
            item.addItem(curve)
        self._overlays[key] = [line, markers]

    def set_overlay_visible(self, key: object, visible: bool) -> None:
        for curve in self._overlays.get(key, []):
            curve.setVisible(visible)
        # Keep the legend honest: only visible runs are listed.
        line = self._overlays.get(key, [None])[0]
        if line is not None:
            self.legend.removeItem(line)
            if visible:
                self.legend.addItem(line, line.name())

    def remove_overlay(self, key: object) -> None:
        for curve in self._overlays.pop(key, []):
            self.legend.removeItem(curve)
            self.plot_widget.getPlotItem().removeItem(curve)

    def overlay_visible(self, key: object) -> bool:
        curves = self._overlays.get(key)
        return bool(curves) and curves[0].isVisible()
