"""A closable one-line message at the top of a tab or the window (errors, warnings, notes).

Errors become their line in :mod:`gui.errors`; this is only where the line is shown.  A
message may carry one action ("Undo", "Import files…").

Shown inside a layout, a banner pushes everything below it down and squeezes the plots
each time it appears; :meth:`MessageBanner.float_over` instead lays it over the top edge
of its host, outside any layout, so showing or closing it never moves or resizes a panel
(or the window).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton, QWidget

_COLOURS = {
    # level: (background, border, text)
    "error": ("#fde8e8", "#e0a0a0", "#7a1010"),
    "warning": ("#fff4d6", "#e0c070", "#6a4a00"),
    "info": ("#e6f0fb", "#9dbbe0", "#153a66"),
}
_OVERLAY_MARGIN = 8


class MessageBanner(QFrame):
    """A closable one-line message shown at the top of a tab or window.

    ``show_message(text, level, action=(label, callback))`` with level ``error``,
    ``warning`` or ``info``; hidden when empty.
    """

    closed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBanner")
        self._level = "info"
        self._host: QWidget | None = None
        self._bottom = False
        self._action: Callable[[], None] | None = None
        self._label = QLabel()
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.action_button = QPushButton()
        self.action_button.hide()
        self.action_button.clicked.connect(self._run_action)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self._label)
        layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def float_over(self, host: QWidget, bottom: bool = False) -> None:
        """Lay the banner over ``host``'s top (or bottom) edge instead of in a layout.

        See the module docstring; the main window uses the bottom edge so that its tab bar
        stays usable while a message shows.
        """
        self._host = host
        self._bottom = bottom
        self.setParent(host)
        self.setAutoFillBackground(True)
        host.installEventFilter(self)
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self._host and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False

    def _place(self) -> None:
        if self._host is None:
            return
        width = max(100, self._host.width() - 2 * _OVERLAY_MARGIN)
        # The height the text needs at this width (a wrapped label's sizeHint assumes a
        # narrower, taller shape than the banner has).
        height = self.heightForWidth(width) if self.hasHeightForWidth() else -1
        if height <= 0:
            height = self.sizeHint().height()
        height = max(height, self.minimumSizeHint().height())
        top = self._host.height() - height - _OVERLAY_MARGIN if self._bottom else _OVERLAY_MARGIN // 2
        self.setGeometry(_OVERLAY_MARGIN, top, width, height)
        self.raise_()

    def show_message(self, text: str, level: str = "info",
                     action: tuple[str, Callable[[], None]] | None = None) -> None:
        background, border, colour = _COLOURS.get(level, _COLOURS["info"])
        self._level = level
        self.setStyleSheet(
            f"#MessageBanner {{ background: {background}; border: 1px solid {border}; border-radius: 4px; }}"
            f"#MessageBanner QLabel {{ color: {colour}; }}"
        )
        self._label.setText(text)
        self._action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(action is not None)
        self.setVisible(bool(text))
        if text:
            self._place()

    def show_error(self, text: str, action: tuple[str, Callable[[], None]] | None = None) -> None:
        self.show_message(text, "error", action)

    def show_info(self, text: str, action: tuple[str, Callable[[], None]] | None = None) -> None:
        self.show_message(text, "info", action)

    def clear(self) -> None:
        was_visible = self.isVisible()
        self._label.setText("")
        self._action = None
        self.hide()
        if was_visible:
            self.closed.emit()

    def text(self) -> str:
        return self._label.text() if not self.isHidden() else ""

    def level(self) -> str:
        return self._level

    def action_text(self) -> str:
        """The label of the message's action button ('' when it has none)."""
        return self.action_button.text() if self._action is not None else ""

    def _run_action(self) -> None:
        action = self._action
        self.clear()
        if action is not None:
            action()
