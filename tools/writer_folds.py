"""Writer-disjoint folds: how the bundled models' recipes were chosen (issue 21).

``python -m tools.writer_folds digits|letters [--folds 3] [--only 0] [--set KEY=VALUE ...]
[--data-cache FOLDER] [--out results.jsonl]``

Every choice for a bundled model (data mix, renders, epochs, the reject output's bias) is
made here, on folds that hold *whole writers* out: the pen writers (UNIPEN's ~300 and, for
digits, pendigits' 30) are shuffled with a fixed seed and dealt into ``--folds`` groups.
Each fold trains the recipe (``tools.build_models``' data and engine) on every other
writer and measures on its own writers, rendered exactly as the drawing pad renders a
drawing (clean, default pen width, screen y).  The real doodles (Quick, Draw!) are dealt
into folds by kind the same way, so "not a character" is always measured on kinds of
object the fold never trained on.  One JSON line per fold, then the mean and spread.

Measured per fold: accuracy on the held-out writers (case merged for letters, the most
likely real class as the answer), the share of them the model calls "not a character", the
share of held-out doodles and of fresh generated non-characters it calls so, and, for
digits, MNIST test.  The reject output's logit bias is swept over the fold (``bias``):
the bundled model's bias is chosen from the folds' mean, never from a set reported as unseen.

A tool, not part of the engine (nothing in core/ or gui/ imports it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FOLD_SEED = 21
BIASES = (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5)


def writer_folds(writers: Sequence[str], k: int, seed: int = FOLD_SEED) -> list[set[str]]:
    """The distinct ``writers`` shuffled with ``seed`` and dealt into ``k`` disjoint groups."""
    unique = sorted(set(writers))
    order = np.random.default_rng(seed).permutation(len(unique))
    return [{unique[i] for i in order[f::k]} for f in range(k)]


def reject_shares(p: np.ndarray, biases: Sequence[float] = BIASES) -> dict[str, float]:
    """For each logit bias ``b`` on the reject output (last column): the share called "not a character".

    Adding ``b`` to a logit multiplies that class's probability by ``e^b`` before the
    softmax's normalisation, so the argmax comparison needs no logits.
    """
    real = p[:, :-1].max(axis=1)
    return {f"{b:+.1f}": round(float((p[:, -1] * np.exp(b) > real).mean()), 4) for b in biases}


def rescore(path: Path) -> int:
    """Recompute every line's reject sweep and "sure" thresholds from its fold's kept probabilities.

    For a sweep over more biases than a run had: the lines of ``path`` (a ``--out`` file) are
    rewritten in place; a line whose ``.npz`` is gone is kept as it was.  Returns how many
    lines were rescored.
    """
    from core.training.reject import sure_threshold
    from tools.real_writers import with_reject_bias

    lines, done = [], 0
    for line in path.read_text().splitlines():
        result = json.loads(line)
        kept = path.with_name(f"{path.stem}-{result.get('tag') or 'run'}-fold{result['fold']}.npz")
        if result.get("tag") and kept.is_file():
            with np.load(kept) as arrays:
                result["pen_not_a_character"] = reject_shares(arrays["pen"])
                result["doodles_not_a_character"] = reject_shares(arrays["doodles"])
                result["generated_not_a_character"] = reject_shares(arrays["generated"])
                result["sure_threshold"] = {f"{b:+.1f}": sure_threshold(with_reject_bias(arrays["pen"], b))
                                            for b in BIASES}
                if "mnist" in arrays:
                    result["mnist_not_a_character"] = reject_shares(arrays["mnist"])
            done += 1
        lines.append(json.dumps(result))
    path.write_text("\n".join(lines) + "\n")
    return done


def _say(text: str) -> None:
    print(text, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    from tools import real_writers as fold_data

    parser = argparse.ArgumentParser(prog="python -m tools.writer_folds", description=__doc__.split("\n")[0])
    parser.add_argument("which", choices=("digits", "letters"))
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--only", type=int, action="append", default=None, help="run only this fold (repeatable)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a recipe value (JSON), e.g. --set epochs=8 --set fonts=false")
    parser.add_argument("--data-cache", type=Path, default=None, metavar="FOLDER")
    parser.add_argument("--out", type=Path, default=None, help="append each fold's JSON line here")
    parser.add_argument("--tag", default="", help="a name for this recipe: with --out, each fold's "
                        "probabilities are kept beside it as OUT-TAG-foldN.npz")
    parser.add_argument("--rescore", action="store_true",
                        help="only recompute the reject sweep of the --out file's lines from their kept probabilities")
    args = parser.parse_args(argv)
    if args.rescore:
        _say(f"rescored {rescore(args.out)} lines of {args.out}")
        return 0
    import tools.build_models as bm

    bm._DATA_CACHE[:] = [args.data_cache] if args.data_cache else []
    recipe = dict(fold_data.RECIPES[args.which])
    for item in args.set:
        key, _, value = item.partition("=")
        recipe[key] = json.loads(value)
    pool = fold_data.pen_pool(args.which, recipe)
    doodles = fold_data.doodle_pool(recipe)
    folds = writer_folds(pool.writers, args.folds)
    kinds = writer_folds(doodles.kinds, args.folds)
    results = []
    for f in range(args.folds):
        if args.only is not None and f not in args.only:
            continue
        t0 = time.monotonic()
        save = args.out.with_name(f"{args.out.stem}-{args.tag or 'run'}-fold{f}.npz") if args.out else None
        result = fold_data.run_fold(args.which, recipe, pool, doodles, folds[f], kinds[f], save)
        result.update(tag=args.tag, fold=f, folds=args.folds, minutes=round((time.monotonic() - t0) / 60, 1),
                      recipe=fold_data._recipe_key(recipe))
        results.append(result)
        line = json.dumps(result)
        _say(line)
        if args.out:
            with args.out.open("a") as handle:
                handle.write(line + "\n")
    if len(results) > 1:
        _say(json.dumps({"summary": fold_data.summarise(results)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
