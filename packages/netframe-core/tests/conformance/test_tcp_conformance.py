"""
TCP stream conformance over real loopback sockets, run against every reactor:
echo, producers, half-close, flushing close, abort, refused connections,
error containment and descriptor hygiene.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.core import error
from netframe.core.address import IPv4Address, IPv6Address
from netframe.core.interfaces import (
    IConnector,
    IConsumer,
    IHalfCloseableProtocol,
    IListeningPort,
    IPushProducer,
    IReadWriteDescriptor,
    ISystemHandle,
    ITCPTransport,
)
from netframe.core.protocol import ClientFactory, Factory, Protocol, connectionDone
from netframe.core.protocols.wire import Echo
from netframe.logger import capturedLogs


class Collector(Protocol):
    """Client protocol recording everything that happens to it."""

    transport: Any

    def __init__(self, onLost: Any = None, send: bytes = b"", expect: int = 0) -> None:
        self.received = bytearray()
        self.reasons: list[Any] = []
        self.onLost = onLost
        self.send = send
        self.expect = expect
        self.made = 0

    def connectionMade(self) -> None:
        self.made += 1
        if self.send:
            self.transport.write(self.send)

    def dataReceived(self, data: bytes) -> None:
        self.received += data
        if self.expect and len(self.received) >= self.expect:
            self.transport.loseConnection()

    def connectionLost(self, reason: Any = connectionDone) -> None:
        self.reasons.append(reason)
        if self.onLost is not None:
            self.onLost(self)


class SingleClientFactory(ClientFactory):
    """Client factory handing out one pre-built protocol and recording events."""

    def __init__(self, protocol: Any) -> None:
        self.proto = protocol
        self.events: list[tuple[str, Any]] = []

    def startedConnecting(self, connector: Any) -> None:
        self.events.append(("started", connector))

    def buildProtocol(self, addr: Any) -> Any:
        self.events.append(("built", addr))
        self.proto.factory = self
        return self.proto

    def clientConnectionFailed(self, connector: Any, reason: Any) -> None:
        self.events.append(("failed", reason))

    def clientConnectionLost(self, connector: Any, reason: Any) -> None:
        self.events.append(("lost", reason))


def listen(reactor: Any, factory: Any, interface: str = "127.0.0.1") -> tuple[Any, int]:
    """Listen on an ephemeral loopback port; return the port and its number."""
    port = reactor.listenTCP(0, factory, interface=interface)
    return port, port.getHost().port


class EchoTests:
    """Bytes written to an echo server come back."""

    @pytest.mark.parametrize("family", ["ipv4", "ipv6"])
    def test_echo(self, reactor: Any, runner: Any, family: str) -> None:
        """A client's bytes are echoed back over IPv4 and IPv6, then a clean close."""
        interface = "::1" if family == "ipv6" else "127.0.0.1"
        port, number = listen(reactor, Factory.forProtocol(Echo), interface)
        payload = b"hello netframe" * 1000
        client = Collector(onLost=lambda p: runner.stopSoon(), send=payload, expect=len(payload))
        factory = SingleClientFactory(client)
        connector = reactor.connectTCP(interface, number, factory)
        runner.run()
        assert bytes(client.received) == payload
        assert client.reasons[0].check(error.ConnectionDone)
        kinds = [k for k, _ in factory.events]
        assert kinds == ["started", "built", "lost"]
        addressType = IPv6Address if family == "ipv6" else IPv4Address
        assert isinstance(port.getHost(), addressType)
        assert isinstance(connector.getDestination(), addressType)
        assert verifyObject(IListeningPort, port)
        assert verifyObject(IConnector, connector)

    def test_transportInterfaceAndOptions(self, reactor: Any, runner: Any) -> None:
        """The transport provides ITCPTransport; addresses and socket options work."""
        seen: dict[str, Any] = {}

        class Inspect(Protocol):
            transport: Any

            def connectionMade(self) -> None:
                t = self.transport
                seen["verified"] = all(
                    verifyObject(iface, t)
                    for iface in (
                        ITCPTransport,
                        ISystemHandle,
                        IConsumer,
                        IPushProducer,
                        IReadWriteDescriptor,
                    )
                )
                seen["host"] = t.getHost()
                seen["peer"] = t.getPeer()
                t.setTcpNoDelay(True)
                t.setTcpKeepAlive(True)
                seen["nodelay"] = t.getTcpNoDelay()
                seen["keepalive"] = t.getTcpKeepAlive()
                t.setTcpNoDelay(False)
                seen["nodelayOff"] = t.getTcpNoDelay()
                t.loseConnection()

        _port, number = listen(reactor, Factory.forProtocol(Inspect))
        client = Collector(onLost=lambda p: runner.stopSoon())
        reactor.connectTCP("127.0.0.1", number, SingleClientFactory(client))
        runner.run()
        assert seen["verified"]
        assert seen["host"] == IPv4Address("TCP", "127.0.0.1", number)
        assert seen["peer"].host == "127.0.0.1"
        assert seen["nodelay"] is True and seen["keepalive"] is True
        assert seen["nodelayOff"] is False

    def test_connectByHostname(self, reactor: Any, runner: Any) -> None:
        """connectTCP resolves a host name (on a worker thread) before connecting."""
        _port, number = listen(reactor, Factory.forProtocol(Echo))
        client = Collector(onLost=lambda p: runner.stopSoon(), send=b"x", expect=1)
        reactor.connectTCP("localhost", number, SingleClientFactory(client))
        runner.run()
        assert bytes(client.received) == b"x"


