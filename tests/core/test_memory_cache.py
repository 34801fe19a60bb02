"""The one in-memory cache of loaded data sets: shared, bounded, fresh when the files change."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from core.datasets import memory_cache
from core.datasets.collections import add_sample


@pytest.fixture(autouse=True)
def empty_cache():
    memory_cache.forget()
    yield
    memory_cache.forget()


def _drawing(value: int) -> np.ndarray:
    image = np.zeros((28, 28), np.uint8)
    image[8:20, 12:16] = value
    return image


def test_a_second_ask_is_served_from_memory(monkeypatch):
    add_sample("ours", "1", _drawing(200))
    first = memory_cache.load_shared("ours")
    monkeypatch.setattr(memory_cache, "load_dataset", lambda *a, **k: pytest.fail("read again"))
    assert memory_cache.load_shared("ours") is first
    assert memory_cache.cached("ours") is first


def test_a_collection_that_gained_a_drawing_is_read_afresh(monkeypatch):
    add_sample("ours", "1", _drawing(200))
    first = memory_cache.load_shared("ours")
    # Folder times have a coarse resolution on some file systems: make the change visible.
    import os
    import time

    add_sample("ours", "2", _drawing(150))
    folder = memory_cache.locate(memory_cache.find("ours"))
    later = time.time_ns() + 5_000_000_000
    os.utime(folder, ns=(later, later))
    second = memory_cache.load_shared("ours")
    assert second is not first
    assert sum(len(second.split(s)) for s in second.splits) == 2


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(memory_cache, "CAPACITY", 2)
    for name in ("a-set", "b-set", "c-set"):
        add_sample(name, "1", _drawing(100))
        memory_cache.load_shared(name)
    assert memory_cache.cached("a-set") is None
    assert memory_cache.cached("c-set") is not None


def test_two_threads_asking_at_once_share_one_load(monkeypatch):
    add_sample("ours", "1", _drawing(200))
    calls = []
    real = memory_cache.load_dataset
    started = threading.Event()

    def slow_load(name, progress, cancel):
        calls.append(name)
        started.set()
        threading.Event().wait(0.2)
        return real(name, progress, cancel)

    monkeypatch.setattr(memory_cache, "load_dataset", slow_load)
    results = []
    threads = [threading.Thread(target=lambda: results.append(memory_cache.load_shared("ours"))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert calls == ["ours"]
    assert results[0] is results[1]


def test_forget_drops_a_set():
    add_sample("ours", "1", _drawing(200))
    memory_cache.load_shared("ours")
    memory_cache.forget("ours")
    assert memory_cache.cached("ours") is None
