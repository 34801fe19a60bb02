"""The mistakes gallery: misclassified test samples, most confident mistakes first.

A confident mistake is the interesting kind to show a class (is it the model, or is the
label wrong?), so the order is the engine's ranking.  Every mistake is kept; the gallery
shows the first 200 matching its filter (a true class and/or a predicted class).  Clicking a sample (or Enter on it)
opens it large.  Every caption starts with ✗, so a mistake reads as one without colour, and
each item's accessible text is the whole sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.widgets.image import to_pixmap
from gui.widgets.prediction_strip import WRONG_MARK


class SampleDialog(QDialog):
    """One sample, large, with its true and predicted labels."""

    def __init__(self, image: np.ndarray, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mistake")
        picture = QLabel()
        picture.setPixmap(to_pixmap(image, 336))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = QLabel(caption)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.caption.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.caption.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(picture)
        layout.addWidget(self.caption)


class MistakesGallery(QListWidget):
    """A scrolling grid of mistakes; ``sample_clicked(rank)`` fires and a large view opens."""

    sample_clicked = Signal(int)

    def __init__(self, tile_size: int = 56, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tile = tile_size
        self._images = np.zeros((0, 28, 28), np.uint8)
        self._captions: list[str] = []
        empty = np.zeros(0, np.int64)
        self._all = (np.zeros((0, 28, 28), np.uint8), empty, empty, np.zeros(0))
        self._names: list[str] = []
        self._limit = 200
        self._filter: tuple[int | None, int | None] = (None, None)
        self.dialog: SampleDialog | None = None
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(tile_size, tile_size))
        self.setGridSize(QSize(tile_size + 34, tile_size + 38))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setWordWrap(True)
        self.itemClicked.connect(self._on_clicked)
        self.setAccessibleName("Mistakes")
        self.setAccessibleDescription("misclassified test samples, most confident mistakes first")

    def set_mistakes(self, images: np.ndarray, true: Sequence[int], predicted: Sequence[int],
                     confidence: Sequence[float], label_names: Sequence[str], limit: int = 200) -> None:
        """Keep every mistake (already ranked, most confident first) and show the first ``limit``
        of those matching the filter (:meth:`set_filter`; reset to all here)."""
        self._all = (np.asarray(images), np.asarray(true, np.int64), np.asarray(predicted, np.int64),
                     np.asarray(confidence, np.float64))
        self._names = list(label_names)
        self._limit = limit
        self._filter: tuple[int | None, int | None] = (None, None)
        self._fill()

    def clear_mistakes(self) -> None:
        """No mistakes (a new run starts): the enlarged one of the last run closes too."""
        self.close_large()
        self.set_mistakes(np.zeros((0, 28, 28), np.uint8), [], [], [], ())

    def close_large(self) -> None:
        """Close the enlarged sample, if one is open."""
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None

    def set_filter(self, true: int | None = None, predicted: int | None = None) -> None:
        """Show only mistakes of true class ``true`` and/or taken for ``predicted`` (None: any)."""
        self._filter = (true, predicted)
        self._fill()

    def matching(self) -> int:
        """How many mistakes match the filter (shown or not)."""
        return int(self._match().sum())

    def total(self) -> int:
        """How many mistakes the run made."""
        return len(self._all[1])

    def _match(self) -> np.ndarray:
        _, true, predicted, _ = self._all
        keep = np.ones(len(true), bool)
        if self._filter[0] is not None:
            keep &= true == self._filter[0]
        if self._filter[1] is not None:
            keep &= predicted == self._filter[1]
        return keep

    def _fill(self) -> None:
        self.clear()
        images, true, predicted, confidence = self._all
        picked = np.flatnonzero(self._match())[: self._limit]
        self._images = images[picked] if len(picked) else np.zeros((0, 28, 28), np.uint8)
        self._captions = []
        names = self._names
        for i, k in enumerate(picked):
            t, p, c = names[int(true[k])], names[int(predicted[k])], float(confidence[k])
            item = QListWidgetItem(QIcon(to_pixmap(images[k], self._tile)), f"{WRONG_MARK} {t}→{p}\n{c:.0%}")
            item.setToolTip(f"true {t}, model said {p} with {c:.1%} confidence")
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"mistake {i + 1}: true {t}, model said {p}, {c:.0%} sure")
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self._captions.append(f"true {t} — model said {p} ({c:.1%} sure)")
            self.addItem(item)

    def _on_clicked(self, item: QListWidgetItem) -> None:
        self.show_large(self.row(item))

    def keyPressEvent(self, event) -> None:
        """Enter or Return opens the current sample large, as a click does; Esc closes it."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            self.show_large(self.currentRow())
            return
        if event.key() == Qt.Key.Key_Escape and self.dialog is not None and self.dialog.isVisible():
            self.close_large()
            return
        super().keyPressEvent(event)

    def show_large(self, rank: int) -> SampleDialog:
        """Open the sample at ``rank`` large (non-modal, so the class can keep watching)."""
        self.close_large()
        self.dialog = SampleDialog(self._images[rank], self._captions[rank], self)
        self.dialog.show()
        # In front and with the keys (Esc closes it), not left behind the main window.
        self.dialog.raise_()
        self.dialog.activateWindow()
        self.sample_clicked.emit(rank)
        return self.dialog
