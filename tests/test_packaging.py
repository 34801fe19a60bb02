"""The installed app: what the wheel carries, the names it takes in site-packages, and a real
install into a fresh virtualenv outside the checkout (slow)."""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from PIL import Image

from core.resource_files import resource_path, resources_root
from core.version import app_version

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
# The top-level names the wheel installs (README, "Installing", says why they are generic).
TOP_LEVEL = ("core", "gui", "main")


def test_the_wheel_lists_every_package_folder() -> None:
    """packages is explicit (resources/ is mapped, packages.find cannot): a new folder must be added."""
    on_disk = {
        ".".join(init.parent.relative_to(REPO).parts)
        for top in ("core", "gui")
        for init in (REPO / top).rglob("__init__.py")
    }
    assert set(PYPROJECT["tool"]["setuptools"]["packages"]) == on_disk | {"core._resources"}


def test_no_other_distribution_provides_our_top_level_names() -> None:
    """`core`, `gui` and `main` are generic: another installed distribution owning one would clash."""
    owners = metadata.packages_distributions()
    clashes = {name: owners[name] for name in TOP_LEVEL if set(owners.get(name, [])) - {"inklab"}}
    assert clashes == {}, f"other distributions install InkLab's top-level names: {clashes}"


def test_every_directly_imported_package_is_declared() -> None:
    """Each third-party import in core/, gui/ and main.py is a declared dependency (or the test extra)."""
    import ast

    def normal(name: str) -> str:  # PEP 503: PySide6_Essentials == pyside6-essentials
        return re.sub(r"[-_.]+", "-", name).lower()

    declared = {
        normal(re.split(r"[;\[<>=~! ]", req, maxsplit=1)[0])
        for req in PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["test"]
    }
    distributions = metadata.packages_distributions()
    used: set[str] = set()
    for path in [REPO / "main.py", *(REPO / "core").rglob("*.py"), *(REPO / "gui").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                used |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                used.add(node.module.split(".")[0])
    third_party = used - set(sys.stdlib_module_names) - set(TOP_LEVEL) - {"__future__"}
    missing = {
        name: distributions.get(name)
        for name in third_party
        if not {normal(d) for d in distributions.get(name, [])} & declared
    }
    assert missing == {}


def test_resources_are_found_from_the_checkout() -> None:
    assert resources_root() == REPO / "resources"
    for model in ("digits", "letters"):
        assert (resource_path("models", model) / "card.json").is_file()


def test_version_is_the_projects() -> None:
    assert app_version() == PYPROJECT["project"]["version"]


# --- a real install ------------------------------------------------------------------------------
WINDOW_DRIVER = """
import sys
from PySide6.QtCore import QTimer
from gui.app import create_application, create_window
from core.models.library import list_models

app = create_application([])
window = create_window()
window.show()
draw = window.tab("Draw")
QTimer.singleShot(200, app.quit)
app.exec()
print("ICON", not app.windowIcon().isNull(), app.desktopFileName())
print("MODELS", sorted(card.name for card in list_models() if card.bundled))
print("DRAW", draw is not None)
"""


def _copy_project(target: Path) -> Path:
    """The files a wheel is built from, copied so that building writes nothing into the checkout."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md", "main.py"):
        shutil.copy2(REPO / name, target / name)
    for name in ("core", "gui", "resources"):
        shutil.copytree(REPO / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path, mnist) -> None:
    """Build the wheel, install it into a new virtualenv and run it from a folder far from the repo.

    The new venv gets InkLab from the wheel (``--no-deps``) and every dependency through a
    ``.pth`` line naming the shared venv's site-packages: TensorFlow is not downloaded again.
    A .pth line is only a path, so the shared venv's editable install of the checkout (itself
    a .pth hook) does not run there: ``core`` comes from the wheel.
    """
    source = _copy_project(tmp_path / "source")
    dist = tmp_path / "dist"
    pip = [sys.executable, "-m", "pip"]
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(dist.glob("inklab-*.whl"))

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [*pip, "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    venv_site = Path(subprocess.check_output([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                                             text=True).strip())
    (venv_site / "shared-venv.pth").write_text("\n".join(site.getsitepackages()) + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    test = mnist.split("test")
    Image.fromarray(test.images[0]).resize((112, 112)).save(elsewhere / "digit.png")
    expected = mnist.label_names[int(test.labels[0])]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": ""}
    inklab = str(venv / "bin" / "inklab")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)

    where = run(str(python), "-c", "import core, core.resource_files as r; print(core.__file__); print(r.resources_root())")
    assert where.returncode == 0, where.stderr
    core_file, root = where.stdout.split()
    assert Path(core_file).is_relative_to(venv) and Path(root).is_relative_to(venv), where.stdout

    version = run(inklab, "--version")
    assert version.returncode == 0 and version.stdout.strip() == f"inklab {app_version()}", version

    recognized = run(inklab, "recognize", "digit.png", "--model", "digits", "--json")
    assert recognized.returncode == 0, recognized.stderr
    assert json.loads(recognized.stdout.splitlines()[-1])["label"] == expected

    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    launcher = run(inklab, "install-desktop")
    assert launcher.returncode == 0, launcher.stderr
    entry = (tmp_path / "xdg" / "applications" / "inklab.desktop").read_text(encoding="utf-8")
    assert f"Exec={inklab}\n" in entry
    assert (tmp_path / "xdg" / "icons" / "hicolor" / "48x48" / "apps" / "inklab.png").is_file()

    window = run(str(python), "-c", WINDOW_DRIVER)
    assert window.returncode == 0, window.stderr
    assert "ICON True inklab" in window.stdout
    assert "MODELS ['digits', 'letters']" in window.stdout
    assert "DRAW True" in window.stdout
