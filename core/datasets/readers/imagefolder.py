"""Reader for a folder of images with one sub-folder per class (``digits/3/scan-17.png``).

This is how people collect their own data: photos or scans sorted into folders.  Every
image goes through the same preprocessing as a drawing or a file handed to the recogniser
(:func:`core.imaging.image_to_input`): grayscale, dark ink on light paper inverted,
cropped, scaled and centred the MNIST way.  Training on the same pipeline that recognition
uses is what makes a model trained here work on new images.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from core.errors import DataError, DrawingError
from core.progress import CancelToken, ProgressCallback, ThrottledProgress, no_progress

# Files that operating systems and editors drop into folders; never images.
_JUNK = {"thumbs.db", "desktop.ini"}


def class_folders(folder: Path) -> list[Path]:
    """The class sub-folders of ``folder``, sorted by name (hidden folders skipped).

    A link that leads back into ``folder`` (or above it) is refused: read as a class it
    would loop, or take a copy of the whole set as one class.
    """
    classes = sorted(
        (p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )
    top = folder.resolve()
    for cls in classes:
        if cls.is_symlink():
            target = cls.resolve()
            if target == top or target in top.parents or top in target.parents:
                raise DataError(f"{cls}: a link back into the folder being read (a loop), not a class folder")
    return classes


def _image_files(class_folder: Path) -> list[Path]:
    files = []
    for p in sorted(class_folder.iterdir()):
        if p.name.startswith(".") or p.name.lower() in _JUNK or p.is_dir():
            continue
        if not p.is_file():
            # A device, a pipe or a socket would block or never end; a broken link is a mistake.
            kind = "a broken link" if p.is_symlink() and not p.exists() else "not a regular file"
            raise DataError(f"{p}: {kind}; a class folder should hold only images")
        files.append(p)
    return files


def read_image_folder(
    folder: str | os.PathLike[str],
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Read every image under ``folder/<class>/`` into uint8 (N, 28, 28), int64 labels, class names.

    Class names are the sub-folder names in sorted order; label ``i`` is the i-th name.
    A file Pillow cannot read, or an image with no ink at all, raises a :class:`DataError`
    naming that file: silently skipping it would leave the user wondering where a sample
    went, and a wrong file in a class folder is usually a mistake worth fixing.
    """
    images, labels, classes, _ = _read_folder(folder, progress, cancel, skip=False)
    return images, labels, classes


def read_image_folder_skipping(
    folder: str | os.PathLike[str],
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], tuple[Path, ...]]:
    """Like :func:`read_image_folder`, but a file that cannot be used is skipped and listed.

    Returns images, labels, class names and the skipped files (unreadable, or no ink), so
    the caller can name them to the user and let them choose to go on without them: one
    broken scan should not block a folder of hundreds.  A DataError still comes when the
    folder has no class folders or no usable image at all.
    """
    return _read_folder(folder, progress, cancel, skip=True)


def _read_folder(folder, progress, cancel, skip: bool):
    """The one loop behind both readers: ``skip`` lists the files that cannot be used
    instead of failing on the first (always through the pixel budget of ``open_image``)."""
    from core.imaging import image_to_input, open_image, to_uint8

    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder")
    classes = class_folders(folder)
    if not classes:
        raise DataError(f"{folder}: no class sub-folders (expected one folder of images per class)")
    files = [(label, path) for label, cls in enumerate(classes) for path in _image_files(cls)]
    if not files:
        raise DataError(f"{folder}: the class folders hold no images")

    report = ThrottledProgress(progress or no_progress)
    images = np.empty((len(files), 28, 28), np.uint8)
    labels = np.empty(len(files), np.int64)
    kept, skipped = 0, []
    for i, (label, path) in enumerate(files):
        if cancel is not None:
            cancel.raise_if_cancelled()
        try:
            with open_image(path) as image:  # the pixel budget and every decoder failure: DrawingError
                pixels = image_to_input(image)
        except DrawingError as err:
            if not skip:
                message = str(err)
                raise DataError(message if str(path) in message else f"{path}: {message}") from None
            skipped.append(path)
        else:
            images[kept] = to_uint8(pixels)
            labels[kept] = label
            kept += 1
        report(i + 1, len(files), f"Reading images in {folder.name}")
    if not kept:
        raise DataError(f"{folder}: none of its {len(files)} images could be read")
    return images[:kept], labels[:kept], tuple(cls.name for cls in classes), tuple(skipped)
