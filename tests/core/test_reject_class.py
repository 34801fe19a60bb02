"""Issue 24, item 4: a model the user trains can learn to say "not a character": generated
non-characters as one more class, the "sure" threshold chosen on validation, a card the
recognizer reads like the bundled models'."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.cli import run_cli
from core.labels import NOT_A_CHARACTER
from core.training import TrainingConfig, TrainingRun, reject


def test_the_default_is_on_for_digits_and_letters_only() -> None:
    assert reject.suits([str(d) for d in range(10)]) and reject.suits(list("ABCXYZ")) and reject.suits(list("abc"))
    assert not reject.suits(["circle", "square"]) and not reject.suits(["0", "1", NOT_A_CHARACTER])
    assert reject.noun(list("0123")) == "digit" and reject.noun(list("AbC")) == "letter"
    assert TrainingConfig().reject is False  # in code it is asked for, never assumed
    assert reject.count(60_000, 10) == reject.MOST and reject.count(600, 10) == reject.FEWEST


def test_the_threshold_leaves_most_real_characters_sure() -> None:
    rng = np.random.default_rng(0)
    top = rng.uniform(0.7, 1.0, 500)
    p = np.column_stack([top, (1 - top) * 0.6, (1 - top) * 0.3, (1 - top) * 0.1])  # last: the reject output
    threshold = reject.sure_threshold(p)
    assert 0.7 <= threshold <= np.quantile(top, 0.02)
    assert np.mean(top >= threshold) >= 0.985


@pytest.mark.slow
def test_a_run_with_the_class_answers_not_a_digit_for_scribbles(mnist) -> None:
    from core.datasets.non_characters import non_character_images
    from core.models.recognizer import Recognizer

    config = TrainingConfig.for_preset("dense-small", dataset="mnist", epochs=3, limit=3000, reject=True)
    session = TrainingRun(config, data=mnist)
    session.prepare()
    assert session.label_names == (*mnist.label_names, NOT_A_CHARACTER)
    assert int((session.train_split.labels == 10).sum()) + int((session.val_split.labels == 10).sum()) == 300
    assert session.run().status == "completed"
    evaluation = session.evaluate("test", limit=1000)
    card = session.save("with-reject", evaluation=evaluation)
    section = card.data["reject"]
    assert section["label"] == NOT_A_CHARACTER and section["noun"] == "digit"
    assert 0.5 <= section["sure_threshold"] <= 0.999 and "validation" in section["chosen_on"]
    recognizer = Recognizer.load("with-reject")
    assert recognizer.can_reject and recognizer.label_names == list(mnist.label_names)
    scribbles = recognizer.predict_many(non_character_images(60, seed=4242))  # not the ones it trained on
    flagged = sum(p.status == "not-a-character" for p in scribbles)
    assert flagged >= 40, f"{flagged} of 60 new scribbles were called not a digit"
    assert recognizer.predict(mnist.split("test").images[0]).status != "not-a-character"


def test_train_turns_it_on_for_digits_and_off_when_asked(monkeypatch) -> None:
    from core.cli import training as cli_training

    seen = []
    monkeypatch.setattr(cli_training, "check_free_name", lambda *a: None)
    for argv in (["train"], ["train", "--no-reject"], ["train", "--dataset", "mnist", "--reject"]):
        args = cli_training_parser().parse_args(argv)
        seen.append(cli_training.config_from_args(args).reject)
    assert seen == [True, False, True]


def cli_training_parser():
    from core.cli import build_parser

    return build_parser()


def test_a_collection_of_words_has_it_off_by_default(capsys) -> None:
    from core.cli import training as cli_training
    from core.datasets.collections import add_sample

    for label in ("circle", "square"):
        add_sample("shapes", label, np.zeros((28, 28), np.uint8))
    args = cli_training_parser().parse_args(["train", "--dataset", "shapes"])
    assert cli_training.config_from_args(args).reject is False
    assert run_cli(["models", "list", "--json"]) == 0
    assert all(m["rejects"] for m in json.loads(capsys.readouterr().out) if m["bundled"])
