"""``--json`` on ``datasets list`` and ``train``: output a script can read line by line."""

from __future__ import annotations

import json
from pathlib import Path

from core.cli import run_cli


def test_datasets_list_json_is_one_object_per_set(capsys, shared_data: Path) -> None:
    assert run_cli(["datasets", "list", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    mnist = next(row for row in rows if row["name"] == "mnist")
    assert mnist["available"] and mnist["classes"] == 10 and mnist["folder"] == str(shared_data / "mnist")
    assert mnist["size_bytes"] > 10_000_000
    missing = [row for row in rows if not row["available"]]
    assert all(row["folder"] is None and row["size_bytes"] is None for row in missing)


def test_train_json_prints_epochs_then_a_final_object(mnist, user_data_dir, capsys) -> None:
    argv = ["train", "--preset", "dense-small", "--epochs", "2", "--limit", "300", "--validation", "0.1",
            "--batch-size", "50", "--name", "tiny", "--json"]
    assert run_cli(argv) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["event"] for row in rows] == ["epoch", "epoch", "done"]
    assert [row["epoch"] for row in rows[:2]] == [1, 2] and rows[0]["epochs"] == 2
    assert 0 <= rows[1]["accuracy"] <= 1 and rows[1]["val_accuracy"] is not None
    done = rows[-1]
    assert done["status"] == "completed" and done["model"] == "tiny" and done["epochs_done"] == 2
    assert done["folder"] == str(user_data_dir / "models" / "tiny")
    assert 0 <= done["test"]["accuracy"] <= 1 and done["test"]["samples"] > 0
