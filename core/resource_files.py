"""Where InkLab's bundled files are: the models, the icon, the desktop entry.

In the repository they sit in ``resources/`` beside ``core/``.  An installed wheel carries
the same tree as package data at ``core/_resources`` (pyproject.toml maps the folder there),
because a top-level ``resources`` in site-packages is a name any other package could take.
This module is the one place that knows both, so nothing else builds paths to resources.

Paths, not ``Traversable``: Keras and Qt open files by name, and pip installs wheels
unpacked, so the package data always is a real folder.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_CHECKOUT = _HERE.parent / "resources"


def resources_root() -> Path:
    """The folder holding every bundled resource, installed or in the repository.

    The package data's own folder, found beside this module rather than through
    ``importlib.resources`` (whose import, with zipfile's, cost start-up ~10 ms).
    """
    installed = _HERE / "_resources"
    return installed if installed.is_dir() else _CHECKOUT


def resource_path(*parts: str) -> Path:
    """The path of one bundled resource, e.g. ``resource_path("models", "digits")``."""
    return resources_root().joinpath(*parts)
