"""Small UNIPEN files and a tiny ``unipen-1abc.tar.xz``, written in the real format and layout.

The layout is the train_r01_v07 distribution's: ``data/1a|1b|1c/<contributor>/<batch>/<file>.dat``
segment files that ``.INCLUDE`` a header (``<contributor>/<contributor>.doc``) and the pen
data (``<contributor>/data/<batch>/<file>.dat``), both under ``include/``.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import numpy as np

DOC = """.VERSION 1.0
.DATA_SOURCE test
.COORD X Y
.X_POINTS_PER_INCH 1000
.Y_POINTS_PER_INCH 1000
.PAD     Machine name: test pad
         .PEN_DOWN here is free text of the .PAD header, not pen data
"""

# One person per writer id, except IBM's "rSS-WW" session ids: r00-04 and r01-04 are one person.
WRITERS = (("abc", "w0"), ("abc", "w1"), ("abc", "w2"), ("abc", "w3"), ("abc", "w4"), ("abc", "w5"),
           ("ibm", "r00-04"), ("ibm", "r01-04"))
PART_LABELS = {"1a": "0123456789", "1b": "ABCDEFGHIJ", "1c": "abcdefghij"}


def stroke(seed: int, n: int = 12) -> list[tuple[int, int]]:
    """A wiggly line of ``n`` integer tablet points (y up), different for every seed."""
    rng = np.random.default_rng(seed)
    steps = rng.integers(-30, 31, size=(n, 2)) + np.array([15, 25])
    return [tuple(int(v) for v in p) for p in np.cumsum(steps, axis=0) + 1000]


def pen_entry(kind: str, points) -> str:
    return f".{kind}\n" + "".join(f"{x} {y}\n" for x, y in points)


def pen_file(writer: str, strokes: list[list[tuple[int, int]]], hover_after: int | None = None) -> str:
    """A pen-data file: the writer, then one .PEN_DOWN per stroke (and a hovering .PEN_UP with points)."""
    text = f".WRITER_ID {writer}\n"
    for i, points in enumerate(strokes):
        text += pen_entry("PEN_DOWN", points)
        text += ".PEN_UP\n"  # no points: not a component
        if i == hover_after:
            text += pen_entry("PEN_UP", [(5, 5), (9, 9), (12, 12)])  # the pen hovering: counted, not drawn
    return text


def write_tree(root: Path, writers=WRITERS, dot_in: str | None = "1c") -> dict[str, int]:
    """A train_r01_v07 tree under ``root``; returns how many segments each part has.

    Every writer writes each part's labels once (one stroke each; the first has a hovering
    pen after it, so later components are numbered past it).  With ``dot_in`` the last
    writer's last sample of that part is a single dot (skipped by the built-in sets).
    """
    counts = {part: 0 for part in PART_LABELS}
    for w, (contributor, writer) in enumerate(writers):
        doc = root / "include" / contributor / f"{contributor}.doc"
        doc.parent.mkdir(parents=True, exist_ok=True)
        doc.write_text(DOC)
        for p, (part, labels) in enumerate(PART_LABELS.items()):
            strokes = [stroke(1000 * w + 100 * p + i) for i in range(len(labels))]
            if dot_in == part and w == len(writers) - 1:
                strokes[-1] = [(700, 700)]
            pen = root / "include" / contributor / "data" / f"b{p}" / f"{writer}.dat"
            pen.parent.mkdir(parents=True, exist_ok=True)
            pen.write_text(pen_file(writer, strokes, hover_after=0))
            # Components: 0 = stroke 0, 1 = the hovering pen, then stroke i is component i + 1.
            lines = [".VERSION 1.0", f".INCLUDE {contributor}/{contributor}.doc",
                     f".INCLUDE {contributor}/data/b{p}/{writer}.dat"]
            for i, label in enumerate(labels):
                component = 0 if i == 0 else i + 1
                lines.append(f'.SEGMENT CHARACTER {component} ? "{label}"')
            segment = root / "data" / part / contributor / f"b{p}" / f"{writer}.dat"
            segment.parent.mkdir(parents=True, exist_ok=True)
            segment.write_text("\n".join(lines) + "\n")
            counts[part] += len(labels)
    return counts


def write_archive(path: Path, writers=WRITERS) -> dict[str, int]:
    """A tiny ``unipen-1abc.tar.xz`` at ``path`` (its parent is created); returns the segments per part."""
    tree = path.parent.parent / "unipen-source" / "train_r01_v07"
    counts = write_tree(tree, writers)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:xz") as archive:
        archive.add(tree, arcname="train_r01_v07")
    return counts
