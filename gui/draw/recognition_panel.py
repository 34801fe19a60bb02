"""The recognition panel: what the model sees (28x28), its answer, how sure it is, how long
it took, and every class probability.

It only shows what the tab hands it; the tab decides when to predict.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from core.models.recognizer import Prediction
from gui.widgets.elided_label import ElidedLabel
from gui.widgets.image import to_pixmap
from gui.widgets.probability_bars import ProbabilityBars

PREVIEW_SIZE = 140  # 5 screen pixels per model pixel (6 made the tab taller than a 1280x680 window)
EMPTY_HINT = "Draw a character"
UNSURE_COLOUR = "#b26a00"
SURE_COLOUR = "#1b1f24"
QUIET_COLOUR = "#57606a"


class RecognitionPanel(QWidget):
    """The 28x28 preview, the big answer with its message and timing, and the probability bars."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = QLabel()
        self.preview.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.preview.setStyleSheet("background: black; border: 1px solid #8c959f;")
        self.preview.setToolTip("The 28x28 image the model sees: white ink on black, centred like MNIST")
        preview_caption = QLabel("What the model sees (28×28)")
        preview_caption.setStyleSheet(f"color: {QUIET_COLOUR};")
        preview_caption.setWordWrap(True)  # two lines rather than a wider tab (presenter view)
        preview_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        preview_box = QVBoxLayout()
        preview_box.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        preview_box.addWidget(preview_caption, 0, Qt.AlignmentFlag.AlignHCenter)

        self.answer = QLabel("")
        self.answer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        big = QFont(self.answer.font())
        big.setPointSize(72)
        big.setBold(True)
        self.answer.setFont(big)
        self.answer.setMinimumSize(QSize(150, 120))
        self.message = QLabel("")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        medium = QFont(self.message.font())
        medium.setPointSizeF(medium.pointSizeF() * 1.25)
        self.message.setFont(medium)
        # What the model considered when it said "not a letter", or that it cannot say so.
        # One line, always there: its text changing never moves anything.
        self.detail = ElidedLabel(" ")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setStyleSheet(f"color: {QUIET_COLOUR};")
        self.timing = QLabel("")
        self.timing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.timing.setStyleSheet("color: #8c959f;")
        answer_box = QVBoxLayout()
        answer_box.addStretch(1)
        answer_box.addWidget(self.answer)
        answer_box.addWidget(self.message)
        answer_box.addWidget(self.detail)
        answer_box.addWidget(self.timing)
        answer_box.addStretch(1)

        result_row = QHBoxLayout()
        result_row.addLayout(preview_box)
        result_row.addLayout(answer_box, 1)

        self.bars = ProbabilityBars(self)
        self.bars.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(result_row)
        layout.addWidget(self.bars, 1)

    def show_image(self, image: np.ndarray) -> None:
        """Show the 28x28 the model reads (white on black)."""
        self.preview.setPixmap(to_pixmap(image, PREVIEW_SIZE))

    def show_prediction(self, prediction: Prediction, elapsed_ms: float, source: str = "",
                        can_reject: bool = True) -> None:
        """The answer, coloured by how sure the model is; ``source`` names an opened file.

        ``can_reject``: whether the model has a "not a character" output; a model without
        one always picks one of its classes, and the panel says so under the answer.
        """
        colour = UNSURE_COLOUR if prediction.unsure else SURE_COLOUR
        if can_reject:
            self.detail.setText(prediction.best_guesses() if prediction.status == "not-a-character" else " ")
        else:
            self.detail.setText(f"This model always picks one of its {len(prediction.probabilities)} classes.")
        self.detail.setToolTip("" if can_reject else
                               "It has no \"not a character\" output: a scribble still gets one of its classes")
        if prediction.status == "not-a-character":  # a scribble: no character to show big
            self.answer.setText("—")
            self.answer.setStyleSheet(f"color: {UNSURE_COLOUR}; font-size: 72pt;")
            self.message.setText(prediction.message)
            self.message.setStyleSheet(f"color: {UNSURE_COLOUR};")
            self.timing.setText(f"{source} · {elapsed_ms:.1f} ms" if source else f"{elapsed_ms:.1f} ms")
            self.bars.set_probabilities(prediction.probabilities)
            return
        self.answer.setText(prediction.label)
        # Custom classes may be words ("circle"): shrink those so they fit beside the preview.
        size = 72 if len(prediction.label) <= 2 else max(18, 150 // len(prediction.label))
        self.answer.setStyleSheet(f"color: {colour}; font-size: {size}pt;")
        if prediction.unsure:
            self.message.setText(prediction.message)
        else:
            self.message.setText(f"{prediction.confidence:.0%} sure")
        self.message.setStyleSheet(f"color: {colour};")
        self.timing.setText(f"{source} · {elapsed_ms:.1f} ms" if source else f"{elapsed_ms:.1f} ms")
        self.bars.set_probabilities(prediction.probabilities)

    def show_waiting(self, text: str) -> None:
        """No answer (yet): the preview stays, ``text`` says why."""
        self.answer.setText("")
        self.bars.set_probabilities(None)
        self.detail.setText(" ")
        self.timing.setText("")
        self.message.setStyleSheet(f"color: {QUIET_COLOUR};")
        self.message.setText(text)

    def show_empty(self, text: str = EMPTY_HINT) -> None:
        """Nothing to read: a black preview and ``text`` (the hint, or why a drawing cannot be read)."""
        self.show_image(np.zeros((28, 28), np.float32))
        self.show_waiting(text)
