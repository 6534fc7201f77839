"""
Tests for netframe.app.internet and netframe.app.strports, with fake
reactors, clocks and endpoints.
"""

from __future__ import annotations

from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.app import internet, strports
from netframe.app.internet import (
    ClientService,
    MulticastServer,
    SSLClient,
    SSLServer,
    StreamServerEndpointService,
    TCPClient,
    TCPServer,
    TimerService,
    UDPServer,
    UNIXClient,
    UNIXDatagramClient,
    UNIXDatagramServer,
    UNIXServer,
    backoffPolicy,
)
from netframe.app.service import IService
from netframe.core.defer import CancelledError, Deferred, fail, succeed
from netframe.core.error import CannotListenError, ConnectionDone, ConnectionRefusedError
from netframe.core.failure import Failure
from netframe.core.interfaces import IStreamClientEndpoint, IStreamServerEndpoint
from netframe.core.protocol import ClientFactory, Factory, Protocol, ServerFactory
from netframe.core.task import Clock
from netframe.core.testing import MemoryReactor, StringTransport


class PublicNamesTests:
    """The public module re-exports everything with its own module name."""

    def test_module(self) -> None:
        """Every public name reports netframe.app.internet."""
        for name in internet.__all__:
            assert getattr(internet, name).__module__ == "netframe.app.internet", name

    def test_strportsModule(self) -> None:
        """strports.service reports netframe.app.strports."""
        assert strports.service.__module__ == "netframe.app.strports"

    @pytest.mark.parametrize(
        "cls",
        [
            TCPServer,
            TCPClient,
            UNIXServer,
            UNIXClient,
            SSLServer,
            SSLClient,
            UDPServer,
            UNIXDatagramServer,
            UNIXDatagramClient,
            MulticastServer,
        ],
    )
    def test_providesIService(self, cls: type) -> None:
        """Every generated service provides IService."""
        assert verifyObject(IService, cls(1, 2, reactor=MemoryReactor()))


class ServerServiceTests:
    """FooServer calls reactor.listenFoo with the constructor's arguments."""

    def test_tcpServerListensOnPrivilegedStart(self) -> None:
        """TCPServer listens in privilegedStartService with identical args."""
        reactor = MemoryReactor()
        factory = ServerFactory()
        svc = TCPServer(7001, factory, interface="127.0.0.1", reactor=reactor)
        svc.privilegedStartService()
        assert reactor.tcpServers == [(7001, factory, 50, "127.0.0.1")]
        svc.startService()
        assert len(reactor.tcpServers) == 1
        assert svc.running

    def test_startListensIfNotPrivileged(self) -> None:
        """startService alone also listens."""
        reactor = MemoryReactor()
        svc = TCPServer(7001, ServerFactory(), reactor=reactor)
        svc.startService()
        assert len(reactor.tcpServers) == 1

    def test_stopServiceStopsListening(self) -> None:
        """stopService stops the port and returns its Deferred."""
        reactor = MemoryReactor()
        svc = TCPServer(7001, ServerFactory(), reactor=reactor)
        svc.startService()
        port = svc._port
        results: list[Any] = []
        d = svc.stopService()
        assert d is not None
        d.addCallback(results.append)
        assert results == [None]
        assert not port.listening
        assert not svc.running

    def test_stopWhenNotListening(self) -> None:
        """stopService of a never-started server returns None."""
        assert TCPServer(1, ServerFactory(), reactor=MemoryReactor()).stopService() is None

    @pytest.mark.parametrize(
        ("cls", "record", "args"),
        [
            (UNIXServer, "unixServers", ("/tmp/sock", "F")),
            (SSLServer, "sslServers", (443, "F", "ctx")),
            (UDPServer, "udpServers", (53, "P")),
        ],
    )
    def test_otherServers(self, cls: type, record: str, args: tuple[Any, ...]) -> None:
        """UNIX, SSL and UDP servers call their reactor methods."""
        reactor = MemoryReactor()
        cls(*args, reactor=reactor).startService()
        assert getattr(reactor, record)[0][: len(args)] == args

    @pytest.mark.parametrize(
        ("cls", "method"),
        [
            (UNIXDatagramServer, "listenUNIXDatagram"),
            (MulticastServer, "listenMulticast"),
        ],
    )
    def test_missingReactorMethod(self, cls: type, method: str) -> None:
        """Construction works; starting names the missing reactor method."""
        svc = cls("/tmp/x", Protocol(), reactor=MemoryReactor())
        with pytest.raises(NotImplementedError, match=f"needs reactor.{method}"):
            svc.privilegedStartService()

    def test_listenFailureRaises(self) -> None:
        """A listen error propagates out of privilegedStartService."""

        class FailingReactor(MemoryReactor):
            def listenTCP(self, *args: Any, **kw: Any) -> Any:
                raise CannotListenError("", 1, OSError("in use"))

        svc = TCPServer(1, ServerFactory(), reactor=FailingReactor())
        with pytest.raises(CannotListenError):
            svc.privilegedStartService()


