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
        (["train", "--epochs", "-3"], "epochs"),
        (["train", "--batch-size", "0"], "batch size"),
        (["train", "--lr", "nan"], "learning rate"),
        (["train", "--lr", "inf"], "learning rate"),
        (["train", "--validation", "-5"], "validation"),
        (["train", "--validation", "1.0"], "validation"),
        (["train", "--validation", "nan"], "validation"),
        (["train", "--seed", "-1"], "seed"),
        (["train", "--limit", "0"], "limit"),
        (["train", "--limit", "-9990"], "limit"),
        (["train", "--rotation", "-10"], "rotation"),
        (["train", "--zoom", "nan"], "zoom"),
        (["train", "--name", "bad/name"], "cannot be a model name"),
        (["train", "--name", "digits"], "bundled model"),
        (["evaluate", "digits", "--limit", "-9990"], "--limit"),
        (["evaluate", "digits", "--limit", "0"], "--limit"),
        (["recognize", "x.png", "--top", "0"], "--top"),
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


def test_a_taken_name_is_refused_before_any_data_is_loaded(user_data_dir, capsys, monkeypatch) -> None:
    from core.training import TrainingRun

    folder = user_data_dir / "models" / "victim"
    folder.mkdir(parents=True)
    (folder / "card.json").write_text("{}")
    monkeypatch.setattr(TrainingRun, "prepare", lambda self: pytest.fail("trained although the name is taken"))
    assert run_cli(["train", "--preset", "dense-small", "--limit", "100", "--name", "victim"]) == 2
    assert "a model called 'victim' already exists" in capsys.readouterr().err


def test_overwrite_replaces_a_model_of_that_name(mnist, user_data_dir, capsys) -> None:
    argv = ["train", "--preset", "dense-small", "--epochs", "1", "--limit", "200", "--name", "again", "--no-test"]
    assert run_cli(argv) == 0
    assert run_cli(argv) == 2
    assert run_cli([*argv, "--overwrite"]) == 0
    assert "saved model 'again'" in capsys.readouterr().out


def test_a_small_sample_count_with_a_large_validation_count_trains(mnist, capsys) -> None:
    """cnn-classic's default validation of 5,000 on "Samples 3000" is capped and said, not refused."""
    argv = ["train", "--preset", "cnn-classic", "--epochs", "1", "--limit", "3000", "--no-test", "--name", "small"]
    assert run_cli(argv) == 0
    out = capsys.readouterr().out
    assert "note: validation of 5000 samples capped to 600 (20% of the 3000 samples)" in out
    assert "note: too few samples/epochs for this optimizer: sgd" in out


def test_tensorflow_start_up_chatter_is_dropped_and_anything_else_kept(capsys) -> None:
    from core.native_logs import replay

    replay(
        b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        b"I0000 00:00:1796195370.242589   18407 port.cc:153] oneDNN custom operations are on.\n"
        b"I0000 00:00:1796195370.243003   18407 cudart_stub.cc:31] Could not find cuda drivers on your machine\n"
        b"a real problem the user must see\n"
    )
    assert capsys.readouterr().err == "a real problem the user must see\n"


def test_evaluate_scores_the_bundled_digits_on_the_digits(mnist, capsys) -> None:
    """The bundled model's extra "not-a-character" output is no class of MNIST: scored on the ten digits."""
    assert run_cli(["evaluate", "digits", "--dataset", "mnist", "--limit", "200", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["label_names"] == list("0123456789") and report["samples"] == 200
    assert report["accuracy"] >= 0.97
