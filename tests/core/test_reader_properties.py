"""Property tests: whatever bytes a reader is handed, it answers with data or InkLab's own error.

For every reader (IDX, CSV, NPZ, image folder, UNIPEN, collections, import preview, model
cards, stroke JSON / JSONL and the other inputs of ``recognize``) hypothesis takes a
valid file and truncates it, flips bytes (also inside compressed streams), puts numbers
out of their type's range, nests JSON deeply, or empties containers.  A zlib, gzip,
zipfile, json, Pillow or numpy exception escaping is a failure: the CLI would print a
traceback instead of one line naming the file.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import InkLabError

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _idx(array: np.ndarray) -> bytes:
    return bytes([0, 0, 8, array.ndim]) + np.asarray(array.shape, ">u4").tobytes() + array.astype(np.uint8).tobytes()


_IMAGES = np.random.default_rng(0).integers(0, 256, (6, 28, 28), dtype=np.uint8)
_LABELS = np.arange(6) % 3


def _png(side: int = 12) -> bytes:
    from PIL import Image

    pixels = np.full((side, side), 255, np.uint8)
    pixels[3:9, 5:7] = 0
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def _npz() -> bytes:
    out = io.BytesIO()
    np.savez_compressed(out, x_train=_IMAGES, y_train=_LABELS)
    return out.getvalue()


def _csv() -> bytes:
    return b"".join(
        (str(label) + "," + ",".join(str(v) for v in image.ravel()) + "\n").encode()
        for image, label in zip(_IMAGES, _LABELS, strict=True)
    )


_UNIPEN = b'.SEGMENT DIGIT 0 ? "3"\n.COMMENT 3 12 1\n.PEN_DOWN\n 10 20\n 30 40\n 50 10\n.PEN_UP\n'
_STROKES = json.dumps({"strokes": [[[0, 0], [10, 40], [20, 5]], [[5, 5], [6, 30]]]}).encode()

VALID = {
    "idx.gz": gzip.compress(_idx(_IMAGES)),
    "idx": _idx(_IMAGES),
    "npz": _npz(),
    "csv": _csv(),
    "png": _png(),
    "unipen": _UNIPEN,
    "json": _STROKES,
}


@st.composite
def damaged(draw, kind: str) -> bytes:
    """``VALID[kind]`` truncated, with bytes flipped or inserted, or emptied."""
    data = bytearray(VALID[kind])
    how = draw(st.sampled_from(["truncate", "flip", "flip-deep", "insert", "empty"]))
    if how == "empty":
        return b""
    if how == "truncate":
        return bytes(data[: draw(st.integers(0, len(data) - 1))])
    if how == "insert":
        at = draw(st.integers(0, len(data)))
        return bytes(data[:at]) + draw(st.binary(min_size=1, max_size=16)) + bytes(data[at:])
    # flip-deep: only past the first 20 bytes, i.e. inside the compressed stream, not its header
    low = 20 if how == "flip-deep" and len(data) > 40 else 0
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(low, len(data) - 1))
        data[at] ^= draw(st.integers(1, 255))
    return bytes(data)


def _answers(read, *args) -> None:
    """``read(*args)`` returns, or raises an InkLabError; anything else escapes as a failure."""
    try:
        read(*args)
    except InkLabError:
        pass


@SETTINGS
@given(data=damaged("idx.gz"))
def test_idx_gz(tmp_path: Path, data: bytes) -> None:
    from core.datasets.readers.idx import read_idx

    (tmp_path / "x-idx3-ubyte.gz").write_bytes(data)
    _answers(read_idx, tmp_path / "x-idx3-ubyte.gz")


@SETTINGS
@given(data=damaged("idx"))
def test_idx_raw(tmp_path: Path, data: bytes) -> None:
    from core.datasets.readers.idx import read_idx

    (tmp_path / "x-idx3-ubyte").write_bytes(data)
    _answers(read_idx, tmp_path / "x-idx3-ubyte")


@SETTINGS
@given(data=damaged("npz"))
def test_npz(tmp_path: Path, data: bytes) -> None:
    from core.datasets.readers.npzfile import read_npz

    (tmp_path / "set.npz").write_bytes(data)
    _answers(read_npz, tmp_path / "set.npz")


@SETTINGS
@given(data=damaged("csv"))
def test_csv(tmp_path: Path, data: bytes) -> None:
    from core.datasets.readers.csvfile import read_label_pixel_csv

    (tmp_path / "set.csv").write_bytes(data)
    _answers(read_label_pixel_csv, tmp_path / "set.csv")


_HUGE = st.sampled_from(["1" * 30, "9" * 400, "1e400", "-1e400", "nan", "inf", "-0", "2147483648", "1e-400", "0x10"])


@SETTINGS
@given(cell=_HUGE, column=st.integers(0, 784))
def test_csv_numbers_out_of_range(tmp_path: Path, cell: str, column: int) -> None:
    from core.datasets.readers.csvfile import read_label_pixel_csv

    row = ["1"] + ["0"] * 784
    row[column] = cell
    (tmp_path / "set.csv").write_text(",".join(row) + "\n")
    _answers(read_label_pixel_csv, tmp_path / "set.csv")


@SETTINGS
@given(data=damaged("npz"))
def test_import_preview(tmp_path: Path, data: bytes) -> None:
    from core.datasets.import_preview import preview_import

    (tmp_path / "set.npz").write_bytes(data)
    _answers(preview_import, [tmp_path / "set.npz"])


@SETTINGS
@given(data=damaged("idx.gz"))
def test_import_preview_idx(tmp_path: Path, data: bytes) -> None:
    from core.datasets.import_preview import preview_import

    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(data)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(_idx(_LABELS)))
    _answers(preview_import, [tmp_path / "train-images-idx3-ubyte.gz", tmp_path / "train-labels-idx1-ubyte.gz"])


@SETTINGS
@given(data=damaged("png"))
def test_image_folder(tmp_path: Path, data: bytes) -> None:
    from core.datasets.readers.imagefolder import read_image_folder

    for label in ("a", "b"):
        (tmp_path / "set" / label).mkdir(parents=True, exist_ok=True)
        (tmp_path / "set" / label / "ok.png").write_bytes(VALID["png"])
    (tmp_path / "set" / "a" / "bad.png").write_bytes(data)
    _answers(read_image_folder, tmp_path / "set")


@SETTINGS
@given(data=damaged("unipen"))
def test_unipen(tmp_path: Path, data: bytes) -> None:
    from core.datasets.readers.unipen import read_unipen

    (tmp_path / "pendigits-orig.tra").write_bytes(data)
    _answers(read_unipen, tmp_path / "pendigits-orig.tra")


@SETTINGS
@given(number=_HUGE)
def test_unipen_numbers_out_of_range(tmp_path: Path, number: str) -> None:
    from core.datasets.readers.unipen import read_unipen

    (tmp_path / "p.tra").write_bytes(_UNIPEN.replace(b" 30 40", f" {number} 40".encode()))
    _answers(read_unipen, tmp_path / "p.tra")


@SETTINGS
@given(sample=damaged("json"), image=damaged("png"), note=st.sampled_from(["", "[]", "{}", '{"labels": [1]}', "[" * 5000]))
def test_collection(tmp_path: Path, sample: bytes, image: bytes, note: str) -> None:
    from core.datasets.collections import load_collection

    folder = tmp_path / "c"
    folder.mkdir(exist_ok=True)
    (folder / "collection.json").write_text(note or '{"labels": ["a"]}')
    (folder / "1.json").write_bytes(sample.replace(b'"strokes"', b'"label": "a", "strokes"', 1))
    (folder / "1.png").write_bytes(image)
    _answers(load_collection, folder)


# --------------------------------------------------------------------------- recognize's inputs

_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["strokes", "pressure", "x"]), inner,
                                                                  max_size=3),
    max_leaves=30,
)


def _recognize_file(path: Path) -> None:
    from core.cli.recognize import _load_file

    _load_file(path, [])


@SETTINGS
@given(obj=_JSON_VALUES)
def test_recognize_stroke_json_of_any_shape(tmp_path: Path, obj) -> None:
    (tmp_path / "d.json").write_text(json.dumps({"strokes": obj}))
    _answers(_recognize_file, tmp_path / "d.json")
    (tmp_path / "d.jsonl").write_text(json.dumps(obj) + "\n" + json.dumps({"strokes": [obj]}) + "\n")
    _answers(_recognize_file, tmp_path / "d.jsonl")


@SETTINGS
@given(x=_HUGE, depth=st.integers(1, 3000))
def test_recognize_out_of_range_and_deep(tmp_path: Path, x: str, depth: int) -> None:
    (tmp_path / "d.json").write_text('{"strokes": [[[' + x + ", 1], [2, 3]]]}")
    _answers(_recognize_file, tmp_path / "d.json")
    (tmp_path / "deep.json").write_text('{"strokes": ' + "[" * depth + "]" * depth + "}")
    _answers(_recognize_file, tmp_path / "deep.json")


@SETTINGS
@given(data=damaged("json"), suffix=st.sampled_from([".json", ".jsonl"]))
def test_recognize_damaged_json(tmp_path: Path, data: bytes, suffix: str) -> None:
    (tmp_path / f"d{suffix}").write_bytes(data)
    _answers(_recognize_file, tmp_path / f"d{suffix}")


@SETTINGS
@given(data=damaged("png"))
def test_recognize_damaged_image(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "d.png").write_bytes(data)
    _answers(_recognize_file, tmp_path / "d.png")


@SETTINGS
@given(shape=st.lists(st.integers(0, 40), min_size=0, max_size=4),
       dtype=st.sampled_from(["u1", "i8", "f4", "f8", "c8", "U3", "?"]),
       fill=st.sampled_from([0, 1, 255, 1e300, -1]))
def test_recognize_matrices(tmp_path: Path, shape: list[int], dtype: str, fill) -> None:
    try:
        array = np.full(shape, fill).astype(dtype)
    except (ValueError, OverflowError):
        return
    np.save(tmp_path / "m.npy", array)
    _answers(_recognize_file, tmp_path / "m.npy")
    np.savetxt(tmp_path / "m.txt", np.atleast_2d(array.reshape(len(array) if array.ndim else 1, -1))
               if array.dtype.kind in "biuf" and array.size else np.zeros((0, 0)))
    _answers(_recognize_file, tmp_path / "m.txt")


@pytest.mark.parametrize("text", ["", "\n\n", "1 2\n3", "nan nan", "1e400 1", "a b c"])
def test_recognize_text_matrices(tmp_path: Path, text: str) -> None:
    (tmp_path / "m.txt").write_text(text)
    _answers(_recognize_file, tmp_path / "m.txt")


@SETTINGS
@given(card=_JSON_VALUES)
def test_model_card_of_any_shape(tmp_path: Path, card) -> None:
    from core.models.library import find_model

    folder = tmp_path / "m"
    folder.mkdir(exist_ok=True)
    (folder / "model.keras").write_bytes(b"PK")
    (folder / "card.json").write_text(json.dumps(card))
    _answers(find_model, folder)
