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


def test_the_first_window_fits_the_screen(main_window) -> None:
    """At 200% scaling a laptop screen is 1280x800 or less: no button may hang off its bottom."""
    available = main_window.screen().availableGeometry().size()
    size = main_window.size()
    assert size.width() <= available.width() and size.height() <= available.height()
