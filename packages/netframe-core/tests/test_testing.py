"""Tests for netframe.core.testing: StringTransport, AccumulatingProtocol, MemoryReactor."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from netframe.core import error
from netframe.core.address import IPv4Address, IPv6Address, UNIXAddress
from netframe.core.defer import Deferred
from netframe.core.failure import Failure
from netframe.core.interfaces import (
    IConnector,
    IConsumer,
    IListeningPort,
    IPullProducer,
    IPushProducer,
    IReactorCore,
    IReactorFDSet,
    IReactorSocket,
    IReactorSSL,
    IReactorTCP,
    IReactorTime,
    IReactorUDP,
    IReactorUNIX,
    ITCPTransport,
    ITransport,
)
from netframe.core.protocol import ClientFactory, Factory, Protocol
from netframe.core.protocols.basic import LineReceiver
from netframe.core.task import Clock
from netframe.core.testing import (
    AccumulatingProtocol,
    EventLoggingObserver,
    MemoryReactor,
    MemoryReactorClock,
    NonStreamingProducer,
    RaisingMemoryReactor,
    StringTransport,
    StringTransportWithDisconnection,
)
from netframe.logger import ILogObserver, Logger, LogPublisher


def _outcome(d: Deferred[Any]) -> Any:
    """Return the current result of a fired Deferred."""
    box: list[Any] = []
    d.addBoth(box.append)
    assert box, "Deferred has not fired"
    return box[0]


class StringTransportTests:
    """StringTransport records writes and requests."""

    def test_verifyObject(self) -> None:
        """StringTransport provides ITransport, ITCPTransport, IConsumer and IPushProducer."""
        transport = StringTransport()
        for interface in (ITransport, ITCPTransport, IConsumer, IPushProducer):
            assert verifyObject(interface, transport)

    def test_valueAndClear(self) -> None:
        """value() returns everything written; clear() forgets it."""
        transport = StringTransport()
        transport.write(b"abc")
        transport.writeSequence([b"d", b"ef"])
        assert transport.value() == b"abcdef"
        transport.clear()
        assert transport.value() == b""

    def test_writeText(self) -> None:
        """Writing text raises TypeError."""
        with pytest.raises(TypeError, match="bytes"):
            StringTransport().write("text")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            StringTransport().writeSequence(["text"])  # type: ignore[list-item]

    def test_loseConnection(self) -> None:
        """loseConnection sets disconnecting."""
        transport = StringTransport()
        assert not transport.disconnecting
        transport.loseConnection()
        transport = (
            transport  # loseConnection() changed it: drop mypy's narrowing (mypy issue 11969)
        )
        assert transport.disconnecting
        assert not transport.aborted

    def test_abortConnection(self) -> None:
        """abortConnection sets aborted and disconnecting."""
        transport = StringTransport()
        transport.abortConnection()
        assert transport.aborted and transport.disconnecting

    def test_defaultAddresses(self) -> None:
        """getPeer and getHost have fixed IPv4 defaults."""
        transport = StringTransport()
        assert transport.getPeer() == IPv4Address("TCP", "192.168.1.1", 54321)
        assert transport.getHost() == IPv4Address("TCP", "10.0.0.1", 12345)

    def test_givenAddresses(self) -> None:
        """Addresses given at construction are returned."""
        host = IPv4Address("TCP", "127.0.0.1", 1)
        peer = IPv4Address("TCP", "127.0.0.1", 2)
        transport = StringTransport(hostAddress=host, peerAddress=peer)
        assert (transport.getHost(), transport.getPeer()) == (host, peer)

    def test_producerRegistration(self) -> None:
        """registerProducer records producer and streaming; unregister clears them."""
        transport = StringTransport()
        producer = object()
        transport.registerProducer(producer, True)
        assert (transport.producer, transport.streaming) == (producer, True)
        with pytest.raises(RuntimeError):
            transport.registerProducer(object(), False)
        transport.unregisterProducer()
        assert (transport.producer, transport.streaming) == (None, None)
        with pytest.raises(RuntimeError):
            transport.unregisterProducer()

    def test_producerState(self) -> None:
        """pause/resume/stopProducing record producerState."""
        transport = StringTransport()
        assert transport.producerState == "producing"
        transport.pauseProducing()
        assert transport.producerState == "paused"
        transport.resumeProducing()
        assert transport.producerState == "producing"
        transport.stopProducing()
        assert transport.producerState == "stopped"
        with pytest.raises(RuntimeError):
            transport.resumeProducing()

    def test_resumeAfterLoseConnection(self) -> None:
        """Pausing or resuming after loseConnection raises RuntimeError."""
        transport = StringTransport()
        transport.loseConnection()
        with pytest.raises(RuntimeError):
            transport.pauseProducing()

    def test_tcpOptions(self) -> None:
        """TCP options are recorded."""
        transport = StringTransport()
        transport.setTcpNoDelay(True)
        transport.setTcpKeepAlive(True)
        assert transport.getTcpNoDelay() and transport.getTcpKeepAlive()
        transport.loseWriteConnection()
        assert transport.writeDisconnected

    def test_nonStreamingProducer(self) -> None:
        """NonStreamingProducer writes ten values, then unregisters and fires."""
        transport = StringTransport()
        producer = NonStreamingProducer(transport)
        assert verifyObject(IPullProducer, producer)
        transport.registerProducer(producer, False)
        result = producer.result
        while transport.producer is not None:
            producer.resumeProducing()
        assert transport.value() == b"0123456789"
        assert _outcome(result) is None


class StringTransportWithDisconnectionTests:
    """StringTransportWithDisconnection forwards loseConnection to the protocol."""

    def test_connectionLost(self) -> None:
        """loseConnection calls connectionLost once with ConnectionDone."""
        transport = StringTransportWithDisconnection()
        proto = AccumulatingProtocol()
        transport.protocol = proto
        proto.makeConnection(transport)
        transport.loseConnection()
        transport.loseConnection()
        assert proto.closed
        assert proto.closedReason is not None
        assert proto.closedReason.check(error.ConnectionDone)
        assert not transport.connected


class AccumulatingProtocolTests:
    """AccumulatingProtocol records events."""

    def test_records(self) -> None:
        """made, data, closed and closedReason are recorded; Deferreds fire."""
        proto = AccumulatingProtocol()
        proto.madeDeferred = Deferred()
        proto.closedDeferred = Deferred()
        made, closedD = proto.madeDeferred, proto.closedDeferred
        proto.makeConnection(StringTransport())
        assert proto.made
        assert _outcome(made) is proto
        proto.dataReceived(b"ab")
        proto.dataReceived(b"c")
        assert proto.data == b"abc"
        reason = Failure(error.ConnectionLost())
        proto.connectionLost(reason)
        assert proto.closed and proto.closedReason is reason
        assert _outcome(closedD) is None

    def test_factoryDeferred(self) -> None:
        """The factory's protocolConnectionMade Deferred fires once with the protocol."""
        factory = Factory.forProtocol(AccumulatingProtocol)
        factory.protocolConnectionMade = Deferred()  # type: ignore[attr-defined]
        d = factory.protocolConnectionMade  # type: ignore[attr-defined]
        proto = factory.buildProtocol(None)
        assert proto is not None
        proto.makeConnection(StringTransport())
        assert _outcome(d) is proto
        assert factory.protocolConnectionMade is None  # type: ignore[attr-defined]


