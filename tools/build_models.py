"""The bundled models in ``resources/models/``: how they are trained and measured (``make models``).

``python -m tools.build_models [digits|letters|all] [--quick] [--out FOLDER]``

Both models are trained by InkLab's own engine (:class:`core.training.TrainingSession` with a
preset) on data sets built here, and saved in the library's format (``model.keras`` +
``card.json``, written atomically).  Seeds are fixed, so a run reproduces the models up to
TensorFlow's own floating-point nondeterminism.

* ``digits`` trains on MNIST's training set plus pendigits' real pen strokes from writers
  1..24, each rendered several times with random pen widths and stroke-space distortions
  (:mod:`core.datasets.synthetic`).  Writers 25..30 are never trained on: the pen accuracy
  the card reports is theirs, rendered exactly as the drawing pad renders strokes.  The
  card also reports MNIST test accuracy and the image path's accuracy on MNIST test digits
  turned into scan-like pages (:func:`core.datasets.synthetic.to_scan` then
  :func:`core.imaging.image_to_input`).
* ``letters`` trains on EMNIST letters when they are on this machine, otherwise on
  synthetic letters from stroke fonts and handwriting-style fonts; some fonts are held
  out to measure on.  The card says exactly which.

``--quick`` makes tiny models from small slices in seconds (for tests); ``--out`` writes
somewhere other than ``resources/models``.  Saving writes each model's LiteRT copy
(``model.tflite``) too; ``--litert-only`` adds (or redoes) just that for the models
already there, without training.

A tool, not part of the engine: nothing in core/ or gui/ imports it (tests do).  It is
longer than ~400 lines on purpose: both recipes (data, training, measurements, card) are
spelled out in one file, so it alone answers "how exactly was this bundled model made".
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core.datasets.dataset import Dataset, Split
from core.errors import DataError, InkLabError
from core.labels import DIGITS, LETTERS
from core.models.presets import AugmentParams

log = logging.getLogger(__name__)

HELDOUT_WRITERS = (25, 26, 27, 28, 29, 30)
SEED = 0

# The recipe of each model; --quick shrinks only the amounts, never the kind of data.
DIGITS_RECIPE = {
    "preset": "recommended",
    "epochs": 6,
    "batch_size": 128,
    "learning_rate": 3e-3,
    "pen_copies": 6,  # renders of each training writer's sample: one clean + 5 distorted
    "augment": AugmentParams(rotation=8.0, shift=0.05, shear=0.15, zoom=0.08),
    "scan_samples": 10000,
}
LETTERS_RECIPE = {
    "preset": "recommended",
    "epochs": 4,
    "batch_size": 128,
    "learning_rate": 3e-3,
    "per_font": 40,  # renders of each letter, each case, each training font
    "heldout_per_font": 20,
    "augment": AugmentParams(rotation=5.0, shift=0.04, shear=0.1, zoom=0.06),
    # Fonts kept out of training to measure on: one of each kind, unlike the rest.
    "heldout_fonts": ("hershey:rowmans", "ttf:SteveHand.ttf", "ttf:BecauseWeMentor-Regular.otf"),
}


def bundled_dir() -> Path:
    """Where the committed models live (``resources/models``)."""
    from core.models.library import BUNDLED_DIR

    return BUNDLED_DIR


# --------------------------------------------------------------------------- progress


class _PrintListener:
    """Prints one line per epoch: ``make models`` runs for minutes and should say so."""

    def __init__(self, name: str) -> None:
        self.name = name

    def on_run_start(self, info) -> None:
        _say(f"[{self.name}] training {info.train_samples} samples, {info.epochs} epochs "
             f"x {info.steps_per_epoch} steps on {info.device}")

    def on_batch_end(self, progress) -> None:
        pass

    def on_epoch_end(self, r) -> None:
        _say(f"[{self.name}] epoch {r.epoch}/{r.epochs}: loss {r.loss:.4f} acc {r.accuracy:.4f} "
             f"({r.samples_per_s:.0f} samples/s, {r.elapsed_s:.0f} s)")

    def on_run_end(self, result) -> None:
        _say(f"[{self.name}] run {result.status} in {result.elapsed_s:.0f} s {result.error}".rstrip())


def _say(text: str) -> None:
    print(text, flush=True)


# --------------------------------------------------------------------------- shared steps


def _train(name: str, data: Dataset, recipe: dict, quick: bool):
    """Train ``data``'s train split with the recipe through InkLab's own engine."""
    from core.training import TrainingConfig, TrainingSession

    config = TrainingConfig(
        dataset=data.name,
        preset=recipe["preset"],
        epochs=1 if quick else recipe["epochs"],
        batch_size=recipe["batch_size"],
        learning_rate=recipe["learning_rate"],
        validation=0,  # measured afterwards, on data kept out of training altogether
        augment=True,
        augment_params=recipe["augment"],
        seed=SEED,
        name=name,
    )
    session = TrainingSession(config, _PrintListener(name), data=data, preview=0)
    result = session.run()
    if result.status != "completed":
        raise InkLabError(f"training the bundled '{name}' model {result.status}: {result.error}")
    return session


def _accuracy(model, outputs: str, images: np.ndarray, labels: np.ndarray) -> float:
    from core.models.inference import predict_batch

    if len(labels) == 0:
        return float("nan")
    return float((predict_batch(model, images, outputs).argmax(axis=1) == labels).mean())


def _save(session, name: str, out: Path, evaluation, extra: dict):
    from core.models import library

    info = session.card_info(evaluation)
    # The per-batch series is for live plots; a committed card keeps only the epochs.
    info["history"] = {k: v for k, v in info["history"].items() if k != "batches"}
    info.update(extra)
    return library.save_model(
        session.model, name, label_names=session.label_names, outputs=session.outputs,
        info=info, overwrite=True, root=out,
    )


def _recipe_card(recipe: dict) -> dict:
    return {k: (v.as_dict() if isinstance(v, AugmentParams) else list(v) if isinstance(v, tuple) else v)
            for k, v in recipe.items()}


# --------------------------------------------------------------------------- digits


def digits_data(
    heldout: Sequence[int] = HELDOUT_WRITERS, *, quick: bool = False, copies: int | None = None
) -> tuple[Dataset, Split, dict]:
    """The digits training set, the held-out writers' pen split, and its description.

    Train: MNIST train + pendigits writers not in ``heldout`` (``copies`` renders each).
    Test: MNIST test.  The held-out split is the other writers' samples rendered exactly
    as the pad renders them (clean, default pen width).
    """
    from core.datasets import find, load_dataset, locate
    from core.datasets.readers.unipen import load_pendigits_strokes, render_samples
    from core.datasets.synthetic import DIGIT_DISTORTION, pen_digit_split

    mnist = load_dataset("mnist")
    folder = locate(find("pendigits"))
    if folder is None:
        raise DataError("pendigits is not on this machine: the digits model needs its pen strokes "
                        "(see 'python main.py datasets list')")
    samples = load_pendigits_strokes(folder)
    train_samples = [s for s in samples if s.writer not in heldout]
    test_samples = [s for s in samples if s.writer in heldout]
    mnist_train, mnist_test = mnist.split("train"), mnist.split("test")
    copies = copies or DIGITS_RECIPE["pen_copies"]
    if quick:
        mnist_train, mnist_test = mnist_train.take(slice(0, 1000)), mnist_test.take(slice(0, 300))
        train_samples, test_samples, copies = train_samples[::40], test_samples[::10], 2
    _say(f"[digits] rendering {len(train_samples)} pen samples x {copies}")
    t0 = time.monotonic()
    pen = pen_digit_split(train_samples, copies, seed=SEED)
    held_images = render_samples(test_samples)
    held = Split(held_images, np.array([s.label for s in test_samples], np.int64),
                 np.array([s.writer for s in test_samples], np.int64))
    _say(f"[digits] rendered in {time.monotonic() - t0:.0f} s")
    train = Split(np.concatenate([mnist_train.images, pen.images]),
                  np.concatenate([mnist_train.labels, pen.labels]))
    data = Dataset("mnist+pendigits", DIGITS, {"train": train, "test": mnist_test},
                   source=f"{mnist.source} + {folder}")
    train_writers = sorted({s.writer for s in train_samples})
    description = {
        "summary": (
            f"MNIST train ({len(mnist_train)} images) + pendigits-orig.tra pen strokes of writers "
            f"{_ranges(train_writers)} ({len(train_samples)} samples, each rendered {copies}x through "
            f"render_strokes: once clean, then with random pen width and stroke-space distortion); "
            f"writers {_ranges(heldout)} never seen in training"
        ),
        "mnist_train_samples": len(mnist_train),
        "pen_train_writers": train_writers,
        "pen_train_samples": len(train_samples),
        "pen_renders_per_sample": copies,
        "pen_distortion": DIGIT_DISTORTION.as_dict(),
        "total_train_samples": len(train),
    }
    return data, held, description


def scan_split(test: Split, n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` test digits as scan-like pages read back through :func:`image_to_input`."""
    from core.datasets.synthetic import to_scan
    from core.imaging import image_to_input, to_uint8

    rng = np.random.default_rng(seed)
    n = min(n, len(test))
    images = np.stack([to_uint8(image_to_input(to_scan(test.images[i], rng))) for i in range(n)])
    return images, test.labels[:n]


