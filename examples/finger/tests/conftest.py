"""
Fixtures of the finger example's tests.

The example is its own distribution: when it is not installed (the ``test``
environment installs only packages/*), its ``src`` directory is put on
``sys.path`` here so ``import finger`` works.

- ``events``: the log events emitted during a test;
- ``SyncPool``: an adbapi stand-in running each call at once on an
  in-memory sqlite3 database (deterministic: no threads);
- ``ThreadedFakeReactor``: a memory reactor whose ``callFromThread`` queues
  calls for the test's thread, for the one test of the real ConnectionPool;
- ``PBPair``: a PB server and client connected in memory.
"""

from __future__ import annotations

import gc
import queue
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_SRC = Path(__file__).resolve().parent.parent / "src"
if str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))

from netframe.core.defer import Deferred, fail, succeed  # noqa: E402
from netframe.core.failure import Failure  # noqa: E402
from netframe.core.testing import MemoryReactorClock, connectedServerAndClient  # noqa: E402
from netframe.logger import globalLogPublisher  # noqa: E402
from netframe.spread import pb  # noqa: E402

#: The longest a test waits for a pool thread (seconds).
BOUND = 10.0


@pytest.fixture
def events() -> Iterator[list[dict[str, Any]]]:
    """The log events emitted during the test."""
    captured: list[dict[str, Any]] = []
    globalLogPublisher.addObserver(captured.append)
    try:
        yield captured
    finally:
        globalLogPublisher.removeObserver(captured.append)


def result(d: Deferred[Any]) -> Any:
    """
    @return: the result of an already-fired, successful Deferred.
    """
    box: list[Any] = []
    d.addBoth(box.append)
    assert box, f"{d!r} has no result yet"
    if isinstance(box[0], Failure):
        raise AssertionError(f"{d!r} failed: {box[0].getTraceback()}")
    return box[0]


def failure(d: Deferred[Any]) -> Failure:
    """
    @return: the (now handled) failure of an already-failed Deferred.
    """
    box: list[Any] = []
    d.addBoth(box.append)
    assert box, f"{d!r} has no result yet"
    assert isinstance(box[0], Failure), f"{d!r} succeeded with {box[0]!r}"
    return box[0]


class SyncPool:
    """
    The part of adbapi's ConnectionPool the store uses, run synchronously on
    one in-memory sqlite3 connection, with the pool's transaction semantics
    (commit on return, rollback on an exception).

    @ivar closed: whether L{close} was called.
    @ivar broken: when set, every call fails with this exception.
    """

    def __init__(self) -> None:
        self.connection = sqlite3.connect(":memory:")
        self.closed = False
        self.broken: Exception | None = None

    def runInteraction(self, f: Callable[..., Any], *args: Any) -> Deferred[Any]:
        if self.broken is not None:
            return fail(self.broken)
        cursor = self.connection.cursor()
        try:
            value = f(cursor, *args)
        except Exception:
            self.connection.rollback()
            return fail()
        self.connection.commit()
        return succeed(value)

    def runQuery(self, *args: Any) -> Deferred[Any]:
        return self.runInteraction(lambda cursor: cursor.execute(*args).fetchall())

    def runOperation(self, *args: Any) -> Deferred[None]:
        return self.runInteraction(lambda cursor: cursor.execute(*args) and None)

    def close(self) -> None:
        self.closed = True


class ThreadedFakeReactor(MemoryReactorClock):
    """
    A memory reactor whose C{callFromThread} queues calls that the test's
    thread runs with L{runUntil}.
    """

    def __init__(self) -> None:
        super().__init__()
        self.threadCalls: queue.SimpleQueue[
            tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]
        ] = queue.SimpleQueue()

    def callFromThread(self, f: Callable[..., Any], *args: Any, **kw: Any) -> None:
        self.threadCalls.put((f, args, kw))

    def runUntil(self, condition: Callable[[], bool]) -> None:
        """
        Run queued thread calls until C{condition()} holds.

        @raise queue.Empty: if no call arrives within L{BOUND} seconds.
        """
        while not condition():
            f, args, kw = self.threadCalls.get(timeout=BOUND)
            f(*args, **kw)


class PBPair:
    """
    A PB server and client connected in memory.
    """

    def __init__(self, root: Any) -> None:
        self.serverFactory = pb.PBServerFactory(root)
        self.clientFactory = pb.PBClientFactory()
        self.client, self.server, self.pump = connectedServerAndClient(
            lambda: self.serverFactory.buildProtocol(None),
            lambda: self.clientFactory.buildProtocol(None),
        )
        self.flush()

    def flush(self) -> None:
        """Move everything, collecting garbage so decrefs go out."""
        for _ in range(3):
            gc.collect()
            self.pump.flush()

    def call(self, d: Deferred[Any]) -> Any:
        """Flush, then return the result of C{d}."""
        self.flush()
        return result(d)

    def fail(self, d: Deferred[Any]) -> Failure:
        """Flush, then return the failure of C{d}."""
        self.flush()
        return failure(d)

    def root(self) -> Any:
        """The client's reference to the server's root object."""
        return self.call(self.clientFactory.getRootObject())


@pytest.fixture
def helpers() -> Any:
    """The helper functions and classes."""

    class Helpers:
        succeeded = staticmethod(result)
        failed = staticmethod(failure)
        syncPool = SyncPool
        threadedReactor = ThreadedFakeReactor
        pbPair = PBPair

    return Helpers
