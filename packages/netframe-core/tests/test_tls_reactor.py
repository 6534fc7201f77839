"""
Tests for TLS on the reactors (netframe.core._tlsreactor): listenSSL/connectSSL edge
cases, startTLS against an independent TLS implementation (the standard library's
``ssl``) so the wire shows clear text before and TLS after, startTLS misuse, a producer
moved above the TLS layer, and the reactors working without pyOpenSSL.
"""

from __future__ import annotations

import socket
import ssl as stdlibssl
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.core import error, ssl
from netframe.core.epollreactor import EPollReactor
from netframe.core.interfaces import (
    IHandshakeListener,
    IPushProducer,
    IReactorSSL,
    ISSLTransport,
    ITLSTransport,
)
from netframe.core.pollreactor import PollReactor
from netframe.core.protocol import ClientFactory, Factory, Protocol, connectionDone
from netframe.core.protocols.basic import LineReceiver
from netframe.core.selectreactor import SelectReactor

WATCHDOG = 10.0


class Harness:
    """An EPollReactor run under a watchdog, with peer threads."""

    def __init__(self) -> None:
        """Create the reactor."""
        self.reactor = EPollReactor()
        self.timedOut = False
        self.errors: list[BaseException] = []
        self.threads: list[threading.Thread] = []

    def stop(self) -> None:
        """Stop the reactor unless it is stopping already."""
        try:
            self.reactor.stop()
        except error.ReactorNotRunning:
            pass

    def peer(self, fn: Any) -> None:
        """Run ``fn`` in a thread once the reactor runs; its exception fails the test."""

        def target() -> None:
            try:
                fn()
            except BaseException as e:
                self.errors.append(e)
                self.reactor.callFromThread(self.stop)

        thread = threading.Thread(target=target, daemon=True)
        self.threads.append(thread)
        self.reactor.callWhenRunning(thread.start)

    def run(self) -> None:
        """
        Run until stopped.

        :raise pytest.fail.Exception: if the watchdog had to stop it.
        """

        def watchdog() -> None:
            self.timedOut = True
            self.stop()

        call = self.reactor.callLater(WATCHDOG, watchdog)
        self.reactor.run(installSignalHandlers=False)
        if call.active():
            call.cancel()
        for thread in self.threads:
            thread.join(WATCHDOG)
        if self.errors:
            raise self.errors[0]
        if self.timedOut:
            pytest.fail(f"test did not finish within {WATCHDOG}s")


@pytest.fixture
def harness() -> Iterator[Harness]:
    """A fresh :class:`Harness`, closed after the test."""
    h = Harness()
    yield h
    h.reactor.disconnectAll()
    h.reactor._close()


def readLine(sock: Any) -> bytes:
    """
    :return: one CRLF-terminated line read byte by byte (nothing more is consumed).
    """
    line = b""
    while not line.endswith(b"\r\n"):
        chunk = sock.recv(1)
        if not chunk:
            raise EOFError(f"closed after {line!r}")
        line += chunk
    return line[:-2]


class ReactorSSLTests:
    """IReactorSSL on the POSIX reactors."""

    @pytest.mark.parametrize("reactorType", [EPollReactor, PollReactor, SelectReactor])
    def test_providesIReactorSSL(self, reactorType: Any) -> None:
        """Each reactor provides IReactorSSL."""
        reactor = reactorType()
        try:
            assert verifyObject(IReactorSSL, reactor)
        finally:
            reactor._close()

    def test_listenSSLRefusesNonTLSContext(self, harness: Harness) -> None:
        """A context factory that is not a TLS configuration is a TypeError; nothing listens."""
        with pytest.raises(TypeError, match="getContext"):
            harness.reactor.listenSSL(0, Factory.forProtocol(Protocol), object())
        assert harness.reactor.getReaders() == []

    def test_connectSSLFailureReachesFactory(self, harness: Harness, tlsCerts: Any) -> None:
        """A refused connectSSL attempt reaches the application's clientConnectionFailed."""
        reasons: list[Any] = []

        class F(ClientFactory):
            protocol = Protocol

            def clientConnectionFailed(self, connector: Any, reason: Any) -> None:
                reasons.append(reason)
                harness.stop()

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            number = s.getsockname()[1]
        options = ssl.optionsForClientTLS("example.com", tlsCerts.ca())
        harness.reactor.connectSSL("127.0.0.1", number, F(), options)
        harness.run()
        assert reasons[0].check(error.ConnectionRefusedError)


