"""Reading large pictures: ``python -m bench.images`` prints one JSON object.

Times :func:`core.imaging.image_to_input` on 1200x900 PNG files (a gray scan and a colour
photo of a handwritten digit, both with paper noise) against the implementation of
``core/imaging/images.py`` before the early-shrinking change (read from git, commit
``BASELINE``), in the same process and run, on the same decoded images.  Reports CPU
milliseconds per image (best of several rounds, so other processes on the machine count
less), the decoding time on its own, and the largest difference between the two outputs
in gray levels (0..255): the change must not move any pixel by a gray level.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from bench import REPO

BASELINE = "6849e17"  # the last commit with the old preprocessing
SIZE = (1200, 900)


def _old_module():
    """The baseline images module, loaded from git under another name; None without git."""
    try:
        source = subprocess.run(["git", "show", f"{BASELINE}:core/imaging/images.py"], cwd=REPO,
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "images_baseline.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("images_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pages(folder: Path, n: int) -> list[Path]:
    """``n`` 1200x900 PNGs: gray scans and colour photos (blue ink on yellowish paper)."""
    from core.datasets.synthetic import to_scan

    rng = np.random.default_rng(0)
    digits = np.zeros((n, 28, 28), np.uint8)
    for i in range(n):  # a thick ring and a bar: a plain, digit-sized shape
        yy, xx = np.mgrid[0:28, 0:28]
        r = np.hypot(yy - 14 + i % 3, xx - 14)
        digits[i][(r > 5 + i % 4) & (r < 9 + i % 4)] = 255
        digits[i][4:24, 13 + i % 5 : 16 + i % 5] = 255
    paths = []
    for i in range(n):
        page = to_scan(digits[i], rng, canvas=SIZE)
        if i % 2:
            tint = np.array([1.0, 0.95, 0.8])  # yellowish paper, bluish ink
            rgb = page[..., None].astype(np.float32) * tint + (255 - page[..., None]) * np.array([0, 0.05, 0.3])
            page = np.clip(rgb, 0, 255).astype(np.uint8)
        path = folder / f"page{i}.png"
        Image.fromarray(page).save(path)
        paths.append(path)
    return paths


def _best_ms(fn, items, rounds: int = 5) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.process_time()
        for item in items:
            fn(item)
        best = min(best, (time.process_time() - t0) / len(items) * 1000)
    return round(best, 2)


def main() -> int:
    from core.imaging import image_to_input

    old = _old_module()
    with tempfile.TemporaryDirectory() as tmp:
        paths = _pages(Path(tmp), 10)

        def decode(p):
            with Image.open(p) as img:
                img.load()

        decode_ms = _best_ms(decode, paths)
        images = []
        for p in paths:
            with Image.open(p) as img:
                img.load()
                images.append(img.copy())
        result = {"image": f"{SIZE[0]}x{SIZE[1]} PNG, half gray, half colour", "images": len(paths),
                  "decode_ms": decode_ms, "new_after_decode_ms": _best_ms(image_to_input, images),
                  "new_total_ms": _best_ms(image_to_input, paths)}
        if old is not None:
            result["old_after_decode_ms"] = _best_ms(old.image_to_input, images)
            result["old_total_ms"] = _best_ms(old.image_to_input, paths)
            result["max_diff_gray_levels"] = round(max(
                float(np.abs(old.image_to_input(i) - image_to_input(i)).max()) for i in images) * 255, 4)
        else:
            result["old"] = "not measured: git or the baseline commit is missing"
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
