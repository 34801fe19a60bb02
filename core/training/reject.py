"""A "not a character" class for the models users train, as the bundled models have one.

A model trained only on characters answers *something* for every drawing: a smiley comes
out as "0, 100% sure".  With this option the run adds generated non-characters
(:mod:`core.datasets.non_characters`: scribbles, zigzags, asterisks, circles with lines...,
drawn through the pad's renderer) to the training split as one more class, last, named
``not-a-character``; the validation split taken from it holds some too.  After the run the
"sure" threshold is chosen on the validation split's real characters, as the bundled
models' is chosen on held-out data: the top-class probability that leaves 99% of them
"sure".  The card's ``reject`` section says all that, and the recognizer then answers "not a
digit" / "not a letter" (:func:`core.models.recognizer.reject_status`).

The window and ``train`` turn it on by default for digit and letter sets (every class a
single digit or letter: :func:`suits`), where the generated shapes are known to be unlike
any class; off for other sets (a class of the user's own might be a zigzag).  A
:class:`~core.training.TrainingConfig` made in code has it off unless asked.
"""

from __future__ import annotations

import hashlib

import numpy as np

from core.datasets.dataset import Split
from core.labels import DIGITS, LETTERS, LOWERCASE, NOT_A_CHARACTER
from core.models.recognizer import UNSURE_MARGIN

#: Non-characters added: as many as an average class has, within these bounds.
FEWEST, MOST = 200, 3000
#: The share of real validation characters the threshold leaves "sure".
SURE_SHARE = 0.99


def suits(label_names) -> bool:
    """Whether a set is made of digits or letters (then the option is on by default)."""
    known = set(DIGITS) | set(LETTERS) | set(LOWERCASE)
    return bool(label_names) and all(name in known for name in label_names)


def noun(label_names) -> str:
    """What the model reads, for "not a digit" / "not a letter" / "not a character"."""
    if all(name in DIGITS for name in label_names):
        return "digit"
    if all(name in set(LETTERS) | set(LOWERCASE) for name in label_names):
        return "letter"
    return "character"


def count(n_samples: int, n_classes: int) -> int:
    """How many non-characters a split of ``n_samples`` in ``n_classes`` classes gets."""
    return int(min(MOST, max(FEWEST, n_samples // max(1, n_classes))))


def non_characters(n: int, seed: int) -> np.ndarray:
    """``n`` rendered non-characters (uint8, n x 28 x 28), from the user's cache after the first time."""
    from core import storage
    from core.datasets.derived_cache import cache_path, read_cached
    from core.datasets.non_characters import non_character_images

    digest = hashlib.sha256(f"non-characters {n} {seed}".encode()).hexdigest()
    path = cache_path("non-characters", digest)
    cached = read_cached(path, ("images",))
    if cached is not None and cached["images"].shape == (n, 28, 28):
        return cached["images"]
    images = non_character_images(n, seed=seed)
    storage.write_npz(path, images=images)
    return images


def add_non_characters(train: Split, val: Split | None, n_classes: int, seed: int) -> tuple[Split, Split | None]:
    """``train`` and ``val`` with generated non-characters appended as class ``n_classes`` (the
    last), shared between them as the real samples are."""
    n_real = len(train) + (len(val) if val is not None else 0)
    images = non_characters(count(n_real, n_classes), seed)
    n_val = round(len(images) * len(val) / n_real) if val is not None else 0
    return _appended(train, images[n_val:], n_classes), (_appended(val, images[:n_val], n_classes)
                                                          if val is not None else None)


def _appended(split: Split, images: np.ndarray, label: int) -> Split:
    return Split(np.concatenate([split.images, images]),
                 np.concatenate([split.labels, np.full(len(images), label, split.labels.dtype)]))


def sure_threshold(p_real: np.ndarray, share: float = SURE_SHARE, margin: float = UNSURE_MARGIN) -> float:
    """The top-class probability that leaves ``share`` of real characters "sure".

    ``p_real``: the model's probabilities (reject output last) for real characters.  A
    sample can only be sure when it leads the runner-up by ``margin`` and beats the reject
    output; among those, the threshold is the quantile that keeps ``share`` of all of them.
    0.5 when too few could be sure; never above 0.999.
    """
    p_real = np.asarray(p_real, np.float64)
    if len(p_real) == 0 or p_real.shape[1] < 3:
        return 0.5
    top = np.sort(p_real[:, :-1], axis=1)
    eligible = top[:, -1][((top[:, -1] - top[:, -2]) >= margin) & (top[:, -1] > p_real[:, -1])]
    if len(eligible) <= share * len(p_real):
        return 0.5
    q = float(np.quantile(eligible, 1 - share * len(p_real) / len(eligible)))
    return round(min(max(q, 0.5), 0.999), 4)


def reject_card(model, outputs: str, val_split: Split | None, label_names, seed: int) -> dict:
    """The card's ``reject`` section, its threshold chosen on the validation split's real characters."""
    from core.models.inference import predict_batch

    n_real = len(label_names)
    real = val_split.images[val_split.labels < n_real] if val_split is not None else np.zeros((0, 28, 28))
    threshold = sure_threshold(np.asarray(predict_batch(model, real, outputs))) if len(real) else 0.5
    return {
        "label": NOT_A_CHARACTER,
        "noun": noun(label_names),
        "method": (
            f"a reject class ('{NOT_A_CHARACTER}', trained on generated scribbles, zigzags, asterisks and "
            "other shapes drawn through the pad's renderer) answers 'not-a-character' when it is the most "
            "likely class; otherwise the answer is 'sure' only when the top probability reaches sure_threshold "
            f"and leads the runner-up by {UNSURE_MARGIN}, else 'unsure'"
        ),
        "sure_threshold": threshold,
        "chosen_on": (f"the run's validation split: the top probability that leaves {SURE_SHARE:.0%} of its "
                      f"{len(real)} real characters sure (0.5 when fewer can be)"
                      if len(real) else "not measured (no validation split): 0.5"),
        "seed": seed,
    }
