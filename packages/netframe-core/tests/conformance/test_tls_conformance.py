"""
TLS conformance over real loopback sockets, run against every reactor: echo through
listenSSL/connectSSL, half-close with close_notify, abort, a 16 MiB transfer from a
push producer to a slow reader, startTLS with either side as the TLS client, and a
rejected certificate.  Certificates are made in memory by the ``tlsCerts`` fixture.
"""

from __future__ import annotations

from typing import Any, Optional

import pytest
from OpenSSL import SSL
from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.core import error, ssl
from netframe.core.failure import Failure
from netframe.core.interfaces import (
    IHalfCloseableProtocol,
    IHandshakeListener,
    IListeningPort,
    IPushProducer,
    IReactorSSL,
    ISSLTransport,
    ITLSTransport,
)
from netframe.core.protocol import ClientFactory, Factory, Protocol, connectionDone
from netframe.core.protocols.basic import LineReceiver


class Recorder(Protocol):
    """Records received bytes and the reason of its end; calls onLost."""

    transport: Any

    def __init__(self, onLost: Any = None) -> None:
        self.received = bytearray()
        self.reasons: list[Failure] = []
        self.onLost = onLost

    def dataReceived(self, data: bytes) -> None:
        """Record."""
        self.received += data

    def connectionLost(self, reason: Any = connectionDone) -> None:
        """Record and notify."""
        self.reasons.append(reason)
        if self.onLost is not None:
            self.onLost(self)


class One(ClientFactory):
    """Client factory building one given protocol."""

    def __init__(self, protocol: Any) -> None:
        self.proto = protocol
        self.lost: list[Failure] = []

    def buildProtocol(self, addr: Any) -> Any:
        """Hand out the protocol."""
        self.proto.factory = self
        return self.proto

    def clientConnectionLost(self, connector: Any, reason: Failure) -> None:
        """Remember the loss (the connector's view)."""
        self.lost.append(reason)


class Both:
    """Stops the reactor once both ends of a connection are lost."""

    def __init__(self, runner: Any, count: int = 2) -> None:
        self.runner = runner
        self.count = count

    def __call__(self, protocol: Any) -> None:
        """One end is done."""
        self.count -= 1
        if self.count == 0:
            self.runner.stopSoon()


def options(tlsCerts: Any) -> tuple[Any, Any]:
    """
    :return: server options for example.com and client options trusting its CA.
    """
    server = tlsCerts.leaf("example.com").options()
    client = ssl.optionsForClientTLS("example.com", tlsCerts.ca())
    return server, client


def listenSSL(reactor: Any, factory: Any, serverOptions: Any) -> int:
    """
    :return: the port number of a new loopback TLS listener.
    """
    port = reactor.listenSSL(0, factory, serverOptions, interface="127.0.0.1")
    assert verifyObject(IListeningPort, port)
    number: int = port.getHost().port
    return number


