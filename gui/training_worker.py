"""The Training tab's thread: runs core's TrainingSession and turns its listener into signals.

The engine reports through a plain-Python :class:`core.training.TrainingListener` called on
the training thread.  :class:`TrainingWorker` forwards each event as a queued Qt signal,
so every widget update happens on the GUI thread, and the hooks stay as cheap as the
engine's own (one ``emit`` each; the engine already throttles batches to ~30/s).

Everything that touches the Keras model — the "what the model sees" predictions, the test
evaluation, the mistakes — runs here, on the training thread, and leaves as numpy arrays:
a Keras model must never be called from two threads at once.

This module imports no TensorFlow; ``core.training`` is imported inside :meth:`run`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

log = logging.getLogger("inklab.gui.training")

# Data sets are read once per session of the app: a second run on MNIST starts at once.
_DATASETS: dict[str, object] = {}
_DATASETS_LOCK = threading.Lock()


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


def load_dataset_cached(name: str, cancel=None):
    """The named data set; built-in sets are read from disk only once in this process.

    The user's own sets (collections, imports) are read afresh each run: a class keeps
    adding drawings between runs, and must train on all of them.  ``cancel`` (a
    :class:`core.progress.CancelToken`) stops a long first load (EMNIST's re-framing).
    """
    from core.datasets import find, load_dataset
    from core.progress import no_progress

    with _DATASETS_LOCK:
        data = _DATASETS.get(name)
    if data is None:
        data = load_dataset(name, no_progress, cancel)
        if find(name).kind == "built-in":
            with _DATASETS_LOCK:
                _DATASETS[name] = data
    return data


class TrainingWorker(QThread):
    """One run on its own thread.  Create, connect, ``start()``; stop/pause/resume any time.

    Signals (all queued to the GUI thread): ``prepared(Prepared)``, ``run_started(RunInfo)``,
    ``batch_ended(BatchProgress)``, ``epoch_ended(EpochResult)``, ``training_ended(RunResult)``
    (training is over; evaluation may follow), ``evaluated(EvaluationView)``, and finally
    ``done(RunResult)`` once nothing more will come (then the session may be saved).
    """

    prepared = Signal(object)
    run_started = Signal(object)
    batch_ended = Signal(object)
    epoch_ended = Signal(object)
    training_ended = Signal(object)
    evaluation_started = Signal()
    evaluated = Signal(object)
    evaluation_failed = Signal(str)
    done = Signal(object)

    def __init__(self, config, evaluate: bool = True, evaluate_limit: int | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("training")
        self.config = config
        self.evaluate = evaluate
        self.evaluate_limit = evaluate_limit
        self.session = None  # the core TrainingSession, once built (read it after `done`)
        self.result = None
        self._abort = threading.Event()  # set on shutdown: skip the evaluation too
        self._control = threading.Lock()
        self._pending: list[str] = []  # stop/pause asked before the session existed
        from core.progress import CancelToken

        self._load_cancel = CancelToken()  # Stop while the data set is still loading

    # ---- control, from the GUI thread

    def stop(self, abort: bool = False) -> None:
        """End the run after the current batch; ``abort`` also skips the test evaluation."""
        if abort:
            self._abort.set()
        self._load_cancel.cancel()
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

    # ---- the thread

    def run(self) -> None:
        from core.errors import Cancelled, InkLabError
        from core.training import RunResult, TrainingListener, TrainingSession, empty_history

        worker = self

        class _Listener(TrainingListener):
            def on_run_start(self, info):
                worker.run_started.emit(info)

            def on_batch_end(self, progress):
                worker.batch_ended.emit(progress)

            def on_epoch_end(self, result):
                worker.epoch_ended.emit(result)

        try:
            data = load_dataset_cached(self.config.dataset, self._load_cancel)
            session = TrainingSession(self.config, _Listener(), data=data)
            with self._control:
                self.session = session
                pending, self._pending = self._pending, []
            for what in pending:
                getattr(session, what)()
            session.prepare()
            if not session.stopping:  # closing the window while TensorFlow loaded: go straight on
                self.prepared.emit(self._prepared_view(session))
            result = session.run()
        except Cancelled:  # stopped while the data set was still loading: nothing ran, nothing failed
            result = RunResult("stopped", "", empty_history(), 0.0, 0)
        except Exception as err:  # a run that cannot even start: report it like a failed one
            from gui.errors import user_message

            if not isinstance(err, InkLabError):
                log.exception("training could not start")
            result = RunResult("failed", user_message(err, logged=True), empty_history(), 0.0, 0)
        self.result = result
        self.training_ended.emit(result)
        if (self.evaluate and not self._abort.is_set() and result.status != "failed"
                and self.session is not None and result.epochs_done > 0):
            self.evaluation_started.emit()
            try:
                self.evaluated.emit(self._evaluation_view(self.session))
            except Exception as err:
                from gui.errors import user_message

                self.evaluation_failed.emit(user_message(err))
        self.done.emit(result)

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


class BackgroundCall(QObject):
    """Run a short function on a daemon Python thread; ``finished(result)`` / ``failed(message)``.

    For the tab's helpers (model summary, augmentation preview), whose first call imports
    TensorFlow: an import cannot be cancelled, and a QThread still running when the app
    quits aborts the process.  A daemon thread is simply abandoned at exit, so closing the
    window a second after opening the tab still exits cleanly.  These calls never touch the
    training model.  One call at a time; a request while busy is kept and run next (only
    the latest one).
    """

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None, name: str = "background") -> None:
        super().__init__(parent)
        self._name = name
        self._busy = False
        self._next = None
        self._relay.connect(self._on_relay, Qt.ConnectionType.QueuedConnection)

    _relay = Signal(str, object)

    def is_running(self) -> bool:
        return self._busy

    def start(self, fn) -> None:
        """Run ``fn()``; if a call is running, run ``fn`` after it instead (replacing any queued one)."""
        if self._busy:
            self._next = fn
            return
        self._busy = True

        def body() -> None:
            try:
                result = fn()
            except BaseException as err:  # reported, never raised on a thread nobody watches
                from gui.errors import user_message

                self._relay.emit("failed", user_message(err))
            else:
                self._relay.emit("finished", result)

        threading.Thread(target=body, name=self._name, daemon=True).start()

    @Slot(str, object)
    def _on_relay(self, kind: str, payload: object) -> None:
        self._busy = False
        follow, self._next = self._next, None
        if follow is not None:
            self.start(follow)
        if kind == "finished":
            self.finished.emit(payload)
        else:
            self.failed.emit(str(payload))
