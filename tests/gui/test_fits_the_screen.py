"""Issue 24, item 1: the window fits a 1280x720 screen (1280x680 usable) in every state.

A walk through every tab and state (idle, training, after a run, with a message showing,
with the longest data-set and model names) checks that the window's minimum size never grows
past 1280x680, that every tab fits the window without scrolling and every control is inside
it, and that at 1024x640 every control is still reached by scrolling.  A saved geometry
larger than the screen is cut to it.
"""

from __future__ import annotations

import string

import numpy as np
import pytest
from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QSlider,
    QWidget,
)

from tests.helpers.gui import RUN_TIMEOUT_MS, configure, draw, press, vertical_bar

SMALL_SCREEN = QSize(1280, 680)
SMALLEST = QSize(1024, 640)
# The longest names the rules allow (64 characters), and a collection with 62 classes.
LONG_SET = ("my-class-collection-of-handwritten-letters-and-digits-from-" + "x" * 64)[:64]
LONG_MODEL = ("recommended-on-my-class-collection-of-handwritten-letters-" + "y" * 64)[:64]
CONTROLS = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QSlider)


def _make_long_collection() -> None:
    from core.datasets.collections import add_sample

    rng = np.random.default_rng(0)
    for label in string.digits + string.ascii_letters:
        for _ in range(3):
            add_sample(LONG_SET, label, rng.integers(0, 256, (28, 28)).astype(np.uint8))


