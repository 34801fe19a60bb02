"""Labelled pen samples -> the parts of a data set: class names, label indices, writers, images.

The UNIPEN built-in sets (:mod:`core.datasets.unipen_sets`) and the pen-file imports
(:mod:`core.datasets.pen_import`) both hold :class:`~core.datasets.readers.unipen_format.InkSample` s
(a one-character label, a writer, strokes with y up) and turn them into a split the same
way: every drawing rendered by the drawing pad's own renderer
(:func:`core.imaging.render_many_strokes`), in chunks so that a long render reports its
progress and stops on cancel, and writers numbered so validation can hold whole writers out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from core.errors import DataError
from core.imaging import to_uint8
from core.imaging.strokes import render_many_strokes
from core.labels import DIGITS, LETTERS
from core.progress import CancelToken, ProgressCallback, no_progress

RENDER_CHUNK = 500  # drawings rendered between two progress reports / cancel checks
MIN_POINTS = 3  # fewer is a dot or a tick (mostly the dot of an i or a j), no character


def class_names(labels: Iterable[str]) -> tuple[str, ...]:
    """The classes for a set of one-character labels.

    Only digits: the ten digits (``core.labels.DIGITS``, in that order).  Only ASCII
    letters: the 26 letters A-Z, upper and lower case merged (``core.labels.LETTERS``, as
    EMNIST letters).  Anything else: the distinct labels, sorted.
    """
    found = set(labels)
    if found and found <= set(DIGITS):
        return DIGITS
    if found and all(label.isascii() and label.isalpha() for label in found):
        return LETTERS
    return tuple(sorted(found))


def label_indices(labels: Sequence[str], names: tuple[str, ...]) -> np.ndarray:
    """Each label's class index in ``names`` (letters case-merged when ``names`` is LETTERS)."""
    index = {name: i for i, name in enumerate(names)}
    if names == LETTERS:
        index.update({name.lower(): i for i, name in enumerate(names)})
    try:
        return np.array([index[label] for label in labels], np.int64)
    except KeyError as err:
        raise DataError(f"label {err.args[0]!r} is not one of the classes ({', '.join(names)})") from None


def is_drawable(strokes: Sequence[np.ndarray]) -> bool:
    """Whether a sample is a character to learn from: at least :data:`MIN_POINTS` points, and an extent.

    A single dot or a pen that never moved has no shape; the renderer would draw a blob.
    """
    points = [s[:, :2] for s in strokes if len(s)]
    if sum(len(p) for p in points) < MIN_POINTS:
        return False
    xy = np.concatenate(points)
    return bool(np.ptp(xy, axis=0).max() > 0)


def writer_numbers(writers: Sequence[str], order: Sequence[str] | None = None) -> np.ndarray:
    """Each writer's number: its place in ``order`` (default: the distinct writers, sorted)."""
    order = sorted(set(writers)) if order is None else order
    index = {writer: i for i, writer in enumerate(order)}
    return np.array([index[writer] for writer in writers], np.int64)


def render_drawings(
    drawings: Sequence[Sequence[np.ndarray]],
    *,
    y_up: bool,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
    message: str = "Rendering pen strokes",
    where: Sequence[str] | None = None,
) -> np.ndarray:
    """The drawings as uint8 (N, 28, 28) images, exactly as the drawing pad renders them.

    Rendered :data:`RENDER_CHUNK` at a time: ``progress`` is told after each chunk and
    ``cancel`` checked before it.  A drawing the renderer refuses is a DataError naming it
    (``where[i]``, or its number).
    """
    images = np.zeros((len(drawings), 28, 28), np.uint8)
    for start in range(0, len(drawings), RENDER_CHUNK):
        progress(start, len(drawings), message)
        if cancel is not None:
            cancel.raise_if_cancelled()
        chunk = drawings[start : start + RENDER_CHUNK]
        for offset, result in enumerate(render_many_strokes(chunk, y_up=y_up)):
            if isinstance(result, np.ndarray):
                images[start + offset] = to_uint8(result)
            else:
                i = start + offset
                name = where[i] if where is not None else f"drawing {i + 1}"
                raise DataError(f"{name}: {result}")
    progress(len(drawings), len(drawings), message)
    return images
