"""Non-characters (scribbles, zigzags...) drawn as pad strokes, and the recognizer's verdict on them."""

from __future__ import annotations

import numpy as np
import pytest

from core.datasets.non_characters import KINDS, non_character_images, non_character_strokes
from core.labels import NOT_A_CHARACTER
from core.models.recognizer import Recognizer, reject_status
from tests.helpers.models import card_of


def test_every_kind_comes_in_turn_and_the_same_seed_gives_the_same_strokes() -> None:
    first = non_character_strokes(2 * len(KINDS), seed=3)
    again = non_character_strokes(2 * len(KINDS), seed=3)
    assert [k for k, _ in first] == list(KINDS) * 2
    for (_, a), (_, b) in zip(first, again, strict=True):
        assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    other = non_character_strokes(len(KINDS), seed=4)
    assert not np.array_equal(first[0][1][0], other[0][1][0])


def test_strokes_look_like_a_pad_drawing() -> None:
    for kind, strokes in non_character_strokes(3 * len(KINDS), seed=0):
        assert strokes, kind
        for s in strokes:
            assert s.ndim == 2 and s.shape[1] == 2 and np.isfinite(s).all()
            if len(s) > 2:  # points about 2 px apart, as the pad sends them
                assert np.hypot(*np.diff(s, axis=0).T).max() < 6, kind


def test_zigzags_have_more_turns_than_any_letter() -> None:
    """A "W" has four segments; a zigzag here at least six (five turns)."""
    rng = np.random.default_rng(0)
    for _ in range(20):
        (stroke,) = KINDS["zigzag"](rng)
        heading = np.diff(stroke, axis=0)
        # Turns: where the across-direction component changes sign, counted on the coarse path.
        coarse = stroke[:: max(1, len(stroke) // 60)]
        across = np.diff(coarse, axis=0)
        axis = 1 if np.ptp(coarse[:, 0]) > np.ptp(coarse[:, 1]) else 0
        signs = np.sign(across[:, axis])
        signs = signs[signs != 0]
        assert (signs[1:] != signs[:-1]).sum() >= 5 and len(heading) > 10


def test_rendered_through_the_pads_renderer() -> None:
    images = non_character_images(16, seed=1)
    assert images.shape == (16, 28, 28) and images.dtype == np.uint8
    assert (images.reshape(16, -1).max(axis=1) > 200).all()
    widths = non_character_images(16, seed=1, pen_width=(1.8, 3.2))
    assert not np.array_equal(images, widths)  # another pen, another image


@pytest.mark.parametrize(
    ("probabilities", "status"),
    [
        ([0.97, 0.02, 0.01], "sure"),
        ([0.80, 0.15, 0.05], "unsure"),  # below the threshold
        ([0.50, 0.45, 0.05], "unsure"),  # too close to the runner-up
        ([0.30, 0.20, 0.50], "not-a-character"),  # the reject class wins
    ],
)
def test_reject_status(probabilities, status) -> None:
    assert reject_status(np.array(probabilities), sure_threshold=0.9) == status


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


def _constant_recognizer(keras, logits: list[float], reject: bool = True) -> Recognizer:
    """A model that answers the same logits for every drawing, with a card that has a reject class."""
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(len(logits))])
    kernel, _ = model.layers[-1].get_weights()
    model.layers[-1].set_weights([np.zeros_like(kernel), np.asarray(logits, np.float32)])
    names = ["A", "B", NOT_A_CHARACTER] if reject else ["A", "B", "C"]
    card = {"name": "constant", "label_names": names, "outputs": "logits"}
    if reject:
        card["reject"] = {"label": NOT_A_CHARACTER, "sure_threshold": 0.9, "noun": "letter"}
    return Recognizer(model, card_of(**card))


def test_the_reject_class_is_an_output_never_an_answer(keras) -> None:
    image = np.zeros((28, 28), np.float32)
    image[10:18, 12:15] = 1.0
    scribble = _constant_recognizer(keras, [1.0, 0.0, 3.0]).predict(image)
    assert scribble.status == "not-a-character" and scribble.unsure
    assert scribble.message == "not a letter"
    assert scribble.label == "A" and scribble.probabilities.shape == (2,)  # the best real class, still given
    assert [label for label, _ in scribble.top] == ["A", "B"]
    sure = _constant_recognizer(keras, [6.0, 0.0, 0.0]).predict(image)
    assert sure.status == "sure" and not sure.unsure and sure.label == "A"
    unsure = _constant_recognizer(keras, [2.0, 0.0, 0.5]).predict(image)
    assert unsure.status == "unsure" and unsure.message.startswith("not sure")
    recognizer = _constant_recognizer(keras, [1.0, 0.0, 3.0])
    assert recognizer.label_names == ["A", "B"] and recognizer.n_classes == 2
    assert [p.status for p in recognizer.predict_many(np.stack([image, image]))] == ["not-a-character"] * 2


def test_models_without_a_reject_class_say_sure_or_unsure(keras) -> None:
    image = np.zeros((28, 28), np.float32)
    image[10:18, 12:15] = 1.0
    p = _constant_recognizer(keras, [1.0, 0.0, 3.0], reject=False).predict(image)
    assert p.label == "C" and p.status == "sure" and p.probabilities.shape == (3,)
    q = _constant_recognizer(keras, [1.0, 1.0, 1.0], reject=False).predict(image)
    assert q.status == "unsure" and q.unsure


def test_cards_with_a_reject_class_list_only_the_answers(tmp_path) -> None:
    from core.models.card import ModelCard

    base = {"format": "inklab-model-card", "outputs": "logits", "label_names": ["A", "B", NOT_A_CHARACTER]}
    card = ModelCard.of({**base, "name": "x", "reject": {"label": NOT_A_CHARACTER}}, tmp_path / "card.json")
    assert card.label_names == ("A", "B", NOT_A_CHARACTER)
    assert card.answers == ("A", "B") and card.reject_label == NOT_A_CHARACTER
    plain = ModelCard.of({**base, "name": "y"}, tmp_path / "card.json")  # no "reject": a class like any other
    assert plain.answers == ("A", "B", NOT_A_CHARACTER) and plain.reject_label is None
