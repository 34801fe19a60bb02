"""Looking inside a model through its LiteRT copy: layers, saliency, pictures, and ``inspect``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.cli import run_cli
from tests.helpers.inside import install_dense_model
from tests.helpers.models import install_tiny_model


@pytest.fixture
def tiny(tmp_path_factory, mnist):
    from core.models.recognizer import Recognizer

    return Recognizer.load(install_tiny_model(tmp_path_factory, mnist))


@pytest.fixture
def digit(mnist) -> np.ndarray:
    return mnist.split("test").images[0].astype(np.float32) / 255.0  # a 7


def test_every_layer_output_equals_the_keras_layer_output(tiny, digit) -> None:
    import keras

    from core.inside.probe import probe_for
    from core.models import library

    probe = probe_for(tiny)
    assert [(layer.name, layer.kind) for layer in probe.layers] == [
        ("Conv 1", "conv"), ("Pool 1", "pool"), ("Conv 2", "conv"), ("Pool 2", "pool")
    ]
    assert probe.layers[0].shape == (26, 26, 8) and probe.layers[0].detail == "3×3, ReLU"
    inside = probe.look(digit)
    model, _card = library.load_model("tiny-digits")
    wanted = [layer for layer in model.layers if not isinstance(layer, keras.layers.Flatten)][:4]
    outputs = keras.Model(model.inputs, [layer.output for layer in wanted])(digit[None, :, :, None])
    for activation, expected in zip(inside.activations, outputs, strict=True):
        np.testing.assert_allclose(activation.values, np.asarray(expected)[0], atol=1e-4)
    assert abs(float(inside.probabilities.sum()) - 1) < 1e-5
    assert int(np.argmax(inside.probabilities)) == 7
    assert inside.features.shape == (probe.feature_size,) == (400,)  # what the last Dense reads
    assert probe.filters().shape == (8, 3, 3)


def test_the_strongest_map_comes_first(tiny, digit) -> None:
    from core.inside import pictures
    from core.inside.probe import probe_for

    activation = probe_for(tiny).look(digit).activations[0]
    means = activation.values.mean(axis=(0, 1))
    assert int(activation.strongest()[0]) == int(np.argmax(means))
    grid = pictures.map_grid(activation, cell=1, gap=0, columns=8)
    assert grid.shape == (26, 26 * 8, 3)


def test_saliency_lies_on_the_ink_and_hiding_the_ink_for_the_answer_hurts_it(tiny, digit) -> None:
    from core.inside.probe import probe_for
    from core.inside.saliency import occlusion

    probe = probe_for(tiny)
    saliency = occlusion(probe, digit)
    heat = saliency.for_class(7)
    assert heat.shape == (28, 28) and np.abs(heat).max() == pytest.approx(1.0)
    off_ink = digit < 0.005
    near_ink = np.zeros_like(off_ink)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            near_ink |= np.roll(np.roll(digit > 0.02, dy, 0), dx, 1)
    assert not heat[~near_ink].any()  # nothing off the ink
    # The ink the map calls most "for 7", hidden, lowers p(7) more than the ink it calls least.
    assert saliency.strength(7) > 0
    best = np.unravel_index(np.argmax(saliency.cells[:, :, 7]), saliency.cells.shape[:2])
    hidden = digit.copy()
    hidden[best[0] * 4 - 1 : best[0] * 4 + 5, best[1] * 4 - 1 : best[1] * 4 + 5] = 0
    before, after = probe.look(digit).probabilities[7], probe.look(hidden).probabilities[7]
    assert after < before


def test_the_input_is_placed_over_the_strokes_it_came_from() -> None:
    from core.imaging import render_strokes
    from core.inside.saliency import placement_on_pad

    bar = np.column_stack([np.full(20, 200.0), np.linspace(100, 400, 20)])
    image = render_strokes([bar])
    left, top, side = placement_on_pad([bar], image)
    # The bar's ends land where the image's ink ends: 300 pad units span its height.
    rows = np.nonzero(image.max(axis=1) > 0.1)[0]
    assert top + (rows.min() + 1.2) * side / 28 == pytest.approx(100, abs=2)
    assert top + (rows.max() + 1 - 1.2) * side / 28 == pytest.approx(400, abs=2)


def test_inspect_writes_the_pictures_and_says_the_layers(tmp_path, tiny, digit, capsys) -> None:
    np.save(tmp_path / "seven.npy", (digit * 255).astype(np.uint8))
    out = tmp_path / "pictures"
    assert run_cli(["inspect", "tiny-digits", str(tmp_path / "seven.npy"), "--out", str(out), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["label"] == "7"
    assert [layer["name"] for layer in row["layers"]] == ["input", "Conv 1", "Pool 1", "Conv 2", "Pool 2", "probabilities"]
    assert row["layers"][1]["shape"] == [26, 26, 8] and len(row["layers"][1]["strongest"]) == 8
    assert row["saliency"]["class"] == "7" and row["saliency"]["method"] == "occlusion"
    names = sorted(Path(f).name for f in row["files"])
    assert names == sorted([
        "seven-input.png", "seven-01-conv-1.png", "seven-02-pool-1.png", "seven-03-conv-2.png",
        "seven-04-pool-2.png", "seven-filters.png", "seven-why-7.png", f"seven-why-not-{row['top'][1]['label']}.png",
    ])
    from PIL import Image

    assert Image.open(out / "seven-input.png").size == (224, 224)
    assert Image.open(out / "seven-01-conv-1.png").size[0] > 26 * 3 * 4  # a grid of maps


def test_inspect_a_dense_model_says_it_has_no_filters(tmp_path_factory, tmp_path, mnist, digit, capsys) -> None:
    name = install_dense_model(tmp_path_factory, mnist)
    np.save(tmp_path / "seven.npy", digit)
    assert run_cli(["inspect", name, str(tmp_path / "seven.npy")]) == 0
    text = capsys.readouterr().out
    assert "Dense 1" in text and "16" in text and "no convolution" in text
    assert "Conv" not in text


def test_inspect_a_bad_file_is_one_line_and_exit_2(tmp_path, tiny, capsys) -> None:
    (tmp_path / "bad.png").write_bytes(b"not a picture")
    assert run_cli(["inspect", "tiny-digits", str(tmp_path / "bad.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) >= 1 and "bad.png" in err[0] and "Traceback" not in "".join(err)


def test_the_map_projects_a_drawing_where_its_own_sample_lies(tiny, mnist) -> None:
    from core.inside import feature_map
    from core.inside.probe import probe_for

    made = feature_map.build(tiny)
    assert feature_map.cached(tiny) is made and made.dataset == "mnist" and len(made.points) == 2000
    index = 17
    sample = mnist.split("test").images[made.indices[index]]
    np.testing.assert_array_equal(sample, made.images[index])
    point = made.project(probe_for(tiny).look(sample.astype(np.float32) / 255).features)
    np.testing.assert_allclose(point, made.points[index], atol=1e-3)
    assert made.nearest(point) == index
    assert 0 < made.explained[1] <= made.explained[0] < 1


def test_inspect_map_says_where_the_drawing_sits_and_draws_it(tmp_path, tiny, digit, capsys) -> None:
    np.save(tmp_path / "seven.npy", digit)
    assert run_cli(["inspect", "tiny-digits", str(tmp_path / "seven.npy"), "--map", "--json", "--out", str(tmp_path)]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["map"]["dataset"] == "mnist" and row["map"]["samples"] == 2000 and row["map"]["among"] == "7"
    assert str(tmp_path / "seven-map.png") in row["files"]
