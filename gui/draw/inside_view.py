"""The Draw tab's "Inside" view: what every layer makes of the drawing, and why it answered.

Hidden until the "Inside the network" button is pressed; then it takes the place of the
answer and collect panels (the pad stays) and follows the pen: after every answer the tab
shows (never before it), at most every :data:`FOLLOW_MS`, the drawing goes through the
model's LiteRT copy on the worker thread (:mod:`core.inside`) and the view shows:

- the 28x28 input, and with "Why?" the occlusion map over it and faded over the pad
  ("Why not 4?" asks the same of the second guess);
- every conv or pool layer's maps as a grid, strongest first, with its name and shape
  (hover a map: it is enlarged above; click a first-layer map: its filter's weights);
- dense layers as rows of bars, ending at the probabilities;
- the "Map" page: where the drawing sits among test samples (:mod:`gui.draw.map_page`).
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.inside import pictures
from gui.concurrency import Worker
from gui.draw.map_page import MapPage
from gui.draw.why_overlay import WhyOverlay
from gui.widgets.feature_grid import LayerRow
from gui.widgets.image import rgb_qimage
from gui.widgets.probability_bars import ProbabilityBars

SHORTCUT = "Ctrl+Shift+I"  # Ctrl+I is the window's Import
FOLLOW_MS = 80  # at most ~12 looks inside a second while the pen moves
PICTURE = 112  # px: the input, the Why? map and the enlarged map (4 px a pixel)
QUIET = "color: #57606a;"
HOVER_HINT = "Hover a map to enlarge it here; click a Conv 1 map for its filter"


def _pixmap(rgb: np.ndarray, side: int):
    from PySide6.QtGui import QPixmap

    image = rgb_qimage(rgb).scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
    return QPixmap.fromImage(image)


def _look(recognizer, image: np.ndarray):
    """The worker's task: every layer's output and the occlusion scores (core, no Qt)."""
    from core.inside.probe import probe_for
    from core.inside.saliency import occlusion

    def task(progress, cancel):
        started = time.perf_counter()
        probe = probe_for(recognizer)
        inside = probe.look(image)
        saliency = occlusion(probe, image)
        elapsed = (time.perf_counter() - started) * 1000
        # The grids' pictures are drawn here too, off the GUI thread (one strip per layer).
        strips = [pictures.map_grid(a, cell=1, gap=0, columns=a.values.shape[-1]) if a.layer.has_maps else None
                  for a in inside.activations]
        return recognizer, probe, inside, saliency, elapsed, strips

    return task


class InsideView(QWidget):
    """The Inside view of one Draw tab; :meth:`install` puts it and its button in the tab."""

    looked = Signal()  # after every update of what it shows (tests wait on it)

    def __init__(self, tab) -> None:
        super().__init__(tab)
        self._tab = tab
        self.toggle = QPushButton("Inside the network")
        self.toggle.setCheckable(True)
        self.toggle.setToolTip("See what every layer makes of your drawing, and why the model answered (Ctrl+Shift+I)")
        self.toggle.setShortcut(SHORTCUT)
        self.toggle.toggled.connect(self.set_open)
        self._hidden_with: list[QWidget] = []
        self._body = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FOLLOW_MS)
        self._timer.timeout.connect(self._look_now)
        self._worker = Worker(self, "look inside the model")
        self._worker.returned.connect(self._on_looked)
        self._worker.errored.connect(self._on_failed)
        self.result = None  # (recognizer, probe, inside, saliency, ms, strips) last shown
        self.rows: list[LayerRow] = []
        self.gui_ms = 0.0
        self._rows_for = None
        self._filter_channel = -1
        self.overlay = WhyOverlay(tab.pad)
        self._build()
        self.hide()

    # --- building --------------------------------------------------------------------

    def _build(self) -> None:
        self.status = QLabel("Draw a character to see inside the network")
        self.status.setStyleSheet(QUIET)
        self.status.setWordWrap(True)
        self.input_picture = self._picture("The 28×28 input the model reads")
        self.why_picture = self._picture("Why? Red ink argued for the answer, blue against it")
        self.detail_picture = self._picture("Hover a feature map to enlarge it")
        self.why_box = QCheckBox("Why?")
        self.why_box.setToolTip("Which ink made the model answer: hidden piece by piece (occlusion)")
        self.why_box.toggled.connect(self._show_why)
        self.why_not = QPushButton("Why not …?")
        self.why_not.setCheckable(True)
        self.why_not.setToolTip("The same question for the model's second guess")
        self.why_not.toggled.connect(self._show_why)
        self.why_caption = QLabel(" ")
        self.why_caption.setWordWrap(True)
        self.detail_caption = QLabel(HOVER_HINT)
        self.detail_caption.setWordWrap(True)
        self.detail_caption.setStyleSheet(QUIET)

        top = QGridLayout()
        top.addWidget(self.input_picture, 0, 0)
        top.addWidget(self.why_picture, 0, 1)
        top.addWidget(self.detail_picture, 0, 2)
        top.addWidget(QLabel("Input 28×28"), 1, 0)
        why_controls = QHBoxLayout()
        why_controls.addWidget(self.why_box)
        why_controls.addWidget(self.why_not)
        top.addLayout(why_controls, 1, 1)
        top.addWidget(self.detail_caption, 1, 2, 2, 1, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.why_caption, 2, 0, 1, 2)

        self.layers_box = QVBoxLayout()
        self.layers_box.setContentsMargins(0, 0, 6, 0)
        self.no_filters = QLabel("")
        self.no_filters.setWordWrap(True)
        self.no_filters.setStyleSheet(QUIET)
        self.layers_box.addWidget(self.no_filters)
        self.rows_box = QVBoxLayout()
        self.layers_box.addLayout(self.rows_box)
        self.probabilities_title = QLabel("<b>Probabilities</b>")
        self.probabilities_title.setStyleSheet(QUIET)
        self.probabilities = ProbabilityBars()
        self.probabilities.setMinimumHeight(110)
        self.layers_box.addWidget(self.probabilities_title)
        self.layers_box.addWidget(self.probabilities)
        self.layers_box.addStretch(1)
        content = QWidget()
        content.setLayout(self.layers_box)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(content)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setAccessibleName("The network's layers")

        self.pages = QTabWidget()
        self.pages.setAccessibleName("Inside the network")
        self.pages.addTab(self.scroll, "Layers")
        self.map = MapPage()
        self.pages.addTab(self.map, "Map of what it learned")
        self.pages.currentChanged.connect(lambda _: self._show_map())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)

    def _picture(self, tip: str) -> QLabel:
        label = QLabel()
        label.setFixedSize(PICTURE, PICTURE)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setStyleSheet("background: #f6f8fa; border: 1px solid #d0d7de;")
        label.setToolTip(tip)
        return label

    def install(self, column: QVBoxLayout, body: QHBoxLayout, hidden_with: list[QWidget],
                button_row: QHBoxLayout | None = None) -> None:
        """Put the view in the tab's right ``column`` and the button in ``button_row`` (else
        above the view); the view replaces ``hidden_with``."""
        self._hidden_with = hidden_with
        self._body = body
        (button_row if button_row is not None else column).addWidget(self.toggle)
        column.addWidget(self, 1)

    # --- opening and following -------------------------------------------------------

    def is_open(self) -> bool:
        return self.toggle.isChecked()

    @Slot(bool)
    def set_open(self, on: bool) -> None:
        """Show the view in place of the answer panels (or put them back)."""
        if self.toggle.isChecked() != on:
            self.toggle.setChecked(on)  # comes back here through toggled
            return
        for widget in self._hidden_with:
            widget.setVisible(not on)
        self.setVisible(on)
        if self._body is not None:  # the view wants room: pad and view share the width
            self._body.setStretch(0, 1 if on else 3)
            self._body.setStretch(1, 1 if on else 2)
        self.toggle.setText("Close the inside view" if on else "Inside the network")
        self.toggle.setShortcut(SHORTCUT)  # setText clears a button's shortcut
        if on:
            self.schedule()
        else:
            self._timer.stop()
            self.overlay.clear()

    @Slot()
    def schedule(self) -> None:
        """A new answer was shown: look inside soon (coalesced while the pen moves)."""
        if self.is_open() and not self._timer.isActive():
            self._timer.start()

    def _look_now(self) -> None:
        tab = self._tab
        recognizer = tab.recognizer()
        if tab.multi.active():
            self._show_nothing("The inside view reads one character: switch off Several characters")
            return
        if tab.prediction is None or tab.image is None or recognizer is None:
            self._show_nothing("Draw a character to see inside the network")
            return
        self._worker.start_latest(_look(recognizer, np.array(tab.image, np.float32)))

    def _show_nothing(self, text: str) -> None:
        self.result = None
        self.status.setText(text)
        for label in (self.input_picture, self.why_picture, self.detail_picture):
            label.clear()
        self.why_caption.setText(" ")
        self.overlay.clear()
        for row in self.rows:
            row.hide()
        self.probabilities.set_probabilities(None)
        self.map.place(None, None)
        self.looked.emit()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._show_nothing(message)

    @Slot(object)
    def _on_looked(self, result) -> None:
        if not self.is_open():
            return
        started = time.perf_counter()
        recognizer, probe, inside, saliency, elapsed, strips = result
        if self._tab.recognizer() is not recognizer:
            self.schedule()  # the model changed while it ran: look again with the new one
            return
        self.result = result
        self._rebuild_rows(probe, recognizer)
        for row, activation, strip in zip(self.rows, inside.activations, strips, strict=True):
            row.show(activation, strip)
        self.input_picture.setPixmap(_pixmap(pictures.input_picture(inside.image, 1), PICTURE))
        self.probabilities.set_probabilities(inside.probabilities)
        self._show_why()
        self._show_map()
        answer, _ = self.why_classes()
        p = float(inside.probabilities[answer])
        self.status.setText(f"Inside {recognizer.name}: it reads {recognizer.label_names[answer]} ({p:.0%}) · "
                            f"{len(inside.activations)} layers looked at in {elapsed:.1f} ms")
        self.gui_ms = (time.perf_counter() - started) * 1000  # what showing it cost the GUI thread
        self.looked.emit()

    def _rebuild_rows(self, probe, recognizer) -> None:
        if self._rows_for is probe:
            return
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        first = probe.first_conv()
        self.rows = [LayerRow(layer, layer is first) for layer in probe.layers]
        for row in self.rows:
            self.rows_box.addWidget(row)
            if row.grid is not None:
                row.grid.hovered.connect(lambda channel, row=row: self._enlarge(row, channel))
                if row.layer is first:
                    row.grid.clicked.connect(self.show_filter)
        self.no_filters.setText(
            "" if first is not None else
            "This model has no convolution, so no feature maps and no filters to show: each layer is a row of numbers."
        )
        self.no_filters.setVisible(first is None)
        names = list(recognizer.card.label_names)
        self.probabilities.set_labels(["none" if n == "not-a-character" else n for n in names])
        self._rows_for = probe
        self._filter_channel = -1

    def _show_map(self) -> None:
        """On the Map page: the picked model's map (built on first need) and the drawing's marker."""
        if self.pages.currentWidget() is not self.map:
            return
        recognizer = self._tab.recognizer()
        self.map.show_model(recognizer)
        result = self.result
        self.map.place(recognizer, result[2].features if result is not None and result[0] is recognizer else None)

    # --- hover, click, why -----------------------------------------------------------

    def _enlarge(self, row: LayerRow, channel: int) -> None:
        if channel < 0 or self.result is None:
            return
        activation = self.result[2].activations[self.rows.index(row)]
        maps = activation.values
        peak = float(maps.max()) or 1.0
        self.detail_picture.setPixmap(_pixmap(pictures.ramp(np.maximum(maps[:, :, channel], 0) / peak), PICTURE))
        rank = int(np.nonzero(row.grid.order == channel)[0][0]) + 1
        self.detail_caption.setText(f"{row.layer.name}, map {channel} ({_ordinal(rank)} strongest), "
                                    f"largest value {float(maps[:, :, channel].max()):.2f}")

    @Slot(int)
    def show_filter(self, channel: int) -> None:
        """Show the first layer's filter ``channel``: its weights, blue negative, red positive."""
        if self.result is None:
            return
        kernels = self.result[1].filters()
        if kernels is None or not 0 <= channel < len(kernels):
            return
        self._filter_channel = channel
        weights = kernels[channel]
        self.detail_picture.setPixmap(_pixmap(pictures.filter_grid(weights[None], cell=1, gap=0), PICTURE))
        kh, kw = weights.shape
        rows = "<br>".join(" ".join(f"{v:+.2f}" for v in line) for line in weights)
        self.detail_caption.setText(f"Filter {channel} of the first layer ({kh}×{kw} weights, "
                                    f"red +, blue −):<br><tt>{rows}</tt>")
        for row in self.rows:
            if row.grid is not None and row.layer is self.result[1].first_conv():
                row.grid.select(channel)

    def filter_shown(self) -> int:
        """The first-layer filter shown in the detail box, or -1."""
        return self._filter_channel

    def why_classes(self) -> tuple[int, int | None]:
        """(answer, second guess) of the last result, as output indices (a reject class is no answer)."""
        if self.result is None:
            return 0, None
        recognizer, inside = self.result[0], self.result[2]
        order = np.argsort(inside.probabilities[: len(recognizer.label_names)])[::-1]
        return int(order[0]), (int(order[1]) if len(order) > 1 else None)

    @Slot()
    def _show_why(self) -> None:
        if self.result is None:
            return
        recognizer, _probe, inside, saliency = self.result[:4]
        answer, second = self.why_classes()
        labels = recognizer.label_names
        self.why_not.setText(f"Why not {labels[second]}?" if second is not None else "Why not …?")
        self.why_not.setEnabled(self.why_box.isChecked() and second is not None)
        if not self.why_box.isChecked():
            self.why_picture.clear()
            self.why_caption.setText("Tick Why? to see which ink made the answer")
            self.overlay.clear()
            return
        target = second if self.why_not.isChecked() and second is not None else answer
        heat = saliency.for_class(target)
        self.why_picture.setPixmap(_pixmap(pictures.saliency_picture(inside.image, heat, 1), PICTURE))
        label = labels[target]
        self.why_caption.setText(
            f"Why {'not ' if target != answer else ''}{label}? Red ink argued for {label}, blue against it."
        )
        self.why_target = target
        tab = self._tab
        strokes = [] if tab.pad.is_empty() else tab.pad.strokes()
        if strokes:
            self.overlay.show_map(strokes, inside.image, heat)
        else:
            self.overlay.clear()


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
