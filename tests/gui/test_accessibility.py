"""Usable without colour, without a mouse and with a screen reader: marks, names, keys."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui.widgets.confusion_view import ClassAccuracyBars, ConfusionView
from gui.widgets.drawing_pad import DrawingPad
from gui.widgets.live_plot import LivePlot
from gui.widgets.mistakes_gallery import MistakesGallery
from gui.widgets.prediction_strip import PredictionStrip
from gui.widgets.probability_bars import ProbabilityBars


def test_right_and_wrong_are_marked_by_a_symbol_too(qtbot) -> None:
    strip = PredictionStrip(columns=4)
    qtbot.addWidget(strip)
    strip.set_samples(np.zeros((3, 28, 28), np.uint8), np.array([1, 5, 3]), [str(i) for i in range(10)])
    assert strip.marks() == ["", "", ""]
    strip.set_predictions(np.array([1, 5, 2]), np.array([0.9, 0.6, 0.51]))
    assert strip.marks() == ["✓", "✓", "✗"]
    assert strip.captions() == ["1 90%", "5 60%", "2 51%"]
    assert strip._tiles[2].accessibleName() == "sample 3, wrong: true 3, model says 2, 51% sure"
    strip.clear_predictions()
    assert strip.marks() == ["", "", ""]


def test_marks_and_colours_follow_every_epoch_s_guesses(qtbot) -> None:
    """Tiles are only re-styled when their right/wrong changes: each change still shows."""
    from gui.widgets.prediction_strip import RIGHT_COLOUR, WRONG_COLOUR

    strip = PredictionStrip(columns=4)
    qtbot.addWidget(strip)
    strip.set_samples(np.zeros((2, 28, 28), np.uint8), np.array([1, 5]), [str(i) for i in range(10)])
    for guesses, marks in [([1, 5], ["✓", "✓"]), ([1, 5], ["✓", "✓"]), ([2, 5], ["✗", "✓"]), ([1, 4], ["✓", "✗"])]:
        strip.set_predictions(np.array(guesses), np.array([0.8, 0.7]))
        assert strip.marks() == marks
        for tile, mark in zip(strip._tiles, marks, strict=True):
            assert (RIGHT_COLOUR if mark == "✓" else WRONG_COLOUR) in tile.caption.styleSheet()
            assert tile.mark.isVisibleTo(strip)
    strip.clear_predictions()
    assert strip.marks() == ["", ""] and "mid" in strip._tiles[0].caption.styleSheet()
    strip.set_predictions(np.array([1, 5]), np.array([0.8, 0.7]))  # the same as before the clear
    assert strip.marks() == ["✓", "✓"] and RIGHT_COLOUR in strip._tiles[0].caption.styleSheet()


def test_mistakes_read_as_mistakes_and_open_from_the_keyboard(qtbot) -> None:
    gallery = MistakesGallery()
    qtbot.addWidget(gallery)
    names = [str(i) for i in range(10)]
    gallery.set_mistakes(np.zeros((2, 28, 28), np.uint8), [3, 4], [5, 9], [0.98, 0.7], names)
    assert gallery.item(0).text().startswith("✗ 3→5")
    assert gallery.item(1).data(Qt.ItemDataRole.AccessibleTextRole) == "mistake 2: true 4, model said 9, 70% sure"
    gallery.show()
    gallery.setCurrentRow(1)
    with qtbot.waitSignal(gallery.sample_clicked) as opened:
        QTest.keyClick(gallery, Qt.Key.Key_Return)
    assert opened.args == [1]
    gallery.dialog.close()


def test_painted_widgets_have_names_and_say_what_they_show(qtbot) -> None:
    pad, plot, confusion, per_class, bars = (
        DrawingPad(), LivePlot("Loss", "loss"), ConfusionView(), ClassAccuracyBars(), ProbabilityBars()
    )
    for widget in (pad, plot, confusion, per_class, bars):
        qtbot.addWidget(widget)
        assert widget.accessibleName() and widget.accessibleDescription()
    plot.add_epoch(1, 0.5, 0.25)
    assert plot.accessibleDescription() == "Loss after epoch 1: train 0.5, validation 0.25"
    confusion.set_matrix(np.array([[9, 1, 0], [4, 6, 0], [0, 0, 10]]), ["a", "b", "c"])
    assert "most confused: b taken for a 4 times; a taken for b 1 times" in confusion.accessibleDescription()
    per_class.set_accuracy(np.array([0.9, 0.6, 1.0]), ["a", "b", "c"])
    assert per_class.accessibleDescription() == "lowest: b 60%, a 90%, c 100%"
    bars.set_labels(["0", "1", "2", "3"])
    bars.set_probabilities(np.array([0.05, 0.9, 0.03, 0.02]))
    assert bars.accessibleDescription() == "best guesses: 1 90%, 0 5%, 2 3%"


def test_every_menu_and_action_is_reachable_by_keyboard(main_window) -> None:
    menus = [action.menu() for action in main_window.menuBar().actions()]
    assert menus and all("&" in menu.title() for menu in menus)
    for menu in menus:
        for action in menu.actions():
            if action.isSeparator():
                continue
            assert "&" in action.text() or action.shortcuts(), f"{menu.title()} > {action.text()}"


def test_the_confusion_matrix_is_read_cell_by_cell_with_the_arrow_keys(qtbot) -> None:
    view = ConfusionView()
    qtbot.addWidget(view)
    view.set_matrix(np.array([[9, 1], [4, 6]]), ["a", "b"])
    view.show()
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Down)  # the first press lands on the top-left cell
    assert view.current == (0, 0)
    QTest.keyClick(view, Qt.Key.Key_Down)
    QTest.keyClick(view, Qt.Key.Key_Right)
    QTest.keyClick(view, Qt.Key.Key_Right)  # stays inside the grid
    assert view.current == (1, 1)
    QTest.keyClick(view, Qt.Key.Key_Left)
    assert view.current == (1, 0)
    assert view.accessibleDescription() == view.tooltip_text(1, 0)
    assert "mistaken for a" in view.accessibleDescription()


def test_a_narrow_prediction_strip_shows_the_samples_that_fit_and_never_widens_its_panel(qtbot):
    """Beside a lesson panel the 16 samples of "what the model sees" made the Training tab scroll
    sideways (718 px asked for): the strip asks for 8 and shows as many as fit."""
    import numpy as np

    from gui.widgets.prediction_strip import MIN_COLUMNS, PredictionStrip

    strip = PredictionStrip(tile_size=36, columns=16)
    qtbot.addWidget(strip)
    strip.set_samples(np.zeros((16, 28, 28), np.uint8), np.arange(16) % 10, [str(d) for d in range(10)])
    strip.show()
    full = 16 * strip._column_width()  # what a row of 16 takes
    assert strip.minimumSizeHint().width() <= full // 2
    strip.resize(full // 2 + 60, strip.height())
    qtbot.waitUntil(lambda: strip.shown_count() < 16)
    assert MIN_COLUMNS <= strip.shown_count() < 16
    strip.resize(full + 20, strip.height())  # room again: all of them
    qtbot.waitUntil(lambda: strip.shown_count() == 16)
