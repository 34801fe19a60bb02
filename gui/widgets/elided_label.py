"""A one-line label that shortens its text with "…" to fit, instead of cutting it mid-word.

A status line that is wider than its place must neither widen the window nor lose its end
silently ("…0:00 left -"): the label shows as much as fits, ends it with "…", and keeps the
whole text in its tooltip.  Put what matters most at the start of the text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy


class ElidedLabel(QLabel):
    """A QLabel for one line of plain text, elided on the right to its width."""

    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(parent)
        self._full = ""
        # Never wider than its place: the layout gives it the room there is.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        """The whole text, however much of it is shown."""
        return self._full

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        shown = self._full if width <= 0 else self.fontMetrics().elidedText(
            self._full, Qt.TextElideMode.ElideRight, width)
        super().setText(shown)
