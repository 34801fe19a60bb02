""""Teach it my writing": a person's round of drawings -> their own copy of a model.

The Draw tab's guided round uses this module (no Qt): :func:`round_prompts` says what to ask
for (letters: each once upper and once lower case; digits: each twice; any other model: each
class twice; adjustable), the drawings are kept in a collection of their own
(:func:`collection_for`, so "Teach more" adds to it and the Datasets and Training tabs see it),
and :func:`teach` adapts the base model to all of them (:mod:`core.training.finetune`) and
saves the result as a library model named after the base, "letters (mine)".

Before that it checks the adaptation on the person's own *held-back* drawings: a model
adapted without every :data:`HOLD_EVERY`-th drawing is compared with the base on those; when
it reads them worse, nothing is saved and :class:`TeachResult` says why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import ModelError, TrainingError
from core.labels import LETTERS, LOWERCASE, NOT_A_CHARACTER
from core.progress import CancelToken, ProgressCallback, no_progress

HOLD_EVERY = 5  # every 5th drawing (in the order drawn) is held back for the check
MIN_DRAWINGS = 5  # fewer cannot be checked or taught


def model_classes(label_names) -> list[str]:
    """The classes a person is asked to write: the model's, without "not a character"."""
    return [name for name in label_names if name != NOT_A_CHARACTER]


def default_repeats(label_names) -> int:
    """How many times each class is asked for by default: letters once per case (2), others twice."""
    return 2


def round_prompts(label_names, repeats: int | None = None) -> list[str]:
    """What the round asks for, in order: one label per drawing.

    For a model whose classes are the letters A-Z (case merged) each repeat alternates the
    case: with 2, "A" then "a" for every letter (upper case first, then lower).  Digits and
    other classes are asked ``repeats`` times each, one pass through the classes at a time.
    """
    classes = model_classes(label_names)
    repeats = default_repeats(label_names) if repeats is None else int(repeats)
    if repeats < 1:
        raise TrainingError(f"each class must be asked for at least once, got {repeats}")
    letters = set(LETTERS) <= set(classes)
    prompts = []
    for r in range(repeats):
        for name in classes:
            if letters and name in LETTERS and r % 2 == 1:
                prompts.append(LOWERCASE[LETTERS.index(name)])
            else:
                prompts.append(name)
    return prompts


def same_class(a: str, b: str, label_names) -> bool:
    """Whether labels ``a`` and ``b`` are one class of the model (letters case-merged when it merges them)."""
    if set(LETTERS) <= set(label_names):
        return a.upper() == b.upper()
    return a == b


class TeachRound:
    """Where a round stands: what is asked now, what was drawn, what the model read for each.

    Plain state, no storing: the caller stores each drawing (in :func:`collection_for`'s
    collection) and then calls :meth:`record`.
    """

    def __init__(self, base: str, label_names, repeats: int | None = None) -> None:
        self.base = base
        self.label_names = tuple(label_names)
        self.prompts = round_prompts(label_names, repeats)
        self.position = 0
        self.drawn: list[tuple[str, str | None]] = []  # (asked, what the model read or None)
        self.skipped: list[str] = []

    def set_repeats(self, repeats: int) -> None:
        """Ask for each class ``repeats`` times from now on (what was drawn or skipped stays)."""
        self.prompts = round_prompts(self.label_names, repeats)
        self.position = min(self.position, len(self.prompts))

    @property
    def done(self) -> bool:
        return self.position >= len(self.prompts)

    @property
    def asked(self) -> str | None:
        return None if self.done else self.prompts[self.position]

    def record(self, read: str | None) -> None:
        """The asked class was drawn (and stored); ``read`` is what the model answered."""
        if self.done:
            raise TrainingError("the round is over: every class has been asked for")
        self.drawn.append((self.prompts[self.position], read))
        self.position += 1

    def skip(self) -> None:
        """Leave the asked class out (a class the person does not write)."""
        if not self.done:
            self.skipped.append(self.prompts[self.position])
            self.position += 1

    def mistakes(self) -> list[tuple[str, str | None]]:
        """(asked, read) for every drawing the model read as something else."""
        return [(asked, read) for asked, read in self.drawn
                if read is None or not same_class(asked, read, self.label_names)]

    def summary(self) -> str:
        """One line: how the model read the round so far, and its mistakes."""
        n = len(self.drawn)
        if not n:
            return "Nothing drawn yet."
        wrong = self.mistakes()
        text = f"{self.base} read {n - len(wrong)} of your {n} right"
        if wrong:
            shown = ", ".join(f"{asked}→{read or '?'}" for asked, read in wrong[-8:])
            text += f"; wrong: {shown}" + (" …" if len(wrong) > 8 else "")
        return text + "."


