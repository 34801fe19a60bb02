"""``python -m bench.recognize``: recognition without TensorFlow, against TensorFlow, same run.

* **cold**: ``python main.py recognize one.png --model digits`` as a whole fresh process
  (wall time and peak RSS), interleaved with ``python -c "import tensorflow"`` and with the
  same command forced onto the Keras path (LiteRT made unavailable) as baselines.
  Targets: <= 0.6 s and <= 150 MB.
* **batch**: ``recognize`` of a JSONL file of every pendigits stroke drawing (7,494) in a
  fresh ``main.py`` process, timed from the command's start (process start-up excluded;
  reading, rendering, model load, prediction and output included), LiteRT vs Keras
  (for Keras the TensorFlow import is inside the timed part, as a user would pay it).
  Target: >= 5,000 drawings per second (render + predict).

Each arm runs ``REPEATS`` times, interleaved; the JSON gives the median and the spread
(min..max).  Prints ONE JSON object.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench import REPO, shared_data
from bench.measure import spread

REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
BATCH_REPEATS = 3
COLD_TARGET_S, COLD_TARGET_MB, BATCH_TARGET = 0.6, 150.0, 5000.0

# Runs one arm in a fresh interpreter and reports its own peak RSS (ru_maxrss, KB on Linux).
_DRIVER = """
import os, resource, sys, time
started = float(sys.argv[1])
arm = sys.argv[2]
if arm == "import-tensorflow":
    import tensorflow
    code = 0
else:
    if arm == "recognize-keras":
        from core.models import litert
        def missing():
            raise ImportError("forced off by bench.recognize")
        litert.interpreter_class = missing
    import main
    code = main.main(["recognize", sys.argv[3], "--model", "digits"])
wall = time.time() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
os.write(int(sys.argv[4]), f"{wall} {peak} {code}".encode())
"""


def _cold_once(arm: str, png: Path) -> tuple[float, float]:
    read_end, write_end = os.pipe()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, repr(started), arm, str(png), str(write_end)],
        cwd=REPO, env=env, capture_output=True, text=True, pass_fds=(write_end,),
    )
    os.close(write_end)
    report = os.read(read_end, 256).decode()
    os.close(read_end)
    if done.returncode != 0 or not report:
        raise RuntimeError(f"{arm} failed: {done.stderr.strip()[-300:]}")
    wall, peak, code = report.split()
    if code != "0":
        raise RuntimeError(f"{arm}: exit {code}: {done.stderr.strip()[-300:]}")
    if arm == "recognize-litert" and done.stderr.strip():
        raise RuntimeError(f"recognize printed on stderr: {done.stderr.strip()[:300]}")
    return float(wall), float(peak)


def cold(png: Path) -> dict:
    arms = ("recognize-litert", "import-tensorflow", "recognize-keras")
    runs: dict[str, list[tuple[float, float]]] = {arm: [] for arm in arms}
    for _ in range(REPEATS):
        for arm in arms:
            runs[arm].append(_cold_once(arm, png))
    result = {
        arm: {"wall_s": spread([w for w, _ in r]), "peak_rss_mb": spread([m for _, m in r], 1)}
        for arm, r in runs.items()
    }
    lite = result["recognize-litert"]
    result["meets_target"] = bool(lite["wall_s"]["median"] <= COLD_TARGET_S
                                  and lite["peak_rss_mb"]["median"] <= COLD_TARGET_MB)
    return result


def _jsonl(folder: Path) -> tuple[Path, int]:
    from core.datasets.readers.unipen import load_pendigits_strokes

    samples = load_pendigits_strokes(shared_data() / "pendigits")
    path = folder / "pendigits.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for sample in samples:
            # Tablet strokes are y-up; the CLI takes screen coordinates (y down) like the pad.
            strokes = [[[float(x), float(-y)] for x, y in np.asarray(s)[:, :2]] for s in sample.strokes]
            out.write(json.dumps({"strokes": strokes}) + "\n")
    return path, len(samples)


_BATCH_DRIVER = """
import contextlib, io, os, sys, time
if sys.argv[1] == "keras":
    from core.models import litert
    def missing():
        raise ImportError("forced off by bench.recognize")
    litert.interpreter_class = missing
import main
started = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    code = main.main(["recognize", sys.argv[2], "--json"])
os.write(int(sys.argv[3]), f"{time.perf_counter() - started} {code}".encode())
"""


def _batch_once(path: Path, arm: str) -> float:
    """Seconds for ``recognize FILE.jsonl`` in a fresh ``main.py`` process, after its start-up."""
    read_end, write_end = os.pipe()
    done = subprocess.run(
        [sys.executable, "-c", _BATCH_DRIVER, arm, str(path), str(write_end)],
        cwd=REPO, capture_output=True, text=True, pass_fds=(write_end,),
    )
    os.close(write_end)
    report = os.read(read_end, 256).decode()
    os.close(read_end)
    if done.returncode != 0 or not report or report.split()[1] != "0":
        raise RuntimeError(f"batch {arm} failed: {done.stderr.strip()[-300:]}")
    return float(report.split()[0])


def batch(folder: Path) -> dict:
    path, n = _jsonl(folder)
    _batch_once(path, "litert")  # first touch: file cache
    rates: dict[str, list[float]] = {"litert": [], "keras": []}
    for _ in range(BATCH_REPEATS):
        for arm in rates:
            rates[arm].append(n / _batch_once(path, arm))
    result = {f"{arm}_drawings_per_s": spread(r, 0) for arm, r in rates.items()}
    result["drawings"] = n
    result["meets_target"] = bool(result["litert_drawings_per_s"]["median"] >= BATCH_TARGET)
    return result


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ.setdefault("INKLAB_DATA_DIR", str(folder / "data"))
        from PIL import Image

        page = np.full((120, 90), 255, np.uint8)
        page[15:105, 40:50] = 0  # a dark "1" on white paper
        png = folder / "one.png"
        Image.fromarray(page).save(png)
        result = {
            "cold_recognize_one_png": cold(png),
            "batch_recognize_pendigits_jsonl": batch(folder),
            "targets": {"cold_wall_s": COLD_TARGET_S, "cold_peak_rss_mb": COLD_TARGET_MB,
                        "batch_drawings_per_s": BATCH_TARGET},
            "cpu_count": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
