"""``inklab lessons list|show``: the classroom's lessons from a terminal."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("lessons", help="the classroom's lessons: data set, preset, settings and steps")
    commands = parser.add_subparsers(dest="lessons_command", metavar="ACTION", required=True)
    listing = commands.add_parser("list", help="every lesson, built-in and yours (a bad lesson file: one line)")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.set_defaults(handler=cmd_list)
    show = commands.add_parser("show", help="one lesson: its settings, its steps and the same run as a command")
    show.add_argument("name", help="the lesson's name or number, or the path of a lesson file (checks it)")
    show.add_argument("--json", action="store_true", help="print the lesson as JSON")
    show.set_defaults(handler=cmd_show)


def cmd_list(args: argparse.Namespace) -> int:
    from core.lessons import list_lessons, user_lessons_dir

    lessons, problems = list_lessons()
    if args.json:
        print(json.dumps([lesson.as_dict() for lesson in lessons], indent=2))
    else:
        rows = [("NO", "NAME", "TITLE", "DATA SET", "PRESET", "KIND")]
        rows += [(str(lesson.number), lesson.name, lesson.title, lesson.settings["dataset"],
                  lesson.settings["preset"], "built-in" if lesson.builtin else "yours") for lesson in lessons]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        print(f"\nyour own lessons go in {user_lessons_dir()} (copy a built-in one from 'lessons show NAME')")
    for problem in problems:
        print(f"inklab: error: {problem}", file=sys.stderr)
    return 2 if problems else 0


def cmd_show(args: argparse.Namespace) -> int:
    from core.lessons import find_lesson, lesson_json

    lesson = find_lesson(args.name)
    if args.json:
        print(lesson_json(lesson))
        return 0
    print(f"Lesson {lesson.number}: {lesson.title}{'' if lesson.builtin else ' (yours)'}")
    if lesson.summary:
        print(f"  {lesson.summary}")
    config = lesson.config()
    print(f"  data set {config.dataset}, preset {config.preset}: {config.epochs} epochs, batch {config.batch_size}, "
          f"{config.optimizer} lr {config.learning_rate}, validation {config.validation}"
          f"{f', first {config.limit:,} samples' if config.limit else ''}")
    if lesson.collection:
        print(f"  your drawings go to the collection '{lesson.collection}'")
    for i, step in enumerate(lesson.steps, 1):
        button = f"  [{step.button_text}]" if step.button_text else ""
        print(f"  {i}. {step.text}{button}")
    print(f"  the same run: {lesson.train_command()}")
    print(f"  file: {lesson.path}")
    return 0
