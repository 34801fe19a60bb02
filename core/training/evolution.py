"""How the weights evolve during a run: the first layer's filters and every layer's weight histogram.

:class:`WeightCapture` is a :class:`~core.training.events.TrainingListener`: it takes a
:class:`Snapshot` of the model before the first batch ("epoch 0", the random start) and after
every epoch, on the training thread, and keeps them all, so the window can scrub through the
run afterwards (and a class watches edge detectors form).  A snapshot is a few small numpy
arrays (the first convolution's kernels, a 40-bin histogram per layer): ~1 ms for
``recommended``, against seconds for an epoch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.training.events import EpochResult, RunInfo, RunResult, TrainingListener

BINS = 40
_CONV = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv1D")


@dataclass(frozen=True)
class LayerHistogram:
    """One layer's weights (its kernel) as a histogram over [-reach, reach]."""

    name: str  # "Conv 1", "Dense 1", "Output": the Inside view's names
    weights: int
    counts: np.ndarray  # (BINS,)
    reach: float  # the largest |weight|: the bins span -reach..reach


@dataclass(frozen=True)
class Snapshot:
    """The weights after ``epoch`` (0: before training)."""

    epoch: int
    filters: np.ndarray | None  # (C, kh, kw): the first convolution's kernels summed over inputs
    histograms: tuple[LayerHistogram, ...]


def _kernel_layers(model) -> list[tuple[str, np.ndarray]]:
    """(name, kernel) of every conv and dense layer, in order, named as the Inside view names them."""
    found = []
    for layer in getattr(model, "layers", []):
        kind = type(layer).__name__
        if kind in _CONV or kind == "Dense":
            kernel = getattr(layer, "kernel", None)
            if kernel is not None:
                found.append(("conv" if kind in _CONV else "dense", np.asarray(kernel)))
    names, counts = [], {"conv": 0, "dense": 0}
    dense_total = sum(1 for kind, _ in found if kind == "dense")
    for kind, kernel in found:
        counts[kind] += 1
        if kind == "dense" and counts["dense"] == dense_total:
            names.append(("Output", kernel))
        else:
            names.append((f"{'Conv' if kind == 'conv' else 'Dense'} {counts[kind]}", kernel))
    return names


def snapshot(model, epoch: int) -> Snapshot:
    """The model's filters and weight histograms now."""
    layers = _kernel_layers(model)
    histograms = []
    for name, kernel in layers:
        reach = float(np.abs(kernel).max()) or 1e-6
        counts, _ = np.histogram(kernel, bins=BINS, range=(-reach, reach))
        histograms.append(LayerHistogram(name, int(kernel.size), counts.astype(np.int64), reach))
    first = next((kernel for name, kernel in layers if name.startswith("Conv")), None)
    filters = None
    if first is not None and first.ndim == 4:  # (kh, kw, in, out) -> (out, kh, kw)
        filters = np.transpose(first.sum(axis=2), (2, 0, 1)).astype(np.float32)
    return Snapshot(int(epoch), filters, tuple(histograms))


class WeightCapture(TrainingListener):
    """Keeps a :class:`Snapshot` before the run and after each epoch; ``on_snapshot`` hears of each.

    ``model_of`` returns the Keras model being trained (asked at each capture, so it may be
    built after this listener); without it, the model of the run the listener was added to
    (``self.run.model``).  ``snapshots`` may be read from any thread.
    """

    def __init__(self, model_of: Callable[[], object] | None = None,
                 on_snapshot: Callable[[Snapshot], None] | None = None) -> None:
        self._model_of = model_of
        self._on_snapshot = on_snapshot
        self._lock = threading.Lock()
        self._snapshots: list[Snapshot] = []

    @property
    def snapshots(self) -> list[Snapshot]:
        with self._lock:
            return list(self._snapshots)

    def _take(self, epoch: int) -> None:
        model = self._model_of() if self._model_of is not None else getattr(getattr(self, "run", None), "model", None)
        if model is None:
            return
        taken = snapshot(model, epoch)
        with self._lock:
            self._snapshots.append(taken)
        if self._on_snapshot is not None:
            self._on_snapshot(taken)

    def on_run_start(self, info: RunInfo) -> None:
        self._take(0)

    def on_epoch_end(self, result: EpochResult) -> None:
        self._take(result.epoch)

    def on_run_end(self, result: RunResult) -> None:
        """A "Start from" run's weights move once more after its last epoch (mixed with its
        base's, :attr:`TrainingRun.mixed`): that epoch's snapshot is taken again, so the
        last one shown is the model that is saved."""
        if not getattr(getattr(self, "run", None), "mixed", False):
            return
        with self._lock:
            last = self._snapshots.pop() if self._snapshots else None
        self._take(last.epoch if last is not None else 0)


def write_snapshots(snapshots: list[Snapshot], folder) -> list:
    """Write a run's snapshots into ``folder``: ``filters-epoch-N.png`` each (when the model has a
    convolution) and ``weights.json`` (every epoch's histograms).  Returns the paths written."""
    from pathlib import Path

    from core import storage
    from core.inside.pictures import filter_grid, png_bytes

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for snap in snapshots:
        if snap.filters is not None:
            path = folder / f"filters-epoch-{snap.epoch}.png"
            storage.write_bytes(path, png_bytes(filter_grid(snap.filters, cell=8, columns=min(16, len(snap.filters)))))
            written.append(path)
    path = folder / "weights.json"
    storage.write_json(path, {"bins": BINS, "epochs": [
        {"epoch": snap.epoch, "layers": [
            {"name": h.name, "weights": h.weights, "range": [-h.reach, h.reach], "counts": h.counts.tolist()}
            for h in snap.histograms
        ]} for snap in snapshots
    ]})
    written.append(path)
    return written
