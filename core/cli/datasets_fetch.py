"""``inklab datasets import PATH... --name NAME`` and ``inklab datasets download NAME``."""

from __future__ import annotations

import argparse
import sys

from core.cli.console import run_with_bar
from core.errors import Cancelled


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``import`` and ``download`` to the ``datasets`` sub-commands."""
    importing = commands.add_parser(
        "import",
        help="import IDX, CSV or NPZ files, a folder of class sub-folders of images, or pen strokes "
        "(UNIPEN files, labelled stroke JSONL)",
        description="Import data files as a new data set. Files of Sign-MNIST or EMNIST letters "
        "imported with --name sign-mnist / emnist-letters complete that built-in set; the UNIPEN "
        "archive unipen-1abc.tar.xz imported as unipen-letters (or -digits, -upper, -lower) "
        "completes all four UNIPEN sets. Pen strokes: UNIPEN segment files (.dat/.unp/.uni, or a "
        'folder of them) or JSONL with one {"label": "a", "strokes": [[[x, y], ...], ...]} per line.',
    )
    importing.add_argument("paths", nargs="+", metavar="PATH", help="files, or a folder")
    importing.add_argument("--name", required=True, help="name of the new data set (letters, digits, - _)")
    importing.add_argument("--overwrite", action="store_true", help="replace a data set of that name")
    importing.set_defaults(handler=cmd_import)

    download = commands.add_parser(
        "download", help="download a public data set (mnist, emnist-letters, pendigits)"
    )
    download.add_argument("name")
    download.set_defaults(handler=cmd_download)


def cmd_import(args: argparse.Namespace) -> int:
    from core.datasets.importer import import_paths, load_imported

    spec = run_with_bar(
        lambda bar, token: import_paths(args.paths, args.name, progress=bar, cancel=token, overwrite=args.overwrite)
    )
    if spec.kind == "imported":
        dataset = load_imported(spec.folder)
        where = spec.folder
    else:
        from core.cli.console import load_with_bar
        from core.datasets import locate

        dataset = load_with_bar(spec.name)
        where = locate(spec)
    print(f"imported '{spec.name}' into {where}")
    print(f"  {dataset.n_classes} classes: {', '.join(dataset.label_names)}")
    for split_name, split in dataset.splits.items():
        print(f"  {split_name}: {len(split)} samples")
    return 0


def cmd_download(args: argparse.Namespace) -> int:
    from core.datasets.download import download_dataset

    try:
        folder = run_with_bar(lambda bar, token: download_dataset(args.name, progress=bar, cancel=token),
                              in_bytes=True)
    except Cancelled:
        print("inklab: download cancelled; nothing was saved", file=sys.stderr)
        return 130
    print(f"'{args.name}' is in {folder}")
    return 0
