"""The model library: trained models saved as ``.keras`` plus a model card, safely loaded back.

Each model is a folder ``models/<name>/`` in the user data folder holding ``model.keras``,
its LiteRT copy ``model.tflite`` (see :mod:`core.models.conversion`), ``card.json`` and
whatever ``extra_writers`` add.  A save writes them all into a staging folder beside the
final one and swaps it in with one rename (:func:`core.storage.replace_folder`), so a model
is always wholly the old version or wholly the new one, even when the process is killed
mid-save; a rename moves the folder aside, updates its card there and moves it to the new
name; a delete moves it aside first.  All three hold the model's cross-process lock, so two
processes never mix their files.  Only names are taken for these (checked with one pattern,
whole string).

The card is what makes a file an InkLab model (:mod:`core.models.card`: the one class,
reader and writer).

Bundled models live read-only in ``resources/models/`` and are listed after the user's;
they cannot be renamed or deleted.  Loading uses Keras ``safe_mode=True`` (no arbitrary
code from a model file) and refuses, with a message naming the problem, files that are
corrupt, foreign (no card, or a card that is not ours) or incompatible (wrong input shape
or class count).  Loading never writes: a model saved before LiteRT copies existed gets one
from ``models convert`` (:func:`attach_litert`).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import logging
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from core import limits, storage
from core.errors import ModelError
from core.models import conversion, litert
from core.models.card import CARD_FILE, INPUT_SPEC, MODEL_FILE, ModelCard, new_card, write_card
from core.resource_files import resource_path

log = logging.getLogger(__name__)

BUNDLED_DIR = resource_path("models")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ ()-]{0,63}")  # "letters (mine)"; always fullmatch: "$" would let a "\n" through


# --------------------------------------------------------------------------- names and places


def models_dir() -> Path:
    """The user's model library folder (inside ``INKLAB_DATA_DIR`` when set)."""
    return storage.subdir("models")


def default_name(preset: str, dataset: str) -> str:
    """A fresh, readable name: ``<preset>-<dataset>-<date>-<time>``."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{preset}-{dataset}-{stamp}"


def check_name(name: str) -> str:
    """``name`` if it can be a model's folder name, else a ModelError saying what is allowed."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name.endswith((".", " ")):
        raise ModelError(
            f"'{name}' cannot be a model name: use up to 64 letters, digits, spaces, '.', '-', '_' or brackets, "
            "starting with a letter or digit"
        )
    return name


def _library_folder(name: str) -> Path:
    """The folder of the user model ``name``, which must lie in the library itself (no link out)."""
    check_name(name)
    root = models_dir()
    folder = root / name
    if folder.is_symlink() or (folder.exists() and folder.resolve().parent != root.resolve()):
        raise ModelError(f"'{name}' in {root} is a link to somewhere else; InkLab does not follow it")
    return folder


def _bundled_names() -> set[str]:
    if not BUNDLED_DIR.is_dir():
        return set()
    return {p.name for p in BUNDLED_DIR.iterdir() if (p / CARD_FILE).is_file()}


# --------------------------------------------------------------------------- cards


def _versions() -> dict:
    import keras
    import tensorflow as tf

    try:
        from importlib.metadata import version

        inklab = version("inklab")
    except Exception:  # not installed as a package (running from the source tree)
        inklab = "source"
    return {"tensorflow": tf.__version__, "keras": keras.__version__, "inklab": inklab}


# --------------------------------------------------------------------------- save, list, find