class ConnectFailureTests:
    """Failed connection attempts reach clientConnectionFailed."""

    def test_connectionRefused(self, reactor: Any, runner: Any, unusedPort: Any) -> None:
        """Connecting to a closed port fails with ConnectionRefusedError."""
        client = Collector()
        factory = SingleClientFactory(client)

        def failed(connector: Any, reason: Any) -> None:
            factory.events.append(("failed", reason))
            runner.stopSoon()

        factory.clientConnectionFailed = failed  # type: ignore[method-assign]
        reactor.connectTCP("127.0.0.1", unusedPort(), factory)
        runner.run()
        assert [k for k, _ in factory.events] == ["started", "failed"]
        assert factory.events[1][1].check(error.ConnectionRefusedError)
        assert client.made == 0

    def test_timeout(self, reactor: Any, runner: Any) -> None:
        """A zero timeout fails the attempt with TimeoutError before it connects."""
        _port, number = listen(reactor, Factory.forProtocol(Echo))
        factory = SingleClientFactory(Collector())

        def failed(connector: Any, reason: Any) -> None:
            factory.events.append(("failed", reason))
            runner.stopSoon()

        factory.clientConnectionFailed = failed  # type: ignore[method-assign]
        reactor.connectTCP("127.0.0.1", number, factory, timeout=0)
        runner.run()
        assert factory.events[-1][1].check(error.TimeoutError)

    def test_stopConnecting(self, reactor: Any, runner: Any) -> None:
        """stopConnecting abandons the attempt with UserError; connect() retries."""
        _port, number = listen(reactor, Factory.forProtocol(Echo))
        client = Collector(onLost=lambda p: runner.stopSoon(), send=b"again", expect=5)
        factory = SingleClientFactory(client)

        def failed(connector: Any, reason: Any) -> None:
            factory.events.append(("failed", reason))
            connector.connect()

        factory.clientConnectionFailed = failed  # type: ignore[method-assign]
        connector = reactor.connectTCP("127.0.0.1", number, factory)
        connector.stopConnecting()
        runner.run()
        assert factory.events[1][1].check(error.UserError)
        assert bytes(client.received) == b"again"

    def test_stopConnectingDuringResolution(self, reactor: Any, runner: Any) -> None:
        """Abandoning an attempt while the name resolves reports one failure, nothing after."""
        _port, number = listen(reactor, Factory.forProtocol(Echo))
        client = Collector()
        factory = SingleClientFactory(client)
        connector = reactor.connectTCP("localhost", number, factory)
        connector.stopConnecting()
        done = reactor.resolve("localhost")
        done.addBoth(lambda _: reactor.callLater(0.05, runner.stopSoon))
        runner.run()
        assert [k for k, _ in factory.events] == ["started", "failed"]
        assert factory.events[1][1].check(error.UserError)
        assert client.made == 0

    def test_listenTwiceFails(self, reactor: Any) -> None:
        """Listening on a port already in use raises CannotListenError."""
        port, number = listen(reactor, Factory.forProtocol(Echo))
        with pytest.raises(error.CannotListenError):
            reactor.listenTCP(number, Factory.forProtocol(Echo), interface="127.0.0.1")
        port.stopListening()


