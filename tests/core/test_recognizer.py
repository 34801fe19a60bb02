"""The recognizer: one drawing fast, many in batches, honest when unsure, strict about input."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from core.errors import DrawingError, ModelError
from core.models.recognizer import Prediction, Recognizer, RecognizerCache
from tests.helpers.models import DIGITS, card_of, install_tiny_model, tiny_model_folder

BUNDLED_DIGITS = Path(__file__).resolve().parents[2] / "resources" / "models" / "digits"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, mnist) -> Recognizer:
    folder = tiny_model_folder(tmp_path_factory, mnist)
    return Recognizer.load(folder)


def _one_stroke(points) -> list[np.ndarray]:
    return [np.asarray(points, np.float32)]


def test_predicts_real_mnist_test_digits(tiny: Recognizer, mnist) -> None:
    test = mnist.split("test").take(slice(0, 300))
    predictions = tiny.predict_many(test.images)
    assert len(predictions) == 300
    accuracy = np.mean([p.index == y for p, y in zip(predictions, test.labels, strict=True)])
    assert accuracy > 0.9
    # One at a time gives the same answers as the batch (same graph, same weights).
    for i in range(5):
        single = tiny.predict(test.images[i].astype(np.float32) / 255.0)
        assert single.label == predictions[i].label
        np.testing.assert_allclose(single.probabilities, predictions[i].probabilities, atol=1e-5)


def test_logits_become_probabilities(tiny: Recognizer, mnist) -> None:
    assert tiny.outputs == "logits"
    p = tiny.predict(mnist.split("test").images[0])
    assert p.probabilities.shape == (10,)
    assert p.probabilities.min() >= 0
    assert p.probabilities.sum() == pytest.approx(1.0, abs=1e-4)
    assert p.top[0] == (p.label, pytest.approx(p.confidence))
    assert [label for label, _ in p.top] == [DIGITS[i] for i in np.argsort(p.probabilities)[::-1][:5]]
    assert p.image is not None and p.image.shape == (28, 28)


@pytest.mark.parametrize(
    "bad",
    [np.zeros((28, 27), np.float32), np.zeros((1, 28, 28), np.float32), np.zeros(784, np.float32), "seven"],
)
def test_refuses_wrong_shape(tiny: Recognizer, bad) -> None:
    with pytest.raises(DrawingError, match="28x28"):
        tiny.predict(bad)


def test_refuses_blank_nan_and_out_of_range(tiny: Recognizer) -> None:
    with pytest.raises(DrawingError, match="blank"):
        tiny.predict(np.zeros((28, 28), np.float32))
    nan = np.zeros((28, 28), np.float32)
    nan[3, 3] = np.nan
    with pytest.raises(DrawingError, match="NaN"):
        tiny.predict(nan)
    with pytest.raises(DrawingError, match="0..1"):
        tiny.predict(np.full((28, 28), 7.0, np.float32))
    with pytest.raises(DrawingError, match=r"\(N, 28, 28\)"):
        tiny.predict_many(np.zeros((4, 28, 28, 1), np.float32))


def test_unsure_message_names_the_two_candidates() -> None:
    import keras

    # A model whose output is fixed: 0.45 for "3", 0.40 for "8", the rest spread thin.
    probs = np.full(10, 0.15 / 8, np.float32)
    probs[3], probs[8] = 0.45, 0.40
    model = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
    )
    kernel = np.zeros((784, 10), np.float32)
    model.layers[-1].set_weights([kernel, np.log(probs)])
    recognizer = Recognizer(model, card_of(name="fixed", label_names=list(DIGITS), outputs="softmax"))
    image = np.zeros((28, 28), np.float32)
    image[10:18, 13:15] = 1.0
    p = recognizer.predict(image)
    assert p.label == "3"
    assert p.unsure
    assert p.message == "not sure: 3 or 8?"
    linear = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    linear.layers[-1].set_weights([kernel, np.where(np.arange(10) == 7, 9.0, 0.0).astype(np.float32)])
    q = Recognizer(linear, card_of(name="fixed", label_names=list(DIGITS), outputs="logits")).predict(image)
    assert q.label == "7" and not q.unsure and "not sure" not in q.message


def test_recognizes_strokes_and_images(tiny: Recognizer, tmp_path: Path) -> None:
    from PIL import Image

    one = _one_stroke([(200, 40 + 8 * i) for i in range(40)])  # a vertical bar, screen coordinates
    assert tiny.recognize_strokes(one).label == "1"
    # Pad strokes carry a time column too; it is ignored.
    with_time = [np.column_stack([one[0], np.full(40, 0.5), np.arange(40) / 100]).astype(np.float32)]
    assert tiny.recognize_strokes(with_time).label == "1"
    with pytest.raises(DrawingError):
        tiny.recognize_strokes([])
    # A photo-like picture: a dark bar on a large light page.
    page = np.full((300, 240), 235, np.uint8)
    page[60:240, 112:126] = 20
    Image.fromarray(page).save(tmp_path / "one.png")
    assert tiny.recognize_image(tmp_path / "one.png").label == "1"


def test_cache_loads_once_and_is_thread_safe(tmp_path_factory, mnist) -> None:
    name = install_tiny_model(tmp_path_factory, mnist)
    cache = RecognizerCache()
    assert cache.cached(name) is None
    results: list[Recognizer] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get(name))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3 and all(r is results[0] for r in results)
    assert cache.cached(name) is results[0]
    # Predictions from several threads at once on the same model stay correct (the lock).
    image = np.zeros((28, 28), np.float32)
    image[4:24, 13:15] = 1.0
    answers: list[Prediction] = []
    workers = [threading.Thread(target=lambda: answers.extend(results[0].predict(image) for _ in range(20)))
               for _ in range(3)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert len({a.label for a in answers}) == 1 and len(answers) == 60
    cache.invalidate(name)
    assert cache.cached(name) is None
    with pytest.raises(ModelError):
        cache.get("no-such-model")


def test_the_card_names_the_answers_and_a_card_without_classes_is_refused(tiny: Recognizer, tmp_path) -> None:
    from core.models.card import ModelCard

    assert tiny.card.answers == tuple(DIGITS) and tiny.card.reject_label is None
    with pytest.raises(ModelError, match="no usable label names"):
        ModelCard.of({"format": "inklab-model-card", "name": "x", "outputs": "logits"}, tmp_path / "card.json")


@pytest.mark.slow
def test_bundled_digits_model_reads_real_pen_digits(shared_data: Path) -> None:
    """500 real pendigits samples drawn on a tablet, through the pad's exact path, >= 95%."""
    from core.datasets.readers.unipen import load_pendigits_strokes

    samples = load_pendigits_strokes(shared_data / "pendigits")
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(samples), 500, replace=False)
    recognizer = Recognizer.load("digits")
    correct = 0
    for i in chosen:
        sample = samples[int(i)]
        # Tablet y points up; the pad's y points down: flip, as if drawn on the pad.
        pad_strokes = [np.column_stack([s[:, 0], -s[:, 1]]) for s in sample.strokes]
        correct += recognizer.recognize_strokes(pad_strokes).index == sample.label
    assert correct / 500 >= 0.95, f"only {correct / 500:.1%} of 500 real pen digits recognised"
