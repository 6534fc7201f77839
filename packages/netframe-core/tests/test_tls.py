"""
Tests for TLS as a protocol layer (netframe.core.ssl.TLSMemoryBIOProtocol and
TLSMemoryBIOFactory) over in-memory connections, plus one over real loopback TCP.
"""

from __future__ import annotations

from typing import Any, Optional, cast

import pytest
from OpenSSL import SSL
from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.core import error, ssl
from netframe.core._tls import _ProducerMembrane, _startTLS
from netframe.core.failure import Failure
from netframe.core.interfaces import (
    IConsumer,
    IHalfCloseableProtocol,
    IHandshakeListener,
    IOpenSSLClientConnectionCreator,
    IProtocolNegotiationFactory,
    IPullProducer,
    IPushProducer,
    ISSLTransport,
    ISystemHandle,
)
from netframe.core.protocol import ClientFactory, Factory, Protocol, connectionDone
from netframe.core.protocols.basic import LineReceiver
from netframe.core.testing import FakeTransport, IOPump, connect

# -- helpers ---------------------------------------------------------------------------


class Recorder(Protocol):
    """Records what it receives and why its connection ended."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.reason: Optional[Failure] = None
        self.made = 0

    def connectionMade(self) -> None:
        """Count connections."""
        self.made += 1

    def dataReceived(self, data: bytes) -> None:
        """Record data."""
        self.chunks.append(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """Record the reason."""
        self.reason = reason

    @property
    def received(self) -> bytes:
        """Everything received."""
        return b"".join(self.chunks)


class Echo(Recorder):
    """Echoes what it receives."""

    def dataReceived(self, data: bytes) -> None:
        """Echo."""
        Recorder.dataReceived(self, data)
        assert self.transport is not None
        self.transport.write(data)


class Greeter(Recorder):
    """Writes a greeting from connectionMade (before the handshake completes)."""

    greeting = b"hello, secure world"

    def connectionMade(self) -> None:
        """Greet."""
        Recorder.connectionMade(self)
        assert self.transport is not None
        self.transport.write(self.greeting)


@implementer(IHandshakeListener)
class Listener(Recorder):
    """Records when the handshake completed and what the transport said then."""

    def __init__(self) -> None:
        Recorder.__init__(self)
        self.handshakes = 0
        self.peerAtHandshake: Any = None

    def handshakeCompleted(self) -> None:
        """Record the peer certificate at handshake time."""
        self.handshakes += 1
        assert self.transport is not None
        self.peerAtHandshake = cast(ISSLTransport, self.transport).getPeerCertificate()


@implementer(IHalfCloseableProtocol)
class HalfCloser(Recorder):
    """Half-closeable: records read/write half closes."""

    def __init__(self) -> None:
        Recorder.__init__(self)
        self.readLost = 0
        self.writeLost = 0

    def readConnectionLost(self) -> None:
        """Peer finished sending."""
        self.readLost += 1

    def writeConnectionLost(self) -> None:
        """We finished sending."""
        self.writeLost += 1


class _One(ClientFactory):
    """Builds one given protocol."""

    def __init__(self, protocol: Any) -> None:
        self.theProtocol = protocol

    def buildProtocol(self, addr: Any) -> Any:
        """Return the protocol."""
        self.theProtocol.factory = self
        return self.theProtocol


def tlsConnect(
    serverOptions: Any,
    clientOptions: Any,
    server: Any,
    client: Any,
    greet: bool = True,
) -> tuple[ssl.TLSMemoryBIOProtocol, ssl.TLSMemoryBIOProtocol, IOPump]:
    """Connect ``server`` and ``client`` through TLS over an in-memory pair."""
    serverFactory = ssl.TLSMemoryBIOFactory(serverOptions, False, _One(server))
    clientFactory = ssl.TLSMemoryBIOFactory(clientOptions, True, _One(client))
    serverTLS = serverFactory.buildProtocol(None)
    clientTLS = clientFactory.buildProtocol(None)
    assert isinstance(serverTLS, ssl.TLSMemoryBIOProtocol)
    assert isinstance(clientTLS, ssl.TLSMemoryBIOProtocol)
    pump = connect(
        serverTLS,
        FakeTransport(serverTLS, True),
        clientTLS,
        FakeTransport(clientTLS, False),
        greet=greet,
    )
    return serverTLS, clientTLS, pump


def serverAndClientOptions(
    tlsCerts: Any, hostname: str = "example.com", **clientKw: Any
) -> tuple[Any, Any]:
    """Server options for example.com's certificate; client options trusting our CA."""
    return (
        tlsCerts.leaf("example.com").options(),
        ssl.optionsForClientTLS(hostname, tlsCerts.ca(), **clientKw),
    )


# -- interfaces ------------------------------------------------------------------------


