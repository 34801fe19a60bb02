"""Downloading the public data sets (MNIST, EMNIST letters, pendigits), all or nothing.

pooch does the HTTP streaming and the hash check; this module adds what a desktop app
needs around it: progress reported through a plain callback, cancellation from another
thread, and the guarantee that a failed or cancelled download leaves *nothing* behind.

Every file is fetched into a fresh temporary folder inside the user's ``cache/``, checked
against its known hash there, and only then moved with ``os.replace`` into
``datasets/NAME/``.  The cache and the data folder sit in the same user folder, so the move
is atomic; the target folder is created only once every file has been verified.

Mirrors: set ``INKLAB_DOWNLOAD_BASE_URL`` to a URL prefix and each file is fetched from
that prefix plus its original file name instead (useful behind a firewall or for tests;
hashes are still checked).  Code may pass ``spec_override`` instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

from core import storage
from core.datasets.builtin import BUILT_IN
from core.datasets.spec import Download
from core.errors import Cancelled, DataError
from core.progress import CancelToken, ProgressCallback, ThrottledProgress, no_progress

BASE_URL_ENV = "INKLAB_DOWNLOAD_BASE_URL"
_CHUNK = 64 * 1024
_TIMEOUT_S = 30


class _ProgressAdapter:
    """The progress-bar object pooch drives (``total``, ``update``, ``reset``, ``close``).

    ``update`` is called after every chunk written, which makes it the place to notice a
    cancel request: raising there unwinds pooch, which deletes its temporary file.
    """

    def __init__(self, report: ProgressCallback, cancel: CancelToken | None, message: str) -> None:
        self.total: int | None = None
        self.done = 0
        self._report = report
        self._cancel = cancel
        self._message = message

    def update(self, n: int) -> None:
        if self._cancel is not None and self._cancel.cancelled:
            raise Cancelled("Download cancelled.")
        self.done += n
        total = self.total or None
        self._report(min(self.done, total) if total else self.done, total, self._message)

    def reset(self) -> None:
        self.done = 0

    def close(self) -> None:
        pass


def download_dataset(
    name: str,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    spec_override: Download | None = None,
) -> Path:
    """Fetch the built-in set ``name`` into the user's ``datasets/NAME/``; return that folder.

    Files already there with the right hash are kept, so a second call costs nothing.
    Raises DataError for a set that cannot be downloaded (saying how to get it), for
    network failures and for a file whose hash does not match; Cancelled when ``cancel``
    is set.  In every failing case nothing new is left in ``datasets/NAME/``.
    """
    spec = next((s for s in BUILT_IN if s.name == name), None)
    if spec is None:
        known = ", ".join(s.name for s in BUILT_IN if s.download is not None)
        raise DataError(f"'{name}' is not a data set InkLab can download (downloadable: {known})")
    plan = spec_override or spec.download
    if plan is None:
        raise DataError(f"'{name}' cannot be downloaded. {spec.how_to_get}".strip())
    plan = _mirrored(plan)
    report = ThrottledProgress(progress or no_progress)
    target = storage.subdir("datasets") / name

    with _disk_full_in_words(target), _quiet_pooch(), storage.scratch_folder("download-") as staged:
        if plan.archive is not None:
            if all((target / f).is_file() for f in plan.members):
                return target
            files = _fetch_archive(name, plan, staged, report, cancel)
        else:
            todo = {f: src for f, src in plan.files.items() if not _is_valid(target / f, src[1])}
            if not todo:
                return target
            files = {}
            for i, (fname, (url, known_hash)) in enumerate(todo.items()):
                message = f"Downloading {name}: {fname} ({i + 1}/{len(todo)})"
                files[fname] = _fetch_file(url, known_hash, fname, staged, plan.unlzw, report, cancel, message)
        if cancel is not None:
            cancel.raise_if_cancelled()
        install_files(files, target)
    report(1, 1, f"Downloaded {name}")
    return target


def install_files(files: dict[str, Path], folder: Path, remove: tuple[str, ...] = ()) -> None:
    """Move verified files into ``folder`` as one step: the new folder is staged whole and swapped in.

    The files ``folder`` already holds are linked (or copied) into the staging folder
    beside the new ones, except those in ``remove``; a kill at any moment therefore leaves
    the set wholly as it was or wholly new, never images of one version with labels of
    another.  Holds the set's cross-process lock.
    """
    with storage.writer_lock("dataset", folder.name), storage.replace_folder(folder) as staged:
        if folder.is_dir():
            for kept in folder.iterdir():
                if kept.name in files or kept.name in remove or kept.name.startswith(".") or not kept.is_file():
                    continue
                try:
                    os.link(kept, staged / kept.name)
                except OSError:  # no hard links here (another disk, FAT): copy
                    shutil.copyfile(kept, staged / kept.name)
        for fname, source in files.items():
            try:
                os.replace(source, staged / fname)
            except OSError:  # the cache on another disk than the data (a symlinked folder)
                shutil.copyfile(source, staged / fname)


def _mirrored(plan: Download) -> Download:
    base = os.environ.get(BASE_URL_ENV, "").strip()
    if not base:
        return plan
    base = base.rstrip("/") + "/"

    def moved(url: str) -> str:
        return base + url.rsplit("/", 1)[-1]

    return Download(
        files={f: (moved(url), h) for f, (url, h) in plan.files.items()},
        archive=None if plan.archive is None else (moved(plan.archive[0]), plan.archive[1]),
        members=dict(plan.members),
        unlzw=plan.unlzw,
    )


@contextlib.contextmanager
def _quiet_pooch() -> Iterator[None]:
    """pooch logs every download at INFO on stderr; our own progress says it better."""
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _is_valid(path: Path, known_hash: str) -> bool:
    if not path.is_file():
        return False
    return _hash_of(path, known_hash) == known_hash.split(":", 1)[-1].lower()


def _hash_of(path: Path, known_hash: str) -> str:
    algorithm = known_hash.split(":", 1)[0].lower() if ":" in known_hash else "sha256"
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _retrieve(
    url: str,
    known_hash: str | None,
    fname: str,
    folder: Path,
    report: ProgressCallback,
    cancel: CancelToken | None,
    message: str,
) -> Path:
    """pooch.retrieve with our progress, cancel and error messages."""
    import pooch
    import requests

    downloader = pooch.HTTPDownloader(
        progressbar=_ProgressAdapter(report, cancel, message), chunk_size=_CHUNK, timeout=_TIMEOUT_S
    )
    if cancel is not None:
        cancel.raise_if_cancelled()
    try:
        return Path(pooch.retrieve(url, known_hash, fname=fname, path=folder, downloader=downloader))
    except requests.RequestException as err:
        raise DataError(f"downloading {url} failed: {request_failure(url, err)}") from None
    except ValueError as err:  # pooch's hash mismatch
        raise DataError(
            f"{fname}: the downloaded file does not match its known checksum (damaged in transit or "
            f"changed at {url}); nothing was saved"
        ) from err


def request_failure(url: str, err: Exception) -> str:
    """What went wrong with a request, in words a user can act on (never an exception's class name)."""
    from urllib.parse import urlparse

    import requests

    host = urlparse(url).netloc or url
    if isinstance(err, requests.HTTPError):
        status = err.response.status_code if err.response is not None else None
        if status == 404:
            return f"the server {host} does not have this file (it answered HTTP 404, not found)"
        if status in (401, 403):
            return f"the server {host} refused the download (it answered HTTP {status}, access denied)"
        if status is not None and status >= 500:
            return f"the server {host} is having trouble (it answered HTTP {status}); try again later"
        return f"the server {host} refused the download (it answered HTTP {status or '?'})"
    if isinstance(err, requests.Timeout):
        return f"the server {host} did not answer in time; check the connection and try again"
    if isinstance(err, requests.ConnectionError):
        return f"could not reach {host}: no network connection, or the server is down; check the connection"
    return f"the connection to {host} broke off; check the connection and try again"


@contextlib.contextmanager
def _disk_full_in_words(target: Path) -> Iterator[None]:
    """A full disk says so (and where), instead of an OSError with an errno."""
    import errno

    try:
        yield
    except OSError as err:
        if getattr(err, "errno", None) == errno.ENOSPC:
            raise DataError(
                f"the disk is full: there is no room to save the download in {target.parent}; free some space"
            ) from None
        raise


def _fetch_file(
    url: str,
    known_hash: str,
    fname: str,
    staged: Path,
    unlzw: bool,
    report: ProgressCallback,
    cancel: CancelToken | None,
    message: str,
) -> Path:
    if not unlzw:
        return _retrieve(url, known_hash, fname, staged, report, cancel, message)
    # The hash is of the decompressed file, so pooch only streams; we check after unlzw.
    compressed = _retrieve(url, None, fname + ".Z", staged, report, cancel, message)
    import unlzw3

    try:
        data = unlzw3.unlzw(compressed.read_bytes())
    except Exception as err:  # unlzw3 raises plain ValueError/IndexError on damaged input
        raise DataError(f"{fname}: the downloaded file is not valid Unix-compress data ({err})") from None
    finally:
        compressed.unlink(missing_ok=True)
    out = staged / fname
    out.write_bytes(data)
    if _hash_of(out, known_hash) != known_hash.split(":", 1)[-1].lower():
        raise DataError(
            f"{fname}: the downloaded file does not match its known checksum (damaged in transit or "
            f"changed at {url}); nothing was saved"
        )
    return out


def _fetch_archive(
    name: str, plan: Download, staged: Path, report: ProgressCallback, cancel: CancelToken | None
) -> dict[str, Path]:
    assert plan.archive is not None
    url, known_hash = plan.archive
    archive = _retrieve(url, known_hash, "archive.zip", staged, report, cancel, f"Downloading {name}")
    files = {}
    try:
        with zipfile.ZipFile(archive) as zf:
            for i, (fname, member) in enumerate(plan.members.items()):
                report(i, len(plan.members), f"Unpacking {name}: {fname}")
                try:
                    source = zf.open(member)
                except KeyError:
                    raise DataError(f"{url}: the archive has no {member}") from None
                out = staged / fname
                with source, open(out, "wb") as sink:
                    for block in iter(lambda: source.read(1 << 20), b""):  # noqa: B023 (used at once)
                        if cancel is not None:
                            cancel.raise_if_cancelled()
                        sink.write(block)
                files[fname] = out
    except (zipfile.BadZipFile, OSError) as err:
        raise DataError(f"{url}: the downloaded archive is damaged ({err})") from None
    finally:
        archive.unlink(missing_ok=True)
    return files
