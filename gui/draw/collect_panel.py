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
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

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
        self.collection_combo.setAccessibleName("Collection")
        self.collection_combo.lineEdit().setAccessibleName("Collection name")
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText("what this drawing is, e.g. 7 or A")
        self.label_edit.setMaxLength(32)
        self.label_edit.setAccessibleName("Label")
        self.label_edit.returnPressed.connect(self.add_to_collection)
        self.add_button = QPushButton("Add to my data set")
        self.add_button.clicked.connect(self.add_to_collection)
        # Two lines, always: what the name is stored as (or what to do), then the tally, each cut
        # to its line.  Wrapping as the user typed moved the Label field up under the pointer.
        self.counts = QLabel("")
        self.counts.setWordWrap(False)
        self.counts.setStyleSheet("color: #57606a;")
        self.counts.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.counts.setFixedHeight(2 * self.counts.fontMetrics().lineSpacing() + 2)
        self.counts.setAccessibleName("Drawings per label so far")
        self._counts: dict[str, int] = {}
        self._lines: list[str] = []
        self.collection_combo.currentTextChanged.connect(self.refresh_counts)
        self.label_edit.textChanged.connect(self._show_counts)
        # Beside the button, in the height it already has: a message never adds a line.
        self.add_status = QLabel("")
        self.add_status.setWordWrap(True)
        self.add_status.setStyleSheet("color: #57606a;")
        self.add_status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.add_status.setFixedHeight(max(self.add_button.sizeHint().height(),
                                           2 * self.add_status.fontMetrics().lineSpacing()))
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_button)
        add_row.addWidget(self.add_status, 1)
        form = QFormLayout(self)
        form.addRow("Collection", self.collection_combo)
        form.addRow("Label", self.label_edit)
        form.addRow("So far", self.counts)
        form.addRow(add_row)
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
        tally = list(self._counts.items())
        if tally:
            hint = ""
        elif typed:
            hint = "A new collection: the first drawing added starts it."
        else:
            hint = "Name a collection to see its drawings per label."
        stored = f"Stored as “{name}”." if name != typed else ""
        self._lines = [line for line in (stored, hint or self._tally_text(tally)) if line]
        width = max(self.counts.width(), 200)
        metrics = self.counts.fontMetrics()
        shown = [html.escape(metrics.elidedText(line, Qt.TextElideMode.ElideRight, width))
                 for line in (stored, hint) if line]
        if tally:
            shown.append(self._fitted_tally(tally, width))
        self.counts.setText("<br>".join(shown))
        self.counts.setToolTip("\n".join(self._lines))

    @staticmethod
    def _tally_text(tally: list[tuple[str, int]]) -> str:
        return " · ".join(f"{label}: {n}" for label, n in tally)

    def _fitted_tally(self, tally: list[tuple[str, int]], width: int) -> str:
        """The tally as rich text on one line of ``width`` px (the label being typed in bold);
        what does not fit ends in "… and N more" (the whole tally is in the tooltip)."""
        current = self.label_edit.text().strip()
        bold = self.counts.font()
        bold.setBold(True)
        shown = tally[:MAX_COUNTS_SHOWN]
        while True:
            rest = len(tally) - len(shown)
            plain = self._tally_text(shown) + (f" · … and {rest} more" if rest else "")
            if len(shown) <= 1 or QFontMetrics(bold).horizontalAdvance(plain) <= width:
                break
            shown = shown[:-1]
        parts = [f"<b>{html.escape(label)}: {n}</b>" if label == current else f"{html.escape(label)}: {n}"
                 for label, n in shown]
        if rest:
            parts.append(f"… and {rest} more")
        return " · ".join(parts)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._show_counts()  # the lines are cut to the width

    def counts_text(self) -> str:
        """What the two lines say, whole and without markup ("Stored as “x”." / "A: 12 · B: 9 · 7: 3")."""
        return "\n".join(line for line in self._lines if line)

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
