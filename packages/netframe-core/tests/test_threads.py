"""
Tests for netframe.core.threads with a real ThreadPool and a fake reactor
(the reactor-thread side is played by the test's own thread).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from netframe.core import error, threads
from netframe.core.defer import CancelledError, Deferred
from netframe.core.threadpool import ThreadPool

BOUND = 10.0


class QueueReactor:
    """callFromThread queues calls; the test's thread runs them with L{runOne}."""

    running = True
    _startedBefore = False

    def __init__(self) -> None:
        """An empty queue; the test's thread is not the reactor thread."""
        self.calls: queue.SimpleQueue[tuple[Callable[..., Any], tuple[Any, ...]]] = (
            queue.SimpleQueue()
        )
        self._reactorThread: threading.Thread | None = None

    def callFromThread(self, f: Callable[..., Any], *args: Any) -> None:
        """Queue the call."""
        self.calls.put((f, args))

    def runOne(self) -> None:
        """Run the next queued call (waiting for it, bounded)."""
        f, args = self.calls.get(timeout=BOUND)
        f(*args)


@pytest.fixture
def pool() -> Iterator[ThreadPool]:
    """A started pool, stopped afterwards."""
    p = ThreadPool(0, 2)
    p.start()
    yield p
    p.stop()


def outcome(d: Deferred[Any]) -> list[Any]:
    """Collect what C{d} fires with."""
    got: list[Any] = []
    d.addBoth(got.append)
    return got


class DeferToThreadPoolTests:
    """deferToThreadPool fires its Deferred in the reactor thread."""

    def test_result(self, pool: ThreadPool) -> None:
        """The function's result fires the Deferred, via callFromThread."""
        reactor = QueueReactor()
        seen: list[threading.Thread] = []

        def work(a: int, b: int) -> int:
            seen.append(threading.current_thread())
            return a * b

        got = outcome(threads.deferToThreadPool(reactor, pool, work, 6, b=7))
        assert got == []
        reactor.runOne()
        assert got == [42]
        assert seen[0] is not threading.current_thread()

    def test_exception(self, pool: ThreadPool) -> None:
        """What the function raises fails the Deferred."""
        reactor = QueueReactor()
        got = outcome(threads.deferToThreadPool(reactor, pool, int, "x"))
        reactor.runOne()
        assert got[0].check(ValueError)

    def test_cancelDiscardsLateResult(self, pool: ThreadPool) -> None:
        """A cancelled Deferred fails with CancelledError; the late result is dropped."""
        reactor = QueueReactor()
        gate = threading.Event()
        d = threads.deferToThreadPool(reactor, pool, gate.wait, BOUND)
        got = outcome(d)
        d.cancel()
        gate.set()
        reactor.runOne()
        assert len(got) == 1 and got[0].check(CancelledError)

    def test_notCallable(self, pool: ThreadPool) -> None:
        """A non-callable raises TypeError at once."""
        with pytest.raises(TypeError):
            threads.deferToThreadPool(QueueReactor(), pool, 3)  # type: ignore[arg-type]


class CallMultipleInThreadTests:
    """callMultipleInThread validates its entries."""

    def test_badEntry(self) -> None:
        """An entry that is not (callable, args, kwargs) raises TypeError."""
        with pytest.raises(TypeError, match="callable, args, kwargs"):
            threads.callMultipleInThread([(print, ())])  # type: ignore[list-item]


class BlockingCallFromThreadTests:
    """blockingCallFromThread's guards against waiting forever."""

    def test_inReactorThread(self) -> None:
        """Called in the reactor thread it raises RuntimeError instead of deadlocking."""
        reactor = QueueReactor()
        reactor._reactorThread = threading.current_thread()
        with pytest.raises(RuntimeError, match="reactor thread"):
            threads.blockingCallFromThread(reactor, print)

    def test_reactorStoppedForGood(self) -> None:
        """If the reactor has stopped, the call raises ReactorNotRunning."""
        reactor = QueueReactor()
        reactor.running = False
        reactor._startedBefore = True
        with pytest.raises(error.ReactorNotRunning):
            threads.blockingCallFromThread(reactor, print)

    def test_resultAndException(self, pool: ThreadPool) -> None:
        """The reactor-side result is returned; its exception re-raised."""
        reactor = QueueReactor()
        got: queue.SimpleQueue[Any] = queue.SimpleQueue()

        def inThread() -> None:
            got.put(threads.blockingCallFromThread(reactor, pow, 2, 5))
            try:
                threads.blockingCallFromThread(reactor, int, "x")
            except ValueError as e:
                got.put(e)

        pool.callInThread(inThread)
        reactor.runOne()
        reactor.runOne()
        assert got.get(timeout=BOUND) == 32
        assert isinstance(got.get(timeout=BOUND), ValueError)
