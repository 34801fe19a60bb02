"""Run core's Qt-free long tasks on a thread and hear about them as Qt signals.

A task is any callable ``fn(progress, cancel) -> result`` where ``progress(done, total,
message)`` is core's plain callback (``total`` None when unknown) and ``cancel`` is a
:class:`core.progress.CancelToken` the task checks between steps (raising
:class:`core.errors.Cancelled` to unwind).  The task never sees Qt.

:class:`TaskRunner` adapts it, superqt-style::

    runner = TaskRunner(self)
    runner.progress.connect(self._on_progress)    # (done, total, message); total -1 = unknown
    runner.finished.connect(self._on_loaded)      # (result)
    runner.failed.connect(self._banner.show_error)  # (readable one-line message)
    runner.cancelled.connect(self._on_cancelled)  # ()
    runner.start(lambda progress, cancel: load_dataset("mnist"))
    ...
    runner.cancel()                               # from the GUI thread; the task raises Cancelled

Every signal is emitted on the GUI thread, so receivers may touch widgets directly, lambdas
included.  Progress is coalesced: the worker only stores the latest report, and the GUI
picks it up at most ~30 times a second, so a tight loop cannot flood the event queue, and
the last report is never lost.  Exactly one of ``finished``/``failed``/``cancelled`` follows
each ``start``.  An :class:`~core.errors.InkLabError` fails with its own message; anything
else is logged with its traceback and fails with a short line pointing at the log.

Threads are kept referenced in a module registry until they have ended, so a thread is
never destroyed while running even if its runner is dropped; :func:`stop_all` cancels every
running task and waits (bounded) — the main window calls it on close.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

log = logging.getLogger("inklab.gui.workers")

Task = Callable[[Callable[[int, int | None, str], None], Any], Any]

#: The shortest gap between two progress signals (~30 Hz): faster than that nobody can see.
PROGRESS_INTERVAL_S = 1 / 30

_LIVE_JOBS: set[_Job] = set()


class _Job(QThread):
    """One run of one task on its own thread; talks to its runner only through queued signals."""

    progress_ready = Signal()
    outcome = Signal(str, object)  # ("finished" | "failed" | "cancelled", payload)

    def __init__(self, fn: Task, name: str) -> None:
        super().__init__()
        from core.progress import CancelToken

        self.setObjectName(name)
        self.fn = fn
        self.name = name
        self.token = CancelToken()
        self._lock = threading.Lock()
        self._latest: tuple[int, int, str] | None = None
        self._posted = False

    def report(self, done: int, total: int | None, message: str = "") -> None:
        """The plain progress callback handed to the task (runs on the worker thread)."""
        with self._lock:
            self._latest = (int(done), -1 if total is None else int(total), str(message))
            if self._posted:
                return  # the GUI has not picked up the previous one yet; it will see this one
            self._posted = True
        self.progress_ready.emit()

    def take_progress(self) -> tuple[int, int, str] | None:
        """The latest report, once (called on the GUI thread)."""
        with self._lock:
            latest, self._latest, self._posted = self._latest, None, False
        return latest

    def run(self) -> None:
        from core.errors import Cancelled, InkLabError

        try:
            result = self.fn(self.report, self.token)
        except Cancelled:
            self.outcome.emit("cancelled", None)
        except InkLabError as err:
            log.info("task %s failed: %s", self.name, err)
            self.outcome.emit("failed", str(err))
        except BaseException as err:  # a bug in the task: log it, tell the user one line
            from gui.errors import user_message

            log.exception("task %s crashed", self.name)
            self.outcome.emit("failed", user_message(err, logged=True))
        else:
            if self.token.cancelled:
                self.outcome.emit("cancelled", None)
            else:
                self.outcome.emit("finished", result)


class TaskRunner(QObject):
    """Runs one task at a time off the GUI thread; see the module docstring for the protocol."""

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, name: str = "task") -> None:
        super().__init__(parent)
        self._name = name
        self._job: _Job | None = None
        self._last_progress = 0.0
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.timeout.connect(self._deliver_progress)

    def start(self, fn: Task) -> None:
        """Run ``fn(progress, cancel)`` on a new thread; a RuntimeError if a task is still running."""
        if self.is_running():
            raise RuntimeError(f"{self._name}: a task is already running")
        _prune_finished()
        job = _Job(fn, self._name)
        job.progress_ready.connect(self._on_progress_ready, Qt.ConnectionType.QueuedConnection)
        job.outcome.connect(self._on_outcome, Qt.ConnectionType.QueuedConnection)
        self._job = job
        _LIVE_JOBS.add(job)
        self._last_progress = 0.0
        job.start()
        self.running_changed.emit(True)

    def cancel(self) -> None:
        """Ask the running task to stop; it ends with ``cancelled`` once it notices."""
        if self._job is not None:
            self._job.token.cancel()

    def is_running(self) -> bool:
        """True from ``start`` until the final signal has been emitted."""
        return self._job is not None

    def wait(self, ms: int = 2000) -> bool:
        """Block until the thread ends (at most ``ms``); True when no thread is left running."""
        job = self._job
        return job is None or job.wait(max(0, int(ms)))

    @Slot()
    def _on_progress_ready(self) -> None:
        if self.sender() is not self._job or self._progress_timer.isActive():
            return
        wait_s = PROGRESS_INTERVAL_S - (time.monotonic() - self._last_progress)
        if wait_s > 0:
            self._progress_timer.start(max(1, int(wait_s * 1000)))
        else:
            self._deliver_progress()

    @Slot()
    def _deliver_progress(self) -> None:
        job = self._job
        latest = job.take_progress() if job is not None else None
        if latest is not None:
            self._last_progress = time.monotonic()
            self.progress.emit(*latest)

    @Slot(str, object)
    def _on_outcome(self, kind: str, payload: object) -> None:
        job = self.sender()
        if job is not self._job:
            return
        self._progress_timer.stop()
        self._deliver_progress()  # the last report before the end is never lost
        job.wait()  # run() has returned; this only lets the thread wind down
        _LIVE_JOBS.discard(job)
        self._job = None
        self.running_changed.emit(False)
        if kind == "finished":
            self.finished.emit(payload)
        elif kind == "cancelled":
            self.cancelled.emit()
        else:
            self.failed.emit(str(payload))


def _prune_finished() -> None:
    """Forget threads that have ended but whose runner was deleted before hearing the outcome."""
    for job in list(_LIVE_JOBS):
        if job.isFinished():
            _LIVE_JOBS.discard(job)


def running_jobs() -> int:
    """How many task threads are still alive (for tests and shutdown)."""
    return sum(1 for job in list(_LIVE_JOBS) if job.isRunning())


def stop_all(timeout_ms: int = 2000) -> bool:
    """Cancel every running task and wait up to ``timeout_ms`` in total; True if all have ended.

    Called when the window closes, so no QThread is destroyed while still running (which
    aborts the process).
    """
    jobs = list(_LIVE_JOBS)
    for job in jobs:
        job.token.cancel()
    deadline = time.monotonic() + timeout_ms / 1000
    all_done = True
    for job in jobs:
        left_ms = max(0, int((deadline - time.monotonic()) * 1000))
        if job.wait(left_ms):
            _LIVE_JOBS.discard(job)
        else:
            log.warning("task %s did not stop within %d ms", job.name, timeout_ms)
            all_done = False
    return all_done
