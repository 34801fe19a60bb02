"""File > Export model…: pick a library model, a format and a folder; core does the writing.

The dialog only collects the choice; the main window runs
:func:`core.models.export.export_model` as a background task, so a SavedModel export
(which loads TensorFlow) never freezes the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

FORMATS = (
    ("tflite", "LiteRT (.tflite): phones, Raspberry Pi, Teachable Machine-style apps"),
    ("savedmodel", "TensorFlow SavedModel: TF Serving, TF.js converter"),
    ("contest", "Class contest file (.inklab-contest): for the teacher's leaderboard"),
)
NOTES = {
    "contest": "Writes one small file, <folder>/<your name>-<model>.inklab-contest: the model's card, "
               "its test metrics and (ticked) the model, for the class leaderboard.",
}
DEFAULT_NOTE = "Writes the model, its card (card.json) and labels.txt into <folder>/<model name>/."


@dataclass(frozen=True)
class ExportChoice:
    """What the user picked: the model's name, the format and the folder to write into."""

    name: str
    fmt: str
    folder: Path
    student: str = ""
    include_model: bool = True


class ExportDialog(QDialog):
    """A small form: model, format, folder; OK only once a model and a folder are chosen."""

    def __init__(self, parent: QWidget | None = None, folder: str | Path = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Export model")
        from core.errors import InkLabError
        from core.models import library

        self.model_combo = QComboBox()
        try:
            cards = library.list_models()
        except InkLabError:
            cards = []
        for card in cards:
            self.model_combo.addItem(f"{card.name} (bundled)" if card.bundled else card.name, card.name)
        self.format_combo = QComboBox()
        for key, text in FORMATS:
            self.format_combo.addItem(text, key)
        self.folder_edit = QLineEdit(str(folder))
        self.folder_edit.setPlaceholderText("folder to write <model name>/ into")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)

        self.student_edit = QLineEdit()
        self.student_edit.setPlaceholderText("the name on the leaderboard")
        self.student_edit.setAccessibleName("Your name")
        self.include_check = QCheckBox("Include the model (so it can be scored on the class's handwriting)")
        self.include_check.setChecked(True)
        self.note = QLabel(DEFAULT_NOTE)
        self.note.setWordWrap(True)

        form = QFormLayout(self)
        form.addRow("Model", self.model_combo)
        form.addRow("Format", self.format_combo)
        form.addRow("Your name", self.student_edit)
        form.addRow("", self.include_check)
        form.addRow("Folder", row)
        form.addRow(self.note)
        self._form = form
        self.format_combo.currentIndexChanged.connect(self._on_format)
        self._on_format()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.folder_edit.textChanged.connect(self._update_ok)
        self._update_ok()

    def _browse(self) -> None:
        from gui.widgets import file_dialogs

        folder = file_dialogs.ask_folder(self, "models", "Export into folder")
        if folder is not None:
            self.folder_edit.setText(str(folder))

    def select_format(self, fmt: str) -> None:
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(fmt)))

    def select_model(self, name: str) -> None:
        index = self.model_combo.findData(name)
        if index >= 0:
            self.model_combo.setCurrentIndex(index)

    def _on_format(self) -> None:
        contest = self.format_combo.currentData() == "contest"
        for widget in (self.student_edit, self.include_check):
            self._form.setRowVisible(widget, contest)
        self.note.setText(NOTES.get(self.format_combo.currentData(), DEFAULT_NOTE))

    def _update_ok(self) -> None:
        ok = self.model_combo.count() > 0 and bool(self.folder_edit.text().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def choice(self) -> ExportChoice:
        """The picked model, format and folder."""
        return ExportChoice(
            str(self.model_combo.currentData()),
            str(self.format_combo.currentData()),
            Path(self.folder_edit.text().strip()).expanduser(),
            self.student_edit.text().strip(),
            self.include_check.isChecked(),
        )
