"""The Training tab's live view: run buttons, status line and progress, the plots, the sample strip.

Batch events (at most 10 a second from the window's run, :mod:`gui.training.run`) only
append to the plots' numpy buffers; a timer redraws the plots, the status line and the
progress bar :data:`PLOT_FPS` (5) times a second, so a fast model cannot flood the event
loop.  The ETA in the status line is :func:`core.training.runs.remaining_s`, the engine's own
formula.  The batch curve is :class:`core.training.batch_curve.BatchCurve`: Keras's running
means turned back into per-batch values and smoothed across epochs, so it does not jump at
each epoch boundary when the running mean starts again.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.training.batch_curve import BatchCurve
from core.training.state import RunState, remaining_s
from gui.concurrency import throttle
from gui.widgets.elided_label import ElidedLabel
from gui.widgets.live_plot import LivePlot
from gui.widgets.prediction_strip import PredictionStrip

# Redraws while training: 5 a second, the least issue 28 allows (the batch curve, the status
# line and the progress bar keep moving at least 5 times a second).  A frame of the two plots
# costs the GUI thread 3-5 ms of CPU alone and up to ~10 ms while a run competes for the
# interpreter, each ms of it Python paint code holding the GIL that the training thread
# needs between its steps.  The earlier pacing (10 a second, stretched to 5 when frames got
# slow) already drew ~5 a second during a run; fixed at 5 the timer is simple and the same.
PLOT_FPS = 5
START_KEY, PAUSE_KEY, STOP_KEY = "F5", "F6", "Shift+F5"


def clock(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss``; ``--:--`` when unknown."""
    if not math.isfinite(seconds) or seconds < 0:
        return "--:--"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def big(widget, factor: float = 1.25, bold: bool = True):
    """``widget`` with a larger (bold) font: the tab is projected in class."""
    font = widget.font()
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    widget.setFont(font)
    return widget


#: The least height the two plots keep, whatever the results panel below them wants.
PLOTS_MIN_HEIGHT = 160

def show_progress(bar: QProgressBar, value: int, text: str) -> None:
    """Set a progress bar's value and text, painted with the next frame.

    ``QProgressBar.setValue`` repaints the bar at once, inside the call, whenever its text
    changes (2-4 ms a call on the GUI thread, measured offscreen: most of what a run cost
    the GUI thread, issue 28).  With updates off it only records the value; turning them on
    again asks for one ordinary paint, drawn with the frame's other paints.
    """
    bar.setUpdatesEnabled(False)
    try:
        bar.setValue(value)
        bar.setFormat(text)
    finally:
        bar.setUpdatesEnabled(True)


