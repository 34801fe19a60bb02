"""The "words" option: the bundled word list, reading a list safely, and matching letters to words."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from core.cli import run_cli
from core.errors import DataError, ModelError
from core.models import words as W
from tests.helpers.letters import written_word

LETTERS = [chr(65 + i) for i in range(26)]


def line_of(text: str, sure: float = 0.9) -> np.ndarray:
    """Per-character probabilities over A-Z that read ``text``, each letter ``sure``."""
    p = np.full((len(text), 26), (1 - sure) / 25)
    for k, c in enumerate(text.upper()):
        p[k] = (1 - sure) / 25
        p[k, ord(c) - 65] = sure
    return p


def test_the_bundled_list_is_english_commonest_first() -> None:
    words = W.load_word_list()
    assert 30_000 < len(words) < 50_000
    assert "cat" in words.words[3] and "window" in words.words[6]
    # Tier 1 (SCOWL's commonest) costs nothing, later tiers cost more.
    assert words.priors[3][words.words[3].index("the")] == 0.0
    assert words.priors[3].min() < 0.0


def segmentation(parts: int, runs=(), priors=None):
    """What :func:`W.match_groupings` reads of a line's segmentation: its parts, joins and priors."""
    runs = list(runs)
    return SimpleNamespace(parts=[None] * parts, runs=runs, model_weight=1.0,
                           priors=priors if priors is not None else [0.0] * (parts + len(runs)))


def letters_total(p: np.ndarray) -> float:
    return float(np.log(p.max(axis=1)).sum())


def test_a_close_word_is_taken_and_a_code_stays_letter_by_letter() -> None:
    words = W.parse_word_list("cat\ncar\ndog\n", "small.txt")
    p = line_of("CAT")
    p[1] = line_of("O", 0.55)[0]  # the A was read as an O, the A close behind
    p[1, 0] = 0.4
    found = W.match_groupings(p, segmentation(3), letters_total(p), "cot", words)
    assert (found.word, found.letters, found.grouping) == ("cat", "cot", (0, 1, 2)) and found.cost > 0
    code = line_of("XQZ", 0.95)
    assert W.match_groupings(code, segmentation(3), letters_total(code), "xqz", words).word is None
    four = line_of("CATS")
    assert W.match_groupings(four, segmentation(4), letters_total(four), "cats", words).word is None


def test_a_word_may_group_the_parts_as_the_letters_did_not() -> None:
    """An A written as two strokes read I and L apart; joined (candidate 4) they are the A of CAT."""
    words = W.parse_word_list("cat\ncilt\n", "small.txt")
    p = np.vstack([line_of("CILT"), line_of("A", 0.8)])
    found = W.match_groupings(p, segmentation(4, [(1, 3)], [0, 0, 0, 0, -1.0]), letters_total(p[:4]), "cilt",
                              W.parse_word_list("cat\n", "small.txt"))
    assert (found.word, found.grouping) == ("cat", (0, 4, 3))
    # When the letters as grouped are a word too, the likelier reading wins.
    assert W.match_groupings(p, segmentation(4, [(1, 3)], [0, 0, 0, 0, -1.0]), letters_total(p[:4]), "cilt",
                             words).word == "cilt"
    assert W.groupings(3, [(1, 3)]) == [(0, 1, 2), (0, 3)]
    assert len(W.groupings(40, [(k, k + 2) for k in range(39)], cap=100)) == 100  # bounded


def test_a_model_with_no_letters_is_refused() -> None:
    with pytest.raises(ModelError, match="does not read letters"):
        W.letter_matrix([str(d) for d in range(10)], "the digits model")


@pytest.mark.parametrize(("text", "message"), [
    ("cat\nd0g\n", "bad.txt:2: a word is 1-24 letters a-z, not 'd0g'"),
    ("#tier two\ncat\n", "bad.txt:1: '#tier' needs a number"),
    ("# only a comment\n\n", "bad.txt: no words in this file"),
    ("a" * 30, "bad.txt:1: a word is 1-24 letters"),
    ("caté\n", "bad.txt:1: a word is 1-24 letters a-z, not 'caté'"),
])
def test_a_bad_word_list_is_one_clear_message(text: str, message: str) -> None:
    with pytest.raises(DataError, match=message.replace("(", r"\(")):
        W.parse_word_list(text, "bad.txt")


def test_a_word_list_is_bounded(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(W, "MAX_WORDS", 2)
    with pytest.raises(DataError, match="3 words; InkLab reads at most 2"):
        W.parse_word_list("cat\ndog\nemu\n", "many.txt")
    big = tmp_path / "big.txt"
    big.write_text("cat\n" * 2_000_000)
    with pytest.raises(DataError, match="word list is 8 MB; InkLab reads at most 4 MB"):
        W.load_word_list(big)
    # Duplicates and upper case are folded; the first tier a word appears in is its tier.
    words = W.parse_word_list("Cat\n#tier 2\ncat\ndog\n", "mixed.txt")
    assert words.words[3] == ["cat", "dog"] and list(words.priors[3]) == [0.0, -W.TIER_COST]


@pytest.fixture(scope="module")
def letters():
    from core.models.recognizer import Recognizer

    return Recognizer.load("letters")


def test_the_words_option_reads_lion_where_letters_alone_read_llon(letters) -> None:
    from core.models.reading import read_strokes

    alone = read_strokes(letters, written_word("LION"))
    assert alone.text == "LLON" and alone.word is None  # a plain bar: I or l, the model cannot tell
    worded = read_strokes(letters, written_word("LION"), words=W.load_word_list())
    assert worded.text == "LION" and worded.word.word == "lion"
    assert worded.characters[1].label == "I" and worded.characters[1].prediction.label == "L"
    assert 0 < worded.characters[1].confidence < worded.characters[1].prediction.confidence
    # A code no word is close to reads letter by letter, option or not.
    code = read_strokes(letters, written_word("HTN"), words=W.load_word_list())
    assert code.text == "HTN" and code.word.word is None


def test_recognize_multi_words_on_the_command_line(tmp_path, capsys) -> None:
    path = tmp_path / "lion.json"
    path.write_text(json.dumps({"strokes": [s.tolist() for s in written_word("LION")]}))
    assert run_cli(["recognize", "--multi", "--words", "--model", "letters", "--json", str(path)]) == 0
    row = json.loads(capsys.readouterr().out)
    assert (row["text"], row["word"], row["letters"]) == ("LION", "lion", "LLON")
    assert run_cli(["recognize", "--multi", "--model", "letters", "--json", str(path)]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["text"] == "LLON" and "word" not in row  # letter by letter unless asked

    assert run_cli(["recognize", "--multi", "--words", "--model", "letters", str(path)]) == 0
    assert "(word list: letters LLON)" in capsys.readouterr().out


@pytest.mark.parametrize(("extra", "message"), [
    (["--words"], "--words reads a line of several characters: add --multi"),
    (["--multi", "--words", "--model", "digits"], "the digits model does not read letters"),
    (["--multi", "--model", "letters", "--word-list", "WORDS"], "words.txt:2: a word is 1-24 letters"),
])
def test_recognize_words_refuses_what_it_cannot_do(tmp_path, capsys, extra, message) -> None:
    path = tmp_path / "lion.json"
    path.write_text(json.dumps({"strokes": [s.tolist() for s in written_word("LION")]}))
    bad = tmp_path / "words.txt"
    bad.write_text("cat\nno way\n")
    args = ["recognize", *[str(bad) if a == "WORDS" else a for a in extra], str(path)]
    assert run_cli(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
