"""The Draw tab's "Teach it my writing": a guided round of drawings, then the person's own model.

A button under the model list starts a round for the chosen model (bundled or the user's):
the panel asks for one class at a time ("Write: a  (lower case) · 3 of 52"), the pad and the
recognition panel stay as they are, so the person sees what the model reads before they press
Next (Enter), which keeps the drawing in the round's collection (``letters-mine``) and asks for
the next.  Skip leaves a class out.  The line under the prompt says how the model has read the
round so far and where it went wrong.  "Adapt now" (or the round's end) adapts the model in the
background (:func:`core.training.teaching.teach`: progress, Cancel; the pad stays usable) and,
when the adapted model reads the person's held-back drawings at least as well, saves it as
"letters (mine)" and makes it the tab's model; otherwise the message line says it was not
offered.  "Teach more" (the button's name once the person has a collection) adds to the same
drawings and adapts again from the original model.

The round's state (what is asked, what was read) is core's
:class:`~core.training.teaching.TeachRound`; this panel only shows it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.errors import InkLabError
from core.labels import LETTERS, LOWERCASE
from core.training.teaching import MIN_DRAWINGS, TeachResult, TeachRound, collection_for, default_repeats
from gui.concurrency import Worker
from gui.draw.collect_panel import Drawing
from gui.errors import report
from gui.widgets.progress_panel import ProgressPanel

log = logging.getLogger("inklab.gui.draw")
START_TEXT = "Teach it my writing…"


def _case(label: str) -> str:
    if label in LETTERS:
        return "  (upper case)"
    if label in LOWERCASE:
        return "  (lower case)"
    return ""


class TeachPanel(QWidget):
    """During a round: the prompt, Next/Skip/Adapt/End, the repeats and the progress;
    ``start_button`` is for the tab to place (beside the model list: no line of its own).

    ``host`` gives what the tab knows: ``model()`` the chosen model's name, ``labels()`` its
    classes, ``drawing()`` the 28x28 and strokes on the pad, ``read()`` what the model reads
    now (None while it cannot say), ``clear()`` empties the pad.  ``round_active(bool)`` fires
    when a round starts and ends (the tab hides its collect panel meanwhile), ``model_taught(name)``
    after a model was saved, ``sample_added(collection)`` after each drawing kept.
    """

    round_active = Signal(bool)
    model_taught = Signal(str)
    sample_added = Signal(str)

    def __init__(self, model: Callable[[], str | None], labels: Callable[[], list[str]],
                 drawing: Callable[[], Drawing], read: Callable[[], str | None], clear: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model, self._labels, self._drawing, self._read, self._clear = model, labels, drawing, read, clear
        self.round: TeachRound | None = None
        self.collection = ""
        self.result: TeachResult | None = None
        self.worker = Worker(self, name="teach the model", native=True)
        self.worker.progress.connect(self._on_progress)
        self.worker.returned.connect(self._on_taught)
        self.worker.errored.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)
        self.worker.finished.connect(self._show_state)
        self._build()
        self.refresh()

    def _build(self) -> None:
        self._short = False  # the button's short text (presenter view)
        self._more = False  # the model has drawings already: "Teach more…"
        self.start_button = QPushButton(START_TEXT)
        self.start_button.setToolTip("Write each class a few times; the model then adapts to your hand")
        self.start_button.clicked.connect(self.start_round)
        self.repeats = QSpinBox()
        self.repeats.setRange(1, 10)
        self.repeats.setValue(2)
        self.repeats.setSuffix("× each")
        self.repeats.setAccessibleName("Times each class is asked for")
        self.repeats.setToolTip("How many times the round asks for each class (letters alternate upper and lower "
                                "case); changed during a round, the classes still to come follow it")
        self.repeats.valueChanged.connect(self._on_repeats)

        self.box = QGroupBox("Teach it my writing")
        self.prompt = QLabel("")
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        font = self.prompt.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.prompt.setFont(font)
        self.prompt.setAccessibleName("What to write")
        self.reading = QLabel("")
        self.reading.setWordWrap(True)
        self.reading.setStyleSheet("color: #57606a;")
        self.reading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.reading.setFixedHeight(2 * self.reading.fontMetrics().lineSpacing() + 2)
        self.reading.setAccessibleName("How the model read your round")
        self.next_button = QPushButton("Next")
        self.next_button.setToolTip("Keep this drawing and ask for the next (Enter)")
        self.next_button.clicked.connect(self.next_drawing)
        self.skip_button = QPushButton("Skip")
        self.skip_button.setToolTip("Leave this class out")
        self.skip_button.clicked.connect(self.skip)
        self.adapt_button = QPushButton("Adapt now")
        self.adapt_button.setToolTip("Adapt the model to the drawings so far")
        self.adapt_button.clicked.connect(self.adapt)
        self.stop_button = QPushButton("End round")
        self.stop_button.setToolTip("Stop asking; the drawings so far are kept")
        self.stop_button.clicked.connect(self.end_round)
        buttons = QHBoxLayout()
        for button in (self.next_button, self.skip_button, self.adapt_button, self.stop_button):
            buttons.addWidget(button)
        buttons.addWidget(self.repeats)
        self.progress = ProgressPanel(cancellable=True)
        self.progress.cancel_clicked.connect(self.worker.cancel)
        inner = QVBoxLayout(self.box)
        inner.addWidget(self.prompt)
        inner.addWidget(self.reading)
        inner.addLayout(buttons)
        inner.addWidget(self.progress)
        self.hide()  # shown during a round (an empty widget would still take a layout gap)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        # Enter is Next while a round asks (the pad has no use for it); text fields keep theirs.
        self.enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self)
        self.enter.setContext(Qt.ShortcutContext.WindowShortcut)
        self.enter.activated.connect(self._on_enter)
        self.enter.setEnabled(False)

    # --- state -------------------------------------------------------------------------

    def active(self) -> bool:
        return self.round is not None

    def refresh(self) -> None:
        """Name the button after the chosen model ("Teach more" once it has drawings) and set the repeats."""
        name = self._model()
        labels = self._labels()
        self.start_button.setEnabled(bool(name and labels) and not self.active() and not self.worker.is_running())
        if not self.active() and labels:
            with QSignalBlocker(self.repeats):
                self.repeats.setValue(default_repeats(labels))
        more = False
        if name:
            from core.datasets.collections import label_counts

            try:
                more = bool(label_counts(collection_for(name)))
            except InkLabError:
                more = False
        self._more = more
        self._name_button()

    def set_presenter(self, on: bool, _scale: float = 2.0) -> None:
        """Presenter view (:mod:`gui.presenter`): "Teach…", so the Draw tab fits beside a lesson panel."""
        self._short = on
        self._name_button()

    def _name_button(self) -> None:
        self.start_button.setText("Teach more…" if self._more else ("Teach…" if self._short else START_TEXT))

    @Slot()
    def start_round(self) -> bool:
        """Start asking for the chosen model's classes."""
        name, labels = self._model(), self._labels()
        if not name or not labels:
            report(self, "Choose a model first: the round asks for its classes.")
            return False
        try:
            self.round = TeachRound(name, labels, self.repeats.value())
            self.collection = collection_for(name)
        except InkLabError as err:
            report(self, err)
            return False
        self.box.setTitle(f"Teach {name} your writing")
        self.show()
        self.enter.setEnabled(True)
        self.round_active.emit(True)
        self._clear()
        self._show_state()
        return True

    @Slot()
    def next_drawing(self) -> bool:
        """Keep the pad's drawing as the asked class, note what the model read, ask for the next."""
        from core.datasets import collections

        if self.round is None or self.round.done:
            return False
        image, strokes = self._drawing()
        if image is None:
            self.reading.setText(f"Write {self.round.asked} on the pad first, then Next.")
            return False
        asked = self.round.asked
        try:
            collections.add_sample(self.collection, asked, image, strokes=strokes)
        except InkLabError as err:
            report(self, err)
            return False
        self.round.record(self._read())
        self.sample_added.emit(self.collection)
        self._clear()
        self._after_step()
        return True

    @Slot()
    def skip(self) -> None:
        if self.round is not None:
            self.round.skip()
            self._clear()
            self._after_step()

    def _after_step(self) -> None:
        """At the round's end: adapt (or, with too few drawings, end the round and say why)."""
        if self.round is not None and self.round.done and not self.worker.is_running() and not self.adapt():
            self.end_round()
        self._show_state()

    @Slot()
    def end_round(self) -> None:
        """Stop asking (the drawings stay in the collection); a running adaptation goes on."""
        drawn = len(self.round.drawn) if self.round is not None else 0
        self.round = None
        self.enter.setEnabled(False)
        if not self.worker.is_running():
            self.hide()
            self.round_active.emit(False)
        if not drawn and not self.worker.is_running():
            report(self, "Nothing drawn in this round: nothing to teach.", "info")
        self.refresh()

    @Slot()
    def adapt(self) -> bool:
        """Adapt the model to every drawing of the collection, in the background."""
        from core.training.teaching import teach

        if self.worker.is_running():
            return False
        base = self.round.base if self.round is not None else self._model()
        if not base:
            return False
        from core.datasets.collections import label_counts

        try:
            n = sum(label_counts(self.collection).values()) if self.collection else 0
        except InkLabError:
            n = 0
        if n < MIN_DRAWINGS:
            text = f"Draw at least {MIN_DRAWINGS} characters to teach it ({n} so far)."
            self.reading.setText(text)
            if n:
                report(self, text, "info")
            return False
        collection = self.collection
        self.result = None
        self.progress.start(f"Adapting {base} to your {n} drawings…")
        self.worker.start(lambda progress, cancel: teach(base, collection, progress=progress, cancel=cancel))
        self._show_state()
        return True

    # --- the worker's reports ----------------------------------------------------------

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        self.progress.set_progress(done, total if total > 0 else None, message)

    @Slot(object)
    def _on_taught(self, result: TeachResult) -> None:
        self.result = result
        self.progress.finish()
        if result.saved:
            report(self, result.message, "info")
            self.model_taught.emit(result.saved)
        else:
            report(self, result.message)
        self._after_adapting()

    @Slot(str)
    def _on_failed(self, text: str) -> None:
        self.progress.finish()
        report(self, f"Could not adapt the model: {text}")
        self._after_adapting()

    @Slot()
    def _on_cancelled(self) -> None:
        self.progress.finish()
        report(self, "Adapting cancelled: your drawings are kept (Teach more adapts again).", "info")
        self._after_adapting()

    def _after_adapting(self) -> None:
        if self.round is None or self.round.done:
            self.round = None
            self.enter.setEnabled(False)
            self.hide()
            self.round_active.emit(False)
        self.refresh()
        self._show_state()

    @Slot(int)
    def _on_repeats(self, repeats: int) -> None:
        if self.round is not None:
            self.round.set_repeats(repeats)
            self._after_step()

    @Slot()
    def _on_enter(self) -> None:
        if self.round is not None and not self.round.done:
            self.next_drawing()

    def _show_state(self) -> None:
        running = self.worker.is_running()
        r = self.round
        if r is not None and not r.done:
            self.prompt.setText(f"Write: {r.asked}{_case(r.asked)} · {r.position + 1} of {len(r.prompts)}")
        elif running:
            self.prompt.setText("Adapting… (you can keep drawing)")
        else:
            self.prompt.setText("Round done")
        if r is not None:
            self.reading.setText(r.summary())
        asking = r is not None and not r.done
        self.next_button.setEnabled(asking)
        self.skip_button.setEnabled(asking)
        self.adapt_button.setEnabled(not running and r is not None and bool(r.drawn))
        self.stop_button.setEnabled(r is not None)
        self.start_button.setEnabled(bool(self._model() and self._labels()) and r is None and not running)
