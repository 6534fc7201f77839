"""Tests for netframe.core.task: Clock, DelayedCall, LoopingCall, deferLater, react."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from netframe.core import error, task
from netframe.core.defer import CancelledError, Deferred, succeed
from netframe.core.failure import Failure
from netframe.core.interfaces import IDelayedCall, IReactorTime
from netframe.core.task import Clock, DelayedCall, LoopingCall, deferLater
from netframe.logger import capturedLogs


def _result(d: Deferred[Any]) -> Any:
    """Return the current result of a fired Deferred (failing the test otherwise)."""
    box: list[Any] = []
    d.addBoth(box.append)
    assert box, "Deferred has not fired"
    return box[0]


class ClockTests:
    """Clock is a deterministic IReactorTime."""

    def test_verifyObject(self) -> None:
        """Clock provides IReactorTime and its calls provide IDelayedCall."""
        clock = Clock()
        assert verifyObject(IReactorTime, clock)
        assert verifyObject(IDelayedCall, clock.callLater(1, lambda: None))

    def test_secondsStartsAtZero(self) -> None:
        """A new clock reads 0.0 and advance moves it."""
        clock = Clock()
        assert clock.seconds() == 0.0
        clock.advance(2.5)
        assert clock.seconds() == 2.5
        assert clock.rightNow == 2.5

    def test_callRunsWhenDue(self) -> None:
        """A call runs once its time has come, not before."""
        clock = Clock()
        calls: list[str] = []
        clock.callLater(3, calls.append, "x")
        clock.advance(2.999)
        assert calls == []
        clock.advance(0.001)
        assert calls == ["x"]
        assert clock.getDelayedCalls() == []

    def test_keywordArguments(self) -> None:
        """Keyword arguments are passed through."""
        clock = Clock()
        seen: list[Any] = []
        clock.callLater(0, lambda a, b: seen.append((a, b)), 1, b=2)
        clock.advance(0)
        assert seen == [(1, 2)]

    def test_sameTimeSchedulingOrder(self) -> None:
        """Calls due at the same time run in the order they were scheduled."""
        clock = Clock()
        order: list[int] = []
        for i in range(5):
            clock.callLater(1, order.append, i)
        clock.advance(1)
        assert order == [0, 1, 2, 3, 4]

    def test_orderByTime(self) -> None:
        """Calls run in time order regardless of scheduling order."""
        clock = Clock()
        order: list[int] = []
        clock.callLater(3, order.append, 3)
        clock.callLater(1, order.append, 1)
        clock.callLater(2, order.append, 2)
        clock.advance(10)
        assert order == [1, 2, 3]

    def test_callAddedDuringAdvanceRuns(self) -> None:
        """A call scheduled during advance that is already due runs in the same advance."""
        clock = Clock()
        order: list[str] = []

        def first() -> None:
            order.append("first")
            clock.callLater(0, order.append, "nested")

        clock.callLater(1, first)
        clock.advance(1)
        assert order == ["first", "nested"]

    def test_callAddedDuringAdvanceLater(self) -> None:
        """A call scheduled during advance counts from the advanced time and waits."""
        clock = Clock()
        order: list[str] = []
        clock.callLater(1, lambda: clock.callLater(1, order.append, "later"))
        clock.advance(1.5)
        assert order == []
        clock.advance(0.9)
        assert order == []
        clock.advance(0.1)
        assert order == ["later"]

    def test_exampleS1(self) -> None:
        """The callLater example prints its message 3.5 seconds later."""
        clock = Clock()
        printed: list[str] = []

        def f(s: str) -> None:
            printed.append(f"this will run 3.5 seconds after it was scheduled: {s}")

        clock.callLater(3.5, f, "hello, world")
        clock.advance(3.4)
        assert printed == []
        clock.advance(0.1)
        assert printed == ["this will run 3.5 seconds after it was scheduled: hello, world"]

    def test_pump(self) -> None:
        """pump advances by each amount in turn."""
        clock = Clock()
        times: list[float] = []
        for delay in (1, 2, 3):
            clock.callLater(delay, lambda: times.append(clock.seconds()))
        clock.pump([1, 1, 1])
        assert times == [1.0, 2.0, 3.0]

    def test_exceptionPropagates(self) -> None:
        """An exception from a call propagates out of advance."""
        clock = Clock()
        clock.callLater(0, lambda: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            clock.advance(0)

    def test_negativeDelay(self) -> None:
        """A negative or NaN delay is refused."""
        clock = Clock()
        with pytest.raises(ValueError):
            clock.callLater(-1, lambda: None)
        with pytest.raises(ValueError):
            clock.callLater(float("nan"), lambda: None)

    def test_notCallable(self) -> None:
        """A non-callable is refused."""
        with pytest.raises(TypeError):
            Clock().callLater(1, "nope")  # type: ignore[arg-type]

    def test_negativeAdvance(self) -> None:
        """Time cannot go backwards."""
        with pytest.raises(ValueError):
            Clock().advance(-1)


class DelayedCallTests:
    """DelayedCall: cancel, reset, delay, active, getTime."""

    def test_cancel(self) -> None:
        """A cancelled call never runs and is no longer active (S4)."""
        clock = Clock()
        printed: list[str] = []
        callID = clock.callLater(5, printed.append, "I'll never run.")
        callID.cancel()
        clock.advance(10)
        assert printed == []
        assert not callID.active()
        assert callID.cancelled

    def test_cancelTwice(self) -> None:
        """Cancelling twice raises AlreadyCancelled."""
        call = Clock().callLater(1, lambda: None)
        call.cancel()
        with pytest.raises(error.AlreadyCancelled):
            call.cancel()

    def test_cancelAfterCalled(self) -> None:
        """Cancelling a call that ran raises AlreadyCalled."""
        clock = Clock()
        call = clock.callLater(1, lambda: None)
        clock.advance(1)
        assert call.called
        with pytest.raises(error.AlreadyCalled):
            call.cancel()
        with pytest.raises(error.AlreadyCalled):
            call.reset(1)
        with pytest.raises(error.AlreadyCalled):
            call.delay(1)

    def test_resetAfterCancel(self) -> None:
        """Resetting or delaying a cancelled call raises AlreadyCancelled."""
        call = Clock().callLater(1, lambda: None)
        call.cancel()
        with pytest.raises(error.AlreadyCancelled):
            call.reset(1)
        with pytest.raises(error.AlreadyCancelled):
            call.delay(1)

    def test_resetLater(self) -> None:
        """reset moves the call to secondsFromNow after the current time."""
        clock = Clock()
        ran: list[float] = []
        call = clock.callLater(2, lambda: ran.append(clock.seconds()))
        clock.advance(1)
        call.reset(3)
        assert call.getTime() == 4
        clock.advance(2.5)
        assert ran == []
        clock.advance(0.5)
        assert ran == [4.0]

    def test_resetEarlier(self) -> None:
        """reset can bring a call forward."""
        clock = Clock()
        ran: list[float] = []
        call = clock.callLater(10, lambda: ran.append(clock.seconds()))
        call.reset(1)
        clock.advance(1)
        assert ran == [1.0]

    def test_delay(self) -> None:
        """delay pushes the call back by the given seconds."""
        clock = Clock()
        ran: list[float] = []
        call = clock.callLater(1, lambda: ran.append(clock.seconds()))
        call.delay(2)
        assert call.getTime() == 3
        clock.advance(2)
        assert ran == []
        clock.advance(1)
        assert ran == [3.0]

    def test_negativeDelayBringsForward(self) -> None:
        """A negative delay brings the call forward."""
        clock = Clock()
        call = clock.callLater(5, lambda: None)
        call.delay(-3)
        assert call.getTime() == 2
        clock.advance(2)
        assert call.called

    def test_repr(self) -> None:
        """The repr shows the remaining time, state and the call."""
        clock = Clock()

        def hello(a: int, b: int = 0) -> None:
            """Do nothing."""

        call = clock.callLater(1.5, hello, 1, b=2)
        text = repr(call)
        assert text.startswith("<DelayedCall 0x")
        assert "[1.5s]" in text
        assert "called=0 cancelled=0" in text
        assert "hello(1, b=2)" in text

    def test_debugRecordsCreator(self) -> None:
        """With DelayedCall.debug set, the repr includes the creation stack."""
        DelayedCall.debug = True
        try:
            call = Clock().callLater(1, lambda: None)
        finally:
            DelayedCall.debug = False
        assert "traceback at creation" in repr(call)

    def test_ordering(self) -> None:
        """Calls order by time for heaps."""
        clock = Clock()
        early = clock.callLater(1, lambda: None)
        late = clock.callLater(2, lambda: None)
        assert early < late
        assert early <= late
        assert not late < early

    def test_reactorStyleCanceller(self) -> None:
        """A DelayedCall built by hand calls its canceller and resetter."""
        events: list[str] = []
        now = [0.0]
        call = DelayedCall(
            5.0,
            lambda: None,
            (),
            {},
            lambda c: events.append("cancel"),
            lambda c: events.append("reset"),
            lambda: now[0],
        )
        call.reset(1)
        call.cancel()
        assert events == ["reset", "cancel"]


class LoopingCallTests:
    """LoopingCall calls a function on an interval grid."""

    def _loop(self, f: Callable[..., object], *a: Any) -> tuple[LoopingCall, Clock]:
        """A LoopingCall of f on a fresh Clock."""
        loop = LoopingCall(f, *a)
        clock = Clock()
        loop.clock = clock
        return loop, clock

    def test_startNow(self) -> None:
        """start(interval) calls immediately, then every interval."""
        calls: list[float] = []
        loop, clock = self._loop(lambda: calls.append(clock.seconds()))
        loop.start(1.0)
        assert calls == [0.0]
        clock.pump([1, 1, 1])
        assert calls == [0.0, 1.0, 2.0, 3.0]
        assert loop.running
        assert loop.interval == 1.0

    def test_startNotNow(self) -> None:
        """start(interval, now=False) waits one interval first."""
        calls: list[float] = []
        loop, clock = self._loop(lambda: calls.append(clock.seconds()))
        loop.start(2, now=False)
        assert calls == []
        clock.advance(2)
        assert calls == [2.0]

    def test_stopFiresDeferred(self) -> None:
        """stop() fires the start Deferred with the LoopingCall and cancels the next call."""
        loop, clock = self._loop(lambda: None)
        d = loop.start(1)
        assert loop.deferred is d
        loop.stop()
        assert _result(d) is loop
        assert not loop.running
        assert clock.getDelayedCalls() == []
        assert loop.deferred is None

    def test_exampleS3(self) -> None:
        """The scheduling example prints three ticks and then Loop done."""
        printed: list[str] = []
        counter = [0]

        def runEverySecond() -> None:
            if counter[0] < 3:
                counter[0] += 1
                printed.append("A new second has passed.")
                return
            loop.stop()

        loop, clock = self._loop(runEverySecond)
        d = loop.start(1.0)
        d.addCallback(lambda ignored: printed.append("Loop done."))
        clock.pump([1] * 5)
        assert printed == ["A new second has passed."] * 3 + ["Loop done."]

    def test_exampleS3Failure(self) -> None:
        """With failInTheEnd the loop errbacks with a brief traceback of the failure."""
        counter = [0]

        def runEverySecond() -> None:
            if counter[0] < 3:
                counter[0] += 1
                return
            raise Exception("Failure during loop execution.")

        loop, clock = self._loop(runEverySecond)
        d = loop.start(1.0)
        clock.pump([1] * 5)
        failure = _result(d)
        assert isinstance(failure, Failure)
        assert "Failure during loop execution." in failure.getBriefTraceback()
        assert not loop.running
        assert clock.getDelayedCalls() == []

    def test_waitsForDeferred(self) -> None:
        """A Deferred returned by the function delays the next call until it fires."""
        pending: list[Deferred[None]] = []
        calls: list[float] = []

        def f() -> Deferred[None]:
            calls.append(clock.seconds())
            d: Deferred[None] = Deferred()
            pending.append(d)
            return d

        loop, clock = self._loop(f)
        loop.start(1)
        clock.advance(5)
        assert calls == [0.0]
        clock.advance(0.5)
        pending[0].callback(None)
        clock.advance(0.5)
        assert calls == [0.0, 6.0]

    def test_deferredFailureErrbacks(self) -> None:
        """A failing Deferred from the function stops the loop with that failure."""
        loop, _clock = self._loop(lambda: Deferred.fromCoroutine(_raiser()))
        d = loop.start(1)
        failure = _result(d)
        assert failure.check(ValueError)
        assert not loop.running

    def test_stopWhileWaiting(self) -> None:
        """Stopping while the function's Deferred is pending fires when it fires."""
        pending: Deferred[None] = Deferred()
        loop, _clock = self._loop(lambda: pending)
        d = loop.start(1)
        loop.stop()
        fired: list[Any] = []
        d.addCallback(fired.append)
        assert fired == []
        pending.callback(None)
        assert fired == [loop]

    def test_skippedIntervals(self) -> None:
        """After an overrun the next call is at the next interval boundary."""
        calls: list[float] = []
        loop, clock = self._loop(lambda: calls.append(clock.seconds()))
        loop.start(1.0)
        clock.advance(3.5)
        assert calls == [0.0, 3.5]
        clock.advance(0.5)
        assert calls == [0.0, 3.5, 4.0]

    def test_withCount(self) -> None:
        """withCount passes the number of intervals elapsed, counting skipped ones."""
        counts: list[int] = []
        loop = LoopingCall.withCount(counts.append)
        clock = Clock()
        loop.clock = clock
        loop.start(1.0)
        assert counts == [1]
        clock.advance(1)
        assert counts == [1, 1]
        clock.advance(3)
        assert counts == [1, 1, 3]
        clock.advance(1)
        assert counts == [1, 1, 3, 1]

    def test_withCountNotNow(self) -> None:
        """With now=False the first count is 1 after one interval."""
        counts: list[int] = []
        loop = LoopingCall.withCount(counts.append)
        clock = Clock()
        loop.clock = clock
        loop.start(2.0, now=False)
        clock.advance(2)
        assert counts == [1]

    def test_withCountZeroInterval(self) -> None:
        """With a zero interval the count is always 1."""
        counts: list[int] = []
        loop = LoopingCall.withCount(counts.append)
        clock = Clock()
        loop.clock = clock
        loop.start(0)
        assert counts == [1]
        # Running the zero-delay call by hand is one more iteration.
        (call,) = clock.getDelayedCalls()
        clock.calls.remove(call)
        call.func()
        assert counts == [1, 1]
        loop.stop()

    def test_zeroInterval(self) -> None:
        """A zero interval reschedules with zero delay."""
        calls: list[float] = []
        loop, clock = self._loop(lambda: calls.append(clock.seconds()))
        loop.start(0)
        assert [c.getTime() for c in clock.getDelayedCalls()] == [0.0]
        loop.stop()

    def test_reset(self) -> None:
        """reset restarts the grid from now."""
        calls: list[float] = []
        loop, clock = self._loop(lambda: calls.append(clock.seconds()))
        loop.start(2)
        clock.advance(1.5)
        loop.reset()
        clock.advance(1)
        assert calls == [0.0]
        clock.advance(1)
        assert calls == [0.0, 3.5]

    def test_startTwice(self) -> None:
        """Starting a running loop raises RuntimeError."""
        loop, _clock = self._loop(lambda: None)
        loop.start(1)
        with pytest.raises(RuntimeError):
            loop.start(1)

    def test_stopNotRunning(self) -> None:
        """Stopping or resetting a loop that is not running raises RuntimeError."""
        loop, _clock = self._loop(lambda: None)
        with pytest.raises(RuntimeError):
            loop.stop()
        with pytest.raises(RuntimeError):
            loop.reset()

    def test_negativeInterval(self) -> None:
        """A negative interval is refused."""
        loop, _clock = self._loop(lambda: None)
        with pytest.raises(ValueError):
            loop.start(-1)
        assert not loop.running

    def test_arguments(self) -> None:
        """Positional and keyword arguments reach the function."""
        seen: list[Any] = []
        loop = LoopingCall(lambda a, b: seen.append((a, b)), 1, b=2)
        loop.clock = Clock()
        loop.start(1)
        assert seen == [(1, 2)]
        assert loop.f is not None and loop.a == (1,) and loop.kw == {"b": 2}

    def test_repr(self) -> None:
        """The repr shows the interval and the function."""

        def tick() -> None:
            """Do nothing."""

        loop, _clock = self._loop(tick)
        loop.start(3)
        assert repr(loop).startswith("LoopingCall<3>(")
        assert "tick" in repr(loop)

    def test_largeTimes(self) -> None:
        """At very large clock values the loop still moves forward."""
        calls: list[float] = []
        loop, clock = self._loop(lambda: calls.append(clock.seconds()))
        clock.advance(2.0**52)
        loop.start(0.25)
        clock.advance(1)
        assert len(calls) >= 2


