"""The desktop launcher for the current user (Linux, XDG): ``inklab install-desktop``.

Installs ``inklab.desktop`` into ``$XDG_DATA_HOME/applications`` and the icon, in every size
``resources/icons/hicolor`` holds, into ``$XDG_DATA_HOME/icons/hicolor`` (``XDG_DATA_HOME``
defaults to ``~/.local/share``), so the menus of GNOME, KDE and the rest list InkLab with its
icon.  ``uninstall-desktop`` removes exactly those files and then the folders that are empty
because of it; nothing else in the user's folders is touched.  Desktops watch these folders,
so no cache has to be rebuilt (and rebuilding one would write files uninstall cannot own).

The launcher's command is the one that runs this InkLab: the ``inklab`` script beside the
interpreter for an installed wheel (pip, pipx), ``python /path/to/main.py`` for a checkout.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from core import storage
from core.resource_files import resource_path, resources_root

DESKTOP_FILE = "inklab.desktop"
_REPOSITORY = Path(__file__).resolve().parents[1]


def data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when it is unset or not absolute (as the spec says)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def launch_command() -> list[str]:
    """The command line that opens this InkLab's window."""
    script = Path(sys.executable).with_name("inklab")
    if resources_root() != _REPOSITORY / "resources" and script.is_file():
        return [str(script)]
    return [sys.executable, str(_REPOSITORY / "main.py")]


def _quote(argument: str) -> str:
    """One argument of a desktop entry's Exec line (Desktop Entry Specification, "Exec key")."""
    if argument and not any(c in argument for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return argument
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in argument)
    return f'"{escaped}"'.replace("%", "%%")


def _icon_files() -> dict[Path, Path]:
    """Every icon file shipped, keyed by where it goes under ``icons/hicolor``."""
    hicolor = resource_path("icons", "hicolor")
    return {path.relative_to(hicolor): path for path in sorted(hicolor.rglob("inklab.*")) if path.is_file()}


def installed_files(home: Path | None = None) -> list[Path]:
    """The files ``install`` writes (and ``uninstall`` removes), desktop entry first."""
    home = data_home() if home is None else home
    icons = home / "icons" / "hicolor"
    return [home / "applications" / DESKTOP_FILE, *(icons / rel for rel in _icon_files())]


def desktop_entry_text() -> str:
    """The shipped ``inklab.desktop`` with its Exec line set to :func:`launch_command`."""
    lines = resource_path(DESKTOP_FILE).read_text(encoding="utf-8").splitlines()
    exec_line = "Exec=" + " ".join(_quote(arg) for arg in launch_command())
    return "\n".join(exec_line if line.startswith("Exec=") else line for line in lines) + "\n"


def install(home: Path | None = None) -> list[Path]:
    """Install the launcher and icons for the current user (each file atomically); the files written."""
    home = data_home() if home is None else home
    written = installed_files(home)
    storage.write_bytes(written[0], desktop_entry_text().encode("utf-8"))
    for target, (_, source) in zip(written[1:], _icon_files().items(), strict=True):
        storage.write_bytes(target, source.read_bytes())
    return written


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove what :func:`install` wrote, then the folders left empty by that; the files removed."""
    home = data_home() if home is None else home
    removed = []
    for path in installed_files(home):
        if path.is_file():
            path.unlink()
            removed.append(path)
    for path in removed:
        folder = path.parent
        while folder != home and folder.is_relative_to(home) and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return removed
