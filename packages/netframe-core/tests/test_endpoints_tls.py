"""
Tests for the TLS endpoints (SSL4ServerEndpoint, SSL4ClientEndpoint, wrapClientTLS) and
the ``tls:``/``ssl:`` description strings: parsing with MemoryReactor, errors naming the
bad part or the missing file, and real loopback connections through parsed strings.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from OpenSSL import SSL
from zope.interface.verify import verifyObject

from netframe.core import endpoints, error, ssl
from netframe.core._hostname import HostnameEndpoint
from netframe.core.defer import Deferred
from netframe.core.epollreactor import EPollReactor
from netframe.core.interfaces import IStreamClientEndpoint, IStreamServerEndpoint
from netframe.core.protocol import Factory, Protocol, connectionDone
from netframe.core.protocols.wire import Echo
from netframe.core.testing import MemoryReactorClock

WATCHDOG = 10.0


@pytest.fixture
def pems(tlsCerts: Any, tmp_path: Path) -> dict[str, str]:
    """
    PEM files in a temporary directory: ``server`` (key + certificate of example.com),
    ``cert``/``key`` (the same, apart), ``ca`` (a directory holding the CA), ``chain``
    (the CA as an intermediate chain), ``empty`` (no PEM).
    """
    leaf = tlsCerts.leaf("example.com")
    client = tlsCerts.leaf("client.example.com")
    (tmp_path / "server.pem").write_bytes(leaf.dumpPEM())
    (tmp_path / "cert.pem").write_bytes(leaf.dump(ssl.FILETYPE_PEM))
    (tmp_path / "key.pem").write_bytes(leaf.privateKey.dump(ssl.FILETYPE_PEM))
    (tmp_path / "client.pem").write_bytes(client.dumpPEM())
    caDir = tmp_path / "cas"
    caDir.mkdir()
    (caDir / "ca.pem").write_bytes(tlsCerts.ca().dump(ssl.FILETYPE_PEM))
    (caDir / "README").write_text("not a certificate\n")
    (tmp_path / "chain.pem").write_bytes(
        tlsCerts.ca().dump(ssl.FILETYPE_PEM) + tlsCerts.ca("other CA").dump(ssl.FILETYPE_PEM)
    )
    (tmp_path / "empty.pem").write_text("nothing here\n")
    (tmp_path / "emptydir").mkdir()
    return {
        name: str(tmp_path / f)
        for name, f in [
            ("server", "server.pem"),
            ("cert", "cert.pem"),
            ("key", "key.pem"),
            ("client", "client.pem"),
            ("ca", "cas"),
            ("chain", "chain.pem"),
            ("empty", "empty.pem"),
            ("emptydir", "emptydir"),
            ("missing", "missing.pem"),
        ]
    }


def esc(path: str) -> str:
    """
    :return: ``path`` with ``:``, ``=`` and backslashes escaped for a description.
    """
    return path.replace("\\", "\\\\").replace(":", "\\:").replace("=", "\\=")


class EndpointObjectTests:
    """The endpoint classes over MemoryReactorClock."""

    def test_serverEndpointListensSSL(self, tlsCerts: Any) -> None:
        """SSL4ServerEndpoint.listen calls listenSSL with its arguments."""
        reactor = MemoryReactorClock()
        options = tlsCerts.leaf().options()
        ep = endpoints.SSL4ServerEndpoint(reactor, 443, options, backlog=7, interface="::1")
        assert verifyObject(IStreamServerEndpoint, ep)
        factory = Factory.forProtocol(Protocol)
        ports: list[Any] = []
        ep.listen(factory).addCallback(ports.append)
        assert reactor.sslServers == [(443, factory, options, 7, "::1")]
        assert ports and "443" in repr(ep)

    def test_serverEndpointListenFailure(self) -> None:
        """A listenSSL exception fails the Deferred."""

        class Refusing:
            def listenSSL(self, *a: Any, **kw: Any) -> Any:
                raise error.CannotListenError("", 443, OSError("in use"))

        failures: list[Any] = []
        endpoints.SSL4ServerEndpoint(Refusing(), 443, object()).listen(Factory()).addErrback(
            failures.append
        )
        assert failures[0].check(error.CannotListenError)

    def test_clientEndpointConnectsSSL(self, tlsCerts: Any) -> None:
        """SSL4ClientEndpoint.connect calls connectSSL; cancelling gives up the attempt."""
        reactor = MemoryReactorClock()
        options = ssl.optionsForClientTLS("example.com", tlsCerts.ca())
        ep = endpoints.SSL4ClientEndpoint(
            reactor, "example.com", 443, options, timeout=5, bindAddress=("127.0.0.1", 0)
        )
        assert verifyObject(IStreamClientEndpoint, ep)
        d = ep.connect(Factory.forProtocol(Protocol))
        host, port, _factory, contextFactory, timeout, bindAddress = reactor.sslClients[0]
        assert (host, port, contextFactory, timeout, bindAddress) == (
            "example.com",
            443,
            options,
            5,
            ("127.0.0.1", 0),
        )
        failures: list[Any] = []
        d.addErrback(failures.append)
        d.cancel()
        assert failures[0].check(error.ConnectingCancelledError)

    def test_wrapClientTLS(self, tlsCerts: Any) -> None:
        """wrapClientTLS connects the wrapped endpoint with a TLS factory; fires with the app."""
        options = ssl.optionsForClientTLS("example.com", tlsCerts.ca())
        seen: list[Any] = []
        inner: Deferred[Any] = Deferred()

        class Wrapped:
            def connect(self, factory: Any) -> Deferred[Any]:
                seen.append(factory)
                return inner

        ep = endpoints.wrapClientTLS(options, Wrapped())
        assert verifyObject(IStreamClientEndpoint, ep)
        app = Factory.forProtocol(Protocol)
        results: list[Any] = []
        ep.connect(app).addCallback(results.append)
        (tlsFactory,) = seen
        assert isinstance(tlsFactory, ssl.TLSMemoryBIOFactory)
        assert tlsFactory.isClient and tlsFactory.wrappedFactory is app
        tlsProtocol = tlsFactory.buildProtocol(None)
        assert tlsProtocol is not None
        inner.callback(tlsProtocol)
        assert results == [tlsProtocol.wrappedProtocol]

    def test_wrapClientTLSBadCreator(self) -> None:
        """A creator that is not a TLS configuration fails the Deferred with TypeError."""
        failures: list[Any] = []
        endpoints.wrapClientTLS(object(), object()).connect(Factory()).addErrback(failures.append)
        assert failures[0].check(TypeError)


class ClientStringTests:
    """tls: and ssl: client descriptions."""

    def test_tlsPositional(self) -> None:
        """tls:HOST:PORT wraps a HostnameEndpoint to HOST:PORT verifying HOST."""
        reactor = MemoryReactorClock()
        ep = endpoints.clientFromString(reactor, "tls:example.com:443")
        inner = ep._wrappedEndpoint
        assert isinstance(inner, HostnameEndpoint)
        assert (inner._hostText, inner._port) == ("example.com", 443)
        assert ep._connectionCreator._hostname == "example.com"

    def test_tlsKeywordsAndFiles(self, pems: dict[str, str]) -> None:
        """Keywords, a client certificate (key from the same file) and trust roots."""
        reactor = MemoryReactorClock()
        ep = endpoints.clientFromString(
            reactor,
            f"tls:host=example.com:port=8443:timeout=2.5:bindAddress=127.0.0.1:"
            f"certificate={esc(pems['client'])}:trustRoots={esc(pems['ca'])}",
        )
        inner = ep._wrappedEndpoint
        assert (inner._port, inner._timeout, inner._bindAddress) == (8443, 2.5, ("127.0.0.1", 0))

    def test_tlsSeparateKey(self, pems: dict[str, str]) -> None:
        """certificate= and privateKey= may be separate files."""
        ep = endpoints.clientFromString(
            MemoryReactorClock(),
            f"tls:example.com:443:certificate={esc(pems['cert'])}:privateKey={esc(pems['key'])}",
        )
        assert ep._connectionCreator._hostname == "example.com"

    def test_tlsNestedEndpoint(self) -> None:
        """endpoint= (escaped) replaces the connection; host/port only verify."""
        reactor = MemoryReactorClock()
        ep = endpoints.clientFromString(
            reactor, r"tls:awesome.site.example.com:443:endpoint=tcp\:7.6.5.4\:8443"
        )
        inner = ep._wrappedEndpoint
        assert isinstance(inner, endpoints.TCP4ClientEndpoint)
        assert (inner._host, inner._port) == ("7.6.5.4", 8443)
        assert ep._connectionCreator._hostname == "awesome.site.example.com"

    def test_tlsNestedUNIXAndIPv6(self) -> None:
        """Nested unix: and tcp6: (doubly escaped colons) endpoints."""
        reactor = MemoryReactorClock()
        unix = endpoints.clientFromString(
            reactor, r"tls:awesome.site.example.com:443:endpoint=unix\:/var/run/awesome.sock"
        )
        assert isinstance(unix._wrappedEndpoint, endpoints.UNIXClientEndpoint)
        six = endpoints.clientFromString(
            reactor, r"tls:example.com:443:endpoint=tcp6\:host=\\\:\\\:1\:port=8443"
        )
        assert isinstance(six._wrappedEndpoint, endpoints.TCP6ClientEndpoint)
        assert six._wrappedEndpoint._host == "::1"

    def test_sslClientVerifies(self, pems: dict[str, str]) -> None:
        """ssl: builds SSL4ClientEndpoint whose options verify hostname= (default host)."""
        reactor = MemoryReactorClock()
        ep = endpoints.clientFromString(
            reactor,
            f"ssl:host=127.0.0.1:port=443:caCertsDir={esc(pems['ca'])}:hostname=example.com:"
            f"certKey={esc(pems['client'])}",
        )
        assert isinstance(ep, endpoints.SSL4ClientEndpoint)
        assert ep._sslContextFactory._hostname == "example.com"
        plain = endpoints.clientFromString(reactor, "ssl:example.org:443")
        assert plain._sslContextFactory._hostname == "example.org"

    @pytest.mark.parametrize(
        ("description", "fragment"),
        [
            ("tls:", "missing host"),
            ("tls:example.com", "missing port"),
            ("tls:example.com:0", "'0'"),
            ("tls:example.com:https", "'https'"),
            ("tls:example.com:443:timeout=soon", "timeout"),
            ("tls:example.com:443:bogus=1", "'bogus'"),
            ("tls:example.com:443:privateKey=k.pem", "privateKey without certificate"),
            ("tls:example.com:443:endpoint=", "empty endpoint"),
            (r"tls:example.com:443:endpoint=nope\:1", "bad endpoint="),
            (r"tls:a:443:endpoint=tcp\:b\:1:timeout=3", "nested endpoint"),
            ("ssl:example.com", "missing port"),
            ("ssl:example.com:443:caCertsDir", "timeout"),
            ("ssl:example.com:443:certificate=x", "'certificate'"),
        ],
    )
    def test_badDescriptions(self, description: str, fragment: str) -> None:
        """A malformed description is a ValueError naming the bad part."""
        with pytest.raises(ValueError) as info:
            endpoints.clientFromString(MemoryReactorClock(), description)
        assert fragment in str(info.value)

    def test_missingFiles(self, pems: dict[str, str]) -> None:
        """A missing PEM file or trust directory raises FileNotFoundError naming it."""
        reactor = MemoryReactorClock()
        for description in (
            f"tls:example.com:443:certificate={esc(pems['missing'])}",
            f"tls:example.com:443:trustRoots={esc(pems['missing'])}",
            f"ssl:example.com:443:caCertsDir={esc(pems['missing'])}",
            f"ssl:example.com:443:certKey={esc(pems['missing'])}",
        ):
            with pytest.raises(FileNotFoundError) as info:
                endpoints.clientFromString(reactor, description)
            assert info.value.filename == pems["missing"]

    def test_badFiles(self, pems: dict[str, str]) -> None:
        """Files without the expected PEM content are ValueErrors naming the path."""
        reactor = MemoryReactorClock()
        cases = [
            (f"tls:example.com:443:certificate={esc(pems['empty'])}", pems["empty"]),
            (f"tls:example.com:443:certificate={esc(pems['cert'])}", pems["cert"]),
            (f"tls:example.com:443:trustRoots={esc(pems['emptydir'])}", pems["emptydir"]),
            (
                (
                    f"tls:example.com:443:certificate={esc(pems['client'])}:"
                    f"privateKey={esc(pems['key'])}"
                ),
                "does not match",
            ),
        ]
        for description, fragment in cases:
            with pytest.raises(ValueError) as info:
                endpoints.clientFromString(reactor, description)
            assert fragment in str(info.value)
        with pytest.raises(NotADirectoryError):
            endpoints.clientFromString(reactor, f"tls:a:1:trustRoots={esc(pems['empty'])}")

    @settings(max_examples=200, deadline=None)
    @given(st.text(alphabet=st.sampled_from(list("ab:=\\.1/t")), max_size=30))
    def test_arbitraryArgumentsNeverCrash(self, tail: str) -> None:
        """Any tls: description parses or raises ValueError/OSError, nothing else."""
        try:
            endpoints.clientFromString(MemoryReactorClock(), "tls:" + tail)
        except (ValueError, OSError):
            pass


class ServerStringTests:
    """The ssl: server description."""

    def test_sslServer(self, pems: dict[str, str], tmp_path: Path) -> None:
        """privateKey (certKey from the same file), chain, method and DH parameters."""
        dhPath = tmp_path / "dh.pem"
        dhPath.write_bytes(_smallDHParametersPEM())
        ep = endpoints.serverFromString(
            MemoryReactorClock(),
            f"ssl:port=8443:interface=127.0.0.1:backlog=9:privateKey={esc(pems['server'])}:"
            f"extraCertChain={esc(pems['chain'])}:sslmethod=TLSv1_2_METHOD:"
            f"dhParameters={esc(str(dhPath))}",
        )
        assert isinstance(ep, endpoints.SSL4ServerEndpoint)
        assert (ep._port, ep._interface, ep._backlog) == (8443, "127.0.0.1", 9)
        options = ep._sslContextFactory
        assert options.method == SSL.TLSv1_2_METHOD
        assert len(options.extraCertChain) == 2
        assert options.dhParameters is not None

    def test_separateCertKey(self, pems: dict[str, str]) -> None:
        """certKey= names the certificate file when the key is apart."""
        ep = endpoints.serverFromString(
            MemoryReactorClock(),
            f"ssl:0:privateKey={esc(pems['key'])}:certKey={esc(pems['cert'])}",
        )
        assert ep._sslContextFactory.certificate is not None

    @pytest.mark.parametrize("method", ["SSLv3_METHOD", "SSLv2_METHOD"])
    def test_insecureMethod(self, method: str) -> None:
        """SSLv2/SSLv3 methods are refused as insecure, by name."""
        with pytest.raises(ValueError, match=f"{method} .*insecure"):
            endpoints.serverFromString(MemoryReactorClock(), f"ssl:443:sslmethod={method}")

    @pytest.mark.parametrize("method", ["TLSv9_METHOD", "Connection", "tls_method"])
    def test_unknownMethod(self, method: str) -> None:
        """Other method names are refused, naming the accepted ones."""
        with pytest.raises(ValueError, match="TLSv1_2_METHOD"):
            endpoints.serverFromString(MemoryReactorClock(), f"ssl:443:sslmethod={method}")

    def test_missingFiles(self, pems: dict[str, str]) -> None:
        """Missing key, certificate, chain or DH files raise FileNotFoundError naming them."""
        reactor = MemoryReactorClock()
        server = esc(pems["server"])
        missing = esc(pems["missing"])
        for description in (
            f"ssl:443:privateKey={missing}",
            f"ssl:443:privateKey={server}:certKey={missing}",
            f"ssl:443:privateKey={server}:extraCertChain={missing}",
            f"ssl:443:privateKey={server}:dhParameters={missing}",
        ):
            with pytest.raises(FileNotFoundError) as info:
                endpoints.serverFromString(reactor, description)
            assert info.value.filename == pems["missing"]

    def test_defaultKeyFile(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without privateKey the key is server.pem in the current directory."""
        monkeypatch.chdir(tmp_path)
        with pytest.raises(FileNotFoundError) as info:
            endpoints.serverFromString(MemoryReactorClock(), "ssl:443")
        assert info.value.filename == "server.pem"

    @pytest.mark.parametrize(
        ("description", "fragment"),
        [
            ("ssl:", "port"),
            ("ssl:99999", "'99999'"),
            ("ssl:443:backlog=0", "backlog"),
            ("ssl:443:hostname=x", "'hostname'"),
        ],
    )
    def test_badDescriptions(self, description: str, fragment: str) -> None:
        """A malformed description is a ValueError naming the bad part."""
        with pytest.raises(ValueError) as info:
            endpoints.serverFromString(MemoryReactorClock(), description)
        assert fragment in str(info.value)

    def test_emptyChain(self, pems: dict[str, str]) -> None:
        """An extraCertChain file without certificates is a ValueError naming it."""
        with pytest.raises(ValueError, match="extraCertChain"):
            endpoints.serverFromString(
                MemoryReactorClock(),
                f"ssl:443:privateKey={esc(pems['server'])}:extraCertChain={esc(pems['empty'])}",
            )


