"""
Tests for netframe.core.threadpool.ThreadPool.

Threads are synchronised with events and the pool's own state notifications;
every wait is bounded so a bug fails the test instead of hanging it.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from netframe.core.failure import Failure
from netframe.core.threadpool import ThreadPool
from netframe.logger import capturedLogs

#: Upper bound, in seconds, of every wait in these tests.
BOUND = 10.0

_var: contextvars.ContextVar[str] = contextvars.ContextVar("_var", default="unset")


@pytest.fixture
def pools() -> Iterator[list[ThreadPool]]:
    """Pools made by a test; all stopped afterwards."""
    made: list[ThreadPool] = []
    yield made
    for pool in made:
        pool.stop()


def makePool(pools: list[ThreadPool], *args: Any, **kw: Any) -> ThreadPool:
    """Make a pool that the fixture stops after the test."""
    pool = ThreadPool(*args, **kw)
    pools.append(pool)
    return pool


def waitEvent(event: threading.Event) -> None:
    """Wait for C{event}, failing the test if it does not come within the bound."""
    assert event.wait(BOUND), "event not set in time"


class ThreadPoolConstructionTests:
    """Sizes are validated; the defaults match the documentation."""

    def test_defaults(self) -> None:
        """A default pool has min 5, max 20, is neither started nor joined."""
        pool = ThreadPool()
        assert (pool.min, pool.max, pool.name) == (5, 20, None)
        assert not pool.started and not pool.joined
        assert pool.workers == 0 and pool.threads == []

    @pytest.mark.parametrize(("lo", "hi"), [(-1, 5), (3, 2), (0, 0)])
    def test_badSizes(self, lo: int, hi: int) -> None:
        """Negative min, max below min, or max below 1 raise ValueError."""
        with pytest.raises(ValueError):
            ThreadPool(lo, hi)

    def test_nonIntegerSize(self) -> None:
        """A size that is not an int raises TypeError."""
        with pytest.raises(TypeError, match="maxthreads"):
            ThreadPool(0, 2.5)  # type: ignore[arg-type]

    def test_repr(self) -> None:
        """The repr names the pool, its sizes and state."""
        assert repr(ThreadPool(1, 2, name="db")) == (
            "<ThreadPool db min=1 max=2 workers=0 not started>"
        )


class ThreadPoolLifecycleTests:
    """start creates min workers, stop joins them all."""

    def test_startCreatesMinWorkers(self, pools: list[ThreadPool]) -> None:
        """start() creates C{min} workers that wait for work."""
        pool = makePool(pools, 3, 5)
        pool.start()
        assert pool.started and pool.workers == 3
        assert pool._waitUntil(lambda: len(pool.waiters) == 3, BOUND)

    def test_threadNames(self, pools: list[ThreadPool]) -> None:
        """Worker threads are named after the pool."""
        pool = makePool(pools, 1, 1, name="db")
        pool.start()
        assert [t.name for t in pool.threads] == ["PoolThread-db-1"]

    def test_stopJoinsWorkers(self, pools: list[ThreadPool]) -> None:
        """stop() returns once every worker thread has exited."""
        pool = makePool(pools, 4, 4)
        pool.start()
        threads = list(pool.threads)
        pool.stop()
        assert pool.joined and not pool.started
        assert pool.workers == 0
        assert not any(t.is_alive() for t in threads)

    def test_workQueuedBeforeStartRunsAfterStart(self, pools: list[ThreadPool]) -> None:
        """Work queued before start() waits, without threads, and runs after it."""
        pool = makePool(pools, 0, 2)
        done = threading.Event()
        pool.callInThread(done.set)
        assert pool.workers == 0 and pool.pending == 1
        assert not done.is_set()
        pool.start()
        waitEvent(done)

    def test_stopFinishesQueuedWork(self, pools: list[ThreadPool]) -> None:
        """Work queued before stop() is finished before stop() returns."""
        pool = makePool(pools, 0, 1)
        gate = threading.Event()
        ran: list[int] = []
        pool.start()
        pool.callInThread(gate.wait, BOUND)
        for i in range(5):
            pool.callInThread(ran.append, i)
        gate.set()
        pool.stop()
        assert ran == [0, 1, 2, 3, 4]

    def test_callAfterStopIsDroppedAndLogged(self, pools: list[ThreadPool]) -> None:
        """Work queued after stop() never runs; a warning says so."""
        pool = makePool(pools, 0, 1)
        pool.start()
        pool.stop()
        ran: list[int] = []
        with capturedLogs() as events:
            pool.callInThread(ran.append, 1)
        assert ran == [] and pool.pending == 0
        assert any("dropping call" in e.get("log_format", "") for e in events)

    def test_restart(self, pools: list[ThreadPool]) -> None:
        """A stopped pool can be started again and runs work."""
        pool = makePool(pools, 0, 1)
        pool.start()
        pool.stop()
        pool.start()
        done = threading.Event()
        pool.callInThread(done.set)
        waitEvent(done)

    def test_stopFromWorker(self, pools: list[ThreadPool]) -> None:
        """stop() called by one of the pool's own workers does not deadlock."""
        pool = makePool(pools, 0, 2)
        pool.start()
        stopped = threading.Event()

        def stopper() -> None:
            pool.stop()
            stopped.set()

        pool.callInThread(stopper)
        waitEvent(stopped)
        assert pool.joined


