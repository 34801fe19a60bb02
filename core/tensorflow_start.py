"""Importing TensorFlow without its C++ start-up chatter on the user's terminal.

On import TensorFlow's C++ side prints a few lines straight to file descriptor 2 ("All log
messages before absl::InitializeLog() ...", the oneDNN notice, "Could not find cuda
drivers"), before any Python logging exists.  ``TF_CPP_MIN_LOG_LEVEL`` no longer silences
them (TensorFlow 2.21 logs them through absl before reading it), and turning oneDNN off
would change the numbers, so :func:`import_tensorflow` captures fd 2 for the duration of
the import only, drops the lines it recognises as that chatter (they go to the log at
DEBUG level) and writes everything else back to stderr, so a real error is never hidden.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import threading

log = logging.getLogger(__name__)

# absl's prefix ("I0000 00:00:1796195370.242589   18407 port.cc:153] ...") and its notice.
_CHATTER = re.compile(r"^(?:[IW]\d{4} \d\d:\d\d:[\d.]+ +\d+ [\w./-]+:\d+\] |WARNING: All log messages before absl)")
_lock = threading.Lock()


def import_tensorflow():
    """``import tensorflow``, quietly the first time; returns the module."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # what the C++ side still honours
    with _lock:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError, AttributeError):  # no usable fd 2 (a GUI on Windows)
            import tensorflow

            return tensorflow
        with tempfile.TemporaryFile(mode="w+b") as capture:
            os.dup2(capture.fileno(), 2)
            try:
                import tensorflow
            finally:
                os.dup2(saved, 2)
                os.close(saved)
                capture.seek(0)
                _replay(capture.read().decode("utf-8", "replace"))
        return tensorflow


def _replay(text: str) -> None:
    """Log the recognised chatter at DEBUG and write every other line back to stderr."""
    kept = []
    for line in text.splitlines(keepends=True):
        if _CHATTER.match(line):
            log.debug("tensorflow: %s", line.rstrip())
        else:
            kept.append(line)
    if kept:
        sys.stderr.write("".join(kept))
        sys.stderr.flush()
