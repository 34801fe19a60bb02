"""Contest files: a student's model, its card and test metrics in one small file, and their import.

A class contest runs without a network: every student exports a contest file
(``NAME.inklab-contest``, a zip holding ``contest.json`` and, optionally, ``model.keras``);
the teacher imports a folder of them (a USB stick, a shared drive) into the leaderboard
(:mod:`core.contest_board`).

A contest file comes from another machine, so it is untrusted: the file and every member
are bounded before anything is inflated, only the two member names above are accepted (a
``model.tflite`` inside is never read: the LiteRT copy is rebuilt here from the Keras
model), ``contest.json`` is parsed with InkLab's bounded JSON reader and checked field by
field, and the model is loaded only through :func:`core.models.library.load_model`: Keras
``safe_mode`` (no Lambda layers, no code), then InkLab's checks (one 28x28x1 input, as many
outputs as the card names classes).  Each bad file is refused with one line naming it;
the others are still imported.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import re
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from core import limits, storage
from core.errors import Cancelled, ContestError, InkLabError, ModelError
from core.progress import CancelToken, ProgressCallback, no_progress
from core.version import app_version

log = logging.getLogger(__name__)

SUFFIX = ".inklab-contest"
FORMAT = "inklab-contest"
VERSION = 1
INFO = "contest.json"
MODEL = "model.keras"
IGNORED = ("model.tflite",)  # never read: LiteRT files are rebuilt here from the Keras model
CONTEST_DIR = "contest"  # the imported entries, in the user data folder
ENTRY_FILE = "entry.json"
MiB = 1024 * 1024
MAX_FILE_BYTES = 64 * MiB  # a whole contest file (the largest preset's model is ~10 MB)
MAX_INFO_BYTES = 256 * 1024
MAX_MODEL_BYTES = 128 * MiB  # model.keras, inflated
MAX_FILES = 500  # contest files read from one folder
MAX_CLASSES = 200
MAX_NAME = 64
CARD_KEYS = ("name", "created", "classes", "label_names", "input", "outputs", "preprocess_version", "params",
             "dataset", "preset", "training", "reject", "status", "epochs_done", "elapsed_s", "device")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class ContestEntry:
    """One imported contest file: who, which model, what it claims, and where it now lives."""

    id: str
    student: str
    model_name: str
    card: dict = field(repr=False)
    test: dict
    source: str
    folder: Path
    has_model: bool

    @property
    def test_accuracy(self) -> float | None:
        value = self.test.get("accuracy")
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    @property
    def label_names(self) -> list[str]:
        return list(self.card["label_names"])


@dataclass
class ImportReport:
    """What importing a folder did: the entries imported and one line per refused file."""

    imported: list[ContestEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def contest_dir() -> Path:
    return storage.subdir(CONTEST_DIR)


def _clean_text(value: object, what: str, limit: int = MAX_NAME) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ContestError(f"its {what} is missing")
    text = " ".join(value.split())
    if len(text) > limit or not text.isprintable():
        raise ContestError(f"its {what} is not a short line of text")
    return text


# --------------------------------------------------------------------------- export


def export_contest(model: str | Path, to: str | Path, student: str | None = None,
                   include_model: bool = True) -> Path:
    """Write ``<to>/<student>-<model>.inklab-contest`` (atomically); returns its path.

    The card (without its history) and its test metrics always; ``model.keras`` unless
    ``include_model`` is off (a file that then only claims its score).
    """
    from core.models import library

    card = library.find_model(model)
    test = card.data.get("test") or {}
    if not isinstance(test.get("accuracy"), (int, float)):
        raise ContestError(f"model '{card.name}' has no test accuracy in its card: test it before the contest")
    who = _clean_text(student or card.name, "student name")
    info = {
        "format": FORMAT, "version": VERSION, "inklab": app_version(),
        "exported": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "student": who,
        "card": {key: card.data[key] for key in CARD_KEYS if key in card.data},
        "test": {key: test[key] for key in ("accuracy", "loss", "samples") if key in test},
        "includes_model": bool(include_model),
    }
    folder = Path(to).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ContestError(f"cannot write to {folder}: {err}") from None
    stem = _SAFE.sub("-", who if student else card.name).strip("-.") or "entry"
    target = folder / f"{stem}{'' if stem == card.name or not student else '-' + _SAFE.sub('-', card.name)}{SUFFIX}"
    model_path = card.model_path
    try:
        with storage.atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(INFO, json.dumps(info, indent=1))
            if include_model:
                archive.write(model_path, MODEL)
    except OSError as err:
        raise ContestError(f"cannot write the contest file {target}: {err}") from None
    return target


# --------------------------------------------------------------------------- reading one file


def _check_members(path: Path) -> list[zipfile.ZipInfo]:
    limits.check_file_size(path, MAX_FILE_BYTES, ContestError, "contest file")
    if not zipfile.is_zipfile(path):
        raise ContestError(f"{path}: not a contest file (it is not a zip archive)")
    members = limits.check_zip_members(path, ContestError, MAX_MODEL_BYTES, MAX_MODEL_BYTES + MAX_INFO_BYTES,
                                       what="contest file")
    seen = set()
    for member in members:
        name = member.filename
        if "/" in name or "\\" in name or ".." in name or ":" in name:
            raise ContestError(f"{path}: a member is named '{name[:80]}', a path: "
                               f"a contest file holds only {INFO} and {MODEL}")
        if name not in (INFO, MODEL, *IGNORED):
            raise ContestError(f"{path}: unexpected member '{name[:80]}' (a contest file holds only {INFO} and {MODEL})")
        if name in seen:
            raise ContestError(f"{path}: '{name}' appears twice in the archive")
        seen.add(name)
    if INFO not in seen:
        raise ContestError(f"{path}: no {INFO} inside: not a contest file")
    info = next(m for m in members if m.filename == INFO)
    if info.file_size > MAX_INFO_BYTES:
        raise ContestError(f"{path}: {INFO} is {info.file_size // 1024} KB; a contest file's is at most "
                           f"{MAX_INFO_BYTES // 1024} KB")
    return members


def _read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with archive.open(name) as stream:
        data = stream.read(limit + 1)  # zipfile stops at the declared size; this also bounds a lie
    if len(data) > limit:
        raise ContestError(f"'{name}' is larger than {limit // MiB or 1} MB")
    return data


def _check_card(card: object) -> dict:
    if not isinstance(card, dict):
        raise ContestError("it has no model card")
    labels = card.get("label_names")
    if (not isinstance(labels, list) or not 2 <= len(labels) <= MAX_CLASSES
            or not all(isinstance(x, str) and 0 < len(x) <= 32 and x.isprintable() for x in labels)
            or len(set(labels)) != len(labels)):
        raise ContestError(f"its card has no usable class names (2 to {MAX_CLASSES} different short names)")
    classes = card.get("classes", len(labels))
    if classes != len(labels):
        raise ContestError(f"its card says {classes!r} classes but names {len(labels)}")
    if card.get("outputs") not in ("logits", "softmax"):
        raise ContestError("its card does not say whether the model gives logits or softmax")
    _clean_text(card.get("name"), "model name")
    return {key: card[key] for key in CARD_KEYS if key in card}


def _check_test(test: object) -> dict:
    if not isinstance(test, dict):
        raise ContestError("it has no test metrics")
    accuracy = test.get("accuracy")
    if isinstance(accuracy, bool) or not isinstance(accuracy, (int, float)) or not 0 <= accuracy <= 1:
        raise ContestError(f"its test accuracy {accuracy!r} is not a number from 0 to 1")
    out = {"accuracy": float(accuracy)}
    loss = test.get("loss")
    if isinstance(loss, (int, float)) and not isinstance(loss, bool) and loss == loss and abs(loss) < 1e9:
        out["loss"] = float(loss)
    samples = test.get("samples")
    if isinstance(samples, int) and not isinstance(samples, bool) and 0 < samples < 10**9:
        out["samples"] = samples
    return out


def read_contest_file(path: str | Path) -> tuple[dict, bool]:
    """The checked ``contest.json`` of a contest file and whether it holds a model; ContestError else."""
    path = Path(path)
    members = _check_members(path)
    try:
        with zipfile.ZipFile(path) as archive:
            raw = _read_member(archive, INFO, MAX_INFO_BYTES)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        raise ContestError(f"{path}: cannot read {INFO} ({err})") from None
    except ContestError as err:
        raise ContestError(f"{path}: {err}") from None
    try:
        info = limits.parse_json(raw, f"{path}: {INFO}", ContestError)
        if not isinstance(info, dict) or info.get("format") != FORMAT:
            raise ContestError(f"{INFO} is not an InkLab contest description")
        if not isinstance(info.get("version"), int) or info["version"] > VERSION:
            raise ContestError(f"it is from a newer InkLab (contest format {info.get('version')!r})")
        checked = {"student": _clean_text(info.get("student"), "student name"),
                   "card": _check_card(info.get("card")), "test": _check_test(info.get("test"))}
    except ContestError as err:
        text = str(err)
        raise ContestError(text if text.startswith(str(path)) else f"{path}: {text}") from None
    has_model = any(m.filename == MODEL for m in members)
    if info.get("includes_model") and not has_model:
        raise ContestError(f"{path}: it says it includes the model, but {MODEL} is not inside")
    return checked, has_model


# --------------------------------------------------------------------------- import


def _entry_id(student: str, model: str, digest: str) -> str:
    return f"{_SAFE.sub('-', student).strip('-.')[:40] or 'entry'}-{digest[:8]}"


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(MiB), b""):
            sha.update(block)
    return sha.hexdigest()


def import_contest_file(path: str | Path) -> ContestEntry:
    """Check and import one contest file into the leaderboard (the same file again replaces itself)."""
    from core.models import library
    from core.models.card import CARD_FORMAT, CARD_VERSION, MODEL_FILE, write_card

    path = Path(path)
    info, has_model = read_contest_file(path)
    entry_id = _entry_id(info["student"], info["card"]["name"], _digest(path))
    final = contest_dir() / entry_id
    card = {"format": CARD_FORMAT, "card_version": CARD_VERSION, **info["card"], "name": entry_id,
            "test": info["test"]}
    card.pop("litert", None)  # rebuilt here, never taken from the file
    entry = {"id": entry_id, "student": info["student"], "model_name": info["card"]["name"],
             "test": info["test"], "source": path.name, "has_model": has_model,
             "imported": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")}
    with storage.writer_lock("contest", entry_id), storage.replace_folder(final) as staged:
        write_card(staged, card)
        if has_model:
            try:
                with zipfile.ZipFile(path) as archive, archive.open(MODEL) as source, \
                        (staged / MODEL_FILE).open("wb") as target:
                    shutil.copyfileobj(source, target, MiB)  # bounded: the declared size was checked
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
                raise ContestError(f"{path}: cannot read its model ({err})") from None
            try:
                model, loaded = library.load_model(staged)  # safe_mode + InkLab's checks (it writes nothing)
                library.attach_litert(loaded, model)  # its model.tflite, made here
            except ModelError as err:
                reason = str(err).split(": ", 1)[-1] if str(err).startswith(str(staged)) else str(err)
                raise ContestError(f"{path}: its model is refused: {reason}") from None
        storage.write_json(staged / ENTRY_FILE, entry)
    log.info("imported contest file %s as %s", path, entry_id)
    return _entry_from(final)


def contest_files(folder: str | Path) -> list[Path]:
    """The contest files in ``folder`` (not its sub-folders), at most :data:`MAX_FILES`."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise ContestError(f"{folder}: not a folder")
    files = sorted(p for p in folder.iterdir() if p.name.endswith(SUFFIX) and not p.name.startswith("."))
    if len(files) > MAX_FILES:
        raise ContestError(f"{folder}: {len(files)} contest files; InkLab imports at most {MAX_FILES} at once")
    if not files:
        raise ContestError(f"{folder}: no contest files (*{SUFFIX}) in this folder")
    return files


