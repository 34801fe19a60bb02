"""User collections: characters drawn on the pad and labelled by the user, kept as a data set.

A teacher can collect the class's own symbols, train on them and recognise them: the
classes are whatever labels the user types, not only digits and letters.

On disk, ``collections/NAME/`` holds::

    collection.json       {"name", "labels": [in the order first added], "created"}
    <id>.json             one sample: {"label", "created", "strokes", ["pressure"]}
    <id>.png              its 28x28 uint8 image, exactly what a model is trained on

Every file is written atomically, and adding a sample writes only its own two files (and
``collection.json`` when the label is new), so a crash can never damage earlier samples.
Adds hold the collection's cross-process lock, so two processes adding at once keep every
label.
The image is written before the sample's JSON: a sample exists once its JSON does.  The
strokes are kept so a sample can be re-rendered should the preprocessing ever change.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import limits, storage
from core.datasets.dataset import IMAGE_SIZE, Dataset, Split
from core.datasets.names import (
    COLLECTION_INFO_FILE,
    COLLECTIONS,
    check_collection_name,
    collection_slug,
    refuse_imported_name,
)
from core.datasets.spec import DatasetSpec
from core.errors import DataError, DrawingError
from core.progress import CancelToken, ProgressCallback, no_progress

MAX_LABEL = 20


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def collection_folder(name: str) -> Path:
    """The folder of the collection ``name`` (not created); DataError for an unusable name."""
    check_collection_name(name)
    return storage.subdir(COLLECTIONS) / name


def check_label(label: str) -> str:
    """The label with surrounding spaces removed; DataError unless 1-20 printable characters."""
    if not isinstance(label, str):
        raise DataError(f"a label must be text, not {type(label).__name__}")
    cleaned = label.strip()
    if not cleaned:
        raise DataError("a label cannot be empty")
    if len(cleaned) > MAX_LABEL:
        raise DataError(f"label '{cleaned[:MAX_LABEL]}...' is too long (at most {MAX_LABEL} characters)")
    if not cleaned.isprintable():
        raise DataError(f"label {cleaned!r} contains characters that cannot be shown")
    return cleaned


def _image_uint8(image28: np.ndarray) -> np.ndarray:
    image = np.asarray(image28)
    if image.shape != (IMAGE_SIZE, IMAGE_SIZE):
        raise DataError(f"a sample image must be 28x28, got shape {image.shape}")
    if image.dtype == np.uint8:
        return image
    if image.dtype.kind != "f" or not np.isfinite(image).all() or image.min() < 0 or image.max() > 1:
        raise DataError("a sample image must be uint8, or floats in [0, 1]")
    from core.imaging import to_uint8

    return to_uint8(image)


def _strokes_json(strokes: list | None) -> dict:
    if not strokes:
        return {"strokes": []}
    from core.imaging import strokes_to_json

    try:
        return strokes_to_json(strokes)
    except (TypeError, ValueError) as err:
        raise DataError(f"the strokes cannot be stored ({err})") from None


def _read_info(folder: Path) -> dict:
    path = folder / COLLECTION_INFO_FILE
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        info = limits.read_json(path, DataError)
    except DataError as err:
        raise DataError(f"{path}: damaged collection file ({str(err).removeprefix(f'{path}: ')})") from None
    labels = info.get("labels") if isinstance(info, dict) else None
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise DataError(f"{path}: damaged collection file (no list of labels)")
    return info


def add_sample(
    collection: str,
    label: str,
    image28: np.ndarray,
    strokes: list | None = None,
) -> Path:
    """Store one labelled drawing in ``collection`` (created on first use); return its JSON path.

    ``image28`` is the 28x28 model input (float in [0, 1] or uint8); ``strokes`` are the
    pad's strokes (lists of [x, y] or [x, y, pressure] points, or arrays), kept alongside.
    """
    collection = collection_slug(collection)  # "my symbols" is stored as "my-symbols"
    label = check_label(label)
    image = _image_uint8(image28)
    sample = {"label": label, "created": _now(), **_strokes_json(strokes)}
    folder = collection_folder(collection)
    png = io.BytesIO()
    from PIL import Image

    Image.fromarray(np.ascontiguousarray(image)).save(png, format="PNG")

    # One writer per collection at a time, across processes: collection.json is read,
    # changed and written back whole, and two unserialised adds would drop each other's labels.
    with storage.writer_lock("collection", collection):
        info_path = folder / COLLECTION_INFO_FILE
        if info_path.exists():
            info = _read_info(folder)
        else:
            refuse_imported_name(collection)
            info = {"name": collection, "labels": [], "created": _now()}
        if label not in info["labels"]:
            # Written before the sample, so every sample's label is always listed.
            info["labels"].append(label)
            storage.write_json(info_path, info)

        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%d-%H%M%S-%f")
        sample_id = f"{stamp}-{secrets.token_hex(4)}"
        # The image first: a sample exists once its JSON does, and an image a killed add
        # left without one is removed by core.leftovers.clean_leftovers.
        storage.write_bytes(folder / f"{sample_id}.png", png.getvalue())
        json_path = folder / f"{sample_id}.json"
        storage.write_json(json_path, sample)
    return json_path


def list_collections() -> list[str]:
    """The names of the user's collections, sorted."""
    root = storage.subdir(COLLECTIONS)
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / COLLECTION_INFO_FILE).is_file())