def save_model(
    model,
    name: str,
    *,
    label_names: tuple[str, ...],
    outputs: str,
    info: dict | None = None,
    overwrite: bool = False,
    root: Path | None = None,
    extra_writers: Sequence[Callable[[Path], None]] = (),
    litert_copy: bool = True,
) -> ModelCard:
    """Save ``model`` with its card as ``<root>/<name>/`` (root: the user library).

    With ``litert_copy`` (always, but for stand-in models in tests and benchmarks) a verified
    ``model.tflite`` is converted first and written with the rest.

    The names of bundled models are reserved in the user library.  ``info`` is the run's
    part of the card (see :meth:`core.training.TrainingRun.card_info`).  Each of
    ``extra_writers`` is called with the staging folder after ``model.keras`` is written
    there and before the card, so what it writes (a converted copy of the model) is
    swapped in with the rest or not at all.
    """
    user_library = root is None
    folder = _library_folder(name) if user_library else Path(root) / check_name(name)
    if user_library and name in _bundled_names():
        raise ModelError(f"'{name}' is the name of a bundled model; choose another name")
    card = new_card(name, tuple(label_names), outputs, info or {}, model.count_params(), _versions())
    if (folder / CARD_FILE).exists() and not overwrite:  # before the conversion's seconds
        raise ModelError(f"a model called '{name}' already exists in {folder.parent}")
    tflite = None
    if litert_copy:
        tflite, card["litert"] = conversion.convert_or_explain(model, outputs, name)
    with storage.writer_lock("model", name):
        # Checked again under the lock: of two processes saving one new name, the second is told.
        if (folder / CARD_FILE).exists() and not overwrite:
            raise ModelError(f"a model called '{name}' already exists in {folder.parent}")
        try:
            with storage.replace_folder(folder) as staged, storage.scratch_folder("keras-") as scratch:
                with storage.temp_files_inside(scratch):
                    model.save(staged / MODEL_FILE)
                if tflite is not None:
                    storage.write_bytes(staged / litert.LITERT_FILE, tflite)
                for write in extra_writers:
                    write(staged)
                write_card(staged, card)
        except OSError as err:
            raise ModelError(f"cannot save model '{name}' to {folder}: {err}") from None
    log.info("saved model %s to %s", name, folder)
    return ModelCard.of(card, folder / CARD_FILE, bundled=not user_library and folder.parent == BUNDLED_DIR)


def _cards_in(root: Path, bundled: bool) -> list[ModelCard]:
    cards = []
    if not root.is_dir():
        return cards
    for folder in sorted(root.iterdir(), key=lambda p: p.name.lower()):
        if folder.name.startswith(".") or not (folder / CARD_FILE).is_file():
            continue  # a hidden folder is a save, rename or delete in progress (or its leftover)
        try:
            cards.append(ModelCard.read(folder / CARD_FILE, bundled))
        except ModelError as err:
            log.warning("skipping model folder %s: %s", folder, err)
    return cards


def list_models() -> list[ModelCard]:
    """The user's models (by name), then the bundled ones (``bundled=True``)."""
    user = _cards_in(models_dir(), bundled=False)
    taken = {card.folder.name for card in user}
    bundled = [card for card in _cards_in(BUNDLED_DIR, bundled=True) if card.folder.name not in taken]
    return user + bundled


def find_model(name_or_path: str | Path) -> ModelCard:
    """The card of a library model by name, or of a model at an explicit path.

    A path may be a model folder (``model.keras`` + ``card.json``) or a ``.keras`` file
    with its card beside it (``<stem>.json`` or ``card.json``).
    """
    text = str(name_or_path)
    path = Path(text).expanduser()
    looks_like_path = isinstance(name_or_path, Path) or "/" in text or "\\" in text or text.endswith(".keras")
    if looks_like_path:
        return _card_for_path(path)
    for root, bundled in ((models_dir(), False), (BUNDLED_DIR, True)):
        if (root / text / CARD_FILE).is_file():
            return ModelCard.read(root / text / CARD_FILE, bundled)
    if path.exists():
        return _card_for_path(path)  # a folder or file named on the command line: only ever read
    check_name(text)
    known = ", ".join(card.name for card in list_models()) or "none yet"
    raise ModelError(f"no model called '{text}' (models: {known})")


def _card_for_path(path: Path) -> ModelCard:
    if path.is_dir():
        if not (path / MODEL_FILE).is_file():
            raise ModelError(f"{path}: no {MODEL_FILE} in this folder")
        return ModelCard.read(path / CARD_FILE, bundled=path.resolve().parent == BUNDLED_DIR)
    if not path.is_file():
        raise ModelError(f"{path}: no such model file or folder")
    if path.suffix != ".keras":
        raise ModelError(f"{path}: not a Keras model file (InkLab models end in .keras)")
    for card_path in (path.with_suffix(".json"), path.parent / CARD_FILE):
        if card_path.is_file():
            return ModelCard.read(card_path, model_file=path)  # a loose .keras file and its card
    raise ModelError(f"{path}: no model card beside it ({path.with_suffix('.json').name} or {CARD_FILE})")


