"""How fast does the app end when the window is closed in the middle of a task?

    python -m bench.shutdown [--repeats 3]

Each scenario starts the real app (``tests/gui/close_during_task.py`` runs
:func:`gui.app.run_app`, offscreen, in a fresh user folder), waits until the task is under
way, closes the window and times the process from the close to its exit.  The scenarios are
interleaved round by round so a burst of load elsewhere hits all of them.  Baseline, same
run: the same app closed with nothing running.  Target: <= 2 s (issue "One house"), except
during the first TensorFlow import, which cannot be interrupted (see gui/concurrency.py).
Prints one JSON object: per scenario the median, min and max seconds and every exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DRIVER = REPO / "tests" / "gui" / "close_during_task.py"
SCENARIOS = ("idle", "training", "training-paused", "dataset", "warm-up", "draw", "training-import")


def close_during(scenario: str) -> tuple[int, float]:
    """(exit code, seconds from the close to the exit) of one app run."""
    with tempfile.TemporaryDirectory(prefix="inklab-bench-") as data_dir:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", INKLAB_DATA_DIR=data_dir)
        proc = subprocess.Popen([sys.executable, str(DRIVER), scenario], cwd=REPO, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        closed_at = None
        for line in proc.stdout:
            if line.startswith("CLOSING"):
                closed_at = time.monotonic()
                break
        code = proc.wait(timeout=120)
        return code, (time.monotonic() - closed_at) if closed_at else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenarios", nargs="*", default=list(SCENARIOS))
    args = parser.parse_args(argv)
    seconds: dict[str, list[float]] = {s: [] for s in args.scenarios}
    codes: dict[str, list[int]] = {s: [] for s in args.scenarios}
    for _ in range(args.repeats):
        for scenario in args.scenarios:
            code, took = close_during(scenario)
            codes[scenario].append(code)
            seconds[scenario].append(round(took, 3))
    result = {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "target_s": 2.0,
        "scenarios": {
            s: {"median_s": round(statistics.median(v), 3), "min_s": min(v), "max_s": max(v),
                "exit_codes": codes[s]}
            for s, v in seconds.items()
        },
    }
    print(json.dumps(result, indent=2))
    return 0 if all(c == 0 for cs in codes.values() for c in cs) else 1


if __name__ == "__main__":
    sys.exit(main())
