"""Training data made on this machine: distorted pen digits and synthetic letters.

The bundled models must read handwriting from people they never saw, through the drawing
pad's own pipeline (:func:`core.imaging.render_strokes`).  Two sources help where real
data is short:

* **pen renders** — real tablet strokes (pendigits, UNIPEN) rendered several times with a
  random pen width and a random *stroke-space* distortion (rotation, slant, aspect, elastic
  bend, point jitter): every render is what the pad would give a slightly different writer.
* **synthetic letters** — A..Z in upper and lower case (labels case-merged, EMNIST order)
  from the single-stroke Hershey fonts, whose line segments are rendered like pad strokes,
  and from handwriting-style TrueType fonts, whose glyphs are warped in image space and
  brought to the pad's stroke width (the fonts are found by :mod:`core.datasets.letter_fonts`).

Everything is seeded.  Also here: :func:`to_scan`, a 28x28 digit as a scan-like page (dark
ink, small, on a large noisy light canvas) to measure the image path as a photo reaches it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageFilter

from core.datasets.dataset import Split
from core.datasets.letter_fonts import LetterSource, default_sources, hershey_strokes, ttf_glyph
from core.datasets.letter_shapes import template_strokes
from core.errors import DataError, DrawingError
from core.imaging import BOX, DEFAULT_PEN_WIDTH, mnist_normalize, render_strokes, to_uint8
from core.labels import LETTERS
from core.progress import CancelToken, ProgressCallback, no_progress

UPPER, LOWER = 0, 1

# --------------------------------------------------------------------------------------
# stroke-space distortion


@dataclass(frozen=True)
class StrokeDistortion:
    """How far a random writer may differ from the one who drew the strokes.

    ``rotation`` in degrees; ``shear`` the largest slant (x moves by ``shear * y``);
    ``aspect`` the largest log change of width against height; ``elastic`` the amplitude
    of a smooth bend and ``jitter`` of per-point noise, both as fractions of the drawing's
    size; ``pen_width`` the range of pen widths in output pixels.
    """

    rotation: float = 10.0
    shear: float = 0.25
    aspect: float = 0.18
    elastic: float = 0.025
    jitter: float = 0.004
    pen_width: tuple[float, float] = (1.9, 3.1)

    def as_dict(self) -> dict:
        return {
            "rotation": self.rotation,
            "shear": self.shear,
            "aspect": self.aspect,
            "elastic": self.elastic,
            "jitter": self.jitter,
            "pen_width": list(self.pen_width),
        }


DIGIT_DISTORTION = StrokeDistortion()
LETTER_DISTORTION = StrokeDistortion(rotation=12.0, shear=0.3, aspect=0.25, elastic=0.04, jitter=0.004,
                                     pen_width=(1.8, 3.2))


def distort_strokes(
    strokes: Sequence[np.ndarray], rng: np.random.Generator, d: StrokeDistortion = DIGIT_DISTORTION
) -> list[np.ndarray]:
    """A randomly distorted copy of ``strokes`` (each (n, 2+) float; extra columns kept).

    One affine map (rotation, slant, aspect) about the drawing's centre, then a smooth
    elastic bend (a few low-frequency sine waves, so neighbouring points move together as
    a different hand would) and a little per-point jitter.  The y direction does not
    matter: every parameter is drawn symmetrically.
    """
    arrays = [np.asarray(s, np.float64) for s in strokes if len(s)]
    if not arrays:
        raise DrawingError("drawing is empty: nothing to distort")
    xy = np.concatenate([a[:, :2] for a in arrays])
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    centre = (lo + hi) / 2
    size = max(float((hi - lo).max()), 1e-9)
    theta = math.radians(rng.uniform(-d.rotation, d.rotation))
    shear = rng.uniform(-d.shear, d.shear)
    stretch = math.exp(rng.uniform(-d.aspect, d.aspect) / 2)
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    matrix = rot @ np.array([[1.0, shear], [0.0, 1.0]]) @ np.diag([stretch, 1.0 / stretch])
    # Three random plane waves per axis with wavelengths of about 0.7..2 character sizes.
    waves = rng.normal(size=(2, 3, 2)) * (2 * math.pi / size) * rng.uniform(0.5, 1.4, size=(2, 3, 1))
    phases = rng.uniform(0, 2 * math.pi, size=(2, 3))
    amp = d.elastic * size / math.sqrt(3)
    out = []
    for a in arrays:
        p = a[:, :2] - centre
        moved = p @ matrix.T
        for axis in range(2):
            moved[:, axis] += amp * np.sin(p @ waves[axis].T + phases[axis]).sum(axis=1)
        moved += rng.normal(scale=d.jitter * size, size=moved.shape)
        b = a.copy()
        b[:, :2] = moved + centre
        out.append(b)
    return out


def jitter_strokes(
    strokes: Sequence[np.ndarray], rng: np.random.Generator, shift: float = 0.03, angle: float = 4.0
) -> list[np.ndarray]:
    """Each stroke moved and turned a little on its own (``shift`` of the drawing's size, ``angle``
    degrees, both standard deviations): a hand never puts the bar of a "t" or the stem of a
    "d" exactly where a font does.  Used for stroke fonts and templates, whose strokes are exact.
    """
    arrays = [np.asarray(s, np.float64) for s in strokes if len(s)]
    if not arrays:
        return []
    xy = np.concatenate([a[:, :2] for a in arrays])
    size = max(float(np.ptp(xy, axis=0).max()), 1e-9)
    out = []
    for a in arrays:
        theta = math.radians(rng.normal(scale=angle))
        m = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
        centre = a[:, :2].mean(axis=0)
        b = a.copy()
        b[:, :2] = (a[:, :2] - centre) @ m.T + centre + rng.normal(scale=shift * size, size=2)
        out.append(b)
    return out


def render_distorted(
    strokes: Sequence[np.ndarray],
    rng: np.random.Generator,
    d: StrokeDistortion = DIGIT_DISTORTION,
    *,
    y_up: bool = False,
) -> np.ndarray:
    """Distort ``strokes`` and render them with a random pen width: 28x28 float32 in [0, 1]."""
    width = rng.uniform(*d.pen_width)
    return render_strokes(distort_strokes(strokes, rng, d), pen_width=width, y_up=y_up)


def pen_renders(
    drawings: Sequence[Sequence[np.ndarray]],
    copies: int,
    *,
    seed: int = 0,
    distortion: StrokeDistortion = DIGIT_DISTORTION,
    clean: bool = True,
    y_up: bool = True,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> np.ndarray:
    """Each drawing's strokes rendered ``copies`` times: uint8 (len(drawings) * copies, 28, 28).

    Copies of one drawing are consecutive.  With ``clean`` the first copy is the plain pad
    rendering (default pen width, no distortion), the others random (:func:`render_distorted`).
    """
    if copies < 1:
        raise DataError(f"copies must be at least 1, got {copies}")
    rng = np.random.default_rng(seed)
    images = np.zeros((len(drawings) * copies, 28, 28), np.uint8)
    for k, strokes in enumerate(drawings):
        if k % 200 == 0:
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(k, len(drawings), "Rendering pen strokes")
        for c in range(copies):
            if clean and c == 0:
                img = render_strokes(strokes, y_up=y_up)
            else:
                img = render_distorted(strokes, rng, distortion, y_up=y_up)
            images[k * copies + c] = to_uint8(img)
    progress(len(drawings), len(drawings), "Rendering pen strokes")
    return images


def pen_digit_split(
    samples: Sequence,
    copies: int,
    *,
    seed: int = 0,
    distortion: StrokeDistortion = DIGIT_DISTORTION,
    clean: bool = True,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Split:
    """:func:`pen_renders` of pen samples (``PenSample``, y up), with ``groups`` their writers."""
    images = pen_renders([s.strokes for s in samples], copies, seed=seed, distortion=distortion, clean=clean,
                         progress=progress, cancel=cancel)
    labels = np.repeat(np.array([s.label for s in samples], np.int64), copies)
    groups = np.repeat(np.array([s.writer for s in samples], np.int64), copies)
    return Split(images, labels, groups)


# --------------------------------------------------------------------------------------
# letters: image-space warping for font glyphs


def _bilinear(img: np.ndarray, sy: np.ndarray, sx: np.ndarray) -> np.ndarray:
    """Sample ``img`` at float coordinates (zero outside)."""
    h, w = img.shape
    padded = np.pad(img, 1)
    sy = np.clip(sy + 1, 0, h + 0.999)
    sx = np.clip(sx + 1, 0, w + 0.999)
    y0 = np.floor(sy).astype(np.intp)
    x0 = np.floor(sx).astype(np.intp)
    y1 = np.minimum(y0 + 1, h + 1)
    x1 = np.minimum(x0 + 1, w + 1)
    fy, fx = sy - y0, sx - x0
    top = padded[y0, x0] * (1 - fx) + padded[y0, x1] * fx
    bottom = padded[y1, x0] * (1 - fx) + padded[y1, x1] * fx
    return top * (1 - fy) + bottom * fy


def _smooth_field(rng: np.random.Generator, shape: tuple[int, int], cells: int = 4) -> np.ndarray:
    """A smooth random field in [-1, 1]-ish: a coarse random grid, bicubically enlarged."""
    coarse = rng.uniform(-1, 1, size=(cells, cells)).astype(np.float32)
    return np.asarray(Image.fromarray(coarse, "F").resize(shape[::-1], Image.Resampling.BICUBIC))


def _stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a binary ink mask: twice the area over the outline length."""
    area = float(mask.sum())
    if area == 0:
        return 0.0
    edges = (mask[1:, :] != mask[:-1, :]).sum() + (mask[:, 1:] != mask[:, :-1]).sum()
    return 2.0 * area / max(1.0, float(edges))


