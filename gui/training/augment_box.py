"""The settings' Augmentation group: its four amounts and a preview of what the network is fed.

A checkable group box (checked = augment).  The preview shows one training image of each of
the first classes, as read and as randomly changed, made on a worker (it reads the data set
through the shared in-memory cache and runs the engine's own augmentation).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QGroupBox, QLabel, QPushButton

from gui.concurrency import Worker, throttle
from gui.widgets.prediction_strip import PredictionStrip

PREVIEW_COLUMNS = 6


class AugmentBox(QGroupBox):
    """Rotation, shift, shear and zoom, and their preview.  ``dataset()`` names the set to preview."""

    def __init__(self, dataset: Callable[[], str | None]) -> None:
        super().__init__("Augmentation")
        self._dataset = dataset
        self._preview_seed = 0
        self.editable = True  # no preview is made while a run trains
        self.setCheckable(True)
        self.setToolTip("Randomly turn, move, shear and zoom each training image on the fly")
        aug = QFormLayout(self)
        self.rotation_spin = _spin(0, 180, 1, 0, " °")
        self.shift_spin = _spin(0, 0.5, 0.05, 2)
        self.shear_spin = _spin(0, 1, 0.05, 2)
        self.zoom_spin = _spin(0, 0.9, 0.05, 2)
        for spin, name in ((self.rotation_spin, "Rotation"), (self.shift_spin, "Shift"),
                           (self.shear_spin, "Shear"), (self.zoom_spin, "Zoom")):
            spin.setAccessibleName(f"{name} (augmentation)")
        aug.addRow("Rotation", self.rotation_spin)
        aug.addRow("Shift", self.shift_spin)
        aug.addRow("Shear", self.shear_spin)
        aug.addRow("Zoom", self.zoom_spin)
        self.augment_strip = PredictionStrip(tile_size=36, columns=PREVIEW_COLUMNS)
        self.augment_strip.setToolTip("Top: original training images. Bottom: what the network is fed.")
        self.augment_legend = QLabel("Top row: originals. Bottom row: as the network sees them.")
        self.augment_legend.setWordWrap(True)
        self.augment_again = QPushButton("Other random changes")
        self.augment_again.clicked.connect(self._new_preview_seed)
        aug.addRow(self.augment_legend)
        aug.addRow(self.augment_strip)
        aug.addRow(self.augment_again)
        self.toggled.connect(self.schedule_preview)
        for spin in (self.rotation_spin, self.shift_spin, self.shear_spin, self.zoom_spin):
            spin.valueChanged.connect(self.schedule_preview)
        self._preview_timer = throttle(self, self._update_preview, 250)
        self._preview_runner = Worker(self, name="augmentation preview", native=True)
        self._preview_runner.returned.connect(self._on_preview_ready)
        self._preview_runner.errored.connect(lambda msg: self.augment_strip.set_captions([msg[:12]]))

    def params(self):
        """The amounts as :class:`core.models.presets.AugmentParams`."""
        from core.models.presets import AugmentParams

        return AugmentParams(rotation=self.rotation_spin.value(), shift=self.shift_spin.value(),
                             shear=self.shear_spin.value(), zoom=self.zoom_spin.value())

    def set_params(self, params, enabled: bool) -> None:
        """Show a preset's amounts (one preview afterwards, not one per amount)."""
        for spin, value in ((self.rotation_spin, params.rotation), (self.shift_spin, params.shift),
                            (self.shear_spin, params.shear), (self.zoom_spin, params.zoom)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.setChecked(enabled)
        self.schedule_preview()

    def _new_preview_seed(self) -> None:
        self._preview_seed += 1
        self.schedule_preview()

    def schedule_preview(self, *_args) -> None:
        if self.isChecked() and self.editable:
            self._preview_timer.start()

    def _update_preview(self) -> None:
        dataset = self._dataset()
        if not dataset or not self.isChecked():
            return
        params, seed = self.params(), self._preview_seed

        def make(progress, cancel):
            import numpy as np

            from core.datasets.memory_cache import load_shared
            from core.native_logs import import_tensorflow
            from core.training import augment_images

            import_tensorflow()  # quietly, and one thread at a time (see its docstring)

            train = load_shared(dataset, cancel=cancel).split("train")
            # One sample of each of the first classes, so the preview shows variety.
            picks = []
            for c in np.unique(train.labels[:2000])[:PREVIEW_COLUMNS]:
                picks.append(int(np.flatnonzero(train.labels[:2000] == c)[0]))
            originals = train.images[picks]
            augmented = augment_images(originals, params, seed=seed)
            return originals, (augmented * 255).round().astype(np.uint8)

        self._preview_runner.start_latest(make)

    @Slot(object)
    def _on_preview_ready(self, payload) -> None:
        import numpy as np

        originals, augmented = payload
        self.augment_strip.set_samples(np.concatenate([originals, augmented]))
        self.augment_strip.set_captions([""] * (len(originals) + len(augmented)))


def _spin(low: float, high: float, step: float, decimals: int, suffix: str = "") -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setDecimals(decimals)
    spin.setSuffix(suffix)
    return spin
