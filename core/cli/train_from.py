"""``inklab train --from MODEL``: fine-tune a bundled or library model on a data set of its classes.

The run is :func:`core.training.from_model.train_from`; this module checks the arguments
(options that describe a fresh network, such as ``--preset`` or ``--epochs``, do not go with
``--from`` and are refused in one line), shows a progress bar, and prints what was saved.
Ctrl+C stops the adaptation; nothing is saved then (exit 130).
"""

from __future__ import annotations

import argparse
import json

from core.errors import TrainingError

EXIT_INTERRUPTED = 130
#: ``train`` options that build or schedule a fresh network: not for a fine-tuning run.
NOT_WITH_FROM = {
    "preset": ("--preset", "the model keeps its own layers"),
    "epochs": ("--epochs", "say how long with --steps"),
    "optimizer": ("--optimizer", "fine-tuning uses Adam"),
    "schedule": ("--schedule", "fine-tuning keeps its learning rate constant"),
    "reject": ("--reject/--no-reject", "the model keeps its own outputs"),
    "devices": ("--devices", "fine-tuning runs on this machine's default device"),
    "cluster": ("--cluster", "fine-tuning runs on one machine"),
    "task_index": ("--task-index", "fine-tuning runs on one machine"),
}


def register_options(train: argparse.ArgumentParser) -> None:
    """The fine-tuning options of ``train``."""
    train.add_argument("--from", dest="from_model", metavar="MODEL",
                       help="fine-tune this bundled or library model instead of training a preset from scratch "
                            "(the data set's labels must be its classes)")
    train.add_argument("--steps", type=int, help="with --from: training steps (default: 3 passes over the data, "
                                                 "at least 300, at most 6000)")
    train.add_argument("--train", dest="train_layers", choices=("all", "head"),
                       help="with --from: train all layers (default) or only the Dense head")
    train.add_argument("--mix", type=float, help="with --from: how far the weights move from the base's to the "
                                                 "fine-tuned ones, above 0 to 1 (default 0.6; 1: all the way)")


def settings_from_args(args: argparse.Namespace):
    """The FinetuneSettings ``train --from`` asks for (checked), or a TrainingError naming the option."""
    from core.models.presets import AugmentParams
    from core.training.config import check_augment
    from core.training.finetune import AUGMENT, FinetuneSettings

    for key, (option, why) in NOT_WITH_FROM.items():
        if getattr(args, key, None) is not None:
            raise TrainingError(f"{option} does not go with --from: {why}")
    defaults = FinetuneSettings()
    augment = AUGMENT if args.augment else defaults.augment
    tweaks = {k: getattr(args, k) for k in ("rotation", "shift", "shear", "zoom") if getattr(args, k) is not None}
    if tweaks:
        augment = AugmentParams(**{**(augment or AUGMENT).as_dict(), **tweaks})
        check_augment(augment)
    if args.augment is False:
        augment = None
    return FinetuneSettings(
        what=args.train_layers or defaults.what,
        learning_rate=args.lr if args.lr is not None else defaults.learning_rate,
        steps=args.steps,
        batch_size=args.batch_size if args.batch_size is not None else defaults.batch_size,
        augment=augment,
        seed=args.seed,
        mix=args.mix if args.mix is not None else defaults.mix,
    ).check()


def train_from_args(args: argparse.Namespace, validation, check_free_name) -> int:
    """Run ``train --from``; ``validation`` parses --validation and ``check_free_name`` checks --name
    (``core.cli.training``'s own, passed in: that module imports this one)."""
    from core.cli.console import run_with_bar
    from core.errors import Cancelled
    from core.models import library
    from core.native_logs import import_tensorflow
    from core.training.from_model import train_from

    settings = settings_from_args(args)
    if args.limit is not None and (not isinstance(args.limit, int) or args.limit < 2):
        raise TrainingError(f"limit must be a whole number of at least 2 samples, got {args.limit}")
    base = library.find_model(args.from_model)  # an unknown model is one line, before TensorFlow loads
    name = args.name or f"{base.name}-{args.dataset}"
    check_free_name(name, args.overwrite)
    import_tensorflow()
    try:
        result = run_with_bar(lambda bar, token: train_from(
            args.from_model, args.dataset, name=name, settings=settings, split=args.split,
            validation=validation(args.validation) or 0, limit=args.limit, test=not args.no_test,
            overwrite=args.overwrite, progress=bar, cancel=token))
    except Cancelled:
        print("stopped: nothing saved", flush=True)
        return EXIT_INTERRUPTED
    card = result.card
    if args.json:
        print(json.dumps({"event": "done", "status": "completed", "model": card.name, "folder": str(card.folder),
                          "base": result.base, "samples": result.samples, "checked_on": result.checked_on or None,
                          "base_accuracy": result.before, "accuracy": result.after,
                          "elapsed_s": round(result.elapsed_s, 2)}))
        return 0
    if result.checked_on:
        print(f"{result.checked_on} accuracy {result.after:.4f} (the base model {result.base}: {result.before:.4f})")
    print(f"saved model '{card.name}' to {card.folder} (adapted from {result.base} on {result.samples} samples "
          f"in {result.elapsed_s:.0f} s)")
    return 0
