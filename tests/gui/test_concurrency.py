"""gui.concurrency: the one background-work primitive, its registry and its shutdown."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QCoreApplication

from core.errors import Cancelled, DataError
from gui import concurrency
from gui.concurrency import Worker


def recorder(worker: Worker) -> list[tuple]:
    """Every public signal of ``worker`` as (name, args...), in the order the GUI saw them."""
    seen: list[tuple] = []
    worker.started.connect(lambda: seen.append(("started",)))
    worker.progress.connect(lambda *a: seen.append(("progress", *a)))
    worker.yielded.connect(lambda v: seen.append(("yielded", v, threading.current_thread())))
    worker.returned.connect(lambda v: seen.append(("returned", v)))
    worker.errored.connect(lambda m: seen.append(("errored", m)))
    worker.cancelled.connect(lambda: seen.append(("cancelled",)))
    worker.finished.connect(lambda: seen.append(("finished",)))
    return seen


def run_to_end(qtbot, worker: Worker, fn) -> list[tuple]:
    seen = recorder(worker)
    with qtbot.waitSignal(worker.finished, timeout=10_000):
        worker.start(fn)
    assert not worker.is_running()
    return seen


def names(seen: list[tuple]) -> list[str]:
    return [event[0] for event in seen if event[0] not in ("progress", "yielded")]


def test_a_result_is_returned_then_finished(qtbot):
    worker = Worker(name="add")
    seen = run_to_end(qtbot, worker, lambda progress, cancel: 2 + 2)
    assert names(seen) == ["started", "returned", "finished"]
    assert ("returned", 4) in seen


def test_an_inklab_error_keeps_its_message(qtbot):
    def fail(progress, cancel):
        raise DataError("The file is not an IDX file.")

    seen = run_to_end(qtbot, Worker(), fail)
    assert names(seen) == ["started", "errored", "finished"]
    assert ("errored", "The file is not an IDX file.") in seen


def test_a_bug_becomes_one_short_line(qtbot, caplog):
    def crash(progress, cancel):
        raise ZeroDivisionError("division by zero")

    seen = run_to_end(qtbot, Worker(name="crashy"), crash)
    assert names(seen) == ["started", "errored", "finished"]
    message = seen[1][1]
    assert message.startswith("Something went wrong: division by zero.")
    assert "\n" not in message and "Traceback" not in message
    assert "task crashy crashed" in caplog.text  # the traceback went to the log


def test_cancel_ends_with_cancelled_then_finished(qtbot):
    worker = Worker()
    seen = recorder(worker)
    running = threading.Event()

    def endless(progress, cancel):
        running.set()
        while True:
            cancel.raise_if_cancelled()
            cancel._event.wait(0.01)

    worker.start(endless)
    qtbot.waitUntil(running.is_set)
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.cancel()
    assert names(seen) == ["started", "cancelled", "finished"]


def test_a_task_that_ignores_cancelled_still_counts_as_cancelled(qtbot):
    worker = Worker()
    seen = recorder(worker)
    release = threading.Event()
    worker.start(lambda progress, cancel: release.wait(10) and "a result nobody wants")
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.cancel()
        release.set()
    assert names(seen) == ["started", "cancelled", "finished"]


def test_progress_is_coalesced_and_the_last_report_is_kept(qtbot):
    def count(progress, cancel):
        for i in range(1, 20_001):
            progress(i, 20_000, f"item {i}")
        return "done"

    seen = run_to_end(qtbot, Worker(), count)
    reports = [event[1:] for event in seen if event[0] == "progress"]
    assert reports[-1] == (20_000, 20_000, "item 20000")  # never lost
    assert len(reports) < 200  # ~30 a second, not 20,000
    assert [done for done, _, _ in reports] == sorted(done for done, _, _ in reports)
    assert names(seen)[-2:] == ["returned", "finished"]


def test_an_unknown_total_arrives_as_minus_one(qtbot):
    seen = run_to_end(qtbot, Worker(), lambda progress, cancel: progress(5, None, "bytes"))
    assert ("progress", 5, -1, "bytes") in seen


def test_generator_yields_arrive_in_order_on_the_gui_thread(qtbot):
    def numbers(progress, cancel):
        yield from range(500)
        return "all sent"

    seen = run_to_end(qtbot, Worker(), numbers)
    yielded = [event for event in seen if event[0] == "yielded"]
    assert [event[1] for event in yielded] == list(range(500))
    assert all(event[2] is threading.main_thread() for event in yielded)
    assert names(seen) == ["started", "returned", "finished"]
    assert ("returned", "all sent") in seen
    assert seen.index(yielded[-1]) < seen.index(("returned", "all sent"))


def test_emit_streams_values_from_a_callback_style_task(qtbot):
    worker = Worker()

    def listener_style(progress, cancel):
        for i in range(100):
            worker.emit(("batch", i))
        return "end"

    seen = run_to_end(qtbot, worker, listener_style)
    assert [event[1] for event in seen if event[0] == "yielded"] == [("batch", i) for i in range(100)]
    assert names(seen)[-2:] == ["returned", "finished"]


def test_emit_from_another_thread_is_refused(qtbot):
    worker = Worker()
    with pytest.raises(RuntimeError):
        worker.emit("nobody is running")


def test_a_cancelled_generator_stops_at_its_next_yield(qtbot):
    worker = Worker()
    seen = recorder(worker)
    closed = threading.Event()

    def endless(progress, cancel):
        try:
            i = 0
            while True:
                yield i
                i += 1
                cancel._event.wait(0.005)
        finally:
            closed.set()

    worker.start(endless)
    qtbot.waitUntil(lambda: any(event[0] == "yielded" for event in seen))
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.cancel()
    assert closed.is_set()
    assert names(seen) == ["started", "cancelled", "finished"]


def test_one_task_at_a_time_and_start_latest_keeps_only_the_newest(qtbot):
    worker = Worker()
    seen = recorder(worker)
    gate = threading.Event()
    worker.start(lambda progress, cancel: gate.wait(10) and "first")
    with pytest.raises(RuntimeError):
        worker.start(lambda progress, cancel: "refused")
    worker.start_latest(lambda progress, cancel: "second")
    worker.start_latest(lambda progress, cancel: "third")
    gate.set()
    qtbot.waitUntil(lambda: ("returned", "third") in seen and not worker.is_running(), timeout=5000)
    assert [event[1] for event in seen if event[0] == "returned"] == ["first", "third"]


def test_shutdown_cancels_every_live_task_and_waits(qtbot):
    workers = [Worker(name=f"endless {i}") for i in range(3)]
    seen = [recorder(w) for w in workers]

    def endless(progress, cancel):
        while True:
            cancel.raise_if_cancelled()
            cancel._event.wait(0.01)

    for worker in workers:
        worker.start(endless)
    assert concurrency.live_tasks() >= 3
    assert concurrency.shutdown(5000)
    assert concurrency.live_tasks() == 0
    for events in seen:
        qtbot.waitUntil(lambda events=events: ("finished",) in events)
        assert names(events) == ["started", "cancelled", "finished"]


def test_shutdown_leaves_a_task_behind_that_does_not_stop_and_drops_its_result(qtbot):
    stuck, native = Worker(name="stuck"), Worker(name="import", native=True)
    seen_stuck, seen_native = recorder(stuck), recorder(native)
    release = threading.Event()
    stuck.start(lambda progress, cancel: release.wait(30))
    native.start(lambda progress, cancel: release.wait(30))
    assert not concurrency.shutdown(100, native_timeout_ms=100)
    release.set()
    qtbot.waitUntil(lambda: concurrency.live_tasks() == 0)
    QCoreApplication.processEvents()  # any (wrongly) posted outcome would arrive now
    assert names(seen_stuck) == names(seen_native) == ["started"]


def test_a_native_task_is_waited_for_to_its_end(qtbot):
    """TensorFlow code cannot be interrupted and is unsafe to abandon: shutdown waits longer."""
    release = threading.Event()
    worker = Worker(name="import", native=True)
    worker.start(lambda progress, cancel: release.wait(30))
    timer = threading.Timer(0.3, release.set)  # the "import" ends 0.3 s after the close
    timer.start()
    assert concurrency.shutdown(50, native_timeout_ms=10_000)
    assert concurrency.live_tasks() == 0


def test_a_deleted_worker_is_not_posted_to(qtbot):
    release, ended = threading.Event(), threading.Event()

    def task(progress, cancel):
        release.wait(10)
        progress(1, 1, "late")
        ended.set()
        return "late"

    worker = Worker(name="orphan")
    worker.start(task)
    with qtbot.waitSignal(worker.destroyed, timeout=5000):
        worker.deleteLater()
    release.set()
    qtbot.waitUntil(ended.is_set)
    assert concurrency.shutdown(5000)


def test_cancel_token_callbacks_run_once_on_cancel():
    from core.progress import CancelToken

    token, calls = CancelToken(), []
    token.on_cancel(lambda: calls.append("first"))
    token.cancel()
    token.cancel()
    token.on_cancel(lambda: calls.append("late"))  # already cancelled: at once
    assert calls == ["first", "late"]
    with pytest.raises(Cancelled):
        token.raise_if_cancelled()
