"""A run's history, kept by a listener as Keras keeps ``History``: per-epoch lists and the batch series.

:class:`~core.training.run.TrainingRun` adds one :class:`History` to itself first, so
``run.history`` is filled before any other listener hears an event.
"""

from __future__ import annotations

from core.training.events import BatchProgress, EpochResult, TrainingListener


def empty_history() -> dict:
    """The history layout: per-epoch lists, and the (throttled) per-batch series."""
    return {
        "epoch": [],
        "loss": [],
        "accuracy": [],
        "val_loss": [],
        "val_accuracy": [],
        "learning_rate": [],
        "samples_per_s": [],
        "elapsed_s": [],
        "batches": {"epoch": [], "step": [], "position": [], "samples_seen": [], "loss": [], "accuracy": []},
    }


class History(TrainingListener):
    """Records every epoch end and every (throttled) batch event into :attr:`data` (:func:`empty_history`)."""

    def __init__(self) -> None:
        self.data = empty_history()
        series = self.data["batches"]
        # Bound once: the batch hook runs ~30 times a second on the training thread.
        self._batch_lists = tuple(series[k] for k in ("epoch", "step", "position", "samples_seen", "loss",
                                                      "accuracy"))

    def on_batch_end(self, progress: BatchProgress) -> None:
        values = (progress.epoch, progress.step, progress.position, progress.samples_seen, progress.loss,
                  progress.accuracy)
        for values_list, value in zip(self._batch_lists, values, strict=True):
            values_list.append(value)

    def on_epoch_end(self, result: EpochResult) -> None:
        h = self.data
        for key in ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", "samples_per_s",
                    "elapsed_s"):
            h[key].append(getattr(result, key))

    def epochs_only(self) -> dict:
        """The per-epoch lists without the batch series (what a saved card or a leaderboard keeps)."""
        return {k: v for k, v in self.data.items() if k != "batches"}
