"""Small data-set files in the real layouts, and a fake EMNIST that loads as slowly as the real one."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core import storage
from tests.helpers.idx import write_idx_pair

# Sign-MNIST's CSV header: the label, then 784 pixel columns.
SIGN_HEADER = "label," + ",".join(f"pixel{i}" for i in range(1, 785))


def random_images(n: int, seed: int = 0) -> np.ndarray:
    """``n`` 28x28 uint8 images of noise: enough for readers and importers, which only count."""
    return np.random.default_rng(seed).integers(0, 256, (n, 28, 28), dtype=np.uint8)


def write_csv(path: Path, images: np.ndarray, labels, header: str | None = None) -> Path:
    """A label,pixel... CSV exactly as Sign-MNIST (header) or Kaggle EMNIST (none) store it."""
    rows = [",".join(map(str, [int(y), *x.ravel().tolist()])) for x, y in zip(images, labels, strict=True)]
    path.write_text("\n".join(([header] if header else []) + rows) + "\n")
    return path


def emnist_style_l(n: int) -> np.ndarray:
    """An upright "L" framed as EMNIST frames letters (24 px tall, box-centred), stored
    transposed as EMNIST's files store them."""
    upright = np.zeros((28, 28), np.uint8)
    upright[2:26, 8:12] = 255  # the stem, 24 px
    upright[22:26, 8:20] = 255  # the foot, to the right
    return np.repeat(upright.T[None], n, axis=0)


def install_fake_emnist(n_train: int, n_test: int = 10) -> Path:
    """EMNIST letters in the real IDX layout in the user's datasets folder: ``n_train`` letters
    (each an EMNIST-framed "L", stored transposed, labels 1..26) for the loader to re-frame."""
    folder = storage.subdir("datasets") / "emnist-letters"
    labels = np.arange(max(n_train, n_test)) % 26 + 1
    write_idx_pair(folder, "emnist-letters-train", emnist_style_l(n_train), labels[:n_train])
    write_idx_pair(folder, "emnist-letters-test", emnist_style_l(n_test), labels[:n_test])
    return folder


def slow_reframing(monkeypatch, seconds_per_100: float = 0.02) -> None:
    """Make re-framing take ~``seconds_per_100`` per 100 images, as a big real set would."""
    import time

    import core.imaging.framing

    place = core.imaging.framing._place_many

    def slowly(ink):
        time.sleep(seconds_per_100)
        return place(ink)

    monkeypatch.setattr(core.imaging.framing, "_REFRAME_CHUNK", 100)
    monkeypatch.setattr(core.imaging.framing, "_place_many", slowly)
