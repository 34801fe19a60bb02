"""Does the training session cost anything?  Bare ``model.fit`` vs a session with its listener.

    python -m bench.training [--pairs 5] [--samples 8000] [--epochs 2] [--preset cnn-classic]

Both runs build the same preset with the same seed and train on the same MNIST slice
through the same ``tf.data`` pipeline with the same compile settings; the first epoch of
each (tracing, warm-up) is excluded.  ``--pairs`` pairs run interleaved (ABBA, see
bench/measure.py) after one untimed warm-up run; the result is the median of the pairwise
session/bare ratios with its min and max (target median >= 0.97), the same for CPU-seconds
per sample (load-independent), and the load average.

What made a bare run slower than a session in the past (ratios up to 1.45): the first run
in a process pays TensorFlow's start-up and first tracing, and the bare run always went
first; Keras' global graph state grew with every model built; and a fit with a batch hook
(as the session has) takes another path through Keras, which converts each step's logs to
Python: the plain fit dispatches steps without waiting and, on a loaded machine, got less
CPU per second (cnn-classic at load 11: an empty batch hook was 1.17x faster, median of 5
pairs, spread 0.60-1.84).  Now an untimed warm-up run goes first, every timed run starts
from ``keras.backend.clear_session()``, and the bare fit has an empty batch hook: what is
left between the two is InkLab's code.  Still open: on a machine at load 7-10 the session
was faster in wall time in 5 of 5 pairs (median 1.25, spread 1.03-2.26) with the same CPU
per sample (0.97); judge the wall-time ratio on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import time

from bench.measure import MIN_PAIRS, Clock, interleave, load_average, ratios, spread


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=MIN_PAIRS)
    parser.add_argument("--samples", type=int, default=8000)
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs, after one warm-up epoch")
    parser.add_argument("--preset", default="cnn-classic")
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args(argv)

    from core.native_logs import import_tensorflow

    import_tensorflow()
    import keras

    from core.datasets import load_dataset
    from core.models.presets import get_preset
    from core.training import (
        TrainingConfig,
        TrainingListener,
        TrainingRun,
        compile_model,
        make_tf_dataset,
    )

    data = load_dataset("mnist")
    split = data.split("train").take(slice(0, args.samples))
    epochs = args.epochs + 1
    config = TrainingConfig.for_preset(
        args.preset, epochs=epochs, batch_size=args.batch_size, validation=0, limit=args.samples, augment=False
    )
    steps = -(-args.samples // args.batch_size)
    timed = args.samples * args.epochs

    class EpochClock(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.clock = Clock()

        def on_train_batch_end(self, batch, logs=None):
            pass  # the session has a batch hook; an empty one puts Keras on the same path

        def on_epoch_end(self, epoch, logs=None):
            if epoch == 0:
                self.clock.start()
            elif epoch == epochs - 1:
                self.clock.stop()

    def bare() -> dict:
        keras.backend.clear_session()
        keras.utils.set_random_seed(config.seed)
        model = get_preset(config.preset).build(data.n_classes)
        compile_model(model, config, steps, get_preset(config.preset).outputs)
        ds = make_tf_dataset(split.images, split.labels, config.batch_size, shuffle=True, seed=config.seed)
        clock = EpochClock()
        model.fit(ds, epochs=epochs, verbose=0, shuffle=False, callbacks=[clock])
        return {"rate": timed / clock.clock.wall_s, "cpu_ms_per_sample": 1000 * clock.clock.cpu_s / timed,
                **clock.clock.as_dict()}

    class Counting(TrainingListener):
        def __init__(self) -> None:
            self.batches = 0
            self.clock = Clock()

        def on_batch_end(self, progress):
            self.batches += 1

        def on_epoch_end(self, result):
            if result.epoch == 1:
                self.clock.start()
            elif result.epoch == epochs:
                self.clock.stop()

    def session() -> dict:
        keras.backend.clear_session()
        listener = Counting()
        TrainingRun(config, listener, data=data, preview=0).run()
        return {"rate": timed / listener.clock.wall_s, "cpu_ms_per_sample": 1000 * listener.clock.cpu_s / timed,
                "batch_events": listener.batches, **listener.clock.as_dict()}

    t0, load0 = time.perf_counter(), load_average()
    bare()  # untimed: TensorFlow's start-up and first tracing belong to neither side
    bare_runs, session_runs = interleave(args.pairs, bare, session)
    print(json.dumps(_report(args, config, steps, bare_runs, session_runs, t0, load0)))
    return 0


def _report(args, config, steps: int, bare_runs: list, session_runs: list, t0: float, load0) -> dict:
    """The printed JSON: both arms' rates and CPU per sample, paired, with their spread."""
    rate_ratios = ratios([r["rate"] for r in session_runs], [r["rate"] for r in bare_runs])
    cpu_ratios = ratios([r["cpu_ms_per_sample"] for r in session_runs], [r["cpu_ms_per_sample"] for r in bare_runs])
    ratio, cpu_ratio = spread(rate_ratios), spread(cpu_ratios)
    return {
        "ratio": ratio,
        "note": closing_note(ratio, cpu_ratio),
        "cpu_per_sample_ratio": cpu_ratio,
        "bare_samples_per_s": spread([r["rate"] for r in bare_runs]),
        "session_samples_per_s": spread([r["rate"] for r in session_runs]),
        "bare_runs": [_rounded(r) for r in bare_runs],
        "session_runs": [_rounded(r) for r in session_runs],
        "batch_events_per_run": session_runs[-1]["batch_events"],
        "preset": config.preset,
        "samples": args.samples,
        "batch_size": config.batch_size,
        "timed_epochs": args.epochs,
        "steps_per_epoch": steps,
        "pairs": args.pairs,
        "load_average": [load0, load_average()],
        "bench_wall_s": round(time.perf_counter() - t0, 1),
    }


def closing_note(ratio: dict, cpu_ratio: dict) -> str:
    """One sentence reading the result: where a median far from 1 comes from."""
    if 0.95 <= ratio["median"] <= 1.05:
        return "session and bare fit train equally fast (median within 5%)"
    if abs(cpu_ratio["median"] - 1) <= 0.05:
        return (f"the wall-time median is {ratio['median']} but CPU time per sample is the same "
                f"(ratio {cpu_ratio['median']}): other load on the machine, not the session, made the difference")
    side = "session" if cpu_ratio["median"] > 1 else "bare fit"
    return f"the {side} spends more CPU per sample (ratio {cpu_ratio['median']}): a real difference to look into"


def _rounded(run: dict) -> dict:
    return {key: round(value, 3) if isinstance(value, float) else value for key, value in run.items()}


if __name__ == "__main__":
    raise SystemExit(main())
