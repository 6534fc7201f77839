"""
L{DelayedCall} (what C{callLater} returns) and the deterministic L{Clock}.

Implementation module of L{netframe.core.task}; import the names from there.
Reactors reuse L{DelayedCall}: it only needs a canceller, a resetter and a
time source.
"""

from __future__ import annotations

import math
import time as _time
import traceback
from collections.abc import Callable
from typing import Any, Optional

from zope.interface import implementer

from netframe.core.error import AlreadyCalled, AlreadyCancelled
from netframe.core.interfaces import IDelayedCall, IReactorTime

__all__ = ["Clock", "DelayedCall"]


def _funcName(func: Any) -> str:
    """
    @param func: Any callable.
    @return: A readable name for it, for reprs.
    """
    name = getattr(func, "__qualname__", None)
    if name is None:
        name = getattr(func, "__name__", None)
    if name is None:
        return repr(func)
    owner = getattr(func, "__self__", None)
    if owner is not None and not isinstance(owner, type) and "." not in name:
        return f"{type(owner).__name__}.{name}"
    return str(name)


def _checkDelay(delay: float, func: object) -> None:
    """
    Validate the arguments of C{callLater}.

    @param delay: Seconds from now.
    @param func: What will be called.
    @raise TypeError: If C{func} is not callable or C{delay} not a number.
    @raise ValueError: If C{delay} is negative or NaN.
    """
    if not callable(func):
        raise TypeError(f"{func!r} is not callable")
    if not delay >= 0:
        raise ValueError(f"delay must be a non-negative number of seconds, not {delay!r}")


@implementer(IDelayedCall)
class DelayedCall:
    """
    A call scheduled for a later time; returned by C{callLater}.

    The scheduler owns the call: it runs C{func(*args, **kw)} once
    L{getTime} has come and marks C{called}. C{reset} and C{delay} move the
    call; moving it later only records C{delayed_time}, which
    L{activate_delay} folds into C{time} (so a heap needs no re-ordering until
    the original time comes).

    @cvar debug: When true, each call records the stack that created it and
        shows it in its repr.
    @ivar time: The scheduled time, without C{delayed_time}.
    @ivar delayed_time: Seconds the call was pushed back since scheduling.
    @ivar func: The callable (deleted once cancelled).
    @ivar args: Its positional arguments.
    @ivar kw: Its keyword arguments.
    @ivar called: C{1} once the scheduler ran it.
    @ivar cancelled: C{1} once cancelled.
    """

    __slots__ = (
        "args",
        "called",
        "cancelled",
        "canceller",
        "creator",
        "delayed_time",
        "func",
        "kw",
        "resetter",
        "seconds",
        "time",
    )

    debug = False

    def __init__(
        self,
        time: float,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kw: dict[str, Any],
        cancel: Callable[[DelayedCall], Any],
        reset: Callable[[DelayedCall], Any],
        seconds: Callable[[], float] = _time.monotonic,
    ) -> None:
        """
        @param time: The absolute time, on C{seconds}'s scale, to run at.
        @param func: The callable.
        @param args: Its positional arguments.
        @param kw: Its keyword arguments.
        @param cancel: Called with this call when it is cancelled, to
            unschedule it.
        @param reset: Called with this call when it moves earlier, to
            reschedule it.
        @param seconds: The time source C{reset} and C{delay} measure from.
        """
        self.time = time
        self.func = func
        self.args = args
        self.kw = kw
        self.canceller = cancel
        self.resetter = reset
        self.seconds = seconds
        self.cancelled = 0
        self.called = 0
        self.delayed_time = 0.0
        self.creator: Optional[list[str]] = traceback.format_stack()[:-2] if self.debug else None

    def getTime(self) -> float:
        """
        @return: The time at which the call will run, delays included.
        """
        return self.time + self.delayed_time

    def cancel(self) -> None:
        """
        Unschedule the call; it will never run.

        @raise AlreadyCancelled: If it was cancelled before.
        @raise AlreadyCalled: If it already ran.
        """
        if self.cancelled:
            raise AlreadyCancelled()
        if self.called:
            raise AlreadyCalled()
        self.canceller(self)
        self.cancelled = 1
        del self.func, self.args, self.kw

    def reset(self, secondsFromNow: float) -> None:
        """
        Reschedule the call to run C{secondsFromNow} seconds from now.

        @param secondsFromNow: The new delay, counted from now.
        @raise AlreadyCancelled: If it was cancelled.
        @raise AlreadyCalled: If it already ran.
        """
        if self.cancelled:
            raise AlreadyCancelled()
        if self.called:
            raise AlreadyCalled()
        newTime = self.seconds() + secondsFromNow
        if newTime < self.time:
            self.delayed_time = 0.0
            self.time = newTime
            self.resetter(self)
        else:
            self.delayed_time = newTime - self.time

    def delay(self, secondsLater: float) -> None:
        """
        Push the call back by C{secondsLater} seconds (negative brings it forward).

        @param secondsLater: Seconds to add to the scheduled time.
        @raise AlreadyCancelled: If it was cancelled.
        @raise AlreadyCalled: If it already ran.
        """
        if self.cancelled:
            raise AlreadyCancelled()
        if self.called:
            raise AlreadyCalled()
        self.delayed_time += secondsLater
        if self.delayed_time < 0:
            self.activate_delay()
            self.resetter(self)

    def activate_delay(self) -> None:
        """
        Fold C{delayed_time} into C{time}.
        """
        self.time += self.delayed_time
        self.delayed_time = 0.0

    def active(self) -> bool:
        """
        @return: Whether the call is still scheduled (neither run nor cancelled).
        """
        return not (self.cancelled or self.called)

    def __le__(self, other: DelayedCall) -> bool:
        """
        Order by scheduled time (without delays), for heaps.

        @param other: Another call.
        @return: Whether this one is scheduled no later.
        """
        return self.time <= other.time

    def __lt__(self, other: DelayedCall) -> bool:
        """
        Order by scheduled time (without delays), for heaps.

        @param other: Another call.
        @return: Whether this one is scheduled earlier.
        """
        return self.time < other.time

    def __repr__(self) -> str:
        """
        @return: C{"<DelayedCall 0x... [1.5s] called=0 cancelled=0 f(1, a=2)>"},
            seconds counted from now, with the creation stack when C{debug}.
        """
        try:
            remaining = self.getTime() - self.seconds()
        except Exception:
            remaining = math.nan
        text = (
            f"<DelayedCall 0x{id(self):x} [{remaining}s] "
            f"called={self.called} cancelled={self.cancelled}"
        )
        if not self.cancelled and hasattr(self, "func"):
            arguments = [repr(arg) for arg in self.args]
            arguments.extend(f"{key}={value!r}" for key, value in self.kw.items())
            text += f" {_funcName(self.func)}({', '.join(arguments)})"
        if self.creator is not None:
            text += "\n\ntraceback at creation:\n\n" + "    ".join(self.creator)
        return text + ">"

    __str__ = __repr__


