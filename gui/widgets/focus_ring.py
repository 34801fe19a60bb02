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
    """Watches focus changes for the whole application and moves each window's ring.

    Qt itself marks a window with ``WA_KeyboardFocusChange`` when its focus moved by
    keyboard (Tab, Shift+Tab, a shortcut) and clears the mark when a click moves it: the
    ring follows ``focusChanged`` and that mark, so no Python runs for the application's
    other events.  An application-wide event filter (every paint, timer and posted event
    of every widget through Python) cost a training run from the window a Python call
    and a GIL hand-over per event; now one is installed only while a ring is shown, to
    hide it on a click that moves no focus (issue 28).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(FOLLOW_MS)
        self._timer.timeout.connect(self._follow)
        self.ring: FocusRing | None = None
        self._filtering = False
        QApplication.instance().focusChanged.connect(self._on_focus_changed)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or not isValid(new) or isinstance(new, FocusRing):
            return  # the window lost focus (another window or none): leave the ring as it is
        if new.window().testAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange):
            self.show_on(new)
        else:
            self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.MouseButtonPress:  # installed only while a ring is shown
            self.hide()
        return False

    def _filter(self, on: bool) -> None:
        if on != self._filtering:
            self._filtering = on
            app = QApplication.instance()
            if on:
                app.installEventFilter(self)
            else:
                app.removeEventFilter(self)

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
        self._filter(True)

    def hide(self) -> None:
        self._timer.stop()
        self._filter(False)
        if self.ring is not None and isValid(self.ring):
            self.ring.target = None
            self.ring.hide()

    def _follow(self) -> None:
        if self.ring is None or not isValid(self.ring) or self.ring.target is None or not isValid(self.ring.target):
            self.hide()
            return
        if QApplication.focusWidget() is not self.ring.target:
            self.hide()
            return
        self.ring.place()
