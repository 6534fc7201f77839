"""
Protocol and factory base classes.

Implementation module of L{netframe.core.protocol}; import the names from there.
Nothing here needs a running reactor: protocols are driven by whoever calls
their methods (a transport, or a test using L{netframe.core.testing}).
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, Optional, TypeVar

from zope.interface import implementer

from netframe.core import error
from netframe.core.defer import Deferred
from netframe.core.failure import Failure
from netframe.core.interfaces import (
    IConnector,
    IDelayedCall,
    ILoggingContext,
    IProcessProtocol,
    IProtocol,
    IProtocolFactory,
    IReactorTime,
    ITransport,
)
from netframe.logger import Logger

if TYPE_CHECKING:
    from netframe.core.interfaces import IAddress

__all__ = [
    "AbstractDatagramProtocol",
    "BaseProtocol",
    "ClientCreator",
    "ClientFactory",
    "ConnectedDatagramProtocol",
    "DatagramProtocol",
    "Factory",
    "ProcessProtocol",
    "Protocol",
    "ReconnectingClientFactory",
    "ServerFactory",
    "connectionDone",
]

_log = Logger(namespace="netframe.core.protocol")

#: The reason passed to C{connectionLost} when a connection closed cleanly.
connectionDone: Failure = Failure(error.ConnectionDone())
connectionDone.cleanFailure()

_ProtocolT = TypeVar("_ProtocolT", bound="Protocol")
_FactoryT = TypeVar("_FactoryT", bound="Factory")


@implementer(IProtocolFactory, ILoggingContext)
class Factory:
    """
    Builds one protocol instance per connection and holds state they share.

    Set the class attribute C{protocol} to a zero-argument callable (usually a
    L{Protocol} subclass) and the default L{buildProtocol} does the rest. A
    port calls L{doStart} when it starts listening and L{doStop} when it stops;
    the first start calls L{startFactory} and the last stop L{stopFactory}.

    @cvar protocol: The callable L{buildProtocol} calls, or C{None}.
    @ivar numPorts: How many ports currently use this factory.
    @cvar noisy: Whether starting and stopping are logged.
    """

    protocol: Optional[Callable[[], Any]] = None
    numPorts: int = 0
    noisy: bool = True

    @classmethod
    def forProtocol(
        cls: type[_FactoryT], protocol: Callable[[], Any], *args: Any, **kwargs: Any
    ) -> _FactoryT:
        """
        Make a factory of this class that builds C{protocol} instances.

        @param protocol: The callable to store as the new factory's C{protocol}.
        @param args: Positional arguments for the factory's constructor.
        @param kwargs: Keyword arguments for the factory's constructor.
        @return: The new factory.
        """
        factory = cls(*args, **kwargs)
        factory.protocol = protocol
        return factory

    def logPrefix(self) -> str:
        """
        @return: The prefix used for log events about this factory: the class name.
        """
        return self.__class__.__name__

    def doStart(self) -> None:
        """
        Note that one more port uses this factory; the first one starts it.

        On the first start this logs C{"Starting factory <repr>"} (when
        C{noisy}) and calls L{startFactory}.
        """
        if not self.numPorts:
            if self.noisy:
                _log.info("Starting factory {factory!r}", factory=self)
            self.startFactory()
        self.numPorts += 1

    def doStop(self) -> None:
        """
        Note that one port stopped using this factory; the last one stops it.

        When the count reaches zero this logs C{"Stopping factory <repr>"}
        (when C{noisy}) and calls L{stopFactory}. Calling it more often than
        L{doStart} does nothing.
        """
        if self.numPorts == 0:
            return
        self.numPorts -= 1
        if not self.numPorts:
            if self.noisy:
                _log.info("Stopping factory {factory!r}", factory=self)
            self.stopFactory()

    def startFactory(self) -> None:
        """
        Set up shared resources; called once before the first connection.

        Override this rather than C{__init__} for resources such as open files.
        """

    def stopFactory(self) -> None:
        """
        Release shared resources; called once after the last port stops.
        """

    def buildProtocol(self, addr: IAddress | Any) -> Optional[Any]:
        """
        Build the protocol for a new connection from C{addr}.

        The default calls C{self.protocol()} and sets the result's C{factory}
        attribute to this factory. Override it to pass arguments, or to return
        C{None} and refuse the connection.

        @param addr: The address of the peer (any object for tests).
        @return: The new protocol, or C{None} to refuse the connection.
        @raise TypeError: If C{protocol} is C{None}, or calling it without
            arguments fails.
        """
        protocolClass = self.protocol
        if protocolClass is None:
            raise TypeError(
                f"{self.__class__.__name__}.protocol is None: set the factory's "
                "'protocol' attribute or override buildProtocol()"
            )
        p = protocolClass()
        p.factory = self
        return p


class ServerFactory(Factory):
    """
    A factory for protocols accepted by a listening port.
    """


class ClientFactory(Factory):
    """
    A factory for outgoing connections, told about the connection's progress.

    The reactor's C{connect*} methods call L{startedConnecting} first, then
    either L{buildProtocol<Factory.buildProtocol>} (connected) or L{clientConnectionFailed}; after a
    connection was made and dropped, L{clientConnectionLost}.
    """

    def startedConnecting(self, connector: IConnector) -> None:
        """
        Called when a connection attempt starts.

        @param connector: The connector, which can C{stopConnecting()}.
        """

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        """
        Called when a connection could not be established.

        @param connector: The connector; C{connector.connect()} tries again.
        @param reason: Why it failed.
        """

    def clientConnectionLost(self, connector: IConnector, reason: Failure) -> None:
        """
        Called when an established connection was lost.

        @param connector: The connector; C{connector.connect()} reconnects.
        @param reason: Why it was lost.
        """


class ReconnectingClientFactory(ClientFactory):
    """
    A client factory that reconnects with exponential, jittered back-off.

    After each failed or lost connection the delay is multiplied by
    C{factor}, capped at C{maxDelay}, and spread by a normal variate with a
    standard deviation of C{delay * jitter}; then C{connector.connect()} is
    scheduled on C{clock}. Call L{resetDelay} once connected (usually in
    C{buildProtocol}) and L{stopTrying} to give up. Subclasses overriding
    C{clientConnectionLost}/C{clientConnectionFailed} must call these base
    methods for the reconnection to happen.

    @cvar maxDelay: The largest delay, in seconds, before jitter.
    @cvar initialDelay: The delay after L{resetDelay}.
    @cvar factor: The growth factor per attempt (e).
    @cvar jitter: The relative standard deviation applied to each delay.
    @cvar maxRetries: Give up after this many attempts; C{None} never gives up.
    @ivar delay: The delay used for the next retry.
    @ivar retries: The attempts made since the last L{resetDelay}.
    @ivar clock: The L{IReactorTime} used to schedule attempts; C{None} means
        the global reactor, looked up on first use.
    @ivar continueTrying: Whether a lost or failed connection is retried.
    @ivar connector: The connector most recently seen.
    """

    maxDelay: float = 3600
    initialDelay: float = 1.0
    factor: float = 2.7182818284590451
    jitter: float = 0.11962656472
    delay: float = initialDelay
    retries: int = 0
    maxRetries: Optional[int] = None
    _callID: Optional[IDelayedCall] = None
    connector: Optional[IConnector] = None
    clock: Optional[IReactorTime] = None
    continueTrying: int = 1

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        """
        Schedule a new attempt after a failed one (unless stopped).

        @param connector: The connector that failed.
        @param reason: Why it failed.
        """
        if self.continueTrying:
            self.connector = connector
            self.retry()

    def clientConnectionLost(self, connector: IConnector, reason: Failure) -> None:
        """
        Schedule a reconnection after a lost connection (unless stopped).

        @param connector: The connector whose connection was lost.
        @param reason: Why it was lost.
        """
        if self.continueTrying:
            self.connector = connector
            self.retry()

    def _nextDelay(self) -> float:
        """
        Grow, cap and jitter the delay.

        @return: The new delay (never negative).
        """
        delay = min(self.delay * self.factor, self.maxDelay)
        if self.jitter:
            delay = random.normalvariate(delay, delay * self.jitter)
        return max(0.0, delay)

    def retry(self, connector: Optional[IConnector] = None) -> None:
        """
        Schedule the next connection attempt.

        Does nothing once L{stopTrying} was called or C{maxRetries} attempts
        were made.

        @param connector: The connector to use; defaults to the last one seen.
        @raise ValueError: If no connector was given or seen.
        """
        if not self.continueTrying:
            if self.noisy:
                _log.info("Abandoning {connector} on explicit request", connector=connector)
            return
        if connector is None:
            if self.connector is None:
                raise ValueError("no connector to retry")
            connector = self.connector
        self.retries += 1
        if self.maxRetries is not None and self.retries > self.maxRetries:
            if self.noisy:
                _log.info(
                    "Abandoning {connector} after {retries} retries.",
                    connector=connector,
                    retries=self.retries,
                )
            return
        self.delay = self._nextDelay()
        if self.noisy:
            _log.info(
                "{connector} will retry in {delay} seconds",
                connector=connector,
                delay=int(self.delay),
            )
        target = connector

        def reconnector() -> None:
            self._callID = None
            target.connect()

        clock = self.clock
        if clock is None:
            # The global reactor, imported (and so installed) only when needed.
            globalReactor: Any = importlib.import_module("netframe.core.reactor")
            clock = self.clock = globalReactor
        assert clock is not None
        self._callID = clock.callLater(self.delay, reconnector)

    def stopTrying(self) -> None:
        """
        Stop reconnecting: cancel a scheduled attempt and stop one in progress.
        """
        if self._callID is not None:
            if self._callID.active():
                self._callID.cancel()
            self._callID = None
        self.continueTrying = 0
        if self.connector is not None:
            try:
                self.connector.stopConnecting()
            except error.NotConnectingError:
                pass

    def resetDelay(self) -> None:
        """
        Go back to C{initialDelay} and zero retries, and allow reconnection again.

        Call this once a connection succeeded.
        """
        self.delay = self.initialDelay
        self.retries = 0
        self._callID = None
        self.continueTrying = 1

    def __getstate__(self) -> dict[str, Any]:
        """
        @return: The instance state without the transient connection state,
            with the delay reset, for pickling.
        """
        state = self.__dict__.copy()
        for key in ("connector", "retries", "delay", "continueTrying", "_callID"):
            state.pop(key, None)
        return state


class _InstanceFactory(ClientFactory, Generic[_ProtocolT]):
    """
    The factory L{ClientCreator} uses: hands out one protocol instance once.

    The result (protocol or failure) is delivered from a zero-delay call so
    that the caller's Deferred fires after C{connectionMade}.
    """

    noisy = False

    def __init__(
        self, reactor: IReactorTime, instance: _ProtocolT, deferred: Deferred[_ProtocolT]
    ) -> None:
        """
        @param reactor: Used to deliver the result on the next loop pass.
        @param instance: The protocol to hand to the connection.
        @param deferred: Fired with C{instance} or the connection failure.
        """
        self.reactor = reactor
        self.instance = instance
        self.deferred: Optional[Deferred[_ProtocolT]] = deferred
        self.pending: Optional[IDelayedCall] = None

    def __repr__(self) -> str:
        """
        @return: C{"<ClientCreator factory: <protocol repr>>"}.
        """
        return f"<ClientCreator factory: {self.instance!r}>"

    def _fire(self, outcome: _ProtocolT | Failure) -> None:
        """
        Deliver the outcome to the Deferred, once.

        @param outcome: The protocol instance or a failure.
        """
        self.pending = None
        deferred, self.deferred = self.deferred, None
        if deferred is None:
            return
        if isinstance(outcome, Failure):
            deferred.errback(outcome)
        else:
            deferred.callback(outcome)

    def buildProtocol(self, addr: Any) -> _ProtocolT:
        """
        @param addr: The peer address (ignored).
        @return: The protocol instance given at construction.
        """
        self.pending = self.reactor.callLater(0, self._fire, self.instance)
        return self.instance

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        """
        Errback the Deferred with C{reason} on the next loop pass.

        @param connector: The connector that failed.
        @param reason: Why it failed.
        """
        self.pending = self.reactor.callLater(0, self._fire, reason)


class ClientCreator:
    """
    Connect a new instance of a protocol class and get a Deferred of it.

    The older client API; endpoints and C{connectProtocol} are preferred in
    new code. Each C{connect*} method builds C{protocolClass(*args,
    **kwargs)}, starts a connection with the reactor and returns a Deferred
    firing with the connected protocol, or failing with the connect error.
    Cancelling the Deferred disconnects the attempt.
    """

    def __init__(
        self, reactor: Any, protocolClass: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> None:
        """
        @param reactor: A reactor providing the C{connect*} methods used and
            L{IReactorTime}.
        @param protocolClass: Called with C{args} and C{kwargs} per connection.
        @param args: Positional arguments for C{protocolClass}.
        @param kwargs: Keyword arguments for C{protocolClass}.
        """
        self.reactor = reactor
        self.protocolClass = protocolClass
        self.args = args
        self.kwargs = kwargs

    def _connect(
        self, method: Callable[..., IConnector], *args: Any, **kwargs: Any
    ) -> Deferred[Any]:
        """
        Start a connection with C{method} and return the Deferred for it.

        @param method: The reactor's bound C{connect*} method.
        @param args: Positional arguments before the factory.
        @param kwargs: Keyword arguments, the factory included by this method.
        @return: A Deferred firing with the connected protocol.
        """
        factory: Optional[_InstanceFactory[Any]] = None
        connector: Optional[IConnector] = None

        def cancelConnect(deferred: Deferred[Any]) -> None:
            if connector is not None:
                connector.disconnect()
            if factory is not None and factory.pending is not None:
                if factory.pending.active():
                    factory.pending.cancel()
                factory.pending = None

        deferred: Deferred[Any] = Deferred(cancelConnect)
        factory = _InstanceFactory(
            self.reactor, self.protocolClass(*self.args, **self.kwargs), deferred
        )
        connector = method(*args, factory=factory, **kwargs)
        return deferred

    def connectTCP(
        self,
        host: str,
        port: int,
        timeout: float = 30,
        bindAddress: Optional[tuple[str, int]] = None,
    ) -> Deferred[Any]:
        """
        Connect over TCP.

        @param host: Host name or IP address.
        @param port: Port number.
        @param timeout: Seconds before the attempt is abandoned.
        @param bindAddress: Local C{(host, port)} to bind, or C{None}.
        @return: A Deferred firing with the connected protocol.
        """
        return self._connect(
            self.reactor.connectTCP, host, port, timeout=timeout, bindAddress=bindAddress
        )

    def connectUNIX(
        self, address: str, timeout: float = 30, checkPID: bool = False
    ) -> Deferred[Any]:
        """
        Connect to a UNIX domain socket.

        @param address: The socket path.
        @param timeout: Seconds before the attempt is abandoned.
        @param checkPID: Whether to check the server's PID lock file first.
        @return: A Deferred firing with the connected protocol.
        """
        return self._connect(self.reactor.connectUNIX, address, timeout=timeout, checkPID=checkPID)

    def connectSSL(
        self,
        host: str,
        port: int,
        contextFactory: Any,
        timeout: float = 30,
        bindAddress: Optional[tuple[str, int]] = None,
    ) -> Deferred[Any]:
        """
        Connect over TLS.

        @param host: Host name or IP address.
        @param port: Port number.
        @param contextFactory: The client TLS options.
        @param timeout: Seconds before the attempt is abandoned.
        @param bindAddress: Local C{(host, port)} to bind, or C{None}.
        @return: A Deferred firing with the connected protocol.
        """
        return self._connect(
            self.reactor.connectSSL,
            host,
            port,
            contextFactory=contextFactory,
            timeout=timeout,
            bindAddress=bindAddress,
        )


class BaseProtocol:
    """
    What every connection-oriented protocol has: a transport and a flag.

    @ivar connected: C{1} once L{makeConnection} was called.
    @ivar transport: The transport, set by L{makeConnection}.
    """

    connected: int = 0
    transport: Optional[ITransport] = None

    def makeConnection(self, transport: ITransport) -> None:
        """
        Attach the transport, then call L{connectionMade}.

        @param transport: The transport the protocol writes to.
        """
        self.connected = 1
        self.transport = transport
        self.connectionMade()

    def connectionMade(self) -> None:
        """
        Called once the connection is made; send greetings here.
        """


@implementer(IProtocol, ILoggingContext)
class Protocol(BaseProtocol):
    """
    The base class for stream protocols: override the event methods you need.

    The base class ignores all data it receives.

    @ivar factory: The factory that built this protocol, if any.
    """

    factory: Optional[Factory] = None

    def logPrefix(self) -> str:
        """
        @return: The prefix for log events about this connection: the class name.
        """
        return self.__class__.__name__

    def dataReceived(self, data: bytes) -> None:
        """
        Called with bytes from the peer, in chunks of any size.

        @param data: The bytes received.
        """

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        Called once when the connection is closed.

        @param reason: Why; usually wraps L{error.ConnectionDone} or
            L{error.ConnectionLost}.
        """


