"""The model library: trained models saved as ``.keras`` plus a model card, safely loaded back.

Each model is a folder ``models/<name>/`` in the user data folder holding ``model.keras``,
its LiteRT copy ``model.tflite`` (see :mod:`core.models.conversion`) and ``card.json``.
The model files are written first and the card last, all atomically, so a folder with a
card always holds a complete model; a crash mid-save leaves at worst a folder without a
card, which :func:`list_models` ignores.

The card is what makes a file an InkLab model: its classes and label names, what the
input must look like (28x28x1, [0, 1], white ink on black), the preprocessing version of
the drawing pipeline, whether the output is logits or softmax, the data set, preset,
settings, full history and test metrics, the date and the library versions.

Bundled models live read-only in ``resources/models/`` and are listed after the user's;
they cannot be renamed or deleted.  Loading uses Keras ``safe_mode=True`` (no arbitrary
code from a model file) and refuses, with a message naming the problem, files that are
corrupt, foreign (no card, or a card that is not ours) or incompatible (wrong input shape
or class count).
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from core import storage
from core.errors import ModelError
from core.models import conversion, litert
from core.resource_files import resource_path

log = logging.getLogger(__name__)

MODEL_FILE = "model.keras"
CARD_FILE = "card.json"
CARD_FORMAT = "inklab-model-card"
CARD_VERSION = 1
INPUT_SPEC = {"shape": [28, 28, 1], "dtype": "float32", "range": [0, 1], "ink": "white on black"}
BUNDLED_DIR = resource_path("models")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,63}$")


@dataclass(frozen=True)
class ModelCard:
    """A model in the library as its card describes it; ``data`` is the full card."""

    name: str
    folder: Path
    bundled: bool
    label_names: tuple[str, ...]
    outputs: str
    data: dict = field(repr=False, compare=False)

    @property
    def model_path(self) -> Path:
        return self.folder / MODEL_FILE

    @property
    def card_path(self) -> Path:
        return self.folder / CARD_FILE

    @property
    def dataset(self) -> str:
        return (self.data.get("dataset") or {}).get("name", "")

    @property
    def preset(self) -> str:
        return self.data.get("preset", "")

    @property
    def created(self) -> str:
        return self.data.get("created", "")

    @property
    def test_accuracy(self) -> float | None:
        test = self.data.get("test") or {}
        return test.get("accuracy")


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
    if not isinstance(name, str) or not _NAME.match(name) or name.endswith((".", " ")):
        raise ModelError(
            f"'{name}' cannot be a model name: use up to 64 letters, digits, spaces, '.', '-' or '_', "
            "starting with a letter or digit"
        )
    return name


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


def _preprocess_version() -> int:
    try:
        from core.imaging import PREPROCESS_VERSION
    except ImportError:
        return 1
    return int(PREPROCESS_VERSION)


def make_card(name: str, label_names: tuple[str, ...], outputs: str, info: dict, params: int) -> dict:
    """The card of a model about to be saved: standard fields plus ``info`` from the run."""
    return {
        "format": CARD_FORMAT,
        "card_version": CARD_VERSION,
        "name": name,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "classes": len(label_names),
        "label_names": list(label_names),
        "input": dict(INPUT_SPEC),
        "outputs": outputs,
        "preprocess_version": _preprocess_version(),
        "params": int(params),
        **info,
        "versions": _versions(),
    }


def _read_card(path: Path, bundled: bool = False) -> ModelCard:
    """Parse and check a card file; a ModelError names the file and the problem."""
    if not path.is_file():
        raise ModelError(f"{path.parent}: no model card ({CARD_FILE}); this is not a model saved by InkLab")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelError(f"{path}: the model card cannot be read ({err})") from None
    if not isinstance(data, dict) or data.get("format") != CARD_FORMAT:
        raise ModelError(f"{path}: not an InkLab model card")
    labels = data.get("label_names")
    if not isinstance(labels, list) or len(labels) < 2 or not all(isinstance(x, str) for x in labels):
        raise ModelError(f"{path}: the model card has no usable label names")
    if data.get("outputs") not in ("logits", "softmax"):
        raise ModelError(f"{path}: the model card does not say whether the model gives logits or softmax")
    if data.get("card_version", 0) > CARD_VERSION:
        raise ModelError(f"{path}: the model card is from a newer InkLab (version {data['card_version']})")
    return ModelCard(
        name=str(data.get("name") or path.parent.name),
        folder=path.parent,
        bundled=bundled,
        label_names=tuple(labels),
        outputs=data["outputs"],
        data=data,
    )


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
) -> ModelCard:
    """Save ``model`` with its card as ``<root>/<name>/`` (root: the user library).

    The names of bundled models are reserved in the user library.  ``info`` is the run's
    part of the card (see :meth:`core.training.TrainingSession.card_info`).
    """
    check_name(name)
    user_library = root is None
    root = models_dir() if root is None else Path(root)
    if user_library and name in _bundled_names():
        raise ModelError(f"'{name}' is the name of a bundled model; choose another name")
    folder = root / name
    if (folder / CARD_FILE).exists() and not overwrite:
        raise ModelError(f"a model called '{name}' already exists in {root}")
    folder.mkdir(parents=True, exist_ok=True)
    card = make_card(name, tuple(label_names), outputs, info or {}, model.count_params())
    tflite, card["litert"] = conversion.convert_or_explain(model, outputs, name)
    try:
        with storage.atomic_path(folder / MODEL_FILE) as tmp:
            model.save(tmp)
        if tflite is not None:
            storage.write_bytes(folder / litert.LITERT_FILE, tflite)
        else:  # never leave a stale LiteRT file of an overwritten model beside the new one
            (folder / litert.LITERT_FILE).unlink(missing_ok=True)
        storage.write_json(folder / CARD_FILE, card)
    except OSError as err:
        raise ModelError(f"cannot save model '{name}' to {folder}: {err}") from None
    log.info("saved model %s to %s", name, folder)
    return ModelCard(name, folder, not user_library and root == BUNDLED_DIR, tuple(label_names), outputs, card)


def _cards_in(root: Path, bundled: bool) -> list[ModelCard]:
    cards = []
    if not root.is_dir():
        return cards
    for folder in sorted(root.iterdir(), key=lambda p: p.name.lower()):
        if not (folder / CARD_FILE).is_file():
            continue
        try:
            cards.append(_read_card(folder / CARD_FILE, bundled))
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
            return _read_card(root / text / CARD_FILE, bundled)
    if path.exists():
        return _card_for_path(path)
    known = ", ".join(card.name for card in list_models()) or "none yet"
    raise ModelError(f"no model called '{text}' (models: {known})")


def _card_for_path(path: Path) -> ModelCard:
    if path.is_dir():
        if not (path / MODEL_FILE).is_file():
            raise ModelError(f"{path}: no {MODEL_FILE} in this folder")
        return _read_card(path / CARD_FILE, bundled=path.resolve().parent == BUNDLED_DIR)
    if not path.is_file():
        raise ModelError(f"{path}: no such model file or folder")
    if path.suffix != ".keras":
        raise ModelError(f"{path}: not a Keras model file (InkLab models end in .keras)")
    for card_path in (path.with_suffix(".json"), path.parent / CARD_FILE):
        if card_path.is_file():
            card = _read_card(card_path)
            # A loose .keras file: remember which file the card belongs to.
            return ModelCard(card.name, card.folder, False, card.label_names, card.outputs,
                             {**card.data, "_model_path": str(path)})
    raise ModelError(f"{path}: no model card beside it ({path.with_suffix('.json').name} or {CARD_FILE})")


def load_model(name_or_path: str | Path):
    """Load a model safely: ``(keras_model, card)``, or a ModelError naming the problem.

    Uses ``safe_mode=True`` and ``compile=False``: InkLab only predicts with a loaded
    model, and a model file can then never run code on load.
    """
    card = find_model(name_or_path)
    model_path = Path(card.data.get("_model_path") or card.model_path)
    if not model_path.is_file():
        raise ModelError(f"{model_path}: the model file is missing")
    if not zipfile.is_zipfile(model_path):
        raise ModelError(f"{model_path}: not a Keras model file (corrupt, or not a .keras archive)")
    import keras

    try:
        model = keras.saving.load_model(model_path, compile=False, safe_mode=True)
    except Exception as err:  # Keras raises many types for a damaged or foreign archive
        log.warning("cannot load %s", model_path, exc_info=True)
        reason = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
        raise ModelError(f"{model_path}: the model file is corrupt or not a model ({reason})") from None
    _check_compatible(model, card, model_path)
    if not card.bundled and not card.data.get("_model_path") and not isinstance(card.data.get("litert"), dict):
        card = attach_litert(card, model)
    return model, card


def attach_litert(card: ModelCard, model) -> ModelCard:
    """Give a model saved before LiteRT copies existed its ``model.tflite`` (card updated).

    Runs when such a model is loaded with Keras (TensorFlow is loaded then anyway) and
    from ``models convert``.  A failed conversion is recorded in the card, so it is not
    retried on every load and recognition says why it uses Keras.
    """
    tflite, entry = conversion.convert_or_explain(model, card.outputs, card.name)
    try:
        if tflite is not None:
            storage.write_bytes(card.folder / litert.LITERT_FILE, tflite)
        storage.write_json(card.card_path, {**card.data, "litert": entry})
    except OSError as err:
        log.warning("cannot add a LiteRT file to %s: %s", card.folder, err)
        return card
    log.info("model %s: LiteRT file %s", card.name, "added" if tflite is not None else "failed")
    return _read_card(card.card_path, card.bundled)


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
    if (models_dir() / name / CARD_FILE).is_file():
        return _read_card(models_dir() / name / CARD_FILE)
    if name in _bundled_names():
        raise ModelError(f"'{name}' is a bundled model; it cannot be renamed or deleted")
    known = ", ".join(card.name for card in list_models() if not card.bundled) or "none yet"
    raise ModelError(f"no model called '{name}' in your library (your models: {known})")


def rename_model(old: str, new: str) -> ModelCard:
    """Rename a user model (its folder and the name in its card)."""
    card = _user_card(old)
    check_name(new)
    if new == old:
        return card
    target = models_dir() / new
    if target.exists() or new in _bundled_names():
        raise ModelError(f"a model called '{new}' already exists")
    try:
        card.folder.rename(target)
        storage.write_json(target / CARD_FILE, {**card.data, "name": new})
    except OSError as err:
        raise ModelError(f"cannot rename model '{old}' to '{new}': {err}") from None
    return _read_card(target / CARD_FILE)


def delete_model(name: str) -> None:
    """Delete a user model and its card for good."""
    card = _user_card(name)
    try:
        # Remove the card first: an interrupted delete then leaves an ignored folder, not a broken model.
        card.card_path.unlink()
        shutil.rmtree(card.folder)
    except OSError as err:
        raise ModelError(f"cannot delete model '{name}': {err}") from None
