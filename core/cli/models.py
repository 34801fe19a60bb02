"""``inklab models list|info|delete|rename|export|convert``: the model library from a terminal."""

from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("models", help="list, inspect, rename and delete saved models")
    commands = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help="your saved models, then the bundled ones")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.set_defaults(handler=cmd_list)

    info = commands.add_parser("info", help="a model's card: classes, data, settings, test metrics, layers")
    info.add_argument("name", help="model name, or a path to a model folder/.keras file")
    info.add_argument("--json", action="store_true", help="print the card as JSON")
    info.set_defaults(handler=cmd_info)

    delete = commands.add_parser("delete", help="delete one of your models")
    delete.add_argument("name")
    delete.set_defaults(handler=cmd_delete)

    rename = commands.add_parser("rename", help="rename one of your models")
    rename.add_argument("name")
    rename.add_argument("new_name")
    rename.set_defaults(handler=cmd_rename)

    export = commands.add_parser(
        "export", help="write a model others can run elsewhere (LiteRT or SavedModel) or a class contest file"
    )
    export.add_argument("name", help="model name, or a path to a model folder/.keras file")
    export.add_argument("--to", required=True, metavar="DIR", help="folder to write <DIR>/<name>/ into")
    export.add_argument("--format", choices=("tflite", "savedmodel", "contest"), default="tflite",
                        help="tflite (LiteRT, default), savedmodel (TensorFlow SavedModel) or contest "
                        "(one small .inklab-contest file: card, test metrics and the model)")
    export.add_argument("--student", help="contest: the name on the leaderboard (default: the model's)")
    export.add_argument("--without-model", action="store_true",
                        help="contest: the card and test metrics only (the model cannot be scored then)")
    export.set_defaults(handler=cmd_export)

    convert = commands.add_parser(
        "convert", help="add the LiteRT file (model.tflite) to models saved without one"
    )
    convert.add_argument("names", nargs="*", metavar="NAME", help="models to (re)convert (default: all missing)")
    convert.set_defaults(handler=cmd_convert)


def _accuracy(value: float | None) -> str:
    return f"{value:.4f}" if isinstance(value, (int, float)) else "-"


def cmd_list(args: argparse.Namespace) -> int:
    from core.labels import counted
    from core.models.library import list_models

    cards = list_models()
    if args.json:
        rows = [
            {
                "name": c.name,
                "bundled": c.bundled,
                "classes": len(c.answers),  # the answers, without a "not a character" output
                "rejects": c.reject_label is not None,
                "dataset": c.dataset,
                "preset": c.preset,
                "test_accuracy": c.test_accuracy,
                "created": c.created,
                "path": str(c.folder),
            }
            for c in cards
        ]
        print(json.dumps(rows, indent=2))
        return 0
    if not cards:
        print("no models yet: train one with 'python main.py train --dataset mnist'")
        return 0
    # Counted as the window counts them: the classes a model can answer (its "not a
    # character" output, if it has one, is not an answer).
    rows = [("NAME", "KIND", "CLASSES", "DATA SET", "PRESET", "TEST ACC", "CREATED")]
    rows += [(c.name, "bundled" if c.bundled else "yours", counted(len(c.answers), "class"),
              c.dataset or "-", c.preset or "-", _accuracy(c.test_accuracy), c.created or "-") for c in cards]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    right = {2, 5}  # numbers line up on their right edge
    for row in rows:
        cells = [cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        print("  ".join(cells).rstrip())
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from core.models.library import find_model

    card = find_model(args.name)
    if args.json:
        print(json.dumps(card.data, indent=2))
        return 0
    data = card.data
    training = data.get("training") or {}
    dataset = data.get("dataset") or {}
    print(f"{card.name}{' (bundled)' if card.bundled else ''}: {card.folder}")
    answers = card.answers
    rejects = f", and a \"{card.reject_label}\" output" if card.reject_label else ""
    print(f"  classes: {len(answers)} ({' '.join(answers)}){rejects}")
    print(f"  outputs: {card.outputs}; input {data.get('input', {}).get('shape')}; "
          f"preprocessing v{data.get('preprocess_version')}; {data.get('params', '?')} parameters")
    if dataset:
        print(f"  data: {dataset.get('name')} ({dataset.get('train_samples')} train, "
              f"{dataset.get('val_samples')} validation)")
    if training:
        print(f"  preset {data.get('preset')}: {training.get('epochs')} epochs, batch {training.get('batch_size')}, "
              f"{training.get('optimizer')} lr {training.get('learning_rate')} ({training.get('schedule')}), "
              f"augment {training.get('augment')}, seed {training.get('seed')}")
    if data.get("status"):
        print(f"  run: {data.get('status')} after {data.get('epochs_done')} epoch(s), {data.get('elapsed_s')} s "
              f"on {data.get('device')}")
    test = data.get("test") or {}
    if test:
        print(f"  test: accuracy {_accuracy(test.get('accuracy'))}, loss {_accuracy(test.get('loss'))} "
              f"({test.get('samples')} samples)")
    lite = data.get("litert")
    if isinstance(lite, dict) and lite.get("file"):
        print(f"  LiteRT: {lite['file']} ({lite.get('bytes')} bytes; agrees with Keras within "
              f"{lite.get('max_abs_diff')} on {lite.get('probe_images')} probe images)")
    elif isinstance(lite, dict):
        print(f"  LiteRT: none, conversion failed ({lite.get('error')}); recognition uses Keras")
    else:
        print("  LiteRT: none yet (run 'models convert'); recognition uses Keras")
    versions = data.get("versions") or {}
    print(f"  created {data.get('created')} with TensorFlow {versions.get('tensorflow')}, "
          f"Keras {versions.get('keras')}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from core.models.library import delete_model

    delete_model(args.name)
    print(f"deleted model '{args.name}'")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    from core.models.library import rename_model

    card = rename_model(args.name, args.new_name)
    print(f"renamed model '{args.name}' to '{card.name}'")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from core.models.export import export_model

    if args.format == "contest":
        from core.contest import export_contest

        path = export_contest(args.name, args.to, args.student, include_model=not args.without_model)
        print(f"wrote the contest file {path} ({path.stat().st_size / 1024:.0f} KB)")
        return 0

    folder = export_model(args.name, args.to, args.format)
    files = ", ".join(sorted(p.name for p in folder.iterdir()))
    print(f"exported '{args.name}' ({args.format}) to {folder}: {files}")
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    from core.models.export import convert_models

    done = convert_models(args.names or None)
    if not done:
        print("every model already has its LiteRT file")
    failed = 0
    for name, entry in done:
        if entry.get("file"):
            print(f"{name}: {entry['file']} ({entry.get('bytes')} bytes, max difference {entry.get('max_abs_diff')})")
        else:
            failed += 1
            print(f"{name}: conversion failed: {entry.get('error')}")
    return 2 if failed else 0
