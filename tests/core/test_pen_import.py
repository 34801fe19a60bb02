"""``datasets import`` of a user's pen files: UNIPEN segment files and labelled stroke JSONL.

Each good import is checked through the CLI and by loading the set back; each malformed file
must give exit code 2, one line naming the problem, and leave nothing behind.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.cli import run_cli
from core.datasets import is_available, load_dataset
from core.imaging import render_strokes, to_uint8
from core.labels import DIGITS, LETTERS
from tests.helpers.cli import one_error_line
from tests.helpers.unipen import DOC, pen_entry, write_archive, write_tree

HEADER = ".VERSION 1.0\n.COORD X Y\n"
STROKE = [[0, 0], [10, 30], [20, 0]]


def jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def segment_files(root: Path, pen: str, segments: str, doc: str = DOC) -> Path:
    """``root/data/seg.dat`` including ``c/c.doc`` and ``c/data/p.dat`` from ``root/include/``."""
    (root / "include" / "c" / "data").mkdir(parents=True)
    (root / "include" / "c" / "c.doc").write_text(doc)
    (root / "include" / "c" / "data" / "p.dat").write_text(pen)
    (root / "data").mkdir()
    seg = root / "data" / "seg.dat"
    seg.write_text(".VERSION 1.0\n.INCLUDE c/c.doc\n.INCLUDE c/data/p.dat\n" + segments)
    return seg


def written(user: Path) -> list[str]:
    """Everything an import may have left in the user folder (the cache and locks aside)."""
    return sorted(str(p.relative_to(user)) for p in user.rglob("*")
                  if p.is_file() and p.parts[len(user.parts)] not in ("cache", "locks") and p.name != "inklab.log")


def test_a_folder_of_unipen_files_with_includes_above_it(tmp_path: Path, capsys) -> None:
    tree = tmp_path / "train_r01_v07"
    counts = write_tree(tree)
    assert run_cli(["datasets", "import", str(tree / "data" / "1a"), "--name", "pen-digits"]) == 0
    assert "train: 80 samples" in capsys.readouterr().out
    data = load_dataset("pen-digits")
    assert data.label_names == DIGITS and len(data.splits["train"]) == counts["1a"]
    groups = data.splits["train"].groups
    assert groups is not None and len(set(groups)) == 8  # the writer ids, kept for writer-held-out validation


def test_one_segment_file_of_letters_is_case_merged(tmp_path: Path) -> None:
    tree = tmp_path / "t"
    write_tree(tree)
    lower = tree / "data" / "1c" / "abc" / "b2" / "w1.dat"
    assert run_cli(["datasets", "import", str(lower), "--name", "w1-lower"]) == 0
    data = load_dataset("w1-lower")
    assert data.label_names == LETTERS
    assert sorted(data.splits["train"].labels.tolist()) == list(range(10))  # a-j as A-J


def test_includes_beside_the_file_and_the_pad_rendering(tmp_path: Path) -> None:
    (tmp_path / "h.doc").write_text(HEADER)
    (tmp_path / "p.dat").write_text(".WRITER_ID x\n" + pen_entry("PEN_DOWN", STROKE) + pen_entry("PEN_DOWN", STROKE[::-1]))
    seg = tmp_path / "my.unp"
    seg.write_text('.INCLUDE h.doc\n.INCLUDE p.dat\n.SEGMENT CHARACTER 0 ? "+"\n.SEGMENT CHARACTER 1 ? "-"\n')
    assert run_cli(["datasets", "import", str(seg), "--name", "symbols"]) == 0
    data = load_dataset("symbols")
    assert data.label_names == ("+", "-")  # neither digits nor letters: the labels, sorted
    expected = to_uint8(render_strokes([np.array(STROKE, np.float32)], y_up=True))
    assert np.array_equal(data.splits["train"].images[0], expected)


def test_labelled_jsonl_with_writers_and_a_test_file(tmp_path: Path, capsys) -> None:
    train = jsonl(tmp_path / "mine.jsonl", [{"label": str(i % 10), "strokes": [STROKE], "writer": "ann" if i < 5 else 3}
                                            for i in range(12)])
    test = jsonl(tmp_path / "mine-test.jsonl", [{"label": "7", "strokes": [STROKE, [[5, 5], [6, 20]]]}])
    assert run_cli(["datasets", "import", str(train), str(test), "--name", "mine"]) == 0
    out = capsys.readouterr().out
    assert "train: 12 samples" in out and "test: 1 samples" in out
    data = load_dataset("mine")
    assert data.label_names == DIGITS
    assert sorted(set(data.splits["train"].groups.tolist())) == [1, 2]  # "ann", "3"; "" for the test line
    # Screen y points down: the pad's rendering of the same strokes, y down.
    expected = to_uint8(render_strokes([np.array(STROKE, np.float32)]))
    assert np.array_equal(data.splits["train"].images[0], expected)


def test_the_unipen_archive_imported_under_one_name_completes_all_four(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("INKLAB_DATA_PATH", str(tmp_path / "nothing"))
    archive = tmp_path / "dl" / "unipen-1abc.tar.xz"
    write_archive(archive)
    assert not is_available("unipen-lower")
    assert run_cli(["datasets", "import", str(archive), "--name", "unipen-lower"]) == 0
    assert "26 classes: a, b" in capsys.readouterr().out
    assert all(is_available(n) for n in ("unipen-digits", "unipen-upper", "unipen-lower", "unipen-letters"))
    assert run_cli(["datasets", "import", str(archive), "--name", "mnist"]) == 2
    assert "not its files" in one_error_line(capsys.readouterr().err)


BAD_UNIPEN = {
    "truncated include": (pen_entry("PEN_DOWN", STROKE) + "7\n", '.SEGMENT CHARACTER 0 ? "a"\n',
                          r"p.dat, line \d+: expected 2 numbers per point"),
    "delineation past the last stroke": (pen_entry("PEN_DOWN", STROKE), '.SEGMENT CHARACTER 0-1 ? "a"\n',
                                         r"seg.dat, line 4: delineation '0-1' names component 1, but the pen data has 1"),
    "two-character label": (pen_entry("PEN_DOWN", STROKE), '.SEGMENT CHARACTER 0 ? "ab"\n',
                            r"seg.dat, line 4: label 'ab' is not one character"),
    "y of 10^12": (".PEN_DOWN\n1 2\n3 1000000000000\n", '.SEGMENT CHARACTER 0 ? "a"\n', r"p.dat, line 3: coordinate"),
}


@pytest.mark.parametrize("case", list(BAD_UNIPEN))
def test_malformed_unipen_is_one_line_and_nothing_is_left(tmp_path: Path, capsys, user_data_dir, case) -> None:
    pen, segments, message = BAD_UNIPEN[case]
    seg = segment_files(tmp_path / "src", pen, segments)
    assert run_cli(["datasets", "import", str(seg), "--name", "bad"]) == 2
    import re

    assert re.search(message, one_error_line(capsys.readouterr().err))
    assert written(user_data_dir) == []


@pytest.mark.parametrize(
    ("files", "segment", "message"),
    [
        ({"c/c.doc": ".VERSION 1.0\n", "c/data/p.dat": pen_entry("PEN_DOWN", STROKE)},
         '.INCLUDE c/c.doc\n.INCLUDE c/data/p.dat\n.SEGMENT CHARACTER 0 ? "a"\n', r"pen data before any .COORD"),
        ({}, ".INCLUDE c/nope.dat\n.SEGMENT CHARACTER 0 ? \"a\"\n",
         r"seg.dat: included file 'c/nope.dat' not found under .*include"),
        ({"c/a.doc": ".INCLUDE c/b.doc\n", "c/b.doc": ".INCLUDE c/a.doc\n"}, ".INCLUDE c/a.doc\n.SEGMENT CHARACTER 0 ? \"a\"\n",
         r"in a cycle"),
        ({}, "", r"seg.dat: the file is empty"),
        ({}, ".VERSION 1.0\n.COORD X Y\n.PEN_DOWN\n1 2\n", r"seg.dat: no .SEGMENT lines"),
    ],
    ids=["missing-coord", "missing-include", "include-cycle", "empty-file", "no-segments"],
)
def test_more_malformed_unipen(tmp_path: Path, capsys, user_data_dir, files, segment, message) -> None:
    import re

    for name, text in files.items():
        (tmp_path / "include" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "include" / name).write_text(text)
    (tmp_path / "include").mkdir(exist_ok=True)
    seg = tmp_path / "seg.dat"
    seg.write_text(segment)
    assert run_cli(["datasets", "import", str(seg), "--name", "bad"]) == 2
    assert re.search(message, one_error_line(capsys.readouterr().err))
    assert written(user_data_dir) == []


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"label": "a", "strokes": [STROKE]}, {"strokes": [STROKE]}], r"bad.jsonl:2: no \"label\""),
        ([{"label": "ab", "strokes": [STROKE]}], r"bad.jsonl:1: label 'ab' is not one character"),
        ([{"label": "a", "strokes": [STROKE]}, "", {"label": "b", "strokes": [[[1, 2, 3, 4]]]}],
         r"bad.jsonl:3: stroke 1 must be a list of \[x, y\]"),
        ([{"label": "a", "strokes": [[[0, 1e12]]]}], r"bad.jsonl:1: stroke 1 has a coordinate beyond"),
        ([{"label": "a", "strokes": []}], r"bad.jsonl:1: the drawing is empty"),
        ([{"label": "a", "strokes": [STROKE]}, "{not json"], r"bad.jsonl:2: not valid JSON"),
        (["[1, 2]"], r"bad.jsonl:1: expected an object"),
        ([{"label": "a", "strokes": [STROKE], "writer": [1]}], r"bad.jsonl:1: \"writer\" must be a name or a number"),
        ([], r"bad.jsonl: holds no drawings \(the file is empty\)"),
    ],
    ids=["no-label", "two-character-label", "bad-strokes", "huge-coordinate", "no-points", "not-json",
         "not-an-object", "bad-writer", "empty-file"],
)
def test_malformed_jsonl_names_the_line(tmp_path: Path, capsys, user_data_dir, rows, message) -> None:
    import re

    path = jsonl(tmp_path / "bad.jsonl", rows) if rows else tmp_path / "bad.jsonl"
    if not rows:
        path.write_text("")
    assert run_cli(["datasets", "import", str(path), "--name", "bad"]) == 2
    assert re.search(message, one_error_line(capsys.readouterr().err))
    assert written(user_data_dir) == []


def test_pen_files_mixed_with_a_table_are_refused(tmp_path: Path, capsys) -> None:
    good = jsonl(tmp_path / "a.jsonl", [{"label": "a", "strokes": [STROKE]}])
    table = tmp_path / "b.csv"
    table.write_text("0," + ",".join(["0"] * 784) + "\n")
    assert run_cli(["datasets", "import", str(good), str(table), "--name", "mix"]) == 2
    assert "b.csv: not a UNIPEN or stroke JSONL file" in one_error_line(capsys.readouterr().err)


def test_too_many_drawings_in_one_jsonl_file(tmp_path: Path, capsys, monkeypatch) -> None:
    from core import limits

    monkeypatch.setattr(limits, "MAX_JSONL_DRAWINGS", 3)
    path = jsonl(tmp_path / "big.jsonl", [{"label": "a", "strokes": [STROKE]}] * 4)
    assert run_cli(["datasets", "import", str(path), "--name", "big"]) == 2
    assert "more than 3 drawings; split the file" in one_error_line(capsys.readouterr().err)


def test_a_pendigits_file_under_a_name_of_ones_own(tmp_path: Path) -> None:
    path = tmp_path / "pendigits-mine.tra"
    path.write_text('.INCLUDE dene.doc\n.SEGMENT DIGIT 0 ? "8"\n.COMMENT 8 12 224\n'
                    + pen_entry("PEN_DOWN", STROKE) + ".PEN_UP\n"
                    + '.SEGMENT DIGIT 1 ? "3"\n.COMMENT 3 14 225\n' + pen_entry("PEN_DOWN", STROKE[::-1]) + ".PEN_UP\n")
    assert run_cli(["datasets", "import", str(path), "--name", "my-pendigits"]) == 0
    data = load_dataset("my-pendigits")
    assert data.label_names == DIGITS and data.splits["train"].labels.tolist() == [8, 3]
    assert len(set(data.splits["train"].groups.tolist())) == 2


def test_sizes_are_bounded(tmp_path: Path, capsys, monkeypatch) -> None:
    from core import limits
    from core.datasets import pen_import

    monkeypatch.setattr(pen_import, "MAX_DOCUMENT_BYTES", 100)
    seg = tmp_path / "big.dat"
    seg.write_text('.VERSION 1.0\n.SEGMENT CHARACTER 0 ? "a"\n' + "." * 200)
    assert run_cli(["datasets", "import", str(seg), "--name", "big"]) == 2
    assert "big.dat: the UNIPEN file is 0 MB; InkLab reads at most 0 MB" in one_error_line(capsys.readouterr().err)

    monkeypatch.setattr(limits, "MAX_JSONL_LINE_BYTES", 50)
    path = jsonl(tmp_path / "long.jsonl", [{"label": "a", "strokes": [STROKE * 5]}])
    assert run_cli(["datasets", "import", str(path), "--name", "long"]) == 2
    assert "long.jsonl:1: a line longer than" in one_error_line(capsys.readouterr().err)


def test_every_truncation_is_a_clear_error_or_a_good_import(tmp_path: Path) -> None:
    from core.datasets.import_preview import preview_import
    from core.errors import DataError

    seg = segment_files(tmp_path / "src", ".WRITER_ID w\n" + pen_entry("PEN_DOWN", STROKE) + pen_entry("PEN_DOWN", STROKE),
                        '.SEGMENT CHARACTER 0 ? "a"\n.SEGMENT CHARACTER 1 ? "b"\n')
    pen = tmp_path / "src" / "include" / "c" / "data" / "p.dat"
    lines = jsonl(tmp_path / "a.jsonl", [{"label": "a", "strokes": [STROKE], "writer": "w"}] * 3)
    for path in (seg, pen, lines):
        whole = path.read_bytes()
        for cut in range(0, len(whole), 3):
            path.write_bytes(whole[:cut])
            try:
                preview = preview_import([seg if path != lines else lines])
            except DataError as err:
                assert "\n" not in str(err)
            else:
                assert sum(len(s) for s in preview.dataset.splits.values()) >= 1
        path.write_bytes(whole)