class ReactorClientTests:
    """FooClient connects on start and disconnects on stop."""

    def test_tcpClient(self) -> None:
        """TCPClient connects with identical args and disconnects on stop."""
        reactor = MemoryReactor()
        factory = ClientFactory()
        svc = TCPClient("127.0.0.1", 25, factory, reactor=reactor)
        svc.startService()
        assert reactor.tcpClients == [("127.0.0.1", 25, factory, 30, None)]
        connector = reactor.connectors[0]
        svc.stopService()
        assert connector._disconnected

    def test_unixClient(self) -> None:
        """UNIXClient calls connectUNIX."""
        reactor = MemoryReactor()
        UNIXClient("/tmp/s", ClientFactory(), reactor=reactor).startService()
        assert reactor.unixClients[0][0] == "/tmp/s"

    def test_sslClient(self) -> None:
        """SSLClient calls connectSSL."""
        reactor = MemoryReactor()
        SSLClient("h", 1, ClientFactory(), "ctx", reactor=reactor).startService()
        assert reactor.sslClients[0][:2] == ("h", 1)

    def test_unixDatagramClientMissing(self) -> None:
        """UNIXDatagramClient fails at start when connectUNIXDatagram is missing."""
        svc = UNIXDatagramClient("/tmp/x", Protocol(), reactor=MemoryReactor())
        with pytest.raises(NotImplementedError, match="connectUNIXDatagram"):
            svc.startService()

    def test_stopUnstarted(self) -> None:
        """Stopping a client that never connected does nothing."""
        TCPClient("h", 1, Factory(), reactor=MemoryReactor()).stopService()


class TimerServiceTests:
    """TimerService calls its callable every step while running."""

    def test_callsEveryStep(self) -> None:
        """The callable runs at start and each period until stopped."""
        clock = Clock()
        calls: list[int] = []
        svc = TimerService(5, calls.append, 1)
        svc.clock = clock
        svc.startService()
        assert calls == [1]
        clock.advance(5)
        clock.advance(5)
        assert calls == [1, 1, 1]
        results: list[Any] = []
        svc.stopService().addCallback(results.append)
        assert not svc.running
        assert results == [None]
        clock.advance(10)
        assert calls == [1, 1, 1]

    def test_kwargs(self) -> None:
        """Keyword arguments reach the callable."""
        clock = Clock()
        seen: list[Any] = []
        svc = TimerService(1, lambda **kw: seen.append(kw), a=2)
        svc.clock = clock
        svc.startService()
        assert seen == [{"a": 2}]
        svc.stopService()

    def test_stopWaitsForPendingCall(self) -> None:
        """stopService waits for a call's Deferred before it fires."""
        clock = Clock()
        pending: Deferred[None] = Deferred()
        svc = TimerService(1, lambda: pending)
        svc.clock = clock
        svc.startService()
        results: list[Any] = []
        svc.stopService().addCallback(results.append)
        assert results == []
        pending.callback(None)
        assert results == [None]
        assert not svc.running

    def test_failureIsLogged(self, capturedEvents: list[dict[str, Any]]) -> None:
        """A raising callable is logged; stopService still works."""
        clock = Clock()

        def boom() -> None:
            raise ValueError("bad")

        svc = TimerService(1, boom)
        svc.clock = clock
        svc.startService()
        assert any(e.get("log_failure") is not None for e in capturedEvents)
        results: list[Any] = []
        svc.stopService().addCallback(results.append)
        assert results == [None]

    def test_stopUnstarted(self) -> None:
        """Stopping a TimerService that never started fires at once."""
        results: list[Any] = []
        TimerService(1, lambda: None).stopService().addCallback(results.append)
        assert results == [None]


