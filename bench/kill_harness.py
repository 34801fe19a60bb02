"""Kill -9 at random moments: are models, collections and data sets always old or new, never a mix?

A *worker* process repeats one kind of write for ever (save a model over itself, rename a
model back and forth, add drawings with new labels to a collection, import a data set
over itself, install a built-in set's files under its own name), each version telling
which it is.  The harness starts it, kills it with SIGKILL after a random delay, runs what
the next start runs (:func:`core.leftovers.clean_leftovers`) and checks the library: every
model, collection and data set loads and is wholly one version, and nothing temporary is
left.  ``tests/core/test_kill_harness.py`` runs 20 trials of each; ``bench.reliability``
100.

The saving worker saves a stand-in model whose ``save`` writes a versioned file (plus a
LiteRT-like extra file), so a trial costs a Python start-up, not a TensorFlow one; the
library's atomicity does not depend on what the model file holds.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("save", "rename", "collect", "import", "install")
REPO = Path(__file__).resolve().parents[1]
_MAX_DELAY_S = {"save": 0.4, "rename": 0.25, "collect": 0.3, "import": 0.5, "install": 0.5}


# --------------------------------------------------------------------------- the worker side


class _StandInModel:
    """Enough of a Keras model for the library: ``save`` writes a 1.5 MB file saying its version."""

    def __init__(self, version: int) -> None:
        self.version = version

    def count_params(self) -> int:
        return self.version

    def save(self, path: Path) -> None:
        with open(path, "wb") as handle:
            handle.write(f"version {self.version}\n".encode())
            for _ in range(24):
                handle.write(b"\0" * 65536)


def _idx_gz(array) -> bytes:
    import numpy as np

    array = np.asarray(array, np.uint8)
    header = bytes([0, 0, 8, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    return gzip.compress(header + array.tobytes(), compresslevel=1)


def _versions_of_files(source: Path) -> dict[str, list[Path]]:
    """Two versions of an import (``.npz``) and of MNIST's four files, written once per worker."""
    import numpy as np

    made: dict[str, list[Path]] = {"import": [], "install": []}
    for version, (n_train, n_test) in enumerate(((40, 10), (60, 20))):
        rng = np.random.default_rng(version)
        npz = source / f"v{version}.npz"
        images = rng.integers(0, 256, (n_train * 50, 28, 28), dtype=np.uint8)
        np.savez(npz, x_train=images, y_train=np.arange(len(images)) % (3 + version))
        made["import"].append(npz)
        folder = source / f"mnist-v{version}"
        folder.mkdir(exist_ok=True)
        for prefix, n in (("train", n_train), ("t10k", n_test)):
            (folder / f"{prefix}-images-idx3-ubyte.gz").write_bytes(_idx_gz(rng.integers(0, 256, (n, 28, 28))))
            (folder / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(_idx_gz(np.arange(n) % 10))
        made["install"].append(folder)
    return made


def run_worker(kind: str, source: Path) -> None:
    """Repeat writes of ``kind`` until killed, printing ``ready`` once, then one line per write."""
    from core.models import library

    library._versions = lambda: {}  # the stand-in model needs no TensorFlow version
    files = _versions_of_files(source) if kind in ("import", "install") else {}
    # Everything a write needs is imported before "ready", so the random kill lands among
    # writes rather than in an import.
    import numpy as np  # noqa: F401
    from PIL import Image  # noqa: F401

    from core.datasets import collections, importer  # noqa: F401
    print("ready", flush=True)
    version = 0
    while True:
        version += 1
        if kind == "save":
            library.save_model(
                _StandInModel(version), "m", label_names=("a", "b"), outputs="logits", info={"version": version},
                overwrite=True, litert_copy=False,  # the stand-in's own "LiteRT file" says its version:
                extra_writers=[lambda folder, v=version: (folder / "model.tflite").write_text(f"version {v}\n")],
            )
        elif kind == "rename":
            names = [c.name for c in library.list_models() if not c.bundled]
            if not names:
                library.save_model(_StandInModel(1), "m-a", label_names=("a", "b"), outputs="logits",
                                   litert_copy=False)
                names = ["m-a"]
            old = names[0]
            library.rename_model(old, "m-b" if old == "m-a" else "m-a")
        elif kind == "collect":
            import numpy as np

            from core.datasets.collections import add_sample

            add_sample("c", f"L{version}", np.full((28, 28), version % 256, np.uint8), [[[0, 0], [1, version]]])
        elif kind == "import":
            from core.datasets.importer import import_paths

            import_paths([files["import"][version % 2]], "set", overwrite=True)
        elif kind == "install":
            from core.datasets.importer import import_paths

            folder = files["install"][version % 2]
            import_paths(sorted(folder.iterdir()), "mnist", overwrite=True)
        print(f"done {version}", flush=True)


# --------------------------------------------------------------------------- the harness side


@dataclass
class KindReport:
    """What the trials of one kind found."""

    kind: str
    trials: int = 0
    writes_completed: int = 0
    mixed: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"trials": self.trials, "writes_completed": self.writes_completed, "mixed": len(self.mixed),
                "leftovers": len(self.leftovers), "examples": (self.mixed + self.leftovers)[:5],
                "seconds": round(self.seconds, 2)}


