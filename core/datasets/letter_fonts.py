"""Where synthetic letters come from: Hershey stroke fonts and handwriting-style font files.

The Hershey fonts (PyPI ``hershey-fonts``) give letters as pen strokes, rendered like the
pad's; the font files give glyph images, warped and re-widthed by
:mod:`core.datasets.synthetic`.  Either may be missing on a machine: the sources found
are used and the missing ones logged.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

# Single-stroke (or duplex) Hershey fonts whose letters look like hand lettering; the
# gothic, Greek and Cyrillic ones do not.
HERSHEY_FONTS = ("futural", "futuram", "rowmans", "rowmand", "timesr", "timesi", "scripts", "scriptc", "cursive")

# Handwriting-style TrueType/OpenType fonts (and one plain sans, DejaVu, for print-like
# letters) from Debian packages (see README / Makefile:
# fonts-breip fonts-rufscript fonts-sjfonts fonts-bwht fonts-humor-sans fonts-comic-neue).
# Missing files are skipped.  Left out on purpose: fonts-femkeklaver (hollow outline
# letters) and fonts-dkg-handwriting (sketchy double strokes that fill in at 28x28).
TTF_FONTS = (
    "/usr/share/fonts/truetype/breip/Breip.ttf",
    "/usr/share/fonts/truetype/rufscript/Rufscript010.ttf",
    "/usr/share/fonts/truetype/sjfonts/Delphine.ttf",
    "/usr/share/fonts/truetype/sjfonts/SteveHand.ttf",
    "/usr/share/fonts/opentype/bwht/BecauseWeBuild-Regular.otf",
    "/usr/share/fonts/opentype/bwht/BecauseWeConnect-Regular.otf",
    "/usr/share/fonts/opentype/bwht/BecauseWeCreate-Regular.otf",
    "/usr/share/fonts/opentype/bwht/BecauseWeLearn-Regular.otf",
    "/usr/share/fonts/opentype/bwht/BecauseWeMentor-Regular.otf",
    "/usr/share/fonts/opentype/bwht/BecauseWeOrganize-Regular.otf",
    "/usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf",
    "/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf",
    "/usr/share/fonts/opentype/comic-neue/ComicNeue-Italic.otf",
    "/usr/share/fonts/opentype/comic-neue/ComicNeue-Light.otf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
# Debian packages that hold TTF_FONTS, for `make models`.
FONT_PACKAGES = (
    "fonts-breip", "fonts-rufscript", "fonts-sjfonts", "fonts-bwht", "fonts-humor-sans", "fonts-comic-neue",
    "fonts-dejavu-core",
)


@dataclass(frozen=True)
class LetterSource:
    """One font letters are drawn from: a Hershey stroke font by name, or a font file."""

    name: str
    kind: str  # "hershey" or "ttf"
    path: str = ""

    def describe(self) -> str:
        return f"hershey:{self.name}" if self.kind == "hershey" else f"ttf:{Path(self.path).name}"


def hershey_sources(names: Sequence[str] = HERSHEY_FONTS) -> list[LetterSource]:
    """The Hershey fonts (PyPI ``hershey-fonts``) as letter sources; [] when not installed."""
    try:
        import HersheyFonts  # noqa: F401
    except ImportError:
        log.warning("hershey-fonts is not installed: no stroke-font letters")
        return []
    return [LetterSource(name, "hershey") for name in names]


def ttf_sources(paths: Sequence[str] = TTF_FONTS) -> list[LetterSource]:
    """The handwriting-style font files that are installed, as letter sources."""
    found = [LetterSource(Path(p).stem, "ttf", p) for p in paths if Path(p).is_file()]
    missing = len(paths) - len(found)
    if missing:
        log.warning("%d of %d letter fonts are not installed (Debian: %s)", missing, len(paths),
                    " ".join(FONT_PACKAGES))
    return found


def default_sources() -> list[LetterSource]:
    """Every letter source available on this machine: Hershey fonts, then font files."""
    return hershey_sources() + ttf_sources()


@functools.lru_cache(maxsize=16)
def _hershey_font(name: str):
    from HersheyFonts import HersheyFonts

    font = HersheyFonts()
    font.load_default_font(name)
    return font


def hershey_strokes(font_name: str, char: str) -> list[np.ndarray]:
    """One character of a Hershey font as pen strokes (float (n, 2), y down); [] if absent."""
    font = _hershey_font(font_name)
    return [np.asarray(s, np.float64) for s in font.strokes_for_text(char) if len(s) >= 1]


_GLYPH_SIZE = 80  # font size in pixels: letters about 35..65 px, fine enough to re-width


@functools.lru_cache(maxsize=4096)
def ttf_glyph(path: str, char: str) -> np.ndarray | None:
    """The glyph of ``char`` as a float32 ink mask with a margin, or None when the font lacks it."""
    font = ImageFont.truetype(path, _GLYPH_SIZE)
    left, top, right, bottom = font.getbbox(char)
    if right <= left or bottom <= top:
        return None
    pad = _GLYPH_SIZE // 4
    canvas = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(canvas).text((pad - left, pad - top), char, font=font, fill=255)
    ink = np.asarray(canvas, np.float32) / 255.0
    if ink.max() < 0.5 or _is_missing_glyph(path, char):
        return None
    return ink


@functools.lru_cache(maxsize=64)
def _notdef(path: str) -> tuple[tuple[int, int], bytes]:
    mask = ImageFont.truetype(path, _GLYPH_SIZE).getmask("\ue000")
    return mask.size, bytes(mask)


def _is_missing_glyph(path: str, char: str) -> bool:
    """Fonts draw a box (.notdef) for characters they do not have: compare with one."""
    mask = ImageFont.truetype(path, _GLYPH_SIZE).getmask(char)
    return (mask.size, bytes(mask)) == _notdef(path)
