"""A live training-curve plot that stays smooth with many thousands of points.

Following pyqtgraph's own examples, each curve is created once and fed with ``setData``
on numpy buffers that grow by doubling; the plot clips to the view and peak-downsamples.
Points arrive from the worker at batch rate but the plot is only redrawn by
:meth:`LivePlot.flush`, which the owner calls from a timer (``gui.training.live_view.PLOT_FPS``:
5 times a second during a run), so a burst of batches costs one redraw.

Read with many runs (issue 16): the legend is one row *under* the plot, in the plot's own
layout, so it never covers a curve and is never clipped (and exports carry it); earlier runs
share one entry, their colours are in the Compare runs list.  Earlier
runs are drawn only while "Show earlier runs" is on (:meth:`LivePlot.show_earlier`), thin
and faint, in colours of other hues than the current run's blue and orange.  The y axis
does not jump when a run ends: accuracy stays 0-100 %, the loss axis only settles to the
data drawn.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGraphicsItem, QVBoxLayout, QWidget

# Colour-blind-safe pair (Okabe-Ito): train = blue, validation = orange.
TRAIN_COLOUR = (0, 114, 178)
VAL_COLOUR = (230, 159, 0)
# Earlier runs: hues at least ~35 degrees from the current run's blue and orange (or grey), so
# an old run never passes for the current one; drawn thin and faint, behind it.
EARLIER_LABEL = "earlier runs"  # each run's colour is in the Compare runs list
OVERLAY_COLOURS = [(204, 121, 167), (0, 158, 115), (110, 110, 110), (117, 112, 179), (170, 40, 40),
                   (110, 150, 40)]
OVERLAY_ALPHA = 150
LEGEND_COLUMNS = 3
PRESENTER_NAMES = {"train (batch)": "batch", "train (epoch)": "epoch"}  # shorter, in presenter view


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
    """One metric (loss or accuracy) against epochs: batch line, epoch markers, overlays.

    ``earlier_runs_wanted`` fires when an earlier run is ticked while earlier runs are hidden
    (the owner then turns "Show earlier runs" on).
    """

    earlier_runs_wanted = Signal()

    def __init__(self, title: str, y_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget = pg.PlotWidget(background="w")
        self.plot_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no keys to take: out of the Tab order
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
        # The legend is a row of the plot's layout under the x axis, not a box over the curves.
        self.legend = pg.LegendItem(offset=None, labelTextColor="k", labelTextSize="9pt",
                                    colCount=LEGEND_COLUMNS, frame=False, verSpacing=-6)
        item.legend = self.legend  # curves made with a name are listed in it
        item.layout.addItem(self.legend, 4, 1)
        # The one legend entry for every earlier run drawn (a faint grey sample line).
        self._earlier_entry = pg.PlotDataItem(pen=pg.mkPen((120, 120, 120, OVERLAY_ALPHA), width=1))

        # Keras' batch values are running means of the epoch so far, so the thin line
        # restarts at each epoch; the epoch markers are the numbers to compare.
        self.batch_curve = item.plot(name="train (batch)", pen=pg.mkPen(TRAIN_COLOUR, width=2))
        self.epoch_curve = item.plot(
            name="train (epoch)", pen=None,
            symbol="o", symbolSize=10, symbolBrush=TRAIN_COLOUR, symbolPen="w",
        )
        self.val_curve = item.plot(
            name="validation", pen=pg.mkPen(VAL_COLOUR, width=2),
            symbol="s", symbolSize=10, symbolBrush=VAL_COLOUR, symbolPen="w",
        )
        # The epoch markers change once an epoch but lie under the batch line, so every frame
        # repainted them (Python paint code): cached as pixmaps while the view is held still,
        # a frame draws only the batch line (frames ~20% cheaper, issue 28).
        for markers in (self.epoch_curve, self.val_curve):
            markers.scatter.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._buffers = {
            self.batch_curve: GrowingBuffer(1024),
            self.epoch_curve: GrowingBuffer(16),
            self.val_curve: GrowingBuffer(16),
        }
        # The curves with points not drawn yet: only those are given to setData (the epoch
        # markers' scatter items are rebuilt whole on each setData, so re-setting them with the
        # batch line at each frame was most of a flush's cost; issue 28).
        self._dirty: set = set()
        self._overlays: dict[object, list[pg.PlotDataItem]] = {}
        self._ticked: dict[object, bool] = {}  # earlier runs chosen in Compare runs
        self._colours: dict[object, tuple[int, int, int]] = {}
        self._earlier_shown = False
        self._x_max = 1.0
        self._running = False
        self._y_fixed: tuple[float, float] | None = None
        self._y_top = -np.inf

    # -- current run -------------------------------------------------------------------------

    def add_batch(self, x: float, y: float) -> None:
        """Queue one running (per-batch) value; drawn at the next flush."""
        if np.isfinite(y):
            self._buffers[self.batch_curve].append(x, y)
            self._dirty.add(self.batch_curve)

    def add_epoch(self, x: float, train: float | None, val: float | None) -> None:
        """Queue one epoch's train and validation values (None when there is none)."""
        if train is not None and np.isfinite(train):
            self._buffers[self.epoch_curve].append(x, train)
            self._dirty.add(self.epoch_curve)
        if val is not None and np.isfinite(val):
            self._buffers[self.val_curve].append(x, val)
            self._dirty.add(self.val_curve)
        words = [f"train {train:.4g}" if train is not None else "", f"validation {val:.4g}" if val is not None else ""]
        self.setAccessibleDescription(f"{self._title} after epoch {x:g}: " + ", ".join(w for w in words if w))

    def flush(self) -> bool:
        """Push pending points to the curves; returns whether anything was redrawn."""
        if not self._dirty:
            return False
        for curve in self._dirty:
            x, y = self._buffers[curve].view()
            curve.setData(x, y)
        if self._y_fixed is None and len(self._buffers[self.batch_curve]):
            self._grow_y()
        self._dirty.clear()
        return True

    def hold_range(self, x_max: float, y_range: tuple[float, float] | None = None) -> None:
        """Fix the view for a run: x from 0 to ``x_max`` epochs, y fixed or grown only upwards.

        Auto-ranging on every update makes pyqtgraph rebuild both axes at every frame,
        which is most of the cost of drawing; a still frame is also easier to read from
        the back of a classroom (the whole run's width is visible from the start).
        """
        item = self.plot_widget.getPlotItem()
        item.disableAutoRange()
        self._x_max = max(float(x_max), 1e-3)
        self._running = True
        self._y_fixed = y_range
        self._y_top = -np.inf
        self._fit_x()
        if y_range is not None:
            item.setYRange(*y_range, padding=0.02)

    def settle_range(self) -> None:
        """The run is over: keep a fixed y range; fit the loss axis to what is drawn (no auto-range).

        pyqtgraph's auto-range made the accuracy axis jump from 0-100 to e.g. 20-90 when a
        run ended; a fixed frame lets runs be compared by eye.
        """
        self._running = False
        self._fit_x()
        self._fit_y()

    def _drawn_overlays(self) -> list[list[pg.PlotDataItem]]:
        return [curves for key, curves in self._overlays.items() if self.overlay_drawn(key)]

    def _fit_x(self) -> None:
        x_max = self._x_max
        for curves in self._drawn_overlays():
            for curve in curves:
                x, _ = curve.getOriginalDataset()
                if x is not None and len(x):
                    x_max = max(x_max, float(np.nanmax(x)))
        self.plot_widget.getPlotItem().setXRange(0, x_max, padding=0.02)

    def _fit_y(self) -> None:
        """Between runs: the fixed range, or 0 to a little above the highest value drawn."""
        if self._y_fixed is not None:
            self.plot_widget.getPlotItem().setYRange(*self._y_fixed, padding=0.02)
            return
        top = -np.inf
        for buffer in self._buffers.values():
            _, y = buffer.view()
            if len(y):
                top = max(top, float(np.nanmax(y)))
        for curves in self._drawn_overlays():
            for curve in curves:
                _, y = curve.getOriginalDataset()
                if y is not None and len(y):
                    top = max(top, float(np.nanmax(y)))
        if np.isfinite(top) and top > 0:
            self._y_top = top * 1.1
            self.plot_widget.getPlotItem().setYRange(0, self._y_top, padding=0.02)

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
        self._dirty.update(self._buffers)
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
        """Add an earlier run (its batch line and validation markers), ticked: drawn thin and
        faint behind the current one while earlier runs are shown."""
        self.remove_overlay(key)
        colour = OVERLAY_COLOURS[colour_index % len(OVERLAY_COLOURS)]
        faint = (*colour, OVERLAY_ALPHA)
        item = self.plot_widget.getPlotItem()
        line = pg.PlotDataItem(batch[0], batch[1], pen=pg.mkPen(faint, width=1), name=label)
        markers = pg.PlotDataItem(val[0], val[1], pen=pg.mkPen(faint, width=1, style=Qt.PenStyle.DotLine),
                                  symbol="t", symbolSize=7, symbolBrush=faint, symbolPen=None)
        for curve in (line, markers):
            curve.setZValue(-10)  # behind the live run
            item.addItem(curve)  # listed in the legend (the line only): _show_overlay fixes that
            curve.setClipToView(True)  # (once in the view: it asks the view for its range)
            curve.setDownsampling(auto=True, method="peak")
        self.legend.removeItem(line)
        self._overlays[key] = [line, markers]
        self._colours[key] = colour
        self._ticked[key] = True
        self._show_overlay(key)

    def overlay_colour(self, key: object) -> tuple[int, int, int] | None:
        """The colour an earlier run is drawn in (for the Compare runs list)."""
        return self._colours.get(key)

    def set_overlay_visible(self, key: object, visible: bool) -> None:
        """Tick or untick an earlier run; ticking one while earlier runs are hidden asks to show them."""
        if key not in self._overlays:
            return
        self._ticked[key] = visible
        self._show_overlay(key)
        if visible and not self._earlier_shown:
            self.earlier_runs_wanted.emit()

    def show_earlier(self, shown: bool) -> None:
        """Draw the ticked earlier runs (True) or only the current run (False, the default)."""
        self._earlier_shown = shown
        for key in self._overlays:
            self._show_overlay(key)

    def earlier_shown(self) -> bool:
        return self._earlier_shown

    def _show_overlay(self, key: object) -> None:
        drawn = self.overlay_drawn(key)
        line, markers = self._overlays[key]
        line.setVisible(drawn)
        markers.setVisible(drawn)
        # One legend row, however many runs: earlier runs share one entry (each run's colour is
        # in the Compare runs list), so a class's tenth run does not push the plot out of sight.
        any_drawn = any(self.overlay_drawn(k) for k in self._overlays)
        self.legend.removeItem(self._earlier_entry)
        if any_drawn:
            self.legend.addItem(self._earlier_entry, EARLIER_LABEL)
        self._fit_x()
        if not self._running:
            self._fit_y()

    def remove_overlay(self, key: object) -> None:
        for curve in self._overlays.pop(key, []):
            self.plot_widget.getPlotItem().removeItem(curve)
        if not any(self.overlay_drawn(k) for k in self._overlays):
            self.legend.removeItem(self._earlier_entry)
        self._ticked.pop(key, None)
        self._colours.pop(key, None)

    def overlay_visible(self, key: object) -> bool:
        """Whether the earlier run is ticked to be shown (drawn while earlier runs are shown)."""
        return bool(self._ticked.get(key)) and key in self._overlays

    def overlay_drawn(self, key: object) -> bool:
        """Whether the earlier run is on the plot now."""
        return self._earlier_shown and self.overlay_visible(key)

    def legend_labels(self) -> list[str]:
        """The legend's entries, in order (what a reader sees under the plot)."""
        return [label.text for _, label in self.legend.items]

    def set_presenter(self, on: bool, scale: float = 2.0) -> None:
        """Presenter view (:mod:`gui.presenter`): a short title, the legend ``scale`` times larger.

        At twice the size "Loss (lower is better)" and a legend of "train (batch)", "train
        (epoch)", "validation" no longer fit beside the other plot on a 1280-px projector; the
        hint in brackets is what the teacher says aloud, the colours say which line is which.
        """
        item = self.plot_widget.getPlotItem()
        item.setTitle(self._title.split(" (")[0] if on else self._title, **item.titleLabel.opts)
        self.legend.setLabelTextSize(f"{9 * scale:g}pt" if on else "9pt")
        self.legend.setColumnCount(2 if on else LEGEND_COLUMNS)  # two rows: at twice the size one is too wide
        for _sample, label in self.legend.items:
            name = getattr(label, "full_name", label.text)
            label.full_name = name
            label.setText(PRESENTER_NAMES.get(name, name) if on else name)
