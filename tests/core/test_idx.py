"""IDX reader on the real MNIST files and on every kind of broken file."""

import struct
from pathlib import Path

import numpy as np
import pytest

from core.datasets.readers.idx import read_idx, read_idx_pair
from core.errors import DataError
from tests.helpers.idx import idx_bytes


def test_real_mnist_shapes_and_labels(shared_data: Path) -> None:
    images, labels = read_idx_pair(
        shared_data / "mnist/t10k-images-idx3-ubyte.gz", shared_data / "mnist/t10k-labels-idx1-ubyte.gz"
    )
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10_000,) and sorted(set(labels.tolist())) == list(range(10))
    assert labels[:5].tolist() == [7, 2, 1, 0, 4]  # the famous first test digits


def test_raw_and_gz_read_the_same(tmp_path: Path) -> None:
    array = np.arange(2 * 28 * 28, dtype=np.uint32).reshape(2, 28, 28) % 256
    (tmp_path / "raw").write_bytes(idx_bytes(array))
    (tmp_path / "raw.gz").write_bytes(idx_bytes(array, gz=True))
    assert np.array_equal(read_idx(tmp_path / "raw"), read_idx(tmp_path / "raw.gz"))


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"\x00\x00\x08\x03" + struct.pack(">3I", 5, 28, 28) + b"\x00" * 100, "truncated or corrupt"),
        (b"PK\x03\x04 not idx at all", "wrong magic"),
        (b"\x00\x00\x0d\x01" + struct.pack(">I", 1) + b"\x00" * 4, "not supported"),
        (b"\x00\x00\x08\x03\x00", "header is truncated"),
    ],
)
def test_broken_idx_names_file_and_problem(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "broken-idx3-ubyte"
    path.write_bytes(content)
    with pytest.raises(DataError, match=problem) as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_truncated_gzip_is_a_data_error(shared_data: Path, tmp_path: Path) -> None:
    whole = (shared_data / "mnist/t10k-labels-idx1-ubyte.gz").read_bytes()
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataError, match="gzip") as err:
        read_idx(path)
    assert "t10k-labels-idx1-ubyte.gz" in str(err.value)


def test_count_mismatch_between_images_and_labels(tmp_path: Path) -> None:
    (tmp_path / "images").write_bytes(idx_bytes(np.zeros((3, 28, 28))))
    (tmp_path / "labels").write_bytes(idx_bytes(np.zeros(2)))
    with pytest.raises(DataError, match="3 images but labels has 2 labels|has 3 images but labels has 2"):
        read_idx_pair(tmp_path / "images", tmp_path / "labels")
