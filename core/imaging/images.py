"""Any picture of one character (file, PIL image or array) -> the 28x28 model input.

Scans, photos and ready 28x28 arrays all come through here: the ink's polarity and the
background are detected, the contrast stretched and specks removed, then the MNIST recipe
(:func:`core.imaging.framing.mnist_normalize`) frames the ink.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core import limits
from core.errors import DrawingError
from core.imaging.framing import BOX, DETAIL_SIDE, EMPTY_IMAGE, SIZE, mnist_normalize

_WORK_SIDE = 1024  # images are box-reduced to at most this side before any analysis
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R 601 luminance of R, G, B


# Pillow's own guard, at our budget: it raises DecompressionBombError beyond twice this,
# and open_image refuses anything over it before a pixel is decoded.
Image.MAX_IMAGE_PIXELS = limits.MAX_IMAGE_PIXELS


def open_image(path: str | os.PathLike[str]) -> Image.Image:
    """Open and decode an image file, refusing one over the pixel budget before decoding it.

    Every image InkLab reads (a file to recognise, an image-folder import, a collection
    sample) comes through here.  Any failure of the decoder is a :class:`DrawingError`
    naming the file: Pillow's plugins raise many types for damaged files.
    """
    path = Path(path)
    try:
        img = Image.open(path)
        pixels = img.width * img.height
        if pixels > limits.MAX_IMAGE_PIXELS:
            img.close()
            raise DrawingError(
                f"{path}: the image is {img.width}x{img.height} ({pixels / 1e6:.0f} megapixels); "
                f"InkLab reads images up to {limits.MAX_IMAGE_PIXELS / 1e6:.0f} megapixels"
            )
        # JPEG can decode at 1/2..1/8 scale for free: a phone photo need not be decoded whole.
        img.draft("RGB", (2 * _WORK_SIDE, 2 * _WORK_SIDE))
        img.load()
        # In place: without an orientation tag, exif_transpose would otherwise return a copy
        # of the whole decoded picture (~1 ms for a 1200x900 photo).
        ImageOps.exif_transpose(img, in_place=True)
        return img
    except FileNotFoundError:
        raise DrawingError(f"{path}: file not found") from None
    except Image.DecompressionBombError as err:
        raise DrawingError(f"{path}: refused as a decompression bomb ({err})") from None
    except DrawingError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, MemoryError) as err:
        raise DrawingError(f"{path}: not a readable image ({err})") from None
    except Exception as err:  # noqa: BLE001 - Pillow's decoders raise struct.error, IndexError, ... on damage
        raise DrawingError(f"{path}: not a readable image ({type(err).__name__}: {err})") from None


def _array_to_pil(a: np.ndarray, where: str) -> Image.Image:
    """A numpy image (gray, gray+alpha, RGB, RGBA; any numeric dtype) as an 8-bit PIL image."""
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (2, 3, 4)):
        raise DrawingError(f"{where}: expected a gray, RGB or RGBA image array, got shape {a.shape}")
    if a.size == 0:
        raise DrawingError(f"{where} {EMPTY_IMAGE}")
    if a.shape[0] * a.shape[1] > limits.MAX_IMAGE_PIXELS:
        raise DrawingError(
            f"{where}: the image is {a.shape[1]}x{a.shape[0]}; InkLab reads images up to "
            f"{limits.MAX_IMAGE_PIXELS / 1e6:.0f} megapixels"
        )
    if a.dtype == np.bool_:
        a = a.astype(np.uint8) * 255
    elif not np.issubdtype(a.dtype, np.number):
        raise DrawingError(f"{where}: expected numbers in the image, got {a.dtype}")
    if a.dtype != np.uint8:
        # Scale to 0..255 a few rows at a time: an 8000x8000 float64 array must not be
        # copied whole into another float array.
        step = max(1, (1 << 22) // max(1, a[0].size))
        top = 0.0
        for i in range(0, len(a), step):
            chunk = a[i : i + step]
            if np.issubdtype(a.dtype, np.floating) and not np.isfinite(chunk).all():
                raise DrawingError(f"{where}: image contains NaN or infinite values")
            top = max(top, float(chunk.max()))
        if np.issubdtype(a.dtype, np.floating) and top <= 1.0:
            k = 255.0  # 0..1 floats
        else:
            k = 1.0 if top <= 255 else (255.0 / 65535.0 if top <= 65535 else 255.0 / top)
        out = np.empty(a.shape, np.uint8)
        for i in range(0, len(a), step):
            out[i : i + step] = np.clip(a[i : i + step] * k + 0.5, 0, 255)
        a = out
    # fromarray picks L, LA, RGB or RGBA from the shape of a uint8 array.
    return Image.fromarray(np.ascontiguousarray(a))


def _eight_bit(img: Image.Image, where: str) -> Image.Image:
    """Any PIL image as L, LA, RGB or RGBA."""
    if img.mode in ("L", "LA", "RGB", "RGBA"):
        return img
    if img.mode == "1":
        return img.convert("L")
    if img.mode in ("P", "PA"):
        return img.convert("RGBA" if img.mode == "PA" or "transparency" in img.info else "RGB")
    if img.mode in ("La", "RGBa"):
        return img.convert("LA" if img.mode == "La" else "RGBA")
    if img.mode.startswith("I") or img.mode == "F":
        return _array_to_pil(np.asarray(img), where)  # 16/32-bit gray: scaled to 0..255
    return img.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBX


def _gray(img: Image.Image) -> np.ndarray:
    """Float32 [0, 1] luminance; transparency is laid over a backdrop that contrasts with the ink."""
    has_alpha = img.mode in ("LA", "RGBA")
    if img.mode == "RGB":  # the common photo: one pass from bytes to luminance, no float copy first
        return np.asarray(img) @ (_LUMA / np.float32(255.0))
    a = np.asarray(img, np.float32) * (1.0 / 255.0)
    if not has_alpha:
        return a if a.ndim == 2 else a @ _LUMA
    colour, alpha = a[..., :-1], a[..., -1]
    lum = colour[..., 0] if colour.shape[-1] == 1 else colour @ _LUMA
    if alpha.min() >= 1.0:
        return lum
    opaque = alpha > 0.5
    # Dark ink on a transparent sheet goes on white, light ink on black: never lose the ink.
    backdrop = 1.0 if (not opaque.any() or float(lum[opaque].mean()) < 0.5) else 0.0
    return lum * alpha + backdrop * (1.0 - alpha)


def _reduce_to(img: Image.Image, side: int) -> Image.Image:
    """Box-average ``img`` by an integer factor until its longer side is at most ``side``."""
    factor = math.ceil(max(img.size) / side)
    return img.reduce(factor) if factor > 1 else img


_TAIL_SAMPLE = 4096  # values sampled to bound a tail before the exact selection


def _tail_percentiles(a: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """``np.percentile(a, qs)`` for percentiles near either end, without sorting the whole image.

    Only the few values at each end decide such a percentile: a sparse sample gives a
    bound that surely holds them, they are picked out and partitioned, and the result is
    np.percentile's own (linear interpolation).  Several times faster on a large image,
    where np.percentile's partition of every pixel was the biggest cost of reading it.
    """
    flat = a.ravel()
    n = flat.size
    if n < 16 * _TAIL_SAMPLE:
        return [float(v) for v in np.percentile(flat, qs)]
    sample = flat[:: n // _TAIL_SAMPLE]
    out = []
    for q in qs:
        pos = q / 100.0 * (n - 1)
        i = math.floor(pos)
        j = min(i + 1, n - 1)
        low = q < 50
        share = min(1.0, 2 * (q if low else 100 - q) / 100.0 + 0.01)
        bound = float(np.quantile(sample, share if low else 1.0 - share))
        tail = flat[flat <= bound] if low else flat[flat >= bound]
        shift = 0 if low else n - tail.size  # the tail is the top of the sorted image
        if (low and j >= tail.size) or (not low and i - shift < 0):
            out.append(float(np.percentile(flat, q)))  # the sample misjudged the tail: the slow, sure way
            continue
        part = np.partition(tail, [i - shift, j - shift])
        vi, vj = float(part[i - shift]), float(part[j - shift])
        t = pos - i
        out.append(vj - (vj - vi) * (1 - t) if t >= 0.5 else vi + (vj - vi) * t)
    return out


class _InkLevels:
    """How to turn one image's gray levels into ink: polarity, background, contrast, noise."""

    def __init__(self, g: np.ndarray, where: str) -> None:
        h, w = g.shape
        b = max(1, round(0.03 * min(h, w)))
        border = np.concatenate([g[:b].ravel(), g[-b:].ravel(), g[:, :b].ravel(), g[:, -b:].ravel()])
        bg = float(np.median(border))
        lo, hi = _tail_percentiles(g, (0.5, 99.5))
        dark, bright = bg - lo, hi - bg
        if max(dark, bright) < 0.04:  # the ink is a tiny part of the picture: use the extremes
            dark, bright = bg - float(g.min()), float(g.max()) - bg
        # Ink is whatever departs furthest from the background, so a light background (paper)
        # means dark ink to invert; a tie goes to the common case of a light page.
        self.invert = dark > bright or (dark == bright and bg > 0.5)
        if self.invert:
            border, bg = 1.0 - border, 1.0 - bg
        self.bg = bg
        self.noise = float(np.percentile(np.clip(border - bg, 0, None), 99))
        contrast = max(dark, bright)
        if contrast < 0.04:
            raise DrawingError(f"{where} {EMPTY_IMAGE}")
        # Only pixels clearly off the background matter: pick a superset of them with one
        # comparison (a hair of slack for float rounding), then apply the exact test to those.
        level = max(2 * self.noise, 0.25 * contrast)
        some = g[g < (1.0 - bg) - level + 1e-5] if self.invert else g[g > bg + level - 1e-5]
        g0 = (1.0 - some if self.invert else some) - bg
        candidates = g0[g0 > level]
        self.peak = float(np.percentile(candidates, 90)) if candidates.size else contrast
        self.floor = float(np.clip(1.5 * self.noise / self.peak + 0.03, 0.05, 0.5))

    def ink_region(self, g: np.ndarray) -> tuple[slice, slice] | None:
        """Rows and columns that hold every pixel :meth:`apply` could leave as ink, plus a
        one-pixel margin (so despeckling the region alone gives the same pixels); None if none.

        One comparison over the image instead of the stretch, clip and despeckle passes:
        :meth:`apply` then runs on the region only, which is all the caller needs.
        """
        # apply() keeps a pixel when ((g - bg) / peak - floor) > 0 (after inverting): that is
        # g beyond bg + floor * peak, tested here with slack so rounding cannot lose one.
        edge = self.bg + self.floor * self.peak - 1e-5
        mask = g < 1.0 - edge if self.invert else g > edge
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        if rows.size == 0:
            return None
        h, w = g.shape
        return (slice(max(0, rows[0] - 1), min(h, rows[-1] + 2)), slice(max(0, cols[0] - 1), min(w, cols[-1] + 2)))

    def apply(self, g: np.ndarray, despeckle: bool = True) -> np.ndarray:
        """Ink bright on exact black: background removed, contrast stretched, specks gone."""
        if self.invert:
            g = 1.0 - g
        g = np.clip((g - self.bg) / self.peak, 0.0, 1.0)
        g = np.clip((g - self.floor) / (1.0 - self.floor), 0.0, 1.0)
        if not despeckle:
            return g.astype(np.float32, copy=False)
        ink = g > 0
        # A lone bright pixel is sensor noise or dust, not writing, and would stretch the box.
        padded = np.pad(ink, 1).astype(np.uint8)
        neighbours = sum(
            padded[1 + dy : 1 + dy + g.shape[0], 1 + dx : 1 + dx + g.shape[1]]
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
            if dy or dx
        )
        g[ink & (neighbours == 0)] = 0.0
        return g.astype(np.float32, copy=False)


