"""How errors reach the user: an inline banner in the window, never a traceback dialog.

``user_message`` turns an exception into one readable line: an :class:`InkLabError` already
carries a message a person can act on; anything else is a bug, so the line says so and
points at the log file where the traceback went.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton

log = logging.getLogger("inklab.gui")

_COLOURS = {
    # level: (background, border, text)
    "error": ("#fde8e8", "#e0a0a0", "#7a1010"),
    "warning": ("#fff4d6", "#e0c070", "#6a4a00"),
    "info": ("#e6f0fb", "#9dbbe0", "#153a66"),
}


def log_file_hint() -> str:
    """Where details go, for the end of an error line ('' when no log file is configured)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            return f" Details are in {handler.baseFilename}."
    return ""


def user_message(error: BaseException, *, logged: bool = False) -> str:
    """One readable line for ``error``; the traceback of an unexpected one goes to the log."""
    from core.errors import InkLabError

    if isinstance(error, InkLabError):
        return str(error)
    if not logged:
        log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    text = str(error) or type(error).__name__
    return f"Something went wrong: {text}.{log_file_hint()}"


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


def install_excepthook(show: Callable[[str], None]) -> None:
    """Route uncaught exceptions (e.g. in a slot) to the log and to ``show(line)``, never a crash.

    Qt would otherwise print the traceback to a terminal the user does not see, and a
    default hook in some set-ups aborts the process.
    """
    previous = sys.excepthook

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        log.error("uncaught exception:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        try:
            show(user_message(exc, logged=True) if exc is not None else f"Something went wrong.{log_file_hint()}")
        except Exception:  # the hook itself must never raise
            log.exception("could not show the error message")

    sys.excepthook = hook