class InterfaceTests:
    """The TLS objects provide their interfaces."""

    def test_protocolProvidesTransportInterfaces(self, tlsCerts: Any) -> None:
        """A connected TLS protocol provides ISSLTransport, ISystemHandle, IPushProducer."""
        _serverTLS, clientTLS, _pump = tlsConnect(
            *serverAndClientOptions(tlsCerts), Echo(), Greeter()
        )
        for iface in (ISSLTransport, ISystemHandle, IPushProducer):
            assert verifyObject(iface, clientTLS)

    def test_membraneProvidesIPushProducer(self, tlsCerts: Any) -> None:
        """The producer membrane provides IPushProducer."""
        _serverTLS, clientTLS, _pump = tlsConnect(
            *serverAndClientOptions(tlsCerts), Echo(), Greeter()
        )
        assert verifyObject(IPushProducer, _ProducerMembrane(Recorder(), True, clientTLS))

    def test_clientOptionsProvideCreator(self, tlsCerts: Any) -> None:
        """optionsForClientTLS returns an IOpenSSLClientConnectionCreator."""
        assert verifyObject(
            IOpenSSLClientConnectionCreator, ssl.optionsForClientTLS("example.com", tlsCerts.ca())
        )

    def test_factoryRefusesUnusableContextFactory(self) -> None:
        """A context factory that is neither creator nor getContext() is refused."""
        with pytest.raises(TypeError, match="getContext"):
            ssl.TLSMemoryBIOFactory(object(), True, Factory())


# -- examples T1-T6 ----------------------------------------------------------------------


class EchoExampleTests:
    """T1/T2: a TLS echo server and a verifying client (echoserv_ssl / echoclient_ssl)."""

    def test_echoWithPEMFiles(self, tlsCerts: Any) -> None:
        """server.pem (key + self-signed example.com cert) and public.pem give a working echo."""
        keyPair = ssl.KeyPair.generate()
        serverPem = keyPair.selfSignedCert(1, commonName="example.com").dumpPEM()
        publicPem = ssl.Certificate.loadPEM(serverPem).dumpPEM()
        certificate = ssl.PrivateCertificate.loadPEM(serverPem)
        authority = ssl.Certificate.loadPEM(publicPem)
        options = ssl.optionsForClientTLS("example.com", authority)
        server, client = Echo(), Greeter()
        _serverTLS, clientTLS, pump = tlsConnect(certificate.options(), options, server, client)
        assert server.received == Greeter.greeting
        assert client.received == Greeter.greeting
        assert cast(object, client.transport) is clientTLS
        assert client.transport is not None
        client.transport.loseConnection()
        pump.flush()
        assert client.reason is not None and client.reason.check(error.ConnectionDone)
        assert server.reason is not None and server.reason.check(error.ConnectionDone)

    def test_writesBeforeHandshakeAreEncrypted(self, tlsCerts: Any) -> None:
        """Data written in connectionMade is held until the handshake, then sent encrypted."""
        server, client = Recorder(), Greeter()
        serverTLS, clientTLS, pump = tlsConnect(
            *serverAndClientOptions(tlsCerts), server, client, greet=False
        )
        assert Greeter.greeting not in b"".join(clientTLS.transport.stream)
        seen = []
        while pump.pump():
            seen.append(b"".join(clientTLS.transport.stream) + b"".join(serverTLS.transport.stream))
        assert all(Greeter.greeting not in chunk for chunk in seen)
        assert server.received == Greeter.greeting


class PeerCertificateTests:
    """T3: the peer certificate, abortConnection and ConnectionClosed reasons."""

    def test_peerCertificateThenAbort(self, tlsCerts: Any) -> None:
        """The client sees the server's certificate and aborting reports ConnectionClosed."""

        class ShowCertificate(Protocol):
            def connectionMade(self) -> None:
                assert self.transport is not None
                self.transport.write(b"GET / HTTP/1.0\r\n\r\n")

            def dataReceived(self, data: bytes) -> None:
                assert self.transport is not None
                transport = cast(ISSLTransport, self.transport)
                self.certificate = ssl.Certificate(transport.getPeerCertificate())
                transport.abortConnection()

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                self.reason = reason

        client = ShowCertificate()
        tlsConnect(*serverAndClientOptions(tlsCerts), Echo(), client)
        assert repr(client.certificate).startswith("<Certificate Subject=example.com ")
        assert client.reason.check(error.ConnectionClosed)
        assert client.reason.check(error.ConnectionAborted)

    def test_untrustedServerIsBad(self, tlsCerts: Any) -> None:
        """Against a server whose CA is not trusted the reason is not ConnectionClosed."""
        client = Greeter()
        tlsConnect(
            tlsCerts.leaf("example.com").options(),
            ssl.optionsForClientTLS("example.com", tlsCerts.ca("someone else")),
            Echo(),
            client,
        )
        assert client.reason is not None
        assert not client.reason.check(error.ConnectionClosed)
        assert client.reason.check(SSL.Error)
        assert client.received == b""

    def test_peerCertificateNoneBeforeHandshake(self, tlsCerts: Any) -> None:
        """Before the handshake there is no peer certificate and no negotiated protocol."""
        _serverTLS, clientTLS, _pump = tlsConnect(
            *serverAndClientOptions(tlsCerts), Echo(), Greeter(), greet=False
        )
        assert clientTLS.getPeerCertificate() is None
        assert clientTLS.negotiatedProtocol is None
        assert isinstance(clientTLS.getHandle(), SSL.Connection)


class TLSServer(LineReceiver):
    """starttls_server.py: switches to TLS when told STARTTLS."""

    options: Any = None
    asClient = False

    def connectionMade(self) -> None:
        """Start logging."""
        self.log: list[str] = []
        self.reason: Optional[Failure] = None

    def lineReceived(self, line: bytes) -> None:
        """Log lines; on STARTTLS answer READY and start TLS."""
        self.log.append("received: " + line.decode())
        if line == b"STARTTLS":
            self.log.append("-- Switching to TLS")
            self.sendLine(b"READY")
            _startTLS(self.transport, self.options, self.asClient, self)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """Record the reason."""
        self.reason = reason


