"""The collect panel: "Add to my data set", which stores the drawing with the label the user
typed in one of their collections (a new name starts a new one).

The drawing itself comes from the tab (``drawing`` returns the 28x28 the model reads now
and the pad's strokes), so the panel stores exactly what the user saw recognised.

Under the fields the panel shows how many drawings each label already has in the chosen
collection ("A: 12 · B: 9 · 7: 3"), so a user collecting a balanced set sees what is
missing.  A name the rules refuse but that has letters or digits ("my symbols") is made
usable by core's own rule (:func:`core.datasets.names.collection_slug`), and the panel says
what it becomes before anything is stored.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QSignalBlocker, Signal, Slot
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QWidget

from core.datasets import names
from core.errors import DataError, InkLabError
from gui.errors import user_message

log = logging.getLogger("inklab.gui.draw")

MAX_COUNTS_SHOWN = 24  # labels listed under the fields; a longer tally ends with "… and N more"
Drawing = tuple[np.ndarray | None, list[np.ndarray] | None]  # (28x28 or None, strokes or None)


class CollectPanel(QGroupBox):
    """Collection and Label fields with the Add button; ``sample_added(collection)`` after a store."""

    sample_added = Signal(str)

    def __init__(self, drawing: Callable[[], Drawing], parent: QWidget | None = None) -> None:
        super().__init__("Collect drawings for your own data set", parent)
        self._drawing = drawing
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
        self.counts = QLabel("")
        self.counts.setWordWrap(True)
        self.counts.setStyleSheet("color: #57606a;")
        self.counts.setToolTip("How many drawings each label has in this collection so far")
        self._counts: dict[str, int] = {}
        self.collection_combo.currentTextChanged.connect(self.refresh_counts)
        self.label_edit.textChanged.connect(self._show_counts)
        self.add_status = QLabel("")
        self.add_status.setWordWrap(True)
        self.add_status.setStyleSheet("color: #57606a;")
        form = QFormLayout(self)
        form.addRow("Collection", self.collection_combo)
        form.addRow("Label", self.label_edit)
        form.addRow("So far", self.counts)
        form.addRow(self.add_button)
        form.addRow(self.add_status)
        self._show_counts()

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

    def collection_name(self) -> str:
        """The name the collection is stored under: the typed one, or core's usable form of it."""
        return stored_name(self.collection_combo.currentText())

    @Slot()
    def refresh_counts(self) -> None:
        """Re-read how many drawings each label has in the chosen collection."""
        from core.datasets import collections

        try:
            self._counts = collections.label_counts(self.collection_name()) if self.collection_name() else {}
        except InkLabError:
            self._counts = {}  # an unusable name: Add says why
        self._show_counts()

    @Slot()
    def _show_counts(self) -> None:
        typed = self.collection_combo.currentText().strip()
        name = stored_name(typed)
        lines = []
        if name != typed:
            lines.append(f"Stored as “{html.escape(name)}”.")
        if self._counts:
            current = self.label_edit.text().strip()
            shown = [
                f"<b>{html.escape(label)}: {n}</b>" if label == current else f"{html.escape(label)}: {n}"
                for label, n in list(self._counts.items())[:MAX_COUNTS_SHOWN]
            ]
            if len(self._counts) > MAX_COUNTS_SHOWN:
                shown.append(f"… and {len(self._counts) - MAX_COUNTS_SHOWN} more")
            lines.append(" · ".join(shown))
        elif typed:
            lines.append("A new collection: the first drawing added starts it.")
        else:
            lines.append("Name a collection to see its drawings per label.")
        self.counts.setText("<br>".join(lines))

    def counts_text(self) -> str:
        """The tally as shown, without markup ("A: 12 · B: 9 · 7: 3")."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.counts.text().replace("<br>", "\n")))

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

        collection = self.collection_name()
        label = self.label_edit.text().strip()
        image, strokes = self._drawing()
        if image is None:
            self.add_status.setText("Draw a character first.")
            return False
        if not collection:
            self.add_status.setText("Name the collection first (a new name starts a new one).")
            return False
        if not label:
            self.add_status.setText("Type what the drawing is in Label first.")
            self.label_edit.setFocus()
            return False
        try:
            collections.add_sample(collection, label, image, strokes=strokes)
        except InkLabError as err:
            self.add_status.setText(user_message(err))
            return False
        self.add_status.setText(f"Added “{label}” to {collection}.")
        self.refresh_collections()
        self.collection_combo.setEditText(collection)
        self.refresh_counts()
        self.sample_added.emit(collection)
        return True


def stored_name(text: str) -> str:
    """The collection name ``text`` is stored under, by core's rule
    (:func:`core.datasets.names.collection_slug`: "my symbols" -> "my-symbols"); text with
    nothing usable in it is left as typed, so Add says why it cannot be a name."""
    try:
        return names.collection_slug(text)
    except DataError:
        return text.strip()