class StartTLSWireTests:
    """startTLS against the standard library's TLS over real TCP."""

    def test_serverStartTLS(self, harness: Harness, tlsCerts: Any) -> None:
        """Server side: READY goes out in clear, then a stdlib TLS client is served."""
        reactor = harness.reactor
        leaf = tlsCerts.leaf("example.com")
        lines: list[bytes] = []

        class Server(LineReceiver):
            def lineReceived(self, line: bytes) -> None:
                lines.append(line)
                if line == b"STARTTLS":
                    self.transport.write(b"READY\r\n")
                    self.transport.startTLS(leaf.options())
                    self.transport.write(b"hello over TLS\r\n")
                elif line == b"bye":
                    self.transport.loseConnection()

            def connectionLost(self, reason: Any = connectionDone) -> None:
                harness.stop()

        port = reactor.listenTCP(0, Factory.forProtocol(Server), interface="127.0.0.1")
        context = stdlibssl.create_default_context(
            cadata=tlsCerts.ca().dump(ssl.FILETYPE_PEM).decode("ascii")
        )
        seen: list[Any] = []

        def peer() -> None:
            with socket.create_connection(("127.0.0.1", port.getHost().port), WATCHDOG) as raw:
                raw.sendall(b"plain\r\nSTARTTLS\r\n")
                seen.append(readLine(raw))
                with context.wrap_socket(raw, server_hostname="example.com") as tls:
                    seen.append(readLine(tls))
                    peer = tls.getpeercert()
                    assert peer is not None
                    seen.append(peer["subject"])
                    tls.sendall(b"bye\r\n")
                    seen.append(tls.recv(10))

        harness.peer(peer)
        harness.run()
        assert lines == [b"plain", b"STARTTLS", b"bye"]
        assert seen[0] == b"READY"
        assert seen[1] == b"hello over TLS"
        assert seen[2] == ((("commonName", "example.com"),),)
        assert seen[3] == b""

    def test_clientStartTLS(self, harness: Harness, tlsCerts: Any) -> None:
        """Client side: clear lines, then TLS to a stdlib server verified as example.com."""
        reactor = harness.reactor
        leaf = tlsCerts.leaf("example.com")
        context = stdlibssl.SSLContext(stdlibssl.PROTOCOL_TLS_SERVER)
        certFile = Path(self.tmp) / "server.pem"
        certFile.write_bytes(leaf.dumpPEM())
        context.load_cert_chain(str(certFile))
        listener = socket.create_server(("127.0.0.1", 0))
        received: list[bytes] = []

        def peer() -> None:
            with listener:
                raw, _ = listener.accept()
                raw.settimeout(WATCHDOG)
                with raw:
                    received.append(readLine(raw))
                    raw.sendall(b"GO AHEAD\r\n")
                    with context.wrap_socket(raw, server_side=True) as tls:
                        received.append(readLine(tls))
                        tls.sendall(b"secure answer\r\n")
                        received.append(readLine(tls))

        client: list[Any] = []

        class Client(LineReceiver):
            def connectionMade(self) -> None:
                client.append(self)
                self.sendLine(b"STARTTLS please")

            def lineReceived(self, line: bytes) -> None:
                received.append(b"client got " + line)
                if line == b"GO AHEAD":
                    self.transport.startTLS(ssl.optionsForClientTLS("example.com", tlsCerts.ca()))
                    self.sendLine(b"secret question")
                elif line == b"secure answer":
                    self.peerCertificate = self.transport.getPeerCertificate()
                    self.sendLine(b"thanks")
                    self.transport.loseConnection()

            def connectionLost(self, reason: Any = connectionDone) -> None:
                self.reason = reason
                harness.stop()

        class F(ClientFactory):
            protocol = Client

        harness.peer(peer)
        reactor.connectTCP("127.0.0.1", listener.getsockname()[1], F())
        harness.run()
        assert received == [
            b"STARTTLS please",
            b"client got GO AHEAD",
            b"secret question",
            b"client got secure answer",
            b"thanks",
        ]
        (protocol,) = client
        assert ssl.Certificate(protocol.peerCertificate).getSubject().commonName == "example.com"
        assert verifyObject(ITLSTransport, protocol.transport)
        assert verifyObject(ISSLTransport, protocol.transport)

    @pytest.fixture(autouse=True)
    def _tmp(self, tmp_path: Path) -> None:
        """Remember the test's temporary directory."""
        self.tmp = str(tmp_path)


class StartTLSMisuseTests:
    """startTLS refuses what cannot work."""

    def connected(self, harness: Harness, onConnection: Any) -> None:
        """Connect a loopback pair; call ``onConnection(serverProtocol)``, then stop."""
        reactor = harness.reactor

        class Server(Protocol):
            def connectionMade(self) -> None:
                try:
                    onConnection(self)
                finally:
                    harness.stop()

        port = reactor.listenTCP(0, Factory.forProtocol(Server), interface="127.0.0.1")

        class F(ClientFactory):
            protocol = Protocol

        reactor.connectTCP("127.0.0.1", port.getHost().port, F())
        harness.run()

    def test_startTLSTwice(self, harness: Harness, tlsCerts: Any) -> None:
        """A second startTLS raises RuntimeError."""
        errors: list[BaseException] = []

        def check(protocol: Any) -> None:
            protocol.transport.startTLS(tlsCerts.leaf().options())
            try:
                protocol.transport.startTLS(tlsCerts.leaf().options())
            except RuntimeError as e:
                errors.append(e)

        self.connected(harness, check)
        assert "already started" in str(errors[0])

    def test_startTLSAfterLoseConnection(self, harness: Harness, tlsCerts: Any) -> None:
        """startTLS on a closing connection raises RuntimeError."""
        errors: list[BaseException] = []

        def check(protocol: Any) -> None:
            protocol.transport.loseConnection()
            try:
                protocol.transport.startTLS(tlsCerts.leaf().options())
            except RuntimeError as e:
                errors.append(e)

        self.connected(harness, check)
        assert "closing or closed" in str(errors[0])

    def test_startTLSBadContext(self, harness: Harness) -> None:
        """A context factory that is not a TLS configuration is a TypeError."""
        errors: list[BaseException] = []

        def check(protocol: Any) -> None:
            try:
                protocol.transport.startTLS(object())
            except TypeError as e:
                errors.append(e)

        self.connected(harness, check)
        assert errors


