"""``install-desktop`` / ``uninstall-desktop``: the launcher goes into the XDG folders and leaves no trace."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core import desktop_entry
from core.cli import run_cli

REPO = Path(__file__).resolve().parents[2]


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in folder.rglob("*")}


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def test_install_then_uninstall_leaves_the_folders_as_they_were(xdg: Path, capsys) -> None:
    # Someone else's launcher and icon: install and uninstall must not touch them.
    (xdg / "applications").mkdir(parents=True)
    (xdg / "applications" / "other.desktop").write_text("[Desktop Entry]\nName=Other\n")
    (xdg / "icons" / "hicolor" / "48x48" / "apps").mkdir(parents=True)
    (xdg / "icons" / "hicolor" / "48x48" / "apps" / "other.png").write_bytes(b"png")
    before = snapshot(xdg)

    assert run_cli(["install-desktop"]) == 0
    entry = xdg / "applications" / "inklab.desktop"
    assert entry.is_file()
    for size in ("16x16", "48x48", "256x256"):
        assert (xdg / "icons" / "hicolor" / size / "apps" / "inklab.png").is_file()
    assert (xdg / "icons" / "hicolor" / "scalable" / "apps" / "inklab.svg").is_file()
    assert str(entry) in capsys.readouterr().out

    assert run_cli(["uninstall-desktop"]) == 0
    assert snapshot(xdg) == before


def test_uninstall_from_an_empty_folder_removes_everything_it_made(xdg: Path) -> None:
    desktop_entry.install()
    desktop_entry.uninstall()
    assert not xdg.exists() or list(xdg.rglob("*")) == []
    assert desktop_entry.uninstall() == []  # twice is harmless


def test_the_entry_runs_this_checkout_with_its_icon(xdg: Path) -> None:
    desktop_entry.install()
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(xdg / "applications" / "inklab.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application" and entry["Name"] == "InkLab"
    assert entry["Icon"] == "inklab" and entry["Terminal"] == "false"
    assert entry["Exec"] == f"{sys.executable} {REPO / 'main.py'}"


def test_xdg_data_home_defaults_to_local_share(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert desktop_entry.data_home() == tmp_path / ".local" / "share"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")  # the spec: only absolute paths count
    assert desktop_entry.data_home() == tmp_path / ".local" / "share"


def test_exec_arguments_with_spaces_are_quoted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(desktop_entry, "launch_command", lambda: ["/opt/my apps/python", "/x/main.py"])
    assert 'Exec="/opt/my apps/python" /x/main.py' in desktop_entry.desktop_entry_text()


def test_the_installed_entry_passes_desktop_file_validate(xdg: Path) -> None:
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        pytest.skip("desktop-file-validate (Debian: desktop-file-utils) is not installed")
    desktop_entry.install()
    done = subprocess.run([validator, str(xdg / "applications" / "inklab.desktop")], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr
