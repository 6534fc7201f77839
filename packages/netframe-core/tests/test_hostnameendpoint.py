"""
Tests for HostnameEndpoint on MemoryReactorClock with a fake name resolution:
RFC 8305 ordering, staggered starts, the winner, cancellation, failures.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from netframe.core import error
from netframe.core.address import HostnameAddress, IPv4Address
from netframe.core.defer import CancelledError, Deferred
from netframe.core.endpoints import HostnameEndpoint
from netframe.core.failure import Failure
from netframe.core.interfaces import IStreamClientEndpoint
from netframe.core.protocol import Factory, Protocol
from netframe.core.testing import MemoryReactorClock, StringTransport

V4, V6 = socket.AF_INET, socket.AF_INET6


def v4(address: str, port: int = 80) -> tuple[int, tuple[Any, ...]]:
    """An IPv4 destination as the resolution returns it."""
    return (V4, (address, port))


def v6(address: str, port: int = 80) -> tuple[int, tuple[Any, ...]]:
    """An IPv6 destination as the resolution returns it."""
    return (V6, (address, port, 0, 0))


class FakeResolution:
    """Replaces C{_nameResolution}: records questions, the test answers."""

    def __init__(self) -> None:
        """Nothing asked yet."""
        self.asked: list[tuple[str, int]] = []
        self.deferreds: list[Deferred[Any]] = []
        self.cancelled = 0

    def __call__(self, host: str, port: int) -> Deferred[Any]:
        """Record the question; return a Deferred the test fires."""
        self.asked.append((host, port))

        def cancel(d: Deferred[Any]) -> None:
            self.cancelled += 1

        d: Deferred[Any] = Deferred(cancel)
        self.deferreds.append(d)
        return d


class Recorder(Protocol):
    """A protocol remembering its transport."""

    made = 0

    def connectionMade(self) -> None:
        """Count the connection."""
        self.made += 1


def setUp(
    host: str = "example.test", **kw: Any
) -> tuple[MemoryReactorClock, HostnameEndpoint, FakeResolution]:
    """Make a reactor, an endpoint on it for port 80 and its fake resolution."""
    reactor = MemoryReactorClock()
    endpoint = HostnameEndpoint(reactor, host, 80, **kw)
    resolution = FakeResolution()
    endpoint._nameResolution = resolution  # type: ignore[method-assign]
    return reactor, endpoint, resolution


def outcome(d: Deferred[Any]) -> list[Any]:
    """Collect what C{d} fires with."""
    got: list[Any] = []
    d.addBoth(got.append)
    return got


def connectAttempt(reactor: MemoryReactorClock, index: int) -> tuple[Any, Any]:
    """Make attempt C{index} succeed; return (built protocol, transport)."""
    _host, port, factory, _, _ = reactor.tcpClients[index]
    protocol = factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", port))
    transport = StringTransport()
    if protocol is not None:
        protocol.makeConnection(transport)
    return protocol, transport


def failAttempt(reactor: MemoryReactorClock, index: int, reason: Exception) -> None:
    """Make attempt C{index} fail with C{reason}."""
    factory = reactor.tcpClients[index][2]
    factory.clientConnectionFailed(reactor.connectors[index], Failure(reason))


def settle(reactor: MemoryReactorClock) -> None:
    """Let fake time pass in steps, long enough for every staggered start."""
    for _ in range(40):
        reactor.advance(0.25)


def attemptedHosts(reactor: MemoryReactorClock) -> list[str]:
    """The addresses connectTCP was called with, in order."""
    return [entry[0] for entry in reactor.tcpClients]


class HostnameEndpointBasicsTests:
    """Interface, validation, repr and name encoding."""

    def test_interface(self) -> None:
        """HostnameEndpoint provides IStreamClientEndpoint."""
        assert verifyObject(IStreamClientEndpoint, HostnameEndpoint(MemoryReactorClock(), "h", 1))

    def test_repr(self) -> None:
        """The repr names the host and port (IPv6 literals bracketed)."""
        r = MemoryReactorClock()
        assert repr(HostnameEndpoint(r, "example.test", 80)) == "<HostnameEndpoint example.test:80>"
        assert repr(HostnameEndpoint(r, "::1", 80)) == "<HostnameEndpoint [::1]:80>"

    @pytest.mark.parametrize("port", [0, 65536, -1, "80"])
    def test_badPort(self, port: Any) -> None:
        """Ports outside 1..65535 (or not ints) raise ValueError."""
        with pytest.raises(ValueError, match="port"):
            HostnameEndpoint(MemoryReactorClock(), "h", port)

    @pytest.mark.parametrize("name", ["timeout", "attemptDelay"])
    @pytest.mark.parametrize("value", [-0.1, float("nan"), float("inf")])
    def test_badDelays(self, name: str, value: float) -> None:
        """Negative or non-finite timeout/attemptDelay raise ValueError."""
        with pytest.raises(ValueError, match=name):
            options: dict[str, Any] = {name: value}
            HostnameEndpoint(MemoryReactorClock(), "h", 80, **options)

    def test_hostNotText(self) -> None:
        """A host that is neither text nor bytes raises TypeError."""
        with pytest.raises(TypeError):
            HostnameEndpoint(MemoryReactorClock(), 1234, 80)  # type: ignore[arg-type]

    def test_bytesHost(self) -> None:
        """An ASCII bytes host is accepted and resolved as text."""
        _reactor, endpoint, resolution = setUp(b"example.test")  # type: ignore[arg-type]
        endpoint.connect(Factory.forProtocol(Recorder))
        assert resolution.asked == [("example.test", 80)]

    def test_idnEncoded(self) -> None:
        """A non-ASCII host name is resolved in its IDNA form."""
        _reactor, endpoint, resolution = setUp("bücher.example")
        endpoint.connect(Factory.forProtocol(Recorder))
        assert resolution.asked == [("xn--bcher-kva.example", 80)]

    def test_badIDN(self) -> None:
        """A host name that cannot be IDNA-encoded fails connect with ValueError."""
        _reactor, endpoint, resolution = setUp("ä" * 70 + ".example")
        (got,) = outcome(endpoint.connect(Factory.forProtocol(Recorder)))
        assert got.check(ValueError) and "IDNA" in str(got.value)
        assert resolution.asked == []

    def test_addressLiteralNoResolution(self) -> None:
        """An address literal is connected to at once, without a thread pool."""
        reactor = MemoryReactorClock()
        HostnameEndpoint(reactor, "::1", 80).connect(Factory.forProtocol(Recorder))
        assert attemptedHosts(reactor) == ["::1"]

    def test_attemptArguments(self) -> None:
        """Each attempt gets the endpoint's port, timeout and bindAddress."""
        reactor, endpoint, resolution = setUp(timeout=7, bindAddress=("127.0.0.1", 0))
        endpoint.connect(Factory.forProtocol(Recorder))
        resolution.deferreds[0].callback([v4("192.0.2.1")])
        assert reactor.tcpClients[0][0:2] == ("192.0.2.1", 80)
        assert reactor.tcpClients[0][3:] == (7, ("127.0.0.1", 0))


