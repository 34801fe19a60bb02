"""The one IDX writer of the tests: files exactly as LeCun's MNIST and NIST's EMNIST ship them."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np


def idx_bytes(array: np.ndarray, gz: bool = False) -> bytes:
    """``array`` as an unsigned-byte IDX file: magic (0, 0, 0x08, ndim), big-endian sizes, then
    the bytes in C order; gzip-compressed when ``gz`` (the ``.gz`` files the sites serve)."""
    array = np.asarray(array)
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(np.uint8).tobytes()
    return gzip.compress(data) if gz else data


def write_idx(path: Path, array: np.ndarray) -> Path:
    """Write ``array`` as an IDX file at ``path``, gzip-compressed when the name ends in ``.gz``."""
    path = Path(path)
    path.write_bytes(idx_bytes(array, gz=path.suffix == ".gz"))
    return path


def write_idx_pair(folder: Path, prefix: str, images: np.ndarray, labels, gz: bool = True) -> list[Path]:
    """``PREFIX-images-idx3-ubyte[.gz]`` and ``PREFIX-labels-idx1-ubyte[.gz]`` in ``folder``
    (made if missing), as MNIST/EMNIST name them; returns [images, labels]."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    return [
        write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images),
        write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", np.asarray(labels, np.uint8)),
    ]


def tiny_mnist_files(n_train: int = 40, n_test: int = 10, seed: int = 0) -> dict[str, bytes]:
    """MNIST's four ``.gz`` files under their real names (random pixels, labels 0..9 in turn),
    small enough to serve from a local mirror: file name -> bytes."""
    rng = np.random.default_rng(seed)
    files = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        files[f"{prefix}-images-idx3-ubyte.gz"] = idx_bytes(rng.integers(0, 256, (n, 28, 28)), gz=True)
        files[f"{prefix}-labels-idx1-ubyte.gz"] = idx_bytes(np.arange(n) % 10, gz=True)
    return files
