"""The tiny trained model the recognizer, CLI and GUI tests share (trained once per session)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from core.labels import DIGITS

__all__ = ["DIGITS", "install_tiny_model", "tiny_model_folder"]


def tiny_model_folder(tmp_path_factory: pytest.TempPathFactory, mnist) -> Path:
    """A small CNN trained for two epochs on 6,000 real MNIST digits, saved in the library format.

    Built once per test session (other test files reuse the same folder) and copied into
    each test's own library where a test needs it listed.
    """
    folder = tmp_path_factory.getbasetemp() / "tiny-models" / "tiny-digits"
    if (folder / "card.json").is_file():
        return folder
    import keras

    from core.models import library

    keras.utils.set_random_seed(1)
    split = mnist.split("train").take(slice(0, 6000))
    x = split.images.astype(np.float32)[..., None] / 255.0
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(8, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(10),  # logits: the recognizer must apply the softmax itself
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(3e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    model.fit(x, split.labels, epochs=2, batch_size=64, verbose=0)
    library.save_model(model, "tiny-digits", label_names=DIGITS, outputs="logits", root=folder.parent)
    return folder


def install_tiny_model(tmp_path_factory: pytest.TempPathFactory, mnist) -> str:
    """Put the tiny model into this test's user library; returns its name."""
    from core.models import library

    source = tiny_model_folder(tmp_path_factory, mnist)
    shutil.copytree(source, library.models_dir() / source.name)
    return source.name


def card_of(**fields):
    """A :class:`core.models.card.ModelCard` with ``fields`` (e.g. name, label_names, outputs), as if read."""
    from core.models.card import CARD_FORMAT, ModelCard

    return ModelCard.of({"format": CARD_FORMAT, **fields}, Path("card.json"))
