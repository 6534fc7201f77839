"""
Tests for the time-based policies of L{netframe.core.protocols.policies}:
L{TimeoutMixin}, L{TimeoutFactory} and L{TimeoutProtocol}, including a
slowloris client cut on a fake clock and on a real epoll reactor.
"""

from __future__ import annotations

import select
import sys
from typing import Any, Optional

import pytest
from zope.interface.verify import verifyObject

from netframe.core import error
from netframe.core.failure import Failure
from netframe.core.interfaces import IProtocol, IProtocolFactory
from netframe.core.protocol import ClientFactory, Factory, Protocol, ServerFactory
from netframe.core.protocols.basic import LineReceiver
from netframe.core.protocols.policies import TimeoutFactory, TimeoutMixin, TimeoutProtocol
from netframe.core.task import Clock
from netframe.core.testing import StringTransport
from netframe.logger import capturedLogs

#: Seconds a real-reactor test may run before its watchdog fails it.
WATCHDOG_SECONDS = 10.0


class _Timing(Protocol, TimeoutMixin):
    """A protocol using TimeoutMixin on a fake clock, recording timeouts."""

    def __init__(self, clock: Clock) -> None:
        self.callLater = clock.callLater  # type: ignore[method-assign]
        self.clock = clock
        self.timedOutAt: list[float] = []

    def timeoutConnection(self) -> None:
        self.timedOutAt.append(self.clock.seconds())
        TimeoutMixin.timeoutConnection(self)


def _timing() -> tuple[_Timing, Clock, StringTransport]:
    """A connected L{_Timing} protocol, its clock and transport."""
    clock = Clock()
    p = _Timing(clock)
    transport = StringTransport()
    p.makeConnection(transport)
    return p, clock, transport


class _LineTimeoutServer(TimeoutMixin, LineReceiver):
    """
    A line server that arms a timeout when connected and resets it only on
    complete lines: the protocol a slowloris client attacks.
    """

    period = 10.0

    def __init__(self) -> None:
        self.lines: list[bytes] = []
        self.bytesReceived = 0
        self.timedOut = 0
        self.lost: Optional[Failure] = None

    def connectionMade(self) -> None:
        self.setTimeout(self.period)

    def dataReceived(self, data: bytes) -> None:
        self.bytesReceived += len(data)
        LineReceiver.dataReceived(self, data)

    def lineReceived(self, line: bytes) -> None:
        self.lines.append(line)
        self.resetTimeout()

    def timeoutConnection(self) -> None:
        self.timedOut += 1
        TimeoutMixin.timeoutConnection(self)

    def connectionLost(self, reason: Failure = Failure(error.ConnectionDone())) -> None:  # noqa: B008
        self.lost = reason
        self.setTimeout(None)


