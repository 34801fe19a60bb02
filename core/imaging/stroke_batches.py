"""Many stroke drawings (the lines of a JSONL file) -> 28x28 images, on every core.

Parsing, checking and rendering a pen drawing is ~0.3 ms of Python and Pillow per drawing,
several times what predicting it costs, and it holds the GIL: threads would not help.  So
a large batch is split into chunks rendered by worker processes (``spawn``: nothing of
this process's threads or state is inherited), one per core; a small one is rendered here,
where starting processes (~0.2 s) would cost more than it saves.  Either way each drawing
goes through exactly the pad's renderer (:func:`core.imaging.strokes.render_many_strokes`)
and a bad line gives the same one-line message, in file order.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np

from core import limits
from core.errors import DataError, DrawingError, InkLabError
from core.hardware import usable_cores
from core.imaging.strokes import load_strokes_json, render_many_strokes

log = logging.getLogger(__name__)

PARALLEL_MIN_DRAWINGS = 2000  # below this, one process is quicker than starting others
CHUNK = 500  # drawings a worker renders per task (small enough to balance two cores)

Rendered = tuple[int, np.ndarray | str]  # (line number, image or the line's error message)


def render_lines(
    lines: Iterable[tuple[int, bytes]], path: str, count: int, workers: int | None = None
) -> list[Rendered]:
    """Each ``(line number, JSON text)`` of ``path`` as ``(number, image)`` or ``(number, message)``.

    ``count`` is how many lines there are (it decides whether processes are worth starting);
    ``workers`` processes render chunks of a large batch (default: one per usable core; 1
    renders here).  Lines are read as they are needed, a few chunks ahead, so a large file
    is never held whole.  Ctrl+C stops the workers at once.
    """
    workers = usable_cores() if workers is None else max(1, int(workers))
    chunks = _chunked(lines, CHUNK)
    if workers < 2 or count < PARALLEL_MIN_DRAWINGS:
        return [item for chunk in chunks for item in render_chunk(chunk, path)]
    rendered: list[Rendered] = []
    pending: deque = deque()  # (chunk, future), in file order; at most 2 per worker ahead
    unsent: list[list] = []  # the chunk being handed to the pool when it broke
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_ignore_interrupts)
    try:
        try:
            for chunk in chunks:
                unsent = [chunk]
                pending.append((chunk, pool.submit(render_chunk, chunk, path)))
                unsent = []
                while len(pending) >= 2 * workers or (pending and pending[0][1].done()):
                    rendered.extend(pending[0][1].result())
                    pending.popleft()  # only once its result is in: a broken pool renders it here
            while pending:
                rendered.extend(pending[0][1].result())
                pending.popleft()
        except BrokenProcessPool:
            # A worker could not start (an embedding script that does its work on import,
            # which ``spawn`` runs again in every child): this costs time, never results.
            log.warning("rendering worker processes failed to start; rendering in this process")
            for chunk in itertools.chain([c for c, _ in pending], unsent, chunks):
                rendered.extend(render_chunk(chunk, path))
    finally:
        # Ctrl+C or an error: drop what has not started; a running chunk ends in ~0.2 s.
        pool.shutdown(wait=True, cancel_futures=True)
    return rendered


def _chunked(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def render_chunk(lines: list[tuple[int, str | bytes]], path: str) -> list[Rendered]:
    """Parse, check and render ``lines`` in this process (the workers' task, too)."""
    out: list[Rendered] = []
    drawings, slots = [], []
    for number, line in lines:
        where = f"{path}:{number + 1}"
        try:
            strokes = read_strokes(limits.parse_json(line, where, DataError), where)
        except InkLabError as err:
            out.append((number, str(err)))
            continue
        slots.append(len(out))
        out.append((number, ""))  # filled below, once the whole chunk is rendered
        drawings.append(strokes)
    for slot, result in zip(slots, render_many_strokes(drawings), strict=True):
        number = out[slot][0]
        out[slot] = (number, f"{path}:{number + 1}: {result}" if isinstance(result, DrawingError) else result)
    return out


def read_strokes(obj: object, where: str) -> list[np.ndarray]:
    """The strokes of one parsed stroke-JSON object; a DataError naming ``where`` if it is not one."""
    try:
        return load_strokes_json(obj)
    except InkLabError as err:
        raise DataError(f"{where}: {str(err).removeprefix('stroke JSON: ')}") from None
    except (TypeError, ValueError, KeyError, OverflowError) as err:
        raise DataError(f"{where}: not a stroke drawing ({err})") from None


def _ignore_interrupts() -> None:
    """Workers leave Ctrl+C to the parent, which terminates them (no traceback from each)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def jsonl_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(number, line) of a JSONL file, read as a stream with bounded lines and drawings."""
    try:
        with open(path, "rb") as handle:
            count = 0
            for number, line in enumerate(handle):
                if len(line) > limits.MAX_JSONL_LINE_BYTES:
                    raise DataError(f"{path}:{number + 1}: the line is longer than "
                                    f"{limits.MAX_JSONL_LINE_BYTES // limits.MiB} MB")
                if not line.strip():
                    continue
                count += 1
                if count > limits.MAX_JSONL_DRAWINGS:
                    raise DataError(f"{path}: more than {limits.MAX_JSONL_DRAWINGS} drawings; split the file")
                yield number, line
    except OSError as err:
        raise DataError(f"{path}: cannot read the file ({err.strerror or err})") from None
