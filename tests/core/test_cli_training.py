"""``train``, ``evaluate`` and ``models`` as a user types them: exit codes and what they print."""

from __future__ import annotations

import json

import pytest

from core.cli import run_cli


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--preset", "nope"], "unknown preset 'nope'"),
        (["train", "--epochs", "0"], "epochs"),
        (["train", "--lr", "-1"], "learning rate"),
        (["train", "--validation", "lots"], "--validation"),
        (["train", "--dataset", "no-such-set"], "no-such-set"),
        (["evaluate", "no-such-model"], "no model called 'no-such-model'"),
        (["models", "delete", "no-such-model"], "no model called"),
    ],
)
def test_bad_input_exits_2_with_one_line(argv: list[str], message: str, capsys) -> None:
    assert run_cli(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_evaluate_an_unreadable_model_exits_2(tmp_path, capsys) -> None:
    folder = tmp_path / "junk"
    folder.mkdir()
    (folder / "model.keras").write_bytes(b"garbage")
    (folder / "card.json").write_text(json.dumps({"format": "inklab-model-card", "label_names": list("0123456789"),
                                                  "outputs": "logits"}))
    assert run_cli(["evaluate", str(folder)]) == 2
    assert "not a Keras model file" in capsys.readouterr().err


@pytest.mark.slow
def test_train_evaluate_and_manage_a_tiny_model(mnist, user_data_dir, capsys) -> None:
    argv = ["train", "--preset", "dense-small", "--epochs", "2", "--limit", "600", "--validation", "0.1",
            "--batch-size", "50", "--name", "tiny"]
    assert run_cli(argv) == 0
    out = capsys.readouterr().out
    assert "epoch 1/2" in out and "epoch 2/2" in out and "test accuracy" in out
    assert f"saved model 'tiny' to {user_data_dir / 'models' / 'tiny'}" in out

    assert run_cli(["evaluate", "tiny", "--limit", "300", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["samples"] == 300 and sum(map(sum, report["confusion"])) == 300
    assert run_cli(["evaluate", "tiny", "--limit", "300"]) == 0
    assert "confusion matrix" in capsys.readouterr().out

    assert run_cli(["models", "list"]) == 0
    assert "tiny" in capsys.readouterr().out
    assert run_cli(["models", "info", "tiny"]) == 0
    assert "dense-small" in capsys.readouterr().out
    assert run_cli(["models", "rename", "tiny", "small"]) == 0
    assert run_cli(["models", "list", "--json"]) == 0
    capsys.readouterr()
    assert run_cli(["models", "delete", "small"]) == 0
    assert run_cli(["models", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.split("deleted model 'small'\n")[-1])
    assert [m["name"] for m in listed if not m.get("bundled")] == []
