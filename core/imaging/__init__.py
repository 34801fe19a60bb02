"""Strokes or images -> the 28x28 input every InkLab model sees: the one pipeline.

The drawing pad, the CLI, the pendigits data set and image files all come through here, so
a model sees a drawing exactly the way it saw its training data.  The recipe is MNIST's:
crop to the ink, scale the longer side to 20 px keeping the aspect ratio (anti-aliased),
and place the result in 28x28 so that the ink's centre of mass sits on pixel (14, 14);
white ink on black, float32 in [0, 1].

- :mod:`core.imaging.framing`: the MNIST recipe itself, image by image and vectorised over
  a whole data set (:func:`reframe_images`), and :func:`to_uint8`.
- :mod:`core.imaging.strokes`: pen strokes -> 28x28 (:func:`render_strokes`), the size
  check of a drawing, and the stroke JSON format.
- :mod:`core.imaging.images`: a picture file or array -> 28x28 (:func:`image_to_input`).

Change :data:`PREPROCESS_VERSION` whenever the output of this package changes: model cards
store it and caches of rendered data sets are keyed by it.
"""

from core.imaging.framing import BOX, SIZE, mnist_normalize, reframe_images, to_uint8
from core.imaging.images import image_to_input, open_image
from core.imaging.strokes import (
    DEFAULT_PEN_WIDTH,
    MIN_DRAWING_FRACTION,
    check_drawing_size,
    load_strokes_json,
    render_strokes,
    strokes_to_json,
)

PREPROCESS_VERSION = 1

__all__ = [
    "BOX",
    "DEFAULT_PEN_WIDTH",
    "MIN_DRAWING_FRACTION",
    "PREPROCESS_VERSION",
    "SIZE",
    "check_drawing_size",
    "image_to_input",
    "load_strokes_json",
    "mnist_normalize",
    "open_image",
    "reframe_images",
    "render_strokes",
    "strokes_to_json",
    "to_uint8",
]
