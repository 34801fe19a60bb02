"""Where synthetic letters come from: Hershey stroke fonts and handwriting-style font files.

The Hershey fonts (PyPI ``hershey-fonts``) give letters as pen strokes, rendered like the
pad's; the font files give glyph images, warped and re-widthed by
:mod:`core.datasets.synthetic`.  Font files come from Debian packages (:data:`FONT_PACKAGES`)
and from the ``@fontsource/<family>`` npm packages of Google Fonts' open-licensed
handwriting families (:data:`FONTSOURCE_FAMILIES`), installed with npm into a cache folder
outside the repo (:func:`font_cache`; ``make models`` does it).  Either may be missing on
a machine: the sources found are used and the missing ones logged.
"""

from __future__ import annotations

import functools
import json
import logging
import os
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
    # School print and casual hands (fonts-sil-andika, fonts-kiloji, fonts-seto, fonts-tlwg-purisa,
    # fonts-fantasque-sans).  Left out: fonts-kristi, fonts-dancingscript, fonts-ecolier-court
    # (connected cursive), fonts-kaushanscript (joined brush letters).
    "/usr/share/fonts/truetype/andika/Andika-Regular.ttf",
    "/usr/share/fonts/truetype/kiloji/kiloji.ttf",
    "/usr/share/fonts/truetype/seto/setofont.ttf",
    "/usr/share/fonts/truetype/tlwg/Purisa.ttf",
    "/usr/share/fonts/opentype/fantasque-sans/Normal/OTF/FantasqueSansMono-Regular.otf",
)
# Debian packages that hold TTF_FONTS, for `make models` (the Makefile's FONT_DEBS).
FONT_PACKAGES = (
    "fonts-breip", "fonts-rufscript", "fonts-sjfonts", "fonts-bwht", "fonts-humor-sans", "fonts-comic-neue",
    "fonts-dejavu-core", "fonts-sil-andika", "fonts-kiloji", "fonts-seto", "fonts-tlwg-purisa",
    "fonts-fantasque-sans",
)

# Google Fonts handwriting families as npm packages (@fontsource/<id>), each looked at in a
# sample sheet: legible print-style upper and lower case.  Left out after looking:
# calligraffitti, dawning-of-a-new-day, freehand, kaushan-script (joined or cursive),
# kranky (hollow outlines), permanent-marker, walter-turncoat (small capitals for lower
# case), rock-salt (scrawled past legibility).
FONTSOURCE_FAMILIES = (
    "annie-use-your-telescope", "architects-daughter", "balsamiq-sans", "caveat", "caveat-brush", "chewy",
    "chilanka", "comic-mono", "comic-relief", "coming-soon", "covered-by-your-grace", "crafty-girls",
    "cute-font", "dekko", "delicious-handrawn", "delius", "east-sea-dokdo", "edu-nsw-act-foundation",
    "edu-qld-beginner", "edu-sa-beginner", "edu-tas-beginner", "edu-vic-wa-nt-beginner", "finger-paint",
    "fuzzy-bubbles", "gaegu", "gamja-flower", "give-you-glory", "gloria-hallelujah", "gochi-hand",
    "grandstander", "grape-nuts", "hachi-maru-pop", "handlee", "happy-monkey", "hi-melody", "indie-flower",
    "itim", "just-another-hand", "just-me-again-down-here", "kalam", "kite-one", "klee-one",
    "love-ya-like-a-sister", "loved-by-the-king", "lxgw-wenkai", "mali", "mansalva", "mynerve",
    "nanum-brush-script", "nanum-pen-script", "nerko-one", "neucha", "nothing-you-could-do",
    "over-the-rainbow", "pangolin", "patrick-hand", "playpen-sans", "poor-story", "rancho", "reenie-beanie",
    "schoolbell", "sedgwick-ave", "shadows-into-light", "shadows-into-light-two", "shantell-sans",
    "short-stack", "single-day", "sniglet", "sofadi-one", "sriracha", "sue-ellen-francisco", "sunshiney",
    "swanky-and-moo-moo", "the-girl-next-door", "unkempt", "waiting-for-the-sunrise", "yomogi",
    "yusei-magic", "zen-kurenaido", "zeyada",
)


