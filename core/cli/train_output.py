"""What ``inklab train`` prints while it runs: two listeners of :class:`core.training.TrainingRun`.

:class:`ConsolePrinter` for a person (a bar redrawn in place on a terminal, a line per
epoch), :class:`JsonLinesPrinter` for ``--json`` (one object per epoch on stdout).
"""

from __future__ import annotations

import json
import sys

from core.training import BatchProgress, EpochResult, Evaluated, RunInfo, RunResult, TrainingListener

BAR_WIDTH = 30


class ConsolePrinter(TrainingListener):
    """Prints a progress bar per epoch (redrawn in place on a terminal), a line per epoch, the test."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.epochs = 0

    def _print(self, text: str, end: str = "\n") -> None:
        self.stream.write(text + end)
        self.stream.flush()

    def on_run_start(self, info: RunInfo) -> None:
        self.epochs = info.epochs
        self._print(
            f"training on {info.train_samples} samples, validating on {info.val_samples}, "
            f"{info.epochs} epochs of {info.steps_per_epoch} batches ({info.device})"
        )
        for note in info.notes:
            self._print(f"note: {note}")

    def on_batch_end(self, p: BatchProgress) -> None:
        if not self.tty:
            return  # a log file gets the epoch lines only
        done = int(BAR_WIDTH * p.step / p.steps)
        bar = "#" * done + "." * (BAR_WIDTH - done)
        self._print(
            f"\repoch {p.epoch}/{self.epochs} [{bar}] {p.step}/{p.steps}  loss {p.loss:.4f}  acc {p.accuracy:.4f}",
            end="",
        )

    def on_epoch_end(self, r: EpochResult) -> None:
        if self.tty:
            self._print("\r" + " " * (BAR_WIDTH + 60) + "\r", end="")
        val = (
            f"  val_loss {r.val_loss:.4f}  val_acc {r.val_accuracy:.4f}" if r.val_accuracy is not None else ""
        )
        self._print(
            f"epoch {r.epoch}/{r.epochs}  loss {r.loss:.4f}  acc {r.accuracy:.4f}{val}  "
            f"{r.samples_per_s:.0f} samples/s  elapsed {r.elapsed_s:.0f}s  eta {r.eta_s:.0f}s"
        )

    def on_run_end(self, r: RunResult) -> None:
        if self.tty:
            self._print("")
        if r.status == "stopped":
            self._print(f"stopped after {r.epochs_done} of {self.epochs} epoch(s), {r.batches_done} batches in all")
        if r.advice:
            self._print(f"note: {r.advice}")

    def on_evaluated(self, e: Evaluated) -> None:
        ev = e.evaluation
        where = "" if e.split == "test" else " (no test split: on the samples held out for validation)"
        self._print(f"{e.split} accuracy {ev.accuracy:.4f}  loss {ev.loss:.4f}  ({ev.samples} samples){where}")

    def on_evaluation_failed(self, message: str) -> None:
        print(f"the evaluation failed: {message}; the model is still saved", file=sys.stderr)


class JsonLinesPrinter(TrainingListener):
    """``train --json``: one JSON object per epoch on stdout (notes go to stderr).

    The final object (``"event": "done"``) is printed by the command once the model is saved.
    """

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout

    def on_run_start(self, info: RunInfo) -> None:
        for note in info.notes:
            print(f"note: {note}", file=sys.stderr)

    def on_epoch_end(self, r: EpochResult) -> None:
        fields = ("epoch", "epochs", "loss", "accuracy", "val_loss", "val_accuracy", "learning_rate",
                  "samples_per_s", "elapsed_s", "eta_s")
        self.stream.write(json.dumps({"event": "epoch", **{k: getattr(r, k) for k in fields}}) + "\n")
        self.stream.flush()

    def on_evaluation_failed(self, message: str) -> None:
        print(f"the evaluation failed: {message}; the model is still saved", file=sys.stderr)
