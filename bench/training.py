"""Does the training session cost anything?  Bare ``model.fit`` vs a session with its listener.

    python -m bench.training [--samples 12000] [--epochs 3] [--preset recommended]

Both runs build the same preset with the same seed and train on the same MNIST slice
through the same ``tf.data`` pipeline with the same compile settings; the first epoch of
each (tracing, warm-up) is excluded.  Prints one JSON object; target ratio >= 0.97.
"""

from __future__ import annotations

import argparse
import json
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=12000)
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs, after one warm-up epoch")
    parser.add_argument("--preset", default="cnn-classic")
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args(argv)

    import keras

    from core.datasets import load_dataset
    from core.models.presets import get_preset
    from core.training import (
        TrainingConfig,
        TrainingListener,
        TrainingSession,
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

    class EpochClock(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.ends: list[float] = []

        def on_epoch_end(self, epoch, logs=None):
            self.ends.append(time.perf_counter())

    def bare() -> float:
        keras.utils.set_random_seed(config.seed)
        model = get_preset(config.preset).build(data.n_classes)
        compile_model(model, config, steps, get_preset(config.preset).outputs)
        ds = make_tf_dataset(split.images, split.labels, config.batch_size, shuffle=True, seed=config.seed)
        clock = EpochClock()
        model.fit(ds, epochs=epochs, verbose=0, shuffle=False, callbacks=[clock])
        return args.samples * args.epochs / (clock.ends[-1] - clock.ends[0])

    class Counting(TrainingListener):
        def __init__(self) -> None:
            self.batches = 0
            self.ends: list[float] = []

        def on_batch_end(self, progress):
            self.batches += 1

        def on_epoch_end(self, result):
            self.ends.append(time.perf_counter())

    def session() -> tuple[float, int]:
        listener = Counting()
        TrainingSession(config, listener, data=data, preview=0).run()
        return args.samples * args.epochs / (listener.ends[-1] - listener.ends[0]), listener.batches

    # Alternate the two, twice, and keep each one's best: other load on a shared machine
    # then penalises neither side systematically.
    bare_rates, session_rates, events = [], [], 0
    for _ in range(2):
        bare_rates.append(bare())
        rate, events = session()
        session_rates.append(rate)
    bare_best, session_best = max(bare_rates), max(session_rates)
    print(
        json.dumps(
            {
                "bare_samples_per_s": round(bare_best, 1),
                "session_samples_per_s": round(session_best, 1),
                "ratio": round(session_best / bare_best, 3),
                "bare_runs": [round(r, 1) for r in bare_rates],
                "session_runs": [round(r, 1) for r in session_rates],
                "batch_events_per_run": events,
                "preset": config.preset,
                "samples": args.samples,
                "batch_size": config.batch_size,
                "timed_epochs": args.epochs,
                "steps_per_epoch": steps,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
