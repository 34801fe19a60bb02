"""``inklab recognize``: images, stroke JSON, JSONL batches, 28x28 matrices, and bad files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.cli import run_cli
from tests.helpers.models import install_tiny_model, tiny_model_folder


@pytest.fixture(scope="module")
def model_path(tmp_path_factory, mnist) -> str:
    return str(tiny_model_folder(tmp_path_factory, mnist))


def bar_strokes(x: float = 200, top: float = 40, length: float = 300) -> dict:
    """Stroke JSON of a vertical bar (a "1") in screen coordinates."""
    return {"strokes": [[[x, top + length * i / 20] for i in range(21)]]}


def ring_strokes() -> dict:
    angles = np.linspace(0, 2 * np.pi, 40)
    return {"strokes": [[[float(200 + 70 * np.sin(a)), float(200 - 100 * np.cos(a))] for a in angles]]}


def one_matrix() -> np.ndarray:
    """A ready MNIST-like "1": white on black, 0..255."""
    m = np.zeros((28, 28), np.float32)
    m[4:24, 13:16] = 255
    return m


def write_files(folder: Path) -> None:
    page = np.full((400, 300), 240, np.uint8)
    page[80:320, 140:158] = 15  # a dark "1" on light paper
    Image.fromarray(page).save(folder / "one.png")
    (folder / "one.json").write_text(json.dumps(bar_strokes()))
    np.save(folder / "one.npy", one_matrix())
    np.savetxt(folder / "one.txt", one_matrix(), fmt="%d")
    np.savetxt(folder / "one_unit.dat", one_matrix() / 255.0, fmt="%.3f")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = run_cli(["recognize", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_every_format_as_json(capsys, tmp_path: Path, model_path: str) -> None:
    write_files(tmp_path)
    names = [str(tmp_path / name) for name in ("one.png", "one.json", "one.npy", "one.txt", "one_unit.dat")]
    code, out, err = run(capsys, *names, "--model", model_path, "--json", "--top", "2")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 5
    for row in rows:
        assert set(row) == {"source", "index", "label", "confidence", "top", "status"}
        assert row["status"] in ("sure", "unsure", "not-a-character")
        assert row["label"] == "1", row
        assert row["index"] == 0
        assert len(row["top"]) == 2 and row["top"][0] == {"label": "1", "p": row["confidence"]}
        assert row["top"][0]["p"] >= row["top"][1]["p"]
    assert sorted(Path(r["source"]).name for r in rows) == sorted(Path(n).name for n in names)


def test_jsonl_batch_one_result_per_line_in_few_model_calls(capsys, tmp_path, model_path, monkeypatch):
    from core.models.recognizer import Recognizer

    lines = [json.dumps(bar_strokes(x=100 + i % 50) if i % 2 == 0 else ring_strokes()) for i in range(600)]
    lines.insert(3, "{not json")
    lines.insert(7, json.dumps({"strokes": []}))
    (tmp_path / "batch.jsonl").write_text("\n".join(lines) + "\n")
    calls: list[int] = []
    many = Recognizer.predict_many

    def counting(self, images, batch_size=256):
        calls.append(len(images))
        return many(self, images, batch_size)

    monkeypatch.setattr(Recognizer, "predict_many", counting)
    code, out, err = run(capsys, str(tmp_path / "batch.jsonl"), "--model", model_path, "--json")
    assert code == 2  # two bad lines
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 600
    assert calls == [600]  # one batched call for the whole file (256 per model call inside)
    assert "batch.jsonl:4" in err and "not valid JSON" in err
    assert "batch.jsonl:8" in err and "empty" in err
    good = [r for r in rows if r["index"] not in (3, 7)]
    assert len(good) == 600
    # Lines 0, 2, 5, 8 hold bars, lines 1, 4, 6 rings (3 and 7 are the bad ones).
    by_line = {r["index"]: r["label"] for r in rows}
    assert [by_line[i] for i in (0, 2, 5, 8)] == ["1"] * 4
    assert [by_line[i] for i in (1, 4, 6)] == ["0"] * 3


def test_table_output(capsys, tmp_path, model_path) -> None:
    write_files(tmp_path)
    code, out, err = run(capsys, str(tmp_path / "one.npy"), str(tmp_path / "one.png"), "--model", model_path)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["FILE", "#", "LABEL", "CONF"]
    assert len(lines) == 3
    assert all(" 1 " in line for line in lines[1:])


def test_bad_files_are_one_line_each_and_the_good_ones_still_recognised(capsys, tmp_path, model_path) -> None:
    write_files(tmp_path)
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    (tmp_path / "blank.png").write_bytes((tmp_path / "one.png").read_bytes())
    Image.fromarray(np.full((50, 50), 200, np.uint8)).save(tmp_path / "blank.png")
    (tmp_path / "nostrokes.json").write_text('{"points": []}')
    np.save(tmp_path / "wrong.npy", np.zeros((10, 10)))
    (tmp_path / "words.txt").write_text("hello world\n")
    np.save(tmp_path / "black.npy", np.zeros((28, 28)))
    bad = ["missing.png", "broken.png", "blank.png", "nostrokes.json", "wrong.npy", "words.txt", "black.npy"]
    args = [str(tmp_path / name) for name in bad] + [str(tmp_path / "one.png")]
    code, out, err = run(capsys, *args, "--model", model_path, "--json")
    assert code == 2
    rows = [json.loads(line) for line in out.splitlines()]
    assert [Path(r["source"]).name for r in rows] == ["one.png"] and rows[0]["label"] == "1"
    err_lines = [line for line in err.splitlines() if line.strip()]
    for name in bad:
        assert sum(name in line for line in err_lines) == 1, (name, err)
    assert "Traceback" not in err
    assert "28x28" in next(line for line in err_lines if "wrong.npy" in line)


def test_model_by_name_and_a_missing_model(capsys, tmp_path, tmp_path_factory, mnist) -> None:
    write_files(tmp_path)
    name = install_tiny_model(tmp_path_factory, mnist)
    code, out, err = run(capsys, str(tmp_path / "one.npy"), "--model", name, "--json")
    assert code == 0, err
    assert json.loads(out)["label"] == "1"
    code, out, err = run(capsys, str(tmp_path / "one.npy"), "--model", "no-such-model")
    assert code == 2 and out == ""
    assert "no-such-model" in err and "Traceback" not in err
    code, out, err = run(capsys, str(tmp_path / "one.npy"), "--top", "0")
    assert code == 2 and "--top" in err


def test_stack_of_matrices_in_one_npy(capsys, tmp_path, model_path) -> None:
    stack = np.stack([one_matrix() / 255.0] * 3).astype(np.float32)
    np.save(tmp_path / "three.npy", stack)
    code, out, err = run(capsys, str(tmp_path / "three.npy"), "--model", model_path, "--json")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["index"] for r in rows] == [0, 1, 2]


def test_scribbles_are_not_characters_for_the_bundled_models(capsys, tmp_path: Path) -> None:
    """A zigzag and an asterisk from the pad: "not-a-character" in JSON, said in words in the table."""
    from core.datasets.non_characters import KINDS

    rng = np.random.default_rng(5)
    lines = []
    for kind in ("zigzag", "asterisk", "circle_with_lines"):
        strokes = KINDS[kind](rng)
        lines.append(json.dumps({"strokes": [np.round(s, 2).tolist() for s in strokes]}))
    (tmp_path / "scribbles.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "one.json").write_text(json.dumps(bar_strokes()))
    for model in ("digits", "letters"):
        code, out, err = run(capsys, str(tmp_path / "scribbles.jsonl"), "--model", model, "--json")
        assert code == 0, err
        rows = [json.loads(line) for line in out.splitlines()]
        assert [r["status"] for r in rows] == ["not-a-character"] * 3, rows
        assert all(r["label"] and r["top"] for r in rows)  # the best real class is still given
        code, out, _ = run(capsys, str(tmp_path / "scribbles.jsonl"), "--model", model)
        assert out.count("(not a character)") == 3
    code, out, _ = run(capsys, str(tmp_path / "one.json"), "--model", "digits", "--json")
    assert json.loads(out)["label"] == "1" and json.loads(out)["status"] == "sure"