class ThreadPoolSizeTests:
    """Workers are created on demand up to max; extra idle ones exit."""

    def test_atMaxThreads(self, pools: list[ThreadPool]) -> None:
        """max=2 with two blocking calls: two workers, both busy."""
        pool = makePool(pools, 0, 2)
        pool.start()
        gate = threading.Event()
        pool.callInThread(gate.wait, BOUND)
        pool.callInThread(gate.wait, BOUND)
        assert pool.workers == 2
        gate.set()

    def test_pastMaxThreadsQueues(self, pools: list[ThreadPool]) -> None:
        """A third blocking call with max=2 waits in the queue, no third worker."""
        pool = makePool(pools, 0, 2)
        pool.start()
        gate = threading.Event()
        entered = threading.Semaphore(0)

        def block() -> None:
            entered.release()
            gate.wait(BOUND)

        third = threading.Event()
        pool.callInThread(block)
        pool.callInThread(block)
        pool.callInThread(third.set)
        assert entered.acquire(timeout=BOUND) and entered.acquire(timeout=BOUND)
        assert pool.workers == 2 and pool.pending == 1
        assert not third.is_set()
        gate.set()
        waitEvent(third)

    def test_workersOnDemand(self, pools: list[ThreadPool]) -> None:
        """A pool with min 0 has no thread until work arrives."""
        pool = makePool(pools, 0, 5)
        pool.start()
        assert pool.workers == 0
        done = threading.Event()
        pool.callInThread(done.set)
        assert pool.workers == 1
        waitEvent(done)

    def test_idleWorkerBeyondMinExits(self, pools: list[ThreadPool]) -> None:
        """A worker beyond min exits after idleTimeout seconds without work."""
        pool = makePool(pools, 0, 3)
        pool.idleTimeout = 0
        pool.start()
        seen: list[threading.Thread] = []
        done = threading.Event()

        def work() -> None:
            seen.append(threading.current_thread())
            done.set()

        pool.callInThread(work)
        waitEvent(done)
        assert pool._waitUntil(lambda: pool.workers == 0, BOUND)
        seen[0].join(BOUND)
        assert not seen[0].is_alive()

    def test_minWorkersStayIdle(self, pools: list[ThreadPool]) -> None:
        """Workers up to min stay when idle, even with idleTimeout 0."""
        pool = makePool(pools, 2, 3)
        pool.idleTimeout = 0
        pool.start()
        done = threading.Event()
        pool.callInThread(done.set)
        waitEvent(done)
        assert pool._waitUntil(lambda: len(pool.waiters) == 2, BOUND)
        assert pool.workers == 2

    def test_adjustPoolsizeGrows(self, pools: list[ThreadPool]) -> None:
        """Raising min on a started pool creates workers at once."""
        pool = makePool(pools, 0, 2)
        pool.start()
        pool.adjustPoolsize(minthreads=4, maxthreads=6)
        assert (pool.min, pool.max, pool.workers) == (4, 6, 4)

    def test_adjustPoolsizeShrinks(self, pools: list[ThreadPool]) -> None:
        """Lowering max makes idle workers beyond it exit."""
        pool = makePool(pools, 4, 4)
        pool.start()
        pool.adjustPoolsize(minthreads=1, maxthreads=1)
        assert pool._waitUntil(lambda: pool.workers == 1, BOUND)

    def test_adjustPoolsizeValidates(self) -> None:
        """adjustPoolsize rejects max below min and leaves the sizes alone."""
        pool = ThreadPool(2, 4)
        with pytest.raises(ValueError):
            pool.adjustPoolsize(maxthreads=1)
        assert (pool.min, pool.max) == (2, 4)

    def test_adjustPoolsizeQueuedWork(self, pools: list[ThreadPool]) -> None:
        """Raising max lets queued work start on new workers."""
        pool = makePool(pools, 0, 1)
        pool.start()
        gate = threading.Event()
        second = threading.Event()
        pool.callInThread(gate.wait, BOUND)
        pool.callInThread(second.set)
        pool.adjustPoolsize(maxthreads=2)
        waitEvent(second)
        gate.set()


