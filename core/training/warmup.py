"""One-time start-up of TensorFlow's training machinery, paid before the first real run."""

from __future__ import annotations

import threading

import numpy as np

from core.datasets.dataset import Dataset, Split
from core.models.inference import predict_batch
from core.native_logs import import_tensorflow
from core.progress import CancelToken
from core.training.config import TrainingConfig
from core.training.run import TrainingRun

_WARM_LOCK = threading.Lock()
_warmed = False


def warm_up(cancel: CancelToken | None = None) -> bool:
    """Pay TensorFlow's one-time training set-up now, on a tiny throw-away run; True if it ran.

    The first fit, validation and prediction in a process do one-off C++ set-up that holds
    the GIL for a few hundred ms at a time.  In the app that lands in the first seconds of
    the first run, exactly when a class is watching the plots start, and freezes the window
    (measured: 260-590 ms without this warm-up, under 40 ms with it; bench/gui_training.py).  The
    Training tab calls this on a background thread while the user is still choosing
    settings.  Runs once per process; later calls return False at once.  The model and data
    are private to this call, so it never touches a model another thread uses.

    ``cancel`` (the app closing) ends it between its steps and after the current batch:
    quitting the window while it warmed up waited ~2 s for it (TensorFlow's import itself
    cannot be cut short).  A cancelled warm-up is not counted as done.
    """
    global _warmed
    with _WARM_LOCK:
        if _warmed:
            return False
        import_tensorflow()  # before anything else imports it, so its chatter stays off stderr
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, size=(96, 28, 28), dtype=np.uint8)
        labels = np.arange(96, dtype=np.int64) % 2
        data = Dataset("warm-up", ("0", "1"), {"train": Split(images, labels), "test": Split(images[:32], labels[:32])})
        config = TrainingConfig.for_preset("dense-small", dataset=data.name, epochs=1, batch_size=32,
                                           validation=0.25, seed=0)
        if cancel is not None and cancel.cancelled:
            return False
        run = TrainingRun(config, data=data)
        if cancel is not None:
            cancel.on_cancel(run.cancel)
        run.prepare()
        if cancel is not None and cancel.cancelled:
            return False
        predict_batch(run.model, images[:4], run.outputs)
        if cancel is not None and cancel.cancelled:
            return False
        result = run.run()
        if result.status != "completed" or (cancel is not None and cancel.cancelled):
            return False  # a failure is logged by run(); the real run will say why
        run.evaluate("test")
        _warmed = True
        return True
