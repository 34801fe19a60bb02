"""A closable one-line message at the top of a tab or the window (errors, warnings, notes).

Errors become their line in :mod:`gui.errors`; this is only where the line is shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton

_COLOURS = {
    # level: (background, border, text)
    "error": ("#fde8e8", "#e0a0a0", "#7a1010"),
    "warning": ("#fff4d6", "#e0c070", "#6a4a00"),
    "info": ("#e6f0fb", "#9dbbe0", "#153a66"),
}


class MessageBanner(QFrame):
    """A closable one-line message shown at the top of a tab or window.

    ``show_message(text, level)`` with level ``error``, ``warning`` or ``info``; hidden when empty.
    """

    closed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBanner")
        self._level = "info"
        self._label = QLabel()
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self._label)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str, level: str = "info") -> None:
        background, border, colour = _COLOURS.get(level, _COLOURS["info"])
        self._level = level
        self.setStyleSheet(
            f"#MessageBanner {{ background: {background}; border: 1px solid {border}; border-radius: 4px; }}"
            f"#MessageBanner QLabel {{ color: {colour}; }}"
        )
        self._label.setText(text)
        self.setVisible(bool(text))

    def show_error(self, text: str) -> None:
        self.show_message(text, "error")

    def show_info(self, text: str) -> None:
        self.show_message(text, "info")

    def clear(self) -> None:
        was_visible = self.isVisible()
        self._label.setText("")
        self.hide()
        if was_visible:
            self.closed.emit()

    def text(self) -> str:
        return self._label.text() if not self.isHidden() else ""

    def level(self) -> str:
        return self._level