# The trial tutorial's calculator, in the tutorial's own shape.


class Calculation:
    """The calculus tutorial's arithmetic."""

    def add(self, a: int, b: int) -> int:
        """Add."""
        return a + b

    def subtract(self, a: int, b: int) -> int:
        """Subtract."""
        return a - b

    def multiply(self, a: int, b: int) -> int:
        """Multiply."""
        return a * b

    def divide(self, a: int, b: int) -> int:
        """Integer division."""
        return a // b


class RemoteCalculationProtocol(LineReceiver):
    """remote_1.py: executes 'op a b' lines."""

    def __init__(self) -> None:
        self.calc = Calculation()

    def lineReceived(self, line: bytes) -> None:
        """Run the operation and send the result."""
        op, a, b = line.split()
        result = getattr(self.calc, op.decode())(int(a), int(b))
        self.sendLine(str(result).encode())


class RemoteCalculationFactory(Factory):
    """remote_1.py's factory."""

    protocol = RemoteCalculationProtocol


class ClientTimeoutError(Exception):
    """client_2.py's timeout error."""


class RemoteCalculationClient(LineReceiver):
    """client_2.py: sends operations, with a timeout per request."""

    timeOut = 60

    def __init__(self, callLater: Any) -> None:
        self.callLater = callLater
        self.results: list[tuple[Deferred[int], Any]] = []

    def lineReceived(self, line: bytes) -> None:
        """Deliver a result and cancel its timeout."""
        d, callID = self.results.pop(0)
        callID.cancel()
        d.callback(int(line))

    def _cancel(self, d: Deferred[int]) -> None:
        d.errback(ClientTimeoutError())

    def add(self, a: int, b: int) -> Deferred[int]:
        """Send an addition."""
        d: Deferred[int] = Deferred()
        callID = self.callLater(self.timeOut, self._cancel, d)
        self.results.append((d, callID))
        self.sendLine(b"add %d %d" % (a, b))
        return d


