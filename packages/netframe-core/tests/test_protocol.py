"""Tests for netframe.core.protocol."""

from __future__ import annotations

import pickle
import random
from typing import Any, cast

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.core import error, protocol
from netframe.core.address import IPv4Address
from netframe.core.defer import CancelledError, Deferred
from netframe.core.failure import Failure
from netframe.core.interfaces import (
    IConnector,
    ILoggingContext,
    IProcessProtocol,
    IProtocol,
    IProtocolFactory,
)
from netframe.core.protocol import (
    ClientCreator,
    ClientFactory,
    ConnectedDatagramProtocol,
    DatagramProtocol,
    Factory,
    ProcessProtocol,
    Protocol,
    ReconnectingClientFactory,
    ServerFactory,
)
from netframe.core.testing import MemoryReactorClock, StringTransport
from netframe.logger import capturedLogs, formatEvent


def _outcome(d: Deferred[Any]) -> Any:
    """Return the current result of a fired Deferred."""
    box: list[Any] = []
    d.addBoth(box.append)
    assert box, "Deferred has not fired"
    return box[0]


class Echo(Protocol):
    """Writes back what it receives."""

    def dataReceived(self, data: bytes) -> None:
        """Echo."""
        assert self.transport is not None
        self.transport.write(data)


class QOTD(Protocol):
    """Writes the factory's quote and closes."""

    def connectionMade(self) -> None:
        """Send the quote."""
        assert self.transport is not None and self.factory is not None
        self.transport.write(self.factory.quote + b"\r\n")  # type: ignore[attr-defined]
        self.transport.loseConnection()


class QOTDFactory(Factory):
    """A factory keeping the quote, as in the servers howto."""

    protocol = QOTD

    def __init__(self, quote: bytes | None = None) -> None:
        self.quote = quote or b"An apple a day keeps the doctor away"


class ProtocolTests:
    """Protocol and BaseProtocol."""

    def test_verifyObject(self) -> None:
        """Protocol provides IProtocol and ILoggingContext."""
        assert verifyObject(IProtocol, Protocol())
        assert verifyObject(ILoggingContext, Protocol())

    def test_makeConnection(self) -> None:
        """makeConnection sets transport and connected, then calls connectionMade."""
        seen: list[Any] = []

        class Recorder(Protocol):
            def connectionMade(self) -> None:
                seen.append((self.transport, self.connected))

        p = Recorder()
        transport = StringTransport()
        assert p.connected == 0
        p.makeConnection(transport)
        assert seen == [(transport, 1)]

    def test_echo(self) -> None:
        """The howto's Echo writes back what it receives."""
        p = Echo()
        transport = StringTransport()
        p.makeConnection(transport)
        p.dataReceived(b"hello")
        assert transport.value() == b"hello"

    def test_baseDiscards(self) -> None:
        """The base Protocol ignores data and connection loss."""
        p = Protocol()
        p.makeConnection(StringTransport())
        p.dataReceived(b"ignored")
        p.connectionLost(protocol.connectionDone)

    def test_logPrefix(self) -> None:
        """logPrefix is the class name."""
        assert Echo().logPrefix() == "Echo"

    def test_connectionDone(self) -> None:
        """The default connectionLost reason is a ConnectionDone failure."""
        assert protocol.connectionDone.check(error.ConnectionDone)


