"""Where synthetic letters come from: @fontsource font packages, hand-drawn variants, held-out families."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from core.datasets import letter_fonts
from core.datasets.letter_fonts import (
    FONTSOURCE_FAMILIES,
    LetterSource,
    font_cache,
    fontsource_install_command,
    fontsource_sources,
    licence_of,
    ttf_glyph,
)
from core.datasets.letter_shapes import TEMPLATES, template_strokes
from core.datasets.synthetic import jitter_strokes, render_letter, synthetic_letters
from core.labels import LETTERS

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def test_font_cache_is_outside_the_repo_and_npm_installs_there(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("INKLAB_FONT_CACHE", str(tmp_path / "fonts"))
    assert font_cache() == tmp_path / "fonts"
    command = fontsource_install_command(("caveat", "kalam"))
    assert command[:4] == ["npm", "install", "--prefix", str(tmp_path / "fonts")]
    assert command[-2:] == ["@fontsource/caveat", "@fontsource/kalam"]
    monkeypatch.delenv("INKLAB_FONT_CACHE")
    repo = Path(letter_fonts.__file__).resolve().parents[2]
    assert repo not in font_cache().resolve().parents


@pytest.mark.skipif(not DEJAVU.is_file(), reason="needs a font file to stand in for a WOFF")
def test_an_installed_fontsource_family_is_a_letter_source_with_its_licence(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("INKLAB_FONT_CACHE", str(tmp_path))
    package = tmp_path / "node_modules" / "@fontsource" / "test-hand"
    (package / "files").mkdir(parents=True)
    # FreeType reads a font by its content, not its name: a TTF stands in for the WOFF.
    shutil.copy(DEJAVU, package / "files" / "test-hand-latin-400-normal.woff")
    (package / "metadata.json").write_text(json.dumps({"id": "test-hand", "license": {"type": "OFL-1.1"}}))
    (source,) = fontsource_sources(("test-hand", "not-installed"))
    assert source.describe() == "fontsource:test-hand"
    assert licence_of(source) == "OFL-1.1"
    assert ttf_glyph(source.path, "g") is not None
    letters = synthetic_letters(1, sources=[source], seed=0)
    assert len(letters.split) == 52


def test_the_family_list_has_over_a_hundred_with_the_other_sources() -> None:
    assert len(FONTSOURCE_FAMILIES) == len(set(FONTSOURCE_FAMILIES)) >= 80
    assert len(FONTSOURCE_FAMILIES) + len(letter_fonts.TTF_FONTS) >= 100
    assert not {"calligraffitti", "kaushan-script", "dawning-of-a-new-day"} & set(FONTSOURCE_FAMILIES)


def test_heldout_families_are_ten_or_more_whole_groups() -> None:
    from tools.build_models import heldout_fontsource_families

    held = heldout_fontsource_families()
    assert len(held) >= 10 and set(held) <= set(FONTSOURCE_FAMILIES)
    groups = {f.split("-")[0] for f in held}
    # No family of a held-out group is trained on.
    assert not [f for f in FONTSOURCE_FAMILIES if f.split("-")[0] in groups and f not in held]


def test_every_variant_template_renders_as_its_letter() -> None:
    rng = np.random.default_rng(0)
    assert {"a", "g", "l", "q"} <= set(TEMPLATES) and len(TEMPLATES["a"]) == 2 and len(TEMPLATES["g"]) == 2
    for char, variants in TEMPLATES.items():
        for strokes in variants:
            assert all(s.ndim == 2 and s.shape[1] == 2 for s in strokes), char
        assert template_strokes(char, rng)
    assert template_strokes("b", rng) == []
    source = LetterSource("lowercase-variants", "strokes")
    assert source.describe() == "strokes:lowercase-variants"
    assert render_letter(source, "x", rng) is None
    image = render_letter(source, "g", rng)
    assert image.shape == (28, 28) and image.max() > 0.9
    letters = synthetic_letters(2, sources=[source], seed=0)
    drawn = {LETTERS[i] for i in letters.split.labels}
    assert drawn == {c.upper() for c in TEMPLATES}


def test_stroke_jitter_moves_each_stroke_a_little_on_its_own() -> None:
    strokes = [np.array([[0.0, 0.0], [0.0, 1.0]]), np.array([[-0.3, 0.5], [0.3, 0.5]])]
    moved = jitter_strokes(strokes, np.random.default_rng(1))
    assert len(moved) == 2
    for before, after in zip(strokes, moved, strict=True):
        assert after.shape == before.shape and not np.array_equal(after, before)
        assert np.abs(after - before).max() < 0.25
        # Each stroke is moved rigidly: its length stays.
        assert np.hypot(*np.diff(after, axis=0).T) == pytest.approx(np.hypot(*np.diff(before, axis=0).T))


def test_make_models_fetches_missing_fonts_with_npm_or_says_how(monkeypatch, tmp_path, capsys) -> None:
    import shutil as shutil_module
    import subprocess

    from tools import build_models

    monkeypatch.setenv("INKLAB_FONT_CACHE", str(tmp_path / "cache"))
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda command, check=False: calls.append(command))
    monkeypatch.setattr(shutil_module, "which", lambda name: "/usr/bin/npm")
    build_models.fetch_fonts()
    assert calls and calls[0][:4] == ["npm", "install", "--prefix", str(tmp_path / "cache")]
    assert (tmp_path / "cache").is_dir()
    monkeypatch.setattr(shutil_module, "which", lambda name: None)
    build_models.fetch_fonts()
    assert len(calls) == 1 and "npm install --prefix" in capsys.readouterr().out
