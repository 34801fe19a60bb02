"""The model library never reaches outside itself, and saves, renames and deletes whole models.

The escapes are the ones issue 13 found: ``models delete ../../../outside/precious``,
an absolute path, ``models rename ../x stolen``, a bundled model's folder by its path, a
name with a trailing newline, and a link inside the library pointing out of it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import leftovers, storage
from core.cli import run_cli
from core.errors import ModelError
from core.models import library


def _tiny_model(classes: int = 3):
    import keras

    inputs = keras.Input((28, 28, 1))
    outputs = keras.layers.Dense(classes)(keras.layers.Flatten()(inputs))
    return keras.Model(inputs, outputs)


def _save(name: str, classes: int = 3, **kwargs) -> library.ModelCard:
    labels = tuple("abcdefghijklmnopqrstuvwxyz"[:classes])
    return library.save_model(_tiny_model(classes), name, label_names=labels, outputs="logits", **kwargs)


@pytest.fixture
def precious(tmp_path: Path) -> Path:
    folder = tmp_path / "outside" / "precious"
    folder.mkdir(parents=True)
    (folder / "thesis.txt").write_text("years of work")
    (folder / "card.json").write_text("{}")
    return folder


def _models_root() -> Path:
    return library.models_dir()


@pytest.mark.parametrize("hostile", ["../../../outside/precious", "..", ".", "a/../../b", "x\n", " x", "x/", ""])
def test_delete_and_rename_take_only_names(hostile: str, precious: Path) -> None:
    with pytest.raises(ModelError):
        library.delete_model(hostile)
    with pytest.raises(ModelError):
        library.rename_model(hostile, "stolen")
    assert (precious / "thesis.txt").read_text() == "years of work"
    assert not (_models_root() / "stolen").exists()


def test_delete_by_absolute_path_is_refused(precious: Path) -> None:
    with pytest.raises(ModelError):
        library.delete_model(str(precious))
    assert run_cli(["models", "delete", str(precious)]) == 2
    assert run_cli(["models", "rename", str(precious), "stolen"]) == 2
    relative = "../" * 12 + str(precious).lstrip("/")
    assert run_cli(["models", "delete", relative]) == 2
    assert (precious / "thesis.txt").is_file()


def test_bundled_models_cannot_be_deleted_or_renamed() -> None:
    bundled = library.BUNDLED_DIR / "digits"
    before = sorted(p.name for p in bundled.iterdir())
    for target in ("digits", str(bundled), str(bundled) + "/"):
        with pytest.raises(ModelError):
            library.delete_model(target)
        with pytest.raises(ModelError):
            library.rename_model(target, "mine")
    assert sorted(p.name for p in bundled.iterdir()) == before


def test_trailing_newline_and_other_near_misses_are_not_names() -> None:
    for bad in ("name\n", "name\r\n", "name.", "name ", "-name", "a" * 65, "na/me", "na\\me", "na\x00me"):
        with pytest.raises(ModelError):
            library.check_name(bad)
    with pytest.raises(ModelError):
        library.find_model("digits\n")
    with pytest.raises(ModelError):
        _save("victim\n")
    assert list(_models_root().iterdir()) == []


def test_a_link_out_of_the_library_is_not_followed(precious: Path) -> None:
    link = _models_root() / "linked"
    link.symlink_to(precious, target_is_directory=True)
    with pytest.raises(ModelError, match="link"):
        library.delete_model("linked")
    with pytest.raises(ModelError, match="link"):
        library.rename_model("linked", "moved")
    assert (precious / "thesis.txt").is_file()


def test_info_reads_a_documented_path_but_never_writes(precious: Path) -> None:
    assert run_cli(["models", "info", str(precious)]) == 2  # not a model: refused, untouched
    assert (precious / "thesis.txt").is_file() and (precious / "card.json").read_text() == "{}"


def test_save_over_a_model_swaps_the_whole_folder_and_extra_files_go_with_it() -> None:
    _save("swap", classes=10, extra_writers=[lambda folder: (folder / "model.tflite").write_bytes(b"v1")])
    _save("swap", classes=26, overwrite=True, extra_writers=[lambda folder: (folder / "model.tflite").write_bytes(b"v2")])
    folder = _models_root() / "swap"
    assert sorted(p.name for p in folder.iterdir()) == ["card.json", "model.keras", "model.tflite"]
    assert (folder / "model.tflite").read_bytes() == b"v2"
    model, card = library.load_model("swap")
    assert len(card.label_names) == 26 and model.outputs[0].shape[-1] == 26
    assert [p.name for p in _models_root().iterdir()] == ["swap"]


def test_a_failed_save_keeps_the_previous_version_whole() -> None:
    _save("keep", classes=10)

    def broken(folder: Path) -> None:
        raise OSError("disk full")

    with pytest.raises(ModelError, match="disk full"):
        _save("keep", classes=26, overwrite=True, extra_writers=[broken])
    model, card = library.load_model("keep")
    assert len(card.label_names) == 10 and model.outputs[0].shape[-1] == 10
    assert [p.name for p in _models_root().iterdir()] == ["keep"]


def test_a_taken_name_is_refused_under_the_lock() -> None:
    _save("taken")
    with pytest.raises(ModelError, match="already exists"):
        _save("taken")


def test_rename_updates_card_and_folder_together() -> None:
    _save("before")
    card = library.rename_model("before", "after")
    assert card.name == "after" and card.folder == _models_root() / "after"
    assert json.loads((card.folder / "card.json").read_text())["name"] == "after"
    assert [p.name for p in _models_root().iterdir()] == ["after"]
    assert [c.name for c in library.list_models() if not c.bundled] == ["after"]


@pytest.mark.parametrize("card_says", ["before", "after"])
def test_a_killed_rename_is_finished_or_undone_at_the_next_start(card_says: str) -> None:
    card = _save("before")
    moving = storage.staging_name(_models_root() / "after", "renaming").with_name(".after.renaming-999999999-ab")
    card.folder.rename(moving)
    data = json.loads((moving / "card.json").read_text())
    (moving / "card.json").write_text(json.dumps({**data, "name": card_says}))
    assert [c.name for c in library.list_models() if not c.bundled] == []  # mid-rename: hidden, not broken
    leftovers.clean_leftovers()
    assert [c.name for c in library.list_models() if not c.bundled] == [card_says]
    library.find_model(card_says)
    assert [p.name for p in _models_root().iterdir()] == [card_says]


def test_delete_removes_the_whole_model() -> None:
    _save("gone")
    library.delete_model("gone")
    assert list(_models_root().iterdir()) == []
    with pytest.raises(ModelError):
        library.find_model("gone")


@pytest.mark.parametrize("hostile", ["digits\n", "../../../outside/precious", " digits"])
def test_evaluate_and_recognize_take_a_name_or_only_read_a_path(hostile: str, precious: Path, tmp_path: Path) -> None:
    drawing = tmp_path / "d.json"
    drawing.write_text('{"strokes": [[[0, 0], [10, 40]]]}')
    assert run_cli(["recognize", str(drawing), "--model", hostile]) == 2
    assert run_cli(["evaluate", hostile]) == 2
    assert (precious / "thesis.txt").read_text() == "years of work"