class FactoryTests:
    """Factory builds protocols and counts ports."""

    def test_verifyObject(self) -> None:
        """Factory provides IProtocolFactory and ILoggingContext."""
        assert verifyObject(IProtocolFactory, Factory())
        assert verifyObject(ILoggingContext, Factory())

    def test_buildProtocol(self) -> None:
        """buildProtocol calls protocol() and sets the protocol's factory."""
        factory = QOTDFactory(b"configurable quote")
        p = factory.buildProtocol(("127.0.0.1", 0))
        assert isinstance(p, QOTD)
        assert p.factory is factory
        transport = StringTransport()
        p.makeConnection(transport)
        assert transport.value() == b"configurable quote\r\n"
        assert transport.disconnecting

    def test_protocolPerConnection(self) -> None:
        """Each call builds a new protocol."""
        factory = QOTDFactory()
        assert factory.buildProtocol(None) is not factory.buildProtocol(None)

    def test_noProtocol(self) -> None:
        """buildProtocol with protocol None raises a TypeError naming the fix."""
        with pytest.raises(TypeError, match="protocol"):
            Factory().buildProtocol(None)

    def test_protocolNeedsArguments(self) -> None:
        """A protocol class needing arguments gives TypeError from the default buildProtocol."""

        class NeedsArgs(Protocol):
            def __init__(self, users: dict[str, Any]) -> None:
                self.users = users

        with pytest.raises(TypeError):
            Factory.forProtocol(NeedsArgs).buildProtocol(None)  # type: ignore[arg-type]

    def test_forProtocol(self) -> None:
        """forProtocol builds a factory of the class with the protocol set."""
        factory = QOTDFactory.forProtocol(Echo, b"quote")
        assert isinstance(factory, QOTDFactory)
        assert cast(object, factory.protocol) is Echo
        assert factory.quote == b"quote"
        assert isinstance(factory.buildProtocol(None), Echo)

    def test_startStopRefcount(self) -> None:
        """startFactory runs on the first doStart, stopFactory on the last doStop."""
        events: list[str] = []

        class Counting(Factory):
            noisy = False

            def startFactory(self) -> None:
                events.append("start")

            def stopFactory(self) -> None:
                events.append("stop")

        factory = Counting()
        factory.doStart()
        factory.doStart()
        assert events == ["start"]
        assert factory.numPorts == 2
        factory.doStop()
        assert events == ["start"]
        factory.doStop()
        assert events == ["start", "stop"]
        factory.doStop()
        assert events == ["start", "stop"]
        assert factory.numPorts == 0

    def test_logsStartAndStop(self) -> None:
        """A noisy factory logs 'Starting factory <repr>' and 'Stopping factory <repr>'."""
        factory = QOTDFactory()
        with capturedLogs() as events:
            factory.doStart()
            factory.doStop()
        texts = [formatEvent(e) for e in events]
        assert texts == [f"Starting factory {factory!r}", f"Stopping factory {factory!r}"]

    def test_quietFactory(self) -> None:
        """A factory with noisy False logs nothing."""
        factory = QOTDFactory()
        factory.noisy = False
        with capturedLogs() as events:
            factory.doStart()
            factory.doStop()
        assert events == []

    def test_serverFactory(self) -> None:
        """ServerFactory is a Factory."""
        assert issubclass(ServerFactory, Factory)

    def test_clientFactoryNoOps(self) -> None:
        """ClientFactory's connection callbacks do nothing by default."""
        factory = ClientFactory()
        reason = Failure(error.ConnectionRefusedError())
        factory.startedConnecting(None)  # type: ignore[arg-type]
        factory.clientConnectionFailed(None, reason)  # type: ignore[arg-type]
        factory.clientConnectionLost(None, reason)  # type: ignore[arg-type]

    def test_publicModule(self) -> None:
        """Exported classes claim netframe.core.protocol."""
        assert Factory.__module__ == "netframe.core.protocol"
        assert ReconnectingClientFactory.__module__ == "netframe.core.protocol"


@implementer(IConnector)
class Connector:
    """A connector recording connect(), stopConnecting() and disconnect() calls."""

    def __init__(self, connecting: bool = False) -> None:
        self.connects = 0
        self.stops = 0
        self.disconnects = 0
        self.connecting = connecting

    def connect(self) -> None:
        """Record a connection attempt."""
        self.connects += 1

    def stopConnecting(self) -> None:
        """Record a stop, like a real connector that is not connecting."""
        self.stops += 1
        if not self.connecting:
            raise error.NotConnectingError()

    def disconnect(self) -> None:
        """Record a disconnect."""
        self.disconnects += 1

    def getDestination(self) -> IPv4Address:
        """A fixed destination."""
        return IPv4Address("TCP", "127.0.0.1", 8000)


