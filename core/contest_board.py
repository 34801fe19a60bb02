"""The class contest's leaderboard: imported entries, scored on the class's own handwriting.

"Our handwriting": a collection the class drew together on the Draw tab is the test set
every imported model is scored on, through LiteRT (the copy rebuilt at import), side by
side with the test accuracy each student's machine measured.  A drawing whose label a
model does not know is left out of that model's score (a letters model is not asked to
read digits); a letters model that merges upper and lower case is asked for the capital.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np

from core import storage
from core.contest import ContestEntry, list_entries
from core.errors import Cancelled, ContestError, InkLabError
from core.progress import CancelToken, ProgressCallback, no_progress

CSV_COLUMNS = ("rank", "student", "model", "preset", "data set", "test accuracy", "our handwriting",
               "drawings scored", "model included")


@dataclass(frozen=True)
class Score:
    """A model's score on a collection: right answers among the drawings whose label it knows."""

    correct: int
    scored: int
    skipped: int
    error: str = ""

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.scored if self.scored and not self.error else None


@dataclass(frozen=True)
class BoardRow:
    rank: int | None
    entry: ContestEntry
    score: Score | None


def _label_map(collection_labels, model_labels) -> dict[int, int]:
    """Collection class index -> model class index, by name (capitals for a case-merged model)."""
    index = {name: i for i, name in enumerate(model_labels)}
    upper_only = all(name == name.upper() for name in model_labels)
    mapping = {}
    for i, name in enumerate(collection_labels):
        if name in index:
            mapping[i] = index[name]
        elif upper_only and name.upper() in index:
            mapping[i] = index[name.upper()]
    return mapping


def score_entry(entry: ContestEntry, images: np.ndarray, labels: np.ndarray, label_names) -> Score:
    """Score one entry's model on the drawings (uint8 28x28 images, labels indexing ``label_names``)."""
    from core.models.recognizer import Recognizer

    if not entry.has_model:
        return Score(0, 0, len(labels), "no model in the contest file")
    try:
        recognizer = Recognizer.load(entry.folder)
    except InkLabError as err:
        return Score(0, 0, len(labels), str(err))
    mapping = _label_map(label_names, recognizer.label_names)
    known = np.array([int(label) in mapping for label in labels], bool)
    if not known.any():
        return Score(0, 0, len(labels), "it knows none of the collection's labels")
    predictions = recognizer.predict_many(images[known])
    wanted = [recognizer.label_names[mapping[int(label)]] for label in labels[known]]
    correct = sum(p.status != "not-a-character" and p.label == want for p, want in zip(predictions, wanted,
                                                                                      strict=True))
    return Score(int(correct), int(known.sum()), int((~known).sum()))


def score_entries(collection: str, entries: list[ContestEntry] | None = None,
                  progress: ProgressCallback = no_progress, cancel: CancelToken | None = None) -> dict[str, Score]:
    """Every entry's :class:`Score` on the collection ``collection`` (by entry id)."""
    from core.datasets import load_dataset
    from core.datasets.names import check_format, is_collection

    try:
        check_format(collection, "collection")
    except InkLabError as err:
        raise ContestError(str(err)) from None
    if not is_collection(collection):
        raise ContestError(f"no collection called '{collection}' (draw one on the Draw tab)")
    data = load_dataset(collection)
    split = data.split("train")
    if len(split) == 0:
        raise ContestError(f"the collection '{collection}' has no drawings yet")
    entries = list_entries() if entries is None else entries
    scores = {}
    for i, entry in enumerate(entries):
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        progress(i, len(entries), f"Scoring {entry.student}")
        scores[entry.id] = score_entry(entry, split.images, split.labels, data.label_names)
    progress(len(entries), len(entries), "")
    return scores


def ranked(entries: list[ContestEntry], scores: dict[str, Score] | None = None) -> list[BoardRow]:
    """The leaderboard: by "our handwriting" when scored, then by test accuracy; unscorable last."""
    scores = scores or {}

    def key(entry: ContestEntry):
        score = scores.get(entry.id)
        ours = score.accuracy if score is not None else None
        test = entry.test_accuracy
        return (ours is None, -(ours or 0.0), test is None, -(test or 0.0), entry.student.lower())

    rows = []
    for position, entry in enumerate(sorted(entries, key=key), 1):
        rows.append(BoardRow(position, entry, scores.get(entry.id)))
    return rows


def percent(value: float | None) -> str:
    return f"{value:.2%}" if value is not None else "-"


def row_cells(row: BoardRow) -> tuple[str, ...]:
    """One row as the table and the CSV show it (CSV_COLUMNS)."""
    entry, score = row.entry, row.score
    card = entry.card
    dataset = card.get("dataset")
    dataset = dataset.get("name", "") if isinstance(dataset, dict) else str(dataset or "")
    ours = score.error or percent(score.accuracy) if score is not None else "-"
    scored = f"{score.scored}" if score is not None and not score.error else ""
    return (str(row.rank or ""), entry.student, entry.model_name, str(card.get("preset") or "-"), dataset or "-",
            percent(entry.test_accuracy), ours, scored, "yes" if entry.has_model else "no")


def csv_text(rows: list[BoardRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(row_cells(row))
    return out.getvalue()


def write_csv(path, rows: list[BoardRow]) -> None:
    """The leaderboard as CSV, written atomically."""
    try:
        storage.write_bytes(path, csv_text(rows).encode("utf-8"))
    except OSError as err:
        raise ContestError(f"cannot write {path}: {err}") from None
