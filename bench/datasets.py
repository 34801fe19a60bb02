"""Data and start-up benchmark: ``python -m bench.datasets`` prints one JSON object.

* ``mnist_load_s``: ``load_dataset("mnist")``, both splits into uint8 arrays, against
  ``gunzip_baseline_s``, just reading and gzip-decompressing the same four files in the
  same run (target: ratio <= 1.5).
* ``startup_window_s``: from the top of a fresh ``python -c`` until the InkLab main window
  gets its first paint event (offscreen), against ``startup_bare_qt_s`` for a bare
  QMainWindow in the same way (target: ratio <= 1.5).  Interpreter boot is in neither.
* ``startup_tab_ready_s``: the same until the Datasets tab itself (built just after the
  window's first paint) has painted -- when a user can start clicking.

Each number is the median of several runs; the window and bare-Qt start-ups alternate, so
a machine that slows down or speeds up mid-benchmark weighs on both alike.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = 5
STARTUP_RUNS = 11

# The probe: time from the top of the process until ``watched`` first paints, then exit.
_PROBE = """
import time
T0 = time.perf_counter()
import os
from PySide6.QtCore import QEvent, QObject, QTimer
{setup}
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(f"{{time.perf_counter() - T0:.6f}}", flush=True)
            os._exit(0)
        return False
watcher = FirstPaint()
{watch}
window.show()
app.exec()
"""

_STARTUP = _PROBE.replace("{watch}", "window.installEventFilter(watcher)")

# The Datasets tab is built on the event loop's next turn after the window's first paint.
_TAB_READY = _PROBE.replace("{watch}", """page = window._lazy["Datasets"]
def watch_tab():
    if page.built:
        page.widget.installEventFilter(watcher)
    else:
        QTimer.singleShot(0, watch_tab)
QTimer.singleShot(0, watch_tab)""")

_APP = """
from core.logfile import setup_logging
from gui.app import create_application, create_window
app = create_application([])
setup_logging()
window = create_window()
"""

_BARE = """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1280, 820)
"""


def _median_time(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _startup_once(setup: str, env: dict[str, str], probe: str = _STARTUP) -> float:
    code = probe.format(setup=setup)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"start-up probe failed: {out.stderr.strip()[-500:]}")
    return float(out.stdout.strip().splitlines()[-1])


def _startup_medians(env: dict[str, str], runs: int = STARTUP_RUNS) -> dict[str, float]:
    """Median start-up of the window, the bare window and the ready tab, runs interleaved."""
    probes = {"window": (_APP, _STARTUP), "bare": (_BARE, _STARTUP), "tab_ready": (_APP, _TAB_READY)}
    for setup, probe in probes.values():  # warm imports from disk
        _startup_once(setup, env, probe)
    times: dict[str, list[float]] = {key: [] for key in probes}
    for _ in range(runs):
        for key, (setup, probe) in probes.items():
            times[key].append(_startup_once(setup, env, probe))
    return {key: statistics.median(values) for key, values in times.items()}


def main() -> int:
    os.environ.setdefault("INKLAB_DATA_PATH", str(REPO.parent / "shared" / "data"))
    sys.path.insert(0, str(REPO))
    from core.datasets import find, load_dataset, locate

    folder = locate(find("mnist"))
    if folder is None:
        print(json.dumps({"error": "MNIST not found; set INKLAB_DATA_PATH"}))
        return 2
    files = [folder / name for name in find("mnist").files]

    def gunzip() -> None:
        for path in files:
            gzip.decompress(path.read_bytes())

    gunzip()  # warm the page cache for both measurements alike
    load_s = _median_time(lambda: load_dataset("mnist"))
    gunzip_s = _median_time(gunzip)

    with tempfile.TemporaryDirectory() as user_dir:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", INKLAB_DATA_DIR=user_dir,
                   PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        startup = _startup_medians(env)
    window_s, bare_s, tab_ready_s = startup["window"], startup["bare"], startup["tab_ready"]

    print(json.dumps({
        "mnist_load_s": round(load_s, 4),
        "gunzip_baseline_s": round(gunzip_s, 4),
        "load_ratio": round(load_s / gunzip_s, 3),
        "load_target_ratio": 1.5,
        "startup_window_s": round(window_s, 4),
        "startup_bare_qt_s": round(bare_s, 4),
        "startup_ratio": round(window_s / bare_s, 3),
        "startup_target_ratio": 1.5,
        "startup_tab_ready_s": round(tab_ready_s, 4),
        "startup_tab_ready_ratio": round(tab_ready_s / bare_s, 3),
        "runs": RUNS,
        "startup_runs": STARTUP_RUNS,
        "statistic": "median",
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
