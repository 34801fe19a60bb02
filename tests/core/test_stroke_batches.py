"""A JSONL batch of stroke drawings renders on every core, exactly as one drawing at a time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from core.errors import DrawingError
from core.imaging import render_strokes
from core.imaging.stroke_batches import PARALLEL_MIN_DRAWINGS, render_lines
from core.imaging.strokes import render_many_strokes

REPO = Path(__file__).resolve().parents[2]


def _drawings(n: int, seed: int = 0) -> list[list[list[list[float]]]]:
    """Random one- and two-stroke scribbles in screen coordinates."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        strokes = []
        for _ in range(int(rng.integers(1, 3))):
            points = np.cumsum(rng.normal(0, 8, size=(int(rng.integers(2, 30)), 2)), axis=0) + 200
            strokes.append(np.round(points, 2).tolist())
        out.append(strokes)
    return out


def _lines(n: int) -> list[tuple[int, bytes]]:
    """``n`` JSONL lines with a bad one here and there (broken JSON, an empty drawing, a bool)."""
    lines = [json.dumps({"strokes": d}).encode() for d in _drawings(n)]
    lines[3] = b'{"strokes": [[[1, 2], [3'
    lines[10] = b'{"strokes": []}'
    lines[n - 2] = b'{"strokes": [[[1, true], [3, 4]]]}'
    return list(enumerate(lines))


def test_a_batch_renders_exactly_as_each_drawing_alone() -> None:
    drawings = [[np.asarray(s, np.float64) for s in d] for d in _drawings(60, seed=1)]
    drawings.insert(5, [np.array([[3.0, 4.0]])])  # a dot
    drawings.insert(9, [])  # nothing drawn: its own error, the rest still rendered
    batch = render_many_strokes(drawings)
    assert isinstance(batch[9], DrawingError) and "empty" in str(batch[9])
    for i, drawing in enumerate(drawings):
        if i != 9:
            assert np.array_equal(batch[i], render_strokes(drawing)), i


@pytest.mark.slow
def test_worker_processes_give_the_same_images_and_messages_in_file_order() -> None:
    lines = _lines(PARALLEL_MIN_DRAWINGS + 150)
    here = render_lines(iter(lines), "batch.jsonl", len(lines), workers=1)
    spread = render_lines(iter(lines), "batch.jsonl", len(lines), workers=2)
    assert [n for n, _ in spread] == [n for n, _ in here] == list(range(len(lines)))
    messages = {n: r for n, r in here if isinstance(r, str)}
    assert set(messages) == {3, 10, len(lines) - 2}
    assert "batch.jsonl:4" in messages[3] and "not valid JSON" in messages[3]
    assert "batch.jsonl:11" in messages[10] and "empty" in messages[10]
    for (_, a), (_, b) in zip(here, spread, strict=True):
        assert (a == b) if isinstance(a, str) else np.array_equal(a, b)


@pytest.mark.slow
def test_a_script_that_works_on_import_still_gets_every_result(tmp_path) -> None:
    """Worker processes re-run an unguarded embedding script and die: rendering goes on here."""
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(b"\n".join(line for _, line in _lines(PARALLEL_MIN_DRAWINGS + 10)) + b"\n")
    script = tmp_path / "embed.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from core.imaging.stroke_batches import render_lines
        lines = list(enumerate(open({str(batch)!r}, "rb").read().splitlines()))
        out = render_lines(iter(lines), "batch.jsonl", len(lines), workers=2)
        print("RESULTS", len(out), sum(isinstance(r, str) for _, r in out))
    """))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, env=env,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"RESULTS {PARALLEL_MIN_DRAWINGS + 10} 3" in done.stdout.splitlines()[-1]
