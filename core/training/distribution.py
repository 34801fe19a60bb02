"""Training on several devices or machines: TensorFlow's own ``tf.distribute`` strategies.

One machine with several GPUs trains with ``MirroredStrategy`` (a copy of the model per
device, gradients summed each batch); several machines train with
``MultiWorkerMirroredStrategy``, set up from ``--cluster host:port,... --task-index N``
(TensorFlow's ``TF_CONFIG``: no home-made protocol).  Every worker runs the same command,
reads only its own shard of the training samples and takes part in every step; task 0 is
the chief, which alone saves the model.

A strategy must be made before TensorFlow starts its runtime (the first tensor), so
:func:`setup_distribution` is called right after importing TensorFlow.  Without GPUs,
``devices=N`` splits the CPU into N logical devices: no faster, but it runs the
mirrored path on any machine (the tests do).  TensorFlow is imported inside the functions.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from dataclasses import dataclass

import numpy as np

from core.errors import TrainingError

log = logging.getLogger(__name__)

_ADDRESS = re.compile(r"^[A-Za-z0-9._-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$")


@dataclass(frozen=True)
class Distribution:
    """How a run is spread: the strategy (None = TensorFlow's default, one device) and the workers."""

    strategy: object | None = None
    replicas: int = 1
    workers: int = 1
    task_index: int = 0

    @property
    def is_chief(self) -> bool:
        """True on the worker that saves the model (task 0; always so on one machine)."""
        return self.task_index == 0

    @property
    def description(self) -> str:
        """A few words for the run's device line, "" when training on one device."""
        if self.workers > 1:
            return f"task {self.task_index} of {self.workers} workers, {self.replicas} replicas in all"
        return f"mirrored on {self.replicas} devices" if self.replicas > 1 else ""

    def scope(self):
        """The context to build and compile the model in (a no-op without a strategy)."""
        import contextlib

        return self.strategy.scope() if self.strategy is not None else contextlib.nullcontext()

    def adapt(self, model) -> None:
        """Let Keras ``fit`` start under several workers (a no-op otherwise).

        Before the first step Keras 3 (3.15) builds the model from a first batch, which it
        gets by averaging the workers' batches with ``strategy.reduce``; under
        MultiWorkerMirroredStrategy that reduce fails ("Attempt to convert a value
        (PerReplica...) to a Tensor").  Only the batch's shapes are needed, so this model
        builds from this worker's own first batch instead.  Likewise Keras averages the
        logs of each step (loss, accuracy) over the workers with ``reduce("MEAN", axis=0)``,
        which fails on scalars (tensorflow issue 72388): the steps here return them as
        one-element vectors, which that reduce averages back to scalars.
        """
        if self.workers <= 1:
            return
        import tensorflow as tf

        def as_vectors(step):
            def step_with_vector_logs(data):
                return tf.nest.map_structure(lambda value: tf.reshape(value, [1]), step(data))

            return step_with_vector_logs

        model.train_step = as_vectors(model.train_step)
        model.test_step = as_vectors(model.test_step)
        strategy = self.strategy

        def local(value):
            if isinstance(value, tf.distribute.DistributedValues):
                return strategy.experimental_local_results(value)[0]
            return value

        def build_from_local_batch(iterator=None, data_batch=None):
            if iterator is not None:
                for _, _, batches in iterator:
                    data_batch = tf.nest.map_structure(local, next(batches))
                    break
            with strategy.scope():
                model._symbolic_build(data_batch=data_batch)

        model._maybe_symbolic_build = build_from_local_batch

    def steps_per_epoch(self, n_samples: int, batch_size: int) -> int:
        """Batches per epoch: every batch on one machine; whole batches only across workers.

        Workers must run exactly the same number of steps (each step is a collective
        all-reduce), so a multi-worker epoch drops the last partial batch of each shard.
        """
        if self.workers <= 1:
            return math.ceil(n_samples / batch_size)
        return max(1, (n_samples // self.workers) // self.worker_batch(batch_size))

    def worker_batch(self, batch_size: int) -> int:
        """Samples each worker feeds per step: its share of the global ``batch_size``."""
        return max(1, batch_size // self.workers)

    def train_dataset(self, images: np.ndarray, labels: np.ndarray, batch_size: int, *, seed: int, augment):
        """The training batches; with several workers, this worker's shard only.

        Each worker shuffles with the same seed and keeps a disjoint shard, batched at its
        share of the batch; TensorFlow's own sharding is turned off (it would otherwise read
        every sample on every worker and drop the others').
        """
        import tensorflow as tf

        from core.training.pipeline import make_tf_dataset

        if self.workers <= 1:
            return make_tf_dataset(images, labels, batch_size, shuffle=True, seed=seed, augment=augment)
        shard = make_tf_dataset(
            images, labels, self.worker_batch(batch_size), shuffle=True, seed=seed, augment=augment,
            shard=(self.workers, self.task_index), drop_remainder=True,
        ).take(self.steps_per_epoch(len(labels), batch_size))
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.OFF
        return shard.with_options(options)


def check_cluster(cluster: list[str] | None, task_index: int | None) -> None:
    """A TrainingError unless ``cluster`` is host:port addresses and ``task_index`` is one of them."""
    if cluster is None:
        if task_index is not None:
            raise TrainingError("--task-index needs --cluster")
        return
    if len(cluster) < 1:
        raise TrainingError("--cluster needs at least one host:port")
    for address in cluster:
        if not _ADDRESS.match(address) or not 0 < int(address.rsplit(":", 1)[1]) < 65536:
            raise TrainingError(f"--cluster: '{address}' is not host:port (like 192.168.1.20:12345)")
    if len(set(cluster)) != len(cluster):
        raise TrainingError("--cluster lists the same address twice")
    if task_index is None:
        raise TrainingError("--cluster needs --task-index (0 on the first machine listed, 1 on the next...)")
    if not 0 <= task_index < len(cluster):
        raise TrainingError(f"--task-index must be between 0 and {len(cluster) - 1}, got {task_index}")


def tf_config(cluster: list[str], task_index: int) -> dict:
    """The ``TF_CONFIG`` of worker ``task_index`` in ``cluster`` (task 0 is the chief)."""
    return {"cluster": {"worker": list(cluster)}, "task": {"type": "worker", "index": task_index}}


def setup_distribution(devices: int | None = None, cluster: list[str] | None = None,
                       task_index: int | None = None) -> Distribution:
    """Choose and make the strategy for this process; call before any tensor exists.

    ``cluster``: several machines (MultiWorkerMirroredStrategy).  Otherwise ``devices``
    (default: every GPU) devices of this machine: MirroredStrategy when more than one.
    """
    check_cluster(cluster, task_index)
    if devices is not None and devices < 1:
        raise TrainingError(f"--devices must be at least 1, got {devices}")
    import tensorflow as tf

    if cluster is not None:
        if devices is not None:
            raise TrainingError("--devices and --cluster do not go together: each worker uses its own devices")
        os.environ["TF_CONFIG"] = json.dumps(tf_config(cluster, task_index))
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
        log.info("multi-worker training: task %d of %s", task_index, cluster)
        return Distribution(strategy, strategy.num_replicas_in_sync, len(cluster), task_index)
    gpus = tf.config.list_physical_devices("GPU")
    if devices is None:
        devices = max(1, len(gpus))
    if devices == 1:
        return Distribution()
    if gpus:
        if devices > len(gpus):
            raise TrainingError(f"--devices {devices}: this machine has {len(gpus)} GPU(s)")
        names = [f"/gpu:{i}" for i in range(devices)]
    else:
        cpu = tf.config.list_physical_devices("CPU")[0]
        try:
            tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * devices)
        except RuntimeError:
            raise TrainingError("--devices: TensorFlow had already started; the CPU can no longer be split") from None
        names = [f"/cpu:{i}" for i in range(devices)]
    strategy = tf.distribute.MirroredStrategy(names)
    log.info("mirrored training on %s", ", ".join(names))
    return Distribution(strategy, strategy.num_replicas_in_sync)
