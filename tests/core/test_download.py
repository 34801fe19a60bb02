"""Downloads against a local HTTP server: real formats, real hashes, and every way it can fail.

Each failing case asserts that nothing is left behind: no file in ``datasets/NAME/``, no
empty folder, and no temporary file in the cache.
"""

from __future__ import annotations

import hashlib
import io
import socket
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import unlzw3

from core import storage
from core.datasets import find, load_dataset
from core.datasets.download import BASE_URL_ENV, download_dataset
from core.datasets.spec import Download
from core.errors import Cancelled, DataError
from core.progress import CancelToken
from tests.helpers.file_server import FileServer
from tests.helpers.idx import idx_bytes, tiny_mnist_files


def compress_z(data: bytes) -> bytes:
    """Unix ``compress`` (.Z): LZW, 9..16-bit codes, block mode (only unlzw3 exists on PyPI).

    Codes are packed LSB first.  Width grows once the next free code no longer fits;
    without CLEAR codes the groups of eight codes stay aligned, so no padding is needed.
    """
    max_bits = 16
    table = {bytes([i]): i for i in range(256)}
    free, bits, bit_count, n_bits = 257, 0, 0, 9
    out = bytearray(b"\x1f\x9d" + bytes([0x80 | max_bits]))

    def emit(code: int) -> None:
        nonlocal bits, bit_count, n_bits
        bits |= code << bit_count
        bit_count += n_bits
        while bit_count >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            bit_count -= 8
        if free > (1 << n_bits) - 1 and n_bits < max_bits:
            n_bits += 1

    word = b""
    for byte in data:
        candidate = word + bytes([byte])
        if candidate in table:
            word = candidate
            continue
        emit(table[word])
        if free < 1 << max_bits:
            table[candidate] = free
            free += 1
        word = bytes([byte])
    if word:
        emit(table[word])
    if bit_count:
        out.append(bits & 0xFF)
    return bytes(out)


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def server() -> Iterator[FileServer]:
    srv = FileServer()
    yield srv
    srv.close()


def target(name: str) -> Path:
    return storage.data_dir() / "datasets" / name


def assert_nothing_left(name: str) -> None:
    assert not target(name).exists(), f"{target(name)} was left behind"
    cache = storage.data_dir() / "cache"
    assert not cache.exists() or list(cache.iterdir()) == [], list(cache.iterdir())


def small_mnist(server: FileServer) -> Download:
    """Tiny MNIST-format files under MNIST's names, with their real hashes."""
    files = {}
    for name, data in tiny_mnist_files(n_train=40, n_test=10).items():
        server.files[name] = data
        files[name] = (server.url + name, sha256(data))
    return Download(files=files)


# ---------------------------------------------------------------- success


def test_download_mnist_files_verified_and_loadable(server: FileServer) -> None:
    plan = small_mnist(server)
    reports = []
    folder = download_dataset("mnist", progress=lambda d, t, m: reports.append((d, t, m)), spec_override=plan)
    assert folder == target("mnist")
    assert sorted(p.name for p in folder.iterdir()) == sorted(plan.files)
    dataset = load_dataset("mnist")  # the user's folder comes before the shared one
    assert dataset.source == str(folder) and len(dataset.split("train")) == 40
    assert any("train-images" in m for _, _, m in reports) and reports[-1][2] == "Downloaded mnist"
    assert all(t is None or d <= t for d, t, _ in reports)
    assert list((storage.data_dir() / "cache").iterdir()) == []

    server.requests.clear()  # a second call finds verified files and fetches nothing
    assert download_dataset("mnist", spec_override=plan) == folder and server.requests == []


