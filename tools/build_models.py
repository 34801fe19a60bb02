"""The bundled models in ``resources/models/``: how they are trained and measured (``make models``).

``python -m tools.build_models [digits|letters|all] [--quick] [--out FOLDER] [--data-cache FOLDER]
[--digits-stage1 FOLDER]``

Both models are trained by InkLab's own engine (:class:`core.training.TrainingRun` with a
preset, the object the CLI and the Training tab drive too) on data sets built here, and saved in the library's format (``model.keras`` +
``card.json``, written atomically).  Seeds are fixed, so a run reproduces the models up to
TensorFlow's own floating-point nondeterminism.  Both have one output more than they have
classes: "not-a-character", trained on generated scribbles, zigzags, asterisks, circles with
lines... (:mod:`core.datasets.non_characters`); the card's ``reject`` section names it and
holds the calibrated "sure" threshold the recognizer applies.

* ``digits``, stage 1, trains on MNIST's training set plus pendigits' real pen strokes from
  writers 1..24, each rendered several times with random pen widths and stroke-space
  distortions (:mod:`core.datasets.synthetic`).  Stage 2 adds the reject output and trains
  it with the hidden Dense layer and the digit outputs, on MNIST, the same writers and
  non-characters, with the convolutions (and BatchNorm's statistics) held at stage 1's.
  ``--digits-stage1`` reuses a saved stage-1 model.  Writers 25..30 are never trained on: the
  pen accuracy and the "sure" share the card reports are theirs, rendered exactly as the
  drawing pad renders strokes.  The card also reports MNIST test accuracy and the image
  path's accuracy on MNIST test digits turned into scan-like pages
  (:func:`core.datasets.synthetic.to_scan` then :func:`core.imaging.image_to_input`).
* ``letters`` trains on EMNIST letters when they are on this machine, otherwise on
  synthetic letters from stroke fonts, handwriting fonts (Debian packages and @fontsource
  npm packages, fetched into a cache outside the repo) and hand-drawn lowercase variants;
  whole font families are held out by a fixed rule to measure on.  The card says exactly
  which, with each font's licence.

Thresholds are calibrated on MNIST test (digits) and on fresh renders of the training fonts
(letters), never on the sets the card reports as unseen.  ``--quick`` makes tiny models
from small slices in seconds (for tests); ``--out`` writes somewhere other than
``resources/models``; ``--data-cache`` keeps the rendered training sets (minutes of
rendering) for the next run.  Saving writes each model's LiteRT copy (``model.tflite``)
too; ``--litert-only`` adds (or redoes) just that for the models already there, without
training.

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

SEED = 0

# The synthetic font letters that join the real pen letters (tools.real_writers.RECIPES["letters"]["fonts"]).
LETTERS_RECIPE = {
    "per_font": 8,  # renders of each letter, each case, each training font
    "per_variant_letter": 300,  # renders of each hand-drawn lowercase variant letter (letter_shapes)
    "heldout_per_font": 6,
    "non_characters": 4000,
    "augment": AugmentParams(rotation=5.0, shift=0.04, shear=0.1, zoom=0.06),
    # Font families kept out of training to measure on, chosen by rule before any training:
    # every 8th @fontsource family (alphabetical, from the 4th), with the whole group of
    # families that share its first word (edu-*, shadows-into-light*), plus one Hershey
    # font and two Debian files as before.
    "heldout_fonts": ("hershey:rowmans", "ttf:SteveHand.ttf", "ttf:BecauseWeMentor-Regular.otf"),
    "heldout_fontsource_rule": "sorted(FONTSOURCE_FAMILIES)[3::8] and every family sharing its first word",
}
# The calibrated threshold aims to leave this share of real characters "sure" on the
# calibration set (MNIST test for digits, fresh renders of the training fonts for letters).
SURE_SHARE = 0.99
UNSURE_MARGIN_FOR_CARD = 0.2  # core.models.recognizer.UNSURE_MARGIN, read here without importing it


_DATA_CACHE: list[Path] = []  # --data-cache: where rendered training sets are kept between runs


def _cached(key: str, make):
    """``make()``, or its result pickled by an earlier run with ``--data-cache`` (same recipe)."""
    import os
    import pickle

    if not _DATA_CACHE:
        return make()
    path = _DATA_CACHE[0] / f"{key}.pkl"
    if path.is_file():
        _say(f"[cache] {path}")
        return pickle.loads(path.read_bytes())
    value = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, path)
    return value


RENDER_WORKERS = 4  # processes that render training sets (Pillow work, one core each)


def _pool_map(fn, jobs: list) -> list:
    """``[fn(*job) for job in jobs]`` in RENDER_WORKERS processes (in order; one job: in this one)."""
    if len(jobs) <= 1:
        return [fn(*job) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Spawned, not forked: the parent may have TensorFlow's threads running by now.
    with ProcessPoolExecutor(max_workers=RENDER_WORKERS, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(fn, *zip(*jobs, strict=True)))


def render_letters(sources: Sequence, per_font: int, seed: int, distort: bool = True):
    """:func:`synthetic_letters` for each source with its own seed, rendered in parallel.

    Each source gets the seed ``(seed, its index)``, so the result does not depend on how
    many processes rendered it; ``groups`` is the index of the source in ``sources``.
    """
    from core.datasets.synthetic import SyntheticLetters

    parts = _pool_map(_render_one_source, [(s, per_font, seed, i, distort) for i, s in enumerate(sources)])
    parts = [p for p in parts if p is not None]
    if not parts:
        raise DataError("the letter fonts gave no letters")
    split = Split(np.concatenate([p.split.images for p in parts]), np.concatenate([p.split.labels for p in parts]),
                  np.concatenate([p.split.groups for p in parts]))
    return SyntheticLetters(split, np.concatenate([p.case for p in parts]), tuple(sources))


def _render_one_source(source, per_font: int, seed: int, index: int, distort: bool):
    from core.datasets.synthetic import synthetic_letters

    try:
        letters = synthetic_letters(per_font, sources=[source], seed=seed * 1000 + index, distort=distort)
    except DataError:
        return None  # a font without any of the letters
    letters.split.groups[:] = index
    return letters


def render_non_characters(n: int, seed: int, pen_width=None) -> np.ndarray:
    """``n`` non-characters (:func:`core.datasets.non_characters.non_character_images`) in parallel blocks."""
    block = 400  # a multiple of the number of kinds, so every block has each kind alike
    jobs = [(min(block, n - start), seed * 1000 + start // block, pen_width) for start in range(0, n, block)]
    return np.concatenate(_pool_map(_non_characters_block, jobs))


def _non_characters_block(n: int, seed: int, pen_width) -> np.ndarray:
    from core.datasets.non_characters import non_character_images

    return non_character_images(n, seed=seed, pen_width=pen_width)


def bundled_dir() -> Path:
    """Where the committed models live (``resources/models``)."""
    from core.models.library import BUNDLED_DIR

    return BUNDLED_DIR


# --------------------------------------------------------------------------- progress


def _print_listener(name: str):
    """A listener printing one line per epoch: ``make models`` runs for minutes and should say so."""
    from core.training import TrainingListener

    class _PrintListener(TrainingListener):
        def on_run_start(self, info) -> None:
            _say(f"[{name}] training {info.train_samples} samples, {info.epochs} epochs "
                 f"x {info.steps_per_epoch} steps on {info.device}")

        def on_epoch_end(self, r) -> None:
            _say(f"[{name}] epoch {r.epoch}/{r.epochs}: loss {r.loss:.4f} acc {r.accuracy:.4f} "
                 f"({r.samples_per_s:.0f} samples/s, {r.elapsed_s:.0f} s)")

        def on_run_end(self, result) -> None:
            _say(f"[{name}] run {result.status} in {result.elapsed_s:.0f} s {result.error}".rstrip())

    return _PrintListener()


def _say(text: str) -> None:
    print(text, flush=True)


# --------------------------------------------------------------------------- shared steps


def _train(name: str, data: Dataset, recipe: dict, quick: bool):
    """Train ``data``'s train split with the recipe through InkLab's own engine; the finished :class:`TrainingRun`."""
    from core.training import TrainingConfig, TrainingRun

    config = TrainingConfig(
        dataset=data.name,
        preset=recipe["preset"],
        epochs=1 if quick else recipe["epochs"],
        batch_size=recipe["batch_size"],
        learning_rate=recipe["learning_rate"],
        validation=0,  # measured afterwards, on writers kept out of training altogether
        augment=bool(recipe["augment"]),  # image-space augmentation on the fly (False: none)
        augment_params=recipe["augment"] or None,
        seed=SEED,
        name=name,
    )
    run = TrainingRun(config, _print_listener(name), data=data, preview=0)
    result = run.run()
    if result.status != "completed":
        raise InkLabError(f"training the bundled '{name}' model {result.status}: {result.error}")
    return run


def _accuracy(model, outputs: str, images: np.ndarray, labels: np.ndarray, answers: int | None = None) -> float:
    """The share of ``labels`` the model's answer gets right.

    With ``answers`` (the number of real classes, before the reject class) the answer is
    the most likely real class, as the recognizer's ``label``; whether the drawing is also
    flagged "not-a-character" is measured on its own (:func:`_reject_share`).
    """
    from core.models.inference import predict_batch

    if len(labels) == 0:
        return float("nan")
    p = np.asarray(predict_batch(model, images, outputs))
    return float((p[:, :answers].argmax(axis=1) == labels).mean())


def _reject_share(model, outputs: str, images: np.ndarray) -> float:
    """The share of ``images`` whose most likely output is the reject class (the last)."""
    p = _probabilities(model, outputs, images)
    return round(float((p.argmax(axis=1) == p.shape[1] - 1).mean()), 4)


def _save(run, name: str, out: Path, evaluation, extra: dict):
    info = run.card_info(evaluation)
    # The per-batch series is for live plots; a committed card keeps only the epochs.
    info["history"] = {k: v for k, v in info["history"].items() if k != "batches"}
    info.update(extra)
    return run.save(name, overwrite=True, info=info, root=out)


def _recipe_card(recipe: dict) -> dict:
    return {k: (v.as_dict() if isinstance(v, AugmentParams) else list(v) if isinstance(v, tuple) else v)
            for k, v in recipe.items()}


# --------------------------------------------------------------------------- digits


def scan_split(test: Split, n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` test digits as scan-like pages read back through :func:`image_to_input`."""
    from core.datasets.synthetic import to_scan
    from core.imaging import image_to_input, to_uint8

    rng = np.random.default_rng(seed)
    n = min(n, len(test))
    images = np.stack([to_uint8(image_to_input(to_scan(test.images[i], rng))) for i in range(n)])
    return images, test.labels[:n]


