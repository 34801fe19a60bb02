"""The training session: one run of one preset on one data set, observable and stoppable.

The GUI and the CLI drive the same :class:`TrainingSession`.  It reports through a plain
Python :class:`TrainingListener` (no Qt): the GUI adapts it to signals, the CLI prints.
Following the Keras habit, the hooks inside ``fit`` stay tiny: a batch hook compares two
clock readings and only builds an event when the ~30-per-second budget allows it, so a
session costs the same as a bare ``model.fit`` (see ``bench/training.py``).

Threads: :meth:`TrainingSession.run` blocks and is meant for a worker thread; ``stop``,
``pause`` and ``resume`` may be called from any thread and take effect within one batch.
Listener methods are called on the training thread.  A Keras model must never be called
from two threads at once, so read ``session.model`` only after ``run`` returned (or from
inside a listener method, which runs between batches).

A little over 400 lines: the run, its Keras hooks and stop/pause share private state
(counters, events) that splitting across modules would have to expose.  What a "not a
character" class adds lives in :mod:`core.training.reject`; the session only calls it.
"""

from __future__ import annotations

import logging
import math
import threading
import time

import numpy as np

from core.datasets.dataset import Dataset, Split
from core.errors import TrainingError
from core.labels import NOT_A_CHARACTER
from core.models.inference import predict_batch
from core.models.presets import get_preset
from core.training import reject
from core.training.advice import run_advice
from core.training.config import TrainingConfig, validation_note
from core.training.distribution import Distribution
from core.training.events import (
    BatchProgress,
    EpochResult,
    RunInfo,
    RunResult,
    TrainingListener,
    describe_failure,
    empty_history,
)
from core.training.graph_release import released_after_run
from core.training.interruption import interrupt_here
from core.training.optimizers import compile_model, current_learning_rate
from core.training.pipeline import make_tf_dataset, split_validation
from core.training.runs import remaining_s

log = logging.getLogger(__name__)

BATCH_EVENTS_PER_S = 30
PREVIEW_SAMPLES = 16


