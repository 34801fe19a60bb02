"""The Draw tab as a user meets it: draw with the mouse, watch the preview and the answer change."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from tests.helpers.gui import LOAD_TIMEOUT_MS, draw, shown_draw_tab, vertical_bar
from tests.helpers.models import install_tiny_model

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tab(qtbot, tmp_path_factory, mnist):
    install_tiny_model(tmp_path_factory, mnist)
    widget = shown_draw_tab(qtbot, model=None)
    assert widget.current_model() == "digits"  # a new user gets the bundled digits model
    widget.select_model("tiny-digits")  # the tests drive a small, fast model of their own
    yield widget
    # pytest-qt has closed the widget by now; a model load it started must still end before
    # Qt tears down, since a task left running would outlive its test.
    assert widget.models.loader.wait(LOAD_TIMEOUT_MS)


def circle(pad):
    cx, cy, r = pad.width() / 2, pad.height() / 2, min(pad.width(), pad.height()) * 0.3
    return [(cx + 0.75 * r * math.sin(a), cy - r * math.cos(a)) for a in np.linspace(0, 2 * math.pi, 48)]


def wait_for_answer(qtbot, tab, label: str | None = None) -> None:
    def ready() -> None:
        assert tab.prediction is not None
        if label is not None:
            assert tab.recognition.answer.text() == label

    qtbot.waitUntil(ready, timeout=LOAD_TIMEOUT_MS)


def test_importing_the_tab_does_not_import_tensorflow() -> None:
    code = "import sys, gui.draw.tab; sys.exit('tensorflow' in sys.modules or 'keras' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_empty_pad_shows_the_hint_not_an_error(tab) -> None:
    assert tab.recognition.message.text() == "Draw a character"
    assert tab.recognition.answer.text() == ""
    assert tab.image is None
    assert tab.banner.text() == ""
    assert tab.current_model() == "tiny-digits"
    assert tab.recognition.bars.labels() == list("0123456789")


def test_drawing_shows_preview_and_prediction_and_they_change(qtbot, tab) -> None:
    pad = tab.pad
    # While the pen is still down the preview already follows (throttled live update).
    draw(pad, vertical_bar(pad), release=False)
    qtbot.waitUntil(lambda: tab.image is not None, timeout=5000)
    end = QPoint(*map(int, vertical_bar(pad)[-1]))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    wait_for_answer(qtbot, tab, "1")
    first_image = tab.image.copy()
    assert first_image.shape == (28, 28) and first_image.max() > 0.5
    # The preview is what the model sees: ink centred, white on black, 20 px tall.
    rows = np.flatnonzero(first_image.max(axis=1) > 0.1)
    assert 18 <= rows[-1] - rows[0] + 1 <= 21
    probabilities = tab.recognition.bars.values()
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-3)
    assert tab.recognition.bars.highlighted()[0] == "1" and len(tab.recognition.bars.highlighted()) == 3
    assert tab.last_latency_ms is not None

    tab.pad.clear()
    qtbot.waitUntil(lambda: tab.recognition.message.text() == "Draw a character", timeout=2000)
    draw(pad, circle(pad))
    wait_for_answer(qtbot, tab, "0")
    assert not np.array_equal(tab.image, first_image)
    assert tab.recognition.bars.highlighted()[0] == "0"


def test_a_stray_click_or_wobble_asks_for_a_bigger_drawing(qtbot, tab) -> None:
    pad = tab.pad
    cx, cy = pad.width() / 2, pad.height() / 2
    draw(pad, [(cx, cy), (cx + 3, cy + 2), (cx + 1, cy + 4)])  # a few pixels on a ~600 px pad
    qtbot.waitUntil(lambda: tab.recognition.message.text().startswith("Too small to read"), timeout=5000)
    assert tab.prediction is None and tab.image is None and tab.recognition.answer.text() == ""
    assert tab.banner.text() == ""  # said in place of the answer, not as an error
    draw(pad, vertical_bar(pad))  # drawing on at a readable size gets an answer again
    wait_for_answer(qtbot, tab)


def test_undo_redo_clear_with_the_keyboard(qtbot, tab) -> None:
    pad = tab.pad
    draw(pad, vertical_bar(pad))
    draw(pad, [(pad.width() * 0.3, pad.height() * 0.3), (pad.width() * 0.7, pad.height() * 0.3)])
    assert len(pad.strokes()) == 2
    QTest.keyClick(pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(pad.strokes()) == 1
    QTest.keyClick(pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(pad.strokes()) == 2
    QTest.keyClick(pad, Qt.Key.Key_Escape)
    assert pad.is_empty()
    qtbot.waitUntil(lambda: tab.recognition.message.text() == "Draw a character", timeout=2000)
    assert tab.image is None
    QTest.keyClick(pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # clear is undoable too
    assert len(pad.strokes()) == 2
    qtbot.waitUntil(lambda: tab.image is not None, timeout=2000)
    # The buttons do the same.
    tab.pad_panel.undo_button.click()
    tab.pad_panel.undo_button.click()
    assert pad.is_empty()
    tab.pad_panel.redo_button.click()
    assert len(pad.strokes()) == 1
    stroke = pad.strokes()[0]
    assert stroke.shape[1] == 4  # x, y, pressure, time
    assert np.all(np.diff(stroke[:, 3]) >= 0)


def test_pen_width_is_adjustable(tab) -> None:
    tab.pad_panel.pen_slider.setValue(30)
    assert tab.pad.pen_width == 30


def test_add_to_my_data_set_creates_a_collection(qtbot, tab) -> None:
    from core.datasets import collections, load_dataset

    pad = tab.pad
    tab.collect.add_button.click()
    assert "Draw a character first" in tab.collect.add_status.text()
    draw(pad, vertical_bar(pad))
    qtbot.waitUntil(lambda: tab.image is not None, timeout=5000)
    tab.collect.collection_combo.setEditText("my-class")
    tab.collect.add_button.click()
    assert "Label" in tab.collect.add_status.text()  # a label is needed first
    tab.collect.label_edit.setText("1")
    with qtbot.waitSignal(tab.sample_added, timeout=5000) as blocker:
        tab.collect.add_button.click()
    assert blocker.args == ["my-class"]
    assert "my-class" in collections.list_collections()
    folder = collections.collection_folder("my-class")
    assert len(list(folder.glob("*.png"))) == 1
    sample = json.loads(next(p for p in folder.glob("*.json") if p.name != "collection.json").read_text())
    assert sample["label"] == "1" and len(sample["strokes"]) == 1
    assert pad.is_empty()  # ready for the next one
    dataset = load_dataset("my-class")
    assert dataset.label_names == ("1",) and len(dataset.split("train")) == 1
    assert tab.collect.collection_combo.findText("my-class") >= 0
    # A collection name with nothing usable in it is said inline, nothing is written
    # (one with spaces is stored as its slug: core.datasets.names.collection_slug).
    draw(pad, vertical_bar(pad))
    qtbot.waitUntil(lambda: tab.image is not None, timeout=5000)
    tab.collect.collection_combo.setEditText("!!!")
    tab.collect.add_button.click()
    assert "not a usable collection name" in tab.collect.add_status.text()


def test_save_drawing_as_png_and_stroke_json_and_open_image(qtbot, tab, tmp_path) -> None:
    from core.imaging import load_strokes_json

    pad = tab.pad
    assert not tab.save_drawing(tmp_path / "empty.png")
    draw(pad, vertical_bar(pad))
    wait_for_answer(qtbot, tab, "1")
    assert tab.save_drawing(tmp_path / "one.png")
    assert tab.save_drawing(tmp_path / "one.json")
    strokes = load_strokes_json(tmp_path / "one.json")
    assert len(strokes) == 1 and strokes[0].shape[1] in (2, 3)

    pad.clear()
    assert tab.open_image(tmp_path / "one.png")
    wait_for_answer(qtbot, tab, "1")
    assert "one.png" in tab.recognition.timing.text()
    assert not tab.open_image(tmp_path / "one.json")  # not an image: said inline
    assert tab.banner.text()


def test_model_picker_switches_and_refreshes(qtbot, tab) -> None:
    import keras

    from core.models import library

    pad = tab.pad
    draw(pad, vertical_bar(pad))
    wait_for_answer(qtbot, tab, "1")
    # A model saved later (as the Training tab would) appears after refresh_models.
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(3)])
    library.save_model(model, "shapes", label_names=("circle", "square", "star"), outputs="logits")
    tab.refresh_models("shapes")
    assert tab.model_combo.findData("shapes") >= 0
    assert tab.current_model() == "tiny-digits"  # the pick stays
    with qtbot.waitSignal(tab.model_loaded, timeout=LOAD_TIMEOUT_MS):
        tab.select_model("shapes")
    assert tab.recognition.bars.labels() == ["circle", "square", "star"]
    qtbot.waitUntil(lambda: tab.prediction is not None and tab.prediction.label in tab.recognition.bars.labels())
    # Switching back is instant: the first model stays loaded.
    tab.select_model("tiny-digits")
    assert tab.recognizer() is not None
    assert tab.recognition.answer.text() == "1"


def install_broken_model(library) -> None:
    """A library model called "broken": tiny-digits' card over a model file that is not Keras."""
    good = library.models_dir() / "tiny-digits"
    broken = library.models_dir() / "broken"
    broken.mkdir()
    (broken / "card.json").write_text((good / "card.json").read_text().replace('"tiny-digits"', '"broken"'))
    (broken / "model.keras").write_bytes(b"this is not a keras archive")


