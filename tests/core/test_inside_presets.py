"""Every preset, converted to LiteRT, shows each of its layers as Keras computes it (slow: converts eight models)."""

from __future__ import annotations

import numpy as np
import pytest

from core.models.presets import PRESETS


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_the_inside_view_reads_every_preset(name: str, mnist) -> None:
    import keras

    from core.inside.probe import NetworkProbe
    from core.inside.saliency import occlusion
    from core.models.conversion import convert

    preset = PRESETS[name]
    model = preset.build(10)
    probe = NetworkProbe(convert(model, preset.outputs).content, preset.outputs, where=name)
    image = mnist.split("test").images[0].astype(np.float32) / 255
    inside = probe.look(image)
    outputs = keras.Model(model.inputs, [layer.output for layer in model.layers])(image[None, :, :, None])
    keras_values = [np.asarray(v)[0] for v in outputs]
    for activation in inside.activations:  # each shown layer is some Keras layer's output
        assert any(v.shape == activation.values.shape and np.allclose(v, activation.values, atol=1e-4)
                   for v in keras_values), (name, activation.layer.name)
    convs = sum(1 for layer in model.layers if type(layer).__name__ == "Conv2D")
    assert sum(1 for a in inside.activations if a.layer.kind == "conv") == convs
    assert (probe.filters() is None) == (convs == 0)
    assert occlusion(probe, image).for_class(7).shape == (28, 28)
