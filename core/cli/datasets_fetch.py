"""``inklab datasets import PATH... --name NAME`` and ``inklab datasets download NAME``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from core.errors import Cancelled
from core.progress import CancelToken


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``import`` and ``download`` to the ``datasets`` sub-commands."""
    importing = commands.add_parser(
        "import",
        help="import IDX, CSV or NPZ files, or a folder of class sub-folders of images",
        description="Import data files as a new data set. Files of Sign-MNIST or EMNIST letters "
        "imported with --name sign-mnist / emnist-letters complete that built-in set.",
    )
    importing.add_argument("paths", nargs="+", metavar="PATH", help="files, or a folder")
    importing.add_argument("--name", required=True, help="name of the new data set (letters, digits, - _)")
    importing.add_argument("--overwrite", action="store_true", help="replace a data set of that name")
    importing.set_defaults(handler=cmd_import)

    download = commands.add_parser(
        "download", help="download a public data set (mnist, emnist-letters, pendigits)"
    )
    download.add_argument("name")
    download.set_defaults(handler=cmd_download)


class TextBar:
    """A one-line progress bar on stderr, redrawn in place only when its text changes.

    Drawn only on a terminal: in a log file or a pipe, carriage-return redraws are noise.
    On failure the bar is wiped, so the error stays the one line the user sees.
    """

    def __init__(self, stream=None, enabled: bool | None = None) -> None:
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty() if enabled is None else enabled
        self._last = ""

    def __call__(self, done: int, total: int | None, message: str) -> None:
        if not self._enabled:
            return
        if total:
            frac = min(1.0, done / total)
            text = f"{message} [{'#' * int(frac * 30):<30}] {frac * 100:5.1f}%"
            if total > 1 << 16:
                text += f"  {done / 1e6:.1f}/{total / 1e6:.1f} MB"
        else:  # size unknown: bytes for a download, just the step otherwise
            text = f"{message} {done / 1e6:.1f} MB" if done else f"{message} ..."
        if text != self._last:
            self._stream.write("\r" + text.ljust(len(self._last)))
            self._stream.flush()
            self._last = text

    def finish(self, ok: bool = True) -> None:
        """End the bar: keep it on its own line after success, erase it after a failure."""
        if self._last:
            self._stream.write("\n" if ok else "\r" + " " * len(self._last) + "\r")
            self._stream.flush()
            self._last = ""


@contextmanager
def _cancel_on_interrupt(token: CancelToken) -> Iterator[None]:
    """Turn Ctrl+C into a cancel request, so the task unwinds and cleans up after itself.

    A KeyboardInterrupt could land anywhere (in the middle of a move into place); a
    cancel flag is only acted on between chunks, where cleaning up is well defined.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_interrupt(signum, frame) -> None:
        token.cancel()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def cmd_import(args: argparse.Namespace) -> int:
    from core.datasets.importer import import_paths, load_imported

    bar = TextBar()
    token = CancelToken()
    try:
        with _cancel_on_interrupt(token):
            spec = import_paths(args.paths, args.name, progress=bar, cancel=token, overwrite=args.overwrite)
    except BaseException:
        bar.finish(ok=False)
        raise
    bar.finish()
    if spec.kind == "imported":
        dataset = load_imported(spec.folder)
        where = spec.folder
    else:
        from core.datasets import load_dataset, locate

        dataset = load_dataset(spec.name)
        where = locate(spec)
    print(f"imported '{spec.name}' into {where}")
    print(f"  {dataset.n_classes} classes: {', '.join(dataset.label_names)}")
    for split_name, split in dataset.splits.items():
        print(f"  {split_name}: {len(split)} samples")
    return 0


def cmd_download(args: argparse.Namespace) -> int:
    from core.datasets.download import download_dataset

    bar = TextBar()
    token = CancelToken()
    try:
        with _cancel_on_interrupt(token):
            folder = download_dataset(args.name, progress=bar, cancel=token)
    except Cancelled:
        bar.finish(ok=False)
        print("inklab: download cancelled; nothing was saved", file=sys.stderr)
        return 130
    except BaseException:
        bar.finish(ok=False)
        raise
    bar.finish()
    print(f"'{args.name}' is in {folder}")
    return 0
