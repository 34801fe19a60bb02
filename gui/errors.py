"""How errors reach the user: one readable line (shown in a banner), never a traceback dialog.

``user_message`` turns an exception into one readable line: an :class:`InkLabError` already
carries a message a person can act on; anything else is a bug, so the line says so and
points at the log file where the traceback went.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable

log = logging.getLogger("inklab.gui")


def log_file_hint() -> str:
    """Where details go, for the end of an error line ('' when no log file is configured)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            return f" Details are in {handler.baseFilename}."
    return ""


def user_message(error: BaseException, *, logged: bool = False) -> str:
    """One readable line for ``error``; the traceback of an unexpected one goes to the log."""
    from core.errors import InkLabError

    if isinstance(error, InkLabError):
        return str(error)
    if not logged:
        log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    text = str(error) or type(error).__name__
    return f"Something went wrong: {text}.{log_file_hint()}"


def install_excepthook(show: Callable[[str], None]) -> None:
    """Route uncaught exceptions (e.g. in a slot) to the log and to ``show(line)``, never a crash.

    Qt would otherwise print the traceback to a terminal the user does not see, and a
    default hook in some set-ups aborts the process.
    """
    previous = sys.excepthook

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        log.error("uncaught exception:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        try:
            show(user_message(exc, logged=True) if exc is not None else f"Something went wrong.{log_file_hint()}")
        except Exception:  # the hook itself must never raise
            log.exception("could not show the error message")

    sys.excepthook = hook
