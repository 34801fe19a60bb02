"""A one-line label that elides its text to the width it is given, with the whole text as tooltip.

A plain QLabel asks for the width of its whole text, so a long data-set name or progress
message widens its panel (and the window: loading pendigits once grew it from 1280 to
1306 px), and a status line wider than its place lost its end silently ("…0:00 left -").
This label asks for almost nothing, shows as much as fits, ends or middles it with "…"
("my-sym…ings)" with ``Qt.ElideMiddle``) and keeps the full text in its tooltip and in
:meth:`text`.  Put what matters most at the start of the text.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QSizePolicy


class ElidedLabel(QLabel):
    """A QLabel for plain text that never asks for more width than ``minimum_chars`` characters."""

    def __init__(self, text: str = "", parent=None, mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
                 minimum_chars: int = 4) -> None:
        super().__init__(parent)
        self._full = ""
        self._mode = mode
        self._minimum_chars = minimum_chars
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self._full = text or ""
        self.setToolTip(self._full)
        self._elide()

    def text(self) -> str:
        """The whole text, not the elided one shown."""
        return self._full

    full_text = text

    def shown_text(self) -> str:
        """What is drawn now (elided to the label's width)."""
        return super().text()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        metrics = QFontMetrics(self.font())
        return QSize(metrics.averageCharWidth() * self._minimum_chars, metrics.height())

    def sizeHint(self) -> QSize:  # noqa: N802
        metrics = QFontMetrics(self.font())
        return QSize(min(metrics.horizontalAdvance(self._full), 200), metrics.height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        shown = self._full if width <= 0 else QFontMetrics(self.font()).elidedText(self._full, self._mode, width)
        QLabel.setText(self, shown)