@implementer(IStreamServerEndpoint)
class FakeServerEndpoint:
    """A server endpoint whose listen result the test controls."""

    def __init__(self, result: Any = None) -> None:
        self.result = result
        self.factories: list[Any] = []
        self.port = FakePort()

    def listen(self, factory: Any) -> Deferred[Any]:
        self.factories.append(factory)
        if isinstance(self.result, Deferred):
            return self.result
        if isinstance(self.result, Exception):
            return fail(self.result)
        return succeed(self.port)


class FakePort:
    """A listening port recording stopListening."""

    stopped = False

    def stopListening(self) -> Deferred[None]:
        self.stopped = True
        return succeed(None)


class StreamServerEndpointServiceTests:
    """StreamServerEndpointService listens while running."""

    def test_verify(self) -> None:
        """It provides IService."""
        assert verifyObject(IService, StreamServerEndpointService(FakeServerEndpoint(), None))

    def test_listenAndStop(self) -> None:
        """It listens at privileged start and stops listening on stop."""
        endpoint = FakeServerEndpoint()
        factory = ServerFactory()
        svc = StreamServerEndpointService(endpoint, factory)
        svc.privilegedStartService()
        svc.startService()
        assert endpoint.factories == [factory]
        results: list[Any] = []
        svc.stopService().addCallback(results.append)
        assert endpoint.port.stopped
        assert not svc.running

    def test_startListensOnce(self) -> None:
        """startService alone listens once."""
        endpoint = FakeServerEndpoint()
        svc = StreamServerEndpointService(endpoint, None)
        svc.startService()
        assert len(endpoint.factories) == 1

    def test_failureLoggedByDefault(self, capturedEvents: list[dict[str, Any]]) -> None:
        """Without _raiseSynchronously a listen failure is logged."""
        svc = StreamServerEndpointService(FakeServerEndpoint(ValueError("no")), None)
        svc.privilegedStartService()
        assert any(e.get("log_failure") is not None for e in capturedEvents)

    def test_raiseSynchronously(self) -> None:
        """With _raiseSynchronously an immediate failure raises."""
        svc = StreamServerEndpointService(FakeServerEndpoint(ValueError("no")), None)
        svc._raiseSynchronously = True
        with pytest.raises(ValueError, match="no"):
            svc.privilegedStartService()

    def test_stopCancelsPendingListen(self) -> None:
        """Stopping while listening is in progress cancels it quietly."""
        pending: Deferred[Any] = Deferred()
        svc = StreamServerEndpointService(FakeServerEndpoint(pending), None)
        svc.startService()
        results: list[Any] = []
        svc.stopService().addCallback(results.append)
        assert results == [None]
        assert not svc.running

    def test_stopUnstarted(self) -> None:
        """Stopping an unstarted service fires at once."""
        results: list[Any] = []
        StreamServerEndpointService(FakeServerEndpoint(), None).stopService().addCallback(
            results.append
        )
        assert results == [None]


class StrportsTests:
    """strports.service builds an endpoint service from a description."""

    def test_tcp(self) -> None:
        """A tcp description listens on the reactor with that port."""
        reactor = MemoryReactor()
        factory = ServerFactory()
        svc = strports.service("tcp:8080:interface=127.0.0.1", factory, reactor=reactor)
        svc.privilegedStartService()
        assert reactor.tcpServers == [(8080, factory, 50, "127.0.0.1")]
        svc.stopService()

    def test_listenErrorRaises(self) -> None:
        """A failure to listen raises from privilegedStartService."""

        class FailingReactor(MemoryReactor):
            def listenTCP(self, *args: Any, **kw: Any) -> Any:
                raise CannotListenError("", 8080, OSError("in use"))

        svc = strports.service("tcp:8080", ServerFactory(), reactor=FailingReactor())
        with pytest.raises(CannotListenError):
            svc.privilegedStartService()

    def test_badDescription(self) -> None:
        """A malformed description raises ValueError."""
        with pytest.raises(ValueError):
            strports.service("tcp:notaport", ServerFactory(), reactor=MemoryReactor())


