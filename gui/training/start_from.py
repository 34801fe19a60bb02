"""The Training tab's "Start from": a new network (the preset), or a trained model to fine-tune.

Picking a model (bundled or from the library) makes the run start from its weights
(``TrainingConfig.base_model``: :class:`core.training.run.TrainingRun` keeps its classes, its
"not a character" output and its input recipe); the data set's labels must be its classes.
The form then takes the fine-tuning defaults measured for ``train --from``
(:class:`core.training.finetune.FinetuneSettings`: Adam at 1e-3, augmentation on, at least
:data:`~core.training.finetune.MIN_STEPS` steps; the trained weights are mixed with the base's
when the run ends) and the preset no longer applies.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSignalBlocker, Signal, Slot
from PySide6.QtWidgets import QComboBox, QFormLayout, QWidget

from core.errors import InkLabError

NEW_NETWORK = "a new network (the preset)"


class StartFrom(QWidget):
    """A "Start from" list; ``changed(name or "")`` when the pick changes."""

    changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setAccessibleName("Start from")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(10)  # beside the preset, in the column's width
        self.combo.setToolTip("Train a new network from the preset, or fine-tune a trained model: it keeps its "
                              "classes and learns your data set's drawings (its labels must be the model's classes)")
        self.combo.currentIndexChanged.connect(self._on_picked)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Start from", self.combo)
        self.refresh()

    def refresh(self) -> None:
        """List the bundled and library models (the pick is kept when it is still there)."""
        from core.models import library

        current = self.base()
        try:
            names = [card.name for card in library.list_models()]
        except InkLabError:
            names = []
        with QSignalBlocker(self.combo):
            self.combo.clear()
            self.combo.addItem(NEW_NETWORK, "")
            for name in names:
                self.combo.addItem(f"the model {name}", name)
            index = self.combo.findData(current) if current else 0
            self.combo.setCurrentIndex(max(0, index))
        if (current or "") != (self.base() or ""):
            self.changed.emit(self.base() or "")

    def base(self) -> str | None:
        """The model to start from, or None for a new network."""
        return self.combo.currentData() or None

    def select(self, name: str | None) -> None:
        index = self.combo.findData(name or "")
        if index < 0:
            raise InkLabError(f"no model called '{name}' to start from")
        self.combo.setCurrentIndex(index)

    @Slot()
    def _on_picked(self) -> None:
        self.changed.emit(self.base() or "")


def finetune_epochs(samples: int | None, batch_size: int) -> int:
    """Epochs giving the fine-tuning default's steps for ``samples`` (3 when the count is not known yet)."""
    from core.training.finetune import default_steps

    if not samples:
        return 3
    return max(1, math.ceil(default_steps(samples, batch_size) / math.ceil(samples / batch_size)))


def apply_start_from(form, name: str) -> None:
    """Set the settings ``form`` for a start from ``name`` (a model: the fine-tuning defaults) or
    from the preset (""): its own defaults back.  The preset and "not a character" do not apply to a model."""
    from core.training.finetune import FinetuneSettings

    form.preset_combo.setEnabled(not name and form.dataset_combo.isEnabled())
    form.reject_check.setEnabled(not name and form.dataset_combo.isEnabled())
    if not name:
        form._apply_preset_defaults()
        return
    defaults = FinetuneSettings()
    form.optimizer_combo.setCurrentIndex(max(0, form.optimizer_combo.findData("adam")))
    form.lr_spin.setValue(defaults.learning_rate)
    form.batch_spin.setValue(defaults.batch_size)
    form.epochs_spin.setValue(finetune_epochs(form.training_samples(), defaults.batch_size))
    form.augment_box.set_params(defaults.augment or form.augment_box.params(), defaults.augment is not None)