class CloseTests:
    """loseConnection, abortConnection and half-close."""

    def test_loseConnectionFlushes(self, reactor: Any, runner: Any) -> None:
        """Data written before loseConnection all arrives, then ConnectionDone."""
        blob = bytes(range(256)) * 16384  # 4 MiB

        class Sender(Protocol):
            transport: Any

            def connectionMade(self) -> None:
                self.transport.write(blob)
                self.transport.loseConnection()

        _port, number = listen(reactor, Factory.forProtocol(Sender))
        client = Collector(onLost=lambda p: runner.stopSoon())
        reactor.connectTCP("127.0.0.1", number, SingleClientFactory(client))
        runner.run()
        assert bytes(client.received) == blob
        assert client.reasons[0].check(error.ConnectionDone)

    def test_abortConnection(self, reactor: Any, runner: Any) -> None:
        """abortConnection discards the buffer and gives ConnectionAborted, once."""
        reasons: list[Any] = []

        class Aborter(Protocol):
            transport: Any

            def connectionMade(self) -> None:
                self.transport.write(b"x" * (8 * 1024 * 1024))
                self.transport.abortConnection()
                self.transport.abortConnection()

            def connectionLost(self, reason: Any = connectionDone) -> None:
                reasons.append(reason)

        _port, number = listen(reactor, Factory.forProtocol(Aborter))
        client = Collector(onLost=lambda p: runner.stopSoon())
        client.dataReceived = lambda data: client.transport.pauseProducing()  # type: ignore[method-assign]
        reactor.connectTCP("127.0.0.1", number, SingleClientFactory(client))

        def resumeClient() -> None:
            if reasons:
                del client.dataReceived
                client.transport.resumeProducing()
            else:
                reactor.callLater(0.01, resumeClient)

        reactor.callLater(0.01, resumeClient)
        runner.run()
        assert len(reasons) == 1
        assert reasons[0].check(error.ConnectionAborted)
        assert client.reasons[0].check(error.ConnectionDone, error.ConnectionLost)

    def test_halfClose(self, reactor: Any, runner: Any) -> None:
        """loseWriteConnection sends EOF; the half-closeable peer answers, then closes."""
        events: list[str] = []

        @implementer(IHalfCloseableProtocol)
        class Server(Protocol):
            transport: Any

            def __init__(self) -> None:
                self.got = b""

            def dataReceived(self, data: bytes) -> None:
                self.got += data

            def readConnectionLost(self) -> None:
                events.append("server readConnectionLost")
                self.transport.write(self.got.upper())
                self.transport.loseConnection()

            def writeConnectionLost(self) -> None:
                events.append("server writeConnectionLost")

        @implementer(IHalfCloseableProtocol)
        class Client(Collector):
            transport: Any

            def connectionMade(self) -> None:
                self.transport.write(b"question")
                self.transport.loseWriteConnection()

            def readConnectionLost(self) -> None:
                events.append("client readConnectionLost")
                self.transport.loseConnection()

            def writeConnectionLost(self) -> None:
                events.append("client writeConnectionLost")

        _port, number = listen(reactor, Factory.forProtocol(Server))
        client = Client(onLost=lambda p: runner.stopSoon())
        reactor.connectTCP("127.0.0.1", number, SingleClientFactory(client))
        runner.run()
        assert bytes(client.received) == b"QUESTION"
        assert events[0] == "client writeConnectionLost"
        assert "server readConnectionLost" in events
        assert "client readConnectionLost" in events
        assert len(client.reasons) == 1

    def test_connectionLostOnceWithPeerClose(self, reactor: Any, runner: Any) -> None:
        """A peer close gives connectionLost exactly once, with ConnectionDone."""
        reasons: list[Any] = []

        class Server(Protocol):
            def connectionLost(self, reason: Any = connectionDone) -> None:
                reasons.append(reason)
                runner.stopSoon()

        _port, number = listen(reactor, Factory.forProtocol(Server))
        client = Collector()
        client.connectionMade = lambda: client.transport.loseConnection()  # type: ignore[method-assign]
        reactor.connectTCP("127.0.0.1", number, SingleClientFactory(client))
        runner.run()
        assert len(reasons) == 1
        assert reasons[0].check(error.ConnectionDone)


