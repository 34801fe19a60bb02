"""A run's ``model.fit``: the Keras callback of a :class:`~core.training.run.TrainingRun`.

Following the Keras habit, the hooks inside ``fit`` stay tiny: a batch hook compares two
clock readings and only builds an event when the ~30-per-second budget allows it, so a run
costs the same as a bare ``model.fit`` (see ``bench/training.py``).  Pause is a wait here,
at a batch end or before an epoch's first batch; stop sets Keras's ``stop_training``.
"""

from __future__ import annotations

import math
import time

from core.models.inference import predict_batch
from core.training.events import BatchProgress, EpochResult
from core.training.interruption import interrupt_here
from core.training.optimizers import current_learning_rate
from core.training.state import remaining_s


class FitHooks:
    """The per-fit counters and the hooks the Keras callback calls (on the training thread)."""

    def __init__(self, run, val_ds) -> None:
        self.run = run
        self.val_ds = val_ds
        self.steps = run.steps_per_epoch
        self.n_train = len(run.train_split)
        self.batch_size = run.config.batch_size
        self.interval = run.batch_interval
        self.epoch = 0
        self.steps_done = 0
        self.epochs_done = 0
        self.batches_done = 0
        self.last_event = 0.0
        self.epoch_start_s = 0.0  # the run's clock as the epoch began
        self.epoch_start_cpu = 0.0  # the process's CPU time then
        # Bound once: the batch hook runs after every batch.
        self._batch_listeners = tuple(listener.on_batch_end for listener in run.listeners)
        self._stop = run._stop

    def callback(self):
        """The Keras callback that forwards here; made lazily to keep Keras unimported."""
        import keras

        hooks = self

        class _Bridge(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                hooks.epoch_begin(epoch + 1)

            def on_train_batch_end(self, batch, logs=None):
                hooks.batch_end(batch, logs)

            def on_epoch_end(self, epoch, logs=None):
                hooks.epoch_end(epoch + 1, logs)

        return _Bridge()

    def epoch_begin(self, epoch: int) -> None:
        self.epoch = epoch
        self.steps_done = 0
        self.last_event = 0.0
        self.run._hold_while_paused()
        self.epoch_start_s = self.run.clock.elapsed_s()
        self.epoch_start_cpu = time.process_time()

    def batch_end(self, step: int, logs: dict | None) -> None:
        self.steps_done = step + 1
        self.batches_done += 1
        interrupt_here(f"batch:{self.batches_done}", self._stop)
        now = time.monotonic()
        if self.steps_done == self.steps or now - self.last_event >= self.interval:
            self.last_event = now
            self._send_batch(logs or {})
        self.run._hold_while_paused()
        if self._stop.is_set():
            self.run.model.stop_training = True

    def _send_batch(self, logs: dict) -> None:
        epoch, step = self.epoch, self.steps_done
        progress = BatchProgress(
            epoch=epoch,
            step=step,
            steps=self.steps,
            loss=float(logs.get("loss", math.nan)),
            accuracy=float(logs.get("accuracy", math.nan)),
            samples_seen=(epoch - 1) * self.n_train + min(step * self.batch_size, self.n_train),
        )
        for on_batch_end in self._batch_listeners:
            on_batch_end(progress)

    def epoch_end(self, epoch: int, logs: dict | None) -> None:
        if self.steps_done < self.steps:
            return  # stopped mid-epoch: not a finished epoch; its batches are in the series
        run = self.run
        logs = logs or {}
        train_s = run.clock.elapsed_s() - self.epoch_start_s
        train_cpu_s = time.process_time() - self.epoch_start_cpu
        val_loss = val_acc = preview = None
        interrupt_here("validation", self._stop)
        if self.val_ds is not None and not self._stop.is_set():
            scores = run.model.evaluate(self.val_ds, verbose=0, return_dict=True)
            val_loss, val_acc = float(scores["loss"]), float(scores["accuracy"])
        if run.preview_images is not None and not self._stop.is_set():
            preview = predict_batch(run.model, run.preview_images, run.outputs)
        self.epochs_done = epoch
        elapsed = run.clock.elapsed_s()
        run._emit("on_epoch_end", EpochResult(
            epoch=epoch,
            epochs=run.config.epochs,
            loss=float(logs.get("loss", math.nan)),
            accuracy=float(logs.get("accuracy", math.nan)),
            val_loss=val_loss,
            val_accuracy=val_acc,
            learning_rate=current_learning_rate(run.model),
            samples_per_s=self.n_train / train_s if train_s > 0 else 0.0,
            elapsed_s=elapsed,
            eta_s=remaining_s(epoch, run.config.epochs, elapsed),
            preview=preview,
            train_cpu_s=train_cpu_s,
        ))
        if self._stop.is_set():  # stopped during validation: do not start the next epoch
            run.model.stop_training = True
