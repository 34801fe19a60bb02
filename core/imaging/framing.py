"""The MNIST recipe on ink images: crop, scale the longer side to 20 px, centre by mass.

Shared by strokes (:mod:`core.imaging.strokes`) and pictures (:mod:`core.imaging.images`),
and run vectorised over whole data sets (:func:`reframe_images`) for sets framed another
way, so every image a model sees was framed the same way.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image

from core.errors import DrawingError
from core.progress import CancelToken, ProgressCallback, no_progress

SIZE = 28  # the output side, as MNIST
BOX = 20  # the ink's longer side in the output, as MNIST
DETAIL_SIDE = 8 * BOX  # ink is worked on at about this size before the final resize
EMPTY_IMAGE = "is empty: nothing drawn"
_REFRAME_CHUNK = 2000  # images re-framed between progress reports and cancel checks


def place_ink(ink: np.ndarray, scale: float) -> np.ndarray:
    """Resize ``ink`` by ``scale`` and paste it into 28x28 with its centre of mass on (14, 14).

    As MNIST did: the box is resized on its own (so a 20 px side covers exactly 20 pixels)
    and then moved by whole pixels, which keeps the strokes as sharp as the resize left
    them.  Ink pushed past the border is clipped.
    """
    h, w = ink.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if size != (w, h):
        resample = Image.Resampling.BOX if scale <= 1 else Image.Resampling.BILINEAR
        ink = np.asarray(Image.fromarray(np.ascontiguousarray(ink, np.float32)).resize(size, resample))
    small = np.clip(ink, 0.0, 1.0).astype(np.float32, copy=False)
    return _centre_by_mass(small[None])[0]


def place_ink_boxes(boxes: list[tuple[np.ndarray, float]]) -> np.ndarray:
    """:func:`place_ink` for many ``(ink, scale)`` pairs at once: float32 (N, 28, 28).

    Each box is resized by matrix products built from Pillow's own resize weights (the same
    weights :func:`place_ink` gets from ``Image.resize``, equal to within float rounding),
    and all of them are centred in one vectorised pass (no ``Image`` per drawing).  Both the
    pad's single drawing and a JSONL batch go through here, so they see the same pixels.
    """
    if not boxes:
        return np.zeros((0, SIZE, SIZE), np.float32)
    resized = [_resize_by_matrices(ink, scale) for ink, scale in boxes]
    side_h = max(r.shape[0] for r in resized)
    side_w = max(r.shape[1] for r in resized)
    # Zero padding on the bottom and right changes neither a box's centre of mass nor its paste.
    stack = np.zeros((len(resized), side_h, side_w), np.float32)
    for i, r in enumerate(resized):
        stack[i, : r.shape[0], : r.shape[1]] = r
    return _centre_by_mass(np.clip(stack, 0.0, 1.0, out=stack))


def _centre_by_mass(small: np.ndarray) -> np.ndarray:
    """Paste each of a stack of same-sized ink boxes (k, h, w) into 28x28, centre of mass on (14, 14).

    Moved by whole pixels; ink pushed past the border is clipped; an inkless box gives black.
    """
    k, h, w = small.shape
    out = np.zeros((k, SIZE, SIZE), np.float32)
    mass = small.sum(axis=(1, 2), dtype=np.float64)
    safe = np.where(mass > 0, mass, 1.0)
    cy = small.sum(axis=2, dtype=np.float64) @ np.arange(h) / safe
    cx = small.sum(axis=1, dtype=np.float64) @ np.arange(w) / safe
    # Round halves up, not to even, so a symmetric shape always lands the same way.
    oy = np.floor(SIZE / 2 - cy + 0.5).astype(int)
    ox = np.floor(SIZE / 2 - cx + 0.5).astype(int)
    for i in np.flatnonzero(mass > 0):
        y0, x0 = max(0, oy[i]), max(0, ox[i])
        y1, x1 = min(SIZE, oy[i] + h), min(SIZE, ox[i] + w)
        if y1 > y0 and x1 > x0:
            out[i, y0:y1, x0:x1] = small[i, y0 - oy[i] : y1 - oy[i], x0 - ox[i] : x1 - ox[i]]
    return out


def _unit_float(gray: np.ndarray) -> np.ndarray:
    """A 2-D array as float32 in [0, 1]: uint8 and 0-255 floats are divided by 255."""
    a = np.asarray(gray)
    if a.ndim != 2 or a.size == 0:
        raise DrawingError(f"expected a 2-D grayscale image, got shape {a.shape}")
    if a.dtype == np.bool_:
        return a.astype(np.float32)
    if not np.issubdtype(a.dtype, np.number):
        raise DrawingError(f"expected numbers in the image, got {a.dtype}")
    a = a.astype(np.float32, copy=False)
    if not np.isfinite(a).all():
        raise DrawingError("image contains NaN or infinite values")
    if np.issubdtype(np.asarray(gray).dtype, np.integer) or a.max() > 1.0:
        a = a / 255.0
    return np.clip(a, 0.0, 1.0)


def mnist_normalize(gray: np.ndarray) -> np.ndarray:
    """Crop, scale and centre a grayscale ink image (ink bright) the way MNIST was made.

    Any size is accepted; values are 0..1 floats or 0..255.  The ink's bounding box is
    scaled so its longer side is 20 px (keeping the aspect ratio) and the result is placed
    in 28x28 with the centre of mass at pixel (14, 14).  Everything above zero counts as
    ink, so callers remove background and noise first (:func:`image_to_input` does).
    Returns float32 (28, 28) in [0, 1]; raises :class:`DrawingError` when there is no ink.
    """
    a = _unit_float(gray)
    rows = np.flatnonzero(a.any(axis=1))
    if rows.size == 0:
        raise DrawingError(f"image {EMPTY_IMAGE}")
    cols = np.flatnonzero(a.any(axis=0))
    ink = a[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    factor = max(ink.shape) // (2 * DETAIL_SIDE)
    if factor >= 2:
        # A box-reduce first keeps the final resize (and its padding) small; it loses
        # nothing at the 20 px the ink ends up as.
        ink = np.asarray(Image.fromarray(np.ascontiguousarray(ink, np.float32)).reduce(factor), np.float32)
    return place_ink(ink, BOX / max(ink.shape))


def reframe_images(
    images: np.ndarray, progress: ProgressCallback = no_progress, cancel: CancelToken | None = None
) -> np.ndarray:
    """uint8 (N, 28, 28) images made again with the MNIST recipe; empty ones stay empty.

    For sets framed another way: EMNIST scales each letter to fill 24 of its 28 px and
    centres its box, so a model trained on EMNIST as it is would see the pad's drawings
    (20 px, centred by mass) about a fifth too small.  Gives what :func:`mnist_normalize`
    gives image by image, to within one grey level on a few pixels (float rounding; the
    tests hold it to that), but vectorised: images whose ink box has the same size are
    resized together by matrix products built from Pillow's own resize weights, so all of
    EMNIST takes a few seconds, not a minute.  Reports ``progress`` and
    stops (:class:`~core.errors.Cancelled`) when ``cancel`` is set.
    """
    images = np.asarray(images)
    out = np.zeros(images.shape, np.uint8)
    rows, cols = images.any(axis=2), images.any(axis=1)
    present = np.flatnonzero(rows.any(axis=1))
    top, left = rows[present].argmax(axis=1), cols[present].argmax(axis=1)
    height = images.shape[1] - rows[present, ::-1].argmax(axis=1) - top
    width = images.shape[2] - cols[present, ::-1].argmax(axis=1) - left
    done, message = 0, "Framing the images like the drawing pad"
    progress(0, len(present), message)
    if not len(present):
        return out
    for (h, w), members in _group_by(height, width):
        for chunk in np.array_split(members, -(-len(members) // _REFRAME_CHUNK)):
            if cancel is not None:
                cancel.raise_if_cancelled()
            index = present[chunk]
            r = top[chunk, None, None] + np.arange(h)[None, :, None]
            c = left[chunk, None, None] + np.arange(w)[None, None, :]
            ink = images[index[:, None, None], r, c].astype(np.float32) / 255.0
            out[index] = _place_many(ink)
            done += len(chunk)
            progress(done, len(present), message)
    return out


def _group_by(height: np.ndarray, width: np.ndarray):
    """(box size, positions) for each ink-box size present."""
    keys = height * 1000 + width
    order = np.argsort(keys, kind="stable")
    bounds = np.flatnonzero(np.diff(keys[order])) + 1
    for members in np.split(order, bounds):
        yield (int(height[members[0]]), int(width[members[0]])), members


def _place_many(ink: np.ndarray) -> np.ndarray:
    """:func:`place_ink` for a stack of same-sized ink boxes (k, h, w) scaled to the 20 px box."""
    ink = _resize_by_matrices(ink, BOX / max(ink.shape[-2:]))
    return to_uint8(_centre_by_mass(np.clip(ink, 0.0, 1.0).astype(np.float32)))


def _resize_by_matrices(ink: np.ndarray, scale: float) -> np.ndarray:
    """``ink`` (h, w), or a stack (k, h, w), resized by ``scale`` as :func:`place_ink`'s Pillow resize.

    Horizontal pass first, each pass in float32, as Pillow does; an axis already at its
    size is left alone (Pillow's weights for n -> n pixels are the identity).
    """
    h, w = ink.shape[-2:]
    size_w, size_h = max(1, round(w * scale)), max(1, round(h * scale))
    resample = Image.Resampling.BOX if scale <= 1 else Image.Resampling.BILINEAR
    if size_w != w:
        ink = (ink @ _resize_matrix(w, size_w, resample).T).astype(np.float32, copy=False)
    if size_h != h:
        ink = (_resize_matrix(h, size_h, resample) @ ink).astype(np.float32, copy=False)
    return ink


@functools.lru_cache(maxsize=256)
def _resize_matrix(n_in: int, n_out: int, resample: Image.Resampling) -> np.ndarray:
    """Pillow's 1-D resize from ``n_in`` to ``n_out`` pixels as an (n_out, n_in) matrix.

    Read off Pillow itself by resizing an identity image along one axis, so the weights
    are exactly those :func:`place_ink` gets from ``Image.resize``.
    """
    identity = Image.fromarray(np.eye(n_in, dtype=np.float32))
    return np.asarray(identity.resize((n_in, n_out), resample), np.float32)


def to_uint8(img28: np.ndarray) -> np.ndarray:
    """A [0, 1] float image as uint8 0..255, the way data sets store images."""
    return np.round(np.clip(np.asarray(img28, np.float32), 0.0, 1.0) * 255.0).astype(np.uint8)