class EchoTests:
    """Bytes go through TLS over real TCP on every reactor."""

    def test_echoThroughListenAndConnectSSL(self, reactor: Any, runner: Any, tlsCerts: Any) -> None:
        """A client's bytes come back decrypted; both ends close cleanly."""
        serverOptions, clientOptions = options(tlsCerts)
        both = Both(runner)
        servers: list[Any] = []

        class Echo(Recorder):
            transport: Any

            def connectionMade(self) -> None:
                servers.append(self)

            def dataReceived(self, data: bytes) -> None:
                Recorder.dataReceived(self, data)
                self.transport.write(data)

        payload = bytes(range(256)) * 1024

        class Client(Recorder):
            transport: Any

            def connectionMade(self) -> None:
                self.transport.write(payload)

            def dataReceived(self, data: bytes) -> None:
                Recorder.dataReceived(self, data)
                if len(self.received) == len(payload):
                    self.peer = self.transport.getPeerCertificate()
                    self.transport.loseConnection()

        serverFactory = Factory()
        serverFactory.buildProtocol = lambda addr: Echo(both)  # type: ignore[method-assign]
        number = listenSSL(reactor, serverFactory, serverOptions)
        client = Client(both)
        factory = One(client)
        reactor.connectSSL("127.0.0.1", number, factory, clientOptions)
        runner.run()
        assert verifyObject(IReactorSSL, reactor)
        assert bytes(client.received) == payload
        assert client.reasons[0].check(error.ConnectionDone)
        assert servers[0].reasons[0].check(error.ConnectionDone)
        assert factory.lost and factory.lost[0].check(error.ConnectionDone)
        assert ssl.Certificate(client.peer).getSubject().commonName == "example.com"
        assert ISSLTransport.providedBy(client.transport)

    def test_untrustedCertificateRejected(self, reactor: Any, runner: Any, tlsCerts: Any) -> None:
        """A server certificate from an unknown authority fails the client's handshake."""
        serverOptions = tlsCerts.leaf("example.com", issuer=tlsCerts.ca("stranger CA")).options()
        clientOptions = ssl.optionsForClientTLS("example.com", tlsCerts.ca())
        both = Both(runner)
        server = Recorder(both)
        number = listenSSL(reactor, Factory.forProtocol(lambda: server), serverOptions)
        client = Recorder(both)
        client.connectionMade = lambda: client.transport.write(b"secret")  # type: ignore[method-assign]
        reactor.connectSSL("127.0.0.1", number, One(client), clientOptions)
        runner.run()
        assert client.reasons[0].check(SSL.Error)
        assert "unknown certificate authority" in str(client.reasons[0].value)
        assert server.received == b""


class CloseTests:
    """TLS-level closes over TCP."""

    def test_halfCloseWithCloseNotify(self, reactor: Any, runner: Any, tlsCerts: Any) -> None:
        """loseWriteConnection sends close_notify; the peer reads to the end and replies."""
        serverOptions, clientOptions = options(tlsCerts)
        both = Both(runner)

        @implementer(IHalfCloseableProtocol)
        class Server(Recorder):
            transport: Any

            readLost = 0

            def readConnectionLost(self) -> None:
                self.readLost += 1
                self.transport.write(b"got " + bytes(self.received))
                self.transport.loseConnection()

            def writeConnectionLost(self) -> None:
                raise AssertionError("the server never half-closes")

        @implementer(IHalfCloseableProtocol)
        class Client(Recorder):
            transport: Any

            readLost = writeLost = 0

            def connectionMade(self) -> None:
                self.transport.write(b"question")
                self.transport.loseWriteConnection()

            def readConnectionLost(self) -> None:
                self.readLost += 1

            def writeConnectionLost(self) -> None:
                self.writeLost += 1

        server = Server(both)
        number = listenSSL(reactor, Factory.forProtocol(lambda: server), serverOptions)
        client = Client(both)
        reactor.connectSSL("127.0.0.1", number, One(client), clientOptions)
        runner.run()
        assert server.readLost == 1 and server.received == b"question"
        assert client.received == b"got question"
        assert (client.writeLost, client.readLost) == (1, 1)
        assert client.reasons[0].check(error.ConnectionDone)
        assert server.reasons[0].check(error.ConnectionDone)

    def test_abortConnection(self, reactor: Any, runner: Any, tlsCerts: Any) -> None:
        """abortConnection after the handshake: ConnectionAborted here, ConnectionLost there."""
        serverOptions, clientOptions = options(tlsCerts)
        both = Both(runner)

        @implementer(IHandshakeListener)
        class Aborter(Recorder):
            transport: Any

            def handshakeCompleted(self) -> None:
                self.transport.abortConnection()
                self.transport.write(b"after the abort")

        server = Aborter(both)
        number = listenSSL(reactor, Factory.forProtocol(lambda: server), serverOptions)
        client = Recorder(both)
        reactor.connectSSL("127.0.0.1", number, One(client), clientOptions)
        runner.run()
        assert server.reasons[0].check(error.ConnectionAborted)
        assert client.reasons[0].check(error.ConnectionLost)
        assert client.received == b""


