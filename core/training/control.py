"""The control side of a training run: its state, its pause and stop, its listeners.

:class:`RunControl` is the base of :class:`core.training.run.TrainingRun`: everything here
is safe to call from any thread (a button, a Ctrl+C handler) and takes effect within one
batch; the fit hooks (:mod:`core.training.fit`) wait in :meth:`RunControl._hold_while_paused`.
"""

from __future__ import annotations

import logging
import threading

from core.progress import CancelToken
from core.training.state import RunClock, RunState

log = logging.getLogger(__name__)


class RunControl:
    """State (:class:`RunState`), clock, pause/resume/stop/cancel, and the listeners that hear them."""

    def __init__(self) -> None:
        self.clock = RunClock()
        self.listeners: list = []  # TrainingListener
        self._state = RunState.IDLE
        self._lock = threading.Lock()  # guards the state (and the run's prepare())
        self._stop = threading.Event()  # training ends after the current batch
        self._unpaused = threading.Event()
        self._unpaused.set()
        self._holding = threading.Event()
        self._cut_evaluation = threading.Event()  # a stop asked while evaluating
        self._load_cancel = CancelToken()  # a stop while the data set loads
        self._cancelled = False  # cancel(): nothing after training (no evaluation)

    def add_listener(self, listener):
        """Add a :class:`~core.training.events.TrainingListener` (before ``run()``); it gets
        ``listener.run = self``.  Returns it."""
        listener.run = self
        self.listeners.append(listener)
        return listener

    @property
    def state(self) -> RunState:
        return self._state

    def _set_state(self, state: RunState, only_from: tuple[RunState, ...] = ()) -> bool:
        with self._lock:
            if self._state is state or (only_from and self._state not in only_from):
                return False
            self._state = state
        for listener in self.listeners:
            try:
                listener.on_state_changed(state)
            except Exception:  # a control call (a button) must not fail for a listener
                log.exception("training listener failed in on_state_changed")
        return True

    def stop(self) -> None:
        """End training after the current batch (also when paused); the evaluation still follows.

        Asked while evaluating, it cuts the evaluation short.  The model stays usable.
        """
        if self._state is RunState.EVALUATING:
            self._cut_evaluation.set()
            return
        self._stop.set()
        self._load_cancel.cancel()
        self._unpaused.set()
        self._set_state(RunState.STOPPING, only_from=(RunState.IDLE, RunState.RUNNING, RunState.PAUSED))

    def cancel(self) -> None:
        """Stop at once and skip the evaluation (the app is quitting, a second Ctrl+C)."""
        self._cancelled = True
        self._cut_evaluation.set()
        self.stop()

    def pause(self) -> None:
        """Hold the run after the current batch until :meth:`resume` (or :meth:`stop`)."""
        if not self._stop.is_set() and self._state in (RunState.IDLE, RunState.RUNNING):
            self._unpaused.clear()
            self._set_state(RunState.PAUSED, only_from=(RunState.IDLE, RunState.RUNNING))

    def resume(self) -> None:
        """Let a paused run go on."""
        self._unpaused.set()
        self._set_state(RunState.RUNNING, only_from=(RunState.PAUSED,))

    def toggle_pause(self) -> None:
        """Pause a running run, resume a paused one."""
        if self._state is RunState.PAUSED:
            self.resume()
        else:
            self.pause()

    @property
    def paused(self) -> bool:
        return not self._unpaused.is_set()

    @property
    def holding(self) -> bool:
        """True while a paused run is actually held (the current batch has finished)."""
        return self._holding.is_set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def elapsed_s(self) -> float:
        """Seconds trained so far, paused time left out."""
        return self.clock.elapsed_s()

    def _hold_while_paused(self) -> None:
        """Wait here while paused (called by the fit hooks at a batch end and an epoch's start)."""
        if not self._unpaused.is_set():
            self.clock.hold()
            self._holding.set()
            self._unpaused.wait()
            self._holding.clear()
            self.clock.go_on()

    def _emit(self, method: str, *args) -> None:
        for listener in self.listeners:
            getattr(listener, method)(*args)
