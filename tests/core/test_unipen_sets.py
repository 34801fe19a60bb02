"""The UNIPEN built-in sets on a tiny ``unipen-1abc.tar.xz`` in the real layout (and, slow, the real one)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from core import storage
from core.datasets import catalogue, is_available, load_dataset
from core.datasets.unipen_sets import ARCHIVE, TEST_EVERY, person_of
from core.errors import Cancelled, DataError
from core.imaging import render_strokes, to_uint8
from core.labels import DIGITS, LETTERS, LOWERCASE
from core.progress import CancelToken
from tests.conftest import SHARED_DATA
from tests.helpers.unipen import WRITERS, write_archive

NAMES = ("unipen-digits", "unipen-upper", "unipen-lower", "unipen-letters")


@pytest.fixture
def fake_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, int]]:
    """A data root holding only a tiny UNIPEN archive (8 writer ids, 7 people; one dot in 1c)."""
    root = tmp_path / "data"
    counts = write_archive(root / "unipen" / ARCHIVE)
    monkeypatch.setenv("INKLAB_DATA_PATH", str(root))
    return root, counts


def test_the_archive_name_is_the_readers() -> None:
    from core.datasets import unipen_archive

    assert ARCHIVE == unipen_archive.ARCHIVE


def test_ibm_sessions_are_one_person() -> None:
    assert person_of("ibm/r00-07") == person_of("ibm/r02-07") == "ibm/07"
    assert person_of("apa/Anna") == "apa/Anna" and person_of("ibmx/r00-07") == "ibmx/r00-07"


def test_sets_are_listed_and_found_in_the_shared_folder(fake_root) -> None:
    root, _ = fake_root
    names = [spec.name for spec in catalogue()]
    assert all(name in names for name in NAMES)
    assert all(is_available(name) for name in NAMES)
    spec = next(spec for spec in catalogue() if spec.name == "unipen-letters")
    assert spec.root_folder == "unipen" and spec.label_names == LETTERS
    assert "zenodo.1195803" in spec.description and "writers" in spec.description


def test_the_sets_split_by_writer_and_render_like_the_pad(fake_root) -> None:
    root, counts = fake_root
    digits = load_dataset("unipen-digits")
    assert digits.label_names == DIGITS
    train, test = digits.splits["train"], digits.splits["test"]
    assert len(train) + len(test) == counts["1a"]
    # 7 people sorted (abc/w0..w5, ibm/04): numbers 0 and 5 are the test writers.
    assert sorted(set(test.groups)) == [0, 5] and set(train.groups) == {1, 2, 3, 4, 6}
    assert (test.groups % TEST_EVERY == 0).all() and not (train.groups % TEST_EVERY == 0).any()
    assert (train.groups == 6).sum() == 20  # IBM's two sessions of one writer: one group
    assert np.array_equal(np.bincount(np.concatenate([train.labels, test.labels])), [len(WRITERS)] * 10)

    # Each image is the pad's own rendering of a sample (y up).
    from core.datasets.unipen_archive import unipen_samples

    first = unipen_samples(root / "unipen", "1a")[0]
    expected = to_uint8(render_strokes(first.strokes, y_up=True))
    assert any(np.array_equal(image, expected) for image in np.concatenate([train.images, test.images]))


def test_letters_merge_the_cases_and_dots_are_skipped(fake_root) -> None:
    _, counts = fake_root
    upper, lower, letters = (load_dataset(n) for n in ("unipen-upper", "unipen-lower", "unipen-letters"))
    assert lower.label_names == LOWERCASE and upper.label_names == LETTERS == letters.label_names

    def size(d):
        return sum(len(s) for s in d.splits.values())

    assert size(upper) == counts["1b"]
    assert size(lower) == counts["1c"] - 1  # the one-point "j" of the last writer is no character
    assert size(letters) == size(upper) + size(lower)
    # "a" and "A" are one class; the same writers are test writers in every set.
    merged = np.concatenate([s.labels for s in letters.splits.values()])
    assert (merged == 0).sum() == 2 * len(WRITERS)
    assert set(letters.splits["test"].groups) == set(load_dataset("unipen-digits").splits["test"].groups)


def test_a_load_is_cached_and_in_a_fixed_order(fake_root, user_data_dir: Path) -> None:
    first = load_dataset("unipen-upper")
    cached = sorted(p.name for p in (user_data_dir / "cache").iterdir())
    assert any(name.startswith("unipen-1b-rendered") for name in cached)
    again = load_dataset("unipen-upper")
    for split in ("train", "test"):
        assert np.array_equal(first.splits[split].images, again.splits[split].images)
        assert np.array_equal(first.splits[split].labels, again.splits[split].labels)


def test_cancel_stops_the_first_load_and_leaves_no_cache(fake_root, user_data_dir: Path) -> None:
    token = CancelToken()
    seen = []

    def progress(done, total, message):
        seen.append(message)
        if message.startswith("Rendering"):
            token.cancel()

    with pytest.raises(Cancelled):
        load_dataset("unipen-digits", progress, token)
    assert any(m.startswith("Rendering UNIPEN digits") for m in seen)
    assert not any(p.name.startswith("unipen-1a-rendered") for p in (user_data_dir / "cache").iterdir())


def test_a_missing_archive_says_what_it_is_and_where_it_is_published(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("INKLAB_DATA_PATH", str(tmp_path))
    assert not is_available("unipen-letters")
    with pytest.raises(DataError, match=r"not on this machine: UNIPEN train_r01_v07.*zenodo\.1195803"):
        load_dataset("unipen-letters")


def test_an_archive_that_is_not_unipen_is_one_clear_error(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "unipen"
    folder.mkdir()
    (folder / ARCHIVE).write_bytes(b"\xfd7zXZ\x00 not really")
    monkeypatch.setenv("INKLAB_DATA_PATH", str(tmp_path))
    with pytest.raises(DataError, match="not a readable UNIPEN archive"):
        load_dataset("unipen-digits")
    assert not list(storage.subdir("cache").glob("unipen-*"))


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED_DATA / "unipen" / ARCHIVE).is_file(), reason="the real UNIPEN archive is absent")
def test_the_real_digits(monkeypatch) -> None:
    """The real archive: parsed (~30 s) and its 15,953 digits rendered; the counts the README gives."""
    monkeypatch.setenv("INKLAB_DATA_PATH", os.fspath(SHARED_DATA))
    digits = load_dataset("unipen-digits")
    train, test = digits.splits["train"], digits.splits["test"]
    assert (len(train), len(test)) == (13_720, 2_230)  # 15,950: 3 of the 15,953 have no extent
    assert (len(set(train.groups)), len(set(test.groups))) == (207, 51)
    assert not set(train.groups) & set(test.groups)


def test_the_cli_lists_shows_and_says_how_to_get_them(fake_root, tmp_path, monkeypatch, capsys) -> None:
    import json

    from core.cli import run_cli

    assert run_cli(["datasets", "show", "unipen-digits"]) == 0
    out = capsys.readouterr().out
    assert "unipen-digits: 10 classes" in out and "train: 60 samples" in out and "test: 20 samples" in out

    monkeypatch.setenv("INKLAB_DATA_PATH", str(tmp_path / "nothing"))
    assert run_cli(["datasets", "list"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("unipen-letters"))
    assert "missing (import only)" in row
    assert out.count("https://doi.org/10.5281/zenodo.1195803") == 4
    assert run_cli(["datasets", "list", "--json"]) == 0
    rows = {r["name"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert "zenodo.1195803" in rows["unipen-lower"]["how_to_get"] and rows["mnist"]["how_to_get"] is None