class BackoffPolicyTests:
    """backoffPolicy grows exponentially up to a bound."""

    def test_growth(self) -> None:
        """Delay is initialDelay * factor ** attempt plus jitter."""
        policy = backoffPolicy(1.0, 60.0, 2.0, jitter=lambda: 0.5)
        assert [policy(n) for n in range(4)] == [1.5, 2.5, 4.5, 8.5]

    def test_maxDelay(self) -> None:
        """Delay never exceeds maxDelay (plus jitter), even for huge attempts."""
        policy = backoffPolicy(1.0, 60.0, 2.0, jitter=lambda: 0.0)
        assert policy(6) == 60.0
        assert policy(10**6) == 60.0


@implementer(IStreamClientEndpoint)
class FakeClientEndpoint:
    """A client endpoint whose attempts the test resolves by hand."""

    def __init__(self) -> None:
        self.attempts: list[tuple[Deferred[Any], Any]] = []
        self.cancelled = 0

    def connect(self, factory: Any) -> Deferred[Any]:
        def cancel(d: Deferred[Any]) -> None:
            self.cancelled += 1

        d: Deferred[Any] = Deferred(cancel)
        self.attempts.append((d, factory))
        return d

    def succeed(self) -> Any:
        """Complete the latest attempt with a connected protocol."""
        d, factory = self.attempts[-1]
        built = factory.buildProtocol(None)
        built.makeConnection(LosingTransport(built))
        d.callback(built)
        return RecordingProtocol.instances[-1]

    def failLatest(self) -> None:
        """Fail the latest attempt."""
        self.attempts[-1][0].errback(ConnectionRefusedError())


class LosingTransport(StringTransport):
    """A transport whose loseConnection calls the protocol's connectionLost."""

    def __init__(self, protocol: Any) -> None:
        super().__init__()
        self.protocol = protocol

    def loseConnection(self) -> None:
        super().loseConnection()
        self.protocol.connectionLost(Failure(ConnectionDone()))


class RecordingProtocol(Protocol):
    """A protocol remembering it was connected (instances kept in order)."""

    instances: list[RecordingProtocol] = []
    made = 0

    def connectionMade(self) -> None:
        self.made += 1
        RecordingProtocol.instances.append(self)


def _makeService(**kw: Any) -> tuple[ClientService, FakeClientEndpoint, Clock]:
    endpoint = FakeClientEndpoint()
    clock = Clock()
    factory = Factory.forProtocol(RecordingProtocol)
    svc = ClientService(endpoint, factory, retryPolicy=lambda n: 10.0 * n, clock=clock, **kw)
    return svc, endpoint, clock


