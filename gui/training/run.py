"""The Training tab's side of a run: core's :class:`~core.training.TrainingRun`, its events as signals.

napari's model/``_qt`` split: the run itself — state, clock (paused time left out),
history, evaluation on the right split, saving — is :class:`core.training.TrainingRun`,
the object the CLI and ``tools/build_models.py`` drive too.  :class:`RunDriver` starts it
on the one worker primitive (:class:`gui.concurrency.Worker`, so the app's shutdown stops
and awaits it) and adapts its listener events to Qt signals, which Qt delivers on the GUI
thread.  A batch takes three hops: the run's batch hook -> :class:`_SignalListener` ->
``batch_ended`` -> the live view's slot.

Everything that touches the Keras model runs on the training thread, inside the run, and
leaves as numpy arrays (:class:`EvaluationView` is made there too): a Keras model must
never be called from two threads at once.

While a run trains, ``sys.setswitchinterval`` is lowered (:data:`RUN_SWITCH_INTERVAL_S`)
and put back as soon as no run is going.

This module imports no TensorFlow; ``core.training`` is imported when a run starts.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from core.training.events import TrainingListener
from core.training.state import RunState
from gui.concurrency import Worker

# While a run trains, hand the GIL over after 1 ms instead of Python's default 5 ms.  The
# training thread runs Python between TensorFlow calls; with the default, every repaint of
# the plots (Python paint code) waits up to 5 ms at each of its many GIL hand-overs, and the
# event loop stalls for 100+ ms.  With 1 ms it stays under ~50 ms and training is no slower.
RUN_SWITCH_INTERVAL_S = 0.001

# Batch events from the window's run: 10 a second, twice the live view's frames (it draws 5
# a second), not the engine's default 30 (core.training.run.BATCH_EVENTS_PER_S, which the CLI
# keeps).  Each event is a queued signal: a Python call on the training thread to post it
# and a GIL hand-over on the GUI thread to take it, for points no frame would show apart.
WINDOW_BATCH_EVENTS_PER_S = 10


@dataclass(frozen=True)
class EvaluationView:
    """The evaluation after a run as plain arrays, ready for the widgets."""

    loss: float
    accuracy: float
    samples: int
    confusion: np.ndarray
    per_class_accuracy: np.ndarray
    label_names: tuple[str, ...]
    mistake_images: np.ndarray
    mistake_true: np.ndarray
    mistake_predicted: np.ndarray
    mistake_confidence: np.ndarray
    evaluation: object  # core.evaluation.Evaluation
    split: str = "test"  # "validation" when the data set has no test split

    @classmethod
    def of(cls, evaluated) -> EvaluationView:
        """From core's :class:`~core.training.Evaluated` event."""
        evaluation = evaluated.evaluation
        mistakes = evaluation.mistakes
        indices = np.asarray([m.index for m in mistakes], np.int64)
        return cls(
            loss=float(evaluation.loss),
            accuracy=float(evaluation.accuracy),
            samples=int(evaluation.samples),
            confusion=np.asarray(evaluation.confusion, np.int64),
            per_class_accuracy=np.asarray(evaluation.recall, np.float64),  # recall = share of the class right
            label_names=tuple(evaluation.label_names),
            mistake_images=evaluated.images[indices],
            mistake_true=np.asarray([m.true for m in mistakes], np.int64),
            mistake_predicted=np.asarray([m.predicted for m in mistakes], np.int64),
            mistake_confidence=np.asarray([m.probability for m in mistakes], np.float64),
            evaluation=evaluation,
            split=evaluated.split,
        )


