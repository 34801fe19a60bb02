"""Importing the unopened tabs' modules ahead of their first use, on a worker, while the window idles.

The first click on a tab imports its modules; on the GUI thread that freezes the window for
as long as they take (the Draw tab: ~150-250 ms; the Training tab's panels with pyqtgraph:
0.4-0.8 s).  :class:`Ahead` imports them (:func:`prefetch_modules`) on a
:class:`gui.concurrency.Worker` instead: the thread yields the GIL every few milliseconds,
and a click meanwhile waits only for the part still running.  Never TensorFlow: its import
cannot be interrupted, a close during it waits for it, and it would cost every start-up.

Then the Training tab's widgets are made ahead too (:meth:`Ahead.then_make`): widgets belong to
the GUI thread, so a piece at a time (:meth:`gui.lazy_tab.LazyTab.ahead`), one per turn of
the event loop with a pause between, each well under the 50 ms a user would feel; its first
click then costs one warm paint (~80 ms) instead of ~150 ms of building and ~130 ms of a
cold first paint (``bench.gui_training``'s ``first_open_stall_ms``).  TensorFlow's first
import waits for the imports ahead (:func:`core.native_logs.before_first_import` says why).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections import deque

from PySide6.QtCore import QObject, QTimer, Slot

from core.native_logs import before_first_import
from gui.concurrency import Worker

log = logging.getLogger("inklab.gui")
STEP_PAUSE_MS = 10  # between two pieces made ahead: input and paints go first
IMPORTS_WAIT_S = 5.0  # the longest TensorFlow's first import waits for the imports ahead
_imports_idle = threading.Event()  # no import ahead running or waiting, in any window
_imports_idle.set()


def prefetch_modules(targets: list[str], cancel=None) -> list[str]:
    """Import each ``module`` or ``module:function`` (called) in ``targets``; the ones that failed.

    A failure is not an error here: the tab itself reports it when it is opened.
    """
    failed = []
    for target in targets:
        if cancel is not None and cancel.cancelled:
            break
        module_name, _, function = target.partition(":")
        try:
            module = importlib.import_module(module_name)
            if function:
                getattr(module, function)()
        except Exception:  # noqa: BLE001 (a missing optional package, reported by the tab itself)
            failed.append(target)
    return failed


class Ahead(QObject):
    """The window's work ahead, in order: :meth:`then_import` modules (``module`` or
    ``module:function``) on a worker, :meth:`then_make` widgets a piece per turn of the event
    loop.  One thing at a time, so a piece made on the GUI thread never waits for the
    interpreter while the worker imports."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._modules = Worker(self, name="prefetch tab modules")
        self._modules.finished.connect(self._next)
        self._queue: deque = deque()  # ("import", targets) or ("make", iterator)
        self._making = None  # the iterator being advanced
        self._timer = QTimer(self)
        self._timer.setInterval(STEP_PAUSE_MS)
        self._timer.timeout.connect(self._step)
        # A window closed with imports still queued must not keep TensorFlow waiting.
        self.destroyed.connect(lambda *_: _imports_idle.set())

    def then_import(self, targets: list[str]) -> None:
        self._queue.append(("import", list(targets)))
        _imports_idle.clear()
        self._go()

    def then_make(self, steps) -> None:
        """Advance the iterator ``steps`` one step per turn of the event loop, with a pause between."""
        self._queue.append(("make", iter(steps)))
        self._go()

    def _busy(self) -> bool:
        return self._modules.is_running() or self._making is not None

    def _go(self) -> None:
        if not self._busy():
            self._next()

    @Slot()
    def _next(self) -> None:
        if self._queue:
            kind, what = self._queue.popleft()
            if kind == "import":
                self._modules.start(lambda progress, cancel: prefetch_modules(what, cancel))
            else:
                self._making = what
                self._timer.start()
        if not self._modules.is_running() and all(kind != "import" for kind, _ in self._queue):
            _imports_idle.set()

    def _step(self) -> None:
        try:
            next(self._making)
            return
        except StopIteration:
            pass
        except Exception:  # noqa: BLE001 (made ahead is a nicety: the tab builds itself when shown)
            log.exception("making a tab ahead failed")
        self._timer.stop()
        self._making = None
        self._next()

    def prefetched(self) -> bool:
        """Whether everything asked for is done (for benchmarks and tests)."""
        return not self._busy() and not self._queue


def _wait_for_imports() -> None:
    if not _imports_idle.wait(IMPORTS_WAIT_S):
        log.info("TensorFlow imported while the window's imports ahead still run")


before_first_import(_wait_for_imports)  # see core.native_logs.before_first_import
