"""What long CLI commands share: a text progress bar, and Ctrl+C as a polite cancel."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from core.progress import CancelToken

T = TypeVar("T")


class TextBar:
    """A one-line progress bar on stderr, redrawn in place only when its text changes.

    Drawn only on a terminal: in a log file or a pipe, carriage-return redraws are noise.
    On failure the bar is wiped, so the error stays the one line the user sees.
    ``in_bytes``: the counts are bytes (downloads) and are shown as MB; otherwise they are
    items (images, files) and shown as they are.
    """

    def __init__(self, stream=None, enabled: bool | None = None, in_bytes: bool = False) -> None:
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty() if enabled is None else enabled
        self._in_bytes = in_bytes
        self._last = ""

    def __call__(self, done: int, total: int | None, message: str) -> None:
        if not self._enabled:
            return
        if total:
            frac = min(1.0, done / total)
            text = f"{message} [{'#' * int(frac * 30):<30}] {frac * 100:5.1f}%"
            text += f"  {done / 1e6:.1f}/{total / 1e6:.1f} MB" if self._in_bytes else f"  {done:,}/{total:,}"
        elif not done:
            text = f"{message} ..."
        else:  # size unknown
            text = f"{message} {done / 1e6:.1f} MB" if self._in_bytes else f"{message} {done:,}"
        if text != self._last:
            self._stream.write("\r" + text.ljust(len(self._last)))
            self._stream.flush()
            self._last = text

    def finish(self, ok: bool = True) -> None:
        """End the bar: keep it on its own line after success, erase it after a failure."""
        if self._last:
            self._stream.write("\n" if ok else "\r" + " " * len(self._last) + "\r")
            self._stream.flush()
            self._last = ""


@contextmanager
def cancel_on_interrupt(token: CancelToken) -> Iterator[None]:
    """Turn Ctrl+C into a cancel request, so the task unwinds and cleans up after itself.

    A KeyboardInterrupt could land anywhere (in the middle of a move into place); a
    cancel flag is only acted on between chunks, where cleaning up is well defined.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_interrupt(signum, frame) -> None:
        token.cancel()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_with_bar(task: Callable[[TextBar, CancelToken], T], in_bytes: bool = False) -> T:
    """Run ``task(bar, token)`` with a progress bar on stderr and Ctrl+C setting ``token``.

    The bar stays on its line after success and is wiped after a failure, so an error is
    the one line the user sees; :class:`~core.errors.Cancelled` and other errors propagate.
    """
    bar = TextBar(in_bytes=in_bytes)
    token = CancelToken()
    try:
        with cancel_on_interrupt(token):
            result = task(bar, token)
    except BaseException:
        bar.finish(ok=False)
        raise
    bar.finish()
    return result


def load_with_bar(name: str):
    """``load_dataset(name)`` with a progress bar: a first load can take seconds (EMNIST)."""
    from core.datasets import load_dataset

    return run_with_bar(lambda bar, token: load_dataset(name, bar, token))
