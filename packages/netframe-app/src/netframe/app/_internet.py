"""
Services that listen, connect or call something periodically.

Implementation module of L{netframe.app.internet}.
"""

from __future__ import annotations

import importlib
import inspect
import os
import random
import socket
from collections.abc import Callable
from typing import Any

from netframe.app._service import Service
from netframe.core.defer import CancelledError, Deferred, fail, maybeDeferred, succeed
from netframe.core.failure import Failure
from netframe.core.protocol import Factory
from netframe.core.task import LoopingCall
from netframe.logger import Logger

__all__ = [
    "ClientService",
    "MulticastServer",
    "SSLClient",
    "SSLServer",
    "StreamServerEndpointService",
    "TCPClient",
    "TCPServer",
    "TimerService",
    "UDPServer",
    "UNIXClient",
    "UNIXDatagramClient",
    "UNIXDatagramServer",
    "UNIXServer",
    "backoffPolicy",
]

_log = Logger(namespace="netframe.app.internet")


def _maybeGlobalReactor(reactor: Any) -> Any:
    """
    Return C{reactor}, or the global reactor (installing the default one if
    none is installed yet) when C{reactor} is None.
    """
    if reactor is not None:
        return reactor
    return importlib.import_module("netframe.core.reactor")


class _ReactorMethodService(Service):
    """
    The shared part of the C{FooServer} / C{FooClient} services: they call
    the reactor method C{<prefix>Foo} with the constructor's arguments.

    @cvar method: the transport part of the reactor method name (C{"TCP"}).
    @cvar prefix: C{"listen"} or C{"connect"}.
    @ivar reactor: the reactor to use; None means the global reactor. It may
        be given as the keyword argument C{reactor}, which is not passed on.
    """

    method: str = ""
    prefix: str = ""
    reactor: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """
        Remember the arguments of the reactor method; nothing happens until
        the service starts.

        @param args: positional arguments of the reactor method.
        @param kwargs: keyword arguments of the reactor method, plus
            optionally C{reactor}.
        """
        self.reactor = kwargs.pop("reactor", None)
        self.args = args
        self.kwargs = kwargs

    def _call(self) -> Any:
        """
        Call the reactor method.

        @return: what it returned (a listening port or a connector).
        @raise NotImplementedError: If the reactor has no such method.
        """
        reactor = _maybeGlobalReactor(self.reactor)
        name = self.prefix + self.method
        function = getattr(reactor, name, None)
        if function is None:
            raise NotImplementedError(
                f"{type(self).__name__} needs reactor.{name}(), which "
                f"{type(reactor).__module__}.{type(reactor).__qualname__} does not provide"
            )
        return function(*self.args, **self.kwargs)


class _AbstractServer(_ReactorMethodService):
    """
    A service listening with C{reactor.listen<method>(*args, **kwargs)}: it
    listens in C{privilegedStartService} (or C{startService} if that was not
    called) and stops listening in C{stopService}.
    """

    prefix = "listen"
    _port: Any = None

    def privilegedStartService(self) -> None:
        """
        Start listening (before privileges are dropped).

        @raise CannotListenError: If the reactor cannot listen there.
        @raise NotImplementedError: If the reactor lacks the listen method.
        """
        Service.privilegedStartService(self)
        self._port = self._getPort()

    def startService(self) -> None:
        """
        Mark the service running, listening first if not listening yet.

        @raise CannotListenError: If the reactor cannot listen there.
        @raise NotImplementedError: If the reactor lacks the listen method.
        """
        if self._port is None:
            self._port = self._getPort()
        Service.startService(self)

    def stopService(self) -> Deferred[Any] | None:
        """
        Stop listening.

        @return: the port's C{stopListening} result (a Deferred), or None
            when not listening.
        """
        Service.stopService(self)
        port, self._port = self._port, None
        if port is None:
            return None
        result: Deferred[Any] | None = port.stopListening()
        return result

    def _getPort(self) -> Any:
        """
        Listen now.

        @return: the listening port.
        """
        return self._call()


