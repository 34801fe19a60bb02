"""Issue 24, item 2: messages never cover a control; information goes away by itself, errors
stay until dismissed, and a click or Esc dismisses any of them."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QSlider, QWidget

from gui.widgets import message_banner
from tests.helpers.gui import draw, vertical_bar

CONTROLS = (QAbstractButton, QComboBox, QLineEdit, QSlider)


def _places(tab: QWidget) -> dict[int, QRect]:
    """Where every visible control of ``tab`` is, in the tab's coordinates (the message's own excepted)."""
    banner = tab.banner
    return {id(w): QRect(w.mapTo(tab, QPoint(0, 0)), w.size()) for w in tab.findChildren(QWidget)
            if isinstance(w, CONTROLS) and w.isVisible() and not banner.isAncestorOf(w)}


def _message_rect(tab: QWidget) -> QRect:
    return QRect(tab.banner.mapTo(tab, QPoint(0, 0)), tab.banner.size())


def test_information_takes_its_own_line_and_goes_away_by_itself(main_window, qtbot, tmp_path, monkeypatch):
    assert 3000 <= message_banner.TRANSIENT_MS <= 10_000  # "a few seconds"
    monkeypatch.setattr(message_banner, "TRANSIENT_MS", 400)
    qtbot.keyClick(main_window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    tab = main_window.tab("Draw")
    qtbot.wait(50)
    draw(tab.pad, vertical_bar(tab.pad))
    qtbot.waitUntil(lambda: tab.prediction is not None, timeout=60_000)
    qtbot.wait(100)  # the answer has been laid out
    before = _places(tab)
    assert tab.save_drawing(tmp_path / "one.png")
    assert tab.banner.text().startswith("Saved") and tab.banner.is_showing()
    qtbot.wait(50)
    message = _message_rect(tab)
    after = _places(tab)
    assert after == before, "showing the message moved a control"
    covered = [r.getRect() for r in after.values() if r.intersects(message)]
    assert not covered, f"the message covers controls at {covered}"
    qtbot.waitUntil(lambda: not tab.banner.is_showing(), timeout=3000)
    assert _places(tab) == before


def test_errors_stay_until_dismissed_by_esc_or_a_click(main_window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(message_banner, "TRANSIENT_MS", 200)
    qtbot.keyClick(main_window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    tab = main_window.tab("Draw")
    draw(tab.pad, vertical_bar(tab.pad))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    assert not tab.open_image(broken)
    assert tab.banner.level() == "error" and "broken.png" in tab.banner.text()
    qtbot.wait(600)
    assert tab.banner.is_showing(), "an error went away by itself"

    # Esc dismisses the message first; the drawing stays (the next Esc clears the pad).
    tab.pad.setFocus()
    qtbot.keyClick(tab.pad, Qt.Key.Key_Escape)
    assert not tab.banner.is_showing() and not tab.pad.is_empty()
    qtbot.keyClick(tab.pad, Qt.Key.Key_Escape)
    assert tab.pad.is_empty()

    # A click on the message dismisses it too.
    assert not tab.open_image(broken)
    label = tab.banner._label
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton, pos=label.rect().center())
    assert not tab.banner.is_showing()


def test_esc_anywhere_on_a_tab_dismisses_its_message(datasets_tab, main_window, qtbot):
    datasets_tab.banner.show_error("Could not load something.")
    datasets_tab.grid_view.setFocus()
    qtbot.keyClick(datasets_tab.grid_view, Qt.Key.Key_Escape)
    assert not datasets_tab.banner.is_showing()
    # ... and the window's own messages (an export, an unexpected error) use the same line.
    main_window.show_error("Something went wrong: boom.")
    assert datasets_tab.banner.text() == "Something went wrong: boom."
    datasets_tab.browser.class_combo.setFocus()
    qtbot.keyClick(datasets_tab.browser.class_combo, Qt.Key.Key_Escape)
    assert not datasets_tab.banner.is_showing()
