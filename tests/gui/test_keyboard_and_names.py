"""Issue 24, item 7: a focus ring one can see, Tab in the order of the layout (skipping what
cannot be used), and every control named for a screen reader by what it is."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAccessible, QColor
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QWidget

from tests.helpers.gui import contrast

# What Tab reaches on each tab, in order, named as a screen reader names it.
TAB_ORDER = {
    "Datasets": ["Data sets", "Split", "Show the class", "Import data set…", "Samples"],
    "Training": ["Data set", "Samples", "Learn to say “not a character”", "Start from", "Preset", "Model", "Epochs", "Batch size", "Optimizer", "Learning rate",
                 "Validation", "Validation as a percentage or a count", "Seed", "Preset defaults", "Augmentation",
                 "▶  Start (F5)", "Show earlier runs", "Results", "Confusion matrix"],
    "Draw": ["Drawing pad", "Pen width", "Open image…", "Save drawing…", "Model", "Teach it my writing…",
             "Several characters",
             "Collection", "Label", "Add to my data set", "Inside the network"],
}
# A unit chooser beside its field: what it says ("%" or "samples") is what it is.
NAMED_BY_VALUE = {"Validation as a percentage or a count"}


def spoken_name(widget: QWidget) -> str:
    """The name a screen reader gives ``widget``.

    On Linux Qt names a combo box by its value and says what it is through the label that
    points at it (its buddy): the name set for it is what Windows and macOS read.
    """
    if isinstance(widget, QComboBox):
        return widget.accessibleName()
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name) if interface is not None else ""


def has_label(widget: QWidget) -> bool:
    interface = QAccessible.queryAccessibleInterface(widget)
    return bool(interface.relations(QAccessible.RelationFlag.Label))


def _show(window, qtbot, title: str) -> QWidget:
    window.tabs.setCurrentWidget(window._lazy[title])
    tab = window.tab(title)
    if hasattr(tab, "ensure_ready"):
        tab.ensure_ready()
    qtbot.wait(200)
    return tab


def _tab_through(window, qtbot, tab: QWidget) -> list[QWidget]:
    """Press Tab from the tab bar until it comes back out of the tab; what took the focus, in order."""
    bar = window.tabs.tabBar()
    bar.setFocus()
    qtbot.waitUntil(bar.hasFocus)
    reached: list[QWidget] = []
    for _ in range(60):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        if focus is None or not tab.isAncestorOf(focus) or focus in reached:
            break
        reached.append(focus)
    return reached


def test_tab_follows_the_layout_and_every_stop_is_named(main_window, datasets_tab, qtbot):
    main_window.resize(1280, 680)
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    for title, expected in TAB_ORDER.items():
        tab = _show(main_window, qtbot, title)
        if title == "Draw":
            qtbot.waitUntil(lambda tab=tab: tab.recognizer() is not None, timeout=60_000)
        reached = _tab_through(main_window, qtbot, tab)
        assert [spoken_name(w) for w in reached] == expected, title


def test_every_control_says_what_it_is(main_window, datasets_tab, qtbot):
    """Every control that can take the keyboard, shown or not, enabled or not (listed in the failure)."""
    unnamed = []
    for title in TAB_ORDER:
        tab = _show(main_window, qtbot, title)
        for widget in tab.findChildren(QWidget):
            if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus or widget.focusProxy() is not None:
                continue
            if widget.objectName().startswith("qt_") or widget.window() is not main_window:
                continue  # a part of a control (a spin box's text), a combo box's pop-up list
            if isinstance(widget, QAbstractButton) and not widget.text() and not widget.isVisibleTo(tab):
                continue  # a button kept empty and hidden until it has something to say
            name = spoken_name(widget)
            value = widget.currentText() if isinstance(widget, QComboBox) else None
            if not name or name == value and name not in NAMED_BY_VALUE:
                unnamed.append(f"{title}: {type(widget).__name__} named {name!r}")
            elif isinstance(widget, QComboBox) and not has_label(widget) and name not in NAMED_BY_VALUE:
                unnamed.append(f"{title}: the {name!r} box has no label pointing at it (Linux reads that)")
    assert not unnamed, "\n".join(unnamed)


def test_the_focus_ring_is_plain_to_see_and_goes_on_a_click(main_window, datasets_tab, qtbot):
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    bar = main_window.tabs.tabBar()
    bar.setFocus()
    qtbot.keyClick(bar, Qt.Key.Key_Tab)
    focus = QApplication.focusWidget()
    assert focus is datasets_tab.dataset_list
    ring = main_window.findChild(QWidget, "FocusRing")
    qtbot.waitUntil(lambda: ring is not None and ring.isVisible() or bool(
        main_window.findChild(QWidget, "FocusRing")) and main_window.findChild(QWidget, "FocusRing").isVisible())
    ring = main_window.findChild(QWidget, "FocusRing")
    around = QRect(focus.mapTo(main_window, QPoint(0, 0)), focus.size())
    assert ring.geometry().contains(around) and ring.geometry().adjusted(4, 4, -4, -4).intersects(around)
    image = main_window.grab().toImage()
    edge = ring.geometry().top() + 1
    ink = QColor(image.pixel(ring.geometry().center().x(), edge))
    background = main_window.palette().color(main_window.palette().ColorRole.Window)
    assert contrast(ink, background) >= 3.0, ink.name()  # a 2 px line that stands out
    qtbot.keyClick(focus, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: ring.isVisible() and ring.geometry().contains(
        QRect(QApplication.focusWidget().mapTo(main_window, QPoint(0, 0)), QApplication.focusWidget().size())))
    qtbot.mouseClick(datasets_tab.grid_view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert not ring.isVisible()  # a click is not keyboard use
