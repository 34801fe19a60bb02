"""The Training tab: pick a data set and a preset, press Start, and watch the network learn.

The tab a teacher projects.  It only composes its panels and passes the run's events on:

- :mod:`gui.training.settings_form` — the settings column (form <-> TrainingConfig);
- :mod:`gui.training.run` — core's :class:`~core.training.TrainingRun` (the run's state,
  clock, history, evaluation and saving) on the worker, its events as signals;
- :mod:`gui.training.live_view` — buttons, the status line (its one writer), plots (redrawn
  5 times a second during a run) and the "what the model sees" strip;
- :mod:`gui.training.results_panel` — results, mistakes, save and export;
- :mod:`gui.training.compare_panel` — the session's leaderboard and overlays.

Start-up cost: this module imports neither TensorFlow nor pyqtgraph.  The widgets are built
the first time the tab is shown (:meth:`TrainingTab.ensure_ready`); TensorFlow is first
imported by the settings form's model summary, on a worker thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QVBoxLayout, QWidget

from core.training.state import RunState


class TrainingTab(QWidget):
    """Train a preset on a data set, live.  ``model_saved(name)`` fires after Save to library."""

    model_saved = Signal(str)
    run_state_changed = Signal(str)  # a RunState value: idle | running | paused | stopping | evaluating
    run_progress = Signal(int, str)  # percent and "epoch 2/5" while a run trains; (-1, "") after it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ready = False
        self._steps = None  # the generator making the widgets (build_steps)
        self.driver = None  # gui.training.run.RunDriver, made with the widgets
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)

    # ------------------------------------------------------------------ building the widgets

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._ready and self.state() is RunState.IDLE:
            self.refresh_datasets()  # a set may have been downloaded or imported meanwhile
        self.ensure_ready()
        super().showEvent(event)

    def ensure_ready(self) -> None:
        """Build the widgets (the pieces not made ahead) and list the data sets; idempotent."""
        if self._ready:
            return
        self._ready = True
        for _ in self.build_steps():
            pass
        self.refresh_datasets()
        self.form.start()
        self._update_enabled()

    def build_steps(self):
        """The widgets, made a piece at a time: an iterator to advance, one piece per turn of
        the event loop (:mod:`gui.prefetch` makes the tab ahead this way while the window idles).

        Each piece takes under ~40 ms of the GUI thread (a live plot, the settings column),
        where the whole took 110-140 ms, then as long again for its first paint: the first
        click on the tab froze the window that long.  :meth:`ensure_ready` makes whatever is
        left at once.  Nothing here imports TensorFlow (the settings form's :meth:`start` does).
        """
        if self._steps is None:
            self._steps = self._build()
        return self._steps

    def _build(self):
        from gui.training.compare_panel import ComparePanel
        from gui.training.live_view import LiveView, RunBar
        from gui.training.results_panel import COMPARE_PAGE, ResultsPanel
        from gui.training.run import RunDriver
        from gui.training.settings_form import SettingsForm
        from gui.widgets.live_plot import LivePlot
        from gui.widgets.message_banner import MessageBanner

        self.driver = RunDriver(self)
        self.banner = MessageBanner()
        self.form = SettingsForm()
        yield
        loss_plot = LivePlot("Loss (lower is better)", "loss")
        yield
        accuracy_plot = LivePlot("Accuracy (higher is better)", "accuracy %")
        yield
        self.bar = RunBar()
        self.live = LiveView(self.driver, self.bar, (loss_plot, accuracy_plot))
        self.results = ResultsPanel()
        self.compare = ComparePanel(self.live.loss_plot, self.live.accuracy_plot)
        # Titled with its count from the start: the list is kept across restarts.
        self.results.addTab(self.compare, self.compare.title())
        from gui.training.evolution_view import EvolutionView

        self.evolution = EvolutionView()
        self.results.addTab(self.evolution, "Filters and weights")
        yield
        self._compare_page = COMPARE_PAGE
        self.compare.title_changed.connect(lambda title: self.results.setTabText(COMPARE_PAGE, title))
        from gui.training.leaderboard import ContestPanel

        self.contest = ContestPanel()  # the class contest: contest files from the students' machines
        self.results.addTab(self.contest, "Class contest")

        outer = self.layout()
        outer.setContentsMargins(6, 6, 6, 6)
        split = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(split, 1)
        # The message line has its own place under the panels: a message covers nothing.
        outer.addWidget(self.banner)
        self.banner.dismiss_on_escape(self)
        split.addWidget(self.form)
        right = QWidget()
        right_col = QVBoxLayout(right)
        right_col.setContentsMargins(6, 0, 0, 0)
        right_col.addWidget(self.bar)
        vsplit = QSplitter(Qt.Orientation.Vertical)
        vsplit.addWidget(self.live)
        # The results scroll in their own pane when given less than they need (presenter view at
        # 720 px: the plots at twice their height leave them ~150 px), never the whole tab.
        self.results_area = QScrollArea()
        self.results_area.setWidget(self.results)
        self.results_area.setWidgetResizable(True)
        self.results_area.setFrameShape(QFrame.Shape.NoFrame)
        self.results_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        vsplit.addWidget(self.results_area)
        vsplit.setStretchFactor(0, 3)
        vsplit.setStretchFactor(1, 2)
        vsplit.setSizes([480, 320])
        right_col.addWidget(vsplit, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([360, 1080])

        self.results.save_requested.connect(self.save_model)
        self.results.export_csv_requested.connect(self._on_export_csv)
        self.results.export_png_requested.connect(self._on_export_png)
        self.bar.start_button.clicked.connect(self.start)
        self.bar.pause_button.clicked.connect(self.toggle_pause)
        self.bar.stop_button.clicked.connect(self.stop)
        d = self.driver
        d.state_changed.connect(self._on_state_changed)
        d.prepared.connect(self._on_prepared)
        d.started.connect(self._on_started)
        d.batch_ended.connect(self.live.on_batch)  # the common case: straight to the plots
        d.epoch_ended.connect(self.live.on_epoch)
        d.training_ended.connect(self._on_training_ended)
        d.evaluation_started.connect(self.results.show_evaluating)
        d.evaluated.connect(self._on_evaluated)
        d.evaluation_failed.connect(self._on_evaluation_failed)
        d.finished.connect(self._on_done)
        d.crashed.connect(self.banner.show_error)
        d.started.connect(lambda _info: self.evolution.start(d.weights))
        d.weights_captured.connect(self.evolution.refresh)
        d.finished.connect(self.evolution.finish)
        self.live.progress.connect(self.run_progress)

    def refresh_datasets(self) -> None:
        """List the data sets that are on this machine (call after an import or download)."""
        if not self._ready:
            return
        self.form.refresh_datasets()
        self._update_enabled()

    # ------------------------------------------------------------------ the run

    def state(self) -> RunState:
        return self.driver.state if self.driver is not None else RunState.IDLE

    def is_running(self) -> bool:
        """True while a run is in progress (paused and testing included): closing would lose it."""
        return self.driver is not None and self.driver.is_running()

    @property
    def batches_received(self) -> int:
        """Batch events seen in this run (tests wait on it, not on sleeps)."""
        return self.live.batches_received if self._ready else 0

    @Slot()
    def start(self) -> None:
        """Start a run with the current settings; ignored while one is going."""
        self.ensure_ready()
        if self.is_running():
            return
        from core.errors import InkLabError

        self.banner.clear()
        if not self.form.dataset_combo.currentData():
            self.banner.show_error("Choose a data set first (get one on the Data sets tab).")
            return
        try:
            config = self.form.config().validate()
        except InkLabError as err:
            self.banner.show_error(str(err))
            return
        self.compare.start_run(config)
        self.results.clear()
        self.live.begin(self.compare.longest_epochs(config.epochs), f"Loading {config.dataset} and building "
                        f"{config.preset}…")
        self.form.warm_up_allowed = False
        self.driver.start(config)

    @Slot()
    def toggle_pause(self) -> None:
        if self.is_running():
            self.driver.toggle_pause()
            self.live.flush()

    @Slot()
    def stop(self) -> None:
        if self.driver is not None and self.driver.stop():
            self.live.say("Stopping after this batch…")

    @Slot(str)
    def _on_state_changed(self, state: str) -> None:
        self._update_enabled()
        self.run_state_changed.emit(self.state().value)

    def _update_enabled(self) -> None:
        if not self._ready:
            return
        state = self.state()
        idle = state is RunState.IDLE
        self.form.set_editable(idle)
        self.bar.show_state(state, bool(self.form.dataset_combo.currentData()))
        last = self.driver.last_run
        record = self.compare.current
        can_save = (idle and last is not None and last.model is not None
                    and record is not None and record.status in ("completed", "stopped"))
        has_history = record is not None and bool(record.history.get("epoch"))
        self.results.set_actions(can_save, idle and has_history, idle and record is not None)

    # ---- events of the run (GUI thread)

    @Slot(object)
    def _on_prepared(self, prepared) -> None:
        if prepared.summary is not None:  # the model as really built for this data set
            self.form.show_summary(prepared.summary)
        self.live.on_prepared(prepared)

    @Slot(object)
    def _on_started(self, info) -> None:
        from gui.errors import sentence

        self.live.on_run_started(info)
        if info.notes:  # how the settings were adapted to the data, e.g. a capped validation
            self.banner.show_info(" ".join(f"{sentence(n)}." for n in info.notes))

    @Slot(object)
    def _on_training_ended(self, result) -> None:
        self.live.on_training_ended(result)
        self.compare.training_ended(result, self.live.loss_plot.series("batch"),
                                    self.live.accuracy_plot.series("batch"))
        self.results.show_training_ended(result)
        if result.status == "failed":
            self.banner.show_error(f"Training failed: {result.error}")

    @Slot(object)
    def _on_evaluated(self, view) -> None:
        self.results.show_evaluation(view)
        self.compare.tested(view.accuracy, view.loss)

    @Slot(str)
    def _on_evaluation_failed(self, message: str) -> None:
        self.banner.show_error(f"Test evaluation failed: {message}")

    @Slot(object)
    def _on_done(self, result) -> None:
        self.live.end(result)
        last = self.driver.last_run
        if last is not None:
            self.results.propose_name(last.config)
        self.compare.finish_run()

    # ------------------------------------------------------------------ compare, save, export

    def runs(self):
        """The runs of this session (RunRecord list, in start order)."""
        return list(self.compare.history.runs) if self._ready else []

    def save_model(self, name: str) -> str | None:
        """Save the last run's model to the library as ``name``; returns the saved name or None."""
        last = self.driver.last_run if self._ready else None
        if last is None or self.state() is not RunState.IDLE:
            return None
        saved = self.results.save(last, name)
        if saved:
            self.compare.saved_as(saved)  # the leaderboard calls the run by its model's name now
            self.model_saved.emit(saved)
        return saved

    def export_stem(self) -> str:
        """The start of proposed export names: the saved model's name, else "cnn-classic-run3"."""
        from gui.widgets.file_dialogs import safe_file_name

        record = self.compare.current if self._ready else None
        if record is None:
            return "training"
        return safe_file_name(record.saved_as or f"{record.preset}-run{record.number}")

    def _on_export_csv(self) -> None:
        from gui.widgets.file_dialogs import ask_save_path

        chosen = ask_save_path(self, "exports", "Export history", f"{self.export_stem()}-history.csv",
                               "CSV files (*.csv)")
        if chosen:
            self.export_history_csv(chosen[0])

    def export_history_csv(self, path: str | Path) -> bool:
        """Write the current run's per-epoch history as CSV (atomically)."""
        record = self.compare.current if self._ready else None
        if record is None:
            return False
        return self.results.write_history_csv(path, record.history)

    def _on_export_png(self) -> None:
        from gui.widgets.file_dialogs import ask_save_path

        chosen = ask_save_path(self, "exports", "Export plots", f"{self.export_stem()}-plots.png",
                               "PNG images (*.png)")
        if chosen:
            self.export_plots_png(chosen[0])

    def export_plots_png(self, path: str | Path) -> bool:
        """Both plots side by side in one PNG."""
        return self.results.write_plots_png(path, (self.live.loss_plot, self.live.accuracy_plot))
