"""The results a user reads after a run: a confusion cell opens its mistakes, the mistakes can
be filtered by class, the worst classes are red even at 0%, and a class with no samples says so."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from gui.training.results_panel import MISTAKES_PAGE, RESULTS_PAGE, ResultsPanel
from gui.training.run import EvaluationView
from tests.helpers.gui import press

RUN_TIMEOUT_MS = 120_000


def _view(confusion: np.ndarray, names) -> EvaluationView:
    """An evaluation as the training thread hands it over, with one image per mistake."""
    true, predicted = [], []
    for t, p in zip(*np.nonzero(confusion * (1 - np.eye(len(names), dtype=np.int64))), strict=True):
        true += [t] * int(confusion[t, p])
        predicted += [p] * int(confusion[t, p])
    n = len(true)
    support = confusion.sum(axis=1)
    per_class = np.divide(np.diag(confusion), support, out=np.zeros(len(names)), where=support > 0)
    return EvaluationView(
        loss=1.0, accuracy=float(np.trace(confusion) / confusion.sum()), samples=int(confusion.sum()),
        confusion=confusion, per_class_accuracy=per_class, label_names=tuple(names),
        mistake_images=np.full((n, 28, 28), 200, np.uint8), mistake_true=np.array(true, np.int64),
        mistake_predicted=np.array(predicted, np.int64), mistake_confidence=np.linspace(0.99, 0.5, n),
        evaluation=None,
    )


@pytest.fixture
def panel(qtbot):
    widget = ResultsPanel()
    qtbot.addWidget(widget)
    widget.resize(1100, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _cell_centre(view, row: int, col: int) -> QPoint:
    left, top, cell = view._layout()
    return QPoint(int(left + (col + 0.5) * cell), int(top + (row + 0.5) * cell))


def test_clicking_a_confusion_cell_shows_exactly_those_mistakes(panel, qtbot):
    names = ("A", "B", "C")
    confusion = np.array([[50, 7, 0], [2, 40, 250], [0, 0, 30]])
    panel.show_evaluation(_view(confusion, names))
    assert panel.currentIndex() == RESULTS_PAGE
    qtbot.mouseClick(panel.confusion_view, Qt.MouseButton.LeftButton, pos=_cell_centre(panel.confusion_view, 1, 2))
    assert panel.currentIndex() == MISTAKES_PAGE
    assert panel.true_filter.currentText() == "B" and panel.predicted_filter.currentText() == "C"
    assert panel.gallery.matching() == 250
    assert panel.gallery.count() == 200  # the gallery shows the first 200 of them
    assert all(panel.gallery.item(i).text().startswith("✗ B→C") for i in range(panel.gallery.count()))
    assert "250 mistakes of true B taken for C" in panel.mistakes_label.text()
    assert "showing 200 of 250" in panel.mistakes_label.text()


def test_the_filters_narrow_the_mistakes_by_true_or_predicted_class(panel, qtbot):
    names = ("A", "B", "C")
    panel.show_evaluation(_view(np.array([[50, 7, 0], [2, 40, 25], [0, 4, 30]]), names))
    assert panel.gallery.count() == 38 and "38 misclassified test samples" in panel.mistakes_label.text()
    panel.setCurrentIndex(MISTAKES_PAGE)
    panel.predicted_filter.setCurrentIndex(panel.predicted_filter.findText("B"))  # model said B
    assert panel.gallery.count() == 11
    assert all("→B" in panel.gallery.item(i).text() for i in range(panel.gallery.count()))
    panel.true_filter.setCurrentIndex(panel.true_filter.findText("C"))
    assert panel.gallery.count() == 4
    panel.true_filter.setCurrentIndex(panel.true_filter.findText("B"))  # B read as B: right, not a mistake
    assert panel.gallery.count() == 0 and "read right" in panel.mistakes_label.text()
    panel.true_filter.setCurrentIndex(0)
    panel.predicted_filter.setCurrentIndex(0)
    assert panel.gallery.count() == 38


def test_enter_on_the_keyboards_cell_opens_it_too(panel, qtbot):
    panel.show_evaluation(_view(np.array([[5, 3], [1, 9]]), ("x", "y")))
    panel.confusion_view.setFocus()
    qtbot.keyClick(panel.confusion_view, Qt.Key.Key_Right)  # lands on the top-left cell first
    qtbot.keyClick(panel.confusion_view, Qt.Key.Key_Right)  # x taken for y
    qtbot.keyClick(panel.confusion_view, Qt.Key.Key_Return)
    assert panel.currentIndex() == MISTAKES_PAGE and panel.gallery.count() == 3


def test_worst_classes_are_red_even_at_zero_and_an_empty_class_says_no_samples(panel, qtbot):
    names = ("0", "1", "2", "3")
    # Class 1 and 3 are never right (0%), class 2 has no samples in the split at all.
    confusion = np.array([[20, 0, 0, 0], [5, 0, 0, 0], [0, 0, 0, 0], [0, 4, 0, 0]])
    panel.show_evaluation(_view(confusion, names))
    bars = panel.class_bars
    assert bars.worst() == [1, 3]  # both at 0%, the empty class 2 is not "worst"
    assert bars.value_text(2) == "no samples" and bars.value_text(1) == "0"
    image = bars.grab().toImage()
    red = bars.WORST.rgb()
    width = (bars.width() - 8) / 4
    for i, expect_red in ((0, False), (1, True), (2, False), (3, True)):
        column = [image.pixel(int(4 + (i + 0.5) * width), y) for y in range(image.height())]
        assert (red in column) is expect_red, f"class {names[i]}"
    assert "no samples: 2" in bars.accessibleDescription()


@pytest.mark.slow
def test_after_a_real_run_a_cell_click_opens_its_mistakes(training_tab, qtbot):
    tab = training_tab
    press(qtbot, tab.bar.start_button)
    qtbot.waitUntil(lambda: tab.state() == "idle" and tab.results.evaluation is not None, timeout=RUN_TIMEOUT_MS)
    matrix = tab.results.confusion_view.matrix()
    off = matrix * (1 - np.eye(len(matrix), dtype=np.int64))
    row, col = np.unravel_index(int(np.argmax(off)), off.shape)
    qtbot.mouseClick(tab.results.confusion_view, Qt.MouseButton.LeftButton,
                     pos=_cell_centre(tab.results.confusion_view, int(row), int(col)))
    assert tab.results.currentIndex() == MISTAKES_PAGE
    assert tab.results.gallery.matching() == off[row, col]
    name_t, name_p = tab.results.evaluation.label_names[row], tab.results.evaluation.label_names[col]
    assert tab.results.gallery.item(0).text().startswith(f"✗ {name_t}→{name_p}")
