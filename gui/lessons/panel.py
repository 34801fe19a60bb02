"""The lesson side panel: the lesson's title and summary, then its 3-6 steps, each with a button.

A plain widget (the window puts it in a dock on the right).  A step's button emits
``action(step_index, action)``; the step is then ticked, so the class sees how far it is.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

DONE = "✓"


class LessonPanel(QScrollArea):
    """Shows one :class:`core.lessons.Lesson`; ``action(index, name)`` when a step's button is pressed."""

    action = Signal(int, str)
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lesson = None
        self.step_buttons: list[QPushButton | None] = []
        self.step_marks: list[QLabel] = []
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(220)

    def show_lesson(self, lesson) -> None:
        """Lay out ``lesson``'s steps (a fresh panel: no step ticked)."""
        self.lesson = lesson
        body = QWidget()
        col = QVBoxLayout(body)
        col.setContentsMargins(8, 8, 8, 8)
        self.title = QLabel(f"<b>Lesson {lesson.number}: {lesson.title}</b>")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        col.addWidget(self.title)
        if lesson.summary:
            summary = QLabel(lesson.summary)
            summary.setWordWrap(True)
            col.addWidget(summary)
        config = lesson.config()
        setup = QLabel(f"<i>{config.dataset} · {config.preset} · {config.epochs} epochs"
                       f"{f' · {config.limit:,} samples' if config.limit else ''}</i>")
        setup.setWordWrap(True)
        col.addWidget(setup)
        self.step_buttons, self.step_marks, self.step_texts = [], [], []
        for i, step in enumerate(lesson.steps):
            row = QHBoxLayout()
            mark = QLabel(f"{i + 1}.")
            mark.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
            mark.setMinimumWidth(mark.fontMetrics().horizontalAdvance(f"{DONE} 6.") + 2)
            text = QLabel(step.text)
            text.setWordWrap(True)
            inner = QVBoxLayout()
            inner.addWidget(text)
            button = None
            if step.action:
                button = QPushButton(step.button_text)
                button.setAccessibleName(f"Step {i + 1}: {step.button_text}")
                button.clicked.connect(lambda _=False, i=i, a=step.action: self._pressed(i, a))
                inner.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
            row.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
            row.addLayout(inner, 1)
            col.addLayout(row)
            col.addSpacing(6)
            self.step_marks.append(mark)
            self.step_texts.append(text)
            self.step_buttons.append(button)
        col.addStretch(1)
        close = QPushButton("Close the lesson")
        close.clicked.connect(self.close_requested)
        col.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        self.close_button = close
        self.setWidget(body)

    def _pressed(self, index: int, action: str) -> None:
        self.mark_done(index)
        self.action.emit(index, action)

    def mark_done(self, index: int) -> None:
        self.step_marks[index].setText(f"{DONE} {index + 1}.")

    def done_steps(self) -> list[int]:
        return [i for i, mark in enumerate(self.step_marks) if mark.text().startswith(DONE)]
