"""Which data set is loading, which one waits, and stopping a load the user has moved away from.

Sets come from :func:`core.datasets.memory_cache.load_shared`, the one in-memory cache
the Training tab shares, so MNIST is never held twice.  With a set come its statistics
per split: class counts (a bincount, ~0.1 ms) and the per-class mean images (measured
48 ms for MNIST's 60,000 training images, more for EMNIST's 124,800).  Both are computed
in the worker; the means are worth keeping, so the statistics of a set still in the
shared cache are kept here, tied to that very Dataset object (a weak reference: when the
cache lets a set go, its statistics go too), and switching back to it is instant.

States: idle; loading ``loading``; loading with ``pending`` (the user picked another set
while one was loading: the running load is cancelled, and the pending one starts when it
has unwound).
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
        self.loading: str | None = None
        self.pending: str | None = None
        self._statistics: dict[str, tuple[weakref.ref, dict]] = {}
        self._runner = Worker(self, "load data set")
        self._runner.returned.connect(self._on_returned)
        self._runner.errored.connect(self._on_errored)
        self._runner.cancelled.connect(self._on_cancelled)
        self._runner.progress.connect(self._on_progress)

    def is_busy(self) -> bool:
        return self.loading is not None

    def load(self, name: str) -> None:
        """Load ``name`` (at once when it and its statistics are in memory)."""
        running = self._runner.is_running()
        if running and self.loading == name:
            self.pending = None  # already on its way
            return
        if running:
            # A first load can take seconds (EMNIST's re-framing): stop it rather than make
            # the user wait for a set they have moved away from.
            self._runner.cancel()
        known = self._known(name)
        if known is not None:
            self.pending = None
            self.loaded.emit(*known)
            return
        self.busy.emit(f"Loading {name}…")
        if running:
            self.pending = name  # started when the running load ends
            return
        self.loading = name
        self._runner.start(lambda progress, cancel: load_with_statistics(name, progress, cancel))

    def _known(self, name: str):
        from core.datasets.memory_cache import cached

        dataset = cached(name)
        entry = self._statistics.get(name)
        if dataset is None or entry is None or entry[0]() is not dataset:
            return None
        return dataset, entry[1]

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        if self.loading is not None and self.pending is None:
            self.progress.emit(done, total, message)

    def _next_pending(self) -> bool:
        pending, self.pending = self.pending, None
        self.loading = None
        if pending is not None and pending == self._wanted():
            self.load(pending)
            return True
        return False

    @Slot(object)
    def _on_returned(self, result) -> None:
        dataset, stats = result
        self._statistics = {
            name: entry for name, entry in self._statistics.items() if entry[0]() is not None and name != dataset.name
        }
        self._statistics[dataset.name] = (weakref.ref(dataset), stats)
        if self._next_pending():
            return
        self.busy.emit("")
        if dataset.name == self._wanted():
            self.loaded.emit(dataset, stats)

    @Slot(str)
    def _on_errored(self, message: str) -> None:
        failed = self.loading or ""
        if self._next_pending():
            return
        self.busy.emit("")
        self.failed.emit(failed, message)

    @Slot()
    def _on_cancelled(self) -> None:
        if not self._next_pending():
            self.busy.emit("")
