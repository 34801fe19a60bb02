"""A dense-only library model (no convolution) for the Inside view's tests, trained once per session."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from core.labels import DIGITS


def install_dense_model(tmp_path_factory: pytest.TempPathFactory, mnist) -> str:
    """Flatten, Dense 16 relu, Dense 10 (logits), one epoch on 2,000 MNIST digits, in this test's library."""
    from core.models import library

    folder = tmp_path_factory.getbasetemp() / "tiny-models" / "tiny-dense"
    if not (folder / "card.json").is_file():
        import keras

        keras.utils.set_random_seed(2)
        split = mnist.split("train").take(slice(0, 2000))
        model = keras.Sequential([
            keras.Input((28, 28, 1)), keras.layers.Flatten(),
            keras.layers.Dense(16, activation="relu"), keras.layers.Dense(10),
        ])
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(split.images[..., None] / np.float32(255), split.labels, epochs=1, batch_size=64, verbose=0)
        library.save_model(model, "tiny-dense", label_names=DIGITS, outputs="logits", root=folder.parent)
    shutil.copytree(folder, library.models_dir() / folder.name)
    return folder.name