def label_counts(name: str) -> dict[str, int]:
    """How many drawings each label of the collection ``name`` has, in the collection's label
    order ({} when there is no such collection yet).

    Reads only the small sample JSON files, not the images, so the Draw tab can show it after
    every drawing added; an unreadable sample is left out here (loading the set names it).
    """
    folder = collection_folder(name)
    if not (folder / COLLECTION_INFO_FILE).is_file():
        return {}
    counts = dict.fromkeys(_read_info(folder)["labels"], 0)
    for path in _sample_files(folder):
        try:
            label = json.loads(path.read_text("utf-8")).get("label")
        except (OSError, ValueError, AttributeError):
            continue
        if label in counts:
            counts[label] += 1
    return counts


def _sample_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if p.name != COLLECTION_INFO_FILE and not p.name.startswith("."))


def load_collection(
    folder: str | os.PathLike[str],
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Dataset:
    """Load a collection folder as a Dataset with one ``train`` split, samples in the order drawn.

    A damaged sample raises a DataError naming its file; nothing is deleted or rewritten,
    so the other samples stay safe while the user removes or fixes that one.
    """
    from core.imaging import open_image

    folder = Path(folder)
    info = _read_info(folder)
    label_names = tuple(info["labels"])
    index = {label: i for i, label in enumerate(label_names)}
    files = _sample_files(folder)
    images = np.zeros((len(files), IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    labels = np.zeros(len(files), np.int64)
    for i, path in enumerate(files):
        try:
            sample = limits.read_json(path, DataError)
        except DataError as err:
            raise DataError(f"{path}: damaged sample file ({str(err).removeprefix(f'{path}: ')})") from None
        label = sample.get("label") if isinstance(sample, dict) else None
        if label not in index:
            raise DataError(f"{path}: its label {label!r} is not one of the collection's labels")
        png = path.with_suffix(".png")
        if not png.is_file():
            raise DataError(f"{png}: missing image of sample {path.name}")
        try:
            with open_image(png) as image:  # the pixel budget and every decoder failure: DrawingError
                pixels = np.asarray(image.convert("L"))
        except DrawingError as err:
            raise DataError(f"{png}: damaged sample image ({str(err).removeprefix(f'{png}: ')})") from None
        if pixels.shape != (IMAGE_SIZE, IMAGE_SIZE):
            raise DataError(f"{png}: sample image is {pixels.shape[1]}x{pixels.shape[0]}, expected 28x28")
        images[i] = pixels
        labels[i] = index[label]
    return Dataset(folder.name, label_names, {"train": Split(images, labels)}, source=str(folder))


def collection_specs() -> list[DatasetSpec]:
    """A catalogue entry (kind ``collection``) for each of the user's collections."""
    specs = []
    root = storage.subdir(COLLECTIONS)
    for name in list_collections():
        folder = root / name
        try:
            labels = tuple(_read_info(folder)["labels"])
        except DataError:
            labels = ()  # still listed, so the user sees it; loading then says what is wrong
        count = len(_sample_files(folder))
        specs.append(
            DatasetSpec(
                name=name,
                title=f"{name} (my drawings)",
                description=f"{count} drawn sample{'s' if count != 1 else ''} in {len(labels)} classes",
                label_names=labels,
                files=(COLLECTION_INFO_FILE,),
                load=load_collection,
                kind="collection",
                folder=folder,
            )
        )
    return specs


@dataclass(frozen=True)
class DeletedSample:
    """A drawing taken out of a collection, its files' exact bytes kept so it can be put back."""

    collection: str
    sample_id: str
    label: str
    files: dict[str, bytes]  # file name -> bytes: "<id>.json" and "<id>.png"


def sample_ids(collection: str) -> list[str]:
    """The ids of a collection's drawings, in the order :func:`load_collection` loads them."""
    return [path.stem for path in _sample_files(collection_folder(collection))]


def delete_sample(collection: str, sample_id: str) -> DeletedSample:
    """Remove one drawing (its JSON, then its image) and return what :func:`restore_sample` needs.

    The JSON goes first: a sample exists while its JSON does, so an interruption between
    the two leaves at worst an orphan image, never a sample without one.
    """
    folder = collection_folder(collection)
    json_path = folder / f"{sample_id}.json"
    if json_path not in _sample_files(folder):  # also refuses "../x" and collection.json
        raise DataError(f"collection '{collection}' has no drawing '{sample_id}' (the ids are the file names "
                        f"without .json in {folder})")
    files = {json_path.name: json_path.read_bytes()}
    png = json_path.with_suffix(".png")
    if png.is_file():
        files[png.name] = png.read_bytes()
    try:
        label = str(json.loads(files[json_path.name]).get("label", ""))
    except (ValueError, AttributeError):
        label = ""
    json_path.unlink()
    png.unlink(missing_ok=True)
    return DeletedSample(collection, sample_id, label, files)


def restore_sample(deleted: DeletedSample) -> Path:
    """Put a deleted drawing back, byte for byte (image first, as :func:`add_sample` does)."""
    folder = collection_folder(deleted.collection)
    if not (folder / COLLECTION_INFO_FILE).is_file():
        raise DataError(f"collection '{deleted.collection}' no longer exists: the drawing cannot be put back")
    for name in sorted(deleted.files, key=lambda n: n.endswith(".json")):
        storage.write_bytes(folder / name, deleted.files[name])
    return folder / f"{deleted.sample_id}.json"