class ReconnectingClientFactoryTests:
    """ReconnectingClientFactory: jittered exponential back-off on a Clock."""

    def _factory(self, jitter: float = 0.0) -> tuple[ReconnectingClientFactory, MemoryReactorClock]:
        """A quiet factory on a MemoryReactorClock."""
        factory = ReconnectingClientFactory()
        factory.noisy = False
        factory.jitter = jitter
        clock = MemoryReactorClock()
        factory.clock = clock
        return factory, clock

    def _fail(self, factory: ReconnectingClientFactory, connector: Any) -> float:
        """Report a failed connection and return the scheduled delay."""
        factory.clientConnectionFailed(connector, Failure(error.ConnectionRefusedError()))
        assert factory.clock is not None
        (call,) = factory.clock.getDelayedCalls()
        return call.getTime() - factory.clock.seconds()

    def test_connectorFakeProvidesIConnector(self) -> None:
        """The Connector fake these tests use provides IConnector."""
        assert verifyObject(IConnector, Connector())

    def test_defaults(self) -> None:
        """The documented defaults."""
        factory = ReconnectingClientFactory()
        assert factory.maxDelay == 3600
        assert factory.initialDelay == 1.0
        assert factory.factor == 2.7182818284590451
        assert factory.jitter == 0.11962656472
        assert factory.maxRetries is None
        assert factory.clock is None

    def test_delaysGrow(self) -> None:
        """Each failure multiplies the delay by factor and reconnects after it."""
        factory, clock = self._factory()
        connector = Connector()
        delays = []
        for _ in range(3):
            delays.append(self._fail(factory, connector))
            clock.advance(delays[-1])
        assert delays == pytest.approx([factory.factor, factory.factor**2, factory.factor**3])
        assert connector.connects == 3

    def test_capped(self) -> None:
        """The delay never grows past maxDelay."""
        factory, clock = self._factory()
        factory.maxDelay = 10
        connector = Connector()
        delays = []
        for _ in range(5):
            delays.append(self._fail(factory, connector))
            clock.advance(delays[-1])
        assert max(delays) == 10
        assert delays[-1] == 10

    def test_jittered(self) -> None:
        """With jitter the delay is a normal variate around the grown delay."""
        factory, _clock = self._factory(jitter=0.11962656472)
        random.seed(12345)
        delay = self._fail(factory, Connector())
        assert delay != pytest.approx(factory.factor)
        assert abs(delay - factory.factor) < factory.factor * 0.11962656472 * 6

    def test_resetDelay(self) -> None:
        """resetDelay goes back to initialDelay and zero retries."""
        factory, clock = self._factory()
        connector = Connector()
        self._fail(factory, connector)
        clock.advance(10)
        factory.resetDelay()
        assert (factory.delay, factory.retries) == (1.0, 0)
        assert self._fail(factory, connector) == pytest.approx(factory.factor)

    def test_resetInBuildProtocol(self) -> None:
        """The howto pattern: resetDelay() in buildProtocol after a connection."""

        class EchoClientFactory(ReconnectingClientFactory):
            noisy = False
            protocol = Echo

            def buildProtocol(self, addr: Any) -> Any:
                self.resetDelay()
                return super().buildProtocol(addr)

        factory = EchoClientFactory()
        factory.jitter = 0
        clock = MemoryReactorClock()
        factory.clock = clock
        connector = Connector()
        factory.clientConnectionFailed(connector, Failure(error.ConnectionRefusedError()))
        clock.advance(10)
        assert isinstance(factory.buildProtocol(None), Echo)
        assert factory.retries == 0
        factory.clientConnectionLost(connector, Failure(error.ConnectionLost()))
        assert clock.getDelayedCalls()[0].getTime() - clock.seconds() == pytest.approx(
            factory.factor
        )

    def test_stopTrying(self) -> None:
        """stopTrying cancels the pending attempt and stops further retries."""
        factory, clock = self._factory()
        connector = Connector()
        self._fail(factory, connector)
        factory.stopTrying()
        assert clock.getDelayedCalls() == []
        assert connector.stops == 1
        factory.clientConnectionLost(connector, Failure(error.ConnectionLost()))
        clock.advance(100)
        assert connector.connects == 0
        assert not factory.continueTrying

    def test_stopTryingWhileConnecting(self) -> None:
        """stopTrying stops a connector that is connecting."""
        factory, _clock = self._factory()
        connector = Connector(connecting=True)
        factory.connector = connector
        factory.stopTrying()
        assert connector.stops == 1

    def test_maxRetries(self) -> None:
        """After maxRetries attempts the factory gives up."""
        factory, clock = self._factory()
        factory.maxRetries = 2
        connector = Connector()
        for _ in range(2):
            clock.advance(self._fail(factory, connector))
        factory.clientConnectionFailed(connector, Failure(error.ConnectionRefusedError()))
        assert clock.getDelayedCalls() == []
        assert connector.connects == 2

    def test_maxRetriesZero(self) -> None:
        """With maxRetries 0 the first failure is not retried."""
        factory, clock = self._factory()
        factory.maxRetries = 0
        factory.clientConnectionFailed(Connector(), Failure(error.ConnectionRefusedError()))
        assert clock.getDelayedCalls() == []

    def test_retryWithoutConnector(self) -> None:
        """retry() with no connector known raises ValueError."""
        factory, _clock = self._factory()
        with pytest.raises(ValueError, match="no connector"):
            factory.retry()

    def test_noisyLogs(self) -> None:
        """A noisy factory logs when it will retry."""
        factory, _clock = self._factory()
        factory.noisy = True
        with capturedLogs() as events:
            self._fail(factory, Connector())
        assert any("will retry in" in formatEvent(e) for e in events)

    def test_pickleDropsConnectionState(self) -> None:
        """Pickling drops the connector, retries and delay."""
        factory = ReconnectingClientFactory()
        factory.connector = Connector()
        factory.retries = 5
        factory.delay = 100
        copy = pickle.loads(pickle.dumps(factory))
        assert copy.connector is None
        assert (copy.retries, copy.delay) == (0, 1.0)