def _socketFamily(fileno: int) -> int:
    """
    Return the address family of the socket open as descriptor C{fileno}.

    @raise OSError: If C{fileno} is not an open socket.
    """
    sock = socket.socket(fileno=os.dup(fileno))
    try:
        return int(sock.family)
    finally:
        sock.close()


class _StreamServer(_AbstractServer):
    """
    A stream server service (TCP, SSL, UNIX) whose listening socket can be
    bound by another process: netframe-twistd's C{--workers} parent binds
    it once (with the reactor method's arguments, see L{_listenArguments}),
    and each worker adopts the descriptor instead of listening
    (L{_adoptDescriptor}).

    @cvar _signature: the reactor method's parameters after C{self}.
    """

    _signature: inspect.Signature
    _adopting: int | None = None

    def _listenArguments(self) -> dict[str, Any]:
        """
        Return the reactor method's arguments by name, defaults included.

        @raise TypeError: If the constructor's arguments do not fit the method.
        """
        bound = self._signature.bind(*self.args, **self.kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)

    def _adoptDescriptor(self, fileno: int) -> None:
        """
        Listen on the inherited listening socket C{fileno} (with
        C{reactor.adoptStreamPort}) instead of binding, when the service
        starts; the descriptor is closed once adopted.
        """
        self._adopting = fileno

    def _adoptionFactory(self) -> Any:
        """Return the factory an adopted port accepts with."""
        return self._listenArguments()["factory"]

    def _getPort(self) -> Any:
        """
        Listen now, or adopt the descriptor given to L{_adoptDescriptor}.

        @return: the listening port.
        """
        fileno, self._adopting = self._adopting, None
        if fileno is None:
            return self._call()
        try:
            reactor = _maybeGlobalReactor(self.reactor)
            return reactor.adoptStreamPort(fileno, _socketFamily(fileno), self._adoptionFactory())
        finally:
            os.close(fileno)


def _listenTCP(port: int, factory: Any, backlog: int = 50, interface: str = "") -> None:
    """The parameters of C{listenTCP}."""


def _listenSSL(
    port: int, factory: Any, contextFactory: Any, backlog: int = 50, interface: str = ""
) -> None:
    """The parameters of C{listenSSL}."""


def _listenUNIX(
    address: Any, factory: Any, backlog: int = 50, mode: int = 0o666, wantPID: int = 0
) -> None:
    """The parameters of C{listenUNIX}."""


class _AbstractClient(_ReactorMethodService):
    """
    A service connecting with C{reactor.connect<method>(*args, **kwargs)}
    when started and disconnecting when stopped.
    """

    prefix = "connect"
    _connection: Any = None

    def startService(self) -> None:
        """
        Mark the service running and start connecting.

        @raise NotImplementedError: If the reactor lacks the connect method.
        """
        self._connection = self._getConnection()
        Service.startService(self)

    def stopService(self) -> Deferred[Any] | None:
        """
        Disconnect (or stop connecting) and mark the service stopped.

        @return: None for a connector (C{disconnect}); for a connected
            datagram port (C{connectUNIXDatagram}, which has no
            C{disconnect}), its C{stopListening} result.
        """
        Service.stopService(self)
        connection, self._connection = self._connection, None
        if connection is None:
            return None
        disconnect = getattr(connection, "disconnect", None)
        if disconnect is not None:
            disconnect()
            return None
        result: Deferred[Any] | None = connection.stopListening()
        return result

    def _getConnection(self) -> Any:
        """
        Connect now.

        @return: the connector.
        """
        return self._call()


class TCPServer(_StreamServer):
    """Listen with C{reactor.listenTCP(port, factory, backlog=50, interface='')}."""

    method = "TCP"
    _signature = inspect.signature(_listenTCP)


class TCPClient(_AbstractClient):
    """Connect with C{reactor.connectTCP(host, port, factory, timeout=30, bindAddress=None)}."""

    method = "TCP"


class UNIXServer(_StreamServer):
    """Listen with C{reactor.listenUNIX(address, factory, backlog=50, mode=0o666, wantPID=0)}."""

    method = "UNIX"
    _signature = inspect.signature(_listenUNIX)


