"""
Tests for the limiting policies of L{netframe.core.protocols.policies}:
L{ThrottlingFactory}, L{LimitConnectionsByPeer} and
L{LimitTotalConnectionsFactory}.
"""

from __future__ import annotations

from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.core import error
from netframe.core.address import IPv4Address
from netframe.core.failure import Failure
from netframe.core.interfaces import IProtocolFactory, IPullProducer, IPushProducer
from netframe.core.protocol import Factory, Protocol, ServerFactory
from netframe.core.protocols.policies import (
    LimitConnectionsByPeer,
    LimitTotalConnectionsFactory,
    ProtocolWrapper,
    ThrottlingFactory,
    ThrottlingProtocol,
)
from netframe.core.task import Clock
from netframe.core.testing import StringTransport


class _Echo(Protocol):
    """Echoes what it receives."""

    def dataReceived(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(data)


@implementer(IPushProducer)
class _PushProducer:
    """A push producer recording what it was told."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def pauseProducing(self) -> None:
        self.calls.append("pause")

    def resumeProducing(self) -> None:
        self.calls.append("resume")

    def stopProducing(self) -> None:
        self.calls.append("stop")


@implementer(IPullProducer)
class _PullProducer:
    """A pull producer recording how often it was asked."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def resumeProducing(self) -> None:
        self.calls.append("resume")

    def stopProducing(self) -> None:
        self.calls.append("stop")


def _addr(host: str = "127.0.0.1", port: int = 1234) -> IPv4Address:
    """A TCP peer address."""
    return IPv4Address("TCP", host, port)


def _throttled(
    readLimit: int | None = None, writeLimit: int | None = None, maxConnectionCount: int = 10
) -> tuple[ThrottlingFactory, Clock]:
    """A ThrottlingFactory of echo protocols on a fake clock."""
    factory = ThrottlingFactory(
        Factory.forProtocol(_Echo),
        maxConnectionCount=maxConnectionCount,
        readLimit=readLimit,
        writeLimit=writeLimit,
    )
    clock = Clock()
    factory.clock = clock
    return factory, clock


def _connect(factory: Any, addr: Any = None) -> tuple[Any, StringTransport]:
    """Build a protocol for C{addr} and connect it to a StringTransport."""
    p = factory.buildProtocol(_addr() if addr is None else addr)
    assert p is not None
    transport = StringTransport(peerAddress=addr)
    p.makeConnection(transport)
    return p, transport


class ThrottlingFactoryTests:
    """ThrottlingFactory enforces connection counts and per-second byte budgets."""

    def test_verifyObject(self) -> None:
        """ThrottlingFactory provides IProtocolFactory."""
        verifyObject(IProtocolFactory, ThrottlingFactory(Factory()))

    def test_defaults(self) -> None:
        """By default there is no bandwidth limit and an unbounded connection count."""
        import sys

        factory = ThrottlingFactory(Factory())
        assert factory.maxConnectionCount == sys.maxsize
        assert factory.readLimit is None
        assert factory.writeLimit is None
        assert factory.protocol is ThrottlingProtocol

    def test_invalidLimits(self) -> None:
        """Non-positive bandwidth limits and negative connection counts are refused."""
        with pytest.raises(ValueError, match="readLimit"):
            ThrottlingFactory(Factory(), readLimit=0)
        with pytest.raises(ValueError, match="writeLimit"):
            ThrottlingFactory(Factory(), writeLimit=-5)
        with pytest.raises(ValueError, match="maxConnectionCount"):
            ThrottlingFactory(Factory(), maxConnectionCount=-1)

    def test_atMaxConnectionCount(self) -> None:
        """Exactly maxConnectionCount connections are accepted."""
        factory, _ = _throttled(maxConnectionCount=3)
        protocols = [factory.buildProtocol(_addr()) for _ in range(3)]
        assert all(isinstance(p, ThrottlingProtocol) for p in protocols)
        assert factory.connectionCount == 3

    def test_pastMaxConnectionCount(self) -> None:
        """One connection past maxConnectionCount is refused, and accepted after one closes."""
        factory, _ = _throttled(maxConnectionCount=2)
        first, _ = _connect(factory)
        _connect(factory)
        assert factory.buildProtocol(_addr()) is None
        assert factory.connectionCount == 2
        first.connectionLost(Failure(error.ConnectionDone()))
        assert factory.connectionCount == 1
        assert factory.buildProtocol(_addr()) is not None

    def test_countsBytes(self) -> None:
        """Bytes read and written by connections are counted."""
        factory, _ = _throttled(readLimit=100, writeLimit=100)
        p, transport = _connect(factory)
        p.dataReceived(b"12345")
        p.wrappedProtocol.transport.writeSequence([b"ab", b"c"])
        assert factory.readThisSecond == 5
        assert factory.writtenThisSecond == 5 + 3
        assert transport.value() == b"12345abc"

    def test_readsAtLimitNotThrottled(self) -> None:
        """Reading exactly readLimit bytes in a second does not pause reading."""
        factory, clock = _throttled(readLimit=10)
        p, transport = _connect(factory)
        p.dataReceived(b"x" * 10)
        clock.advance(1)
        assert transport.producerState == "producing"
        assert not factory.readsThrottled
        assert factory.readThisSecond == 0

    def test_readsPastLimitThrottled(self) -> None:
        """Reading more than readLimit bytes pauses reading for the excess time."""
        factory, clock = _throttled(readLimit=10)
        p, transport = _connect(factory)
        p.dataReceived(b"x" * 25)
        clock.advance(1)
        assert transport.producerState == "paused"
        assert factory.readsThrottled
        # 25 bytes at 10 B/s is 1.5 s of budget beyond the elapsed second.
        clock.advance(1.4)
        assert transport.producerState == "paused"
        clock.advance(0.1)
        assert transport.producerState == "producing"
        assert not factory.readsThrottled

    def test_readThrottleAppliesToAllConnections(self) -> None:
        """Read budgets are shared: every connection is paused and resumed."""
        factory, clock = _throttled(readLimit=10)
        p1, t1 = _connect(factory)
        p2, t2 = _connect(factory)
        p1.dataReceived(b"x" * 6)
        p2.dataReceived(b"x" * 6)
        clock.advance(1)
        assert t1.producerState == t2.producerState == "paused"
        clock.advance(0.2)
        assert t1.producerState == t2.producerState == "producing"

    def test_newConnectionStartsThrottled(self) -> None:
        """A connection made while reads are throttled starts paused."""
        factory, clock = _throttled(readLimit=10)
        p, _ = _connect(factory)
        p.dataReceived(b"x" * 30)
        clock.advance(1)
        _, late = _connect(factory)
        assert late.producerState == "paused"
        clock.advance(2)
        assert late.producerState == "producing"

    def test_writesAtLimitNotThrottled(self) -> None:
        """Writing exactly writeLimit bytes in a second leaves the producer running."""
        factory, clock = _throttled(writeLimit=10)
        p, _ = _connect(factory)
        producer = _PushProducer()
        p.wrappedProtocol.transport.registerProducer(producer, True)
        p.write(b"x" * 10)
        clock.advance(1)
        assert producer.calls == []

    def test_writesPastLimitPauseProducer(self) -> None:
        """Writing more than writeLimit bytes pauses the registered producer, then resumes it."""
        factory, clock = _throttled(writeLimit=10)
        p, transport = _connect(factory)
        producer = _PushProducer()
        p.registerProducer(producer, True)
        assert p.producer is producer
        assert transport.producer is not producer
        p.write(b"x" * 20)
        clock.advance(1)
        assert producer.calls == ["pause"]
        assert factory.writesThrottled
        clock.advance(1)
        assert producer.calls == ["pause", "resume"]
        assert not factory.writesThrottled

    def test_writesWithoutProducerOnlyCounted(self) -> None:
        """Without a producer, throttling writes has nothing to pause."""
        factory, clock = _throttled(writeLimit=10)
        p, transport = _connect(factory)
        p.write(b"x" * 50)
        clock.advance(1)
        assert factory.writesThrottled
        assert transport.value() == b"x" * 50

    def test_transportPauseAndThrottleCombine(self) -> None:
        """A producer paused by the transport is not resumed by the end of a throttle."""
        factory, clock = _throttled(writeLimit=10)
        p, transport = _connect(factory)
        producer = _PushProducer()
        p.registerProducer(producer, True)
        p.write(b"x" * 20)
        clock.advance(1)
        transport.producer.pauseProducing()
        clock.advance(1)
        assert producer.calls == ["pause"]
        transport.producer.resumeProducing()
        assert producer.calls == ["pause", "resume"]

    def test_throttleHoldsTransportResume(self) -> None:
        """While throttled, the transport's resume does not restart the producer."""
        factory, clock = _throttled(writeLimit=10)
        p, transport = _connect(factory)
        producer = _PushProducer()
        p.registerProducer(producer, True)
        transport.producer.pauseProducing()
        p.write(b"x" * 20)
        clock.advance(1)
        transport.producer.resumeProducing()
        assert producer.calls == ["pause"]
        clock.advance(1)
        assert producer.calls == ["pause", "resume"]

    def test_pullProducerHeldWhileThrottled(self) -> None:
        """A pull producer's requests are held while throttled and replayed after."""
        factory, clock = _throttled(writeLimit=10)
        p, transport = _connect(factory)
        producer = _PullProducer()
        p.registerProducer(producer, False)
        p.write(b"x" * 20)
        clock.advance(1)
        transport.producer.resumeProducing()
        transport.producer.resumeProducing()
        assert producer.calls == []
        clock.advance(1)
        assert producer.calls == ["resume"]
        transport.producer.resumeProducing()
        assert producer.calls == ["resume", "resume"]

    def test_producerRegisteredWhileThrottled(self) -> None:
        """A producer registered while writes are throttled starts paused."""
        factory, clock = _throttled(writeLimit=10)
        p, _ = _connect(factory)
        p.write(b"x" * 20)
        clock.advance(1)
        producer = _PushProducer()
        p.registerProducer(producer, True)
        assert producer.calls == ["pause"]
        p.unregisterProducer()
        assert p.producer is None

    def test_stopProducingForwarded(self) -> None:
        """The transport stopping the producer reaches the real producer."""
        factory, _ = _throttled(writeLimit=10)
        p, transport = _connect(factory)
        producer = _PushProducer()
        p.registerProducer(producer, True)
        transport.producer.stopProducing()
        assert producer.calls == ["stop"]

    def test_checksStopWithLastConnection(self) -> None:
        """The per-second checks stop when the last connection goes."""
        factory, clock = _throttled(readLimit=10, writeLimit=10)
        p, _ = _connect(factory)
        assert len(clock.getDelayedCalls()) == 2
        p.dataReceived(b"x" * 100)  # echoed: both budgets exceeded
        clock.advance(1)
        assert len(clock.getDelayedCalls()) == 4
        p.connectionLost(Failure(error.ConnectionDone()))
        assert clock.getDelayedCalls() == []
        assert factory.connectionCount == 0
        assert not factory.readsThrottled

    def test_throttleAfterCloseDoesNotTouchTransport(self) -> None:
        """A closing connection is not paused (its transport refuses)."""
        factory, clock = _throttled(readLimit=10)
        p, transport = _connect(factory)
        p.dataReceived(b"x" * 20)
        p.loseConnection()
        clock.advance(1)
        assert transport.producerState == "producing"

    def test_repeatedThrottleExtends(self) -> None:
        """A new excess while throttled replaces the pending unthrottle."""
        factory, clock = _throttled(readLimit=10)
        p, transport = _connect(factory)
        p.dataReceived(b"x" * 40)
        clock.advance(1)  # throttled for 3 s
        p.dataReceived(b"x" * 15)  # data already in flight
        clock.advance(1)  # throttled again, 0.5 s from now
        assert transport.producerState == "paused"
        clock.advance(0.5)
        assert transport.producerState == "producing"
        assert factory.unthrottleReadsID is None
        clock.advance(5)
        assert transport.producerState == "producing"

    def test_wrappedRefusalNotCounted(self) -> None:
        """A connection refused by the wrapped factory is not counted."""

        class Refusing(Factory):
            def buildProtocol(self, addr: Any) -> None:
                return None

        factory = ThrottlingFactory(Refusing(), readLimit=10)
        factory.clock = Clock()
        assert factory.buildProtocol(_addr()) is None
        assert factory.connectionCount == 0

    def test_globalReactorNotImportedWithClock(self) -> None:
        """With an injected clock, timers are scheduled on it."""
        factory, clock = _throttled(readLimit=10)
        _connect(factory)
        assert factory.checkReadBandwidthID in clock.getDelayedCalls()


class LimitConnectionsByPeerTests:
    """LimitConnectionsByPeer caps simultaneous connections per host."""

    def test_verifyObject(self) -> None:
        """LimitConnectionsByPeer provides IProtocolFactory."""
        verifyObject(IProtocolFactory, LimitConnectionsByPeer(Factory()))

    def test_default(self) -> None:
        """The default limit is 5 connections per peer."""
        assert LimitConnectionsByPeer.maxConnectionsPerPeer == 5

    def test_atLimit(self) -> None:
        """A peer may hold exactly maxConnectionsPerPeer connections."""
        factory = LimitConnectionsByPeer(Factory.forProtocol(Protocol))
        factory.doStart()
        built = [factory.buildProtocol(_addr(port=1000 + i)) for i in range(5)]
        assert all(isinstance(p, ProtocolWrapper) for p in built)
        assert factory.peerConnections == {"127.0.0.1": 5}

    def test_pastLimit(self) -> None:
        """One more connection from that peer is refused; other peers are not affected."""
        factory = LimitConnectionsByPeer(Factory.forProtocol(Protocol))
        factory.doStart()
        for i in range(5):
            _connect(factory, _addr(port=1000 + i))
        assert factory.buildProtocol(_addr(port=2000)) is None
        assert factory.buildProtocol(_addr(host="10.1.1.1")) is not None

    def test_closingFreesSlot(self) -> None:
        """A closed connection frees its peer's slot."""
        factory = LimitConnectionsByPeer(Factory.forProtocol(Protocol))
        factory.maxConnectionsPerPeer = 1
        factory.doStart()
        p, _ = _connect(factory, _addr())
        assert factory.buildProtocol(_addr(port=9)) is None
        p.connectionLost(Failure(error.ConnectionDone()))
        assert factory.peerConnections == {}
        assert factory.buildProtocol(_addr(port=9)) is not None

    def test_overridableLimit(self) -> None:
        """A subclass may change the limit."""

        class Strict(LimitConnectionsByPeer):
            maxConnectionsPerPeer = 2

        factory = Strict(Factory.forProtocol(Protocol))
        assert factory.buildProtocol(_addr()) is not None
        assert factory.buildProtocol(_addr()) is not None
        assert factory.buildProtocol(_addr()) is None

    def test_tupleAddresses(self) -> None:
        """(host, port) tuples are counted by host."""
        factory = LimitConnectionsByPeer(Factory.forProtocol(Protocol))
        factory.maxConnectionsPerPeer = 1
        assert factory.buildProtocol(("1.2.3.4", 1)) is not None
        assert factory.buildProtocol(("1.2.3.4", 2)) is None

    def test_wrappedRefusalNotCounted(self) -> None:
        """A connection the wrapped factory refuses is not counted."""

        class Refusing(Factory):
            def buildProtocol(self, addr: Any) -> None:
                return None

        factory = LimitConnectionsByPeer(Refusing())
        assert factory.buildProtocol(_addr()) is None
        assert factory.peerConnections == {}


class LimitTotalConnectionsFactoryTests:
    """LimitTotalConnectionsFactory caps the total number of connections."""

    def _factory(self, limit: int | None, overflow: Any = None) -> LimitTotalConnectionsFactory:
        factory = LimitTotalConnectionsFactory()
        factory.protocol = _Echo
        factory.connectionLimit = limit
        factory.overflowProtocol = overflow
        return factory

    def test_verifyObject(self) -> None:
        """LimitTotalConnectionsFactory provides IProtocolFactory and is a ServerFactory."""
        factory = self._factory(1)
        verifyObject(IProtocolFactory, factory)
        assert isinstance(factory, ServerFactory)

    def test_defaults(self) -> None:
        """No limit, no overflow protocol and no connections by default."""
        assert LimitTotalConnectionsFactory.connectionLimit is None
        assert LimitTotalConnectionsFactory.overflowProtocol is None
        assert LimitTotalConnectionsFactory.connectionCount == 0

    def test_noLimit(self) -> None:
        """Without a limit every connection is accepted and counted."""
        factory = self._factory(None)
        for _ in range(20):
            assert factory.buildProtocol(_addr()) is not None
        assert factory.connectionCount == 20

    def test_atLimit(self) -> None:
        """Exactly connectionLimit connections are accepted."""
        factory = self._factory(3)
        built = [factory.buildProtocol(_addr()) for _ in range(3)]
        assert all(isinstance(p, ProtocolWrapper) for p in built)
        assert all(isinstance(p.wrappedProtocol, _Echo) for p in built if p is not None)
        assert factory.connectionCount == 3

    def test_pastLimitRefused(self) -> None:
        """Past the limit, without an overflow protocol, the connection is refused."""
        factory = self._factory(2)
        _connect(factory)
        _connect(factory)
        assert factory.buildProtocol(_addr()) is None
        assert factory.connectionCount == 2

    def test_pastLimitOverflow(self) -> None:
        """Past the limit the overflow protocol is used (and counted)."""

        class Sorry(Protocol):
            def connectionMade(self) -> None:
                assert self.transport is not None
                self.transport.write(b"busy\r\n")
                self.transport.loseConnection()

        factory = self._factory(1, Sorry)
        _connect(factory)
        p, transport = _connect(factory)
        assert isinstance(p.wrappedProtocol, Sorry)
        assert p.wrappedProtocol.factory is factory
        assert transport.value() == b"busy\r\n"
        assert transport.disconnecting
        assert factory.connectionCount == 2

    def test_closingFreesSlot(self) -> None:
        """A lost connection is uncounted, making room for another."""
        factory = self._factory(1)
        p, _ = _connect(factory)
        assert factory.buildProtocol(_addr()) is None
        p.connectionLost(Failure(error.ConnectionDone()))
        assert factory.connectionCount == 0
        assert factory.buildProtocol(_addr()) is not None

    def test_echoes(self) -> None:
        """Wrapped protocols work normally."""
        factory = self._factory(1)
        p, transport = _connect(factory)
        p.dataReceived(b"ping")
        assert transport.value() == b"ping"
