"""Reading a line of characters with a real model: strokes, pictures, and ``recognize --multi``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from core.cli import run_cli
from tests.helpers.lines import fit, written_number


@pytest.fixture(scope="module")
def digits():
    from core.models.recognizer import Recognizer

    return Recognizer.load("digits")


@pytest.fixture(scope="module")
def number(shared_data):
    return written_number(shared_data, "2026")


def picture(strokes: list[np.ndarray], path: Path) -> Path:
    """The strokes drawn dark on light paper, as a scan of the written number."""
    strokes = fit(strokes, 800, 300)
    page = Image.new("L", (800, 300), 235)
    pen = ImageDraw.Draw(page)
    for s in strokes:
        pen.line([(float(x), float(y)) for x, y in s[:, :2]], fill=25, width=6, joint="curve")
    page.save(path)
    return path


def test_a_written_number_is_read_character_by_character_like_single_drawings(digits, number) -> None:
    from core.models.reading import read_strokes

    strokes, owners = number
    reading = read_strokes(digits, strokes)
    truth = [tuple(i for i, o in enumerate(owners) if o == k) for k in range(4)]
    assert [c.strokes for c in reading.characters] == truth
    # Each character went through exactly the single-drawing path.
    for character, group in zip(reading.characters, truth, strict=True):
        alone = digits.recognize_strokes([strokes[i] for i in group])
        assert character.label == alone.label
        assert character.confidence == pytest.approx(alone.confidence, abs=1e-5)
        np.testing.assert_allclose(character.prediction.image, alone.image, atol=1e-6)
    xs = [c.box[0] for c in reading.characters]
    assert xs == sorted(xs)


def test_a_picture_of_a_number_is_read_from_its_blobs_of_ink(digits, number, tmp_path) -> None:
    from core.models.reading import read_image, read_strokes

    path = picture(number[0], tmp_path / "2026.png")
    reading = read_image(digits, path)
    assert len(reading.characters) == 4
    boxes = [c.box for c in reading.characters]
    assert all(0 <= x0 < x1 <= 800 and 0 <= y0 < y1 <= 300 for x0, y0, x1, y1 in boxes)
    assert [b[0] for b in boxes] == sorted(b[0] for b in boxes)
    assert reading.text == read_strokes(digits, number[0]).text


def test_cli_multi_json_per_drawing_and_one_line_per_bad_drawing(capsys, tmp_path, number) -> None:
    strokes = [s[:, :2].tolist() for s in number[0]]
    path = tmp_path / "numbers.jsonl"
    path.write_text("\n".join([
        json.dumps({"strokes": strokes}),
        json.dumps({"strokes": [[], []]}),  # an empty drawing
        json.dumps({"strokes": [[[10 * i, 0], [10 * i, 30]] for i in range(200)]}),  # 200 strokes
        json.dumps({"strokes": strokes}),
    ]) + "\n")
    code = run_cli(["recognize", "--multi", "--json", "--top", "2", str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["source"], r["index"]) for r in rows] == [(str(path), 0), (str(path), 3)]
    row = rows[0]
    assert set(row) == {"source", "index", "text", "characters"}
    assert len(row["text"]) == len(row["characters"]) == 4
    character = row["characters"][0]
    assert set(character) == {"label", "confidence", "status", "box", "top"}
    assert len(character["box"]) == 4 and len(character["top"]) == 2
    assert row["text"] == "".join(c["label"] for c in row["characters"])
    lines = err.strip().splitlines()
    assert lines[0] == f"inklab: {path}:2: drawing is empty: nothing drawn"
    assert lines[1] == f"inklab: {path}:3: 200 strokes: InkLab reads at most 150 strokes as one line of characters"
    assert lines[-1] == "inklab: 2 of the inputs could not be read"
    assert "Traceback" not in err


def test_cli_multi_reads_json_stdin_and_pictures_and_refuses_a_matrix(capsys, monkeypatch, tmp_path, number) -> None:
    import io

    drawing = json.dumps({"strokes": [s[:, :2].tolist() for s in number[0]]})
    (tmp_path / "one.json").write_text(drawing)
    picture(number[0], tmp_path / "one.png")
    np.save(tmp_path / "one.npy", np.zeros((28, 28)))
    code = run_cli(["recognize", "--multi", "--json", str(tmp_path / "one.json"), str(tmp_path / "one.png")])
    out, err = capsys.readouterr()
    assert code == 0, err
    texts = [json.loads(line)["text"] for line in out.splitlines()]
    assert len(texts) == 2 and all(len(t) == 4 for t in texts)
    monkeypatch.setattr("sys.stdin", io.StringIO(drawing))
    assert run_cli(["recognize", "--multi", "-"]) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[1].split()[:3] == ["-", "0", texts[0]]
    assert run_cli(["recognize", "--multi", str(tmp_path / "one.npy")]) == 2
    _, err = capsys.readouterr()
    assert "a 28x28 matrix is one character" in err and "Traceback" not in err


def test_any_library_model_reads_a_line_also_without_a_reject_output(capsys, tmp_path_factory, mnist, number) -> None:
    from tests.helpers.models import install_tiny_model

    name = install_tiny_model(tmp_path_factory, mnist)  # trained here, no "not a character" output
    path = tmp_path_factory.mktemp("drawings") / "2026.json"
    path.write_text(json.dumps({"strokes": [s[:, :2].tolist() for s in number[0]]}))
    assert run_cli(["recognize", "--multi", "--json", "--model", name, str(path)]) == 0
    row = json.loads(capsys.readouterr().out)
    assert len(row["characters"]) == 4  # grouped the same way; what it reads is the tiny model's business
    assert all(c["status"] in ("sure", "unsure") for c in row["characters"])


def test_touching_characters_in_a_picture_are_cut_apart(digits, tmp_path) -> None:
    from core.imaging.ink_parts import ink_blobs
    from core.models.reading import read_image

    page = Image.new("L", (420, 200), 240)
    pen = ImageDraw.Draw(page)
    pen.ellipse([40, 30, 140, 170], outline=20, width=10)
    pen.ellipse([160, 30, 260, 170], outline=20, width=10)
    pen.line([(260, 40), (340, 40), (290, 170)], fill=20, width=10)  # a 7 whose bar touches the 0
    pen.line([(135, 100), (165, 100)], fill=20, width=8)  # and the two 0s touch
    page.save(tmp_path / "007.png")
    assert len(ink_blobs(tmp_path / "007.png")[1]) < 3  # fewer blobs of ink than characters
    assert read_image(digits, tmp_path / "007.png", split=False).text != "007"
    reading = read_image(digits, tmp_path / "007.png")
    assert reading.text == "007"
    assert [c.box[0] for c in reading.characters] == sorted(c.box[0] for c in reading.characters)