class HostnameEndpointRaceTests:
    """Staggered attempts in RFC 8305 order; the first connection wins."""

    def test_interleavedOrder(self) -> None:
        """Families alternate, starting with the resolver's first family."""
        reactor, endpoint, resolution = setUp()
        endpoint.connect(Factory.forProtocol(Recorder))
        resolution.deferreds[0].callback(
            [v6("2001:db8::1"), v6("2001:db8::2"), v6("2001:db8::3"), v4("192.0.2.1")]
        )
        settle(reactor)
        assert attemptedHosts(reactor) == [
            "2001:db8::1",
            "192.0.2.1",
            "2001:db8::2",
            "2001:db8::3",
        ]

    def test_duplicatesDropped(self) -> None:
        """The same address returned twice is tried once."""
        reactor, endpoint, resolution = setUp()
        endpoint.connect(Factory.forProtocol(Recorder))
        resolution.deferreds[0].callback([v4("192.0.2.1"), v4("192.0.2.1"), v4("192.0.2.2")])
        settle(reactor)
        assert attemptedHosts(reactor) == ["192.0.2.1", "192.0.2.2"]

    def test_staggeredStarts(self) -> None:
        """A new attempt starts every attemptDelay seconds, not before."""
        reactor, endpoint, resolution = setUp(attemptDelay=0.5)
        endpoint.connect(Factory.forProtocol(Recorder))
        resolution.deferreds[0].callback([v4("192.0.2.1"), v6("2001:db8::1"), v4("192.0.2.2")])
        assert len(reactor.tcpClients) == 1
        reactor.advance(0.499)
        assert len(reactor.tcpClients) == 1
        reactor.advance(0.001)
        assert len(reactor.tcpClients) == 2
        reactor.advance(0.5)
        assert len(reactor.tcpClients) == 3
        settle(reactor)
        assert len(reactor.tcpClients) == 3

    def test_defaultAttemptDelay(self) -> None:
        """The default delay between starts is 0.3 seconds."""
        reactor, endpoint, resolution = setUp()
        assert endpoint.attemptDelay == 0.3
        endpoint.connect(Factory.forProtocol(Recorder))
        resolution.deferreds[0].callback([v4("192.0.2.1"), v4("192.0.2.2")])
        reactor.advance(0.3)
        assert len(reactor.tcpClients) == 2

    def test_failureStartsNextAtOnce(self) -> None:
        """When an attempt fails, the next one starts without waiting."""
        reactor, endpoint, resolution = setUp()
        endpoint.connect(Factory.forProtocol(Recorder))
        resolution.deferreds[0].callback([v4("192.0.2.1"), v4("192.0.2.2"), v4("192.0.2.3")])
        failAttempt(reactor, 0, error.ConnectionRefusedError())
        assert attemptedHosts(reactor) == ["192.0.2.1", "192.0.2.2"]
        reactor.advance(0.3)
        assert len(reactor.tcpClients) == 3

    def test_firstSuccessWins(self) -> None:
        """The first attempt to connect fires the Deferred; the others are stopped."""
        reactor, endpoint, resolution = setUp()
        result = outcome(endpoint.connect(Factory.forProtocol(Recorder)))
        resolution.deferreds[0].callback([v6("2001:db8::1"), v4("192.0.2.1"), v4("192.0.2.2")])
        reactor.advance(0.3)
        assert len(reactor.tcpClients) == 2
        protocol, transport = connectAttempt(reactor, 1)
        assert result == [protocol]
        assert isinstance(protocol, Recorder) and protocol.made == 1
        assert protocol.transport is transport
        assert reactor.connectors[0].stoppedConnecting
        assert not reactor.connectors[1].stoppedConnecting
        settle(reactor)
        assert len(reactor.tcpClients) == 2

    def test_lateSuccessRefused(self) -> None:
        """An attempt that connects after the winner gets no protocol."""
        reactor, endpoint, resolution = setUp()
        built: list[Any] = []

        class Counting(Factory):
            def buildProtocol(self, addr: Any) -> Any:
                p = Recorder()
                built.append(p)
                return p

        endpoint.connect(Counting())
        resolution.deferreds[0].callback([v4("192.0.2.1"), v4("192.0.2.2")])
        reactor.advance(0.3)
        connectAttempt(reactor, 0)
        late, _ = connectAttempt(reactor, 1)
        assert late is None
        assert len(built) == 1

    def test_allFail(self) -> None:
        """When every attempt fails, the error lists each address and failure."""
        reactor, endpoint, resolution = setUp()
        (d,) = [endpoint.connect(Factory.forProtocol(Recorder))]
        result = outcome(d)
        resolution.deferreds[0].callback([v6("2001:db8::1"), v4("192.0.2.1")])
        reactor.advance(0.3)
        failAttempt(reactor, 1, error.ConnectionRefusedError())
        assert result == []
        failAttempt(reactor, 0, error.TimeoutError())
        (failure,) = result
        assert failure.check(error.ConnectError)
        message = str(failure.value)
        assert "2001:db8::1" in message and "192.0.2.1" in message
        assert "refused" in message.lower() and "timeout" in message.lower()
        assert [a for a, _ in failure.value.attempts] == ["192.0.2.1", "2001:db8::1"]

    def test_connectTCPRaises(self) -> None:
        """An attempt whose connectTCP raises counts as a failed attempt."""
        reactor, endpoint, resolution = setUp()

        def broken(*args: Any, **kw: Any) -> Any:
            raise OSError("no sockets left")

        reactor.connectTCP = broken  # type: ignore[method-assign]
        result = outcome(endpoint.connect(Factory.forProtocol(Recorder)))
        resolution.deferreds[0].callback([v4("192.0.2.1")])
        assert result[0].check(error.ConnectError)
        assert "no sockets left" in str(result[0].value)

    def test_factoryReturnsNone(self) -> None:
        """A factory refusing the winner's protocol fails with NoProtocol."""
        reactor, endpoint, resolution = setUp()

        class Refusing(Factory):
            def buildProtocol(self, addr: Any) -> Any:
                return None

        result = outcome(endpoint.connect(Refusing()))
        resolution.deferreds[0].callback([v4("192.0.2.1")])
        connectAttempt(reactor, 0)
        assert result[0].check(error.NoProtocol)

    def test_factoryRaises(self) -> None:
        """A factory raising in buildProtocol fails the connect with that error."""
        reactor, endpoint, resolution = setUp()

        class Raising(Factory):
            def buildProtocol(self, addr: Any) -> Any:
                raise RuntimeError("factory broke")

        result = outcome(endpoint.connect(Raising()))
        resolution.deferreds[0].callback([v4("192.0.2.1"), v4("192.0.2.2")])
        connectAttempt(reactor, 0)
        assert result[0].check(RuntimeError)
        settle(reactor)
        assert len(reactor.tcpClients) == 1