@implementer(IPushProducer)
class BulkProducer:
    """A push producer writing fixed chunks until a total is reached."""

    def __init__(self, transport: Any, chunk: bytes, total: int) -> None:
        self.transport = transport
        self.chunk = chunk
        self.total = total
        self.sent = 0
        self.paused = False
        self.pauses = 0
        self.resumes = 0
        self.maxBuffered = 0
        self.stopped = False

    def pump(self) -> None:
        while not self.paused and self.sent < self.total:
            self.transport.write(self.chunk)
            self.sent += len(self.chunk)
            self.maxBuffered = max(self.maxBuffered, self.transport._bufSize)
        if self.sent >= self.total:
            self.transport.unregisterProducer()
            self.transport.loseConnection()

    def pauseProducing(self) -> None:
        self.paused = True
        self.pauses += 1

    def resumeProducing(self) -> None:
        self.paused = False
        self.resumes += 1
        self.transport.reactor.callLater(0, self.pump)

    def stopProducing(self) -> None:
        self.stopped = True


class ProducerTests:
    """Push and pull producers against a slow reader."""

    def test_pushProducerPausedAndResumed(self, reactor: Any, runner: Any) -> None:
        """A slow reader pauses the push producer above the high-water mark; all data arrives."""
        producers: list[BulkProducer] = []
        total = 16 * 1024 * 1024

        class Server(Protocol):
            transport: Any

            def connectionMade(self) -> None:
                p = BulkProducer(self.transport, b"z" * 65536, total)
                producers.append(p)
                self.transport.registerProducer(p, True)
                p.pump()

        class SlowReader(Collector):
            transport: Any

            def dataReceived(self, data: bytes) -> None:
                self.received += data
                self.transport.pauseProducing()
                reactor.callLater(0.001, self.transport.resumeProducing)

        _port, number = listen(reactor, Factory.forProtocol(Server))
        client = SlowReader(onLost=lambda p: runner.stopSoon())
        reactor.connectTCP("127.0.0.1", number, SingleClientFactory(client))
        runner.run(timeout=30)
        (p,) = producers
        assert len(client.received) == total
        assert p.pauses >= 1 and p.resumes >= 1
        highWater = p.transport.highWaterMark
        assert p.maxBuffered <= highWater + len(p.chunk)
        assert client.reasons[0].check(error.ConnectionDone)

    def test_loseConnectionWaitsForProducer(self, reactor: Any, runner: Any) -> None:
        """With a producer registered, loseConnection waits until it unregisters."""
        order: list[str] = []

        class Server(Protocol):
            transport: Any

            def connectionMade(self) -> None:
                p = BulkProducer(self.transport, b"", 0)
                self.transport.registerProducer(p, True)
                self.transport.write(b"first")
                self.transport.loseConnection()
                order.append("loseConnection called")

                def finish() -> None:
                    self.transport.write(b"-last")
                    order.append("unregister")
                    self.transport.unregisterProducer()

                reactor.callLater(0.05, finish)

        _port, number = listen(reactor, Factory.forProtocol(Server))
        client = Collector(onLost=lambda p: runner.stopSoon())
        reactor.connectTCP("127.0.0.1", number, SingleClientFactory(client))
        runner.run()
        assert bytes(client.received) == b"first-last"
        assert order == ["loseConnection called", "unregister"]

    def test_pullProducer(self, reactor: Any, runner: Any) -> None:
        """A pull producer is asked for data whenever the buffer drains."""
        total = 2 * 1024 * 1024

        class Pull:
            def __init__(self, transport: Any) -> None:
                self.transport = transport
                self.sent = 0
                self.calls = 0

            def resumeProducing(self) -> None:
                self.calls += 1
                self.transport.write(b"p" * 32768)
                self.sent += 32768
                if self.sent >= total:
                    self.transport.unregisterProducer()
                    self.transport.loseConnection()

            def stopProducing(self) -> None:
                pass

        class Server(Protocol):
            transport: Any

            def connectionMade(self) -> None:
                self.transport.registerProducer(Pull(self.transport), False)

        _port, number = listen(reactor, Factory.forProtocol(Server))
        client = Collector(onLost=lambda p: runner.stopSoon())
        reactor.connectTCP("127.0.0.1", number, SingleClientFactory(client))
        runner.run()
        assert len(client.received) == total

    def test_registerSecondProducerFails(self, reactor: Any, runner: Any) -> None:
        """Registering a second producer raises RuntimeError."""
        raised: list[Exception] = []

        class Server(Protocol):
            transport: Any

            def connectionMade(self) -> None:
                self.transport.registerProducer(BulkProducer(self.transport, b"", 0), True)
                try:
                    self.transport.registerProducer(BulkProducer(self.transport, b"", 0), True)
                except RuntimeError as e:
                    raised.append(e)
                self.transport.unregisterProducer()
                self.transport.loseConnection()

        _port, number = listen(reactor, Factory.forProtocol(Server))
        client = Collector(onLost=lambda p: runner.stopSoon())
        reactor.connectTCP("127.0.0.1", number, SingleClientFactory(client))
        runner.run()
        assert len(raised) == 1