class UNIXClient(_AbstractClient):
    """Connect with C{reactor.connectUNIX(address, factory, timeout=30, checkPID=0)}."""

    method = "UNIX"


class SSLServer(_StreamServer):
    """Listen with C{reactor.listenSSL(port, factory, contextFactory, backlog=50, interface='')}."""

    method = "SSL"
    _signature = inspect.signature(_listenSSL)

    def _adoptionFactory(self) -> Any:
        """Return the factory an adopted port accepts with: TLS over the user's factory."""
        from netframe.core.ssl import TLSMemoryBIOFactory

        arguments = self._listenArguments()
        return TLSMemoryBIOFactory(arguments["contextFactory"], False, arguments["factory"])


class SSLClient(_AbstractClient):
    """Connect with C{reactor.connectSSL(host, port, factory, contextFactory, ...)}."""

    method = "SSL"


class UDPServer(_AbstractServer):
    """Listen with C{reactor.listenUDP(port, protocol, interface='', maxPacketSize=8192)}."""

    method = "UDP"


class UNIXDatagramServer(_AbstractServer):
    """Listen with C{reactor.listenUNIXDatagram(address, protocol, maxPacketSize=8192, ...)}."""

    method = "UNIXDatagram"


class UNIXDatagramClient(_AbstractClient):
    """Connect with C{reactor.connectUNIXDatagram(address, protocol, maxPacketSize=8192, ...)}."""

    method = "UNIXDatagram"


class MulticastServer(_AbstractServer):
    """Listen with C{reactor.listenMulticast(port, protocol, interface='', ...)}."""

    method = "Multicast"


class TimerService(Service):
    """
    Call C{callable(*args, **kwargs)} every C{step} seconds while running
    (the first call when the service starts).

    A call that raises (or returns a failing Deferred) is logged and ends
    the calls; C{stopService} still works.

    @ivar step: the period in seconds.
    @ivar call: C{(callable, args, kwargs)}.
    @ivar clock: the L{IReactorTime} to use; None means the global reactor.
    """

    clock: Any = None
    _loop: LoopingCall | None = None
    _loopFinished: Deferred[Any] | None = None

    def __init__(self, step: float, callable: Callable[..., Any], *args: Any, **kwargs: Any):
        """
        @param step: the period in seconds.
        @param callable: what to call.
        @param args: its positional arguments.
        @param kwargs: its keyword arguments.
        """
        self.step = step
        self.call = (callable, args, kwargs)

    def startService(self) -> None:
        """Mark the service running and make the first call now."""
        Service.startService(self)
        function, args, kwargs = self.call
        loop = LoopingCall(function, *args, **kwargs)
        loop.clock = _maybeGlobalReactor(self.clock)
        self._loop = loop
        finished = loop.start(self.step, now=True)
        self._loopFinished = finished.addErrback(self._failed)

    def _failed(self, why: Failure) -> None:
        """Log a failed call; the loop has stopped."""
        _log.failure("TimerService call {call!r} failed", why, call=self.call[0])

    def stopService(self) -> Deferred[Any]:
        """
        Stop calling.

        @return: a Deferred firing once the loop has ended (after a call in
            progress that returned a Deferred has finished).
        """
        loop, finished = self._loop, self._loopFinished
        self._loop = self._loopFinished = None
        if loop is None or finished is None:
            Service.stopService(self)
            return succeed(None)
        if loop.running:
            loop.stop()

        def stopped(result: object) -> None:
            Service.stopService(self)

        return finished.addCallback(stopped)


