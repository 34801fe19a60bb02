"""The UNIPEN reader on small files written in ``tmp_path`` in the real format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.datasets.readers.unipen_format import folder_resolver, mapping_resolver, read_segment_file
from core.errors import DataError
from tests.helpers.unipen import pen_entry

HEADER = ".VERSION 1.0\n.COORD X Y\n"
A = [[0, 0], [10, 10], [20, 20], [30, 30]]
B = [[100, 0], [110, 5], [120, 10]]
C = [[200, 50], [210, 60], [220, 70], [230, 80], [240, 90]]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="latin-1")
    return root


def read(root: Path, segment: str, **kwargs):
    return read_segment_file("seg.dat", segment, folder_resolver(root), **kwargs)


def pen_data(*entries: tuple[str, list]) -> str:
    return "".join(pen_entry(kind, points) for kind, points in entries)


def test_nested_includes_hover_and_delineations(tmp_path: Path) -> None:
    # The header includes another header (nested); .COORD comes from the inner one.
    write(tmp_path, {
        "con/con.doc": ".VERSION 1.0\n.INCLUDE con/common.doc\n.DATA_SOURCE test\n",
        "con/common.doc": ".COORD X Y\n",
        "con/data/b/p.dat": ".WRITER_ID w7\n" + pen_data(
            ("PEN_DOWN", A), ("PEN_UP", []), ("PEN_UP", [(1, 1), (2, 2)]), ("PEN_DOWN", B), ("PEN_DOWN", C)),
    })
    # Components: 0 = A, (empty .PEN_UP: none), 1 = the hovering pen, 2 = B, 3 = C.
    samples = read(tmp_path, (
        ".VERSION 1.0\n.INCLUDE con/con.doc\n.INCLUDE con/data/b/p.dat\n"
        '.SEGMENT CHARACTER 0-2 ? "x"\n'  # A, hover (not drawn), B
        '.SEGMENT CHARACTER 3 OK "y"\n'
        '.SEGMENT CHARACTER 0:2-3:1 ? "z"\n'  # A from point 2 to C's point 1
        '.SEGMENT CHARACTER 0,3 ? "w"\n'  # a comma list
        '.SEGMENT CHARACTER 1 ? "h"\n'  # only the hovering pen: nothing written, no sample
        '.SEGMENT CHARACTER 2 "q"\n'  # no quality given: the label is still read
        '.SEGMENT WORD 0-3 ? "xyzw"\n'  # not a character: skipped
    ))
    assert [s.label for s in samples] == ["x", "y", "z", "w", "q"]
    assert {s.writer for s in samples} == {"con/w7"}  # the contributor is the pen data's first folder
    x, y, z, w, q = samples
    assert [s.tolist() for s in x.strokes] == [A, B]
    assert [s.tolist() for s in y.strokes] == [C]
    assert [s.tolist() for s in z.strokes] == [A[2:], B, C[:2]]
    assert [s.tolist() for s in w.strokes] == [A, C]
    assert [s.tolist() for s in q.strokes] == [B]
    assert all(s.dtype == np.float32 for s in x.strokes)


def test_resolution_per_axis_and_a_time_column(tmp_path: Path) -> None:
    write(tmp_path, {"pen.dat": (
        ".COORD X Y T\n.X_POINTS_PER_INCH 856.7\n.Y_POINTS_PER_INCH 979.3\n.WRITER_ID a\n"
        ".PEN_DOWN\n0 0 10\n100 979 20\n200 1958 30\n")})
    (sample,) = read(tmp_path, '.INCLUDE pen.dat\n.SEGMENT CHARACTER 0 ? "1"\n')
    # y is scaled by x's resolution over y's, so one inch is as long on both axes; t is dropped.
    np.testing.assert_allclose(sample.strokes[0], [[0, 0], [100, 979 * 856.7 / 979.3], [200, 1958 * 856.7 / 979.3]],
                               rtol=1e-6)
    assert sample.writer == "a"


def test_resolution_per_mm_and_indented_keywords_are_header_text(tmp_path: Path) -> None:
    write(tmp_path, {"pen.dat": (
        HEADER + ".X_POINTS_PER_MM 10\n.Y_POINTS_PER_MM 20\n"
        ".PAD     Machine name: x\n         .PEN_DOWN describes the pen (free text, not a component)\n"
        "         12 34\n.PEN_DOWN\n0 0\n0 20\n")})
    (sample,) = read(tmp_path, '.INCLUDE pen.dat\n.SEGMENT CHARACTER 0 ? "l"\n')
    np.testing.assert_allclose(sample.strokes[0], [[0, 0], [0, 10]])  # component 0 is the real stroke


def test_includes_read_from_an_archive_mapping() -> None:
    files = {"c/h.doc": HEADER.encode(), "c/data/p.dat": (".WRITER_ID 9\n" + pen_data(("PEN_DOWN", A))).encode()}
    samples = read_segment_file("seg", '.INCLUDE c/h.doc\n.INCLUDE c/data/p.dat\n.SEGMENT CHARACTER 0 ? "7"\n',
                                mapping_resolver(files, "x.tar.xz"))
    assert [(s.label, s.writer) for s in samples] == [("7", "c/9")]
    with pytest.raises(DataError, match=r"included file 'c/nope.dat' is not in x.tar.xz"):
        read_segment_file("seg", ".INCLUDE c/nope.dat\n", mapping_resolver(files, "x.tar.xz"))


@pytest.mark.parametrize(
    ("files", "segment", "message"),
    [
        # a truncated include: its last point lost its y
        ({"p.dat": HEADER + ".PEN_DOWN\n1 2\n3 4\n5"}, '.INCLUDE p.dat\n.SEGMENT CHARACTER 0 ? "a"\n',
         r"p.dat, line 6: expected 2 numbers per point \(.COORD\), got '5'"),
        ({}, '.INCLUDE missing.dat\n', r"included file 'missing.dat' not found under"),
        ({"a.doc": ".INCLUDE b.doc\n", "b.doc": ".INCLUDE a.doc\n"}, ".INCLUDE a.doc\n",
         r"b.doc, line 1: includes nested too deep or in a cycle \(a.doc\)"),
        ({"p.dat": HEADER + pen_data(("PEN_DOWN", A), ("PEN_DOWN", B))}, '.INCLUDE p.dat\n.SEGMENT CHARACTER 1-2 ? "a"\n',
         r"seg.dat, line 2: delineation '1-2' names component 2, but the pen data has 2 \(0-1\)"),
        ({"p.dat": HEADER + pen_data(("PEN_DOWN", A))}, '.INCLUDE p.dat\n.SEGMENT CHARACTER 0:1-0:9 ? "a"\n',
         r"names point 9 of component 0, which has 4 points"),
        ({"p.dat": HEADER + pen_data(("PEN_DOWN", A), ("PEN_DOWN", B))}, '.INCLUDE p.dat\n.SEGMENT CHARACTER 1-0 ? "a"\n',
         r"delineation '1-0' runs backwards"),
        ({"p.dat": HEADER + pen_data(("PEN_DOWN", A))}, '.INCLUDE p.dat\n.SEGMENT CHARACTER 0:3-0:1 ? "a"\n',
         r"delineation '0:3-0:1' runs backwards \(point 3 to 1 of component 0\)"),
        ({}, '.SEGMENT CHARACTER 0 ? "a"\n', r"names component 0, but the pen data has none"),
        ({"p.dat": HEADER + pen_data(("PEN_DOWN", A))}, '.INCLUDE p.dat\n.SEGMENT CHARACTER 0 ? "ab"\n',
         r"seg.dat, line 2: label 'ab' is not one character"),
        ({"p.dat": HEADER + pen_data(("PEN_DOWN", A))}, ".INCLUDE p.dat\n.SEGMENT CHARACTER 0 ? a\n",
         r"segment without a quoted label"),
        ({"p.dat": ".VERSION 1.0\n" + pen_data(("PEN_DOWN", A))}, '.INCLUDE p.dat\n.SEGMENT CHARACTER 0 ? "a"\n',
         r"p.dat, line 2: pen data before any .COORD"),
        ({"p.dat": HEADER + ".PEN_DOWN\n0 0\n5 1000000000000\n"}, '.INCLUDE p.dat\n.SEGMENT CHARACTER 0 ? "a"\n',
         r"p.dat, line 5: coordinate '5 1000000000000' is beyond \+-1e\+07"),
        ({"p.dat": HEADER + ".COORD A B\n"}, ".INCLUDE p.dat\n", r".COORD must start with X Y"),
        ({"p.dat": HEADER + ".X_POINTS_PER_INCH -3\n"}, ".INCLUDE p.dat\n", r"X_POINTS_PER_INCH must be positive"),
        ({}, ".INCLUDE ../outside.dat\n", r"leaves the include folder"),
        ({}, '.SEGMENT CHARACTER x-y ? "a"\n', r"delineation 'x-y' is not A, A-B or A:M-B:N"),
    ],
    ids=["truncated-include", "missing-include", "include-cycle", "past-last-stroke", "past-last-point",
         "components-backwards", "points-backwards", "no-pen-data", "two-character-label", "unquoted-label",
         "missing-coord", "y-1e12", "bad-coord", "negative-resolution", "include-escapes", "bad-delineation"],
)
def test_malformed_files_give_one_clear_error(tmp_path: Path, files, segment, message) -> None:
    write(tmp_path, files)
    with pytest.raises(DataError, match=message) as caught:
        read(tmp_path, segment)
    assert "\n" not in str(caught.value)


def test_a_self_include_is_a_cycle_and_deep_nesting_is_bounded(tmp_path: Path) -> None:
    write(tmp_path, {"self.doc": ".INCLUDE self.doc\n"})
    with pytest.raises(DataError, match="in a cycle"):
        read(tmp_path, ".INCLUDE self.doc\n")
    chain = {f"d{i}.doc": f".INCLUDE d{i + 1}.doc\n" for i in range(12)}
    write(tmp_path, chain | {"d12.doc": HEADER})
    with pytest.raises(DataError, match="nested too deep"):
        read(tmp_path, ".INCLUDE d0.doc\n")


def test_a_shared_cache_gives_the_same_samples(tmp_path: Path) -> None:
    write(tmp_path, {"h.doc": HEADER, "p.dat": ".WRITER_ID 1\n" + pen_data(("PEN_DOWN", A), ("PEN_DOWN", B))})
    cache: dict = {}
    first = read(tmp_path, '.INCLUDE h.doc\n.INCLUDE p.dat\n.SEGMENT CHARACTER 0 ? "a"\n', cache=cache)
    again = read(tmp_path, '.INCLUDE h.doc\n.INCLUDE p.dat\n.SEGMENT CHARACTER 1 ? "b"\n', cache=cache)
    assert [s.strokes[0].tolist() for s in first + again] == [A, B]


def test_an_include_that_is_a_device_or_a_folder_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "zero").symlink_to("/dev/zero")  # no size, and no end: reading it would never stop
    (tmp_path / "folder").mkdir()
    for name in ("zero", "folder"):
        with pytest.raises(DataError, match=f"included file '{name}' not found"):
            read(tmp_path, f".INCLUDE {name}\n")
