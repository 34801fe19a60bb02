"""One training run, owned by one object: :class:`TrainingRun`.

The CLI (``inklab train``), the Training tab and ``tools/build_models.py`` all drive it.  It
holds the run's state (:class:`~core.training.state.RunState`), its clock (paused time left
out), its history (a :class:`~core.training.history.History` listener, as Keras keeps
``History``), the evaluation on the right split, the saving, and a list of listeners that
hear typed events (:mod:`core.training.events`)::

    run = TrainingRun(config, ConsolePrinter(), data=dataset, evaluate_after=True)
    result = run.run()                 # blocking: load, build, train, evaluate
    run.history["val_accuracy"]        # per epoch; run.evaluation is the final test
    card = run.save("my-digits")       # model + card in the library

Threads: :meth:`TrainingRun.run` blocks and is meant for a worker thread; :meth:`stop`,
:meth:`pause`, :meth:`resume` and :meth:`cancel` may be called from any thread and take
effect within one batch.  A Keras model must never be called from two threads at once, so
read ``run.model`` only after ``run`` returned, or from inside a listener method.

Adding a listener (e.g. one that keeps each epoch's weights): subclass
:class:`~core.training.events.TrainingListener`, override the methods you need, and add it
before :meth:`run`.  ``self.run`` is then the run, and ``self.run.model`` may be read in
the run's events (they come on the training thread, between batches)::

    class Weights(TrainingListener):
        def __init__(self):
            self.per_epoch = []

        def on_epoch_end(self, result):
            self.per_epoch.append((result.epoch, self.run.model.get_weights()))

    run.add_listener(Weights())

Which split a finished run is judged on (:meth:`TrainingRun.evaluation_split`), one rule for
every caller: the data set's "test" split when it has one, else the validation samples held
out of this run, else none.
"""

from __future__ import annotations

import logging

import numpy as np

from core.datasets.dataset import Dataset, Split
from core.errors import Cancelled, TrainingError
from core.labels import NOT_A_CHARACTER
from core.models.presets import get_preset
from core.training import from_model, reject
from core.training.advice import run_advice
from core.training.config import TrainingConfig, validation_note
from core.training.control import RunControl
from core.training.distribution import Distribution
from core.training.events import Evaluated, Prepared, RunInfo, RunResult, TrainingListener, describe_failure
from core.training.history import History
from core.training.state import RunState

log = logging.getLogger(__name__)

BATCH_EVENTS_PER_S = 30
PREVIEW_SAMPLES = 16


