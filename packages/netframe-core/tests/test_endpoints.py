"""Tests for netframe.core.endpoints (TCP) against MemoryReactor, and the string parser."""

from __future__ import annotations

from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st
from zope.interface.verify import verifyObject

from netframe.core import endpoints, error
from netframe.core._endpoints import _tokenize
from netframe.core.address import IPv4Address
from netframe.core.failure import Failure
from netframe.core.interfaces import IStreamClientEndpoint, IStreamServerEndpoint
from netframe.core.protocol import Factory, Protocol
from netframe.core.testing import MemoryReactor, RaisingMemoryReactor, StringTransport


class TokenizeTests:
    """The escaping grammar of description strings."""

    def test_positionalAndKeyword(self) -> None:
        """Fields split on ':'; 'key=value' fields get a key."""
        assert _tokenize("tcp:80:interface=127.0.0.1") == [
            (None, "tcp"),
            (None, "80"),
            ("interface", "127.0.0.1"),
        ]

    def test_escapes(self) -> None:
        """A backslash makes ':' '=' and '\\' literal."""
        assert _tokenize(r"tcp6:80:interface=\:\:1") == [
            (None, "tcp6"),
            (None, "80"),
            ("interface", "::1"),
        ]
        assert _tokenize(r"a:k\=x=v\\") == [(None, "a"), ("k=x", "v\\")]

    def test_valueMayContainEquals(self) -> None:
        """Only the first unescaped '=' separates key from value."""
        assert _tokenize("a:k=v=w") == [(None, "a"), ("k", "v=w")]

    def test_trailingBackslash(self) -> None:
        """A lone trailing backslash is a ValueError."""
        with pytest.raises(ValueError, match="backslash"):
            _tokenize("tcp:80\\")

    @given(st.lists(st.text(max_size=10), min_size=1, max_size=6))
    def test_escapeRoundTrip(self, values: list[str]) -> None:
        """Escaping each value and joining with ':' gives the values back."""

        def esc(v: str) -> str:
            return v.replace("\\", "\\\\").replace(":", "\\:").replace("=", "\\=")

        assert _tokenize(":".join(esc(v) for v in values)) == [(None, v) for v in values]


class ServerFromStringTests:
    """serverFromString for tcp and tcp6."""

    def test_tcpPositional(self) -> None:
        """tcp:PORT listens on all IPv4 addresses with backlog 50."""
        r = MemoryReactor()
        ep = endpoints.serverFromString(r, "tcp:8080")
        assert isinstance(ep, endpoints.TCP4ServerEndpoint)
        f = Factory.forProtocol(Protocol)
        ep.listen(f)
        assert r.tcpServers == [(8080, f, 50, "")]

    def test_tcpKeywords(self) -> None:
        """port, interface and backlog may be given by name."""
        r = MemoryReactor()
        ep = endpoints.serverFromString(r, "tcp:port=80:interface=192.168.1.1:backlog=7")
        f = Factory.forProtocol(Protocol)
        ep.listen(f)
        assert r.tcpServers == [(80, f, 7, "192.168.1.1")]

    def test_tcp6EscapedInterface(self) -> None:
        """tcp6 takes an escaped IPv6 interface; the default is '::'."""
        r = MemoryReactor()
        f = Factory.forProtocol(Protocol)
        endpoints.serverFromString(r, r"tcp6:port=80:interface=2001\:0DB8\:f00e\:eb00\:\:1").listen(
            f
        )
        endpoints.serverFromString(r, "tcp6:81").listen(f)
        assert r.tcpServers == [(80, f, 50, "2001:0DB8:f00e:eb00::1"), (81, f, 50, "::")]

    @pytest.mark.parametrize(
        "description,fragment",
        [
            ("", "empty"),
            ("tcp", "missing port"),
            ("tcp:http", "'http'"),
            ("tcp:70000", "'70000'"),
            ("tcp:-1", "'-1'"),
            ("tcp:80:colour=red", "'colour'"),
            ("tcp:80:1.2.3.4:5:6", "'6'"),
            ("tcp:80:port=81", "'port' given twice"),
            ("tcp:80:backlog=0", "backlog"),
            ("ssl:443:sslmethod=SSLv3_METHOD", "insecure"),
            ("bogus:80", "'bogus'"),
            ("port=80", "must start with a type"),
        ],
    )
    def test_badDescriptions(self, description: str, fragment: str) -> None:
        """Malformed descriptions raise ValueError naming the bad part."""
        with pytest.raises(ValueError) as exc:
            endpoints.serverFromString(MemoryReactor(), description)
        assert fragment in str(exc.value)


