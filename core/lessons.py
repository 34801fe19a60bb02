"""Lessons: a data set, a preset, its settings and a few short steps a teacher runs with a class.

A lesson is a plain TOML (or JSON) file a teacher can copy, edit and share::

    title = "Who gets the best accuracy?"
    number = 3
    summary = "A small CNN in three epochs; then the class compares."

    [training]            # any of: dataset preset epochs batch_size optimizer learning_rate
    dataset = "mnist"     #   validation augment seed limit reject
    preset = "cnn-classic"
    limit = 12000

    [[steps]]
    text = "Start training. Watch the validation curve: when does it stop improving?"
    action = "start-training"      # optional: the step's button does this (see ACTIONS)

The built-in lessons are in ``resources/lessons/``; a teacher's own are in the user data
folder's ``lessons/`` and are listed beside them (a file with a built-in lesson's name
takes its place, marked as yours).  Every file is untrusted: bounded in size, parsed
strictly, and refused with one line naming the file and what is wrong; the other lessons
are still listed.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core import limits, storage
from core.errors import DataError, LessonError, TrainingError
from core.resource_files import resource_path
from core.training.config import TrainingConfig

LESSONS = "lessons"  # the folder, in resources/ and in the user data folder
SUFFIXES = (".toml", ".json")
MAX_LESSON_BYTES = 64 * 1024
MIN_STEPS, MAX_STEPS = 3, 6
MAX_TEXT = 400
MAX_TITLE = 80

# What a step's button can do, and the button's text when the lesson gives none.
ACTIONS = {
    "use-settings": "Use the lesson's settings",
    "show-datasets": "Show the data set",
    "start-training": "Start training",
    "show-results": "Open the confusion matrix",
    "show-mistakes": "Open the mistakes",
    "show-compare": "Compare the runs",
    "save-model": "Save the model",
    "show-draw": "Switch to the Draw tab",
    "collect-writing": "Draw your letters",
    "export-contest": "Export a contest file…",
    "show-contest": "Open the class contest",
    "presenter": "Presenter view",
}
TRAINING_KEYS = ("dataset", "preset", "epochs", "batch_size", "optimizer", "learning_rate", "validation",
                 "augment", "seed", "limit", "reject")
TOP_KEYS = ("title", "number", "summary", "training", "steps", "collection")
STEP_KEYS = ("text", "action", "button")


@dataclass(frozen=True)
class Step:
    """One step of a lesson: what to do or watch, and optionally a button that does it."""

    text: str
    action: str | None = None
    button: str | None = None

    @property
    def button_text(self) -> str | None:
        """The button's label: the lesson's own, else the action's usual one; None without an action."""
        if self.action is None:
            return None
        return self.button or ACTIONS[self.action]


@dataclass(frozen=True)
class Lesson:
    """A lesson as its file describes it; ``config`` holds only the settings the lesson sets."""

    name: str
    title: str
    number: int
    summary: str
    settings: dict
    steps: tuple[Step, ...]
    path: Path
    builtin: bool
    collection: str | None = None

    def config(self) -> TrainingConfig:
        """The training settings: the lesson's, the preset's defaults for the rest."""
        return TrainingConfig(**self.settings).resolved()

    def train_command(self) -> str:
        """The same run from the command line."""
        flags = {"dataset": "--dataset", "preset": "--preset", "epochs": "--epochs", "batch_size": "--batch-size",
                 "optimizer": "--optimizer", "learning_rate": "--lr", "validation": "--validation",
                 "seed": "--seed", "limit": "--limit"}
        parts = ["python main.py train"]
        for key, value in self.settings.items():
            if key in flags:
                parts.append(f"{flags[key]} {value}")
            elif key == "augment":
                parts.append("--augment" if value else "--no-augment")
            elif key == "reject":
                parts.append("--reject" if value else "--no-reject")
        return " ".join(parts)

    def as_dict(self) -> dict:
        return {
            "name": self.name, "title": self.title, "number": self.number, "summary": self.summary,
            "training": dict(self.settings), "collection": self.collection,
            "steps": [dataclasses.asdict(step) for step in self.steps],
            "file": str(self.path), "builtin": self.builtin,
        }


def user_lessons_dir() -> Path:
    """The folder where a teacher's own lessons go (made if needed)."""
    return storage.subdir(LESSONS)


def builtin_lessons_dir() -> Path:
    return resource_path(LESSONS)


# --------------------------------------------------------------------------- reading one file


