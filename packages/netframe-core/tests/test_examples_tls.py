"""
The "Using TLS" examples (SCOPE.md section 3.2: T1, T2, T4, T5, T6; seed lines
L6155-6453) as acceptance tests over real loopback TCP.

Each example is ported to Python 3 (bytes on transports, ``print`` replaced by a list of
lines) and otherwise kept as documented.  ``server.pem``/``public.pem`` are made in
memory by the ``tlsCerts`` fixture (a CA and an ``example.com`` leaf; no private key is
committed) and written to a temporary directory where the example reads a file.  Every
test runs its own :class:`EPollReactor` (never the global reactor), on ports chosen by
the system, under a watchdog.
"""

from __future__ import annotations

import base64
import socket
import ssl as stdlibssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from OpenSSL import SSL

from netframe.core import endpoints, error, protocol, ssl
from netframe.core.defer import Deferred
from netframe.core.epollreactor import EPollReactor
from netframe.core.protocol import connectionDone
from netframe.core.protocols.basic import LineReceiver
from netframe.core.protocols.wire import Echo

#: Seconds an example may run before the watchdog fails it.
WATCHDOG = 10.0


class Harness:
    """An EPollReactor run under a watchdog."""

    def __init__(self) -> None:
        """Create the reactor."""
        self.reactor = EPollReactor()
        self.timedOut = False

    def stop(self) -> None:
        """Stop the reactor unless it is stopping already."""
        try:
            self.reactor.stop()
        except error.ReactorNotRunning:
            pass

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
        if self.timedOut:
            pytest.fail(f"example did not finish within {WATCHDOG}s")


@pytest.fixture
def harness() -> Iterator[Harness]:
    """A fresh :class:`Harness`, closed after the test."""
    h = Harness()
    yield h
    h.reactor.disconnectAll()
    h.reactor._close()


def serverPem(tlsCerts: Any) -> bytes:
    """
    :return: the example's ``server.pem``: the example.com key and certificate.
    """
    pem: bytes = tlsCerts.leaf("example.com").dumpPEM()
    return pem


def publicPem(tlsCerts: Any) -> bytes:
    """
    :return: the example's ``public.pem``: the authority vouching for example.com.
    """
    pem: bytes = tlsCerts.ca().dump(ssl.FILETYPE_PEM)
    return pem


class EchoClient(protocol.Protocol):
    """The echo example's client: sends one line, records the answer, closes."""

    transport: Any

    def __init__(self) -> None:
        self.said: list[bytes] = []

    def connectionMade(self) -> None:
        """Greet."""
        self.transport.write(b"Hello, world!")

    def dataReceived(self, data: bytes) -> None:
        """Record what the server said and hang up."""
        self.said.append(data)
        self.transport.loseConnection()


class T1EchoServerTests:
    """T1 (echoserv_ssl.py): a TLS echo server from server.pem with listenSSL."""

    def test_echoServer(self, harness: Harness, tlsCerts: Any) -> None:
        """A standard-library TLS client verifying example.com gets its bytes echoed."""
        reactor = harness.reactor
        certificate = ssl.PrivateCertificate.loadPEM(serverPem(tlsCerts))
        factory = protocol.Factory.forProtocol(Echo)
        port = reactor.listenSSL(0, factory, certificate.options(), interface="127.0.0.1")
        number = port.getHost().port
        context = stdlibssl.create_default_context(cadata=publicPem(tlsCerts).decode("ascii"))
        result: list[Any] = []

        def peer() -> None:
            try:
                raw = socket.create_connection(("127.0.0.1", number), timeout=WATCHDOG)
                with context.wrap_socket(raw, server_hostname="example.com") as tls:
                    tls.sendall(b"echo me")
                    data = b""
                    while len(data) < 7:
                        data += tls.recv(100)
                    result.append(data)
                    result.append(tls.version())
            except BaseException as e:
                result.append(e)
            reactor.callFromThread(harness.stop)

        thread = threading.Thread(target=peer, daemon=True)
        reactor.callWhenRunning(thread.start)
        harness.run()
        thread.join(WATCHDOG)
        assert result[0] == b"echo me"
        assert result[1] in ("TLSv1.2", "TLSv1.3")


