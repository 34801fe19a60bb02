"""How much InkLab will read, and readers that stop at that bound before paying for it.

A 3 KB archive can inflate to gigabytes, a small PNG can declare a billion pixels, a JSON
file can nest deeper than Python recurses.  Each bound below is checked *before* the
expensive step (from an archive's directory, an image's header, a file's size), so a
refused file costs little time and memory; accepted data of the largest allowed size
still fits in a few hundred megabytes.  Each helper raises the caller's error type
(``error=DataError`` or ``DrawingError``) with a message naming the file and the bound.
"""

from __future__ import annotations

import functools
import json
import zipfile
import zlib
from pathlib import Path

from core.errors import InkLabError

MiB = 1 << 20
MAX_IMAGE_PIXELS = 64_000_000  # an 8000x8000 scan; a 13000x13000 "just under Pillow's limit" PNG is not
MAX_ARCHIVE_MEMBER_BYTES = 1024 * MiB  # one array in an .npz (EMNIST letters train is 98 MB)
MAX_MODEL_BYTES = 512 * MiB  # everything inside a .keras archive, uncompressed
MAX_INFLATE_RATIO = 200  # real data compresses ~5-50x; zeros (a bomb's filling) ~1000x
_RATIO_FLOOR_BYTES = 64 * MiB  # small members may compress absurdly well (all zeros) harmlessly
MAX_IDX_BYTES = 512 * MiB  # one IDX file, uncompressed
MAX_JSON_BYTES = 8 * MiB  # a stroke drawing, a card, a collection note
MAX_JSON_DEPTH = 64
MAX_POINTS = 100_000  # per drawing: a pad at 120 Hz for 14 minutes
MAX_STROKES = 10_000
MAX_JSONL_DRAWINGS = 20_000
MAX_JSONL_LINE_BYTES = 4 * MiB
MAX_MATRIX_FILE_BYTES = 256 * MiB  # .npy / text matrices handed to the recogniser
MAX_COORDINATE = 1e7
MAX_CLASSES = 10_000  # a data set's labels run 0..N-1 and a name is made for each
_CHUNK = 1 * MiB


def check_file_size(path: Path, limit: int, error: type[InkLabError], what: str = "file") -> int:
    """The size of ``path``; ``error`` if it is larger than ``limit`` (a missing file: not found)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except OSError as err:
        raise error(f"{path}: cannot read the file ({err.strerror or err})") from None
    if size > limit:
        raise error(f"{path}: the {what} is {size / MiB:.0f} MB; InkLab reads at most {limit / MiB:.0f} MB")
    return size


def read_text(path: Path, error: type[InkLabError], limit: int, what: str = "file") -> str:
    """A UTF-8 text file of at most ``limit`` bytes; ``error`` naming it when it cannot be read."""
    check_file_size(path, limit, error, what)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise error(f"{path}: cannot read the file as text ({err})") from None


def read_json(path: Path, error: type[InkLabError], limit: int = MAX_JSON_BYTES) -> object:
    """Parse a JSON file of at most ``limit`` bytes and :data:`MAX_JSON_DEPTH` levels of nesting."""
    return parse_json(read_text(path, error, limit, "JSON file"), str(path), error)


def parse_json(text: str | bytes, where: str, error: type[InkLabError]) -> object:
    """``json.loads`` that refuses deep nesting and turns every failure into ``error``."""
    depth = nesting_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise error(f"{where}: JSON nested {depth} levels deep; InkLab reads at most {MAX_JSON_DEPTH}")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as err:  # JSONDecodeError and bad UTF-8 are ValueErrors
        raise error(f"{where}: not valid JSON ({err})") from None


def nesting_depth(text: str | bytes) -> int:
    """The deepest bracket nesting in ``text`` (brackets inside strings counted too: an upper bound).

    One table lookup per byte (``recognize`` checks every line of a JSONL batch, and two
    ``np.isin`` passes cost as much as parsing the line).
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    import numpy as np

    steps = _bracket_steps()[np.frombuffer(data, np.uint8)]
    return int(np.cumsum(steps, dtype=np.int32).max(initial=0))


@functools.cache
def _bracket_steps():
    """+1 for each opening bracket's byte, -1 for each closing one, 0 for the rest."""
    import numpy as np

    table = np.zeros(256, np.int8)
    table[[ord("["), ord("{")]] = 1
    table[[ord("]"), ord("}")]] = -1
    return table


def check_zip_members(
    path: Path, error: type[InkLabError], member_limit: int, total_limit: int | None = None, what: str = "zip archive"
) -> list[zipfile.ZipInfo]:
    """The members of the zip archive ``path``, refused before inflating if any would be too big.

    zipfile stops every member at its declared size, so checking the declared sizes (and
    the declared compression ratio) bounds what reading the archive can ever cost.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as err:
        raise error(f"{path}: not a readable {what} ({err})") from None
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > member_limit:
            raise error(
                f"{path}: '{member.filename}' would inflate to {member.file_size / MiB:.0f} MB; "
                f"InkLab reads at most {member_limit / MiB:.0f} MB per file inside"
            )
        ratio = member.file_size / max(1, member.compress_size)
        if member.file_size > _RATIO_FLOOR_BYTES and ratio > MAX_INFLATE_RATIO:
            raise error(
                f"{path}: '{member.filename}' would inflate {ratio:.0f} times "
                f"(more than {MAX_INFLATE_RATIO}): refused as a decompression bomb"
            )
    if total_limit is not None and total > total_limit:
        raise error(f"{path}: inflates to {total / MiB:.0f} MB; InkLab reads at most {total_limit / MiB:.0f} MB")
    return members


def gunzip(path: Path, raw: bytes, error: type[InkLabError], limit: int, expected: int | None = None) -> bytes:
    """Inflate the gzip data ``raw`` (read from ``path``) in bounded chunks, refusing more than ``limit`` bytes.

    ``expected``, when given, is a size the content's own header promised: output beyond
    it is refused at once rather than at ``limit``.
    """
    bound = limit if expected is None else min(limit, expected)
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    pieces: list[bytes] = []
    done = 0
    data = raw
    try:
        while True:
            # With a size the header promised, one call inflates it all (max_length still
            # bounds it); without one, 1 MB at a time.  Each call hands back the compressed
            # tail as a copy, so small steps on a large file cost far more than the inflating.
            step = bound - done + 1 if expected is not None else _CHUNK
            piece = inflater.decompress(data, step)
            pieces.append(piece)
            done += len(piece)
            if done > bound:
                if expected is not None and expected < limit:
                    raise error(f"{path}: inflates to more than the {expected} bytes its header promises")
                raise error(f"{path}: inflates to more than {limit / MiB:.0f} MB, the most InkLab reads")
            data = inflater.unconsumed_tail
            if inflater.eof:
                if inflater.unused_data.startswith(b"\x1f\x8b"):  # a second gzip member
                    data, inflater = inflater.unused_data, zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
                    continue
                return pieces[0] if len(pieces) == 1 else b"".join(pieces)
            if not data:
                raise error(f"{path}: the gzip data is truncated")
    except zlib.error as err:
        raise error(f"{path}: damaged gzip data ({err})") from None