class ClientCreatorTests:
    """ClientCreator connects a protocol instance and returns a Deferred."""

    def test_connectTCP(self) -> None:
        """connectTCP passes the arguments and fires with the protocol once built."""
        reactor = MemoryReactorClock()
        creator = ClientCreator(reactor, Echo)
        d = creator.connectTCP("localhost", 1234)
        host, port, factory, timeout, bindAddress = reactor.tcpClients[0]
        assert (host, port, timeout, bindAddress) == ("localhost", 1234, 30, None)
        p = factory.buildProtocol(None)
        assert isinstance(p, Echo)
        fired: list[Any] = []
        d.addCallback(fired.append)
        assert fired == []
        reactor.advance(0)
        assert fired == [p]

    def test_arguments(self) -> None:
        """Extra arguments are passed to the protocol class."""
        reactor = MemoryReactorClock()

        class Greeter(Protocol):
            def __init__(self, greeting: str, *, name: str) -> None:
                self.greeting = greeting
                self.name = name

        ClientCreator(reactor, Greeter, "hello", name="bob").connectUNIX("/tmp/s")
        factory = reactor.unixClients[0][1]
        p = factory.buildProtocol(None)
        assert (p.greeting, p.name) == ("hello", "bob")

    def test_failure(self) -> None:
        """A failed connection errbacks the Deferred."""
        reactor = MemoryReactorClock()
        d = ClientCreator(reactor, Echo).connectSSL("h", 443, object())
        factory = reactor.sslClients[0][2]
        factory.clientConnectionFailed(None, Failure(error.ConnectionRefusedError()))
        reactor.advance(0)
        assert _outcome(d).check(error.ConnectionRefusedError)

    def test_cancel(self) -> None:
        """Cancelling disconnects the connector and fails with CancelledError."""
        reactor = MemoryReactorClock()
        d = ClientCreator(reactor, Echo).connectTCP("h", 1)
        d.cancel()
        assert reactor.connectors[0]._disconnected
        assert _outcome(d).check(CancelledError)

    def test_cancelAfterBuild(self) -> None:
        """Cancelling after buildProtocol drops the pending delivery."""
        reactor = MemoryReactorClock()
        d = ClientCreator(reactor, Echo).connectTCP("h", 1)
        reactor.tcpClients[0][2].buildProtocol(None)
        d.cancel()
        assert reactor.getDelayedCalls() == []
        assert _outcome(d).check(CancelledError)