async def _raiser() -> None:
    """Fail asynchronously."""
    raise ValueError("async failure")


class DeferLaterTests:
    """deferLater gives a Deferred of a delayed call."""

    def test_exampleS2(self) -> None:
        """The scheduling example's message arrives after 3.5 seconds."""
        clock = Clock()
        printed: list[str] = []

        def f(s: str) -> str:
            return f"This will run 3.5 seconds after it was scheduled: {s}"

        d = deferLater(clock, 3.5, f, "hello, world")
        d.addCallback(printed.append)
        clock.advance(3.4)
        assert printed == []
        clock.advance(0.1)
        assert printed == ["This will run 3.5 seconds after it was scheduled: hello, world"]

    def test_noCallable(self) -> None:
        """Without a callable the Deferred fires with None after the delay."""
        clock = Clock()
        d = deferLater(clock, 1)
        clock.advance(1)
        assert _result(d) is None

    def test_exception(self) -> None:
        """An exception from the callable fails the Deferred."""
        clock = Clock()
        d = deferLater(clock, 1, lambda: 1 / 0)
        clock.advance(1)
        assert _result(d).check(ZeroDivisionError)

    def test_cancel(self) -> None:
        """Cancelling cancels the delayed call and fails with CancelledError."""
        clock = Clock()
        called: list[int] = []
        d = deferLater(clock, 1, called.append, 1)
        d.cancel()
        assert clock.getDelayedCalls() == []
        assert _result(d).check(CancelledError)
        clock.advance(2)
        assert called == []

    def test_callableReturnsDeferred(self) -> None:
        """A Deferred returned by the callable is chained."""
        clock = Clock()
        inner: Deferred[str] = Deferred()
        d = deferLater(clock, 1, lambda: inner)
        clock.advance(1)
        results: list[str] = []
        d.addCallback(results.append)
        inner.callback("done")
        assert results == ["done"]


