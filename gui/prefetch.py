"""Importing the unopened tabs' modules ahead of their first use, on a worker, while the window idles.

The first click on a tab imports its modules; on the GUI thread that freezes the window for
as long as they take (the Draw tab: ~150-250 ms; the Training tab's panels with pyqtgraph:
0.4-0.8 s).  :class:`Ahead` imports them (:func:`prefetch_modules`) on a
:class:`gui.concurrency.Worker` instead: the thread yields the GIL every few milliseconds,
and a click meanwhile waits only for the part still running.  Never TensorFlow: its import
cannot be interrupted, a close during it waits for it, and it would cost every start-up.
"""

from __future__ import annotations

import importlib

from PySide6.QtCore import QObject

from gui.concurrency import Worker


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
    """The window's imports ahead: :meth:`start` with the modules (``module`` or ``module:function``)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._modules = Worker(self, name="prefetch tab modules")

    def start(self, targets: list[str]) -> None:
        self._modules.start(lambda progress, cancel: prefetch_modules(targets, cancel))

    def prefetched(self) -> bool:
        return not self._modules.is_running()
