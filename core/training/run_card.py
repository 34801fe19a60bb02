"""The part of a model card a training run writes: data, preset, settings, history, evaluation."""

from __future__ import annotations


def card_info(run, evaluation=None) -> dict:
    """What the model card records about ``run`` (data, preset, settings, history, evaluation).

    ``evaluation`` defaults to the run's own (``run.evaluation``); a run started from a model
    records that model (``base_model``) and keeps its ``reject`` section.
    """
    from core.training.from_model import base_card_section

    c, result = run.config, run.result
    evaluation = evaluation if evaluation is not None else run.evaluation
    return {
        "dataset": {
            "name": run.dataset.name if run.dataset else c.dataset,
            "split": c.split,
            "train_samples": len(run.train_split) if run.train_split is not None else 0,
            "val_samples": len(run.val_split) if run.val_split is not None else 0,
            "test_samples": evaluation.samples if evaluation is not None else None,
        },
        "preset": c.preset,
        "training": c.as_dict(),
        "status": result.status if result else "not run",
        "epochs_done": result.epochs_done if result else 0,
        "batches_done": result.batches_done if result else 0,
        "advice": result.advice if result else "",
        "notes": list(run.notes),
        "elapsed_s": round(result.elapsed_s, 2) if result else 0.0,
        "device": run.device,
        "history": run.history,
        "test": evaluation.metrics() if evaluation is not None else None,
        **({"evaluated_on": run.evaluated_split} if evaluation is not None and run.evaluated_split else {}),
        **({"reject": reject_section(run)} if run.rejects and run.model is not None else {}),
        **(base_card_section(run.base[1]) if run.base is not None else {}),
    }


def reject_section(run) -> dict:
    """The card's ``reject`` section of ``run`` (threshold chosen on validation; made once, after the run)."""
    from core.training import reject

    if run.reject_card is None:
        run.reject_card = reject.reject_card(run.model, run.outputs, run.val_split, run.dataset.label_names,
                                             run.config.seed)
    return run.reject_card
