"""
Tests for DeferredList, gatherResults, DeferredLock, DeferredSemaphore and
DeferredQueue (netframe.core.defer).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from netframe.core.defer import (
    FAILURE,
    SUCCESS,
    CancelledError,
    Deferred,
    DeferredList,
    DeferredLock,
    DeferredQueue,
    DeferredSemaphore,
    FirstError,
    QueueOverflow,
    QueueUnderflow,
    ensureDeferred,
    fail,
    gatherResults,
    succeed,
)
from netframe.core.failure import Failure
from netframe.logger import globalLogPublisher


@contextmanager
def capturedUnhandled() -> Iterator[list[dict[str, Any]]]:
    """
    Collect the "Unhandled error in Deferred" events emitted inside the block.
    """
    events: list[dict[str, Any]] = []

    def observer(event: dict[str, Any]) -> None:
        if event.get("log_format") == "Unhandled error in Deferred:":
            events.append(event)

    globalLogPublisher.addObserver(observer)
    try:
        yield events
    finally:
        globalLogPublisher.removeObserver(observer)


class DeferredListTests:
    """
    DeferredList fires once every member fired.
    """

    def test_constants(self) -> None:
        """SUCCESS is True and FAILURE is False."""
        assert SUCCESS is True
        assert FAILURE is False

    def test_firesWithOutcomesInOrder(self) -> None:
        """The result lists (success, value) pairs in the order of the list."""
        d1: Deferred[str] = Deferred()
        d2: Deferred[str] = Deferred()
        dl = DeferredList([d1, d2])
        d2.callback("two")
        assert not dl.called
        d1.callback("one")
        assert dl.result == [(True, "one"), (True, "two")]

    def test_neverErrbacks(self) -> None:
        """A member failure is recorded as (False, failure); the DeferredList still callbacks."""
        d1 = fail(KeyError("x"))
        dl = DeferredList([d1, succeed(2)], consumeErrors=True)
        assert dl.result[0][0] is FAILURE
        assert isinstance(dl.result[0][1], Failure)
        assert dl.result[1] == (True, 2)

    def test_withoutConsumeErrorsMemberStillFails(self) -> None:
        """Without consumeErrors the member keeps its failure (and reports it unhandled)."""
        member: Deferred[int] = Deferred()
        DeferredList([member])
        with capturedUnhandled() as events:
            member.errback(KeyError())
            assert member.result.check(KeyError)
            del member
            gc.collect()
        assert len(events) == 1

    def test_alreadyFailedMemberWithoutConsumeErrors(self) -> None:
        """A member that had already failed keeps its failure and is reported once dropped."""
        with capturedUnhandled() as events:
            member = fail(KeyError())
            dl = DeferredList([member])
            assert dl.result[0][1] is member.result
            del member, dl  # the DeferredList keeps its members
            gc.collect()
        assert len(events) == 1

    def test_pausedMember(self) -> None:
        """A paused member is recorded only once it is unpaused."""
        member = succeed(1)
        member.pause()
        dl = DeferredList([member])
        assert not dl.called
        member.unpause()
        assert dl.result == [(True, 1)]

    def test_consumeErrors(self) -> None:
        """With consumeErrors the member's chain continues with None: nothing is reported."""
        member: Deferred[int] = Deferred()
        DeferredList([member], consumeErrors=True)
        with capturedUnhandled() as events:
            member.errback(KeyError())
            assert member.result is None
            del member
            gc.collect()
        assert events == []

    def test_emptyList(self) -> None:
        """An empty DeferredList fires at once with []."""
        assert DeferredList([]).result == []

    def test_emptyListFireOnOneCallback(self) -> None:
        """With fireOnOneCallback, an empty DeferredList never fires."""
        assert not DeferredList([], fireOnOneCallback=True).called

    def test_fireOnOneCallback(self) -> None:
        """fireOnOneCallback fires with (result, index) at the first success and ignores the rest."""
        d1: Deferred[str] = Deferred()
        d2: Deferred[str] = Deferred()
        dl = DeferredList([d1, d2], fireOnOneCallback=True)
        d2.callback("b")
        assert dl.result == ("b", 1)
        d1.callback("a")
        assert dl.result == ("b", 1)

    def test_fireOnOneErrback(self) -> None:
        """fireOnOneErrback fails with FirstError(subFailure, index) at the first failure."""
        d1: Deferred[str] = Deferred()
        d2: Deferred[str] = Deferred()
        dl = DeferredList([d1, d2], fireOnOneErrback=True, consumeErrors=True)
        d2.errback(ValueError("bad"))
        assert dl.result.check(FirstError)
        first = dl.result.value
        assert first.index == 1
        assert first.subFailure.check(ValueError)
        assert str(first) == "FirstError[#1, bad]"
        assert repr(first) == "FirstError[#1, ValueError('bad')]"
        d1.callback("late")
        dl.addErrback(lambda f: None)

    def test_fireOnOneErrbackAllSucceed(self) -> None:
        """fireOnOneErrback with only successes fires with the usual list."""
        dl = DeferredList([succeed(1), succeed(2)], fireOnOneErrback=True)
        assert dl.result == [(True, 1), (True, 2)]

    def test_attributes(self) -> None:
        """resultList, finishedCount and the flags are visible."""
        d1: Deferred[int] = Deferred()
        dl = DeferredList([d1, succeed(2)], consumeErrors=True)
        assert dl.finishedCount == 1
        assert dl.resultList == [None, (True, 2)]
        assert dl.consumeErrors and not dl.fireOnOneCallback and not dl.fireOnOneErrback

    def test_cancelCancelsMembers(self) -> None:
        """Cancelling an unfired DeferredList cancels every member."""
        d1: Deferred[int] = Deferred()
        d2: Deferred[int] = Deferred()
        dl = DeferredList([d1, d2], consumeErrors=True)
        dl.cancel()
        assert dl.result[0][1].check(CancelledError)
        assert dl.result[1][1].check(CancelledError)

    def test_cancelAfterFiringDoesNothing(self) -> None:
        """Cancelling a fired DeferredList does not touch the members."""
        pending: Deferred[int] = Deferred()
        dl = DeferredList([succeed(1), pending], fireOnOneCallback=True)
        dl.cancel()
        assert not pending.called

    def test_repr(self) -> None:
        """The repr names the class."""
        dl = DeferredList([])
        assert repr(dl).startswith("<DeferredList at 0x")


