"""``inklab contest import|list|score|clear``: the class contest's leaderboard from a terminal.

Students write their contest files with ``models export NAME --format contest``.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("contest", help="the class contest: import contest files, score them, rank them")
    commands = parser.add_subparsers(dest="contest_command", metavar="ACTION", required=True)
    imp = commands.add_parser("import", help="import every *.inklab-contest file of a folder (a USB stick)")
    imp.add_argument("folder")
    imp.set_defaults(handler=cmd_import)
    listing = commands.add_parser("list", help="the leaderboard, optionally scored on a collection")
    listing.add_argument("--score", metavar="COLLECTION",
                         help="score every model on this collection drawn on the Draw tab (\"our handwriting\")")
    listing.add_argument("--csv", metavar="FILE", help="also write the leaderboard as CSV")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.set_defaults(handler=cmd_list)
    clear = commands.add_parser("clear", help="forget every imported contest file")
    clear.set_defaults(handler=cmd_clear)


def cmd_import(args: argparse.Namespace) -> int:
    from core.contest import import_folder

    report = import_folder(args.folder)
    for entry in report.imported:
        model = "with its model" if entry.has_model else "score only, no model"
        print(f"imported {entry.source}: {entry.student}, {entry.model_name} ({model})")
    for problem in report.problems:
        print(f"inklab: error: {problem}", file=sys.stderr)
    print(f"{len(report.imported)} imported, {len(report.problems)} refused")
    return 2 if report.problems else 0


def cmd_list(args: argparse.Namespace) -> int:
    from core.contest import list_entries
    from core.contest_board import CSV_COLUMNS, ranked, row_cells, score_entries, write_csv

    entries = list_entries()
    scores = score_entries(args.score, entries) if args.score else None
    rows = ranked(entries, scores)
    if args.csv:
        write_csv(args.csv, rows)
    if args.json:
        print(json.dumps([dict(zip(CSV_COLUMNS, row_cells(row), strict=True)) for row in rows], indent=2))
        return 0
    if not rows:
        print("no contest files imported yet: 'python main.py contest import FOLDER'")
        return 0
    table = [CSV_COLUMNS] + [row_cells(row) for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(CSV_COLUMNS))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def cmd_clear(args: argparse.Namespace) -> int:
    from core.contest import remove_entries

    print(f"forgot {remove_entries()} contest entries")
    return 0
