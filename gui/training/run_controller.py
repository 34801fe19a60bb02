"""The Training tab's run controller: the :class:`~core.training.runs.RunState` machine and its worker.

One object owns the run: the :class:`gui.concurrency.Worker` that runs a
:class:`gui.training.run.TrainingRun`, the state (idle -> running <-> paused -> stopping ->
evaluating -> idle), the run's clock (paused time left out), and the process-wide
``sys.setswitchinterval``, which is lowered only while a run trains and put back as soon as
no run is going.  The panels only listen: ``state_changed``, ``event`` (each
``(RunEvent, payload)`` of the run, on the GUI thread) and ``finished(RunResult)``.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QObject, Signal, Slot

from core.training.runs import RunState
from gui.concurrency import Worker
from gui.training.run import RunEvent, TrainingRun

# While a run trains, hand the GIL over after 1 ms instead of Python's default 5 ms.  The
# training thread runs Python between TensorFlow calls; with the default, every repaint of
# the plots (Python paint code) waits up to 5 ms at each of its many GIL hand-overs, and the
# event loop stalls for 100+ ms.  With 1 ms it stays under ~50 ms and training is no slower.
RUN_SWITCH_INTERVAL_S = 0.001


class RunController(QObject):
    """Start, pause, resume and stop one training run at a time."""

    state_changed = Signal(str)  # a RunState value
    event = Signal(object)  # (RunEvent, payload), on the GUI thread
    finished = Signal(object)  # core.training.RunResult, once per run, always
    crashed = Signal(str)  # one readable line: the run ended past its own error handling

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = RunState.IDLE
        self.run: TrainingRun | None = None  # the run going now
        self.last_run: TrainingRun | None = None  # the finished run whose session can be saved
        self._t0 = 0.0
        self._paused_at = 0.0
        self._paused_s = 0.0
        self._switch_interval = sys.getswitchinterval()
        self.worker = Worker(self, name="training", native=True)
        self.worker.yielded.connect(self._on_event)
        self.worker.returned.connect(self._on_done)
        self.worker.errored.connect(self._on_ended_early)
        self.worker.cancelled.connect(self._on_ended_early)

    @property
    def state(self) -> RunState:
        return self._state

    def is_running(self) -> bool:
        """True from Start until the run (evaluation included) is over."""
        return self.run is not None

    def _set_state(self, state: RunState) -> None:
        self._state = state
        self.state_changed.emit(state.value)

    # ---- the clock

    def restart_clock(self) -> None:
        """The run's time starts now (called again when the first batch is about to train)."""
        self._t0 = time.monotonic()
        self._paused_s = 0.0

    def elapsed_s(self) -> float:
        """Seconds the run has trained, paused time left out."""
        paused_now = time.monotonic() - self._paused_at if self._state is RunState.PAUSED else 0.0
        return time.monotonic() - self._t0 - self._paused_s - paused_now

    # ---- control

    def start(self, config) -> None:
        """Start a run of the validated ``config``; ignored while one is going."""
        if self.run is not None:
            return
        run = TrainingRun(config, self.worker.emit)
        self.run = run
        # Only the last run is kept (for saving): ten runs in a lesson would hold gigabytes.
        self.last_run = None
        self.restart_clock()
        self._set_state(RunState.RUNNING)
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, RUN_SWITCH_INTERVAL_S))
        self.worker.start(run)

    def toggle_pause(self) -> None:
        if self.run is None:
            return
        if self._state is RunState.RUNNING:
            self.run.pause()
            self._paused_at = time.monotonic()
            self._set_state(RunState.PAUSED)
        elif self._state is RunState.PAUSED:
            self.run.resume()
            self._paused_s += time.monotonic() - self._paused_at
            self._set_state(RunState.RUNNING)

    def stop(self) -> bool:
        """Ask the run to end after the current batch; False when there is nothing to stop."""
        if self.run is None or self._state in (RunState.STOPPING, RunState.EVALUATING):
            return False
        self.run.stop()
        self._set_state(RunState.STOPPING)
        return True

    # ---- the worker's signals (GUI thread)

    @Slot(object)
    def _on_event(self, event) -> None:
        if event[0] is RunEvent.EVALUATION_STARTED:
            self._set_state(RunState.EVALUATING)
        self.event.emit(event)

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
        self.run = None
        sys.setswitchinterval(self._switch_interval)
        self.last_run = run if result.status != "failed" else None
        self.finished.emit(result)
        self._set_state(RunState.IDLE)