class GatherResultsTests:
    """
    gatherResults: the values, or the first failure.
    """

    def test_values(self) -> None:
        """Fires with the list of values once all fired."""
        d1: Deferred[str] = Deferred()
        d = gatherResults([d1, succeed("b")])
        assert not d.called
        d1.callback("a")
        assert d.result == ["a", "b"]

    def test_failsOnFirstFailure(self) -> None:
        """Fails (FirstError) as soon as one member fails."""
        d1: Deferred[str] = Deferred()
        d = gatherResults([d1, fail(KeyError())], consumeErrors=True)
        assert d.result.check(FirstError)
        assert d.result.value.subFailure.check(KeyError)
        d.addErrback(lambda f: None)
        d1.callback("late")

    def test_consumeErrors(self) -> None:
        """consumeErrors keeps member failures from being reported."""
        with capturedUnhandled() as events:
            d = gatherResults([fail(KeyError())], consumeErrors=True)
            d.addErrback(lambda f: None)
            del d
            gc.collect()
        assert events == []

    def test_empty(self) -> None:
        """No Deferreds: fires with []."""
        assert gatherResults([]).result == []


class DeferredLockTests:
    """
    DeferredLock.
    """

    def test_acquireFree(self) -> None:
        """Acquiring a free lock fires at once with the lock."""
        lock = DeferredLock()
        d = lock.acquire()
        assert d.result is lock
        assert lock.locked

    def test_waitersInOrder(self) -> None:
        """Waiters get the lock first come, first served."""
        lock = DeferredLock()
        lock.acquire()
        order: list[int] = []
        lock.acquire().addCallback(lambda held: order.append(1))
        lock.acquire().addCallback(lambda held: order.append(2))
        lock.release()
        assert order == [1]
        lock.release()
        assert order == [1, 2]
        lock.release()
        assert not lock.locked

    def test_releaseUnlocked(self) -> None:
        """Releasing an unlocked lock raises RuntimeError."""
        with pytest.raises(RuntimeError):
            DeferredLock().release()

    def test_run(self) -> None:
        """run() calls the function under the lock and releases afterwards."""
        lock = DeferredLock()
        seen: list[bool] = []

        def double(x: int) -> int:
            seen.append(lock.locked)
            return x * 2

        d = lock.run(double, 4)
        assert d.result == 8
        assert seen == [True]
        assert not lock.locked

    def test_runReleasesOnFailure(self) -> None:
        """run() releases the lock even when the function fails."""
        lock = DeferredLock()
        d = lock.run(lambda: 1 // 0)
        assert d.result.check(ZeroDivisionError)
        assert not lock.locked
        d.addErrback(lambda f: None)

    def test_cancelWaiting(self) -> None:
        """Cancelling a pending acquire removes it from the waiters."""
        lock = DeferredLock()
        lock.acquire()
        waiting = lock.acquire()
        waiting.addErrback(lambda f: f.type)
        waiting.cancel()
        assert waiting.result is CancelledError
        assert lock.waiting == []
        lock.release()
        assert not lock.locked

    def test_asyncWith(self) -> None:
        """async with lock: acquires and releases."""
        lock = DeferredLock()
        seen: list[bool] = []

        async def f() -> None:
            async with lock:
                seen.append(lock.locked)

        ensureDeferred(f())
        assert seen == [True]
        assert not lock.locked


class DeferredSemaphoreTests:
    """
    DeferredSemaphore.
    """

    def test_limitAndTokens(self) -> None:
        """tokens counts down to zero at the limit; one more acquire waits."""
        sem = DeferredSemaphore(2)
        assert (sem.limit, sem.tokens) == (2, 2)
        sem.acquire()
        sem.acquire()
        assert sem.tokens == 0
        third = sem.acquire()
        assert not third.called
        sem.release()
        assert third.result is sem
        assert sem.tokens == 0

    def test_releaseBeyondLimit(self) -> None:
        """Releasing more than acquired raises RuntimeError."""
        sem = DeferredSemaphore(1)
        with pytest.raises(RuntimeError):
            sem.release()

    def test_tokensAtLeastOne(self) -> None:
        """tokens=1 is accepted, tokens=0 raises ValueError."""
        assert DeferredSemaphore(1).limit == 1
        with pytest.raises(ValueError):
            DeferredSemaphore(0)

    def test_runLimitsConcurrency(self) -> None:
        """run() never has more than `tokens` calls in progress."""
        sem = DeferredSemaphore(2)
        pending: list[Deferred[None]] = []
        active: list[int] = []

        def work() -> Deferred[None]:
            d: Deferred[None] = Deferred()
            pending.append(d)
            active.append(len(pending))
            return d

        results = [sem.run(work) for _ in range(5)]
        assert len(pending) == 2
        while pending:
            pending.pop(0).callback(None)
        assert all(r.called for r in results)
        assert sem.tokens == 2
        assert max(active) <= 2
        assert len(active) == 5

    def test_cancelWaiting(self) -> None:
        """Cancelling a pending acquire removes it from the waiters."""
        sem = DeferredSemaphore(1)
        sem.acquire()
        waiting = sem.acquire()
        waiting.addErrback(lambda f: None)
        waiting.cancel()
        assert sem.waiting == []


class DeferredQueueTests:
    """
    DeferredQueue, its size and backlog limits.
    """

    def test_putThenGet(self) -> None:
        """A queued object is got at once."""
        q: DeferredQueue[int] = DeferredQueue()
        q.put(1)
        assert q.get().result == 1

    def test_getThenPut(self) -> None:
        """A pending get fires when an object is put."""
        q: DeferredQueue[int] = DeferredQueue()
        d = q.get()
        assert not d.called
        q.put(2)
        assert d.result == 2
        assert q.pending == []

    def test_fifo(self) -> None:
        """Objects and gets are served in order."""
        q: DeferredQueue[int] = DeferredQueue()
        d1, d2 = q.get(), q.get()
        q.put(1)
        q.put(2)
        q.put(3)
        assert (d1.result, d2.result, q.get().result) == (1, 2, 3)

    def test_sizeLimit(self) -> None:
        """put() up to size works; one more raises QueueOverflow."""
        q: DeferredQueue[int] = DeferredQueue(size=2)
        q.put(1)
        q.put(2)
        with pytest.raises(QueueOverflow):
            q.put(3)
        assert q.pending == [1, 2]

    def test_backlogLimit(self) -> None:
        """get() on an empty queue up to backlog works; one more raises QueueUnderflow."""
        q: DeferredQueue[int] = DeferredQueue(backlog=2)
        q.get()
        q.get()
        with pytest.raises(QueueUnderflow):
            q.get()
        assert len(q.waiting) == 2

    def test_zeroSize(self) -> None:
        """size=0 holds nothing but still serves pending gets."""
        q: DeferredQueue[int] = DeferredQueue(size=0)
        with pytest.raises(QueueOverflow):
            q.put(1)
        d = q.get()
        q.put(1)
        assert d.result == 1

    def test_cancelGet(self) -> None:
        """Cancelling a pending get removes it."""
        q: DeferredQueue[int] = DeferredQueue()
        d = q.get()
        d.addErrback(lambda f: None)
        d.cancel()
        assert q.waiting == []
        q.put(5)
        assert q.pending == [5]
