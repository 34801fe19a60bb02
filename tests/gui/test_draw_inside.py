"""The Draw tab's Inside view, driven as a person does: open it, draw, hover, click, ask why."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.helpers.gui import LOAD_TIMEOUT_MS, draw, shown_draw_tab, vertical_bar
from tests.helpers.inside import install_dense_model
from tests.helpers.models import install_tiny_model


@pytest.fixture
def tab(qtbot, tmp_path_factory, mnist):
    install_tiny_model(tmp_path_factory, mnist)
    install_dense_model(tmp_path_factory, mnist)
    widget = shown_draw_tab(qtbot, (1280, 680))
    qtbot.waitUntil(lambda: widget.recognizer() is not None, timeout=LOAD_TIMEOUT_MS)
    yield widget
    assert widget.models.loader.wait(LOAD_TIMEOUT_MS)


def seven(pad):
    w, h = pad.width(), pad.height()
    top = [(w * (0.3 + 0.4 * t), h * 0.2) for t in np.linspace(0, 1, 12)]
    down = [(w * (0.7 - 0.25 * t), h * (0.2 + 0.65 * t)) for t in np.linspace(0, 1, 20)]
    return top + down


def open_inside(qtbot, tab):
    QTest.mouseClick(tab.inside.toggle, Qt.MouseButton.LeftButton)
    assert tab.inside.isVisible() and not tab.recognition.isVisible() and not tab.collect.isVisible()


def test_hidden_until_asked_for_then_each_layer_responds_to_the_drawing(qtbot, tab) -> None:
    inside = tab.inside
    assert not inside.isVisible() and tab.recognition.isVisible()
    open_inside(qtbot, tab)
    assert "Draw a character" in inside.status.text()
    with qtbot.waitSignal(inside.looked, timeout=LOAD_TIMEOUT_MS):
        draw(tab.pad, seven(tab.pad))
    qtbot.waitUntil(lambda: inside.result is not None, timeout=LOAD_TIMEOUT_MS)
    assert "it reads 7" in inside.status.text()
    titles = [row.title.text() for row in inside.rows]
    assert titles[0].startswith("<b>Conv 1</b> · 26×26×8 · 3×3, ReLU")
    assert [t.split("</b>")[0][3:] for t in titles] == ["Conv 1", "Pool 1", "Conv 2", "Pool 2"]
    first = inside.rows[0].grid
    assert first.channels() == 8 and not inside.input_picture.pixmap().isNull()
    means = inside.result[2].activations[0].values.mean(axis=(0, 1))
    assert int(first.order[0]) == int(np.argmax(means))  # strongest first
    assert inside.probabilities.labels() == [str(d) for d in range(10)]
    assert inside.probabilities.highlighted()[0] == "7"

    # It follows the pen: another stroke, new maps.
    before = inside.result[2].activations[2].values.copy()
    with qtbot.waitSignal(inside.looked, timeout=LOAD_TIMEOUT_MS):
        draw(tab.pad, vertical_bar(tab.pad))
    qtbot.waitUntil(lambda: not np.array_equal(inside.result[2].activations[2].values, before), timeout=LOAD_TIMEOUT_MS)

    # Open, it still fits a 1280x680 window (a 1280x720 screen less a title bar and a panel).
    hint = tab.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 680 - 40  # the tab bar above it

    # Closing puts the answer panels back.  Its key is not the window's Import (Ctrl+I).
    QTest.mouseClick(inside.toggle, Qt.MouseButton.LeftButton)
    assert not inside.isVisible() and tab.recognition.isVisible() and tab.collect.isVisible()
    assert inside.toggle.shortcut().toString() == "Ctrl+Shift+I"


def test_hover_enlarges_a_map_and_a_click_shows_its_filter(qtbot, tab) -> None:
    inside = tab.inside
    open_inside(qtbot, tab)
    draw(tab.pad, seven(tab.pad))
    qtbot.waitUntil(lambda: inside.result is not None, timeout=LOAD_TIMEOUT_MS)
    grid = inside.rows[0].grid
    third = grid.tile_rect(2).center()
    QTest.mouseMove(grid, third)
    channel = int(grid.order[2])
    qtbot.waitUntil(lambda: f"Conv 1, map {channel} (3rd strongest)" in inside.detail_caption.text())
    assert not inside.detail_picture.pixmap().isNull()
    QTest.mouseClick(grid, Qt.MouseButton.LeftButton, pos=third)
    assert inside.filter_shown() == channel
    weights = inside.result[1].filters()[channel]
    assert f"Filter {channel} of the first layer (3×3 weights" in inside.detail_caption.text()
    assert f"{weights[0, 0]:+.2f}" in inside.detail_caption.text()
    # A map of a deeper layer enlarges but has no filter view.
    deeper = inside.rows[2].grid
    QTest.mouseClick(deeper, Qt.MouseButton.LeftButton, pos=deeper.tile_rect(0).center())
    assert inside.filter_shown() == channel


def test_why_shows_the_ink_for_the_answer_and_why_not_the_second_guess(qtbot, tab) -> None:
    inside = tab.inside
    open_inside(qtbot, tab)
    draw(tab.pad, seven(tab.pad))
    qtbot.waitUntil(lambda: inside.result is not None, timeout=LOAD_TIMEOUT_MS)
    assert inside.why_picture.pixmap().isNull() and not inside.overlay.isVisible()
    assert not inside.why_not.isEnabled()
    QTest.mouseClick(inside.why_box, Qt.MouseButton.LeftButton)
    assert inside.why_caption.text() == "Why 7? Red ink argued for 7, blue against it."
    assert not inside.why_picture.pixmap().isNull()
    # Faded over the pad, where the strokes are.
    assert inside.overlay.isVisible()
    left, top, side = inside.overlay.placement
    xs = [p[0] for p in seven(tab.pad)]
    assert left < min(xs) and left + side > max(xs) and 0.5 * tab.pad.height() < side < 2 * tab.pad.height()
    answer, second = inside.why_classes()
    second_label = str(second)
    assert inside.why_not.text() == f"Why not {second_label}?" and inside.why_not.isEnabled()
    QTest.mouseClick(inside.why_not, Qt.MouseButton.LeftButton)
    assert inside.why_caption.text() == f"Why not {second_label}? Red ink argued for {second_label}, blue against it."
    assert inside.why_target == second
    QTest.mouseClick(inside.why_box, Qt.MouseButton.LeftButton)
    assert not inside.overlay.isVisible()


def test_a_dense_only_model_shows_rows_and_says_it_has_no_filters(qtbot, tab) -> None:
    inside = tab.inside
    tab.select_model("tiny-dense")
    qtbot.waitUntil(lambda: tab.recognizer() is not None and tab.recognizer().name == "tiny-dense",
                    timeout=LOAD_TIMEOUT_MS)
    open_inside(qtbot, tab)
    draw(tab.pad, seven(tab.pad))
    qtbot.waitUntil(lambda: inside.result is not None and inside.result[0].name == "tiny-dense",
                    timeout=LOAD_TIMEOUT_MS)
    assert [row.layer.name for row in inside.rows] == ["Dense 1"]
    assert inside.rows[0].grid is None and len(inside.rows[0].values.values) == 16
    assert inside.no_filters.isVisible() and "no filters" in inside.no_filters.text()


def test_the_map_places_test_samples_and_the_drawing_among_them(qtbot, tab) -> None:
    inside = tab.inside
    open_inside(qtbot, tab)
    draw(tab.pad, seven(tab.pad))
    qtbot.waitUntil(lambda: inside.result is not None, timeout=LOAD_TIMEOUT_MS)
    page = inside.map
    with qtbot.waitSignal(page.ready, timeout=LOAD_TIMEOUT_MS):
        inside.pages.setCurrentWidget(page)
    scatter = page.scatter
    assert len(scatter.points) == 2000 and set(np.unique(scatter.labels)) == set(range(10))
    assert "2,000 test samples of mnist" in page.status.text() and "PCA" in page.status.text()
    # The classes gather: a sample's nearest neighbour on the map is of its class far more often
    # than chance (10%; the tiny model: ~37%, the bundled digits model: 82%).
    points, labels = scatter.points, scatter.labels
    d = ((points[:200, None] - points[None]) ** 2).sum(-1)
    np.fill_diagonal(d[:, :200], np.inf)
    assert (labels[np.argmin(d, axis=1)] == labels[:200]).mean() > 0.25
    # The drawing is a marker, among the 7s.
    qtbot.waitUntil(lambda: scatter.marker is not None, timeout=LOAD_TIMEOUT_MS)
    assert page.where.text().startswith("Your drawing sits among the 7s")
    first = scatter.marker.copy()
    # It moves as the drawing changes.
    draw(tab.pad, vertical_bar(tab.pad))
    qtbot.waitUntil(lambda: scatter.marker is not None and not np.allclose(scatter.marker, first), timeout=LOAD_TIMEOUT_MS)
    # Hover a sample: its picture and label; click it: it opens large.
    spot = scatter._widget_points()[5]
    from PySide6.QtCore import QPoint

    QTest.mouseMove(scatter, QPoint(int(spot[0]), int(spot[1])))
    index = scatter.sample_at(QPoint(int(spot[0]), int(spot[1])).toPointF())
    label = str(int(labels[index]))
    qtbot.waitUntil(lambda: page.preview_caption.text().startswith(label + "\nmnist test"))
    QTest.mouseClick(scatter, Qt.MouseButton.LeftButton, pos=QPoint(int(spot[0]), int(spot[1])))
    assert page.opened is not None and page.opened.isVisible()
    assert page.opened.windowTitle().endswith(f": {label}")
    np.testing.assert_array_equal(page.opened.grid.image(), page.map.images[index])
    page.opened.close()
