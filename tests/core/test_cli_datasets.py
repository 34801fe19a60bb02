"""``inklab datasets list|info|import|download``: output, exit codes, one-line errors."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core import storage
from core.cli import run_cli
from core.cli.console import TextBar
from tests.helpers.cli import one_error_line
from tests.helpers.datasets import SIGN_HEADER, install_fake_emnist, random_images, write_csv
from tests.helpers.file_server import FileServer
from tests.helpers.idx import tiny_mnist_files

REPO = Path(__file__).resolve().parents[2]


def test_list_shows_every_set_and_where(capsys: pytest.CaptureFixture[str], shared_data: Path) -> None:
    assert run_cli(["datasets", "list"]) == 0
    out = capsys.readouterr().out
    mnist = next(line for line in out.splitlines() if line.startswith("mnist "))
    assert "available" in mnist and "MB" in mnist
    assert str(shared_data / "mnist") in out
    assert "missing (import only)" in next(line for line in out.splitlines() if line.startswith("sign-mnist"))
    assert "missing (downloadable)" in next(line for line in out.splitlines() if line.startswith("emnist-letters"))


def test_info_json_gives_real_mnist_counts(capsys: pytest.CaptureFixture[str], shared_data: Path) -> None:
    assert run_cli(["datasets", "info", "mnist", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["classes"] == list("0123456789")
    assert info["splits"]["train"]["samples"] == 60_000 and info["splits"]["test"]["samples"] == 10_000
    assert info["splits"]["train"]["class_counts"]["1"] == 6742  # MNIST's most common digit
    assert sum(info["splits"]["test"]["class_counts"].values()) == 10_000


def test_info_unknown_set_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["datasets", "info", "nope"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "unknown data set 'nope'" in line and "mnist" in line


def test_import_prints_a_summary_and_refuses_to_overwrite(tmp_path: Path, capsys) -> None:
    train = write_csv(tmp_path / "train.csv", random_images(4), [0, 1, 2, 1], SIGN_HEADER)
    assert run_cli(["datasets", "import", str(train), "--name", "shapes"]) == 0
    out = capsys.readouterr().out
    assert "imported 'shapes'" in out and "3 classes" in out and "train: 4 samples" in out

    assert run_cli(["datasets", "import", str(train), "--name", "shapes"]) == 2
    assert "--overwrite" in one_error_line(capsys.readouterr().err)
    assert run_cli(["datasets", "import", str(train), "--name", "shapes", "--overwrite"]) == 0
    capsys.readouterr()

    assert run_cli(["datasets", "list"]) == 0
    assert any(line.startswith("shapes ") and "imported" in line for line in capsys.readouterr().out.splitlines())


def test_import_of_sign_mnist_completes_the_built_in(tmp_path: Path, capsys) -> None:
    train = write_csv(tmp_path / "sign_mnist_train.csv", random_images(3), [0, 1, 24], SIGN_HEADER)
    test = write_csv(tmp_path / "sign_mnist_test.csv", random_images(2), [2, 3], SIGN_HEADER)
    assert run_cli(["datasets", "import", str(train), str(test), "--name", "sign-mnist"]) == 0
    out = capsys.readouterr().out
    assert "24 classes" in out and str(storage.subdir("datasets") / "sign-mnist") in out


@pytest.mark.parametrize(
    "argv, problem",
    [
        (["datasets", "import", "{tmp}/bad.csv", "--name", "x"], "line 1: 3 columns"),
        (["datasets", "import", "{tmp}/missing.csv", "--name", "x"], "file not found"),
        (["datasets", "import", "{tmp}/bad.csv", "--name", "no good"], "not a usable data set name"),
        (["datasets", "download", "sign-mnist"], "kaggle.com"),
        (["datasets", "download", "nope"], "InkLab can download"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys, argv: list[str], problem: str) -> None:
    (tmp_path / "bad.csv").write_text("1,2,3\n")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert run_cli(argv) == 2
    assert problem in one_error_line(capsys.readouterr().err)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_is_drawn_on_a_terminal_only_and_wiped_on_failure() -> None:
    terminal = FakeTerminal()
    bar = TextBar(terminal)
    bar(0, None, "Reading files")
    bar(50, 100, "Copying")
    bar(50, 100, "Copying")  # unchanged: not redrawn
    bar.finish(ok=False)
    assert terminal.getvalue().count("Copying") == 1 and terminal.getvalue().endswith("\r")
    log = io.StringIO()  # not a terminal
    TextBar(log)(5, 10, "Copying")
    assert log.getvalue() == ""
    images, download = FakeTerminal(), FakeTerminal()
    TextBar(images)(70_000, 140_000, "Framing")  # counts of images are not megabytes
    TextBar(download, in_bytes=True)(5_000_000, 10_000_000, "train-images")
    assert "70,000/140,000" in images.getvalue() and "MB" not in images.getvalue()
    assert "5.0/10.0 MB" in download.getvalue()


def mnist_mirror(server: FileServer, images_n: int = 40) -> None:
    server.files.update(tiny_mnist_files(n_train=images_n, n_test=10))


def test_download_draws_a_progress_bar_then_fails_cleanly_on_a_bad_hash(
    capsys, monkeypatch, shared_data: Path
) -> None:
    server = FileServer()
    try:
        for path in (shared_data / "mnist").iterdir():
            server.files[path.name] = path.read_bytes()
        monkeypatch.setenv("INKLAB_DOWNLOAD_BASE_URL", server.url)
        terminal, stderr = FakeTerminal(), sys.stderr
        monkeypatch.setattr(sys, "stderr", terminal)
        assert run_cli(["datasets", "download", "mnist"]) == 0
        monkeypatch.setattr(sys, "stderr", stderr)
        assert "is in" in capsys.readouterr().out
        drawn = terminal.getvalue()
        assert "Downloading mnist: train-images-idx3-ubyte.gz (1/4) [#" in drawn
        assert "[##############################] 100.0%" in drawn and drawn.endswith("\n")

        server.files.clear()
        mnist_mirror(server)
        (storage.data_dir() / "datasets" / "mnist" / "train-labels-idx1-ubyte.gz").unlink()
        assert run_cli(["datasets", "download", "mnist"]) == 2
        err = capsys.readouterr().err
        assert "checksum" in err.splitlines()[-1] and "Traceback" not in err
    finally:
        server.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_cancels_a_download_and_leaves_nothing(capsys, monkeypatch, shared_data: Path) -> None:
    server = FileServer()
    try:
        for path in (shared_data / "mnist").iterdir():  # the real files: only a cancel can stop it
            server.files[path.name] = path.read_bytes()
        server.delay = 0.002
        handler_class = server.httpd.RequestHandlerClass
        plain_get = handler_class.do_GET

        def do_get(handler) -> None:
            if handler.path.endswith("train-images-idx3-ubyte.gz"):
                os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C while the biggest file is on its way
            plain_get(handler)

        monkeypatch.setattr(handler_class, "do_GET", do_get)
        monkeypatch.setenv("INKLAB_DOWNLOAD_BASE_URL", server.url)
        assert run_cli(["datasets", "download", "mnist"]) == 130
        assert "cancelled; nothing was saved" in capsys.readouterr().err
        assert not (storage.data_dir() / "datasets" / "mnist").exists()
        assert list((storage.data_dir() / "cache").iterdir()) == []
    finally:
        server.close()


def test_main_py_exit_codes_in_a_real_process(tmp_path: Path, shared_data: Path) -> None:
    env = {**os.environ, "INKLAB_DATA_DIR": str(tmp_path / "user"), "INKLAB_DATA_PATH": str(shared_data)}
    ok = subprocess.run([sys.executable, "main.py", "datasets", "list"], cwd=REPO, env=env,
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "mnist" in ok.stdout and ok.stderr == ""
    bad = subprocess.run([sys.executable, "main.py", "datasets", "info", "nope"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stdout == ""
    assert one_error_line(bad.stderr).startswith("inklab: error: unknown data set 'nope'")


def test_info_on_emnist_letters_loads_them_framed_and_cached(capsys: pytest.CaptureFixture[str]) -> None:
    install_fake_emnist(300)
    assert run_cli(["datasets", "info", "emnist-letters", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["classes"][0] == "A" and summary["splits"]["train"]["samples"] == 300
    assert list(storage.subdir("cache").glob("emnist-letters-train-*.npz"))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_during_a_slow_info_is_a_cancel_not_an_error(capsys, monkeypatch) -> None:
    import core.imaging.framing

    install_fake_emnist(300)  # a first load re-frames every letter: the slow part
    place = core.imaging.framing._place_many

    def interrupted(ink):
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C while the letters are being framed
        return place(ink)

    monkeypatch.setattr(core.imaging.framing, "_REFRAME_CHUNK", 100)
    monkeypatch.setattr(core.imaging.framing, "_place_many", interrupted)
    assert run_cli(["datasets", "info", "emnist-letters"]) == 130
    err = capsys.readouterr().err
    assert "error" not in err and one_error_line(err) == "inklab: cancelled"
    assert not list(storage.subdir("cache").glob("emnist-letters-*"))  # nothing half-made is kept


def test_delete_sample_removes_one_drawing(capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np

    from core.datasets.collections import add_sample, sample_ids

    for label in "ab":
        add_sample("my symbols", label, np.zeros((28, 28), np.uint8))
    first, second = sample_ids("my-symbols")
    assert run_cli(["datasets", "delete-sample", "my-symbols", first]) == 0
    assert f"deleted drawing {first}" in capsys.readouterr().out
    assert sample_ids("my-symbols") == [second]
    assert run_cli(["datasets", "delete-sample", "my-symbols", first]) == 2
    assert "has no drawing" in one_error_line(capsys.readouterr().err)