@implementer(IProcessProtocol)
class ProcessProtocol(BaseProtocol):
    """
    Receives the events of a child process; every method is a no-op.

    Output not read by a subclass is discarded.
    """

    transport: Any = None

    def childDataReceived(self, childFD: int, data: bytes) -> None:
        """
        Called with data from a child file descriptor.

        The default sends fd 1 to L{outReceived} and fd 2 to L{errReceived}.

        @param childFD: The child's file descriptor number.
        @param data: The bytes read.
        """
        if childFD == 1:
            self.outReceived(data)
        elif childFD == 2:
            self.errReceived(data)

    def outReceived(self, data: bytes) -> None:
        """
        Called with data from the child's standard output.

        @param data: The bytes read.
        """

    def errReceived(self, data: bytes) -> None:
        """
        Called with data from the child's standard error.

        @param data: The bytes read.
        """

    def childConnectionLost(self, childFD: int) -> None:
        """
        Called when a child file descriptor is closed.

        The default sends fd 0, 1 and 2 to L{inConnectionLost},
        L{outConnectionLost} and L{errConnectionLost}.

        @param childFD: The child's file descriptor number.
        """
        if childFD == 0:
            self.inConnectionLost()
        elif childFD == 1:
            self.outConnectionLost()
        elif childFD == 2:
            self.errConnectionLost()

    def inConnectionLost(self) -> None:
        """
        Called when the child's standard input is closed.
        """

    def outConnectionLost(self) -> None:
        """
        Called when the child's standard output is closed.
        """

    def errConnectionLost(self) -> None:
        """
        Called when the child's standard error is closed.
        """

    def processExited(self, reason: Failure) -> None:
        """
        Called when the child process exits (it may still hold open pipes).

        @param reason: Wraps L{error.ProcessDone} or L{error.ProcessTerminated}.
        """

    def processEnded(self, reason: Failure) -> None:
        """
        Called last: the child exited and all its pipes are closed.

        @param reason: Wraps L{error.ProcessDone} or L{error.ProcessTerminated}.
        """


