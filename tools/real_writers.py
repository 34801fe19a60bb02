"""Real writers' data for the bundled models: pen pools, doodles, and one writer-disjoint fold.

Shared by :mod:`tools.writer_folds` (which chooses the recipes on folds of whole writers)
and :mod:`tools.build_models` (which trains the bundled models with the chosen recipe on
every writer).  A *pen pool* is every real pen sample of one kind (UNIPEN letters; UNIPEN
and pendigits digits) rendered ``pen_copies`` times through the pad's renderer (the first
copy clean, the others with a random pen width and stroke-space distortion), with each
render's writer; the clean copy is what the pad would show the model.

A tool, not part of the engine: nothing in core/ or gui/ imports it.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.datasets.dataset import Dataset, Split
from core.errors import DataError
from core.labels import DIGITS, LETTERS, NOT_A_CHARACTER
from core.models.presets import AugmentParams

SEED = 0
RECIPES: dict[str, dict] = {
    "letters": {
        "preset": "recommended",
        "epochs": 6,
        "batch_size": 128,
        "learning_rate": 3e-3,
        "pen_copies": 2,  # renders of each real pen letter: one clean + one distorted
        "fonts": True,  # the synthetic font letters of tools.build_models.letters_data as well
        "non_characters": 4000,
        "doodle_copies": 3,
        "distortion": "letter",
        "augment": AugmentParams(rotation=5.0, shift=0.04, shear=0.1, zoom=0.06),
        # Chosen on the folds (after them, from their kept probabilities): the folds' held-out
        # writers refused 1.28% (0.95-1.46), unseen kinds of doodles caught 92.0% (89.2-94.3).
        "reject_bias": 1.5,
    },
    "digits": {
        "preset": "recommended-wide",
        "epochs": 6,
        "batch_size": 128,
        "learning_rate": 3e-3,
        "pen_copies": 3,
        "mnist": True,
        "non_characters": 4000,
        "doodle_copies": 3,
        "distortion": "digit",
        "augment": AugmentParams(rotation=8.0, shift=0.05, shear=0.15, zoom=0.08),
        # Chosen on the folds: held-out writers refused 0.43% (0.36-0.51), MNIST test 0.25%,
        # unseen kinds of doodles caught 94.2% (93.0-96.0); at 0.0, 0.66% / 0.48% / 95.7%.
        "reject_bias": -1.0,
    },
}


@dataclass
class PenPool:
    """Renders of real pen samples: ``images``/``labels``/``writers`` hold every copy,
    ``clean`` the pad's own rendering of each sample (with ``clean_labels``/``clean_writers``)."""

    images: np.ndarray
    labels: np.ndarray
    writers: np.ndarray
    clean: np.ndarray
    clean_labels: np.ndarray
    clean_writers: np.ndarray


@dataclass
class DoodlePool:
    images: np.ndarray  # every copy
    kinds: np.ndarray  # the kind of object of each copy
    clean: np.ndarray
    clean_kinds: np.ndarray


def _distortion(name: str):
    from core.datasets.synthetic import DIGIT_DISTORTION, LETTER_DISTORTION

    return {"digit": DIGIT_DISTORTION, "letter": LETTER_DISTORTION}[name]


def _render_block(drawings: list, copies: int, seed: int, distortion: str, y_up: bool) -> np.ndarray:
    from core.datasets.synthetic import pen_renders

    return pen_renders(drawings, copies, seed=seed, distortion=_distortion(distortion), y_up=y_up)


