"""
In-memory fakes of transports and reactors for unit tests.

Implementation module of L{netframe.core.testing}; import the names from there.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable, Iterator, Sequence
from io import BytesIO
from typing import Any, Optional, overload

from zope.interface import implementer

from netframe.core import error
from netframe.core._protocol import Protocol
from netframe.core._taskclock import Clock
from netframe.core.address import IPv4Address, IPv6Address, UNIXAddress
from netframe.core.defer import Deferred, succeed
from netframe.core.failure import Failure
from netframe.core.interfaces import (
    IConnector,
    IConsumer,
    IListeningPort,
    IPullProducer,
    IPushProducer,
    IReactorCore,
    IReactorFDSet,
    IReactorSocket,
    IReactorSSL,
    IReactorTCP,
    IReactorTime,
    IReactorUDP,
    IReactorUNIX,
    ITCPTransport,
)
from netframe.logger import ILogObserver, LogPublisher

__all__ = [
    "AccumulatingProtocol",
    "EventLoggingObserver",
    "MemoryReactor",
    "MemoryReactorClock",
    "NonStreamingProducer",
    "RaisingMemoryReactor",
    "StringTransport",
    "StringTransportWithDisconnection",
]

#: The peer address a L{StringTransport} reports unless given one.
_DEFAULT_PEER = IPv4Address("TCP", "192.168.1.1", 54321)
#: The host address a L{StringTransport} reports unless given one.
_DEFAULT_HOST = IPv4Address("TCP", "10.0.0.1", 12345)


@implementer(ITCPTransport, IConsumer, IPushProducer)
class StringTransport:
    """
    A transport that keeps everything written to it in memory.

    Give it to C{protocol.makeConnection()} and inspect L{value}. Nothing is
    ever delivered to a peer and closing only sets flags. It is also a push
    producer (the protocol can pause it) and a consumer (the protocol can
    register a producer with it).

    @ivar disconnecting: Set by C{loseConnection} and C{abortConnection}.
    @ivar aborted: Set by C{abortConnection}.
    @ivar connected: True until subclasses disconnect.
    @ivar producer: The registered producer, or C{None}.
    @ivar streaming: Whether the registered producer is a push producer.
    @ivar producerState: C{"producing"}, C{"paused"} or C{"stopped"}: what the
        protocol last asked of this transport as a producer.
    @ivar hostAddr: The address C{getHost} returns, if given.
    @ivar peerAddr: The address C{getPeer} returns, if given.
    @ivar io: The buffer the data is written to.
    """

    disconnecting: bool = False
    aborted: bool = False
    producer: Any = None
    streaming: Optional[bool] = None
    hostAddr: Any = None
    peerAddr: Any = None
    producerState: str = "producing"
    writeDisconnected: bool = False
    tcpNoDelay: bool = False
    tcpKeepAlive: bool = False

    def __init__(self, hostAddress: Any = None, peerAddress: Any = None) -> None:
        """
        @param hostAddress: What C{getHost} returns; an C{IPv4Address} for
            10.0.0.1:12345 by default.
        @param peerAddress: What C{getPeer} returns; an C{IPv4Address} for
            192.168.1.1:54321 by default.
        """
        self.clear()
        if hostAddress is not None:
            self.hostAddr = hostAddress
        if peerAddress is not None:
            self.peerAddr = peerAddress
        self.connected = True

    def clear(self) -> None:
        """
        Forget everything written so far.
        """
        self.io = BytesIO()

    def value(self) -> bytes:
        """
        @return: Everything written since creation or the last L{clear}.
        """
        return self.io.getvalue()

    def write(self, data: bytes) -> None:
        """
        Record C{data}.

        @param data: The bytes to write.
        @raise TypeError: If C{data} is not bytes.
        """
        if not isinstance(data, bytes):
            raise TypeError(f"Data must be bytes, not {type(data).__name__}: {data!r}")
        self.io.write(data)

    def writeSequence(self, data: Iterable[bytes]) -> None:
        """
        Record each element of C{data}.

        @param data: The bytes strings to write.
        @raise TypeError: If an element is not bytes.
        """
        for chunk in data:
            self.write(chunk)

    def loseConnection(self) -> None:
        """
        Note that the protocol asked to close: sets C{disconnecting}.
        """
        self.disconnecting = True

    def abortConnection(self) -> None:
        """
        Note that the protocol asked to abort: sets C{aborted} and C{disconnecting}.
        """
        self.aborted = True
        self.loseConnection()

    def loseWriteConnection(self) -> None:
        """
        Note that the protocol half-closed: sets C{writeDisconnected}.
        """
        self.writeDisconnected = True

    def getPeer(self) -> Any:
        """
        @return: The peer address given at construction, or 192.168.1.1:54321.
        """
        if self.peerAddr is None:
            return _DEFAULT_PEER
        return self.peerAddr

    def getHost(self) -> Any:
        """
        @return: The host address given at construction, or 10.0.0.1:12345.
        """
        if self.hostAddr is None:
            return _DEFAULT_HOST
        return self.hostAddr

    def getTcpNoDelay(self) -> bool:
        """
        @return: The value last given to L{setTcpNoDelay} (False initially).
        """
        return self.tcpNoDelay

    def setTcpNoDelay(self, enabled: bool) -> None:
        """
        @param enabled: Recorded in C{tcpNoDelay}.
        """
        self.tcpNoDelay = bool(enabled)

    def getTcpKeepAlive(self) -> bool:
        """
        @return: The value last given to L{setTcpKeepAlive} (False initially).
        """
        return self.tcpKeepAlive

    def setTcpKeepAlive(self, enabled: bool) -> None:
        """
        @param enabled: Recorded in C{tcpKeepAlive}.
        """
        self.tcpKeepAlive = bool(enabled)

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """
        Record a producer.

        @param producer: The producer.
        @param streaming: True for a push producer, False for a pull producer.
        @raise RuntimeError: If a producer is already registered.
        """
        if self.producer is not None:
            raise RuntimeError("Cannot register two producers")
        self.producer = producer
        self.streaming = streaming

    def unregisterProducer(self) -> None:
        """
        Forget the registered producer.

        @raise RuntimeError: If no producer is registered.
        """
        if self.producer is None:
            raise RuntimeError("Cannot unregister a producer unless one is registered")
        self.producer = None
        self.streaming = None

    def _checkState(self) -> None:
        """
        @raise RuntimeError: If the transport is closing or was stopped.
        """
        if self.disconnecting:
            raise RuntimeError("Cannot resume producing after loseConnection")
        if self.producerState == "stopped":
            raise RuntimeError("Cannot resume a stopped producer")

    def pauseProducing(self) -> None:
        """
        Record that the protocol paused reading: C{producerState = "paused"}.

        @raise RuntimeError: If closing or stopped.
        """
        self._checkState()
        self.producerState = "paused"

    def stopProducing(self) -> None:
        """
        Record that the protocol stopped reading: C{producerState = "stopped"}.
        """
        self.producerState = "stopped"

    def resumeProducing(self) -> None:
        """
        Record that the protocol resumed reading: C{producerState = "producing"}.

        @raise RuntimeError: If closing or stopped.
        """
        self._checkState()
        self.producerState = "producing"


class StringTransportWithDisconnection(StringTransport):
    """
    A L{StringTransport} whose C{loseConnection} tells the protocol.

    Set C{protocol}; the first C{loseConnection} calls its
    C{connectionLost} with a L{Failure} of L{error.ConnectionDone}.

    @ivar protocol: The protocol to notify.
    """

    protocol: Any = None

    def loseConnection(self) -> None:
        """
        Close once: mark disconnected and call C{protocol.connectionLost}.
        """
        if self.connected:
            self.connected = False
            self.disconnecting = True
            if self.protocol is not None:
                self.protocol.connectionLost(Failure(error.ConnectionDone("Bye.")))


class AccumulatingProtocol(Protocol):
    """
    A protocol that records what happens to it, for tests.

    @ivar made: C{1} once connected.
    @ivar data: All bytes received.
    @ivar closed: C{1} once the connection was lost.
    @ivar closedReason: The reason given to C{connectionLost}.
    @ivar madeDeferred: If set, fired with the protocol on C{connectionMade}.
    @ivar closedDeferred: If set, fired with C{None} on C{connectionLost}.
    @cvar MAX_LENGTH: Unused limit kept for compatibility.

    When the factory has a C{protocolConnectionMade} Deferred it is fired
    with the protocol (once) as well.
    """

    MAX_LENGTH = 16384
    made: int = 0
    closed: int = 0
    data: bytes = b""
    closedReason: Optional[Failure] = None
    madeDeferred: Optional[Deferred[AccumulatingProtocol]] = None
    closedDeferred: Optional[Deferred[None]] = None

    def connectionMade(self) -> None:
        """
        Note the connection and fire C{madeDeferred} / the factory's
        C{protocolConnectionMade}.
        """
        self.made = 1
        self.data = b""
        deferred, self.madeDeferred = self.madeDeferred, None
        if deferred is not None:
            deferred.callback(self)
        factoryDeferred = getattr(self.factory, "protocolConnectionMade", None)
        if factoryDeferred is not None:
            assert self.factory is not None
            self.factory.protocolConnectionMade = None  # type: ignore[attr-defined]
            factoryDeferred.callback(self)

    def dataReceived(self, data: bytes) -> None:
        """
        @param data: Appended to C{data}.
        """
        self.data += data

    def connectionLost(self, reason: Failure = Failure(error.ConnectionDone())) -> None:  # noqa: B008
        """
        Note the loss and fire C{closedDeferred}.

        @param reason: Kept in C{closedReason}.
        """
        self.closed = 1
        self.closedReason = reason
        deferred, self.closedDeferred = self.closedDeferred, None
        if deferred is not None:
            deferred.callback(None)


@implementer(IPullProducer)
class NonStreamingProducer:
    """
    A pull producer writing ten counter values to a consumer, for tests.

    Each C{resumeProducing} writes the next number (as ASCII); after ten it
    unregisters itself and fires C{result}.

    @ivar consumer: The consumer written to.
    @ivar counter: How many writes were made.
    @ivar stopped: Whether C{stopProducing} was called.
    @ivar result: Fires with C{None} after the tenth write.
    """

    def __init__(self, consumer: Any) -> None:
        """
        @param consumer: The consumer to write to.
        """
        self.consumer = consumer
        self.counter = 0
        self.stopped = False
        self.result: Deferred[None] = Deferred()

    def resumeProducing(self) -> None:
        """
        Write the next value; after the tenth, unregister and fire C{result}.

        @raise RuntimeError: If called after finishing.
        """
        if self.consumer is None or self.counter >= 10:
            raise RuntimeError("BUG: resume after unregister/stop.")
        self.consumer.write(b"%d" % (self.counter,))
        self.counter += 1
        if self.counter == 10:
            self.consumer.unregisterProducer()
            self._done()

    def pauseProducing(self) -> None:
        """
        A pull producer is never paused.

        @raise RuntimeError: Always.
        """
        raise RuntimeError("BUG: pause should never be called.")

    def _done(self) -> None:
        """
        Drop the consumer and fire C{result}.
        """
        self.consumer = None
        deferred, self.result = self.result, Deferred()
        deferred.callback(None)

    def stopProducing(self) -> None:
        """
        Stop: note it, drop the consumer and fire C{result}.
        """
        self.stopped = True
        self._done()


@implementer(IListeningPort)
class _FakePort:
    """
    The listening port a L{MemoryReactor} returns.

    @ivar listening: Whether the port is (pretend-)listening.
    """

    def __init__(self, hostAddress: Any) -> None:
        """
        @param hostAddress: What C{getHost} returns.
        """
        self._hostAddress = hostAddress
        self.listening = True

    def startListening(self) -> None:
        """
        Mark the port listening.
        """
        self.listening = True

    def stopListening(self) -> Deferred[None]:
        """
        Mark the port stopped.

        @return: An already fired Deferred.
        """
        self.listening = False
        return succeed(None)

    def getHost(self) -> Any:
        """
        @return: The address the port listens on.
        """
        return self._hostAddress


@implementer(IConnector)
class _FakeConnector:
    """
    The connector a L{MemoryReactor} returns from C{connect*}.

    @ivar stoppedConnecting: Whether C{stopConnecting} was called.
    @ivar connectCalls: How many times C{connect} was called.
    """

    def __init__(self, address: Any) -> None:
        """
        @param address: What C{getDestination} returns.
        """
        self._address = address
        self._disconnected = False
        self.stoppedConnecting = False
        self.connectCalls = 0

    def getDestination(self) -> Any:
        """
        @return: The address being connected to.
        """
        return self._address

    def disconnect(self) -> None:
        """
        Record a disconnect request.
        """
        self._disconnected = True

    def stopConnecting(self) -> None:
        """
        Record a request to stop the connection attempt.
        """
        self.stoppedConnecting = True

    def connect(self) -> None:
        """
        Record a (re)connection request.
        """
        self.connectCalls += 1


def _isIPv6(host: str) -> bool:
    """
    @param host: A host string.
    @return: Whether it is an IPv6 address literal.
    """
    try:
        socket.inet_pton(socket.AF_INET6, host.split("%", 1)[0])
    except (OSError, ValueError):
        return False
    return True


@implementer(
    IReactorCore,
    IReactorTCP,
    IReactorSSL,
    IReactorUNIX,
    IReactorUDP,
    IReactorSocket,
    IReactorFDSet,
)
class MemoryReactor:
    """
    A reactor that records what it is asked to do and does none of it.

    C{listen*} calls are appended to C{tcpServers}, C{sslServers},
    C{unixServers}, C{udpServers}; C{connect*} calls to C{tcpClients},
    C{sslClients}, C{unixClients} (the factory's C{startedConnecting} is
    called with the returned connector, also kept in C{connectors}). Tests then
    pick the factory out of the record and drive it by hand.

    C{run()} sets C{running} and C{hasRun}, runs the C{callWhenRunning}
    calls, then calls C{stop()} (which sets C{hasStopped}).
    C{fireSystemEvent} runs the triggers added for the event, phase by phase.

    @ivar hasInstalled: Whether C{install} was called.
    @ivar running: Whether the reactor is running.
    @ivar hasRun: Whether C{run} was called.
    @ivar hasStopped: Whether C{stop} was called.
    @ivar hasCrashed: Whether C{crash} was called.
    @ivar whenRunningHooks: The C{(callable, args, kwargs)} given to
        C{callWhenRunning}.
    @ivar triggers: C{{phase: {eventType: [(callable, args, kwargs)]}}}.
    """

    def __init__(self) -> None:
        """
        Make a reactor with nothing recorded.
        """
        self.hasInstalled = False
        self.running = False
        self.hasRun = False
        self.hasStopped = False
        self.hasCrashed = False
        self.whenRunningHooks: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
        self.triggers: dict[
            str, dict[str, list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]]
        ] = {}
        self.tcpClients: list[tuple[Any, ...]] = []
        self.tcpServers: list[tuple[Any, ...]] = []
        self.sslClients: list[tuple[Any, ...]] = []
        self.sslServers: list[tuple[Any, ...]] = []
        self.unixClients: list[tuple[Any, ...]] = []
        self.unixServers: list[tuple[Any, ...]] = []
        self.udpServers: list[tuple[Any, ...]] = []
        self.adoptedPorts: list[tuple[Any, ...]] = []
        self.adoptedStreamConnections: list[tuple[Any, ...]] = []
        self.adoptedDatagramPorts: list[tuple[Any, ...]] = []
        self.connectors: list[_FakeConnector] = []
        self.readers: set[Any] = set()
        self.writers: set[Any] = set()

    def install(self) -> None:
        """
        Record that the reactor was installed (nothing is installed).
        """
        self.hasInstalled = True

    def resolve(self, name: str, timeout: Sequence[int] = (1, 3, 11, 45)) -> Deferred[str]:
        """
        Name resolution is not faked.

        @param name: The host name.
        @param timeout: Ignored.
        @raise NotImplementedError: Always.
        """
        raise NotImplementedError("MemoryReactor does not resolve names")

    def run(self) -> None:
        """
        Pretend to run: set C{running}/C{hasRun}, run the C{callWhenRunning}
        calls, then L{stop}.

        @raise error.ReactorAlreadyRunning: If already running.
        """
        if self.running:
            raise error.ReactorAlreadyRunning()
        self.running = True
        self.hasRun = True
        hooks, self.whenRunningHooks = self.whenRunningHooks, []
        for f, args, kwargs in hooks:
            f(*args, **kwargs)
        self.stop()

    def stop(self) -> None:
        """
        Pretend to stop: clear C{running}, set C{hasStopped}.
        """
        self.running = False
        self.hasStopped = True

    def crash(self) -> None:
        """
        Pretend to crash: C{running} becomes C{None}, C{hasCrashed} is set.
        """
        self.running = None  # type: ignore[assignment]
        self.hasCrashed = True

    def iterate(self, delay: float = 0) -> None:
        """
        There is no I/O to iterate over.

        @param delay: Ignored.
        @raise NotImplementedError: Always.
        """
        raise NotImplementedError("MemoryReactor has no I/O to iterate over")

    def fireSystemEvent(self, eventType: str) -> None:
        """
        Run the triggers of C{eventType}: all C{"before"}, then C{"during"},
        then C{"after"} ones, each in the order added.

        @param eventType: The event, e.g. C{"shutdown"}.
        """
        for phase in ("before", "during", "after"):
            for f, args, kwargs in list(self.triggers.get(phase, {}).get(eventType, [])):
                f(*args, **kwargs)

    def addSystemEventTrigger(
        self, phase: str, eventType: str, callable: Callable[..., Any], *args: Any, **kw: Any
    ) -> Any:
        """
        Record a trigger in C{triggers[phase][eventType]}.

        @param phase: C{"before"}, C{"during"} or C{"after"}.
        @param eventType: The event, e.g. C{"shutdown"}.
        @param callable: What to call.
        @param args: Its positional arguments.
        @param kw: Its keyword arguments.
        @return: An ID for L{removeSystemEventTrigger}.
        @raise ValueError: If C{phase} is not one of the three.
        """
        if phase not in ("before", "during", "after"):
            raise ValueError(f"phase must be 'before', 'during' or 'after', not {phase!r}")
        entry = (callable, args, kw)
        self.triggers.setdefault(phase, {}).setdefault(eventType, []).append(entry)
        return (phase, eventType, entry)

    def removeSystemEventTrigger(self, triggerID: Any) -> None:
        """
        Remove a trigger added by L{addSystemEventTrigger}.

        @param triggerID: The ID it returned.
        @raise ValueError: If the ID is unknown or already removed.
        """
        try:
            phase, eventType, entry = triggerID
            entries = self.triggers[phase][eventType]
            index = next(i for i, e in enumerate(entries) if e is entry)
        except (KeyError, TypeError, ValueError, StopIteration):
            raise ValueError(f"unknown system event trigger {triggerID!r}") from None
        del entries[index]

    def callWhenRunning(self, callable: Callable[..., Any], *args: Any, **kw: Any) -> None:
        """
        Record a call for L{run} to make.

        @param callable: What to call.
        @param args: Its positional arguments.
        @param kw: Its keyword arguments.
        """
        self.whenRunningHooks.append((callable, args, kw))

    def adoptStreamPort(self, fileDescriptor: int, addressFamily: int, factory: Any) -> _FakePort:
        """
        Record an adopted listening socket in C{adoptedPorts}.

        @param fileDescriptor: The socket's file descriptor.
        @param addressFamily: C{AF_INET} or C{AF_INET6}.
        @param factory: The server factory.
        @return: A fake port at 0.0.0.0:1234 or [::]:1234.
        @raise error.UnsupportedAddressFamily: For other families.
        """
        if addressFamily == socket.AF_INET:
            address: Any = IPv4Address("TCP", "0.0.0.0", 1234)
        elif addressFamily == socket.AF_INET6:
            address = IPv6Address("TCP", "::", 1234)
        else:
            raise error.UnsupportedAddressFamily(addressFamily)
        self.adoptedPorts.append((fileDescriptor, addressFamily, factory))
        return _FakePort(address)

    def adoptStreamConnection(self, fileDescriptor: int, addressFamily: int, factory: Any) -> None:
        """
        Record an adopted connected socket in C{adoptedStreamConnections}.

        @param fileDescriptor: The socket's file descriptor.
        @param addressFamily: The socket's family.
        @param factory: The factory for its protocol.
        """
        self.adoptedStreamConnections.append((fileDescriptor, addressFamily, factory))

    def adoptDatagramPort(
        self, fileDescriptor: int, addressFamily: int, protocol: Any, maxPacketSize: int = 8192
    ) -> _FakePort:
        """
        Record an adopted datagram socket in C{adoptedDatagramPorts}.

        @param fileDescriptor: The socket's file descriptor.
        @param addressFamily: The socket's family.
        @param protocol: The datagram protocol.
        @param maxPacketSize: The largest datagram accepted.
        @return: A fake port at 0.0.0.0:1234.
        """
        self.adoptedDatagramPorts.append((fileDescriptor, addressFamily, protocol, maxPacketSize))
        return _FakePort(IPv4Address("UDP", "0.0.0.0", 1234))

    def listenTCP(
        self, port: int, factory: Any, backlog: int = 50, interface: str = ""
    ) -> _FakePort:
        """
        Record C{(port, factory, backlog, interface)} in C{tcpServers}.

        @return: A fake port on C{interface} (IPv6 literal) or 0.0.0.0.
        """
        self.tcpServers.append((port, factory, backlog, interface))
        if _isIPv6(interface):
            return _FakePort(IPv6Address("TCP", interface, port))
        return _FakePort(IPv4Address("TCP", "0.0.0.0", port))

    def _connector(self, address: Any, factory: Any) -> _FakeConnector:
        """
        Make a connector, tell the factory it started connecting, record it.

        @param address: The destination.
        @param factory: The client factory.
        @return: The connector.
        """
        connector = _FakeConnector(address)
        factory.startedConnecting(connector)
        self.connectors.append(connector)
        return connector

    def connectTCP(
        self,
        host: str,
        port: int,
        factory: Any,
        timeout: float = 30,
        bindAddress: Optional[tuple[str, int]] = None,
    ) -> _FakeConnector:
        """
        Record C{(host, port, factory, timeout, bindAddress)} in C{tcpClients}.

        @return: A fake connector to C{host:port}.
        """
        self.tcpClients.append((host, port, factory, timeout, bindAddress))
        if _isIPv6(host):
            return self._connector(IPv6Address("TCP", host, port), factory)
        return self._connector(IPv4Address("TCP", host, port), factory)

    def listenSSL(
        self, port: int, factory: Any, contextFactory: Any, backlog: int = 50, interface: str = ""
    ) -> _FakePort:
        """
        Record C{(port, factory, contextFactory, backlog, interface)} in C{sslServers}.

        @return: A fake port on 0.0.0.0.
        """
        self.sslServers.append((port, factory, contextFactory, backlog, interface))
        return _FakePort(IPv4Address("TCP", "0.0.0.0", port))

    def connectSSL(
        self,
        host: str,
        port: int,
        factory: Any,
        contextFactory: Any,
        timeout: float = 30,
        bindAddress: Optional[tuple[str, int]] = None,
    ) -> _FakeConnector:
        """
        Record C{(host, port, factory, contextFactory, timeout, bindAddress)}
        in C{sslClients}.

        @return: A fake connector to C{host:port}.
        """
        self.sslClients.append((host, port, factory, contextFactory, timeout, bindAddress))
        return self._connector(IPv4Address("TCP", host, port), factory)

    def listenUNIX(
        self, address: str, factory: Any, backlog: int = 50, mode: int = 0o666, wantPID: int = 0
    ) -> _FakePort:
        """
        Record C{(address, factory, backlog, mode, wantPID)} in C{unixServers}.

        @return: A fake port at C{address}.
        """
        self.unixServers.append((address, factory, backlog, mode, wantPID))
        return _FakePort(UNIXAddress(address))

    def connectUNIX(
        self, address: str, factory: Any, timeout: float = 30, checkPID: int = 0
    ) -> _FakeConnector:
        """
        Record C{(address, factory, timeout, checkPID)} in C{unixClients}.

        @return: A fake connector to C{address}.
        """
        self.unixClients.append((address, factory, timeout, checkPID))
        return self._connector(UNIXAddress(address), factory)

    def listenUDP(
        self, port: int, protocol: Any, interface: str = "", maxPacketSize: int = 8192
    ) -> _FakePort:
        """
        Record C{(port, protocol, interface, maxPacketSize)} in C{udpServers}.

        @return: A fake port on C{interface} or 0.0.0.0.
        """
        self.udpServers.append((port, protocol, interface, maxPacketSize))
        if _isIPv6(interface):
            return _FakePort(IPv6Address("UDP", interface, port))
        return _FakePort(IPv4Address("UDP", "0.0.0.0", port))

    def addReader(self, reader: Any) -> None:
        """
        @param reader: Added to C{readers}.
        """
        self.readers.add(reader)

    def removeReader(self, reader: Any) -> None:
        """
        @param reader: Removed from C{readers} (if present).
        """
        self.readers.discard(reader)

    def addWriter(self, writer: Any) -> None:
        """
        @param writer: Added to C{writers}.
        """
        self.writers.add(writer)

    def removeWriter(self, writer: Any) -> None:
        """
        @param writer: Removed from C{writers} (if present).
        """
        self.writers.discard(writer)

    def removeAll(self) -> list[Any]:
        """
        Remove every reader and writer.

        @return: The readers and writers that were registered.
        """
        removed = list(self.readers | self.writers)
        self.readers.clear()
        self.writers.clear()
        return removed

    def getReaders(self) -> list[Any]:
        """
        @return: The registered readers.
        """
        return list(self.readers)

    def getWriters(self) -> list[Any]:
        """
        @return: The registered writers.
        """
        return list(self.writers)


@implementer(IReactorTime)
class MemoryReactorClock(MemoryReactor, Clock):
    """
    A L{MemoryReactor} that is also a L{Clock}: C{callLater} and C{advance} work.
    """

    def __init__(self) -> None:
        """
        Make a reactor with nothing recorded at fake time 0.0.
        """
        MemoryReactor.__init__(self)
        Clock.__init__(self)


class RaisingMemoryReactor(MemoryReactor):
    """
    A L{MemoryReactor} whose C{listen*} and C{connect*} methods raise.

    @ivar _listenException: Raised by every C{listen*} and C{adopt*Port}.
    @ivar _connectException: Raised by every C{connect*}.
    """

    def __init__(
        self,
        listenException: Optional[BaseException] = None,
        connectException: Optional[BaseException] = None,
    ) -> None:
        """
        @param listenException: What the C{listen*} methods raise.
        @param connectException: What the C{connect*} methods raise.
        """
        MemoryReactor.__init__(self)
        self._listenException = listenException
        self._connectException = connectException

    def _raiseListen(self) -> Any:
        """
        @raise BaseException: The listen exception.
        """
        if self._listenException is None:
            raise RuntimeError("RaisingMemoryReactor was given no listenException")
        raise self._listenException

    def _raiseConnect(self) -> Any:
        """
        @raise BaseException: The connect exception.
        """
        if self._connectException is None:
            raise RuntimeError("RaisingMemoryReactor was given no connectException")
        raise self._connectException

    def adoptStreamPort(self, fileDescriptor: int, addressFamily: int, factory: Any) -> _FakePort:
        """
        @raise BaseException: The listen exception.
        """
        return self._raiseListen()  # type: ignore[no-any-return]

    def listenTCP(
        self, port: int, factory: Any, backlog: int = 50, interface: str = ""
    ) -> _FakePort:
        """
        @raise BaseException: The listen exception.
        """
        return self._raiseListen()  # type: ignore[no-any-return]

    def connectTCP(
        self,
        host: str,
        port: int,
        factory: Any,
        timeout: float = 30,
        bindAddress: Optional[tuple[str, int]] = None,
    ) -> _FakeConnector:
        """
        @raise BaseException: The connect exception.
        """
        return self._raiseConnect()  # type: ignore[no-any-return]

    def listenSSL(
        self, port: int, factory: Any, contextFactory: Any, backlog: int = 50, interface: str = ""
    ) -> _FakePort:
        """
        @raise BaseException: The listen exception.
        """
        return self._raiseListen()  # type: ignore[no-any-return]

    def connectSSL(
        self,
        host: str,
        port: int,
        factory: Any,
        contextFactory: Any,
        timeout: float = 30,
        bindAddress: Optional[tuple[str, int]] = None,
    ) -> _FakeConnector:
        """
        @raise BaseException: The connect exception.
        """
        return self._raiseConnect()  # type: ignore[no-any-return]

    def listenUNIX(
        self, address: str, factory: Any, backlog: int = 50, mode: int = 0o666, wantPID: int = 0
    ) -> _FakePort:
        """
        @raise BaseException: The listen exception.
        """
        return self._raiseListen()  # type: ignore[no-any-return]

    def connectUNIX(
        self, address: str, factory: Any, timeout: float = 30, checkPID: int = 0
    ) -> _FakeConnector:
        """
        @raise BaseException: The connect exception.
        """
        return self._raiseConnect()  # type: ignore[no-any-return]

    def listenUDP(
        self, port: int, protocol: Any, interface: str = "", maxPacketSize: int = 8192
    ) -> _FakePort:
        """
        @raise BaseException: The listen exception.
        """
        return self._raiseListen()  # type: ignore[no-any-return]


@implementer(ILogObserver)
class EventLoggingObserver(Sequence[dict[str, Any]]):
    """
    A log observer that keeps every event it sees, as a sequence.

    Add it to a publisher (or use L{createWithCleanup}) and then inspect
    C{len(observer)} and C{observer[i]}.
    """

    def __init__(self) -> None:
        """
        Start with no events.
        """
        self._events: list[dict[str, Any]] = []

    def __len__(self) -> int:
        """
        @return: The number of events seen.
        """
        return len(self._events)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | Sequence[dict[str, Any]]:
        """
        @param index: An index or slice.
        @return: The event(s) at C{index}.
        """
        return self._events[index]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """
        @return: An iterator over the events seen.
        """
        return iter(self._events)

    def __call__(self, event: dict[str, Any]) -> None:
        """
        Record an event.

        @param event: The log event.
        """
        self._events.append(event)

    @classmethod
    def createWithCleanup(cls, testInstance: Any, publisher: LogPublisher) -> EventLoggingObserver:
        """
        Make an observer, add it to C{publisher} and remove it at test cleanup.

        @param testInstance: Anything with C{addCleanup(callable)} (a trial
            TestCase).
        @param publisher: The publisher to observe (e.g. C{globalLogPublisher}).
        @return: The observer.
        """
        observer = cls()
        publisher.addObserver(observer)
        testInstance.addCleanup(lambda: publisher.removeObserver(observer))
        return observer