def train_digits(out: Path | None = None, *, quick: bool = False,
                 heldout: Sequence[int] = HELDOUT_WRITERS, name: str = "digits"):
    """Train, measure and save the bundled digits model; returns its :class:`ModelCard`."""
    out = Path(out) if out else bundled_dir()
    data, held, description = digits_data(heldout, quick=quick)
    session = _train(name, data, DIGITS_RECIPE, quick)
    model, outputs = session.model, session.outputs
    evaluation = session.evaluate("test")
    pen_acc = _accuracy(model, outputs, held.images, held.labels)
    per_class = {
        str(c): round(_accuracy(model, outputs, held.images[held.labels == c], held.labels[held.labels == c]), 4)
        for c in range(10)
    }
    per_writer = {
        str(w): round(_accuracy(model, outputs, held.images[held.groups == w], held.labels[held.groups == w]), 4)
        for w in sorted(set(held.groups.tolist()))
    }
    n_scan = 50 if quick else DIGITS_RECIPE["scan_samples"]
    scan_images, scan_labels = scan_split(data.split("test"), n_scan)
    scan_acc = _accuracy(model, outputs, scan_images, scan_labels)
    measured = {
        "mnist_test_accuracy": round(evaluation.accuracy, 4),
        "mnist_test_samples": evaluation.samples,
        "pen_heldout_writers_accuracy": round(pen_acc, 4),
        "pen_heldout_writers": list(heldout),
        "pen_heldout_samples": len(held),
        "pen_heldout_per_class": per_class,
        "pen_heldout_per_writer": per_writer,
        "pen_heldout_rendering": "render_strokes(strokes, y_up=True), default pen width: the pad's pipeline",
        "image_scan_accuracy": round(scan_acc, 4),
        "image_scan_samples": len(scan_labels),
        "image_scan_method": (
            "MNIST test digits inverted to dark ink, enlarged 4-8x, placed at a random spot of a 400x300 "
            "light page with random paper/ink levels and noise, half blurred; read by image_to_input"
        ),
    }
    _say(f"[digits] MNIST test {measured['mnist_test_accuracy']:.4f}, pen writers {_ranges(heldout)} "
         f"{measured['pen_heldout_writers_accuracy']:.4f}, image scans {measured['image_scan_accuracy']:.4f}")
    extra = {
        "description": "Digits 0-9 for the drawing pad and images: MNIST + real pen strokes",
        "training_data": description,
        "measured": measured,
        "recipe": _recipe_card(DIGITS_RECIPE),
        "quick": quick,
    }
    return _save(session, name, out, evaluation, extra)