def font_cache() -> Path:
    """Where npm installs the @fontsource packages: ``$INKLAB_FONT_CACHE`` or ``~/.cache/inklab-fonts``.

    Outside the repo on purpose: the fonts are fetched, never committed.
    """
    return Path(os.environ.get("INKLAB_FONT_CACHE") or Path.home() / ".cache" / "inklab-fonts")


def fontsource_install_command(families: Sequence[str] = FONTSOURCE_FAMILIES) -> list[str]:
    """The npm command that puts ``families`` into :func:`font_cache` (no root needed)."""
    return ["npm", "install", "--prefix", str(font_cache()), "--no-audit", "--no-fund",
            *(f"@fontsource/{f}" for f in families)]


def _fontsource_file(family: str) -> Path | None:
    """The Latin regular (else the first Latin) WOFF file of one installed family."""
    files = font_cache() / "node_modules" / "@fontsource" / family / "files"
    regular = files / f"{family}-latin-400-normal.woff"
    if regular.is_file():
        return regular
    others = sorted(files.glob(f"{family}-latin-*-normal.woff"))
    return others[0] if others else None


def fontsource_licence(family: str) -> str:
    """The licence an installed @fontsource family declares (its metadata.json), or "?"."""
    meta = font_cache() / "node_modules" / "@fontsource" / family / "metadata.json"
    try:
        licence = json.loads(meta.read_text(encoding="utf-8")).get("license")
    except (OSError, ValueError):
        return "?"
    return str(licence.get("type", "?")) if isinstance(licence, dict) else str(licence or "?")


def fontsource_sources(families: Sequence[str] = FONTSOURCE_FAMILIES) -> list[LetterSource]:
    """The installed @fontsource families as letter sources (WOFF, which FreeType reads)."""
    found = []
    for family in families:
        path = _fontsource_file(family)
        if path is not None:
            found.append(LetterSource(family, "ttf", str(path)))
    if len(found) < len(families):
        log.warning("%d of %d @fontsource letter fonts are not installed (%s)", len(families) - len(found),
                    len(families), " ".join(fontsource_install_command()[:5]) + " ...")
    return found


def debian_licence(path: str) -> str:
    """The licence(s) the Debian package holding font file ``path`` declares, or "?".

    Read from the package's ``copyright`` file: its ``License:`` names, or, where a
    ``License:`` line names none, the sentence that follows it.
    """
    info = Path("/var/lib/dpkg/info")
    for package in FONT_PACKAGES:
        for listing in sorted(info.glob(f"{package}*.list")):  # e.g. fonts-tlwg-purisa-ttf
            try:
                if path not in listing.read_text(encoding="utf-8").split("\n"):
                    continue
                owner = listing.name.removesuffix(".list").split(":")[0]
                text = (Path("/usr/share/doc") / owner / "copyright").read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            lines = text.splitlines()
            names = []
            for i, line in enumerate(lines):
                if not line.startswith("License:"):
                    continue
                name = line[8:].strip()
                if not name:  # the paragraph after it, up to its first full stop
                    paragraph = " ".join(ln.strip() for ln in lines[i + 1 : i + 6] if ln.strip())
                    name = paragraph.split(". ")[0][:160]
                if name:
                    names.append(name)
            return " / ".join(dict.fromkeys(names)) or "?"
    return "?"


@dataclass(frozen=True)
class LetterSource:
    """One font letters are drawn from: a Hershey stroke font by name, or a font file."""

    name: str
    kind: str  # "hershey", "ttf" or "strokes" (the hand-made variants of core.datasets.letter_shapes)
    path: str = ""

    def describe(self) -> str:
        if self.kind in ("hershey", "strokes"):
            return f"{self.kind}:{self.name}"
        if "@fontsource" in self.path:
            return f"fontsource:{self.name}"
        return f"ttf:{Path(self.path).name}"


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
    """Every letter source available on this machine: Hershey fonts, Debian font files, @fontsource."""
    return hershey_sources() + ttf_sources() + fontsource_sources()


def licence_of(source: LetterSource) -> str:
    """The licence of one letter source, for the model card."""
    if source.kind == "strokes":
        return "InkLab's own (core.datasets.letter_shapes)"
    if source.kind == "hershey":
        return "Hershey fonts: free use (US NBS, 1967), via PyPI hershey-fonts"
    if "@fontsource" in source.path:
        return fontsource_licence(source.name)
    return debian_licence(source.path)


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
