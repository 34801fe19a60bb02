"""Importing ahead of first use, on workers, while the window idles: tab modules, then TensorFlow.

The first click on a tab imports its modules; on the GUI thread that freezes the window for
as long as they take (the Draw tab: ~150-250 ms; the Training tab's panels with pyqtgraph:
0.4-0.8 s).  :class:`Ahead` imports the unopened tabs' modules (:func:`prefetch_modules`)
on a :class:`gui.concurrency.Worker` instead: the thread yields the GIL every few
milliseconds, and a click meanwhile waits only for the part still running.

Then TensorFlow, with its one-time training set-up (:func:`core.training.warm_up`).  The
Training tab's first open froze the window for 0.6-1.1 s importing it: even on a thread the
import holds the interpreter in places (ml_dtypes' start-up registers its NumPy loops in one
C call of ~0.9 s of CPU; the library loading and the garbage collection that did too no
longer do, see :func:`core.native_logs.import_tensorflow`).  So it is done once the window
has settled, only while the window says so (the user still on the start page: not for
someone who went straight to Draw, where recognition never needs TensorFlow).  Its worker is
``native``: a close meanwhile waits for the import to end.
"""

from __future__ import annotations

import importlib

from PySide6.QtCore import QObject

from gui.concurrency import Worker, throttle

#: TensorFlow is imported this long after the tab modules, once the window allows it.
TENSORFLOW_AHEAD_MS = 1000


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
    """The window's imports ahead.  ``allowed()``: True to import TensorFlow now, False never, None later."""

    def __init__(self, parent: QObject, allowed) -> None:
        super().__init__(parent)
        self._allowed = allowed
        self._modules = Worker(self, name="prefetch tab modules")
        self._tensorflow: Worker | None = None
        self._timer = throttle(self, self._tensorflow_now, TENSORFLOW_AHEAD_MS)
        self._modules.finished.connect(self._timer.start)

    def start(self, targets: list[str]) -> None:
        self._modules.start(lambda progress, cancel: prefetch_modules(targets, cancel))

    def _tensorflow_now(self) -> None:
        allowed = self._allowed()
        if allowed is None:
            self._timer.start()  # not yet (a data set still loads): ask again later
        elif allowed and self._tensorflow is None:
            self._tensorflow = Worker(self, name="TensorFlow ahead", native=True)
            self._tensorflow.start(_import_tensorflow_and_warm_up)

    def prefetched(self) -> bool:
        return not self._modules.is_running()

    def tensorflow_ready(self) -> bool:
        return self._tensorflow is not None and not self._tensorflow.is_running()


def _import_tensorflow_and_warm_up(progress, cancel) -> bool:
    from core.native_logs import import_tensorflow

    import_tensorflow()  # its chatter kept off the terminal, the interpreter held as little as can be
    from core.training import warm_up

    return warm_up(cancel)

