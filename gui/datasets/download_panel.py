"""A data set's download: its progress bar and Cancel button under the list, and how it ended.

Core says what went wrong in words (no network, server refused, checksum wrong, disk
full; :mod:`core.datasets.download`); this panel only shows progress and reports the end
as ``downloaded(name)``, ``failed(name, message)`` or ``cancelled(name)``.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot

from gui.concurrency import Worker
from gui.widgets.progress_panel import ProgressPanel


class DownloadPanel(ProgressPanel):
    """One download at a time; hidden when none runs."""

    downloaded = Signal(str)
    failed = Signal(str, str)
    cancelled = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, cancellable=True)
        self.downloading: str | None = None
        self._runner = Worker(self, "download data set")
        self._runner.progress.connect(self._on_progress)
        self._runner.returned.connect(self._on_returned)
        self._runner.errored.connect(self._on_errored)
        self._runner.cancelled.connect(self._on_cancelled)
        self.cancel_clicked.connect(self.cancel)

    def is_running(self) -> bool:
        return self._runner.is_running()

    def download(self, name: str) -> None:
        """Start downloading ``name`` (the caller checks :meth:`is_running` first)."""
        self.downloading = name
        self.start(f"Downloading {name}…")

        def task(progress, cancel):
            from core.datasets import download  # looked up now, so tests can substitute it

            return download.download_dataset(name, progress=progress, cancel=cancel)

        self._runner.start(task)

    @Slot()
    def cancel(self) -> None:
        if self.cancel_button is not None:
            self.cancel_button.setEnabled(False)
        self.set_status(f"Cancelling download of {self.downloading}…")
        self._runner.cancel()

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        cancelling = self.cancel_button is not None and not self.cancel_button.isEnabled()
        self.set_progress(done, total, "" if cancelling else message)

    def _end(self) -> str:
        name, self.downloading = self.downloading, None
        self.finish()
        return name or ""

    @Slot(object)
    def _on_returned(self, _path) -> None:
        self.downloaded.emit(self._end())

    @Slot(str)
    def _on_errored(self, message: str) -> None:
        self.failed.emit(self._end(), message)

    @Slot()
    def _on_cancelled(self) -> None:
        self.cancelled.emit(self._end())
