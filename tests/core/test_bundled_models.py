"""The committed models in resources/models: they load safely and read what users give them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.datasets.letter_fonts import LetterSource
from core.datasets.synthetic import synthetic_letters
from core.models import library
from core.models.inference import predict_batch
from tests.helpers.idx import write_idx
from tools.build_models import main


@pytest.fixture(scope="module")
def digits():
    model, card = library.load_model("digits")
    return model, card


def test_bundled_models_are_listed_as_bundled():
    cards = {card.name: card for card in library.list_models()}
    for name in ("digits", "letters"):
        assert name in cards and cards[name].bundled
        assert cards[name].model_path.stat().st_size < 5_000_000  # committed: keep it small


@pytest.mark.slow
def test_digits_card_states_data_and_the_writer_folds(digits):
    _, card = digits
    # The ten digits, then the reject class the card names ("not-a-character").
    assert card.label_names == (*"0123456789", "not-a-character")
    assert card.data["reject"]["label"] == "not-a-character" and card.data["reject"]["noun"] == "digit"
    measured = card.data["measured"]
    assert measured["mnist_test_accuracy"] >= 0.993
    assert 0 < measured["image_scan_accuracy"] <= 1
    # Unseen writers are measured on writer-disjoint folds of the same recipe, mean and spread.
    folds = measured["writer_folds"]
    assert folds["folds"] == folds["of"] >= 3
    assert folds["pen_accuracy"]["mean"] >= 0.98 and folds["pen_accuracy"]["min"] <= folds["pen_accuracy"]["mean"]
    assert folds["pen_not_a_character"]["mean"] <= 0.02
    assert card.data["reject"]["sure_threshold"] == folds["sure_threshold"]
    assert card.data["training_data"]["counts"]["pen_writers"] >= 280
    assert "Guyon" in card.data["training_data"]["sources"]["unipen"]
    assert card.data["quick"] is False
    reject = measured["reject_unseen"]
    assert reject["non_characters"] == 1000 and reject["non_characters_flagged"] >= 0.9


@pytest.mark.slow
def test_digits_reads_mnist_test(digits, mnist):
    model, card = digits
    test = mnist.split("test").take(slice(0, 1000))
    probabilities = predict_batch(model, test.images, card.outputs)
    # The answer is the most likely digit; the last output only says "not a digit" besides.
    accuracy = (probabilities[:, :10].argmax(axis=1) == test.labels).mean()
    assert accuracy >= 0.99, accuracy
    assert (probabilities.argmax(axis=1) == 10).mean() <= 0.01


@pytest.mark.slow
def test_letters_reads_fonts_it_never_trained_on():
    model, card = library.load_model("letters")
    assert card.bundled and len(card.label_names) == 27 and card.label_names[0] == "A"
    assert card.label_names[-1] == card.data["reject"]["label"] == "not-a-character"
    assert "training_data" in card.data and "measured" in card.data
    folds = card.data["measured"]["writer_folds"]
    assert folds["folds"] >= 3 and folds["pen_accuracy"]["mean"] >= 0.9
    assert folds["pen_not_a_character"]["mean"] <= 0.02
    held = [f["font"] for f in card.data["training_data"].get("heldout_fonts") or []]
    assert len(held) >= 10 and all(f["licence"] for f in card.data["training_data"]["fonts"])
    measured = card.data["measured"]
    assert measured["heldout_fonts_distorted"]["accuracy"] >= 0.85
    assert measured["reject_unseen"]["non_characters_flagged"] >= 0.9
    sources = []
    for described in held:
        kind, _, name = described.partition(":")
        if kind == "hershey":
            sources.append(LetterSource(name, "hershey"))
        else:
            sources += [s for s in _installed_ttf() if s.describe() == described]
    if not sources:
        pytest.skip("the held-out letter fonts are not installed here")
    clean = synthetic_letters(1, sources=sources, seed=11, distort=False).split
    distorted = synthetic_letters(2, sources=sources, seed=12).split
    for split, floor in ((clean, 0.9), (distorted, 0.85)):
        accuracy = (predict_batch(model, split.images, card.outputs).argmax(axis=1) == split.labels).mean()
        assert accuracy >= floor, (len(split), accuracy)


def _installed_ttf():
    from core.datasets.letter_fonts import fontsource_sources, ttf_sources

    return ttf_sources() + fontsource_sources()


@pytest.mark.slow
def test_quick_run_trains_and_saves_both_models(tmp_path, capsys):
    assert main(["all", "--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "[digits] saved" in out and "[letters] saved" in out
    for name, classes in (("digits", 10), ("letters", 26)):
        card = json.loads((tmp_path / name / "card.json").read_text())
        # Every class, plus "not-a-character": the reject class the card names.
        assert card["classes"] == classes + 1 and card["quick"] is True
        assert card["label_names"][-1] == card["reject"]["label"] == "not-a-character"
        assert 0.5 <= card["reject"]["sure_threshold"] < 1 and card["reject"]["method"]
        assert card["training_data"]["summary"] and card["training_data"]["counts"]["doodles"] > 0
        model, loaded = library.load_model(tmp_path / name)
        assert loaded.label_names == tuple(card["label_names"])
    digits_card = json.loads((tmp_path / "digits" / "card.json").read_text())
    for key in ("mnist_test_accuracy", "image_scan_accuracy", "reject_unseen", "writer_folds"):
        assert key in digits_card["measured"]
    assert digits_card["measured"]["reject_unseen"]["non_characters"] == 1000


def test_letters_use_emnist_when_it_is_there(tmp_path, monkeypatch, shared_data):
    """`make models` adds real EMNIST letters when they are here: a tiny one in the real format is used."""
    from tools import real_writers as rw

    folder = tmp_path / "data" / "emnist-letters"
    folder.mkdir(parents=True)
    letters = synthetic_letters(1, sources=[LetterSource("futural", "hershey")], seed=0).split
    for split in ("train", "test"):
        # EMNIST stores images transposed and labels 1..26.
        write_idx(folder / f"emnist-letters-{split}-images-idx3-ubyte.gz", letters.images.transpose(0, 2, 1))
        write_idx(folder / f"emnist-letters-{split}-labels-idx1-ubyte.gz", letters.labels + 1)
    monkeypatch.setenv("INKLAB_DATA_PATH", f"{tmp_path / 'data'}:{shared_data}")
    pen = letters.images[:4]
    pool = rw.PenPool(pen, letters.labels[:4], np.array(["a/1"] * 4), pen, letters.labels[:4], np.array(["a/1"] * 4))
    doodles = rw.DoodlePool(pen[:2], np.array(["cat", "cat"]), pen[:2], np.array(["cat", "cat"]))
    recipe = dict(rw.RECIPES["letters"], fonts=False, non_characters=4)
    data, counts = rw.training_set("letters", recipe, pool, doodles, set(), set(), test=letters, quick=True)
    assert counts["emnist"] == len(letters) and len(data.split("train")) == 4 + len(letters) + 4 + 1  # quick: every 20th doodle
    assert "EMNIST letters" in rw.describe_training("letters", recipe, counts)["summary"]


def test_a_missing_unipen_archive_says_what_it_is_and_where_it_is_published(monkeypatch, tmp_path):
    from core.errors import DataError
    from tools.real_writers import locate_unipen

    monkeypatch.setenv("INKLAB_DATA_PATH", str(tmp_path))
    with pytest.raises(DataError) as err:
        locate_unipen()
    message = str(err.value)
    assert "unipen-1abc.tar.xz" in message and "zenodo.1195803" in message and "Guyon" in message
