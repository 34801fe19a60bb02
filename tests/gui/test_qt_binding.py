"""Guard against the PySide6 6.12.0 bug on Python 3.11: every void call dropped a reference
to None until the interpreter aborted with "none_dealloc" (pinned below 6.12 in pyproject)."""

import sys

from PySide6.QtWidgets import QLabel


def test_void_calls_do_not_leak_references_to_none(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
    assert before - sys.getrefcount(None) < 500
