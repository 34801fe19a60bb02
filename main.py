"""InkLab: run with no arguments for the window, or with a sub-command for the CLI.

    python main.py                     open the app
    python main.py datasets list       see every data set and whether it is here
    python main.py --help              every sub-command

TensorFlow is imported lazily (only by the commands and tabs that need it), so the
window shows fast.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the GUI (no sub-command) or to a CLI command; return the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    # TensorFlow's C++ start-up chatter (CPU features, "no CUDA driver") is not for users;
    # real failures still surface as Python exceptions.  Set before TensorFlow is imported.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if not argv:
        from core import leftovers, storage
        from core.errors import InkLabError
        from gui.app import run_app, show_startup_error

        try:
            storage.check_data_dir()  # an unusable data folder: said in one line, exit 2
        except InkLabError as err:
            return show_startup_error(str(err))
        leftovers.clean_leftovers()  # what a killed writer left behind (the CLI does the same)

        return run_app()
    from core import native_logs
    from core.cli import run_cli

    # A command prints only what was asked: native log lines are filtered out of stderr.
    native_logs.filter_native_logs()
    return run_cli(argv)


if __name__ == "__main__":
    sys.exit(main())
