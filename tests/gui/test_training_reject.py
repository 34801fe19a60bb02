"""Issue 24, item 4 in the window: "Learn to say “not a character”" is on for digits and letters,
off for a set of the user's own words, and a run with it saves a model that can say "not a digit"."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers.gui import RUN_TIMEOUT_MS, press


def test_the_option_follows_the_data_set(training_tab, qtbot):
    from core.datasets.collections import add_sample

    form = training_tab.form
    for label in ("circle", "square"):
        add_sample("shapes", label, np.zeros((28, 28), np.uint8))
    form.refresh_datasets()
    form.dataset_combo.setCurrentIndex(form.dataset_combo.findData("shapes"))
    assert not form.reject_check.isChecked()  # a class of one's own might be a zigzag
    assert form.config().reject is False
    form.dataset_combo.setCurrentIndex(form.dataset_combo.findData("mnist"))
    assert form.reject_check.isChecked() and form.config().reject is True


@pytest.mark.slow
def test_a_run_with_it_saves_a_model_that_can_say_not_a_digit(training_tab, qtbot):
    from core.models.recognizer import Recognizer

    tab = training_tab
    tab.form.reject_check.setChecked(True)  # as it comes for MNIST (the fixture turned it off)
    press(qtbot, tab.bar.start_button)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=RUN_TIMEOUT_MS)
    qtbot.waitUntil(lambda: tab.results.evaluation is not None, timeout=RUN_TIMEOUT_MS)
    names = tab.results.evaluation.label_names
    assert names[-1] == "not-a-character" and len(names) == 11  # its column in the confusion matrix
    assert tab.results.confusion_view.matrix().shape == (11, 11)
    assert len(tab.results.class_bars.values()) == 10  # the test split has no scribbles: no bar for them
    assert "not-a-character" in tab.runs()[-1].hyper_text()
    saved = tab.save_model("with-not-a-digit")
    assert saved == "with-not-a-digit"
    recognizer = Recognizer.load(saved)
    assert recognizer.can_reject and len(recognizer.label_names) == 10
