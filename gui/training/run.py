"""The Training tab's run: core's TrainingSession as a task, its listener as a stream of events.

The engine reports through a plain-Python :class:`core.training.TrainingListener` called on
the training thread.  :class:`TrainingRun` forwards each event through the
:class:`gui.concurrency.Worker` running it (``emit``, arriving as ``yielded`` on the GUI
thread), so every widget update happens on the GUI thread, and the hooks stay as cheap as
the engine's own (one ``emit`` each; the engine already throttles batches to ~30/s).
No Qt here.

Everything that touches the Keras model — the "what the model sees" predictions, the test
evaluation, the mistakes — runs here, on the training thread, and leaves as numpy arrays:
a Keras model must never be called from two threads at once.

This module imports no TensorFlow; ``core.training`` is imported inside :meth:`TrainingRun.__call__`.
Data sets come from :func:`core.datasets.memory_cache.load_shared`, the one in-memory cache
the Datasets tab uses too (MNIST is never held twice).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from enum import Enum, auto

import numpy as np

log = logging.getLogger("inklab.gui.training")

@dataclass(frozen=True)
class Prepared:
    """Sent when the data is loaded and the model built, before the first batch."""

    label_names: tuple[str, ...]
    preview_images: np.ndarray | None  # uint8 (n, 28, 28): the fixed validation samples
    preview_labels: np.ndarray | None
    preview_probabilities: np.ndarray | None  # the untrained model's guesses ("epoch 0")
    summary: dict | None


@dataclass(frozen=True)
class EvaluationView:
    """The test evaluation as plain arrays, ready for the widgets."""

    loss: float
    accuracy: float
    samples: int
    confusion: np.ndarray
    per_class_accuracy: np.ndarray
    label_names: tuple[str, ...]
    mistake_images: np.ndarray
    mistake_true: np.ndarray
    mistake_predicted: np.ndarray
    mistake_confidence: np.ndarray
    evaluation: object  # core.evaluation.Evaluation, kept for saving the model card
    split: str = "test"  # "validation" when the data set has no test split


class RunEvent(Enum):
    """What a :class:`TrainingRun` sends to the GUI thread while it runs, as ``(event, payload)``."""

    PREPARED = auto()  # Prepared: the data is loaded and the model built
    RUN_STARTED = auto()  # core.training.RunInfo
    BATCH_ENDED = auto()  # core.training.BatchProgress (the engine sends ~30 a second)
    EPOCH_ENDED = auto()  # core.training.EpochResult
    TRAINING_ENDED = auto()  # core.training.RunResult: training is over; evaluation may follow
    EVALUATION_STARTED = auto()  # None
    EVALUATED = auto()  # EvaluationView
    EVALUATION_FAILED = auto()  # str: one readable line


class _EitherToken:
    """A cancel token set when either the user's Stop or the app's shutdown asks."""

    def __init__(self, *tokens) -> None:
        self._tokens = tokens

    @property
    def cancelled(self) -> bool:
        return any(token.cancelled for token in self._tokens)

    def raise_if_cancelled(self) -> None:
        for token in self._tokens:
            token.raise_if_cancelled()


class TrainingRun:
    """One run of core's TrainingSession, as a task for :class:`gui.concurrency.Worker`.

    Qt-free: ``emit((RunEvent, payload))`` is the worker's :meth:`~gui.concurrency.Worker.emit`,
    called on the task's thread; the task's return value is the final ``RunResult`` (after
    the evaluation, so the session may then be saved).  ``stop``/``pause``/``resume`` may be
    called from the GUI thread at any time.  The worker's cancel token (the app quitting)
    stops the run after the current batch and skips the evaluation.
    """

    def __init__(self, config, emit, evaluate: bool = True, evaluate_limit: int | None = None) -> None:
        from core.progress import CancelToken

        self.config = config
        self.emit = emit
        self.evaluate = evaluate
        self.evaluate_limit = evaluate_limit
        self.session = None  # the core TrainingSession, once built (read it after the result)
        self.result = None
        self._control = threading.Lock()
        self._pending: list[str] = []  # stop/pause asked before the session existed
        self._stop_load = CancelToken()  # Stop while the data set is still loading

    # ---- control, from the GUI thread

    def stop(self) -> None:
        """End the run after the current batch (the test evaluation still follows)."""
        self._stop_load.cancel()
        self._call("stop")

    def pause(self) -> None:
        self._call("pause")

    def resume(self) -> None:
        self._call("resume")

    def _call(self, what: str) -> None:
        with self._control:
            if self.session is None:
                if what == "resume":
                    self._pending = [p for p in self._pending if p != "pause"]
                else:
                    self._pending.append(what)
                return
        getattr(self.session, what)()

    # ---- the task, on the worker's thread

    def __call__(self, progress, cancel):
        from core.datasets.memory_cache import load_shared
        from core.errors import Cancelled, InkLabError
        from core.native_logs import import_tensorflow
        from core.training import RunResult, TrainingListener, TrainingSession, empty_history

        import_tensorflow()  # quietly, and one thread at a time (see its docstring)

        emit = self.emit

        class _Listener(TrainingListener):
            # One emit per hook: no I/O or drawing on the training thread.
            def on_run_start(self, info):
                emit((RunEvent.RUN_STARTED, info))

            def on_batch_end(self, progress):
                emit((RunEvent.BATCH_ENDED, progress))

            def on_epoch_end(self, result):
                emit((RunEvent.EPOCH_ENDED, result))

        cancel.on_cancel(self.stop)  # the app quitting: stop even a paused run
        try:
            # The one shared cache: a second run on MNIST (or the Datasets tab's copy) starts at once.
            data = load_shared(self.config.dataset, cancel=_EitherToken(self._stop_load, cancel))
            session = TrainingSession(self.config, _Listener(), data=data)
            with self._control:
                self.session = session
                pending, self._pending = self._pending, []
            for what in pending:
                getattr(session, what)()
            session.prepare()
            if not session.stopping:  # closing the window while TensorFlow loaded: go straight on
                emit((RunEvent.PREPARED, self._prepared_view(session)))
            result = session.run()
        except Cancelled:  # stopped while the data set was still loading: nothing ran, nothing failed
            result = RunResult("stopped", "", empty_history(), 0.0, 0)
        except Exception as err:  # a run that cannot even start: report it like a failed one
            from gui.errors import user_message

            if not isinstance(err, InkLabError):
                log.exception("training could not start")
            result = RunResult("failed", user_message(err, logged=True), empty_history(), 0.0, 0)
        self.result = result
        emit((RunEvent.TRAINING_ENDED, result))
        if (self.evaluate and not cancel.cancelled and result.status != "failed"
                and self.session is not None and result.epochs_done > 0):
            emit((RunEvent.EVALUATION_STARTED, None))
            try:
                emit((RunEvent.EVALUATED, self._evaluation_view(self.session)))
            except Exception as err:
                from gui.errors import user_message

                emit((RunEvent.EVALUATION_FAILED, user_message(err)))
        return result

    def _prepared_view(self, session) -> Prepared:
        from core.models.inference import predict_batch
        from core.models.presets import model_summary

        probabilities = None
        if session.preview_images is not None and len(session.preview_images):
            probabilities = predict_batch(session.model, session.preview_images, session.outputs)
        try:
            summary = model_summary(session.model)
        except Exception:  # the table is a nicety; a run must not fail for it
            log.exception("model summary failed")
            summary = None
        return Prepared(session.label_names, session.preview_images, session.preview_labels,
                        probabilities, summary)

    def _evaluation_view(self, session) -> EvaluationView:
        # Drawn collections and many imports have no test split: judge the run on the
        # samples it held out for validation instead of failing.
        split_name = "test" if "test" in session.dataset.splits else "validation"
        evaluation = session.evaluate(split_name, limit=self.evaluate_limit)
        split = session.dataset.split("test") if split_name == "test" else session.val_split
        mistakes = evaluation.mistakes
        indices = np.asarray([m.index for m in mistakes], np.int64)
        return EvaluationView(
            loss=float(evaluation.loss),
            accuracy=float(evaluation.accuracy),
            samples=int(evaluation.samples),
            confusion=np.asarray(evaluation.confusion, np.int64),
            per_class_accuracy=np.asarray(evaluation.recall, np.float64),  # recall = share of the class right
            label_names=tuple(session.label_names),
            mistake_images=split.images[indices],
            mistake_true=np.asarray([m.true for m in mistakes], np.int64),
            mistake_predicted=np.asarray([m.predicted for m in mistakes], np.int64),
            mistake_confidence=np.asarray([m.probability for m in mistakes], np.float64),
            evaluation=evaluation,
            split=split_name,
        )
