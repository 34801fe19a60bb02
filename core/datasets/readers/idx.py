"""Reader for the IDX format of MNIST and EMNIST (``.gz`` or raw).

The header is a magic number (two zero bytes, a type code, the number of dimensions)
followed by one big-endian uint32 per dimension.  Everything is checked before the data
is trusted, because a truncated download looks like a valid file until it is not.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import numpy as np

from core import limits
from core.errors import DataError

_UBYTE = 0x08


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an unsigned-byte IDX file (optionally gzip-compressed) into a uint8 array.

    A gzip file is inflated in bounded chunks and only as far as its IDX header promises,
    so a small file that would inflate to gigabytes is refused at once.
    """
    path = Path(path)
    size = limits.check_file_size(path, limits.MAX_IDX_BYTES, DataError, "IDX file")
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DataError(f"{path}: cannot read the file ({err.strerror or err})") from None
    if raw[:2] == b"\x1f\x8b":
        head = _gunzip_head(path, raw)
        payload = _payload_size(path, head) if len(head) >= 4 else None
        expected = None if payload is None else payload + 4 + 4 * head[3]
        raw = limits.gunzip(path, raw, DataError, limits.MAX_IDX_BYTES, expected)
    elif size > limits.MAX_IDX_BYTES:
        raise DataError(f"{path}: larger than InkLab reads")
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DataError(f"{path}: not an IDX file (wrong magic number)")
    if raw[2] != _UBYTE:
        raise DataError(f"{path}: IDX data type 0x{raw[2]:02x} is not supported (only unsigned bytes)")
    ndim = raw[3]
    if ndim < 1 or len(raw) < 4 + 4 * ndim:
        raise DataError(f"{path}: IDX header is truncated")
    dims = tuple(int(d) for d in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    expected = _payload_size(path, raw)
    payload = len(raw) - 4 - 4 * ndim
    if payload != expected:
        raise DataError(
            f"{path}: IDX header promises {expected} bytes for shape {dims} but the file holds "
            f"{payload} (truncated or corrupt)"
        )
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def _gunzip_head(path: Path, raw: bytes) -> bytes:
    """The first bytes of the inflated data: enough for any IDX header."""
    try:
        return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS).decompress(raw, 4 + 4 * 255)
    except zlib.error as err:
        raise DataError(f"{path}: damaged gzip data ({err})") from None


def _payload_size(path: Path, head: bytes) -> int | None:
    """The data size the IDX header promises (None: no IDX header); DataError when beyond the bound."""
    ndim = head[3]
    if len(head) < 4 + 4 * ndim or head[0] != 0 or head[1] != 0:
        return None  # the checks after inflating say what is wrong
    dims = [int(d) for d in np.frombuffer(head, ">u4", count=ndim, offset=4)]
    total = 1
    for dim in dims:
        total *= dim  # Python ints: no overflow, however large the header's numbers
    if total > limits.MAX_IDX_BYTES:
        # Integer arithmetic: 39 dimensions of 2**32 overflow a float division.
        size = f"{total // limits.MiB:,} MB" if total.bit_length() < 64 else "more bytes than any disk holds"
        raise DataError(
            f"{path}: the IDX header promises shape {tuple(dims)} ({size}); "
            f"InkLab reads at most {limits.MAX_IDX_BYTES / limits.MiB:.0f} MB"
        )
    return total


def read_idx_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read matching IDX image and label files, checking that they agree."""
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataError(f"{images_path}: expected images of shape (N, 28, 28), got {images.shape}")
    if labels.ndim != 1:
        raise DataError(f"{labels_path}: expected a 1-D label file, got shape {labels.shape}")
    if len(images) == 0:
        raise DataError(f"{images_path}: holds no images")
    if len(images) != len(labels):
        raise DataError(
            f"{images_path.name} has {len(images)} images but {labels_path.name} has {len(labels)} labels"
        )
    return images, labels.astype(np.int64)
