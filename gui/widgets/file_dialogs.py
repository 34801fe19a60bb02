"""File dialogs that remember where the user last was, one folder per kind of file.

Every dialog in the app goes through here: each *kind* ("images", "drawings", "exports",
"import", "models") keeps its own last folder in the settings, so saving a drawing does
not send the next image-open to the export folder.  The first time, a dialog starts in
the user's Documents folder (home when there is none), never in the program's own folder.
Suggested names come from the caller (the run, the model, the drawing's answer).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

_KEY = "dialogs/last-folder/{kind}"


def _settings():
    from gui import app_settings

    return app_settings()


def start_folder(kind: str) -> Path:
    """Where a dialog for ``kind`` opens: the last folder used for it, else Documents/home."""
    last = _settings().value(_KEY.format(kind=kind))
    if isinstance(last, str) and last and Path(last).is_dir():
        return Path(last)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def remember(kind: str, path: str | Path) -> None:
    """Keep ``path``'s folder (or ``path`` itself when it is a folder) as ``kind``'s last folder."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    settings = _settings()
    settings.setValue(_KEY.format(kind=kind), str(folder))
    settings.sync()


def unused_name(folder: Path, name: str) -> str:
    """``name``, or ``stem-2.suffix``, ``stem-3.suffix``... : the first not yet in ``folder``, so a
    suggestion never proposes to overwrite the file saved last time."""
    candidate, stem, suffix, n = name, Path(name).stem, Path(name).suffix, 1
    while (folder / candidate).exists():
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    return candidate


def ask_save_path(parent: QWidget | None, kind: str, title: str, suggested_name: str, filters: str) -> tuple[Path, str] | None:
    """Ask where to save; (path, chosen filter), or None when the user cancelled."""
    start = start_folder(kind) / suggested_name
    path, chosen = QFileDialog.getSaveFileName(parent, title, str(start), filters)
    if not path:
        return None
    remember(kind, path)
    return Path(path), chosen


def ask_open_file(parent: QWidget | None, kind: str, title: str, filters: str) -> Path | None:
    """Ask for one file to open; None when the user cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, title, str(start_folder(kind)), filters)
    if not path:
        return None
    remember(kind, path)
    return Path(path)


def ask_open_files(parent: QWidget | None, kind: str, title: str, filters: str) -> list[Path]:
    """Ask for files to open; an empty list when the user cancelled."""
    paths, _ = QFileDialog.getOpenFileNames(parent, title, str(start_folder(kind)), filters)
    if paths:
        remember(kind, paths[0])
    return [Path(p) for p in paths]


def ask_folder(parent: QWidget | None, kind: str, title: str) -> Path | None:
    """Ask for a folder; None when the user cancelled."""
    folder = QFileDialog.getExistingDirectory(parent, title, str(start_folder(kind)))
    if not folder:
        return None
    remember(kind, Path(folder))
    return Path(folder)


def safe_file_name(text: str, fallback: str = "inklab") -> str:
    """``text`` made into a file name: letters, digits, '-', '_' and '.'; never empty."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in text.strip()).strip("-.")
    return cleaned or fallback
