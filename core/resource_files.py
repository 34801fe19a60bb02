"""Where InkLab's bundled files are: the models, the icon, the desktop entry.

In the repository they sit in ``resources/`` beside ``core/``.  An installed wheel carries
the same tree as package data at ``core/_resources`` (pyproject.toml maps the folder there),
because a top-level ``resources`` in site-packages is a name any other package could take.
This module is the one place that knows both, so nothing else builds paths to resources.

Paths, not ``Traversable``: Keras and Qt open files by name, and pip installs wheels
unpacked, so the package data always is a real folder.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[1] / "resources"


def resources_root() -> Path:
    """The folder holding every bundled resource, installed or in the repository."""
    installed = Path(str(resources.files(__package__) / "_resources"))
    return installed.resolve() if installed.is_dir() else _CHECKOUT


def resource_path(*parts: str) -> Path:
    """The path of one bundled resource, e.g. ``resource_path("models", "digits")``."""
    return resources_root().joinpath(*parts)