class StartTLSClient(LineReceiver):
    """starttls_client.py: asks for TLS, then sends a secure line and closes."""

    options: Any = None
    asClient = True

    def connectionMade(self) -> None:
        """Send a plain line and STARTTLS."""
        self.log: list[str] = []
        self.reason: Optional[Failure] = None
        self.sendLine(b"plain text")
        self.sendLine(b"STARTTLS")

    def lineReceived(self, line: bytes) -> None:
        """On READY, start TLS, send a secure line and close."""
        self.log.append("received: " + line.decode())
        if line == b"READY":
            _startTLS(self.transport, self.options, self.asClient, self)
            self.sendLine(b"secure text")
            assert self.transport is not None
            self.transport.loseConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """Record the reason."""
        self.reason = reason


class StartTLSTests:
    """
    T4: startTLS in the middle of a plain connection, started from either end.

    The side answering READY becomes the TLS server and the side receiving READY the
    TLS client (so no ClientHello can arrive mixed with plain lines).
    """

    def _run(self, tlsCerts: Any, requesterIsAcceptor: bool) -> tuple[Any, Any]:
        serverOptions, clientOptions = serverAndClientOptions(tlsCerts)
        responder, requester = TLSServer(), StartTLSClient()
        responder.options, requester.options = serverOptions, clientOptions
        responder.asClient, requester.asClient = False, True
        if requesterIsAcceptor:
            connect(
                requester,
                FakeTransport(requester, True),
                responder,
                FakeTransport(responder, False),
            )
        else:
            connect(
                responder,
                FakeTransport(responder, True),
                requester,
                FakeTransport(requester, False),
            )
        return responder, requester

    def test_connectorStartsTLS(self, tlsCerts: Any) -> None:
        """The example: plain lines, STARTTLS, READY, then a line only sent encrypted."""
        server, client = self._run(tlsCerts, requesterIsAcceptor=False)
        assert server.log == [
            "received: plain text",
            "received: STARTTLS",
            "-- Switching to TLS",
            "received: secure text",
        ]
        assert client.log == ["received: READY"]
        assert isinstance(server.transport, ssl.TLSMemoryBIOProtocol)
        assert isinstance(client.transport, ssl.TLSMemoryBIOProtocol)
        assert client.reason is not None and client.reason.check(error.ConnectionDone)
        assert server.reason is not None and server.reason.check(error.ConnectionDone)

    def test_acceptorStartsTLS(self, tlsCerts: Any) -> None:
        """The accepting side can ask for TLS too (it is then the TLS client)."""
        responder, requester = self._run(tlsCerts, requesterIsAcceptor=True)
        assert responder.log[-1] == "received: secure text"
        assert requester.log == ["received: READY"]
        assert requester.transport.getPeerCertificate() is not None
        assert requester.reason is not None and requester.reason.check(error.ConnectionDone)
        assert responder.reason is not None and responder.reason.check(error.ConnectionDone)

    def test_startTLSWithoutReplacingTransport(self, tlsCerts: Any) -> None:
        """replaceTransport=False leaves protocol.transport alone (the reactor routes writes)."""
        _serverOptions, clientOptions = serverAndClientOptions(tlsCerts)
        client = Recorder()
        transport = FakeTransport(client, False)
        client.makeConnection(transport)
        tls = _startTLS(transport, clientOptions, True, client, replaceTransport=False)
        assert cast(object, client.transport) is transport
        assert transport.protocol is tls
        assert client.made == 1
        assert transport.stream  # the ClientHello


class ClientCertificateTests:
    """T5: a server requiring client certificates (PrivateCertificate.options(authority))."""

    def test_withClientCertificate(self, tlsCerts: Any) -> None:
        """A client presenting a certificate from the authority gets its echo."""
        serverOptions = tlsCerts.leaf("example.com").options(tlsCerts.ca())
        clientCertificate = tlsCerts.leaf("client.example")
        clientOptions = ssl.optionsForClientTLS("example.com", tlsCerts.ca(), clientCertificate)
        server, client = Echo(), Greeter()
        serverTLS, _clientTLS, _pump = tlsConnect(serverOptions, clientOptions, server, client)
        assert client.received == Greeter.greeting
        peer = ssl.Certificate.peerFromTransport(serverTLS)
        assert peer.getSubject().commonName == "client.example"

    def test_withoutClientCertificate(self, tlsCerts: Any) -> None:
        """A client without a certificate gets no echo: the connection is closed."""
        serverOptions = tlsCerts.leaf("example.com").options(tlsCerts.ca())
        server, client = Echo(), Greeter()
        tlsConnect(
            serverOptions, ssl.optionsForClientTLS("example.com", tlsCerts.ca()), server, client
        )
        assert client.received == b""
        assert server.received == b""
        assert client.reason is not None and client.reason.check(SSL.Error)
        assert server.reason is not None and server.reason.check(SSL.Error)

    def test_clientCertificateFromOtherAuthority(self, tlsCerts: Any) -> None:
        """A client certificate from an authority the server does not trust is refused."""
        serverOptions = tlsCerts.leaf("example.com").options(tlsCerts.ca())
        stranger = tlsCerts.leaf("client.example", issuer=tlsCerts.ca("other CA"))
        server, client = Echo(), Greeter()
        tlsConnect(
            serverOptions,
            ssl.optionsForClientTLS("example.com", tlsCerts.ca(), stranger),
            server,
            client,
        )
        assert server.received == b""
        assert server.reason is not None and server.reason.check(SSL.Error)
        assert "unknown certificate authority" in str(server.reason.value)


