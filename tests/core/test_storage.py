"""Atomic writes: a failed write never leaves a torn file or a stray temp file."""

from pathlib import Path

import numpy as np
import pytest

from core import storage


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
