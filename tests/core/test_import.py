"""Importing the user's files: every format, the built-in special cases, names and bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from core import storage
from core.datasets import catalogue, find, is_available, load_dataset
from core.datasets.collections import add_sample
from core.datasets.importer import import_paths, imported_specs, preview_import, save_import
from core.errors import DataError
from core.labels import LETTERS, SIGN_LETTERS
from tests.helpers.datasets import SIGN_HEADER, emnist_style_l, install_fake_emnist, random_images, write_csv
from tests.helpers.idx import write_idx_pair


def imported_dir() -> Path:
    return storage.subdir("imported")


# ---------------------------------------------------------------- generic formats


def test_idx_gz_train_and_raw_test_become_a_data_set(tmp_path: Path) -> None:
    train_x, test_x = random_images(12), random_images(5, seed=1)
    files = write_idx_pair(tmp_path / "src", "train", train_x, [i % 10 for i in range(12)])
    files += write_idx_pair(tmp_path / "src", "t10k", test_x, [9, 8, 7, 6, 5], gz=False)
    spec = import_paths(files, "my-digits")
    assert spec.kind == "imported" and spec.folder == imported_dir() / "my-digits"
    assert (spec.folder / "dataset.npz").is_file() and (spec.folder / "dataset.json").is_file()
    assert is_available("my-digits")
    dataset = load_dataset("my-digits")
    assert dataset.label_names == tuple("0123456789")
    assert np.array_equal(dataset.split("train").images, train_x)
    assert dataset.split("test").labels.tolist() == [9, 8, 7, 6, 5]
    assert find("my-digits").label_names == tuple("0123456789")  # from dataset.json, no npz opened


def test_a_folder_of_data_files_is_read_as_its_files(tmp_path: Path) -> None:
    write_idx_pair(tmp_path / "mnistish", "train", random_images(4), [0, 1, 2, 3])
    preview = preview_import([tmp_path / "mnistish"])
    assert preview.format == "IDX" and len(preview.dataset.split("train")) == 4
    assert preview.dataset.label_names == ("0", "1", "2", "3")


def test_preview_writes_nothing_and_save_writes_it(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "shapes_train.csv", random_images(6), [0, 1, 2, 0, 1, 2])
    preview = preview_import([path])
    assert preview.format == "CSV" and preview.suggested_name == "shapes_train"
    assert "3 classes" in preview.describe() and "train 6" in preview.describe()
    assert list(imported_dir().iterdir()) == []
    save_import(preview, "shapes")
    assert [s.name for s in imported_specs()] == ["shapes"]


def test_csv_train_and_test_files_and_overwrite_rules(tmp_path: Path) -> None:
    train = write_csv(tmp_path / "train.csv", random_images(6), [0, 1, 2, 0, 1, 2], SIGN_HEADER)
    test = write_csv(tmp_path / "test.csv", random_images(3, seed=2), [2, 1, 0])
    import_paths([train, test], "shapes")
    before = (imported_dir() / "shapes" / "dataset.npz").read_bytes()
    with pytest.raises(DataError, match="already exists.*--overwrite"):
        import_paths([train], "shapes")
    assert (imported_dir() / "shapes" / "dataset.npz").read_bytes() == before  # untouched
    import_paths([train], "shapes", overwrite=True)
    assert set(load_dataset("shapes").splits) == {"train"}


def test_npz_keras_layout_imports(tmp_path: Path) -> None:
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=random_images(5), y_train=np.array([3, 1, 4, 1, 5], np.uint8),
             x_test=random_images(2, seed=3), y_test=np.array([9, 2], np.uint8))
    spec = import_paths([path], "keras-mnist")
    dataset = spec.load(spec.folder)
    assert dataset.n_classes == 10 and len(dataset.split("test")) == 2
    assert dataset.split("train").labels.tolist() == [3, 1, 4, 1, 5]


def test_image_folder_imports_with_class_names(tmp_path: Path) -> None:
    for cls, box in (("heart", (20, 20, 70, 70)), ("star", (40, 10, 55, 85))):
        (tmp_path / "symbols" / cls).mkdir(parents=True)
        for i in range(2):
            img = Image.new("L", (96, 96), 250)  # dark ink on paper, as a scan
            ImageDraw.Draw(img).rectangle(box, fill=10 + i)
            img.save(tmp_path / "symbols" / cls / f"{i}.png")
    spec = import_paths([tmp_path / "symbols"], "symbols")
    dataset = load_dataset(spec.name)
    assert dataset.label_names == ("heart", "star")
    assert dataset.split("train").labels.tolist() == [0, 0, 1, 1]
    assert dataset.split("train").images[:, 0, 0].max() < 30  # inverted: black background


# ---------------------------------------------------------------- built-in sets completed by import


def sign_files(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    labels = [0, 10, 24, 8, 10]  # letters A, K, Y, I, K: 9 (J) never occurs
    train = write_csv(folder / "sign_mnist_train.csv", random_images(5), labels, SIGN_HEADER)
    test = write_csv(folder / "sign_mnist_test.csv", random_images(2, seed=1), [3, 24], SIGN_HEADER)
    return train, test


def test_sign_mnist_import_completes_the_built_in_entry(tmp_path: Path) -> None:
    assert not is_available("sign-mnist")
    train, test = sign_files(tmp_path / "kaggle")
    spec = import_paths([train, test], "sign-mnist")
    assert spec.kind == "built-in"
    folder = storage.subdir("datasets") / "sign-mnist"
    assert sorted(p.name for p in folder.iterdir()) == ["sign_mnist_test.csv", "sign_mnist_train.csv"]
    assert (folder / "sign_mnist_train.csv").read_bytes() == train.read_bytes()
    assert is_available("sign-mnist")
    dataset = load_dataset("sign-mnist")
    assert dataset.label_names == SIGN_LETTERS
    assert [dataset.label_names[i] for i in dataset.split("train").labels] == list("AKYIK")
    assert list(storage.subdir("cache").iterdir()) == []  # staging cleaned up
    with pytest.raises(DataError, match="already holds.*--overwrite"):
        import_paths([train, test], "sign-mnist")
    import_paths([train, test], "sign-mnist", overwrite=True)


def test_sign_mnist_needs_both_files_and_valid_labels(tmp_path: Path) -> None:
    train, test = sign_files(tmp_path / "kaggle")
    with pytest.raises(DataError, match="missing: sign_mnist_test.csv"):
        import_paths([train], "sign-mnist")
    write_csv(test, random_images(1), [9], SIGN_HEADER)  # J cannot be signed still
    with pytest.raises(DataError, match="not a letter") as err:
        import_paths([train, test], "sign-mnist")
    assert str(test) in str(err.value)  # the user's file, not the staging copy
    assert not (storage.subdir("datasets") / "sign-mnist").exists()


def test_sign_mnist_files_under_another_name_keep_their_letters(tmp_path: Path) -> None:
    train, _ = sign_files(tmp_path / "kaggle")
    preview = preview_import([train])
    assert preview.format == "Sign-MNIST CSV" and preview.dataset.label_names == SIGN_LETTERS
    import_paths([train], "my-signs")
    assert load_dataset("my-signs").label_names == SIGN_LETTERS


def test_emnist_letters_kaggle_csv_becomes_the_built_in_idx_files(tmp_path: Path, monkeypatch) -> None:
    # Kaggle's EMNIST CSV stores images transposed and letters as 1..26, like the IDX files.
    stored = emnist_style_l(4)
    train = write_csv(tmp_path / "emnist-letters-train.csv", stored, [1, 2, 26, 5])
    test = write_csv(tmp_path / "emnist-letters-test.csv", random_images(2, seed=1), [3, 4])
    import_paths([train, test], "emnist-letters")
    folder = storage.subdir("datasets") / "emnist-letters"
    assert sorted(p.name for p in folder.iterdir()) == sorted(find("emnist-letters").files)
    dataset = load_dataset("emnist-letters")
    assert dataset.label_names == LETTERS
    assert [LETTERS[i] for i in dataset.split("train").labels] == list("ABZE")
    letter = dataset.split("train").images[0]
    rows, cols = np.flatnonzero(letter.any(axis=1)), np.flatnonzero(letter.any(axis=0))
    # Upright (stem on the left, foot at the bottom) and framed the pad's way: 20 px tall.
    assert rows[-1] - rows[0] + 1 == 20
    assert letter[rows[-1], cols[-1]] > 0 and letter[rows[0], cols[-1]] == 0
    # Loading again reads the re-framed letters from the cache in the user folder.
    assert any(storage.subdir("cache").glob("emnist-letters-train-*.npz"))
    import core.imaging

    def no_reframing(images):
        raise AssertionError("re-framed again instead of reading the cache")

    monkeypatch.setattr(core.imaging, "reframe_images", no_reframing)
    assert np.array_equal(load_dataset("emnist-letters").split("train").images, dataset.split("train").images)


def test_emnist_letters_idx_files_are_copied(tmp_path: Path) -> None:
    files = write_idx_pair(tmp_path, "emnist-letters-train", random_images(3), [1, 2, 3])
    files += write_idx_pair(tmp_path, "emnist-letters-test", random_images(2), [26, 1])
    import_paths(files, "emnist-letters")
    assert is_available("emnist-letters")
    assert load_dataset("emnist-letters").split("test").labels.tolist() == [25, 0]


# ---------------------------------------------------------------- names and bad input


@pytest.mark.parametrize("name", ["", "has space", "../escape", "x" * 65, "-dash-first", "é"])
def test_bad_names_are_refused(tmp_path: Path, name: str) -> None:
    path = write_csv(tmp_path / "a.csv", random_images(1), [0])
    with pytest.raises(DataError, match="not a usable data set name"):
        import_paths([path], name)


def test_built_in_and_collection_names_are_not_reusable(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", random_images(1), [0])
    with pytest.raises(DataError, match="built-in data set"):
        import_paths([path], "mnist")
    add_sample("class-symbols", "star", np.zeros((28, 28), np.uint8))
    with pytest.raises(DataError, match="one of your collections"):
        import_paths([path], "class-symbols")
    assert [s.name for s in catalogue() if s.kind == "imported"] == []


def test_bad_files_name_the_file_and_write_nothing(tmp_path: Path) -> None:
    images, labels = write_idx_pair(tmp_path / "src", "train", random_images(4), [0, 1, 2, 3])
    data = images.read_bytes()
    images.write_bytes(data[: len(data) - 40])  # a truncated download
    with pytest.raises(DataError) as err:
        import_paths([images, labels], "broken")
    assert str(images) in str(err.value)
    evil = tmp_path / "evil.npz"
    np.savez(evil, x_train=np.array([{"a": 1}], dtype=object), y_train=np.array([0]))
    with pytest.raises(DataError, match="pickled") as err:
        import_paths([evil], "evil")
    assert list(imported_dir().iterdir()) == []


def test_npz_labels_beyond_its_class_names_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "export.npz"
    np.savez(path, train_images=random_images(2), train_labels=np.array([0, 5]), label_names=np.array(["a", "b"]))
    with pytest.raises(DataError, match="labels run 0..5 but the data set has 2 classes") as err:
        preview_import([path])
    assert str(path) in str(err.value)


def test_mixed_or_unknown_files_are_refused(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "a.csv", random_images(1), [0])
    npz = tmp_path / "b.npz"
    np.savez(npz, x_train=random_images(1), y_train=np.array([0]))
    with pytest.raises(DataError, match="mix of formats"):
        preview_import([csv, npz])
    weird = tmp_path / "photo.raw"
    weird.write_bytes(b"\xff\xd8\xff\xe0 binary")
    with pytest.raises(DataError, match="not a format InkLab can import") as err:
        preview_import([weird])
    assert str(weird) in str(err.value)
    with pytest.raises(DataError, match="file not found"):
        preview_import([tmp_path / "missing.csv"])


def test_a_damaged_note_does_not_hide_an_import(tmp_path: Path) -> None:
    import_paths([write_csv(tmp_path / "a.csv", random_images(2), [0, 1])], "mine")
    (imported_dir() / "mine" / "dataset.json").write_text("{ not json")
    assert [s.name for s in imported_specs()] == ["mine"]
    assert load_dataset("mine").label_names == ("0", "1")


def test_a_slow_first_load_reports_progress_and_can_be_cancelled() -> None:
    from core.errors import Cancelled
    from core.progress import CancelToken

    install_fake_emnist(4_500)
    token = CancelToken()
    reports = []

    def progress(done, total, message):
        reports.append((done, total, message))
        if done >= 2_000:
            token.cancel()  # the user moved on while the letters were being framed

    with pytest.raises(Cancelled):
        load_dataset("emnist-letters", progress, token)
    assert reports[0][:2] == (0, 4_500) and "Framing" in reports[0][2]
    assert not list(storage.subdir("cache").glob("emnist-letters-*"))  # nothing half-made is kept
    dataset = load_dataset("emnist-letters")  # a later load starts again and completes
    assert len(dataset.split("train")) == 4_500