class StreamServerEndpointService(Service):
    """
    Listen on an C{IStreamServerEndpoint} with a factory while running.

    @ivar endpoint: the endpoint.
    @ivar factory: the protocol factory.
    @ivar _raiseSynchronously: when true, a failure to listen that is known
        at once raises from C{privilegedStartService} instead of being logged
        (L{netframe.app.strports.service} sets it).
    """

    _raiseSynchronously = False
    _waitingForPort: Deferred[Any] | None = None

    def __init__(self, endpoint: Any, factory: Any) -> None:
        """
        @param endpoint: an C{IStreamServerEndpoint}.
        @param factory: the protocol factory to listen with.
        """
        self.endpoint = endpoint
        self.factory = factory

    def privilegedStartService(self) -> None:
        """
        Start listening (before privileges are dropped).

        @raise Exception: the listen failure, when C{_raiseSynchronously} is
            set and the endpoint failed at once; otherwise failures are logged.
        """
        Service.privilegedStartService(self)
        raisedNow: list[Failure] = []

        def handleIt(failure: Failure) -> None:
            if self._raiseSynchronously:
                raisedNow.append(failure)
            elif failure.check(CancelledError) is None:
                _log.failure("Listening on {endpoint!r} failed", failure, endpoint=self.endpoint)

        self._waitingForPort = maybeDeferred(self.endpoint.listen, self.factory)
        self._waitingForPort.addErrback(handleIt)
        if raisedNow:
            raisedNow[0].raiseException()

    def startService(self) -> None:
        """Mark the service running, listening first if not listening yet."""
        Service.startService(self)
        if self._waitingForPort is None:
            self.privilegedStartService()

    def stopService(self) -> Deferred[Any]:
        """
        Stop listening (cancelling a listen still in progress).

        @return: a Deferred firing once the port has stopped listening.
        """
        waiting, self._waitingForPort = self._waitingForPort, None
        if waiting is None:
            Service.stopService(self)
            return succeed(None)
        waiting.cancel()

        def stopIt(port: Any) -> Any:
            if port is not None:
                return port.stopListening()
            return None

        def stopped(passthrough: object) -> object:
            self.running = False
            return passthrough

        return waiting.addCallback(stopIt).addBoth(stopped)


def backoffPolicy(
    initialDelay: float = 1.0,
    maxDelay: float = 60.0,
    factor: float = 1.5,
    jitter: Callable[[], float] = random.random,
) -> Callable[[int], float]:
    """
    Make a retry policy for L{ClientService}: exponential backoff.

    @param initialDelay: the delay before the first retry, in seconds.
    @param maxDelay: the longest delay (jitter excluded).
    @param factor: the growth factor per failed attempt.
    @param jitter: a callable returning a random extra delay in seconds.
    @return: C{policy(failedAttempts) -> seconds}, which is
        C{min(initialDelay * factor ** failedAttempts, maxDelay) + jitter()}.
    """

    def policy(attempt: int) -> float:
        try:
            delay = min(initialDelay * (factor ** min(100, attempt)), maxDelay)
        except OverflowError:
            delay = maxDelay
        return delay + jitter()

    return policy


_defaultPolicy = backoffPolicy()


class _ClientProtocolWrapper:
    """Forwards to the real protocol and tells the service when it is lost."""

    def __init__(self, service: ClientService, wrapped: Any) -> None:
        """Wrap C{wrapped} for C{service}."""
        self._service = service
        self._wrapped = wrapped

    def makeConnection(self, transport: Any) -> None:
        """Hand the transport to the real protocol."""
        self._wrapped.makeConnection(transport)

    def dataReceived(self, data: bytes) -> None:
        """Forward received bytes."""
        self._wrapped.dataReceived(data)

    def connectionLost(self, reason: Failure) -> None:
        """Forward the loss, then tell the service."""
        try:
            self._wrapped.connectionLost(reason)
        finally:
            self._service._lost(self._wrapped, reason)

    def __getattr__(self, name: str) -> Any:
        """Forward everything else to the real protocol."""
        return getattr(self._wrapped, name)


class _ClientFactoryWrapper(Factory):
    """Builds wrapped protocols with the user's factory."""

    def __init__(self, service: ClientService, wrapped: Any) -> None:
        """Wrap C{wrapped} for C{service}."""
        self._service = service
        self._wrapped = wrapped

    def doStart(self) -> None:
        """Start the real factory."""
        self._wrapped.doStart()

    def doStop(self) -> None:
        """Stop the real factory."""
        self._wrapped.doStop()

    def buildProtocol(self, addr: Any) -> Any:
        """Build the real protocol and wrap it (None refuses the connection)."""
        protocol = self._wrapped.buildProtocol(addr)
        if protocol is None:
            return None
        return _ClientProtocolWrapper(self._service, protocol)


