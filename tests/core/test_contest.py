"""The class contest: a contest file written by one machine is imported on another, scored on
a collection the class drew, ranked and exported; hostile files are refused one line each,
and the others still imported."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from core import contest, contest_board
from core.errors import ContestError
from core.models import library
from tests.conftest import REPO
from tests.helpers.models import install_tiny_model


@pytest.fixture
def tiny(tmp_path_factory, mnist):
    name = install_tiny_model(tmp_path_factory, mnist)
    card_path = library.models_dir() / name / "card.json"
    card = json.loads(card_path.read_text())
    card.update(test={"accuracy": 0.91, "loss": 0.3, "samples": 10000}, preset="cnn-classic")
    card_path.write_text(json.dumps(card))
    return name


def _contest_zip(path, info=None, members=None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if info is not None:
            archive.writestr(contest.INFO, json.dumps(info))
        for name, data in (members or {}).items():
            archive.writestr(name, data)
    return path


def _info_of(path):
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        model = archive.read(contest.MODEL) if contest.MODEL in names else None
        return json.loads(archive.read(contest.INFO)), model


def _draw_collection(mnist, n=30):
    from core.datasets.collections import add_sample

    split = mnist.split("test")
    for i in range(n):
        add_sample("class-digits", str(int(split.labels[i])), split.images[i].astype(np.float32) / 255.0)
    return split.labels[:n]


def test_export_import_score_rank_and_csv(tiny, mnist, tmp_path):
    usb = tmp_path / "usb"
    path = contest.export_contest(tiny, usb, student="Ana")
    assert path.name == "Ana-tiny-digits.inklab-contest" and path.stat().st_size < 200_000
    lean = contest.export_contest(tiny, usb, student="Ben", include_model=False)
    report = contest.import_folder(usb)
    assert report.problems == [] and len(report.imported) == 2
    ana = next(e for e in report.imported if e.student == "Ana")
    assert ana.has_model and (ana.folder / "model.tflite").is_file()  # rebuilt here
    assert lean.is_file()
    _draw_collection(mnist)
    scores = contest_board.score_entries("class-digits")
    assert scores[ana.id].scored == 30 and scores[ana.id].accuracy > 0.6
    rows = contest_board.ranked(contest.list_entries(), scores)
    assert [row.entry.student for row in rows] == ["Ana", "Ben"]
    cells = contest_board.row_cells(rows[1])
    assert cells[5] == "91.00%" and cells[6] == "no model in the contest file"
    csv_path = tmp_path / "board.csv"
    contest_board.write_csv(csv_path, rows)
    lines = csv_path.read_text().splitlines()
    assert lines[0].startswith("rank,student,model") and lines[1].startswith("1,Ana,tiny-digits")
    # The same file again replaces its entry, it does not add a second one.
    contest.import_folder(usb)
    assert len(contest.list_entries()) == 2


def test_hostile_contest_files_are_refused_one_line_each_and_the_good_one_imported(tiny, tmp_path):
    import keras

    usb = tmp_path / "usb"
    good = contest.export_contest(tiny, usb, student="Good")
    info, model_bytes = _info_of(good)
    # A Lambda layer: arbitrary code in a model file.
    lam = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10),
                            keras.layers.Lambda(lambda x: x * 2)])
    lam.save(tmp_path / "lambda.keras")
    _contest_zip(usb / "lambda.inklab-contest", info, {"model.keras": (tmp_path / "lambda.keras").read_bytes()})
    # A card that lies about its classes: five names for a ten-output model.
    liar = json.loads(json.dumps(info))
    liar["card"].update(label_names=list("01234"), classes=5)
    _contest_zip(usb / "liar.inklab-contest", liar, {"model.keras": model_bytes})
    # A zip bomb: 70 MB of zeros in a few kilobytes.
    with zipfile.ZipFile(usb / "bomb.inklab-contest", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(contest.INFO, json.dumps(info))
        archive.writestr(contest.MODEL, bytes(70 * 1024 * 1024))
    # A path in a member name.
    _contest_zip(usb / "path.inklab-contest", info, {"../../evil.sh": b"rm -rf ~"})
    (usb / "junk.inklab-contest").write_bytes(b"not a zip at all")
    _contest_zip(usb / "noinfo.inklab-contest", None, {"model.keras": model_bytes})
    report = contest.import_folder(usb)
    assert [e.student for e in report.imported] == ["Good"]
    problems = {line.split(": ", 1)[0].rsplit("/", 1)[-1]: line for line in report.problems}
    assert set(problems) == {f"{n}.inklab-contest" for n in ("lambda", "liar", "bomb", "path", "junk", "noinfo")}
    assert "its model is refused" in problems["lambda.inklab-contest"]
    assert "10 outputs but its card names 5 classes" in problems["liar.inklab-contest"]
    assert "decompression bomb" in problems["bomb.inklab-contest"]
    assert "a path" in problems["path.inklab-contest"]
    assert "not a zip" in problems["junk.inklab-contest"]
    assert "no contest.json" in problems["noinfo.inklab-contest"]
    assert all("\n" not in line for line in report.problems)
    assert not (tmp_path / "evil.sh").exists()
    leftovers = [p for p in contest.contest_dir().iterdir() if p.name.startswith(".")]
    assert leftovers == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda i: i.update(format="something"), "not an InkLab contest description"),
        (lambda i: i["card"].update(classes=12), "says 12 classes but names 10"),
        (lambda i: i["test"].update(accuracy=1.7), "test accuracy 1.7 is not a number from 0 to 1"),
        (lambda i: i.update(student="x" * 500), "student name is not a short line"),
        (lambda i: i.update(version=99), "newer InkLab"),
    ],
)
def test_a_contest_description_that_is_not_what_it_says_is_refused(tiny, tmp_path, change, expected):
    info, _ = _info_of(contest.export_contest(tiny, tmp_path, student="Ana", include_model=False))
    change(info)
    path = _contest_zip(tmp_path / "x.inklab-contest", info)
    with pytest.raises(ContestError, match=expected):
        contest.read_contest_file(path)


@pytest.mark.slow
def test_cli_export_import_list(tiny, tmp_path):
    usb = tmp_path / "usb"
    run = [sys.executable, "main.py"]
    out = subprocess.run([*run, "models", "export", tiny, "--format", "contest", "--to", str(usb),
                          "--student", "Ana"], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    (usb / "bad.inklab-contest").write_bytes(b"PK\x03\x04garbage")
    out = subprocess.run([*run, "contest", "import", str(usb)], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 2
    assert "imported Ana-tiny-digits.inklab-contest: Ana, tiny-digits" in out.stdout
    assert len(out.stderr.strip().splitlines()) == 1 and "bad.inklab-contest" in out.stderr
    out = subprocess.run([*run, "contest", "list", "--csv", str(tmp_path / "b.csv")], capture_output=True,
                         text=True, cwd=REPO)
    assert out.returncode == 0 and "Ana" in out.stdout and (tmp_path / "b.csv").is_file()
