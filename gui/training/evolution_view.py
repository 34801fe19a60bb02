"""The Training tab's "Filters and weights" page: how the weights change, epoch by epoch.

It shows what :class:`core.training.evolution.WeightCapture` took from the run on the
training thread: the first convolution's filters as a row of small pictures (red positive,
blue negative, one colour scale a snapshot) and one weight histogram per layer.  While the
run trains it follows the newest epoch; afterwards the slider scrubs through every epoch
(0 is the random start).  A model without a convolution says it has no filters.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QSlider, QVBoxLayout, QWidget

from core.inside.pictures import filter_grid
from gui.widgets.image import rgb_qimage
from gui.widgets.weight_histograms import WeightHistograms

QUIET = "color: #57606a;"
FILTER_PX = 26  # on screen, per filter
COLUMNS = 24  # filters a row: 32 filters fit in two rows, 96 in four (the box scrolls)


class EvolutionView(QWidget):
    """The snapshots of one run's :class:`~core.training.evolution.WeightCapture`.

    :meth:`start` with the run's capture, :meth:`refresh` when it took a snapshot (the newest is
    shown), :meth:`finish` when the run ended (the slider then scrubs).  The snapshots stay the
    capture's: this view only reads them.
    """

    shown = Signal(int)  # the epoch on show (tests wait on it)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.capture = None
        self.running = False
        self._stale = False  # a snapshot came while the page was not on show
        self.status = QLabel("Start a run: after every epoch the first layer's filters and each layer's weights appear here")
        self.status.setWordWrap(True)
        self.status.setStyleSheet(QUIET)
        self.filters_title = QLabel("<b>First layer's filters</b> (red +, blue −)")
        self.filters = QLabel()
        self.filters.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        filters_scroll = QScrollArea()
        filters_scroll.setWidget(self.filters)
        filters_scroll.setWidgetResizable(True)
        filters_scroll.setFixedHeight(2 * (FILTER_PX + 3) + 8)
        filters_scroll.setAccessibleName("The first layer's filters")
        self.histograms = WeightHistograms()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setAccessibleName("Epoch shown")
        self.slider.setEnabled(False)
        self.slider.valueChanged.connect(self._show_index)
        self.epoch_label = QLabel("")
        row = QHBoxLayout()
        row.addWidget(QLabel("Epoch"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.epoch_label)
        # Inside a scroll area: the page never makes the results panel (and the tab) taller.
        content = QWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        page = QScrollArea()
        page.setWidgetResizable(True)
        page.setFrameShape(QScrollArea.Shape.NoFrame)
        page.setWidget(content)
        page.setAccessibleName("Filters and weights")
        outer.addWidget(page)
        layout = QVBoxLayout(content)
        layout.addWidget(self.status)
        layout.addWidget(self.filters_title)
        layout.addWidget(filters_scroll)
        layout.addWidget(QLabel("<b>Weights of each layer</b> (how many weights have each value)"))
        layout.addWidget(self.histograms)
        layout.addLayout(row)
        layout.addStretch(1)

    @property
    def snapshots(self) -> list:
        return self.capture.snapshots if self.capture is not None else []

    def start(self, capture) -> None:
        """A new run and its capture: forget the last run's."""
        self.capture = capture
        self.running = True
        self.slider.setEnabled(False)
        self.slider.setRange(0, 0)
        self.filters.clear()
        self.histograms.show_histograms((), {})
        self.epoch_label.setText("")
        self.status.setText("Waiting for the run's first weights…")
        self.refresh()

    @Slot()
    @Slot(object)
    def refresh(self, *_snapshot) -> None:
        """The capture took a snapshot (epoch 0 before training, then one per epoch): show the newest.

        A page not on show only notes it and draws once shown: drawing the filters and
        histograms at every epoch behind another page stalled the window ~30 ms while the
        run trained (issue 28).
        """
        count = len(self.snapshots)
        if not count:
            return
        self.slider.blockSignals(True)
        self.slider.setRange(0, count - 1)
        self.slider.setValue(count - 1)
        self.slider.blockSignals(False)
        self._show_when_visible()

    def _show_when_visible(self) -> None:
        """Draw the slider's epoch now if the page is on show, else once it is."""
        self._stale = not self.isVisible()
        if not self._stale:
            self._show_index(self.slider.value())

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._stale:
            self._show_when_visible()

    @Slot()
    @Slot(object)
    def finish(self, *_result) -> None:
        """The run ended: the slider scrubs through every epoch kept."""
        self.running = False
        self.slider.setEnabled(len(self.snapshots) > 1)
        if self.snapshots:
            self._show_when_visible()

    @Slot(int)
    def _show_index(self, index: int) -> None:
        if not 0 <= index < len(self.snapshots):
            return
        snapshots = self.snapshots
        snap = snapshots[index]
        last = snapshots[-1].epoch
        self.epoch_label.setText(f"{snap.epoch} of {last}" if not self.running else f"{snap.epoch} (training…)")
        if snap.filters is None:
            self.filters.clear()
            self.filters.setText("This model has no convolution, so it has no filters to show.")
        else:
            picture = filter_grid(snap.filters, cell=1, gap=0, columns=len(snap.filters))
            count, kh, kw = snap.filters.shape
            image = rgb_qimage(picture).scaled(count * FILTER_PX, FILTER_PX, Qt.AspectRatioMode.IgnoreAspectRatio,
                                               Qt.TransformationMode.FastTransformation)
            self.filters.setPixmap(_spaced(image, count))
        reach: dict[str, float] = {}
        for s in snapshots:
            for h in s.histograms:
                reach[h.name] = max(reach.get(h.name, 0.0), h.reach)
        self.histograms.show_histograms(snap.histograms, reach)
        when = "before training (random weights)" if snap.epoch == 0 else f"after epoch {snap.epoch}"
        self.status.setText(f"The weights {when}" + ("" if self.running else " · drag the slider to go through the run"))
        self.shown.emit(snap.epoch)


def _spaced(image, count: int) -> QPixmap:
    """The filters (one strip, ``FILTER_PX`` each) laid out in rows of :data:`COLUMNS` with white gaps."""
    from PySide6.QtGui import QColor, QPainter

    gap = 3
    columns = min(count, COLUMNS)
    rows = -(-count // columns)
    out = QPixmap(columns * (FILTER_PX + gap), rows * (FILTER_PX + gap))
    out.fill(QColor("white"))
    painter = QPainter(out)
    for i in range(count):
        row, col = divmod(i, columns)
        painter.drawImage(col * (FILTER_PX + gap), row * (FILTER_PX + gap), image, i * FILTER_PX, 0, FILTER_PX, FILTER_PX)
    painter.end()
    return out
