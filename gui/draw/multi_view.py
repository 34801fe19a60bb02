"""What the Draw tab shows in "Several characters" mode: faint boxes on the pad, the line
read as a string, one button per character, and the chosen character's alternatives.

Only views: they show a :class:`core.models.reading.Reading` and the user's corrections
handed to them, and say which character was chosen or what it should be
(:class:`gui.draw.multi_mode.MultiMode` decides what that means).
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.models.reading import Character
from gui.widgets.image import to_pixmap

UNSURE_COLOUR = "#b26a00"
SURE_COLOUR = "#1b1f24"
FIXED_COLOUR = "#1a7f37"  # a character the user corrected
QUIET_COLOUR = "#57606a"
BOX_COLOUR = QColor(9, 105, 218, 70)
CHOSEN_COLOUR = QColor(9, 105, 218, 200)
HINT = "Write a number or a word, left to right"
ALTERNATIVES = 3


def _percent(p: float) -> str:
    return "<1%" if p < 0.005 else f"{p:.0%}"


def shown_label(character: Character, fixed: str | None) -> str:
    """What the string shows for a character: the user's correction, else the model's answer."""
    return fixed if fixed is not None else character.label


class CharacterBoxes(QWidget):
    """A faint box around each character on the pad, with its answer and confidence above it.

    A child of the pad covering it exactly and transparent to the mouse, so drawing goes on
    as before; the pad itself is not changed.
    """

    def __init__(self, pad: QWidget) -> None:
        super().__init__(pad)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self._items: list[tuple[QRectF, str, bool]] = []
        self._chosen = -1
        self.setGeometry(pad.rect())
        pad.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False

    def show_boxes(self, items: list[tuple[tuple[float, float, float, float], str, bool]], chosen: int) -> None:
        """``items``: (box in pad coordinates, caption, unsure) per character; ``chosen`` is outlined."""
        self._items = [(QRectF(x0, y0, x1 - x0, y1 - y0).adjusted(-6, -6, 6, 6), text, unsure)
                       for (x0, y0, x1, y1), text, unsure in items]
        self._chosen = chosen
        self.update()

    def clear(self) -> None:
        self.show_boxes([], -1)

    def captions(self) -> list[str]:
        """The caption shown above each box (tests read it)."""
        return [text for _, text, _ in self._items]

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self._items:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 0.95)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        for k, (rect, text, unsure) in enumerate(self._items):
            chosen = k == self._chosen
            pen = QPen(CHOSEN_COLOUR if chosen else BOX_COLOUR, 2 if chosen else 1)
            if unsure and not chosen:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 4, 4)
            painter.setPen(QColor(UNSURE_COLOUR if unsure else QUIET_COLOUR))
            top = max(metrics.ascent() + 1.0, rect.top() - 3)
            painter.drawText(int(rect.left()), int(top), text)
        painter.end()


class MultiPanel(QWidget):
    """The line as a string, a button per character, and the chosen one's alternatives.

    Signals: ``chosen(index)`` when a character is clicked, ``corrected(label)`` when the user
    says what the chosen character is, ``add_requested()`` for "Add it to …".
    """

    chosen = Signal(int)
    corrected = Signal(str)
    add_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.answer = QLabel("")
        self.answer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.answer.setTextFormat(Qt.TextFormat.RichText)
        big = QFont(self.answer.font())
        big.setPointSize(40)
        big.setBold(True)
        self.answer.setFont(big)
        self.answer.setMinimumHeight(80)
        self.answer.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.answer.setAccessibleName("What the model reads")
        self.message = QLabel(HINT)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {QUIET_COLOUR};")

        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addStretch(1)
        row_widget = QWidget()
        row_widget.setLayout(self._row)
        self.characters = QScrollArea()
        self.characters.setWidget(row_widget)
        self.characters.setWidgetResizable(True)
        self.characters.setFrameShape(QScrollArea.Shape.NoFrame)
        self.characters.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to its buttons, not to the frame
        self.characters.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.characters.setFixedHeight(76)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._group.idClicked.connect(self.chosen)
        self.buttons: list[QToolButton] = []

        self.detail = self._build_detail()
        # Its width is the column's, never the other way round (see _build_detail).
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.answer)
        layout.addWidget(self.message)
        layout.addWidget(self.characters)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        self.show_message(HINT)

    def _build_detail(self) -> QWidget:
        """The chosen character: what the model sees, its answer, the alternatives, the fix row.

        Compact on purpose: the panel must never widen the right column (that would shrink
        the pad under the user's writing).
        """
        box = QWidget()
        self.preview = QLabel()
        self.preview.setFixedSize(84, 84)
        self.preview.setStyleSheet("background: black; border: 1px solid #8c959f;")
        self.preview.setToolTip("The 28x28 image the model sees for this character")
        self.detail_text = QLabel("")
        self.detail_text.setWordWrap(True)
        self.detail_text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.alternatives = QHBoxLayout()
        that_is = QLabel("That is a")
        self.alternatives.addWidget(that_is)
        self.alternative_buttons: list[QPushButton] = []
        for _ in range(ALTERNATIVES):
            button = QPushButton()
            button.clicked.connect(lambda _=False, b=button: self.corrected.emit(b.property("label")))
            self.alternatives.addWidget(button)
            self.alternative_buttons.append(button)
        self.label_combo = QComboBox()
        self.label_combo.setToolTip("Any class of the model")
        self.label_combo.setAccessibleName("That is a")
        self.label_combo.activated.connect(lambda _=0: self.corrected.emit(self.label_combo.currentText()))
        that_is.setBuddy(self.label_combo)  # screen readers on Linux name the box by its label
        self.alternatives.addWidget(self.label_combo)
        self.alternatives.addStretch(1)
        self.add_button = QPushButton("Add it")
        self.add_button.clicked.connect(self.add_requested)
        self.add_button.setMaximumWidth(300)
        self.add_status = QLabel("")
        self.add_status.setStyleSheet(f"color: {QUIET_COLOUR};")
        self.add_status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_button)
        add_row.addWidget(self.add_status, 1)
        text_box = QVBoxLayout()
        text_box.addWidget(self.detail_text)
        text_box.addLayout(self.alternatives)
        text_box.addLayout(add_row)
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(text_box, 1)
        return box

    def show_message(self, text: str) -> None:
        """Nothing read (yet): ``text`` says why; the string, the buttons and the detail go."""
        self.answer.setText("")
        self.message.setText(text)
        self._set_buttons([])
        self.detail.setVisible(False)

    def show_reading(self, characters: list[Character], fixed: list[str | None], note: str) -> None:
        """The string (unsure characters orange, corrected ones green) and a button per character."""
        parts = []
        for c, f in zip(characters, fixed, strict=True):
            colour = FIXED_COLOUR if f is not None else UNSURE_COLOUR if c.prediction.unsure else SURE_COLOUR
            parts.append(f'<span style="color:{colour}">{html.escape(shown_label(c, f))}</span>')
        self.answer.setText("".join(parts))
        # A long line gets a smaller font, so it fits the column instead of widening it.
        self.answer.setStyleSheet(f"font-size: {40 if len(characters) <= 10 else max(14, 400 // len(characters))}pt;")
        self.message.setText(note)
        self._set_buttons([self._button_text(c, f) for c, f in zip(characters, fixed, strict=True)],
                          [c.prediction.unsure and f is None for c, f in zip(characters, fixed, strict=True)])

    @staticmethod
    def _button_text(character: Character, fixed: str | None) -> str:
        if fixed is not None:
            return f"{fixed}\n✓ fixed"
        mark = "?" if character.prediction.unsure else ""
        return f"{character.label}{mark}\n{character.confidence:.0%}"

    def _set_buttons(self, texts: list[str], unsure: list[bool] | None = None) -> None:
        for button in self.buttons:
            self._group.removeButton(button)
            button.deleteLater()
        self.buttons = []
        for k, text in enumerate(texts):
            button = QToolButton()
            button.setText(text)
            button.setCheckable(True)
            button.setMinimumWidth(44)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            if unsure and unsure[k]:
                button.setStyleSheet(f"color: {UNSURE_COLOUR};")
            button.setToolTip("Click to see the alternatives and correct it")
            button.setAccessibleName(f"Character {k + 1}: {text.replace(chr(10), ', ')}")
            self._group.addButton(button, k)
            self._row.insertWidget(self._row.count() - 1, button)
            self.buttons.append(button)

    def show_detail(self, index: int, character: Character, fixed: str | None, labels: list[str],
                    collection: str) -> None:
        """The chosen character: what the model sees, its answer, alternatives and the fix row."""
        if 0 <= index < len(self.buttons):
            self.buttons[index].setChecked(True)
        self.preview.setPixmap(to_pixmap(character.prediction.image, 84))
        p = character.prediction
        said = {"sure": "sure", "unsure": "not sure", "not-a-character": "not a character, it thinks"}[p.status]
        text = f"Character {index + 1}: read as {p.label} ({p.confidence:.0%}, {said})"
        if character.word_label is not None:
            text += f"; the word list made it {character.word_label}"
        if fixed is not None:
            text += f"; you said {fixed}"
        self.detail_text.setText(text)
        others = [(label, prob) for label, prob in p.top if label != (fixed or character.label)][:ALTERNATIVES]
        for button, item in zip(self.alternative_buttons, others + [None] * ALTERNATIVES, strict=False):
            button.setVisible(item is not None)
            if item is not None:
                button.setText(f"{item[0]} ({_percent(item[1])})")
                button.setToolTip(f"That is a {item[0]}")
                button.setProperty("label", item[0])
        if [self.label_combo.itemText(i) for i in range(self.label_combo.count())] != labels:
            self.label_combo.clear()
            self.label_combo.addItems(labels)
        self.label_combo.setCurrentText(fixed or character.label)
        self.add_button.setEnabled(bool(collection))
        label = fixed or character.label
        text = f"Add “{label}” to {collection}" if collection else "Add it to a collection"
        metrics = self.add_button.fontMetrics()
        self.add_button.setText(metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, 270))
        self.add_button.setToolTip("Keep this character, labelled, in your collection" if collection
                                   else "Name a collection below first")
        self.detail.setVisible(True)

    def hide_detail(self) -> None:
        self.detail.setVisible(False)
        checked = self._group.checkedButton()
        if checked is not None:
            self._group.setExclusive(False)
            checked.setChecked(False)
            self._group.setExclusive(True)
