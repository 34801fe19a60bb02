"""``inklab recognize FILE... [--model digits|letters|NAME|PATH] [--top K] [--json]``.

Each FILE is an image, a stroke JSON file, a ``.jsonl`` file of stroke objects (one per
line), or a ready 28x28 matrix (``.npy``, or whitespace-separated ``.txt``/``.dat``).
All drawings are gathered first and predicted in batches, so a JSONL file of thousands of
drawings costs a handful of model calls.  A bad file (or a bad line) prints one line on
stderr and the rest are still recognised; the exit code is then 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import limits
from core.errors import DataError, DrawingError, InkLabError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm"}
MATRIX_TEXT_SUFFIXES = {".txt", ".dat", ".csv"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "recognize",
        help="recognise drawings: images, stroke JSON/JSONL, 28x28 matrices",
        description="Recognise handwritten characters in images (PNG/JPG/BMP), stroke JSON files "
        '({"strokes": [[[x, y], ...], ...]}), .jsonl batches (one such object per line) and '
        "ready 28x28 matrices (.npy, or .txt/.dat as np.loadtxt reads them; white on dark, 0-1 or 0-255).",
    )
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="a file to recognise; - reads stroke JSON or JSONL from stdin"
    )
    parser.add_argument(
        "--model", default="digits",
        help="bundled model (digits, letters), a library model's name, or a .keras file (default: digits)",
    )
    parser.add_argument(
        "--top", type=int, default=3, metavar="K", help="how many best guesses to show (default 3)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per drawing")
    parser.add_argument(
        "--multi", action="store_true",
        help="read several characters written on one line (a number, a word) in each stroke drawing or picture",
    )
    parser.add_argument(
        "--words", action="store_true",
        help="with --multi and a letters model: read each line as the closest word of a word list when one "
        "is close (default: letter by letter, as names and codes need)",
    )
    parser.add_argument(
        "--word-list", metavar="FILE",
        help="the word list for --words: one word a line, letters a-z (default: the bundled English list)",
    )
    parser.set_defaults(handler=cmd_recognize)


@dataclass
class _Drawing:
    source: str
    index: int
    image: np.ndarray  # float32 (28, 28), 0..1


def _matrix(array: np.ndarray, where: str) -> list[np.ndarray]:
    """28x28 (or 784 flat, or N of them) white-on-dark values in 0..1 or 0..255 -> 0..1 floats."""
    if not np.issubdtype(array.dtype, np.number):
        raise DataError(f"{where}: expected numbers, got {array.dtype}")
    original_shape = array.shape
    array = array.astype(np.float32)
    if array.shape in ((784,), (1, 784)):
        array = array.reshape(28, 28)
    if array.ndim == 2 and array.shape[1] == 784:
        array = array.reshape(-1, 28, 28)
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or array.shape[1:] != (28, 28) or len(array) == 0:
        raise DataError(f"{where}: expected a 28x28 matrix, got shape {original_shape}")
    if not np.isfinite(array).all():
        raise DataError(f"{where}: the matrix contains NaN or infinite values")
    low, high = float(array.min()), float(array.max())
    if low < 0 or high > 255:
        raise DataError(f"{where}: values must lie in 0..1 or 0..255, found {low:g}..{high:g}")
    if high > 1.0:
        array = array / 255.0
    return list(array)


def _read_matrix_file(path: Path) -> list[np.ndarray]:
    limits.check_file_size(path, limits.MAX_MATRIX_FILE_BYTES, DataError, "matrix file")
    try:
        if path.suffix.lower() == ".npy":
            array = np.load(path, allow_pickle=False)
        else:
            array = np.loadtxt(path, delimiter="," if path.suffix.lower() == ".csv" else None, ndmin=2)
    except (ValueError, OSError, EOFError, MemoryError, OverflowError, TypeError) as err:
        raise DataError(f"{path}: not a readable matrix ({err})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        raise DataError(f"{path}: not a matrix of numbers")
    return _matrix(np.asarray(array), str(path))


def _read_json(path: Path) -> object:
    return limits.read_json(path, DataError)  # bounded in size and nesting depth


def _strokes_to_image(obj: object, where: str) -> np.ndarray:
    from core.imaging import render_strokes
    from core.imaging.stroke_batches import read_strokes

    strokes = read_strokes(obj, where)
    try:
        return render_strokes(strokes)
    except DrawingError as err:
        raise DrawingError(f"{where}: {err}") from None


def _load_file(path: Path, errors: list[str]) -> list[_Drawing]:
    """Every drawing in one file; per-line problems of a JSONL file go to ``errors``."""
    source = str(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        from core.imaging.stroke_batches import jsonl_lines, render_lines

        # A first, cheap pass: a file with too many drawings is refused before any is drawn.
        count = sum(1 for _ in jsonl_lines(path))
        drawings = _sorted_out(render_lines(jsonl_lines(path), str(path), count), source, errors)
        if not drawings and not errors:
            raise DataError(f"{path}: no drawings in this file")
        return drawings
    if suffix == ".json":
        return [_Drawing(source, 0, _strokes_to_image(_read_json(path), source))]
    if suffix == ".npy" or suffix in MATRIX_TEXT_SUFFIXES:
        images = _read_matrix_file(path)
        drawings = []
        for i, image in enumerate(images):
            if image.any():
                drawings.append(_Drawing(source, i, image))
            else:  # an all-black matrix has nothing to recognise; say so instead of guessing
                errors.append(f"{path}" + (f"[{i}]" if len(images) > 1 else "") + ": the matrix is blank")
        return drawings
    from core.imaging import image_to_input

    try:
        image = image_to_input(path)
    except InkLabError as err:
        message = str(err)
        raise type(err)(message if str(path) in message else f"{path}: {message}") from None
    except (OSError, ValueError) as err:
        raise DataError(f"{path}: not a readable image ({err})") from None
    return [_Drawing(source, 0, image)]


def read_stdin(errors: list[str], stream=None) -> list[_Drawing]:
    """The drawings piped in: one stroke JSON object (may span lines) or JSONL, one per line.

    The whole input is tried as one JSON document first, so a pretty-printed drawing works
    too; otherwise each non-blank line is one drawing, and a bad line goes to ``errors``.
    """
    text = (sys.stdin if stream is None else stream).read()
    if not text.strip():
        raise DataError("stdin: no drawings piped in")
    # Under the same nesting bound as every JSON InkLab reads (limits.parse_json); deeper
    # input is read line by line below, where a too-deep line is that line's own error.
    if limits.nesting_depth(text) <= limits.MAX_JSON_DEPTH:
        try:
            return [_Drawing("-", 0, _strokes_to_image(json.loads(text), "stdin"))]
        except json.JSONDecodeError:
            pass
    from core.imaging.stroke_batches import render_chunk

    # Each line as a line of a .jsonl file is read (the same checks and messages, "stdin:N").
    lines = [(number, line) for number, line in enumerate(text.splitlines()) if line.strip()]
    return _sorted_out(render_chunk(lines, "stdin"), "-", errors)


def _sorted_out(rendered, source: str, errors: list[str]) -> list[_Drawing]:
    """The rendered lines as drawings; each bad line's message goes to ``errors``."""
    drawings = []
    for number, result in rendered:
        if isinstance(result, str):
            errors.append(result)
        else:
            drawings.append(_Drawing(source, number, result))
    return drawings


