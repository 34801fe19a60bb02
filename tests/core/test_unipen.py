"""The UNIPEN reader and the pendigits data set, on the real file and on small broken copies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core import storage
from core.datasets.builtin import TEST_WRITER_OFFSET, load_pendigits
from core.datasets.catalogue import load_dataset
from core.datasets.readers import unipen
from core.datasets.readers.unipen import PenSample, load_pendigits_strokes, read_unipen
from core.errors import DataError
from core.imaging import PREPROCESS_VERSION

HEADER = (
    '.INCLUDE        dene.doc\n\n.LEXICON "0" "1" "2" "3" "4" "5" "6" "7" "8" "9"\n.HIERARCHY      DIGIT\n\n'
)

GOOD = (
    HEADER
    + '.SEGMENT DIGIT    0 ? "7"\n'  # line 6
    + ".COMMENT 7 12  224\n"
    + ".PEN_DOWN\n"
    + " 100  300\n"  # line 9
    + " 200  300\n"
    + " 150  100\n"
    + ".PEN_UP\n"
    + ".DT 100\n"
    + "\n"
    + '.SEGMENT DIGIT    6-7 ? "4"\n'  # line 15
    + ".COMMENT 4  1  117\n"
    + ".PEN_DOWN\n"
    + " 10  50\n"
    + " 10  20\n"
    + " 40  20\n"
    + ".PEN_UP\n"
    + ".DT 100\n"
    + ".PEN_DOWN\n"
    + " 30  50\n"
    + " 30  0\n"
    + ".PEN_UP\n"
    + ".DT 100\n"
)


def real_segments(shared_data: Path, start: int, stop: int) -> str:
    """A valid UNIPEN file holding samples start..stop-1 of the real pendigits file."""
    text = (shared_data / "pendigits" / "pendigits-orig.tra").read_text()
    parts = text.split("\n.SEGMENT")
    return parts[0] + "".join("\n.SEGMENT" + p for p in parts[1 + start : 1 + stop]) + "\n"


def write(tmp_path: Path, text: str, name: str = "digits.tra") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_small_file_is_parsed_into_labelled_strokes(tmp_path):
    samples = read_unipen(write(tmp_path, GOOD))
    assert [s.label for s in samples] == [7, 4]
    assert [s.writer for s in samples] == [12, 1]
    assert [len(s.strokes) for s in samples] == [1, 2]
    first = samples[0].strokes[0]
    assert first.dtype == np.float32 and first.shape == (3, 2)
    assert first.tolist() == [[100, 300], [200, 300], [150, 100]]
    assert samples == read_unipen(write(tmp_path, GOOD, "again.tra"))
    with pytest.raises(AttributeError):
        samples[0].label = 3  # frozen
    assert samples[0] != PenSample(7, 12, [first + 1])


def test_real_pendigits_file(shared_data):
    samples = load_pendigits_strokes(shared_data / "pendigits")
    assert len(samples) == 7494
    writers = {s.writer for s in samples}
    assert writers == set(range(1, 31))
    counts = np.bincount([s.label for s in samples], minlength=10)
    assert counts.tolist() == [780, 779, 780, 719, 780, 720, 720, 778, 719, 719]
    assert all(s.strokes and all(len(k) and k.shape[1] == 2 for k in s.strokes) for s in samples)
    assert sum(len(s.strokes) for s in samples) == 9433  # one per .PEN_DOWN
    # Tablet coordinates, y up: an "8" is taller than wide.
    eight = next(s for s in samples if s.label == 8)
    pts = np.concatenate(eight.strokes)
    assert np.ptp(pts[:, 1]) > np.ptp(pts[:, 0])


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (GOOD.replace(" 200  300", " 200  3O0"), 10, "two numbers"),
        (GOOD.replace(" 200  300", " 200"), 10, "two numbers"),
        (GOOD.replace(" 200  300", " 200  nan"), 10, "two numbers"),
        (GOOD.replace(" 200  300\n 150  100", " 200  300 150\n 100"), 10, "two numbers"),
        (GOOD.replace(".PEN_UP\n.DT 100\n\n", ".PEN_UP\n 5 5\n", 1), 13, "outside .PEN_DOWN"),
        (GOOD.replace('? "4"', "?"), 15, "without a label"),
        (GOOD.replace('? "4"', '? "A"'), 15, "not a digit"),
        (GOOD.replace('? "4"', '? "12"'), 15, "not a digit"),
        (HEADER + '.PEN_DOWN\n 1 2\n.PEN_UP\n.SEGMENT DIGIT 0 ? "1"\n', 6, "before any .SEGMENT"),
        (GOOD.replace("224\n.PEN_DOWN", "224\n.DT 100"), 9, "outside"),
        (
            GOOD.replace(".PEN_UP\n.DT 100\n\n", '.SEGMENT DIGIT 9 ? "1"\n', 1),
            12,
            "before the stroke's .PEN_UP",
        ),
        (HEADER + '.SEGMENT DIGIT 0 ? "3"\n.COMMENT 3 1 1\n.DT 100\n', 6, "no pen strokes"),
    ],
)
def test_malformed_files_name_the_file_and_line(tmp_path, text, line, problem):
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=problem) as err:
        read_unipen(path)
    assert str(path) in str(err.value)
    assert f"line {line}:" in str(err.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no digit samples"),
        (HEADER, "no digit samples"),
        (GOOD + ".PEN_DOWN\n 1 2\n", "missing .PEN_UP"),
    ],
)
def test_empty_or_unfinished_files(tmp_path, text, problem):
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=problem) as err:
        read_unipen(path)
    assert str(path) in str(err.value)


def test_missing_or_binary_file(tmp_path):
    with pytest.raises(DataError, match="not found"):
        read_unipen(tmp_path / "nope.tra")
    binary = tmp_path / "bin.tra"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 10)
    with pytest.raises(DataError, match="bin.tra"):
        read_unipen(binary)
    with pytest.raises(DataError, match="pendigits-orig.tra"):
        load_pendigits(tmp_path)


def test_load_pendigits_caches_renders_in_the_user_folder(tmp_path, shared_data, user_data_dir, monkeypatch):
    source = tmp_path / "pendigits"
    source.mkdir()
    write(source, real_segments(shared_data, 0, 120), "pendigits-orig.tra")
    write(source, real_segments(shared_data, 200, 260), "pendigits-orig.tes")
    data = load_pendigits(source)
    assert data.name == "pendigits" and data.label_names == tuple("0123456789")
    train, test = data.split("train"), data.split("test")
    assert len(train) == 120 and len(test) == 60
    assert train.images.dtype == np.uint8 and train.images.shape == (120, 28, 28)
    assert train.images.max(axis=(1, 2)).min() == 255  # every sample has ink
    assert set(train.groups) <= set(range(1, 31))
    assert set(test.groups) <= set(range(TEST_WRITER_OFFSET + 1, TEST_WRITER_OFFSET + 31))
    samples = read_unipen(source / "pendigits-orig.tra")
    assert train.labels.tolist() == [s.label for s in samples]

    caches = sorted(p.name for p in (user_data_dir / "cache").iterdir())
    assert len(caches) == 2 and all(f"-v{PREPROCESS_VERSION}-" in name for name in caches)
    assert caches[0].startswith("pendigits-orig-tes-") and caches[1].startswith("pendigits-orig-tra-")
    assert sorted(p.name for p in source.iterdir()) == ["pendigits-orig.tes", "pendigits-orig.tra"]

    # The second load reads the cache: rendering again would fail here.
    def no_render(*args, **kwargs):
        raise AssertionError("rendered again instead of using the cache")

    monkeypatch.setattr(unipen, "render_samples", no_render)
    again = load_pendigits(source)
    for name in ("train", "test"):
        assert np.array_equal(again.split(name).images, data.split(name).images)
        assert np.array_equal(again.split(name).labels, data.split(name).labels)
        assert np.array_equal(again.split(name).groups, data.split(name).groups)

    # A changed source file has another hash, so it is rendered afresh.
    write(source, real_segments(shared_data, 0, 10), "pendigits-orig.tra")
    with pytest.raises(AssertionError, match="rendered again"):
        load_pendigits(source)


def test_unusable_cache_is_rebuilt(tmp_path, shared_data):
    source = tmp_path / "pendigits"
    source.mkdir()
    write(source, real_segments(shared_data, 0, 20), "pendigits-orig.tra")
    first = load_pendigits(source).split("train")
    (cache,) = storage.subdir("cache").iterdir()
    cache.write_bytes(b"not a zip")
    again = load_pendigits(source).split("train")
    assert np.array_equal(first.images, again.images)
    assert np.load(cache)["images"].shape == (20, 28, 28)  # rewritten


@pytest.mark.slow
def test_real_pendigits_through_the_catalogue_look_like_mnist(shared_data, mnist, user_data_dir):
    data = load_dataset("pendigits")  # finds ../shared/data/pendigits via INKLAB_DATA_PATH
    train = data.split("train")
    assert len(train) == 7494 and "test" not in data.splits
    assert len(set(train.groups)) == 30
    assert data.summary()["splits"]["train"]["class_counts"]["0"] == 780
    assert any((user_data_dir / "cache").glob("pendigits-orig-tra-*.npz"))
    # Same stroke width and size as MNIST: mean intensity and ink area in the same range.
    pen = train.images[::5] / 255.0
    ref = mnist.split("train").images[:2000] / 255.0
    assert abs(pen.mean() - ref.mean()) < 0.2 * ref.mean()
    pen_ink, ref_ink = (pen > 0.5).sum(axis=(1, 2)).mean(), (ref > 0.5).sum(axis=(1, 2)).mean()
    assert abs(pen_ink - ref_ink) < 0.2 * ref_ink
    # Mean images per class resemble MNIST's (the digits are upright, not mirrored).
    pen_means, ref_means = train.mean_images(10), mnist.split("train").mean_images(10)
    for digit in range(10):
        assert np.corrcoef(pen_means[digit].ravel(), ref_means[digit].ravel())[0, 1] > 0.7
