"""The one way gui/ runs work off the GUI thread, and the one place it is stopped.

A task is core's Qt-free callable ``fn(progress, cancel)``: ``progress(done, total, message)``
is core's plain callback (``total`` None when unknown) and ``cancel`` a
:class:`core.progress.CancelToken` the task checks between steps, raising
:class:`core.errors.Cancelled` to unwind.  Cancelling is a flag, never a thread kill.
A :class:`Worker` runs one task at a time and reports on the GUI thread (superqt's
``thread_worker`` and Orange's ``concurrent.py`` are the models)::

    loader = Worker(self, "load data set")
    loader.progress.connect(self._on_progress)   # (done, total, message); total -1 = unknown
    loader.returned.connect(self._on_loaded)     # (result)
    loader.errored.connect(self._banner.show_error)  # (one readable line)
    loader.cancelled.connect(self._on_cancelled) # ()
    loader.finished.connect(self._on_idle)       # () always, last, whatever the outcome
    loader.start(lambda progress, cancel: load_dataset("mnist", progress, cancel))
    loader.cancel()                              # the task raises Cancelled when it next checks

Intermediate values reach the GUI thread as ``yielded(value)``, in order: either the task
returns a generator (each ``yield`` is sent, its ``return`` value is the result), or the
task calls :meth:`Worker.emit` from its thread (for callbacks such as a training listener).
Progress is coalesced: the task only stores its latest report and the GUI picks it up at
most ~30 times a second; the last report before the end is never lost.  An
:class:`~core.errors.InkLabError` errors with its own message; anything else is logged with
its traceback and errors with a short line pointing at the log.

Every task runs on a plain daemon :class:`threading.Thread` listed in one registry.
:func:`shutdown` cancels them all and waits, bounded; ``gui.app.create_application``
connects it once to ``QApplication.aboutToQuit`` and the main window calls it on close.
Qt does not own the threads, so none can make Qt abort at exit; a task that still has not
stopped is abandoned and its late reports are dropped (``closed``).  No forced exit.

Measured on 2 busy cores, window close -> process exit: during a training run 0.1-0.3 s
(paused too), a data-set load 0.2 s, TensorFlow's warm-up 0.75 s.  The one case that cannot
meet 2 s is closing during the FIRST TensorFlow import (the Training tab's model summary,
the Draw tab's first model load, a run's start): ``import tensorflow`` takes ~4.4 s here and cannot be
interrupted, and it cannot be abandoned either — Python 3.11 ends a daemon thread that comes
back to Python during interpreter shutdown with ``pthread_exit``, whose forced unwind through
TensorFlow's C++ frames calls ``std::terminate`` (abandoned after 0.5 s, 1 exit in 5 was
SIGABRT, "terminate called without an active exception").  So workers made with
``native=True`` (they run TensorFlow) are waited for until they end, up to
:data:`NATIVE_WAIT_MS`: the exit then takes what is left of the import (measured 2.8-5.4 s
from the close, exit code 0 every time).
"""

from __future__ import annotations

import logging
import threading
import time
import types
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

log = logging.getLogger("inklab.gui.concurrency")

Task = Callable[[Callable[[int, int | None, str], None], Any], Any]

#: The shortest gap between two progress signals (~30 Hz): faster than that nobody can see.
PROGRESS_INTERVAL_S = 1 / 30
#: How long closing the app waits for tasks to notice their cancel token.
SHUTDOWN_WAIT_MS = 1000
#: How long it waits for ``native`` tasks (TensorFlow), which are unsafe to abandon; see above.
NATIVE_WAIT_MS = 20_000

_LIVE: set[_Run] = set()
_LIVE_LOCK = threading.Lock()


