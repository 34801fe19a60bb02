"""The live batch curve: per-batch values recovered from Keras's running means, smoothed across epochs.

Keras reports each batch's loss and accuracy as the running mean *of the epoch so far*, and
that mean starts again at every epoch.  Plotted as it comes, the curve jumps at each epoch
boundary: the last value of epoch 1 still carries its first, untrained batches, while the
first values of epoch 2 are the current model's alone (on a 2,000-sample MNIST run of
dense-small: loss 1.97 at the end of epoch 1, 1.45 a few batches later).  Nothing happened
to the model there.

:class:`BatchCurve` undoes the running mean: from the means at steps ``a < b`` of one epoch,
the batches ``a+1..b`` averaged ``(b*m_b - a*m_a) / (b - a)`` (exact for equal batches;
events are throttled, so a point may stand for several batches).  Those values are noisy,
so the curve is an exponential moving average of them that runs on across epochs, weighted
by how many batches each point stands for.  It follows the model continuously and does not
restart at epoch boundaries.
"""

from __future__ import annotations

import math

#: The moving average's span in batches (its weight per batch is 2 / (span + 1)).
SMOOTHING_SPAN_BATCHES = 20


class BatchCurve:
    """Turn one run's ``(epoch, step, running mean)`` reports into a smooth per-batch value."""

    def __init__(self, span_batches: int = SMOOTHING_SPAN_BATCHES) -> None:
        self._keep = 1.0 - 2.0 / (span_batches + 1)
        self._epoch = None
        self._step = 0
        self._sum = 0.0
        self.value: float | None = None

    def add(self, epoch: int, step: int, running_mean: float) -> float:
        """The curve's value after batch ``step`` of ``epoch`` whose running mean is ``running_mean``."""
        if epoch != self._epoch:
            self._epoch, self._step, self._sum = epoch, 0, 0.0
        batches = step - self._step
        if batches <= 0 or not math.isfinite(running_mean):
            return running_mean if self.value is None or not math.isfinite(running_mean) else self.value
        total = running_mean * step
        recent = (total - self._sum) / batches  # the mean of the batches since the last report
        self._step, self._sum = step, total
        if self.value is None:
            self.value = recent
        else:
            weight = 1.0 - self._keep ** batches
            self.value += weight * (recent - self.value)
        return self.value
