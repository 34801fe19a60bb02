"""CSV, NPZ and image-folder readers on small files in the real formats, and on broken ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.datasets.readers.csvfile import read_label_pixel_csv
from core.datasets.readers.idx import read_idx, read_idx_pair
from core.datasets.readers.imagefolder import read_image_folder
from core.datasets.readers.npzfile import read_npz
from core.errors import Cancelled, DataError
from core.progress import CancelToken
from tests.helpers.datasets import SIGN_HEADER, random_images, write_csv
from tests.helpers.idx import idx_bytes

# ---------------------------------------------------------------- CSV


def test_csv_with_header_sign_mnist_layout(tmp_path: Path) -> None:
    images = random_images(30)
    labels = np.array([i % 25 for i in range(30)])
    labels[labels == 9] = 24  # Sign-MNIST has no 9 (J)
    x, y = read_label_pixel_csv(write_csv(tmp_path / "sign_mnist_train.csv", images, labels, SIGN_HEADER))
    assert x.dtype == np.uint8 and x.shape == (30, 28, 28)
    assert y.dtype == np.int64 and y.tolist() == labels.tolist()
    assert np.array_equal(x, images)


def test_csv_without_header_emnist_layout(tmp_path: Path) -> None:
    images = random_images(5, seed=1)
    images[0] = 0  # single-digit cells only
    labels = np.array([1, 26, 13, 2, 25])
    x, y = read_label_pixel_csv(write_csv(tmp_path / "emnist-letters-test.csv", images, labels))
    assert np.array_equal(x, images) and y.tolist() == labels.tolist()


def test_csv_odd_but_valid_cells_and_crlf(tmp_path: Path) -> None:
    """Windows line ends, no final newline, and '12.0' cells still read correctly."""
    images = random_images(2, seed=2)
    rows = [",".join(map(str, [3, *img.ravel().tolist()])) for img in images]
    label, first_pixel, rest = rows[1].split(",", 2)
    rows[1] = f"{label},{float(first_pixel)},{rest}"  # the first pixel written as a float
    path = tmp_path / "odd.csv"
    path.write_bytes(("\r\n".join(rows)).encode())
    x, y = read_label_pixel_csv(path)
    assert np.array_equal(x, images) and y.tolist() == [3, 3]


def test_csv_saved_by_excel_with_a_byte_order_mark(tmp_path: Path) -> None:
    images = random_images(2, seed=7)
    path = write_csv(tmp_path / "excel.csv", images, [4, 5])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    x, y = read_label_pixel_csv(path)
    assert y.tolist() == [4, 5] and np.array_equal(x, images)  # the first row is data, not a header


def test_csv_many_rows_match_a_plain_parse(tmp_path: Path) -> None:
    """Enough rows for several parse blocks; compared with numpy's own (slow) reader."""
    images = random_images(1500, seed=3)
    labels = np.random.default_rng(4).integers(0, 200, 1500)
    path = write_csv(tmp_path / "big.csv", images, labels, SIGN_HEADER)
    x, y = read_label_pixel_csv(path)
    reference = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.int64)
    assert np.array_equal(y, reference[:, 0]) and np.array_equal(x.reshape(-1, 784), reference[:, 1:])


@pytest.mark.parametrize(
    "mutate, problem, line",
    [
        (lambda rows: rows.__setitem__(2, rows[2] + ",7"), "786 columns", 3),
        (lambda rows: rows.__setitem__(1, rows[1].rsplit(",", 1)[0]), "784 columns", 2),
        (lambda rows: rows.__setitem__(3, rows[3].replace(",", ",abc,", 1).replace(",", "", 1)), "not a number", 4),
        (lambda rows: rows.__setitem__(2, rows[2][: rows[2].rfind(",")] + ",256"), "outside 0..255", 3),
        (lambda rows: rows.__setitem__(1, "-1" + rows[1][rows[1].find(",") :]), "negative", 2),
        (lambda rows: rows.__setitem__(2, rows[2][: rows[2].rfind(",")] + ","), "not a number", 3),
        (lambda rows: rows.insert(2, ""), "1 columns", 3),
    ],
)
def test_csv_bad_rows_name_file_and_line(tmp_path: Path, mutate, problem: str, line: int) -> None:
    images = random_images(4, seed=5)
    rows = [",".join(map(str, [1, *img.ravel().tolist()])) for img in images]
    mutate(rows)
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(DataError) as err:
        read_label_pixel_csv(path)
    message = str(err.value)
    assert str(path) in message and f"line {line}" in message and problem in message