class ErrorContainmentTests:
    """Exceptions in protocol callbacks are logged and close only their connection."""

    def test_dataReceivedExceptionClosesConnection(self, reactor: Any, runner: Any) -> None:
        """A failing dataReceived is logged once, its connection closed, the reactor keeps going."""
        serverReasons: list[Any] = []

        class Broken(Protocol):
            def dataReceived(self, data: bytes) -> None:
                raise ValueError("bad protocol")

            def connectionLost(self, reason: Any = connectionDone) -> None:
                serverReasons.append(reason)

        _port, number = listen(reactor, Factory.forProtocol(Broken))
        later: list[str] = []

        def stillAlive() -> None:
            later.append("alive")
            runner.stopSoon()

        client = Collector(onLost=lambda p: reactor.callLater(0.01, stillAlive), send=b"trigger")
        reactor.connectTCP("127.0.0.1", number, SingleClientFactory(client))
        with capturedLogs() as events:
            runner.run()
        failures = [e for e in events if "log_failure" in e and e["log_failure"].check(ValueError)]
        assert len(failures) == 1
        assert len(serverReasons) == 1
        assert later == ["alive"]

    def test_connectionMadeExceptionClosesConnection(self, reactor: Any, runner: Any) -> None:
        """A failing connectionMade is logged and the connection closed."""

        class Broken(Protocol):
            def connectionMade(self) -> None:
                raise KeyError("made")

        _port, number = listen(reactor, Factory.forProtocol(Broken))
        client = Collector(onLost=lambda p: runner.stopSoon())
        reactor.connectTCP("127.0.0.1", number, SingleClientFactory(client))
        with capturedLogs() as events:
            runner.run()
        assert len([e for e in events if "log_failure" in e]) == 1
        assert len(client.reasons) == 1

    def test_buildProtocolNoneClosesConnection(self, reactor: Any, runner: Any) -> None:
        """A server factory returning None from buildProtocol closes the connection."""

        class Refuser(Factory):
            def buildProtocol(self, addr: Any) -> Any:
                return None

        _port, number = listen(reactor, Refuser())
        client = Collector(onLost=lambda p: runner.stopSoon())
        reactor.connectTCP("127.0.0.1", number, SingleClientFactory(client))
        runner.run()
        assert len(client.reasons) == 1


