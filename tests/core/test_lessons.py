"""Lessons: the built-in ones are valid and complete, a teacher's own appear beside them, and
every malformed lesson file is refused with one line naming it and the problem."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from core.errors import LessonError
from core.lessons import ACTIONS, find_lesson, list_lessons, read_lesson, user_lessons_dir
from tests.conftest import REPO

GOOD = """
title = "My lesson"
number = 7
[training]
dataset = "mnist"
preset = "dense-small"
epochs = 2
[[steps]]
text = "Start."
action = "start-training"
[[steps]]
text = "Watch."
[[steps]]
text = "Look at the mistakes."
action = "show-mistakes"
"""


def test_the_six_built_in_lessons_are_valid_and_use_their_preset():
    lessons, problems = list_lessons()
    assert problems == []
    assert [lesson.number for lesson in lessons] == [1, 2, 3, 4, 5, 6]
    assert [lesson.settings["preset"] for lesson in lessons[:5]] == [
        "dense-small", "cnn-pool", "cnn-classic", "cnn-bn-gap", "cnn-sign"]
    for lesson in lessons:
        assert 3 <= len(lesson.steps) <= 6 and lesson.builtin
        assert any(step.action == "start-training" for step in lesson.steps)
        assert all(step.action in ACTIONS for step in lesson.steps if step.action)
    mine = lessons[5]
    assert mine.collection == "my-letters" and mine.settings["dataset"] == "my-letters"
    assert mine.steps[0].action == "collect-writing"


def test_a_user_lesson_appears_beside_the_built_in_ones_and_an_edited_copy_replaces_its_original():
    (user_lessons_dir() / "my-lesson.toml").write_text(GOOD)
    copy = (find_lesson("3").path.read_text()).replace("epochs = 3", "epochs = 1")
    (user_lessons_dir() / "3-best-accuracy.toml").write_text(copy)
    lessons, problems = list_lessons()
    assert problems == []
    names = [(lesson.name, lesson.builtin) for lesson in lessons]
    assert ("my-lesson", False) in names and ("3-best-accuracy", False) in names
    assert find_lesson("3-best-accuracy").config().epochs == 1
    assert find_lesson("my-lesson").config().batch_size == 32  # the preset's default for the rest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title = ", "not valid TOML"),
        (GOOD.replace('preset = "dense-small"', 'preset = "huge"'), "training: unknown preset 'huge'"),
        (GOOD.replace("epochs = 2", "epochs = -1"), "training: epochs must be a whole number"),
        (GOOD.replace("epochs = 2", "colour = 2"), "training: unknown key 'colour'"),
        (GOOD.replace('action = "show-mistakes"', 'action = "fly"'), "step 3: unknown action 'fly'"),
        (GOOD.split("[[steps]]")[0] + '[[steps]]\ntext = "only one"\n', "has 1"),
        (GOOD.replace('title = "My lesson"', 'title = ""'), "title must be some text"),
        (GOOD.replace('dataset = "mnist"', 'dataset = "../../etc"'), "not a usable data set name"),
        (GOOD.replace('[training]', 'collection = "x"\n[training]').replace(
            'action = "start-training"', 'action = "collect-writing"').replace('collection = "x"\n', ''),
         "needs the lesson's collection"),
    ],
)
def test_a_malformed_lesson_is_refused_with_one_line_naming_the_file(tmp_path, text, expected):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(LessonError) as caught:
        read_lesson(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and expected in message and "\n" not in message


def test_json_lessons_too_and_bounds(tmp_path):
    import tomllib

    path = tmp_path / "lesson.json"
    path.write_text(json.dumps(tomllib.loads(GOOD)))
    assert read_lesson(path).title == "My lesson"
    big = tmp_path / "big.toml"
    big.write_text(GOOD + "#" * 70_000)
    with pytest.raises(LessonError, match="at most"):
        read_lesson(big)
    with pytest.raises(LessonError, match="not valid JSON"):
        (tmp_path / "x.json").write_text("{")
        read_lesson(tmp_path / "x.json")


def test_cli_lists_lessons_and_a_bad_file_is_one_line_exit_2(tmp_path, user_data_dir):
    (user_lessons_dir() / "broken.toml").write_text("title = 3")
    out = subprocess.run([sys.executable, "main.py", "lessons", "list"], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 2
    assert "3-best-accuracy" in out.stdout and "Who gets the best accuracy?" in out.stdout
    assert out.stderr.strip().splitlines() == [
        f"inklab: error: {user_lessons_dir() / 'broken.toml'}: title must be some text"]
    show = subprocess.run([sys.executable, "main.py", "lessons", "show", "3"], capture_output=True, text=True, cwd=REPO)
    assert show.returncode == 0
    assert "python main.py train --dataset mnist --preset cnn-classic" in show.stdout
    assert "1. Start training. Watch the validation curve" in show.stdout