def test_a_broken_model_is_said_inline_and_the_pad_still_works(qtbot, tab) -> None:
    from core.models import library

    install_broken_model(library)
    tab.refresh_models()
    tab.select_model("broken")
    qtbot.waitUntil(lambda: "broken" in tab.banner.text(), timeout=LOAD_TIMEOUT_MS)
    draw(tab.pad, vertical_bar(tab.pad))
    qtbot.waitUntil(lambda: tab.image is not None, timeout=5000)  # the preview still follows the pen
    assert tab.prediction is None
    assert "could not be loaded" in tab.recognition.message.text()
    assert not tab.models.loader.is_running()  # and it does not retry on every stroke


def test_tablet_pressure_is_recorded_and_widens_the_ink(qtbot, tab) -> None:
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QPointingDevice, QTabletEvent
    from PySide6.QtWidgets import QApplication

    pad = tab.pad
    device = QPointingDevice.primaryPointingDevice()
    x = pad.width() / 2
    kinds = [QEvent.Type.TabletPress] + [QEvent.Type.TabletMove] * 20 + [QEvent.Type.TabletRelease]
    for i, kind in enumerate(kinds):
        pos = QPointF(x, pad.height() * (0.2 + 0.6 * i / 21))
        pressure = 0.1 + 0.85 * i / 21  # pressing harder and harder
        buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else Qt.MouseButton.LeftButton
        event = QTabletEvent(kind, device, pos, pad.mapToGlobal(pos), pressure, 0, 0, 0, 0, 0,
                             Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, buttons)
        QApplication.sendEvent(pad, event)
        assert event.isAccepted()
    strokes = pad.strokes()
    assert len(strokes) == 1
    pressures = strokes[0][:, 2]
    assert pressures[0] < 0.2 and pressures[-1] > 0.8 and np.all(np.diff(pressures) > 0)
    # On screen the ink is wider where the pen pressed harder.
    image = pad.render_image()
    top, bottom = int(pad.height() * 0.25), int(pad.height() * 0.75)

    def ink_width(y: int) -> int:
        return sum(image.pixelColor(px, y).lightness() < 128 for px in range(pad.width()))

    assert ink_width(bottom) > ink_width(top) + 3
    wait_for_answer(qtbot, tab)