class ClientFromStringTests:
    """clientFromString for tcp and tcp6."""

    def test_tcpKeywords(self) -> None:
        """host, port, timeout and bindAddress by name."""
        r = MemoryReactor()
        ep = endpoints.clientFromString(
            r, "tcp:host=example.com:port=80:timeout=15:bindAddress=10.0.0.1"
        )
        f = Factory.forProtocol(Protocol)
        ep.connect(f)
        host, port, _wrapper, timeout, bindAddress = r.tcpClients[0]
        assert (host, port, timeout, bindAddress) == ("example.com", 80, 15.0, ("10.0.0.1", 0))

    def test_tcpPositional(self) -> None:
        """tcp:HOST:PORT works positionally, timeout defaults to 30."""
        r = MemoryReactor()
        endpoints.clientFromString(r, "tcp:localhost:1234").connect(Factory.forProtocol(Protocol))
        assert r.tcpClients[0][:2] == ("localhost", 1234)
        assert r.tcpClients[0][3] == 30

    @pytest.mark.parametrize(
        "description,fragment",
        [
            ("tcp:port=80", "missing host"),
            ("tcp:host=a", "missing port"),
            ("tcp:a:0", "'0'"),
            ("tcp:a:80:timeout=soon", "timeout"),
            ("tcp:a:80:timeout=-1", "timeout"),
            ("tls:example.com", "missing port"),
        ],
    )
    def test_badDescriptions(self, description: str, fragment: str) -> None:
        """Malformed client descriptions raise ValueError naming the bad part."""
        with pytest.raises(ValueError) as exc:
            endpoints.clientFromString(MemoryReactor(), description)
        assert fragment in str(exc.value)


class EndpointTests:
    """TCP endpoints over MemoryReactor."""

    def test_interfaces(self) -> None:
        """The endpoints provide their interfaces."""
        r = MemoryReactor()
        for ep in (endpoints.TCP4ServerEndpoint(r, 1), endpoints.TCP6ServerEndpoint(r, 1)):
            assert verifyObject(IStreamServerEndpoint, ep)
        for cep in (
            endpoints.TCP4ClientEndpoint(r, "h", 1),
            endpoints.TCP6ClientEndpoint(r, "::1", 1),
        ):
            assert verifyObject(IStreamClientEndpoint, cep)

    def test_listenFailureErrbacks(self) -> None:
        """A listen error becomes a failed Deferred."""
        r = RaisingMemoryReactor(listenException=error.CannotListenError("", 80, OSError("busy")))
        failures: list[Failure] = []
        endpoints.TCP4ServerEndpoint(r, 80).listen(Factory()).addErrback(failures.append)
        assert failures[0].check(error.CannotListenError)

    def test_connectFiresWithConnectedProtocol(self) -> None:
        """connect() fires with the built protocol once it is connected."""
        r = MemoryReactor()
        results: list[Any] = []
        endpoints.TCP4ClientEndpoint(r, "127.0.0.1", 80).connect(
            Factory.forProtocol(Protocol)
        ).addCallback(results.append)
        wrapper = r.tcpClients[0][2]
        proto = wrapper.buildProtocol(IPv4Address("TCP", "127.0.0.1", 80))
        assert results == []
        proto.makeConnection(StringTransport())
        assert results == [proto] and isinstance(proto, Protocol)
        assert proto.transport is not None

    def test_connectFailure(self) -> None:
        """A failed attempt fails the Deferred; no retry."""
        r = MemoryReactor()
        failures: list[Failure] = []
        endpoints.TCP4ClientEndpoint(r, "127.0.0.1", 80).connect(Factory()).addErrback(
            failures.append
        )
        wrapper = r.tcpClients[0][2]
        wrapper.clientConnectionFailed(r.connectors[0], Failure(error.ConnectionRefusedError()))
        assert failures[0].check(error.ConnectionRefusedError)
        assert len(r.tcpClients) == 1

    def test_cancel(self) -> None:
        """Cancelling fails with ConnectingCancelledError naming the destination and stops connecting."""
        r = MemoryReactor()
        failures: list[Failure] = []
        d = endpoints.TCP4ClientEndpoint(r, "127.0.0.1", 80).connect(Factory())
        d.addErrback(failures.append)
        d.cancel()
        assert failures[0].check(error.ConnectingCancelledError)
        cancelled = cast(error.ConnectingCancelledError, failures[0].value)
        assert cancelled.address == IPv4Address("TCP", "127.0.0.1", 80)
        assert r.connectors[0].stoppedConnecting

    def test_connectProtocol(self) -> None:
        """connectProtocol connects the given instance."""
        r = MemoryReactor()
        mine = Protocol()
        results: list[Any] = []
        endpoints.connectProtocol(endpoints.TCP4ClientEndpoint(r, "h", 1), mine).addCallback(
            results.append
        )
        built = r.tcpClients[0][2].buildProtocol(None)
        assert built is mine
        built.makeConnection(StringTransport())
        assert results == [mine]

    def test_slottedProtocolIsWrapped(self) -> None:
        """A protocol without an instance dict still connects (through a forwarding wrapper)."""

        class SlottedStrict:
            __slots__ = ("got", "transport")

            def makeConnection(self, transport: Any) -> None:
                self.transport = transport

            def dataReceived(self, data: bytes) -> None:
                self.got = data

            def connectionLost(self, reason: Any) -> None:
                pass

        r = MemoryReactor()
        inst = SlottedStrict()
        results: list[Any] = []
        endpoints.connectProtocol(endpoints.TCP4ClientEndpoint(r, "h", 1), inst).addCallback(
            results.append
        )
        wrapper = r.tcpClients[0][2].buildProtocol(None)
        assert wrapper is not inst
        wrapper.makeConnection(StringTransport())
        wrapper.dataReceived(b"fwd")
        assert results == [inst] and inst.got == b"fwd"