class CalculusTutorialTests:
    """The trial tutorial's tests, run against StringTransport and Clock."""

    @pytest.mark.parametrize(
        ("operation", "a", "b", "expected"),
        [("add", 7, 6, 13), ("subtract", 82, 78, 4), ("multiply", 2, 8, 16), ("divide", 14, 3, 4)],
    )
    def test_remote(self, operation: str, a: int, b: int, expected: int) -> None:
        """test_remote_1: a line in, the result written to the transport."""
        proto = RemoteCalculationFactory().buildProtocol(("127.0.0.1", 0))
        assert proto is not None
        tr = StringTransport()
        proto.makeConnection(tr)
        proto.dataReceived(b"%s %d %d\r\n" % (operation.encode(), a, b))
        assert int(tr.value()) == expected

    def test_client(self) -> None:
        """test_client_2: the request is written and the reply fires the Deferred."""
        clock = Clock()
        tr = StringTransportWithDisconnection()
        proto = RemoteCalculationClient(clock.callLater)
        tr.protocol = proto
        proto.makeConnection(tr)
        d = proto.add(7, 6)
        assert tr.value() == b"add 7 6\r\n"
        tr.clear()
        proto.dataReceived(b"13\r\n")
        assert _outcome(d) == 13
        assert clock.getDelayedCalls() == []

    def test_timeout(self) -> None:
        """test_client_2's test_timeout: advancing the clock fails the request."""
        clock = Clock()
        tr = StringTransportWithDisconnection()
        proto = RemoteCalculationClient(clock.callLater)
        tr.protocol = proto
        proto.makeConnection(tr)
        d = proto.add(9, 4)
        assert tr.value() == b"add 9 4\r\n"
        clock.advance(proto.timeOut)
        assert _outcome(d).check(ClientTimeoutError)


class RecordingClientFactory(ClientFactory):
    """Records startedConnecting."""

    def __init__(self) -> None:
        self.connectors: list[Any] = []

    def startedConnecting(self, connector: Any) -> None:
        """Record the connector."""
        self.connectors.append(connector)


