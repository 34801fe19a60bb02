"""Keep native libraries' start-up chatter off the terminal: a command prints what was asked.

One place for it, two ways in: the CLI filters fd 2 for its whole process
(:func:`filter_native_logs`, installed by ``main.py``); the app, which must never risk a
blocked stderr pipe, only captures fd 2 while TensorFlow is first imported
(:func:`import_tensorflow`).  Both drop exactly the lines :func:`keep` rejects.

TensorFlow, XLA and LiteRT log from C++ straight to file descriptor 2 ("All log messages
before absl::InitializeLog() is called...", "failed call to cuInit", oneDNN and CPU
feature notes, "Created TensorFlow Lite XNNPACK delegate").  Environment variables
silence only some of them (``TF_CPP_MIN_LOG_LEVEL`` does not reach absl's pre-init lines),
so :func:`filter_native_logs` puts a pipe behind fd 2 and a thread copies everything to the
real stderr except lines that match :data:`CHATTER`.  Python's own messages, warnings and
tracebacks pass unchanged, and progress bars (``\\r`` redraws) pass at once.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import sys
import tempfile
import threading

log = logging.getLogger(__name__)

# Log lines of native code, never meant for a user of the CLI.
CHATTER = re.compile(
    rb"^(?:[IWE]\d{4} [\d:.]+ +\d+ \S+:\d+\]"  # absl/glog: I0000 00:00:1796.3 123 port.cc:153]
    rb"|WARNING: All log messages before absl::InitializeLog\(\)"
    rb"|INFO: Created TensorFlow Lite XNNPACK delegate"
    rb"|INFO: Initialized TensorFlow Lite runtime"
    rb"|To enable the following instructions: .* rebuild TensorFlow"
    rb"|WARNING:absl:)"
)
# A partial line that could still become chatter is held back until its end is seen.
_MAYBE_CHATTER = re.compile(rb"^(?:[IWEF]\d|WARNING|INFO|To enable)")


def quiet_environment() -> None:
    """Set, before TensorFlow loads, the switches that silence it at the source."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "3")


def keep(line: bytes) -> bool:
    """False for a complete line of native chatter, True for everything else."""
    return CHATTER.match(line.lstrip(b"\r")) is None


class _Filter:
    def __init__(self) -> None:
        sys.stderr.flush()
        self._real = os.dup(2)
        read_end, write_end = os.pipe()
        os.dup2(write_end, 2)
        os.close(write_end)
        self._read_end = read_end
        self._thread = threading.Thread(target=self._pump, name="stderr-filter", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def _write(self, data: bytes) -> None:
        while data:
            data = data[os.write(self._real, data):]

    def _pump(self) -> None:
        pending = b""
        while True:
            chunk = os.read(self._read_end, 65536)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            self._write(b"".join(line + b"\n" for line in lines if keep(line)))
            if b"\r" in pending:  # a progress bar redraw: show everything up to the last \r now
                shown, _, pending = pending.rpartition(b"\r")
                self._write(shown + b"\r")
            if pending and not _MAYBE_CHATTER.match(pending):
                self._write(pending)
                pending = b""
        if pending and keep(pending):
            self._write(pending)

    def close(self) -> None:
        """Restore fd 2 and let the thread drain what is left (called at exit)."""
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os.dup2(self._real, 2)  # the pipe's last write end closes: the thread sees EOF
        self._thread.join(timeout=2)


_active: _Filter | None = None


def filter_native_logs() -> None:
    """Filter native chatter out of fd 2 for the rest of the process (idempotent)."""
    global _active
    quiet_environment()
    if _active is None:
        try:
            _active = _Filter()
        except OSError:  # no usable fd 2 (a detached process): nothing to filter
            _active = None


_import_lock = threading.Lock()
_before_import: list = []  # callables run (on the importing thread) before TensorFlow's first import


def before_first_import(wait) -> None:
    """Have ``wait()`` run on the importing thread before TensorFlow's first import.

    The window registers one that waits for its own imports ahead (:mod:`gui.prefetch`):
    TensorFlow's libraries are loaded with the interpreter released, but the dynamic
    loader's lock is held meanwhile (~0.5 s), and a thread importing an extension module
    then waits for that lock *holding* the interpreter: the window froze 0.6-1 s.
    """
    _before_import.append(wait)


def import_tensorflow():
    """``import tensorflow`` (and Keras) with its start-up chatter dropped (logged at DEBUG).

    Used where no process-wide filter runs (the app): fd 2 is captured for the duration of
    the first import only, and every line that is not chatter is written back to stderr,
    so a real error is never hidden.  The app's TensorFlow tasks (model summary, training
    run, augmentation preview, warm-up) call it first: they then import TensorFlow one at a
    time, in one order (two threads importing ``tensorflow`` and ``keras`` in opposite
    orders get half-made modules).  Returns the tensorflow module.
    """
    quiet_environment()
    with _import_lock:  # a second thread waits here until the first import has finished
        if "tensorflow" in sys.modules or _active is not None:
            # Loaded, or being loaded by a plain import elsewhere (the import waits for it:
            # sys.modules may hold a half-made module), or the CLI's filter handles fd 2.
            import tensorflow

            return tensorflow
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError, AttributeError):  # no usable fd 2 (a GUI on Windows)
            import tensorflow

            return tensorflow
        for wait in _before_import:
            wait()
        with tempfile.TemporaryFile(mode="w+b") as capture:
            os.dup2(capture.fileno(), 2)
            try:
                _import_without_holding_the_interpreter()
                import tensorflow
            finally:
                os.dup2(saved, 2)
                os.close(saved)
                capture.seek(0)
                replay(capture.read())
        return tensorflow


def _import_without_holding_the_interpreter() -> None:
    """Import TensorFlow and Keras so that other threads (the window) keep running meanwhile.

    Measured with py-spy and a GIL probe (``python -m bench.gui_training``'s
    ``first_open_stall_ms``): two things held the interpreter for long stretches while a
    thread imported TensorFlow.  Loading its shared libraries (1.3 GB; the import machinery
    holds the GIL in ``dlopen``): they are loaded first here through libc's ``dlopen``, a
    foreign call that releases the GIL (:func:`core.tensorflow_libraries.preload`).  And the
    cyclic garbage collector, whose full collections over the import's million new objects
    took hundreds of ms each: it is paused for the import, and what exists after it is
    frozen (``gc.freeze``: never scanned again, so later collections stay short too).
    """
    import gc

    from core.tensorflow_libraries import preload

    preload()
    collecting = gc.isenabled()
    gc.disable()
    try:
        import keras  # noqa: F401  here too: two threads never import them in opposite orders
        import tensorflow  # noqa: F401
    finally:
        if collecting:
            gc.freeze()
            gc.enable()


def replay(captured: bytes) -> None:
    """Log captured chatter at DEBUG and write every other line back to stderr."""
    kept = []
    for line in captured.splitlines(keepends=True):
        if keep(line.rstrip(b"\n")):
            kept.append(line)
        else:
            log.debug("native: %s", line.decode("utf-8", "replace").rstrip())
    if kept:
        sys.stderr.write(b"".join(kept).decode("utf-8", "replace"))
        sys.stderr.flush()
