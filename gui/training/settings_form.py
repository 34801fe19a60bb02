"""The Training tab's settings column: the form <-> :class:`core.training.TrainingConfig` mapping.

Data set and sample count, the preset (its description and a table of its layers, built on
a worker since it needs Keras), the training settings and the augmentation
(:mod:`gui.training.augment_box`).
Picking a preset puts its own settings back.  The column scrolls on small screens and never
sideways.

The first model summary is what imports TensorFlow (on a worker thread); once it is in,
TensorFlow's one-time training set-up (:func:`core.training.warm_up`) runs too, so that the
first run starts without a freeze.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.concurrency import Worker
from gui.errors import report, sentence
from gui.training.augment_box import AugmentBox
from gui.training.start_from import StartFrom, apply_start_from
from gui.widgets.model_summary_table import ModelSummaryTable

log = logging.getLogger("inklab.gui.training")
REJECT_ROLE = Qt.ItemDataRole.UserRole + 2  # a data set's default for the "not a character" class


class SettingsForm(QScrollArea):
    """The settings of the next run.  ``problem(text, level)`` reports what the banner should say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._summary_cache: dict[tuple[str, int], dict] = {}
        self._preview_seed = 0
        self._warm_asked = False
        self.warm_up_allowed = True  # the tab turns it off once a run has started
        self._build()
        self._build_workers()
        self._fill_presets()

    # ------------------------------------------------------------------ widgets

    def _build(self) -> None:
        settings = QWidget()
        form_col = QVBoxLayout(settings)
        form_col.setContentsMargins(0, 0, 6, 0)

        data_box = QGroupBox("Data")
        data_form = QFormLayout(data_box)
        self.dataset_combo = QComboBox()
        self.dataset_combo.setToolTip("Data sets on this machine (get more on the Data sets tab)")
        self.limit_spin = QSpinBox()
        self.limit_spin.setRange(0, 10_000_000)
        self.limit_spin.setSingleStep(1000)
        self.limit_spin.setSpecialValueText("all")
        self.limit_spin.setGroupSeparatorShown(True)
        self.limit_spin.setToolTip("Use only the first N training samples: quick runs in class (0 = all)")
        # On by default for digits and letters (core.training.reject.suits), set again per data set.
        self.reject_check = QCheckBox("Learn to say “not a character”")
        self.reject_check.setToolTip("Add generated scribbles, zigzags and other shapes as one more class, so the "
                                     "model can answer \"not a digit\" / \"not a letter\" instead of always "
                                     "picking a class")
        data_form.addRow("Data set", self.dataset_combo)
        data_form.addRow("Samples", self.limit_spin)
        data_form.addRow("", self.reject_check)
        form_col.addWidget(data_box)

        model_box = QGroupBox("Model")
        model_col = QVBoxLayout(model_box)
        self.preset_combo = QComboBox()
        self.preset_description = QLabel()
        self.preset_description.setWordWrap(True)
        # As tall and wide as its rows (no scroll bars); the total is a footer line under it.
        self.summary_table = ModelSummaryTable()
        self.start_from = StartFrom()  # a new network, or a model to fine-tune (gui.training.start_from)
        self.start_from.changed.connect(lambda name: apply_start_from(self, name))
        preset_row = QFormLayout()
        preset_row.setContentsMargins(0, 0, 0, 0)
        preset_row.addRow("Preset", self.preset_combo)  # the label names it for a screen reader too
        first_row = QHBoxLayout()  # one line for both: the tab fits 1280x680
        first_row.addWidget(self.start_from)
        first_row.addLayout(preset_row)
        model_col.addLayout(first_row)
        model_col.addWidget(self.preset_description)
        model_col.addWidget(self.summary_table)
        model_col.addWidget(self.summary_table.footer)
        form_col.addWidget(model_box)

        form_col.addWidget(self._build_training_box())
        self.augment_box = AugmentBox(lambda: self.dataset_combo.currentData())
        form_col.addWidget(self.augment_box)
        form_col.addStretch(1)

        self.setWidget(settings)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, not to the scrolling frame
        self._fit_width()
        # Named for a screen reader by what they set (a combo box is otherwise named by its value,
        # and the Validation field by its group, "Training").
        for widget, name in ((self.dataset_combo, "Data set"), (self.limit_spin, "Samples"),
                             (self.preset_combo, "Preset"), (self.epochs_spin, "Epochs"),
                             (self.batch_spin, "Batch size"), (self.optimizer_combo, "Optimizer"),
                             (self.lr_spin, "Learning rate"), (self.validation_spin, "Validation"),
                             (self.validation_unit, "Validation as a percentage or a count"),
                             (self.seed_spin, "Seed")):
            widget.setAccessibleName(name)
        self.dataset_combo.currentIndexChanged.connect(self._on_dataset_changed)
        self.reject_check.toggled.connect(self._request_summary)  # one output more or less
        self.preset_combo.currentIndexChanged.connect(self._on_preset_changed)
        for spin in (self.limit_spin, self.validation_spin):
            spin.valueChanged.connect(self.update_validation_note)
        self.validation_unit.currentIndexChanged.connect(self.update_validation_note)
        self.dataset_combo.currentIndexChanged.connect(self.update_validation_note)
        self._editable_widgets = [
            self.dataset_combo, self.limit_spin, self.preset_combo, self.epochs_spin, self.batch_spin,
            self.optimizer_combo, self.lr_spin, self.validation_spin, self.validation_unit, self.seed_spin,
            self.defaults_button, self.augment_box, self.reject_check, self.start_from,
        ]

    def _fit_width(self) -> None:
        """Wide enough for its content: the settings column never scrolls sideways.

        Called again when a model summary arrives, since a wide layer table may need more room.
        """
        self.widget().layout().activate()
        self.setMinimumWidth(max(350, self.widget().minimumSizeHint().width()
                                 + self.verticalScrollBar().sizeHint().width() + 2))

    def _build_training_box(self) -> QGroupBox:
        from core.models.presets import OPTIMIZER_TITLES

        hyper_box = QGroupBox("Training")
        hyper = QFormLayout(hyper_box)
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 1000)
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 8192)
        self.optimizer_combo = QComboBox()
        for name, title in OPTIMIZER_TITLES.items():
            self.optimizer_combo.addItem(title, name)
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setDecimals(5)
        self.lr_spin.setRange(0.00001, 10.0)
        self.lr_spin.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        validation_row = QHBoxLayout()
        self.validation_spin = QDoubleSpinBox()
        self.validation_spin.setDecimals(0)
        self.validation_spin.setRange(0, 1_000_000)
        self.validation_unit = QComboBox()
        self.validation_unit.addItems(["%", "samples"])
        self.validation_unit.currentIndexChanged.connect(self._on_validation_unit)
        validation_row.addWidget(self.validation_spin, 1)
        validation_row.addWidget(self.validation_unit)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("The same seed and settings give the same run")
        self.defaults_button = QPushButton("Preset defaults")
        self.defaults_button.setToolTip("Put back the chosen preset's own settings")
        self.defaults_button.clicked.connect(self._apply_preset_defaults)
        for label, field in (("Epochs", self.epochs_spin), ("Batch size", self.batch_spin),
                             ("Optimizer", self.optimizer_combo), ("Learning rate", self.lr_spin),
                             ("Validation", validation_row)):
            hyper.addRow(label, field)
        # Said before Start: how a validation count will be adapted to the samples.
        self.validation_note = QLabel()
        self.validation_note.setWordWrap(True)
        self.validation_note.setStyleSheet("color: #9a5b00;")
        self.validation_note.hide()
        hyper.addRow("", self.validation_note)
        hyper.addRow("Seed", self.seed_spin)
        hyper.addRow("", self.defaults_button)
        return hyper_box

    def _build_workers(self) -> None:
        self._summary_runner = Worker(self, name="model summary", native=True)
        self._summary_runner.returned.connect(self._on_summary_ready)
        self._summary_runner.errored.connect(self._on_summary_failed)
        # TensorFlow's one-time training set-up, done while the user reads the settings (see
        # core.training.warm_up): otherwise it freezes the window as the first run starts.
        self._warm_runner = Worker(self, name="TensorFlow warm-up", native=True)
        self._warm_runner.errored.connect(lambda msg: log.warning("TensorFlow warm-up failed: %s", msg))

    def _fill_presets(self) -> None:
        from core.models.presets import DEFAULT_PRESET, PRESETS

        self.preset_combo.blockSignals(True)
        for name, preset in PRESETS.items():
            self.preset_combo.addItem(name, name)
            self.preset_combo.setItemData(self.preset_combo.count() - 1, preset.description,
                                          Qt.ItemDataRole.ToolTipRole)
        self.preset_combo.setCurrentIndex(max(0, self.preset_combo.findData(DEFAULT_PRESET)))
        self.preset_combo.blockSignals(False)

    def set_editable(self, editable: bool) -> None:
        """Settings can be changed only between runs."""
        self.augment_box.editable = editable
        for widget in self._editable_widgets:
            widget.setEnabled(editable and not (self.start_from.base() and widget in (self.preset_combo,
                                                                                      self.reject_check)))

    # ------------------------------------------------------------------ the form <-> TrainingConfig

    def config(self):
        """The TrainingConfig the controls describe (not yet validated)."""
        from core.training import TrainingConfig

        if self.validation_unit.currentIndex() == 0:
            validation: float | int = self.validation_spin.value() / 100.0
        else:
            validation = int(self.validation_spin.value())
        return TrainingConfig(
            dataset=self.dataset_combo.currentData() or "",
            preset=self.preset_combo.currentData() or "",
            epochs=self.epochs_spin.value(),
            batch_size=self.batch_spin.value(),
            optimizer=self.optimizer_combo.currentData(),
            learning_rate=self.lr_spin.value(),
            validation=validation,
            augment=self.augment_box.isChecked(),
            augment_params=self.augment_box.params(),
            seed=self.seed_spin.value(),
            limit=self.limit_spin.value() or None,
            reject=self.reject_check.isChecked(),
            base_model=self.start_from.base(),
            schedule="constant" if self.start_from.base() else None,
        )

    def training_samples(self) -> int | None:
        """How many samples the next run will split into training and validation, if known now.

        The sample limit when one is set (a class's quick runs), else the set's training
        split if it is already in memory; None when only loading the set would tell.
        """
        from core.datasets.memory_cache import cached

        name = self.dataset_combo.currentData()
        try:
            data = cached(name) if name else None
        except Exception:  # a broken set says so when the run loads it
            data = None
        total = len(data.split("train")) if data is not None and "train" in data.splits else None
        limit = self.limit_spin.value() or None
        if limit is None:
            return total
        return limit if total is None else min(limit, total)

    @Slot()
    def update_validation_note(self, *_args) -> None:
        """Say before Start how a validation count will be adapted (core caps it at 20%)."""
        note = ""
        n = self.training_samples() if self.validation_unit.currentIndex() == 1 else None
        if n:  # only a count is adapted (and core.training is imported only then: ~0.3 s)
            from core.training import validation_note

            note = validation_note(int(self.validation_spin.value()), n)
        self.validation_note.setText(f"{sentence(note)}." if note else "")
        self.validation_note.setVisible(bool(note))

    def refresh_datasets(self) -> None:
        """List the data sets that are on this machine (call after an import or download)."""
        from core.datasets import catalogue, locate
        from core.training.reject import suits

        self.start_from.refresh()  # a model may have been saved meanwhile
        current = self.dataset_combo.currentData()
        self.dataset_combo.blockSignals(True)
        self.dataset_combo.clear()
        try:
            specs = [spec for spec in catalogue() if locate(spec) is not None]
        except Exception as err:  # a broken user data set must not take the tab down
            report(self, err)
            specs = []
        for spec in specs:
            self.dataset_combo.addItem(f"{spec.title} ({spec.name})", spec.name)
            self.dataset_combo.setItemData(self.dataset_combo.count() - 1, len(spec.label_names),
                                           Qt.ItemDataRole.UserRole + 1)
            self.dataset_combo.setItemData(self.dataset_combo.count() - 1, suits(spec.label_names), REJECT_ROLE)
        index = self.dataset_combo.findData(current) if current else self.dataset_combo.findData("mnist")
        self.dataset_combo.setCurrentIndex(max(0, index))
        self.dataset_combo.blockSignals(False)
        self.reject_check.setChecked(bool(self.dataset_combo.currentData(REJECT_ROLE)))
        if not specs:
            report(self, "No data set is on this machine yet: get one on the Data sets tab.", "warning")

    def _n_classes(self) -> int:
        """The model's outputs: the set's classes, one more with "not a character"."""
        value = self.dataset_combo.currentData(Qt.ItemDataRole.UserRole + 1)
        return (int(value) if value else 10) + int(self.reject_check.isChecked())

    def _on_dataset_changed(self) -> None:
        self.reject_check.setChecked(bool(self.dataset_combo.currentData(REJECT_ROLE)))
        self._request_summary()
        self.augment_box.schedule_preview()

    def _on_preset_changed(self) -> None:
        from core.models.presets import PRESETS

        preset = PRESETS.get(self.preset_combo.currentData() or "")
        if preset is None:
            return
        self.preset_description.setText(f"<b>{preset.description}</b><br><i>From: {preset.lesson}</i>")
        self._apply_preset_defaults()
        self._request_summary()

    def _apply_preset_defaults(self) -> None:
        from core.models.presets import PRESETS

        preset = PRESETS.get(self.preset_combo.currentData() or "")
        if preset is None:
            return
        self.epochs_spin.setValue(preset.epochs)
        self.batch_spin.setValue(preset.batch_size)
        self.optimizer_combo.setCurrentIndex(max(0, self.optimizer_combo.findData(preset.optimizer)))
        self.lr_spin.setValue(preset.learning_rate)
        if isinstance(preset.validation, int):
            self.validation_unit.setCurrentIndex(1)
            self.validation_spin.setValue(preset.validation)
        else:
            self.validation_unit.setCurrentIndex(0)
            self.validation_spin.setValue(round(preset.validation * 100))
        self.update_validation_note()
        self.augment_box.set_params(preset.augment_params, preset.augment)

    def _on_validation_unit(self, index: int) -> None:
        self.validation_spin.setRange(0, 99 if index == 0 else 1_000_000)

    # ------------------------------------------------------------------ model summary (builds a Keras model: on a thread)

    def start(self) -> None:
        """First show: the summary of the default preset (imports TensorFlow on a worker)."""
        self._on_preset_changed()

    def show_summary(self, summary: dict) -> None:
        """Show a model summary (``core.models.presets.model_summary``'s dict) in the layer table."""
        self.summary_table.set_summary(
            [(r["layer"], r["type"], r["output_shape"], r["params"]) for r in summary["layers"]],
            summary["total"],
        )
        self._fit_width()

    def _request_summary(self) -> None:
        key = (self.preset_combo.currentData() or "", self._n_classes())
        if key in self._summary_cache:
            self.show_summary(self._summary_cache[key])
            return
        self.summary_table.set_message("Building the model…")
        preset_name, n_classes = key

        def build(progress, cancel):
            from core.models.presets import get_preset, model_summary
            from core.native_logs import import_tensorflow

            import_tensorflow()  # quietly, and one thread at a time (see its docstring)
            return key, model_summary(get_preset(preset_name).build(n_classes))

        self._summary_runner.start_latest(build)

    @Slot(object)
    def _on_summary_ready(self, payload) -> None:
        key, summary = payload
        self._summary_cache[key] = summary
        self._warm_up()
        if key == (self.preset_combo.currentData() or "", self._n_classes()):
            self._request_summary()  # shows it from the cache

    def _warm_up(self) -> None:
        """Once, after TensorFlow has loaded for the summary and before any run has started."""
        if self._warm_asked or not self.warm_up_allowed:
            return
        self._warm_asked = True

        def warm(progress, cancel):
            from core.training import warm_up

            return warm_up(cancel)  # closing the window cuts it short

        self._warm_runner.start_latest(warm)

    @Slot(str)
    def _on_summary_failed(self, message: str) -> None:
        self.summary_table.set_message(f"Cannot build this model: {message}")
