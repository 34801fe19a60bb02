"""Fine-tuning (``train --from``, the Draw tab's round): labels by name, the base kept, bad input in one line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.cli import run_cli
from core.errors import TrainingError
from core.labels import LETTERS, NOT_A_CHARACTER
from core.training.finetune import FinetuneSettings, class_indices, default_steps
from core.training.teaching import TeachRound, collection_for, mine_name, round_prompts
from tests.helpers.models import install_tiny_model

LETTER_MODEL = (*LETTERS, NOT_A_CHARACTER)


def test_labels_match_the_model_by_name_letters_case_merged() -> None:
    assert list(class_indices(["a", "A", "z", "B"], LETTER_MODEL)) == [0, 0, 25, 1]
    assert list(class_indices(["7", "0"], tuple("0123456789"))) == [7, 0]
    # Not for a model that keeps cases apart, nor digits for a letters model.
    with pytest.raises(TrainingError, match=r"label 'a' is not one of model 'x''s classes \(A, B\)"):
        class_indices(["A", "a"], ("A", "B"), "model 'x'")
    with pytest.raises(TrainingError) as err:
        class_indices(["A", "7", "?", "7"], LETTER_MODEL, "model 'letters'")
    assert str(err.value).startswith("label '7' (and 1 more) is not one of model 'letters''s classes (A, B, C")
    assert NOT_A_CHARACTER not in str(err.value)


def test_default_steps_fit_50_drawings_and_50000() -> None:
    assert default_steps(52) == 300  # at least 300 steps of 32: each drawing ~180 times, augmented
    assert default_steps(5_000) == 469  # three passes
    assert default_steps(50_000) == 4688
    assert default_steps(10_000_000) == 6000
    with pytest.raises(TrainingError, match="learning rate"):
        FinetuneSettings(learning_rate=0).check()
    with pytest.raises(TrainingError, match="train must be one of all, head"):
        FinetuneSettings(what="some").check()
    for mix in (0, 1.5, float("nan"), True):
        with pytest.raises(TrainingError, match="mix must be a number above 0 and at most 1"):
            FinetuneSettings(mix=mix).check()


def test_the_adapted_weights_are_mixed_with_the_base_s(mnist, tmp_path_factory) -> None:
    """``mix`` of the way from the base's weights to the fine-tuned ones; the base is left alone."""
    from core.models import library
    from core.training.finetune import adapt, mix_with_base, trainable_copy

    install_tiny_model(tmp_path_factory, mnist)
    base, card = library.load_model("tiny-digits")
    before = [w.copy() for w in base.get_weights()]
    moved = trainable_copy(base)
    rng = np.random.default_rng(0)
    far = [rng.normal(size=w.shape).astype(w.dtype) for w in before]
    moved.set_weights(far)
    mix_with_base(moved, base, 0.25)
    for b, f, m in zip(before, far, moved.get_weights(), strict=True):
        np.testing.assert_allclose(m, 0.75 * b + 0.25 * f, rtol=1e-5, atol=1e-6)
    # adapt() with mix 1 and with 0.5, same seed: the second is halfway between the base and the first.
    images, labels = mnist.split("train").images[:64], mnist.split("train").labels[:64]
    settings = FinetuneSettings(steps=5, augment=None, mix=1.0)
    full = adapt(base, card.outputs, images, labels, settings).get_weights()
    half = adapt(base, card.outputs, images, labels, FinetuneSettings(steps=5, augment=None, mix=0.5)).get_weights()
    assert any(not np.allclose(f, b) for f, b in zip(full, before, strict=True))
    for b, f, h in zip(before, full, half, strict=True):
        np.testing.assert_allclose(h, 0.5 * b + 0.5 * f, rtol=1e-4, atol=1e-5)
    for b, w in zip(before, base.get_weights(), strict=True):
        np.testing.assert_array_equal(b, w)


def test_the_round_asks_letters_in_both_cases_and_digits_twice() -> None:
    letters = round_prompts(LETTER_MODEL)
    assert len(letters) == 52 and letters[:2] == ["A", "B"] and letters[26:28] == ["a", "b"]
    assert round_prompts(LETTER_MODEL, 3)[52:54] == ["A", "B"]
    assert round_prompts(tuple("0123456789")) == list("0123456789") * 2
    assert round_prompts(tuple("0123456789"), 1) == list("0123456789")
    with pytest.raises(TrainingError):
        round_prompts(LETTER_MODEL, 0)
    r = TeachRound("letters", LETTER_MODEL)
    r.record("A")
    r.record(None)  # "not a letter"
    r.skip()
    assert r.asked == "D" and r.mistakes() == [("B", None)]
    assert r.summary() == "letters read 1 of your 2 right; wrong: B→?."
    r.set_repeats(1)  # adjusted during the round: the classes still to come follow it
    assert len(r.prompts) == 26 and r.asked == "D"
    r.set_repeats(3)
    assert len(r.prompts) == 78 and r.prompts[52] == "A"
    assert mine_name("letters") == "letters (mine)" and mine_name("letters (mine)") == "letters (mine)"
    assert collection_for("letters") == collection_for("letters (mine)") == "letters-mine"


