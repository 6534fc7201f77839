"""
Time-based policies: L{TimeoutMixin}, L{TimeoutProtocol}, L{TimeoutFactory}.

Implementation module of L{netframe.core.protocols.policies}; import the
names from there. Nothing here imports the global reactor until a timer is
actually scheduled without an injected clock.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Optional

from netframe.core._protocol import connectionDone
from netframe.core.error import AlreadyCalled, AlreadyCancelled
from netframe.core.failure import Failure
from netframe.core.interfaces import IDelayedCall, IReactorTime
from netframe.core.protocols._policies import ProtocolWrapper, WrappingFactory
from netframe.logger import Logger

__all__ = ["TimeoutFactory", "TimeoutMixin", "TimeoutProtocol"]

_log = Logger(namespace="netframe.core.protocols.policies")


def _globalReactor() -> IReactorTime:
    """
    Import (and so install, if needed) the global reactor.

    @return: The global reactor.
    """
    reactor: Any = importlib.import_module("netframe.core.reactor")
    return reactor  # type: ignore[no-any-return]


def _cancelQuietly(call: Optional[IDelayedCall]) -> None:
    """
    Cancel a delayed call unless it already ran or was cancelled.

    @param call: The call, or C{None}.
    """
    if call is not None:
        try:
            call.cancel()
        except (AlreadyCalled, AlreadyCancelled):
            pass


class _Clocked:
    """
    Gives a class a C{callLater} on an injectable clock.

    @ivar clock: The L{IReactorTime} timers are scheduled on; C{None} means
        the global reactor, imported on first use.
    """

    clock: Optional[IReactorTime] = None

    def callLater(self, period: float, func: Callable[..., Any], *args: Any) -> IDelayedCall:
        """
        Schedule C{func(*args)} in C{period} seconds on C{clock}.

        @param period: The delay in seconds.
        @param func: The callable.
        @param args: Its positional arguments.
        @return: The delayed call.
        """
        clock = self.clock
        if clock is None:
            clock = self.clock = _globalReactor()
        return clock.callLater(period, func, *args)


class TimeoutMixin:
    """
    Mixin for protocols that close their connection after a quiet period.

    Call L{setTimeout} (usually in C{connectionMade}) to arm the timer,
    L{resetTimeout} whenever meaningful input arrives, and C{setTimeout(None)}
    in C{connectionLost}. When the period passes without a reset,
    L{timeoutConnection} is called; by default it closes the connection with
    C{transport.loseConnection()}.

    The protocol decides what counts as activity: one that resets only on
    complete lines cuts a client that dribbles a byte at a time without ever
    finishing a line (slowloris).

    Timers are scheduled with L{callLater}, which uses the global reactor;
    tests replace it, e.g. C{protocol.callLater = clock.callLater}.

    @cvar timeOut: The current period in seconds, or C{None} when disarmed.
    """

    timeOut: Optional[float] = None
    __timeoutCall: Optional[IDelayedCall] = None

    def callLater(self, period: float, func: Callable[..., Any], /) -> IDelayedCall:
        """
        Schedule C{func} in C{period} seconds on the global reactor.

        Override (or replace on the instance) to use another clock.  The
        parameters are positional-only, so a type checker accepts any
        C{callLater} (such as a L{netframe.core.task.Clock}'s) as the replacement.

        @param period: The delay in seconds.
        @param func: The callable.
        @return: The delayed call.
        """
        return _globalReactor().callLater(period, func)

    def resetTimeout(self) -> None:
        """
        Restart the countdown from the full period.

        Does nothing when no timeout is armed, or after it fired.
        """
        call = self.__timeoutCall
        if call is not None and self.timeOut is not None:
            call.reset(self.timeOut)

    def setTimeout(self, period: Optional[float]) -> Optional[float]:
        """
        Change the timeout period, arming or disarming the timer.

        The countdown restarts from C{period}.

        @param period: Seconds of quiet allowed, or C{None} to disarm.
        @return: The previous period (C{None} if none was set).
        @raise ValueError: If C{period} is negative.
        """
        if period is not None and period < 0:
            raise ValueError(f"timeout period must be >= 0 or None, not {period!r}")
        previous = self.timeOut
        self.timeOut = period
        call = self.__timeoutCall
        if call is not None:
            if period is None:
                _cancelQuietly(call)
                self.__timeoutCall = None
            else:
                try:
                    call.reset(period)
                except (AlreadyCalled, AlreadyCancelled):
                    self.__timeoutCall = self.callLater(period, self.__timedOut)
        elif period is not None:
            self.__timeoutCall = self.callLater(period, self.__timedOut)
        return previous

    def __timedOut(self) -> None:
        """
        The timer fired: forget it and call L{timeoutConnection}.
        """
        self.__timeoutCall = None
        self.timeoutConnection()

    def timeoutConnection(self) -> None:
        """
        Called when the period passed without a reset.

        The default closes the connection (C{transport.loseConnection()});
        override to do something else first or instead.
        """
        transport: Any = getattr(self, "transport", None)
        if transport is not None:
            transport.loseConnection()


class TimeoutProtocol(ProtocolWrapper):
    """
    A wrapper that closes the connection after a period without traffic.

    Any data received or written restarts the countdown. The timer starts
    when the wrapper is built.

    @ivar timeoutPeriod: The period in seconds, or C{None} when disarmed.
    @ivar timeoutCall: The pending timer, or C{None}.
    """

    factory: Any

    def __init__(self, factory: Any, wrappedProtocol: Any, timeoutPeriod: Optional[float]) -> None:
        """
        @param factory: The L{TimeoutFactory}; its C{callLater} schedules
            the timer.
        @param wrappedProtocol: The protocol to wrap.
        @param timeoutPeriod: Seconds of quiet allowed, or C{None}.
        """
        ProtocolWrapper.__init__(self, factory, wrappedProtocol)
        self.timeoutCall: Optional[IDelayedCall] = None
        self.timeoutPeriod: Optional[float] = None
        self.setTimeout(timeoutPeriod)

    def setTimeout(self, timeoutPeriod: Optional[float] = None) -> None:
        """
        Cancel any pending timer and, unless C{None}, start a new one.

        @param timeoutPeriod: Seconds of quiet allowed, or C{None} to disarm.
        """
        self.cancelTimeout()
        self.timeoutPeriod = timeoutPeriod
        if timeoutPeriod is not None:
            self.timeoutCall = self.factory.callLater(timeoutPeriod, self.timeoutFunc)

    def cancelTimeout(self) -> None:
        """
        Cancel the pending timer; does nothing when there is none.
        """
        call, self.timeoutCall = self.timeoutCall, None
        _cancelQuietly(call)

    def resetTimeout(self) -> None:
        """
        Restart the countdown (some activity happened).
        """
        call = self.timeoutCall
        if call is not None:
            # timeoutCall is only set while pending (cleared when it fires or
            # is cancelled), and timeoutPeriod is set whenever it is.
            period = self.timeoutPeriod
            if period is not None:
                call.reset(period)

    def write(self, data: bytes) -> None:
        """
        Restart the countdown and write.

        @param data: The bytes to send.
        """
        self.resetTimeout()
        ProtocolWrapper.write(self, data)

    def writeSequence(self, data: Any) -> None:
        """
        Restart the countdown and write a sequence of byte strings.

        @param data: The byte strings to send.
        """
        self.resetTimeout()
        ProtocolWrapper.writeSequence(self, data)

    def dataReceived(self, data: bytes) -> None:
        """
        Restart the countdown and pass the bytes on.

        @param data: The bytes received.
        """
        self.resetTimeout()
        ProtocolWrapper.dataReceived(self, data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        Cancel the timer and pass the loss on.

        @param reason: Why the connection was lost.
        """
        self.cancelTimeout()
        ProtocolWrapper.connectionLost(self, reason)

    def timeoutFunc(self) -> None:
        """
        Called when the period passed without traffic: logs and closes the
        connection with C{loseConnection()}. Override to do something else.
        """
        self.timeoutCall = None
        _log.info(
            "Timing out {protocol} after {period} seconds of inactivity",
            protocol=self.logPrefix(),
            period=self.timeoutPeriod,
        )
        self.loseConnection()


class TimeoutFactory(_Clocked, WrappingFactory):
    """
    Wraps a factory so that idle connections are closed.

    @cvar protocol: L{TimeoutProtocol}.
    @ivar timeoutPeriod: Seconds of quiet allowed per connection.
    @ivar clock: The L{IReactorTime} timers use; C{None} for the global reactor.
    """

    protocol: Any = TimeoutProtocol

    def __init__(self, wrappedFactory: Any, timeoutPeriod: float = 30 * 60) -> None:
        """
        @param wrappedFactory: The factory whose protocols are wrapped.
        @param timeoutPeriod: Seconds of quiet allowed (30 minutes by default).
        """
        WrappingFactory.__init__(self, wrappedFactory)
        self.timeoutPeriod = timeoutPeriod

    def buildProtocol(self, addr: Any) -> Optional[Any]:
        """
        Build and wrap the wrapped factory's protocol, with a running timer.

        @param addr: The peer address.
        @return: A L{TimeoutProtocol}, or C{None} when the wrapped factory
            refuses the connection.
        """
        wrapped = self.wrappedFactory.buildProtocol(addr)
        if wrapped is None:
            return None
        return self.protocol(self, wrapped, timeoutPeriod=self.timeoutPeriod)
