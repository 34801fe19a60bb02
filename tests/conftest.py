"""Shared test set-up: every test writes only into its own temporary user folder, and reads
the real MNIST / pendigits beside the repo (``../shared/data``) as a read-only source."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("INKLAB_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def user_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty InkLab user folder for each test; the real data is offered read-only."""
    folder = tmp_path_factory.mktemp("inklab-user")
    monkeypatch.setenv("INKLAB_DATA_DIR", str(folder))
    monkeypatch.setenv("INKLAB_DATA_PATH", str(SHARED_DATA))
    return folder


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only real data folder; a missing one is an error, not a silent skip."""
    if not (SHARED_DATA / "mnist").is_dir():
        pytest.fail(f"real test data not found at {SHARED_DATA} (set INKLAB_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def mnist(shared_data: Path):
    """Real MNIST, loaded once per test session (read straight from the shared folder)."""
    from core.datasets.builtin import BUILT_IN

    spec = next(spec for spec in BUILT_IN if spec.name == "mnist")
    return spec.load(shared_data / "mnist")
