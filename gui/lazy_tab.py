"""A tab page built the first time it is shown, its content in a scroll area.

The window's tabs are built lazily (see :mod:`gui.main_window`): their imports (Keras among
them) never delay the window.  Each built tab sits in a scroll area, so a window smaller
than the tab needs (a 1024x640 screen) scrolls it instead of growing past the screen.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

AFTER_PAINT_FALLBACK_MS = 500
# A tab shown while it is still being made ahead says so and is finished by the work ahead,
# a piece per turn of the event loop; this long at most, then the rest is made at once.
AHEAD_WAIT_MS = 4000


class TabScrollArea(QScrollArea):
    """Shows a tab at the size of the window, but never below the tab's minimum size: scrolls then.

    Not ``widgetResizable``: Qt's resizable scroll area sizes a content with word-wrapped
    labels at its *preferred* height for the width (heightForWidth), which scrolled a tab
    that fitted its minimum size with room to spare.
    """

    def __init__(self, content: QWidget) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the tab's controls, not to this frame
        self.setWidgetResizable(False)
        self.setWidget(content)
        content.installEventFilter(self)
        self._refit = QTimer(self)  # owned: it dies with the area (a bare singleShot outlived it)
        self._refit.setSingleShot(True)
        self._refit.timeout.connect(self._fit)
        self._fit()

    def _fit(self) -> None:
        content = self.widget()
        if content is None:
            return
        least = content.minimumSizeHint().expandedTo(content.minimumSize())
        size = self.viewport().size().expandedTo(least)
        if content.size() != size:
            content.resize(size)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._refit.start(0)  # the tab's minimum size may have changed
        return False


class LazyTab(QWidget):
    """A tab page that builds its real widget the first time it is shown.

    ``factory`` returns the widget, or None when its module is not part of this build.
    With ``after_paint`` the build waits for the next turn of the event loop, so the
    window's first paint is not held up by it.
    """

    def __init__(
        self,
        title: str,
        factory: Callable[[], QWidget | None],
        after_paint: bool = False,
        on_built: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.title, self.factory, self.after_paint, self.on_built = title, factory, after_paint, on_built
        self.widget: QWidget | None = None
        self.scroll_area: TabScrollArea | None = None  # around the widget, once attached
        self.built = False
        self._ahead = None  # the steps making it ahead (ahead())
        self._ahead_done = False
        self._waiting: QLabel | None = None  # "Preparing…", while shown before made ahead
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.after_paint:
            if self._ahead is not None and not self._ahead_done and not self.built:
                self._wait_for_ahead()  # made at once here, the rest froze the window ~0.15 s
            else:
                self.ensure_built()
        elif not self.built:
            # A zero timer set here fires before the window's first paint; paintEvent's
            # does not.  This one only covers a window that is never painted (minimised).
            QTimer.singleShot(AFTER_PAINT_FALLBACK_MS, self.ensure_built)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.after_paint and not self.built:
            QTimer.singleShot(0, self.ensure_built)

    def _wait_for_ahead(self) -> None:
        """Shown while being made ahead: say so; the work ahead finishes it (see :meth:`_made_ahead`)."""
        if self._waiting is None:
            self._waiting = QLabel(f"Preparing the {self.title} tab…")
            self._waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._layout.addWidget(self._waiting)
            QTimer.singleShot(AHEAD_WAIT_MS, self, self._shown_ready)

    def _shown_ready(self) -> None:
        if self.isVisible():
            self.ensure_built()

    def ensure_built(self) -> QWidget:
        """Build the real tab now if that has not happened yet (finishing one made ahead); return it."""
        if self.built:
            return self.widget
        self.built = True
        if self._waiting is not None:
            self._waiting.deleteLater()
            self._waiting = None
        for _ in self._ahead or ():
            pass  # what was not made ahead yet, at once
        if self.widget is None:
            self._make()
        if self.widget is not None and self.scroll_area is None:
            self._attach()  # (also one whose making ahead failed half way)
        if self.on_built is not None:
            self.on_built()
        return self.widget

    def ahead(self):
        """The tab made ahead, hidden, a piece per step (an iterator; :mod:`gui.prefetch` drives it).

        The widget itself, then its own ``build_steps()`` when it has them, then one offscreen
        paint at the page's size (the first paint of the Training tab's plots cost as much as
        making them).  Its ``on_built`` (restoring its settings, which may start TensorFlow)
        still waits for the first show.
        """
        if self._ahead is None:
            self._ahead = self._made_ahead()
        return self._ahead

    def _made_ahead(self):
        try:
            if self.widget is not None:
                return
            self._make()
            if self.widget is None:
                return
            yield
            steps = getattr(self.widget, "build_steps", None)
            if steps is not None:
                yield from steps()
            self._attach()
            yield
            if not self.built and self._waiting is None:  # (on show: it paints on screen anyway)
                self.grab()  # laid out and painted once, off screen: the first show paints from warm caches
        finally:
            self._ahead_done = True
            if self._waiting is not None:  # shown meanwhile: the tab is ready now
                QTimer.singleShot(0, self, self._shown_ready)

    def _make(self) -> None:
        self.widget = self.factory()

    def _attach(self) -> None:
        if self._waiting is not None:
            self._waiting.hide()
        # The tab scrolls when the window is smaller than it needs (a 1024x640 screen):
        # its content can then never make the window's minimum size grow.
        self.scroll_area = TabScrollArea(self.widget)
        self._layout.addWidget(self.scroll_area)
        from gui.widgets.wheel_guard import guard_wheel

        guard_wheel(self.widget)  # scrolling a panel never changes the fields under the pointer


def module_tab(module_name: str, class_name: str) -> Callable[[], QWidget]:
    """A factory importing ``module_name`` only when the tab is first shown."""

    def build() -> QWidget:
        return getattr(importlib.import_module(module_name), class_name)()

    return build
