"""Issue 24, item 3 (and the small part of 4): under "not a letter" the Draw tab shows what the
model considered ("looks most like M 84%, G 8%"); a model without a "not a character" output
says that it always picks one of its classes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.helpers.gui import LOAD_TIMEOUT_MS, draw, shown_draw_tab, vertical_bar
from tests.helpers.models import install_tiny_model


@pytest.fixture
def tab(qtbot, tmp_path_factory, mnist):
    install_tiny_model(tmp_path_factory, mnist)
    widget = shown_draw_tab(qtbot)
    yield widget
    assert widget.models.loader.wait(LOAD_TIMEOUT_MS)


def smiley(pad) -> list[list[tuple[float, float]]]:
    """A face: a round outline, two eyes and a smile, in the pad's coordinates."""
    cx, cy, r = pad.width() / 2, pad.height() / 2, min(pad.width(), pad.height()) * 0.35
    face = [(cx + r * math.cos(a), cy + r * math.sin(a)) for a in np.linspace(0, 2 * math.pi, 60)]
    eyes = [[(cx + dx * r, cy - 0.35 * r), (cx + dx * r + 3, cy - 0.35 * r + 3)] for dx in (-0.35, 0.35)]
    smile = [(cx + r * (-0.5 + t), cy + 0.3 * r + 0.25 * r * math.sin(math.pi * t)) for t in np.linspace(0, 1, 20)]
    return [face, *eyes, smile]


def test_not_a_letter_shows_what_the_model_considered(qtbot, tab) -> None:  # noqa: F811
    with qtbot.waitSignal(tab.model_loaded, timeout=LOAD_TIMEOUT_MS):
        tab.select_model("letters")
    for stroke in smiley(tab.pad):
        draw(tab.pad, stroke)
    qtbot.waitUntil(lambda: tab.prediction is not None and tab.recognition.message.text() == "not a letter",
                    timeout=LOAD_TIMEOUT_MS)
    guesses = tab.recognition.detail.text()
    assert guesses.startswith("looks most like "), guesses
    best, share = tab.prediction.top[0][0], guesses.removeprefix("looks most like ").split(",")[0]
    assert share.startswith(f"{best} ") and share.endswith("%")
    assert tab.recognition.detail.isVisible()


def test_a_model_without_not_a_character_says_it_always_picks_a_class(qtbot, tab) -> None:  # noqa: F811
    draw(tab.pad, vertical_bar(tab.pad))
    qtbot.waitUntil(lambda: tab.prediction is not None, timeout=LOAD_TIMEOUT_MS)
    assert tab.current_model() == "tiny-digits" and not tab.recognizer().can_reject
    assert tab.recognition.detail.text() == "This model always picks one of its 10 classes."
    # The bundled digits model can say "not a digit": no such line for it.
    with qtbot.waitSignal(tab.model_loaded, timeout=LOAD_TIMEOUT_MS):
        tab.select_model("digits")
    qtbot.waitUntil(lambda: tab.recognizer() is not None and tab.prediction is not None)
    tab.update_prediction()
    assert tab.recognition.detail.text().strip() == "" or tab.recognition.detail.text().startswith("looks most like")
    qtbot.keyClick(tab.pad, Qt.Key.Key_Escape)
    assert tab.recognition.detail.text().strip() == ""


def test_nothing_moves_in_the_collect_panel_while_typing_or_adding(qtbot, tab) -> None:  # noqa: F811
    """Issue 24, item 6: typing a name made "So far" wrap and moved Label 14 px up under the pointer."""
    from PySide6.QtCore import QPoint

    watched = (tab.collect.collection_combo, tab.collect.label_edit, tab.collect.add_button, tab.model_combo, tab.pad_panel.clear_button)

    def places():
        return [w.mapTo(tab, QPoint(0, 0)) for w in watched]

    before = places()
    moved = []
    tab.collect.collection_combo.setFocus()
    for ch in "my class letters and digits, drawn in 2026 by all":
        qtbot.keyClicks(tab.collect.collection_combo, ch)
        if places() != before:
            moved.append(tab.collect.collection_combo.currentText())
    assert not moved, f"the fields moved while typing, first after {moved[0]!r}"
    assert "Stored as" in tab.collect.counts_text()
    draw(tab.pad, vertical_bar(tab.pad))
    qtbot.waitUntil(lambda: tab.prediction is not None, timeout=LOAD_TIMEOUT_MS)
    tab.collect.label_edit.setFocus()
    qtbot.keyClicks(tab.collect.label_edit, "1")
    with qtbot.waitSignal(tab.sample_added):
        qtbot.keyClick(tab.collect.label_edit, Qt.Key.Key_Return)
    assert tab.collect.add_status.text().startswith("Added") and places() == before
    for label in [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "a-long-label-name"]:  # a long tally
        tab.collect._counts[label] = 3
    tab.collect._show_counts()
    assert places() == before and "… and" in tab.collect.counts.text()