def test_only_missing_or_damaged_files_are_fetched(server: FileServer) -> None:
    plan = small_mnist(server)
    download_dataset("mnist", spec_override=plan)
    (target("mnist") / "t10k-labels-idx1-ubyte.gz").write_bytes(b"damaged")
    (target("mnist") / "train-labels-idx1-ubyte.gz").unlink()
    server.requests.clear()
    download_dataset("mnist", spec_override=plan)
    assert sorted(server.requests) == ["t10k-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    assert len(load_dataset("mnist").split("test")) == 10


def test_mirror_env_var_with_the_real_mnist_spec(server: FileServer, shared_data: Path, monkeypatch) -> None:
    """The real catalogue entry, real files, real hashes: only the host is local."""
    for path in (shared_data / "mnist").iterdir():
        server.files[path.name] = path.read_bytes()
    monkeypatch.setenv(BASE_URL_ENV, server.url)
    folder = download_dataset("mnist")
    assert sorted(server.requests) == sorted(find("mnist").files)
    for name in find("mnist").files:
        assert (folder / name).read_bytes() == (shared_data / "mnist" / name).read_bytes()


def test_emnist_zip_members_are_extracted(server: FileServer) -> None:
    spec = find("emnist-letters")
    buffer = io.BytesIO()
    rng = np.random.default_rng(1)
    with zipfile.ZipFile(buffer, "w") as zf:
        for fname, member in spec.download.members.items():
            array = rng.integers(0, 256, (6, 28, 28)) if "images" in fname else np.arange(1, 7)
            zf.writestr(member, idx_bytes(array, gz=True))
        zf.writestr("gzip/emnist-digits-train-images-idx3-ubyte.gz", b"not needed")
    server.files["gzip.zip"] = buffer.getvalue()
    plan = Download(archive=(server.url + "gzip.zip", "md5:" + hashlib.md5(buffer.getvalue()).hexdigest()),
                    members=spec.download.members)
    folder = download_dataset("emnist-letters", spec_override=plan)
    assert sorted(p.name for p in folder.iterdir()) == sorted(spec.files)
    dataset = load_dataset("emnist-letters")
    assert dataset.split("test").labels.tolist() == [0, 1, 2, 3, 4, 5]  # 1..26 -> A..Z
    # Nothing of the download is left in the cache folder (only the re-framed letters).
    leftovers = [p.name for p in (storage.data_dir() / "cache").iterdir() if not p.name.startswith("emnist-letters-")]
    assert leftovers == []


def pendigits_snippet(shared_data: Path) -> bytes:
    lines = (shared_data / "pendigits" / "pendigits-orig.tra").read_bytes().splitlines(keepends=True)
    return b"".join(lines[:400])


def test_unix_compressed_pendigits_is_checked_after_decompression(server: FileServer, shared_data: Path) -> None:
    text = pendigits_snippet(shared_data)
    compressed = compress_z(text)
    assert unlzw3.unlzw(compressed) == text  # the test's own compressor is right
    server.files["pendigits-orig.tra.Z"] = compressed
    plan = Download(files={"pendigits-orig.tra": (server.url + "pendigits-orig.tra.Z", sha256(text))}, unlzw=True)
    folder = download_dataset("pendigits", spec_override=plan)
    assert [p.name for p in folder.iterdir()] == ["pendigits-orig.tra"]
    assert (folder / "pendigits-orig.tra").read_bytes() == text


# ---------------------------------------------------------------- failures leave nothing


def test_wrong_hash_leaves_nothing(server: FileServer) -> None:
    plan = small_mnist(server)
    name = "t10k-labels-idx1-ubyte.gz"
    plan.files[name] = (plan.files[name][0], sha256(b"something else"))
    with pytest.raises(DataError, match="does not match its known checksum") as err:
        download_dataset("mnist", spec_override=plan)
    assert name in str(err.value)
    assert_nothing_left("mnist")


def test_real_spec_rejects_a_mirror_serving_other_files(server: FileServer, monkeypatch) -> None:
    small_mnist(server)  # MNIST's names, but not MNIST's bytes
    monkeypatch.setenv(BASE_URL_ENV, server.url)
    with pytest.raises(DataError, match="checksum"):
        download_dataset("mnist")
    assert_nothing_left("mnist")


def test_http_404_leaves_nothing(server: FileServer) -> None:
    plan = small_mnist(server)
    del server.files["t10k-images-idx3-ubyte.gz"]
    with pytest.raises(DataError, match="HTTP 404") as err:
        download_dataset("mnist", spec_override=plan)
    assert "t10k-images-idx3-ubyte.gz" in str(err.value)
    assert_nothing_left("mnist")


def test_unreachable_host_is_a_data_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on once this socket is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    plan = Download(files={"train-images-idx3-ubyte.gz": (f"http://127.0.0.1:{port}/x.gz", sha256(b""))})
    with pytest.raises(DataError, match="check the connection"):
        download_dataset("mnist", spec_override=plan)
    assert_nothing_left("mnist")


def test_cancel_midway_leaves_nothing(server: FileServer) -> None:
    plan = small_mnist(server)
    big = np.random.default_rng(2).integers(0, 256, (800, 28, 28)).astype(np.uint8)
    server.files["train-images-idx3-ubyte.gz"] = data = idx_bytes(big, gz=True)  # ~630 KB: many chunks
    plan.files["train-images-idx3-ubyte.gz"] = (server.url + "train-images-idx3-ubyte.gz", sha256(data))
    server.delay = 0.002
    token = CancelToken()
    seen = []

    def progress(done: int, total: int | None, message: str) -> None:
        seen.append(done)
        if "train-images" in message and done > 0:
            token.cancel()  # the user presses Cancel once bytes are flowing

    with pytest.raises(Cancelled):
        download_dataset("mnist", progress=progress, cancel=token, spec_override=plan)
    assert seen and max(seen) < len(data)
    assert_nothing_left("mnist")


def test_damaged_archive_and_missing_member(server: FileServer) -> None:
    spec = find("emnist-letters")
    server.files["bad.zip"] = bad = b"PK\x03\x04" + b"\x00" * 100
    plan = Download(archive=(server.url + "bad.zip", sha256(bad)), members=spec.download.members)
    with pytest.raises(DataError, match="archive is damaged"):
        download_dataset("emnist-letters", spec_override=plan)
    assert_nothing_left("emnist-letters")

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("gzip/emnist-letters-train-images-idx3-ubyte.gz", b"x")
    server.files["partial.zip"] = buffer.getvalue()
    plan = Download(archive=(server.url + "partial.zip", sha256(buffer.getvalue())), members=spec.download.members)
    with pytest.raises(DataError, match="archive has no gzip/emnist-letters-train-labels"):
        download_dataset("emnist-letters", spec_override=plan)
    assert_nothing_left("emnist-letters")


def test_damaged_compress_file_and_wrong_decompressed_hash(server: FileServer, shared_data: Path) -> None:
    text = pendigits_snippet(shared_data)
    server.files["good.Z"] = compress_z(text)
    server.files["bad.Z"] = b"\x1f\x9d\x90" + bytes(range(256)) * 3
    plan = Download(files={"pendigits-orig.tra": (server.url + "good.Z", sha256(text + b"!"))}, unlzw=True)
    with pytest.raises(DataError, match="checksum"):
        download_dataset("pendigits", spec_override=plan)
    assert_nothing_left("pendigits")
    plan = Download(files={"pendigits-orig.tra": (server.url + "bad.Z", sha256(text))}, unlzw=True)
    with pytest.raises(DataError, match="pendigits-orig.tra"):
        download_dataset("pendigits", spec_override=plan)
    assert_nothing_left("pendigits")


def test_sets_without_a_download_say_how_to_get_them() -> None:
    with pytest.raises(DataError, match="kaggle.com"):
        download_dataset("sign-mnist")
    with pytest.raises(DataError, match="not a data set InkLab can download"):
        download_dataset("nope")
    assert_nothing_left("sign-mnist")


def _failing_retrieve(error):
    def retrieve(*_args, **_kwargs):
        raise error

    return retrieve


@pytest.mark.parametrize(
    "make_error, words",
    [
        (lambda requests: requests.ConnectionError("Max retries exceeded"), "no network connection"),
        (lambda requests: requests.Timeout("read timed out"), "did not answer in time"),
        (lambda requests: requests.HTTPError(response=_response(403)), "refused the download"),
        (lambda requests: requests.HTTPError(response=_response(503)), "try again later"),
        (lambda requests: OSError(28, "No space left on device"), "the disk is full"),
    ],
)
def test_download_failures_are_said_in_words(monkeypatch, server: FileServer, make_error, words) -> None:
    """Issue 16 item 14: no Python exception name ("ConnectionError") reaches the user."""
    import pooch
    import requests

    error = make_error(requests)
    monkeypatch.setattr(pooch, "retrieve", _failing_retrieve(error))
    with pytest.raises(DataError, match=words) as err:
        download_dataset("mnist", spec_override=small_mnist(server))
    assert type(error).__name__ not in str(err.value)
    assert_nothing_left("mnist")


def _response(status: int):
    import requests

    response = requests.Response()
    response.status_code = status
    return response
