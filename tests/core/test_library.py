"""The model library: save and reload identically, refuse bad files clearly, list/rename/delete."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.errors import ModelError
from core.models import library
from core.models.inference import predict_batch
from core.training import TrainingConfig, TrainingRun


@pytest.fixture(scope="module")
def trained(mnist):
    """One tiny trained session shared by the module's tests (each saves into its own folder)."""
    session = TrainingRun(
        TrainingConfig(preset="dense-small", epochs=1, batch_size=100, limit=600, validation=100), data=mnist
    )
    session.run()
    return session


@pytest.mark.slow
def test_save_then_load_predicts_identically(trained, mnist) -> None:
    card = trained.save("first")
    assert card.model_path.is_file() and card.card_path.is_file()
    model, loaded = library.load_model("first")
    images = mnist.splits["test"].images[:64]
    assert np.allclose(
        predict_batch(model, images, loaded.outputs), predict_batch(trained.model, images, trained.outputs), atol=1e-6
    )
    data = json.loads(card.card_path.read_text())
    assert data["label_names"] == list(mnist.label_names) and data["outputs"] == "logits"
    assert data["input"] == {"shape": [28, 28, 1], "dtype": "float32", "range": [0, 1], "ink": "white on black"}
    assert data["preset"] == "dense-small" and data["training"]["epochs"] == 1
    assert data["dataset"]["train_samples"] == 500 and data["history"]["epoch"] == [1]
    assert {"tensorflow", "keras"} <= set(data["versions"]) and isinstance(data["preprocess_version"], int)


@pytest.mark.slow
def test_load_from_explicit_paths(trained, tmp_path: Path) -> None:
    card = trained.save("by-path")
    _, from_folder = library.load_model(card.folder)
    assert from_folder.name == "by-path"
    loose = tmp_path / "mine.keras"
    loose.write_bytes(card.model_path.read_bytes())
    (tmp_path / "mine.json").write_text(card.card_path.read_text())
    model, _ = library.load_model(str(loose))
    assert model.outputs[0].shape[-1] == 10


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["random", "truncated", "text"])
def test_corrupt_model_file_is_refused_clearly(trained, damage: str) -> None:
    card = trained.save("broken")
    good = card.model_path.read_bytes()
    bad = {
        "random": np.random.default_rng(0).bytes(5000),
        "truncated": good[: len(good) // 2],
        "text": b"this is not a model\n",
    }[damage]
    card.model_path.write_bytes(bad)
    with pytest.raises(ModelError, match="model.keras"):
        library.load_model("broken")


@pytest.mark.slow
def test_zip_that_is_not_a_keras_model_is_refused(trained) -> None:
    card = trained.save("foreign-zip")
    with zipfile.ZipFile(card.model_path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ModelError, match="corrupt or not a model"):
        library.load_model("foreign-zip")


@pytest.mark.slow
def test_foreign_and_cardless_models_are_refused(trained, tmp_path: Path) -> None:
    card = trained.save("orphan")
    loose = tmp_path / "orphan.keras"
    loose.write_bytes(card.model_path.read_bytes())
    with pytest.raises(ModelError, match="no model card"):
        library.load_model(loose)
    (tmp_path / "orphan.json").write_text('{"some": "other tool"}')
    with pytest.raises(ModelError, match="not an InkLab model card"):
        library.load_model(loose)
    card.card_path.write_text("{not json")
    with pytest.raises(ModelError, match="cannot be read"):
        library.load_model(card.folder)


def test_incompatible_input_shape_is_refused() -> None:
    import keras

    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)])
    library.save_model(model, "rgb", label_names=tuple("0123456789"), outputs="logits")
    with pytest.raises(ModelError, match="incompatible.*32, 32, 3"):
        library.load_model("rgb")


def _yours() -> list[str]:
    return [card.name for card in library.list_models() if not card.bundled]


@pytest.mark.slow
def test_list_rename_delete(trained) -> None:
    assert _yours() == []
    trained.save("alpha")
    trained.save("beta")
    assert _yours() == ["alpha", "beta"]
    assert [c.name for c in library.list_models()][:2] == ["alpha", "beta"]  # the user's first
    with pytest.raises(ModelError, match="already exists"):
        trained.save("alpha")
    renamed = library.rename_model("alpha", "gamma")
    assert renamed.name == "gamma" and renamed.folder.name == "gamma"
    assert json.loads(renamed.card_path.read_text())["name"] == "gamma"
    library.load_model("gamma")
    with pytest.raises(ModelError, match="already exists"):
        library.rename_model("gamma", "beta")
    library.delete_model("beta")
    assert _yours() == ["gamma"]
    with pytest.raises(ModelError, match="no model called 'beta'"):
        library.load_model("beta")
    with pytest.raises(ModelError, match="cannot be a model name"):
        library.rename_model("gamma", "../escape")


@pytest.mark.slow
def test_bundled_models_are_listed_and_protected(trained, tmp_path: Path, monkeypatch) -> None:
    bundled = tmp_path / "resources-models"
    monkeypatch.setattr(library, "BUNDLED_DIR", bundled)
    library.save_model(
        trained.model, "digits", label_names=trained.label_names, outputs=trained.outputs, root=bundled
    )
    trained.save("mine")
    cards = library.list_models()
    assert [(c.name, c.bundled) for c in cards] == [("mine", False), ("digits", True)]
    library.load_model("digits")
    with pytest.raises(ModelError, match="bundled"):
        library.delete_model("digits")
    with pytest.raises(ModelError, match="bundled"):
        library.rename_model("digits", "other")
    with pytest.raises(ModelError, match="bundled"):
        trained.save("digits")
