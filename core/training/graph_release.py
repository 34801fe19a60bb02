"""Giving back what TensorFlow keeps after a training run, so memory stays flat over many runs.

Tracing a Keras train step registers a ``CustomGradient-N`` function in TensorFlow's
process-wide gradient registry (Adam's and the accuracy metric's conditionals use
``tf.custom_gradient``).  Nothing ever unregisters them, and each holds the traced graph
of its run, so every run in one process grew it by ~5 MB for ever (736 -> 854 MB over 20
runs of ``dense-small``); ``keras.backend.clear_session`` does not touch that registry.
A finished run's train step is never traced again (a new run builds a new model), so the
entries it added can go.  InkLab trains one model at a time per process; two runs
overlapping in one process would only lose the release, never correctness, because only
entries added while this run traced are dropped, after its ``fit`` has returned.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Iterator

log = logging.getLogger(__name__)

_PREFIX = "CustomGradient-"


@contextlib.contextmanager
def released_after_run() -> Iterator[None]:
    """Run the block (a ``model.fit``), then drop the gradient functions its tracing registered."""
    registry = _gradient_registry()
    before = set(registry) if registry is not None else set()
    try:
        yield
    finally:
        if registry is not None:
            for key in [k for k in list(registry) if k.startswith(_PREFIX) and k not in before]:
                registry.pop(key, None)
        # Only the young generations: a full collection of a process holding TensorFlow holds
        # the GIL for seconds (minutes in a long test session), freezing the window after a run.
        gc.collect(1)


def _gradient_registry() -> dict | None:
    """TensorFlow's gradient registry (a private dict; None if a future TensorFlow moves it)."""
    try:
        from tensorflow.python.framework import ops

        registry = ops.gradient_registry._registry
    except (ImportError, AttributeError):
        log.debug("TensorFlow's gradient registry not found; runs are not released")
        return None
    return registry if isinstance(registry, dict) else None
