"""The command-line interface: one module per command group, each adding its sub-parsers.

Every user-facing failure is an :class:`~core.errors.InkLabError`; it becomes one line on
stderr and exit code 2, never a traceback.  A cancelled task (:class:`~core.errors.Cancelled`)
or Ctrl+C is no failure: exit code 130 and a short notice, no error line.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from core import leftovers, storage
from core.errors import Cancelled, InkLabError
from core.version import app_version

# Modules that each define ``register(subparsers)``; imported lazily by run_cli.
COMMAND_MODULES = ("datasets", "training", "models", "recognize", "inside", "lessons", "contest", "desktop")

EXIT_BAD_INPUT = 2
EXIT_CANCELLED = 130  # the shell's code for a process ended by Ctrl+C (128 + SIGINT)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(  # bad usage: argparse's one line plus usage, exit 2
        prog="inklab",
        description="InkLab: handwriting recognition you can watch learn. "
        "Run without arguments to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"inklab {app_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(f"core.cli.{module_name}").register(subparsers)
    return parser


def run_cli(argv: list[str]) -> int:
    """Parse ``argv`` and run the command; InkLabErrors become exit 2 and one line, a cancel 130."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        storage.check_data_dir()  # an unusable data folder: one line naming it, exit 2
        leftovers.clean_leftovers()
        return int(args.handler(args) or 0)
    except InkLabError as err:
        print(f"inklab: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Cancelled:
        print("inklab: cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        print("inklab: interrupted", file=sys.stderr)
        return EXIT_CANCELLED
