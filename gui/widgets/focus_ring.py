"""A focus ring anyone can see: a 2 px blue frame around the widget the keyboard is on.

The style's own focus mark is a faint outline (on some controls a 1 px tint), too weak to
follow with Tab.  The ring is drawn over the window, around the focused widget, whenever
the focus arrived by keyboard (Tab, Shift+Tab, a shortcut); a mouse click hides it, as
browsers do with ``:focus-visible``.  It never takes clicks or focus itself.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget
from shiboken6 import isValid

RING_COLOUR = QColor("#0b5cd5")  # 5.9:1 on the window's light grey
RING_WIDTH = 2
_KEYBOARD = (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason, Qt.FocusReason.ShortcutFocusReason)
FOLLOW_MS = 120  # while shown, the ring follows its widget (it may scroll or move)


class FocusRing(QWidget):
    """The ring over one window; made and moved by :class:`FocusRings`."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("FocusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.target: QWidget | None = None
        self.hide()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(RING_COLOUR, RING_WIDTH))
        half = RING_WIDTH / 2
        painter.drawRoundedRect(self.rect().toRectF().adjusted(half, half, -half, -half), 3, 3)
        painter.end()

    def place(self) -> None:
        """Around the target, within the part of it that is on screen; hidden when it is not shown."""
        target = self.target
        if target is None or not target.isVisible() or target.window() is not self.parentWidget():
            self.hide()
            return
        area = QRect(target.mapTo(self.parentWidget(), QPoint(0, 0)), target.size())
        parent = target.parentWidget()
        while parent is not None and parent is not self.parentWidget():  # cut to the scrolling panels
            if isinstance(parent, QAbstractScrollArea):
                view = parent.viewport()
                area = area.intersected(QRect(view.mapTo(self.parentWidget(), QPoint(0, 0)), view.size()))
            parent = parent.parentWidget()
        if area.isEmpty():
            self.hide()
            return
        margin = RING_WIDTH + 1
        self.setGeometry(area.adjusted(-margin, -margin, margin, margin))
        self.show()
        self.raise_()


class FocusRings(QObject):
    """Watches focus changes for the whole application and moves each window's ring."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(FOLLOW_MS)
        self._timer.timeout.connect(self._follow)
        self.ring: FocusRing | None = None
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.FocusIn and isinstance(watched, QWidget) and not isinstance(watched, FocusRing):
            if event.reason() in _KEYBOARD:
                self.show_on(watched)
            elif event.reason() != Qt.FocusReason.ActiveWindowFocusReason:
                self.hide()
        elif kind == QEvent.Type.MouseButtonPress and self._timer.isActive():
            self.hide()
        return False

    def show_on(self, widget: QWidget) -> None:
        """Ring ``widget`` (the keyboard's focus) in its window."""
        window = widget.window()
        if self.ring is not None and not isValid(self.ring):
            self.ring = None  # its window is gone
        if self.ring is None or self.ring.parentWidget() is not window:
            if self.ring is not None:
                self.ring.deleteLater()
            self.ring = FocusRing(window)
        self.ring.target = widget
        self.ring.place()
        self._timer.start()

    def hide(self) -> None:
        self._timer.stop()
        if self.ring is not None and isValid(self.ring):
            self.ring.target = None
            self.ring.hide()

    def _follow(self) -> None:
        if self.ring is None or not isValid(self.ring) or self.ring.target is None or not isValid(self.ring.target):
            self._timer.stop()
            return
        if QApplication.focusWidget() is not self.ring.target:
            self.hide()
            return
        self.ring.place()