def test_without_any_model_the_preview_still_works(qtbot, monkeypatch, tmp_path) -> None:
    from core.models import library
    from gui.draw.tab import DrawTab

    monkeypatch.setattr(library, "BUNDLED_DIR", tmp_path / "no-bundled-models")
    widget = DrawTab()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.current_model() is None
    draw(widget.pad, circle(widget.pad))
    qtbot.waitUntil(lambda: widget.image is not None, timeout=5000)
    assert widget.recognition.message.text().startswith("No model yet")
    assert widget.banner.text() == ""


def test_every_mouse_move_is_kept_while_drawing_and_the_app_setting_restored(tab) -> None:
    from PySide6.QtWidgets import QApplication

    from gui.widgets.drawing_pad import COMPRESS_MOVES

    before = QApplication.testAttribute(COMPRESS_MOVES)
    points = vertical_bar(tab.pad)
    draw(tab.pad, points, release=False)
    assert not QApplication.testAttribute(COMPRESS_MOVES)  # no merged moves: no cut corners
    QTest.mouseRelease(tab.pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       QPoint(*map(int, points[-1])))
    assert QApplication.testAttribute(COMPRESS_MOVES) == before
    assert len(tab.pad.strokes()[0]) >= 20


def _activate(qtbot, tab) -> None:
    """Make the tab's window the active one, so keys reach it as they would on a desktop."""
    from PySide6.QtWidgets import QApplication

    tab.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is tab)


