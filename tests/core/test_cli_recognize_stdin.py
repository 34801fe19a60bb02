"""``inklab recognize -``: drawings piped in as one stroke JSON object or as JSONL."""

from __future__ import annotations

import io
import json

import pytest

from core.cli import run_cli


def bar(x: float = 200) -> dict:
    """Stroke JSON of a vertical bar (a "1")."""
    return {"strokes": [[[x, 40 + 300 * i / 20] for i in range(21)]]}


def recognize_piped(monkeypatch, capsys, text: str, *args: str) -> tuple[int, list[dict], str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code = run_cli(["recognize", "-", "--model", "digits", "--json", *args])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_jsonl_on_stdin_with_a_bad_line(monkeypatch, capsys) -> None:
    text = "\n".join([json.dumps(bar(150)), "", "{not json", json.dumps(bar(250))]) + "\n"
    code, rows, err = recognize_piped(monkeypatch, capsys, text)
    assert code == 2
    assert [(r["source"], r["index"], r["label"]) for r in rows] == [("-", 0, "1"), ("-", 3, "1")]
    assert "stdin:3: not valid JSON" in err


def test_one_pretty_printed_drawing_on_stdin(monkeypatch, capsys) -> None:
    code, rows, err = recognize_piped(monkeypatch, capsys, json.dumps(bar(), indent=2))
    assert code == 0, err
    assert [(r["source"], r["label"]) for r in rows] == [("-", "1")]


@pytest.mark.parametrize("text", ["", "  \n"])
def test_nothing_piped_in_is_one_error(monkeypatch, capsys, text: str) -> None:
    code, rows, err = recognize_piped(monkeypatch, capsys, text)
    assert code == 2 and rows == []
    assert "stdin: no drawings piped in" in err


def test_a_deeply_nested_line_on_stdin_is_one_error_and_the_rest_is_recognised(monkeypatch, capsys) -> None:
    deep = "[" * 100_000 + "]" * 100_000  # past Python's recursion limit: must not escape as a traceback
    text = "\n".join([json.dumps(bar(150)), deep, json.dumps(bar(250))]) + "\n"
    code, rows, err = recognize_piped(monkeypatch, capsys, text)
    assert code == 2
    assert [(r["index"], r["label"]) for r in rows] == [(0, "1"), (2, "1")]
    assert "stdin:2: JSON nested 100000 levels deep" in err and "Traceback" not in err


def test_one_deeply_nested_document_on_stdin_is_one_error(monkeypatch, capsys) -> None:
    deep = "[" * 100_000 + "]" * 100_000  # the whole input one document: before, a RecursionError traceback
    code, rows, err = recognize_piped(monkeypatch, capsys, deep)
    assert code == 2 and rows == []
    assert "stdin:1: JSON nested 100000 levels deep" in err and "Traceback" not in err
