"""Progress reporting and cancellation for long tasks, with no Qt in sight.

A long task (download, import, load) takes a ``progress`` callable and a
:class:`CancelToken`.  The GUI adapts the callable to a Qt signal; the CLI prints a bar.
Following Orange's habit, :class:`ThrottledProgress` forwards a report only when the
shown value changes, so a fast loop cannot flood the event queue.
"""

from __future__ import annotations

import threading
from typing import Protocol

from core.errors import Cancelled


class ProgressCallback(Protocol):
    """``progress(done, total, message)``: ``total`` is None while the size is unknown."""

    def __call__(self, done: int, total: int | None, message: str) -> None: ...


def no_progress(done: int, total: int | None, message: str) -> None:
    """A progress callback that ignores every report."""


class CancelToken:
    """A flag a worker checks between steps; safe to set from any thread."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._callbacks: list = []
        self._lock = threading.Lock()

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def on_cancel(self, callback) -> None:
        """Call ``callback()`` once on cancel (at once if already cancelled), on the cancelling thread.

        For work that waits on something other than this token (a paused training run).
        """
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return
        callback()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Unwind the task by raising :class:`Cancelled` once cancel() has been called."""
        if self._event.is_set():
            raise Cancelled()


class ThrottledProgress:
    """Wrap a callback so it only fires when the whole percentage (or the message) changes."""

    def __init__(self, callback: ProgressCallback) -> None:
        self._callback = callback
        self._last: tuple[int | None, str] | None = None

    def __call__(self, done: int, total: int | None, message: str) -> None:
        shown = (None if not total else min(100, done * 100 // total), message)
        if total is None:
            shown = (done >> 20, message)  # unknown size: report each new MiB
        if shown != self._last or (total is not None and done >= total):
            self._last = shown
            self._callback(done, total, message)
