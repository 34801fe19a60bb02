"""The pad panel: the sheet the user writes on and its tools (undo, redo, clear, pen width,
open an image, save the drawing).

It knows files and strokes, not models: an opened picture is handed to the tab as the
28x28 the model will read (``image_opened``), and the tab decides what to do with it.
Problems show on the tab's message line (:func:`gui.errors.report`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from core.errors import InkLabError
from gui.errors import banner_of, report
from gui.widgets import file_dialogs
from gui.widgets.drawing_pad import DrawingPad
from gui.widgets.image import to_qimage

IMAGE_FILTERS = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff);;All files (*)"


class PadPanel(QWidget):
    """The drawing pad with its buttons; ``image_opened(file name, 28x28)`` after Open image."""

    image_opened = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._answer: str | None = None
        self.opened_path: Path | None = None  # the picture last opened
        self.pad = DrawingPad(self)
        self.pad.strokes_changed.connect(self.update_buttons)
        self.pad.stroke_finished.connect(self.update_buttons)

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
        self.pen_slider.setAccessibleName("Pen width")
        self.pen_slider.setToolTip("Pen width on screen (the model input is normalised either way)")
        self.pen_slider.valueChanged.connect(self.pad.set_pen_width)
        self.open_button = QPushButton("Open image…")
        self.open_button.setToolTip("Recognise a photo or scan of one handwritten character")
        self.open_button.clicked.connect(self.choose_image)
        self.save_button = QPushButton("Save drawing…")
        self.save_button.setToolTip("Save the drawing as a PNG picture or as stroke JSON")
        self.save_button.clicked.connect(self.choose_save_path)

        tools = QHBoxLayout()
        for button in (self.undo_button, self.redo_button, self.clear_button):
            tools.addWidget(button)
        tools.addSpacing(12)
        tools.addWidget(QLabel("Pen"))
        tools.addWidget(self.pen_slider)
        tools.addStretch(1)
        tools.addWidget(self.open_button)
        tools.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pad, 1)
        layout.addLayout(tools)
        self.update_buttons()

    def update_buttons(self) -> None:
        """Undo, Redo and Clear are enabled only when they would do something."""
        self.undo_button.setEnabled(self.pad.can_undo())
        self.redo_button.setEnabled(self.pad.can_redo())
        self.clear_button.setEnabled(not self.pad.is_empty() or self.pad.picture_caption() is not None)

    # --- open an image -------------------------------------------------------------

    def choose_image(self) -> None:
        path = file_dialogs.ask_open_file(self, "images", "Open an image of one character", IMAGE_FILTERS)
        if path is not None:
            self.open_image(path)

    def open_image(self, path: str | Path) -> bool:
        """Read a picture of one character as the model's 28x28; problems show inline. True when it worked."""
        from core.imaging import image_to_input

        try:
            image = image_to_input(Path(path))
        except InkLabError as err:
            report(self, err)
            return False
        except (OSError, ValueError) as err:
            report(self, f"{path}: not a readable image ({err})")
            return False
        banner_of(self).clear()
        picture = QImage(str(path))
        if picture.isNull():  # a file only PIL reads: show what the model reads, dark on white
            picture = to_qimage(1.0 - np.asarray(image, np.float32))
        self.pad.show_picture(picture, Path(path).name)
        self.opened_path = Path(path)  # Several characters reads the picture itself
        self.update_buttons()
        self.image_opened.emit(Path(path).name, np.asarray(image))
        return True

    # --- save the drawing ----------------------------------------------------------

    def choose_save_path(self) -> None:
        if self.pad.is_empty():
            report(self, "Nothing to save yet: draw a character first.", "info")
            return
        chosen_path = file_dialogs.ask_save_path(
            self, "drawings", "Save the drawing", self.suggested_name(), "PNG image (*.png);;Stroke JSON (*.json)"
        )
        if chosen_path is None:
            return
        path, chosen = str(chosen_path[0]), chosen_path[1]
        if not Path(path).suffix:
            path += ".json" if "json" in chosen.lower() else ".png"
            # The dialog asked about overwriting the name without the suffix, not this file.
            if Path(path).exists() and QMessageBox.question(
                self, "Replace the file?", f"{Path(path).name} already exists. Replace it?"
            ) != QMessageBox.StandardButton.Yes:
                return
        self.save_drawing(path)

    def set_answer(self, label: str | None) -> None:
        """What the model reads on the pad now (None: nothing), to name the saved drawing after it."""
        self._answer = label

    def suggested_name(self) -> str:
        """``drawing-7.png`` for a drawing read as 7 (``drawing.png`` without an answer), never the
        name of a file already in the drawings folder."""
        stem = f"drawing-{file_dialogs.safe_file_name(self._answer, '')}" if self._answer else "drawing"
        return file_dialogs.unused_name(file_dialogs.start_folder("drawings"), f"{stem.rstrip('-')}.png")

    def save_drawing(self, path: str | Path) -> bool:
        """Save the pad as a PNG (as seen, dark on white) or as stroke JSON (by the suffix)."""
        from core import storage

        path = Path(path)
        if self.pad.is_empty():
            report(self, "Nothing to save yet: draw a character first.", "info")
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
            report(self, err, doing=f"Could not save {path}")
            return False
        report(self, f"Saved {path}", "info")
        return True
