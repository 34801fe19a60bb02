"""``inklab train`` and ``inklab evaluate``: the training engine from a terminal.

``train`` runs the session in a worker thread so the main thread stays free for Ctrl+C:
the first press stops the run after the current batch and the model is still saved.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading

from core.errors import TrainingError
from core.models.presets import DEFAULT_PRESET, OPTIMIZERS, PRESETS, SCHEDULES, AugmentParams
from core.training import BatchProgress, EpochResult, RunInfo, RunResult, TrainingListener

BAR_WIDTH = 30


def register(subparsers: argparse._SubParsersAction) -> None:
    train = subparsers.add_parser("train", help="train a preset on a data set and save it to the library")
    train.add_argument("--dataset", default="mnist", help="data set name (default: mnist)")
    train.add_argument("--split", default="train", help="split to train on (default: train)")
    train.add_argument(
        "--preset", default=DEFAULT_PRESET, help=f"model preset: {', '.join(PRESETS)} (default: {DEFAULT_PRESET})"
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
    train.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    train.add_argument("--limit", type=int, help="train on only the first N samples (quick runs)")
    train.add_argument("--name", help="model name in the library (default: preset-dataset-date)")
    train.add_argument("--no-test", action="store_true", help="skip the evaluation on the test split")
    train.set_defaults(handler=cmd_train)

    evaluate = subparsers.add_parser("evaluate", help="test a saved model on a data set")
    evaluate.add_argument("model", help="model name in the library, or a path to a model folder/.keras file")
    evaluate.add_argument("--dataset", help="data set name (default: the one the model was trained on)")
    evaluate.add_argument("--split", default="test", help="split to evaluate on (default: test)")
    evaluate.add_argument("--limit", type=int, help="evaluate only the first N samples")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.set_defaults(handler=cmd_evaluate)


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


def config_from_args(args: argparse.Namespace):
    """The TrainingConfig the ``train`` arguments ask for (validated)."""
    from core.training import TrainingConfig

    params = None
    tweaks = {k: getattr(args, k) for k in ("rotation", "shift", "shear", "zoom") if getattr(args, k) is not None}
    if tweaks:
        base = PRESETS[args.preset].augment_params if args.preset in PRESETS else AugmentParams()
        params = AugmentParams(**{**base.as_dict(), **tweaks})
    config = TrainingConfig(
        dataset=args.dataset,
        split=args.split,
        preset=args.preset,
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
    )
    return config.validate(check_data=True)


class ConsolePrinter(TrainingListener):
    """Prints a progress bar per epoch (redrawn in place on a terminal) and a line per epoch."""

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
            self._print(f"stopped after {r.epochs_done} complete epoch(s)")


def cmd_train(args: argparse.Namespace) -> int:
    from core.cli.console import load_with_bar
    from core.training import TrainingSession

    config = config_from_args(args)
    data = load_with_bar(config.dataset)  # a first load can take seconds: show it
    session = TrainingSession(config, ConsolePrinter(), data=data)
    session.prepare()  # bad data or settings fail here, as one line, before any thread starts
    worker = threading.Thread(target=session.run, name="inklab-train", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    except KeyboardInterrupt:
        print("\nstopping after the current batch (Ctrl+C again to abandon)...", file=sys.stderr)
        session.stop()
        while worker.is_alive():
            worker.join(0.2)
    result = session.result
    if result is None or result.status == "failed":
        raise TrainingError(f"training failed: {result.error if result else 'no result'}")
    evaluation = None
    if not args.no_test and "test" in session.dataset.splits:
        evaluation = session.evaluate()
        print(f"test accuracy {evaluation.accuracy:.4f}  loss {evaluation.loss:.4f}  ({evaluation.samples} samples)")
    card = session.save(evaluation=evaluation)
    print(f"saved model '{card.name}' to {card.folder}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from core.cli.console import load_with_bar
    from core.errors import ModelError
    from core.evaluation import evaluate
    from core.models.library import load_model

    model, card = load_model(args.model)
    dataset = load_with_bar(args.dataset or card.dataset or "mnist")
    if len(dataset.label_names) != len(card.label_names):
        raise ModelError(
            f"model '{card.name}' knows {len(card.label_names)} classes but data set '{dataset.name}' "
            f"has {len(dataset.label_names)}"
        )
    split = dataset.split(args.split)
    if args.limit:
        split = split.take(slice(0, args.limit))
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
