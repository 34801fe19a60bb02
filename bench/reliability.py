"""``python -m bench.reliability``: issue 13's numbers, measured.

- **kills**: 100 random ``kill -9`` of each writer (save, rename, collect, import, install)
  with the counts of mixed versions and leftovers found after the next start;
- **bombs**: time and peak memory of refusing each bomb at full size (3 GB inside), each
  in its own process;
- **memory**: RSS growth over 20 ``dense-small`` runs in one process (2,000 samples each,
  one epoch), and over 10,000 pad predictions.

Prints one JSON object.  ``--trials N`` changes the kill count, ``--quick`` uses the small
bombs and 5 training runs (a smoke run of the bench itself).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bombs import kinds
from bench.kill_harness import KINDS, REPO, run_trials


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def kills(trials: int, folder: Path) -> dict:
    return {kind: run_trials(kind, trials, folder / kind, seed=100).as_dict() for kind in KINDS}


def bombs(folder: Path, big: bool) -> dict:
    results = {}
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "INKLAB_DATA_DIR": str(folder / "user"), "INKLAB_DATA_PATH": ""}
    for kind in kinds(big):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bench.bombs", str(folder), kind] + ([] if big else ["small"]),
            cwd=REPO, env=env, capture_output=True, text=True,
        )
        if done.returncode != 0:
            results[kind] = {"failed": done.stderr[-500:]}
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])[kind]
        result["refused"] = bool(result.pop("error"))
        result["process_s"] = round(time.perf_counter() - started, 2)
        results[kind] = result
    return results


def training_memory(runs: int) -> dict:
    """RSS after each of ``runs`` dense-small runs in this process (run in a child: see main)."""
    from core.datasets import load_dataset
    from core.training import TrainingConfig, TrainingRun

    data = load_dataset("mnist")
    rss = []
    for _ in range(runs):
        TrainingRun(
            TrainingConfig(preset="dense-small", epochs=1, batch_size=128, limit=2000, validation=200), data=data
        ).run()
        gc.collect()
        rss.append(round(_rss_mb(), 1))
    return {"runs": runs, "rss_mb": rss, "growth_mb": round(rss[-1] - rss[0], 1), "limit_mb": 30}


def pad_memory(predictions: int = 10_000) -> dict:
    import numpy as np

    from core.models.recognizer import Recognizer

    recognizer = Recognizer.load("digits")
    strokes = [
        [np.column_stack([np.linspace(10, 90, 30), 50 + 30 * np.sin(np.linspace(0, 6, 30) + k)]).astype(np.float32)]
        for k in range(50)
    ]
    for i in range(500):
        recognizer.recognize_strokes(strokes[i % 50])
    gc.collect()
    start, started = _rss_mb(), time.perf_counter()
    for i in range(predictions):
        recognizer.recognize_strokes(strokes[i % 50])
    gc.collect()
    return {"predictions": predictions, "growth_mb": round(_rss_mb() - start, 1), "limit_mb": 10,
            "ms_each": round(1000 * (time.perf_counter() - started) / predictions, 2)}


def _in_child(what: str, arg: int, folder: Path) -> dict:
    env = {**os.environ, "INKLAB_DATA_DIR": str(folder / what)}
    done = subprocess.run([sys.executable, "-m", "bench.reliability", "--child", what, str(arg)],
                          cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return {"failed": done.stderr[-1000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, arg = args.child
        print(json.dumps(training_memory(int(arg)) if what == "training" else pad_memory(int(arg))))
        return 0
    with tempfile.TemporaryDirectory(prefix="inklab-reliability-") as tmp:
        folder = Path(tmp)
        report = {
            "kills": kills(args.trials, folder / "kills"),
            "bombs": bombs(folder / "bombs", big=not args.quick),
            "memory": {
                "training": _in_child("training", 5 if args.quick else 20, folder),
                "pad": _in_child("pad", 2000 if args.quick else 10_000, folder),
            },
        }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