def run_trials(kind: str, trials: int, data_dir: Path, seed: int = 0) -> KindReport:
    """Kill a ``kind`` worker ``trials`` times in ``data_dir`` and check the library after each kill."""
    rng = random.Random(seed)
    report = KindReport(kind)
    started = time.monotonic()
    source = data_dir.parent / f"{data_dir.name}-source"
    source.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "INKLAB_DATA_DIR": str(data_dir), "INKLAB_DATA_PATH": "", "PYTHONPATH": str(REPO)}
    for _ in range(trials):
        worker = subprocess.Popen(
            [sys.executable, "-m", "bench.kill_harness", kind, str(source)],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert worker.stdout is not None
        first = worker.stdout.readline().strip()
        if first != "ready":
            worker.kill()
            raise RuntimeError(f"{kind} worker did not start: {first} {worker.communicate()[1][-2000:]}")
        time.sleep(rng.uniform(0.0, _MAX_DELAY_S[kind]))
        os.kill(worker.pid, signal.SIGKILL)
        out, err = worker.communicate()
        if worker.returncode != -signal.SIGKILL:
            raise RuntimeError(f"{kind} worker ended by itself ({worker.returncode}): {err[-2000:]}")
        report.writes_completed += out.count("done ")
        report.trials += 1
        _with_data_dir(data_dir, _clean)
        report.mixed += [f"trial {report.trials}: {m}" for m in _with_data_dir(data_dir, lambda: _check(kind))]
        report.leftovers += [f"trial {report.trials}: {p}" for p in _leftovers(data_dir)]
    report.seconds = time.monotonic() - started
    return report


def _with_data_dir(data_dir: Path, action):
    before = {k: os.environ.get(k) for k in ("INKLAB_DATA_DIR", "INKLAB_DATA_PATH")}
    os.environ["INKLAB_DATA_DIR"], os.environ["INKLAB_DATA_PATH"] = str(data_dir), ""
    try:
        return action()
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _clean() -> None:
    from core import leftovers

    leftovers.clean_leftovers()


def _check(kind: str) -> list[str]:
    """What is not wholly one version (empty when all is well)."""
    from core import storage
    from core.errors import InkLabError

    try:
        if kind in ("save", "rename"):
            return _check_models(kind)
        if kind == "collect":
            return _check_collection(storage.subdir("collections") / "c")
        if kind == "import":
            return _check_import(storage.subdir("imported") / "set")
        return _check_install(storage.subdir("datasets") / "mnist")
    except InkLabError as err:
        return [f"{kind}: {err}"]


def _check_models(kind: str) -> list[str]:
    from core.models import library

    cards = [c for c in library.list_models() if not c.bundled]
    folders = sorted(p.name for p in library.models_dir().iterdir())
    if kind == "save":
        if not cards:
            return [] if not folders else [f"folders without a model: {folders}"]
        card = library.find_model("m")
        versions = {
            "model.keras": card.model_path.read_bytes()[:20].split(b"\n")[0].decode(),
            "model.tflite": (card.folder / "model.tflite").read_text().strip(),
            "card.json": f"version {card.data.get('version')}",
        }
        return [] if len(set(versions.values())) == 1 else [f"mixed versions {versions}"]
    names = [c.name for c in cards]
    if len(names) > 1 or (folders and folders != names):
        return [f"renamed model under {names}, folders {folders}"]
    if names:
        card = library.find_model(names[0])
        if card.folder.name != card.name or not card.model_path.read_bytes().startswith(b"version 1\n"):
            return [f"{card.folder.name}: card says {card.name}"]
    return []


def _check_collection(folder: Path) -> list[str]:
    from core.datasets.collections import load_collection

    if not folder.exists():
        return []
    data = load_collection(folder)  # a sample with an unlisted label or no image raises
    images = data.splits["train"].images
    labels = data.splits["train"].labels
    problems = [
        f"sample {data.label_names[y]} has pixels {x[0, 0]}" for x, y in zip(images, labels, strict=True)
        if int(data.label_names[y][1:]) % 256 != x[0, 0]
    ]
    return problems


def _check_import(folder: Path) -> list[str]:
    from core.datasets.importer import load_imported

    if not folder.exists():
        return []
    info = json.loads((folder / "dataset.json").read_text("utf-8"))
    data = load_imported(folder)
    train = len(data.splits["train"])
    if info["splits"] != {"train": train} or train not in (2000, 3000) or data.n_classes != 3 + (train == 3000):
        return [f"note says {info['splits']}, data holds {train} samples in {data.n_classes} classes"]
    return []


def _check_install(folder: Path) -> list[str]:
    from core.datasets.builtin import BY_NAME

    if not folder.exists():
        return []
    data = BY_NAME["mnist"].load(folder)
    sizes = (len(data.splits["train"]), len(data.splits["test"]))
    return [] if sizes in ((40, 10), (60, 20)) else [f"mnist holds a mix: train/test {sizes}"]


def _leftovers(data_dir: Path) -> list[str]:
    """Anything temporary still in the data folder after the next start's clean-up."""
    found = []
    for path in data_dir.rglob("*"):
        relative = path.relative_to(data_dir)
        if relative.parts[0] == "locks":
            continue
        if path.name.startswith(".") or (relative.parts[0] == "cache" and len(relative.parts) > 1):
            found.append(str(relative))
        elif path.suffix == ".png" and not path.with_suffix(".json").exists():
            found.append(str(relative))
    return found


if __name__ == "__main__":
    run_worker(sys.argv[1], Path(sys.argv[2]))