class ClientService(Service):
    """
    Keep a connection to an endpoint open while running, reconnecting with
    backoff after failures and disconnections.

    States: stopped; connecting (an C{endpoint.connect} is in progress);
    waiting (a retry is scheduled); connected. C{stopService} cancels a
    connection attempt or a scheduled retry, or closes the connection and
    waits for it to be lost.

    @ivar endpoint: the C{IStreamClientEndpoint}.
    @ivar factory: the protocol factory.
    """

    def __init__(
        self,
        endpoint: Any,
        factory: Any,
        retryPolicy: Callable[[int], float] | None = None,
        clock: Any = None,
        prepareConnection: Callable[[Any], Any] | None = None,
    ) -> None:
        """
        @param endpoint: an C{IStreamClientEndpoint}.
        @param factory: the protocol factory.
        @param retryPolicy: C{policy(failedAttempts) -> seconds} to wait
            before the next attempt (default: L{backoffPolicy}()).
        @param clock: the C{IReactorTime} scheduling retries (default: the
            global reactor).
        @param prepareConnection: called with each new protocol before
            L{whenConnected} waiters see it; if it returns a Deferred it is
            awaited; if it fails, the connection is closed and retried.
        """
        self.endpoint = endpoint
        self.factory = factory
        self._retryPolicy = _defaultPolicy if retryPolicy is None else retryPolicy
        self._clock = clock
        self._prepareConnection = prepareConnection
        self._wrappedFactory = _ClientFactoryWrapper(self, factory)
        self._state = "stopped"
        self._failedAttempts = 0
        self._connecting: Deferred[Any] | None = None
        self._retryCall: Any = None
        self._protocol: Any = None
        self._waiters: list[tuple[Deferred[Any], int | None]] = []
        self._lastFailure: Failure | None = None
        self._stopWaiters: list[Deferred[None]] = []

    # -- IService ---------------------------------------------------------

    def startService(self) -> None:
        """Mark the service running and start connecting."""
        if self.running:
            return
        Service.startService(self)
        self._failedAttempts = 0
        self._connect()

    def stopService(self) -> Deferred[None]:
        """
        Stop: cancel a connection attempt or scheduled retry, or close the
        connection. Pending L{whenConnected} Deferreds fail with
        C{CancelledError}.

        @return: a Deferred firing once no connection is left.
        """
        if not self.running and self._state == "stopped":
            return succeed(None)
        Service.stopService(self)
        state = self._state
        self._failWaiters(Failure(CancelledError("the ClientService was stopped")))
        if state == "waiting":
            self._retryCall.cancel()
            self._retryCall = None
            self._state = "stopped"
            return succeed(None)
        if state == "connecting":
            self._state = "stopping"
            d: Deferred[None] = Deferred()
            self._stopWaiters.append(d)
            assert self._connecting is not None
            self._connecting.cancel()
            return d
        if state in ("connected", "preparing", "unprepared"):
            self._state = "stopping"
            d = Deferred()
            self._stopWaiters.append(d)
            self._protocol.transport.loseConnection()
            return d
        if state == "stopping":
            d = Deferred()
            self._stopWaiters.append(d)
            return d
        return succeed(None)

    # -- public API -------------------------------------------------------

    def whenConnected(self, failAfterFailures: int | None = None) -> Deferred[Any]:
        """
        Get the connected protocol, now or once connected.

        @param failAfterFailures: fail once this many consecutive connection
            attempts have failed (counting from this call's moment of
            waiting); None waits for ever.
        @return: a Deferred firing with the protocol, or failing with the
            last connection failure (see C{failAfterFailures}) or with
            C{CancelledError} when the service is (or gets) stopped.
        @raise ValueError: If C{failAfterFailures} is less than 1.
        """
        if failAfterFailures is not None and failAfterFailures < 1:
            raise ValueError(f"failAfterFailures must be at least 1, not {failAfterFailures!r}")
        if self._state == "connected":
            return succeed(self._protocol)
        if not self.running:
            return fail(CancelledError("the ClientService is not running"))
        entry: list[Any] = []

        def cancel(d: Deferred[Any]) -> None:
            if entry and entry[0] in self._waiters:
                self._waiters.remove(entry[0])

        d: Deferred[Any] = Deferred(cancel)
        entry.append((d, failAfterFailures))
        self._waiters.append(entry[0])
        return d

    # -- the machine ------------------------------------------------------

    def _reactor(self) -> Any:
        """The clock used for retries."""
        if self._clock is None:
            self._clock = _maybeGlobalReactor(None)
        return self._clock

    def _connect(self) -> None:
        """Start a connection attempt."""
        self._state = "connecting"
        self._retryCall = None
        d = maybeDeferred(self.endpoint.connect, self._wrappedFactory)
        self._connecting = d
        d.addCallbacks(self._connectionMade, self._connectionFailed)

    def _connectionMade(self, wrapper: Any) -> None:
        """A connection attempt succeeded: prepare it, then publish it."""
        self._connecting = None
        protocol = getattr(wrapper, "_wrapped", wrapper)
        if self._state == "stopping":
            self._protocol = protocol
            protocol.transport.loseConnection()
            return
        self._protocol = protocol
        if self._prepareConnection is None:
            self._ready(protocol)
            return
        self._state = "preparing"

        def prepared(result: object) -> None:
            if self._state == "preparing":
                self._ready(protocol)

        def notPrepared(failure: Failure) -> None:
            if self._state != "preparing":
                return
            _log.failure("prepareConnection failed for {protocol!r}", failure, protocol=protocol)
            self._state = "unprepared"
            self._lastFailure = failure
            protocol.transport.loseConnection()

        maybeDeferred(self._prepareConnection, protocol).addCallbacks(prepared, notPrepared)

    def _ready(self, protocol: Any) -> None:
        """The connection is usable: fire the waiters."""
        self._state = "connected"
        self._failedAttempts = 0
        waiters, self._waiters = self._waiters, []
        for d, _ in waiters:
            d.callback(protocol)

    def _connectionFailed(self, failure: Failure) -> None:
        """A connection attempt failed (or was cancelled by stopService)."""
        self._connecting = None
        if self._state == "stopping":
            self._stopped()
            return
        self._attemptFailed(failure)

    def _attemptFailed(self, failure: Failure) -> None:
        """Count a failed attempt, fail the waiters that asked, schedule a retry."""
        self._failedAttempts += 1
        keep: list[tuple[Deferred[Any], int | None]] = []
        failing: list[Deferred[Any]] = []
        for d, limit in self._waiters:
            if limit is not None and self._failedAttempts >= limit:
                failing.append(d)
            else:
                keep.append((d, limit))
        self._waiters = keep
        for d in failing:
            d.errback(failure)
        self._wait()

    def _wait(self) -> None:
        """Schedule the next connection attempt."""
        delay = self._retryPolicy(self._failedAttempts)
        _log.info(
            "Scheduling retry {attempt} to connect {endpoint!r} in {delay} seconds.",
            attempt=self._failedAttempts,
            endpoint=self.endpoint,
            delay=delay,
        )
        self._state = "waiting"
        self._retryCall = self._reactor().callLater(delay, self._connect)

    def _lost(self, protocol: Any, reason: Failure) -> None:
        """The connection (made by this service) was lost."""
        if protocol is not self._protocol:
            return
        self._protocol = None
        state = self._state
        if state == "stopping":
            self._stopped()
        elif state == "unprepared" and self._lastFailure is not None:
            failure, self._lastFailure = self._lastFailure, None
            self._attemptFailed(failure)
        elif state in ("connected", "preparing"):
            self._failedAttempts += 1
            self._wait()

    def _stopped(self) -> None:
        """Nothing is left: fire the stopService Deferreds."""
        self._state = "stopped"
        waiters, self._stopWaiters = self._stopWaiters, []
        for d in waiters:
            d.callback(None)

    def _failWaiters(self, failure: Failure) -> None:
        """Fail every whenConnected waiter."""
        waiters, self._waiters = self._waiters, []
        for d, _ in waiters:
            d.errback(failure)