def warp_glyph(
    ink: np.ndarray, rng: np.random.Generator, d: StrokeDistortion = LETTER_DISTORTION
) -> np.ndarray:
    """A glyph mask warped like :func:`distort_strokes` and brought to a random pen width.

    The affine part and a smooth elastic field are applied in one resampling.  Font
    strokes are then eroded or dilated so that, once the MNIST recipe scales the letter to
    20 px, they are about as wide as the pad's pen: a bold font and a light one, capitals
    and small letters, all end up drawn with the same pen.  Returns the 28x28 float image.
    """
    h, w = ink.shape
    side = int(max(h, w) * 1.3)
    cy, cx = (side - 1) / 2, (side - 1) / 2
    theta = math.radians(rng.uniform(-d.rotation, d.rotation))
    shear = rng.uniform(-d.shear, d.shear)
    stretch = math.exp(rng.uniform(-d.aspect, d.aspect) / 2)
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    forward = rot @ np.array([[1.0, shear], [0.0, 1.0]]) @ np.diag([stretch, 1.0 / stretch])
    inverse = np.linalg.inv(forward)
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32)
    amp = d.elastic * max(h, w) * 1.5
    ex = _smooth_field(rng, (side, side)) * amp
    ey = _smooth_field(rng, (side, side)) * amp
    px, py = xx - cx + ex, yy - cy + ey
    # Output (x, y) comes from input inverse @ (x, y); y axis down, as in images.
    sx = inverse[0, 0] * px + inverse[0, 1] * py + (w - 1) / 2
    sy = inverse[1, 0] * px + inverse[1, 1] * py + (h - 1) / 2
    warped = _bilinear(ink, sy, sx)
    mask = warped > 0.5
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        raise DrawingError("glyph vanished while warping")
    extent = int(max(rows[-1] - rows[0], cols[-1] - cols[0])) + 1
    pen = rng.uniform(*d.pen_width)
    target = pen * extent / BOX
    steps = int(round((target - _stroke_width(mask)) / 2))
    img = Image.fromarray(np.where(mask, 255, 0).astype(np.uint8))
    if steps > 0:
        img = img.filter(ImageFilter.MaxFilter(2 * min(steps, 6) + 1))
    elif steps < 0:
        thinner = img.filter(ImageFilter.MinFilter(2 * min(-steps, 6) + 1))
        if np.asarray(thinner).sum() > 0.3 * np.asarray(img).sum():  # never erode a letter away
            img = thinner
    # A slight blur gives the anti-aliased edge the pad's supersampled renderer has.
    img = img.filter(ImageFilter.GaussianBlur(max(1.0, float(extent) / 60)))
    return mnist_normalize(np.asarray(img, np.float32) / 255.0)