def mine_name(base: str) -> str:
    """The library name of a person's copy of ``base``: "letters (mine)"; "x (mine)" stays itself."""
    return base if base.endswith(" (mine)") else f"{base} (mine)"


def collection_for(base: str) -> str:
    """The collection a person's drawings for ``base`` are kept in: "letters-mine"."""
    from core.datasets.names import collection_slug

    return collection_slug(f"{mine_name(base).removesuffix(' (mine)')} mine")


@dataclass(frozen=True)
class TeachResult:
    """How a round ended: ``saved`` the new model's name ("" when not offered), the check's
    numbers on the held-back drawings, and one line for the person."""

    saved: str
    base: str
    drawings: int
    held_back: int
    before: float  # the base on the held-back drawings
    after: float  # the adapted model on them
    message: str


def _load_base(base: str):
    from core.training.from_model import load_base

    try:
        return load_base(base)
    except ModelError as err:
        raise ModelError(f"{err}. Pick another model in the Model list") from None


def _accuracy(model, outputs: str, images: np.ndarray, labels: np.ndarray) -> float:
    from core.training.from_model import accuracy

    return accuracy(model, outputs, images, labels)


def teach(base: str, collection: str, settings=None, *, progress: ProgressCallback = no_progress,
          cancel: CancelToken | None = None) -> TeachResult:
    """Adapt ``base`` to the drawings of ``collection``, check it, and save it as "``base`` (mine)".

    The check adapts once without the held-back drawings; when that model reads them worse
    than ``base`` does, nothing is saved.  Otherwise the model adapted on *every* drawing is
    saved (overwriting an earlier "(mine)" of the same base: "Teach more" re-adapts).
    """
    from core.datasets.collections import collection_folder, load_collection
    from core.training.finetune import adapt, class_indices

    model, card = _load_base(base)
    if card.name.endswith(" (mine)"):  # teaching more starts again from the original base
        original = str(card.data.get("base_model", {}).get("name") or "")
        if original:
            model, card = _load_base(original)
    if cancel is not None:
        cancel.raise_if_cancelled()
    data = load_collection(collection_folder(collection), cancel=cancel)
    split = data.split("train")
    names = [data.label_names[i] for i in split.labels]
    if len(names) < MIN_DRAWINGS:
        raise TrainingError(f"draw at least {MIN_DRAWINGS} characters first ({len(names)} so far)")
    labels = class_indices(names, card.label_names, card.name)
    reject = card.label_names.index(NOT_A_CHARACTER) if NOT_A_CHARACTER in card.label_names else None
    held = np.arange(len(labels)) % HOLD_EVERY == HOLD_EVERY - 1
    steps_share = [0.5, 0.5]

    def part(k: int) -> ProgressCallback:
        def report(done: int, total: int | None, message: str) -> None:
            total = total or 1
            progress(int(1000 * (sum(steps_share[:k]) + steps_share[k] * done / total)), 1000,
                     "Checking on your held-back drawings" if k == 0 else "Adapting to all your drawings")
        return report

    check = adapt(model, card.outputs, split.images[~held], labels[~held], settings, reject_index=reject,
                  progress=part(0), cancel=cancel)
    before = _accuracy(model, card.outputs, split.images[held], labels[held])
    after = _accuracy(check, card.outputs, split.images[held], labels[held])
    n_held = int(held.sum())
    if after < before:
        return TeachResult("", card.name, len(labels), n_held, before, after,
                           f"Not offered: adapted, it read {after:.0%} of your {n_held} held-back drawings, "
                           f"{card.name} reads {before:.0%}. Draw a few more and Teach more.")
    final = adapt(model, card.outputs, split.images, labels, settings, reject_index=reject, progress=part(1),
                  cancel=cancel)
    if cancel is not None:
        cancel.raise_if_cancelled()
    name = mine_name(card.name)
    save_mine(final, name, card, collection, len(labels), settings, before, after, n_held)
    return TeachResult(name, card.name, len(labels), n_held, before, after,
                       f"{name} reads {after:.0%} of your {n_held} held-back drawings ({card.name}: {before:.0%}).")


def save_mine(model, name: str, card, dataset: str, n: int, settings, before: float, after: float,
              held: int) -> None:
    """Save an adapted model under ``name`` with the base's classes and reject section, the base recorded."""
    from core.models import library
    from core.training.finetune import FinetuneSettings
    from core.training.from_model import base_card_info

    info = base_card_info(card, dataset, n, settings or FinetuneSettings())
    info["teach_check"] = {"held_back": held, "base_accuracy": round(before, 4), "adapted_accuracy": round(after, 4)}
    library.save_model(model, name, label_names=card.label_names, outputs=card.outputs, info=info, overwrite=True)