class T2EchoClientTests:
    """T2 (echoclient_ssl.py): SSL4ClientEndpoint verifying example.com on localhost."""

    def echoServer(self, harness: Harness, tlsCerts: Any, *authorities: Any) -> int:
        """
        :return: the port of a T1 server (requiring client certificates from
            ``authorities``, if any: T5).
        """
        certificate = ssl.PrivateCertificate.loadPEM(serverPem(tlsCerts))
        factory = protocol.Factory.forProtocol(Echo)
        port = harness.reactor.listenSSL(
            0, factory, certificate.options(*authorities), interface="127.0.0.1"
        )
        number: int = port.getHost().port
        return number

    def runClient(self, harness: Harness, number: int, options: Any) -> tuple[EchoClient, Any]:
        """
        Run the example's ``main`` against ``localhost``:``number``.

        :return: the client protocol and its ``connectionLost`` reason.
        """
        reactor = harness.reactor
        outcome: list[Any] = []

        async def main() -> None:
            factory = protocol.Factory.forProtocol(EchoClient)
            endpoint = endpoints.SSL4ClientEndpoint(reactor, "localhost", number, options)
            echoClient = await endpoint.connect(factory)
            done: Deferred[None] = Deferred()

            def connectionLost(reason: Any) -> None:
                outcome.append(reason)
                done.callback(None)

            echoClient.connectionLost = connectionLost
            outcome.insert(0, echoClient)
            await done

        d = Deferred.fromCoroutine(main())
        d.addErrback(outcome.append)
        d.addBoth(lambda _: harness.stop())
        harness.run()
        return outcome[0], outcome[1]

    def test_echoClient(self, harness: Harness, tlsCerts: Any) -> None:
        """The client verifies example.com (connecting to localhost) and gets the echo."""
        number = self.echoServer(harness, tlsCerts)
        authority = ssl.Certificate.loadPEM(publicPem(tlsCerts))
        options = ssl.optionsForClientTLS("example.com", authority)
        client, reason = self.runClient(harness, number, options)
        assert b"".join(client.said) == b"Hello, world!"
        assert reason.check(error.ConnectionDone)

    def test_wrongHostnameRefused(self, harness: Harness, tlsCerts: Any) -> None:
        """Verifying another name than the certificate's fails; nothing is echoed."""
        number = self.echoServer(harness, tlsCerts)
        authority = ssl.Certificate.loadPEM(publicPem(tlsCerts))
        options = ssl.optionsForClientTLS("example.org", authority)
        client, reason = self.runClient(harness, number, options)
        assert client.said == []
        assert reason.check(ssl.VerificationError, SSL.Error)

    def test_clientAuthentication(self, harness: Harness, tlsCerts: Any) -> None:
        """T5: with a client certificate the authenticated echo works."""
        authority = ssl.Certificate.loadPEM(publicPem(tlsCerts))
        number = self.echoServer(harness, tlsCerts, authority)
        clientCertificate = ssl.PrivateCertificate.loadPEM(
            tlsCerts.leaf("client.example.com").dumpPEM()
        )
        options = ssl.optionsForClientTLS("example.com", authority, clientCertificate)
        client, reason = self.runClient(harness, number, options)
        assert b"".join(client.said) == b"Hello, world!"
        assert reason.check(error.ConnectionDone)

    def test_clientAuthenticationMissing(self, harness: Harness, tlsCerts: Any) -> None:
        """T5: the plain T2 client gets no echo from that server: it is disconnected."""
        authority = ssl.Certificate.loadPEM(publicPem(tlsCerts))
        number = self.echoServer(harness, tlsCerts, authority)
        options = ssl.optionsForClientTLS("example.com", authority)
        client, reason = self.runClient(harness, number, options)
        assert client.said == []
        assert not reason.check(error.ConnectionDone)


class T4StartTLSTests:
    """T4 (starttls_server.py / starttls_client.py)."""

    def test_startTLS(self, harness: Harness, tlsCerts: Any) -> None:
        """The documented lines are printed; the last line travels encrypted."""
        reactor = harness.reactor
        printed: list[str] = []
        peers: list[Any] = []

        class TLSServer(LineReceiver):
            transport: Any
            factory: Any

            def lineReceived(self, line: bytes) -> None:
                printed.append("received: " + line.decode())
                if line == b"STARTTLS":
                    printed.append("-- Switching to TLS")
                    self.sendLine(b"READY")
                    self.transport.startTLS(self.factory.options)

            def connectionLost(self, reason: Any = connectionDone) -> None:
                peers.append(self.transport.getPeerCertificate())
                harness.stop()

        class StartTLSClient(LineReceiver):
            transport: Any
            factory: Any

            def connectionMade(self) -> None:
                self.sendLine(b"plain text")
                self.sendLine(b"STARTTLS")

            def lineReceived(self, line: bytes) -> None:
                printed.append("client received: " + line.decode())
                if line == b"READY":
                    self.transport.startTLS(self.factory.options)
                    self.sendLine(b"secure text")
                    self.transport.loseConnection()

        # As the example's server.pem, self-signed: the client trusts it directly.
        selfSigned = tlsCerts.leaf("example.com", selfSigned=True).dumpPEM()
        cert = ssl.PrivateCertificate.loadPEM(selfSigned)
        serverFactory = protocol.Factory.forProtocol(TLSServer)
        serverFactory.options = cert.options()  # type: ignore[attr-defined]
        listening: list[Any] = []
        endpoints.TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(
            serverFactory
        ).addCallback(listening.append)
        number = listening[0].getHost().port

        clientFactory = protocol.Factory.forProtocol(StartTLSClient)
        clientFactory.options = ssl.optionsForClientTLS(  # type: ignore[attr-defined]
            "example.com", ssl.PrivateCertificate.loadPEM(selfSigned)
        )
        failures: list[Any] = []
        endpoints.HostnameEndpoint(reactor, "127.0.0.1", number).connect(clientFactory).addErrback(
            failures.append
        )
        harness.run()
        assert failures == []
        assert printed == [
            "received: plain text",
            "received: STARTTLS",
            "-- Switching to TLS",
            "client received: READY",
            "received: secure text",
        ]
        # The client presented no certificate.
        assert peers == [None]


