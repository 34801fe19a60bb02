"""Why EMNIST is re-framed on load: ``python -m bench.framing`` prints one JSON object.

EMNIST letters cannot be downloaded on the development machine, so this measures the same
effect on digits.  MNIST's training images are framed the way EMNIST frames its letters
(the character's box scaled to 24 of 28 px, centred by its box) and ``cnn-classic`` is
trained on them twice, with the same seed and settings:

* ``as_emnist_framed``: on those images as they are, which is what a model trained on raw
  EMNIST learns;
* ``reframed``: on the same images after :func:`core.imaging.reframe_images`, which is
  what the EMNIST loader now does.

Both are tested on the 7,494 real pen-tablet digits of pendigits, rendered by the drawing
pad's own code (MNIST's framing): the accuracy gap is what the pad's users would lose.
Not part of ``make bench`` (it trains two models: a few minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

from bench import REPO, shared_data


def emnist_style(image: np.ndarray) -> np.ndarray:
    """One uint8 28x28 image framed as EMNIST's letters are: box long side 24 px, box-centred."""
    from PIL import Image

    ink = image.astype(np.float32) / 255.0
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    ink = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = ink.shape
    side = max(h, w)
    square = np.zeros((side, side), np.float32)
    square[(side - h) // 2 : (side - h) // 2 + h, (side - w) // 2 : (side - w) // 2 + w] = ink
    square = np.pad(square, round(side * 2 / 24))  # 2 px of 28 around a 24 px letter
    out = np.asarray(Image.fromarray(square).resize((28, 28), Image.Resampling.BICUBIC))
    return np.round(np.clip(out, 0.0, 1.0) * 255).astype(np.uint8)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=60_000, help="MNIST training images to use")
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("INKLAB_DATA_PATH", str(shared_data()))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.path.insert(0, str(REPO))
    from core.datasets import load_dataset
    from core.datasets.dataset import Dataset, Split
    from core.imaging import reframe_images
    from core.training import TrainingConfig, TrainingListener, TrainingRun

    mnist, pen = load_dataset("mnist"), load_dataset("pendigits")
    train = mnist.split("train").take(slice(0, args.samples))
    pen_digits = pen.split("train")
    emnist_framed = np.stack([emnist_style(image) for image in train.images])
    variants = {"as_emnist_framed": emnist_framed, "reframed": reframe_images(emnist_framed)}
    result: dict[str, object] = {"preset": "cnn-classic", "train_samples": len(train), "epochs": args.epochs,
                                 "test": f"pendigits, {len(pen_digits)} pen digits rendered by the pad"}
    for name, images in variants.items():
        data = Dataset(f"framing-{name}", mnist.label_names,
                       {"train": Split(images, train.labels), "test": pen_digits})
        config = TrainingConfig.for_preset("cnn-classic", dataset=data.name, epochs=args.epochs, seed=0,
                                           validation=0.05)
        session = TrainingRun(config, TrainingListener(), data=data)
        started = time.monotonic()
        session.run()
        evaluation = session.evaluate("test")
        result[f"{name}_pendigits_accuracy"] = round(float(evaluation.accuracy) * 100, 2)
        result[f"{name}_train_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