def test_csv_bad_row_line_number_counts_the_header(tmp_path: Path) -> None:
    images = random_images(3, seed=6)
    path = write_csv(tmp_path / "h.csv", images, np.array([0, 1, 2]), SIGN_HEADER)
    text = path.read_text().splitlines()
    text[2] = text[2].replace(",", ";", 1)
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(DataError, match=r"line 3: 784 columns"):
        read_label_pixel_csv(path)


@pytest.mark.parametrize(
    "content, problem",
    [(b"", "empty"), (b"\n\n  \n", "empty"), (SIGN_HEADER.encode() + b"\n", "no data rows"),
     (b"label,pixel1,pixel2\n1,2,3\n", "header has 3 columns")],
)
def test_csv_empty_or_header_only(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=problem) as err:
        read_label_pixel_csv(path)
    assert str(path) in str(err.value)


def test_csv_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        read_label_pixel_csv(tmp_path / "nope.csv")


# ---------------------------------------------------------------- IDX (reader in idx.py; its bad cases here too)


def test_idx_truncated_gz_names_the_file(tmp_path: Path) -> None:
    data = idx_bytes(random_images(20), gz=True)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="gzip") as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_idx_wrong_magic_and_count_mismatch(tmp_path: Path) -> None:
    bad = tmp_path / "images.idx"
    bad.write_bytes(b"\x12\x34\x08\x03" + b"\x00" * 40)
    with pytest.raises(DataError, match="wrong magic") as err:
        read_idx(bad)
    assert str(bad) in str(err.value)
    images, labels = tmp_path / "x-images-idx3-ubyte", tmp_path / "x-labels-idx1-ubyte"
    images.write_bytes(idx_bytes(random_images(3)))
    labels.write_bytes(idx_bytes(np.array([1, 2], np.uint8)))
    with pytest.raises(DataError, match="3 images but .* 2 labels") as err:
        read_idx_pair(images, labels)
    assert images.name in str(err.value)



def test_idx_header_of_39_huge_dimensions_is_one_clear_line(tmp_path: Path) -> None:
    """Found by the property test: 39 dimensions near 2**32 overflowed the size in MB (a float)."""
    bad = tmp_path / "x-idx3-ubyte"
    bad.write_bytes(b"\x00\x00\x08\x27" + b"\xf0\x00\x00\x01" * 39 + b"\x00" * 64)
    with pytest.raises(DataError, match="more bytes than any disk holds") as err:
        read_idx(bad)
    assert str(bad) in str(err.value)

# ---------------------------------------------------------------- NPZ


def test_npz_keras_mnist_layout(tmp_path: Path) -> None:
    path = tmp_path / "mnist.npz"
    x_train, x_test = random_images(6), random_images(3, seed=1)
    np.savez(path, x_train=x_train, y_train=np.arange(6, dtype=np.uint8), x_test=x_test,
             y_test=np.array([9, 8, 7], np.uint8))
    splits = read_npz(path)
    assert set(splits) == {"train", "test"}
    x, y = splits["train"]
    assert np.array_equal(x, x_train) and y.dtype == np.int64 and y.tolist() == list(range(6))
    assert splits["test"][1].tolist() == [9, 8, 7]


def test_npz_inklab_layout_with_label_names_and_float_images(tmp_path: Path) -> None:
    path = tmp_path / "export.npz"
    images = random_images(4)
    np.savez_compressed(path, train_images=images.astype(np.float32) / 255, train_labels=np.array([0, 1, 1, 0]),
                        label_names=np.array(["star", "heart"]))
    splits = read_npz(path)
    assert splits["label_names"] == ("star", "heart")
    assert np.array_equal(splits["train"][0], images) and "test" not in splits