class RunDriver(QObject):
    """Start, pause, resume and stop one :class:`~core.training.TrainingRun` at a time; its events as signals.

    The run's own state is the truth (:attr:`state`); :attr:`run` is the run going now
    (until the worker has ended, evaluation included) and :attr:`last_run` the finished one
    whose model can be saved.
    """

    state_changed = Signal(str)  # a RunState value ("idle" once the run is over)
    prepared = Signal(object)  # core.training.Prepared
    started = Signal(object)  # core.training.RunInfo
    batch_ended = Signal(object)  # core.training.BatchProgress (~10 a second)
    epoch_ended = Signal(object)  # core.training.EpochResult
    training_ended = Signal(object)  # core.training.RunResult: training is over; evaluation may follow
    evaluation_started = Signal(str)  # the split
    evaluated = Signal(object)  # EvaluationView
    evaluation_failed = Signal(str)  # one readable line
    finished = Signal(object)  # core.training.RunResult, once per run, always, last
    weights_captured = Signal(object)  # core.training.evolution.Snapshot: before the run, after each epoch
    crashed = Signal(str)  # one readable line: the run ended past its own error handling

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.run = None  # core.training.TrainingRun going now
        self.last_run = None  # the finished run whose model can be saved
        self.weights = None  # core.training.evolution.WeightCapture of the latest run
        self._listener: _SignalListener | None = None
        self._switch_interval = sys.getswitchinterval()
        self.worker = Worker(self, name="training", native=True)
        self.worker.returned.connect(self._on_done)
        self.worker.errored.connect(self._on_ended_early)
        self.worker.cancelled.connect(self._on_ended_early)

    @property
    def state(self) -> RunState:
        """The run's state: IDLE when none is going, RUNNING from Start (the worker may not
        have begun yet), "finished" while its last events arrive."""
        if self.run is None:
            return RunState.IDLE
        state = self.run.state
        return RunState.RUNNING if state is RunState.IDLE else state

    def is_running(self) -> bool:
        """True from Start until the run (evaluation included) is over."""
        return self.run is not None

    def elapsed_s(self) -> float:
        """Seconds the run has trained, paused time left out (the run's own clock)."""
        return self.run.elapsed_s() if self.run is not None else 0.0

    def start(self, config) -> None:
        """Start a run of the validated ``config``; ignored while one is going."""
        if self.run is not None:
            return
        from core.training import TrainingRun

        run = TrainingRun(config, loader=_shared_loader, evaluate_after=True,
                          batch_interval=1.0 / WINDOW_BATCH_EVENTS_PER_S)
        self._listener = run.add_listener(_SignalListener(self))
        # The filters and weight histograms of every epoch (the "Filters and weights" page).
        from core.training.evolution import WeightCapture

        listener = self._listener
        self.weights = run.add_listener(WeightCapture(on_snapshot=lambda s: listener._post(self.weights_captured, s)))
        self.run = run
        # Only the last run is kept (for saving): ten runs in a lesson would hold gigabytes.
        self.last_run = None
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, RUN_SWITCH_INTERVAL_S))
        self.state_changed.emit(RunState.RUNNING.value)
        self.worker.start(lambda progress, cancel: _train(run, cancel))

    def toggle_pause(self) -> None:
        if self.run is not None and self.run.state in (RunState.RUNNING, RunState.PAUSED):
            self.run.toggle_pause()

    def stop(self) -> bool:
        """Ask the run to end after the current batch; False when there is nothing to stop."""
        if self.run is None or self.run.state not in (RunState.IDLE, RunState.RUNNING, RunState.PAUSED):
            return False
        self.run.stop()
        return True

    @Slot()
    @Slot(str)
    def _on_ended_early(self, message: str = "") -> None:
        """The run was cancelled (the app is quitting) or crashed past its own error handling."""
        run = self.run
        if run is None:
            return
        from core.training import RunResult, empty_history

        if message:
            self.crashed.emit(message)
        self._on_done(run.result or RunResult("failed", message, empty_history(), 0.0, 0))

    @Slot(object)
    def _on_done(self, result) -> None:
        run = self.run
        if run is None:
            return
        self._listener.close()
        self.run = None
        sys.setswitchinterval(self._switch_interval)
        self.last_run = run if result.status != "failed" else None
        self.finished.emit(result)
        self.state_changed.emit(RunState.IDLE.value)


def _shared_loader(name: str, cancel):
    """The one in-memory cache the Datasets tab uses too: a second run on MNIST starts at once."""
    from core.datasets.memory_cache import load_shared

    return load_shared(name, cancel=cancel)


def _train(run, cancel):
    """The worker's task: the whole run, on the worker's thread."""
    from core.native_logs import import_tensorflow

    import_tensorflow()  # quietly, and one thread at a time (see its docstring)
    cancel.on_cancel(run.cancel)  # the app quitting: stop even a paused run, skip the evaluation
    return run.run()


class _SignalListener(TrainingListener):
    """The run's listener that emits the driver's signals (called on the training thread).

    One emit per event, no I/O or drawing here.  :meth:`close` (the run is over, or the
    driver is being destroyed) is a barrier: nothing is emitted after it returns.
    """

    def __init__(self, driver: RunDriver) -> None:
        self._lock = threading.Lock()
        self._closed = False
        d = driver
        self._state, self._prepared, self._started = d.state_changed, d.prepared, d.started
        self._batch, self._epoch, self._ended = d.batch_ended, d.epoch_ended, d.training_ended
        self._evaluating, self._evaluated, self._failed = d.evaluation_started, d.evaluated, d.evaluation_failed
        driver.destroyed.connect(self.close)

    def close(self, *_args) -> None:
        with self._lock:
            self._closed = True

    def _post(self, signal, value) -> None:
        with self._lock:
            if self._closed:
                return
            try:
                signal.emit(value)
            except RuntimeError:  # the driver's C++ side is gone: nobody is listening
                self._closed = True

    def on_state_changed(self, state) -> None:
        self._post(self._state, state.value)

    def on_prepared(self, prepared) -> None:
        self._post(self._prepared, prepared)

    def on_run_start(self, info) -> None:
        self._post(self._started, info)

    def on_batch_end(self, progress) -> None:
        self._post(self._batch, progress)

    def on_epoch_end(self, result) -> None:
        self._post(self._epoch, result)

    def on_run_end(self, result) -> None:
        self._post(self._ended, result)

    def on_evaluation_start(self, split: str) -> None:
        self._post(self._evaluating, split)

    def on_evaluated(self, evaluated) -> None:
        self._post(self._evaluated, EvaluationView.of(evaluated))

    def on_evaluation_failed(self, message: str) -> None:
        self._post(self._failed, message)