def _is_normalized(img28: np.ndarray) -> bool:
    """Whether a 28x28 ink image already has MNIST's 20 px box and centred mass."""
    rows, cols = np.flatnonzero(img28.any(axis=1)), np.flatnonzero(img28.any(axis=0))
    if rows.size == 0:
        return False
    long_side = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    mass = float(img28.sum())
    cy = float(img28.sum(axis=1) @ np.arange(SIZE)) / mass
    cx = float(img28.sum(axis=0) @ np.arange(SIZE)) / mass
    return BOX - 1 <= long_side <= BOX + 1 and abs(cy - SIZE / 2) <= 1.0 and abs(cx - SIZE / 2) <= 1.0


def ink_image(image: object) -> tuple[np.ndarray, float]:
    """A picture's ink, bright on black (float32 0..1), as :func:`image_to_input` finds it,
    and the factor from its pixels to the picture's (large pictures are box-reduced first).

    For pictures of several characters (:mod:`core.imaging.ink_parts`); raises
    :class:`DrawingError` for an unreadable file or a picture without ink.
    """
    where = str(image) if isinstance(image, (str, os.PathLike)) else "image"
    img = _as_image(image, where)
    work = _reduce_to(img, _WORK_SIDE)
    gray = _gray(work)
    ink = _InkLevels(gray, where).apply(gray)
    if not ink.any():
        raise DrawingError(f"{where} {EMPTY_IMAGE}")
    return ink, img.width / work.width


