"""Ctrl+C during a real ``python main.py train``: the run stops, is tested and saved, exit 130.

The process presses Ctrl+C on itself at a named moment (``INKLAB_INTERRUPT_AT``, see
core/training/interruption.py), so "during validation" and "during the final test" are hit
every time even on a run of a few seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# 600 samples, 60 held out, batch 30: 18 batches per epoch, 3 epochs (no "not a character"
# class, whose scribbles would add batches).
TRAIN = ["train", "--preset", "dense-small", "--epochs", "3", "--limit", "600", "--validation", "0.1",
         "--batch-size", "30", "--name", "sigint", "--no-reject"]


def train(user_data_dir: Path, moment: str, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, INKLAB_DATA_DIR=str(user_data_dir), INKLAB_INTERRUPT_AT=moment)
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # as a user runs it: the start-up chatter must not show
    return subprocess.run([sys.executable, "main.py", *TRAIN, *extra], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=240)


def card(user_data_dir: Path) -> dict:
    return json.loads((user_data_dir / "models" / "sigint" / "card.json").read_text())


@pytest.mark.slow
@pytest.mark.parametrize(
    ("moment", "epochs_done", "tested"),
    [("batch:25", 1, True), ("validation", 1, True), ("test", 3, False)],
)
def test_ctrl_c_stops_tests_and_saves_then_exits_130(user_data_dir, moment, epochs_done, tested) -> None:
    done = train(user_data_dir, moment)
    assert done.returncode == 130, done.stderr
    assert "saved model 'sigint'" in done.stdout and "error" not in done.stderr
    assert "absl" not in done.stderr and "cuda drivers" not in done.stderr
    info = card(user_data_dir)
    assert info["epochs_done"] == epochs_done
    assert ("test accuracy" in done.stdout) == tested and (info["test"] is not None) == tested
    if moment == "test":
        assert info["status"] == "completed" and info["batches_done"] == 54
    else:
        assert info["status"] == "stopped" and "stopped after 1 of 3 epochs" in done.stdout
        assert info["batches_done"] == (25 if moment.startswith("batch") else 18)
    assert (user_data_dir / "models" / "sigint" / "model.keras").is_file()


@pytest.mark.slow
def test_a_second_ctrl_c_abandons_without_saving(user_data_dir) -> None:
    done = train(user_data_dir, "batch:5*2")
    assert done.returncode == 130, done.stderr
    assert "saved model" not in done.stdout and "Traceback" not in done.stderr
    models = user_data_dir / "models"
    assert not models.exists() or not any(models.iterdir())
    assert "abandoned" in (user_data_dir / "inklab.log").read_text()


def test_a_taken_name_is_refused_before_training(user_data_dir) -> None:
    folder = user_data_dir / "models" / "sigint"
    folder.mkdir(parents=True)
    (folder / "card.json").write_text("{}")
    done = train(user_data_dir, "")
    assert done.returncode == 2
    assert "already exists" in done.stderr and "--overwrite" in done.stderr
    assert "training on" not in done.stdout  # refused before any training
    assert "already exists" in (user_data_dir / "inklab.log").read_text()
