"""The version of InkLab that is running: for ``--version``, the About box and the desktop entry.

The installed distribution's metadata is the truth; a checkout that was never installed
(``python main.py`` straight from a clone) reads pyproject.toml beside ``core/`` instead.
"""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "inklab"
_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def app_version() -> str:
    """InkLab's version, e.g. ``"0.1.0"``; ``"unknown"`` when neither source has one."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pass
    try:
        with _PYPROJECT.open("rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"