class FakeReactor(Clock):
    """A Clock with the IReactorCore subset react() uses."""

    def __init__(self) -> None:
        super().__init__()
        self.running = False
        self.hasRun = False
        self.stopCount = 0
        self.whenRunning: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
        self.triggers: list[tuple[str, str, Callable[..., Any], tuple[Any, ...]]] = []
        self.steps: list[float] = []

    def addSystemEventTrigger(
        self, phase: str, event: str, f: Callable[..., Any], *args: Any
    ) -> None:
        """Record a trigger."""
        self.triggers.append((phase, event, f, args))

    def callWhenRunning(self, f: Callable[..., Any], *args: Any) -> None:
        """Run now if running, else at run()."""
        if self.running:
            f(*args)
        else:
            self.whenRunning.append((f, args))

    def run(self) -> None:
        """Run hooks, then advance through the planned steps while running."""
        self.running = True
        self.hasRun = True
        for f, args in self.whenRunning:
            f(*args)
        for step in self.steps:
            if not self.running:
                break
            self.advance(step)

    def stop(self) -> None:
        """Stop, firing before-shutdown triggers; ReactorNotRunning if stopped."""
        if not self.running:
            raise error.ReactorNotRunning()
        self.stopCount += 1
        for phase, event, f, args in self.triggers:
            if (phase, event) == ("before", "shutdown"):
                f(*args)
        self.running = False


