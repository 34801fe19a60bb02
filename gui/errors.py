"""How errors reach the user: one readable line on the tab's message line, never a traceback dialog.

The one way, for every panel of every tab: :func:`report` (or :func:`reporting` around a
user's action) shows a line on the message line (:class:`gui.widgets.message_banner.MessageBanner`)
of the tab or dialog the panel is in — the nearest parent with a ``banner``.  No panel is
handed the banner, none re-emits its errors as signals of its own.

:func:`user_message` turns an exception into that line: an :class:`InkLabError` already
carries a message a person can act on; anything else is a bug, so the line says so and
points at the log file where the traceback went.  :func:`sentence` starts core's messages
(written mid-sentence style, "no samples in 'test'") with a capital letter.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
from collections.abc import Callable, Iterator

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
    if isinstance(error, OSError) and error.strerror:  # a file that cannot be read or written
        return f"{error.filename}: {error.strerror}" if error.filename else error.strerror
    if not logged:
        log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    text = str(error) or type(error).__name__
    return f"Something went wrong: {text}.{log_file_hint()}"


def sentence(text: str) -> str:
    """``text`` with a capital first letter: core's messages are written mid-sentence style."""
    text = text.strip()
    return text[:1].upper() + text[1:]


def banner_of(widget):
    """The message line of the tab or dialog ``widget`` is in (its nearest parent with a ``banner``), or None."""
    while widget is not None:
        banner = getattr(widget, "banner", None)
        if banner is not None and hasattr(banner, "show_message"):
            return banner
        widget = widget.parent()
    return None


def report(widget, what: str | BaseException, level: str = "error", doing: str = "") -> None:
    """Show ``what`` (a line, or an exception as :func:`user_message`) on ``widget``'s message line.

    ``doing`` goes first ("Not saved: ..."); ``level`` is "error", "warning" or "info".
    Without a message line (a panel shown on its own) the line goes to the log.
    """
    text = user_message(what) if isinstance(what, BaseException) else what
    text = f"{doing}: {text}" if doing else text
    banner = banner_of(widget)
    if banner is None:
        log.warning("no message line to show: %s", text)
        return
    banner.show_message(text, level)


@contextlib.contextmanager
def reporting(widget, doing: str = "") -> Iterator[None]:
    """Around a user's action: any exception is reported on ``widget``'s message line, never raised.

    One set of caught types everywhere: everything (an InkLab error as it is, an OSError
    with its file, anything else as a bug pointing at the log).
    """
    try:
        yield
    except Exception as err:  # noqa: BLE001 (the point: one route for every failure of an action)
        report(widget, err, doing=doing)


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
