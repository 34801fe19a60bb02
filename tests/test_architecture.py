"""The split the whole design rests on: core/ never touches Qt, and starting the CLI
does not drag TensorFlow or Qt in when a command does not need them."""

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BANNED = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "qtpy", "superqt")


def test_core_imports_no_qt() -> None:
    offenders = []
    for path in (REPO / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(REPO)}: {n}" for n in names if n.split(".")[0] in BANNED]
    assert offenders == []


def test_datasets_list_imports_neither_qt_nor_tensorflow() -> None:
    code = (
        "import sys; from core.cli import run_cli; run_cli(['datasets', 'list']); "
        "print(sorted(m for m in ('PySide6', 'tensorflow') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
