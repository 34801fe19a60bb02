"""Issue 13's bombs and huge inputs: each refused with InkLab's own error, in <= 2 s and <= 300 MB.

The bombs are made by :mod:`bench.bombs` (100 MB inside here; ``bench.reliability`` makes
the 3 GB ones) and refused in a fresh process, so its peak memory (``ru_maxrss``) is
the cost of the refusal plus Python's own start, not this test session's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.bombs import kinds

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def refusals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("bombs")
    env = {**os.environ, "INKLAB_DATA_DIR": str(folder / "user"), "INKLAB_DATA_PATH": ""}
    done = subprocess.run([sys.executable, "-m", "bench.bombs", str(folder), "all", "small"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize("kind", kinds(big=False))
def test_bomb_is_refused_quickly_and_cheaply(kind: str, refusals: dict[str, dict]) -> None:
    result = refusals[kind]
    assert result["error"], f"{kind} was not refused"
    assert result["seconds"] <= 2.0
    assert result["peak_mb"] <= 300


@pytest.mark.slow
def test_refusals_say_what_bound_was_hit(refusals: dict[str, dict]) -> None:
    assert "decompression bomb" in refusals["npz (100 MB inside)"]["error"]
    assert "megapixels" in refusals["PNG 9000x9000 (recognize)"]["error"]
    assert "at most 100000" in refusals["stroke JSON (200k points, small file)"]["error"]
    assert "more than 20000 drawings" in refusals["JSONL (200k drawings)"]["error"]
    assert "nested" in refusals["JSON nested 1M deep"]["error"]
