"""The Draw tab's "Teach it my writing" round, driven as a person drives it: the button, the pad,
Enter, Skip, Adapt now, Cancel; then drawing with the new model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.helpers.gui import LOAD_TIMEOUT_MS, draw, press, shown_draw_tab
from tests.helpers.models import install_tiny_model

ADAPT_TIMEOUT_MS = 120_000


@pytest.fixture
def tab(qtbot, tmp_path_factory, mnist):
    install_tiny_model(tmp_path_factory, mnist)
    widget = shown_draw_tab(qtbot)
    qtbot.waitUntil(lambda: widget.recognizer() is not None, timeout=LOAD_TIMEOUT_MS)
    yield widget
    assert widget.models.loader.wait(LOAD_TIMEOUT_MS)
    assert widget.teach.worker.wait(ADAPT_TIMEOUT_MS)


def shape(pad, k: int):
    """One stroke per class, each unlike the others: the k-th of ten simple shapes."""
    w, h = pad.width(), pad.height()
    cx, cy, r = w / 2, h / 2, min(w, h) * 0.3
    t = np.linspace(0, 1, 40)
    if k == 0:  # an oval
        pts = [(cx + 0.7 * r * math.sin(a), cy - r * math.cos(a)) for a in 2 * math.pi * t]
    elif k == 1:  # a bar
        pts = [(cx, cy - r + 2 * r * s) for s in t]
    elif k == 2:  # a Z
        pts = [(cx - r, cy - r), (cx + r, cy - r), (cx - r, cy + r), (cx + r, cy + r)]
    elif k == 3:  # a zigzag
        pts = [(cx - r + 2 * r * i / 6, cy + (r if i % 2 else -r) * 0.4) for i in range(7)]
    elif k == 4:  # a triangle
        pts = [(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r), (cx, cy - r)]
    elif k == 5:  # a flat bar
        pts = [(cx - r + 2 * r * s, cy) for s in t]
    elif k == 6:  # a spiral
        pts = [(cx + r * s * math.cos(12 * s), cy + r * s * math.sin(12 * s)) for s in t]
    elif k == 7:  # a 7
        pts = [(cx - r, cy - r), (cx + r, cy - r), (cx - 0.2 * r, cy + r)]
    elif k == 8:  # a V
        pts = [(cx - r, cy - r), (cx, cy + r), (cx + r, cy - r)]
    else:  # a square
        pts = [(cx - r, cy - r), (cx + r, cy - r), (cx + r, cy + r), (cx - r, cy + r), (cx - r, cy - r)]
    dense = []
    for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
        dense += [(x0 + (x1 - x0) * s, y0 + (y1 - y0) * s) for s in np.linspace(0, 1, 8)]
    return dense


def write_asked(qtbot, tab) -> str:
    """Draw the shape of the class asked for, wait for the model's reading, press Enter."""
    asked = tab.teach.round.asked
    draw(tab.pad, shape(tab.pad, int(asked)))
    qtbot.waitUntil(lambda: tab.prediction is not None, timeout=5000)
    qtbot.keyClick(tab.pad, "\r")
    return asked


def start(qtbot, tab, repeats: int) -> None:
    assert tab.teach.start_button.text() == "Teach it my writing…"
    tab.teach.repeats.setValue(repeats)
    press(qtbot, tab.teach.start_button)
    assert tab.teach.isVisible() and not tab.collect.isVisible()


def test_a_whole_round_adapts_the_model_and_the_tab_draws_with_it(qtbot, tab) -> None:
    from core.datasets.collections import label_counts
    from core.models import library

    start(qtbot, tab, repeats=2)
    assert tab.teach.prompt.text() == "Write: 0 · 1 of 20"
    for i in range(20):
        assert tab.teach.prompt.text().startswith(f"Write: {i % 10} ")
        write_asked(qtbot, tab)
        if i == 0:  # what the model read is said as the person goes
            assert "tiny-digits read" in tab.teach.reading.text() and "of your 1 right" in tab.teach.reading.text()
    # The round's end starts the adaptation; the pad stays usable meanwhile.
    assert tab.teach.worker.is_running()
    assert tab.teach.progress.isVisible() and "Adapting tiny-digits to your 20 drawings" in tab.teach.progress.text()
    draw(tab.pad, shape(tab.pad, 1))
    qtbot.waitUntil(lambda: tab.prediction is not None, timeout=5000)
    qtbot.waitUntil(lambda: not tab.teach.worker.is_running(), timeout=ADAPT_TIMEOUT_MS)
    result = tab.teach.result
    assert result is not None and result.saved == "tiny-digits (mine)", tab.banner.text()
    assert tab.current_model() == "tiny-digits (mine)"
    assert "tiny-digits (mine) reads" in tab.banner.text()
    assert not tab.teach.isVisible() and tab.collect.isVisible()
    card = library.find_model("tiny-digits (mine)")
    assert card.data["base_model"]["name"] == "tiny-digits" and card.label_names == tuple("0123456789")
    assert sum(label_counts("tiny-digits-mine").values()) == 20
    # Drawing with the new model: it reads the person's shapes as they taught it.
    qtbot.waitUntil(lambda: tab.recognizer() is not None, timeout=LOAD_TIMEOUT_MS)
    tab.pad.clear()
    draw(tab.pad, shape(tab.pad, 7))
    qtbot.waitUntil(lambda: tab.prediction is not None and tab.recognition.answer.text() == "7", timeout=5000)
    # "Teach more" adds to the same drawings.
    assert tab.teach.start_button.text() == "Teach more…"


