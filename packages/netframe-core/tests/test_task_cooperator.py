"""Tests for netframe.core.task's Cooperator, cooperate and coiterate."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from netframe.core import _taskcoop, task
from netframe.core.defer import Deferred
from netframe.core.failure import Failure
from netframe.core.task import (
    Clock,
    Cooperator,
    NotPaused,
    SchedulerStopped,
    TaskDone,
    TaskFailed,
    TaskStopped,
)


def _outcome(d: Deferred[Any]) -> Any:
    """Return the current result of a fired Deferred."""
    box: list[Any] = []
    d.addBoth(box.append)
    assert box, "Deferred has not fired"
    return box[0]


def _pending(d: Deferred[Any]) -> bool:
    """Whether d has not fired yet (without consuming its result)."""
    box: list[Any] = []

    def record(result: Any) -> Any:
        box.append(result)
        return result

    d.addBoth(record)
    return not box


def _appending(seen: list[Any], items: list[Any]) -> Iterator[None]:
    """Yield once per item, appending it to seen."""
    for item in items:
        seen.append(item)
        yield None


def _make(unitsPerSlice: int = 1) -> tuple[Cooperator, Clock]:
    """A Cooperator scheduled on a Clock doing unitsPerSlice units per slice."""
    clock = Clock()

    def predicateFactory() -> Callable[[], bool]:
        count = [0]

        def done() -> bool:
            count[0] += 1
            return count[0] >= unitsPerSlice

        return done

    return Cooperator(
        terminationPredicateFactory=predicateFactory,
        scheduler=lambda work: clock.callLater(0.01, work),
    ), clock


class CooperatorTests:
    """Cooperator runs iterators a slice at a time."""

    def test_coiterate(self) -> None:
        """coiterate runs an iterator to exhaustion and fires with it."""
        coop, clock = _make()
        seen: list[int] = []
        iterator = _appending(seen, list(range(3)))
        d = coop.coiterate(iterator)
        assert seen == []
        clock.pump([0.01] * 3)
        assert seen == [0, 1, 2]
        assert _pending(d)
        clock.advance(0.01)
        assert _outcome(d) is iterator

    def test_roundRobin(self) -> None:
        """Two tasks alternate one unit at a time."""
        coop, clock = _make(unitsPerSlice=4)
        order: list[str] = []
        coop.cooperate(_appending(order, [f"a{i}" for i in range(2)]))
        coop.cooperate(_appending(order, [f"b{i}" for i in range(2)]))
        clock.advance(0.01)
        assert order == ["a0", "b0", "a1", "b1"]

    def test_sliceLimit(self) -> None:
        """The termination predicate ends a slice; the rest runs in a later one."""
        coop, clock = _make(unitsPerSlice=2)
        order: list[int] = []
        coop.cooperate(_appending(order, list(range(5))))
        clock.advance(0.01)
        assert order == [0, 1]
        clock.advance(0.01)
        assert order == [0, 1, 2, 3]

    def test_deferredPausesTask(self) -> None:
        """A task yielding a Deferred waits for it before its next unit."""
        coop, clock = _make(unitsPerSlice=10)
        gate: Deferred[None] = Deferred()
        order: list[str] = []

        def work() -> Iterator[Any]:
            order.append("before")
            yield gate
            order.append("after")
            yield None

        d = coop.coiterate(work())
        clock.pump([0.01] * 5)
        assert order == ["before"]
        gate.callback(None)
        clock.pump([0.01] * 5)
        assert order == ["before", "after"]
        assert not _pending(d)

    def test_failingDeferred(self) -> None:
        """A yielded Deferred that fails fails the task with that error."""
        coop, clock = _make()
        gate: Deferred[None] = Deferred()
        task_ = coop.cooperate(iter([gate]))
        d = task_.whenDone()
        clock.advance(0.01)
        gate.errback(Failure(KeyError("k")))
        assert _outcome(d).check(KeyError)
        with pytest.raises(TaskFailed):
            task_.pause()

    def test_iteratorRaises(self) -> None:
        """An exception from the iterator fails whenDone with it."""
        coop, clock = _make()

        def work() -> Iterator[None]:
            yield None
            raise ValueError("broken")

        d = coop.cooperate(work()).whenDone()
        clock.pump([0.01] * 3)
        assert _outcome(d).check(ValueError)

    def test_running(self) -> None:
        """running reflects start and stop."""
        coop, _clock = _make()
        assert coop.running
        coop.stop()
        coop = coop  # stop() changed coop.running: drop mypy's narrowing (mypy issue 11969)
        assert not coop.running
        coop.start()
        coop = coop  # start() changed coop.running: drop mypy's narrowing (mypy issue 11969)
        assert coop.running

    def test_stopFailsTasks(self) -> None:
        """stop() fails every task with SchedulerStopped, and later ones too."""
        coop, clock = _make()
        d = coop.coiterate(iter(range(10)))
        coop.stop()
        assert _outcome(d).check(SchedulerStopped)
        assert clock.getDelayedCalls() == []
        later = coop.coiterate(iter(range(3)))
        assert _outcome(later).check(SchedulerStopped)

    def test_notStarted(self) -> None:
        """A cooperator made with started=False runs nothing until start()."""
        clock = Clock()
        coop = Cooperator(scheduler=lambda work: clock.callLater(0, work), started=False)
        seen: list[int] = []
        coop.cooperate(_appending(seen, list(range(2))))
        clock.advance(1)
        assert seen == []
        coop.start()
        clock.pump([0] * 3)
        assert seen == [0, 1]

    def test_defaultTimerSlice(self) -> None:
        """The default predicate ends a slice exactly MAX_SLICE after it started."""
        now = [100.0]
        timer = _taskcoop._Timer
        original = timer.now
        timer.now = staticmethod(lambda: now[0])
        try:
            predicate = timer()
            now[0] += timer.MAX_SLICE - 0.001
            assert not predicate()
            now[0] += 0.001
            assert predicate()
        finally:
            timer.now = original


class CooperativeTaskTests:
    """CooperativeTask: whenDone, pause, resume, stop."""

    def test_whenDoneAfterFinish(self) -> None:
        """whenDone after completion fires at once with the iterator."""
        coop, clock = _make()
        iterator = iter([1])
        task_ = coop.cooperate(iterator)
        clock.pump([0.01] * 3)
        assert _outcome(task_.whenDone()) is iterator
        with pytest.raises(TaskDone):
            task_.stop()

    def test_pauseResume(self) -> None:
        """A paused task does no work until resumed."""
        coop, clock = _make()
        seen: list[int] = []
        task_ = coop.cooperate(_appending(seen, list(range(3))))
        task_.pause()
        clock.pump([0.01] * 3)
        assert seen == []
        task_.resume()
        clock.pump([0.01] * 3)
        assert seen == [0, 1, 2]

    def test_nestedPause(self) -> None:
        """Pauses nest: two pauses need two resumes."""
        coop, clock = _make()
        seen: list[int] = []
        task_ = coop.cooperate(_appending(seen, list(range(3))))
        task_.pause()
        task_.pause()
        task_.resume()
        clock.pump([0.01] * 3)
        assert seen == []
        task_.resume()
        clock.advance(0.01)
        assert seen == [0]

    def test_resumeNotPaused(self) -> None:
        """resume() on a running task raises NotPaused."""
        coop, _clock = _make()
        task_ = coop.cooperate(iter(range(3)))
        with pytest.raises(NotPaused):
            task_.resume()

    def test_stop(self) -> None:
        """stop() fails whenDone with TaskStopped; stopping again raises it."""
        coop, clock = _make()
        task_ = coop.cooperate(iter(range(3)))
        d = task_.whenDone()
        task_.stop()
        assert _outcome(d).check(TaskStopped)
        with pytest.raises(TaskStopped):
            task_.stop()
        clock.pump([0.01] * 3)

    def test_stopWhilePaused(self) -> None:
        """A paused task can be stopped and stays out of the scheduler."""
        coop, _clock = _make()
        task_ = coop.cooperate(iter(range(3)))
        task_.pause()
        d = task_.whenDone()
        task_.stop()
        assert _outcome(d).check(TaskStopped)
        task_.resume()
        assert coop._tasks == []


class GlobalCooperatorTests:
    """The module-level cooperate/coiterate use a shared Cooperator."""

    def test_cooperateReturnsTask(self) -> None:
        """cooperate() gives a CooperativeTask that can be stopped before it runs."""
        from netframe.core.task import CooperativeTask

        shared = _taskcoop._theCooperator
        calls: list[Any] = []
        original = shared._scheduler
        shared._scheduler = lambda work: _record(calls, work)
        try:
            task_ = task.cooperate(iter(range(2)))
            assert isinstance(task_, CooperativeTask)
            d = task.coiterate(iter(range(2)))
            task_.stop()
            assert len(calls) == 1
            calls[0]()
            calls[0]()
            assert not _pending(d)
        finally:
            shared._scheduler = original
            shared._delayedCall = None


class _Cancellable:
    """A stand-in delayed call."""

    def cancel(self) -> None:
        """Nothing to cancel."""


def _record(calls: list[Any], work: Any) -> _Cancellable:
    """Record a scheduled slice and return a stand-in delayed call."""
    calls.append(work)
    return _Cancellable()
