"""The Draw tab's "Several characters" mode as a user meets it: write a number, read it,
correct one character, keep it in a collection; switched off, the tab is as before."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.helpers.gui import LOAD_TIMEOUT_MS, draw, vertical_bar
from tests.helpers.lines import fit, written_number


@pytest.fixture
def tab(qtbot):
    from gui.draw.tab import DrawTab

    widget = DrawTab()
    qtbot.addWidget(widget)
    widget.resize(1200, 680)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.current_model() == "digits"
    yield widget
    assert widget.models.loader.wait(LOAD_TIMEOUT_MS)


def write(qtbot, tab, strokes) -> None:
    """Put a written line on the pad and wait until the tab has read it."""
    tab.pad.set_strokes(fit(strokes, tab.pad.width(), tab.pad.height()))
    qtbot.waitUntil(lambda: tab.multi.reading is not None, timeout=LOAD_TIMEOUT_MS)


def test_a_number_is_read_then_one_character_corrected_and_collected(qtbot, tab, shared_data) -> None:
    from core.datasets import collections

    strokes, owners = written_number(shared_data, "2026")
    tab.multi.switch.setChecked(True)
    assert tab.answers.currentWidget() is tab.multi.panel
    write(qtbot, tab, strokes)
    reading = tab.multi.reading
    assert len(reading.characters) == 4
    assert tab.multi.text() == reading.text
    assert len(tab.multi.boxes.captions()) == 4  # a faint box per character on the pad
    assert tab.multi.panel.answer.text().count("<span") == 4
    assert len(tab.multi.panel.buttons) == 4

    # Click the last character: its alternatives; say "that is a 7".
    qtbot.mouseClick(tab.multi.panel.buttons[3], Qt.MouseButton.LeftButton)
    assert tab.multi.chosen == 3
    assert tab.multi.panel.detail.isVisible()
    assert not tab.multi.panel.add_button.isEnabled()  # no collection named yet
    tab.multi.panel.label_combo.setCurrentText("7")
    tab.multi.panel.label_combo.activated.emit(tab.multi.panel.label_combo.currentIndex())
    assert tab.multi.text() == reading.text[:3] + "7"
    assert tab.multi.boxes.captions()[3].startswith("7 ✓")

    # With a collection named, that character goes in as a labelled sample (strokes and all).
    tab.collect.collection_combo.setEditText("my numbers")
    tab.multi.choose(3)
    assert tab.multi.panel.add_button.isEnabled()
    assert "“7”" in tab.multi.panel.add_button.text()
    with qtbot.waitSignal(tab.sample_added, timeout=5000):
        tab.multi.panel.add_button.click()
    assert collections.label_counts("my-numbers") == {"7": 1}
    assert not tab.pad.is_empty()  # the rest of the line stays to be corrected too
    (sample_id,) = collections.sample_ids("my-numbers")
    stored = json.loads((collections.collection_folder("my-numbers") / f"{sample_id}.json").read_text())
    assert stored["label"] == "7" and len(stored["strokes"]) == owners.count(3)

    # One more digit to the right: the correction of the characters already read stays.
    x, h = tab.pad.width() * 0.95, tab.pad.height()
    one = np.array([[x, h * 0.3], [x, h * 0.7]], np.float32)
    tab.pad.set_strokes([*tab.pad.strokes(), one])
    qtbot.waitUntil(lambda: len(tab.multi.text()) == 5, timeout=5000)
    assert tab.multi.text()[:4] == reading.text[:3] + "7"


def test_switched_off_the_tab_reads_one_character_as_before(qtbot, tab) -> None:
    tab.multi.switch.setChecked(True)
    tab.multi.switch.setChecked(False)
    assert tab.answers.currentWidget() is tab.recognition
    assert not tab.multi.boxes.isVisible()
    draw(tab.pad, vertical_bar(tab.pad))
    qtbot.waitUntil(lambda: tab.prediction is not None, timeout=LOAD_TIMEOUT_MS)
    assert tab.recognition.answer.text() == "1"
    assert tab.multi.reading is None


def test_bad_drawings_get_one_clear_message(qtbot, tab) -> None:
    tab.multi.switch.setChecked(True)
    qtbot.waitUntil(lambda: tab.models.recognizer() is not None or tab.models.is_loading(), timeout=5000)
    tab.models.ensure_loaded()
    qtbot.waitUntil(lambda: tab.models.recognizer() is not None, timeout=LOAD_TIMEOUT_MS)
    tab.pad.set_strokes([np.array([[20 + 4 * i, 100], [20 + 4 * i, 130]], np.float32) for i in range(200)])
    qtbot.waitUntil(lambda: "200 strokes" in tab.multi.panel.message.text(), timeout=5000)
    assert tab.multi.reading is None and tab.multi.panel.buttons == []
    tab.pad.clear()
    qtbot.waitUntil(lambda: tab.multi.panel.message.text().startswith("Write a number"), timeout=5000)


def test_the_words_switch_reads_a_word_and_says_so(qtbot, tab) -> None:
    from tests.helpers.letters import written_word

    assert not tab.multi.words_switch.isEnabled()  # only with several characters
    qtbot.mouseClick(tab.multi.switch, Qt.MouseButton.LeftButton)
    assert tab.multi.words_switch.isEnabled()
    tab.select_model("letters")
    qtbot.waitUntil(lambda: tab.recognizer() is not None and tab.recognizer().name == "letters",
                    timeout=LOAD_TIMEOUT_MS)
    write(qtbot, tab, written_word("LION"))
    assert tab.multi.text() == "LLON"  # letter by letter: a plain bar is an I or an l

    qtbot.mouseClick(tab.multi.words_switch, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.multi.text() == "LION", timeout=LOAD_TIMEOUT_MS)
    assert "the word “lion” (letter by letter: LLON)" in tab.multi.panel.message.text()
    assert tab.pad_panel.suggested_name().startswith("drawing-LION")
    qtbot.mouseClick(tab.multi.panel.buttons[1], Qt.MouseButton.LeftButton)
    assert "read as L" in tab.multi.panel.detail_text.text()
    assert "the word list made it I" in tab.multi.panel.detail_text.text()
    assert tab.multi.panel.label_combo.currentText() == "I"

    qtbot.mouseClick(tab.multi.words_switch, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.multi.text() == "LLON", timeout=5000)

    # With the digits model the option cannot read words, and says so.
    qtbot.mouseClick(tab.multi.words_switch, Qt.MouseButton.LeftButton)
    tab.select_model("digits")
    qtbot.waitUntil(lambda: "reads no letters" in tab.multi.panel.message.text(), timeout=LOAD_TIMEOUT_MS)


def test_an_opened_picture_is_read_as_a_line_with_its_boxes_on_the_picture(qtbot, tab, shared_data, tmp_path) -> None:
    from PIL import Image, ImageDraw

    strokes, _ = written_number(shared_data, "2026")
    page = Image.new("L", (800, 300), 235)
    pen = ImageDraw.Draw(page)
    for s in fit(strokes, 800, 300):
        pen.line([(float(x), float(y)) for x, y in s[:, :2]], fill=25, width=6, joint="curve")
    page.save(tmp_path / "2026.png")

    qtbot.mouseClick(tab.multi.switch, Qt.MouseButton.LeftButton)
    assert tab.open_image(tmp_path / "2026.png")
    qtbot.waitUntil(lambda: tab.multi.text() == "2026", timeout=LOAD_TIMEOUT_MS)
    assert len(tab.multi.panel.buttons) == 4
    # The boxes sit on the picture as the pad shows it: inside the pad, left to right.
    x, y, scale = tab.pad.picture_placement()
    boxes = [rect for rect, _, _ in tab.multi.boxes._items]
    assert all(tab.pad.rect().contains(r.center().toPoint()) for r in boxes)
    assert [r.center().x() for r in boxes] == sorted(r.center().x() for r in boxes)
    assert boxes[0].left() >= x - 8 and boxes[-1].right() <= x + 800 * scale + 8

    # Correct a character of the picture and keep it: its image, no strokes.
    from core.datasets import collections

    tab.collect.collection_combo.setEditText("from pictures")
    qtbot.mouseClick(tab.multi.panel.buttons[0], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(tab.sample_added, timeout=5000):
        tab.multi.panel.add_button.click()
    assert collections.label_counts("from-pictures") == {"2": 1}

    # Switched off, the same picture is read as one character, as before.
    qtbot.mouseClick(tab.multi.switch, Qt.MouseButton.LeftButton)
    assert tab.prediction is not None
