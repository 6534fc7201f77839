"""
L{LoopingCall}, L{deferLater} and L{react}.

Implementation module of L{netframe.core.task}; import the names from there.
"""

from __future__ import annotations

import importlib
import inspect
import math
import sys
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn, Optional, TypeVar

from netframe.core.defer import Deferred, ensureDeferred, maybeDeferred
from netframe.core.error import ReactorNotRunning
from netframe.core.failure import Failure
from netframe.core.interfaces import IDelayedCall, IReactorTime
from netframe.logger import Logger

__all__ = ["LoopingCall", "deferLater", "react"]

_log = Logger(namespace="netframe.core.task")

_T = TypeVar("_T")


def _globalReactor() -> Any:
    """
    Import the global reactor (installing the default one if need be).

    @return: The global reactor.
    """
    return importlib.import_module("netframe.core.reactor")


class LoopingCall:
    """
    Call a function repeatedly, every C{interval} seconds.

    C{start(interval)} returns a Deferred that fires with this object when
    L{stop} is called, or fails with the exception if the function raises or
    its Deferred fails (the loop then stops). If the function returns a
    Deferred the next call is scheduled only after it fires. Calls stay on
    the grid C{starttime + n * interval}: when a call overran one or more
    intervals, those intervals are skipped and the next call happens at the
    next grid point (use L{withCount} to learn how many passed).

    @ivar f: The function called.
    @ivar a: Its positional arguments.
    @ivar kw: Its keyword arguments.
    @ivar running: Whether the loop is started.
    @ivar interval: The interval given to L{start}, or C{None}.
    @ivar starttime: The time the loop started (or was L{reset}).
    @ivar call: The L{IDelayedCall} of the next run, when one is scheduled.
    """

    def __init__(self, f: Callable[..., object], *a: Any, **kw: Any) -> None:
        """
        @param f: The function to call on each iteration.
        @param a: Its positional arguments.
        @param kw: Its keyword arguments.
        """
        self.f = f
        self.a = a
        self.kw = kw
        self.running = False
        self.interval: Optional[float] = None
        self.starttime: Optional[float] = None
        self.call: Optional[IDelayedCall] = None
        self._deferred: Optional[Deferred[LoopingCall]] = None
        self._runAtStart = False
        self._clock: Optional[IReactorTime] = None

    @property
    def clock(self) -> IReactorTime:
        """
        The L{IReactorTime} the loop schedules on; the global reactor unless set.

        Assign a L{Clock} here in tests before calling L{start}.
        """
        if self._clock is None:
            self._clock = _globalReactor()
        assert self._clock is not None
        return self._clock

    @clock.setter
    def clock(self, value: IReactorTime) -> None:
        """
        @param value: The scheduler to use.
        """
        self._clock = value

    @property
    def deferred(self) -> Optional[Deferred[LoopingCall]]:
        """
        The Deferred L{start} returned while the loop runs, else C{None}.
        """
        return self._deferred

    @classmethod
    def withCount(cls, countCallable: Callable[[int], object]) -> LoopingCall:
        """
        Make a loop that passes the number of elapsed intervals to its function.

        The count is 1 when the call is on time and larger when intervals were
        skipped (the clock jumped or a previous call overran). With an
        interval of 0 it is always 1.

        @param countCallable: Called with the count on each iteration.
        @return: A new, not started, L{LoopingCall}.
        """
        lastTime: list[Optional[float]] = [None]

        def counter() -> object:
            now = loop.clock.seconds()
            interval = loop.interval
            assert interval is not None and loop.starttime is not None
            if interval == 0:
                lastTime[0] = now
                return countCallable(1)
            last = lastTime[0]
            if last is None:
                last = loop.starttime
                if loop._runAtStart:
                    last -= interval
            count = loop._intervalOf(now) - loop._intervalOf(last)
            if count > 0:
                lastTime[0] = now
                return countCallable(count)
            return None

        loop = cls(counter)
        return loop

    def _intervalOf(self, when: float) -> int:
        """
        @param when: A time on the clock.
        @return: The number of the interval C{when} falls in, counted from
            C{starttime}.
        """
        assert self.interval and self.starttime is not None
        return math.floor((when - self.starttime) / self.interval)

    def start(self, interval: float, now: bool = True) -> Deferred[LoopingCall]:
        """
        Start calling the function every C{interval} seconds.

        @param interval: Seconds between calls (0 means as often as possible:
            each call is scheduled with a zero delay).
        @param now: Whether to make the first call immediately rather than
            after one interval.
        @return: A Deferred firing with this loop when it is stopped, or
            failing with the function's error.
        @raise RuntimeError: If the loop is already running.
        @raise ValueError: If C{interval} is negative or NaN.
        """
        if self.running:
            raise RuntimeError("Tried to start an already running LoopingCall.")
        if not interval >= 0:
            raise ValueError(f"interval must be >= 0, not {interval!r}")
        self.running = True
        deferred: Deferred[LoopingCall] = Deferred()
        self._deferred = deferred
        self.starttime = self.clock.seconds()
        self.interval = interval
        self._runAtStart = now
        if now:
            self()
        else:
            self._scheduleFrom(self.starttime)
        return deferred

    def stop(self) -> None:
        """
        Stop the loop; the Deferred from L{start} fires with this loop.

        If the function's Deferred is still pending, the loop's Deferred
        fires once it does.

        @raise RuntimeError: If the loop is not running.
        """
        if not self.running:
            raise RuntimeError("Tried to stop a LoopingCall that was not running.")
        self.running = False
        if self.call is not None:
            self.call.cancel()
            self.call = None
            deferred, self._deferred = self._deferred, None
            assert deferred is not None
            deferred.callback(self)

    def reset(self) -> None:
        """
        Restart the interval grid from now: the next call is one interval away.

        @raise RuntimeError: If the loop is not running.
        """
        if not self.running:
            raise RuntimeError("Tried to reset a LoopingCall that was not running.")
        if self.call is not None:
            self.call.cancel()
            self.call = None
            self.starttime = self.clock.seconds()
            self._scheduleFrom(self.starttime)

    def __call__(self) -> None:
        """
        Run one iteration now and schedule the next (used by the scheduler).
        """
        self.call = None
        result = maybeDeferred(self.f, *self.a, **self.kw)
        result.addCallback(self._iterationDone)
        result.addErrback(self._iterationFailed)

    def _iterationDone(self, result: object) -> None:
        """
        Schedule the next iteration, or finish if stopped meanwhile.

        @param result: The function's result (ignored).
        """
        if self.running:
            self._scheduleFrom(self.clock.seconds())
        else:
            deferred, self._deferred = self._deferred, None
            if deferred is not None:
                deferred.callback(self)

    def _iterationFailed(self, failure: Failure) -> None:
        """
        Stop the loop and fail its Deferred.

        @param failure: What the function raised.
        """
        self.running = False
        deferred, self._deferred = self._deferred, None
        if deferred is not None:
            deferred.errback(failure)

    def _scheduleFrom(self, when: float) -> None:
        """
        Schedule the next iteration at the first grid point after C{when}.

        @param when: The time the previous iteration ended.
        """
        interval = self.interval
        assert interval is not None and self.starttime is not None
        if interval == 0:
            delay = 0.0
        else:
            elapsed = when - self.starttime
            delay = interval - (elapsed % interval)
            if when + delay <= when:
                # The float resolution at ``when`` swallows the remainder: wait
                # at least one interval and at least one representable step, so
                # time always moves forward.
                delay = max(interval, math.ulp(when))
        self.call = self.clock.callLater(delay, self)

    def __repr__(self) -> str:
        """
        @return: C{"LoopingCall<interval>(function, *args, **kwargs)"}.
        """
        name = getattr(self.f, "__qualname__", None) or repr(self.f)
        return f"LoopingCall<{self.interval!r}>({name}, *{self.a!r}, **{self.kw!r})"