def test_npz_with_pickled_object_array_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    objects = np.empty(2, dtype=object)
    objects[0], objects[1] = {"a": 1}, [1, 2]
    np.savez(path, x_train=objects, y_train=np.array([0, 1]))
    with pytest.raises(DataError, match="contains pickled objects, refused") as err:
        read_npz(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    "arrays, problem",
    [
        ({"weights": np.zeros(3)}, "no known arrays"),
        ({"x_train": np.zeros((2, 28, 28), np.uint8)}, "no 'y_train'"),
        ({"x_train": np.zeros((2, 28, 28), np.uint8), "y_train": np.zeros(3, np.uint8)}, "2 images .* 3 labels"),
        ({"x_train": np.zeros((2, 32, 32), np.uint8), "y_train": np.zeros(2, np.uint8)}, r"expected \(N, 28, 28\)"),
        ({"x_train": np.full((1, 28, 28), 300.0), "y_train": np.zeros(1, np.uint8)}, "expected 0..255"),
        ({"x_train": np.zeros((1, 28, 28), np.uint8), "y_train": np.array([0.5])}, "integer labels"),
    ],
)
def test_npz_bad_content(tmp_path: Path, arrays: dict, problem: str) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(DataError, match=problem) as err:
        read_npz(path)
    assert str(path) in str(err.value)


def test_npz_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "broken.npz"
    path.write_bytes(b"PK\x03\x04 this is no zip")
    with pytest.raises(DataError, match="not a readable .npz") as err:
        read_npz(path)
    assert str(path) in str(err.value)


# ---------------------------------------------------------------- image folder


def _glyph(dark_on_light: bool, kind: str, size: int = 96) -> Image.Image:
    """A big bold character-like shape: a bar for '1', a ring for '0'."""
    ink, paper = (20, 235) if dark_on_light else (255, 0)
    img = Image.new("L", (size, size), paper)
    from PIL import ImageDraw

    draw = ImageDraw.Draw(img)
    if kind == "bar":
        draw.rectangle([size * 0.42, size * 0.15, size * 0.58, size * 0.85], fill=ink)
    else:
        draw.ellipse([size * 0.2, size * 0.15, size * 0.8, size * 0.85], outline=ink, width=size // 10)
    return img


def make_image_folder(root: Path) -> Path:
    (root / "one").mkdir(parents=True)
    (root / "zero").mkdir()
    _glyph(True, "bar").save(root / "one" / "scan.png")  # black ink on white paper
    _glyph(False, "bar").convert("RGB").save(root / "one" / "screen.jpg", quality=95)  # white on black
    _glyph(True, "ring").save(root / "zero" / "a.bmp")
    (root / "zero" / ".DS_Store").write_bytes(b"junk")  # ignored
    return root


def test_image_folder_reads_classes_and_inverts_paper(tmp_path: Path) -> None:
    folder = make_image_folder(tmp_path / "shapes")
    calls = []
    images, labels, names = read_image_folder(folder, progress=lambda d, t, m: calls.append((d, t)))
    assert names == ("one", "zero")
    assert images.dtype == np.uint8 and images.shape == (3, 28, 28)
    assert labels.tolist() == [0, 0, 1]
    for image in images:  # white ink on black whatever the source: dark corners, bright ink
        assert image[0, 0] < 30 and image.max() > 200
    # The dark-on-light scan and the light-on-dark JPEG of the same bar come out alike.
    diff = np.abs(images[0].astype(int) - images[1].astype(int)).mean()
    assert diff < 20
    assert calls[-1] == (3, 3)


def test_image_folder_unreadable_image_names_it(tmp_path: Path) -> None:
    folder = make_image_folder(tmp_path / "shapes")
    bad = folder / "zero" / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(DataError, match="not a readable image") as err:
        read_image_folder(folder)
    assert str(bad) in str(err.value)


def test_image_folder_blank_image_names_it(tmp_path: Path) -> None:
    folder = make_image_folder(tmp_path / "shapes")
    blank = folder / "one" / "blank.png"
    Image.new("L", (40, 40), 255).save(blank)
    with pytest.raises(DataError) as err:
        read_image_folder(folder)
    assert str(blank) in str(err.value)


def test_image_folder_without_classes_and_cancel(tmp_path: Path) -> None:
    (tmp_path / "flat").mkdir()
    _glyph(True, "bar").save(tmp_path / "flat" / "x.png")
    with pytest.raises(DataError, match="no class sub-folders"):
        read_image_folder(tmp_path / "flat")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        read_image_folder(make_image_folder(tmp_path / "shapes"), cancel=token)
