"""Every numpy array -> QImage / QPixmap conversion of the GUI, in one place.

Images reach the GUI two ways: data-set samples as uint8 0..255 (white ink on black, as
MNIST stores them) and the Draw tab's preprocessed drawing as float 0..1.  Both become an
8-bit grayscale QImage that owns its pixels (Qt would otherwise keep pointing into a numpy
buffer that Python may free), and pixmaps are enlarged with hard pixel edges, so a user sees
the very pixels the network sees rather than a smoothed picture.  numpy is imported on first
use: the Datasets tab's widgets import this module before the window first shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap

if TYPE_CHECKING:
    import numpy as np


def to_uint8(image: np.ndarray) -> np.ndarray:
    """A C-contiguous uint8 copy of ``image``: floats are read as 0..1 (rounded, clipped),
    integers as 0..255 already."""
    import numpy as np

    image = np.asarray(image)
    if np.issubdtype(image.dtype, np.floating):
        image = np.clip(image * 255.0 + 0.5, 0, 255)
    return np.ascontiguousarray(image, dtype=np.uint8)


def to_qimage(image: np.ndarray) -> QImage:
    """A grayscale QImage that owns a copy of one (H, W) image (uint8 0..255 or float 0..1)."""
    pixels = to_uint8(image)
    height, width = pixels.shape
    return QImage(pixels.data, width, height, width, QImage.Format.Format_Grayscale8).copy()


def to_pixmap(image: np.ndarray, size: int) -> QPixmap:
    """One (H, W) image as a pixmap fitting ``size`` x ``size`` (aspect kept, so a 28x28 sample
    fills it exactly), scaled with hard pixel edges (no smoothing)."""
    scaled = to_qimage(image).scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )
    return QPixmap.fromImage(scaled)


def rgb_qimage(rgb: np.ndarray) -> QImage:
    """An RGB QImage that owns a copy of one (H, W, 3) uint8 picture (core.inside.pictures draws them)."""
    import numpy as np

    pixels = np.ascontiguousarray(rgb, dtype=np.uint8)
    height, width, _ = pixels.shape
    return QImage(pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
