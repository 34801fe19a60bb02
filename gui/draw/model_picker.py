"""The model picker: the bundled and library models in one list, and loading the picked one.

Loading a model (TensorFlow's import, reading the file, tracing) takes seconds, so it runs
on a :class:`gui.concurrency.Worker`; the tab keeps drawing meanwhile.  A model that would
not load is not retried until the list is refreshed, so a broken file does not start a
load on every stroke.  A status line under the list always says where the picked model
stands: not loaded yet, loading, ready, or failed and why (the banner's copy of an error
can be dismissed; this line stays true).  This module imports no TensorFlow itself.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.errors import InkLabError
from core.labels import counted
from core.models.recognizer import Recognizer, RecognizerCache
from gui.concurrency import Worker
from gui.errors import report

MODEL_CHARS = 18  # the model list is at least this many characters wide
STATE_COLOURS = {"idle": "#57606a", "loading": "#9a6700", "ready": "#1a7f37", "failed": "#cf222e", "none": "#57606a"}


class ModelPicker(QWidget):
    """The Model list and the loaded recognizers.

    Signals: ``changed`` when the pick or its loaded recognizer changed (the tab then
    re-reads :meth:`label_names` and predicts again), ``model_loaded(name)`` after each
    load, ``load_failed(text)`` when one failed.
    """

    changed = Signal()
    model_loaded = Signal(str)
    load_failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cache = RecognizerCache()
        self._cards: dict = {}  # name -> core.models.card.ModelCard
        self._loading: str | None = None
        self._failed: dict[str, str] = {}  # models that would not load, and why: not retried until a refresh
        self.loader = Worker(self, name="load model", native=True)
        self.loader.returned.connect(self._on_loaded)
        self.loader.errored.connect(self._on_failed)

        self.combo = QComboBox()
        self.combo.setAccessibleName("Model")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(MODEL_CHARS)
        self.combo.currentIndexChanged.connect(self._on_picked)
        self.row = row = QHBoxLayout()  # the tab may add a button after the list (Teach it my writing)
        label = QLabel("&Model")
        label.setBuddy(self.combo)  # how a screen reader on Linux names a combo box (else by its value)
        row.addWidget(label)
        row.addWidget(self.combo, 1)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.status)

    def set_presenter(self, on: bool, _scale: float = 2.0) -> None:
        """Presenter view (:mod:`gui.presenter`): a list wide enough for 10 characters, not 18,
        so that the tab still fits beside an open lesson panel with every font twice its size."""
        self.combo.setMinimumContentsLength(10 if on else MODEL_CHARS)

    # --- the list ------------------------------------------------------------------

    def refresh(self, changed: str = "") -> None:
        """Re-read the bundled and library models; ``changed`` names one that was (re)saved."""
        from core.models import library

        self._failed.clear()
        if changed:
            self._cache.invalidate(changed)
        try:
            cards = library.list_models()
        except InkLabError as err:
            report(self, err)
            cards = []
        current = self.current()
        self._cards = {}
        with QSignalBlocker(self.combo):
            self.combo.clear()
            # Bundled models first: they are what a new user is looking for.
            cards.sort(key=lambda c: (not c.bundled, c.name.lower()))
            for card in cards:
                name = card.name
                self._cards[name] = card
                n = len(card.answers)
                text = f"{name} (bundled)" if card.bundled else name
                if n:
                    text += f" · {counted(n, 'class')}"
                self.combo.addItem(text, name)
            index = self.combo.findData(current) if current else -1
            if index < 0:
                index = self.combo.findData("digits")
            self.combo.setCurrentIndex(max(index, 0) if self.combo.count() else -1)
        self._show_state()
        if self.current() != current or changed == current:
            self.changed.emit()  # not a user's pick: load only once there is something to recognise

    def current(self) -> str | None:
        """The name of the model picked in the list (None when there is none)."""
        data = self.combo.currentData()
        return str(data) if data else None

    def select(self, name: str) -> None:
        """Pick a model by name (as the user would in the list)."""
        index = self.combo.findData(name)
        if index < 0:
            raise InkLabError(f"no model called '{name}' in the list")
        self.combo.setCurrentIndex(index)

    def label_names(self) -> list[str]:
        """The picked model's classes: from its recognizer once loaded, else from its card."""
        name = self.current()
        if name is None:
            return []
        recognizer = self._cache.cached(name)
        if recognizer is not None:
            return recognizer.label_names
        card = self._cards.get(name)
        return list(card.answers) if card is not None else []

    @Slot()
    def _on_picked(self) -> None:
        self.ensure_loaded()
        self._show_state()
        self.changed.emit()

    # --- loading -------------------------------------------------------------------

    def recognizer(self) -> Recognizer | None:
        """The loaded recognizer of the picked model, or None while it is not loaded."""
        name = self.current()
        return self._cache.cached(name) if name else None

    def is_loading(self) -> bool:
        return self.loader.is_running()

    def ensure_loaded(self) -> None:
        """Start loading the picked model unless it is loaded, loading, or known not to load."""
        name = self.current()
        if name is None or self._cache.cached(name) is not None:
            return
        if self.loader.is_running() or name in self._failed:
            return  # the finished handler starts the model picked by then
        self._loading = name
        self._start_loading(name)
        self._show_state()

    def _start_loading(self, name: str) -> None:
        """Where a recognizer is loaded: ``cache.get`` on the worker thread."""
        cache = self._cache
        self.loader.start(lambda progress, cancel: cache.get(name))

    @Slot(object)
    def _on_loaded(self, recognizer: Recognizer) -> None:
        self._loading = None
        if recognizer.fallback_reason:  # slower, TensorFlow-backed recognition: say so, once per load
            report(self, recognizer.fallback_reason, "info")
        self._show_state()
        self.model_loaded.emit(recognizer.name)
        name = self.current()
        if name is not None and self._cache.cached(name) is None:
            self.ensure_loaded()  # the pick changed while this one loaded
            return
        self.changed.emit()

    @Slot(str)
    def _on_failed(self, text: str) -> None:
        if self._loading:
            self._failed[self._loading] = text
        self._loading = None
        report(self, text)
        self._show_state()
        self.load_failed.emit(text)

    # --- the status line -----------------------------------------------------------

    def state(self) -> str:
        """Where the picked model stands: none, idle (not loaded yet), loading, ready or failed."""
        name = self.current()
        if name is None:
            return "none"
        if self._loading == name and self.loader.is_running():
            return "loading"  # the cache may hold it already; the GUI has not heard yet
        if self._cache.cached(name) is not None:
            return "ready"
        if name in self._failed:
            return "failed"
        return "loading" if self.loader.is_running() else "idle"

    def _show_state(self) -> None:
        name, state = self.current(), self.state()
        if state == "none":
            text = ""  # the answer's place says it: train one in the Training tab
        elif state == "ready":
            recognizer = self._cache.cached(name)
            slow = recognizer is not None and recognizer.fallback_reason
            text = f"✓ {name} is ready" + (" (through TensorFlow, slower: LiteRT unavailable)." if slow else ".")
        elif state == "failed":
            text = f"✗ {name} could not be loaded: {self._failed[name]}"
        elif state == "loading":
            text = f"Loading {name}…"
        else:
            text = f"{name} loads when you start drawing."
        self.status.setText(text)
        self.status.setToolTip(text)
        self.status.setStyleSheet(f"color: {STATE_COLOURS[state]};")