def _press(qtbot, keys: str) -> None:
    """Type ``keys`` where the keyboard focus is, as a person would."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QApplication

    combo = QKeySequence(keys)[0]
    QTest.keyClick(QApplication.focusWidget(), combo.key(), combo.keyboardModifiers())


def test_esc_and_undo_redo_work_with_the_focus_anywhere_on_the_tab(qtbot, tab) -> None:
    pad = tab.pad
    _activate(qtbot, tab)
    draw(pad, vertical_bar(pad))
    draw(pad, [(pad.width() * 0.3, pad.height() * 0.3), (pad.width() * 0.7, pad.height() * 0.3)])
    # After picking a model in the Model list (with the keyboard), the list has the focus.
    tab.model_combo.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(tab.model_combo.hasFocus)
    QTest.keyClick(tab.model_combo, Qt.Key.Key_Up)
    QTest.keyClick(tab.model_combo, Qt.Key.Key_Down)
    assert tab.current_model() == "tiny-digits" and tab.model_combo.hasFocus()
    _press(qtbot, "Ctrl+Z")
    assert len(pad.strokes()) == 1
    _press(qtbot, "Ctrl+Shift+Z")
    assert len(pad.strokes()) == 2
    # After clicking Redo, the button has the focus.
    _press(qtbot, "Ctrl+Z")
    tab.pad_panel.redo_button.setFocus(Qt.FocusReason.MouseFocusReason)  # a click gives the button the focus
    QTest.mouseClick(tab.pad_panel.redo_button, Qt.MouseButton.LeftButton)
    assert len(pad.strokes()) == 2 and not pad.hasFocus()  # (Redo is now disabled: focus moved on)
    _press(qtbot, "Ctrl+Z")
    assert len(pad.strokes()) == 1
    _press(qtbot, "Esc")
    assert pad.is_empty()
    qtbot.waitUntil(lambda: tab.recognition.message.text() == "Draw a character", timeout=2000)


def test_the_label_and_collection_fields_keep_their_own_undo_and_esc(qtbot, tab) -> None:
    pad = tab.pad
    _activate(qtbot, tab)
    draw(pad, vertical_bar(pad))
    tab.collect.label_edit.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(tab.collect.label_edit.hasFocus)
    QTest.keyClicks(tab.collect.label_edit, "AB")
    _press(qtbot, "Ctrl+Z")
    assert tab.collect.label_edit.text() == "" and len(pad.strokes()) == 1  # the field's undo, not the pad's
    _press(qtbot, "Esc")
    assert len(pad.strokes()) == 1
    tab.collect.collection_combo.setFocus()
    qtbot.waitUntil(tab.collect.collection_combo.hasFocus)
    QTest.keyClicks(tab.collect.collection_combo, "mine")
    _press(qtbot, "Esc")
    _press(qtbot, "Ctrl+Z")
    assert len(pad.strokes()) == 1
    assert tab.collect.collection_combo.currentText() == ""


def _dark_pixels(widget, top: float, bottom: float) -> int:
    """How many pixels of ink (darker than any hint or caption text) ``widget`` shows between two heights."""
    image = widget.grab().toImage()
    rows = range(int(image.height() * top), int(image.height() * bottom))
    return sum(image.pixelColor(x, y).lightness() < 60 for y in rows for x in range(0, image.width(), 2))


def test_an_opened_image_shows_on_the_pad_until_the_user_draws(qtbot, tab, tmp_path) -> None:
    pad = tab.pad
    draw(pad, vertical_bar(pad))
    wait_for_answer(qtbot, tab, "1")
    assert tab.save_drawing(tmp_path / "one.png")
    pad.clear()
    assert _dark_pixels(pad, 0.3, 0.7) == 0
    assert tab.open_image(tmp_path / "one.png")
    wait_for_answer(qtbot, tab, "1")
    assert pad.picture_caption() == "one.png" and pad.is_empty()
    assert _dark_pixels(pad, 0.3, 0.7) > 50  # the picture itself, not only its name
    assert tab.pad_panel.clear_button.isEnabled()
    # The first stroke puts the blank sheet back: live strokes only.
    draw(pad, [(pad.width() * 0.2, pad.height() * 0.1), (pad.width() * 0.8, pad.height() * 0.1)])
    assert pad.picture_caption() is None
    assert _dark_pixels(pad, 0.3, 0.7) == 0
    qtbot.waitUntil(lambda: "one.png" not in tab.recognition.timing.text(), timeout=5000)
    # Clear (Esc) also dismisses an opened picture.
    assert tab.open_image(tmp_path / "one.png")
    tab.pad_panel.clear_button.click()
    assert pad.picture_caption() is None and _dark_pixels(pad, 0.3, 0.7) == 0
    qtbot.waitUntil(lambda: tab.recognition.message.text() == "Draw a character", timeout=2000)


def test_save_and_open_dialogs_propose_a_name_and_remember_their_folders(qtbot, tab, tmp_path, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    drawings, pictures = tmp_path / "my drawings", tmp_path / "scans"
    drawings.mkdir()
    pictures.mkdir()
    proposed = []

    def save_dialog(parent, title, start, filters):
        proposed.append(Path(start))
        folder = drawings if len(proposed) == 1 else Path(start).parent  # the user picks a folder once
        return str(folder / Path(start).name), "PNG image (*.png)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_dialog))
    draw(tab.pad, vertical_bar(tab.pad))
    wait_for_answer(qtbot, tab, "1")
    tab.pad_panel.save_button.click()
    assert proposed[0].name == "drawing-1.png" and proposed[0].parent != Path.cwd()
    assert (drawings / "drawing-1.png").is_file()
    tab.pad_panel.save_button.click()  # the same answer again: a new name in the remembered folder
    assert proposed[1] == drawings / "drawing-1-2.png"
    assert (drawings / "drawing-1-2.png").is_file()

    opened = []

    def open_dialog(parent, title, start, filters):
        opened.append(Path(start))
        return str(drawings / "drawing-1.png"), filters

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(open_dialog))
    tab.pad_panel.open_button.click()
    assert opened[0] != drawings  # images keep their own folder, apart from saved drawings
    assert tab.pad.picture_caption() == "drawing-1.png"
    wait_for_answer(qtbot, tab, "1")
    tab.pad_panel.open_button.click()
    assert opened[1] == drawings  # and remember where the last one came from


def test_the_tally_per_label_follows_each_add_and_a_name_with_spaces_is_accepted(qtbot, tab) -> None:
    from core.datasets import collections

    pad = tab.pad
    tab.collect.collection_combo.setEditText("my symbols")
    collect = tab.collect
    assert "Stored as “my-symbols”" in collect.counts_text()  # said before anything is stored
    assert "new collection" in collect.counts_text()
    for label in ("A", "B", "A", "7"):
        draw(pad, vertical_bar(pad))
        qtbot.waitUntil(lambda: tab.image is not None, timeout=5000)
        tab.collect.label_edit.setText(label)
        with qtbot.waitSignal(tab.sample_added, timeout=5000) as blocker:
            QTest.keyClick(tab.collect.label_edit, Qt.Key.Key_Return)  # Enter in Label adds, as the button does
    assert blocker.args == ["my-symbols"]
    assert collections.list_collections() == ["my-symbols"]
    assert tab.collect.collection_combo.currentText() == "my-symbols"  # the stored name, from now on
    assert collect.counts_text() == "A: 2 · B: 1 · 7: 1"
    assert "<b>7: 1</b>" in tab.collect.counts.text()  # the label being collected stands out
    # Picking another collection shows its tally; a new name says it is new.
    tab.collect.collection_combo.setEditText("other")
    assert "new collection" in collect.counts_text()
    tab.collect.collection_combo.setEditText("my-symbols")
    assert collect.counts_text() == "A: 2 · B: 1 · 7: 1"


def test_the_model_list_says_whether_the_model_is_loading_ready_or_failed_and_why(qtbot, tab) -> None:
    from core.models import library

    status = tab.models.status
    qtbot.waitUntil(lambda: tab.models.state() == "ready", timeout=LOAD_TIMEOUT_MS)
    assert status.text() == "✓ tiny-digits is ready."
    install_broken_model(library)
    tab.refresh_models()
    tab.select_model("broken")
    assert status.text().startswith("Loading broken…")
    qtbot.waitUntil(lambda: tab.models.state() == "failed", timeout=LOAD_TIMEOUT_MS)
    assert status.text().startswith("✗ broken could not be loaded: ")
    reason = status.text().split(": ", 1)[1]
    assert reason and reason in tab.banner.text()  # the reason, as the banner says it
    tab.banner.clear()
    assert "could not be loaded" in status.text()  # dismissing the banner does not hide the state
    tab.select_model("tiny-digits")
    assert status.text() == "✓ tiny-digits is ready."  # loaded before: ready at once


def test_the_pad_keys_work_from_the_tab_bar_and_not_while_another_tab_shows(main_window, qtbot) -> None:
    from PySide6.QtWidgets import QApplication

    main_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main_window)
    qtbot.keyClick(main_window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    tab = main_window.current_tab()
    try:
        qtbot.waitUntil(tab.isVisible)
        draw(tab.pad, vertical_bar(tab.pad))
        main_window.tabs.tabBar().setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(main_window.tabs.tabBar().hasFocus)
        _press(qtbot, "Esc")
        assert tab.pad.is_empty()
        _press(qtbot, "Ctrl+Z")
        assert len(tab.pad.strokes()) == 1
        qtbot.keyClick(main_window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)  # the Datasets tab
        qtbot.waitUntil(lambda: not tab.isVisible())
        _press(qtbot, "Esc")
        _press(qtbot, "Ctrl+Z")
        assert len(tab.pad.strokes()) == 1  # the hidden Draw tab's pad is left alone
    finally:
        assert tab.models.loader.wait(LOAD_TIMEOUT_MS)


def test_a_scribble_shows_no_big_character_only_not_a_digit(qtbot) -> None:
    """A drawing the model rejects is not shown as a digit above "not a digit"."""
    import numpy as np

    from core.models.recognizer import Prediction
    from gui.draw.recognition_panel import RecognitionPanel

    panel = RecognitionPanel()
    qtbot.addWidget(panel)
    probabilities = np.full(10, 0.01)
    rejected = Prediction(label="3", confidence=0.01, probabilities=probabilities, top=[("3", 0.01)],
                          unsure=True, message="not a digit", status="not-a-character")
    panel.show_prediction(rejected, 0.5)
    assert panel.answer.text() == "—" and panel.message.text() == "not a digit"
    sure = Prediction(label="7", confidence=0.99, probabilities=probabilities, top=[("7", 0.99)],
                      unsure=False, message="", status="sure")
    panel.show_prediction(sure, 0.5)
    assert panel.answer.text() == "7" and panel.message.text() == "99% sure"


def test_probability_bars_name_the_best_guess_even_when_names_are_thinned(qtbot) -> None:
    from core.labels import LETTERS
    from gui.widgets.probability_bars import BEST, ProbabilityBars

    bars = ProbabilityBars()
    qtbot.addWidget(bars)
    bars.resize(900, 200)
    bars.set_labels(list(LETTERS))
    assert [text for _, text in bars.shown_names()] == list(LETTERS)  # wide: every letter named
    bars.resize(200, 200)
    probabilities = np.zeros(26, np.float32)
    probabilities[25], probabilities[24], probabilities[0] = 0.9, 0.06, 0.04
    bars.set_probabilities(probabilities)
    shown = dict(bars.shown_names())
    assert len(shown) < 26 and shown.get(25) == "Z"  # thinned, but the answer keeps its name
    assert bars.highlighted() == ["Z", "Y", "A"] and bars.colours()[25] == BEST
    bars.set_probabilities(np.full(26, np.nan, np.float32))  # garbage in: an empty chart, not a crash
    assert bars.highlighted() == [] and "nothing recognised" in bars.accessibleDescription()
    bars.grab()  # paints without error at this size