@implementer(IProtocolNegotiationFactory)
class _NegotiatingFactory(_One):
    """A factory choosing its own ALPN protocols."""

    def acceptableProtocols(self) -> list[bytes]:
        """Only spdy/3."""
        return [b"spdy/3"]


class ALPNTests:
    """T6: application protocol negotiation."""

    def _negotiate(
        self, tlsCerts: Any, serverProtocols: Any, clientProtocols: Any
    ) -> tuple[Any, Any, Listener, Listener]:
        serverOptions = ssl.CertificateOptions(
            privateKey=tlsCerts.leaf().privateKey,
            certificate=tlsCerts.leaf(),
            acceptableProtocols=serverProtocols,
        )
        clientOptions = ssl.optionsForClientTLS(
            "example.com", tlsCerts.ca(), acceptableProtocols=clientProtocols
        )
        server, client = Listener(), Listener()
        serverTLS, clientTLS, _pump = tlsConnect(serverOptions, clientOptions, server, client)
        return serverTLS, clientTLS, server, client

    def test_earliestCommonProtocol(self, tlsCerts: Any) -> None:
        """The server (selector) picks its earliest protocol the client also offers."""
        serverTLS, clientTLS, _server, _client = self._negotiate(
            tlsCerts, [b"h2", b"http/1.1"], [b"http/1.1", b"h2"]
        )
        assert serverTLS.negotiatedProtocol == b"h2"
        assert clientTLS.negotiatedProtocol == b"h2"

    def test_onlyCommonProtocolChosen(self, tlsCerts: Any) -> None:
        """A protocol only one side knows is never chosen."""
        _serverTLS, clientTLS, _server, _client = self._negotiate(
            tlsCerts, [b"h2", b"http/1.1"], [b"http/1.1"]
        )
        assert clientTLS.negotiatedProtocol == b"http/1.1"

    def test_noneWhenPeerOffersNone(self, tlsCerts: Any) -> None:
        """negotiatedProtocol is None when the client offers no ALPN."""
        serverTLS, clientTLS, server, _client = self._negotiate(
            tlsCerts, [b"h2", b"http/1.1"], None
        )
        assert server.handshakes == 1
        assert serverTLS.negotiatedProtocol is None
        assert clientTLS.negotiatedProtocol is None

    def test_noOverlapFailsHandshake(self, tlsCerts: Any) -> None:
        """As the selecting peer with no overlap, the handshake fails on both sides."""
        _serverTLS, _clientTLS, server, client = self._negotiate(tlsCerts, [b"h2"], [b"http/1.1"])
        assert server.handshakes == 0 and client.handshakes == 0
        assert server.reason is not None and server.reason.check(SSL.Error)
        assert "no application protocol in common" in str(server.reason.value)
        assert client.reason is not None and client.reason.check(SSL.Error)

    def test_factoryProtocolsOverride(self, tlsCerts: Any) -> None:
        """A wrapped IProtocolNegotiationFactory's acceptableProtocols() is used."""
        server, client = Recorder(), Recorder()
        serverFactory = ssl.TLSMemoryBIOFactory(
            ssl.CertificateOptions(
                privateKey=tlsCerts.leaf().privateKey, certificate=tlsCerts.leaf()
            ),
            False,
            _NegotiatingFactory(server),
        )
        clientFactory = ssl.TLSMemoryBIOFactory(
            ssl.optionsForClientTLS("example.com", tlsCerts.ca()), True, _NegotiatingFactory(client)
        )
        serverTLS = serverFactory.buildProtocol(None)
        clientTLS = clientFactory.buildProtocol(None)
        connect(
            serverTLS, FakeTransport(serverTLS, True), clientTLS, FakeTransport(clientTLS, False)
        )
        assert clientTLS is not None
        assert clientTLS.negotiatedProtocol == b"spdy/3"


# -- verification ---------------------------------------------------------------------------


