"""The built-in public data sets: MNIST, EMNIST letters, Sign-Language-MNIST, pendigits, UNIPEN.

A built-in set lives in a folder named after it (``mnist/``, ``pendigits/``...; the four
UNIPEN sets of :mod:`core.datasets.unipen_sets` share ``unipen/``) under one
of the *data roots*: the user data folder's ``datasets/`` (where downloads and imports
go) and, read-only, every folder listed in ``$INKLAB_DATA_PATH``.  The first root holding
all of a set's files wins.  This module knows each set's files, how to load them (with the
readers in :mod:`core.datasets.readers`) and where to download them from.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from core import storage
from core.datasets.dataset import Dataset, Split
from core.datasets.readers.idx import read_idx_pair
from core.datasets.spec import DatasetSpec, Download
from core.datasets.unipen_sets import UNIPEN_SETS
from core.errors import DataError
from core.labels import DIGITS, LETTERS, SIGN_LETTERS
from core.progress import CancelToken, ProgressCallback, no_progress

# The test file's writers are other people, but their ids may repeat the training ones:
# offset them so that grouping by writer never mixes a train writer with a test writer.
TEST_WRITER_OFFSET = 100


def data_roots() -> list[Path]:
    """Folders searched for built-in sets: the user's ``datasets/`` first, then $INKLAB_DATA_PATH."""
    roots = [storage.subdir("datasets")]
    for entry in os.environ.get("INKLAB_DATA_PATH", "").split(os.pathsep):
        if entry.strip():
            roots.append(Path(entry).expanduser())
    return roots


def _find_file(folder: Path, name: str) -> Path | None:
    """``name`` in ``folder``, accepting the ``.gz`` form and the raw form of an IDX file."""
    candidates = [name]
    if name.endswith(".gz"):
        candidates.append(name[:-3])
    for candidate in candidates:
        path = folder / candidate
        if path.is_file():
            return path
    return None


def _idx_split(folder: Path, images: str, labels: str) -> tuple[np.ndarray, np.ndarray]:
    images_path, labels_path = _find_file(folder, images), _find_file(folder, labels)
    if images_path is None or labels_path is None:
        raise DataError(f"{folder}: missing {images if images_path is None else labels}")
    return read_idx_pair(images_path, labels_path)