def load_model(name_or_path: str | Path):
    """Load a model safely: ``(keras_model, card)``, or a ModelError naming the problem.

    Uses ``safe_mode=True`` and ``compile=False``: InkLab only predicts with a loaded
    model, and a model file can then never run code on load.
    """
    card = find_model(name_or_path)
    model_path = card.model_path
    if not model_path.is_file():
        raise ModelError(f"{model_path}: the model file is missing")
    if not zipfile.is_zipfile(model_path):
        raise ModelError(f"{model_path}: not a Keras model file (corrupt, or not a .keras archive)")
    # From the archive's directory, before Keras inflates anything (its own guard stops only at 4 GiB).
    limits.check_zip_members(model_path, ModelError, limits.MAX_MODEL_BYTES, limits.MAX_MODEL_BYTES,
                             what="Keras model file")
    import keras

    from core.models.layers import fused_batch_normalization

    fused_batch_normalization()  # registers InkLab's layer, so safe_mode can rebuild models that use it
    try:
        with storage.scratch_folder("keras-") as scratch, storage.temp_files_inside(scratch):
            model = keras.saving.load_model(model_path, compile=False, safe_mode=True)
    except Exception as err:  # Keras raises many types for a damaged or foreign archive
        log.warning("cannot load %s", model_path, exc_info=True)
        reason = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
        raise ModelError(f"{model_path}: the model file is corrupt or not a model ({reason})") from None
    _check_compatible(model, card, model_path)
    return model, card


def attach_litert(card: ModelCard, model) -> ModelCard:
    """Give a model saved before LiteRT copies existed its ``model.tflite`` (card updated).

    Run by ``models convert`` (and ``tools/build_models.py --litert-only``).  A failed
    conversion is recorded in the card, so recognition says why it uses Keras.
    """
    tflite, entry = conversion.convert_or_explain(model, card.outputs, card.name)
    try:
        if tflite is not None:
            storage.write_bytes(card.folder / litert.LITERT_FILE, tflite)
        write_card(card.folder, {**card.data, "litert": entry})
    except OSError as err:
        log.warning("cannot add a LiteRT file to %s: %s", card.folder, err)
        return card
    log.info("model %s: LiteRT file %s", card.name, "added" if tflite is not None else "failed")
    return ModelCard.read(card.card_path, card.bundled)


def _check_compatible(model, card: ModelCard, path: Path) -> None:
    try:
        shape = tuple(model.inputs[0].shape[1:])
        n_out = model.outputs[0].shape[-1]
    except (AttributeError, IndexError, TypeError):
        raise ModelError(f"{path}: the model has no single input and output InkLab can use") from None
    if shape != tuple(INPUT_SPEC["shape"]):
        raise ModelError(f"{path}: incompatible model: it expects input {shape}, InkLab gives (28, 28, 1)")
    if n_out != len(card.label_names):
        raise ModelError(
            f"{path}: incompatible model: it has {n_out} outputs but its card names "
            f"{len(card.label_names)} classes"
        )


# --------------------------------------------------------------------------- rename, delete


def _user_card(name: str) -> ModelCard:
    folder = _library_folder(name)
    if (folder / CARD_FILE).is_file():
        return ModelCard.read(folder / CARD_FILE)
    if name in _bundled_names():
        raise ModelError(f"'{name}' is a bundled model; it cannot be renamed or deleted")
    known = ", ".join(card.name for card in list_models() if not card.bundled) or "none yet"
    raise ModelError(f"no model called '{name}' in your library (your models: {known})")


def rename_model(old: str, new: str) -> ModelCard:
    """Rename a user model (its folder and the name in its card), as one step for the library.

    The folder is moved aside, its card gets the new name there, and it is moved to the
    new name; :func:`core.leftovers.clean_leftovers` finishes or undoes a killed rename by
    the name in the card, so the model is always found under exactly one of the names.
    """
    _user_card(old)
    target = _library_folder(new)
    if new == old:
        return _user_card(old)
    names = sorted({old.lower(): old, new.lower(): new}.values(), key=str.lower)  # one order: no deadlock
    with contextlib.ExitStack() as held:
        for name in names:
            held.enter_context(storage.writer_lock("model", name))
        card = _user_card(old)  # again, under the locks: another process may have moved it
        if target.exists() or new in _bundled_names():
            raise ModelError(f"a model called '{new}' already exists")
        moving = storage.staging_name(target, "renaming")
        try:
            os.rename(card.folder, moving)
            write_card(moving, {**card.data, "name": new})
            os.rename(moving, target)
        except OSError as err:
            if moving.exists() and not card.folder.exists():
                os.rename(moving, card.folder)
            raise ModelError(f"cannot rename model '{old}' to '{new}': {err}") from None
    return ModelCard.read(target / CARD_FILE)


def delete_model(name: str) -> None:
    """Delete a user model and its card for good (moved aside in one rename, then removed)."""
    _library_folder(name)  # the name is checked before it names a lock
    with storage.writer_lock("model", name):
        card = _user_card(name)
        doomed = storage.staging_name(card.folder)
        try:
            os.rename(card.folder, doomed)
        except OSError as err:
            raise ModelError(f"cannot delete model '{name}': {err}") from None
        shutil.rmtree(doomed, ignore_errors=True)  # what a crash leaves here, clean_leftovers removes