class VerificationTests:
    """optionsForClientTLS rejects bad certificates by default, saying why."""

    def _reason(
        self, serverCertificate: Any, hostname: str = "example.com", *, trust: Any
    ) -> Failure:
        client = Listener()
        server = Echo()
        tlsConnect(
            serverCertificate.options(), ssl.optionsForClientTLS(hostname, trust), server, client
        )
        assert client.handshakes == 0
        assert client.received == b""
        assert server.received == b""
        assert client.reason is not None
        return client.reason

    def test_valid(self, tlsCerts: Any) -> None:
        """A certificate from the trusted CA naming the host is accepted."""
        client = Listener()
        tlsConnect(*serverAndClientOptions(tlsCerts), Echo(), client)
        assert client.handshakes == 1
        assert client.peerAtHandshake is not None

    def test_expired(self, tlsCerts: Any) -> None:
        """An expired certificate is rejected: 'certificate has expired'."""
        reason = self._reason(tlsCerts.leaf(validFrom=-10, validUntil=-1), trust=tlsCerts.ca())
        assert reason.check(SSL.Error)
        assert "certificate has expired" in str(reason.value)

    def test_notYetValid(self, tlsCerts: Any) -> None:
        """A certificate valid only from tomorrow is rejected: 'not yet valid'."""
        reason = self._reason(tlsCerts.leaf(validFrom=1, validUntil=10), trust=tlsCerts.ca())
        assert reason.check(SSL.Error)
        assert "not yet valid" in str(reason.value)

    def test_selfSigned(self, tlsCerts: Any) -> None:
        """A self-signed server certificate not in the trust root is rejected."""
        reason = self._reason(tlsCerts.leaf(selfSigned=True), trust=tlsCerts.ca())
        assert reason.check(SSL.Error)
        assert "self-signed certificate" in str(reason.value)

    def test_unknownCA(self, tlsCerts: Any) -> None:
        """A certificate from an authority that is not trusted is rejected."""
        reason = self._reason(tlsCerts.leaf(), trust=tlsCerts.ca("unrelated CA"))
        assert reason.check(SSL.Error)
        assert "unknown certificate authority" in str(reason.value)

    def test_platformTrustIsDefault(self, tlsCerts: Any) -> None:
        """Without trustRoot the platform's roots are used: our test CA is unknown there."""
        client = Recorder()
        tlsConnect(
            tlsCerts.leaf().options(), ssl.optionsForClientTLS("example.com"), Echo(), client
        )
        assert client.reason is not None and client.reason.check(SSL.Error)
        assert "certificate verify failed" in str(client.reason.value)

    def test_wrongHost(self, tlsCerts: Any) -> None:
        """A certificate for another host is rejected; the message names the expected host."""
        reason = self._reason(tlsCerts.leaf("example.com"), "wrong.example", trust=tlsCerts.ca())
        assert reason.check(ssl.VerificationError)
        assert "wrong.example" in str(reason.value)

    def test_commonNameOnly(self, tlsCerts: Any) -> None:
        """A certificate naming the host only in its CN (no subjectAltName) is rejected."""
        reason = self._reason(tlsCerts.leaf("example.com", dnsNames=()), trust=tlsCerts.ca())
        assert reason.check(ssl.VerificationError)
        assert "subjectAltName" in str(reason.value)

    def test_ipAddressSAN(self, tlsCerts: Any) -> None:
        """An IP address host is matched against IP address subjectAltNames."""
        for address in ("127.0.0.1", "::1"):
            certificate = tlsCerts.leaf("ip", dnsNames=(), ipAddresses=[address])
            client = Listener()
            tlsConnect(
                certificate.options(),
                ssl.optionsForClientTLS(address, tlsCerts.ca()),
                Echo(),
                client,
            )
            assert client.handshakes == 1, address

    def test_ipAddressNotInDNSNames(self, tlsCerts: Any) -> None:
        """An IP address is not accepted on the strength of a DNS name SAN."""
        certificate = tlsCerts.leaf("127.0.0.1", dnsNames=["127.0.0.1"])
        reason = self._reason(certificate, "127.0.0.1", trust=tlsCerts.ca())
        assert reason.check(ssl.VerificationError)
        assert "127.0.0.1" in str(reason.value)

    def test_internationalizedHostname(self, tlsCerts: Any) -> None:
        """An IDN host name is IDNA-encoded for SNI and for the check."""
        certificate = tlsCerts.leaf("xn--bcher-kva.example")
        names: list[Any] = []
        serverOptions = certificate.options()
        serverOptions.getContext().set_tlsext_servername_callback(
            lambda connection: names.append(connection.get_servername())
        )
        client = Listener()
        tlsConnect(
            serverOptions, ssl.optionsForClientTLS("bücher.example", tlsCerts.ca()), Echo(), client
        )
        assert client.handshakes == 1
        assert names == [b"xn--bcher-kva.example"]


class SNITests:
    """The client sends the host name as SNI, observed by the server."""

    def _serverNames(self, tlsCerts: Any, hostname: str, certificate: Any) -> list[Any]:
        names: list[Any] = []
        serverOptions = certificate.options()
        serverOptions.getContext().set_tlsext_servername_callback(
            lambda connection: names.append(connection.get_servername())
        )
        client = Listener()
        tlsConnect(serverOptions, ssl.optionsForClientTLS(hostname, tlsCerts.ca()), Echo(), client)
        assert client.handshakes == 1
        return names

    def test_sniSent(self, tlsCerts: Any) -> None:
        """The server's servername callback sees the client's host name."""
        assert self._serverNames(tlsCerts, "example.com", tlsCerts.leaf()) == [b"example.com"]

    def test_noSNIForIPAddresses(self, tlsCerts: Any) -> None:
        """No SNI is sent when the host is an IP address (RFC 6066)."""
        certificate = tlsCerts.leaf("ip", dnsNames=(), ipAddresses=["10.0.0.1"])
        assert self._serverNames(tlsCerts, "10.0.0.1", certificate) == [None]


# -- closing --------------------------------------------------------------------------------


