"""Which data set is loading, which one waits, and stopping a load the user has moved away from.

Sets come from :func:`core.datasets.memory_cache.load_shared`, the one in-memory cache
the Training tab shares, so MNIST is never held twice.  With a set come its statistics
per split: class counts (a bincount, ~0.1 ms) and the per-class mean images (measured
48 ms for MNIST's 60,000 training images, more for EMNIST's 124,800).  Both are computed
in the worker; the means are worth keeping, so the statistics of a set still in the
shared cache are kept here, tied to that very Dataset object (a weak reference: when the
cache lets a set go, its statistics go too), and switching back to it is instant.

One load runs at a time, through the worker's own "cancel, then start the latest": a set
picked while another loads cancels that load, and the newest pick starts once it has
unwound (:meth:`gui.concurrency.Worker.start_latest`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from gui.concurrency import Worker


def split_statistics(dataset) -> dict:
    """Per split: (class counts, mean image of each class)."""
    return {
        split_name: (split.class_counts(dataset.n_classes), split.mean_images(dataset.n_classes))
        for split_name, split in dataset.splits.items()
    }


def load_with_statistics(name: str, progress=None, cancel=None):
    """The set (through the shared cache) and its statistics; run off the GUI thread."""
    from core.datasets.memory_cache import load_shared
    from core.progress import no_progress

    dataset = load_shared(name, progress or no_progress, cancel)
    return dataset, split_statistics(dataset)


class DatasetLoader(QObject):
    """Loads one set at a time for the tab; ``load(name)`` is safe to call at any moment.

    ``wanted()`` names the set the user has selected now: a load that ends for a set the
    user has left is not shown.

    Signals: ``loaded(dataset, stats)``, ``failed(name, message)``, ``busy(text)`` ('' when
    idle) and ``progress(done, total, message)`` of the load being waited for.
    """

    loaded = Signal(object, object)
    failed = Signal(str, str)
    busy = Signal(str)
    progress = Signal(int, int, str)

    def __init__(self, wanted: Callable[[], str | None], parent=None) -> None:
        super().__init__(parent)
        self._wanted = wanted  # the set the user has selected now
        self.loading: str | None = None  # the set the running load is for
        self._queued: str | None = None  # the set whose load starts when the running one has unwound
        self._cancelled = False  # the running load was asked to stop
        self._statistics: dict[str, tuple[weakref.ref, dict]] = {}
        self._runner = Worker(self, "load data set")
        self._runner.started.connect(self._on_started)
        self._runner.returned.connect(self._on_returned)
        self._runner.errored.connect(self._on_errored)
        self._runner.cancelled.connect(self._on_cancelled)
        self._runner.progress.connect(self._on_progress)

    def is_busy(self) -> bool:
        return self._runner.is_running()

    def load(self, name: str) -> None:
        """Load ``name`` (at once when it and its statistics are in memory)."""
        running = self._runner.is_running()
        if running and self.loading == name and not self._cancelled:
            return  # already on its way
        if running:
            # A first load can take seconds (EMNIST's re-framing): stop it rather than make
            # the user wait for a set they have moved away from.
            self._cancelled = True
            self._runner.cancel()  # (and drops a load still waiting)
            self._queued = None
        known = self._known(name)
        if known is not None:
            self.loaded.emit(*known)
            return
        self.busy.emit(f"Loading {name}…")
        self._queued = name
        self._runner.start_latest(lambda progress, cancel: load_with_statistics(name, progress, cancel))

    def _known(self, name: str):
        from core.datasets.memory_cache import cached

        dataset = cached(name)
        entry = self._statistics.get(name)
        if dataset is None or entry is None or entry[0]() is not dataset:
            return None
        return dataset, entry[1]

    @Slot()
    def _on_started(self) -> None:
        self.loading, self._queued, self._cancelled = self._queued, None, False

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        if self._queued is None and not self._cancelled:
            self.progress.emit(done, total, message)

    def _ended(self) -> bool:
        """A load ended: True when it was the last one (no other is waiting to start)."""
        self.loading = None
        if self._queued is not None:
            return False
        self.busy.emit("")
        return True

    @Slot(object)
    def _on_returned(self, result) -> None:
        dataset, stats = result
        self._statistics = {
            name: entry for name, entry in self._statistics.items() if entry[0]() is not None and name != dataset.name
        }
        self._statistics[dataset.name] = (weakref.ref(dataset), stats)
        if self._ended() and dataset.name == self._wanted():
            self.loaded.emit(dataset, stats)

    @Slot(str)
    def _on_errored(self, message: str) -> None:
        failed = self.loading or ""
        if self._ended():
            self.failed.emit(failed, message)

    @Slot()
    def _on_cancelled(self) -> None:
        self._ended()
