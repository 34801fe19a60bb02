"""The Inside view's "Map" page: where the drawing sits among what the model learned.

~2,000 test samples placed by PCA of the features the model's last layer reads
(:mod:`core.inside.feature_map`, built once per model on the worker thread, with progress),
one colour per class.  Hover a point for the sample, click it to open it large; the current
drawing is a marker that moves as you draw (its features come with every look inside, so
moving it is one projection), and a line says whose neighbourhood it is in.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from core.inside import feature_map
from gui.concurrency import Worker
from gui.widgets.feature_scatter import FeatureScatter, class_colours
from gui.widgets.image import to_pixmap
from gui.widgets.sample_view import PixelDialog

NEIGHBOURS = 15
PREVIEW = 84
QUIET = "color: #57606a;"


class MapPage(QWidget):
    """The map of one model at a time; :meth:`show_model` picks it, :meth:`place` moves the marker."""

    ready = Signal()  # the map of the current model is drawn (tests wait on it)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recognizer = None
        self.map: feature_map.FeatureMap | None = None
        self.opened: PixelDialog | None = None
        self._pending_features: np.ndarray | None = None
        self._worker = Worker(self, "draw the map of what the model learned")
        self._worker.returned.connect(self._on_built)
        self._worker.errored.connect(self._on_failed)
        self._worker.progress.connect(self._on_progress)
        self.status = QLabel("The map is drawn when you first open this page")
        self.status.setWordWrap(True)
        self.status.setStyleSheet(QUIET)
        self.scatter = FeatureScatter()
        self.scatter.setAccessibleName("Map of the test samples")
        self.scatter.hovered.connect(self._on_hovered)
        self.scatter.clicked.connect(self.open_sample)
        self.where = QLabel(" ")
        self.where.setWordWrap(True)
        self.legend = QLabel(" ")
        self.legend.setWordWrap(True)
        self.preview = QLabel()
        self.preview.setFixedSize(PREVIEW, PREVIEW)
        self.preview.setStyleSheet("background: black;")
        self.preview_caption = QLabel("Hover a point\nto see its sample")
        self.preview_caption.setStyleSheet(QUIET)
        side = QVBoxLayout()
        side.addWidget(self.preview)
        side.addWidget(self.preview_caption)
        side.addStretch(1)
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.addWidget(self.status, 0, 0, 1, 2)
        grid.addWidget(self.scatter, 1, 0)
        grid.addLayout(side, 1, 1)
        grid.addWidget(self.legend, 2, 0, 1, 2)
        grid.addWidget(self.where, 3, 0, 1, 2)
        grid.setRowStretch(1, 1)

    # --- which model ---------------------------------------------------------------

    def show_model(self, recognizer) -> None:
        """Show ``recognizer``'s map, building it (on the worker) the first time it is needed."""
        if recognizer is self.recognizer and (self.map is not None or self._worker.is_running()):
            return
        self.recognizer = recognizer
        self.map = None
        self.scatter.set_points(np.zeros((0, 2)), np.zeros(0), 0)
        if recognizer is None:
            self.status.setText("Pick a model to see its map")
            return
        done = feature_map.cached(recognizer)
        if done is not None:
            self._show(done)
            return
        self.status.setText(f"Placing {feature_map.SAMPLES:,} test samples by what {recognizer.name} sees…")
        self._worker.start_latest(lambda progress, cancel, r=recognizer: feature_map.build(r, progress, cancel))

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.status.setText(f"{message[:1].upper()}{message[1:]}: {done:,} of {total:,}…")

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.status.setText(message)

    @Slot(object)
    def _on_built(self, made: feature_map.FeatureMap) -> None:
        if self.recognizer is None or made.model != self.recognizer.name:
            self.show_model(self.recognizer)  # the model changed while it was drawn
            return
        self._show(made)

    def _show(self, made: feature_map.FeatureMap) -> None:
        self.map = made
        n = len(made.label_names)
        self.scatter.set_points(made.points, made.labels, n)
        colours = class_colours(n)
        self.legend.setText(" ".join(
            f"<span style='color:{c.name()}'>●</span>&nbsp;{label}" for c, label in zip(colours, made.label_names, strict=True)
        ))
        self.status.setText(
            f"{len(made.points):,} test samples of {made.dataset}, placed by what the {made.model} model's last layer reads "
            f"({made.mean.shape[0]} values, PCA: the two axes hold {made.explained[0]:.0%} and "
            f"{made.explained[1]:.0%} of their variance)"
        )
        if self._pending_features is not None:
            self.place(self.recognizer, self._pending_features)
        self.ready.emit()

    # --- the drawing's marker --------------------------------------------------------

    def place(self, recognizer, features: np.ndarray | None) -> None:
        """Move the drawing's marker to where ``features`` (its last layer's input) fall; None hides it."""
        self._pending_features = features
        if features is None or self.map is None or recognizer is not self.recognizer:
            self.scatter.set_marker(None)
            self.where.setText(" ")
            return
        point = self.map.project(features)
        among, count = self.map.neighbourhood(point, NEIGHBOURS)
        label = self.map.label_names[among]
        self.scatter.set_marker(point, "your drawing")
        self.where.setText(f"Your drawing sits among the {label}s: {count} of its "
                           f"{NEIGHBOURS} nearest test samples are {label}.")

    # --- hover and click ---------------------------------------------------------------

    @Slot(int)
    def _on_hovered(self, index: int) -> None:
        if index < 0 or self.map is None:
            return
        self.preview.setPixmap(to_pixmap(self.map.images[index], PREVIEW))
        label = self.map.label_names[int(self.map.labels[index])]
        self.preview_caption.setText(f"{label}\n{self.map.dataset} test\n#{int(self.map.indices[index])}")

    @Slot(int)
    def open_sample(self, index: int) -> None:
        """Open sample ``index`` of the map large, with its pixel values."""
        if self.map is None or not 0 <= index < len(self.map.points):
            return
        label = self.map.label_names[int(self.map.labels[index])]
        title = f"{self.map.dataset} test #{int(self.map.indices[index])}: {label}"
        self.opened = PixelDialog(self.map.images[index], title, self)
        self.opened.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.opened.show()
