"""The benchmarks and tools import InkLab lazily (inside functions and driver scripts), so a
renamed module only shows when someone runs them: ``bench.presets`` was broken that way for a
whole release.  Every ``from core/gui/bench/tools... import name`` they contain must resolve."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
OURS = ("core", "gui", "bench", "tools")


def _trees(path: Path):
    """The module's syntax tree, and that of every string constant in it that parses as code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    yield tree
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "import " in node.value:
            try:
                yield ast.parse(node.value)
            except SyntaxError:
                continue


def _imports(path: Path):
    for tree in _trees(path):
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] in OURS:
                    yield node.module, [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in OURS:
                        yield alias.name, []


FILES = sorted([*REPO.glob("bench/*.py"), *REPO.glob("tools/*.py")])


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_lazy_import_resolves(path: Path) -> None:
    missing = []
    for module_name, names in _imports(path):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            missing.append(f"{module_name}: {err}")
            continue
        for name in names:
            if not hasattr(module, name):
                try:
                    importlib.import_module(f"{module_name}.{name}")
                except ModuleNotFoundError:
                    missing.append(f"{module_name}.{name}")
    assert not missing, f"{path.name} imports what does not exist: {missing}"
