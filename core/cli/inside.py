"""``inklab inspect MODEL FILE... [--out DIR] [--json]``: look inside a model, as the Draw tab's Inside view.

For each drawing in the files (anything ``recognize`` reads) it prints the answer, every
layer with its output shape and strongest maps, and which ink argued for the answer and
for the second guess.  ``--out DIR`` writes the pictures the window shows, as PNGs: the
input, each layer's feature-map grid (strongest first) or bar row, the first layer's
filters and the "Why?" maps.  ``--json`` prints one object per drawing instead; ``--map`` places each drawing on the map of
what the model learned (and writes it with ``--out``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

from core.errors import DataError, InkLabError

MAX_DRAWINGS = 50  # a JSONL file of thousands would write a folder of thousands of pictures
STRONGEST_SHOWN = 8


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inspect",
        help="look inside a model: every layer's feature maps and why it answered, for a drawing",
        description="Run drawings through a model and show what each layer makes of them (as the Draw "
        "tab's Inside view): feature maps strongest first, the first layer's filters, and which ink "
        "argued for the answer and for the second guess (occlusion, through the model's LiteRT copy).",
    )
    parser.add_argument("model", help="bundled model (digits, letters), a library model's name, or a .keras file")
    parser.add_argument("files", nargs="+", metavar="FILE", help="what recognize reads: image, stroke JSON/JSONL, 28x28 matrix; - for stdin")
    parser.add_argument("--out", metavar="DIR", help="write the pictures as PNGs into DIR (made if missing)")
    parser.add_argument("--json", action="store_true", help="one JSON object per drawing")
    parser.add_argument(
        "--map", action="store_true",
        help="also place each drawing on the map of what the model learned (2,000 test samples, PCA of "
        "its last layer's input): where it sits and among which class; with --out, NAME-map.png",
    )
    parser.set_defaults(handler=cmd_inspect)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _pictures(inside, saliency, probe, answer: int, second: int | None, labels: list[str]) -> dict[str, np.ndarray]:
    """The named pictures of one drawing, in the order the window shows them."""
    from core.inside import pictures

    out = {"input": pictures.input_picture(inside.image)}
    for number, activation in enumerate(inside.activations, start=1):
        layer = activation.layer
        picture = pictures.map_grid(activation, cell=3) if layer.has_maps else pictures.bar_row(activation.values, 3)
        out[f"{number:02d}-{_slug(layer.name)}"] = picture
    kernels = probe.filters()
    if kernels is not None:
        out["filters"] = pictures.filter_grid(kernels, columns=min(16, len(kernels)))
    out[f"why-{_slug(labels[answer])}"] = pictures.saliency_picture(inside.image, saliency.for_class(answer))
    if second is not None:
        out[f"why-not-{_slug(labels[second])}"] = pictures.saliency_picture(inside.image, saliency.for_class(second))
    return out


def _describe(drawing, prediction, inside, saliency, probe, labels: list[str]) -> dict:
    answer = labels.index(prediction.label)
    second = labels.index(prediction.top[1][0]) if len(prediction.top) > 1 else None
    layers = [{"name": "input", "kind": "input", "shape": [28, 28], "detail": "the 28x28 image the model reads"}]
    for activation in inside.activations:
        layer = activation.layer
        entry = {"name": layer.name, "kind": layer.kind, "shape": list(layer.shape), "detail": layer.detail}
        if layer.has_maps:
            entry["strongest"] = [int(i) for i in activation.strongest()[:STRONGEST_SHOWN]]
        else:
            entry["strongest_units"] = [int(i) for i in activation.strongest()[:STRONGEST_SHOWN]]
        layers.append(entry)
    layers.append({"name": "probabilities", "kind": "output", "shape": [len(inside.probabilities)], "detail": "softmax"})
    return {
        "source": drawing.source,
        "index": drawing.index,
        "label": prediction.label,
        "status": prediction.status,
        "top": [{"label": label, "p": round(p, 6)} for label, p in prediction.top[:3]],
        "layers": layers,
        "filters": probe.first_conv() is not None,
        "saliency": {
            "method": "occlusion",
            "class": labels[answer],
            "strength": round(saliency.strength(answer), 4),
            **({"second": labels[second], "second_strength": round(saliency.strength(second), 4)} if second is not None else {}),
        },
        "_answer": answer,
        "_second": second,
    }


def _print_text(row: dict) -> None:
    top = ", ".join(f"{t['label']} {t['p']:.1%}" for t in row["top"])
    where = row["source"] + (f"[{row['index']}]" if row["index"] else "")
    print(f"{where}: {row['label']} ({row['status']}); top {top}")
    for layer in row["layers"]:
        shape = "×".join(str(d) for d in layer["shape"])
        strongest = layer.get("strongest") or layer.get("strongest_units")
        extra = f"  strongest {'maps' if 'strongest' in layer else 'units'} {', '.join(map(str, strongest[:5]))}" if strongest else ""
        print(f"  {layer['name']:<14} {shape:<10} {layer['detail']}{extra}")
    if not row["filters"]:
        print("  (no convolution: this model has no filters to show)")
    why = row["saliency"]
    line = f"  why {why['class']}: strongest ink moves log p by {why['strength']:.2f}"
    if "second" in why:
        line += f"; why not {why['second']}: {why['second_strength']:.2f}"
    print(line)
    if "map" in row:
        where = row["map"]
        print(f"  on the map of {where['samples']} {where['dataset']} test samples: at ({where['x']:.2f}, "
              f"{where['y']:.2f}), among the {where['among']}s ({where['count']} of its {where['neighbours']} nearest)")
    for name in row.get("files", []):
        print(f"  wrote {name}")


def cmd_inspect(args: argparse.Namespace) -> int:
    from core import storage
    from core.cli.recognize import read_drawings
    from core.inside import feature_map
    from core.inside.pictures import png_bytes
    from core.inside.probe import probe_for
    from core.inside.saliency import occlusion
    from core.models.recognizer import Recognizer

    learned = None
    errors: list[str] = []
    drawings = read_drawings(args.files, errors)
    if len(drawings) > MAX_DRAWINGS:
        errors.append(f"{len(drawings)} drawings given: inspect looks at the first {MAX_DRAWINGS}")
        drawings = drawings[:MAX_DRAWINGS]
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not out.is_dir():
        raise DataError(f"--out {out}: a file is in the way, not a folder")
    for line in errors:
        print(f"inklab: {line}", file=sys.stderr)
    if drawings:
        recognizer = Recognizer.load(args.model)  # a bad model is one error for all: exit 2 via run_cli
        probe = probe_for(recognizer)
        labels = recognizer.label_names
        predictions = recognizer.predict_many(np.stack([d.image for d in drawings]))
        per_source: dict[str, int] = {}
        for drawing in drawings:
            per_source[drawing.source] = per_source.get(drawing.source, 0) + 1
        for drawing, prediction in zip(drawings, predictions, strict=True):
            inside = probe.look(drawing.image)
            saliency = occlusion(probe, drawing.image)
            row = _describe(drawing, prediction, inside, saliency, probe, labels)
            pictures = _pictures(inside, saliency, probe, row["_answer"], row["_second"], labels) if out else {}
            if args.map:
                learned = learned or feature_map.build(recognizer)
                point = learned.project(inside.features)
                among, count = learned.neighbourhood(point)
                row["map"] = {"dataset": learned.dataset, "samples": len(learned.points), "x": round(float(point[0]), 4),
                              "y": round(float(point[1]), 4), "among": learned.label_names[among], "count": count,
                              "neighbours": 15}
                if out is not None:
                    from core.inside.pictures import map_picture

                    pictures["map"] = map_picture(learned.points, learned.labels, len(learned.label_names), point)
            if out is not None:
                try:
                    out.mkdir(parents=True, exist_ok=True)
                    prefix = _slug(Path(drawing.source).stem) + (f"-{drawing.index}" if per_source[drawing.source] > 1 else "")
                    files = []
                    for name, picture in pictures.items():
                        path = out / f"{prefix}-{name}.png"
                        storage.write_bytes(path, png_bytes(picture))
                        files.append(str(path))
                    row["files"] = files
                except OSError as err:
                    raise DataError(f"--out {out}: cannot write the pictures ({err.strerror or err})") from None
            row.pop("_answer"), row.pop("_second")
            if args.json:
                print(json.dumps(row, ensure_ascii=False))
            else:
                _print_text(row)
    if errors:
        return 2
    if not drawings:
        raise InkLabError("no drawings to inspect")
    return 0
