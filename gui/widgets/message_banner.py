"""The message line of a tab (errors, warnings, notes), in the tab's layout.

Errors become their line in :mod:`gui.errors`; this is only where the line is shown.  A
message may carry one action ("Undo", "Import files…").

The line keeps its place in the layout whether or not a message shows (one line's height,
more only while a long message wraps), so a message never covers a control, and showing
or dismissing one never moves the controls around it.  Information and warnings go away
by themselves after a few seconds (not while the pointer rests on them); errors stay until
dismissed.  A click on the message, its ✕ or Esc (pressed anywhere in the host it
watches, see :meth:`MessageBanner.dismiss_on_escape`) dismisses it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

_COLOURS = {
    # level: (background, border, text)
    "error": ("#fde8e8", "#e0a0a0", "#7a1010"),
    "warning": ("#fff4d6", "#e0c070", "#6a4a00"),
    "info": ("#e6f0fb", "#9dbbe0", "#153a66"),
}
#: How long a message that is not an error stays (ms); one with an action (Undo) a little longer.
TRANSIENT_MS = 6000
TRANSIENT_WITH_ACTION_MS = 10000
STICKY_LEVELS = ("error",)


class MessageBanner(QWidget):
    """A one-line message place in a layout: ``show_message(text, level, action=(label, callback))``.

    ``level`` is ``error`` (stays until dismissed), ``warning`` or ``info`` (go away after
    :data:`TRANSIENT_MS`).  The widget itself is always in the layout; :meth:`is_showing`
    says whether a message is up.
    """

    closed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._level = "info"
        self._action: Callable[[], None] | None = None
        self._hovered = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._expire)

        self.box = QFrame(self)
        self.box.setObjectName("MessageBanner")
        self._label = QLabel()
        self._label.setWordWrap(True)
        # Selectable, so an error naming a file can be copied; a plain click still dismisses.
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._label.installEventFilter(self)
        self.action_button = QPushButton()
        self.action_button.hide()
        self.action_button.clicked.connect(self._run_action)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss (Esc)")
        self.close_button.setAccessibleName("Dismiss the message")
        self.close_button.clicked.connect(self.clear)
        row = QHBoxLayout(self.box)
        row.setContentsMargins(10, 3, 4, 3)
        row.addWidget(self._label, 1)
        row.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.box)
        self.setAccessibleName("Message")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        # One line's height, reserved whether or not a message shows (measured as shown: styled).
        self._style("info")
        self._label.setText("Xg")
        self.action_button.setText("Xg")
        self.action_button.show()
        self.box.layout().activate()
        self._line_height = max(self.box.sizeHint().height(), self.box.heightForWidth(1000))
        self.action_button.hide()
        self._label.setText("")
        self.setFixedHeight(self._line_height)
        self.box.hide()

    # ---- showing and dismissing

    def show_message(self, text: str, level: str = "info",
                     action: tuple[str, Callable[[], None]] | None = None) -> None:
        """Show ``text`` (an empty text dismisses); see the class docstring for how long."""
        if not text:
            self.clear()
            return
        self._level = level
        self._style(level)
        self._label.setText(text)
        self._label.setToolTip("Click to dismiss" if level in STICKY_LEVELS else "Click to dismiss (goes away by itself)")
        self._action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(action is not None)
        self.box.show()
        self.setAccessibleDescription(text)
        self._fit_height()
        self._timer.stop()
        if level not in STICKY_LEVELS:
            self._timer.start(TRANSIENT_WITH_ACTION_MS if action else TRANSIENT_MS)

    def _style(self, level: str) -> None:
        background, border, colour = _COLOURS.get(level, _COLOURS["info"])
        self.box.setStyleSheet(
            f"#MessageBanner {{ background: {background}; border: 1px solid {border}; border-radius: 4px; }}"
            f"#MessageBanner QLabel {{ color: {colour}; }}"
        )

    def show_error(self, text: str, action: tuple[str, Callable[[], None]] | None = None) -> None:
        self.show_message(text, "error", action)

    def show_info(self, text: str, action: tuple[str, Callable[[], None]] | None = None) -> None:
        self.show_message(text, "info", action)

    def clear(self) -> None:
        """Dismiss the message (the line keeps its place)."""
        was_showing = self.is_showing()
        self._timer.stop()
        self._label.setText("")
        self._action = None
        self.box.hide()
        self.setAccessibleDescription("")
        self.setFixedHeight(self._line_height)
        if was_showing:
            self.closed.emit()

    def is_showing(self) -> bool:
        """Whether a message is up (the line itself is always there)."""
        return not self.box.isHidden()

    def text(self) -> str:
        return self._label.text() if self.is_showing() else ""

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

    def _expire(self) -> None:
        if self._hovered:  # being read: wait until the pointer leaves
            self._timer.start(1500)
        else:
            self.clear()

    # ---- size: one line reserved; a long message wraps and takes what it needs

    def _fit_height(self) -> None:
        width = self.width() if self.width() > 100 else max(400, self.sizeHint().width())
        layout = self.box.layout()
        layout.activate()
        needed = self.box.heightForWidth(width) if self.box.hasHeightForWidth() else -1
        self.setFixedHeight(max(self._line_height, needed))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.is_showing() and event.oldSize().width() != event.size().width():
            QTimer.singleShot(0, self, self._fit_height)  # with itself as context: not after it is gone

    # ---- dismissing by pointer and by key

    def enterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._hovered = True
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._hovered = False
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton and self.is_showing():
            self.clear()
        super().mouseReleaseEvent(event)

    def dismiss_on_escape(self, host: QWidget) -> None:
        """Esc pressed anywhere in ``host`` (and not used by the field that has focus) dismisses."""
        host.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if watched is self._label:
            if (kind == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton
                    and not self._label.hasSelectedText()):
                self.clear()  # a click, not a text selection
                return True
            return False
        if kind == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape and self.is_showing():
            self.clear()
            return True
        return False


def dismiss_showing(root: QWidget) -> bool:
    """Dismiss the messages showing under ``root``; True when there was one (for Esc handlers)."""
    showing = [b for b in root.findChildren(MessageBanner) if b.is_showing() and b.isVisible()]
    for banner in showing:
        banner.clear()
    return bool(showing)