class MemoryReactorTests:
    """MemoryReactor records listen and connect calls."""

    def test_verifyObject(self) -> None:
        """MemoryReactor provides every interface it declares."""
        reactor = MemoryReactor()
        for interface in (
            IReactorCore,
            IReactorTCP,
            IReactorSSL,
            IReactorUNIX,
            IReactorUDP,
            IReactorSocket,
            IReactorFDSet,
        ):
            assert verifyObject(interface, reactor)

    def test_listenTCP(self) -> None:
        """listenTCP records the call and returns a port at that port number."""
        reactor = MemoryReactor()
        factory = Factory()
        port = reactor.listenTCP(8080, factory, backlog=10, interface="127.0.0.1")
        assert reactor.tcpServers == [(8080, factory, 10, "127.0.0.1")]
        assert verifyObject(IListeningPort, port)
        assert port.getHost() == IPv4Address("TCP", "0.0.0.0", 8080)
        assert _outcome(port.stopListening()) is None
        assert not port.listening

    def test_listenTCPv6(self) -> None:
        """An IPv6 interface gives an IPv6 port address."""
        port = MemoryReactor().listenTCP(80, Factory(), interface="::1")
        assert port.getHost() == IPv6Address("TCP", "::1", 80)

    def test_connectTCP(self) -> None:
        """connectTCP records the call, tells the factory and returns a connector."""
        reactor = MemoryReactor()
        factory = RecordingClientFactory()
        connector = reactor.connectTCP("example.com", 80, factory, timeout=5)
        assert reactor.tcpClients == [("example.com", 80, factory, 5, None)]
        assert factory.connectors == [connector]
        assert reactor.connectors == [connector]
        assert verifyObject(IConnector, connector)
        assert connector.getDestination() == IPv4Address("TCP", "example.com", 80)
        connector.stopConnecting()
        connector.disconnect()
        connector.connect()
        assert connector.stoppedConnecting and connector._disconnected
        assert connector.connectCalls == 1

    def test_connectTCPv6(self) -> None:
        """An IPv6 host gives an IPv6 destination."""
        connector = MemoryReactor().connectTCP("::1", 80, RecordingClientFactory())
        assert connector.getDestination() == IPv6Address("TCP", "::1", 80)

    def test_ssl(self) -> None:
        """listenSSL and connectSSL are recorded with the context factory."""
        reactor = MemoryReactor()
        factory = RecordingClientFactory()
        context = object()
        reactor.listenSSL(443, factory, context)
        reactor.connectSSL("h", 443, factory, context)
        assert reactor.sslServers == [(443, factory, context, 50, "")]
        assert reactor.sslClients == [("h", 443, factory, context, 30, None)]

    def test_unix(self) -> None:
        """listenUNIX and connectUNIX are recorded with UNIX addresses."""
        reactor = MemoryReactor()
        factory = RecordingClientFactory()
        port = reactor.listenUNIX("/tmp/s", factory, mode=0o600, wantPID=1)
        connector = reactor.connectUNIX("/tmp/s", factory, checkPID=1)
        assert reactor.unixServers == [("/tmp/s", factory, 50, 0o600, 1)]
        assert reactor.unixClients == [("/tmp/s", factory, 30, 1)]
        assert port.getHost() == UNIXAddress("/tmp/s")
        assert connector.getDestination() == UNIXAddress("/tmp/s")

    def test_udp(self) -> None:
        """listenUDP is recorded."""
        reactor = MemoryReactor()
        proto = object()
        port = reactor.listenUDP(53, proto)
        assert reactor.udpServers == [(53, proto, "", 8192)]
        assert port.getHost() == IPv4Address("UDP", "0.0.0.0", 53)

    def test_adopt(self) -> None:
        """Adopted ports and connections are recorded; other families are refused."""
        reactor = MemoryReactor()
        factory = Factory()
        port = reactor.adoptStreamPort(3, socket.AF_INET, factory)
        assert port.getHost() == IPv4Address("TCP", "0.0.0.0", 1234)
        port6 = reactor.adoptStreamPort(4, socket.AF_INET6, factory)
        assert port6.getHost() == IPv6Address("TCP", "::", 1234)
        with pytest.raises(error.UnsupportedAddressFamily):
            reactor.adoptStreamPort(5, socket.AF_UNIX, factory)
        reactor.adoptStreamConnection(6, socket.AF_INET, factory)
        reactor.adoptDatagramPort(7, socket.AF_INET, object())
        assert reactor.adoptedPorts == [(3, socket.AF_INET, factory), (4, socket.AF_INET6, factory)]
        assert reactor.adoptedStreamConnections == [(6, socket.AF_INET, factory)]
        assert len(reactor.adoptedDatagramPorts) == 1

    def test_run(self) -> None:
        """run() runs callWhenRunning calls, then stops."""
        reactor = MemoryReactor()
        seen: list[Any] = []
        reactor.callWhenRunning(lambda *a, **k: seen.append((reactor.running, a, k)), 1, x=2)
        assert not reactor.hasRun
        reactor.run()
        reactor = reactor  # run() changed reactor.hasRun: drop mypy's narrowing (mypy issue 11969)
        assert seen == [(True, (1,), {"x": 2})]
        assert reactor.hasRun and reactor.hasStopped and not reactor.running

    def test_crash(self) -> None:
        """crash() records the crash."""
        reactor = MemoryReactor()
        reactor.crash()
        assert reactor.hasCrashed

    def test_install(self) -> None:
        """install() only records."""
        reactor = MemoryReactor()
        reactor.install()
        assert reactor.hasInstalled

    def test_systemEvents(self) -> None:
        """Triggers are recorded and fireSystemEvent runs them phase by phase."""
        reactor = MemoryReactor()
        order: list[str] = []
        reactor.addSystemEventTrigger("after", "shutdown", order.append, "after")
        reactor.addSystemEventTrigger("before", "shutdown", order.append, "before")
        triggerID = reactor.addSystemEventTrigger("during", "shutdown", order.append, "x")
        reactor.addSystemEventTrigger("during", "shutdown", order.append, "during")
        reactor.removeSystemEventTrigger(triggerID)
        assert len(reactor.triggers["before"]["shutdown"]) == 1
        reactor.fireSystemEvent("shutdown")
        assert order == ["before", "during", "after"]
        with pytest.raises(ValueError):
            reactor.removeSystemEventTrigger(triggerID)
        with pytest.raises(ValueError):
            reactor.addSystemEventTrigger("sometime", "shutdown", order.append)

    def test_readersWriters(self) -> None:
        """Readers and writers are kept in sets; removeAll returns and clears them."""
        reactor = MemoryReactor()
        reader, writer = object(), object()
        reactor.addReader(reader)
        reactor.addWriter(writer)
        assert reactor.getReaders() == [reader] and reactor.getWriters() == [writer]
        assert set(reactor.removeAll()) == {reader, writer}
        reactor.addReader(reader)
        reactor.removeReader(reader)
        reactor.removeWriter(writer)
        assert reactor.getReaders() == []

    def test_notImplemented(self) -> None:
        """resolve and iterate are not faked."""
        with pytest.raises(NotImplementedError):
            MemoryReactor().resolve("example.com")
        with pytest.raises(NotImplementedError):
            MemoryReactor().iterate()


