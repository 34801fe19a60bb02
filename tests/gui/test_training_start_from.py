"""The Training tab's "Start from: a model": fine-tune a trained model, live, and save it with its base."""

from __future__ import annotations

from tests.helpers.gui import RUN_TIMEOUT_MS, press
from tests.helpers.models import install_tiny_model


def test_a_run_started_from_a_model_keeps_its_classes_and_records_it(training_tab, qtbot, mnist,
                                                                     tmp_path_factory) -> None:
    from core.models import library

    tab = training_tab
    install_tiny_model(tmp_path_factory, mnist)
    tab.form.start_from.refresh()
    assert tab.form.start_from.combo.currentText() == "a new network (the preset)"
    tab.form.start_from.select("tiny-digits")
    # The fine-tuning defaults measured for train --from; the preset does not apply.
    assert not tab.form.preset_combo.isEnabled() and not tab.form.reject_check.isEnabled()
    assert tab.form.lr_spin.value() == 0.001 and tab.form.optimizer_combo.currentData() == "adam"
    assert tab.form.augment_box.isChecked() and tab.form.augment_box.rotation_spin.value() == 8.0
    tab.form.epochs_spin.setValue(1)
    press(qtbot, tab.bar.start_button)
    qtbot.waitUntil(lambda: tab.state() == "idle", timeout=RUN_TIMEOUT_MS)
    assert "Test accuracy" in tab.results.test_label.text()
    assert tab.form.preset_combo.isEnabled() is False  # still starting from the model after the run
    tab.results.save_name.setText("tiny-more")
    with qtbot.waitSignal(tab.model_saved, timeout=30_000):
        press(qtbot, tab.results.save_button)
    card = library.find_model("tiny-more")
    assert card.data["base_model"]["name"] == "tiny-digits" and card.label_names == tuple("0123456789")
    assert card.data["base_model"]["mix"] == 0.6  # the trained weights mixed with the base's, as train --from
    assert card.data["training"]["base_model"] == "tiny-digits" and card.data["training"]["schedule"] == "constant"
    # Back to a new network: the preset's own settings return.
    tab.form.start_from.select(None)
    from core.models.presets import PRESETS

    preset = PRESETS[tab.form.preset_combo.currentData()]
    assert tab.form.preset_combo.isEnabled() and tab.form.lr_spin.value() == preset.learning_rate
    assert tab.form.augment_box.rotation_spin.value() == preset.augment_params.rotation
