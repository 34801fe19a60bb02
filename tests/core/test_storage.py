"""Atomic writes: a failed write never leaves a torn file or a stray temp file."""

import os
from pathlib import Path

import numpy as np
import pytest

from core import leftovers, storage


def test_data_dir_honours_env(user_data_dir: Path) -> None:
    assert storage.data_dir() == user_data_dir
    assert storage.subdir("models") == user_data_dir / "models"
    assert (user_data_dir / "models").is_dir()


def test_write_json_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "card.json"
    storage.write_json(target, {"a": 1})
    storage.write_json(target, {"b": "ü"})
    assert target.read_text(encoding="utf-8").strip().startswith("{")
    assert '"b": "ü"' in target.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["card.json"]


def test_failed_write_keeps_old_content_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "data.bin"
    storage.write_bytes(target, b"old")
    with pytest.raises(RuntimeError), storage.atomic_path(target) as tmp:
        tmp.write_bytes(b"half of the new")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]


def test_write_npz_keeps_suffix_and_roundtrips(tmp_path: Path) -> None:
    target = tmp_path / "set.npz"
    storage.write_npz(target, images=np.zeros((2, 28, 28), np.uint8), labels=np.array([1, 2]))
    with np.load(target, allow_pickle=False) as data:
        assert data["images"].shape == (2, 28, 28)
        assert data["labels"].tolist() == [1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["set.npz"]


def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "model.json"
    storage.write_json(target, {})
    assert target.stat().st_mode & 0o777 == 0o666 & ~_current_umask()


def _current_umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------- whole folders, locks, leftovers


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_replace_folder_swaps_whole_and_keeps_the_old_on_failure(tmp_path: Path) -> None:
    final = tmp_path / "thing"
    with storage.replace_folder(final) as staged:
        (staged / "a").write_text("1")
        (staged / "b").write_text("1")
    with pytest.raises(RuntimeError), storage.replace_folder(final) as staged:
        (staged / "a").write_text("2")
        raise RuntimeError("killed")
    assert {p.name: p.read_text() for p in final.iterdir()} == {"a": "1", "b": "1"}
    with storage.replace_folder(final) as staged:
        (staged / "a").write_text("2")
    assert {p.name: p.read_text() for p in final.iterdir()} == {"a": "2"}
    assert [p.name for p in tmp_path.iterdir()] == ["thing"]


def test_swap_without_an_exchange_call_and_a_crash_between_its_renames(user_data_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr(storage, "_exchange", lambda a, b: False)
    final = storage.subdir("models") / "m"
    for version in ("old", "new"):
        with storage.replace_folder(final) as staged:
            (staged / "card.json").write_text(version)
    assert (final / "card.json").read_text() == "new"
    # Killed after moving the old version aside, before the new one arrived:
    aside = final.parent / f".m.old-{_dead_pid()}-0a"
    final.rename(aside)
    leftovers.clean_leftovers()
    assert (final / "card.json").read_text() == "new" and [p.name for p in final.parent.iterdir()] == ["m"]


def test_clean_leftovers_removes_only_what_dead_writers_left(user_data_dir: Path) -> None:
    dead = _dead_pid()
    models = storage.subdir("models")
    (models / "kept").mkdir()
    (models / "kept" / "card.json").write_text("{}")
    (models / f".kept.staging-{dead}-ab").mkdir()
    (models / "kept" / f".model.keras.{dead}-abcd_123.tmp.keras").write_bytes(b"x")
    (models / "kept" / f".card.json.{os.getpid()}-abcd_123.tmp.json").write_bytes(b"live")
    collection = storage.subdir("collections") / "mine"
    collection.mkdir()
    (collection / "1.png").write_bytes(b"png")
    (collection / "1.json").write_text("{}")
    (collection / "2.png").write_bytes(b"orphan of a killed add")
    cache = storage.subdir("cache")
    (cache / f"import-{dead}-xyz").mkdir()
    (cache / f"check-{os.getpid()}-xyz").mkdir()
    removed = leftovers.clean_leftovers()
    assert {p.name for p in removed} == {
        f".kept.staging-{dead}-ab", f".model.keras.{dead}-abcd_123.tmp.keras", "2.png", f"import-{dead}-xyz",
    }
    assert sorted(p.name for p in models.iterdir()) == ["kept"]
    assert sorted(p.name for p in collection.iterdir()) == ["1.json", "1.png"]
    assert [p.name for p in cache.iterdir()] == [f"check-{os.getpid()}-xyz"]


def test_a_held_lock_keeps_the_cleaner_away_and_times_out_a_second_writer(user_data_dir: Path) -> None:
    models = storage.subdir("models")
    staging = models / f".busy.staging-{_dead_pid()}-ab"
    staging.mkdir()
    with storage.writer_lock("model", "busy"):
        assert leftovers.clean_leftovers() == []
        from core.locks import LockTimeout

        with pytest.raises(LockTimeout, match="another InkLab process"), storage.writer_lock("model", "BUSY", wait_s=0.1):
            pass
    assert staging in leftovers.clean_leftovers()


def test_old_temp_files_without_a_pid_go_by_age(user_data_dir: Path) -> None:
    stale = user_data_dir / ".settings.json.abcd1234.tmp.json"
    stale.write_text("{}")
    assert leftovers.clean_leftovers() == []
    os.utime(stale, (0, 0))
    assert leftovers.clean_leftovers() == [stale]
