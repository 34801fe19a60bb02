"""The Draw tab: write a character, watch the model read it as you write.

The pad on the left; on the right the model picker, the 28x28 image the model sees, the
predicted character, and every class probability.  While the pen moves, predictions are
coalesced by a 50 ms timer (at most 20 a second) and one more runs at every pen-up.

Preprocessing and prediction run on the GUI thread: through the recognizer's
``tf.function`` they take a few milliseconds (``python -m bench.draw`` measures it), far
less than a frame, and a thread hop would only add latency.  Loading a model (TensorFlow's
import, reading the file, tracing) takes seconds, so it happens on a worker thread, with a
hint in the meantime: shortly after the tab is first shown, on a model pick, or at the
first stroke, whichever comes first.  This module imports no TensorFlow itself, so the
window shows before TensorFlow loads.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSignalBlocker, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from core.errors import DrawingError, InkLabError
from core.models.recognizer import Prediction, Recognizer, RecognizerCache, card_data, card_label_names
from gui.concurrency import Worker
from gui.errors import user_message
from gui.widgets.drawing_pad import DrawingPad
from gui.widgets.image import to_pixmap
from gui.widgets.message_banner import MessageBanner
from gui.widgets.probability_bars import ProbabilityBars

log = logging.getLogger("inklab.gui.draw")

LIVE_INTERVAL_MS = 50  # at most 20 live predictions a second
PRELOAD_DELAY_MS = 400
PREVIEW_SIZE = 168  # 6 screen pixels per model pixel
EMPTY_HINT = "Draw a character"
UNSURE_COLOUR = "#b26a00"
SURE_COLOUR = "#1b1f24"


class DrawTab(QWidget):
    """Draw, recognise, save, and collect labelled drawings into the user's own data sets.

    ``sample_added(collection)`` fires after a drawing was stored, so the Datasets tab can
    refresh; :meth:`refresh_models` re-reads the library (connect the Training tab's
    ``model_saved`` to it).
    """

    sample_added = Signal(str)
    prediction_updated = Signal()  # after every refresh of the result panel (tests listen)
    model_loaded = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cache = RecognizerCache()
        self._loading: str | None = None
        self._cards: dict[str, dict] = {}
        self._shown = False
        self._failed: set[str] = set()  # models that would not load: not retried until a refresh
        self._opened: tuple[str, np.ndarray] | None = None  # (file name, 28x28) of an opened image
        self.image: np.ndarray | None = None  # the 28x28 the model sees now
        self.prediction: Prediction | None = None
        self.last_latency_ms: float | None = None
        self._loader = Worker(self, name="load model", native=True)
        self._loader.returned.connect(self._on_model_loaded)
        self._loader.errored.connect(self._on_model_failed)
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.setInterval(LIVE_INTERVAL_MS)
        self._throttle.timeout.connect(self.update_prediction)
        self._build()
        self.refresh_models()
        self._show_empty()
        self._update_buttons()

    # --- layout --------------------------------------------------------------------

    def _build(self) -> None:
        self.banner = MessageBanner(self)

        self.pad = DrawingPad(self)
        self.pad.strokes_changed.connect(self._on_strokes_changed)
        self.pad.stroke_finished.connect(self.update_prediction)
        self.pad.stroke_finished.connect(self._update_buttons)

        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Undo the last stroke (Ctrl+Z)")
        self.undo_button.clicked.connect(self.pad.undo)
        self.redo_button = QPushButton("Redo")
        self.redo_button.setToolTip("Redo (Ctrl+Shift+Z)")
        self.redo_button.clicked.connect(self.pad.redo)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Clear the pad (Esc)")
        self.clear_button.clicked.connect(self.pad.clear)
        self.pen_slider = QSlider(Qt.Orientation.Horizontal)
        self.pen_slider.setRange(4, 40)
        self.pen_slider.setValue(int(self.pad.pen_width))
        self.pen_slider.setFixedWidth(110)
        self.pen_slider.setToolTip("Pen width on screen (the model input is normalised either way)")
        self.pen_slider.valueChanged.connect(self.pad.set_pen_width)
        self.open_button = QPushButton("Open image…")
        self.open_button.setToolTip("Recognise a photo or scan of one handwritten character")
        self.open_button.clicked.connect(self._choose_image)
        self.save_button = QPushButton("Save drawing…")
        self.save_button.setToolTip("Save the drawing as a PNG picture or as stroke JSON")
        self.save_button.clicked.connect(self._choose_save_path)

        tools = QHBoxLayout()
        for button in (self.undo_button, self.redo_button, self.clear_button):
            tools.addWidget(button)
        tools.addSpacing(12)
        tools.addWidget(QLabel("Pen"))
        tools.addWidget(self.pen_slider)
        tools.addStretch(1)
        tools.addWidget(self.open_button)
        tools.addWidget(self.save_button)

        left = QVBoxLayout()
        left.addWidget(self.pad, 1)
        left.addLayout(tools)

        self.model_combo = QComboBox()
        self.model_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.model_combo.setMinimumContentsLength(18)
        self.model_combo.currentIndexChanged.connect(self._on_model_picked)
        model_row = QHBoxLayout()
        model_row.addWidget(QLabel("Model"))
        model_row.addWidget(self.model_combo, 1)

        self.preview = QLabel()
        self.preview.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.preview.setStyleSheet("background: black; border: 1px solid #8c959f;")
        self.preview.setToolTip("The 28x28 image the model sees: white ink on black, centred like MNIST")
        preview_caption = QLabel("What the model sees (28×28)")
        preview_caption.setStyleSheet("color: #57606a;")
        preview_box = QVBoxLayout()
        preview_box.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        preview_box.addWidget(preview_caption, 0, Qt.AlignmentFlag.AlignHCenter)

        self.answer = QLabel("")
        self.answer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        big = QFont(self.answer.font())
        big.setPointSize(72)
        big.setBold(True)
        self.answer.setFont(big)
        self.answer.setMinimumSize(QSize(150, 120))
        self.message = QLabel("")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        medium = QFont(self.message.font())
        medium.setPointSizeF(medium.pointSizeF() * 1.25)
        self.message.setFont(medium)
        self.timing = QLabel("")
        self.timing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.timing.setStyleSheet("color: #8c959f;")
        answer_box = QVBoxLayout()
        answer_box.addStretch(1)
        answer_box.addWidget(self.answer)
        answer_box.addWidget(self.message)
        answer_box.addWidget(self.timing)
        answer_box.addStretch(1)

        result_row = QHBoxLayout()
        result_row.addLayout(preview_box)
        result_row.addLayout(answer_box, 1)

        self.bars = ProbabilityBars(self)
        self.bars.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self.collection_combo = QComboBox()
        self.collection_combo.setEditable(True)
        self.collection_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.collection_combo.lineEdit().setPlaceholderText("e.g. class-3b-letters")
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText("what this drawing is, e.g. 7 or A")
        self.label_edit.setMaxLength(32)
        self.label_edit.returnPressed.connect(self.add_to_collection)
        self.add_button = QPushButton("Add to my data set")
        self.add_button.clicked.connect(self.add_to_collection)
        self.add_status = QLabel("")
        self.add_status.setWordWrap(True)
        self.add_status.setStyleSheet("color: #57606a;")
        collect = QGroupBox("Collect drawings for your own data set")
        form = QFormLayout(collect)
        form.addRow("Collection", self.collection_combo)
        form.addRow("Label", self.label_edit)
        form.addRow(self.add_button)
        form.addRow(self.add_status)

        right = QVBoxLayout()
        right.addLayout(model_row)
        right.addLayout(result_row)
        right.addWidget(self.bars, 1)
        right.addWidget(collect)

        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)

        outer = QVBoxLayout(self)
        outer.addWidget(self.banner)
        outer.addLayout(body, 1)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            # Load the picked model soon after the tab first appears (after it has painted),
            # so it is ready by the first stroke instead of competing with it.
            QTimer.singleShot(PRELOAD_DELAY_MS, self._preload)

    def _preload(self) -> None:
        name = self.current_model()
        if name is not None and self._cache.cached(name) is None:
            self._ensure_loading(name)

    # --- models --------------------------------------------------------------------

    @Slot()
    @Slot(str)
    def refresh_models(self, changed: str = "") -> None:
        """Re-read the bundled and library models; ``changed`` names one that was (re)saved."""
        from core.models import library

        self._failed.clear()
        if changed:
            self._cache.invalidate(changed)
        try:
            cards = library.list_models()
        except InkLabError as err:
            self.banner.show_error(str(err))
            cards = []
        current = self.current_model()
        self._cards = {}
        with QSignalBlocker(self.model_combo):
            self.model_combo.clear()
            cards = [card_data(c) for c in cards]
            # Bundled models first: they are what a new user is looking for.
            cards.sort(key=lambda c: (not c.get("bundled", False), str(c.get("name", "")).lower()))
            for card in cards:
                name = str(card.get("name", ""))
                if not name:
                    continue
                self._cards[name] = card
                try:
                    n = len(card_label_names(card))
                except InkLabError:
                    n = 0
                text = f"{name} (bundled)" if card.get("bundled") else name
                if n:
                    text += f" · {n} classes"
                self.model_combo.addItem(text, name)
            index = self.model_combo.findData(current) if current else -1
            if index < 0:
                index = self.model_combo.findData("digits")
            self.model_combo.setCurrentIndex(max(index, 0) if self.model_combo.count() else -1)
        self.refresh_collections()
        if self.current_model() != current or changed == current:
            # Not a user's pick: load only once there is something to recognise.
            self._model_changed(load=False)

    def current_model(self) -> str | None:
        """The name of the model picked in the list (None when there is none)."""
        data = self.model_combo.currentData()
        return str(data) if data else None

    def select_model(self, name: str) -> None:
        """Pick a model by name (as the user would in the list)."""
        index = self.model_combo.findData(name)
        if index < 0:
            raise InkLabError(f"no model called '{name}' in the list")
        self.model_combo.setCurrentIndex(index)

    def recognizer(self) -> Recognizer | None:
        """The loaded recognizer of the picked model, or None while it is not loaded."""
        name = self.current_model()
        return self._cache.cached(name) if name else None

    @Slot()
    def _on_model_picked(self) -> None:
        self._model_changed(load=True)

    def _model_changed(self, load: bool) -> None:
        name = self.current_model()
        self.bars.set_labels(self._label_names(name) if name else [])
        if name is not None and load and self._cache.cached(name) is None:
            self._ensure_loading(name)
        self.update_prediction()

    def _label_names(self, name: str) -> list[str]:
        recognizer = self._cache.cached(name)
        if recognizer is not None:
            return recognizer.label_names
        try:
            return card_label_names(self._cards.get(name, {}))
        except InkLabError:
            return []

    def _ensure_loading(self, name: str) -> None:
        if self._loader.is_running() or name in self._failed:
            return  # the finished handler starts the model picked by then
        self._loading = name
        cache = self._cache
        self._loader.start(lambda progress, cancel: cache.get(name))

    @Slot(object)
    def _on_model_loaded(self, recognizer: Recognizer) -> None:
        self._loading = None
        if recognizer.fallback_reason:  # slower, TensorFlow-backed recognition: say so, once per load
            self.banner.show_info(recognizer.fallback_reason)
        self.model_loaded.emit(recognizer.name)
        name = self.current_model()
        if name is not None and self._cache.cached(name) is None:
            self._ensure_loading(name)
            return
        if name is not None and self.bars.labels() != self._label_names(name):
            self.bars.set_labels(self._label_names(name))
        self.update_prediction()

    @Slot(str)
    def _on_model_failed(self, text: str) -> None:
        if self._loading:
            self._failed.add(self._loading)
        self._loading = None
        self.banner.show_error(text)
        self.update_prediction()

    # --- prediction ----------------------------------------------------------------

    @Slot()
    def _on_strokes_changed(self) -> None:
        if not self.pad.is_empty():
            self._opened = None  # drawing again replaces an opened image
        if not self._throttle.isActive():
            self._throttle.start()
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.undo_button.setEnabled(self.pad.can_undo())
        self.redo_button.setEnabled(self.pad.can_redo())
        self.clear_button.setEnabled(not self.pad.is_empty())

    @Slot()
    def update_prediction(self) -> None:
        """Render what is drawn (or the opened image), predict it, and show the result now."""
        self._throttle.stop()
        name = self.current_model()
        recognizer = self._cache.cached(name) if name else None
        started = time.perf_counter()
        try:
            if not self.pad.is_empty():
                from core.imaging import check_drawing_size

                strokes = self.pad.strokes()
                check_drawing_size(strokes, min(self.pad.width(), self.pad.height()))
                if recognizer is not None:
                    prediction = recognizer.recognize_strokes(strokes)  # the benchmarked path
                    image = prediction.image
                else:
                    from core.imaging import render_strokes

                    image, prediction = render_strokes([s[:, :3] for s in strokes]), None
            elif self._opened is not None:
                image = self._opened[1]
                prediction = recognizer.predict(image) if recognizer is not None else None
            else:
                self._show_empty()
                return
        except DrawingError as err:
            text = str(err)
            self._show_empty(text[:1].upper() + text[1:])  # core's messages are mid-sentence style
            return
        except InkLabError as err:
            self._show_empty()
            self.banner.show_error(user_message(err))
            return
        elapsed_ms = (time.perf_counter() - started) * 1000
        if recognizer is None and name is not None and not self._loader.is_running():
            self._ensure_loading(name)  # the first drawing is what loads the model
        self.image = image
        self.preview.setPixmap(to_pixmap(image, PREVIEW_SIZE))
        if prediction is None:
            self._show_waiting(name)
        else:
            self.last_latency_ms = elapsed_ms
            self._show_prediction(prediction, elapsed_ms)
        self.prediction_updated.emit()

    def _show_prediction(self, prediction: Prediction, elapsed_ms: float) -> None:
        self.prediction = prediction
        self.answer.setText(prediction.label)
        colour = UNSURE_COLOUR if prediction.unsure else SURE_COLOUR
        # Custom classes may be words ("circle"): shrink those so they fit beside the preview.
        size = 72 if len(prediction.label) <= 2 else max(18, 150 // len(prediction.label))
        self.answer.setStyleSheet(f"color: {colour}; font-size: {size}pt;")
        if prediction.unsure:
            self.message.setText(prediction.message)
        else:
            self.message.setText(f"{prediction.confidence:.0%} sure")
        self.message.setStyleSheet(f"color: {colour};")
        source = f"{self._opened[0]} · " if self._opened is not None and self.pad.is_empty() else ""
        self.timing.setText(f"{source}{elapsed_ms:.1f} ms")
        self.bars.set_probabilities(prediction.probabilities)

    def _show_waiting(self, name: str | None) -> None:
        self.prediction = None
        self.answer.setText("")
        self.bars.set_probabilities(None)
        self.timing.setText("")
        self.message.setStyleSheet("color: #57606a;")
        if name is None:
            self.message.setText("No model yet: train one in the Training tab")
        elif self._loader.is_running():
            self.message.setText(f"Loading the {name} model… (the first time takes a few seconds)")
        else:
            self.message.setText(f"The {name} model could not be loaded")

    def _show_empty(self, text: str = EMPTY_HINT) -> None:
        self.image = None
        self.prediction = None
        self.preview.setPixmap(to_pixmap(np.zeros((28, 28), np.float32), PREVIEW_SIZE))
        self.answer.setText("")
        self.message.setText(text)
        self.message.setStyleSheet("color: #57606a;")
        self.timing.setText("")
        self.bars.set_probabilities(None)
        self.prediction_updated.emit()

    # --- files ---------------------------------------------------------------------

    def _choose_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open an image of one character", "",
            "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff);;All files (*)",
        )
        if path:
            self.open_image(path)

    def open_image(self, path: str | Path) -> bool:
        """Recognise a picture of one character; problems show inline. True when it worked."""
        from core.imaging import image_to_input

        try:
            image = image_to_input(Path(path))
        except InkLabError as err:
            self.banner.show_error(user_message(err))
            return False
        except (OSError, ValueError) as err:
            self.banner.show_error(f"{path}: not a readable image ({err})")
            return False
        self.banner.clear()
        self.pad.clear()
        self._opened = (Path(path).name, image)
        self.update_prediction()
        return True

    def _choose_save_path(self) -> None:
        if self.pad.is_empty():
            self.banner.show_info("Nothing to save yet: draw a character first.")
            return
        path, chosen = QFileDialog.getSaveFileName(
            self, "Save the drawing", "drawing.png", "PNG image (*.png);;Stroke JSON (*.json)"
        )
        if not path:
            return
        if not Path(path).suffix:
            path += ".json" if "json" in chosen.lower() else ".png"
            # The dialog asked about overwriting the name without the suffix, not this file.
            if Path(path).exists() and QMessageBox.question(
                self, "Replace the file?", f"{Path(path).name} already exists. Replace it?"
            ) != QMessageBox.StandardButton.Yes:
                return
        self.save_drawing(path)

    def save_drawing(self, path: str | Path) -> bool:
        """Save the pad as a PNG (as seen, dark on white) or as stroke JSON (by the suffix)."""
        from core import storage

        path = Path(path)
        if self.pad.is_empty():
            self.banner.show_info("Nothing to save yet: draw a character first.")
            return False
        try:
            if path.suffix.lower() == ".json":
                from core.imaging import strokes_to_json

                storage.write_json(path, strokes_to_json([s[:, :3] for s in self.pad.strokes()]))
            else:
                with storage.atomic_path(path, suffix=".png") as tmp:
                    if not self.pad.render_image().save(str(tmp), "PNG"):
                        raise OSError("the PNG could not be written")
        except (OSError, InkLabError) as err:
            self.banner.show_error(f"Could not save {path}: {err}")
            return False
        self.banner.show_info(f"Saved {path}")
        return True

    # --- collections ---------------------------------------------------------------

    def refresh_collections(self) -> None:
        """Offer the existing collections by name (a new name creates one)."""
        from core.datasets import collections

        try:
            names = [self._collection_name(c) for c in collections.list_collections()]
        except InkLabError as err:
            log.warning("could not list collections: %s", err)
            names = []
        text = self.collection_combo.currentText()
        with QSignalBlocker(self.collection_combo):
            self.collection_combo.clear()
            self.collection_combo.addItems(sorted(n for n in names if n))
            self.collection_combo.setEditText(text)

    @staticmethod
    def _collection_name(item: object) -> str:
        if isinstance(item, str):
            return item
        if isinstance(item, dict):
            return str(item.get("name", ""))
        return str(getattr(item, "name", ""))

    @Slot()
    def add_to_collection(self) -> bool:
        """Store the current drawing with its label in the named collection (atomically)."""
        from core.datasets import collections

        collection = self.collection_combo.currentText().strip()
        label = self.label_edit.text().strip()
        if self.image is None:
            self.add_status.setText("Draw a character first.")
            return False
        if not collection:
            self.add_status.setText("Name the collection first (a new name starts a new one).")
            return False
        if not label:
            self.add_status.setText("Type what the drawing is in Label first.")
            self.label_edit.setFocus()
            return False
        strokes = [s[:, :3] for s in self.pad.strokes()] if not self.pad.is_empty() else None
        try:
            collections.add_sample(collection, label, self.image, strokes=strokes)
        except InkLabError as err:
            self.add_status.setText(user_message(err))
            return False
        self.add_status.setText(f"Added “{label}” to {collection}.")
        self.refresh_collections()
        self.collection_combo.setEditText(collection)
        self.pad.clear()
        self.pad.setFocus()
        self.sample_added.emit(collection)
        return True