# --------------------------------------------------------------------------- letters


def _emnist_letters(quick: bool) -> tuple[Dataset, dict, dict]:
    from core.datasets import load_dataset

    emnist = load_dataset("emnist-letters")
    train, test = emnist.split("train"), emnist.split("test")
    if quick:
        train, test = train.take(slice(0, 2000)), test.take(slice(0, 500))
    # The loader has already framed the letters the pad's way (core.imaging.reframe_images).
    data = Dataset("emnist-letters", LETTERS, {"train": train, "test": test}, source=emnist.source)
    description = {
        "summary": (f"EMNIST letters train ({len(train)} handwritten letters, upper and lower case merged), "
                    "re-framed with the MNIST recipe"),
        "total_train_samples": len(train),
    }
    return data, description, {}


def letters_data(quick: bool = False) -> tuple[Dataset, dict, dict]:
    """The synthetic letters training set, its description, and held-out measurement sets.

    Returns ``(dataset, description, heldout)`` where the data set's ``test`` split holds
    fresh renders of the *training* fonts (other random seeds) and ``heldout`` maps a name
    to ``(images, labels, case)`` for fonts never trained on, distorted and clean.
    """
    from core.datasets.letter_fonts import default_sources
    from core.datasets.synthetic import LETTER_DISTORTION, synthetic_letters

    recipe = LETTERS_RECIPE
    sources = default_sources()
    held_names = set(recipe["heldout_fonts"])
    train_sources = [s for s in sources if s.describe() not in held_names]
    held_sources = [s for s in sources if s.describe() in held_names]
    if not train_sources:
        raise DataError("no letter fonts available: install hershey-fonts and the Debian font packages")
    per_font, held_per_font = recipe["per_font"], recipe["heldout_per_font"]
    if quick:
        train_sources, held_sources = train_sources[:2], held_sources[:1]
        per_font, held_per_font = 1, 1
    _say(f"[letters] rendering {len(train_sources)} fonts x 52 letters x {per_font}")
    t0 = time.monotonic()
    train = synthetic_letters(per_font, sources=train_sources, seed=SEED)
    test = synthetic_letters(max(1, per_font // 6), sources=train_sources, seed=SEED + 1)
    heldout = {}
    if held_sources:
        distorted = synthetic_letters(held_per_font, sources=held_sources, seed=SEED + 2)
        clean = synthetic_letters(1, sources=held_sources, seed=SEED + 3, distort=False)
        heldout = {"heldout_fonts_distorted": distorted, "heldout_fonts_clean": clean}
    _say(f"[letters] rendered in {time.monotonic() - t0:.0f} s")
    data = Dataset("synthetic-letters", LETTERS, {"train": train.split, "test": test.split},
                   source="core.datasets.synthetic")
    upper = int((train.case == 0).sum())
    description = {
        "summary": (
            f"{len(train.split)} synthetic letters A-Z (case merged; {upper} upper, "
            f"{len(train.split) - upper} lower case): {per_font} random renders of each letter in each case "
            f"from {len(train_sources)} fonts ({sum(s.kind == 'hershey' for s in train_sources)} Hershey stroke "
            f"fonts rendered as pen strokes, {sum(s.kind == 'ttf' for s in train_sources)} font files - "
            "handwriting-style, comic and one plain sans - warped and re-stroked) with random pen width, rotation, slant, aspect and elastic "
            "distortion. No real handwriting: EMNIST letters were not available."
        ),
        "fonts": [s.describe() for s in train_sources],
        "heldout_fonts": [s.describe() for s in held_sources],
        "renders_per_letter_case_font": per_font,
        "distortion": LETTER_DISTORTION.as_dict(),
        "total_train_samples": len(train.split),
        "test_split": "fresh renders of the training fonts with another seed",
    }
    return data, description, {"test_case": test.case, **heldout}


def _case_accuracies(model, outputs, letters) -> dict:
    split, case = letters.split, letters.case
    return {
        "accuracy": round(_accuracy(model, outputs, split.images, split.labels), 4),
        "upper_accuracy": round(_accuracy(model, outputs, split.images[case == 0], split.labels[case == 0]), 4),
        "lower_accuracy": round(_accuracy(model, outputs, split.images[case == 1], split.labels[case == 1]), 4),
        "samples": len(split),
    }


def train_letters(out: Path | None = None, *, quick: bool = False, name: str = "letters"):
    """Train, measure and save the bundled letters model; returns its :class:`ModelCard`.

    Uses EMNIST letters whenever they are on this machine, else synthetic letters.
    """
    from core.datasets import is_available

    out = Path(out) if out else bundled_dir()
    emnist = is_available("emnist-letters")
    if emnist:
        data, description, extra_sets = _emnist_letters(quick)
    else:
        data, description, extra_sets = letters_data(quick)
    session = _train(name, data, LETTERS_RECIPE, quick)
    model, outputs = session.model, session.outputs
    evaluation = session.evaluate("test")
    measured: dict = {"test_accuracy": round(evaluation.accuracy, 4), "test_samples": evaluation.samples}
    if emnist:
        measured["test_set"] = "EMNIST letters test, re-framed with the MNIST recipe"
    else:
        test = data.split("test")
        case = extra_sets["test_case"]
        measured["test_set"] = "fresh distorted renders of the training fonts (another seed)"
        measured["test_upper_accuracy"] = round(
            _accuracy(model, outputs, test.images[case == 0], test.labels[case == 0]), 4)
        measured["test_lower_accuracy"] = round(
            _accuracy(model, outputs, test.images[case == 1], test.labels[case == 1]), 4)
        for key in ("heldout_fonts_distorted", "heldout_fonts_clean"):
            if key in extra_sets:
                measured[key] = _case_accuracies(model, outputs, extra_sets[key])
        measured["real_handwriting"] = "not measured: no real handwritten letters on this machine"
    _say(f"[letters] measured: {measured}")
    extra = {
        "description": "Letters A-Z (upper and lower case merged) for the drawing pad",
        "training_data": description,
        "measured": measured,
        "recipe": _recipe_card(LETTERS_RECIPE),
        "quick": quick,
    }
    return _save(session, name, out, evaluation, extra)


# --------------------------------------------------------------------------- command line


def _ranges(ids: Sequence[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``"1-3, 7"``."""
    ids = sorted(ids)
    parts, start = [], None
    for i, v in enumerate(ids):
        if start is None:
            start = v
        if i + 1 == len(ids) or ids[i + 1] != v + 1:
            parts.append(f"{start}-{v}" if v > start else f"{v}")
            start = None
    return ", ".join(parts)


def _writers(text: str) -> tuple[int, ...]:
    """``"25-30"`` or ``"1,2,3"`` -> writer ids."""
    ids: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.strip().partition("-")
        ids.extend(range(int(lo), int(hi or lo) + 1))
    return tuple(ids)


def convert_litert(out: Path, name: str):
    """Add the LiteRT copy to the saved model ``out/name`` (card updated); returns the card."""
    from core.models import library

    folder = out / name
    model, card = library.load_model(folder)
    card = library.attach_litert(card, model)
    if not card.data["litert"].get("file"):
        raise InkLabError(f"{folder}: LiteRT conversion failed: {card.data['litert'].get('error')}")
    return card


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tools.build_models [digits|letters|all] [--quick] [--out FOLDER]``."""
    parser = argparse.ArgumentParser(prog="python -m tools.build_models", description=__doc__.split("\n")[0])
    parser.add_argument("which", nargs="?", default="all", choices=("digits", "letters", "all"))
    parser.add_argument("--quick", action="store_true", help="tiny models from small slices (tests)")
    parser.add_argument("--out", type=Path, default=None, help="folder to save into (default: resources/models)")
    parser.add_argument("--heldout-writers", type=_writers, default=HELDOUT_WRITERS,
                        help="pendigits writers kept out of training, e.g. 1-6 (a check fold; default 25-30)")
    parser.add_argument("--litert-only", action="store_true",
                        help="only (re)convert the saved models to LiteRT (model.tflite), no training")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        for which in ("digits", "letters"):
            if args.which in (which, "all"):
                t0 = time.monotonic()
                if args.litert_only:
                    card = convert_litert(args.out or bundled_dir(), which)
                    _say(f"[{which}] LiteRT file: {card.data['litert']}")
                    continue
                if which == "digits":
                    card = train_digits(args.out, quick=args.quick, heldout=args.heldout_writers)
                else:
                    card = train_letters(args.out, quick=args.quick)
                size = card.model_path.stat().st_size / 1e6
                _say(f"[{which}] saved {card.folder} ({size:.2f} MB) in {time.monotonic() - t0:.0f} s")
    except InkLabError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

__all__ = [
    "DIGITS_RECIPE",
    "HELDOUT_WRITERS",
    "LETTERS_RECIPE",
    "digits_data",
    "letters_data",
    "convert_litert",
    "main",
    "scan_split",
    "train_digits",
    "train_letters",
]