@implementer(IPushProducer)
class CountingProducer:
    """Writes ``total`` bytes when resumed; counts pauses."""

    def __init__(self, transport: Any, total: int) -> None:
        self.transport = transport
        self.left = total
        self.paused = False
        self.pauses = 0
        self.stopped = False

    def resumeProducing(self) -> None:
        """Write until paused or done, then unregister and close."""
        self.paused = False
        while not self.paused and self.left > 0:
            n = min(self.left, 65536)
            self.left -= n
            self.transport.write(b"p" * n)
        if self.left == 0 and not self.paused:
            self.left = -1
            self.transport.unregisterProducer()
            self.transport.loseConnection()

    def pauseProducing(self) -> None:
        """Stop writing."""
        self.paused = True
        self.pauses += 1

    def stopProducing(self) -> None:
        """Stop for good."""
        self.stopped = True


class StartTLSProducerTests:
    """A producer registered before startTLS writes through TLS afterwards."""

    def test_producerMovedAboveTLS(self, harness: Harness, tlsCerts: Any) -> None:
        """The producer's bytes arrive decrypted, with backpressure, then close_notify."""
        reactor = harness.reactor
        # More than the loopback socket buffers hold: the producer must be paused
        # (both ends share one thread, so nothing is read while it writes).
        total = 16 * 1024 * 1024
        producers: list[CountingProducer] = []

        @implementer(IHandshakeListener)
        class Server(LineReceiver):
            def lineReceived(self, line: bytes) -> None:
                self.sendLine(b"ok")
                producer = CountingProducer(self.transport, total)
                producers.append(producer)
                self.transport.registerProducer(producer, True)
                self.transport.startTLS(tlsCerts.leaf().options())

            def handshakeCompleted(self) -> None:
                producers[0].resumeProducing()

        port = reactor.listenTCP(0, Factory.forProtocol(Server), interface="127.0.0.1")
        got: list[Any] = []

        class Client(LineReceiver):
            count = 0

            def connectionMade(self) -> None:
                self.sendLine(b"go")

            def lineReceived(self, line: bytes) -> None:
                self.setRawMode()
                self.transport.startTLS(ssl.optionsForClientTLS("example.com", tlsCerts.ca()))

            def rawDataReceived(self, data: bytes) -> None:
                self.count += len(data)

            def connectionLost(self, reason: Any = connectionDone) -> None:
                got.extend([self.count, reason])
                harness.stop()

        class F(ClientFactory):
            protocol = Client

        reactor.connectTCP("127.0.0.1", port.getHost().port, F())
        harness.run()
        assert got[0] == total
        assert got[1].check(error.ConnectionDone)
        producer = producers[0]
        assert producer.left == -1 and not producer.stopped
        assert producer.pauses >= 1


class WithoutPyOpenSSLTests:
    """The reactors and endpoints work without the tls extra; TLS says what to install."""

    def test_noPyOpenSSL(self) -> None:
        """With OpenSSL unimportable, TCP works and listenSSL raises the clear ImportError."""
        script = textwrap.dedent(
            """
            import sys
            sys.modules["OpenSSL"] = None
            from netframe.core import endpoints
            from netframe.core.epollreactor import EPollReactor
            from netframe.core.protocol import Factory, Protocol

            reactor = EPollReactor()
            port = reactor.listenTCP(0, Factory.forProtocol(Protocol), interface="127.0.0.1")
            assert port.getHost().port > 0
            ep = endpoints.serverFromString(reactor, "tcp:0:interface=127.0.0.1")
            ep.listen(Factory.forProtocol(Protocol))
            assert endpoints.SSL4ServerEndpoint and endpoints.wrapClientTLS
            for attempt in (
                lambda: reactor.listenSSL(0, Factory.forProtocol(Protocol), object()),
                lambda: endpoints.clientFromString(reactor, "tls:example.com:443"),
            ):
                try:
                    attempt()
                except ImportError as e:
                    assert "pip install netframe-core[tls]" in str(e), e
                else:
                    raise AssertionError("no ImportError")
            failures = []
            endpoints.SSL4ServerEndpoint(reactor, 0, object()).listen(
                Factory.forProtocol(Protocol)
            ).addErrback(failures.append)
            assert failures[0].check(ImportError)
            assert "OpenSSL.SSL" not in sys.modules or sys.modules["OpenSSL"] is None
            print("ok")
            """
        )
        result = subprocess.run(
            [sys.executable, "-W", "error", "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "ok"
