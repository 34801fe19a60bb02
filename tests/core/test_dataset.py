"""The Dataset model: uint8 storage, class counts, mean images, label checks."""

import numpy as np
import pytest

from core.datasets.dataset import Dataset, Split
from core.errors import DataError


def test_real_mnist_is_uint8_and_balanced_as_published(mnist) -> None:
    train, test = mnist.split("train"), mnist.split("test")
    assert train.images.dtype == np.uint8 and train.images.shape == (60_000, 28, 28)
    assert len(test) == 10_000
    counts = train.class_counts(10)
    assert counts.sum() == 60_000 and counts[1] == 6742 and counts[5] == 5421


def test_mean_images_are_per_class_means(mnist) -> None:
    test = mnist.split("test").take(slice(0, 500))
    means = test.mean_images(10)
    assert means.shape == (10, 28, 28) and means.dtype == np.float32
    sevens = test.images[test.labels == 7].astype(np.float64)
    np.testing.assert_allclose(means[7], sevens.mean(axis=0), rtol=1e-5)


def test_summary_and_missing_split(mnist) -> None:
    summary = mnist.summary()
    assert summary["splits"]["test"]["class_counts"]["0"] == 980
    with pytest.raises(DataError, match="no 'validation' split"):
        mnist.split("validation")


def test_bad_shapes_and_labels_are_refused() -> None:
    with pytest.raises(DataError, match="uint8"):
        Split(np.zeros((2, 28, 28), np.float64), np.zeros(2, np.int64))
    with pytest.raises(DataError, match="2 images but 3 labels"):
        Split(np.zeros((2, 28, 28), np.uint8), np.zeros(3, np.int64))
    with pytest.raises(DataError, match="classes"):
        Dataset("x", ("a", "b"), {"train": Split(np.zeros((1, 28, 28), np.uint8), np.array([5]))})