def _as_image(image: object, where: str) -> Image.Image:
    """A path, PIL image or array as an 8-bit PIL image (L, LA, RGB or RGBA)."""
    if isinstance(image, (str, os.PathLike)):
        img = open_image(Path(image))
    elif isinstance(image, Image.Image):
        img = image
    else:
        img = _array_to_pil(np.asarray(image), where)
    if img.width == 0 or img.height == 0:
        raise DrawingError(f"{where} {EMPTY_IMAGE}")
    return _eight_bit(img, where)


def image_to_input(image: object) -> np.ndarray:
    """Any picture of one character -> the 28x28 model input (float32, white on black).

    ``image`` is a PIL image, a path to an image file, or a numpy array (any size; gray,
    RGB or RGBA; uint8, or floats 0..1 or 0..255).  Dark ink on a light background
    (paper, a scan, a photo) is detected and inverted; the background level is removed,
    the contrast stretched and faint noise suppressed; then the MNIST recipe
    (:func:`mnist_normalize`).  A ready MNIST-like 28x28 array passes through nearly
    unchanged.  Huge images are box-reduced first, then the ink region is re-read at a
    finer scale.  Raises :class:`DrawingError` for an unreadable file or an empty image.
    """
    if isinstance(image, (str, os.PathLike)):
        where = str(image)
        img = open_image(Path(image))
    elif isinstance(image, Image.Image):
        where = "image"
        img = image
    else:
        where = "image"
        img = _array_to_pil(np.asarray(image), where)
    if img.width == 0 or img.height == 0:
        raise DrawingError(f"{where} {EMPTY_IMAGE}")
    img = _eight_bit(img, where)
    work = _reduce_to(img, _WORK_SIDE)
    gray = _gray(work)
    levels = _InkLevels(gray, where)
    if gray.shape == (SIZE, SIZE):
        ready = levels.apply(gray, despeckle=False)
        if _is_normalized(ready):
            # Already made the MNIST way (a pupil's 28x28 matrix, an MNIST sample): redoing
            # the crop and scale could only move or blur it.
            return ready
    region = levels.ink_region(gray)
    if region is None:
        raise DrawingError(f"{where} {EMPTY_IMAGE}")
    ink = levels.apply(gray[region])
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        raise DrawingError(f"{where} {EMPTY_IMAGE}")
    # Back to the work image's coordinates (the detail crop below is placed by them).
    rows, cols = rows + region[0].start, cols + region[1].start
    factor = img.width / work.width
    long_side = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    if factor > 1 and long_side < DETAIL_SIDE:
        # The character is small in a big picture: re-read just its region with less
        # reduction so that thin strokes keep their detail.
        margin = 2
        box = (
            max(0, int((cols[0] - margin) * factor)),
            max(0, int((rows[0] - margin) * factor)),
            min(img.width, int(math.ceil((cols[-1] + 1 + margin) * factor))),
            min(img.height, int(math.ceil((rows[-1] + 1 + margin) * factor))),
        )
        detail = _reduce_to(img.crop(box), DETAIL_SIDE * 2)
        ink = levels.apply(_gray(detail))
        if not ink.any():
            raise DrawingError(f"{where} {EMPTY_IMAGE}")
    return mnist_normalize(ink)