def read_drawings(names: list[str], errors: list[str]) -> list[_Drawing]:
    """Every drawing in the named files (``-`` is standard input); each problem goes to ``errors``."""
    drawings: list[_Drawing] = []
    for name in names:
        try:
            drawings.extend(read_stdin(errors) if name == "-" else _load_file(Path(name), errors))
        except InkLabError as err:
            errors.append(str(err))
    return drawings


def _table(rows: list[dict], top: int) -> str:
    width = max(len("FILE"), *(len(r["source"]) for r in rows))
    lines = [f"{'FILE':<{width}}  {'#':>4}  {'LABEL':<6} {'CONF':>6}  TOP {top}"]
    for r in rows:
        guesses = "  ".join(f"{t['label']} {t['p']:.1%}" for t in r["top"])
        mark = "?" if r["unsure"] else " "
        rejected = r["status"] == "not-a-character"
        # A non-character has no label: "-" (its nearest classes are still in TOP).
        label, confidence = ("-", "-") if rejected else (r["label"], f"{r['confidence']:.1%}")
        lines.append(
            f"{r['source']:<{width}}  {r['index']:>4}  {label:<5}{' ' if rejected else mark} "
            f"{confidence:>6}  {guesses}"
            + ("  (not a character)" if rejected else "")
        )
    return "\n".join(lines)


def cmd_recognize(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise DataError(f"--top must be at least 1, not {args.top}")
    if (args.words or args.word_list) and not args.multi:
        raise DataError("--words reads a line of several characters: add --multi")
    if args.multi:
        from core.cli.recognize_multi import cmd_recognize_multi

        return cmd_recognize_multi(args)
    errors: list[str] = []
    drawings = read_drawings(args.files, errors)
    for line in errors:
        print(f"inklab: {line}", file=sys.stderr)
    if drawings:
        from core.models.recognizer import Recognizer

        recognizer = Recognizer.load(args.model)  # a bad model is one error for all: exit 2 via run_cli
        predictions = recognizer.predict_many(np.stack([d.image for d in drawings]))
        k = min(args.top, recognizer.n_classes)
        rows = [
            {
                "source": d.source,
                "index": d.index,
                "label": p.label,
                "confidence": round(p.confidence, 6),
                "top": _top_k(p, recognizer.label_names, k),
                "status": p.status,
                "unsure": p.unsure,
            }
            for d, p in zip(drawings, predictions, strict=True)
        ]
        if args.json:  # "status" says sure / unsure / not-a-character; "unsure" is its shadow
            for row in rows:
                row.pop("unsure")
                print(json.dumps(row, ensure_ascii=False))
        else:
            print(_table(rows, k))
    if errors:
        print(f"inklab: {len(errors)} of the inputs could not be recognised", file=sys.stderr)
        return 2
    return 0


def _top_k(prediction, label_names: list[str], k: int) -> list[dict]:
    order = np.argsort(prediction.probabilities)[::-1][:k]
    probabilities = prediction.probabilities
    return [{"label": label_names[int(i)], "p": round(float(probabilities[int(i)]), 6)} for i in order]