class ThreadPoolWorkTests:
    """Results, failures and contexts of pooled calls."""

    def test_callInThreadRunsInWorker(self, pools: list[ThreadPool]) -> None:
        """callInThread runs the call, with its arguments, off the caller's thread."""
        pool = makePool(pools, 0, 1)
        pool.start()
        got: list[Any] = []
        done = threading.Event()

        def work(a: int, b: int = 0) -> None:
            got.append((a, b, threading.current_thread()))
            done.set()

        pool.callInThread(work, 1, b=2)
        waitEvent(done)
        assert got[0][:2] == (1, 2)
        assert got[0][2] is not threading.current_thread()

    def test_callInThreadWithCallbackSuccess(self, pools: list[ThreadPool]) -> None:
        """onResult gets (True, result), in the worker thread."""
        pool = makePool(pools, 0, 1)
        pool.start()
        got: list[Any] = []
        done = threading.Event()

        def onResult(success: bool, result: Any) -> None:
            got.append((success, result, threading.current_thread()))
            done.set()

        pool.callInThreadWithCallback(onResult, pow, 2, 10)
        waitEvent(done)
        assert got[0][:2] == (True, 1024)
        assert got[0][2] is not threading.current_thread()

    def test_callInThreadWithCallbackFailure(self, pools: list[ThreadPool]) -> None:
        """onResult gets (False, Failure) of what the call raised."""
        pool = makePool(pools, 0, 1)
        pool.start()
        got: list[Any] = []
        done = threading.Event()

        def onResult(success: bool, result: Any) -> None:
            got.append((success, result))
            done.set()

        pool.callInThreadWithCallback(onResult, int, "not a number")
        waitEvent(done)
        success, result = got[0]
        assert success is False
        assert isinstance(result, Failure) and result.check(ValueError)

    def test_exceptionLoggedWorkerSurvives(self, pools: list[ThreadPool]) -> None:
        """An exception in work is logged and the (only) worker goes on working."""
        pool = makePool(pools, 0, 1)
        pool.start()
        done = threading.Event()

        def boom() -> None:
            raise ZeroDivisionError("boom")

        with capturedLogs() as events:
            pool.callInThread(boom)
            pool.callInThread(done.set)
            waitEvent(done)
        failures = [e["log_failure"] for e in events if "log_failure" in e]
        assert len(failures) == 1 and failures[0].check(ZeroDivisionError)

    def test_onResultExceptionLogged(self, pools: list[ThreadPool]) -> None:
        """An exception raised by onResult is logged, not lost."""
        pool = makePool(pools, 0, 1)
        pool.start()
        done = threading.Event()

        def onResult(success: bool, result: Any) -> None:
            raise KeyError("from onResult")

        with capturedLogs() as events:
            pool.callInThreadWithCallback(onResult, int, "1")
            pool.callInThread(done.set)
            waitEvent(done)
        failures = [e["log_failure"] for e in events if "log_failure" in e]
        assert len(failures) == 1 and failures[0].check(KeyError)

    def test_contextPropagates(self, pools: list[ThreadPool]) -> None:
        """The call sees the contextvars of the code that queued it."""
        pool = makePool(pools, 0, 1)
        pool.start()
        got: list[str] = []
        done = threading.Event()

        def work() -> None:
            got.append(_var.get())
            done.set()

        token = _var.set("caller's value")
        try:
            pool.callInThread(work)
        finally:
            _var.reset(token)
        waitEvent(done)
        assert got == ["caller's value"]

    def test_contextChangesStayInCall(self, pools: list[ThreadPool]) -> None:
        """A contextvar set by the call does not leak to the caller or later calls."""
        pool = makePool(pools, 0, 1)
        pool.start()
        got: list[str] = []
        done = threading.Event()
        pool.callInThread(_var.set, "changed")

        def work() -> None:
            got.append(_var.get())
            done.set()

        pool.callInThread(work)
        waitEvent(done)
        assert got == ["unset"] and _var.get() == "unset"

    def test_notCallable(self) -> None:
        """Queueing something that is not callable raises TypeError at once."""
        pool = ThreadPool(0, 1)
        with pytest.raises(TypeError):
            pool.callInThread(42)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            pool.callInThreadWithCallback("no", print)  # type: ignore[arg-type]

    def test_dumpStats(self, pools: list[ThreadPool]) -> None:
        """dumpStats logs the queue, idle, busy and total worker counts."""
        pool = makePool(pools, 0, 1, name="stats")
        pool.callInThread(print)
        with capturedLogs() as events:
            pool.dumpStats()
        (event,) = events
        assert (event["queue"], event["waiters"], event["working"], event["total"]) == (
            1,
            0,
            0,
            0,
        )
