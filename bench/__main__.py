"""``python -m bench`` (``make bench``): run every benchmark, each in its own process.

Each benchmark compares InkLab against a baseline measured in the same run, because this
machine is noisy; one process each keeps TensorFlow's and Qt's state from leaking between
them.  Prints one JSON object: benchmark name -> its JSON result (or its error).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

BENCHMARKS = ("datasets", "training", "gui_training", "draw", "draw_first", "inside", "recognize", "pendigits", "multi",
              "reliability", "shutdown")


def _last_json(text: str) -> object | None:
    """The last JSON object printed (one line or indented), ignoring log lines before it."""
    lines = text.splitlines()
    for start in range(len(lines) - 1, -1, -1):
        if lines[start].startswith("{"):
            try:
                return json.loads("\n".join(lines[start:]))
            except json.JSONDecodeError:
                continue
    return None


def main() -> int:
    results: dict[str, object] = {}
    failed = False
    for name in BENCHMARKS:
        if importlib.util.find_spec(f"bench.{name}") is None:
            continue
        print(f"bench: running {name} ...", file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, "-m", f"bench.{name}"], capture_output=True, text=True)
        results[name] = _last_json(done.stdout) if done.returncode == 0 else None
        if results[name] is None:
            failed = True
            results[name] = {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    print(json.dumps(results, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
