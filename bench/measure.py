"""Measuring on a shared, noisy 2-core machine: interleaved pairs, their ratios, the load.

One pair of runs says little when other jobs share the cores: a burst of load elsewhere
hits whichever side happens to run then (``bench.training`` once gave ratios of 1.45, 0.92
and 0.94 on one checkout from two pairs each).  So every comparison here runs at least
:data:`MIN_PAIRS` pairs, alternating which side goes first (ABBA: a slow drift of the load
penalises neither), and reports the median of the pairwise ratios with its min and max.
Each run also records its process CPU time and the load average: CPU-seconds per sample
barely move with other load, wall time does.  On a virtual machine the host may also take
the cores away ("steal"): each run records the share of the machine's CPU time stolen while
it ran (``steal``, from /proc/stat), which explains a run that was slow with unchanged CPU
time (a 3-epoch ``recommended`` run took 70, 83 and 88 s on one idle machine in a row, with
the same CPU-seconds).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

MIN_PAIRS = 5


def cpu_times() -> tuple[float, float]:
    """(all CPU time, stolen CPU time) of the whole machine so far, in clock ticks (0, 0 if unknown)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    # user nice system idle iowait irq softirq steal [guest guest_nice: already in user]
    return float(sum(fields[:8])), float(fields[7]) if len(fields) > 7 else 0.0


def steal_share(before: tuple[float, float], after: tuple[float, float]) -> float:
    """The share (0..1) of the machine's CPU time the host took between two :func:`cpu_times`."""
    total = after[0] - before[0]
    return round((after[1] - before[1]) / total, 3) if total > 0 else 0.0


def load_average() -> float:
    """The 1-minute load average (0.0 where the system has none)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return 0.0


@dataclass
class Clock:
    """Wall and process-CPU seconds between :meth:`start` and :meth:`stop`, and the load then."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    load_start: float = 0.0
    load_end: float = 0.0
    steal: float = 0.0

    def start(self) -> Clock:
        self._wall0, self._cpu0 = time.perf_counter(), time.process_time()
        self._machine0 = cpu_times()
        self.load_start = load_average()
        return self

    def stop(self) -> Clock:
        self.wall_s = time.perf_counter() - self._wall0
        self.cpu_s = time.process_time() - self._cpu0
        self.steal = steal_share(self._machine0, cpu_times())
        self.load_end = load_average()
        return self

    def as_dict(self) -> dict:
        return {
            "wall_s": round(self.wall_s, 2),
            "cpu_s": round(self.cpu_s, 2),
            "load": [self.load_start, self.load_end],
            "steal": self.steal,
        }


def spread(values: list[float], digits: int = 3) -> dict:
    """Median, min and max of ``values`` (rounded to ``digits`` places), for a JSON report."""
    return {
        "median": round(float(statistics.median(values)), digits),
        "min": round(float(min(values)), digits),
        "max": round(float(max(values)), digits),
    }


def interleave(pairs: int, first: Callable[[], dict], second: Callable[[], dict]) -> tuple[list, list]:
    """Run ``first`` and ``second`` ``pairs`` times each, ABBA order; their results in pair order."""
    firsts, seconds = [], []
    for i in range(pairs):
        if i % 2 == 0:
            firsts.append(first())
            seconds.append(second())
        else:
            seconds.append(second())
            firsts.append(first())
    return firsts, seconds


def ratios(numerators: list[float], denominators: list[float]) -> list[float]:
    """Pairwise ``numerators[i] / denominators[i]`` (pairs with a zero denominator skipped)."""
    return [n / d for n, d in zip(numerators, denominators, strict=True) if d]
