"""Hostile files, made small and fast: archives that inflate to gigabytes, huge images, huge drawings.

Each maker writes one file (or folder) into a given folder and returns what to hand to
InkLab.  :func:`refuse_all` feeds each to the reader that must refuse it and measures the
time and the process's peak memory; ``tests/core/test_hostile_inputs.py`` runs it in a
fresh process and ``bench.reliability`` reports its numbers.  Run as a script it prints
``{kind: {"seconds", "peak_mb", "error"}}`` as JSON.
"""

from __future__ import annotations

import json
import os
import resource
import struct
import sys
import time
import zipfile
import zlib
from pathlib import Path

_MB = 1 << 20


def _zip_with_member(path: Path, name: str, head: bytes, zeros: int, extra: dict[str, bytes] | None = None) -> Path:
    """A zip whose member ``name`` is ``head`` then ``zeros`` zero bytes (deflated, not held in memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for other, data in (extra or {}).items():
            archive.writestr(other, data)
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            member.write(head)
            block = bytes(8 * _MB)
            left = zeros
            while left:
                step = min(left, len(block))
                member.write(block[:step])
                left -= step
    return path


def _npy_header(shape: tuple[int, ...]) -> bytes:
    header = repr({"descr": "|u1", "fortran_order": False, "shape": shape}).encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def npz_bomb(folder: Path, size: int = 3 << 30) -> Path:
    """An ``.npz`` whose images array inflates to ``size`` bytes of zeros (3 GB by default)."""
    n = size // 784
    return _zip_with_member(folder / "bomb.npz", "x_train.npy", _npy_header((n, 28, 28)), n * 784,
                            {"y_train.npy": _npy_header((1,)) + b"\0"})


def keras_bomb(folder: Path, size: int = 3 << 30) -> Path:
    """A model folder whose ``model.keras`` holds a weights file inflating to ``size`` bytes."""
    model = folder / "bomb-model"
    model.mkdir(exist_ok=True)
    _zip_with_member(model / "model.keras", "model.weights.h5", b"", size,
                     {"config.json": b"{}", "metadata.json": b"{}"})
    card = {"format": "inklab-model-card", "card_version": 1, "name": "bomb", "label_names": ["a", "b"],
            "outputs": "logits"}
    (model / "card.json").write_text(json.dumps(card))
    return model


def gzip_idx_bomb(folder: Path, size: int = 3 << 30) -> Path:
    """A gzip IDX file whose header promises 10 images but whose data inflates to ``size`` bytes."""
    header = bytes([0, 0, 8, 3]) + struct.pack(">III", 10, 28, 28)
    body = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    data = body.compress(header)
    chunk = bytes(8 * _MB)
    for _ in range(size // len(chunk)):
        data += body.compress(chunk)
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(data + body.flush())
    return path


def gzip_idx_header_bomb(folder: Path) -> Path:
    """A tiny gzip IDX file whose header promises 4 billion images."""
    header = bytes([0, 0, 8, 3]) + struct.pack(">III", 0xFFFFFFFF, 28, 28)
    path = folder / "huge-header-idx3-ubyte.gz"
    path.write_bytes(_gzip(header))
    return path


def _gzip(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def png_bomb(folder: Path, side: int = 20000, name: str = "bomb.png") -> Path:
    """A grayscale PNG of ``side`` x ``side`` black pixels (400 megapixels by default), a few hundred KB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    rows_per_block = max(1, (8 * _MB) // (side + 1))
    block = bytes(side + 1) * rows_per_block  # each row: filter byte 0, then the pixels
    parts = [packer.compress(block) for _ in range(side // rows_per_block)]
    parts.append(packer.compress(bytes(side + 1) * (side % rows_per_block)))
    idat = b"".join(parts) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path = folder / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def stroke_json_points(folder: Path, points: int = 10_000_000) -> Path:
    """A stroke JSON with ``points`` points in one stroke (10 million: ~90 MB of text)."""
    path = folder / "points.json"
    with open(path, "w", encoding="ascii") as handle:
        handle.write('{"strokes": [[')
        handle.write(",".join(["[1,2]"] * min(points, 1_000_000)))
        for _ in range(points // 1_000_000 - 1):
            handle.write("," + ",".join(["[1,2]"] * 1_000_000))
        handle.write("]]}")
    return path


def stroke_json_dense(folder: Path) -> Path:
    """A stroke JSON under the size bound but with more points than a drawing may have."""
    path = folder / "dense.json"
    path.write_text('{"strokes": [[' + ",".join(["[1,2]"] * 200_000) + "]]}")
    return path


def jsonl_drawings(folder: Path, drawings: int = 200_000) -> Path:
    """A JSONL file of ``drawings`` small drawings."""
    path = folder / "many.jsonl"
    path.write_text('{"strokes": [[[0, 0], [10, 30]]]}\n' * drawings)
    return path


def deep_json(folder: Path, depth: int = 1_000_000) -> Path:
    """A stroke JSON nested ``depth`` levels deep."""
    path = folder / "deep.json"
    path.write_text('{"strokes": ' + "[" * depth + "]" * depth + "}")
    return path


def _refusers(big: bool = True):
    """kind -> (maker, reader that must refuse the made file with an InkLabError).

    ``big``: the sizes of issue 13 (3 GB inside); otherwise 100 MB bombs, refused by their
    compression ratio, which take a second rather than twenty to make.
    """
    import functools

    inside = (3 << 30) if big else 100 * _MB
    label = f"{inside / (1 << 30):.0f} GB" if big else "100 MB"
    from core.cli.recognize import _load_file
    from core.datasets.collections import load_collection
    from core.datasets.import_preview import preview_import
    from core.datasets.readers.idx import read_idx
    from core.datasets.readers.npzfile import read_npz
    from core.models.library import load_model

    def image_folder(folder: Path) -> Path:
        top = folder / "images"
        (top / "a").mkdir(parents=True, exist_ok=True)
        png_bomb(top / "a")
        return top

    def collection(folder: Path) -> Path:
        top = folder / "collection"
        top.mkdir(exist_ok=True)
        (top / "collection.json").write_text('{"name": "c", "labels": ["a"]}')
        (top / "s.json").write_text('{"label": "a", "strokes": []}')
        png_bomb(top, name="s.png")
        return top

    return {
        f"npz ({label} inside)": (functools.partial(npz_bomb, size=inside), read_npz),
        f"keras ({label} inside)": (functools.partial(keras_bomb, size=inside), load_model),
        f"gzip IDX ({label} inside)": (functools.partial(gzip_idx_bomb, size=inside), read_idx),
        "gzip IDX (header: 4e9 images)": (gzip_idx_header_bomb, read_idx),
        "PNG 20000x20000 (recognize)": (png_bomb, lambda p: _load_file(p, [])),
        "PNG 9000x9000 (recognize)": (functools.partial(png_bomb, side=9000, name="big.png"),
                                      lambda p: _load_file(p, [])),
        "PNG 20000x20000 (image-folder import)": (image_folder, preview_import_one(preview_import)),
        "PNG 20000x20000 (collection)": (collection, load_collection),
        "stroke JSON (10M points)" if big else "stroke JSON (2M points)": (
            functools.partial(stroke_json_points, points=10_000_000 if big else 2_000_000), lambda p: _load_file(p, [])
        ),
        "stroke JSON (200k points, small file)": (stroke_json_dense, lambda p: _load_file(p, [])),
        "JSONL (200k drawings)": (jsonl_drawings, lambda p: _load_file(p, [])),
        "JSON nested 1M deep": (deep_json, lambda p: _load_file(p, [])),
    }


def preview_import_one(preview_import):
    return lambda path: preview_import([path])


def _reset_peak() -> None:
    """Start the peak-memory count afresh (Linux), so it measures the refusal, not the making."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_mb() -> float:
    """The process's peak resident memory since :func:`_reset_peak` (else since it started)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    # ru_maxrss survives exec on Linux (a child of a big process starts "big"): a fallback only.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (_MB if sys.platform == "darwin" else 1024)


def refuse_all(folder: Path, only: str | None = None, big: bool = True) -> dict[str, dict]:
    """Make every bomb in ``folder`` and have InkLab refuse it; kind -> seconds, peak MB, error.

    Peak memory is the process's high-water mark (``VmHWM``, reset after the bomb is made):
    Python and the libraries InkLab loaded count too, so it bounds what a refusal costs.
    """
    from core.errors import InkLabError

    results = {}
    for kind, (make, refuse) in _refusers(big).items():
        if only is not None and kind != only:
            continue
        made = make(folder)
        _reset_peak()
        started = time.perf_counter()
        error = None
        try:
            refuse(made)
        except InkLabError as err:
            error = str(err)
        results[kind] = {"seconds": round(time.perf_counter() - started, 3), "peak_mb": round(_peak_mb(), 1),
                         "error": error}
    return results


def kinds(big: bool = True) -> list[str]:
    """The names of the bombs, for one process each."""
    return list(_refusers(big))


if __name__ == "__main__":  # python -m bench.bombs FOLDER [KIND] [small]
    os.environ.setdefault("INKLAB_DATA_PATH", "")
    kind = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] != "all" else None
    print(json.dumps(refuse_all(Path(sys.argv[1]), kind, big=sys.argv[-1] != "small")))
