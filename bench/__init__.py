"""InkLab's benchmarks: ``python -m bench`` runs them all; each prints one JSON object."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def shared_data() -> Path:
    """The read-only real data folder: $INKLAB_SHARED_DATA, an $INKLAB_DATA_PATH entry, or ../shared/data."""
    candidates = [os.environ.get("INKLAB_SHARED_DATA", "")]
    candidates += os.environ.get("INKLAB_DATA_PATH", "").split(os.pathsep)
    for entry in candidates:
        if entry and (Path(entry) / "pendigits").is_dir():
            return Path(entry)
    return REPO.parent / "shared" / "data"