# --------------------------------------------------------------------------- letters


def fetch_fonts() -> None:
    """Install the @fontsource letter fonts into the font cache with npm when some are missing.

    npm needs no root; without npm, say the command.  The Debian fonts come from
    ``make sysdeps`` (the Makefile's FONT_DEBS).
    """
    import shutil
    import subprocess

    from core.datasets.letter_fonts import (
        FONTSOURCE_FAMILIES,
        font_cache,
        fontsource_install_command,
        fontsource_sources,
    )

    if len(fontsource_sources()) == len(FONTSOURCE_FAMILIES):
        return
    command = fontsource_install_command()
    if shutil.which("npm") is None:
        _say("[letters] some handwriting fonts are missing; install Node's npm and run:\n  " + " ".join(command))
        return
    font_cache().mkdir(parents=True, exist_ok=True)
    _say(f"[letters] fetching {len(FONTSOURCE_FAMILIES)} @fontsource font packages into {font_cache()}")
    subprocess.run(command, check=False)


def heldout_fontsource_families() -> tuple[str, ...]:
    """The @fontsource families never trained on (the rule in LETTERS_RECIPE)."""
    from core.datasets.letter_fonts import FONTSOURCE_FAMILIES

    families = sorted(FONTSOURCE_FAMILIES)
    picked = families[3::8]
    groups = {f.split("-")[0] for f in picked}
    return tuple(f for f in families if f in picked or f.split("-")[0] in groups)