class _Run:
    """One run of one task: its thread, token and latest progress (no Qt object of its own)."""

    def __init__(self, worker: Worker, fn: Task, name: str, native: bool) -> None:
        from core.progress import CancelToken

        self.worker, self.fn, self.name, self.native = worker, fn, name, native
        self.token = CancelToken()
        self.lock = threading.Lock()  # held while posting to the worker, so close() is a barrier
        self.closed = False  # set when the receiving Worker is gone or the app is quitting
        self.latest: tuple[int, int, str] | None = None
        self.posted = False
        self.thread = threading.Thread(target=self._body, name=f"inklab: {name}", daemon=True)

    def close(self) -> None:
        """Stop posting to the worker (it is being destroyed, or the app is quitting)."""
        with self.lock:
            self.closed = True

    def _post(self, signal_name: str, *args: object) -> None:
        with self.lock:
            if self.closed:
                return
            try:
                getattr(self.worker, signal_name).emit(self, *args)
            except RuntimeError:  # the Worker's C++ side is gone: nobody is listening
                self.closed = True

    def report(self, done: int, total: int | None, message: str = "") -> None:
        """The plain progress callback handed to the task (runs on the task's thread)."""
        with self.lock:
            self.latest = (int(done), -1 if total is None else int(total), str(message))
            if self.posted:
                return  # the GUI has not picked up the previous report; it will see this one
            self.posted = True
        self._post("_run_progress")

    def take_progress(self) -> tuple[int, int, str] | None:
        """The latest report, once (on the GUI thread)."""
        with self.lock:
            latest, self.latest, self.posted = self.latest, None, False
        return latest

    def _body(self) -> None:
        from core.errors import Cancelled, InkLabError

        try:
            result = self.fn(self.report, self.token)
            if isinstance(result, types.GeneratorType):
                result = self._drain(result)
        except Cancelled:
            outcome: tuple[str, object] = ("cancelled", None)
        except InkLabError as err:
            log.info("task %s failed: %s", self.name, err)
            outcome = ("errored", str(err))
        except BaseException as err:  # a bug in the task: log it, tell the user one line
            from gui.errors import user_message

            log.exception("task %s crashed", self.name)
            outcome = ("errored", user_message(err, logged=True))
        else:
            outcome = ("cancelled", None) if self.token.cancelled else ("returned", result)
        finally:
            with _LIVE_LOCK:
                _LIVE.discard(self)
        self._post("_run_ended", outcome)

    def _drain(self, generator) -> Any:
        """Send each yielded value to the GUI thread; the generator's return value is the result."""
        while True:
            try:
                value = next(generator)
            except StopIteration as stop:
                return stop.value
            self._post("_run_value", value)
            if self.token.cancelled:
                generator.close()
                self.token.raise_if_cancelled()


class Worker(QObject):
    """Runs one task at a time off the GUI thread; see the module docstring for the protocol."""

    started = Signal()
    progress = Signal(int, int, str)
    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(str)
    cancelled = Signal()
    finished = Signal()
    running_changed = Signal(bool)

    # Posted from the task's thread, received queued on the GUI thread (first argument: the run).
    _run_progress = Signal(object)
    _run_value = Signal(object, object)
    _run_ended = Signal(object, object)

    def __init__(self, parent: QObject | None = None, name: str = "task", native: bool = False) -> None:
        """``native=True`` for tasks that run TensorFlow: shutdown waits for them to the end."""
        super().__init__(parent)
        self._name = name
        self._native = native
        self._run: _Run | None = None
        self._next: Task | None = None
        self._last_progress = 0.0
        self._progress_timer = throttle(self, self._deliver_progress)
        from PySide6.QtCore import Qt  # here, not at import: Qt's enums cost the first paint ~40 ms

        queued = Qt.ConnectionType.QueuedConnection
        self._run_progress.connect(self._on_run_progress, queued)
        self._run_value.connect(self._on_run_value, queued)
        self._run_ended.connect(self._on_run_ended, queued)
        # A Worker deleted mid-task (its tab went) must not be posted to from the thread.
        runs = self._runs = set()
        self.destroyed.connect(lambda *_: [run.close() for run in list(runs)])

    def start(self, fn: Task) -> None:
        """Run ``fn(progress, cancel)`` on a new thread; a RuntimeError if a task is running."""
        if self.is_running():
            raise RuntimeError(f"{self._name}: a task is already running")
        run = _Run(self, fn, self._name, self._native)
        self._run = run
        self._runs.add(run)
        self._last_progress = 0.0
        with _LIVE_LOCK:
            _LIVE.add(run)
        run.thread.start()
        self.running_changed.emit(True)
        self.started.emit()

    def start_latest(self, fn: Task) -> None:
        """Run ``fn`` now, or once the running task has ended (replacing any task still waiting).

        For requests where only the newest matters (a preview for the current settings).
        """
        if self.is_running():
            self._next = fn
        else:
            self.start(fn)

    def cancel(self) -> None:
        """Ask the running task to stop; it ends with ``cancelled`` once it notices."""
        self._next = None
        if self._run is not None:
            self._run.token.cancel()

    def is_running(self) -> bool:
        """True from ``start`` until ``finished`` has been emitted."""
        return self._run is not None

    def emit(self, value: object) -> None:
        """Send ``value`` to the GUI thread as ``yielded``; only from the running task's thread.

        Any other caller is a bug (a stale run, or a callback on a thread of its own) and
        raises, rather than let values of one run leak into the next.
        """
        run = self._run
        if run is None or run.thread is not threading.current_thread():
            raise RuntimeError(f"{self._name}: emit() is only for the running task's own thread")
        run._post("_run_value", value)

    def wait(self, ms: int = 2000) -> bool:
        """Block until the task's thread ends (at most ``ms``); True when none is left running."""
        run = self._run
        if run is None:
            return True
        run.thread.join(max(0, ms) / 1000)
        return not run.thread.is_alive()

    @Slot(object)
    def _on_run_progress(self, run: _Run) -> None:
        if run is not self._run or self._progress_timer.isActive():
            return
        wait_s = PROGRESS_INTERVAL_S - (time.monotonic() - self._last_progress)
        if wait_s > 0:
            self._progress_timer.start(max(1, int(wait_s * 1000)))
        else:
            self._deliver_progress()

    @Slot()
    def _deliver_progress(self) -> None:
        run = self._run
        latest = run.take_progress() if run is not None else None
        if latest is not None:
            self._last_progress = time.monotonic()
            self.progress.emit(*latest)

    @Slot(object, object)
    def _on_run_value(self, run: _Run, value: object) -> None:
        if run is self._run:
            self.yielded.emit(value)

    @Slot(object, object)
    def _on_run_ended(self, run: _Run, outcome: tuple[str, object]) -> None:
        self._runs.discard(run)
        if run is not self._run:
            return
        self._progress_timer.stop()
        self._deliver_progress()  # the last report before the end is never lost
        self._run = None
        self.running_changed.emit(False)
        kind, payload = outcome
        if kind == "returned":
            self.returned.emit(payload)
        elif kind == "cancelled":
            self.cancelled.emit()
        else:
            self.errored.emit(str(payload))
        self.finished.emit()
        follow, self._next = self._next, None
        if follow is not None:
            self.start_latest(follow)