@implementer(IPushProducer)
class BulkProducer:
    """Writes ``total`` bytes in ``chunk``-sized writes while not paused."""

    def __init__(self, transport: Any, total: int, chunk: int = 65536) -> None:
        self.transport = transport
        self.left = total
        self.chunk = b"\xa5" * chunk
        self.paused = False
        self.pauses = self.resumes = 0
        self.onPause: Any = None

    def resumeProducing(self) -> None:
        """Write until paused or done."""
        if self.paused:
            self.resumes += 1
        self.paused = False
        while not self.paused and self.left > 0:
            data = self.chunk[: self.left]
            self.left -= len(data)
            self.transport.write(data)
        if self.left == 0 and not self.paused:
            self.transport.unregisterProducer()
            self.transport.loseConnection()
            self.left = -1
            if self.onPause is not None:
                self.onPause()

    def pauseProducing(self) -> None:
        """Stop writing."""
        self.paused = True
        self.pauses += 1
        if self.onPause is not None:
            self.onPause()

    def stopProducing(self) -> None:
        """Stop for good."""
        self.left = -1


class ProducerTests:
    """Backpressure is preserved through the TLS layer."""

    def test_largeTransferToSlowReader(self, reactor: Any, runner: Any, tlsCerts: Any) -> None:
        """16 MiB to a reader that stops reading: the producer pauses, resumes, all arrive."""
        total = 16 * 1024 * 1024
        serverOptions, clientOptions = options(tlsCerts)
        both = Both(runner)
        producers: list[BulkProducer] = []

        @implementer(IHandshakeListener)
        class Server(Recorder):
            transport: Any

            def handshakeCompleted(self) -> None:
                producer = BulkProducer(self.transport, total)
                producers.append(producer)
                producer.onPause = client.wake
                self.transport.registerProducer(producer, True)
                producer.resumeProducing()

        @implementer(IHandshakeListener)
        class SlowReader(Recorder):
            transport: Any

            count = 0
            readingPaused = False
            nextStop = 4 * 1024 * 1024

            def handshakeCompleted(self) -> None:
                self.stopReading()

            def stopReading(self) -> None:
                self.readingPaused = True
                self.transport.pauseProducing()
                if producers and (producers[0].paused or producers[0].left < 0):
                    # Nothing more will come until we read: read again.
                    self.wake()

            def wake(self) -> None:
                # The server's producer paused (or finished): read again.
                if self.readingPaused:
                    self.readingPaused = False
                    reactor.callLater(0, self.transport.resumeProducing)

            def dataReceived(self, data: bytes) -> None:
                self.count += len(data)
                if self.count >= self.nextStop:
                    self.nextStop += 4 * 1024 * 1024
                    self.stopReading()

        server = Server(both)
        number = listenSSL(reactor, Factory.forProtocol(lambda: server), serverOptions)
        client = SlowReader(both)
        reactor.connectSSL("127.0.0.1", number, One(client), clientOptions)
        runner.run(timeout=60)
        producer = producers[0]
        assert client.count == total
        assert producer.pauses >= 1 and producer.resumes >= 1
        assert client.reasons[0].check(error.ConnectionDone)


