"""Evaluation: the numbers after a run, from probabilities and from a real tiny model."""

from __future__ import annotations

import numpy as np
import pytest

from core.evaluation import evaluate, score
from core.training import TrainingConfig, TrainingRun


def test_score_counts_and_ranks_mistakes() -> None:
    labels = np.array([0, 0, 1, 1, 2])
    probabilities = np.array(
        [
            [0.9, 0.05, 0.05],  # right
            [0.2, 0.7, 0.1],  # wrong: 0 -> 1 at 0.7
            [0.1, 0.8, 0.1],  # right
            [0.05, 0.05, 0.9],  # wrong: 1 -> 2 at 0.9
            [0.3, 0.3, 0.4],  # right
        ]
    )
    result = score(probabilities, labels, ("a", "b", "c"))
    assert result.accuracy == 0.6 and result.samples == 5
    assert result.confusion.tolist() == [[1, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert [(m.index, m.true, m.predicted) for m in result.mistakes] == [(3, 1, 2), (1, 0, 1)]
    assert result.mistakes[0].probability == 0.9
    assert np.allclose(result.precision, [1.0, 0.5, 0.5]) and np.allclose(result.recall, [0.5, 0.5, 1.0])
    assert np.isclose(result.loss, -np.mean(np.log([0.9, 0.2, 0.8, 0.05, 0.4])))
    table = result.as_dict()
    assert table["per_class"][1] == {"label": "b", "count": 2, "precision": 0.5, "recall": 0.5}
    assert table["mistakes_total"] == 2


def test_classes_never_predicted_have_zero_precision() -> None:
    result = score(np.array([[0.9, 0.1, 0.0]]), np.array([0]), ("a", "b", "c"))
    assert result.precision.tolist() == [1.0, 0.0, 0.0] and result.recall.tolist() == [1.0, 0.0, 0.0]


@pytest.mark.slow
def test_evaluate_a_trained_model_on_real_test_data(mnist) -> None:
    session = TrainingRun(
        TrainingConfig(preset="dense-small", epochs=2, batch_size=50, learning_rate=0.01, limit=1000, validation=0),
        data=mnist,
    )
    session.run()
    test = mnist.splits["test"].take(slice(0, 500))
    result = evaluate(session.model, test, mnist.label_names, session.outputs)
    assert result.confusion.shape == (10, 10) and result.confusion.sum() == 500
    assert result.counts.tolist() == np.bincount(test.labels, minlength=10).tolist()
    assert np.isclose(result.accuracy, np.trace(result.confusion) / 500)
    confidences = [m.probability for m in result.mistakes]
    assert confidences == sorted(confidences, reverse=True)
    assert len(result.mistakes) == 500 - np.trace(result.confusion)
    assert all(test.labels[m.index] == m.true != m.predicted for m in result.mistakes)
    assert result.accuracy > 0.3  # far above chance (0.1) after a few dozen steps
    same = session.evaluate(limit=500)
    assert np.array_equal(same.confusion, result.confusion)
