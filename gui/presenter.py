"""Presenter view (View > Presenter, F11): the window made readable from the back of a classroom.

Full screen; every font twice its size (the window's, and each label's own heading size);
plot lines and axis text twice as thick and large (a widget with a ``set_presenter(on,
scale)`` method adjusts itself too: a plot's shorter title and larger legend); a
high-contrast palette (black on white, a dark blue selection); the controls a class does not
need on the projector hidden (the Training tab's settings column, save and export buttons;
the Draw tab's file buttons and collection panel; the Datasets tab's import).  Everything
changed is recorded first, so leaving puts back exactly what was there: the window's size
and state, each font, each pen, the palette and which controls were visible.

Tabs are built lazily; entering builds all of them first, so every tab is scaled (a tab
built later would come up at the normal size).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QFormLayout, QMainWindow, QWidget

SCALE = 2.0
LESSON_WIDTH = 340  # an open lesson panel's least width in presenter view (the tabs get the rest of 1280)
# Controls hidden in presenter view, per tab: attribute paths on the tab's widget.
ADVANCED = {
    # The settings column goes whole (the lesson panel and the status line say what is trained);
    # the plots, the model's guesses and the results get the room.
    "Training": ("form", "results.save_name", "results.save_button", "results.csv_button",
                 "results.png_button", "live.earlier_check"),
    "Datasets": ("import_button",),
    "Draw": ("pad_panel.open_button", "pad_panel.save_button", "recognition.timing", "collect", "multi.switch",
             "multi.words_switch"),
}
HIGH_CONTRAST = {
    QPalette.ColorRole.Window: "#ffffff", QPalette.ColorRole.WindowText: "#000000",
    QPalette.ColorRole.Base: "#ffffff", QPalette.ColorRole.AlternateBase: "#eeeeee",
    QPalette.ColorRole.Text: "#000000", QPalette.ColorRole.Button: "#e6e6e6",
    QPalette.ColorRole.ButtonText: "#000000", QPalette.ColorRole.Highlight: "#00308f",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#ffffe0",
    QPalette.ColorRole.ToolTipText: "#000000", QPalette.ColorRole.PlaceholderText: "#444444",
}


@dataclass
class _Saved:
    """What presenter view changed, to put back on leaving."""

    state: Qt.WindowState
    geometry: object
    palette: QPalette
    font: QFont
    fonts: list = field(default_factory=list)  # (widget, QFont)
    hidden: list = field(default_factory=list)  # widget, or (QFormLayout, widget)
    pens: list = field(default_factory=list)  # (item, pen)
    axes: list = field(default_factory=list)  # (axis, tick font, label style)
    titles: list = field(default_factory=list)  # (plot item, text, options)
    splitters: list = field(default_factory=list)  # (splitter, sizes)
    docks: list = field(default_factory=list)  # (dock, width)
    rows: list = field(default_factory=list)  # (list item, size hint)
    heights: list = field(default_factory=list)  # (widget, minimum height)
    own: list = field(default_factory=list)  # widgets that present themselves (``set_presenter``)


def _attr(root: object, path: str):
    for part in path.split("."):
        root = getattr(root, part, None)
        if root is None:
            return None
    return root


def _scaled(font: QFont) -> QFont:
    font = QFont(font)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * SCALE)
    elif font.pixelSize() > 0:
        font.setPixelSize(round(font.pixelSize() * SCALE))
    return font


class PresenterView(QObject):
    """Turns presenter view on and off for ``window`` (an InkLab MainWindow)."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._saved: _Saved | None = None

    @property
    def active(self) -> bool:
        return self._saved is not None

    def set_active(self, on: bool) -> None:
        if on and not self.active:
            self.enter()
        elif not on and self.active:
            self.leave()

    def toggle(self) -> None:
        self.set_active(not self.active)

    # ------------------------------------------------------------------ entering

    def enter(self) -> None:
        window = self.window
        for title in window.tab_titles():
            window.tab(title)  # built now, so it is scaled too
        saved = _Saved(window.windowState(), window.geometry(), QPalette(window.palette()), QFont(window.font()))
        self._saved = saved
        for widget in window.findChildren(QWidget):
            # A widget with a style sheet no longer follows its parent's font: scaled itself.
            if widget.testAttribute(Qt.WidgetAttribute.WA_SetFont) or widget.styleSheet():
                saved.fonts.append((widget, QFont(widget.font())))
        self._thicken_plots(saved)  # first: their fonts are scaled from the normal ones
        # A widget that knows how to present itself (a plot's shorter title and larger legend).
        saved.own = [w for w in window.findChildren(QWidget) if callable(getattr(w, "set_presenter", None))]
        for widget in saved.own:
            widget.set_presenter(True, SCALE)
        window.setFont(_scaled(window.font()))
        for widget, font in saved.fonts:
            widget.setFont(_scaled(font))
        palette = QPalette(window.palette())
        for role, colour in HIGH_CONTRAST.items():
            palette.setColor(role, QColor(colour))
        window.setPalette(palette)
        self._hide_advanced(saved)
        self._make_room(saved)
        self._fit_rows(saved)
        window.showFullScreen()
        screen = window.screen()
        if screen is not None:  # without a window manager "full screen" is only a wish
            window.setGeometry(screen.geometry())

    def _hide_advanced(self, saved: _Saved) -> None:
        for title, paths in ADVANCED.items():
            tab = self.window.tab(title)
            for path in paths:
                widget = _attr(tab, path)
                if not isinstance(widget, QWidget) or widget.isHidden():
                    continue
                row = _form_row(widget)
                if row is not None:
                    row[0].setRowVisible(row[1], False)
                    saved.hidden.append(row)
                else:
                    widget.hide()
                    saved.hidden.append(widget)

    def _fit_rows(self, saved: _Saved) -> None:
        """List rows drawn by widgets (the data set list) grow with their larger text."""
        from PySide6.QtCore import QSize
        from PySide6.QtWidgets import QListWidget

        for view in self.window.findChildren(QListWidget):
            for i in range(view.count()):
                item = view.item(i)
                row = view.itemWidget(item)
                if row is not None:
                    saved.rows.append((item, item.sizeHint()))
                    item.setSizeHint(QSize(item.sizeHint().width(), row.sizeHint().height()))

    def _make_room(self, saved: _Saved) -> None:
        """The plots twice their least height, the results below the rest of the Training tab
        (they scroll in their own pane); the Datasets tab's list more of the width; an open
        lesson panel at least LESSON_WIDTH."""
        from PySide6.QtWidgets import QDockWidget, QSplitter

        training = self.window.tab("Training")
        plots = _attr(training, "live.plots")
        if isinstance(plots, QWidget):  # the plots are the lesson: with text twice the size, twice as tall
            saved.heights.append((plots, plots.minimumHeight()))
            plots.setMinimumHeight(round(plots.minimumHeight() * SCALE))
        for splitter in training.findChildren(QSplitter) if training is not None else []:
            if splitter.orientation() == Qt.Orientation.Vertical:
                sizes = splitter.sizes()
                saved.splitters.append((splitter, sizes))
                least = splitter.widget(0).minimumSizeHint().height()  # the plots at twice their least height,
                splitter.setSizes([least, sum(sizes) - least])  # the results (scrolling in their pane) the rest
        datasets = _attr(self.window.tab("Datasets"), "splitter")
        if isinstance(datasets, QSplitter) and datasets.count() == 3:  # the list's names, less cut at twice the size
            sizes = datasets.sizes()
            saved.splitters.append((datasets, sizes))
            datasets.setSizes([round(sum(sizes) * share) for share in (0.3, 0.37, 0.33)])
        docks = [d for d in self.window.findChildren(QDockWidget) if d.isVisible()]
        if docks:
            saved.docks = [(d, d.width()) for d in docks]
            self.window.resizeDocks(docks, [max(d.width(), LESSON_WIDTH) for d in docks], Qt.Orientation.Horizontal)

    def _thicken_plots(self, saved: _Saved) -> None:
        import sys

        if "pyqtgraph" not in sys.modules:
            return
        import pyqtgraph as pg

        for plot in self.window.findChildren(pg.PlotWidget):
            item = plot.getPlotItem()
            for data in item.listDataItems():
                pen = data.opts.get("pen")
                if pen is None:
                    continue
                pen = pg.mkPen(pen)
                saved.pens.append((data, pg.mkPen(pen)))
                pen.setWidthF(max(1.0, pen.widthF()) * SCALE)
                data.setPen(pen)
            for name in ("left", "bottom"):
                axis = item.getAxis(name)
                tick_font = QFont(axis.style.get("tickFont") or plot.font())
                saved.axes.append((axis, axis.style.get("tickFont"), dict(axis.labelStyle)))
                axis.setStyle(tickFont=_scaled(tick_font))
                size = f"{round(tick_font.pointSizeF() * SCALE)}pt"
                axis.setLabel(axis.labelText, axis.labelUnits, **{**axis.labelStyle, "font-size": size})
            title = item.titleLabel
            if title.text:
                saved.titles.append((item, title.text, dict(title.opts)))
                points = float(str(title.opts.get("size", "9pt")).removesuffix("pt") or 9)
                item.setTitle(title.text, **{**title.opts, "size": f"{points * SCALE:g}pt"})

    # ------------------------------------------------------------------ leaving

    def leave(self) -> None:
        """Put back everything :meth:`enter` changed (a widget deleted meanwhile is skipped)."""
        saved, self._saved = self._saved, None
        if saved is None:
            return
        window = self.window

        def each(pairs, restore) -> None:
            for pair in pairs:
                with contextlib.suppress(RuntimeError):  # its C++ object is gone: nothing to put back
                    restore(*pair) if isinstance(pair, tuple) else restore(pair)

        each(saved.hidden, lambda *e: e[0].setRowVisible(e[1], True) if len(e) == 2 else e[0].show())
        each(saved.pens, lambda data, pen: data.setPen(pen))
        each(saved.axes, _restore_axis)
        each(saved.rows, lambda item, hint: item.setSizeHint(hint))
        each(saved.heights, lambda widget, height: widget.setMinimumHeight(height))
        each(saved.splitters, lambda splitter, sizes: splitter.setSizes(sizes))
        each(saved.titles, lambda item, text, opts: item.setTitle(text, **opts))
        each(saved.own, lambda widget: widget.set_presenter(False))
        if saved.docks:
            each([tuple(zip(*saved.docks, strict=True))],
                 lambda docks, widths: window.resizeDocks(list(docks), list(widths), Qt.Orientation.Horizontal))
        window.setPalette(saved.palette)
        window.setFont(saved.font)
        each(saved.fonts, lambda widget, font: widget.setFont(font))
        window.setWindowState(saved.state)
        if not saved.state & (Qt.WindowState.WindowFullScreen | Qt.WindowState.WindowMaximized):
            window.showNormal()
            window.setGeometry(saved.geometry)


def _restore_axis(axis, tick_font, label_style) -> None:
    axis.setStyle(tickFont=tick_font)
    axis.labelStyle = label_style
    axis.setLabel(axis.labelText, axis.labelUnits, **label_style)


def _form_row(widget: QWidget):
    """``(form, field)`` when ``widget`` is (in) the field of a form row, so its label hides with it."""
    parent = widget.parentWidget()
    forms = parent.findChildren(QFormLayout) if parent is not None else []
    if isinstance(parent.layout() if parent is not None else None, QFormLayout):
        forms.append(parent.layout())
    for form in forms:
        if form.indexOf(widget) >= 0:
            return form, widget
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            field = item.layout() if item is not None else None
            if field is not None and field.indexOf(widget) >= 0:
                return form, field
    return None