class StartTLSTests:
    """startTLS over real TCP: plain text first, then TLS, with either side as client."""

    @pytest.mark.parametrize("normal", [True, False])
    def test_startTLS(self, reactor: Any, runner: Any, tlsCerts: Any, normal: bool) -> None:
        """The line exchange switches to TLS; the TLS client sees the server certificate."""
        serverOptions, clientOptions = options(tlsCerts)
        both = Both(runner)
        # normal: the connecting side is the TLS client; else the accepting side is.
        acceptorOptions = serverOptions if normal else clientOptions
        connectorOptions = clientOptions if normal else serverOptions

        class Acceptor(LineReceiver):
            def __init__(self) -> None:
                self.lines: list[bytes] = []
                self.reasons: list[Failure] = []

            def lineReceived(self, line: bytes) -> None:
                self.lines.append(line)
                if line == b"STARTTLS":
                    # The TLS server switches right after its last clear line; the
                    # TLS client switches when it reads that line (so no TLS bytes
                    # can follow a clear line in one read).
                    if normal:
                        self.sendLine(b"READY")
                        self.transport.startTLS(acceptorOptions, normal)
                    else:
                        self.transport.startTLS(acceptorOptions, normal)
                        self.sendLine(b"READY")
                elif line == b"secure text":
                    self.sendLine(b"secure reply")

            def connectionLost(self, reason: Any = connectionDone) -> None:
                self.reasons.append(reason)
                both(self)

        class Connector(LineReceiver):
            def __init__(self) -> None:
                self.lines: list[bytes] = []
                self.reasons: list[Failure] = []
                self.peer: Optional[Any] = None

            def connectionMade(self) -> None:
                self.sendLine(b"plain text")
                self.sendLine(b"STARTTLS")
                if not normal:
                    self.transport.startTLS(connectorOptions, normal)
                    self.sendLine(b"secure text")

            def lineReceived(self, line: bytes) -> None:
                self.lines.append(line)
                if line == b"READY" and normal:
                    self.transport.startTLS(connectorOptions, normal)
                    self.sendLine(b"secure text")
                elif line == b"secure reply":
                    self.peer = self.transport.getPeerCertificate()
                    self.transport.loseConnection()

            def connectionLost(self, reason: Any = connectionDone) -> None:
                self.reasons.append(reason)
                both(self)

        acceptor = Acceptor()
        port = reactor.listenTCP(0, Factory.forProtocol(lambda: acceptor), interface="127.0.0.1")
        connector = Connector()
        reactor.connectTCP("127.0.0.1", port.getHost().port, One(connector))
        runner.run()
        assert acceptor.lines == [b"plain text", b"STARTTLS", b"secure text"]
        assert connector.lines == [b"READY", b"secure reply"]
        assert connector.reasons[0].check(error.ConnectionDone)
        assert acceptor.reasons[0].check(error.ConnectionDone)
        assert verifyObject(ITLSTransport, connector.transport)
        assert ISSLTransport.providedBy(connector.transport)
        tlsClientPeer = connector.peer if normal else None
        if normal:
            assert ssl.Certificate(tlsClientPeer).getSubject().commonName == "example.com"
        else:
            # The connecting side is the TLS server: its client sent no certificate.
            assert connector.peer is None


class TCPProducerTests:
    """The TCP transport's own backpressure, which the TLS layer relies on."""

    def test_tcpProducerWritingPastHighWaterOnResume(self, reactor: Any, runner: Any) -> None:
        """A TCP producer that writes past the high-water mark when resumed keeps flowing."""
        total = 8 * 1024 * 1024
        both = Both(runner)
        producers: list[BulkProducer] = []

        class Server(Recorder):
            transport: Any

            def connectionMade(self) -> None:
                # 1 MiB per resume: far above the transport's high-water mark.
                producer = BulkProducer(self.transport, total, chunk=1024 * 1024)
                producers.append(producer)
                self.transport.registerProducer(producer, True)
                producer.resumeProducing()

        class Counter(Recorder):
            count = 0

            def dataReceived(self, data: bytes) -> None:
                self.count += len(data)

        port = reactor.listenTCP(
            0, Factory.forProtocol(lambda: Server(both)), interface="127.0.0.1"
        )
        client = Counter(both)
        reactor.connectTCP("127.0.0.1", port.getHost().port, One(client))
        runner.run(timeout=30)
        assert client.count == total
        assert producers[0].pauses >= 1 and producers[0].resumes >= 1