class DatagramProtocolTests:
    """DatagramProtocol start/stop bookkeeping."""

    def test_verifyObject(self) -> None:
        """DatagramProtocol provides ILoggingContext."""
        assert verifyObject(ILoggingContext, DatagramProtocol())

    def test_makeConnectionStarts(self) -> None:
        """makeConnection sets the transport and calls startProtocol once."""
        events: list[str] = []

        class Recorder(DatagramProtocol):
            noisy = False

            def startProtocol(self) -> None:
                events.append("start")

            def stopProtocol(self) -> None:
                events.append("stop")

        p = Recorder()
        transport = object()
        p.makeConnection(transport)
        assert p.transport is transport
        assert events == ["start"]
        p.doStop()
        assert p.transport is None
        assert events == ["start", "stop"]

    def test_makeConnectionTwice(self) -> None:
        """A second transport is refused."""
        p = DatagramProtocol()
        p.noisy = False
        p.makeConnection(object())
        with pytest.raises(RuntimeError):
            p.makeConnection(object())

    def test_refcount(self) -> None:
        """doStart/doStop count ports: stopProtocol only on the last stop."""
        events: list[str] = []

        class Recorder(DatagramProtocol):
            noisy = False

            def stopProtocol(self) -> None:
                events.append("stop")

        p = Recorder()
        p.doStart()
        p.doStart()
        p.doStop()
        assert events == []
        p.doStop()
        p.doStop()
        assert events == ["stop"]

    def test_datagramReceivedNoOp(self) -> None:
        """The base datagramReceived and connectionRefused do nothing."""
        p = DatagramProtocol()
        p.datagramReceived(b"x", ("127.0.0.1", 9))
        p.connectionRefused()
        assert p.logPrefix() == "DatagramProtocol"

    def test_connected(self) -> None:
        """ConnectedDatagramProtocol takes datagrams without addresses and failures."""
        p = ConnectedDatagramProtocol()
        p.datagramReceived(b"x")
        p.connectionFailed(Failure(error.DNSLookupError("x")))

    def test_logsStart(self) -> None:
        """A noisy datagram protocol logs its start."""
        p = DatagramProtocol()
        with capturedLogs() as events:
            p.doStart()
            p.doStop()
        assert [formatEvent(e).split(" ")[0] for e in events] == ["Starting", "Stopping"]


class ProcessProtocolTests:
    """ProcessProtocol dispatches child fds."""

    def test_verifyObject(self) -> None:
        """ProcessProtocol provides IProcessProtocol."""
        assert verifyObject(IProcessProtocol, ProcessProtocol())

    def test_childDataDispatch(self) -> None:
        """fd 1 goes to outReceived, fd 2 to errReceived, others nowhere."""
        seen: list[tuple[str, bytes]] = []

        class Recorder(ProcessProtocol):
            def outReceived(self, data: bytes) -> None:
                seen.append(("out", data))

            def errReceived(self, data: bytes) -> None:
                seen.append(("err", data))

        p = Recorder()
        p.childDataReceived(1, b"a")
        p.childDataReceived(2, b"b")
        p.childDataReceived(3, b"c")
        assert seen == [("out", b"a"), ("err", b"b")]

    def test_childConnectionLostDispatch(self) -> None:
        """fds 0, 1, 2 go to in/out/errConnectionLost."""
        seen: list[str] = []

        class Recorder(ProcessProtocol):
            def inConnectionLost(self) -> None:
                seen.append("in")

            def outConnectionLost(self) -> None:
                seen.append("out")

            def errConnectionLost(self) -> None:
                seen.append("err")

        p = Recorder()
        for fd in (0, 1, 2, 3):
            p.childConnectionLost(fd)
        assert seen == ["in", "out", "err"]

    def test_noOps(self) -> None:
        """The base methods accept their events and do nothing."""
        p = ProcessProtocol()
        p.makeConnection(object())  # type: ignore[arg-type]
        p.outReceived(b"x")
        p.errReceived(b"x")
        p.inConnectionLost()
        p.outConnectionLost()
        p.errConnectionLost()
        p.processExited(Failure(error.ProcessDone(0)))
        p.processEnded(Failure(error.ProcessTerminated(1)))
        assert p.connected == 1
