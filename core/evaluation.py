"""How good a trained model is on a split: the numbers a class looks at after a run.

The model is called once per batch (:func:`core.models.inference.predict_batch`); everything after
that — loss, accuracy, per-class precision and recall, confusion matrix, the ranked
mistakes — is plain numpy on the probabilities, so it is testable without TensorFlow and
reusable for any model that gives probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.datasets.dataset import Split
from core.errors import ModelError
from core.models.inference import predict_batch


@dataclass(frozen=True)
class Mistake:
    """A misclassified sample: its index in the split, the labels, and how sure the model was."""

    index: int
    true: int
    predicted: int
    probability: float  # the model's probability for its (wrong) prediction


@dataclass(frozen=True)
class Evaluation:
    """The results on one split.  ``confusion[i, j]`` counts samples of class i predicted as j.

    Precision of a class never predicted, and recall of a class with no samples, are 0.
    ``mistakes`` are ranked most confident first: the errors a class should look at.
    """

    loss: float
    accuracy: float
    label_names: tuple[str, ...]
    counts: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    confusion: np.ndarray
    mistakes: list[Mistake]

    @property
    def samples(self) -> int:
        return int(self.confusion.sum())

    def per_class(self) -> list[dict]:
        """One row per class: label, count, precision, recall (for tables and JSON)."""
        return [
            {
                "label": label,
                "count": int(self.counts[i]),
                "precision": float(self.precision[i]),
                "recall": float(self.recall[i]),
            }
            for i, label in enumerate(self.label_names)
        ]

    def metrics(self) -> dict:
        """The headline numbers, small enough for a model card."""
        return {"loss": self.loss, "accuracy": self.accuracy, "samples": self.samples}

    def as_dict(self, max_mistakes: int | None = 100) -> dict:
        """Everything as JSON-able data (``evaluate --json``)."""
        mistakes = self.mistakes if max_mistakes is None else self.mistakes[:max_mistakes]
        return {
            **self.metrics(),
            "label_names": list(self.label_names),
            "per_class": self.per_class(),
            "confusion": self.confusion.tolist(),
            "mistakes_total": len(self.mistakes),
            "mistakes": [
                {"index": m.index, "true": m.true, "predicted": m.predicted, "probability": m.probability}
                for m in mistakes
            ],
        }


def score(probabilities: np.ndarray, labels: np.ndarray, label_names: tuple[str, ...]) -> Evaluation:
    """Evaluate given class probabilities (N, n_classes) against integer labels (N,)."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    n_classes = len(label_names)
    if probabilities.ndim != 2 or probabilities.shape[1] != n_classes:
        raise ModelError(
            f"the model gives {probabilities.shape[-1]} outputs but the data set has {n_classes} classes"
        )
    if len(probabilities) != len(labels):
        raise ModelError(f"{len(probabilities)} predictions for {len(labels)} labels")
    predicted = probabilities.argmax(axis=1) if len(labels) else np.zeros(0, np.int64)
    confusion = np.bincount(labels * n_classes + predicted, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes
    )
    counts = confusion.sum(axis=1)
    predicted_counts = confusion.sum(axis=0)
    hits = np.diag(confusion)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted_counts > 0, hits / np.maximum(predicted_counts, 1), 0.0)
        recall = np.where(counts > 0, hits / np.maximum(counts, 1), 0.0)
    n = len(labels)
    true_p = probabilities[np.arange(n), labels] if n else np.zeros(0)
    loss = float(-np.mean(np.log(np.clip(true_p, 1e-7, 1.0)))) if n else float("nan")
    accuracy = float(hits.sum() / n) if n else float("nan")
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    order = wrong[np.argsort(-confidence, kind="stable")]
    mistakes = [
        Mistake(int(i), int(labels[i]), int(predicted[i]), float(probabilities[i, predicted[i]])) for i in order
    ]
    return Evaluation(
        loss=loss,
        accuracy=accuracy,
        label_names=tuple(label_names),
        counts=counts,
        precision=precision.astype(np.float64),
        recall=recall.astype(np.float64),
        confusion=confusion.astype(np.int64),
        mistakes=mistakes,
    )


def evaluate(model, split: Split, label_names: tuple[str, ...], outputs: str | None = None,
             should_stop=None) -> Evaluation:
    """Run ``model`` over ``split`` and score it.  ``outputs``: "logits" or "softmax" (None: guess).

    ``should_stop()``, checked between batches, cuts it short (:class:`core.errors.Cancelled`).
    Must not run while another thread trains or predicts with the same model.
    """
    probabilities = predict_batch(model, split.images, outputs, should_stop=should_stop)
    return score(probabilities, split.labels, tuple(label_names))
