"""What the command line's tests check of its output."""

from __future__ import annotations


def one_error_line(err: str) -> str:
    """The one line a failing command prints on stderr (a test fails on more, or on a traceback)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]
