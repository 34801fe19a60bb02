"""``inklab datasets list|info|delete-sample|import|download``."""

from __future__ import annotations

import argparse
import json
import textwrap

from core.cli.console import load_with_bar
from core.datasets import catalogue, locate
from core.labels import counted


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("datasets", help="list, inspect, import and download data sets")
    commands = parser.add_subparsers(dest="datasets_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help="every data set InkLab knows and whether it is here")
    listing.add_argument("--json", action="store_true", help="one JSON object per data set")
    listing.set_defaults(handler=cmd_list)

    info = commands.add_parser("info", aliases=["show"], help="splits, sample counts and class counts of one data set")
    info.add_argument("name")
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.set_defaults(handler=cmd_info)

    delete = commands.add_parser("delete-sample", help="delete one drawing from one of your collections")
    delete.add_argument("collection")
    delete.add_argument("id", help="the drawing's id: its file name without .json")
    delete.set_defaults(handler=cmd_delete_sample)

    try:
        from core.cli import datasets_fetch
    except ModuleNotFoundError:
        return
    datasets_fetch.register(commands)


def cmd_list(args: argparse.Namespace) -> int:
    rows = []
    for spec in catalogue():
        folder = locate(spec)
        if folder is not None:
            size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
            status, where = f"available ({size / 1e6:.1f} MB)", str(folder)
        elif spec.download is not None:
            status, where = "missing (downloadable)", ""
        else:
            status, where = "missing (import only)", ""
        # A set that is not here says what it is and where it is published.
        how = spec.how_to_get if folder is None else ""
        rows.append((spec.name, spec.kind, len(spec.label_names), status, where or how, spec.title))
        if args.json:
            print(json.dumps({
                "name": spec.name, "title": spec.title, "kind": spec.kind, "classes": len(spec.label_names),
                "available": folder is not None, "downloadable": spec.download is not None,
                "folder": where or None, "size_bytes": size if folder is not None else None,
                "how_to_get": spec.how_to_get or None,
            }, ensure_ascii=False))
    if args.json:
        return 0
    width = max(len(r[0]) for r in rows)
    for name, kind, n_classes, status, where, title in rows:
        print(f"{name:<{width}}  {kind:<10}  {counted(n_classes, 'class'):>11}  {status:<26}  {title}")
        if where:  # the folder, or how to get a missing set (wrapped: it can be a paragraph)
            for line in textwrap.wrap(where, 100, break_long_words=False, break_on_hyphens=False):
                print(f"{'':<{width}}  {line}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    dataset = load_with_bar(args.name)
    summary = dataset.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"{dataset.name}: {counted(dataset.n_classes, 'class')} ({', '.join(dataset.label_names)})")
    print(f"source: {summary['source']}")
    for split_name, split in summary["splits"].items():
        print(f"  {split_name}: {counted(split['samples'], 'sample')}")
        counts = "  ".join(f"{label}:{count}" for label, count in split["class_counts"].items())
        print(f"    {counts}")
    return 0


def cmd_delete_sample(args: argparse.Namespace) -> int:
    from core.datasets.collections import delete_sample
    from core.datasets.memory_cache import forget

    deleted = delete_sample(args.collection, args.id)
    forget(args.collection)
    print(f"deleted drawing {deleted.sample_id} (label \"{deleted.label}\") from {deleted.collection}")
    return 0