def test_cancel_keeps_the_drawings_and_saves_no_model(qtbot, tab) -> None:
    from core.datasets.collections import label_counts
    from core.models import library

    start(qtbot, tab, repeats=1)
    for _ in range(6):
        write_asked(qtbot, tab)
    press(qtbot, tab.teach.adapt_button)
    assert tab.teach.progress.cancel_button.isVisible()
    press(qtbot, tab.teach.progress.cancel_button)
    qtbot.waitUntil(lambda: not tab.teach.worker.is_running(), timeout=ADAPT_TIMEOUT_MS)
    assert "Adapting cancelled" in tab.banner.text()
    assert "tiny-digits (mine)" not in [c.name for c in library.list_models()]
    assert sum(label_counts("tiny-digits-mine").values()) == 6
    # The round goes on where it was.
    assert tab.teach.isVisible() and tab.teach.prompt.text() == "Write: 6 · 7 of 10"


def test_an_empty_round_says_there_is_nothing_to_teach(qtbot, tab) -> None:
    start(qtbot, tab, repeats=1)
    qtbot.keyClick(tab.pad, "\r")  # Enter on an empty pad keeps nothing
    assert tab.teach.prompt.text() == "Write: 0 · 1 of 10"
    assert "on the pad first" in tab.teach.reading.text()
    for _ in range(10):
        press(qtbot, tab.teach.skip_button)
    assert not tab.teach.isVisible()
    assert tab.banner.text() == "Nothing drawn in this round: nothing to teach."
    assert not tab.teach.worker.is_running()
    press(qtbot, tab.teach.start_button)  # and another round can start
    press(qtbot, tab.teach.stop_button)
    assert tab.banner.text() == "Nothing drawn in this round: nothing to teach."


def test_a_class_never_drawn_is_left_out(qtbot, tab) -> None:
    from core.models import library

    start(qtbot, tab, repeats=1)
    for i in range(10):
        if i == 3:
            press(qtbot, tab.teach.skip_button)
        else:
            write_asked(qtbot, tab)
    qtbot.waitUntil(lambda: not tab.teach.worker.is_running(), timeout=ADAPT_TIMEOUT_MS)
    assert tab.teach.result is not None and tab.teach.result.drawings == 9
    if tab.teach.result.saved:
        card = library.find_model("tiny-digits (mine)")
        assert card.label_names == tuple("0123456789")  # the class not drawn is still one of its classes
    else:
        assert tab.banner.text().startswith("Not offered")


def test_a_base_model_gone_from_the_library_is_said_in_one_line(qtbot, tab) -> None:
    from core.datasets.collections import label_counts
    from core.models import library

    start(qtbot, tab, repeats=1)
    for _ in range(5):
        write_asked(qtbot, tab)
    library.delete_model("tiny-digits")  # deleted meanwhile (by the CLI, another window)
    press(qtbot, tab.teach.adapt_button)
    qtbot.waitUntil(lambda: not tab.teach.worker.is_running(), timeout=ADAPT_TIMEOUT_MS)
    text = tab.banner.text()
    assert text.startswith("Could not adapt the model: cannot start from 'tiny-digits'") and "\n" not in text
    assert tab.banner.level() == "error"
    assert sum(label_counts("tiny-digits-mine").values()) == 5  # the drawings are kept


def test_a_worse_model_is_not_offered(qtbot, tab, monkeypatch) -> None:
    from core.training import teaching

    # The person's held-back drawings read worse after adapting: forced here (core's own test
    # makes a real case); what the tab must do is not offer it and say so.
    real = teaching._accuracy
    calls = []

    def worse(model, outputs, images, labels):
        calls.append(1)
        return real(model, outputs, images, labels) if len(calls) == 1 else -1.0

    monkeypatch.setattr(teaching, "_accuracy", worse)
    start(qtbot, tab, repeats=1)
    for _ in range(10):
        write_asked(qtbot, tab)
    qtbot.waitUntil(lambda: not tab.teach.worker.is_running(), timeout=ADAPT_TIMEOUT_MS)
    assert tab.banner.text().startswith("Not offered: adapted, it read")
    assert tab.current_model() == "tiny-digits"