class TrainingSession:
    """One training run: prepare, run (blocking), stop/pause/resume from anywhere, evaluate, save.

    ``data`` may be an already loaded :class:`Dataset` (the GUI has one); otherwise
    ``config.dataset`` is loaded on :meth:`prepare`.  ``batch_interval`` is the least time
    between two batch events.  ``preview`` validation samples (0 for none) are predicted at
    each epoch end and sent in :attr:`EpochResult.preview`.  ``distribution`` spreads the
    run over several devices or machines (:mod:`core.training.distribution`; default: one).
    """

    def __init__(
        self,
        config: TrainingConfig,
        listener: TrainingListener | None = None,
        data: Dataset | None = None,
        *,
        batch_interval: float = 1.0 / BATCH_EVENTS_PER_S,
        preview: int = PREVIEW_SAMPLES,
        distribution: Distribution | None = None,
    ) -> None:
        self.config = config.validate()
        self.distribution = distribution or Distribution()
        self.listener = listener or TrainingListener()
        self.batch_interval = batch_interval
        self.preview_count = preview
        self._data = data
        self.dataset: Dataset | None = None
        self.train_split: Split | None = None
        self.val_split: Split | None = None
        self.preview_images: np.ndarray | None = None
        self.preview_labels: np.ndarray | None = None
        self.model = None
        self.outputs = get_preset(self.config.preset).outputs
        self.history = empty_history()
        self.result: RunResult | None = None
        self.device = ""
        self.notes: tuple[str, ...] = ()
        self.rejects = False  # a "not a character" class was added (core.training.reject)
        self._reject_card: dict | None = None
        self._batches_done = 0
        self._stop = threading.Event()
        self._unpaused = threading.Event()
        self._unpaused.set()
        self._holding = threading.Event()
        self._started = False
        self._prepared = False
        self._lock = threading.Lock()

    # ---- control, safe from any thread

    def stop(self) -> None:
        """End the run after the current batch (also when paused); the model stays usable."""
        self._stop.set()
        self._unpaused.set()

    def pause(self) -> None:
        """Hold the run after the current batch until :meth:`resume` (or :meth:`stop`)."""
        if not self._stop.is_set():
            self._unpaused.clear()

    def resume(self) -> None:
        """Let a paused run go on."""
        self._unpaused.set()

    @property
    def paused(self) -> bool:
        return not self._unpaused.is_set()

    @property
    def holding(self) -> bool:
        """True while a paused run is actually held (the current batch has finished)."""
        return self._holding.is_set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    # ---- set-up

    @property
    def label_names(self) -> tuple[str, ...]:
        """The model's outputs: the set's classes, and "not-a-character" last when added."""
        if not self.dataset:
            return ()
        return (*self.dataset.label_names, NOT_A_CHARACTER) if self.rejects else self.dataset.label_names

    def prepare(self) -> None:
        """Load the data, hold out validation, build and compile the model.

        Raises an InkLabError when the data set is missing or the settings do not fit it.
        :meth:`run` calls it when needed; call it first to report such errors early.
        """
        with self._lock:
            if self._prepared:
                return
            c = self.config
            if self._data is None:
                from core.datasets import load_dataset

                self._data = load_dataset(c.dataset)
            self.dataset = self._data
            split = self.dataset.split(c.split)
            if c.limit:
                split = split.take(slice(0, c.limit))
            if len(split) < 1:
                raise TrainingError(f"data set '{self.dataset.name}' has no samples in '{c.split}'")
            c.validate(n_samples=len(split))
            note = validation_note(c.validation, len(split))
            self.notes = (note,) if note else ()
            self.train_split, self.val_split = split_validation(split, c.validation, c.seed)
            if self.val_split is not None and self.preview_count > 0:
                pick = np.linspace(0, len(self.val_split) - 1, min(self.preview_count, len(self.val_split)))
                pick = np.unique(pick.astype(int))
                self.preview_images = self.val_split.images[pick]
                self.preview_labels = self.val_split.labels[pick]
            if c.reject and NOT_A_CHARACTER not in self.dataset.label_names:
                # After the hold-out, so the samples asked for and the validation note are the user's.
                self.train_split, self.val_split = reject.add_non_characters(
                    self.train_split, self.val_split, self.dataset.n_classes, c.seed)
                self.rejects = True
            import keras

            from core.hardware import describe_device

            spread = self.distribution.description
            self.device = describe_device() + (f", {spread}" if spread else "")
            keras.utils.set_random_seed(c.seed)
            with self.distribution.scope():
                self.model = get_preset(c.preset).build(len(self.label_names))
                compile_model(self.model, c, self.steps_per_epoch, self.outputs)
            self.distribution.adapt(self.model)
            self._prepared = True

    @property
    def steps_per_epoch(self) -> int:
        if not self.train_split:
            return 0
        return self.distribution.steps_per_epoch(len(self.train_split), self.config.batch_size)

    # ---- the run

    def run(self) -> RunResult:
        """Train (blocking) and return how it ended.  Never raises for a failed run.

        Errors — bad data, out of memory, a listener that throws — end the run with status
        "failed" and the message; the traceback goes to the log.
        """
        if self._started:
            raise TrainingError("this training session has already run; start a new one")
        self._started = True
        self._t0 = time.monotonic()
        self._paused_s = 0.0
        self._epochs_done = 0
        try:
            self.prepare()
            c = self.config
            train_ds = self.distribution.train_dataset(
                self.train_split.images,
                self.train_split.labels,
                c.batch_size,
                seed=c.seed,
                augment=c.augment_params if c.augment else None,
            )
            self._val_ds = (
                make_tf_dataset(self.val_split.images, self.val_split.labels, max(c.batch_size, 256))
                if self.val_split is not None
                else None
            )
            log.info("training %s on %s (%s)", c.preset, self.dataset.name, self.device)
            self._t0 = time.monotonic()
            self.listener.on_run_start(
                RunInfo(
                    epochs=c.epochs,
                    steps_per_epoch=self.steps_per_epoch,
                    batch_size=c.batch_size,
                    train_samples=len(self.train_split),
                    val_samples=len(self.val_split) if self.val_split is not None else 0,
                    label_names=self.label_names,
                    device=self.device,
                    notes=self.notes,
                )
            )
            if not self._stop.is_set():
                with released_after_run():  # or every run in one process would keep ~5 MB for ever
                    self.model.fit(
                        train_ds, epochs=c.epochs, verbose=0, shuffle=False, callbacks=[_make_bridge(self)]
                    )
            status, error = ("stopped" if self._epochs_done < c.epochs else "completed"), ""
        except Exception as err:  # a failed run is reported, never raised
            status, error = "failed", describe_failure(err)
            # The reason first, then the traceback: inklab.log is where a failed run is looked up.
            log.error("training run failed (%s on %s): %s", self.config.preset, self.config.dataset, error,
                      exc_info=True)
        self.result = RunResult(
            status=status,
            error=error,
            history=self.history,
            elapsed_s=time.monotonic() - self._t0 - self._paused_s,
            epochs_done=self._epochs_done,
            batches_done=self._batches_done,
            advice=run_advice(self.history, self.config, self._batches_done, len(self.train_split))
            if status != "failed" else "",
        )
        if status != "failed":
            log.info("training run %s after %d epoch(s), %d batches%s", status, self._epochs_done,
                     self._batches_done, f": {self.result.advice}" if self.result.advice else "")
        try:
            self.listener.on_run_end(self.result)
        except Exception:
            log.exception("training listener failed in on_run_end")
        return self.result

    # ---- hooks called by the Keras callback on the training thread (keep them tiny)

    def _epoch_begin(self, epoch: int) -> None:
        self._epoch = epoch
        self._epoch_t0 = time.monotonic()
        self._epoch_paused_s = 0.0
        self._last_event = 0.0
        self._steps_done = 0
        self._hold_while_paused()

    def _batch_end(self, step: int, logs: dict | None) -> None:
        self._steps_done = step + 1
        self._batches_done += 1
        interrupt_here(f"batch:{self._batches_done}", self._stop)
        steps = self.steps_per_epoch
        now = time.monotonic()
        if self._steps_done == steps or now - self._last_event >= self.batch_interval:
            self._last_event = now
            self._emit_batch(self._epoch, self._steps_done, steps, logs or {})
        self._hold_while_paused()
        if self._stop.is_set():
            self.model.stop_training = True

    def _hold_while_paused(self) -> None:
        """Wait here while paused: at a batch end, and before an epoch's first batch (so a
        pause asked during validation holds there, without training one more batch)."""
        if not self._unpaused.is_set():
            held = time.monotonic()
            self._holding.set()
            self._unpaused.wait()
            self._holding.clear()
            waited = time.monotonic() - held
            self._paused_s += waited
            self._epoch_paused_s += waited

    def _emit_batch(self, epoch: int, step: int, steps: int, logs: dict) -> None:
        n_train = len(self.train_split)
        seen = (epoch - 1) * n_train + min(step * self.config.batch_size, n_train)
        progress = BatchProgress(
            epoch=epoch,
            step=step,
            steps=steps,
            loss=float(logs.get("loss", math.nan)),
            accuracy=float(logs.get("accuracy", math.nan)),
            samples_seen=seen,
        )
        series = self.history["batches"]
        series["epoch"].append(epoch)
        series["step"].append(step)
        series["position"].append(progress.position)
        series["samples_seen"].append(seen)
        series["loss"].append(progress.loss)
        series["accuracy"].append(progress.accuracy)
        self.listener.on_batch_end(progress)

    def _epoch_end(self, epoch: int, logs: dict | None) -> None:
        if self._steps_done < self.steps_per_epoch:
            return  # stopped mid-epoch: not a finished epoch; its batches are in the series
        logs = logs or {}
        c = self.config
        train_s = time.monotonic() - self._epoch_t0 - self._epoch_paused_s
        val_loss = val_acc = None
        preview = None
        interrupt_here("validation", self._stop)
        if self._val_ds is not None and not self._stop.is_set():
            scores = self.model.evaluate(self._val_ds, verbose=0, return_dict=True)
            val_loss, val_acc = float(scores["loss"]), float(scores["accuracy"])
        if self.preview_images is not None and not self._stop.is_set():
            preview = predict_batch(self.model, self.preview_images, self.outputs)
        self._epochs_done = epoch
        elapsed = time.monotonic() - self._t0 - self._paused_s
        eta = remaining_s(epoch, c.epochs, elapsed)
        result = EpochResult(
            epoch=epoch,
            epochs=c.epochs,
            loss=float(logs.get("loss", math.nan)),
            accuracy=float(logs.get("accuracy", math.nan)),
            val_loss=val_loss,
            val_accuracy=val_acc,
            learning_rate=current_learning_rate(self.model),
            samples_per_s=len(self.train_split) / train_s if train_s > 0 else 0.0,
            elapsed_s=elapsed,
            eta_s=eta,
            preview=preview,
        )
        h = self.history
        h["epoch"].append(epoch)
        h["loss"].append(result.loss)
        h["accuracy"].append(result.accuracy)
        h["val_loss"].append(val_loss)
        h["val_accuracy"].append(val_acc)
        h["learning_rate"].append(result.learning_rate)
        h["samples_per_s"].append(result.samples_per_s)
        h["elapsed_s"].append(elapsed)
        self.listener.on_epoch_end(result)
        if self._stop.is_set():  # stopped during validation: do not start the next epoch
            self.model.stop_training = True

    # ---- after the run

    def evaluate(self, split: str = "test", limit: int | None = None):
        """Evaluate the trained model on a split of the data set (default: test).

        ``split="validation"`` uses the samples held out of this run.  Call after
        :meth:`run` returned: the model must not be used by two threads.
        """
        from core.evaluation import evaluate

        if self.model is None or self.dataset is None:
            raise TrainingError("there is no trained model yet: run the session first")
        if split == "validation":
            if self.val_split is None or not len(self.val_split):
                raise TrainingError("this run held out no validation samples to evaluate on")
            data = self.val_split
        else:
            data = self.dataset.split(split)
        if limit:
            data = data.take(slice(0, limit))
        return evaluate(self.model, data, self.label_names, self.outputs)

    def card_info(self, evaluation=None) -> dict:
        """What the model card records about this run (data, preset, settings, history, test)."""
        c = self.config
        return {
            "dataset": {
                "name": self.dataset.name if self.dataset else c.dataset,
                "split": c.split,
                "train_samples": len(self.train_split) if self.train_split is not None else 0,
                "val_samples": len(self.val_split) if self.val_split is not None else 0,
                "test_samples": evaluation.samples if evaluation is not None else None,
            },
            "preset": c.preset,
            "training": c.as_dict(),
            "status": self.result.status if self.result else "not run",
            "epochs_done": self.result.epochs_done if self.result else 0,
            "batches_done": self.result.batches_done if self.result else 0,
            "advice": self.result.advice if self.result else "",
            "notes": list(self.notes),
            "elapsed_s": round(self.result.elapsed_s, 2) if self.result else 0.0,
            "device": self.device,
            "history": self.history,
            "test": evaluation.metrics() if evaluation is not None else None,
            **({"reject": self.reject_section()} if self.rejects and self.model is not None else {}),
        }

    def reject_section(self) -> dict:
        """The card's ``reject`` section (threshold chosen on validation; computed once, after the run)."""
        if self._reject_card is None:
            self._reject_card = reject.reject_card(self.model, self.outputs, self.val_split,
                                                   self.dataset.label_names, self.config.seed)
        return self._reject_card

    def save(self, name: str | None = None, evaluation=None, overwrite: bool = False):
        """Save the model and its card to the library; returns the :class:`ModelCard`."""
        from core.models import library

        if self.model is None:
            raise TrainingError("there is no trained model to save: run the session first")
        name = name or self.config.name or library.default_name(self.config.preset, self.config.dataset)
        return library.save_model(
            self.model,
            name,
            label_names=self.label_names,
            outputs=self.outputs,
            info=self.card_info(evaluation),
            overwrite=overwrite,
        )


def _make_bridge(session: TrainingSession):
    """The Keras callback that forwards to the session; defined lazily to keep Keras unimported."""
    import keras

    class _Bridge(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            session._epoch_begin(epoch + 1)

        def on_train_batch_end(self, batch, logs=None):
            session._batch_end(batch, logs)

        def on_epoch_end(self, epoch, logs=None):
            session._epoch_end(epoch + 1, logs)

    return _Bridge()