class ScaleTests:
    """Many concurrent connections, and descriptor hygiene."""

    def test_manyConnectionsFdsBackToBaseline(
        self, reactor: Any, runner: Any, fdCount: Any
    ) -> None:
        """200 concurrent loopback connections open, echo and close; fds return to baseline."""
        count = 200
        port, number = listen(reactor, Factory.forProtocol(Echo))
        baseline = fdCount()
        done: list[Collector] = []
        opened: list[Collector] = []
        peak: list[int] = []

        def lost(p: Collector) -> None:
            done.append(p)
            if len(done) == count:
                port.stopListening()
                runner.stopSoon()

        class Gate(Collector):
            def connectionMade(self) -> None:
                opened.append(self)
                if len(opened) == count:
                    peak.append(fdCount())
                    for c in opened:
                        c.transport.write(b"ping")

        for _ in range(count):
            reactor.connectTCP(
                "127.0.0.1", number, SingleClientFactory(Gate(onLost=lost, expect=4))
            )
        runner.run(timeout=30)
        assert len(done) == count
        assert all(bytes(c.received) == b"ping" for c in done)
        assert all(c.reasons[0].check(error.ConnectionDone) for c in done)
        assert peak and peak[0] >= baseline + count
        assert fdCount() <= baseline

    def test_emfileFloodSheddedWithoutBusyLoop(self, reactor: Any, runner: Any) -> None:
        """Out of descriptors (lowered RLIMIT_NOFILE): excess connections are closed, one log, accept pauses."""
        import os
        import resource

        port, number = listen(reactor, Factory.forProtocol(Echo))
        clients = [socket.create_connection(("127.0.0.1", number)) for _ in range(6)]
        for c in clients:
            c.sendall(b"hi")
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        openFds = {int(n) for n in os.listdir("/proc/self/fd")}
        limit = max(openFds) + 1
        while limit - len([fd for fd in openFds if fd < limit]) < 2:
            limit += 1
        iterations: list[int] = []
        original = reactor.doIteration

        def counting(timeout: Any) -> None:
            iterations.append(1)
            original(timeout)

        reactor.doIteration = counting
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
        try:
            reactor.callLater(port.acceptPauseOnExhaustion / 2, runner.stopSoon)
            with capturedLogs() as events:
                runner.run()
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        answers: list[bytes | None] = []
        for c in clients:
            with c:
                c.settimeout(5)
                try:
                    answers.append(c.recv(10))
                except ConnectionResetError:
                    answers.append(None)
        accepted = answers.count(b"hi")
        assert 1 <= accepted <= 3
        assert all(a in (b"", None) for a in answers if a != b"hi")
        logged = [e for e in events if "Out of file descriptors" in e.get("log_format", "")]
        assert len(logged) == 1
        assert len(iterations) < 50

    def test_stopListeningFiresAndStopsFactory(self, reactor: Any, runner: Any) -> None:
        """stopListening returns a fired Deferred and stops the factory."""
        stops: list[int] = []

        class F(Factory):
            protocol = Echo

            def stopFactory(self) -> None:
                stops.append(1)

        port, number = listen(reactor, F())
        results: list[Any] = []
        port.stopListening().addCallback(results.append)
        assert results == [None]
        assert stops == [1]
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", number)) != 0

    def test_shutdownDisconnectsEverything(self, reactor: Any, runner: Any) -> None:
        """Stopping the reactor closes open connections and listening ports."""
        port, number = listen(reactor, Factory.forProtocol(Echo))
        client = Collector()

        def connected() -> None:
            if client.made:
                runner.stopSoon()
            else:
                reactor.callLater(0.01, connected)

        reactor.connectTCP("127.0.0.1", number, SingleClientFactory(client))
        reactor.callLater(0.01, connected)
        runner.run()
        assert len(client.reasons) == 1
        assert not port.connected


class ShutdownTests:
    """Reactor shutdown reaches every connection, watched or not."""

    def test_pausedConnectionClosedAtShutdown(self, reactor: Any, runner: Any) -> None:
        """A connection paused with pauseProducing (not watched) is still closed at shutdown."""
        serverReasons: list[Any] = []

        class Paused(Protocol):
            transport: Any

            def connectionMade(self) -> None:
                self.transport.pauseProducing()
                reactor.callLater(0.01, runner.stopSoon)

            def connectionLost(self, reason: Any = connectionDone) -> None:
                serverReasons.append(reason)

        _port, number = listen(reactor, Factory.forProtocol(Paused))
        client = Collector()
        reactor.connectTCP("127.0.0.1", number, SingleClientFactory(client))
        runner.run()
        assert len(serverReasons) == 1
        assert len(client.reasons) == 1

    def test_connectingAtShutdownFails(self, reactor: Any, runner: Any) -> None:
        """An attempt still connecting when the reactor stops is reported as failed, once."""
        _port, number = listen(reactor, Factory.forProtocol(Echo))
        factory = SingleClientFactory(Collector())
        reactor.connectTCP("127.0.0.1", number, factory)
        reactor.callWhenRunning(runner.stopSoon)
        runner.run()
        assert [k for k, _ in factory.events] == ["started", "failed"]
        assert factory.events[1][1].check(error.ConnectionLost)