class CloseTests:
    """close_notify, half-close, abort and truncation."""

    def test_loseConnectionSendsCloseNotify(self, tlsCerts: Any) -> None:
        """loseConnection ends with a clean close on both sides."""
        server, client = Echo(), Greeter()
        serverTLS, _clientTLS, pump = tlsConnect(*serverAndClientOptions(tlsCerts), server, client)
        serverTLS.loseConnection()
        pump.flush()
        assert serverTLS._sentShutdown
        assert client.reason is not None and client.reason.check(error.ConnectionDone)
        assert server.reason is not None and server.reason.check(error.ConnectionDone)

    def test_loseConnectionBeforeHandshakeWaits(self, tlsCerts: Any) -> None:
        """Data written then loseConnection before the handshake are still delivered."""

        class WriteAndClose(Recorder):
            def connectionMade(self) -> None:
                assert self.transport is not None
                self.transport.write(b"last words")
                self.transport.loseConnection()
                self.transport.write(b"ignored")

        server, client = Recorder(), WriteAndClose()
        tlsConnect(*serverAndClientOptions(tlsCerts), server, client)
        assert server.received == b"last words"
        assert server.reason is not None and server.reason.check(error.ConnectionDone)
        assert client.reason is not None and client.reason.check(error.ConnectionDone)

    def test_halfClose(self, tlsCerts: Any) -> None:
        """close_notify makes a half-closeable protocol's readConnectionLost; it may still write."""
        server, client = HalfCloser(), HalfCloser()
        serverTLS, clientTLS, pump = tlsConnect(*serverAndClientOptions(tlsCerts), server, client)
        serverTLS.loseWriteConnection()
        pump.flush()
        assert server.writeLost == 1
        assert client.readLost == 1
        assert client.reason is None
        clientTLS.write(b"still talking")
        pump.flush()
        assert server.received == b"still talking"
        clientTLS.loseConnection()
        pump.flush()
        client = client  # the pump changed client.reason: drop mypy's narrowing (mypy issue 11969)
        assert client.reason is not None and client.reason.check(error.ConnectionDone)
        assert server.reason is not None and server.reason.check(error.ConnectionDone)

    def test_halfCloseBothWays(self, tlsCerts: Any) -> None:
        """Both sides half-closing closes the connection cleanly."""
        server, client = HalfCloser(), HalfCloser()
        serverTLS, clientTLS, pump = tlsConnect(*serverAndClientOptions(tlsCerts), server, client)
        serverTLS.loseWriteConnection()
        pump.flush()
        clientTLS.loseWriteConnection()
        pump.flush()
        assert (server.readLost, server.writeLost, client.readLost, client.writeLost) == (
            1,
            1,
            1,
            1,
        )
        assert client.reason is not None and client.reason.check(error.ConnectionDone)
        assert server.reason is not None and server.reason.check(error.ConnectionDone)

    def test_closeNotifyClosesOtherProtocols(self, tlsCerts: Any) -> None:
        """A protocol that is not half-closeable gets connectionLost(ConnectionDone)."""
        server, client = HalfCloser(), Recorder()
        serverTLS, _clientTLS, pump = tlsConnect(*serverAndClientOptions(tlsCerts), server, client)
        serverTLS.loseWriteConnection()
        pump.flush()
        assert client.reason is not None and client.reason.check(error.ConnectionDone)

    def test_truncation(self, tlsCerts: Any) -> None:
        """A transport closing without close_notify after the handshake is ConnectionLost."""
        server, client = Recorder(), Recorder()
        serverTLS, _clientTLS, pump = tlsConnect(*serverAndClientOptions(tlsCerts), server, client)
        serverTLS.transport.loseConnection()
        pump.flush()
        assert client.reason is not None and client.reason.check(error.ConnectionLost)
        assert "close_notify" in str(client.reason.value)

    def test_closedDuringHandshake(self, tlsCerts: Any) -> None:
        """A transport closing during the handshake is ConnectionLost, not a clean close."""
        client = Recorder()
        factory = ssl.TLSMemoryBIOFactory(
            ssl.optionsForClientTLS("example.com", tlsCerts.ca()), True, _One(client)
        )
        clientTLS = factory.buildProtocol(None)

        class HangUp(Protocol):
            def dataReceived(self, data: bytes) -> None:
                assert self.transport is not None
                self.transport.loseConnection()

        hangUp = HangUp()
        connect(hangUp, FakeTransport(hangUp, True), clientTLS, FakeTransport(clientTLS, False))
        assert client.reason is not None and client.reason.check(error.ConnectionLost)
        assert "during the TLS handshake" in str(client.reason.value)

    def test_abortConnection(self, tlsCerts: Any) -> None:
        """abortConnection drops the connection: ConnectionAborted here, ConnectionLost there."""
        server, client = Recorder(), Recorder()
        _serverTLS, clientTLS, pump = tlsConnect(*serverAndClientOptions(tlsCerts), server, client)
        clientTLS.write(b"never sent")
        clientTLS.abortConnection()
        clientTLS.abortConnection()
        pump.flush()
        assert client.reason is not None and client.reason.check(error.ConnectionAborted)
        assert server.reason is not None and server.reason.check(error.ConnectionLost)
        assert server.received == b""

    def test_writeAfterCloseIgnored(self, tlsCerts: Any) -> None:
        """Writes after loseConnection are discarded."""
        server, client = Recorder(), Recorder()
        _serverTLS, clientTLS, pump = tlsConnect(*serverAndClientOptions(tlsCerts), server, client)
        clientTLS.write(b"a")
        clientTLS.loseConnection()
        clientTLS.write(b"b")
        pump.flush()
        assert server.received == b"a"

    def test_writeTextRefused(self, tlsCerts: Any) -> None:
        """Writing text raises TypeError (in write and writeSequence)."""
        _serverTLS, clientTLS, _pump = tlsConnect(
            *serverAndClientOptions(tlsCerts), Recorder(), Recorder()
        )
        with pytest.raises(TypeError):
            clientTLS.write("text")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            clientTLS.writeSequence([b"a", "b"])


# -- flow control and volume ----------------------------------------------------------------