class TimeoutMixinTests:
    """TimeoutMixin arms, resets, changes and cancels a connection timeout."""

    def test_defaults(self) -> None:
        """No timeout is armed by default."""
        p, clock, _ = _timing()
        assert p.timeOut is None
        assert clock.getDelayedCalls() == []

    def test_setTimeoutReturnsPrevious(self) -> None:
        """setTimeout returns the previous period."""
        p, _, _ = _timing()
        assert p.setTimeout(5) is None
        assert p.setTimeout(7) == 5
        assert p.setTimeout(None) == 7
        assert p.timeOut is None

    def test_timesOut(self) -> None:
        """After the period without reset, timeoutConnection closes the transport."""
        p, clock, transport = _timing()
        p.setTimeout(3)
        clock.advance(2.9)
        assert not transport.disconnecting
        clock.advance(0.1)
        transport = transport  # advance() closed it: drop mypy's narrowing (mypy issue 11969)
        assert p.timedOutAt == [3.0]
        assert transport.disconnecting
        assert not transport.aborted

    def test_resetTimeout(self) -> None:
        """resetTimeout restarts the countdown from the full period."""
        p, clock, _transport = _timing()
        p.setTimeout(3)
        clock.advance(2)
        p.resetTimeout()
        clock.advance(2.9)
        assert p.timedOutAt == []
        clock.advance(0.1)
        assert p.timedOutAt == [5.0]

    def test_resetWithoutTimeout(self) -> None:
        """resetTimeout does nothing when no timeout is armed."""
        p, clock, _ = _timing()
        p.resetTimeout()
        assert clock.getDelayedCalls() == []

    def test_resetAfterTimeout(self) -> None:
        """resetTimeout after the timeout fired does nothing."""
        p, clock, _ = _timing()
        p.setTimeout(1)
        clock.advance(1)
        p.resetTimeout()
        clock.advance(10)
        assert p.timedOutAt == [1.0]

    def test_cancel(self) -> None:
        """setTimeout(None) disarms; resetTimeout then does nothing."""
        p, clock, transport = _timing()
        p.setTimeout(3)
        p.setTimeout(None)
        p.resetTimeout()
        clock.advance(100)
        assert p.timedOutAt == []
        assert clock.getDelayedCalls() == []
        assert not transport.disconnecting

    def test_changePeriod(self) -> None:
        """setTimeout while armed restarts the countdown with the new period."""
        p, clock, _ = _timing()
        p.setTimeout(10)
        clock.advance(5)
        p.setTimeout(2)
        clock.advance(1.9)
        assert p.timedOutAt == []
        clock.advance(0.1)
        assert p.timedOutAt == [7.0]

    def test_rearmAfterTimeout(self) -> None:
        """setTimeout after a timeout fired arms a new one."""
        p, clock, _ = _timing()
        p.setTimeout(1)
        clock.advance(1)
        assert p.setTimeout(4) == 1
        clock.advance(4)
        assert p.timedOutAt == [1.0, 5.0]

    def test_zeroPeriod(self) -> None:
        """A zero period times out on the next clock tick."""
        p, clock, _ = _timing()
        p.setTimeout(0)
        clock.advance(0)
        assert p.timedOutAt == [0.0]

    def test_negativePeriod(self) -> None:
        """A negative period is refused with ValueError."""
        p, _, _ = _timing()
        with pytest.raises(ValueError, match="-1"):
            p.setTimeout(-1)
        assert p.timeOut is None

    def test_timeoutWithoutTransport(self) -> None:
        """The default timeoutConnection does nothing without a transport."""
        clock = Clock()
        p = _Timing(clock)
        p.setTimeout(1)
        clock.advance(1)
        assert p.timedOutAt == [1.0]

    def test_defaultCallLaterUsesGlobalReactor(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without an override, callLater schedules on the global reactor."""
        fakeReactor = Clock()
        monkeypatch.setitem(sys.modules, "netframe.core.reactor", fakeReactor)
        p = TimeoutMixin()
        p.setTimeout(2)
        assert len(fakeReactor.getDelayedCalls()) == 1
        p.setTimeout(None)
        assert fakeReactor.getDelayedCalls() == []

    def test_userOverrideOfTimeoutConnection(self) -> None:
        """An overriding timeoutConnection runs instead of closing (seed calculus client)."""
        clock = Clock()

        class Client(Protocol, TimeoutMixin):
            failed: list[str] = []

            def timeoutConnection(self) -> None:
                self.failed.append("timeout")

        c = Client()
        c.callLater = clock.callLater  # type: ignore[method-assign]
        transport = StringTransport()
        c.makeConnection(transport)
        c.setTimeout(60)
        clock.advance(60)
        assert c.failed == ["timeout"]
        assert not transport.disconnecting


class SlowlorisTests:
    """A client dribbling bytes without completing a line is still cut."""

    def test_dribblingClientCut(self) -> None:
        """One byte every (timeout - epsilon) seconds does not keep a line-resetting connection alive."""
        clock = Clock()
        server = _LineTimeoutServer()
        server.callLater = clock.callLater  # type: ignore[method-assign]
        transport = StringTransport()
        server.makeConnection(transport)
        epsilon = 0.5
        for _ in range(100):
            clock.advance(server.period - epsilon)
            if transport.disconnecting:
                break
            server.dataReceived(b"x")
        assert server.timedOut == 1
        assert transport.disconnecting
        assert clock.seconds() == pytest.approx(2 * (server.period - epsilon))
        assert server.bytesReceived == 1
        assert server.lines == []

    def test_completeLinesKeepAlive(self) -> None:
        """A client sending complete lines within the period is never cut."""
        clock = Clock()
        server = _LineTimeoutServer()
        server.callLater = clock.callLater  # type: ignore[method-assign]
        transport = StringTransport()
        server.makeConnection(transport)
        for _ in range(100):
            clock.advance(server.period - 0.5)
            server.dataReceived(b"ok\r\n")
        assert server.timedOut == 0
        assert not transport.disconnecting
        assert len(server.lines) == 100

    def test_lineMaxLengthStillApplies(self) -> None:
        """A dribbler that exceeds MAX_LENGTH without a delimiter is cut before the timeout."""
        clock = Clock()
        server = _LineTimeoutServer()
        server.MAX_LENGTH = 16
        server.callLater = clock.callLater  # type: ignore[method-assign]
        transport = StringTransport()
        server.makeConnection(transport)
        server.dataReceived(b"x" * 17)
        assert transport.disconnecting
        assert server.timedOut == 0

    def test_timeoutFactoryResetsOnAnyByte(self) -> None:
        """TimeoutFactory counts any byte as activity: a dribbler keeps its connection."""
        clock = Clock()
        factory = TimeoutFactory(Factory.forProtocol(Protocol), timeoutPeriod=10)
        factory.clock = clock
        p = factory.buildProtocol(None)
        assert p is not None
        transport = StringTransport()
        p.makeConnection(transport)
        for _ in range(50):
            clock.advance(9.5)
            p.dataReceived(b"x")
        assert not transport.disconnecting

    def test_dribblingClientCutOverRealTCP(self) -> None:
        """Over loopback TCP on an EPollReactor, a dribbling client is cut by TimeoutMixin."""
        if hasattr(select, "epoll"):
            from netframe.core.epollreactor import EPollReactor as reactorClass
        else:  # not Linux: the same test on the poll reactor
            from netframe.core.pollreactor import PollReactor as reactorClass  # type: ignore[assignment]

        reactor = reactorClass()
        timeout = 0.5
        interval = 0.2  # timeout - epsilon
        servers: list[_LineTimeoutServer] = []

        class Server(_LineTimeoutServer):
            period = timeout

        class ServerFactory_(ServerFactory):
            def buildProtocol(self, addr: Any) -> Any:
                p = Server()
                p.callLater = reactor.callLater  # type: ignore[method-assign]
                p.factory = self
                servers.append(p)
                return p

        class Dribbler(Protocol):
            sent = 0
            lost: Optional[Failure] = None
            call: Any = None

            def connectionMade(self) -> None:
                self.call = reactor.callLater(interval, self.dribble)

            def dribble(self) -> None:
                assert self.transport is not None
                self.transport.write(b"x")
                self.sent += 1
                self.call = reactor.callLater(interval, self.dribble)

            def connectionLost(self, reason: Failure = Failure(error.ConnectionDone())) -> None:  # noqa: B008
                self.lost = reason
                if self.call is not None and self.call.active():
                    self.call.cancel()
                reactor.stop()

        client = Dribbler()

        class OneClient(ClientFactory):
            def buildProtocol(self, addr: Any) -> Any:
                return client

        timedOut: list[bool] = []

        def watchdog() -> None:
            timedOut.append(True)
            reactor.stop()

        try:
            port = reactor.listenTCP(0, ServerFactory_(), interface="127.0.0.1")
            reactor.connectTCP("127.0.0.1", port.getHost().port, OneClient())
            dog = reactor.callLater(WATCHDOG_SECONDS, watchdog)
            reactor.run(installSignalHandlers=False)
            if dog.active():
                dog.cancel()
        finally:
            reactor.disconnectAll()
            reactor._close()
        assert timedOut == [], f"not cut within {WATCHDOG_SECONDS}s"
        assert len(servers) == 1
        server = servers[0]
        assert server.timedOut == 1
        assert server.lines == []
        assert server.bytesReceived >= 1
        assert client.sent >= 1
        assert client.lost is not None


class TimeoutFactoryTests:
    """TimeoutFactory closes connections idle for timeoutPeriod."""

    def _connected(
        self, period: float = 10
    ) -> tuple[TimeoutFactory, TimeoutProtocol, Clock, StringTransport]:
        clock = Clock()
        factory = TimeoutFactory(Factory.forProtocol(Protocol), timeoutPeriod=period)
        factory.clock = clock
        p = factory.buildProtocol(None)
        assert isinstance(p, TimeoutProtocol)
        transport = StringTransport()
        p.makeConnection(transport)
        return factory, p, clock, transport

    def test_verifyObject(self) -> None:
        """TimeoutFactory provides IProtocolFactory; its protocol IProtocol."""
        factory, p, _, _ = self._connected()
        verifyObject(IProtocolFactory, factory)
        verifyObject(IProtocol, p)

    def test_defaultPeriod(self) -> None:
        """The default period is 30 minutes."""
        factory = TimeoutFactory(Factory())
        assert factory.timeoutPeriod == 30 * 60
        assert factory.protocol is TimeoutProtocol

    def test_idleConnectionClosed(self) -> None:
        """A connection with no traffic for the period is closed."""
        _, p, clock, transport = self._connected()
        clock.advance(9.9)
        assert not transport.disconnecting
        clock.advance(0.1)
        transport = transport  # advance() closed it: drop mypy's narrowing (mypy issue 11969)
        assert transport.disconnecting
        assert p.timeoutCall is None

    def test_timeoutLogged(self) -> None:
        """Timing out is logged with the connection's prefix."""
        _, p, clock, _ = self._connected()
        with capturedLogs() as events:
            clock.advance(10)
        assert any(e.get("protocol") == p.logPrefix() for e in events)

    def test_dataReceivedResets(self) -> None:
        """Received data restarts the countdown."""
        _, p, clock, transport = self._connected()
        clock.advance(9)
        p.dataReceived(b"x")
        clock.advance(9)
        assert not transport.disconnecting
        clock.advance(1)
        assert transport.disconnecting

    def test_writeResets(self) -> None:
        """write and writeSequence restart the countdown."""
        _, p, clock, transport = self._connected()
        clock.advance(9)
        p.write(b"a")
        clock.advance(9)
        p.writeSequence([b"b", b"c"])
        clock.advance(9)
        assert not transport.disconnecting
        assert transport.value() == b"abc"
        clock.advance(1)
        assert transport.disconnecting

    def test_connectionLostCancels(self) -> None:
        """connectionLost cancels the timer."""
        _, p, clock, _ = self._connected()
        p.connectionLost(Failure(error.ConnectionDone()))
        assert clock.getDelayedCalls() == []

    def test_setTimeoutNone(self) -> None:
        """setTimeout(None) disarms; cancelTimeout twice is harmless."""
        _, p, clock, transport = self._connected()
        p.setTimeout(None)
        p.cancelTimeout()
        p.resetTimeout()
        clock.advance(1000)
        assert not transport.disconnecting

    def test_setTimeoutNewPeriod(self) -> None:
        """setTimeout(period) restarts with the new period."""
        _, p, clock, transport = self._connected()
        p.setTimeout(2)
        clock.advance(2)
        assert transport.disconnecting

    def test_buildProtocolNone(self) -> None:
        """No wrapper and no timer when the wrapped factory refuses."""

        class Refusing(Factory):
            def buildProtocol(self, addr: Any) -> None:
                return None

        clock = Clock()
        factory = TimeoutFactory(Refusing(), timeoutPeriod=1)
        factory.clock = clock
        assert factory.buildProtocol(None) is None
        assert clock.getDelayedCalls() == []

    def test_timerUsesFactoryClock(self) -> None:
        """The timer is scheduled with the factory's callLater on its clock."""
        _, p, clock, _ = self._connected()
        assert clock.getDelayedCalls() == [p.timeoutCall]
