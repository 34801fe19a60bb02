"""The writer-disjoint folds the bundled models were chosen on (tools.writer_folds, tools.real_writers)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tools import real_writers
from tools.writer_folds import BIASES, reject_shares, rescore, writer_folds


def test_folds_hold_whole_writers_out_and_never_change():
    writers = [f"w{i % 37}" for i in range(500)]
    folds = writer_folds(writers, 3)
    assert sum(len(f) for f in folds) == 37 and not (folds[0] & folds[1] or folds[1] & folds[2] or folds[0] & folds[2])
    assert all(12 <= len(f) <= 13 for f in folds)
    assert folds == writer_folds(list(reversed(writers)), 3)  # the order of the samples does not matter


def test_reject_bias_sweep_is_the_argmax_of_shifted_logits():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(400, 11))
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    shares = reject_shares(p)
    for b in BIASES:
        shifted = logits.copy()
        shifted[:, -1] += b
        assert shares[f"{b:+.1f}"] == pytest.approx((shifted.argmax(axis=1) == 10).mean(), abs=1e-4)
    assert list(shares.values()) == sorted(shares.values())  # a larger bias never refuses less


def test_the_bias_is_added_to_the_models_reject_logit():
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
    x = np.ones((2, 3), np.float32)
    before = model.predict(x, verbose=0)
    real_writers.add_reject_bias(model, 1.5)
    after = model.predict(x, verbose=0)
    np.testing.assert_allclose(after[:, :-1], before[:, :-1], atol=1e-6)
    np.testing.assert_allclose(after[:, -1], before[:, -1] + 1.5, atol=1e-5)


def _fold_line(fold: int, recipe: dict, accuracy: float, tag: str = "t") -> dict:
    sweep = {f"{b:+.1f}": 0.01 * (i + 1) for i, b in enumerate(BIASES)}
    return {"which": "digits", "tag": tag, "fold": fold, "folds": 3, "recipe": recipe, "held_writers": 10,
            "pen_accuracy": accuracy, "writer_accuracy_min": accuracy - 0.1, "pen_not_a_character": sweep,
            "doodles_not_a_character": sweep, "generated_not_a_character": sweep,
            "sure_threshold": {k: 0.6 for k in sweep}, "confusions": {"1->7": fold + 1}}


def test_the_card_reports_only_folds_of_its_own_recipe(tmp_path, monkeypatch):
    recipe = dict(real_writers.RECIPES["digits"], reject_bias=0.0)
    key = real_writers._recipe_key(recipe)
    other = dict(key, epochs=99)
    lines = [_fold_line(f, key, 0.98 + f / 100) for f in range(3)] + [_fold_line(0, other, 0.5)]
    (tmp_path / "digits.jsonl").write_text("\n".join(map(json.dumps, lines)) + "\n")
    monkeypatch.setattr(real_writers, "FOLD_RESULTS", tmp_path)
    card = real_writers.fold_card("digits", recipe)
    assert card["folds"] == 3 and card["pen_accuracy"] == {"mean": 0.99, "min": 0.98, "max": 1.0}
    assert card["pen_not_a_character"]["mean"] == 0.05  # the share at the recipe's bias (+0.0)
    assert card["confusions"] == {"1->7": 6} and card["sure_threshold"] == 0.6
    assert real_writers.fold_card("digits", dict(recipe, epochs=7)) is None  # never another recipe's numbers


def test_rescore_recomputes_the_sweep_from_the_kept_probabilities(tmp_path):
    p = np.full((4, 3), 0.1)
    p[:, 0] = 0.8
    np.savez(tmp_path / "digits-t-fold0.npz", pen=p, doodles=p[:, ::-1], generated=p[:, ::-1])
    line = _fold_line(0, {}, 0.9)
    (tmp_path / "digits.jsonl").write_text(json.dumps(line) + "\n")
    assert rescore(tmp_path / "digits.jsonl") == 1
    again = json.loads((tmp_path / "digits.jsonl").read_text())
    assert again["pen_not_a_character"]["+0.0"] == 0.0 and again["doodles_not_a_character"]["+0.0"] == 1.0
    assert again["pen_accuracy"] == 0.9  # the rest is kept