class ProducerTests:
    """Producers and consumers keep working through the TLS layer."""

    def test_pushProducerPausedByUnderlyingTransport(
        self, recordingProducer: Any, tlsCerts: Any
    ) -> None:
        """The underlying transport pausing/resuming reaches the wrapped push producer."""
        _serverTLS, clientTLS, _pump = tlsConnect(
            *serverAndClientOptions(tlsCerts), Recorder(), Recorder()
        )
        producer = recordingProducer()
        clientTLS.registerProducer(producer, True)
        underlying = clientTLS.transport.producer
        assert underlying is not None and underlying is not producer
        underlying.pauseProducing()
        underlying.pauseProducing()
        underlying.resumeProducing()
        assert producer.calls == ["pause", "resume"]
        with pytest.raises(RuntimeError):
            clientTLS.registerProducer(recordingProducer(), True)
        clientTLS.unregisterProducer()
        assert clientTLS.transport.producer is None

    def test_loseConnectionWaitsForProducer(self, recordingProducer: Any, tlsCerts: Any) -> None:
        """loseConnection waits until the producer is unregistered, then closes cleanly."""
        server, client = Recorder(), Recorder()
        _serverTLS, clientTLS, pump = tlsConnect(*serverAndClientOptions(tlsCerts), server, client)
        producer = recordingProducer()
        clientTLS.registerProducer(producer, True)
        clientTLS.loseConnection()
        pump.flush()
        assert server.reason is None
        clientTLS.write(b"ignored after loseConnection")
        clientTLS.unregisterProducer()
        pump.flush()
        server = server  # the pump changed server.reason: drop mypy's narrowing (mypy issue 11969)
        assert server.reason is not None and server.reason.check(error.ConnectionDone)

    def test_producerStoppedOnConnectionLost(self, recordingProducer: Any, tlsCerts: Any) -> None:
        """A registered producer is stopped (once) when the connection is lost."""
        serverTLS, clientTLS, pump = tlsConnect(
            *serverAndClientOptions(tlsCerts), Recorder(), Recorder()
        )
        producer = recordingProducer()
        clientTLS.registerProducer(producer, True)
        serverTLS.abortConnection()
        pump.flush()
        assert producer.calls == ["stop"]

    def test_pullProducerAskedAfterHandshake(self, recordingProducer: Any, tlsCerts: Any) -> None:
        """A pull producer is asked for data only once the handshake completed."""
        server = Recorder()

        @implementer(IPullProducer)
        class Pull:
            def __init__(self, transport: Any) -> None:
                self.transport = transport
                self.count = 0

            def resumeProducing(self) -> None:
                assert self.transport._handshakeDone
                self.count += 1
                if self.count <= 3:
                    self.transport.write(b"chunk%d;" % self.count)
                else:
                    self.transport.unregisterProducer()
                    self.transport.loseConnection()

            def stopProducing(self) -> None:
                pass

        class Registers(Recorder):
            def connectionMade(self) -> None:
                self.pull = Pull(self.transport)
                assert self.transport is not None
                cast(IConsumer, self.transport).registerProducer(self.pull, False)

        client = Registers()
        tlsConnect(*serverAndClientOptions(tlsCerts), server, client)
        assert server.received == b"chunk1;chunk2;chunk3;"
        assert server.reason is not None and server.reason.check(error.ConnectionDone)

    def test_readPauseHoldsDecryptedData(self, tlsCerts: Any) -> None:
        """pauseProducing stops delivery (even of data already decrypted); resume delivers it."""
        server, client = Recorder(), Recorder()
        serverTLS, clientTLS, pump = tlsConnect(*serverAndClientOptions(tlsCerts), server, client)
        clientTLS.pauseProducing()
        serverTLS.write(b"x" * 100)
        serverTLS.write(b"y" * 100)
        clientTLS.transport.resumeProducing()  # let ciphertext in while the protocol is paused
        pump.flush()
        assert client.received == b""
        clientTLS.resumeProducing()
        pump.flush()
        assert client.received == b"x" * 100 + b"y" * 100

    def test_stopProducingCloses(self, tlsCerts: Any) -> None:
        """stopProducing on the TLS transport closes the connection."""
        server, client = Recorder(), Recorder()
        _serverTLS, clientTLS, pump = tlsConnect(*serverAndClientOptions(tlsCerts), server, client)
        clientTLS.stopProducing()
        pump.flush()
        assert server.reason is not None and server.reason.check(error.ConnectionDone)


class VolumeTests:
    """Large transfers."""

    def test_oneMegabyteBothWays(self, tlsCerts: Any) -> None:
        """1 MB each way arrives intact."""
        payload = bytes(range(256)) * 4096
        server, client = Recorder(), Recorder()
        serverTLS, clientTLS, pump = tlsConnect(*serverAndClientOptions(tlsCerts), server, client)
        clientTLS.write(payload)
        serverTLS.writeSequence([payload[:1000], payload[1000:]])
        pump.flush()
        assert server.received == payload
        assert client.received == payload

    def test_manySmallWrites(self, tlsCerts: Any) -> None:
        """Thousands of small writes arrive in order."""
        server, client = Recorder(), Recorder()
        _serverTLS, clientTLS, pump = tlsConnect(*serverAndClientOptions(tlsCerts), server, client)
        for i in range(2000):
            clientTLS.write(b"%d," % i)
        pump.flush()
        assert server.received == b"".join(b"%d," % i for i in range(2000))


