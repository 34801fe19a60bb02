"""``inklab train`` and ``inklab evaluate``: the training engine from a terminal.

``train`` drives a :class:`core.training.TrainingRun` (the same object the Training tab
drives) on a worker thread so the main thread stays free for Ctrl+C: the first press stops
the run after the current batch (or cuts the final test short), and what was learned is
still tested and saved; the exit code is then 130, as for any interrupted command.  A
second press abandons the run without saving.  A save in progress is never cut in half:
presses during it are answered once it is done.  The run is tested on the data set's test
split, or, when it has none, on the samples held out for validation (the run's one rule).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import signal
import sys
import threading

from core.errors import DataError, InkLabError, ModelError, TrainingError
from core.models.presets import DEFAULT_PRESET, OPTIMIZERS, PRESETS, SCHEDULES, AugmentParams
from core.training.state import RunState

EXIT_INTERRUPTED = 130

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    train = subparsers.add_parser("train", help="train a preset on a data set and save it to the library")
    train.add_argument("--dataset", default="mnist", help="data set name (default: mnist)")
    train.add_argument("--split", default="train", help="split to train on (default: train)")
    train.add_argument(
        "--preset", default=None, help=f"model preset: {', '.join(PRESETS)} (default: {DEFAULT_PRESET})"
    )
    train.add_argument("--epochs", type=int, help="number of epochs (default: the preset's)")
    train.add_argument("--batch-size", type=int, help="samples per batch (default: the preset's)")
    train.add_argument("--optimizer", help=f"{', '.join(OPTIMIZERS)} (default: the preset's)")
    train.add_argument("--lr", type=float, help="learning rate (default: the preset's)")
    train.add_argument("--schedule", help=f"learning-rate schedule: {', '.join(SCHEDULES)}")
    train.add_argument(
        "--validation", help="validation fraction (0.1) or number of samples (5000); 0 for none"
    )
    train.add_argument(
        "--augment", action=argparse.BooleanOptionalAction, default=None, help="random rotation/shift/shear/zoom"
    )
    train.add_argument("--rotation", type=float, help="augmentation: largest rotation in degrees")
    train.add_argument("--shift", type=float, help="augmentation: largest shift, fraction of the side")
    train.add_argument("--shear", type=float, help="augmentation: largest shear factor")
    train.add_argument("--zoom", type=float, help="augmentation: largest zoom change (0.1 = +-10%%)")
    train.add_argument(
        "--reject", action=argparse.BooleanOptionalAction, default=None,
        help="add generated scribbles as a 'not a character' class (default: on for digit and letter sets)",
    )
    train.add_argument(
        "--weights-out", metavar="DIR",
        help="keep the first layer's filters and every layer's weight histogram before the run and after "
        "each epoch: filters-epoch-N.png and weights.json in DIR (the Training tab's Filters and weights)",
    )
    train.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    train.add_argument("--limit", type=int, help="train on only the first N samples (quick runs)")
    train.add_argument("--name", help="model name in the library (default: preset-dataset-date)")
    train.add_argument("--overwrite", action="store_true", help="replace a library model of that name")
    train.add_argument("--no-test", action="store_true",
                       help="skip the evaluation on the test split (or, without one, on the validation samples)")
    train.add_argument(
        "--json", action="store_true", help="print one JSON object per epoch and a final one (nothing else on stdout)"
    )
    train.add_argument(
        "--devices", type=int,
        help="train on N devices of this machine with MirroredStrategy (default: every GPU, else the CPU)",
    )
    train.add_argument(
        "--cluster", type=_addresses,
        help="train on several machines: every worker's host:port, comma-separated, the same list on each",
    )
    train.add_argument("--task-index", type=int, help="with --cluster: this machine's place in the list (0 saves)")
    from core.cli.train_from import register_options

    register_options(train)  # --from MODEL, --steps, --train, --mix: fine-tuning (core.cli.train_from)
    train.set_defaults(handler=cmd_train)

    evaluate = subparsers.add_parser("evaluate", help="test a saved model on a data set")
    evaluate.add_argument("model", help="model name in the library, or a path to a model folder/.keras file")
    evaluate.add_argument("--dataset", help="data set name (default: the one the model was trained on)")
    evaluate.add_argument("--split", default="test", help="split to evaluate on (default: test)")
    evaluate.add_argument("--limit", type=int, help="evaluate only the first N samples")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.set_defaults(handler=cmd_evaluate)


def _addresses(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _validation(text: str | None) -> float | int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise TrainingError(f"--validation must be a fraction or a number of samples, got '{text}'") from None


def _reject_default(args: argparse.Namespace) -> bool:
    """On for a set of digits or letters (its classes known without loading it)."""
    from core.datasets import catalogue
    from core.training.reject import suits

    try:
        spec = next((s for s in catalogue() if s.name == args.dataset), None)
    except InkLabError:
        return False
    return spec is not None and suits(spec.label_names)


def config_from_args(args: argparse.Namespace):
    """The TrainingConfig the ``train`` arguments ask for (validated)."""
    from core.training import TrainingConfig
    from core.training.config import check_augment

    for option, value in (("--steps", getattr(args, "steps", None)), ("--train", getattr(args, "train_layers", None)),
                          ("--mix", getattr(args, "mix", None))):
        if value is not None:
            raise TrainingError(f"{option} goes with --from MODEL (fine-tuning); a fresh run's length is --epochs")
    params = None
    preset = args.preset or DEFAULT_PRESET
    tweaks = {k: getattr(args, k) for k in ("rotation", "shift", "shear", "zoom") if getattr(args, k) is not None}
    if tweaks:
        base = PRESETS[preset].augment_params if preset in PRESETS else AugmentParams()
        params = AugmentParams(**{**base.as_dict(), **tweaks})
        check_augment(params)  # also when augmentation is off: a typed value must make sense
    config = TrainingConfig(
        dataset=args.dataset,
        split=args.split,
        preset=preset,
        epochs=args.epochs,
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        learning_rate=args.lr,
        schedule=args.schedule,
        validation=_validation(args.validation),
        augment=args.augment,
        augment_params=params,
        seed=args.seed,
        limit=args.limit,
        name=args.name,
        reject=_reject_default(args) if args.reject is None else args.reject,
    )
    config = config.validate(check_data=True)
    from core.training.distribution import check_cluster

    check_cluster(args.cluster, args.task_index)
    if args.name is not None:
        check_free_name(args.name, args.overwrite)
    return config


def check_free_name(name: str, overwrite: bool) -> None:
    """A ModelError unless ``name`` can be saved under: checked before training, not after it."""
    from core.models import library

    library.check_name(name)
    if (library.BUNDLED_DIR / name / library.CARD_FILE).is_file():
        raise ModelError(f"'{name}' is the name of a bundled model; choose another --name")
    if (library.models_dir() / name / library.CARD_FILE).is_file() and not overwrite:
        raise ModelError(f"a model called '{name}' already exists: choose another --name, or add --overwrite")


class _Interrupts:
    """The SIGINT handler of ``train``: what a press means depends on where the run is.

    training: the first press stops the run after the current batch; evaluating: it cuts
    the test short.  Any later press abandons the run (KeyboardInterrupt, nothing saved).
    saving: presses are only counted, so a model is never half written; exit 130 follows.
    """

    def __init__(self, run) -> None:
        self.run = run
        self.presses = 0
        self.saving = False

    def __call__(self, signum, frame) -> None:
        self.presses += 1
        if self.saving:
            print("\nsaving the model first, a moment...", file=sys.stderr)
        elif self.presses > 1:
            raise KeyboardInterrupt
        elif self.run.state is RunState.EVALUATING:
            print("\ncutting the test short; the model is still saved (Ctrl+C again to abandon)...",
                  file=sys.stderr)
            self.run.stop()
        else:
            print("\nstopping after the current batch; the model is still saved "
                  "(Ctrl+C again to abandon)...", file=sys.stderr)
            self.run.stop()

    @contextlib.contextmanager
    def installed(self):
        """The handler on SIGINT for the block (on the main thread, unless SIGINT is ignored)."""
        previous = None
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN):
            previous = signal.signal(signal.SIGINT, self)
        try:
            yield self
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)


def cmd_train(args: argparse.Namespace) -> int:
    from core.logfile import setup_logging

    setup_logging()
    try:
        if getattr(args, "from_model", None):
            from core.cli.train_from import train_from_args

            return train_from_args(args, _validation, check_free_name)
        return _train(args)
    except InkLabError as err:
        log.warning("train did not finish: %s", err)
        raise
    except KeyboardInterrupt:
        log.warning("train abandoned by Ctrl+C; nothing saved")
        raise


def _train(args: argparse.Namespace) -> int:
    """Drive one :class:`~core.training.TrainingRun`: train and test on a thread, save here."""
    from core.cli.console import load_with_bar
    from core.cli.train_output import ConsolePrinter, JsonLinesPrinter
    from core.native_logs import import_tensorflow
    from core.training import TrainingRun
    from core.training.distribution import setup_distribution

    config = config_from_args(args)
    data = load_with_bar(config.dataset)  # a first load can take seconds: show it
    import_tensorflow()  # quietly, before Keras imports it with its C++ chatter
    distribution = setup_distribution(args.devices, args.cluster, args.task_index)
    run = TrainingRun(config, JsonLinesPrinter() if args.json else ConsolePrinter(), data=data,
                      distribution=distribution, evaluate_after=not args.no_test and distribution.is_chief)
    capture = None
    if args.weights_out:
        from core.training.evolution import WeightCapture

        capture = run.add_listener(WeightCapture())
    run.prepare()  # bad data or settings fail here, as one line, before any thread starts
    with _Interrupts(run).installed() as interrupts:
        result = _run_on_a_thread(run)
        if result is None or result.status == "failed":
            raise TrainingError(f"training failed: {result.error if result else 'no result'}")
        if interrupts.presses and result.batches_done == 0:
            print("stopped before the first batch: nothing learned, nothing saved", file=sys.stderr)
            if args.json:
                print(json.dumps({"event": "done", "status": "stopped", "epochs_done": 0, "batches_done": 0,
                                  "model": None}))
            return EXIT_INTERRUPTED
        if not distribution.is_chief:  # the chief tests and saves the model all workers trained
            print(f"task {distribution.task_index} done; task 0 tests and saves the model")
            return EXIT_INTERRUPTED if interrupts.presses else 0
        interrupts.saving = True
        card = run.save(overwrite=args.overwrite)
        _print_saved(args, run, card)
        if capture is not None:
            _write_weights(args, capture)
        return EXIT_INTERRUPTED if interrupts.presses else 0


def _write_weights(args: argparse.Namespace, capture) -> None:
    """--weights-out: every epoch's filters and weight histograms, as the Training tab shows them."""
    from core.training.evolution import write_snapshots

    try:
        written = write_snapshots(capture.snapshots, args.weights_out)
    except OSError as err:
        raise DataError(f"--weights-out {args.weights_out}: cannot write ({err.strerror or err})") from None
    if args.json:
        print(json.dumps({"event": "weights", "epochs": [s.epoch for s in capture.snapshots],
                          "files": [str(p) for p in written]}))
    else:
        print(f"weights of epochs 0-{capture.snapshots[-1].epoch} written to {args.weights_out} "
              f"({len(written)} files)" if capture.snapshots else "no weights captured")


