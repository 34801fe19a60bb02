"""Training across devices and machines: MirroredStrategy (CPU split in two) and two workers.

The strategy paths run in subprocesses: a strategy must be made before TensorFlow starts its
runtime, and the test process has started it long ago.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import TrainingError
from core.training.distribution import Distribution, check_cluster, setup_distribution, tf_config

REPO = Path(__file__).resolve().parents[2]
SMALL_RUN = ["train", "--preset", "dense-small", "--epochs", "1", "--limit", "2000", "--validation", "0.1",
             "--batch-size", "32", "--no-reject"]


def test_cluster_flags_are_checked_before_anything_starts() -> None:
    check_cluster(None, None)
    check_cluster(["10.0.0.1:2222", "lab-pc-2:2222"], 1)
    for cluster, index, words in [
        (None, 0, "--task-index needs --cluster"),
        (["10.0.0.1"], 0, "not host:port"),
        (["a:1", "a:1"], 0, "twice"),
        (["a:1", "b:2"], None, "needs --task-index"),
        (["a:1", "b:2"], 2, "between 0 and 1"),
        (["a:70000"], 0, "not host:port"),
    ]:
        with pytest.raises(TrainingError, match=words):
            check_cluster(cluster, index)


def test_devices_must_be_at_least_one_and_one_device_needs_no_strategy() -> None:
    with pytest.raises(TrainingError, match="at least 1"):
        setup_distribution(devices=0)
    with pytest.raises(TrainingError, match="do not go together"):
        setup_distribution(devices=2, cluster=["a:1"], task_index=0)
    one = setup_distribution(devices=1)
    assert one.strategy is None and one.description == "" and one.is_chief


def test_tf_config_names_every_worker_and_this_task() -> None:
    assert tf_config(["a:1", "b:2"], 1) == {"cluster": {"worker": ["a:1", "b:2"]},
                                            "task": {"type": "worker", "index": 1}}


def test_steps_per_epoch_all_batches_alone_whole_batches_across_workers() -> None:
    assert Distribution().steps_per_epoch(1000, 128) == 8
    # Two workers of 500 samples each, 64 per worker per step: 7 whole steps on each.
    assert Distribution(workers=2, replicas=2, task_index=1).steps_per_epoch(1000, 128) == 7
    assert Distribution(task_index=0).is_chief and not Distribution(workers=2, task_index=1).is_chief


def _train(folder: Path, *extra: str, timeout: int = 300) -> subprocess.Popen:
    env = dict(os.environ, INKLAB_DATA_DIR=str(folder))
    return subprocess.Popen([sys.executable, "main.py", *SMALL_RUN, *extra], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _cards(folder: Path) -> list[dict]:
    return [json.loads(card.read_text()) for card in sorted((folder / "models").glob("*/card.json"))]


@pytest.mark.slow
def test_devices_2_trains_mirrored_on_a_cpu_split_in_two(tmp_path) -> None:
    # The default preset: its batch norm (InkLab's fused layer) updates per-replica statistics.
    done = _train(tmp_path, "--devices", "2", "--preset", "recommended")
    out, _ = done.communicate(timeout=300)
    assert done.returncode == 0, out
    assert "mirrored on 2 devices" in out
    (card,) = _cards(tmp_path)
    assert card["device"].endswith("mirrored on 2 devices") and card["preset"] == "recommended"
    assert card["test"]["accuracy"] > 0.6  # 57 steps of the compact CNN (92% measured): far above chance


def _free_addresses(count: int) -> list[str]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [f"127.0.0.1:{s.getsockname()[1]}" for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.mark.slow
def test_two_workers_on_this_machine_train_one_model_saved_by_the_chief(tmp_path) -> None:
    cluster = ",".join(_free_addresses(2))
    folders = [tmp_path / "task0", tmp_path / "task1"]
    workers = [_train(folder, "--cluster", cluster, "--task-index", str(i)) for i, folder in enumerate(folders)]
    outputs = []
    try:
        for worker in workers:
            outputs.append(worker.communicate(timeout=300)[0])
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    assert [w.returncode for w in workers] == [0, 0], outputs
    # Each worker reads its shard: 1,800 samples / 2 workers / 16 per worker = 56 steps, not 57.
    assert all("1 epochs of 56 batches" in out for out in outputs), outputs
    assert "task 1 done; task 0 tests and saves the model" in outputs[1]
    (card,) = _cards(folders[0])
    assert _cards(folders[1]) == []
    assert card["device"].endswith("task 0 of 2 workers, 2 replicas in all")
    assert card["batches_done"] == 56
    assert card["test"]["accuracy"] > 0.3