def _ffdhe2048Prime() -> int:
    """
    :return: RFC 7919's ffdhe2048 prime, 2^2048 - 2^1984 + (floor(2^1918 * e) +
        560316) * 2^64 - 1, with e summed as 1/k! in fixed point.
    """
    bits = 1918 + 80
    one = 1 << bits
    e, term, k = 0, one, 0
    while term:
        e += term
        k += 1
        term //= k
    return 2**2048 - 2**1984 + ((e >> 80) + 560316) * 2**64 - 1


def _der(tag: int, body: bytes) -> bytes:
    """
    :return: a DER TLV.
    """
    if len(body) < 0x80:
        return bytes([tag, len(body)]) + body
    size = len(body).to_bytes((len(body).bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body


def dhParametersPEM(prime: int, generator: int) -> bytes:
    """
    :return: PKCS#3 DH parameters (what ``openssl dhparam`` writes) as PEM.
    """
    integers = b"".join(
        _der(0x02, n.to_bytes(n.bit_length() // 8 + 1, "big")) for n in (prime, generator)
    )
    text = base64.b64encode(_der(0x30, integers))
    lines = b"\n".join(text[i : i + 64] for i in range(0, len(text), 64))
    return b"-----BEGIN DH PARAMETERS-----\n" + lines + b"\n-----END DH PARAMETERS-----\n"


class T6OptionsTests:
    """T6: DH parameters from a file, a pinned method, and ALPN over real TCP."""

    def negotiate(
        self,
        harness: Harness,
        tlsCerts: Any,
        tmp_path: Path,
        clientProtocols: Any,
    ) -> tuple[Any, Any]:
        """
        Connect a client offering ``clientProtocols`` to a TLS 1.2 DHE server accepting
        h2 and http/1.1.

        :return: the negotiated protocol seen by the server and by the client.
        """
        reactor = harness.reactor
        dhFilePath = tmp_path / "dh_param_2048.pem"
        dhFilePath.write_bytes(dhParametersPEM(_ffdhe2048Prime(), 2))
        dhParams = ssl.DiffieHellmanParameters.fromFile(dhFilePath)
        # DHE suites authenticate with RSA keys.
        identity = ssl.KeyPair.generate().selfSignedCert(1, commonName="example.com")
        options = ssl.CertificateOptions(
            privateKey=identity.privateKey,
            certificate=identity,
            method=SSL.TLSv1_2_METHOD,
            dhParameters=dhParams,
            acceptableCiphers=ssl.AcceptableCiphers.fromOpenSSLCipherString("DHE+AESGCM"),
            acceptableProtocols=[b"h2", b"http/1.1"],
        )
        seen: dict[str, Any] = {}

        class Server(protocol.Protocol):
            transport: Any

            def dataReceived(self, data: bytes) -> None:
                seen["server"] = self.transport.negotiatedProtocol
                seen["cipher"] = self.transport.getHandle().get_cipher_name()
                self.transport.write(data)

        class Client(protocol.Protocol):
            transport: Any

            def connectionMade(self) -> None:
                self.transport.write(b"ping")

            def dataReceived(self, data: bytes) -> None:
                seen["client"] = self.transport.negotiatedProtocol
                self.transport.loseConnection()

            def connectionLost(self, reason: Any = connectionDone) -> None:
                seen["reason"] = reason
                harness.stop()

        port = reactor.listenSSL(
            0, protocol.Factory.forProtocol(Server), options, interface="127.0.0.1"
        )
        clientOptions = ssl.optionsForClientTLS(
            hostname="example.com", trustRoot=identity, acceptableProtocols=clientProtocols
        )
        endpoints.SSL4ClientEndpoint(
            reactor, "127.0.0.1", port.getHost().port, clientOptions
        ).connect(protocol.Factory.forProtocol(Client))
        harness.run()
        assert seen["reason"].check(error.ConnectionDone)
        assert seen["cipher"].startswith("DHE-")
        return seen["server"], seen["client"]

    def test_earliestCommonProtocol(self, harness: Harness, tlsCerts: Any, tmp_path: Path) -> None:
        """The server picks its earliest protocol the client offers: h2."""
        assert self.negotiate(harness, tlsCerts, tmp_path, [b"http/1.1", b"h2"]) == (
            b"h2",
            b"h2",
        )

    def test_noProtocolOffered(self, harness: Harness, tlsCerts: Any, tmp_path: Path) -> None:
        """A client offering no protocol: negotiatedProtocol is None on both ends."""
        assert self.negotiate(harness, tlsCerts, tmp_path, None) == (None, None)