class RunBar(QWidget):
    """Start / Pause / Stop (F5, F6, Shift+F5), the status line and the progress bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        run_row = QHBoxLayout(self)
        run_row.setContentsMargins(0, 0, 0, 0)
        self._keys_shown = True  # the shortcut in each button's text (not in presenter view)
        self._paused = False
        self.start_button = QPushButton()
        self.pause_button = QPushButton()
        self.stop_button = QPushButton()
        self._label_buttons()
        for button, key, tip in (
            (self.start_button, START_KEY, "Train a new model with these settings"),
            (self.pause_button, PAUSE_KEY, "Hold the run after the current batch / go on"),
            (self.stop_button, STOP_KEY, "End the run after the current batch (the model is kept)"),
        ):
            button.setToolTip(f"{tip}  [{key}]")
            button.setMinimumHeight(34)
            big(button, 1.1)
            run_row.addWidget(button)
        status_col = QVBoxLayout()
        # A long status line must never widen the window: it ends in "…" (whole in its tooltip).
        self.status_label = big(ElidedLabel("Ready."), 1.1)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("%p%")
        status_col.addWidget(self.status_label)
        status_col.addWidget(self.progress_bar)
        run_row.addLayout(status_col, 1)

    def show_state(self, state: RunState, can_start: bool) -> None:
        """Enable the buttons that make sense in ``state``."""
        self.start_button.setEnabled(state is RunState.IDLE and can_start)
        self.pause_button.setEnabled(state in (RunState.RUNNING, RunState.PAUSED))
        self._paused = state is RunState.PAUSED
        self._label_buttons()
        self.stop_button.setEnabled(state in (RunState.RUNNING, RunState.PAUSED))

    def _label_buttons(self) -> None:
        def text(name: str, key: str) -> str:
            return f"{name} ({key})" if self._keys_shown else name

        self.start_button.setText(text("▶  Start", START_KEY))
        self.pause_button.setText(text("▶  Resume" if self._paused else "❚❚  Pause", PAUSE_KEY))
        self.stop_button.setText(text("■  Stop", STOP_KEY))
        # setText puts the text's mnemonic in place of a button's shortcut: the keys again.
        for button, key in ((self.start_button, START_KEY), (self.pause_button, PAUSE_KEY),
                            (self.stop_button, STOP_KEY)):
            button.setShortcut(QKeySequence(key))

    def set_presenter(self, on: bool, _scale: float = 2.0) -> None:
        """Presenter view (:mod:`gui.presenter`): the buttons without their keys, which at twice
        the size left the status line no room on a 1280-px projector (the keys still work)."""
        self._keys_shown = not on
        self._label_buttons()


class LiveView(QWidget):
    """The loss and accuracy plots and the "what the model sees" strip, fed by the run's events.

    ``driver`` is the :class:`~gui.training.run.RunDriver` whose run's state and clock the
    status line shows; ``bar`` the :class:`RunBar` whose status line this view alone writes
    (:meth:`_show_status`: the live numbers while batches come, else the phase of the run,
    "Paused · " before it when paused).  ``progress`` (percent, "epoch 2/5") follows the run
    for the other tabs; (-1, "") once it is over.  ``live_plots``: the loss and accuracy
    :class:`LivePlot` when the caller has made them already.
    """

    progress = Signal(int, str)

    def __init__(self, driver, bar: RunBar, live_plots: tuple[LivePlot, LivePlot] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.driver = driver
        self.bar = bar
        self._phase = "Ready."  # what the status line says when there are no live numbers
        self.batches_received = 0  # batch events seen in this run (tests use it, not sleeps)
        self.epochs_received = 0
        self.latest_batch = None
        self.info = None  # core.training.RunInfo of the run on screen
        self._curves = (BatchCurve(), BatchCurve())  # loss, accuracy
        self._shown_progress = (-1, "")
        live_col = QVBoxLayout(self)
        live_col.setContentsMargins(0, 0, 0, 0)
        plots = QWidget()
        plots_row = QHBoxLayout(plots)
        plots_row.setContentsMargins(0, 0, 0, 0)
        # (Made by the caller, one per turn of the event loop: each takes ~40 ms; see TrainingTab.build_steps.)
        self.loss_plot, self.accuracy_plot = live_plots or (LivePlot("Loss (lower is better)", "loss"),
                                                       LivePlot("Accuracy (higher is better)", "accuracy %"))
        self.accuracy_plot.plot_widget.getPlotItem().setXLink(self.loss_plot.plot_widget.getPlotItem())
        plots_row.addWidget(self.loss_plot)
        plots_row.addWidget(self.accuracy_plot)
        self.plots = plots
        # The plots are the lesson: the results below may not squeeze them out of sight (at
        # 1280x720 with a long Compare runs list they were ~20 px tall).
        plots.setMinimumHeight(PLOTS_MIN_HEIGHT)
        live_col.addWidget(plots, 1)
        # Earlier runs only when asked: with five of them behind it the current run was lost.
        # (On the strip's caption line: a line of its own cost the plots room at 1280x680.)
        self.earlier_check = QCheckBox("Show earlier runs")
        self.earlier_check.setToolTip("Draw the runs ticked in Compare runs, thin and faint, behind this one")
        self.earlier_check.toggled.connect(self.show_earlier)
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.earlier_runs_wanted.connect(lambda: self.earlier_check.setChecked(True))
        # Its title is the start of its caption line: a title line of its own cost the plots room.
        strip_box = QGroupBox()
        strip_col = QVBoxLayout(strip_box)
        strip_col.setContentsMargins(6, 4, 6, 2)
        strip_col.setSpacing(2)
        self.strip = PredictionStrip(tile_size=36, columns=16, reserve_rows=1)
        strip_title = QLabel("<b>What the model sees:</b>")
        strip_title.setToolTip("The same validation samples after every epoch, with the model's guess under each")
        self.strip_caption = ElidedLabel("Press Start: its guesses appear here, green when right, red when wrong.")
        self.strip_caption.setToolTip(strip_title.toolTip())
        caption_row = QHBoxLayout()
        caption_row.addWidget(strip_title)
        caption_row.addWidget(self.strip_caption, 1)
        caption_row.addWidget(self.earlier_check)
        strip_col.addLayout(caption_row)
        strip_col.addWidget(self.strip)
        live_col.addWidget(strip_box)

        self._flush_timer = throttle(self, self._frame, 1000 // PLOT_FPS)

    @Slot(bool)
    def show_earlier(self, shown: bool) -> None:
        """Draw the earlier runs ticked in Compare runs behind the current one, or hide them."""
        self.loss_plot.show_earlier(shown)
        self.accuracy_plot.show_earlier(shown)

    # ---- a run starts and ends

    def say(self, phase: str) -> None:
        """The phase of the run the status line shows when there are no live numbers."""
        self._phase = phase
        self._show_status()

    def begin(self, longest_epochs: int, phase: str) -> None:
        """Clear for a new run, say ``phase`` and frame the plots for ``longest_epochs`` epochs."""
        self.loss_plot.clear()
        self.accuracy_plot.clear()
        self.batches_received = self.epochs_received = 0
        self.latest_batch = self.info = None
        self._curves = (BatchCurve(), BatchCurve())
        self.bar.progress_bar.setValue(0)
        self.bar.progress_bar.setFormat("%p%")
        self.strip.set_samples(np.zeros((0, 28, 28), np.uint8))
        self.strip_caption.setText("Loading the data and building the model…")
        # Frame the plots now, before the worker starts: redrawn later, the axes would be
        # painted while TensorFlow traces the model on the other thread, and a Python-heavy
        # paint competing with tracing for the GIL stalls the window for a few hundred ms.
        self.loss_plot.hold_range(longest_epochs)
        self.accuracy_plot.hold_range(longest_epochs, (0.0, 100.0))
        self.bar.progress_bar.setRange(0, 0)  # busy until the first batch
        self._report_progress(0, "loading the data")
        self.say(phase)
        self._flush_timer.start()

    def end(self, result) -> None:
        """The run is over: last frame, axes free again, progress bar settled."""
        self._flush_timer.stop()
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.flush()
            plot.settle_range()
        bar = self.bar.progress_bar
        bar.setFormat("%p%")
        if result.status == "completed":
            bar.setRange(0, 1)
            bar.setValue(1)
        elif result.status == "stopped" and self.info is not None:  # where it got to, not 0%
            bar.setRange(0, max(1, self.info.epochs * self.info.steps_per_epoch))
            bar.setValue(min(bar.maximum(), result.batches_done))
        else:
            bar.setRange(0, 1)
            bar.setValue(0)
        if result.status == "failed":
            self.strip_caption.setText("The run failed before the model could guess anything.")
        elif not len(self.strip):
            self.strip_caption.setText("Stopped before the model had seen any data.")
        self._report_progress(-1, "")

    # ---- events of the run

    def on_prepared(self, prepared) -> None:
        if prepared.preview_images is None:
            self.strip_caption.setText("No validation samples in this run, so nothing to show here.")
        else:
            self.strip.set_samples(prepared.preview_images, prepared.preview_labels, prepared.label_names)
            if prepared.preview_probabilities is not None:
                self._show_strip(prepared.preview_probabilities, "Before training (random weights)")

    def on_run_started(self, info) -> None:
        self.info = info
        self.bar.progress_bar.setRange(0, max(1, info.epochs * info.steps_per_epoch))
        self.say(f"Training on {info.train_samples:,} samples, validating on {info.val_samples:,} ({info.device})")

    def on_training_ended(self, result) -> None:
        """Training is over (an evaluation may follow): the last frame and how it ended."""
        self.flush()
        if result.status == "failed":
            self.say("Training failed — change the settings and try again.")
        else:
            done = "Finished" if result.status == "completed" else "Stopped"
            self.say(f"{done} after {result.epochs_done} epoch(s) in {clock(result.elapsed_s)}")

    @Slot(object)
    def on_batch(self, progress) -> None:
        self.batches_received += 1
        self.latest_batch = progress
        x = progress.position
        loss_curve, accuracy_curve = self._curves
        self.loss_plot.add_batch(x, loss_curve.add(progress.epoch, progress.step, progress.loss))
        self.accuracy_plot.add_batch(x, accuracy_curve.add(progress.epoch, progress.step, progress.accuracy) * 100)

    @Slot(object)
    def on_epoch(self, result) -> None:
        self.epochs_received += 1
        self.loss_plot.add_epoch(result.epoch, result.loss, result.val_loss)
        pct = None if result.val_accuracy is None else result.val_accuracy * 100
        self.accuracy_plot.add_epoch(result.epoch, result.accuracy * 100, pct)
        if result.preview is not None and len(self.strip):
            self._show_strip(result.preview, f"After epoch {result.epoch}")
        # The markers are drawn by the next frame (at most 1/PLOT_FPS s away), not in this
        # turn of the event loop: the strip and the flush together were the window's longest
        # stall of a run (issue 28), while the training thread runs Python at an epoch end.
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def _show_strip(self, probabilities, when: str) -> None:
        predicted = probabilities.argmax(axis=1)
        confidence = probabilities.max(axis=1)
        self.strip.set_predictions(predicted, confidence)
        right = self.strip.right_count()
        self.strip_caption.setText(f"{when}: {right} of {len(self.strip)} right")

    # ---- paced redrawing

    @Slot()
    def _frame(self) -> None:
        """One frame while a run goes; the next is 1/PLOT_FPS s after this one is drawn."""
        self.flush()
        if self.driver.state.training and self.driver.is_running():
            self._flush_timer.start()

    @Slot()
    def flush(self) -> None:
        """Redraw the plots, the status line and the progress bar (PLOT_FPS times a second in a run)."""
        self.loss_plot.flush()
        self.accuracy_plot.flush()
        self._show_status()

    def _show_status(self) -> None:
        """The status line and the progress bar: live numbers while batches come, else the phase."""
        progress, info = self.latest_batch, self.info
        state = self.driver.state
        label = self.bar.status_label
        if progress is None or info is None or state not in (RunState.RUNNING, RunState.PAUSED):
            text = f"Paused · {self._phase}" if state is RunState.PAUSED else self._phase
            if label.full_text() != text:
                label.setText(text)
            return
        bar = self.bar.progress_bar
        elapsed = self.driver.elapsed_s()
        rate = progress.samples_seen / elapsed if elapsed > 0 else 0.0
        eta = remaining_s(progress.samples_seen, info.epochs * info.train_samples, elapsed)
        # Short enough to be read whole beside the buttons at 1280 px (it was cut at "batch 10…"):
        # the batch goes into the progress bar, which has room for it.
        where = f"epoch {progress.epoch}/{info.epochs}"
        if state is RunState.PAUSED:
            text = f"Paused at {where} · {clock(eta)} left · {clock(elapsed)} elapsed"
        else:
            text = f"Epoch {progress.epoch}/{info.epochs} · {clock(eta)} left · {clock(elapsed)} elapsed · {rate:,.0f}/s"
        label.setText(text)
        label.setToolTip(f"{text} · batch {progress.step}/{progress.steps} of this epoch "
                         f"· {rate:,.0f} samples a second")
        show_progress(bar, (progress.epoch - 1) * progress.steps + progress.step,
                      f"batch {progress.step}/{progress.steps} · %p%")
        percent = int(100 * bar.value() / bar.maximum()) if bar.maximum() > 0 else 0
        self._report_progress(percent, where + (", paused" if state is RunState.PAUSED else ""))

    def _report_progress(self, percent: int, where: str) -> None:
        if (percent, where) != self._shown_progress:
            self._shown_progress = (percent, where)
            self.progress.emit(percent, where)