def _run_on_a_thread(run):
    """``run.run()`` on a thread, so that this (main) thread stays free for Ctrl+C; the result."""
    finished = threading.Event()

    def body() -> None:
        try:
            run.run()
        finally:
            finished.set()

    # Not Thread.join: a KeyboardInterrupt inside join() can leave is_alive() wrongly
    # False (Python 3.11), and the run then looked lost ("no result").
    threading.Thread(target=body, name="inklab-train", daemon=True).start()
    try:
        while not finished.wait(0.2):
            pass
    except KeyboardInterrupt:  # the second press: abandon, but let the batch end cleanly
        run.cancel()
        finished.wait(5)
        raise
    return run.result


def _print_saved(args: argparse.Namespace, run, card) -> None:
    result, evaluation = run.result, run.evaluation
    if args.json:
        test = None if evaluation is None else {
            "accuracy": evaluation.accuracy, "loss": evaluation.loss, "samples": evaluation.samples,
            "split": run.evaluated_split,
        }
        print(json.dumps({
            "event": "done", "status": result.status, "epochs_done": result.epochs_done,
            "batches_done": result.batches_done, "elapsed_s": result.elapsed_s, "model": card.name,
            "folder": str(card.folder), "test": test, "advice": result.advice,
        }))
        return
    how = "" if result.status == "completed" else (
        f" (stopped after {result.epochs_done} of {run.config.epochs} epochs, {result.batches_done} batches"
        f"{'' if evaluation else ', not tested'})"
    )
    print(f"saved model '{card.name}' to {card.folder}{how}")


