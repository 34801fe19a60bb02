"""Exporting a library model for use elsewhere, and converting older models to LiteRT.

An export is a folder ``<to>/<name>/`` holding the model (``model.tflite`` for LiteRT,
the runtime phones and Teachable Machine users expect, or ``saved_model/`` for
TensorFlow Serving and TF.js converters), the model's card and ``labels.txt`` (one class
name per line, in output order).  It is built in a temporary folder beside the target and
renamed into place, so a failed export leaves nothing half-written.

A LiteRT export copies the model's verified ``model.tflite`` and needs no TensorFlow;
only a model without one (or a SavedModel export) loads Keras.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from pathlib import Path

from core import storage
from core.errors import ModelError
from core.models import conversion, library, litert
from core.models.card import CARD_FILE, ModelCard, write_card

FORMATS = ("tflite", "savedmodel")


def _stored_litert(card: ModelCard) -> bytes | None:
    """The model's own LiteRT file when the card lists it and its checksum matches."""
    entry = card.litert
    if entry is None or not entry.get("file") or card.model_file is not None:
        return None
    try:
        content = (card.folder / str(entry["file"])).read_bytes()
    except OSError:
        return None
    return content if litert.sha256(content) == entry.get("sha256") else None


def _write_model(card: ModelCard, name_or_path, fmt: str, folder: Path) -> dict:
    if fmt == "tflite":
        content = _stored_litert(card)
        entry = card.data.get("litert")
        if content is None:
            model, card = library.load_model(name_or_path)
            done = conversion.convert(model, card.outputs)
            content, entry = done.content, done.entry
        storage.write_bytes(folder / litert.LITERT_FILE, content)
        return {"litert": entry}
    model, card = library.load_model(name_or_path)
    with contextlib.redirect_stdout(io.StringIO()):  # Keras prints the exported signature
        model.export(str(folder / "saved_model"), format="tf_saved_model")
    return {}


def export_model(name_or_path: str | Path, to: str | Path, fmt: str = "tflite") -> Path:
    """Write ``<to>/<name>/`` (model, ``card.json``, ``labels.txt``); returns that folder."""
    if fmt not in FORMATS:
        raise ModelError(f"unknown export format '{fmt}' (choose {' or '.join(FORMATS)})")
    card = library.find_model(name_or_path)
    root = Path(to).expanduser()
    target = root / card.name
    if target.exists():
        raise ModelError(f"{target} already exists; choose another folder or remove it first")
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{card.name}-export-", dir=root))
    except OSError as err:
        raise ModelError(f"cannot export to {root}: {err}") from None
    try:
        extra = _write_model(card, name_or_path, fmt, staging)
        public = dict(card.data)
        files = sorted(p.name for p in staging.iterdir()) + [CARD_FILE, "labels.txt"]
        public.update(extra, export={"format": fmt, "files": sorted(files)})
        if fmt != "tflite":
            public.pop("litert", None)
        write_card(staging, public)
        storage.write_bytes(staging / "labels.txt", ("\n".join(card.label_names) + "\n").encode("utf-8"))
        storage.plain_permissions(staging)  # an export is for sharing, not drwx------ like a temp folder
        os.replace(staging, target)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise ModelError(f"cannot export '{card.name}' to {target}: {err}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def convert_models(names: list[str] | None = None) -> list[tuple[str, dict]]:
    """Give user models their LiteRT file: ``names``, or every model without one.

    Returns ``(name, card entry)`` per model converted; the entry has ``error`` when the
    conversion failed.  Bundled models ship with theirs and are read-only.
    """
    if names:
        cards = [library.find_model(name) for name in names]
    else:
        cards = [c for c in library.list_models() if not c.bundled and not (c.litert or {}).get("file")]
    done = []
    for card in cards:
        if card.bundled:
            raise ModelError(f"'{card.name}' is a bundled model; it already has its LiteRT file")
        model, loaded = library.load_model(card.folder)
        card = library.attach_litert(loaded, model)
        done.append((card.name, card.litert or {}))
    return done
