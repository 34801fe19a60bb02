"""A fine-tuning run: start from a model's weights, adapt to a data set of its classes, save.

What ``train --from MODEL`` and the Training tab's "Start from: a model" run (the Draw tab's
round goes through :func:`core.training.teaching.teach`, which uses the same pieces).  The
data set's labels are matched to the model's classes by name
(:func:`core.training.finetune.class_indices`); the new model keeps the base's classes, its
"not a character" output and its card's ``reject`` section, and its card records the base
(``base_model``) and the fine-tuning settings (``finetune``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import ModelError, TrainingError
from core.labels import NOT_A_CHARACTER
from core.progress import CancelToken, ProgressCallback, no_progress
from core.training.finetune import FinetuneSettings, trainable_copy

__all__ = ["FinetuneSettings", "base_card_section", "base_outputs", "base_rejects", "load_base", "onto_base",
           "train_from", "trainable_copy"]


@dataclass(frozen=True)
class FromModelResult:
    """What a fine-tuning run did: the saved card, and the base's and the new model's accuracy on
    the held-out part (``checked_on``: "validation", "test" or "" when nothing was held out)."""

    card: object
    base: str
    samples: int
    checked_on: str
    before: float | None
    after: float | None
    elapsed_s: float


def load_base(name: str):
    """``(model, card)`` of the base model, or a ModelError saying it cannot be started from."""
    from core.models import library

    try:
        return library.load_model(name)
    except ModelError as err:
        raise ModelError(f"cannot start from '{name}': {err}") from None


def accuracy(model, outputs: str, images: np.ndarray, labels: np.ndarray) -> float:
    """The share of ``images`` whose top output (the "not a character" one included) is their label."""
    from core.models.inference import predict_batch

    if not len(labels):
        return float("nan")
    return float((np.asarray(predict_batch(model, images, outputs)).argmax(axis=1) == labels).mean())


def base_card_info(card, dataset: str, n: int, settings: FinetuneSettings, validation: int = 0) -> dict:
    """The card fields a fine-tuned model carries: its base, the data, the settings; the base's
    ``reject`` section and description kept (its reject output means what it meant)."""
    info = {
        "base_model": {"name": card.name, "bundled": card.bundled, "created": card.data.get("created", ""),
                       "preset": card.data.get("preset", "")},
        "dataset": {"name": dataset, "split": "train", "train_samples": n, "val_samples": validation,
                    "test_samples": None},
        "preset": card.data.get("preset", ""),
        "finetune": settings.as_dict(),
        "status": "completed",
    }
    for key in ("reject", "description"):
        if key in card.data:
            info[key] = card.data[key]
    return info


def train_from(base: str, dataset: str, *, name: str, settings: FinetuneSettings | None = None,
               split: str = "train", validation: float | int = 0, limit: int | None = None, test: bool = True,
               overwrite: bool = False, data=None, progress: ProgressCallback = no_progress,
               cancel: CancelToken | None = None) -> FromModelResult:
    """Fine-tune ``base`` on ``dataset``'s ``split`` and save it as ``name``.

    ``validation`` (a fraction or a count, as for any run) holds out drawings (whole writers
    when the set knows them) on which base and new model are compared; else, with ``test``,
    the set's test split is.  ``data``: an already loaded :class:`Dataset`.
    """
    import time

    from core.training.finetune import adapt, class_indices
    from core.training.pipeline import split_validation

    settings = (settings or FinetuneSettings()).check()
    t0 = time.monotonic()
    model, card = load_base(base)
    if data is None:
        from core.datasets import load_dataset

        data = load_dataset(dataset, progress, cancel)
    if split not in data.splits:
        raise TrainingError(f"data set '{data.name}' has no split '{split}' (it has {', '.join(data.splits)})")
    chosen = data.split(split)
    if limit:
        chosen = chosen.take(slice(0, limit))
    if not len(chosen):
        raise TrainingError(f"data set '{data.name}' has no samples in '{split}'")
    mapping = class_indices(list(data.label_names), card.label_names, f"model '{card.name}'")
    train, held = split_validation(chosen, validation, settings.seed)
    reject = card.label_names.index(NOT_A_CHARACTER) if NOT_A_CHARACTER in card.label_names else None
    adapted = adapt(model, card.outputs, train.images, mapping[train.labels], settings, reject_index=reject,
                    progress=progress, cancel=cancel)
    checked_on, before, after = "", None, None
    if held is not None:
        checked_on, check = "validation", held
    elif test and split != "test" and "test" in data.splits:
        checked_on, check = "test", data.split("test")
    if checked_on:
        labels = mapping[check.labels]
        before = accuracy(model, card.outputs, check.images, labels)
        after = accuracy(adapted, card.outputs, check.images, labels)
    if cancel is not None:
        cancel.raise_if_cancelled()
    from core.models import library

    info = base_card_info(card, data.name, len(train), settings, len(held) if held is not None else 0)
    if checked_on:
        info["test" if checked_on == "test" else "validation"] = {
            "accuracy": after, "base_accuracy": before, "samples": len(check)}
    saved = library.save_model(adapted, name, label_names=card.label_names, outputs=card.outputs, info=info,
                               overwrite=overwrite)
    return FromModelResult(saved, card.name, len(train), checked_on, before, after, time.monotonic() - t0)


# ---- a TrainingRun that starts from a model (``TrainingConfig.base_model``: the Training tab)


def base_outputs(name: str) -> str:
    """Whether the model ``name`` gives logits or softmax (from its card; no TensorFlow)."""
    from core.models import library

    try:
        return library.find_model(name).outputs
    except ModelError as err:
        raise ModelError(f"cannot start from '{name}': {err}") from None


def onto_base(split, dataset_labels, card, name: str):
    """``split`` with its labels turned into the base model's class indices (matched by name)."""
    from core.datasets.dataset import Split
    from core.training.finetune import class_indices

    mapping = class_indices(list(dataset_labels), card.label_names, f"model '{name}'")
    return Split(split.images, mapping[split.labels], split.groups)


def base_rejects(train, val, card, seed: int):
    """Generated non-characters added as the base's own "not a character" class, when it has one."""
    from core.training import reject

    if NOT_A_CHARACTER not in card.label_names:
        return train, val
    return reject.add_non_characters(train, val, card.label_names.index(NOT_A_CHARACTER), seed)


def base_card_section(card) -> dict:
    """What a run started from ``card``'s model adds to its own card: the base (and the share of
    the way its weights moved: :func:`mix_run_with_base`), and its reject section."""
    return {"base_model": {"name": card.name, "bundled": card.bundled, "created": card.data.get("created", ""),
                           "preset": card.data.get("preset", ""), "mix": FinetuneSettings().mix},
            **({"reject": card.data["reject"]} if "reject" in card.data else {})}


def mix_run_with_base(model, base: tuple | None, batches_done: int) -> bool:
    """A "Start from" run's model once it has trained: mixed with its base (the run's ``(model,
    card)``) as ``train --from`` mixes (:func:`core.training.finetune.mix_with_base`, the
    default ``mix``).  Returns whether it was: not for a run from a fresh preset (``base`` is
    None), nor for one stopped before its first batch."""
    from core.training.finetune import mix_with_base

    if base is None or not batches_done:
        return False
    mix_with_base(model, base[0], FinetuneSettings().mix)
    return True
