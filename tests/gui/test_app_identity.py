"""The app as the desktop sees it: icon, desktop file name, version in the About box."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from core.version import app_version
from gui.app import create_application


def test_icon_and_desktop_file_name(qapp) -> None:
    app = create_application()
    assert app.desktopFileName() == "inklab"
    assert not app.windowIcon().isNull()
    assert {size.width() for size in app.windowIcon().availableSizes()} >= {16, 32, 48, 256}
    assert app.applicationVersion() == app_version()


def test_about_box_names_the_version(main_window, monkeypatch) -> None:
    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    main_window.show_about()
    assert f"InkLab {app_version()}" in shown[0]