def _noReset(call: DelayedCall) -> None:
    """
    The resetter a L{Clock} gives its calls: the list is sorted on advance.

    @param call: The call that moved.
    """


@implementer(IReactorTime)
class Clock:
    """
    A fake L{IReactorTime} for tests: time only moves when told to.

    Give it (or its C{callLater}) to the code under test instead of the
    reactor, then call L{advance}. Calls due at the same time run in the order
    they were scheduled; a call scheduled while advancing that is already due
    runs in the same C{advance}. Exceptions raised by a call propagate out of
    C{advance}.

    @ivar rightNow: The current fake time, in seconds (starts at 0.0).
    @ivar calls: The pending L{DelayedCall}s, earliest first.
    """

    rightNow: float = 0.0

    def __init__(self) -> None:
        """
        Make a clock at time 0.0 with nothing scheduled.
        """
        self.calls: list[DelayedCall] = []

    def seconds(self) -> float:
        """
        @return: The current fake time.
        """
        return self.rightNow

    def _sortCalls(self) -> None:
        """
        Sort the pending calls by time, keeping scheduling order for ties.
        """
        self.calls.sort(key=DelayedCall.getTime)

    def callLater(
        self, delay: float, callable: Callable[..., Any], *args: Any, **kw: Any
    ) -> DelayedCall:
        """
        Schedule C{callable(*args, **kw)} to run C{delay} fake seconds from now.

        @param delay: Seconds from the current fake time.
        @param callable: What to call.
        @param args: Its positional arguments.
        @param kw: Its keyword arguments.
        @return: The scheduled call.
        @raise TypeError: If C{callable} is not callable or C{delay} not a number.
        @raise ValueError: If C{delay} is negative or NaN.
        """
        _checkDelay(delay, callable)
        call = DelayedCall(
            self.rightNow + delay, callable, args, kw, self.calls.remove, _noReset, self.seconds
        )
        self.calls.append(call)
        self._sortCalls()
        return call

    def getDelayedCalls(self) -> list[DelayedCall]:
        """
        @return: The pending calls, earliest first (the live list).
        """
        return self.calls

    def advance(self, amount: float) -> None:
        """
        Move time forward by C{amount} seconds and run every call now due.

        @param amount: Seconds to add; may be 0 to run calls due now.
        @raise ValueError: If C{amount} is negative or NaN.
        """
        if not amount >= 0:
            raise ValueError(f"cannot advance a Clock by {amount!r} seconds")
        self.rightNow += amount
        calls = self.calls
        self._sortCalls()
        while calls and calls[0].getTime() <= self.rightNow:
            call = calls.pop(0)
            call.called = 1
            call.func(*call.args, **call.kw)
            self._sortCalls()

    def pump(self, timings: Any) -> None:
        """
        Advance by each amount in turn, running due calls after each step.

        @param timings: An iterable of amounts of seconds.
        """
        for amount in timings:
            self.advance(amount)