def cmd_evaluate(args: argparse.Namespace) -> int:
    from core.cli.console import load_with_bar
    from core.evaluation import evaluate, score
    from core.logfile import setup_logging
    from core.models.inference import predict_batch
    from core.models.library import load_model
    from core.native_logs import import_tensorflow

    setup_logging()
    if args.limit is not None and args.limit < 1:
        raise DataError(f"--limit must be a whole number of samples, at least 1; got {args.limit}")
    import_tensorflow()  # quietly, before Keras imports it with its C++ chatter
    model, card = load_model(args.model)
    dataset = load_with_bar(args.dataset or card.dataset or "mnist")
    # A reject class ("not-a-character", the bundled models' last output) is no answer:
    # the model is scored on the classes it answers with, as the recognizer reads it.
    answers = card.answers
    if len(dataset.label_names) != len(answers):
        raise ModelError(
            f"model '{card.name}' knows {len(answers)} classes but data set '{dataset.name}' "
            f"has {len(dataset.label_names)}"
        )
    split = dataset.split(args.split)
    if args.limit is not None:
        split = split.take(slice(0, args.limit))
    if card.reject_label:
        probabilities = predict_batch(model, split.images, card.outputs)[:, : len(answers)]
        result = score(probabilities, split.labels, dataset.label_names)
    else:
        result = evaluate(model, split, dataset.label_names, card.outputs)
    if args.json:
        print(json.dumps({"model": card.name, "dataset": dataset.name, "split": args.split, **result.as_dict()}))
        return 0
    print(f"model {card.name} on {dataset.name}/{args.split}: accuracy {result.accuracy:.4f}  "
          f"loss {result.loss:.4f}  ({result.samples} samples, {len(result.mistakes)} mistakes)")
    width = max(5, max(len(label) for label in dataset.label_names))
    print(f"{'class':<{width}}  {'count':>6}  {'precision':>9}  {'recall':>6}")
    for row in result.per_class():
        print(f"{row['label']:<{width}}  {row['count']:>6}  {row['precision']:>9.4f}  {row['recall']:>6.4f}")
    print("confusion matrix (rows: true, columns: predicted)")
    cell = max(4, len(str(int(result.confusion.max(initial=0)))) + 1)
    print(" " * width + "".join(f"{label:>{cell}}" for label in dataset.label_names))
    for label, row in zip(dataset.label_names, result.confusion, strict=True):
        print(f"{label:<{width}}" + "".join(f"{int(v):>{cell}}" for v in row))
    return 0