# --------------------------------------------------------------------------------------
# letters: the generator


@dataclass(frozen=True)
class SyntheticLetters:
    """Synthetic letters: ``split`` (labels 0..25 = A..Z, ``groups`` = source index), and
    for each sample its ``case`` (0 upper, 1 lower); ``sources`` names the fonts."""

    split: Split
    case: np.ndarray
    sources: tuple[LetterSource, ...] = field(default=())


def render_letter(
    source: LetterSource, char: str, rng: np.random.Generator, d: StrokeDistortion = LETTER_DISTORTION,
    *, distort: bool = True,
) -> np.ndarray | None:
    """One letter of one font as the pad would see it (28x28 float), or None if absent.

    A source of kind "strokes" draws the hand-made variants of :mod:`core.datasets.letter_shapes`.
    Without ``distort`` the clean rendering: default pen width, no warp.
    """
    if source.kind in ("hershey", "strokes"):
        strokes = hershey_strokes(source.name, char) if source.kind == "hershey" else template_strokes(char, rng)
        if not strokes:
            return None
        if not distort:
            return render_strokes(strokes)
        return render_distorted(jitter_strokes(strokes, rng), rng, d)
    ink = ttf_glyph(source.path, char)
    if ink is None:
        return None
    if not distort:
        d = StrokeDistortion(0.0, 0.0, 0.0, 0.0, 0.0, (DEFAULT_PEN_WIDTH, DEFAULT_PEN_WIDTH))
    return warp_glyph(ink, rng, d)


