"""A hook for tests: the process presses Ctrl+C on itself at a named moment of a run.

Tests of Ctrl+C send SIGINT to a real ``train`` process; "during validation" or "during the
final test" last a fraction of a second on test-sized data, so a signal sent from outside
cannot hit them reliably.  With ``INKLAB_INTERRUPT_AT`` set, the process signals itself at
the named moment instead:

    batch:N        after the N-th batch of the run (counted over all epochs)
    validation     as the first epoch's validation starts
    test           as the evaluation on the test split starts

Append ``*2`` for a second press right after the first was handled (``batch:3*2``).
When the variable is unset (always, outside tests) the hook is one dictionary lookup.
"""

from __future__ import annotations

import os
import signal
import threading
import time

ENV = "INKLAB_INTERRUPT_AT"
_fired: set[str] = set()


def interrupt_here(moment: str, handled: threading.Event | None = None) -> None:
    """Send SIGINT to this process if ``INKLAB_INTERRUPT_AT`` names ``moment`` (once per moment).

    ``handled`` is set by whoever reacts to the first press (a session's stop flag): the
    hook waits for it so the run goes on only after the press took effect, which makes
    the moment exact even when the hook runs on the training thread.
    """
    spec = os.environ.get(ENV)
    if not spec:
        return
    name, _, times = spec.partition("*")
    if name != moment or moment in _fired:
        return
    _fired.add(moment)
    for press in range(int(times or 1)):
        if press:
            time.sleep(0.5)  # two signals before the handler ran would count as one
        os.kill(os.getpid(), signal.SIGINT)
        if handled is not None:
            handled.wait(5)