def _load_mnist(
    folder: Path, progress: ProgressCallback = no_progress, cancel: CancelToken | None = None
) -> Dataset:
    splits = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        x, y = _idx_split(folder, f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz")
        if len(y) and y.max() > 9:
            raise DataError(f"{folder}: MNIST label {y.max()} is not a digit")
        splits[split] = Split(x, y)
    return Dataset("mnist", DIGITS, splits, source=str(folder))


def _emnist_labels(labels: np.ndarray, where: str) -> np.ndarray:
    """EMNIST numbers letters 1..26; InkLab's classes are 0..25."""
    if len(labels) and (labels.min() < 1 or labels.max() > 26):
        raise DataError(f"{where}: EMNIST letters labels must be 1..26, found {labels.min()}..{labels.max()}")
    return labels - 1


def emnist_letters_split(
    images: np.ndarray,
    labels: np.ndarray,
    where: str,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Split:
    """EMNIST as the pad sees letters: upright (the files store them transposed), labels
    0..25, and framed with the MNIST recipe (EMNIST fills 24 px; the pad draws 20)."""
    from core.imaging import reframe_images

    labels = _emnist_labels(labels, where)
    return Split(reframe_images(images.transpose(0, 2, 1), progress, cancel), labels)


def _load_emnist_letters(
    folder: Path, progress: ProgressCallback = no_progress, cancel: CancelToken | None = None
) -> Dataset:
    from core.datasets.derived_cache import load_or_build
    from core.datasets.readers.csvfile import read_label_pixel_csv
    from core.imaging import reframe_images

    splits = {}
    for split in ("train", "test"):
        idx_images = _find_file(folder, f"emnist-letters-{split}-images-idx3-ubyte.gz")
        if idx_images is not None:
            x, y = _idx_split(
                folder,
                f"emnist-letters-{split}-images-idx3-ubyte.gz",
                f"emnist-letters-{split}-labels-idx1-ubyte.gz",
            )
            source = idx_images
        else:  # the Kaggle CSV layout: label,pixel0..pixel783, transposed like the IDX files
            source = folder / f"emnist-letters-{split}.csv"
            x, y = read_label_pixel_csv(source)
        labels = _emnist_labels(y, str(source))
        # Re-framing all 145,600 letters takes ~4 s: done once, then read from the cache (0.5 s).
        images = load_or_build(
            source, f"emnist-letters-{split}", ("images",),
            lambda x=x: {"images": reframe_images(x.transpose(0, 2, 1), progress, cancel)},
        )["images"]
        splits[split] = Split(images, labels)
    return Dataset("emnist-letters", LETTERS, splits, source=str(folder))


def sign_mnist_labels(labels: np.ndarray, where: str) -> np.ndarray:
    """Map Sign-MNIST's 0..24 letter numbers (no 9=J) onto 24 contiguous class indices."""
    bad = (labels < 0) | (labels > 24) | (labels == 9)
    if bad.any():
        raise DataError(f"{where}: Sign-MNIST label {labels[bad][0]} is not a letter A-Y without J")
    return np.where(labels > 9, labels - 1, labels)


def _load_sign_mnist(
    folder: Path, progress: ProgressCallback = no_progress, cancel: CancelToken | None = None
) -> Dataset:
    from core.datasets.readers.csvfile import read_label_pixel_csv

    splits = {}
    for split in ("train", "test"):
        path = folder / f"sign_mnist_{split}.csv"
        x, y = read_label_pixel_csv(path)
        splits[split] = Split(x, sign_mnist_labels(y, str(path)))
    return Dataset("sign-mnist", SIGN_LETTERS, splits, source=str(folder))


def _load_pendigits(
    folder: Path, progress: ProgressCallback = no_progress, cancel: CancelToken | None = None
) -> Dataset:
    return load_pendigits(folder, progress=progress, cancel=cancel)


def _pendigits_split(
    path: Path, writer_offset: int, progress: ProgressCallback, cancel: CancelToken | None
) -> Split:
    from core.datasets.derived_cache import load_or_build
    from core.datasets.readers import unipen

    def render() -> dict[str, np.ndarray]:
        samples = unipen.read_unipen(path)
        return {
            "images": unipen.render_samples(samples, progress, cancel),
            "labels": np.array([s.label for s in samples], np.int64),
            "groups": np.array([s.writer + writer_offset for s in samples], np.int64),
        }

    stem = path.name.removeprefix("pendigits-").replace(".", "-")
    arrays = load_or_build(path, f"pendigits-{stem}", ("images", "labels", "groups"), render)
    return Split(arrays["images"], arrays["labels"].astype(np.int64), arrays["groups"].astype(np.int64))


def load_pendigits(
    folder: str | Path,
    *,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Dataset:
    """The pendigits data set: pen strokes rendered to 28x28 as the drawing pad would.

    Split ``train`` comes from ``pendigits-orig.tra``; ``test`` from ``pendigits-orig.tes``
    when that file is present.  ``groups`` are writer ids (test writers offset by
    :data:`TEST_WRITER_OFFSET`) so validation can hold out whole writers.  The first load
    renders (a few seconds) and caches the images in the user folder.
    """
    from core.datasets.readers.unipen import TEST_FILE, TRAIN_FILE

    folder = Path(folder)
    train = folder / TRAIN_FILE
    if not train.is_file():
        raise DataError(f"{folder}: missing {TRAIN_FILE}")
    splits = {"train": _pendigits_split(train, 0, progress, cancel)}
    test = folder / TEST_FILE
    if test.is_file():
        splits["test"] = _pendigits_split(test, TEST_WRITER_OFFSET, progress, cancel)
    return Dataset("pendigits", DIGITS, splits, source=str(folder))


_MNIST_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
_EMNIST_ZIP = ("https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip", "md5:58c8d27c78d21e728a6bc7b3cc06412e")
_PENDIGITS_URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/pendigits/"

BUILT_IN: tuple[DatasetSpec, ...] = (
    DatasetSpec(
        name="mnist",
        title="MNIST digits",
        description="70,000 handwritten digits 0-9 (LeCun, Cortes, Burges), 60k train / 10k test.",
        label_names=DIGITS,
        files=(
            "train-images-idx3-ubyte.gz",
            "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz",
        ),
        load=_load_mnist,
        download=Download(
            files={
                "train-images-idx3-ubyte.gz": (
                    _MNIST_URL + "train-images-idx3-ubyte.gz",
                    "sha256:0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971",
                ),
                "train-labels-idx1-ubyte.gz": (
                    _MNIST_URL + "train-labels-idx1-ubyte.gz",
                    "sha256:3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                ),
                "t10k-images-idx3-ubyte.gz": (
                    _MNIST_URL + "t10k-images-idx3-ubyte.gz",
                    "sha256:8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                ),
                "t10k-labels-idx1-ubyte.gz": (
                    _MNIST_URL + "t10k-labels-idx1-ubyte.gz",
                    "sha256:f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                ),
            }
        ),
    ),
    DatasetSpec(
        name="emnist-letters",
        title="EMNIST letters",
        description="145,600 handwritten letters A-Z, upper and lower case merged (NIST SD19); "
        "shown upright and framed like MNIST, as the drawing pad frames letters.",
        label_names=LETTERS,
        files=(
            "emnist-letters-train-images-idx3-ubyte.gz",
            "emnist-letters-train-labels-idx1-ubyte.gz",
            "emnist-letters-test-images-idx3-ubyte.gz",
            "emnist-letters-test-labels-idx1-ubyte.gz",
        ),
        load=_load_emnist_letters,
        download=Download(
            archive=_EMNIST_ZIP,
            members={
                f"emnist-letters-{split}-{kind}-idx{dim}-ubyte.gz": f"gzip/emnist-letters-{split}-{kind}-idx{dim}-ubyte.gz"
                for split in ("train", "test")
                for kind, dim in (("images", 3), ("labels", 1))
            },
        ),
        how_to_get="Download it here (a 536 MB zip from NIST), or import the Kaggle CSV files "
        "emnist-letters-train.csv / emnist-letters-test.csv.",
    ),
    DatasetSpec(
        name="sign-mnist",
        title="Sign-Language-MNIST",
        description="34,627 hand-sign images of the letters A-Y without J (Kaggle, datamunge).",
        label_names=SIGN_LETTERS,
        files=("sign_mnist_train.csv", "sign_mnist_test.csv"),
        load=_load_sign_mnist,
        how_to_get="Its host needs a login: download sign_mnist_train.csv and sign_mnist_test.csv from "
        "https://www.kaggle.com/datasets/datamunge/sign-language-mnist, then Import them here.",
    ),
    DatasetSpec(
        name="pendigits",
        title="Pen-based digits (UNIPEN)",
        description="7,494 digits written on a tablet by 30 writers, as pen strokes (UCI).",
        label_names=DIGITS,
        files=("pendigits-orig.tra",),
        load=_load_pendigits,
        download=Download(
            files={
                "pendigits-orig.tra": (
                    _PENDIGITS_URL + "pendigits-orig.tra.Z",
                    "sha256:a66225d68d7d68591e62944df1ad33b3f5aa608e2df2505844b41f5568a80da4",
                ),
            },
            unlzw=True,
        ),
    ),
    *UNIPEN_SETS,
)


def built_in_folder(spec: DatasetSpec) -> Path | None:
    """The first data root holding all of ``spec``'s files, or None."""
    for root in data_roots():
        folder = root / spec.root_folder
        if all(_find_file(folder, f) is not None for f in spec.files):
            return folder
    return None


BY_NAME: dict[str, DatasetSpec] = {spec.name: spec for spec in BUILT_IN}
