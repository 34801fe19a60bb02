"""Each preset on MNIST with its own default epochs: test accuracy, seconds, samples/s, load.

    python -m bench.presets [--presets recommended] [--seeds 0,1,2] [--command] [--epochs-scale 1.0] [--limit N]

Prints one JSON object per line (the table in the README): ``train_s`` is the training
wall time from the start of ``fit`` (first batch, its tracing included) to the end of the
last epoch, validation included; ``s_per_epoch`` is that over the epochs;
``samples_per_s`` counts training samples only; ``cpu_s`` is this process's CPU time
during training and ``load`` the 1-minute load average before and after it, and ``steal`` the share of
the machine's CPU time its virtual machine's host took meanwhile, so a number measured while
other jobs shared the cores is recognisable as such.  ``--command`` also
times the whole ``python main.py train`` of each preset in a fresh process
(``command_s``: start-up, data loading, training, test and save).  With several ``--seeds``
each preset runs once per seed (a 3-epoch run's test accuracy moves by ~0.1 point with
the seed alone) and a last ``"summary"`` line per preset gives the median, min and max of
the accuracy and the times.

The full run takes a long while on a CPU; ``--limit`` and ``--epochs-scale`` make a quick
check.  The target for ``recommended`` on a quiet 2-core machine: test accuracy >= 0.993,
``train_s`` <= 60, ``command_s`` <= 90.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from bench.measure import Clock, cpu_times, spread, steal_share


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs-scale", type=float, default=1.0, help="multiply each preset's epochs")
    parser.add_argument("--limit", type=int, help="train on only the first N samples")
    parser.add_argument("--test-limit", type=int, help="test on only the first N samples")
    parser.add_argument("--presets", help="comma-separated presets (default: all)")
    parser.add_argument("--command", action="store_true", help="also time the whole 'main.py train' command")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds, one run each (default: 0)")
    args = parser.parse_args(argv)

    from core.native_logs import import_tensorflow

    import_tensorflow()
    from core.datasets import load_dataset
    from core.models.presets import PRESETS

    data = load_dataset("mnist")
    names = args.presets.split(",") if args.presets else list(PRESETS)
    seeds = [int(seed) for seed in args.seeds.split(",")]
    for name in names:
        rows = [run_preset(name, seed, args, data) for seed in seeds]
        if len(rows) > 1:
            print(json.dumps(summary(name, rows)), flush=True)
    return 0


def run_preset(name: str, seed: int, args, data) -> dict:
    """One timed training run of ``name`` with ``seed`` (and its command, with ``--command``)."""
    from core.models.presets import PRESETS
    from core.training import TrainingConfig, TrainingListener, TrainingRun

    class Timing(TrainingListener):
        def __init__(self) -> None:
            self.clock = Clock()

        def on_run_start(self, info):
            self.clock.start()

        def on_run_end(self, result):
            self.clock.stop()

    preset = PRESETS[name]
    epochs = max(1, round(preset.epochs * args.epochs_scale))
    validation = preset.validation
    if args.limit and isinstance(validation, int) and validation >= args.limit // 2:
        validation = 0.1  # a fixed count made for 60,000 samples would swallow a small slice
    config = TrainingConfig.for_preset(name, epochs=epochs, limit=args.limit, validation=validation, seed=seed)
    timing = Timing()
    session = TrainingRun(config, timing, data=data, preview=0)
    result = session.run()
    clock = timing.clock
    evaluation = session.evaluate(limit=args.test_limit) if result.status == "completed" else None
    train_s = result.history["elapsed_s"][-1] if result.history["elapsed_s"] else None
    row = {
        "preset": name,
        "seed": seed,
        "lesson": preset.lesson,
        "epochs": epochs,
        "status": result.status,
        "test_accuracy": round(evaluation.accuracy, 4) if evaluation else None,
        "train_s": round(train_s, 1) if train_s else None,
        "s_per_epoch": round(train_s / len(result.history["elapsed_s"]), 1) if train_s else None,
        "samples_per_s": round(len(session.train_split) * result.epochs_done / train_s) if train_s else None,
        "cpu_s": round(clock.cpu_s, 1),
        "load": [clock.load_start, clock.load_end],
        "steal": clock.steal,
        "cpus": os.cpu_count(),
        "train_samples": len(session.train_split),
        "device": session.device,
    }
    if args.command:
        row.update(time_command(name, epochs, args.limit, seed))
    print(json.dumps(row), flush=True)
    return row


def summary(name: str, rows: list[dict]) -> dict:
    """Median [min, max] over the seeds of each measured number that every run has."""
    out: dict = {"preset": name, "summary": True, "seeds": [row["seed"] for row in rows]}
    for key in ("test_accuracy", "train_s", "cpu_s", "command_s", "command_train_s", "command_test_accuracy"):
        values = [row.get(key) for row in rows]
        if all(isinstance(value, (int, float)) for value in values):
            out[key] = spread(values, digits=4)
    return out


def time_command(preset: str, epochs: int, limit: int | None, seed: int = 0) -> dict:
    """``python main.py train --json`` of ``preset`` in a fresh process, timed from outside.

    ``command_s``: its whole wall time (None if it failed); ``command_train_s`` and
    ``command_test_accuracy``: what the command itself reported (its training wall time is
    measured the same way as ``train_s``).
    """
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    command = [sys.executable, os.path.join(repo, "main.py"), "train", "--dataset", "mnist",
               "--preset", preset, "--epochs", str(epochs), "--seed", str(seed), "--json",
               "--no-reject"]  # the same run as the in-process one (train adds "not a character" for digits)
    if limit:
        command += ["--limit", str(limit)]
    with tempfile.TemporaryDirectory(prefix="inklab-bench-") as library:
        env = dict(os.environ, INKLAB_DATA_DIR=library)
        start, machine0 = time.perf_counter(), cpu_times()
        done = subprocess.run(command, env=env, cwd=repo, capture_output=True, text=True)
        seconds, steal = time.perf_counter() - start, steal_share(machine0, cpu_times())
    if done.returncode != 0:
        return {"command_s": None}
    final = json.loads(done.stdout.strip().splitlines()[-1])
    test = final.get("test") or {}
    return {
        "command_s": round(seconds, 1),
        "command_steal": steal,
        "command_train_s": round(final["elapsed_s"], 1),
        "command_test_accuracy": round(test["accuracy"], 4) if "accuracy" in test else None,
    }


if __name__ == "__main__":
    raise SystemExit(main())
