"""The Draw tab's "Several characters" mode: read a whole number or word as it is written.

The switch, the panel and the boxes on the pad (:mod:`gui.draw.multi_view`) are run from
here: each update reads the pad's strokes as a line (:func:`core.models.reading.read_strokes`:
segment, one model call for every candidate character, the most probable grouping), keeps
the user's corrections of characters whose strokes are still grouped the same way, and
adds a chosen character, with what the user says it is, to their collection.  With the
switch off nothing here runs and the tab is exactly the single-character tab.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QWidget

from core.errors import DrawingError, InkLabError
from core.models.reading import Reading
from gui.concurrency import Worker
from gui.draw.collect_panel import CollectPanel
from gui.draw.multi_view import HINT, CharacterBoxes, MultiPanel, shown_label
from gui.errors import sentence, user_message
from gui.widgets.drawing_pad import DrawingPad

log = logging.getLogger("inklab.gui.draw")

READING_PICTURE = "Reading the picture as a line of characters…"


class MultiMode(QObject):
    """Several characters at once; ``sample_added(collection)`` after a character was stored,
    ``changed`` when the pad must be read again (the words option switched, its list loaded)."""

    sample_added = Signal(str)
    changed = Signal()

    def __init__(self, pad: DrawingPad, collect: CollectPanel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pad = pad
        self.collect = collect
        self.switch = QCheckBox("Several characters")
        self.switch.setToolTip("Read a whole number or word written left to right, one character after another")
        self.words_switch = QCheckBox("Words")
        self.words_switch.setToolTip(
            "Read the line as the closest word of an English word list, when one is close (a letters model).\n"
            "Off: letter by letter, as names and codes need.")
        self.words_switch.setEnabled(False)
        self.switches = QWidget()
        row = QHBoxLayout(self.switches)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.switch)
        row.addWidget(self.words_switch)
        row.addStretch(1)
        self.words = None  # the word list, loaded off the GUI thread when the option is first switched on
        self._words_loader = Worker(self, "load word list")
        self._words_loader.returned.connect(self._on_words_loaded)
        self._words_loader.errored.connect(self._on_words_failed)
        self.words_switch.toggled.connect(self._on_words_toggled)
        self.panel = MultiPanel()
        self.boxes = CharacterBoxes(pad)
        self.boxes.hide()
        self.reading: Reading | None = None
        self.chosen = -1
        self._fixed: dict[tuple[int, ...], str] = {}  # corrections, by the strokes of their character
        self._labels: list[str] = []
        # An opened picture is read as a line off the GUI thread (decoding alone takes ~20 ms),
        # once per picture, model and option: (key, its reading).
        self._picture: tuple[tuple, Reading | None] | None = None
        self._picture_reader = Worker(self, "read picture")
        self._picture_reader.returned.connect(self._on_picture_read)
        self._picture_reader.errored.connect(self._on_picture_failed)
        self.switch.toggled.connect(self._on_toggled)
        self.panel.chosen.connect(self.choose)
        self.panel.corrected.connect(self.correct)
        self.panel.add_requested.connect(self.add_chosen)

    def active(self) -> bool:
        return self.switch.isChecked()

    @Slot(bool)
    def _on_toggled(self, on: bool) -> None:
        self.boxes.setVisible(on)
        self.words_switch.setEnabled(on)
        if not on:
            self._forget()

    @Slot(bool)
    def _on_words_toggled(self, on: bool) -> None:
        if on and self.words is None and not self._words_loader.is_running():
            from core.models.words import load_word_list

            self._words_loader.start(lambda progress, cancel: load_word_list())
        self.changed.emit()

    @Slot(object)
    def _on_words_loaded(self, words) -> None:
        self.words = words
        self.changed.emit()

    @Slot(str)
    def _on_words_failed(self, message: str) -> None:
        self.words_switch.setChecked(False)
        self.panel.show_message(f"The word list could not be read: {message}")

    def _forget(self) -> None:
        self.reading, self.chosen, self._picture = None, -1, None
        self._fixed.clear()
        self.boxes.clear()

    # --- reading -------------------------------------------------------------------

    def update(self, recognizer, waiting_text: str, picture: Path | None = None) -> None:
        """Read what is on the pad now, or the opened ``picture``, and show it (or say why nothing is read)."""
        if self.pad.is_empty() and picture is None:
            self._show_message(HINT)
            return
        if recognizer is None:
            self._show_message(waiting_text)
            return
        words, self._words_note = self._word_list(recognizer)
        if self.pad.is_empty():
            self._read_picture(recognizer, picture, words)
            return
        from core.imaging import check_drawing_size
        from core.models.reading import read_strokes

        self._picture = None
        strokes = self.pad.strokes()
        started = time.perf_counter()
        try:
            check_drawing_size(strokes, min(self.pad.width(), self.pad.height()))
            reading = read_strokes(recognizer, strokes, words=words)
        except DrawingError as err:
            self._show_message(sentence(str(err)))
            return
        except InkLabError as err:
            self._show_message(user_message(err))
            return
        elapsed_ms = (time.perf_counter() - started) * 1000
        self._labels = list(recognizer.label_names)
        self._show(reading, elapsed_ms)

    def _read_picture(self, recognizer, picture: Path, words) -> None:
        """Show the picture's reading, reading it first (off the GUI thread) when it is new."""
        key = (str(picture), recognizer.name, words is not None)
        self._labels = list(recognizer.label_names)
        if self._picture is not None and self._picture[0] == key:
            if self._picture[1] is not None:
                self._show(self._picture[1], None)
            return
        from core.models.reading import read_image

        self._picture = (key, None)
        self._show_message(READING_PICTURE)
        self._picture_reader.start_latest(
            lambda progress, cancel: (key, *_timed(lambda: read_image(recognizer, picture, words=words))))

    @Slot(object)
    def _on_picture_read(self, result) -> None:
        key, reading, elapsed_ms = result
        if self._picture is None or self._picture[0] != key or not self.active():
            return  # the pad or the choice changed meanwhile
        self._picture = (key, reading)
        self._fixed.clear()
        self.chosen = -1
        self._show(reading, elapsed_ms)

    @Slot(str)
    def _on_picture_failed(self, message: str) -> None:
        if self._picture is not None and self.pad.is_empty():
            self._show_message(message[:1].upper() + message[1:])

    def _word_list(self, recognizer):
        """(the word list to read with, or None; a note when the option is on but cannot be used)."""
        if not self.words_switch.isChecked():
            return None, ""
        if self.words is None:
            return None, "loading the word list…"
        from core.models.words import letter_matrix

        try:
            letter_matrix(list(recognizer.label_names), f"the {recognizer.name} model")
        except InkLabError:
            return None, f"Words is for letters: the {recognizer.name} model reads no letters"
        return self.words, ""

    def _show_message(self, text: str) -> None:
        self.reading, self.chosen = None, -1
        self.boxes.clear()
        self.panel.show_message(text)

    def _show(self, reading: Reading, elapsed_ms: float | None) -> None:
        groups = [c.strokes for c in reading.characters]
        chosen_group = self._group(self.chosen)
        self._fixed = {g: label for g, label in self._fixed.items() if g in groups}
        self.reading = reading
        self.chosen = groups.index(chosen_group) if chosen_group in groups else -1
        self._refresh(elapsed_ms)

    def _refresh(self, elapsed_ms: float | None = None) -> None:
        characters = self.reading.characters
        fixed = [self._fixed.get(c.strokes) for c in characters]
        unsure = sum(c.prediction.unsure and f is None for c, f in zip(characters, fixed, strict=True))
        note = f"{len(characters)} character{'s' if len(characters) != 1 else ''}"
        if unsure:
            note += f", {unsure} not sure (orange): click one to correct it"
        elif characters:
            note += ": click one to see its alternatives"
        note += self._word_text()
        if elapsed_ms is not None:
            self._note_ms = elapsed_ms
        note += f" · {getattr(self, '_note_ms', 0.0):.1f} ms"
        self.panel.show_reading(characters, fixed, note)
        self.boxes.show_boxes(
            [(self._on_pad(c.box), f"{shown_label(c, f)} {'✓' if f else f'{c.confidence:.0%}'}{'?' if c.prediction.unsure and not f else ''}",
              c.prediction.unsure and f is None) for c, f in zip(characters, fixed, strict=True)],
            self.chosen,
        )
        if self.chosen >= 0:
            c = characters[self.chosen]
            self.panel.show_detail(self.chosen, c, self._fixed.get(c.strokes), self._labels,
                                   self.collect.collection_name())
        else:
            self.panel.hide_detail()

    def _on_pad(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """A character's box in pad coordinates (a picture's pixels are mapped to where it is shown)."""
        placement = self.pad.picture_placement() if self._picture is not None else None
        if placement is None:
            return box
        x, y, scale = placement
        return (x + box[0] * scale, y + box[1] * scale, x + box[2] * scale, y + box[3] * scale)

    def _word_text(self) -> str:
        """What the words option made of the line, for the note under the string."""
        found = self.reading.word
        if found is None:
            return f" · {self._words_note}" if getattr(self, "_words_note", "") else ""
        letters = "".join(c.prediction.label for c in self.reading.characters)
        if found.word is None:
            return " · no word close: read letter by letter"
        return f" · the word “{found.word}”" + (f" (letter by letter: {letters})" if letters != self.reading.text else "")

    def _group(self, index: int) -> tuple[int, ...] | None:
        if self.reading is None or not 0 <= index < len(self.reading.characters):
            return None
        return self.reading.characters[index].strokes

    def text(self) -> str:
        """The line as shown: the model's answers with the user's corrections."""
        if self.reading is None:
            return ""
        return "".join(shown_label(c, self._fixed.get(c.strokes)) for c in self.reading.characters)

    # --- correcting and collecting -------------------------------------------------

    @Slot(int)
    def choose(self, index: int) -> None:
        """Show character ``index``'s alternatives (and outline it on the pad)."""
        if self._group(index) is None:
            return
        self.chosen = index
        self.panel.add_status.setText("")
        self._refresh()

    @Slot(str)
    def correct(self, label: str) -> None:
        """"That is a 7": the chosen character is ``label`` (the model's own answer undoes a fix)."""
        group = self._group(self.chosen)
        if group is None or not label:
            return
        if label == self.reading.characters[self.chosen].label:
            self._fixed.pop(group, None)
        else:
            self._fixed[group] = label
        self.panel.add_status.setText("")
        self._refresh()

    @Slot()
    def add_chosen(self) -> bool:
        """Store the chosen character, as the user says it is, in the collection named below."""
        from core.datasets import collections

        group = self._group(self.chosen)
        collection = self.collect.collection_name()
        if group is None or not collection:
            self.panel.add_status.setText("Name a collection below first." if group is not None else "")
            return False
        character = self.reading.characters[self.chosen]
        label = self._fixed.get(group) or character.label
        _, strokes = self.chosen_drawing()
        try:
            collections.add_sample(collection, label, character.prediction.image, strokes=strokes)
        except InkLabError as err:
            self.panel.add_status.setText(user_message(err))
            return False
        log.info("added one character of a line to %s", collection)
        self.panel.add_status.setText(f"Added “{label}”.")
        self.collect.refresh_collections()
        self.collect.collection_combo.setEditText(collection)
        self.collect.refresh_counts()
        self.sample_added.emit(collection)
        return True

    def chosen_drawing(self):
        """The chosen character's (28x28, strokes), or (None, None): what "Add to my data set" stores."""
        group = self._group(self.chosen)
        if group is None:
            return None, None
        image = self.reading.characters[self.chosen].prediction.image
        if self.pad.is_empty():  # a character of an opened picture: its image, no strokes
            return image, None
        strokes = self.pad.strokes()
        return image, [strokes[i][:, :3] for i in group]


def _timed(read: Callable[[], Reading]) -> tuple[Reading, float]:
    """(what ``read`` returns, how long it took in ms)."""
    started = time.perf_counter()
    reading = read()
    return reading, (time.perf_counter() - started) * 1000
