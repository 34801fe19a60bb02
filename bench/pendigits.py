"""``python -m bench.pendigits``: how well the bundled digits model reads real pen handwriting.

Renders every sample of ``pendigits-orig.tra`` (30 writers, real tablet strokes) through the
drawing pad's pipeline (``render_strokes(..., y_up=True)``) and predicts them in batches
with the bundled ``digits`` model.  Since issue 21 the bundled model trains on every
pendigits writer (its numbers on unseen writers are the card's ``measured.writer_folds``),
so ``heldout_writers_accuracy`` is None for it and ``overall_accuracy`` is an upper bound;
a model whose card names held-out writers (``pen_heldout_writers``) gets them measured.  Also ``mnist_test_accuracy`` on
the full MNIST test set.  The same numbers on the model's LiteRT copy (what the Draw tab and
``recognize`` run) beside Keras': accuracy must match within 0.1 point and the labels agree
on >= 99.9% of MNIST test.  Prints ONE JSON object.
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench import shared_data


def _accuracy(predicted: np.ndarray, labels: np.ndarray) -> float | None:
    return round(float((predicted == labels).mean()), 4) if len(labels) else None


def main() -> int:
    from core.datasets.builtin import BUILT_IN
    from core.datasets.readers.unipen import load_pendigits_strokes, render_samples
    from core.models.inference import predict_batch
    from core.models.library import load_model

    data = shared_data()
    from core.models import litert

    model, card = load_model("digits")
    lite = litert.load_for_card(card)
    if lite is None:
        raise RuntimeError("the digits model has no usable LiteRT file")

    def lite_probabilities(images: np.ndarray) -> np.ndarray:
        x = images.astype(np.float32) / 255.0 if images.dtype == np.uint8 else images.astype(np.float32)
        raw = np.concatenate([lite.run(x[i : i + 256]) for i in range(0, len(x), 256)])
        return litert.softmax(raw) if card.outputs == "logits" else raw

    heldout = [int(w) for w in (card.data.get("measured") or {}).get("pen_heldout_writers", [])]

    t0 = time.perf_counter()
    samples = load_pendigits_strokes(data / "pendigits")
    images = render_samples(samples)
    render_s = time.perf_counter() - t0
    labels = np.array([s.label for s in samples])
    writers = np.array([s.writer for s in samples])
    t0 = time.perf_counter()
    predicted = predict_batch(model, images, card.outputs).argmax(axis=1)
    predict_s = time.perf_counter() - t0
    held = np.isin(writers, heldout)

    mnist_spec = next(spec for spec in BUILT_IN if spec.name == "mnist")
    test = mnist_spec.load(data / "mnist").split("test")
    mnist_predicted = predict_batch(model, test.images, card.outputs).argmax(axis=1)
    t0 = time.perf_counter()
    lite_predicted = lite_probabilities(images).argmax(axis=1)
    lite_s = time.perf_counter() - t0
    mnist_lite = lite_probabilities(test.images).argmax(axis=1)
    mnist_keras_p = predict_batch(model, test.images, card.outputs)
    mnist_diff = float(np.max(np.abs(lite_probabilities(test.images) - mnist_keras_p)))

    result = {
        "model": card.name,
        "samples": len(labels),
        "writers": len(set(writers.tolist())),
        "heldout_writers": heldout,
        "heldout_samples": int(held.sum()),
        "heldout_writers_accuracy": _accuracy(predicted[held], labels[held]),
        "heldout_per_class": {
            str(c): _accuracy(predicted[held & (labels == c)], labels[held & (labels == c)]) for c in range(10)
        },
        "trained_writers_accuracy": _accuracy(predicted[~held], labels[~held]),
        "overall_accuracy": _accuracy(predicted, labels),
        "per_class": {str(c): _accuracy(predicted[labels == c], labels[labels == c]) for c in range(10)},
        "mnist_test_accuracy": _accuracy(mnist_predicted, test.labels),
        "mnist_test_samples": len(test.labels),
        "render_ms_per_sample": round(1000 * render_s / len(labels), 3),
        "predict_ms_per_sample": round(1000 * predict_s / len(labels), 4),
        "litert": {
            "heldout_writers_accuracy": _accuracy(lite_predicted[held], labels[held]),
            "overall_accuracy": _accuracy(lite_predicted, labels),
            "mnist_test_accuracy": _accuracy(mnist_lite, test.labels),
            "pendigits_label_agreement": round(float((lite_predicted == predicted).mean()), 5),
            "mnist_label_agreement": round(float((mnist_lite == mnist_predicted).mean()), 5),
            "mnist_max_abs_diff_probability": float(f"{mnist_diff:.3g}"),
            "predict_ms_per_sample": round(1000 * lite_s / len(labels), 4),
        },
    }
    result["writer_folds"] = (card.data.get("measured") or {}).get("writer_folds")
    result["litert"]["meets_target"] = bool(
        abs(result["litert"]["overall_accuracy"] - result["overall_accuracy"]) <= 0.001
        and abs(result["litert"]["mnist_test_accuracy"] - result["mnist_test_accuracy"]) <= 0.001
        and result["litert"]["mnist_label_agreement"] >= 0.999
    )
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