def throttle(parent: QObject, slot: Callable[[], None], interval_ms: int = 0) -> QTimer:
    """The one throttle of gui/: a single-shot timer owned by ``parent`` that calls ``slot``.

    ``start()`` (re)starts the wait, a debounce: the slot runs once the calls stop for
    ``interval_ms`` (a preview for the latest settings).  ``if not t.isActive(): t.start()``
    coalesces: at most one call per interval (redraws, progress).  ``start(ms)`` waits ``ms``.
    """
    timer = QTimer(parent)  # owned: it dies with its parent (a bare singleShot outlived it)
    timer.setSingleShot(True)
    timer.setInterval(interval_ms)
    timer.timeout.connect(slot)
    return timer


def live_tasks() -> int:
    """How many task threads are still running (for tests and shutdown)."""
    with _LIVE_LOCK:
        return sum(1 for run in _LIVE if run.thread.is_alive())


def shutdown(timeout_ms: int = SHUTDOWN_WAIT_MS, native_timeout_ms: int = NATIVE_WAIT_MS) -> bool:
    """Cancel every running task and wait for them; True if every one ended.

    Each task gets ``timeout_ms`` from the call to notice its token, a ``native`` one
    ``native_timeout_ms`` (see the module docstring).  Those still running after that are
    abandoned: daemon threads Qt does not own, whose results are dropped.
    """
    with _LIVE_LOCK:
        runs = [run for run in _LIVE if not run.closed]  # those abandoned before had their wait
    for run in runs:
        run.token.cancel()
    start = time.monotonic()
    late = []
    for run in runs:
        allowed_s = (native_timeout_ms if run.native else timeout_ms) / 1000
        run.thread.join(max(0.0, start + allowed_s - time.monotonic()))
        if run.thread.is_alive():
            run.close()  # whatever it reports later goes nowhere
            late.append(run.name)
    if late:
        log.warning("tasks not stopped in time, left running: %s", ", ".join(late))
    elif runs:
        log.info("shutdown: %d task(s) cancelled and ended in %.0f ms", len(runs),
                 (time.monotonic() - start) * 1000)
    return not late
