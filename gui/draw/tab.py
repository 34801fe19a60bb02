"""The Draw tab: write a character, watch the model read it as you write.

The pad panel on the left; on the right the model picker, the recognition panel (the
28x28 image the model sees, the predicted character, every class probability) and the
collect panel.  While the pen moves, predictions are coalesced by a 50 ms timer (at most
20 a second) and one more runs at every pen-up.

Preprocessing and prediction run on the GUI thread: through the recognizer's
``tf.function`` they take a few milliseconds (``python -m bench.draw`` measures it), far
less than a frame, and a thread hop would only add latency.  Loading a model takes
seconds, so the model picker does it on a worker thread, with a hint in the meantime:
shortly after the tab is first shown, on a model pick, or at the first stroke, whichever
comes first.  This package imports no TensorFlow itself, so the window shows before
TensorFlow loads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from core.errors import DrawingError, InkLabError
from core.models.recognizer import Prediction, Recognizer
from gui.concurrency import throttle
from gui.draw.collect_panel import CollectPanel, Drawing
from gui.draw.inside_view import InsideView
from gui.draw.model_picker import ModelPicker
from gui.draw.multi_mode import MultiMode
from gui.draw.pad_panel import PadPanel
from gui.draw.recognition_panel import RecognitionPanel
from gui.draw.teach_panel import TeachPanel
from gui.errors import report, sentence
from gui.widgets.message_banner import MessageBanner

# The pad's keys, for the whole tab (Ctrl+Y: the Redo many users know from other programs).
PAD_KEYS = (("Esc", "clear"), ("Ctrl+Z", "undo"), ("Ctrl+Shift+Z", "redo"), ("Ctrl+Y", "redo"))
TEXT_FIELDS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)
LIVE_INTERVAL_MS = 50  # at most 20 live predictions a second
PRELOAD_DELAY_MS = 400


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
        self._shown = False
        self._opened: tuple[str, np.ndarray] | None = None  # (file name, 28x28) of an opened image
        self.image: np.ndarray | None = None  # the 28x28 the model sees now
        self.prediction: Prediction | None = None
        self.last_latency_ms: float | None = None
        self._throttle = throttle(self, self.update_prediction, LIVE_INTERVAL_MS)
        self._build()
        self.refresh_models()
        self._show_empty()

    def _build(self) -> None:
        self.banner = MessageBanner()
        self.pad_panel = PadPanel(self)
        self.pad_panel.image_opened.connect(self._on_image_opened)
        self.models = ModelPicker(self)
        self.models.changed.connect(self._on_model_changed)
        self.models.model_loaded.connect(self.model_loaded)
        self.models.load_failed.connect(self.update_prediction)
        self.recognition = RecognitionPanel(self)
        self.collect = CollectPanel(self._drawing, self)
        self.collect.sample_added.connect(self._on_sample_added)
        # "Several characters": the line read as a string, in place of the recognition panel.
        self.multi = MultiMode(self.pad_panel.pad, self.collect, self)
        self.multi.sample_added.connect(self.sample_added)
        self.answers = QStackedWidget()
        self.answers.addWidget(self.recognition)
        self.answers.addWidget(self.multi.panel)
        self.multi.switch.toggled.connect(self._on_multi_toggled)
        self.multi.changed.connect(self.update_prediction)

        # What users (and tests) reach for, by its everyday name.
        self.pad = self.pad_panel.pad
        self.pad.strokes_changed.connect(self._on_strokes_changed)
        self.pad.stroke_finished.connect(self.update_prediction)
        self.model_combo = self.models.combo

        self._add_pad_shortcuts()
        self.teach = TeachPanel(self.current_model, self.models.label_names, self._drawing,
                                self._read_now, self.pad.clear, self)
        self.teach.round_active.connect(self._on_teach_round)
        self.teach.model_taught.connect(self._on_model_taught)
        self.teach.sample_added.connect(self.sample_added)

        right = QVBoxLayout()
        right.addWidget(self.models)
        self.models.row.addWidget(self.teach.start_button)
        right.addWidget(self.teach)
        right.addWidget(self.multi.switches)
        right.addWidget(self.answers, 1)
        right.addWidget(self.collect)
        body = QHBoxLayout()
        body.addWidget(self.pad_panel, 3)
        body.addLayout(right, 2)
        # "Inside the network": hidden until asked for, then in place of the answer panels.
        self.inside = InsideView(self)
        # Its button beside the Several characters switches: a line of its own made the tab
        # 15-20 px too tall for 1280x680 in some states.
        self.inside.install(right, body, [self.answers, self.collect], self.multi.switches.layout())
        self.prediction_updated.connect(self.inside.schedule)
        outer = QVBoxLayout(self)
        outer.addLayout(body, 1)
        # The message line has its own place under the pad: a message covers nothing.
        # (Esc is the pad's Clear here: the tab's shortcut dismisses a message first.)
        outer.addWidget(self.banner)
        # Tab in the order of the column: the switch sits under the model list, above the fields
        # (made after them, it came last).
        QWidget.setTabOrder(self.model_combo, self.teach.start_button)
        QWidget.setTabOrder(self.teach.start_button, self.multi.switch)
        QWidget.setTabOrder(self.multi.switch, self.multi.words_switch)
        QWidget.setTabOrder(self.multi.words_switch, self.collect.collection_combo)

    def _add_pad_shortcuts(self) -> None:
        """Esc, Ctrl+Z and Ctrl+Shift+Z act on the pad whenever this tab is showing.

        Bound to the pad alone they acted only while it had focus: after a pick in the Model
        list or a click on Redo, Esc did nothing and the next character landed on the old
        one.  A window-wide context covers focus anywhere on the tab (and on the tab bar);
        Qt disables it while the tab is hidden behind another.  A text field keeps its own
        undo (Qt gives the key to the field first) and its own Esc (:meth:`_typing`).
        """
        self._pad_shortcuts: list[QShortcut] = []
        for keys, action in PAD_KEYS:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            run = self._escape if action == "clear" else self._unless_typing(getattr(self.pad, action))
            shortcut.activated.connect(run)
            self._pad_shortcuts.append(shortcut)

    def _escape(self) -> None:
        """Esc: dismiss the message showing, if any (this tab's or the window's); else clear the pad."""
        from gui.widgets.message_banner import dismiss_showing

        if not dismiss_showing(self.window()) and not self._typing():
            self.pad.clear()

    def _unless_typing(self, action: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            if not self._typing():
                action()

        return run

    @staticmethod
    def _typing() -> bool:
        """Whether the keyboard focus is in a text field (the Label field, the Collection name)."""
        focus = QApplication.focusWidget()
        return isinstance(focus, TEXT_FIELDS) or (isinstance(focus, QComboBox) and focus.isEditable())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            # Load the picked model soon after the tab first appears (after it has painted),
            # so it is ready by the first stroke instead of competing with it.
            QTimer.singleShot(PRELOAD_DELAY_MS, self.models.ensure_loaded)

    # --- models --------------------------------------------------------------------

    @Slot()
    @Slot(str)
    def refresh_models(self, changed: str = "") -> None:
        """Re-read the bundled and library models; ``changed`` names one that was (re)saved."""
        self.models.refresh(changed)
        self.collect.refresh_collections()

    def current_model(self) -> str | None:
        """The name of the model picked in the list (None when there is none)."""
        return self.models.current()

    def select_model(self, name: str) -> None:
        """Pick a model by name (as the user would in the list)."""
        self.models.select(name)

    def recognizer(self) -> Recognizer | None:
        """The loaded recognizer of the picked model, or None while it is not loaded."""
        return self.models.recognizer()

    @Slot()
    def _on_model_changed(self) -> None:
        self.teach.refresh()
        labels = self.models.label_names()
        if self.recognition.bars.labels() != labels:
            self.recognition.bars.set_labels(labels)
        self.update_prediction()

    # --- "Teach it my writing" (gui.draw.teach_panel) ---------------------------------

    def _read_now(self) -> str | None:
        """What the model reads on the pad now (None for "not a character" or no answer yet)."""
        p = self.prediction
        return None if p is None or p.status == "not-a-character" else p.label

    @Slot(bool)
    def _on_teach_round(self, on: bool) -> None:
        if on:
            self.inside.set_open(False)  # the person sees what the model reads as they write
            if self.multi.active():
                self.multi.switch.setChecked(False)  # the round asks for one character at a time
        self.collect.setVisible(not on and not self.inside.is_open())  # the round's panel takes its place

    @Slot(str)
    def _on_model_taught(self, name: str) -> None:
        self.refresh_models(name)
        self.select_model(name)

    # --- prediction ----------------------------------------------------------------

    @Slot()
    def _on_strokes_changed(self) -> None:
        if self.pad.picture_caption() is None:
            self._opened = None  # drawing (or Clear) replaces an opened image
        if not self._throttle.isActive():
            self._throttle.start()

    @Slot()
    def update_prediction(self) -> None:
        """Render what is drawn (or the opened image), predict it, and show the result now."""
        self._throttle.stop()
        if self.multi.active():
            self._update_multi()
            return
        name = self.current_model()
        recognizer = self.models.recognizer()
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
            self._show_empty(sentence(str(err)))
            return
        except InkLabError as err:
            self._show_empty()
            report(self, err)
            return
        elapsed_ms = (time.perf_counter() - started) * 1000
        if recognizer is None and name is not None:
            self.models.ensure_loaded()  # the first drawing is what loads the model
        self.image = image
        self.recognition.show_image(image)
        self.prediction = prediction
        self.pad_panel.set_answer(prediction.label if prediction is not None else None)
        if prediction is None:
            self.recognition.show_waiting(self._waiting_text(name))
        else:
            self.last_latency_ms = elapsed_ms
            source = self._opened[0] if self._opened is not None and self.pad.is_empty() else ""
            self.recognition.show_prediction(prediction, elapsed_ms, source, recognizer.can_reject)
        self.prediction_updated.emit()

    @Slot(bool)
    def _on_multi_toggled(self, on: bool) -> None:
        self.answers.setCurrentIndex(1 if on else 0)
        self.update_prediction()

    def _update_multi(self) -> None:
        """Several characters: the multi mode reads the pad (the single answer is left alone)."""
        name = self.current_model()
        recognizer = self.models.recognizer()
        self.multi.update(recognizer, self._waiting_text(name), self.pad_panel.opened_path if self._opened else None)
        if recognizer is None and name is not None and not self.pad.is_empty():
            self.models.ensure_loaded()  # the first drawing is what loads the model
        self.pad_panel.set_answer(self.multi.text() or None)
        self.prediction_updated.emit()

    def _waiting_text(self, name: str | None) -> str:
        if name is None:
            return "No model yet: train one in the Training tab"
        if self.models.is_loading():
            return f"Loading the {name} model… (the first time takes a few seconds)"
        return f"The {name} model could not be loaded"

    def _show_empty(self, text: str | None = None) -> None:
        self.image = None
        self.prediction = None
        self.pad_panel.set_answer(None)
        if text is None:
            self.recognition.show_empty()
        else:
            self.recognition.show_empty(text)
        self.prediction_updated.emit()

    # --- files and collections -----------------------------------------------------

    def open_image(self, path: str | Path) -> bool:
        """Recognise a picture of one character; problems show inline. True when it worked."""
        return self.pad_panel.open_image(path)

    @Slot(str, object)
    def _on_image_opened(self, name: str, image: np.ndarray) -> None:
        self._opened = (name, image)
        self.update_prediction()

    def save_drawing(self, path: str | Path) -> bool:
        """Save the pad as a PNG (as seen, dark on white) or as stroke JSON (by the suffix)."""
        return self.pad_panel.save_drawing(path)

    def _drawing(self) -> Drawing:
        if self.multi.active():
            return self.multi.chosen_drawing()
        strokes = [s[:, :3] for s in self.pad.strokes()] if not self.pad.is_empty() else None
        return self.image, strokes

    @Slot()
    def add_to_collection(self) -> bool:
        """Store the current drawing with its label in the named collection (atomically)."""
        return self.collect.add_to_collection()

    @Slot(str)
    def _on_sample_added(self, collection: str) -> None:
        self.pad.clear()
        self.pad.setFocus()
        self.sample_added.emit(collection)
