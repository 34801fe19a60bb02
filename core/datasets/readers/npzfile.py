"""Reader for NumPy ``.npz`` data sets: keras' ``mnist.npz`` and InkLab's own export layout.

keras ships MNIST as ``x_train, y_train, x_test, y_test``; InkLab saves imports as
``train_images, train_labels, test_images, test_labels`` plus ``label_names``.  Files are
opened with ``allow_pickle=False``: an ``.npz`` from the internet may hold pickled Python
objects, and unpickling runs arbitrary code, so such a file is refused outright.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from core import limits
from core.errors import DataError

# (images key, labels key) per split, for each accepted layout.
_LAYOUTS = (
    {"train": ("x_train", "y_train"), "test": ("x_test", "y_test")},
    {"train": ("train_images", "train_labels"), "test": ("test_images", "test_labels")},
)


def read_npz(path: str | os.PathLike[str]) -> dict[str, tuple[np.ndarray, np.ndarray] | tuple[str, ...]]:
    """Read an ``.npz`` into ``{"train": (images, labels), "test": ...}``.

    Images come back uint8 (N, 28, 28), labels int64 (N,).  Only the splits present are
    returned (at least one must be).  When the file stores ``label_names`` (InkLab's
    export layout), they are returned under the key ``"label_names"`` as a tuple of str.
    Every problem is a :class:`DataError` naming the file.
    """
    path = Path(path)
    # Sizes are checked from the archive's directory before anything is inflated.
    limits.check_zip_members(path, DataError, limits.MAX_ARCHIVE_MEMBER_BYTES, what=".npz file")
    try:
        archive = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, zlib.error, MemoryError) as err:
        if "pickle" in str(err).lower():
            raise DataError(f"{path}: contains pickled objects, refused (they could run code)") from None
        raise DataError(f"{path}: not a readable .npz file ({err})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise DataError(f"{path}: a single .npy array, not an .npz archive of splits")

    with archive:
        keys = set(archive.files)
        layout = next((lay for lay in _LAYOUTS if any(pair[0] in keys for pair in lay.values())), None)
        if layout is None:
            raise DataError(
                f"{path}: no known arrays (found: {', '.join(sorted(keys)) or 'none'}; expected "
                "x_train/y_train/x_test/y_test or train_images/train_labels/test_images/test_labels)"
            )
        result: dict[str, tuple[np.ndarray, np.ndarray] | tuple[str, ...]] = {}
        for split, (images_key, labels_key) in layout.items():
            if images_key not in keys:
                continue
            if labels_key not in keys:
                raise DataError(f"{path}: has '{images_key}' but no '{labels_key}'")
            images = _array(archive, images_key, path)
            labels = _array(archive, labels_key, path)
            result[split] = _check_split(images, labels, images_key, labels_key, path)
        if "label_names" in keys:
            names = _array(archive, "label_names", path)
            if names.ndim != 1 or names.dtype.kind not in "US":
                raise DataError(f"{path}: 'label_names' must be a 1-D array of strings")
            result["label_names"] = tuple(str(n) for n in names.astype(str))
    if not any(len(pair[1]) for key, pair in result.items() if key != "label_names"):
        raise DataError(f"{path}: holds no samples")
    return result


def _array(archive: np.lib.npyio.NpzFile, key: str, path: Path) -> np.ndarray:
    try:
        return archive[key]
    except ValueError as err:
        if "pickle" in str(err).lower():
            raise DataError(f"{path}: '{key}' contains pickled objects, refused (they could run code)") from None
        raise DataError(f"{path}: '{key}' is unreadable ({err})") from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, MemoryError, KeyError) as err:
        # zlib.error: a byte flipped inside the compressed stream; MemoryError: a header's
        # shape no real array has.
        raise DataError(f"{path}: '{key}' is unreadable ({err})") from None
    except Exception as err:  # noqa: BLE001 - a damaged .npy header fails inside ast/tokenize with many types
        raise DataError(f"{path}: '{key}' is unreadable ({type(err).__name__}: {err})") from None


def _check_split(
    images: np.ndarray, labels: np.ndarray, images_key: str, labels_key: str, path: Path
) -> tuple[np.ndarray, np.ndarray]:
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataError(f"{path}: '{images_key}' has shape {images.shape}, expected (N, 28, 28)")
    if images.dtype != np.uint8:
        # Float images in [0, 1] (a common export) or wider ints holding 0..255 are converted;
        # anything else would be silently mangled, so it is refused.
        if images.dtype.kind not in "fiu":
            raise DataError(f"{path}: '{images_key}' has dtype {images.dtype}, expected uint8 pixels")
        low, high = (float(images.min()), float(images.max())) if images.size else (0.0, 0.0)
        if images.dtype.kind == "f" and low >= 0 and high <= 1:
            images = np.round(images * 255).astype(np.uint8)
        elif low >= 0 and high <= 255:
            images = np.round(images).astype(np.uint8)
        else:
            raise DataError(f"{path}: '{images_key}' pixels run {low:g}..{high:g}, expected 0..255")
    if labels.ndim != 1:
        raise DataError(f"{path}: '{labels_key}' has shape {labels.shape}, expected (N,)")
    if labels.dtype.kind not in "iu":
        raise DataError(f"{path}: '{labels_key}' has dtype {labels.dtype}, expected integer labels")
    if len(images) != len(labels):
        raise DataError(f"{path}: {len(images)} images in '{images_key}' but {len(labels)} labels in '{labels_key}'")
    if len(labels) and labels.min() < 0:
        raise DataError(f"{path}: '{labels_key}' holds a negative label ({labels.min()})")
    if len(labels) and labels.max() >= limits.MAX_CLASSES:
        raise DataError(f"{path}: '{labels_key}' holds label {labels.max()}; InkLab handles at most {limits.MAX_CLASSES} classes")
    return images, labels.astype(np.int64)
