"""User collections of drawn samples: add, list, load as a data set, damaged files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core import storage
from core.datasets import catalogue, load_dataset
from core.datasets.collections import add_sample, collection_specs, list_collections, load_collection
from core.errors import DataError

STROKES = [[[10, 10], [20, 40], [30, 10]], [[5, 25], [35, 25]]]


def drawing(seed: int = 0) -> np.ndarray:
    image = np.zeros((28, 28), np.float32)
    rng = np.random.default_rng(seed)
    image[4:24, 10 + rng.integers(0, 4) : 16 + rng.integers(0, 4)] = 1.0
    return image


def test_drawn_samples_become_a_data_set_in_the_catalogue() -> None:
    first = add_sample("class-symbols", "star", drawing(0), STROKES)
    add_sample("class-symbols", "heart", drawing(1))
    add_sample("class-symbols", "star", (drawing(2) * 255).astype(np.uint8))
    folder = storage.subdir("collections") / "class-symbols"
    assert first.parent == folder and first.suffix == ".json" and first.with_suffix(".png").is_file()

    info = json.loads((folder / "collection.json").read_text())
    assert info["name"] == "class-symbols" and info["labels"] == ["star", "heart"] and info["created"]
    sample = json.loads(first.read_text())
    assert sample["label"] == "star" and sample["strokes"] == STROKES and sample["created"]

    assert list_collections() == ["class-symbols"]
    spec = next(s for s in catalogue() if s.name == "class-symbols")
    assert spec.kind == "collection" and spec.files == ("collection.json",) and spec.folder == folder
    assert spec.label_names == ("star", "heart") and "3 drawn samples" in spec.description

    dataset = load_dataset("class-symbols")
    assert dataset.name == "class-symbols" and dataset.label_names == ("star", "heart")
    train = dataset.split("train")
    assert train.labels.tolist() == [0, 1, 0]  # in the order drawn
    assert train.images.dtype == np.uint8 and train.images[0].max() == 255
    assert np.array_equal(train.images[0], (drawing(0) * 255).astype(np.uint8))


def test_pressure_and_numpy_strokes_are_kept() -> None:
    strokes = [np.array([[0, 0, 0.2], [5, 5, 0.9]], np.float32)]
    path = add_sample("pen", "x", drawing(), strokes)
    sample = json.loads(path.read_text())
    assert sample["strokes"] == [[[0.0, 0.0], [5.0, 5.0]]] and sample["pressure"] == [[0.2, 0.9]]


def test_label_counts_follow_every_drawing_added() -> None:
    from core.datasets.collections import label_counts

    assert label_counts("tally") == {}  # not created yet
    for label in ("B", "A", "B", "7", "B"):
        add_sample("tally", label, drawing())
    assert label_counts("tally") == {"B": 3, "A": 1, "7": 1}
    assert list(label_counts("tally")) == ["B", "A", "7"]  # in the order first drawn
    (storage.subdir("collections") / "tally" / "broken.json").write_text("{not json")
    assert label_counts("tally")["B"] == 3  # an unreadable sample is left out, not an error
    with pytest.raises(DataError, match="not a usable collection name"):
        label_counts("no/such")


def test_adding_a_sample_never_rewrites_others() -> None:
    first = add_sample("c", "a", drawing(0))
    stamps = {p: p.stat().st_mtime_ns for p in first.parent.iterdir()}
    contents = {p: p.read_bytes() for p in first.parent.iterdir()}
    add_sample("c", "a", drawing(1))  # same label: collection.json untouched too
    for path, stamp in stamps.items():
        assert path.stat().st_mtime_ns == stamp and path.read_bytes() == contents[path]
    assert not [p for p in first.parent.iterdir() if p.name.startswith(".")]  # no temp files left


def test_empty_collection_loads_with_an_empty_train_split() -> None:
    folder = storage.subdir("collections") / "empty"
    storage.write_json(folder / "collection.json", {"name": "empty", "labels": [], "created": "now"})
    dataset = load_collection(folder)
    assert len(dataset.split("train")) == 0 and dataset.split("train").images.shape == (0, 28, 28)
    assert [s.name for s in collection_specs()] == ["empty"]


@pytest.mark.parametrize("label, problem", [("", "empty"), ("   ", "empty"), ("x" * 21, "too long"),
                                            ("a\nb", "cannot be shown")])
def test_bad_labels_are_refused(label: str, problem: str) -> None:
    with pytest.raises(DataError, match=problem):
        add_sample("c", label, drawing())
    assert list_collections() == []


def test_labels_may_be_any_short_text() -> None:
    add_sample("c", "  ✓ tick  ", drawing())
    assert load_dataset("c").label_names == ("✓ tick",)


@pytest.mark.parametrize("name, problem", [("!!!", "not a usable"), (" ", "not a usable"), ("mnist", "built-in")])
def test_bad_collection_names_are_refused(name: str, problem: str) -> None:
    with pytest.raises(DataError, match=problem):
        add_sample(name, "a", drawing())


def test_a_name_with_spaces_is_stored_as_its_slug() -> None:
    """Issue 16 item 13: "my symbols" was refused; it is kept as "my-symbols" (the caller shows that)."""
    path = add_sample("my symbols", "a", drawing())
    assert path.parent.name == "my-symbols"
    assert list_collections() == ["my-symbols"]
    add_sample("my-symbols", "b", drawing())  # the slug names the same collection
    assert len(load_dataset("my-symbols").splits["train"]) == 2


def test_delete_sample_then_restore_puts_back_the_exact_files() -> None:
    from core.datasets.collections import collection_folder, delete_sample, restore_sample, sample_ids

    for label in "abc":
        add_sample("c", label, drawing())
    folder = collection_folder("c")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    victim = sample_ids("c")[1]
    deleted = delete_sample("c", victim)
    assert deleted.label == "b" and victim not in sample_ids("c")
    assert not (folder / f"{victim}.json").exists() and not (folder / f"{victim}.png").exists()
    assert load_dataset("c").splits["train"].labels.tolist() == [0, 2]
    restore_sample(deleted)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


@pytest.mark.parametrize("sample_id", ["nope", "../c/collection", "collection"])
def test_delete_sample_refuses_what_is_not_a_drawing(sample_id: str) -> None:
    from core.datasets.collections import delete_sample

    add_sample("c", "a", drawing())
    with pytest.raises(DataError, match="has no drawing"):
        delete_sample("c", sample_id)


@pytest.mark.parametrize(
    "image, problem",
    [(np.zeros((20, 20)), "28x28"), (np.full((28, 28), 2.0), r"floats in \[0, 1\]"),
     (np.zeros((28, 28), np.int64), "uint8")],
)
def test_bad_images_are_refused(image: np.ndarray, problem: str) -> None:
    with pytest.raises(DataError, match=problem):
        add_sample("c", "a", image)


def test_damaged_sample_is_named_and_the_others_survive() -> None:
    good = add_sample("c", "a", drawing(0))
    bad = add_sample("c", "b", drawing(1))
    bad.write_text('{"label": "b", "strok')  # a torn file from an old crash or a bad edit
    with pytest.raises(DataError, match="damaged sample file") as err:
        load_dataset("c")
    assert str(bad) in str(err.value)
    assert good.is_file() and good.with_suffix(".png").is_file()

    bad.write_text(json.dumps({"label": "b"}))
    Image.new("L", (10, 10)).save(bad.with_suffix(".png"))
    with pytest.raises(DataError, match="expected 28x28") as err:
        load_dataset("c")
    bad.with_suffix(".png").write_bytes(b"not a png")
    with pytest.raises(DataError, match="damaged sample image") as err:
        load_dataset("c")
    bad.with_suffix(".png").unlink()
    with pytest.raises(DataError, match="missing image"):
        load_dataset("c")
    bad.write_text(json.dumps({"label": "zzz"}))
    with pytest.raises(DataError, match="not one of the collection's labels"):
        load_dataset("c")


def test_damaged_collection_file_is_still_listed_and_named_on_load() -> None:
    add_sample("c", "a", drawing())
    info = storage.subdir("collections") / "c" / "collection.json"
    info.write_text("[]")
    assert [s.name for s in collection_specs()] == ["c"]
    with pytest.raises(DataError, match="damaged collection file") as err:
        load_dataset("c")
    assert str(info) in str(err.value)
    with pytest.raises(DataError, match="damaged collection file"):
        add_sample("c", "b", drawing())


def test_orphan_png_without_json_is_ignored(tmp_path: Path) -> None:
    add_sample("c", "a", drawing())
    Image.new("L", (28, 28)).save(storage.subdir("collections") / "c" / "zzzz.png")
    assert len(load_dataset("c").split("train")) == 1


def test_a_new_collection_cannot_take_an_imported_sets_name(tmp_path: Path) -> None:
    from core.datasets.importer import import_paths
    from tests.helpers.datasets import random_images, write_csv

    import_paths([write_csv(tmp_path / "train.csv", random_images(4), [0, 1, 0, 1])], "shapes")
    with pytest.raises(DataError, match="you imported"):
        add_sample("shapes", "a", drawing())
    assert "shapes" not in list_collections()
    assert load_dataset("shapes").n_classes == 2  # the import is untouched


def test_two_processes_adding_new_labels_at_once_keep_every_label(user_data_dir) -> None:
    """Issue 13: two unlocked writers of collection.json dropped each other's labels."""
    import subprocess
    import sys

    from core.datasets.collections import load_collection
    from core.storage import subdir

    script = (
        "import sys, numpy as np\n"
        "from core.datasets.collections import add_sample\n"
        "for i in range(25):\n"
        "    add_sample('race', f'{sys.argv[1]}{i}', np.zeros((28, 28), np.uint8))\n"
    )
    repo = Path(__file__).resolve().parents[2]
    children = [subprocess.Popen([sys.executable, "-c", script, tag], cwd=repo) for tag in ("a", "b")]
    assert [child.wait(timeout=120) for child in children] == [0, 0]
    data = load_collection(subdir("collections") / "race")
    assert len(data.label_names) == 50 and len(data.splits["train"]) == 50
