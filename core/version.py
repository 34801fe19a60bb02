"""The version of InkLab that is running: for ``--version``, the About box and the desktop entry.

In a checkout pyproject.toml beside ``core/`` is the truth (an editable install's metadata
keeps the version it was installed with); an installed copy has no pyproject.toml there and
reads its distribution's metadata.  Both are imported only when asked: importing
``importlib.metadata`` costs ~20-30 ms, on the path to the window's first paint.
"""

from __future__ import annotations

from pathlib import Path

DISTRIBUTION = "inklab"
_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def app_version() -> str:
    """InkLab's version, e.g. ``"0.2.0"``; ``"unknown"`` when neither source has one."""
    if _PYPROJECT.is_file():
        # The [project] table's version line, read with a pattern: tomllib's import and parse
        # cost the first paint ~10 ms.  (pyproject.toml keeps ``version`` on one line.)
        import re

        try:
            text = _PYPROJECT.read_text(encoding="utf-8")
        except OSError:
            text = ""
        project = re.search(r"^\[project\]\s*$(.*?)(?=^\[)", text, re.M | re.S)
        found = re.search(r'^version\s*=\s*"([^"]+)"', project.group(1), re.M) if project else None
        if found:
            return found.group(1)
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"