def _with_rejects(letters, rejects: np.ndarray, reject_label: int):
    """``letters``' split with the non-character images appended under ``reject_label``."""
    split = letters.split
    n = len(rejects)
    images = np.concatenate([split.images, rejects])
    labels = np.concatenate([split.labels, np.full(n, reject_label, np.int64)])
    groups = np.concatenate([split.groups, np.full(n, -1, np.int64)])
    return Split(images, labels, groups), np.concatenate([letters.case, np.full(n, 2, np.int8)])


def letters_data(quick: bool = False) -> tuple[Dataset, dict, dict]:
    """The synthetic letters training set, its description, and held-out measurement sets.

    Returns ``(dataset, description, heldout)`` where the data set's ``train`` and ``test``
    splits hold letters A..Z (case merged) plus the class "not-a-character" (generated
    scribbles, label 26); ``test`` is fresh renders of the *training* fonts (other seeds),
    the calibration set.  ``heldout`` maps a name to letters of font families never
    trained on, distorted and clean.
    """
    from core.datasets.letter_fonts import LetterSource, default_sources, licence_of
    from core.datasets.non_characters import KINDS
    from core.datasets.synthetic import LETTER_DISTORTION, synthetic_letters
    from core.labels import NOT_A_CHARACTER

    recipe = LETTERS_RECIPE
    fetch_fonts()
    sources = default_sources()
    held_names = set(recipe["heldout_fonts"]) | {f"fontsource:{f}" for f in heldout_fontsource_families()}
    train_sources = [s for s in sources if s.describe() not in held_names]
    held_sources = [s for s in sources if s.describe() in held_names]
    variants = LetterSource("lowercase-variants", "strokes")
    if not train_sources:
        raise DataError("no letter fonts available: install hershey-fonts and the Debian font packages")
    per_font, held_per_font = recipe["per_font"], recipe["heldout_per_font"]
    per_variant, n_reject = recipe["per_variant_letter"], recipe["non_characters"]
    if quick:
        train_sources, held_sources = train_sources[:2], held_sources[:1]
        per_font, held_per_font, per_variant, n_reject = 1, 1, 2, 40
    _say(f"[letters] rendering {len(train_sources)} fonts x 52 letters x {per_font}")
    t0 = time.monotonic()
    train = render_letters(train_sources, per_font, seed=SEED)
    shapes = synthetic_letters(per_variant, sources=[variants], seed=SEED + 10)
    test = render_letters(train_sources, max(1, per_font // 4), seed=SEED + 1)
    rejects = render_non_characters(n_reject, seed=SEED + 20, pen_width=LETTER_DISTORTION.pen_width)
    calibration_rejects = render_non_characters(max(20, n_reject // 6), seed=SEED + 21)
    heldout = {}
    if held_sources:
        distorted = render_letters(held_sources, held_per_font, seed=SEED + 2)
        clean = render_letters(held_sources, 1, seed=SEED + 3, distort=False)
        heldout = {"heldout_fonts_distorted": distorted, "heldout_fonts_clean": clean}
    _say(f"[letters] rendered in {time.monotonic() - t0:.0f} s")
    train_images = np.concatenate([train.split.images, shapes.split.images])
    train_labels = np.concatenate([train.split.labels, shapes.split.labels])
    reject_label = len(LETTERS)
    full_train = Split(np.concatenate([train_images, rejects]),
                       np.concatenate([train_labels, np.full(len(rejects), reject_label, np.int64)]))
    test_split, test_case = _with_rejects(test, calibration_rejects, reject_label)
    data = Dataset("synthetic-letters", (*LETTERS, NOT_A_CHARACTER), {"train": full_train, "test": test_split},
                   source="core.datasets.synthetic")
    upper = int((train.case == 0).sum())
    description = {
        "summary": (
            f"{len(full_train)} images: {len(train.split)} synthetic letters A-Z (case merged; {upper} upper, "
            f"{len(train.split) - upper} lower case), {per_font} random renders of each letter in each case "
            f"from {len(train_sources)} fonts ({sum(s.kind == 'hershey' for s in train_sources)} Hershey stroke "
            f"fonts rendered as pen strokes, {sum(s.kind == 'ttf' for s in train_sources)} handwriting-style font "
            "files warped and re-stroked to the pad's pen width), with random pen width, rotation, slant, aspect, "
            f"elastic distortion and per-stroke jitter; {len(shapes.split)} renders of hand-drawn lowercase "
            "variants (single/double-storey a and g, looped/plain/footed l, q with/without tail, print e r d, "
            f"serif I); and {len(rejects)} generated non-characters ({', '.join(KINDS)}) as the class "
            f"'{NOT_A_CHARACTER}'. No real handwriting: EMNIST letters were not available."
        ),
        "fonts": [{"font": s.describe(), "licence": licence_of(s)} for s in train_sources],
        "heldout_fonts": [{"font": s.describe(), "licence": licence_of(s)} for s in held_sources],
        "font_families_trained": len(train_sources),
        "font_families_heldout": len(held_sources),
        "renders_per_letter_case_font": per_font,
        "variant_renders": len(shapes.split),
        "non_characters": len(rejects),
        "distortion": LETTER_DISTORTION.as_dict(),
        "total_train_samples": len(full_train),
        "test_split": "fresh renders of the training fonts with another seed + fresh non-characters (calibration)",
    }
    return data, description, {"test_case": test_case, **heldout}


def _case_accuracies(model, outputs, letters) -> dict:
    split, case = letters.split, letters.case
    n = len(LETTERS)
    return {
        "accuracy": round(_accuracy(model, outputs, split.images, split.labels, n), 4),
        "upper_accuracy": round(_accuracy(model, outputs, split.images[case == 0], split.labels[case == 0], n), 4),
        "lower_accuracy": round(_accuracy(model, outputs, split.images[case == 1], split.labels[case == 1], n), 4),
        "accuracy_counting_rejects_as_errors": round(_accuracy(model, outputs, split.images, split.labels), 4),
        "not_a_character": _reject_share(model, outputs, split.images),
        "samples": len(split),
    }


def _probabilities(model, outputs: str, images: np.ndarray) -> np.ndarray:
    from core.models.inference import predict_batch

    return np.asarray(predict_batch(model, images, outputs))


def measure_reject(model, outputs: str, real: np.ndarray, threshold: float, seed: int) -> dict:
    """Both sides on unseen data: 1,000 fresh pad-drawn non-characters, and unseen real ones."""
    from core.datasets.non_characters import KINDS, non_character_images, non_character_strokes
    from core.models.recognizer import reject_status

    n = 1000
    rejects = non_character_images(n, seed=seed)
    kinds = [k for k, _ in non_character_strokes(n, seed=seed)]
    statuses = [reject_status(p, threshold) for p in _probabilities(model, outputs, rejects)]
    real_statuses = [reject_status(p, threshold) for p in _probabilities(model, outputs, real)]
    per_kind = {k: round(float(np.mean([s != "sure" for s, kk in zip(statuses, kinds, strict=True) if kk == k])), 4)
                for k in KINDS}
    return {
        "non_characters": n,
        "non_characters_flagged": round(float(np.mean([s != "sure" for s in statuses])), 4),
        "non_characters_not_a_character": round(float(np.mean([s == "not-a-character" for s in statuses])), 4),
        "non_characters_flagged_per_kind": per_kind,
        "real_samples": len(real),
        "real_sure": round(float(np.mean([s == "sure" for s in real_statuses])), 4),
        "real_not_a_character": round(float(np.mean([s == "not-a-character" for s in real_statuses])), 4),
    }


def train_bundled(which: str, out: Path | None = None, *, quick: bool = False, name: str | None = None):
    """Train, measure and save the bundled ``digits`` or ``letters`` model; returns its card.

    The recipe is :data:`tools.real_writers.RECIPES` (chosen on writer-disjoint folds by
    :mod:`tools.writer_folds`); it trains on *every* real writer, so the card's numbers on
    unseen writers are the folds' (``measured.writer_folds``, read from
    ``tools/fold_results/WHICH.jsonl`` for this exact recipe).  The reject output's logit
    bias and the "sure" threshold are the folds' choices too.
    """
    from core.datasets import load_dataset
    from tools import real_writers as rw

    name = name or which
    out = Path(out) if out else bundled_dir()
    recipe = dict(rw.RECIPES[which])
    if quick:
        recipe["non_characters"] = 40
    pool = rw.pen_pool(which, recipe, quick)
    doodles = rw.doodle_pool(recipe)
    if which == "digits":
        test = load_dataset("mnist").split("test")
        test = test.take(slice(0, 300)) if quick else test
        extra_sets: dict = {}
    else:
        font_data, font_description, extra_sets = _cached(f"letters-{quick}", lambda: letters_data(quick))
        test = extra_sets["heldout_fonts_distorted"].split if "heldout_fonts_distorted" in extra_sets \
            else font_data.split("test")
    data, counts = rw.training_set(which, recipe, pool, doodles, set(), set(), test=test, quick=quick)
    run = _train(name, data, recipe, quick)
    model, outputs = run.model, run.outputs
    folds = rw.fold_card(which, recipe)
    bias = float(recipe.get("reject_bias", 0.0))
    rw.add_reject_bias(model, bias)
    threshold = folds.get("sure_threshold", 0.5) if folds else 0.5
    evaluation = run.evaluate("test")
    measured: dict = {"writer_folds": folds or "not measured: run python -m tools.writer_folds " + which}
    if which == "digits":
        n_scan = 50 if quick else 10000
        scan_images, scan_labels = _cached(f"digits-scan-{n_scan}", lambda: scan_split(test, n_scan))
        measured.update({
            "mnist_test_accuracy": round(_accuracy(model, outputs, test.images, test.labels, len(DIGITS)), 4),
            "mnist_test_not_a_character": _reject_share(model, outputs, test.images),
            "mnist_test_samples": len(test),
            "image_scan_accuracy": round(_accuracy(model, outputs, scan_images, scan_labels, len(DIGITS)), 4),
            "image_scan_samples": len(scan_labels),
            "image_scan_method": (
                "MNIST test digits inverted to dark ink, enlarged 4-8x, placed at a random spot of a 400x300 "
                "light page with random paper/ink levels and noise, half blurred; read by image_to_input"),
        })
        real_for_reject, real_set = test.images, "MNIST test"
    else:
        for key in ("heldout_fonts_distorted", "heldout_fonts_clean"):
            if key in extra_sets:
                measured[key] = _case_accuracies(model, outputs, extra_sets[key])
        real_for_reject, real_set = test.images, "held-out font families, distorted (a hint, not a writer)"
    measured["reject_unseen"] = measure_reject(model, outputs, real_for_reject, threshold, seed=SEED + 99)
    measured["reject_unseen"]["real_set"] = real_set
    _say(f"[{which}] measured: {measured}")
    description = rw.describe_training(which, recipe, counts)
    if which == "letters":
        description["fonts"] = font_description["fonts"]
        description["heldout_fonts"] = font_description["heldout_fonts"]
    card_extra = {
        "description": ("Digits 0-9 for the drawing pad and images: MNIST + real pen strokes of ~300 writers"
                        if which == "digits" else
                        "Letters A-Z (upper and lower case merged) for the drawing pad: real pen letters of "
                        "~300 writers + handwriting fonts"),
        "training_data": description,
        "measured": measured,
        "reject": _reject_card("digit" if which == "digits" else "letter", threshold, bias, folds),
        "recipe": _recipe_card({k: v for k, v in recipe.items()}),
        "quick": quick,
    }
    return _save(run, name, out, evaluation, card_extra)


def _reject_card(noun: str, threshold: float, bias: float, folds: dict | None) -> dict:
    from core.labels import NOT_A_CHARACTER

    return {
        "label": NOT_A_CHARACTER,
        "noun": noun,
        "method": (
            f"both: a reject class ('{NOT_A_CHARACTER}', trained on generated scribbles, zigzags, asterisks, "
            "hatching, circles with lines, spirals, waves, stars and clutter, and on real Quick, Draw! doodles, all "
            "drawn through the pad's renderer) answers 'not-a-character' when it is the most likely class; its "
            f"logit carries a bias of {bias:+.1f} chosen on writer-disjoint folds; otherwise the answer is 'sure' "
            f"only when the top probability reaches sure_threshold (the folds' mean) and leads the runner-up by "
            f"{UNSURE_MARGIN_FOR_CARD}, else 'unsure'"
        ),
        "sure_threshold": threshold,
        "reject_bias": bias,
        "chosen_on": "writer-disjoint folds (tools/fold_results)" if folds else "not measured",
    }


# --------------------------------------------------------------------------- command line


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
    parser.add_argument("--litert-only", action="store_true",
                        help="only (re)convert the saved models to LiteRT (model.tflite), no training")
    parser.add_argument("--data-cache", type=Path, default=None, metavar="FOLDER",
                        help="keep the rendered training sets here and reuse them (same recipe only)")
    args = parser.parse_args(argv)
    # Set on the module by its name: run as a script this file is __main__, and tools.real_writers
    # imports tools.build_models again (a second copy with its own _DATA_CACHE).
    import tools.build_models

    for cache in (_DATA_CACHE, tools.build_models._DATA_CACHE):
        cache[:] = [args.data_cache] if args.data_cache else []
    logging.basicConfig(level=logging.WARNING)
    try:
        for which in ("digits", "letters"):
            if args.which in (which, "all"):
                t0 = time.monotonic()
                if args.litert_only:
                    card = convert_litert(args.out or bundled_dir(), which)
                    _say(f"[{which}] LiteRT file: {card.data['litert']}")
                    continue
                card = train_bundled(which, args.out, quick=args.quick)
                size = card.model_path.stat().st_size / 1e6
                _say(f"[{which}] saved {card.folder} ({size:.2f} MB) in {time.monotonic() - t0:.0f} s")
    except InkLabError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

__all__ = [
    "LETTERS_RECIPE",
    "convert_litert",
    "letters_data",
    "main",
    "scan_split",
    "train_bundled",
]