class AbstractDatagramProtocol:
    """
    The base for datagram protocols: a transport and start/stop counting.

    @ivar transport: The datagram transport, while started.
    @ivar numPorts: How many ports use this protocol.
    @cvar noisy: Whether starting and stopping are logged.
    """

    transport: Any = None
    numPorts: int = 0
    noisy: bool = True

    def __getstate__(self) -> dict[str, Any]:
        """
        @return: The instance state without the transport, for pickling.
        """
        state = self.__dict__.copy()
        state["transport"] = None
        return state

    def doStart(self) -> None:
        """
        Note one more port uses this protocol; the first calls L{startProtocol}.
        """
        if not self.numPorts:
            if self.noisy:
                _log.info("Starting protocol {protocol!r}", protocol=self)
            self.startProtocol()
        self.numPorts += 1

    def doStop(self) -> None:
        """
        Note one port stopped; the last one calls L{stopProtocol}.

        The transport is dropped. Calling it more often than L{doStart} does
        nothing.
        """
        if self.numPorts == 0:
            return
        self.numPorts -= 1
        self.transport = None
        if not self.numPorts:
            if self.noisy:
                _log.info("Stopping protocol {protocol!r}", protocol=self)
            self.stopProtocol()

    def startProtocol(self) -> None:
        """
        Called when the protocol starts listening; set up here.
        """

    def stopProtocol(self) -> None:
        """
        Called when the protocol stops listening; tear down here.
        """

    def makeConnection(self, transport: Any) -> None:
        """
        Attach the datagram transport and start the protocol.

        @param transport: The datagram transport.
        @raise RuntimeError: If a transport is already attached.
        """
        if self.transport is not None:
            raise RuntimeError(f"{self!r} already has a transport: {self.transport!r}")
        self.transport = transport
        self.doStart()

    def datagramReceived(self, datagram: bytes, *args: Any, **kwargs: Any) -> None:
        """
        Called with each datagram received.

        Datagram ports call C{datagramReceived(datagram, addr)}, C{addr} being
        the sender's C{(host, port)}; a connected port calls
        L{ConnectedDatagramProtocol.datagramReceived} with the datagram only.
        The signature here is left open so that a subclass may override it
        with either form and still type-check.

        @param datagram: The payload.
        @param args: The sender's address, for an unconnected port.
        @param kwargs: Unused.
        """


@implementer(ILoggingContext)
class DatagramProtocol(AbstractDatagramProtocol):
    """
    The base class for UDP protocols.
    """

    def logPrefix(self) -> str:
        """
        @return: The prefix for log events about this protocol: the class name.
        """
        return self.__class__.__name__

    def connectionRefused(self) -> None:
        """
        Called when a datagram sent on a connected port was refused (ICMP).
        """


class ConnectedDatagramProtocol(DatagramProtocol):
    """
    A datagram protocol for a connected datagram socket with one fixed peer, as
    C{connectUNIXDatagram} makes: C{datagramReceived} gets the datagram only.

    A UDP port (C{listenUDP}), connected with C{transport.connect()} or not,
    takes a L{DatagramProtocol}: it always delivers C{datagramReceived(datagram,
    addr)}.
    """

    def datagramReceived(self, datagram: bytes) -> None:
        """
        Called with each datagram received from the connected peer (no
        address: the peer is fixed).

        @param datagram: The payload.
        """

    def connectionFailed(self, failure: Failure) -> None:
        """
        Called when the connection could not be set up (e.g. a failed lookup).

        @param failure: Why it failed.
        """