class ReactTests:
    """react runs main in the reactor and exits with its outcome."""

    def test_success(self) -> None:
        """A Deferred firing successfully stops the reactor and exits 0."""
        reactor = FakeReactor()
        reactor.steps = [1, 1]

        def main(r: FakeReactor) -> Deferred[Any]:
            return deferLater(r, 1)

        with pytest.raises(SystemExit) as info:
            task.react(main, _reactor=reactor)
        assert info.value.code == 0
        assert reactor.stopCount == 1
        assert reactor.seconds() == 1

    def test_argv(self) -> None:
        """argv elements are passed after the reactor."""
        reactor = FakeReactor()
        seen: list[Any] = []

        def main(r: FakeReactor, a: str, b: str) -> Deferred[None]:
            seen.append((r, a, b))
            return succeed(None)

        with pytest.raises(SystemExit):
            task.react(main, ["x", "y"], _reactor=reactor)
        assert seen == [(reactor, "x", "y")]

    def test_failure(self) -> None:
        """A failure is logged and exits with code 1."""
        reactor = FakeReactor()

        def main(r: FakeReactor) -> Deferred[None]:
            return Deferred.fromCoroutine(_raiser())

        with capturedLogs() as events, pytest.raises(SystemExit) as info:
            task.react(main, _reactor=reactor)
        assert info.value.code == 1
        logged = [e for e in events if e.get("log_failure") is not None]
        assert len(logged) == 1
        assert logged[0]["log_failure"].check(ValueError)
        assert logged[0]["log_format"] == "main function encountered error"

    def test_synchronousException(self) -> None:
        """main raising synchronously exits with code 1."""
        reactor = FakeReactor()

        def main(r: FakeReactor) -> None:
            raise RuntimeError("boom")

        with capturedLogs(), pytest.raises(SystemExit) as info:
            task.react(main, _reactor=reactor)
        assert info.value.code == 1

    def test_systemExitCode(self) -> None:
        """A SystemExit failure's code becomes the exit code."""
        reactor = FakeReactor()

        def main(r: FakeReactor) -> None:
            raise SystemExit(7)

        with pytest.raises(SystemExit) as info:
            task.react(main, _reactor=reactor)
        assert info.value.code == 7

    def test_coroutine(self) -> None:
        """An async main is run as a coroutine."""
        reactor = FakeReactor()
        reactor.steps = [2]
        seen: list[str] = []

        async def main(r: FakeReactor) -> None:
            await deferLater(r, 2)
            seen.append("done")

        with pytest.raises(SystemExit) as info:
            task.react(main, _reactor=reactor)
        assert info.value.code == 0
        assert seen == ["done"]

    def test_stoppedElsewhere(self) -> None:
        """If the reactor is stopped by something else first, the exit code is 0."""
        reactor = FakeReactor()
        reactor.steps = [1]
        pending: Deferred[None] = Deferred()

        def main(r: FakeReactor) -> Deferred[None]:
            r.callLater(1, r.stop)
            return pending

        with pytest.raises(SystemExit) as info:
            task.react(main, _reactor=reactor)
        assert info.value.code == 0
        pending.callback(None)
        assert reactor.stopCount == 1

    def test_memoryReactor(self) -> None:
        """react works with MemoryReactorClock from netframe.core.testing."""
        from netframe.core.testing import MemoryReactorClock

        reactor = MemoryReactorClock()
        with pytest.raises(SystemExit) as info:
            task.react(lambda r: succeed(None), _reactor=reactor)
        assert info.value.code == 0
        assert reactor.hasRun and reactor.hasStopped


class PublicNamesTests:
    """task's public names claim the public module."""

    def test_modules(self) -> None:
        """Each exported class or function reports netframe.core.task."""
        for name in task.__all__:
            assert getattr(task, name).__module__ == "netframe.core.task"