class HostileInputTests:
    """Garbage on the wire closes the connection with an error, never raises."""

    def test_garbageInsteadOfClientHello(self, tlsCerts: Any) -> None:
        """A server fed garbage closes with an SSL.Error reason; nothing escapes."""
        server = Recorder()
        factory = ssl.TLSMemoryBIOFactory(tlsCerts.leaf().options(), False, _One(server))
        serverTLS = factory.buildProtocol(None)
        peer = Recorder()
        serverIO, peerIO = FakeTransport(serverTLS, True), FakeTransport(peer, False)
        pump = connect(serverTLS, serverIO, peer, peerIO)
        peerIO.write(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n" + bytes(range(256)) * 4)
        pump.flush()
        assert server.reason is not None and server.reason.check(SSL.Error)
        assert peer.reason is not None
        assert server.received == b""

    def test_garbageAfterHandshake(self, tlsCerts: Any) -> None:
        """Garbage after the handshake closes the connection with an SSL.Error reason."""
        server, client = Recorder(), Recorder()
        _serverTLS, clientTLS, pump = tlsConnect(*serverAndClientOptions(tlsCerts), server, client)
        clientTLS.transport.write(b"\x17\x03\x03\x00\x10" + b"\x00" * 16)
        pump.flush()
        assert server.reason is not None and server.reason.check(SSL.Error)
        assert client.reason is not None

    def test_garbageServerHello(self, tlsCerts: Any) -> None:
        """A client answered with garbage fails with an SSL.Error reason."""
        client = Recorder()
        factory = ssl.TLSMemoryBIOFactory(
            ssl.optionsForClientTLS("example.com", tlsCerts.ca()), True, _One(client)
        )
        clientTLS = factory.buildProtocol(None)

        class Liar(Protocol):
            def dataReceived(self, data: bytes) -> None:
                assert self.transport is not None
                self.transport.write(b"\x16\x03\x03\xff\xff" + b"\xee" * 40)

        liar = Liar()
        connect(liar, FakeTransport(liar, True), clientTLS, FakeTransport(clientTLS, False))
        assert client.reason is not None and client.reason.check(SSL.Error)


# -- real loopback ----------------------------------------------------------------------------


class LoopbackTests:
    """TLS over real TCP with an EPollReactor."""

    def test_echoOverLoopback(self, tlsCerts: Any) -> None:
        """listenTCP/connectTCP with TLSMemoryBIOFactory carry a TLS echo."""
        from netframe.core.epollreactor import EPollReactor

        reactor = EPollReactor()
        payload = b"z" * 200_000
        result: dict[str, Any] = {}

        class Client(Recorder):
            def connectionMade(self) -> None:
                assert self.transport is not None
                self.transport.write(payload)

            def dataReceived(self, data: bytes) -> None:
                Recorder.dataReceived(self, data)
                if len(self.received) >= len(payload):
                    assert self.transport is not None
                    result["peer"] = cast(ISSLTransport, self.transport).getPeerCertificate()
                    self.transport.loseConnection()

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                result["reason"] = reason
                result["received"] = self.received
                reactor.stop()

        serverFactory = ssl.TLSMemoryBIOFactory(
            tlsCerts.leaf().options(), False, Factory.forProtocol(Echo)
        )
        port = reactor.listenTCP(0, serverFactory, interface="127.0.0.1")
        client = Client()
        clientFactory = ssl.TLSMemoryBIOFactory(
            ssl.optionsForClientTLS("example.com", tlsCerts.ca()), True, _One(client)
        )
        reactor.connectTCP("127.0.0.1", port.getHost().port, clientFactory)
        watchdog = reactor.callLater(20, reactor.stop)
        try:
            reactor.run()
            if watchdog.active():
                watchdog.cancel()
            port.stopListening()
            reactor.iterate(0)
        finally:
            reactor._close()
        assert result.get("received") == payload
        assert result["reason"].check(error.ConnectionDone)
        assert ssl.Certificate(result["peer"]).getSubject().commonName == "example.com"


class VerifiedCacheTests:
    """ClientTLSOptions remembers accepted certificates, within VERIFIED_CACHE_SIZE."""

    def _connect(self, serverCertificate: Any, options: Any) -> Listener:
        client = Listener()
        tlsConnect(serverCertificate.options(), options, Echo(), client)
        return client

    def test_cacheAtLimit(self, tlsCerts: Any) -> None:
        """Reconnecting to the same certificate keeps one entry (the limit of 1 holds it)."""
        options = ssl.optionsForClientTLS("example.com", tlsCerts.ca())
        options.VERIFIED_CACHE_SIZE = 1
        assert self._connect(tlsCerts.leaf(), options).handshakes == 1
        assert self._connect(tlsCerts.leaf(), options).handshakes == 1
        assert len(options._verified) == 1

    def test_cachePastLimit(self, tlsCerts: Any) -> None:
        """A second certificate past the limit clears the memory and is remembered alone."""
        options = ssl.optionsForClientTLS("example.com", tlsCerts.ca())
        options.VERIFIED_CACHE_SIZE = 1
        first = tlsCerts.leaf()
        second = tlsCerts.leaf("example.com", dnsNames=["example.com", "www.example.com"])
        self._connect(first, options)
        assert self._connect(second, options).handshakes == 1
        assert list(options._verified) == [second._certificate]

    def test_rejectionsNotRemembered(self, tlsCerts: Any) -> None:
        """A rejected certificate is rejected again (failures are not cached)."""
        options = ssl.optionsForClientTLS("wrong.example", tlsCerts.ca())
        for _ in range(2):
            client = self._connect(tlsCerts.leaf(), options)
            assert client.reason is not None and client.reason.check(ssl.VerificationError)
        assert options._verified == {}
