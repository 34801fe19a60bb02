"""Which device TensorFlow trains on, in words a teacher can read.

TensorFlow uses a GPU by itself when it sees one (``pip install "tensorflow[and-cuda]"``);
InkLab only reports which, so a slow run on a laptop is not a mystery.
"""

from __future__ import annotations

import functools
import logging
import os

log = logging.getLogger(__name__)


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity, which a container may narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # no affinity on this platform
        return os.cpu_count() or 1


@functools.cache
def describe_device() -> str:
    """The training device as text: "GPU: <name>" or "CPU (<n> cores)"; logged once."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        try:
            name = tf.config.experimental.get_device_details(gpus[0]).get("device_name") or gpus[0].name
        except Exception:  # details are cosmetic; the GPU is used either way
            name = gpus[0].name
        text = f"GPU: {name}" + (f" (+{len(gpus) - 1} more)" if len(gpus) > 1 else "")
    else:
        text = f"CPU ({os.cpu_count() or 1} cores)"
    log.info("TensorFlow trains on %s", text)
    return text