def render_pool(drawings: list, copies: int, seed: int, distortion: str, y_up: bool) -> np.ndarray:
    """:func:`core.datasets.synthetic.pen_renders` in blocks over the build's worker processes."""
    from tools.build_models import _pool_map

    block = 2000
    jobs = [(drawings[i : i + block], copies, seed * 1000 + i // block, distortion, y_up)
            for i in range(0, len(drawings), block)]
    return np.concatenate(_pool_map(_render_block, jobs))


def pen_samples(which: str, quick: bool = False) -> tuple[list, np.ndarray, np.ndarray]:
    """Every real pen sample of ``which``: strokes (y up), class indices, writer names.

    ``quick`` reads a few segment files of each part straight from the archive (seconds).
    """
    from core.datasets import find, locate
    from core.datasets.pen_samples import label_indices
    from core.datasets.unipen_archive import ARCHIVE, parse_archive, unipen_samples

    unipen = locate_unipen()
    if quick:
        parts = parse_archive(unipen / ARCHIVE, max_files=6)

        def unipen_samples(_folder, part):  # noqa: F811  (the quick stand-in)
            return parts[part]
    if which == "letters":
        samples = unipen_samples(unipen, "1b") + unipen_samples(unipen, "1c")
        labels = list(label_indices([s.label for s in samples], LETTERS))
    else:
        from core.datasets.readers.unipen import load_pendigits_strokes

        samples = unipen_samples(unipen, "1a")
        labels = list(label_indices([s.label for s in samples], DIGITS))
        folder = locate(find("pendigits"))
        if folder is None:
            raise DataError("pendigits is not on this machine: the digits model needs its pen strokes")
        pendigits = load_pendigits_strokes(folder)[:: 40 if quick else 1]
        samples = samples + pendigits
        labels += [s.label for s in pendigits]
    writers = [s.writer if isinstance(s.writer, str) else f"pendigits/{s.writer}" for s in samples]
    return [s.strokes for s in samples], np.array(labels, np.int64), np.array(writers)


def locate_unipen():
    """The folder holding the UNIPEN archive, or a DataError that says what it is and where it is published."""
    from core.datasets import find, locate

    spec = find("unipen-letters")  # the four UNIPEN sets share the one archive
    folder = locate(spec)
    if folder is None:
        raise DataError(f"the UNIPEN archive ({', '.join(spec.files)}) is not on this machine: the bundled "
                        f"models train on its real pen strokes. {spec.how_to_get}")
    return folder


def pen_pool(which: str, recipe: dict, quick: bool = False) -> PenPool:
    """Every real pen sample of ``which`` rendered (cached with ``--data-cache``)."""
    from tools.build_models import _cached

    copies = recipe["pen_copies"]

    def make() -> PenPool:
        drawings, labels, writers = pen_samples(which, quick)
        images = render_pool(drawings, copies, SEED, recipe["distortion"], y_up=True)
        clean = images[::copies]
        return PenPool(images, np.repeat(labels, copies), np.repeat(writers, copies), clean, labels, writers)

    pool = _cached(f"pen-{which}-{copies}-{recipe['distortion']}{'-quick' if quick else ''}", make)
    # One person is one writer (IBM recorded each of its writers in three sessions).
    from core.datasets.unipen_sets import person_of

    people = {w: person_of(w) for w in set(pool.clean_writers.tolist())}
    pool.writers = np.array([people[w] for w in pool.writers.tolist()])
    pool.clean_writers = np.array([people[w] for w in pool.clean_writers.tolist()])
    return pool


def doodle_pool(recipe: dict) -> DoodlePool:
    """The real doodles (Quick, Draw!) rendered ``doodle_copies`` times (screen y)."""
    from core.datasets.builtin import data_roots
    from core.datasets.non_characters import DOODLES_FILE, load_doodles
    from tools.build_models import _cached

    path = next((root / DOODLES_FILE for root in data_roots() if (root / DOODLES_FILE).is_file()), None)
    if path is None:
        raise DataError(f"the real doodles ({DOODLES_FILE}) are not on this machine")
    copies = recipe["doodle_copies"]

    def make() -> DoodlePool:
        doodles = load_doodles(path)
        kinds = np.array([k for k, _ in doodles])
        images = render_pool([s for _, s in doodles], copies, SEED + 7, "letter", y_up=False)
        return DoodlePool(images, np.repeat(kinds, copies), images[::copies], kinds)

    return _cached(f"doodles-{copies}", make)


def font_letters(quick: bool = False) -> Split:
    """The synthetic font letters (:func:`tools.build_models.letters_data`, without its reject class)."""
    from tools.build_models import _cached, letters_data

    data, _description, _extra = _cached(f"letters-{quick}", lambda: letters_data(quick))
    train = data.split("train")
    keep = train.labels < len(LETTERS)
    return Split(train.images[keep], train.labels[keep])


def training_set(which: str, recipe: dict, pool: PenPool, doodles: DoodlePool,
                 held_writers: set[str], held_kinds: set[str], *, test: Split | None = None,
                 quick: bool = False) -> tuple[Dataset, dict]:
    """The training data of a fold (or of the bundled model, with nothing held out).

    The ``test`` split is ``test`` when given, else the held-out writers' clean renders.
    """
    from tools.build_models import render_non_characters

    classes = LETTERS if which == "letters" else DIGITS
    reject = len(classes)
    keep = ~np.isin(pool.writers, list(held_writers))
    parts = [(pool.images[keep], pool.labels[keep])]
    counts = {"pen": int(keep.sum()), "pen_writers": len(set(pool.writers[keep]))}
    if which == "letters" and recipe.get("fonts"):
        fonts = font_letters(quick)
        parts.append((fonts.images, fonts.labels))
        counts["fonts"] = len(fonts)
    from core.datasets import is_available, load_dataset

    if which == "letters" and is_available("emnist-letters"):  # real handwriting images, when here
        emnist = load_dataset("emnist-letters").split("train")
        emnist = emnist.take(slice(0, 2000)) if quick else emnist
        parts.append((emnist.images, emnist.labels))
        counts["emnist"] = len(emnist)
    if which == "digits" and recipe.get("mnist"):
        mnist = load_dataset("mnist").split("train")
        mnist = mnist.take(slice(0, 1000)) if quick else mnist
        parts.append((mnist.images, mnist.labels))
        counts["mnist"] = len(mnist)
    generated = render_non_characters(recipe["non_characters"], seed=SEED + 20, pen_width=(1.8, 3.2))
    d_keep = ~np.isin(doodles.kinds, list(held_kinds))
    if quick:
        d_keep &= np.arange(len(d_keep)) % 20 == 0
    rejects = np.concatenate([generated, doodles.images[d_keep]])
    parts.append((rejects, np.full(len(rejects), reject, np.int64)))
    counts.update(non_characters=len(generated), doodles=int(d_keep.sum()))
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    train = Split(images, labels)
    if test is None:
        held = np.isin(pool.clean_writers, list(held_writers))
        test = Split(pool.clean[held][:2000], pool.clean_labels[held][:2000])
    return Dataset(f"real-{which}", (*classes, NOT_A_CHARACTER), {"train": train, "test": test},
                   source="tools.real_writers"), counts



def with_reject_bias(p: np.ndarray, bias: float) -> np.ndarray:
    """Probabilities as if ``bias`` were added to the reject output's logit (the last column)."""
    q = p.astype(np.float64).copy()
    q[:, -1] *= np.exp(bias)
    return q / q.sum(axis=1, keepdims=True)


def run_fold(which: str, recipe: dict, pool: PenPool, doodles: DoodlePool,
             held_writers: set[str], held_kinds: set[str], save: Path | None = None) -> dict:
    """Train on every writer but ``held_writers`` (and doodle kinds but ``held_kinds``); measure on them.

    With ``save`` the measured probabilities are kept there (``.npz``) to re-read later.
    """
    from core.datasets.non_characters import non_character_images
    from core.training.reject import sure_threshold
    from tools.build_models import _probabilities as probabilities
    from tools.build_models import _train
    from tools.writer_folds import BIASES, reject_shares

    data, counts = training_set(which, recipe, pool, doodles, held_writers, held_kinds)
    session = _train(f"fold-{which}", data, recipe, quick=False)
    model, outputs = session.model, session.outputs
    mask = np.isin(pool.clean_writers, list(held_writers))
    p = probabilities(model, outputs, pool.clean[mask])
    truth, writers = pool.clean_labels[mask], pool.clean_writers[mask]
    answer = p[:, :-1].argmax(axis=1)
    right = answer == truth
    per_writer = [float(right[writers == w].mean()) for w in sorted(set(writers))]
    classes = LETTERS if which == "letters" else DIGITS
    confusions = Counter(f"{classes[t]}->{classes[a]}" for t, a in zip(truth[~right], answer[~right], strict=True))
    d_mask = np.isin(doodles.clean_kinds, list(held_kinds))
    p_doodles = probabilities(model, outputs, doodles.clean[d_mask])
    p_generated = probabilities(model, outputs, non_character_images(1000, seed=SEED + 777))
    result = {
        "which": which,
        "train": counts,
        "held_writers": len(set(writers)),
        "held_samples": int(mask.sum()),
        "pen_accuracy": round(float(right.mean()), 4),
        "writer_accuracy_min": round(min(per_writer), 4),
        "writer_accuracy_p10": round(float(np.quantile(per_writer, 0.1)), 4),
        "pen_not_a_character": reject_shares(p),
        "doodles_held": int(d_mask.sum()),
        "doodles_not_a_character": reject_shares(p_doodles),
        "generated_not_a_character": reject_shares(p_generated),
        "sure_threshold": {f"{b:+.1f}": sure_threshold(with_reject_bias(p, b)) for b in BIASES},  # core's rule
        "confusions": dict(confusions.most_common(12)),
    }
    arrays = {"pen": p, "pen_labels": truth, "pen_writers": writers, "doodles": p_doodles,
              "generated": p_generated}
    if which == "digits":
        from core.datasets import load_dataset

        test = load_dataset("mnist").split("test")
        pm = probabilities(model, outputs, test.images)
        result["mnist_test"] = round(float((pm[:, :-1].argmax(axis=1) == test.labels).mean()), 4)
        result["mnist_not_a_character"] = reject_shares(pm)
        arrays["mnist"] = pm
    if save is not None:
        np.savez_compressed(save, **arrays)
        # The fold's model and its held-out writers: a model that never saw them, to measure other
        # things on real writers honestly (e.g. several characters written together).
        from core.models import library

        library.save_model(model, save.stem, label_names=session.label_names, outputs=outputs,
                           info={"held_writers": sorted(held_writers), "held_doodle_kinds": sorted(held_kinds)},
                           overwrite=True, root=save.parent / "models")
    return result


def add_reject_bias(model, bias: float) -> None:
    """Add ``bias`` to the reject output's logit (the last unit of the last layer's bias)."""
    if not bias:
        return
    layer = model.layers[-1]
    weights = layer.get_weights()
    weights[-1][-1] += bias
    layer.set_weights(weights)


def _recipe_key(recipe: dict) -> dict:
    """The recipe as the fold results record it (JSON values; the reject bias is chosen after the folds)."""
    return json.loads(json.dumps({k: (v.as_dict() if isinstance(v, AugmentParams) else v)
                                  for k, v in recipe.items() if k != "reject_bias"}))


FOLD_RESULTS = Path(__file__).resolve().parent / "fold_results"


def fold_card(which: str, recipe: dict) -> dict | None:
    """What the writer-disjoint folds measured for exactly this recipe (``tools/fold_results/WHICH.jsonl``).

    Mean and spread over the folds of every number, the reject output's shares at the
    recipe's bias, and the "sure" threshold (the folds' mean) at that bias; None when the
    folds were not run for this recipe.
    """
    from tools.writer_folds import FOLD_SEED

    path = FOLD_RESULTS / f"{which}.jsonl"
    if not path.is_file():
        return None
    key = _recipe_key(recipe)
    results = [r for r in map(json.loads, path.read_text().splitlines()) if r.get("recipe") == key]
    latest: dict[int, dict] = {r["fold"]: r for r in results}  # the last run of each fold
    if not latest:
        return None
    runs = [latest[f] for f in sorted(latest)]
    summary = summarise(runs)
    bias = f"{float(recipe.get('reject_bias', 0.0)):+.1f}"
    card = {
        "folds": len(runs),
        "of": runs[0]["folds"],
        "rule": f"whole writers dealt into {runs[0]['folds']} folds (seed {FOLD_SEED}); real doodles by kind",
        "held_writers_per_fold": [r["held_writers"] for r in runs],
        "pen_accuracy": summary["pen_accuracy"],
        "writer_accuracy_min": summary["writer_accuracy_min"],
        "pen_not_a_character": _spread([r["pen_not_a_character"][bias] for r in runs]),
        "doodles_not_a_character": _spread([r["doodles_not_a_character"][bias] for r in runs]),
        "generated_not_a_character": _spread([r["generated_not_a_character"][bias] for r in runs]),
        "sure_threshold": round(float(np.mean([r["sure_threshold"][bias] for r in runs])), 4),
        "confusions": dict(sum((Counter(r["confusions"]) for r in runs), Counter()).most_common(12)),
    }
    if "mnist_test" in summary:
        card["mnist_test"] = summary["mnist_test"]
    return card


def _spread(values: list[float]) -> dict:
    return {"mean": round(float(np.mean(values)), 4), "min": min(values), "max": max(values)}


def describe_training(which: str, recipe: dict, counts: dict) -> dict:
    """The card's ``training_data``: what the bundled model was trained on, with the sources cited."""
    from core.datasets.unipen_archive import CITATION

    kind = "letters (upper and lower case merged)" if which == "letters" else "digits"
    parts = [f"{counts['pen']} renders of real pen {kind} by {counts['pen_writers']} writers "
             f"({recipe['pen_copies']} per sample: the pad's clean rendering + random pen width and stroke-space "
             "distortion)" + (" from UNIPEN" if which == "letters" else " from UNIPEN and pendigits")]
    if "fonts" in counts:
        parts.append(f"{counts['fonts']} synthetic letters from handwriting and stroke fonts")
    if "emnist" in counts:
        parts.append(f"{counts['emnist']} EMNIST letters")
    if "mnist" in counts:
        parts.append(f"MNIST train ({counts['mnist']} images)")
    parts.append(f"{counts['non_characters']} generated non-characters and {counts['doodles']} renders of real "
                 "Quick, Draw! doodles as the class 'not-a-character'")
    return {
        "summary": "; ".join(parts),
        "counts": counts,
        "sources": {
            "unipen": CITATION,
            "pendigits": "E. Alpaydin, F. Alimoglu, Pen-Based Recognition of Handwritten Digits, UCI ML "
                         "Repository (CC BY 4.0)" if which == "digits" else None,
            "quickdraw": "The Quick, Draw! Dataset, Google Creative Lab (CC BY 4.0): 2,564 doodles of 113 kinds",
            "mnist": "Y. LeCun, C. Cortes, C. Burges, the MNIST database" if which == "digits" else None,
        },
    }


def summarise(results: list[dict]) -> dict:
    """Mean, min and max over folds of every number (and of every bias in the reject sweeps)."""
    out: dict = {}
    for key, value in results[0].items():
        if isinstance(value, (int, float)) and key not in ("fold", "folds"):
            out[key] = _spread([r[key] for r in results])
        elif isinstance(value, dict) and (key.endswith("not_a_character") or key == "sure_threshold"):
            out[key] = {b: round(float(np.mean([r[key][b] for r in results])), 4) for b in value}
    return out
