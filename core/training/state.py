"""Where a training run is, and how long it has trained: :class:`RunState`, :class:`RunClock`.

Plain Python (no Qt, no TensorFlow).  :class:`core.training.run.TrainingRun` owns one of
each; the CLI's Ctrl+C handler and the Training tab's buttons and status line read them.
:func:`remaining_s` is the one ETA formula (the epoch events and the tab's status line).
"""

from __future__ import annotations

import math
import threading
import time
from enum import StrEnum


class RunState(StrEnum):
    """Where a run is.  A ``StrEnum``: ``RunState.IDLE == "idle"``.

    idle -> running <-> paused -> stopping -> evaluating -> finished.  ``idle`` is also
    what the Training tab shows when no run is going (the settings can be edited).
    """

    IDLE = "idle"  # not started (or, in the tab, no run going)
    RUNNING = "running"  # loading the data, building the model, training
    PAUSED = "paused"  # held after the current batch, waiting for resume
    STOPPING = "stopping"  # stop was asked; the current batch ends first
    EVALUATING = "evaluating"  # training is over; the evaluation runs
    FINISHED = "finished"  # run() returned: the result, the model and the evaluation are there

    @property
    def busy(self) -> bool:
        """True while a run is going (started and not finished)."""
        return self not in (RunState.IDLE, RunState.FINISHED)

    @property
    def training(self) -> bool:
        """True while batches may still arrive (the status line and plots are live)."""
        return self in (RunState.RUNNING, RunState.PAUSED, RunState.STOPPING)


class RunClock:
    """Seconds trained, paused time left out; read from any thread.

    :meth:`start` as the first batch is about to train; :meth:`hold` and :meth:`go_on`
    around the time the run is actually held by a pause (on the training thread).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._t0: float | None = None
        self._paused_s = 0.0
        self._held_since: float | None = None

    def start(self) -> None:
        with self._lock:
            self._t0, self._paused_s, self._held_since = time.monotonic(), 0.0, None

    def hold(self) -> None:
        with self._lock:
            if self._held_since is None:
                self._held_since = time.monotonic()

    def go_on(self) -> None:
        with self._lock:
            if self._held_since is not None:
                self._paused_s += time.monotonic() - self._held_since
                self._held_since = None

    def elapsed_s(self) -> float:
        """Seconds since :meth:`start` less the time held; 0 before the start."""
        with self._lock:
            if self._t0 is None:
                return 0.0
            now = time.monotonic()
            held = now - self._held_since if self._held_since is not None else 0.0
            return now - self._t0 - self._paused_s - held


def remaining_s(done: float, total: float, elapsed_s: float) -> float:
    """Seconds left for ``total`` units of work, ``done`` of them in ``elapsed_s``: NaN when unknown.

    The units are anything that goes at a steady pace: epochs for the engine's epoch
    events, samples for the live status line.
    """
    if done <= 0 or elapsed_s <= 0 or not math.isfinite(elapsed_s):
        return math.nan
    return max(0.0, elapsed_s / done * (total - done))
