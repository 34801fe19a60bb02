"""Driving widgets as a user does: mouse strokes on the drawing pad, the Datasets tab's list."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

# A model load (TensorFlow's first import included) on a loaded 2-core machine: generous.
LOAD_TIMEOUT_MS = 60_000


def draw(pad, points, release: bool = True) -> None:
    """One stroke with real mouse events: press, move through the points, release."""
    points = [QPoint(int(x), int(y)) for x, y in points]
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
    for p in points[1:]:
        QTest.mouseMove(pad, p)
    if release:
        QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])


def vertical_bar(pad):
    """The points of a "1": a near-vertical bar down the middle of the pad."""
    cx, h = pad.width() / 2, pad.height()
    return [(cx + 0.02 * i, h * 0.15 + h * 0.7 * i / 30) for i in range(31)]


def dataset_row_names(datasets_tab) -> list[str]:
    """The data-set names the Datasets tab lists, in their order."""
    rows = datasets_tab.dataset_list
    return [rows.item(i).data(Qt.ItemDataRole.UserRole) for i in range(rows.count())]


def click_row(datasets_tab, name: str) -> None:
    """Click the Datasets tab's row of the set ``name``, as a person would."""
    rows = datasets_tab.dataset_list
    rect = rows.visualItemRect(rows.item(dataset_row_names(datasets_tab).index(name)))
    QTest.mouseClick(rows.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(rect.left() + 20, rect.center().y()))


def contrast(a, b) -> float:
    """The WCAG contrast ratio of two QColors."""
    def luminance(c) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def wheel_over(widget, steps: int = -1) -> None:
    """One notch of the mouse wheel over the middle of ``widget``, as the mouse sends it."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False,
    )
    QApplication.sendEvent(widget, event)


# A short real training run on a loaded 2-core machine: generous.
RUN_TIMEOUT_MS = 90_000


def configure(tab, samples: int, epochs: int, lr: float = 0.001, reject: bool = False) -> None:
    """Set the Training tab's form for a small MNIST run (batch 32, 20% validation, no augmentation,
    no "not a character" class unless ``reject``: the tests count MNIST's ten classes)."""
    tab.form.limit_spin.setValue(samples)
    tab.form.epochs_spin.setValue(epochs)
    tab.form.batch_spin.setValue(32)
    tab.form.lr_spin.setValue(lr)
    tab.form.validation_unit.setCurrentIndex(0)
    tab.form.validation_spin.setValue(20)
    tab.form.augment_box.setChecked(False)
    tab.form.reject_check.setChecked(reject)


def press(qtbot, button) -> None:
    """Click an enabled button as a person would."""
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def shown_draw_tab(qtbot, size: tuple[int, int] = (1100, 700), model: str | None = "tiny-digits"):
    """A Draw tab shown at ``size``, with ``model`` chosen (install it first, tests.helpers.models)."""
    from gui.draw.tab import DrawTab

    widget = DrawTab()
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    if model:
        widget.select_model(model)
    return widget


def thumbnail_rect(qtbot, grid, row: int):
    """Where thumbnail ``row`` of an image grid is drawn, once it is (the grid lays out in
    batches, turn by turn: a person clicks what they see)."""
    index = grid.model().index(row)
    qtbot.waitUntil(lambda: grid.visualRect(index).isValid(), timeout=10_000)
    return grid.visualRect(index)
