"""The collect panel: "Add to my data set", which stores the drawing with the label the user
typed in one of their collections (a new name starts a new one).

The drawing itself comes from the tab (``drawing`` returns the 28x28 the model reads now
and the pad's strokes), so the panel stores exactly what the user saw recognised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QSignalBlocker, Signal, Slot
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QWidget

from core.errors import InkLabError
from gui.errors import user_message

log = logging.getLogger("inklab.gui.draw")

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
        self.add_status = QLabel("")
        self.add_status.setWordWrap(True)
        self.add_status.setStyleSheet("color: #57606a;")
        form = QFormLayout(self)
        form.addRow("Collection", self.collection_combo)
        form.addRow("Label", self.label_edit)
        form.addRow(self.add_button)
        form.addRow(self.add_status)

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
        self.sample_added.emit(collection)
        return True