class TrainingRun(RunControl):
    """One run of one preset on one data set: prepare, run (blocking), control it from anywhere, save.

    ``listeners`` is one :class:`TrainingListener` or several.  ``data`` may be an already
    loaded :class:`Dataset`; otherwise ``loader(name, cancel)`` (default
    :func:`core.datasets.load_dataset`) loads ``config.dataset`` in :meth:`run`, where a
    stop cuts the load short.  ``batch_interval`` is the least time between two batch
    events.  ``preview`` validation samples (0 for none) are predicted at each epoch end.
    ``evaluate_after`` evaluates the model after training on :meth:`evaluation_split`
    (first ``evaluate_limit`` samples).  ``distribution`` spreads the run over several
    devices or machines (:mod:`core.training.distribution`; default: one).
    """

    def __init__(
        self,
        config: TrainingConfig,
        listeners: TrainingListener | list[TrainingListener] | tuple | None = None,
        data: Dataset | None = None,
        *,
        loader=None,
        batch_interval: float = 1.0 / BATCH_EVENTS_PER_S,
        preview: int = PREVIEW_SAMPLES,
        evaluate_after: bool = False,
        evaluate_limit: int | None = None,
        distribution: Distribution | None = None,
    ) -> None:
        self.config = config.validate()
        self.distribution = distribution or Distribution()
        self.batch_interval = batch_interval
        self.preview_count = preview
        self.evaluate_after = evaluate_after
        self.evaluate_limit = evaluate_limit
        self.outputs = get_preset(self.config.preset).outputs
        self.base = None  # (Keras model, card) of config.base_model, loaded by prepare()
        self.mixed = False  # whether the weights were mixed with the base's after the last epoch
        if self.config.base_model:
            self.outputs = from_model.base_outputs(self.config.base_model)
        super().__init__()
        self._history = History()
        self.add_listener(self._history)
        if isinstance(listeners, TrainingListener):
            listeners = [listeners]
        for listener in listeners or ():
            self.add_listener(listener)
        self._data = data
        self._loader = loader
        # Set by prepare():
        self.dataset: Dataset | None = None
        self.train_split: Split | None = None
        self.val_split: Split | None = None
        self.preview_images: np.ndarray | None = None
        self.preview_labels: np.ndarray | None = None
        self.model = None
        self.device = ""
        self.notes: tuple[str, ...] = ()
        self.rejects = False  # a "not a character" class was added (core.training.reject)
        # Set by run():
        self.result: RunResult | None = None
        self.evaluation = None  # core.evaluation.Evaluation after evaluate_after, or None
        self.evaluated_split = ""  # the split it was made on
        self.reject_card: dict | None = None  # the card's "reject" section, made once (core.training.run_card)
        self._prepared = False
        self._started = False
        self._hooks = None  # the FitHooks of the fit, with its counts

    @property
    def history(self) -> dict:
        """Per-epoch lists and the batch series (:func:`core.training.history.empty_history`)."""
        return self._history.data

    # ---- set-up

    @property
    def label_names(self) -> tuple[str, ...]:
        """The model's outputs: the set's classes, and "not-a-character" last when added."""
        if self.base is not None:
            return self.base[1].label_names  # a run from a model keeps the model's classes
        if not self.dataset:
            return ()
        return (*self.dataset.label_names, NOT_A_CHARACTER) if self.rejects else self.dataset.label_names

    @property
    def steps_per_epoch(self) -> int:
        if not self.train_split:
            return 0
        return self.distribution.steps_per_epoch(len(self.train_split), self.config.batch_size)

    def prepare(self) -> None:
        """Load the data (unless given), hold out validation, build and compile the model.

        Raises an InkLabError when the data set is missing or the settings do not fit it
        (:class:`~core.errors.Cancelled` when stopped during the load).  :meth:`run` calls
        it when needed; call it first to report such errors early.
        """
        with self._lock:
            if self._prepared:
                return
            c = self.config
            if self._data is None:
                from core.datasets import load_dataset

                load = self._loader or (lambda name, cancel: load_dataset(name, cancel=cancel))
                self._data = load(c.dataset, self._load_cancel)
            self.dataset = self._data
            split = self.dataset.split(c.split)
            if c.limit:
                split = split.take(slice(0, c.limit))
            if len(split) < 1:
                raise TrainingError(f"data set '{self.dataset.name}' has no samples in '{c.split}'")
            c.validate(n_samples=len(split))
            if c.base_model:
                self.base = from_model.load_base(c.base_model)
                split = from_model.onto_base(split, self.dataset.label_names, self.base[1], c.base_model)
            note = validation_note(c.validation, len(split))
            self.notes = (note,) if note else ()
            self._split(split)
            self._build_model()
            self._prepared = True

    def _split(self, split: Split) -> None:
        from core.training.pipeline import split_validation

        c = self.config
        self.train_split, self.val_split = split_validation(split, c.validation, c.seed)
        if self.val_split is not None and self.preview_count > 0:
            pick = np.linspace(0, len(self.val_split) - 1, min(self.preview_count, len(self.val_split)))
            pick = np.unique(pick.astype(int))
            self.preview_images = self.val_split.images[pick]
            self.preview_labels = self.val_split.labels[pick]
        if self.base is not None:
            self.train_split, self.val_split = from_model.base_rejects(self.train_split, self.val_split,
                                                                       self.base[1], c.seed)
        elif c.reject and NOT_A_CHARACTER not in self.dataset.label_names:
            # After the hold-out, so the samples asked for and the validation note are the user's.
            self.train_split, self.val_split = reject.add_non_characters(
                self.train_split, self.val_split, self.dataset.n_classes, c.seed)
            self.rejects = True

    def _build_model(self) -> None:
        import keras

        from core.hardware import describe_device
        from core.training.optimizers import compile_model

        c = self.config
        spread = self.distribution.description
        self.device = describe_device() + (f", {spread}" if spread else "")
        keras.utils.set_random_seed(c.seed)
        with self.distribution.scope():
            self.model = (from_model.trainable_copy(self.base[0]) if self.base is not None
                          else get_preset(c.preset).build(len(self.label_names)))
            compile_model(self.model, c, self.steps_per_epoch, self.outputs)
        self.distribution.adapt(self.model)

    def _prepared_event(self) -> Prepared:
        from core.models.inference import predict_batch
        from core.models.presets import model_summary

        probabilities = None
        if self.preview_images is not None and len(self.preview_images):
            probabilities = predict_batch(self.model, self.preview_images, self.outputs)
        try:
            summary = model_summary(self.model)
        except Exception:  # the table is a nicety; a run must not fail for it
            log.exception("model summary failed")
            summary = None
        return Prepared(self.label_names, self.preview_images, self.preview_labels, probabilities, summary)

    # ---- the run

    def run(self) -> RunResult:
        """Load, build, train (blocking), then evaluate if asked; returns how training ended.

        Never raises for a failed run: errors — bad data, out of memory, a listener that
        throws — end it with status "failed" and the message; the traceback goes to the log.
        A stop while the data set loads ends it as "stopped" with nothing trained.
        """
        with self._lock:
            if self._started:
                raise TrainingError("this training run has already run; start a new one")
            self._started = True
        self._set_state(RunState.RUNNING, only_from=(RunState.IDLE,))
        try:
            self.prepare()
            if not self._stop.is_set():  # closing the window while TensorFlow loaded: go straight on
                self._emit("on_prepared", self._prepared_event())
            self._fit()
            self.mixed = from_model.mix_run_with_base(self.model, self.base, self._hooks.batches_done)
            done = self._hooks.epochs_done if self._hooks else 0
            status, error = ("stopped" if done < self.config.epochs else "completed"), ""
        except Cancelled:  # stopped while the data set was still loading: nothing ran, nothing failed
            status, error = "stopped", ""
        except Exception as err:  # a failed run is reported, never raised
            status, error = "failed", describe_failure(err)
            # The reason first, then the traceback: inklab.log is where a failed run is looked up.
            log.error("training run failed (%s on %s): %s", self.config.preset, self.config.dataset, error,
                      exc_info=True)
        self.result = self._result(status, error, self._hooks)
        try:
            self._emit("on_run_end", self.result)
        except Exception:
            log.exception("training listener failed in on_run_end")
        if self.evaluate_after and status != "failed" and self.result.batches_done > 0 and not self._cancelled:
            self._evaluate_after()
        self._set_state(RunState.FINISHED)
        return self.result

    def _fit(self) -> None:
        """Train through :class:`~core.training.fit.FitHooks`, which keeps the counts."""
        from core.training.fit import FitHooks
        from core.training.graph_release import released_after_run
        from core.training.pipeline import make_tf_dataset

        c = self.config
        train_ds = self.distribution.train_dataset(
            self.train_split.images, self.train_split.labels, c.batch_size, seed=c.seed,
            augment=c.augment_params if c.augment else None,
        )
        val_ds = (make_tf_dataset(self.val_split.images, self.val_split.labels, max(c.batch_size, 256))
                  if self.val_split is not None else None)
        log.info("training %s on %s (%s)", c.preset, self.dataset.name, self.device)
        hooks = self._hooks = FitHooks(self, val_ds)
        self.clock.start()
        self._emit("on_run_start", RunInfo(
            epochs=c.epochs, steps_per_epoch=self.steps_per_epoch, batch_size=c.batch_size,
            train_samples=len(self.train_split),
            val_samples=len(self.val_split) if self.val_split is not None else 0,
            label_names=self.label_names, device=self.device, notes=self.notes,
        ))
        if not self._stop.is_set():
            with released_after_run():  # or every run in one process would keep ~5 MB for ever
                self.model.fit(train_ds, epochs=c.epochs, verbose=0, shuffle=False, callbacks=[hooks.callback()])

    def _result(self, status: str, error: str, hooks) -> RunResult:
        epochs_done = hooks.epochs_done if hooks else 0
        batches_done = hooks.batches_done if hooks else 0
        advice = ""
        if status != "failed" and self.train_split is not None:
            advice = run_advice(self.history, self.config, batches_done, len(self.train_split))
        if status != "failed":
            log.info("training run %s after %d epoch(s), %d batches%s", status, epochs_done, batches_done,
                     f": {advice}" if advice else "")
        return RunResult(status=status, error=error, history=self.history, elapsed_s=self.clock.elapsed_s(),
                         epochs_done=epochs_done, batches_done=batches_done, advice=advice)

    # ---- evaluation

    def evaluation_split(self) -> str | None:
        """The split a finished run is judged on: "test" when the data set has one, else
        "validation" (the samples this run held out), else None."""
        if self.dataset is not None and "test" in self.dataset.splits:
            return "test"
        if self.val_split is not None and len(self.val_split):
            return "validation"
        return None

    def evaluate(self, split: str | None = None, limit: int | None = None, stoppable: bool = False):
        """Evaluate the trained model on ``split`` (default: :meth:`evaluation_split`).

        ``split="validation"`` uses the samples held out of this run.  Call after :meth:`run`
        returned: the model must not be used by two threads.  With ``stoppable`` a
        :meth:`stop` cuts it short (:class:`~core.errors.Cancelled`).
        """
        from core.evaluation import evaluate

        if self.model is None or self.dataset is None:
            raise TrainingError("there is no trained model yet: run it first")
        data = self._evaluation_data(split or self.evaluation_split(), limit)
        stop = self._cut_evaluation.is_set if stoppable else None
        return evaluate(self.model, data, self.label_names, self.outputs, should_stop=stop)

    def _evaluation_data(self, split: str | None, limit: int | None) -> Split:
        if split is None:
            raise TrainingError("this data set has no test split and this run held out no validation samples")
        if split == "validation":
            if self.val_split is None or not len(self.val_split):
                raise TrainingError("this run held out no validation samples to evaluate on")
            data = self.val_split
        else:
            data = self.dataset.split(split)
            if self.base is not None:
                data = from_model.onto_base(data, self.dataset.label_names, self.base[1], self.config.base_model)
        return data.take(slice(0, limit)) if limit else data

    def _evaluate_after(self) -> None:
        from core.training.interruption import interrupt_here

        split = self.evaluation_split()
        if split is None:
            return
        self._set_state(RunState.EVALUATING)
        try:
            self._emit("on_evaluation_start", split)
            interrupt_here("test", self._cut_evaluation)
            evaluation = self.evaluate(split, self.evaluate_limit, stoppable=True)
            self.evaluation, self.evaluated_split = evaluation, split
            images = self._evaluation_data(split, self.evaluate_limit).images
            self._emit("on_evaluated", Evaluated(split, evaluation, images))
        except Cancelled:
            log.info("the evaluation on %s was cut short", split)
        except Exception as err:
            message = describe_failure(err)
            log.error("the evaluation on %s failed: %s", split, message, exc_info=True)
            try:
                self._emit("on_evaluation_failed", message)
            except Exception:
                log.exception("training listener failed in on_evaluation_failed")

    # ---- saving

    def card_info(self, evaluation=None) -> dict:
        """What the model card records about this run (:func:`core.training.run_card.card_info`)."""
        from core.training.run_card import card_info

        return card_info(self, evaluation)

    def save(self, name: str | None = None, evaluation=None, overwrite: bool = False, *, info: dict | None = None,
             root=None):
        """Save the model and its card to the library; returns the :class:`ModelCard`.

        ``info`` replaces :meth:`card_info` (a tool adding its own sections); ``root`` saves
        somewhere other than the user library.
        """
        from core.models import library

        if self.model is None:
            raise TrainingError("there is no trained model to save: run it first")
        name = name or self.config.name or library.default_name(self.config.preset, self.config.dataset)
        return library.save_model(
            self.model,
            name,
            label_names=self.label_names,
            outputs=self.outputs,
            info=info if info is not None else self.card_info(evaluation),
            overwrite=overwrite,
            root=root,
        )
