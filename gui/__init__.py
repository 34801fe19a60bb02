"""InkLab's Qt front end: thin widgets over ``core/``.

Nothing here imports TensorFlow, numpy-heavy modules or pyqtgraph at import time, so the
window can show before any of them load (see ``bench/datasets.py``).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings


def app_settings() -> QSettings:
    """The app's settings, as an INI file in the user data folder (so tests stay in their tmp dir)."""
    from core import storage

    return QSettings(str(storage.data_dir() / "settings.ini"), QSettings.Format.IniFormat)
