"""Issue 24, item 8: what the CLI prints reads right: no label for a non-character, a
`models list` with a header and aligned columns that counts classes as the window does, "1
class", and exported model folders with the user's normal permissions."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np

from core.cli import run_cli


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = run_cli(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_non_character_has_no_label_in_the_table(capsys, tmp_path: Path) -> None:
    from core.datasets.non_characters import KINDS

    strokes = KINDS["zigzag"](np.random.default_rng(5))
    (tmp_path / "zigzag.json").write_text(json.dumps({"strokes": [np.round(s, 2).tolist() for s in strokes]}))
    code, out, err = run(capsys, "recognize", str(tmp_path / "zigzag.json"), "--model", "digits")
    assert code == 0, err
    header, row = out.splitlines()
    cells = row.split()
    label_at = header.split().index("LABEL")
    assert cells[label_at] == "-" and cells[label_at + 1] == "-", row  # LABEL and CONF
    assert row.endswith("(not a character)")


def _columns(lines: list[str]) -> list[int]:
    """Where each column of a space-aligned table starts (the header's words)."""
    header = lines[0]
    return [i for i in range(len(header)) if header[i] != " " and (i == 0 or header[i - 1] == " ")]


def test_models_list_has_a_header_aligned_columns_and_counts_the_answers(capsys) -> None:
    code, out, _ = run(capsys, "models", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["NAME", "KIND", "CLASSES"]
    rows = {line.split()[0]: line for line in lines[1:]}
    # The bundled models' "not a character" output is no class (the window says 10 and 26 too).
    assert "10 classes" in rows["digits"] and "26 classes" in rows["letters"]
    starts = _columns(lines)
    data_set_at, acc_at = starts[3], starts[5]
    for line in lines[1:]:
        assert line[data_set_at - 2:data_set_at] == "  " and line[data_set_at] != " ", line  # DATA SET starts here
        assert line[acc_at - 2:acc_at] == "  ", line
    code, out, _ = run(capsys, "models", "list", "--json")
    listed = {m["name"]: m for m in json.loads(out)}
    assert listed["digits"]["classes"] == 10 and listed["digits"]["rejects"]


def test_one_class_is_one_class(capsys) -> None:
    from core.datasets.collections import add_sample

    add_sample("just-one", "x", np.zeros((28, 28), np.uint8))
    code, out, _ = run(capsys, "datasets", "list")
    row = next(line for line in out.splitlines() if line.startswith("just-one"))
    assert " 1 class " in row and "classes" not in row
    code, out, _ = run(capsys, "datasets", "info", "just-one")
    assert out.startswith("just-one: 1 class (x)") and "train: 1 sample" in out and "samples" not in out


def test_an_exported_model_folder_has_the_users_normal_permissions(capsys, tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        code, out, err = run(capsys, "models", "export", "digits", "--to", str(tmp_path / "shared"))
    finally:
        os.umask(previous)
    assert code == 0, err
    folder = tmp_path / "shared" / "digits"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755  # was 0o700 (drwx------), as a temp folder is
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in folder.iterdir())