def _smallDHParametersPEM() -> bytes:
    """
    :return: a syntactically valid PKCS#3 PEM (p = 23, g = 5); only parsed lazily.
    """
    der = bytes([0x30, 6, 0x02, 1, 23, 0x02, 1, 5])
    return (
        b"-----BEGIN DH PARAMETERS-----\n"
        + base64.b64encode(der)
        + b"\n-----END DH PARAMETERS-----\n"
    )


def runUntil(reactor: Any, d: Deferred[Any]) -> Any:
    """
    Run ``reactor`` until ``d`` fires (or the watchdog).

    :return: ``d``'s result (a Failure is returned, not raised).
    """
    results: list[Any] = []

    def done(result: Any) -> None:
        results.append(result)
        if reactor.running:
            reactor.stop()

    d.addBoth(done)
    call = reactor.callLater(WATCHDOG, reactor.stop)
    if not results:
        reactor.run(installSignalHandlers=False)
    if call.active():
        call.cancel()
    assert results, "timed out"
    return results[0]


class LoopbackTests:
    """Parsed descriptions making real TLS connections."""

    def echo(self, serverDescription: str, clientDescription: str) -> Any:
        """
        On a new reactor, listen with the server string, connect with the client string
        (``{port}`` is filled in) and exchange one message.

        :return: the echoed bytes, or the connection's failure.
        """
        reactor = EPollReactor()
        try:
            return self._echo(reactor, serverDescription, clientDescription)
        finally:
            reactor.disconnectAll()
            reactor._close()

    def _echo(self, reactor: Any, serverDescription: str, clientDescription: str) -> Any:
        """
        :return: as :meth:`echo`, on ``reactor``.
        """
        ports: list[Any] = []
        endpoints.serverFromString(reactor, serverDescription).listen(
            Factory.forProtocol(Echo)
        ).addCallback(ports.append)
        (port,) = ports
        client = endpoints.clientFromString(
            reactor, clientDescription.format(port=port.getHost().port)
        )
        answer: Deferred[Any] = Deferred()

        class Asker(Protocol):
            transport: Any

            def connectionMade(self) -> None:
                self.transport.write(b"ping")

            def dataReceived(self, data: bytes) -> None:
                self.transport.loseConnection()
                if not answer.called:
                    answer.callback(data)

            def connectionLost(self, reason: Any = connectionDone) -> None:
                if not answer.called:
                    answer.errback(reason)

        connected = client.connect(Factory.forProtocol(Asker))

        def failAnswer(f: Any) -> bool | None:
            if answer.called:
                return True
            answer.errback(f)
            return None

        connected.addErrback(failAnswer)
        return runUntil(reactor, answer)

    def test_sslServerTlsClientNested(self, pems: dict[str, str]) -> None:
        """ssl: server, tls: client through a nested tcp: endpoint, CA from trustRoots."""
        result = self.echo(
            f"ssl:0:interface=127.0.0.1:privateKey={esc(pems['server'])}",
            f"tls:example.com:{{port}}:trustRoots={esc(pems['ca'])}:"
            r"endpoint=tcp\:127.0.0.1\:{port}",
        )
        assert result == b"ping"

    def test_sslClientVerifiesHostname(self, pems: dict[str, str]) -> None:
        """The deprecated ssl: client verifies: the right name works, a wrong one fails."""
        server = f"ssl:0:interface=127.0.0.1:privateKey={esc(pems['server'])}"
        ok = self.echo(
            server,
            f"ssl:127.0.0.1:{{port}}:caCertsDir={esc(pems['ca'])}:hostname=example.com",
        )
        assert ok == b"ping"
        bad = self.echo(
            server,
            f"ssl:127.0.0.1:{{port}}:caCertsDir={esc(pems['ca'])}:hostname=example.org",
        )
        assert bad.check(ssl.VerificationError, SSL.Error)