def read_lesson(path: str | Path, builtin: bool = False) -> Lesson:
    """Read and check one lesson file; a LessonError naming the file and the problem."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise LessonError(f"{path}: a lesson is a .toml or .json file")
    try:
        text = limits.read_text(path, DataError, MAX_LESSON_BYTES, "lesson file")
    except DataError as err:
        raise LessonError(str(err)) from None
    if path.suffix.lower() == ".json":
        try:
            data = limits.parse_json(text, str(path), DataError)
        except DataError as err:
            raise LessonError(str(err)) from None
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise LessonError(f"{path}: not valid TOML ({err})") from None
    try:
        return _lesson_from(data, path, builtin)
    except LessonError as err:
        raise LessonError(f"{path}: {err}") from None


def _text(value: object, where: str, limit: int = MAX_TEXT, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise LessonError(f"{where} must be some text")
    if len(value) > limit:
        raise LessonError(f"{where} is {len(value)} characters long; a lesson keeps it under {limit}")
    return " ".join(value.split())


def _unknown(data: dict, known: tuple[str, ...], where: str) -> None:
    extra = sorted(set(data) - set(known))
    if extra:
        raise LessonError(f"{where}unknown key '{extra[0]}' (known: {', '.join(known)})")


def _lesson_from(data: object, path: Path, builtin: bool) -> Lesson:
    if not isinstance(data, dict):
        raise LessonError("a lesson is a table of keys (title, number, summary, training, steps)")
    _unknown(data, TOP_KEYS, "")
    title = _text(data.get("title"), "title", MAX_TITLE)
    number = data.get("number", 99)
    if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number <= 999:
        raise LessonError(f"number must be a whole number from 0 to 999, got {number!r}")
    summary = _text(data.get("summary"), "summary", required=False)
    settings = _settings(data.get("training"))
    collection = data.get("collection")
    if collection is not None:
        _check_set_name(collection, "collection")
    steps = _steps(data.get("steps"))
    if collection is None and any(step.action == "collect-writing" for step in steps):
        raise LessonError("a 'collect-writing' step needs the lesson's collection = \"NAME\"")
    return Lesson(path.stem, title, number, summary, settings, steps, path, builtin, collection)


def _check_set_name(name: object, what: str) -> None:
    from core.datasets.names import check_format

    if not isinstance(name, str):
        raise LessonError(f"{what} must be a name in quotes, got {name!r}")
    try:
        check_format(name, what)
    except DataError as err:
        raise LessonError(str(err)) from None


def _settings(training: object) -> dict:
    if not isinstance(training, dict):
        raise LessonError("a lesson needs a [training] table with at least its dataset and preset")
    _unknown(training, TRAINING_KEYS, "training: ")
    for key in ("dataset", "preset"):
        if key not in training:
            raise LessonError(f"training: '{key}' is missing")
    _check_set_name(training["dataset"], "data set")
    settings = dict(training)
    if isinstance(settings.get("validation"), float) and settings["validation"].is_integer() \
            and settings["validation"] >= 1:
        settings["validation"] = int(settings["validation"])
    try:
        TrainingConfig(**settings).validate()
    except (TrainingError, TypeError) as err:
        raise LessonError(f"training: {err}") from None
    return settings


def _steps(steps: object) -> tuple[Step, ...]:
    if not isinstance(steps, list) or not MIN_STEPS <= len(steps) <= MAX_STEPS:
        count = len(steps) if isinstance(steps, list) else 0
        raise LessonError(f"a lesson has {MIN_STEPS} to {MAX_STEPS} [[steps]], this one has {count}")
    result = []
    for i, step in enumerate(steps, 1):
        where = f"step {i}: "
        if not isinstance(step, dict):
            raise LessonError(f"{where}a step is a table with text and, optionally, action and button")
        _unknown(step, STEP_KEYS, where)
        action = step.get("action")
        if action is not None and action not in ACTIONS:
            raise LessonError(f"{where}unknown action {action!r} (known: {', '.join(ACTIONS)})")
        button = _text(step["button"], f"{where}button", 40) if step.get("button") is not None else None
        result.append(Step(_text(step.get("text"), f"{where}text"), action, button))
    return tuple(result)


# --------------------------------------------------------------------------- all lessons


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in SUFFIXES and not p.name.startswith(".") and p.is_file())


def list_lessons() -> tuple[list[Lesson], list[str]]:
    """Every lesson (built-in and the user's, by number then title) and one line per bad file.

    A user lesson with a built-in lesson's name takes its place (a teacher's edited copy).
    """
    found: dict[str, Lesson] = {}
    problems = []
    for folder, builtin in ((builtin_lessons_dir(), True), (user_lessons_dir(), False)):
        for path in _files(folder):
            try:
                lesson = read_lesson(path, builtin)
            except LessonError as err:
                problems.append(str(err))
                continue
            found[lesson.name] = lesson
    lessons = sorted(found.values(), key=lambda lesson: (lesson.number, lesson.title.lower()))
    return lessons, problems


def find_lesson(name_or_path: str | Path) -> Lesson:
    """A lesson by name (``best-accuracy``), by number (``3``) or by the path of its file."""
    text = str(name_or_path)
    path = Path(text).expanduser()
    if path.suffix.lower() in SUFFIXES and (path.is_file() or "/" in text):
        return read_lesson(path)
    lessons, problems = list_lessons()
    for lesson in lessons:
        if lesson.name == text or (text.isdigit() and lesson.number == int(text)):
            return lesson
    for problem in problems:
        if Path(problem.split(":", 1)[0]).stem == text:
            raise LessonError(problem)
    known = ", ".join(f"{lesson.number} {lesson.name}" for lesson in lessons) or "none"
    raise LessonError(f"no lesson called '{text}' (lessons: {known})")


def lesson_json(lesson: Lesson) -> str:
    return json.dumps(lesson.as_dict(), indent=2)
