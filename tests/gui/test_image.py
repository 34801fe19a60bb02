"""Array -> QImage / QPixmap: the user sees exactly the pixels the network sees, enlarged hard-edged."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from gui.widgets.image import to_pixmap, to_qimage, to_uint8


def gray_values(image: QImage) -> np.ndarray:
    """The gray level of every pixel of a QImage (any format), as a uint8 (H, W) array."""
    return np.array(
        [[image.pixelColor(x, y).red() for x in range(image.width())] for y in range(image.height())], np.uint8
    )


def test_uint8_pixels_are_kept_and_copied(qapp) -> None:
    pixels = np.array([[0, 84, 185], [253, 255, 1]], np.uint8)
    image = to_qimage(pixels)
    assert (image.width(), image.height()) == (3, 2)
    assert image.format() == QImage.Format.Format_Grayscale8
    pixels[:] = 7  # the QImage owns its own copy
    assert np.array_equal(gray_values(image), [[0, 84, 185], [253, 255, 1]])


def test_floats_are_read_as_0_to_1_rounded_and_clipped(qapp) -> None:
    drawing = np.array([[0.0, 0.5, 1.0], [1.2, -0.1, 0.2]], np.float32)
    expected = [[0, 128, 255], [255, 0, 51]]
    assert np.array_equal(to_uint8(drawing), expected)
    assert np.array_equal(gray_values(to_qimage(drawing)), expected)


def test_a_transposed_view_is_read_in_its_own_order(qapp) -> None:
    pixels = np.arange(6, dtype=np.uint8).reshape(2, 3).T  # not C-contiguous
    assert np.array_equal(gray_values(to_qimage(pixels)), pixels)


def test_pixmap_enlarges_each_pixel_to_a_hard_edged_block(qapp) -> None:
    pixels = np.array([[0, 255], [100, 50]], np.uint8)
    shown = to_pixmap(pixels, 8).toImage()
    assert (shown.width(), shown.height()) == (8, 8)
    assert np.array_equal(gray_values(shown), np.kron(pixels, np.ones((4, 4), np.uint8)))


def test_pixmap_of_a_float_drawing_and_aspect_kept(qapp) -> None:
    drawing = np.array([[0.0, 1.0, 0.5, 0.0]], np.float32)  # 1 x 4: fits 8 x 2
    shown = to_pixmap(drawing, 8).toImage()
    assert (shown.width(), shown.height()) == (8, 2)
    assert np.array_equal(gray_values(shown), np.kron([[0, 255, 128, 0]], np.ones((2, 2))).astype(np.uint8))
