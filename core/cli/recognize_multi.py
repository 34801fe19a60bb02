"""``inklab recognize --multi FILE...``: read a whole number or word in each drawing or picture.

Stroke JSON, JSONL (one drawing a line), ``-`` (standard input) and pictures; each drawing
is one line of characters written left to right (:mod:`core.models.reading`).  ``--json``
prints one object per drawing::

    {"source", "index", "text", "characters": [{"label", "confidence", "status", "box", "top"}]}

With ``--words`` (and a letters model) each line is read as the closest word of the word
list when one is close (:mod:`core.models.words`); the object then also has ``"word"`` (the
word taken, or null when none was close and the letters stand) and ``"letters"`` (the
letter-by-letter reading).
``box`` is ``[x0, y0, x1, y1]`` in the drawing's coordinates (a picture's pixels).  A bad
file, line or drawing (nothing drawn, more than the strokes or characters one line may
have) is one line on stderr; the others are still read, and the exit code is then 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core import limits
from core.errors import DataError, InkLabError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm"}


@dataclass
class _Line:
    source: str
    index: int
    where: str
    strokes: list | None = None  # a stroke drawing, or
    picture: Path | None = None  # a picture file


def _stroke_line(obj: object, source: str, index: int, where: str) -> _Line:
    from core.imaging.stroke_batches import read_strokes

    return _Line(source, index, where, strokes=read_strokes(obj, where))


def _from_file(path: Path, errors: list[str]) -> Iterator[_Line]:
    """The drawings of one file; a bad line of a JSONL file goes to ``errors``."""
    from core.imaging.stroke_batches import jsonl_lines

    source = str(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".json":
        yield _stroke_line(limits.read_json(path, DataError), source, 0, source)
    elif suffix == ".jsonl":
        any_line = False
        for number, text in jsonl_lines(path):
            any_line = True
            try:
                yield _stroke_line(limits.parse_json(text, f"{path}:{number + 1}", DataError), source, number,
                                   f"{path}:{number + 1}")
            except InkLabError as err:
                errors.append(str(err))
        if not any_line:
            raise DataError(f"{path}: no drawings in this file")
    elif suffix in IMAGE_SUFFIXES:
        yield _Line(source, 0, source, picture=path)
    else:
        raise DataError(f"{path}: --multi reads stroke JSON, JSONL and pictures; a 28x28 matrix is one "
                        "character (recognize it without --multi)")


def _from_stdin(errors: list[str]) -> Iterator[_Line]:
    """The drawings piped in: one stroke JSON document, or JSONL (one a line)."""
    text = sys.stdin.read()
    if not text.strip():
        raise DataError("stdin: no drawings piped in")
    if limits.nesting_depth(text) <= limits.MAX_JSON_DEPTH:
        try:
            obj = json.loads(text)
        except json.JSONDecodeError:
            pass
        else:
            yield _stroke_line(obj, "-", 0, "stdin")
            return
    for number, line in enumerate(text.splitlines()):
        if line.strip():
            try:
                yield _stroke_line(limits.parse_json(line, f"stdin:{number + 1}", DataError), "-", number,
                                   f"stdin:{number + 1}")
            except InkLabError as err:
                errors.append(str(err))


def _read(recognizer, line: _Line, words):
    from core.models.reading import read_image, read_strokes

    if line.picture is not None:
        return read_image(recognizer, line.picture, words=words)
    return read_strokes(recognizer, line.strokes, words=words)


def _word_list(args: argparse.Namespace, recognizer):
    """The words option's list (None without ``--words``); a model without letters is refused."""
    if not (getattr(args, "words", False) or getattr(args, "word_list", None)):
        return None
    from core.models.words import letter_matrix, load_word_list

    letter_matrix(list(recognizer.label_names), f"the {recognizer.name} model")  # ModelError: exit 2
    return load_word_list(args.word_list)


def _row(line: _Line, reading, top: int) -> dict:
    characters = []
    for c in reading.characters:
        characters.append({
            "label": c.label,
            "confidence": round(c.confidence, 6),
            "status": c.status,
            "box": [round(v, 2) for v in c.box],
            "top": [{"label": label, "p": round(p, 6)} for label, p in c.prediction.top[:top]],
        })
    row = {"source": line.source, "index": line.index, "text": reading.text, "characters": characters}
    if reading.word is not None:
        row["word"] = reading.word.word  # None: no word was close, the letters stand
        row["letters"] = "".join(c.prediction.label for c in reading.characters)
    return row


def _table_line(row: dict, width: int) -> str:
    def mark(c: dict) -> str:
        return "" if c["status"] == "sure" else "?" if c["status"] == "unsure" else " (not a character)"

    each = "  ".join(f"{c['label']} {c['confidence']:.0%}{mark(c)}" for c in row["characters"])
    if "word" in row:
        each += f"  (word list: {'no word close to ' + row['letters'] if row['word'] is None else 'letters ' + row['letters']})"
    return f"{row['source']:<{width}}  {row['index']:>4}  {row['text']:<10}  {each}"


def cmd_recognize_multi(args: argparse.Namespace) -> int:
    """``recognize --multi``: every drawing read as a line of characters (module doc)."""
    errors: list[str] = []
    lines: list[_Line] = []
    for name in args.files:
        try:
            lines.extend(_from_stdin(errors) if name == "-" else _from_file(Path(name), errors))
        except InkLabError as err:
            errors.append(str(err))
    rows = []
    if lines:
        from core.models.recognizer import Recognizer

        recognizer = Recognizer.load(args.model)  # a bad model is one error for all: exit 2 via run_cli
        words = _word_list(args, recognizer)
        for line in lines:
            try:
                rows.append(_row(line, _read(recognizer, line, words), args.top))
            except InkLabError as err:
                message = str(err)
                errors.append(message if message.startswith(line.where) else f"{line.where}: {message}")
    for message in errors:
        print(f"inklab: {message}", file=sys.stderr)
    if rows and args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
    elif rows:
        width = max(len("FILE"), *(len(r["source"]) for r in rows))
        print(f"{'FILE':<{width}}  {'#':>4}  {'TEXT':<10}  EACH CHARACTER ('?' not sure)")
        for row in rows:
            print(_table_line(row, width))
    if errors:
        print(f"inklab: {len(errors)} of the inputs could not be read", file=sys.stderr)
        return 2
    return 0