class ClientServiceTests:
    """ClientService keeps a connection, with backoff and whenConnected."""

    def test_verify(self) -> None:
        """It provides IService."""
        assert verifyObject(IService, _makeService()[0])

    def test_connectsOnStart(self) -> None:
        """startService starts a connection attempt; whenConnected fires with the protocol."""
        svc, endpoint, _clock = _makeService()
        svc.startService()
        assert len(endpoint.attempts) == 1
        results: list[Any] = []
        svc.whenConnected().addCallback(results.append)
        protocol = endpoint.succeed()
        assert results == [protocol]
        assert isinstance(protocol, RecordingProtocol)
        assert protocol.made == 1

    def test_whenConnectedAlreadyConnected(self) -> None:
        """whenConnected on a connected service fires at once."""
        svc, endpoint, _clock = _makeService()
        svc.startService()
        protocol = endpoint.succeed()
        results: list[Any] = []
        svc.whenConnected().addCallback(results.append)
        assert results == [protocol]

    def test_retryWithBackoff(self) -> None:
        """Failures are retried after retryPolicy(failedAttempts) seconds."""
        svc, endpoint, clock = _makeService()
        svc.startService()
        endpoint.failLatest()
        clock.advance(9.9)
        assert len(endpoint.attempts) == 1
        clock.advance(0.1)
        assert len(endpoint.attempts) == 2
        endpoint.failLatest()
        clock.advance(19.9)
        assert len(endpoint.attempts) == 2
        clock.advance(0.1)
        assert len(endpoint.attempts) == 3

    def test_failAfterFailures(self) -> None:
        """whenConnected(failAfterFailures=2) fails after two failed attempts."""
        svc, endpoint, clock = _makeService()
        svc.startService()
        failures: list[Failure] = []
        svc.whenConnected(failAfterFailures=2).addErrback(failures.append)
        endpoint.failLatest()
        assert failures == []
        clock.advance(10)
        endpoint.failLatest()
        assert len(failures) == 1
        assert failures[0].check(ConnectionRefusedError)

    def test_failAfterFailuresLimit(self) -> None:
        """failAfterFailures below 1 is refused; 1 is accepted."""
        svc, endpoint, _clock = _makeService()
        svc.startService()
        with pytest.raises(ValueError, match="at least 1"):
            svc.whenConnected(failAfterFailures=0)
        failures: list[Failure] = []
        svc.whenConnected(failAfterFailures=1).addErrback(failures.append)
        endpoint.failLatest()
        assert len(failures) == 1

    def test_reconnectAfterLoss(self) -> None:
        """A lost connection is re-established after a delay."""
        svc, endpoint, clock = _makeService()
        svc.startService()
        protocol = endpoint.succeed()
        protocol.transport.loseConnection()
        clock.advance(10)
        assert len(endpoint.attempts) == 2
        results: list[Any] = []
        svc.whenConnected().addCallback(results.append)
        second = endpoint.succeed()
        assert results == [second]

    def test_stopDisconnects(self) -> None:
        """stopService closes the connection and fires once it is lost."""
        svc, endpoint, clock = _makeService()
        svc.startService()
        protocol = endpoint.succeed()
        results: list[Any] = []
        svc.stopService().addCallback(results.append)
        assert protocol.transport.disconnecting
        assert results == [None]
        assert not svc.running
        clock.advance(100)
        assert len(endpoint.attempts) == 1

    def test_stopCancelsAttempt(self) -> None:
        """stopService cancels a connection attempt in progress."""
        svc, endpoint, _clock = _makeService()
        svc.startService()
        waiting: list[Failure] = []
        svc.whenConnected().addErrback(waiting.append)
        results: list[Any] = []
        svc.stopService().addCallback(results.append)
        assert endpoint.cancelled == 1
        assert results == [None]
        assert waiting[0].check(CancelledError)

    def test_stopCancelsRetry(self) -> None:
        """stopService cancels a scheduled retry."""
        svc, endpoint, clock = _makeService()
        svc.startService()
        endpoint.failLatest()
        results: list[Any] = []
        svc.stopService().addCallback(results.append)
        assert results == [None]
        assert clock.getDelayedCalls() == []

    def test_whenConnectedStopped(self) -> None:
        """whenConnected on a stopped service fails with CancelledError."""
        svc, _endpoint, _clock = _makeService()
        failures: list[Failure] = []
        svc.whenConnected().addErrback(failures.append)
        assert failures[0].check(CancelledError)

    def test_whenConnectedCancel(self) -> None:
        """Cancelling a whenConnected Deferred forgets the waiter."""
        svc, endpoint, _clock = _makeService()
        svc.startService()
        failures: list[Failure] = []
        d = svc.whenConnected()
        d.addErrback(failures.append)
        d.cancel()
        assert failures[0].check(CancelledError)
        endpoint.succeed()

    def test_prepareConnection(self) -> None:
        """prepareConnection runs before waiters see the protocol."""
        prepared: list[Any] = []
        gate: Deferred[None] = Deferred()

        def prepare(p: Any) -> Deferred[None]:
            prepared.append(p)
            return gate

        svc, endpoint, _clock = _makeService(prepareConnection=prepare)
        svc.startService()
        results: list[Any] = []
        svc.whenConnected().addCallback(results.append)
        protocol = endpoint.succeed()
        assert prepared == [protocol]
        assert results == []
        gate.callback(None)
        assert results == [protocol]

    def test_prepareConnectionFailureRetries(self, capturedEvents: list[dict[str, Any]]) -> None:
        """A failing prepareConnection closes the connection and retries."""

        def prepare(p: Any) -> None:
            raise ValueError("not ready")

        svc, endpoint, clock = _makeService(prepareConnection=prepare)
        svc.startService()
        protocol = endpoint.succeed()
        assert protocol.transport.disconnecting
        clock.advance(10)
        assert len(endpoint.attempts) == 2

    def test_stopWhenStopped(self) -> None:
        """Stopping a never-started ClientService fires at once."""
        results: list[Any] = []
        _makeService()[0].stopService().addCallback(results.append)
        assert results == [None]
