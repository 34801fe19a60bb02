"""The Training tab: pick a data set and a preset, press Start, and watch the network learn.

The tab a teacher projects.  Everything long happens elsewhere: the run is a
:class:`gui.training_worker.TrainingRun` on a :class:`gui.concurrency.Worker` (the engine's
plain-Python listener streamed to the GUI thread), the model summary and the augmentation
preview on workers of their own.  Batch events only append to numpy buffers; a
~30 Hz timer redraws the plots and the status line, so a fast model cannot flood the
event loop.

Start-up cost: this module imports neither TensorFlow nor pyqtgraph.  The widgets are
built the first time the tab is shown (:meth:`TrainingTab.ensure_ready`), TensorFlow is
first imported by the summary task on a worker thread, which then runs TensorFlow's one-time
training set-up (:func:`core.training.warm_up`) so that the first run starts without a freeze.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger("inklab.gui.training")

OPTIMIZER_TITLES = {
    "sgd": "SGD",
    "sgd-momentum": "SGD + momentum",
    "adam": "Adam",
    "rmsprop": "RMSprop",
    "adadelta": "Adadelta",
}
# Redraws while training.  The engine sends up to ~30 batch events a second; drawing every
# one would take a noticeable share of a 2-core machine (a plot repaint is a few ms of
# paint code holding the GIL, which the training thread then waits for).  So frames are
# coalesced to at most 10 a second, and fewer when drawing gets slow (a busy machine):
# the next frame waits FRAME_BUDGET times as long as the last one took, so drawing stays
# under ~5% of the time.  A learning curve still moves smoothly at a few frames a second.
PLOT_FPS = 10
FRAME_BUDGET = 20
MAX_FRAME_INTERVAL_MS = 500
START_KEY, PAUSE_KEY, STOP_KEY = "F5", "F6", "Shift+F5"
PREVIEW_COLUMNS = 6
# While a run trains, hand the GIL over after 1 ms instead of Python's default 5 ms.  The
# training thread runs Python between TensorFlow calls; with the default, every repaint of
# the plots (Python paint code) waits up to 5 ms at each of its many GIL hand-overs, and the
# event loop stalls for 100+ ms.  With 1 ms it stays under ~50 ms and training is no slower.
RUN_SWITCH_INTERVAL_S = 0.001


def _clock(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return "--:--"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _big(label: QLabel, factor: float = 1.25, bold: bool = True) -> QLabel:
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    label.setFont(font)
    return label


class TrainingTab(QWidget):
    """Train a preset on a data set, live.  ``model_saved(name)`` fires after Save to library."""

    model_saved = Signal(str)
    run_state_changed = Signal(str)  # idle | running | paused | stopping | evaluating

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ready = False
        self._state = "idle"
        self._worker = None
        self._record = None  # RunRecord of the run on screen
        self._history = None  # RunHistory, created with the widgets
        self._last_worker = None  # the finished worker whose session can be saved
        self._evaluation = None
        self._summary_cache: dict[tuple[str, int], dict] = {}
        self._preview_seed = 0
        self._run_t0 = 0.0
        self._paused_at = 0.0
        self._paused_s = 0.0
        self._latest_batch = None
        self._latest_epoch = None
        self._info = None
        self._switch_interval = sys.getswitchinterval()
        self.batches_received = 0  # batch events seen in this run (tests use it, not sleeps)
        self.epochs_received = 0
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)

    # ------------------------------------------------------------------ building the widgets

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._ready and self._state == "idle":
            self.refresh_datasets()  # a set may have been downloaded or imported meanwhile
        self.ensure_ready()
        super().showEvent(event)

    def ensure_ready(self) -> None:
        """Build the widgets (pyqtgraph loads here) and list the data sets; idempotent."""
        if self._ready:
            return
        self._ready = True
        self._build()
        self.refresh_datasets()
        self._on_preset_changed()
        self._set_state("idle")

    def _build(self) -> None:
        from gui.concurrency import Worker
        from gui.run_history import RunHistory
        from gui.widgets.confusion_view import ClassAccuracyBars, ConfusionView
        from gui.widgets.live_plot import LivePlot
        from gui.widgets.message_banner import MessageBanner
        from gui.widgets.mistakes_gallery import MistakesGallery
        from gui.widgets.model_summary_table import ModelSummaryTable
        from gui.widgets.prediction_strip import PredictionStrip

        self._history = RunHistory()
        self.banner = MessageBanner()
        outer = self.layout()
        outer.setContentsMargins(6, 6, 6, 6)
        outer.addWidget(self.banner)
        split = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(split, 1)

        # ---- left: the settings, scrollable on small screens
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
        data_form.addRow("Data set", self.dataset_combo)
        data_form.addRow("Samples", self.limit_spin)
        form_col.addWidget(data_box)

        model_box = QGroupBox("Model")
        model_col = QVBoxLayout(model_box)
        self.preset_combo = QComboBox()
        self.preset_description = QLabel()
        self.preset_description.setWordWrap(True)
        self.summary_table = ModelSummaryTable()
        self.summary_table.setMinimumHeight(150)
        self.summary_table.setMaximumHeight(230)
        model_col.addWidget(self.preset_combo)
        model_col.addWidget(self.preset_description)
        model_col.addWidget(self.summary_table)
        form_col.addWidget(model_box)

        hyper_box = QGroupBox("Training")
        hyper = QFormLayout(hyper_box)
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 1000)
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 8192)
        self.optimizer_combo = QComboBox()
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
        hyper.addRow("Epochs", self.epochs_spin)
        hyper.addRow("Batch size", self.batch_spin)
        hyper.addRow("Optimizer", self.optimizer_combo)
        hyper.addRow("Learning rate", self.lr_spin)
        hyper.addRow("Validation", validation_row)
        hyper.addRow("Seed", self.seed_spin)
        hyper.addRow("", self.defaults_button)
        form_col.addWidget(hyper_box)

        self.augment_box = QGroupBox("Augmentation")
        self.augment_box.setCheckable(True)
        self.augment_box.setToolTip("Randomly turn, move, shear and zoom each training image on the fly")
        aug = QFormLayout(self.augment_box)
        self.rotation_spin = self._aug_spin(0, 180, 1, 0, " °")
        self.shift_spin = self._aug_spin(0, 0.5, 0.05, 2)
        self.shear_spin = self._aug_spin(0, 1, 0.05, 2)
        self.zoom_spin = self._aug_spin(0, 0.9, 0.05, 2)
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
        self.augment_box.toggled.connect(self._schedule_preview)
        form_col.addWidget(self.augment_box)
        form_col.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidget(settings)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Wide enough for its content: the settings column never scrolls sideways.
        scroll.setMinimumWidth(max(350, settings.minimumSizeHint().width()
                                   + scroll.verticalScrollBar().sizeHint().width() + 2))
        split.addWidget(scroll)

        # ---- right: run controls, live view, results
        right = QWidget()
        right_col = QVBoxLayout(right)
        right_col.setContentsMargins(6, 0, 0, 0)
        run_row = QHBoxLayout()
        self.start_button = QPushButton(f"▶  Start ({START_KEY})")
        self.pause_button = QPushButton(f"❚❚  Pause ({PAUSE_KEY})")
        self.stop_button = QPushButton(f"■  Stop ({STOP_KEY})")
        for button, key, tip in (
            (self.start_button, START_KEY, "Train a new model with these settings"),
            (self.pause_button, PAUSE_KEY, "Hold the run after the current batch / go on"),
            (self.stop_button, STOP_KEY, "End the run after the current batch (the model is kept)"),
        ):
            button.setShortcut(QKeySequence(key))
            button.setToolTip(f"{tip}  [{key}]")
            button.setMinimumHeight(34)
            _big(button, 1.1)
            run_row.addWidget(button)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        status_col = QVBoxLayout()
        self.status_label = _big(QLabel("Ready."), 1.1)
        # A long status line must never widen the window: it is cut instead.
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("%p%")
        status_col.addWidget(self.status_label)
        status_col.addWidget(self.progress_bar)
        run_row.addLayout(status_col, 1)
        right_col.addLayout(run_row)

        vsplit = QSplitter(Qt.Orientation.Vertical)
        live = QWidget()
        live_col = QVBoxLayout(live)
        live_col.setContentsMargins(0, 0, 0, 0)
        plots = QWidget()
        plots_row = QHBoxLayout(plots)
        plots_row.setContentsMargins(0, 0, 0, 0)
        self.loss_plot = LivePlot("Loss (lower is better)", "loss")
        self.accuracy_plot = LivePlot("Accuracy (higher is better)", "accuracy %", legend_corner="bottom-right")
        self.accuracy_plot.plot_widget.getPlotItem().setXLink(self.loss_plot.plot_widget.getPlotItem())
        plots_row.addWidget(self.loss_plot)
        plots_row.addWidget(self.accuracy_plot)
        self.plots = plots
        live_col.addWidget(plots, 1)
        strip_box = QGroupBox("What the model sees: the same validation samples, its guess after each epoch")
        strip_col = QVBoxLayout(strip_box)
        strip_col.setContentsMargins(6, 4, 6, 4)
        self.strip = PredictionStrip(tile_size=44, columns=16)
        self.strip_caption = QLabel("Press Start: the guesses appear here, green when right, red when wrong.")
        strip_col.addWidget(self.strip_caption)
        strip_col.addWidget(self.strip)
        live_col.addWidget(strip_box)
        vsplit.addWidget(live)

        self.results_tabs = QTabWidget()
        # Results page: headline, save/export, confusion matrix and per-class bars.
        results = QWidget()
        results_col = QVBoxLayout(results)
        head = QHBoxLayout()
        self.test_label = _big(QLabel("Test results appear here after a run."), 1.3)
        self.test_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.test_label.setMinimumWidth(240)
        head.addWidget(self.test_label, 1)
        self.save_name = QLineEdit()
        self.save_name.setPlaceholderText("model name")
        self.save_name.setMinimumWidth(200)
        self.save_name.setMaximumWidth(300)
        self.save_button = QPushButton("Save to library")
        self.save_button.setToolTip("Keep this model: it then appears in the Draw tab's model list")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.save_name.returnPressed.connect(self._on_save_clicked)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.setToolTip("The history, one row per epoch")
        self.csv_button.clicked.connect(self._on_export_csv)
        self.png_button = QPushButton("Export plots…")
        self.png_button.setToolTip("Both plots as one PNG image")
        self.png_button.clicked.connect(self._on_export_png)
        for w in (self.save_name, self.save_button, self.csv_button, self.png_button):
            head.addWidget(w)
        results_col.addLayout(head)
        matrices = QHBoxLayout()
        self.confusion_view = ConfusionView()
        self.class_bars = ClassAccuracyBars()
        bars_box = QVBoxLayout()
        bars_box.addWidget(QLabel("Right per class (%) — the worst in red"))
        bars_box.addWidget(self.class_bars, 1)
        matrices.addWidget(self.confusion_view, 3)
        matrices.addLayout(bars_box, 2)
        results_col.addLayout(matrices, 1)
        self.results_tabs.addTab(results, "Results")
        mistakes = QWidget()
        mistakes_col = QVBoxLayout(mistakes)
        self.mistakes_label = QLabel("Misclassified test samples (true → predicted), most confident first. Click one to see it large.")
        self.gallery = MistakesGallery(tile_size=48)
        mistakes_col.addWidget(self.mistakes_label)
        mistakes_col.addWidget(self.gallery, 1)
        self.results_tabs.addTab(mistakes, "Mistakes")
        compare = QWidget()
        compare_col = QVBoxLayout(compare)
        compare_col.addWidget(QLabel("Who gets the best accuracy? Tick a run to draw it behind the current one."))
        self.leaderboard = QTableWidget(0, 7)
        self.leaderboard.setHorizontalHeaderLabels(
            ["show", "rank", "run", "preset", "settings", "validation acc.", "test acc."]
        )
        self.leaderboard.verticalHeader().setVisible(False)
        self.leaderboard.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.leaderboard.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.leaderboard.itemChanged.connect(self._on_leaderboard_item)
        compare_col.addWidget(self.leaderboard, 1)
        self.results_tabs.addTab(compare, "Compare runs")
        vsplit.addWidget(self.results_tabs)
        vsplit.setStretchFactor(0, 3)
        vsplit.setStretchFactor(1, 2)
        vsplit.setSizes([480, 320])
        right_col.addWidget(vsplit, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([360, 1080])

        # ---- signals and timers
        for combo in (self.optimizer_combo,):
            for name, title in OPTIMIZER_TITLES.items():
                combo.addItem(title, name)
        self.dataset_combo.currentIndexChanged.connect(self._on_dataset_changed)
        self.preset_combo.currentIndexChanged.connect(self._on_preset_changed)
        for spin in (self.rotation_spin, self.shift_spin, self.shear_spin, self.zoom_spin):
            spin.valueChanged.connect(self._schedule_preview)
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(1000 // PLOT_FPS)
        self._flush_timer.timeout.connect(self._frame)
        self._frame_t0 = 0.0
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(250)
        self._preview_timer.timeout.connect(self._update_preview)
        self._summary_runner = Worker(self, name="model summary", native=True)
        self._summary_runner.returned.connect(self._on_summary_ready)
        self._summary_runner.errored.connect(self._on_summary_failed)
        # TensorFlow's one-time training set-up, done while the user reads the settings (see
        # core.training.warm_up): otherwise it freezes the window as the first run starts.
        self._warm_runner = Worker(self, name="TensorFlow warm-up", native=True)
        self._warm_runner.errored.connect(lambda msg: log.warning("TensorFlow warm-up failed: %s", msg))
        self._warm_asked = False
        self._run_worker = Worker(self, name="training", native=True)
        self._run_worker.yielded.connect(self._on_run_event)
        self._run_worker.returned.connect(self._on_done)
        self._run_worker.errored.connect(self._on_run_ended_early)
        self._run_worker.cancelled.connect(self._on_run_ended_early)
        self._preview_runner = Worker(self, name="augmentation preview", native=True)
        self._preview_runner.returned.connect(self._on_preview_ready)
        self._preview_runner.errored.connect(lambda msg: self.augment_strip.set_captions([msg[:12]]))
        self._fill_presets()
        self._settings_widgets = [
            self.dataset_combo, self.limit_spin, self.preset_combo, self.epochs_spin, self.batch_spin,
            self.optimizer_combo, self.lr_spin, self.validation_spin, self.validation_unit, self.seed_spin,
            self.defaults_button, self.augment_box,
        ]

    def _aug_spin(self, low: float, high: float, step: float, decimals: int, suffix: str = "") -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(low, high)
        spin.setSingleStep(step)
        spin.setDecimals(decimals)
        spin.setSuffix(suffix)
        return spin

    def _fill_presets(self) -> None:
        from core.models.presets import DEFAULT_PRESET, PRESETS

        self.preset_combo.blockSignals(True)
        for name, preset in PRESETS.items():
            self.preset_combo.addItem(name, name)
            self.preset_combo.setItemData(self.preset_combo.count() - 1, preset.description,
                                          Qt.ItemDataRole.ToolTipRole)
        self.preset_combo.setCurrentIndex(max(0, self.preset_combo.findData(DEFAULT_PRESET)))
        self.preset_combo.blockSignals(False)

    # ------------------------------------------------------------------ data sets and presets

    def refresh_datasets(self) -> None:
        """List the data sets that are on this machine (call after an import or download)."""
        if not self._ready:
            return
        from core.datasets import catalogue, locate

        current = self.dataset_combo.currentData()
        self.dataset_combo.blockSignals(True)
        self.dataset_combo.clear()
        try:
            specs = [spec for spec in catalogue() if locate(spec) is not None]
        except Exception as err:  # a broken user data set must not take the tab down
            from gui.errors import user_message

            self.banner.show_error(user_message(err))
            specs = []
        for spec in specs:
            self.dataset_combo.addItem(f"{spec.title} ({spec.name})", spec.name)
            self.dataset_combo.setItemData(self.dataset_combo.count() - 1, len(spec.label_names),
                                           Qt.ItemDataRole.UserRole + 1)
        index = self.dataset_combo.findData(current) if current else self.dataset_combo.findData("mnist")
        self.dataset_combo.setCurrentIndex(max(0, index))
        self.dataset_combo.blockSignals(False)
        if not specs:
            self.banner.show_message("No data set is on this machine yet: get one on the Data sets tab.", "warning")
        self._update_enabled()

    def _n_classes(self) -> int:
        value = self.dataset_combo.currentData(Qt.ItemDataRole.UserRole + 1)
        return int(value) if value else 10

    def _on_dataset_changed(self) -> None:
        self._request_summary()
        self._schedule_preview()

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
        params = preset.augment_params
        for spin, value in ((self.rotation_spin, params.rotation), (self.shift_spin, params.shift),
                            (self.shear_spin, params.shear), (self.zoom_spin, params.zoom)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.augment_box.setChecked(preset.augment)
        self._schedule_preview()

    def _on_validation_unit(self, index: int) -> None:
        self.validation_spin.setRange(0, 99 if index == 0 else 1_000_000)

    # ---- model summary (builds a Keras model: on a thread)

    def _request_summary(self) -> None:
        if not self._ready:
            return
        key = (self.preset_combo.currentData() or "", self._n_classes())
        if key in self._summary_cache:
            summary = self._summary_cache[key]
            self.summary_table.set_summary(
                [(r["layer"], r["type"], r["output_shape"], r["params"]) for r in summary["layers"]],
                summary["total"],
            )
            return
        self.summary_table.set_message("Building the model…")
        preset_name, n_classes = key

        def build(progress, cancel):
            from core.models.presets import get_preset, model_summary

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
        if self._warm_asked or self._worker is not None or self._last_worker is not None:
            return
        self._warm_asked = True

        def warm(progress, cancel):
            from core.training import warm_up

            return warm_up()

        self._warm_runner.start_latest(warm)

    @Slot(str)
    def _on_summary_failed(self, message: str) -> None:
        self.summary_table.set_message(f"Cannot build this model: {message}")

    # ---- augmentation preview

    def _new_preview_seed(self) -> None:
        self._preview_seed += 1
        self._schedule_preview()

    def _schedule_preview(self, *_args) -> None:
        if self._ready and self.augment_box.isChecked() and self._state == "idle":
            self._preview_timer.start()

    def augment_params(self):
        from core.models.presets import AugmentParams

        return AugmentParams(rotation=self.rotation_spin.value(), shift=self.shift_spin.value(),
                             shear=self.shear_spin.value(), zoom=self.zoom_spin.value())

    def _update_preview(self) -> None:
        dataset = self.dataset_combo.currentData()
        if not dataset or not self.augment_box.isChecked():
            return
        params, seed = self.augment_params(), self._preview_seed

        def make(progress, cancel):
            import numpy as np

            from core.training import augment_images
            from gui.training_worker import load_dataset_cached

            train = load_dataset_cached(dataset).split("train")
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

    # ------------------------------------------------------------------ the run

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
            augment_params=self.augment_params(),
            seed=self.seed_spin.value(),
            limit=self.limit_spin.value() or None,
        )

    def is_running(self) -> bool:
        return self._worker is not None

    @Slot()
    def start(self) -> None:
        """Start a run with the current settings; ignored while one is going."""
        self.ensure_ready()
        if self._worker is not None:
            return
        from core.errors import InkLabError

        self.banner.clear()
        if not self.dataset_combo.currentData():
            self.banner.show_error("Choose a data set first (get one on the Data sets tab).")
            return
        try:
            config = self.config().validate()
        except InkLabError as err:
            self.banner.show_error(str(err))
            return
        from gui.training_worker import TrainingRun

        self._archive_current_run()
        self._record = self._history.start(config.dataset, config.preset, {
            "epochs": config.epochs, "batch_size": config.batch_size, "optimizer": config.optimizer,
            "learning_rate": config.learning_rate, "validation": config.validation,
            "augment": config.augment, "seed": config.seed, "limit": config.limit,
        })
        self._clear_live_view()
        # Frame the plots now, before the worker starts: redrawn later, the axes would be
        # painted while TensorFlow traces the model on the other thread, and a Python-heavy
        # paint competing with tracing for the GIL stalls the window for a few hundred ms.
        longest = max([config.epochs] + [len(r.history.get("epoch") or []) for r in self._history.runs])
        self.loss_plot.hold_range(longest)
        self.accuracy_plot.hold_range(longest, (0.0, 100.0))
        worker = TrainingRun(config, self._run_worker.emit)
        self._worker = worker
        # Only the last run is kept (for saving): ten runs in a lesson would hold gigabytes.
        self._last_worker = None
        self._run_t0 = time.monotonic()
        self._paused_s = 0.0
        self.status_label.setText(f"Loading {config.dataset} and building {config.preset}…")
        self.progress_bar.setRange(0, 0)  # busy until the first batch
        self._set_state("running")
        self._flush_timer.start()
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, RUN_SWITCH_INTERVAL_S))
        self._run_worker.start(worker)

    @Slot()
    def toggle_pause(self) -> None:
        if self._worker is None:
            return
        if self._state == "running":
            self._worker.pause()
            self._paused_at = time.monotonic()
            self._set_state("paused")
            self.status_label.setText(self.status_label.text() + "  — paused")
        elif self._state == "paused":
            self._worker.resume()
            self._paused_s += time.monotonic() - self._paused_at
            self._set_state("running")

    @Slot()
    def stop(self) -> None:
        if self._worker is None or self._state in ("stopping", "evaluating"):
            return
        self._worker.stop()
        self._set_state("stopping")
        self.status_label.setText("Stopping after this batch…")

    # ---- state and enabling

    def state(self) -> str:
        return self._state

    def _set_state(self, state: str) -> None:
        self._state = state
        self._update_enabled()
        self.run_state_changed.emit(state)

    def _update_enabled(self) -> None:
        if not self._ready:
            return
        idle = self._state == "idle"
        for widget in self._settings_widgets:
            widget.setEnabled(idle)
        self.augment_again.setEnabled(idle)
        self.start_button.setEnabled(idle and bool(self.dataset_combo.currentData()))
        self.pause_button.setEnabled(self._state in ("running", "paused"))
        self.pause_button.setText(
            f"▶  Resume ({PAUSE_KEY})" if self._state == "paused" else f"❚❚  Pause ({PAUSE_KEY})"
        )
        self.pause_button.setShortcut(QKeySequence(PAUSE_KEY))
        self.stop_button.setEnabled(self._state in ("running", "paused"))
        can_save = idle and self._last_worker is not None and self._last_worker.session is not None \
            and self._last_worker.session.model is not None and self._record is not None \
            and self._record.status in ("completed", "stopped")
        self.save_button.setEnabled(can_save)
        self.save_name.setEnabled(can_save)
        has_history = self._record is not None and bool(self._record.history.get("epoch"))
        self.csv_button.setEnabled(idle and has_history)
        self.png_button.setEnabled(idle and self._record is not None)

    # ---- live events (GUI thread)

    def _clear_live_view(self) -> None:
        self.loss_plot.clear()
        self.accuracy_plot.clear()
        self.batches_received = self.epochs_received = 0
        self._latest_batch = self._latest_epoch = self._info = None
        self._evaluation = None
        self.progress_bar.setValue(0)
        self.strip.set_samples(np.zeros((0, 28, 28), np.uint8))
        self.strip_caption.setText("Loading the data and building the model…")
        self.test_label.setText("Training…")
        self.confusion_view.clear()
        self.class_bars.clear()
        self.gallery.clear()
        self.results_tabs.setTabText(1, "Mistakes")
        self.save_name.clear()

    @Slot(object)
    def _on_prepared(self, prepared) -> None:
        if prepared.summary is not None:  # the model as really built for this data set
            self.summary_table.set_summary(
                [(r["layer"], r["type"], r["output_shape"], r["params"]) for r in prepared.summary["layers"]],
                prepared.summary["total"],
            )
        if prepared.preview_images is None:
            self.strip_caption.setText("No validation samples in this run, so nothing to show here.")
        else:
            self.strip.set_samples(prepared.preview_images, prepared.preview_labels, prepared.label_names)
            if prepared.preview_probabilities is not None:
                self._show_strip(prepared.preview_probabilities, "Before training (random weights)")

    def _show_strip(self, probabilities, when: str) -> None:
        predicted = probabilities.argmax(axis=1)
        confidence = probabilities.max(axis=1)
        self.strip.set_predictions(predicted, confidence)
        right = self.strip.right_count()
        self.strip_caption.setText(f"{when}: {right} of {len(self.strip)} right")

    @Slot(object)
    def _on_run_started(self, info) -> None:
        self._info = info
        self._run_t0 = time.monotonic()
        self._paused_s = 0.0
        self.progress_bar.setRange(0, max(1, info.epochs * info.steps_per_epoch))
        self.status_label.setText(
            f"Training on {info.train_samples:,} samples, validating on {info.val_samples:,} ({info.device})"
        )

    @Slot(object)
    def _on_batch(self, progress) -> None:
        self.batches_received += 1
        self._latest_batch = progress
        x = progress.position
        self.loss_plot.add_batch(x, progress.loss)
        self.accuracy_plot.add_batch(x, progress.accuracy * 100)

    @Slot(object)
    def _on_epoch(self, result) -> None:
        self.epochs_received += 1
        self._latest_epoch = result
        self.loss_plot.add_epoch(result.epoch, result.loss, result.val_loss)
        pct = None if result.val_accuracy is None else result.val_accuracy * 100
        self.accuracy_plot.add_epoch(result.epoch, result.accuracy * 100, pct)
        if result.preview is not None and len(self.strip):
            self._show_strip(result.preview, f"After epoch {result.epoch}")
        self._flush()

    @Slot()
    def _frame(self) -> None:
        """One paced frame: draw, then time it (paint events included) to space the next."""
        self._frame_t0 = time.perf_counter()
        self._flush()
        # A zero timer fires once the posted paint requests of this frame have been handled.
        QTimer.singleShot(0, self._schedule_next_frame)

    @Slot()
    def _schedule_next_frame(self) -> None:
        if self._state not in ("running", "paused", "stopping") or self._worker is None:
            return
        cost_ms = (time.perf_counter() - self._frame_t0) * 1000
        interval = min(MAX_FRAME_INTERVAL_MS, max(1000 // PLOT_FPS, int(cost_ms * FRAME_BUDGET)))
        self._flush_timer.start(interval)

    @Slot()
    def _flush(self) -> None:
        """Redraw at most ~30 times a second: plots, status line, progress bar."""
        self.loss_plot.flush()
        self.accuracy_plot.flush()
        progress, info = self._latest_batch, self._info
        if progress is None or info is None or self._state not in ("running", "paused"):
            return
        self.progress_bar.setValue((progress.epoch - 1) * progress.steps + progress.step)
        paused_now = time.monotonic() - self._paused_at if self._state == "paused" else 0.0
        elapsed = time.monotonic() - self._run_t0 - self._paused_s - paused_now
        rate = progress.samples_seen / elapsed if elapsed > 0 else 0.0
        total = info.epochs * info.train_samples
        eta = (total - progress.samples_seen) / rate if rate > 0 else math.nan
        text = (f"Epoch {progress.epoch}/{info.epochs} · batch {progress.step}/{progress.steps} · "
                f"{rate:,.0f} samples/s · {_clock(elapsed)} elapsed · {_clock(eta)} left")
        if self._state == "paused":
            text += "  — paused"
        self.status_label.setText(text)

    @Slot(object)
    def _on_training_ended(self, result) -> None:
        self._flush()
        record = self._record
        record.status = result.status
        record.error = result.error
        record.history = {k: v for k, v in result.history.items() if k != "batches"}
        record.loss_curve = self.loss_plot.series("batch")
        record.accuracy_curve = self.accuracy_plot.series("batch")
        if result.status == "failed":
            self.banner.show_error(f"Training failed: {result.error}")
            self.status_label.setText("Training failed — change the settings and try again.")
            self.test_label.setText("No results: the run failed.")
        else:
            done = "Finished" if result.status == "completed" else "Stopped"
            self.status_label.setText(
                f"{done} after {result.epochs_done} epoch(s) in {_clock(result.elapsed_s)}"
            )
            if result.epochs_done == 0:
                self.test_label.setText("Stopped before the first epoch ended: no test results.")

    @Slot()
    def _on_evaluation_started(self) -> None:
        self._set_state("evaluating")
        self.test_label.setText("Testing on the test set…")

    @Slot(object)
    def _on_evaluated(self, view) -> None:
        self._evaluation = view
        self._record.test_accuracy = view.accuracy
        self._record.test_loss = view.loss
        self.test_label.setText(
            f"{view.split.capitalize()} accuracy {view.accuracy:.2%} "
            f"<span style='font-weight:normal; font-size:small'>"
            f"loss {view.loss:.3f}</span>"
        )
        self.test_label.setToolTip(
            f"On the {view.samples:,} samples of the {view.split} split, never seen in training"
        )
        self.confusion_view.set_matrix(view.confusion, view.label_names)
        self.class_bars.set_accuracy(view.per_class_accuracy, view.label_names)
        self.gallery.set_mistakes(view.mistake_images, view.mistake_true, view.mistake_predicted,
                                  view.mistake_confidence, view.label_names)
        self.mistakes_label.setText(
            f"{len(view.mistake_true):,} misclassified test samples (true → predicted), most confident first "
            f"(showing {self.gallery.count()}). Click one to see it large."
        )
        self.results_tabs.setTabText(1, f"Mistakes ({len(view.mistake_true):,})")

    @Slot(object)
    def _on_run_event(self, event) -> None:
        """One event of the run (see :class:`gui.training_worker.RunEvent`), on the GUI thread."""
        from gui.training_worker import RunEvent

        kind, payload = event
        if kind is RunEvent.BATCH_ENDED:  # the common case first: ~30 a second
            self._on_batch(payload)
        elif kind is RunEvent.EPOCH_ENDED:
            self._on_epoch(payload)
        elif kind is RunEvent.PREPARED:
            self._on_prepared(payload)
        elif kind is RunEvent.RUN_STARTED:
            self._on_run_started(payload)
        elif kind is RunEvent.TRAINING_ENDED:
            self._on_training_ended(payload)
        elif kind is RunEvent.EVALUATION_STARTED:
            self._on_evaluation_started()
        elif kind is RunEvent.EVALUATED:
            self._on_evaluated(payload)
        elif kind is RunEvent.EVALUATION_FAILED:
            self.banner.show_error(f"Test evaluation failed: {payload}")

    @Slot()
    @Slot(str)
    def _on_run_ended_early(self, message: str = "") -> None:
        """The run was cancelled (the app is quitting) or crashed past its own error handling."""
        worker = self._worker
        if worker is None:
            return
        if message:
            self.banner.show_error(message)
        from core.training import RunResult, empty_history

        self._on_done(worker.result or RunResult("failed", message, empty_history(), 0.0, 0))

    @Slot(object)
    def _on_done(self, result) -> None:
        worker = self._worker
        if worker is None:
            return
        self._worker = None
        sys.setswitchinterval(self._switch_interval)
        self._last_worker = worker if result.status != "failed" else None
        self._flush_timer.stop()
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.flush()
            plot.release_range()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(1 if result.status == "completed" else 0)
        if self._last_worker is not None and worker.session is not None:
            from core.models import library

            try:
                self.save_name.setText(library.default_name(worker.session.config.preset,
                                                            worker.session.config.dataset))
            except Exception:  # only a suggestion
                self.save_name.setText(f"{worker.session.config.preset}-{worker.session.config.dataset}")
        self._refresh_leaderboard()
        self._set_state("idle")

    # ------------------------------------------------------------------ compare runs

    def _archive_current_run(self) -> None:
        """Turn the run on screen into an overlay before a new one starts."""
        record = self._record
        if record is None or record.status == "failed" or not len(record.loss_curve[0]):
            return
        colour = record.number - 1
        self.loss_plot.add_overlay(record.number, record.label, record.loss_curve,
                                   record.epoch_series("val_loss"), colour)
        acc_x, acc_y = record.epoch_series("val_accuracy")
        self.accuracy_plot.add_overlay(record.number, record.label, record.accuracy_curve,
                                       (acc_x, acc_y * 100), colour)

    def _refresh_leaderboard(self) -> None:
        table = self.leaderboard
        table.blockSignals(True)
        runs = self._history.leaderboard()
        table.setRowCount(len(runs))
        for row, record in enumerate(runs):
            show = QTableWidgetItem()
            is_current = record is self._record
            if is_current or record.status == "failed" or not len(record.loss_curve[0]):
                show.setFlags(Qt.ItemFlag.NoItemFlags)
                show.setText("now" if is_current else "")
            else:
                show.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                show.setCheckState(Qt.CheckState.Checked if self.loss_plot.overlay_visible(record.number)
                                   else Qt.CheckState.Unchecked)
            show.setData(Qt.ItemDataRole.UserRole, record.number)
            val = record.history.get("val_accuracy") or []
            val_text = f"{val[-1]:.2%}" if val and val[-1] is not None else "—"
            test_text = f"{record.test_accuracy:.2%}" if record.test_accuracy is not None else (
                record.status if record.status != "completed" else "—")
            rank = str(row + 1) if record.test_accuracy is not None else ""
            cells = [show, QTableWidgetItem(rank), QTableWidgetItem(str(record.number)),
                     QTableWidgetItem(record.preset), QTableWidgetItem(record.hyper_text()),
                     QTableWidgetItem(val_text), QTableWidgetItem(test_text)]
            for col, item in enumerate(cells):
                if col and is_current:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                table.setItem(row, col, item)
        table.blockSignals(False)
        count = len(self._history)
        self.results_tabs.setTabText(2, f"Compare runs ({count})" if count > 1 else "Compare runs")

    @Slot(QTableWidgetItem)
    def _on_leaderboard_item(self, item: QTableWidgetItem) -> None:
        if item.column() != 0 or not (item.flags() & Qt.ItemFlag.ItemIsUserCheckable):
            return
        number = item.data(Qt.ItemDataRole.UserRole)
        visible = item.checkState() == Qt.CheckState.Checked
        self.set_run_overlay_visible(number, visible)

    def set_run_overlay_visible(self, number: int, visible: bool) -> None:
        """Show or hide an earlier run (by its number) on both plots."""
        self.loss_plot.set_overlay_visible(number, visible)
        self.accuracy_plot.set_overlay_visible(number, visible)

    def runs(self):
        """The runs of this session (RunRecord list, in start order)."""
        return list(self._history.runs) if self._history else []

    # ------------------------------------------------------------------ save and export

    def _on_save_clicked(self) -> None:
        if self.save_button.isEnabled():
            self.save_model(self.save_name.text().strip())

    def save_model(self, name: str) -> str | None:
        """Save the last run's model to the library as ``name``; returns the saved name or None."""
        from core.errors import InkLabError
        from gui.errors import user_message

        worker = self._last_worker
        if worker is None or worker.session is None or self._state != "idle":
            return None
        evaluation = self._evaluation.evaluation if self._evaluation is not None else None
        try:
            card = worker.session.save(name or None, evaluation=evaluation)
        except InkLabError as err:
            self.banner.show_error(f"Not saved: {err}")
            return None
        except Exception as err:
            self.banner.show_error(f"Not saved: {user_message(err)}")
            return None
        saved = getattr(card, "name", None) or name
        self._record.saved_as = saved
        self.banner.show_info(f"Saved as “{saved}”. It is now in the Draw tab's model list.")
        self.model_saved.emit(saved)
        return saved

    def _on_export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export history", str(Path.home() / "history.csv"),
                                              "CSV files (*.csv)")
        if path:
            self.export_history_csv(path)

    def export_history_csv(self, path: str | Path) -> bool:
        """Write the current run's per-epoch history as CSV (atomically)."""
        from core import storage
        from gui.run_history import history_csv

        if self._record is None:
            return False
        try:
            storage.write_bytes(path, history_csv(self._record.history).encode("utf-8"))
        except OSError as err:
            self.banner.show_error(f"Could not write {path}: {err.strerror or err}")
            return False
        self.banner.show_info(f"History written to {path}")
        return True

    def _on_export_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export plots", str(Path.home() / "training.png"),
                                              "PNG images (*.png)")
        if path:
            self.export_plots_png(path)

    def export_plots_png(self, path: str | Path) -> bool:
        """Both plots side by side in one PNG, rendered by pyqtgraph's ImageExporter."""
        from pyqtgraph.exporters import ImageExporter
        from PySide6.QtGui import QColor, QImage, QPainter

        from core import storage

        images = []
        for plot in (self.loss_plot, self.accuracy_plot):
            exporter = ImageExporter(plot.plot_widget.getPlotItem())
            exporter.parameters()["width"] = 900
            images.append(exporter.export(toBytes=True))
        width = sum(image.width() for image in images)
        height = max(image.height() for image in images)
        canvas = QImage(width, height, QImage.Format.Format_RGB32)
        canvas.fill(QColor("white"))
        painter = QPainter(canvas)
        x = 0
        for image in images:
            painter.drawImage(x, 0, image)
            x += image.width()
        painter.end()
        try:
            with storage.atomic_path(path, suffix=".png") as tmp:
                if not canvas.save(str(tmp), "PNG"):
                    raise OSError(f"could not encode {path} as PNG")
        except OSError as err:
            self.banner.show_error(f"Could not write {path}: {err}")
            return False
        self.banner.show_info(f"Plots written to {path}")
        return True