def _inner_scroller(widget: QWidget, tab_area) -> bool:
    """Whether ``widget`` sits in a scrolling panel of its own (reached by scrolling that panel)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not tab_area:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _controls(window, title: str) -> list[QWidget]:
    page = window._lazy[title]
    return [w for w in page.widget.findChildren(QWidget)
            if isinstance(w, CONTROLS) and w.isVisible() and not _inner_scroller(w, page.scroll_area)]


def _misfits(window, qtbot, title: str, state: str) -> list[str]:
    """What does not fit in this state: empty when the tab fits the window with every control in it."""
    qtbot.wait(60)  # the layouts settle (a LayoutRequest is handled on the next turn)
    problems = []
    hint = window.minimumSizeHint()
    if hint.width() > SMALL_SCREEN.width() or hint.height() > SMALL_SCREEN.height():
        problems.append(f"{title}, {state}: the window asks for {hint.width()}x{hint.height()}")
    if window.size() != SMALL_SCREEN:
        problems.append(f"{title}, {state}: the window grew to {window.width()}x{window.height()}")
    page = window._lazy[title]
    area = page.scroll_area
    least = page.widget.minimumSizeHint()
    viewport = area.viewport().size()
    if least.width() > viewport.width() or least.height() > viewport.height():
        problems.append(f"{title}, {state}: the tab needs {least.width()}x{least.height()}, "
                        f"has {viewport.width()}x{viewport.height()}")
    inside = window.rect()
    for control in _controls(window, title):
        place = QRect(control.mapTo(window, QPoint(0, 0)), control.size())
        if not inside.contains(place):
            name = control.accessibleName() or getattr(control, "text", lambda: "")() or type(control).__name__
            problems.append(f"{title}, {state}: {name!r} at {place.getRect()} is outside the window")
    return problems


def _reachable_by_scrolling(window, qtbot, title: str) -> list[str]:
    """At the smallest size: every control can be scrolled into view."""
    window.tabs.setCurrentWidget(window._lazy[title])
    qtbot.wait(60)
    area = window._lazy[title].scroll_area
    problems = []
    for control in _controls(window, title):
        area.ensureWidgetVisible(control, 0, 0)
        place = QRect(control.mapTo(area.viewport(), QPoint(0, 0)), control.size())
        if not area.viewport().rect().contains(place):
            problems.append(f"{title} at {SMALLEST.width()}x{SMALLEST.height()}: {control.accessibleName()!r} "
                            "cannot be scrolled into view")
    return problems


@pytest.mark.slow
def test_every_tab_fits_1280x680_in_every_state(main_window, datasets_tab, qtbot, tmp_path_factory, mnist):
    """One walk, longer than a test usually is, on purpose: the window's size requests are watched
    through all of it, and the states build on each other (the model saved after the run is
    the one the Draw tab then picks)."""
    from core.models import library
    from tests.helpers.gui import click_row

    _make_long_collection()
    window = main_window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # the keys below go to it
    window.resize(SMALL_SCREEN)
    qtbot.waitUntil(lambda: window.size() == SMALL_SCREEN)
    asked: list[QSize] = []  # what the window asks for, every 20 ms through the whole walk
    watch = QTimer()
    watch.timeout.connect(lambda: asked.append(window.minimumSizeHint()))
    watch.start(20)
    problems: list[str] = []

    # Datasets: idle, a message of three lines, a set that is not here, the longest name with 62 classes.
    problems += _misfits(window, qtbot, "Datasets", "idle")
    datasets_tab.banner.show_error("A long message that wraps over several lines. " * 12)
    problems += _misfits(window, qtbot, "Datasets", "a long error showing")
    datasets_tab.banner.clear()
    click_row(datasets_tab, "emnist-letters")
    problems += _misfits(window, qtbot, "Datasets", "a set that is not here")
    datasets_tab.refresh()
    with qtbot.waitSignal(datasets_tab.dataset_loaded, timeout=30_000):
        click_row(datasets_tab, LONG_SET)
    problems += _misfits(window, qtbot, "Datasets", "62 classes, a 64-character name")

    # Training: the longest set name in the list, a run going, its results on every page.
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    training = window.tab("Training")
    training.ensure_ready()
    form = training.form
    form.dataset_combo.setCurrentIndex(form.dataset_combo.findData(LONG_SET))
    problems += _misfits(window, qtbot, "Training", "idle, the longest set name chosen")
    form.dataset_combo.setCurrentIndex(form.dataset_combo.findData("mnist"))
    form.preset_combo.setCurrentIndex(form.preset_combo.findData("dense-small"))
    configure(training, samples=600, epochs=2)
    press(qtbot, training.bar.start_button)
    qtbot.waitUntil(lambda: training.batches_received > 3, timeout=RUN_TIMEOUT_MS)
    problems += _misfits(window, qtbot, "Training", "training")
    qtbot.waitUntil(lambda: not training.is_running(), timeout=RUN_TIMEOUT_MS)
    qtbot.waitUntil(lambda: training.results.evaluation is not None, timeout=RUN_TIMEOUT_MS)
    problems += _misfits(window, qtbot, "Training", "after a run")
    training.results.save_name.setText(LONG_MODEL)
    press(qtbot, training.results.save_button)
    assert LONG_MODEL in {card.name for card in library.list_models()}
    problems += _misfits(window, qtbot, "Training", "Saved as… showing")
    for page in range(training.results.count()):
        training.results.setCurrentIndex(page)
        problems += _misfits(window, qtbot, "Training", f"results page {training.results.tabText(page)!r}")

    # Draw: the longest model name picked, a drawing read, a long collection name typed, a message.
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    draw_tab = window.tab("Draw")
    draw_tab.refresh_models()
    draw_tab.select_model(LONG_MODEL)
    qtbot.waitUntil(lambda: draw_tab.recognizer() is not None, timeout=RUN_TIMEOUT_MS)
    draw(draw_tab.pad, vertical_bar(draw_tab.pad))
    qtbot.waitUntil(lambda: draw_tab.prediction is not None, timeout=10_000)
    problems += _misfits(window, qtbot, "Draw", "a drawing read by the longest-named model")
    draw_tab.collect.collection_combo.setFocus()
    qtbot.keyClicks(draw_tab.collect.collection_combo, LONG_SET)
    problems += _misfits(window, qtbot, "Draw", "typing the longest collection name")
    window.show_error("Could not export: " + "a long reason, " * 30)
    problems += _misfits(window, qtbot, "Draw", "a long error showing")
    if hasattr(draw_tab, "multi"):  # "Several characters" (issue 26)
        draw_tab.multi.switch.setChecked(True)
        problems += _misfits(window, qtbot, "Draw", "several characters")
        draw_tab.multi.switch.setChecked(False)
    if hasattr(draw_tab, "teach"):  # "Teach it my writing" (issue 22): a round, its progress showing
        draw_tab.teach.start_round()
        draw_tab.teach.progress.start("Adapting letters to your 52 drawings… " * 3)
        problems += _misfits(window, qtbot, "Draw", "a teach round adapting")
        draw_tab.teach.progress.finish()
        draw_tab.teach.end_round()

    watch.stop()
    tallest = max(asked, key=lambda s: s.height())
    widest = max(asked, key=lambda s: s.width())
    assert tallest.height() <= SMALL_SCREEN.height() and widest.width() <= SMALL_SCREEN.width(), (
        f"the window asked for {widest.width()} x {tallest.height()} px at some point")
    assert not problems, "\n".join(problems)

    # 1024x640: smaller than the tabs need, still usable by scrolling.
    window.resize(SMALLEST)
    qtbot.waitUntil(lambda: window.size() == SMALLEST)
    lost = []
    for title in window.tab_titles():
        lost += _reachable_by_scrolling(window, qtbot, title)
    assert not lost, "\n".join(lost)


def test_a_saved_geometry_larger_than_the_screen_is_cut_to_it(qtbot, tmp_path) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QGuiApplication

    from gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    screen = QGuiApplication.primaryScreen().availableGeometry()
    big = MainWindow(settings)
    qtbot.addWidget(big)
    big.setGeometry(screen.x() + 200, screen.y() + 100, screen.width() + 300, screen.height() + 200)
    settings.setValue("window/geometry", big.saveGeometry())
    assert isinstance(settings.value("window/geometry"), QByteArray)

    again = MainWindow(settings)
    qtbot.addWidget(again)
    again.show()
    frame = again.geometry()
    # Qt itself keeps a restored window on the screen; the title bar needs room above it too.
    assert frame.width() <= screen.width() and frame.height() <= screen.height() - 40, frame
    assert screen.contains(frame), (frame, screen)