def _write_jsonl(path, drawings) -> None:
    path.write_text("".join(json.dumps({"label": label, "strokes": strokes}) + "\n" for label, strokes in drawings))


def _bar(x0: float = 50) -> list:
    return [[[x0, 10.0], [x0 + 1, 50.0], [x0 + 2, 90.0]]]


def _flat() -> list:
    return [[[10.0, 50.0], [50.0, 51.0], [90.0, 52.0]]]


def test_train_from_refuses_in_one_line(tmp_path, capsys, mnist, tmp_path_factory) -> None:
    install_tiny_model(tmp_path_factory, mnist)
    _write_jsonl(tmp_path / "mixed.jsonl", [("1", _bar()), ("x", _flat())])
    assert run_cli(["datasets", "import", str(tmp_path / "mixed.jsonl"), "--name", "mixed"]) == 0
    capsys.readouterr()
    for argv, message in [
        (["train", "--from", "tiny-digits", "--dataset", "mixed"], "label 'x' is not one of model 'tiny-digits''s "
                                                                   "classes (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)"),
        (["train", "--from", "no-such-model", "--dataset", "mixed"], "no model called 'no-such-model'"),
        (["train", "--from", "tiny-digits", "--preset", "recommended"], "--preset does not go with --from"),
        (["train", "--from", "tiny-digits", "--epochs", "3"], "--epochs does not go with --from: say how long with --steps"),
        (["train", "--from", "tiny-digits", "--steps", "0"], "steps must be a whole number"),
        (["train", "--steps", "10"], "--steps goes with --from"),
        (["train", "--mix", "0.5"], "--mix goes with --from"),
        (["train", "--from", "tiny-digits", "--dataset", "mixed", "--mix", "1.5"], "mix must be a number above 0"),
        (["train", "--from", "tiny-digits", "--name", "digits"], "bundled model"),
    ]:
        assert run_cli(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err, (argv, err)


def test_train_from_adapts_keeps_the_base_and_records_it(tmp_path, capsys, mnist, tmp_path_factory) -> None:
    from core.models import library

    install_tiny_model(tmp_path_factory, mnist)
    drawings = [(str(d), _bar(40 + 2 * i) if d == 1 else _flat()) for i in range(3) for d in (1, 7)]
    _write_jsonl(tmp_path / "mine.jsonl", drawings)
    assert run_cli(["datasets", "import", str(tmp_path / "mine.jsonl"), "--name", "mine"]) == 0
    capsys.readouterr()
    assert run_cli(["train", "--from", "tiny-digits", "--dataset", "mine", "--name", "tiny-mine", "--steps", "60", "--lr", "0.003",
                    "--no-test", "--json"]) == 0
    done = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert done["model"] == "tiny-mine" and done["base"] == "tiny-digits" and done["samples"] == 6
    card = library.find_model("tiny-mine")
    assert card.label_names == tuple("0123456789")  # the model's classes, not the set's two
    assert card.data["base_model"]["name"] == "tiny-digits" and card.data["finetune"]["steps"] == 60
    assert card.data["finetune"]["mix"] == 0.6 and card.data["finetune"]["augment"]["rotation"] == 8.0
    assert card.data["dataset"]["name"] == "mine"
    # It reads the flat stroke as the 7 it was taught.
    (tmp_path / "flat.json").write_text(json.dumps({"strokes": _flat()}))
    assert run_cli(["recognize", "--model", "tiny-mine", "--json", str(tmp_path / "flat.json")]) == 0
    assert json.loads(capsys.readouterr().out)["label"] == "7"


def test_a_model_worse_on_the_held_back_drawings_is_not_saved(mnist, tmp_path_factory) -> None:
    """A real case: the held-back drawings are plain 1s the base reads right; every other drawing is a
    1 labelled 7, so the adapted model reads the held-back 1s as 7s."""
    from core.datasets.collections import add_sample
    from core.imaging import render_strokes
    from core.models import library
    from core.training.finetune import FinetuneSettings
    from core.training.teaching import HOLD_EVERY, teach

    install_tiny_model(tmp_path_factory, mnist)
    for i in range(2 * HOLD_EVERY):
        strokes = [np.array([[60.0 + i, 20.0, 0.5], [61.0 + i, 60.0, 0.5], [62.0 + i, 100.0, 0.5]])]
        label = "1" if i % HOLD_EVERY == HOLD_EVERY - 1 else "7"
        add_sample("tiny-digits-mine", label, render_strokes(strokes))
    result = teach("tiny-digits", "tiny-digits-mine", FinetuneSettings(steps=40, learning_rate=1e-2))
    assert result.held_back == 2 and result.before == 1.0 and result.after < 1.0
    assert result.saved == "" and result.message.startswith("Not offered: adapted, it read")
    assert "tiny-digits (mine)" not in [c.name for c in library.list_models()]
