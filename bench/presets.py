"""Each preset on MNIST with its own default epochs: test accuracy and seconds per epoch.

    python -m bench.presets [--epochs-scale 1.0] [--limit N] [--presets a,b]

Prints one JSON object per line (preset, lesson, epochs, test_accuracy, s_per_epoch) —
the table in the README.  The full run takes a long while on a CPU; ``--limit`` and
``--epochs-scale`` make a quick check.
"""

from __future__ import annotations

import argparse
import json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs-scale", type=float, default=1.0, help="multiply each preset's epochs")
    parser.add_argument("--limit", type=int, help="train on only the first N samples")
    parser.add_argument("--test-limit", type=int, help="test on only the first N samples")
    parser.add_argument("--presets", help="comma-separated presets (default: all)")
    args = parser.parse_args(argv)

    from core.datasets import load_dataset
    from core.models.presets import PRESETS
    from core.training import TrainingConfig, TrainingSession

    data = load_dataset("mnist")
    names = args.presets.split(",") if args.presets else list(PRESETS)
    for name in names:
        preset = PRESETS[name]
        epochs = max(1, round(preset.epochs * args.epochs_scale))
        validation = preset.validation
        if args.limit and isinstance(validation, int) and validation >= args.limit // 2:
            validation = 0.1  # a fixed count made for 60,000 samples would swallow a small slice
        config = TrainingConfig.for_preset(name, epochs=epochs, limit=args.limit, validation=validation)
        session = TrainingSession(config, data=data, preview=0)
        result = session.run()
        evaluation = session.evaluate(limit=args.test_limit) if result.status == "completed" else None
        times = result.history["elapsed_s"]
        print(
            json.dumps(
                {
                    "preset": name,
                    "lesson": preset.lesson,
                    "epochs": epochs,
                    "status": result.status,
                    "test_accuracy": round(evaluation.accuracy, 4) if evaluation else None,
                    "s_per_epoch": round(times[-1] / len(times), 1) if times else None,
                    "train_samples": len(session.train_split),
                    "device": session.device,
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
