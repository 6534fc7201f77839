"""
AMP's StartTLS command over a real TLS handshake: two AMP peers on loopback
TCP on an EPollReactor instance (bounded by a watchdog); the client calls
StartTLS, then further commands travel over the encrypted connection.
Certificates come from the ``tlsCerts`` fixture (made in memory).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from OpenSSL import SSL

from netframe.core.defer import Deferred, inlineCallbacks
from netframe.core.endpoints import TCP4ClientEndpoint, TCP4ServerEndpoint
from netframe.core.epollreactor import EPollReactor
from netframe.core.failure import Failure
from netframe.core.interfaces import ISSLTransport
from netframe.core.protocol import Factory, connectionDone
from netframe.core.protocols import amp
from netframe.core.ssl import Certificate

#: Seconds a test may run before the watchdog stops the reactor and fails it.
WATCHDOG_SECONDS = 10.0


class Sum(amp.Command):
    """Add two integers."""

    arguments = [(b"a", amp.Integer()), (b"b", amp.Integer())]
    response = [(b"total", amp.Integer())]


def _peerCertificate(transport: Any) -> Any:
    """Return the peer certificate of a TLS transport, None on a plain one."""
    if ISSLTransport.providedBy(transport):
        return transport.getPeerCertificate()
    return None


class TLSServer(amp.AMP):
    """Answers StartTLS with its certificate (and optional client CA); adds numbers."""

    def __init__(self, certificate: Any, clientAuthorities: list[Any] | None = None) -> None:
        """
        @param certificate: the server's PrivateCertificate.
        @param clientAuthorities: CAs a client certificate must come from (None: no client
            certificate asked for).
        """
        super().__init__()
        self.certificate = certificate
        self.clientAuthorities = clientAuthorities
        self.peerCertificates: list[Any] = []
        self.lostReasons: list[Failure] = []

    @amp.StartTLS.responder
    def startTLS(self) -> dict[str, Any]:
        """Present the server certificate (and verify the client's if asked)."""
        answer: dict[str, Any] = {"tls_localCertificate": self.certificate}
        if self.clientAuthorities is not None:
            answer["tls_verifyAuthorities"] = self.clientAuthorities
        return answer

    @Sum.responder
    def sum(self, a: int, b: int) -> dict[str, int]:
        """Add, recording the peer certificate this side sees."""
        assert self.transport is not None
        self.peerCertificates.append(_peerCertificate(self.transport))
        return {"total": a + b}

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """Record the reason, then let AMP fail what is outstanding."""
        self.lostReasons.append(reason)
        super().connectionLost(reason)


@pytest.fixture
def reactor() -> Iterator[EPollReactor]:
    """A fresh EPollReactor, closed after the test."""
    r = EPollReactor()
    yield r
    r.disconnectAll()
    r._close()


def runUntil(reactor: EPollReactor, d: Deferred[Any]) -> Any:
    """
    Run C{reactor} until C{d} fires (or the watchdog expires); return its
    result or raise its failure.
    """
    outcome: list[Any] = []
    timedOut: list[bool] = []

    def done(result: Any) -> None:
        outcome.append(result)
        reactor.stop()

    def watchdog() -> None:
        timedOut.append(True)
        reactor.stop()

    d.addBoth(done)
    call = reactor.callLater(WATCHDOG_SECONDS, watchdog)
    if not outcome:
        reactor.run(installSignalHandlers=False)
    if call.active():
        call.cancel()
    if timedOut:
        pytest.fail(f"AMP StartTLS did not finish within {WATCHDOG_SECONDS}s")
    result = outcome[0]
    if isinstance(result, Failure):
        result.raiseException()
    return result


def _commonName(x509: Any) -> str:
    """Return the subject common name of an C{OpenSSL.crypto.X509}."""
    name: str = Certificate(x509.to_cryptography()).getSubject().commonName
    return name


class AmpStartTLSTests:
    """StartTLS between AMP peers over a real TLS handshake on loopback TCP."""

    def _scenario(
        self,
        reactor: EPollReactor,
        server: TLSServer,
        clientArgs: dict[str, Any],
        calls: int = 3,
    ) -> Deferred[Any]:
        """
        Listen with C{server}, connect an AMP client, call StartTLS with
        C{clientArgs}, then C{calls} Sums.

        @return: a Deferred firing with (client, StartTLS answer, Sum answers,
            peer certificate the client sees).
        """

        @inlineCallbacks
        def scenario() -> Any:
            port = yield TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(
                Factory.forProtocol(lambda: server)
            )
            client: Any = None
            try:
                endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", port.getHost().port)
                client = yield endpoint.connect(Factory.forProtocol(amp.AMP))
                plain = yield client.callRemote(Sum, a=1, b=1)
                assert plain == {"total": 2}
                assert not ISSLTransport.providedBy(client.transport)
                answer = yield client.callRemote(amp.StartTLS, **clientArgs)
                totals = []
                for i in range(calls):
                    result = yield client.callRemote(Sum, a=i, b=100)
                    totals.append(result["total"])
                assert ISSLTransport.providedBy(client.transport)
                peer = client.transport.getPeerCertificate()
                client.transport.loseConnection()
                return client, answer, totals, peer
            finally:
                if client is not None and client.transport is not None:
                    client.transport.abortConnection()
                yield port.stopListening()

        d: Deferred[Any] = scenario()
        return d

    def test_startTLSThenCommandsOverTLS(self, reactor: EPollReactor, tlsCerts: Any) -> None:
        """After StartTLS, commands succeed over TLS and the client sees the server certificate."""
        ca = tlsCerts.ca()
        serverCert = tlsCerts.leaf("amp.example")
        server = TLSServer(serverCert)
        client, answer, totals, peer = runUntil(
            reactor, self._scenario(reactor, server, {"tls_verifyAuthorities": [ca]})
        )
        assert answer == {}
        assert totals == [100, 101, 102]
        assert peer is not None
        assert _commonName(peer) == "amp.example"
        assert Certificate(peer.to_cryptography()).dump() == serverCert.dump()
        assert client.noPeerCertificate is False
        assert client.hostCertificate is None
        assert server.hostCertificate is serverCert
        # The plain Sum saw no certificate; the client sent none over TLS either.
        assert server.peerCertificates == [None, None, None, None]

    def test_mutualTLS(self, reactor: EPollReactor, tlsCerts: Any) -> None:
        """A client certificate asked for by the server is verified and visible to it."""
        ca = tlsCerts.ca()
        server = TLSServer(tlsCerts.leaf("amp.example"), clientAuthorities=[ca])
        clientCert = tlsCerts.leaf("amp-client")
        _client, _answer, totals, peer = runUntil(
            reactor,
            self._scenario(
                reactor,
                server,
                {"tls_localCertificate": clientCert, "tls_verifyAuthorities": [ca]},
                calls=1,
            ),
        )
        assert totals == [100]
        assert _commonName(peer) == "amp.example"
        assert server.peerCertificates[0] is None
        assert _commonName(server.peerCertificates[1]) == "amp-client"

    def test_wrongAuthorityRefused(self, reactor: EPollReactor, tlsCerts: Any) -> None:
        """A client verifying against another CA fails the handshake: the connection is lost."""
        otherCA = tlsCerts.ca("some other CA")
        server = TLSServer(tlsCerts.leaf("amp.example"))
        with pytest.raises(SSL.Error, match="certificate verify failed"):
            runUntil(
                reactor,
                self._scenario(reactor, server, {"tls_verifyAuthorities": [otherCA]}, calls=1),
            )
        # Only the plain Sum reached the server; nothing was served over TLS, and the
        # server's side of the connection ended with the client's "unknown ca" alert.
        assert server.peerCertificates == [None]
        assert len(server.lostReasons) == 1
        assert server.lostReasons[0].check(SSL.Error)
        assert "unknown ca" in str(server.lostReasons[0].value)