class HostnameEndpointResolutionTests:
    """Resolution failures."""

    def test_resolutionFails(self) -> None:
        """A failed lookup fails the connect with DNSLookupError."""
        reactor, endpoint, resolution = setUp()
        result = outcome(endpoint.connect(Factory.forProtocol(Recorder)))
        resolution.deferreds[0].errback(OSError("Name or service not known"))
        assert result[0].check(error.DNSLookupError)
        assert "example.test" in str(result[0].value)
        assert reactor.tcpClients == []

    def test_noAddresses(self) -> None:
        """A lookup with no results fails the connect with DNSLookupError."""
        _reactor, endpoint, resolution = setUp()
        result = outcome(endpoint.connect(Factory.forProtocol(Recorder)))
        resolution.deferreds[0].callback([])
        assert result[0].check(error.DNSLookupError)

    def test_defaultResolutionNeedsThreadPool(self) -> None:
        """Without a thread pool on the reactor, a name lookup fails the connect."""
        (got,) = outcome(
            HostnameEndpoint(MemoryReactorClock(), "example.test", 80).connect(
                Factory.forProtocol(Recorder)
            )
        )
        assert got.check(AttributeError)


class HostnameEndpointCancelTests:
    """Cancelling the connect stops resolution and every attempt."""

    def test_cancelDuringResolution(self) -> None:
        """Cancelling while resolving cancels the lookup; no attempt starts."""
        reactor, endpoint, resolution = setUp()
        d = endpoint.connect(Factory.forProtocol(Recorder))
        result = outcome(d)
        d.cancel()
        assert resolution.cancelled == 1
        assert result[0].check(error.ConnectingCancelledError)
        assert result[0].value.address == HostnameAddress(b"example.test", 80)
        settle(reactor)
        assert reactor.tcpClients == []

    def test_cancelDuringAttempts(self) -> None:
        """Cancelling during the race stops every attempt and the staggered starts."""
        reactor, endpoint, resolution = setUp()
        d = endpoint.connect(Factory.forProtocol(Recorder))
        result = outcome(d)
        resolution.deferreds[0].callback([v4("192.0.2.1"), v4("192.0.2.2"), v4("192.0.2.3")])
        reactor.advance(0.3)
        d.cancel()
        assert result[0].check(error.ConnectingCancelledError)
        assert [c.stoppedConnecting for c in reactor.connectors] == [True, True]
        settle(reactor)
        assert len(reactor.tcpClients) == 2
        assert connectAttempt(reactor, 0)[0] is None

    def test_cancelAfterConnectDoesNothing(self) -> None:
        """Cancelling after the connection was made changes nothing."""
        reactor, endpoint, resolution = setUp()
        d = endpoint.connect(Factory.forProtocol(Recorder))
        result = outcome(d)
        resolution.deferreds[0].callback([v4("192.0.2.1")])
        protocol, _ = connectAttempt(reactor, 0)
        d.cancel()
        assert result == [protocol]

    def test_cancelledNotCancelledError(self) -> None:
        """The cancellation failure is ConnectingCancelledError, not CancelledError."""
        _reactor, endpoint, _resolution = setUp()
        d = endpoint.connect(Factory.forProtocol(Recorder))
        result = outcome(d)
        d.cancel()
        assert not result[0].check(CancelledError)