class MemoryReactorClockTests:
    """MemoryReactorClock adds fake time."""

    def test_verifyObject(self) -> None:
        """It provides IReactorTime as well as IReactorTCP."""
        reactor = MemoryReactorClock()
        assert verifyObject(IReactorTime, reactor)
        assert verifyObject(IReactorTCP, reactor)

    def test_callLater(self) -> None:
        """callLater and advance work."""
        reactor = MemoryReactorClock()
        seen: list[int] = []
        reactor.callLater(1, seen.append, 1)
        reactor.advance(1)
        assert seen == [1]


class RaisingMemoryReactorTests:
    """RaisingMemoryReactor raises the given exceptions."""

    def test_listen(self) -> None:
        """Every listen method raises the listen exception."""
        exc = error.CannotListenError("", 80, OSError("in use"))
        reactor = RaisingMemoryReactor(listenException=exc)
        calls: tuple[Callable[[], object], ...] = (
            lambda: reactor.listenTCP(80, Factory()),
            lambda: reactor.listenSSL(80, Factory(), None),
            lambda: reactor.listenUNIX("/s", Factory()),
            lambda: reactor.listenUDP(80, object()),
            lambda: reactor.adoptStreamPort(3, socket.AF_INET, Factory()),
        )
        for call in calls:
            with pytest.raises(error.CannotListenError):
                call()

    def test_connect(self) -> None:
        """Every connect method raises the connect exception."""
        reactor = RaisingMemoryReactor(connectException=error.ConnectionRefusedError())
        calls: tuple[Callable[[], object], ...] = (
            lambda: reactor.connectTCP("h", 1, ClientFactory()),
            lambda: reactor.connectSSL("h", 1, ClientFactory(), None),
            lambda: reactor.connectUNIX("/s", ClientFactory()),
        )
        for call in calls:
            with pytest.raises(error.ConnectionRefusedError):
                call()

    def test_noException(self) -> None:
        """Without an exception to raise, a RuntimeError says so."""
        with pytest.raises(RuntimeError, match="connectException"):
            RaisingMemoryReactor().connectTCP("h", 1, ClientFactory())


class EventLoggingObserverTests:
    """EventLoggingObserver collects events."""

    def test_verifyObject(self) -> None:
        """It provides ILogObserver."""
        assert verifyObject(ILogObserver, EventLoggingObserver())

    def test_collects(self) -> None:
        """Events sent to it can be counted, indexed and iterated."""
        observer = EventLoggingObserver()
        log = Logger(observer=observer)
        log.info("one")
        log.warn("two {x}", x=2)
        assert len(observer) == 2
        assert observer[1]["x"] == 2
        assert [e["log_format"] for e in observer] == ["one", "two {x}"]

    def test_createWithCleanup(self) -> None:
        """createWithCleanup adds it to a publisher and removes it at cleanup."""
        cleanups: list[Any] = []

        class FakeTest:
            def addCleanup(self, f: Any) -> None:
                cleanups.append(f)

        publisher = LogPublisher()
        observer = EventLoggingObserver.createWithCleanup(FakeTest(), publisher)
        publisher({"log_format": "hi"})
        assert len(observer) == 1
        for cleanup in cleanups:
            cleanup()
        publisher({"log_format": "again"})
        assert len(observer) == 1


class ProtocolStillWorks(Protocol):
    """A protocol used to check MemoryReactor with a real factory."""


class FactoryThroughMemoryReactorTests:
    """A server factory picked out of tcpServers is driven by hand."""

    def test_drive(self) -> None:
        """The recorded factory builds a protocol usable with StringTransport."""
        reactor = MemoryReactor()
        reactor.listenTCP(0, RemoteCalculationFactory())
        factory = reactor.tcpServers[0][1]
        proto = factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 1))
        tr = StringTransport()
        proto.makeConnection(tr)
        proto.dataReceived(b"add 4123 9423\r\n")
        assert tr.value() == b"13546\r\n"
