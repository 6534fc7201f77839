"""
Tests for netframe.core.defer.Deferred: callback chains, chaining, pausing,
cancellation, timeouts, unhandled errors, contexts and representation
(SCOPE.md section 2.1.6).
"""

from __future__ import annotations

import builtins
import contextvars
import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from netframe.core import defer, error
from netframe.core.defer import (
    AlreadyCalledError,
    CancelledError,
    Deferred,
    fail,
    maybeDeferred,
    succeed,
)
from netframe.core.failure import Failure, NoCurrentExceptionError
from netframe.core.task import Clock
from netframe.logger import LogLevel, globalLogPublisher


@contextmanager
def capturedEvents() -> Iterator[list[dict[str, Any]]]:
    """
    Collect every log event emitted inside the block.
    """
    events: list[dict[str, Any]] = []
    globalLogPublisher.addObserver(events.append)
    try:
        yield events
    finally:
        globalLogPublisher.removeObserver(events.append)


def unhandled(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """
    The "Unhandled error in Deferred" events among C{events}.
    """
    return [e for e in events if e.get("log_format") == "Unhandled error in Deferred:"]


class CallbackChainTests:
    """
    Callbacks and errbacks run in order, each fed the previous result.
    """

    def test_callbackResultFeedsNext(self) -> None:
        """Each callback's return value is the next callback's argument."""
        d: Deferred[int] = Deferred()
        seen: list[int] = []

        def record(x: int) -> int:
            seen.append(x)
            return x * 10

        d.addCallback(lambda x: x + 1).addCallback(record)
        d.callback(1)
        assert seen == [2]
        assert d.result == 20

    def test_addCallbackReturnsSelf(self) -> None:
        """addCallback, addErrback, addBoth and addCallbacks return the Deferred."""
        d: Deferred[int] = Deferred()
        assert d.addCallback(lambda x: x) is d
        assert d.addErrback(lambda f: f) is d
        assert d.addBoth(lambda r: r) is d
        assert d.addCallbacks(lambda x: x, lambda f: f) is d

    def test_extraArgumentsAfterResult(self) -> None:
        """Extra positional and keyword arguments follow the result."""
        d: Deferred[int] = Deferred()
        calls: list[tuple[Any, ...]] = []

        def withArgs(r: int, a: int, b: int = 0) -> int:
            calls.append((r, a, b))
            return r

        def withArg(r: object, a: str) -> object:
            calls.append((r, a))
            return r

        d.addCallback(withArgs, 1, b=2)
        d.addBoth(withArg, "x")
        d.callback(0)
        assert calls == [(0, 1, 2), (0, "x")]

    def test_addCallbacksArgumentForms(self) -> None:
        """addCallbacks passes callbackArgs/Keywords and errbackArgs/Keywords."""
        calls: list[tuple[Any, ...]] = []
        d: Deferred[int] = Deferred()
        d.addCallbacks(
            lambda r, a, k=None: calls.append(("cb", r, a, k)),
            lambda f, a, k=None: calls.append(("eb", a, k)),
            callbackArgs=(1,),
            callbackKeywords={"k": 2},
            errbackArgs=(3,),
            errbackKeywords={"k": 4},
        )
        d.callback(0)
        e: Deferred[int] = Deferred()
        e.addCallbacks(
            lambda r: None,
            lambda f, a, k=None: calls.append(("eb", a, k)),
            errbackArgs=(3,),
            errbackKeywords={"k": 4},
        )
        e.errback(ValueError())
        assert calls == [("cb", 0, 1, 2), ("eb", 3, 4)]

    def test_raisingCallbackSwitchesToErrbacks(self) -> None:
        """A callback that raises skips later callbacks; the next errback gets a Failure."""
        d: Deferred[int] = Deferred()
        seen: list[Any] = []

        def boom(x: int) -> int:
            raise ValueError("bad")

        d.addCallback(boom).addCallback(seen.append).addErrback(seen.append)
        d.callback(1)
        assert len(seen) == 1
        assert isinstance(seen[0], Failure)
        assert seen[0].check(ValueError)

    def test_errbackReturningValueSwitchesBack(self) -> None:
        """An errback returning a non-Failure (even None) resumes the callbacks."""
        d: Deferred[int] = Deferred()
        seen: list[Any] = []
        d.addErrback(lambda f: None).addCallback(seen.append)
        d.errback(ValueError())
        assert seen == [None]

    def test_errbackReturningFailureContinuesErrbacks(self) -> None:
        """An errback returning or raising a Failure passes it to the next errback."""
        d: Deferred[int] = Deferred()
        seen: list[str] = []

        def reraise(f: Failure) -> None:
            seen.append("reraise")
            f.raiseException()

        def returnIt(f: Failure) -> Failure:
            seen.append("return")
            return f

        d.addErrback(returnIt)
        d.addErrback(reraise)
        d.addCallback(lambda r: seen.append("callback"))
        d.addErrback(lambda f: seen.append(f.getErrorMessage()))
        d.errback(KeyError("k"))
        assert seen == ["return", "reraise", "'k'"]

    def test_addCallbacksErrbackDoesNotSeeItsCallbacksError(self) -> None:
        """addCallbacks(cb, eb): eb does not see cb's error (unlike addCallback + addErrback)."""
        seen: list[str] = []

        def cb(r: object) -> None:
            raise ValueError("from cb")

        case1: Deferred[int] = Deferred()
        case1.addCallback(cb).addErrback(lambda f: seen.append("eb1"))
        case1.addCallbacks(lambda r: None, lambda f: seen.append("eb2"))
        case1.callback(0)

        case2: Deferred[int] = Deferred()
        case2.addCallbacks(cb, lambda f: seen.append("eb1"))
        case2.addCallbacks(lambda r: None, lambda f: seen.append("eb2"))
        case2.callback(0)
        assert seen == ["eb1", "eb2"]

    def test_passThroughSides(self) -> None:
        """addCallback passes failures through; addErrback passes results through."""
        d: Deferred[int] = Deferred()
        d.addErrback(lambda f: 99)
        d.callback(5)
        assert d.result == 5
        e: Deferred[int] = Deferred()
        e.addCallback(lambda r: 99)
        e.addErrback(lambda f: f.type)
        e.errback(ValueError())
        assert e.result is ValueError

    def test_trapInErrback(self) -> None:
        """Failure.trap in an errback handles matching errors and re-raises others."""
        seen: list[str] = []

        def handler(f: Failure) -> None:
            f.trap(KeyError)
            seen.append("trapped")

        d: Deferred[int] = Deferred()
        d.addErrback(handler).addErrback(lambda f: seen.append(f.type.__name__))
        d.errback(KeyError())
        e: Deferred[int] = Deferred()
        e.addErrback(handler).addErrback(lambda f: seen.append(f.type.__name__))
        e.errback(ValueError())
        assert seen == ["trapped", "ValueError"]

    def test_callbacksAddedAfterFiringRunImmediately(self) -> None:
        """A callback added to a fired Deferred runs synchronously, inside addCallback."""
        d = succeed(3)
        seen: list[int] = []
        d.addCallback(seen.append)
        assert seen == [3]

    def test_callbackAddingCallback(self) -> None:
        """A callback may add callbacks to its own Deferred; they run afterwards, in order."""
        d: Deferred[int] = Deferred()
        seen: list[str] = []

        def added(r: int) -> int:
            seen.append("added")
            return r

        def first(r: int) -> int:
            d.addCallback(added)
            seen.append("first")
            return r

        def second(r: int) -> int:
            seen.append("second")
            return r

        d.addCallback(first).addCallback(second)
        d.callback(0)
        assert seen == ["first", "second", "added"]

    def test_callbackAddingCallbackOnFiredDeferred(self) -> None:
        """On a fired Deferred, a callback's own additions run after it returns."""
        d = succeed(0)
        seen: list[str] = []

        def added(r: int) -> int:
            seen.append("added")
            return r

        def first(r: int) -> int:
            d.addCallback(added)
            seen.append("first")
            return r + 1

        d.addCallback(first)
        assert seen == ["first", "added"]
        assert d.result == 1

    def test_callbackReturningFailure(self) -> None:
        """A callback returning a Failure switches to the errbacks."""
        d: Deferred[int] = Deferred()
        seen: list[Any] = []
        d.addCallback(lambda r: Failure(KeyError("x"))).addErrback(lambda f: seen.append(f.type))
        d.callback(0)
        assert seen == [KeyError]

    def test_nonCallableCallbacks(self) -> None:
        """addCallbacks rejects non-callables at once; the shortcuts fail the chain with TypeError."""
        d: Deferred[int] = Deferred()
        with pytest.raises(TypeError):
            d.addCallbacks(42)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            d.addCallbacks(lambda r: r, 42)  # type: ignore[arg-type]
        d.addCallback(42)  # type: ignore[call-overload]
        d.addErrback(lambda f: f.type)
        d.callback(0)
        assert d.result is TypeError


class FiringTests:
    """
    callback/errback: one-shot, argument checking, the result attribute.
    """

    def test_secondCallbackRaises(self) -> None:
        """Firing twice raises AlreadyCalledError, whatever the combination."""
        for first, second in [
            ("callback", "callback"),
            ("callback", "errback"),
            ("errback", "callback"),
        ]:
            d: Deferred[int] = Deferred()
            d.addErrback(lambda f: None)
            getattr(d, first)(ValueError() if first == "errback" else 1)
            with pytest.raises(AlreadyCalledError):
                getattr(d, second)(ValueError() if second == "errback" else 2)

    def test_callbackWithDeferredRejected(self) -> None:
        """callback() refuses a Deferred (chain by returning it from a callback)."""
        d: Deferred[Any] = Deferred()
        with pytest.raises(TypeError):
            d.callback(Deferred())
        assert not d.called

    def test_errbackWrapsException(self) -> None:
        """errback(exception) wraps it in a Failure."""
        d: Deferred[int] = Deferred()
        exc = ValueError("v")
        d.errback(exc)
        assert isinstance(d.result, Failure)
        assert d.result.value is exc
        d.addErrback(lambda f: None)

    def test_errbackNoneUsesCurrentException(self) -> None:
        """errback() with no argument wraps the exception being handled."""
        d: Deferred[int] = Deferred()
        try:
            raise KeyError("current")
        except KeyError:
            d.errback()
        assert d.result.check(KeyError)
        d.addErrback(lambda f: None)

    def test_errbackNoneWithoutException(self) -> None:
        """errback() outside an except block raises NoCurrentExceptionError."""
        d: Deferred[int] = Deferred()
        with pytest.raises(NoCurrentExceptionError):
            d.errback()
        assert not d.called

    def test_errbackRejectsOtherTypes(self) -> None:
        """errback() with something that is not an exception raises TypeError."""
        d: Deferred[int] = Deferred()
        with pytest.raises(TypeError):
            d.errback("not an exception")  # type: ignore[arg-type]

    def test_calledAndResult(self) -> None:
        """called is False and result absent until fired."""
        d: Deferred[int] = Deferred()
        assert d.called is False
        assert not hasattr(d, "result")
        d.callback(7)
        d = d  # callback() changed d.called: drop mypy's narrowing (mypy issue 11969)
        assert d.called is True
        assert d.result == 7

    def test_callbackWithFailureStartsErrbacks(self) -> None:
        """callback(aFailure) runs the errbacks."""
        d: Deferred[int] = Deferred()
        seen: list[Any] = []
        d.addErrback(lambda f: seen.append(f.type))
        d.callback(Failure(KeyError()))
        assert seen == [KeyError]

    def test_succeedAndFail(self) -> None:
        """succeed() and fail() return already-fired Deferreds."""
        s = succeed("x")
        assert s.called and s.result == "x"
        f = fail(ValueError("y"))
        assert f.called and f.result.getErrorMessage() == "y"
        f.addErrback(lambda fl: None)
        try:
            raise KeyError()
        except KeyError:
            g = fail()
        assert g.result.check(KeyError)
        g.addErrback(lambda fl: None)


class ChainingTests:
    """
    A callback returning a Deferred makes the outer Deferred wait for it.
    """

    def test_outerWaitsForInner(self) -> None:
        """A waits for B returned by its callback and continues with B's result."""
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        seen: list[int] = []
        a.addCallback(lambda r: b).addCallback(seen.append)
        a.callback(1)
        assert seen == []
        assert a.paused
        b.callback(2)
        assert seen == [2]
        assert not a.paused

    def test_alreadyFiredInnerTakenAtOnce(self) -> None:
        """An inner Deferred that already has a result is used at once; its result becomes None."""
        b = succeed(5)
        a: Deferred[int] = Deferred()
        a.addCallback(lambda r: b)
        a.callback(0)
        assert a.result == 5
        assert b.result is None

    def test_innerFailurePropagates(self) -> None:
        """A failure of the inner Deferred continues down the outer errbacks, once."""
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        seen: list[Any] = []
        a.addCallback(lambda r: b).addErrback(lambda f: seen.append(f.type))
        a.callback(0)
        with capturedEvents() as events:
            b.errback(KeyError())
        assert seen == [KeyError]
        assert b.result is None
        assert unhandled(events) == []

    def test_innerCallbacksRunBeforeOuterContinues(self) -> None:
        """The outer chain gets the result of the last callback of the inner chain."""
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        b.addCallback(lambda r: r * 10)
        a.addCallback(lambda r: b)
        a.callback(0)
        b.callback(3)
        assert a.result == 30

    def test_returningItselfFails(self) -> None:
        """A callback returning its own Deferred makes the chain fail with TypeError."""
        d: Deferred[Any] = Deferred()
        d.addCallback(lambda r: d)
        d.addErrback(lambda f: f.type)
        d.callback(0)
        assert d.result is TypeError

    def test_returningItselfOnFiredDeferredFails(self) -> None:
        """The same holds for a callback run at once on a fired Deferred."""
        d = succeed(0)
        d.addCallback(lambda r: d)
        assert isinstance(d.result, Failure)
        assert d.result.check(TypeError)
        d.addErrback(lambda f: None)

    def test_chainDeferred(self) -> None:
        """chainDeferred feeds the result to another Deferred; later callbacks don't affect it."""
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        a.chainDeferred(b)
        a.addCallback(lambda r: 99)
        a.callback(1)
        assert b.result == 1
        assert a.result == 99

    def test_chainDeferredFailure(self) -> None:
        """chainDeferred passes failures to the other Deferred's errback."""
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        a.chainDeferred(b)
        a.errback(KeyError())
        assert b.result.check(KeyError)
        b.addErrback(lambda f: None)

    def test_longChainFiredLaterNoRecursion(self) -> None:
        """100,000 nested Deferreds, each waiting on the next fired later, do not recurse."""
        count = 100_000
        ds: list[Deferred[int]] = [Deferred() for _ in range(count)]
        for i in range(count - 1):

            def toNext(r: int, nxt: Deferred[int] = ds[i + 1]) -> Deferred[int]:
                return nxt

            ds[i].addCallback(toNext)
        for i in range(count - 1):
            ds[i].callback(i)
        ds[-1].callback(42)
        assert ds[0].result == 42

    def test_longChainAlreadyFiredNoRecursion(self) -> None:
        """100,000 nested Deferreds whose inner ones already fired do not recurse."""
        count = 100_000
        ds: list[Deferred[int]] = [Deferred() for _ in range(count)]
        for i in range(count - 1):

            def toNext(r: int, nxt: Deferred[int] = ds[i + 1]) -> Deferred[int]:
                return nxt

            ds[i].addCallback(toNext)
        ds[-1].callback(7)
        for i in reversed(range(count - 1)):
            ds[i].callback(i)
        assert ds[0].result == 7

    def test_longChainBuiltWhileFiring(self) -> None:
        """Each callback creating and returning the next Deferred, 100,000 deep, does not recurse."""
        count = 100_000
        pending: list[Deferred[int]] = []

        def nextOne(r: int) -> Deferred[int]:
            d: Deferred[int] = Deferred()
            if r < count:
                d.addCallback(nextOne)
            pending.append(d)
            return d

        first: Deferred[int] = Deferred()
        first.addCallback(nextOne)
        first.callback(0)
        value = 1
        while pending:
            pending.pop().callback(value)
            value += 1
        assert first.called

    def test_longCallbackListOnOneDeferred(self) -> None:
        """100,000 callbacks on one Deferred run in order (no quadratic behaviour)."""
        d: Deferred[int] = Deferred()
        for _ in range(100_000):
            d.addCallback(lambda r: r + 1)
        d.callback(0)
        assert d.result == 100_000


class PauseTests:
    """
    pause() holds processing until unpause().
    """

    def test_pauseHoldsCallbacks(self) -> None:
        """Callbacks do not run while paused, and run on unpause."""
        d: Deferred[int] = Deferred()
        seen: list[int] = []
        d.pause()
        d.addCallback(seen.append)
        d.callback(1)
        assert seen == []
        d.unpause()
        assert seen == [1]

    def test_pauseNests(self) -> None:
        """Two pauses need two unpauses."""
        d = succeed(1)
        seen: list[int] = []
        d.pause()
        d.pause()
        d.addCallback(seen.append)
        d.unpause()
        assert seen == []
        d.unpause()
        assert seen == [1]

    def test_unpauseWhenNotPaused(self) -> None:
        """unpause() on a Deferred that is not paused does nothing."""
        d: Deferred[int] = Deferred()
        d.unpause()
        assert d.paused == 0

    def test_pauseInsideCallback(self) -> None:
        """A callback pausing its own Deferred stops the chain until unpause."""
        d: Deferred[int] = Deferred()
        seen: list[str] = []

        def pauseIt(r: int) -> int:
            d.pause()
            return r

        d.addCallback(pauseIt).addCallback(lambda r: seen.append("second"))
        d.callback(0)
        assert seen == []
        d.unpause()
        assert seen == ["second"]


class CancelTests:
    """
    cancel() semantics, bullet by bullet (SCOPE.md 2.1.6).
    """

    def test_cancelWithoutCancellerErrbacks(self) -> None:
        """Without canceller, cancelling an unfired Deferred errbacks with CancelledError."""
        d: Deferred[int] = Deferred()
        seen: list[Any] = []
        d.addErrback(lambda f: seen.append(f.type))
        d.cancel()
        assert seen == [CancelledError]

    def test_oneLaterCallbackIgnored(self) -> None:
        """After such a cancel, one callback() is ignored; a second raises AlreadyCalledError."""
        d: Deferred[int] = Deferred()
        d.addErrback(lambda f: None)
        d.cancel()
        d.callback(1)
        assert d.result is None
        with pytest.raises(AlreadyCalledError):
            d.callback(2)

    def test_oneLaterErrbackIgnored(self) -> None:
        """The one ignored call may also be errback()."""
        d: Deferred[int] = Deferred()
        d.addErrback(lambda f: None)
        d.cancel()
        d.errback(ValueError())
        with pytest.raises(AlreadyCalledError):
            d.errback(ValueError())

    def test_cancellerGetsDeferred(self) -> None:
        """A canceller is called with the Deferred being cancelled."""
        got: list[Deferred[int]] = []
        d: Deferred[int] = Deferred(got.append)
        d.addErrback(lambda f: None)
        d.cancel()
        assert got == [d]

    def test_cancellerMayFireDeferred(self) -> None:
        """If the canceller fires the Deferred, that result stands."""
        d: Deferred[str] = Deferred(lambda it: it.callback("alternative"))
        d.cancel()
        assert d.result == "alternative"

    def test_cancellerNotFiringStillErrbacks(self) -> None:
        """If the canceller does not fire it, the Deferred errbacks with CancelledError."""
        d: Deferred[int] = Deferred(lambda it: None)
        seen: list[Any] = []
        d.addErrback(lambda f: seen.append(f.type))
        d.cancel()
        assert seen == [CancelledError]
        with pytest.raises(AlreadyCalledError):
            d.callback(1)

    def test_cancelNeverRaises(self) -> None:
        """A canceller that raises does not make cancel() raise; the Deferred fails with its error."""

        def canceller(it: Deferred[int]) -> None:
            raise RuntimeError("canceller broke")

        d: Deferred[int] = Deferred(canceller)
        cancel: Callable[[], object] = d.cancel
        assert cancel() is None
        assert d.result.check(RuntimeError)
        d.addErrback(lambda f: None)

    def test_cancellerRaisingAfterFiring(self) -> None:
        """A canceller that fires the Deferred and then raises gets logged; cancel() still returns."""

        def canceller(it: Deferred[int]) -> None:
            it.callback(1)
            raise RuntimeError("late")

        d: Deferred[int] = Deferred(canceller)
        with capturedEvents() as events:
            d.cancel()
        assert d.result == 1
        assert [e["log_failure"].type for e in events if "log_failure" in e] == [RuntimeError]

    def test_cancelRepeatedlyAndAfterFiring(self) -> None:
        """cancel() may be called repeatedly, and on a fired Deferred it changes nothing."""
        d = succeed(3)
        d.cancel()
        d.cancel()
        assert d.result == 3
        e: Deferred[int] = Deferred()
        e.addErrback(lambda f: None)
        e.cancel()
        e.cancel()
        assert e.result is None

    def test_cancelForwardedToWaitedOn(self) -> None:
        """Cancelling a Deferred waiting on another cancels the other one."""
        cancelled: list[str] = []
        inner: Deferred[int] = Deferred(lambda it: cancelled.append("inner"))
        outer: Deferred[int] = Deferred(lambda it: cancelled.append("outer"))
        outer.addCallback(lambda r: inner)
        seen: list[Any] = []
        outer.addErrback(lambda f: seen.append(f.type))
        outer.callback(0)
        outer.cancel()
        assert cancelled == ["inner"]
        assert seen == [CancelledError]

    def test_cancelForwardedThroughLongChain(self) -> None:
        """Forwarding through 100,000 waiting Deferreds does not recurse."""
        count = 100_000
        ds: list[Deferred[int]] = [Deferred() for _ in range(count)]
        for i in range(count - 1):

            def toNext(r: int, nxt: Deferred[int] = ds[i + 1]) -> Deferred[int]:
                return nxt

            ds[i].addCallback(toNext)
        for i in range(count - 1):
            ds[i].callback(i)
        ds[0].addErrback(lambda f: f.type)
        ds[0].cancel()
        assert ds[0].result is CancelledError


class TimeoutTests:
    """
    addTimeout(timeout, clock, onTimeoutCancel).
    """

    def test_timesOut(self) -> None:
        """When the time is up the Deferred fails with TimeoutError."""
        clock = Clock()
        d: Deferred[int] = Deferred()
        d.addTimeout(5, clock)
        clock.advance(4.9)
        assert not d.called
        clock.advance(0.1)
        assert d.result.check(defer.TimeoutError)
        assert d.result.value.timeout == 5
        d.addErrback(lambda f: None)

    def test_timeoutErrorClasses(self) -> None:
        """TimeoutError is both error.TimeoutError and the builtin TimeoutError."""
        exc = defer.TimeoutError(3, "Deferred")
        assert isinstance(exc, error.TimeoutError)
        assert isinstance(exc, builtins.TimeoutError)
        assert str(exc) == "User timeout caused connection failure: 3: Deferred."

    def test_firedFirstCancelsTimer(self) -> None:
        """A result before the timeout cancels the delayed call."""
        clock = Clock()
        d: Deferred[int] = Deferred()
        d.addTimeout(5, clock)
        assert len(clock.getDelayedCalls()) == 1
        d.callback(1)
        assert clock.getDelayedCalls() == []
        assert d.result == 1

    def test_cancellerRunsOnTimeout(self) -> None:
        """The canceller is used on timeout; a different result it gives stands."""
        clock = Clock()
        d: Deferred[str] = Deferred(lambda it: it.callback("cancelled nicely"))
        d.addTimeout(1, clock)
        clock.advance(1)
        assert d.result == "cancelled nicely"

    def test_onTimeoutCancel(self) -> None:
        """onTimeoutCancel(result, timeout) replaces the result after a timeout."""
        clock = Clock()
        d: Deferred[Any] = Deferred()
        d.addTimeout(2, clock, onTimeoutCancel=lambda r, t: ("timed out", t, r.type))
        clock.advance(2)
        assert d.result == ("timed out", 2, CancelledError)

    def test_explicitCancelIsNotTimeout(self) -> None:
        """A cancel() by the user gives CancelledError, not TimeoutError."""
        clock = Clock()
        d: Deferred[int] = Deferred()
        d.addTimeout(2, clock)
        d.cancel()
        assert d.result.type is CancelledError
        assert clock.getDelayedCalls() == []
        d.addErrback(lambda f: None)


class UnhandledErrorTests:
    """
    Unhandled failures are logged once, when the Deferred goes away.
    """

    def test_loggedWhenDropped(self) -> None:
        """A Deferred dropped with an unhandled failure logs it at once (refcounting)."""
        with capturedEvents() as events:
            d: Deferred[int] = Deferred()
            d.addCallback(lambda r: 1 // 0)
            d.callback(1)
            assert unhandled(events) == []
            del d
            found = unhandled(events)
        assert len(found) == 1
        event = found[0]
        assert event["log_namespace"] == "netframe.core.defer"
        assert event["log_level"] is LogLevel.critical
        assert event["log_failure"].check(ZeroDivisionError)
        assert "ZeroDivisionError" in event["log_failure"].getTraceback()

    def test_loggedOnGarbageCollection(self) -> None:
        """A Deferred in a reference cycle is logged when the cycle is collected, once."""
        with capturedEvents() as events:
            d: Deferred[int] = Deferred()
            holder: dict[str, Any] = {"d": d}
            d.addCallback(lambda r, h: h, holder)  # cycle through the result
            holder["self"] = holder
            d.addCallback(lambda r: 1 // 0)
            d.callback(1)
            del d, holder
            gc.collect()
            gc.collect()
        assert len(unhandled(events)) == 1

    def test_handledFailureNotLogged(self) -> None:
        """An errback added later handles the failure: nothing is logged."""
        with capturedEvents() as events:
            d = fail(ValueError())
            d.addErrback(lambda f: None)
            del d
            gc.collect()
        assert unhandled(events) == []

    def test_failInRunningChainReArmed(self) -> None:
        """A failure re-raised by a later errback is still reported once."""
        with capturedEvents() as events:
            d = fail(ValueError("once"))
            d.addErrback(lambda f: f)
            del d
        assert len(unhandled(events)) == 1

    def test_logErrIdiom(self) -> None:
        """d.addErrback(log.err) logs the failure and handles it (not reported again)."""
        from netframe.logger import legacy

        with capturedEvents() as events:
            d = fail(KeyError("k"))
            d.addErrback(legacy.err)
            del d
            gc.collect()
        assert unhandled(events) == []
        assert any(e.get("log_failure") is not None for e in events)

    def test_succeedNotLogged(self) -> None:
        """Deferreds with results (or without) log nothing when dropped."""
        with capturedEvents() as events:
            succeed(1)
            Deferred()
            gc.collect()
        assert unhandled(events) == []


class ReprTests:
    """
    repr() shows the state.
    """

    def test_reprUnfired(self) -> None:
        """An unfired Deferred: <Deferred at 0x...>."""
        d: Deferred[int] = Deferred()
        assert repr(d) == f"<Deferred at 0x{id(d):x}>"

    def test_reprResult(self) -> None:
        """A fired Deferred shows its current result."""
        d = succeed("x")
        assert repr(d) == f"<Deferred at 0x{id(d):x} current result: 'x'>"
        assert re.fullmatch(r"<Deferred at 0x[0-9a-f]+ current result: 'x'>", str(d))

    def test_reprWaiting(self) -> None:
        """A Deferred waiting on another says so."""
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        a.addCallback(lambda r: b)
        a.callback(0)
        assert repr(a) == f"<Deferred at 0x{id(a):x} waiting on Deferred at 0x{id(b):x}>"
        b.callback(1)
        assert repr(a) == f"<Deferred at 0x{id(a):x} current result: 1>"

    def test_classGetItem(self) -> None:
        """Deferred[int] works at runtime."""
        alias = Deferred[int]
        assert alias.__origin__ is Deferred  # type: ignore[attr-defined]
        assert isinstance(alias(), Deferred)

    def test_publicModule(self) -> None:
        """Public names report netframe.core.defer as their module."""
        for name in defer.__all__:
            obj = getattr(defer, name)
            if hasattr(obj, "__module__") and not isinstance(obj, bool):
                assert obj.__module__ == "netframe.core.defer", name


class MaybeDeferredTests:
    """
    maybeDeferred turns any call into a Deferred.
    """

    def test_value(self) -> None:
        """A plain value gives a fired Deferred."""
        assert maybeDeferred(lambda x: x + 1, 1).result == 2

    def test_exception(self) -> None:
        """An exception gives a failed Deferred."""
        d = maybeDeferred(lambda: 1 // 0)
        assert d.result.check(ZeroDivisionError)
        d.addErrback(lambda f: None)

    def test_deferredReturnedAsIs(self) -> None:
        """A returned Deferred is returned itself."""
        inner: Deferred[int] = Deferred()
        assert maybeDeferred(lambda: inner) is inner

    def test_failure(self) -> None:
        """A returned Failure gives a failed Deferred."""
        d: Deferred[object] = maybeDeferred(lambda: Failure(KeyError()))
        assert d.result.check(KeyError)
        d.addErrback(lambda f: None)

    def test_coroutine(self) -> None:
        """A returned coroutine is run."""

        async def f(x: int) -> int:
            return await succeed(x) * 2

        assert maybeDeferred(f, 4).result == 8

    def test_keywords(self) -> None:
        """Keyword arguments are passed."""

        def subtract(a: int, b: int = 0) -> int:
            return a - b

        assert maybeDeferred(subtract, 5, b=2).result == 3


class ContextTests:
    """
    Callbacks run in the context current when they were added.
    """

    var: contextvars.ContextVar[str] = contextvars.ContextVar("deferTestVar", default="unset")

    def test_callbackSeesAddTimeContext(self) -> None:
        """A callback added inside a context sees its values when fired from outside."""
        d: Deferred[int] = Deferred()
        seen: list[str] = []

        def addInContext() -> None:
            self.var.set("inside")
            d.addCallback(lambda r: seen.append(self.var.get()))

        contextvars.copy_context().run(addInContext)
        assert self.var.get() == "unset"
        d.callback(0)
        assert seen == ["inside"]

    def test_firingContextDoesNotLeakIn(self) -> None:
        """A callback added outside does not see values set by the code that fires it."""
        d: Deferred[int] = Deferred()
        seen: list[str] = []
        d.addCallback(lambda r: seen.append(self.var.get()))

        def fire() -> None:
            self.var.set("firing")
            d.callback(0)

        contextvars.copy_context().run(fire)
        assert seen == ["unset"]

    def test_eachCallbackItsOwnContext(self) -> None:
        """Two callbacks added in different contexts each see their own."""
        d: Deferred[int] = Deferred()
        seen: list[str] = []

        def add(value: str) -> None:
            self.var.set(value)
            d.addCallback(lambda r: seen.append(self.var.get()))

        contextvars.copy_context().run(add, "one")
        contextvars.copy_context().run(add, "two")
        d.callback(0)
        assert seen == ["one", "two"]

    def test_immediateCallbackRunsInCallerContext(self) -> None:
        """A callback added to a fired Deferred runs at once in the caller's context."""
        d = succeed(0)
        seen: list[str] = []

        def add() -> None:
            self.var.set("caller")
            d.addCallback(lambda r: seen.append(self.var.get()))

        contextvars.copy_context().run(add)
        assert seen == ["caller"]


class ResultClassCacheTests:
    """
    The cache of result classes known to be plain values stays bounded.
    """

    def test_cacheBoundedAtLimit(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Up to the limit new classes are remembered; one past it, not."""
        from netframe.core import _defer

        size = len(_defer._plainClasses)
        monkeypatch.setattr(_defer, "_PLAIN_CLASSES_LIMIT", size + 1)
        first = type("FirstPlain", (), {})
        second = type("SecondPlain", (), {})
        try:
            succeed(0).addCallback(lambda r: first())
            assert first in _defer._plainClasses
            d: Deferred[Any] = Deferred()
            d.addCallback(lambda r: second())
            d.callback(0)
            assert isinstance(d.result, second)
            assert second not in _defer._plainClasses
            assert len(_defer._plainClasses) == size + 1
        finally:
            _defer._plainClasses.discard(first)
            _defer._plainClasses.discard(second)