def deferLater(
    clock: IReactorTime,
    delay: float,
    callable: Optional[Callable[..., Any]] = None,
    *args: Any,
    **kw: Any,
) -> Deferred[Any]:
    """
    Call C{callable(*args, **kw)} after C{delay} seconds, with a Deferred result.

    @param clock: The L{IReactorTime} to schedule on (the reactor or a Clock).
    @param delay: Seconds to wait.
    @param callable: What to call; C{None} just waits and fires with C{None}.
    @param args: Its positional arguments.
    @param kw: Its keyword arguments.
    @return: A Deferred firing with the call's result (or failing with its
        exception, or waiting for its Deferred). Cancelling it before the
        delay expires cancels the scheduled call and fails it with
        L{CancelledError<netframe.core.defer.CancelledError>}.
    """

    def cancel(deferred: Deferred[Any]) -> None:
        if delayedCall.active():
            delayedCall.cancel()

    def run(ignored: object) -> Any:
        if callable is None:
            return None
        return callable(*args, **kw)

    deferred: Deferred[Any] = Deferred(cancel)
    deferred.addCallback(run)
    delayedCall = clock.callLater(delay, deferred.callback, None)
    return deferred


def react(
    main: Callable[..., Deferred[Any] | Coroutine[Any, Any, Any] | Any],
    argv: Any = (),
    _reactor: Any = None,
) -> NoReturn:
    """
    Run C{main(reactor, *argv)} in the reactor, then exit the process.

    The reactor runs until the Deferred (or coroutine) C{main} returns
    completes, then is stopped. The process exits with code 0 on success,
    with the code of a C{SystemExit} failure, or with 1 on any other failure
    (logged as C{"main function encountered error"}). If the reactor is
    stopped by something else first, the exit code is 0.

    @param main: Called with the reactor and C{argv}; may return a Deferred,
        a coroutine or a plain value.
    @param argv: Extra positional arguments for C{main}.
    @param _reactor: The reactor to use; the global reactor by default
        (for tests).
    @raise SystemExit: Always, once the reactor stopped.
    """
    reactor = _reactor if _reactor is not None else _globalReactor()
    codes = [0]
    stopping: list[bool] = []
    reactor.addSystemEventTrigger("before", "shutdown", stopping.append, True)

    def callMain() -> Any:
        result = main(reactor, *argv)
        if inspect.iscoroutine(result):
            return ensureDeferred(result)
        return result

    finished: Deferred[Any] = maybeDeferred(callMain)

    def stop(result: object, stopReactor: bool) -> None:
        if stopReactor:
            try:
                reactor.stop()
            except ReactorNotRunning:
                pass
        if isinstance(result, Failure):
            if result.check(SystemExit) is not None:
                code = getattr(result.value, "code", 1)
            else:
                _log.failure("main function encountered error", result)
                code = 1
            codes[0] = code

    def finish(result: object) -> None:
        if stopping:
            stop(result, False)
        else:
            reactor.callWhenRunning(stop, result, True)

    finished.addBoth(finish)
    reactor.run()
    sys.exit(codes[0])