def import_folder(folder: str | Path, progress: ProgressCallback = no_progress,
                  cancel: CancelToken | None = None) -> ImportReport:
    """Import every contest file in ``folder``; a bad file is one line in ``problems``, never the end."""
    report = ImportReport()
    files = contest_files(folder)
    for i, path in enumerate(files):
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        progress(i, len(files), f"Importing {path.name}")
        try:
            report.imported.append(import_contest_file(path))
        except InkLabError as err:
            report.problems.append(str(err))
        except Exception as err:  # a file must never take the other imports down
            log.warning("contest file %s failed", path, exc_info=True)
            report.problems.append(f"{path}: cannot be imported ({type(err).__name__})")
    progress(len(files), len(files), "")
    return report


# --------------------------------------------------------------------------- the imported entries


def _entry_from(folder: Path) -> ContestEntry:
    data = limits.read_json(folder / ENTRY_FILE, ContestError)
    card = limits.read_json(folder / "card.json", ContestError)
    if not isinstance(data, dict) or not isinstance(card, dict):
        raise ContestError(f"{folder}: damaged contest entry")
    return ContestEntry(str(data.get("id")), str(data.get("student")), str(data.get("model_name")), card,
                        dict(data.get("test") or {}), str(data.get("source")), folder, bool(data.get("has_model")))


def list_entries() -> list[ContestEntry]:
    """The imported entries (a damaged one is skipped and logged)."""
    root = contest_dir()
    entries = []
    for folder in sorted(root.iterdir()):
        if folder.name.startswith(".") or not (folder / ENTRY_FILE).is_file():
            continue
        try:
            entries.append(_entry_from(folder))
        except InkLabError as err:
            log.warning("skipping contest entry %s: %s", folder, err)
    return entries


def remove_entries(ids: Iterable[str] | None = None) -> int:
    """Forget imported entries (all when ``ids`` is None); returns how many were removed."""
    removed = 0
    for entry in list_entries():
        if ids is None or entry.id in set(ids):
            shutil.rmtree(entry.folder, ignore_errors=True)
            removed += 1
    return removed
