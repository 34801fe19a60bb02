"""A strip of sample images with the model's current guess under each.

Used twice on the Training tab: "what the model sees" (fixed validation samples, refreshed
at every epoch end, marked ✓ and green when right, ✗ and red when wrong: the symbol is
there for everyone who cannot tell the two colours apart) and the augmentation preview
(no guesses, just the images).  Each tile's accessible name says what a screen reader needs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from gui.widgets.image import to_pixmap

RIGHT_COLOUR = "#1a7f37"
WRONG_COLOUR = "#c62828"
RIGHT_MARK = "✓"
WRONG_MARK = "✗"
MIN_COLUMNS = 8  # the fewest tiles a row shows when the strip is narrow


class _Tile(QWidget):
    def __init__(self, size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QLabel()
        self.image.setFixedSize(size, size)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setStyleSheet("background: black;")
        # The right/wrong mark sits on the image's corner, so the caption keeps its width.
        self.mark = QLabel(self.image)
        self.mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.mark.hide()
        self.caption = QLabel(" ")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # The caption never widens its tile: a strip of 16 must fit a 1280-pixel window.
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.caption.setMinimumWidth(size)
        font = self.caption.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.92)
        self.caption.setFont(font)
        self._caption_style = ""
        self._marked: bool | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(1)
        layout.addWidget(self.image, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.caption)

    def set_caption_style(self, style: str) -> None:
        """The caption's style sheet, set only when it changes: a style sheet re-polishes the
        label (~0.1 ms each, 32 of them at every epoch end, while the run competes for the
        interpreter)."""
        if style != self._caption_style:
            self._caption_style = style
            self.caption.setStyleSheet(style)

    def set_mark(self, right: bool | None) -> None:
        """✓ on green or ✗ on red in the image's top-right corner; None hides it."""
        if right is not None and right == self._marked:
            return  # already so: no re-styling (see set_caption_style)
        self._marked = right
        if right is None:
            self.mark.setText("")
            self.mark.hide()
            return
        self.mark.setText(RIGHT_MARK if right else WRONG_MARK)
        self.mark.setStyleSheet(
            f"color: white; background: {RIGHT_COLOUR if right else WRONG_COLOUR}; font-weight: bold;"
        )
        side = max(14, self.mark.sizeHint().height())
        self.mark.setFixedSize(side, side)
        self.mark.move(self.image.width() - side, 0)
        self.mark.show()


class PredictionStrip(QWidget):
    """A fixed row (or rows) of images; :meth:`set_predictions` writes a guess under each."""

    def __init__(self, tile_size: int = 56, columns: int = 16, parent: QWidget | None = None,
                 reserve_rows: int = 0) -> None:
        super().__init__(parent)
        self._tile_size = tile_size
        self._columns = columns
        self._tiles: list[_Tile] = []
        self._labels = np.zeros(0, np.int64)
        self._label_names: Sequence[str] = ()
        self.updates = 0  # how many times predictions were shown (tests and the status use it)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(4)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        if reserve_rows:
            # As tall empty as full: the samples arriving must not push the panel's layout about.
            probe = _Tile(tile_size)
            self.setMinimumHeight(reserve_rows * probe.sizeHint().height() + (reserve_rows - 1) * 4)
            probe.deleteLater()

    def set_samples(self, images: np.ndarray, labels: np.ndarray | None = None,
                    label_names: Sequence[str] = ()) -> None:
        """Show these images (uint8 N x 28 x 28); labels are the truth the guesses are checked against."""
        for tile in self._tiles:
            tile.setParent(None)
            tile.deleteLater()
        self._tiles = []
        self._labels = np.zeros(len(images), np.int64) if labels is None else np.asarray(labels)
        self._label_names = label_names
        for i, image in enumerate(images):
            tile = _Tile(self._tile_size)
            tile.image.setPixmap(to_pixmap(image, self._tile_size))
            if labels is not None and label_names:
                tile.setToolTip(f"true label: {label_names[int(labels[i])]}")
                tile.setAccessibleName(f"sample {i + 1}, true label {label_names[int(labels[i])]}")
            else:
                tile.setAccessibleName(f"sample {i + 1}")
            self._grid.addWidget(tile, i // self._columns, i % self._columns)
            self._tiles.append(tile)
        self._fit_tiles()

    def set_captions(self, captions: Sequence[str]) -> None:
        """Plain grey captions (the augmentation preview)."""
        for tile, text in zip(self._tiles, captions, strict=False):
            tile.caption.setText(text)
            tile.set_caption_style("color: palette(mid);")

    def set_predictions(self, predicted: np.ndarray, confidence: np.ndarray) -> None:
        """Write "guess (confidence%)" under each image, ✓ and green when right, ✗ and red when wrong."""
        for i, tile in enumerate(self._tiles[: len(predicted)]):
            guess = int(predicted[i])
            name = self._label_names[guess] if guess < len(self._label_names) else str(guess)
            right = guess == int(self._labels[i])
            tile.caption.setText(f"{name} {confidence[i] * 100:.0f}%")
            tile.set_caption_style(f"color: {RIGHT_COLOUR if right else WRONG_COLOUR};")
            truth = self._label_names[int(self._labels[i])] if self._label_names else "?"
            tile.setToolTip(f"true: {truth} - model says {name} ({confidence[i] * 100:.1f}%)")
            tile.set_mark(right)
            tile.setAccessibleName(
                f"sample {i + 1}, {'right' if right else 'wrong'}: true {truth}, "
                f"model says {name}, {confidence[i] * 100:.0f}% sure"
            )
        self.updates += 1

    def clear_predictions(self) -> None:
        for tile in self._tiles:
            tile.caption.setText("…")
            tile.set_caption_style("color: palette(mid);")
            tile.set_mark(None)

    def captions(self) -> list[str]:
        return [tile.caption.text() for tile in self._tiles]

    def marks(self) -> list[str]:
        """The ✓/✗ mark of each tile ("" before a guess)."""
        return [tile.mark.text() for tile in self._tiles]

    def right_count(self) -> int:
        """How many tiles are currently shown as right (green)."""
        return sum(RIGHT_COLOUR in tile.caption.styleSheet() for tile in self._tiles)

    def __len__(self) -> int:
        return len(self._tiles)

    # A row of 16 never widens the window: beside a lesson panel (or in presenter view) the
    # strip shows the columns that fit, at least MIN_COLUMNS, and asks for no more.

    def _column_width(self) -> int:
        return self._tiles[0].sizeHint().width() + self._grid.spacing()

    def minimumSizeHint(self):  # noqa: N802 (Qt's name)
        hint = super().minimumSizeHint()
        if self._tiles:
            hint.setWidth(min(hint.width(), MIN_COLUMNS * self._column_width()))
        return hint

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit_tiles()

    def _fit_tiles(self) -> None:
        if not self._tiles:
            return
        fits = max(MIN_COLUMNS, (self.width() + self._grid.spacing()) // self._column_width())
        for i, tile in enumerate(self._tiles):
            shown = i % self._columns < fits
            if tile.isHidden() == shown:
                tile.setVisible(shown)

    def shown_count(self) -> int:
        """How many tiles fit the strip's width now (the rest wait for room)."""
        return sum(not tile.isHidden() for tile in self._tiles)
