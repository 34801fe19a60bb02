"""Every preset builds a working model for any class count, and describes itself as data."""

from __future__ import annotations

import pytest

from core.errors import TrainingError
from core.models.inference import model_outputs
from core.models.presets import DEFAULT_PRESET, OPTIMIZERS, PRESETS, get_preset, model_summary


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("n_classes", [10, 26])
def test_each_preset_builds_for_the_class_count(name: str, n_classes: int) -> None:
    model = PRESETS[name].build(n_classes)
    assert tuple(model.inputs[0].shape) == (None, 28, 28, 1)
    assert tuple(model.outputs[0].shape) == (None, n_classes)


@pytest.mark.parametrize("name", list(PRESETS))
def test_summary_is_data_that_adds_up(name: str) -> None:
    model = PRESETS[name].build(10)
    summary = model_summary(model)
    assert summary["total"] == model.count_params()
    assert sum(row["params"] for row in summary["layers"]) == summary["total"]
    assert 0 < summary["trainable"] <= summary["total"]
    assert summary["layers"][-1]["output_shape"] == [10]
    assert all({"layer", "type", "output_shape", "params"} <= set(row) for row in summary["layers"])


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_records_what_its_last_layer_gives(name: str) -> None:
    preset = PRESETS[name]
    assert preset.outputs in ("logits", "softmax")
    assert model_outputs(preset.build(10)) == preset.outputs
    assert preset.loss_from_logits == (preset.outputs == "logits")
    assert preset.optimizer in OPTIMIZERS and preset.learning_rate > 0
    assert preset.description and preset.lesson


def test_the_lessons_defaults_are_kept() -> None:
    assert get_preset("cnn-classic").optimizer == "sgd"
    assert get_preset("cnn-classic").validation == 5000
    assert get_preset("cnn-bn-gap").learning_rate == 0.1
    assert get_preset("cnn-pool").optimizer == "adadelta"
    sign = get_preset("cnn-sign")
    assert sign.augment and sign.augment_params.zoom == 0.3 and sign.augment_params.rotation == 10
    assert DEFAULT_PRESET == "recommended" and get_preset(DEFAULT_PRESET).epochs <= 3


def test_unknown_preset_names_the_known_ones() -> None:
    with pytest.raises(TrainingError, match="unknown preset 'nope'.*cnn-classic"):
        get_preset("nope")


def test_too_few_classes_is_refused() -> None:
    with pytest.raises(TrainingError, match="at least 2 classes"):
        PRESETS["dense-small"].build(1)