def synthetic_letters(
    per_font: int,
    *,
    sources: Sequence[LetterSource] | None = None,
    seed: int = 0,
    distortion: StrokeDistortion = LETTER_DISTORTION,
    cases: Sequence[int] = (UPPER, LOWER),
    distort: bool = True,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> SyntheticLetters:
    """``per_font`` random renders of each letter, in each case, from each source.

    Labels are case-merged (``a`` and ``A`` are both 0), as EMNIST letters.  Characters a
    font lacks are skipped.  Raises :class:`DataError` when no source is usable.
    """
    sources = list(default_sources() if sources is None else sources)
    if not sources:
        raise DataError("no letter fonts available: install hershey-fonts or the Debian font packages")
    rng = np.random.default_rng(seed)
    images, labels, groups, case_of = [], [], [], []
    jobs = [(s, c, case) for s in range(len(sources)) for case in cases for c in range(26)]
    for j, (s, c, case) in enumerate(jobs):
        if j % 26 == 0:
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(j, len(jobs), "Rendering letters")
        char = LETTERS[c] if case == UPPER else LETTERS[c].lower()
        for _ in range(per_font):
            img = render_letter(sources[s], char, rng, distortion, distort=distort)
            if img is None:
                break
            images.append(to_uint8(img))
            labels.append(c)
            groups.append(s)
            case_of.append(case)
    progress(len(jobs), len(jobs), "Rendering letters")
    if not images:
        raise DataError("the letter fonts gave no letters")
    split = Split(np.stack(images), np.array(labels, np.int64), np.array(groups, np.int64))
    return SyntheticLetters(split, np.array(case_of, np.int8), tuple(sources))


# --------------------------------------------------------------------------------------
# the image path: scan-like pages


def to_scan(
    image28: np.ndarray, rng: np.random.Generator, canvas: tuple[int, int] = (400, 300)
) -> np.ndarray:
    """A 28x28 digit (white on black) as a scan: dark ink, small, on a light noisy page.

    The digit is inverted, enlarged 4..8x, and placed at a random spot of a ``canvas``
    (width, height) page whose paper level, ink darkness and noise vary; half the pages are
    slightly blurred, as a phone photo is.  Returns uint8 (height, width).
    """
    small = np.asarray(image28, np.float32)
    if small.dtype != np.float32 or small.max() > 1.0:
        small = small / 255.0
    factor = int(rng.integers(4, 9))
    big = np.asarray(
        Image.fromarray(small, "F").resize((28 * factor, 28 * factor), Image.Resampling.BICUBIC), np.float32
    ).clip(0, 1)
    width, height = canvas
    paper = rng.uniform(0.8, 0.97)
    ink = rng.uniform(0.05, 0.3)
    page = np.full((height, width), paper, np.float32)
    y = int(rng.integers(0, height - big.shape[0] + 1))
    x = int(rng.integers(0, width - big.shape[1] + 1))
    page[y : y + big.shape[0], x : x + big.shape[1]] = paper - (paper - ink) * big
    page += rng.normal(scale=rng.uniform(0.0, 0.03), size=page.shape).astype(np.float32)
    out = Image.fromarray(np.clip(page * 255, 0, 255).astype(np.uint8))
    if rng.random() < 0.5:
        out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.5)))
    return np.asarray(out)
