"""Issue 24, item 9: a data folder that cannot be used (INKLAB_DATA_DIR naming a file, or a folder
without write permission) is one line naming the folder and why, exit 2, no traceback, in
every command and in the app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import run_cli

REPO = Path(__file__).resolve().parents[2]
# Every command, with arguments it would accept (the data folder is checked before any is used).
COMMANDS = [
    ["datasets", "list"], ["datasets", "info", "mnist"], ["datasets", "download", "mnist"],
    ["datasets", "import", "x.csv", "--name", "x"], ["datasets", "delete-sample", "c", "1"],
    ["train", "--dataset", "mnist"], ["evaluate", "digits", "--dataset", "mnist"],
    ["models", "list"], ["models", "info", "digits"], ["models", "rename", "a", "b"], ["models", "delete", "a"],
    ["models", "export", "digits", "--to", "out"], ["models", "convert"],
    ["recognize", "x.png"], ["install-desktop"], ["uninstall-desktop"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: " ".join(argv[:2]))
def test_every_command_says_a_file_in_place_of_the_data_folder_in_one_line(argv, tmp_path, monkeypatch, capsys):
    in_the_way = tmp_path / "not-a-folder"
    in_the_way.write_text("a file")
    monkeypatch.setenv("INKLAB_DATA_DIR", str(in_the_way))
    assert run_cli(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err == (f"inklab: error: cannot use the data folder {in_the_way} (set by INKLAB_DATA_DIR): "
                   "a file is in the way, not a folder\n")


def _run_as_a_user_who_cannot_write(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "INKLAB_DATA_DIR": str(folder), "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, str(REPO / "main.py"), *args]
    if os.geteuid() == 0:  # root may write anywhere: run as nobody, as an ordinary user would be
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        env["HOME"] = "/tmp"
    else:
        folder.chmod(0o555)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd="/tmp")


def _others_can_run_the_checkout() -> bool:
    """Whether an ordinary user (nobody) can reach main.py: every folder above it searchable by others."""
    return all(folder.stat().st_mode & 0o001 for folder in (REPO / "main.py").resolve().parents)


def test_a_folder_without_write_permission_in_the_cli_and_the_app(tmp_path):
    if os.geteuid() == 0 and not _others_can_run_the_checkout():
        pytest.skip("run as root from a checkout only root can enter: no ordinary user to be")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o755)
    tmp_path.chmod(0o755)
    for args in (("models", "list"), ()):  # a command, and the app itself
        done = _run_as_a_user_who_cannot_write(folder, *args)
        assert done.returncode == 2, done.stderr
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert lines == [f"inklab: error: cannot use the data folder {folder} (set by INKLAB_DATA_DIR): "
                         "no permission to write there"], done.stderr


def test_the_app_says_a_file_in_place_of_the_data_folder(tmp_path):
    in_the_way = tmp_path / "inklab-data"
    in_the_way.write_text("a file")
    env = {**os.environ, "INKLAB_DATA_DIR": str(in_the_way), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, str(REPO / "main.py")], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and str(in_the_way) in done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("inklab:")] == [
        f"inklab: error: cannot use the data folder {in_the_way} (set by INKLAB_DATA_DIR): "
        "a file is in the way, not a folder"]
