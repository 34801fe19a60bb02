"""Importing modules ahead of their first use, on a worker, while the window idles.

The first click on a tab imports its modules; on the GUI thread that freezes the window for
as long as they take (the Draw tab: ~150-250 ms).  :class:`gui.main_window.MainWindow`
hands the unopened tabs' modules to :func:`prefetch_modules` on a
:class:`gui.concurrency.Worker` instead.
"""

from __future__ import annotations

import importlib


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
