"""
The interfaces of netframe's networking core (Twisted's C{twisted.internet.interfaces}).

Each is a C{zope.interface.Interface}: a reactor, transport, protocol or
endpoint declares what it provides with C{@implementer(...)} and callers check with
C{IFoo.providedBy(obj)} or adapt with C{IFoo(obj)}.  The docstrings state the
contract every provider keeps.

Reactor interfaces: L{IReactorCore}, L{IReactorTime},
L{IReactorTCP}, L{IReactorSSL}, L{IReactorUNIX},
L{IReactorUNIXDatagram}, L{IReactorUDP}, L{IReactorMulticast},
L{IReactorSocket}, L{IReactorProcess}, L{IReactorThreads} (with
L{IReactorFromThreads} and L{IReactorInThreads}),
L{IReactorPluggableResolver}, L{IReactorFDSet}.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

from zope.interface import Attribute, Interface

if TYPE_CHECKING:
    from OpenSSL.SSL import Connection as _OpenSSLConnection

    from netframe.core.defer import Deferred
    from netframe.core.failure import Failure

__all__ = [
    "IAcceptableCiphers",
    "IAddress",
    "IConnector",
    "IConsumer",
    "IDelayedCall",
    "IFileDescriptor",
    "IFileDescriptorReceiver",
    "IHalfCloseableDescriptor",
    "IHalfCloseableProtocol",
    "IHandshakeListener",
    "IListeningPort",
    "ILoggingContext",
    "IMulticastTransport",
    "IOpenSSLClientConnectionCreator",
    "IOpenSSLServerConnectionCreator",
    "IOpenSSLTrustRoot",
    "IProcessProtocol",
    "IProcessTransport",
    "IProducer",
    "IProtocol",
    "IProtocolFactory",
    "IProtocolNegotiationFactory",
    "IPullProducer",
    "IPushProducer",
    "IReactorCore",
    "IReactorFDSet",
    "IReactorFromThreads",
    "IReactorInThreads",
    "IReactorMulticast",
    "IReactorPluggableResolver",
    "IReactorProcess",
    "IReactorSSL",
    "IReactorSocket",
    "IReactorTCP",
    "IReactorThreads",
    "IReactorTime",
    "IReactorUDP",
    "IReactorUNIX",
    "IReactorUNIXDatagram",
    "IReadDescriptor",
    "IReadWriteDescriptor",
    "IResolverSimple",
    "ISSLTransport",
    "IStreamClientEndpoint",
    "IStreamClientEndpointStringParserWithReactor",
    "IStreamServerEndpoint",
    "IStreamServerEndpointStringParser",
    "ISystemHandle",
    "ITCPTransport",
    "ITLSTransport",
    "ITransport",
    "IUDPTransport",
    "IUNIXDatagramConnectedTransport",
    "IUNIXDatagramTransport",
    "IUNIXTransport",
    "IWriteDescriptor",
]

#: The default resolver timeouts: seconds to wait on each successive retry.
_RESOLVER_TIMEOUTS = (1, 3, 11, 45)


# -- addresses and names ------------------------------------------------------------


class IAddress(Interface):
    """
    The address of one end of a connection or of a listening port.

    A marker: concrete addresses (C{IPv4Address}, C{IPv6Address}, C{UNIXAddress} in
    L{netframe.core.address}) carry their own attributes.  Addresses compare by
    value and are hashable.
    """


class IResolverSimple(Interface):
    """A name resolver turning a host name into one IPv4 address."""

    def getHostByName(name: str, timeout: tuple[int, ...] = _RESOLVER_TIMEOUTS) -> Deferred[str]:
        """
        Resolve C{name} to an IPv4 address.

        @param name: the host name; an address literal resolves to itself.
        @param timeout: seconds to wait on each successive attempt; the whole lookup
            fails once they are used up.
        @return: a Deferred firing with the dotted-quad address, or failing with
            C{netframe.core.error.DNSLookupError} both when there is no such name and
            when the timeouts are used up without an answer (the message then says
            C{timeout error}); trap C{DNSLookupError} to handle every failed lookup.
        """


# -- reactor ------------------------------------------------------------------------


class IReactorCore(Interface):
    """The event loop itself: running, stopping, system events and name resolution."""

    running = Attribute(
        "C{True} from the time the reactor has started running (after the 'startup' "
        "event's 'during' phase) until it begins shutting down; C{False} otherwise."
    )

    def resolve(name: str, timeout: tuple[int, ...] = _RESOLVER_TIMEOUTS) -> Deferred[str]:
        """
        Resolve C{name} to an IPv4 address with the installed resolver.

        @param name: the host name.
        @param timeout: retry timeouts in seconds, as for
            L{IResolverSimple.getHostByName}.
        @return: a Deferred firing with the address text, or failing with
            C{netframe.core.error.DNSLookupError} (no such name, or no answer before
            the timeouts are used up).
        """

    def run() -> None:
        """
        Fire the 'startup' event, then run the event loop until L{stop} is called.

        Blocks the calling thread; returns after the 'shutdown' event has completed.

        @raise netframe.core.error.ReactorAlreadyRunning: if already running.
        @raise netframe.core.error.ReactorNotRestartable: if run before and stopped.
        """

    def stop() -> None:
        """
        Stop the event loop: fire the 'shutdown' event, then return from L{run}.

        Delayed calls not yet run are abandoned.

        @raise netframe.core.error.ReactorNotRunning: if not running (or already
            stopping).
        """

    def crash() -> None:
        """
        Stop the event loop at once, without firing the 'shutdown' event.

        Meant for test harnesses; applications use L{stop}.
        """

    def iterate(delay: float = 0) -> None:
        """
        Run one iteration of the event loop: due calls and ready I/O.

        Not for use in applications or tests (it breaks reentrancy guarantees).

        @param delay: the most seconds to wait for I/O.
        """

    def fireSystemEvent(eventType: str) -> None:
        """
        Fire a system event: run its 'before', 'during' then 'after' triggers.

        A 'before' trigger returning a Deferred delays the later phases until it fires.

        @param eventType: the event name ('startup', 'shutdown' or any other).
        """

    def addSystemEventTrigger(
        phase: str, eventType: str, callable: Callable[..., Any], *args: Any, **kw: Any
    ) -> Any:
        """
        Arrange for C{callable(*args, **kw)} to run when C{eventType} fires.

        @param phase: C{'before'}, C{'during'} or C{'after'}.
        @param eventType: the event name, e.g. C{'startup'} or C{'shutdown'}.
        @param callable: what to call; in the 'before' phase it may return a Deferred
            that the next phases wait for.
        @return: an opaque ID for L{removeSystemEventTrigger}.
        @raise KeyError: if C{phase} is not one of the three.
        """

    def removeSystemEventTrigger(triggerID: Any) -> None:
        """
        Remove a trigger added with L{addSystemEventTrigger}.

        @param triggerID: the value returned when adding it.
        @raise ValueError: if the trigger is unknown or was already removed.
        """

    def callWhenRunning(callable: Callable[..., Any], *args: Any, **kw: Any) -> Optional[Any]:
        """
        Call C{callable(*args, **kw)} now if the reactor runs, else once it starts.

        @return: C{None} if called at once, else the trigger ID of the 'startup'
            trigger (for L{removeSystemEventTrigger}).
        """


class IDelayedCall(Interface):
    """A call scheduled by L{IReactorTime.callLater}, until it runs."""

    def getTime() -> float:
        """
        Return when the call is due, in the reactor's L{IReactorTime.seconds}.

        @return: the due time in seconds.
        """

    def cancel() -> None:
        """
        Unschedule the call: it will not run.

        @raise netframe.core.error.AlreadyCancelled: if it was cancelled already.
        @raise netframe.core.error.AlreadyCalled: if it has run already.
        """

    def delay(secondsLater: float) -> None:
        """
        Push the due time back.

        @param secondsLater: seconds to add to the due time (negative brings it
            forward).
        @raise netframe.core.error.AlreadyCancelled: if it was cancelled.
        @raise netframe.core.error.AlreadyCalled: if it has run.
        """

    def reset(secondsFromNow: float) -> None:
        """
        Reschedule the call to C{secondsFromNow} seconds from now.

        @param secondsFromNow: the new delay from the current time.
        @raise netframe.core.error.AlreadyCancelled: if it was cancelled.
        @raise netframe.core.error.AlreadyCalled: if it has run.
        """

    def active() -> bool:
        """
        Tell whether the call is still pending.

        @return: C{False} once it has run or been cancelled, else C{True}.
        """


class IReactorTime(Interface):
    """Time and scheduling: the current time and calls at a later time."""

    def seconds() -> float:
        """
        Return the current time in seconds, on the clock used for scheduling.

        @return: seconds (monotonic for real reactors; fake for C{task.Clock}).
        """

    def callLater(
        delay: float, callable: Callable[..., Any], *args: Any, **kw: Any
    ) -> IDelayedCall:
        """
        Call C{callable(*args, **kw)} in C{delay} seconds (only while running).

        @param delay: seconds from now; 0 means on the next iteration.
        @param callable: what to call.
        @return: an L{IDelayedCall} that can cancel or reschedule the call.
        @raise ValueError: if C{delay} is negative.
        @raise TypeError: if C{callable} is not callable.
        """

    def getDelayedCalls() -> Sequence[IDelayedCall]:
        """
        Return the calls scheduled and not yet run or cancelled.

        @return: the pending L{IDelayedCall} providers.
        """


class IReactorTCP(Interface):
    """TCP servers and clients."""

    def listenTCP(
        port: int, factory: IProtocolFactory, backlog: int = 50, interface: str = ""
    ) -> IListeningPort:
        """
        Listen for TCP connections, building a protocol from C{factory} for each.

        @param port: the port number; 0 lets the system choose one (read it back with
            C{getHost().port}).
        @param factory: builds one protocol per connection.
        @param backlog: the length of the queue of pending connections.
        @param interface: the local address to bind; C{''} means every IPv4 address,
            C{'::'} every IPv6 address.
        @return: the listening port.
        @raise netframe.core.error.CannotListenError: if the port cannot be bound.
        """

    def connectTCP(
        host: str,
        port: int,
        factory: Any,
        timeout: float = 30,
        bindAddress: Optional[tuple[str, int]] = None,
    ) -> IConnector:
        """
        Connect to C{host}:C{port} over TCP.

        The host name is resolved on every attempt.  Progress is reported to the
        C{ClientFactory}: C{startedConnecting}, then C{buildProtocol} and the
        protocol's C{connectionMade}, or C{clientConnectionFailed}; later
        C{clientConnectionLost}.

        @param host: a host name or address.
        @param port: the port number.
        @param factory: a C{ClientFactory}.
        @param timeout: seconds before the attempt fails.
        @param bindAddress: a local C{(host, port)} to bind first, or C{None}.
        @return: the connector, which can stop or repeat the attempt.
        """


class IReactorSSL(Interface):
    """TLS (historically "SSL") servers and clients over TCP."""

    def connectSSL(
        host: str,
        port: int,
        factory: Any,
        contextFactory: Any,
        timeout: float = 30,
        bindAddress: Optional[tuple[str, int]] = None,
    ) -> IConnector:
        """
        Connect to C{host}:C{port} and start TLS, as L{IReactorTCP.connectTCP}.

        @param contextFactory: supplies our identity (optional), the trust and
            verification rules for the server's certificate and the TLS options, e.g.
            C{netframe.core.ssl.optionsForClientTLS(hostname)}.
        @return: the connector.
        """

    def listenSSL(
        port: int,
        factory: IProtocolFactory,
        contextFactory: Any,
        backlog: int = 50,
        interface: str = "",
    ) -> IListeningPort:
        """
        Listen for TLS connections, as L{IReactorTCP.listenTCP}.

        @param contextFactory: supplies the server certificate and key, the TLS options
            and optionally the client certificates required.
        @return: the listening port.
        @raise netframe.core.error.CannotListenError: if the port cannot be bound.
        """


class IReactorUNIX(Interface):
    """Stream connections over UNIX-domain sockets."""

    def connectUNIX(
        address: str, factory: Any, timeout: float = 30, checkPID: bool = False
    ) -> IConnector:
        """
        Connect to the UNIX socket at C{address}.

        @param address: the socket's path.
        @param factory: a C{ClientFactory}.
        @param timeout: seconds before the attempt fails.
        @param checkPID: check the server's lock file (C{<address>.lock}) and fail if
            the process it names is gone.
        @return: the connector.
        """

    def listenUNIX(
        address: str,
        factory: IProtocolFactory,
        backlog: int = 50,
        mode: int = 0o666,
        wantPID: bool = False,
    ) -> IListeningPort:
        """
        Listen on a UNIX socket at C{address}.

        @param address: the path to create.
        @param factory: builds one protocol per connection.
        @param backlog: the pending connection queue length.
        @param mode: the permissions of the socket file.
        @param wantPID: write a lock file C{<address>.lock} with our process ID, and
            refuse to start when another live process holds it.
        @return: the listening port.
        @raise netframe.core.error.CannotListenError: if the path cannot be bound.
        """


class IReactorUNIXDatagram(Interface):
    """Datagrams over UNIX-domain sockets."""

    def connectUNIXDatagram(
        address: str,
        protocol: Any,
        maxPacketSize: int = 8192,
        mode: int = 0o666,
        bindAddress: Optional[str] = None,
    ) -> IConnector:
        """
        Connect a datagram protocol to the UNIX datagram socket at C{address}.

        @param address: the peer socket's path.
        @param protocol: a C{ConnectedDatagramProtocol}.
        @param maxPacketSize: the largest datagram read.
        @param mode: the permissions of our socket file, when bound.
        @param bindAddress: a local path to bind, or C{None}.
        @return: the connector.
        """

    def listenUNIXDatagram(
        address: str, protocol: Any, maxPacketSize: int = 8192, mode: int = 0o666
    ) -> IListeningPort:
        """
        Receive datagrams on a UNIX datagram socket at C{address}.

        @param address: the path to create.
        @param protocol: a C{DatagramProtocol}.
        @param maxPacketSize: the largest datagram read.
        @param mode: the permissions of the socket file.
        @return: the port (also an L{IUNIXDatagramTransport}).
        @raise netframe.core.error.CannotListenError: if the path cannot be bound.
        """


class IReactorUDP(Interface):
    """UDP sockets."""

    def listenUDP(
        port: int, protocol: Any, interface: str = "", maxPacketSize: int = 8192
    ) -> IListeningPort:
        """
        Bind a UDP port and deliver its datagrams to C{protocol}.

        @param port: the port number; 0 lets the system choose.
        @param protocol: a C{DatagramProtocol}; its C{transport} becomes an
            L{IUDPTransport}.
        @param interface: the local address; C{''} means every IPv4 address, C{'::'}
            gives an IPv6 socket.
        @param maxPacketSize: the largest datagram read.
        @return: the port.
        @raise netframe.core.error.CannotListenError: if the port cannot be bound.
        """


class IReactorMulticast(Interface):
    """UDP multicast sockets."""

    def listenMulticast(
        port: int,
        protocol: Any,
        interface: str = "",
        maxPacketSize: int = 8192,
        listenMultiple: bool = False,
    ) -> IListeningPort:
        """
        Bind a UDP port that can join multicast groups (its transport is an
        L{IMulticastTransport}; it also receives unicast datagrams).

        @param port: the port number.
        @param protocol: a C{DatagramProtocol}.
        @param interface: the local address to bind.
        @param maxPacketSize: the largest datagram read.
        @param listenMultiple: allow several sockets (and processes) to bind the same
            port (C{SO_REUSEADDR}/C{SO_REUSEPORT}).
        @return: the port.
        @raise netframe.core.error.CannotListenError: if the port cannot be bound.
        """


class IReactorSocket(Interface):
    """Adopting sockets created elsewhere (e.g. inherited from systemd)."""

    def adoptStreamPort(
        fileDescriptor: int, addressFamily: int, factory: IProtocolFactory
    ) -> IListeningPort:
        """
        Accept connections on an already listening stream socket.

        The reactor duplicates the descriptor; the caller keeps and closes its own.

        @param fileDescriptor: a non-blocking, listening socket's descriptor.
        @param addressFamily: C{socket.AF_INET} or C{socket.AF_INET6}.
        @param factory: builds one protocol per connection.
        @return: the listening port.
        @raise netframe.core.error.UnsupportedAddressFamily: for another family.
        """

    def adoptStreamConnection(
        fileDescriptor: int, addressFamily: int, factory: IProtocolFactory
    ) -> None:
        """
        Take over an already connected stream socket.

        @param fileDescriptor: a non-blocking connected socket's descriptor (duplicated).
        @param addressFamily: C{socket.AF_INET}, C{AF_INET6} or C{AF_UNIX}.
        @param factory: builds the one protocol for the connection.
        @raise netframe.core.error.UnsupportedAddressFamily: for another family.
        """

    def adoptDatagramPort(
        fileDescriptor: int, addressFamily: int, protocol: Any, maxPacketSize: int = 8192
    ) -> IListeningPort:
        """
        Receive datagrams on an already bound datagram socket.

        The socket must be non-blocking; the family must be given explicitly; the
        reactor never closes the caller's descriptor.

        @param fileDescriptor: the socket's descriptor (duplicated).
        @param addressFamily: C{socket.AF_INET} or C{socket.AF_INET6}.
        @param protocol: a C{DatagramProtocol}.
        @param maxPacketSize: the largest datagram read.
        @return: the port.
        @raise netframe.core.error.UnsupportedAddressFamily: for another family.
        """


class IReactorProcess(Interface):
    """Child processes."""

    def spawnProcess(
        processProtocol: IProcessProtocol,
        executable: Union[str, bytes],
        args: Sequence[Union[str, bytes]],
        env: Optional[Mapping[Union[str, bytes], Union[str, bytes]]] = None,
        path: Optional[Union[str, bytes]] = None,
        uid: Optional[int] = None,
        gid: Optional[int] = None,
        usePTY: bool = False,
        childFDs: Optional[Mapping[int, Union[int, str]]] = None,
    ) -> IProcessTransport:
        """
        Start C{executable} as a child process connected to C{processProtocol}.

        @param processProtocol: receives the child's output and exit.
        @param executable: the program; without a C{/} it is searched for in the
            child environment's C{PATH} (C{os.defpath} if unset), as C{execvpe} does.
        @param args: the argument vector; C{args[0]} is the program's name.
        @param env: the child's complete environment; empty by default, C{None}
            passes ours (C{os.environ}).
        @param path: the working directory, or C{None} for ours.
        @param uid: run as this user ID (POSIX, needs privileges), or C{None}.
        @param gid: run as this group ID, or C{None}.
        @param usePTY: run on a pseudo-terminal (then C{childFDs} is not used).
        @param childFDs: the child's descriptors: C{"r"} (we read), C{"w"} (we
            write) or a parent descriptor number to inherit; default
            C{{0: "w", 1: "r", 2: "r"}}.
        @return: the process transport.
        @raise OSError: if the process cannot be started (program missing or not
            executable, bad C{path}, identity change refused, no resources).
        """


class IReactorFromThreads(Interface):
    """Calling into the reactor from other threads."""

    def callFromThread(callable: Callable[..., Any], *args: Any, **kw: Any) -> None:
        """
        Call C{callable(*args, **kw)} in the reactor thread, soon.

        The only thread-safe way into the reactor; calls run in the order made.

        @param callable: what to call.
        """


class IReactorInThreads(Interface):
    """Running work on the reactor's thread pool."""

    def callInThread(callable: Callable[..., Any], *args: Any, **kw: Any) -> None:
        """
        Queue C{callable(*args, **kw)} to run on a thread of the reactor's pool.

        The pool has a bounded size: tasks that wait on each other can wedge it.

        @param callable: what to call.
        """


class IReactorThreads(IReactorFromThreads, IReactorInThreads):
    """Threads: the reactor's thread pool and both directions of calls."""

    def getThreadPool() -> Any:
        """
        Return the reactor's thread pool (a C{netframe.core.threadpool.ThreadPool}),
        creating it on first use; it is started with the reactor and stopped at
        shutdown.

        @return: the thread pool.
        """

    def suggestThreadPoolSize(size: int) -> None:
        """
        Set the most threads the pool may use (default 10).

        @param size: the new maximum.
        """


class IReactorPluggableResolver(Interface):
    """A reactor whose name resolver can be replaced."""

    def installResolver(resolver: IResolverSimple) -> IResolverSimple:
        """
        Use C{resolver} for L{IReactorCore.resolve} and host names of
        C{connectTCP}.

        @param resolver: the new resolver.
        @return: the resolver it replaces.
        """


class IReactorFDSet(Interface):
    """Registration of file descriptors the reactor watches."""

    def addReader(reader: IReadDescriptor) -> None:
        """
        Call C{reader.doRead()} whenever its descriptor is readable.

        @param reader: the descriptor; adding it twice has no further effect.
        """

    def addWriter(writer: IWriteDescriptor) -> None:
        """
        Call C{writer.doWrite()} whenever its descriptor is writable.

        @param writer: the descriptor; adding it twice has no further effect.
        """

    def removeReader(reader: IReadDescriptor) -> None:
        """
        Stop watching C{reader} for reading (no error if it was not watched).

        @param reader: the descriptor.
        """

    def removeWriter(writer: IWriteDescriptor) -> None:
        """
        Stop watching C{writer} for writing (no error if it was not watched).

        @param writer: the descriptor.
        """

    def removeAll() -> list[Any]:
        """
        Stop watching every descriptor, except the reactor's internal ones.

        @return: the readers and writers removed.
        """

    def getReaders() -> list[Any]:
        """
        Return the descriptors watched for reading.

        @return: a new list of L{IReadDescriptor} providers.
        """

    def getWriters() -> list[Any]:
        """
        Return the descriptors watched for writing.

        @return: a new list of L{IWriteDescriptor} providers.
        """


# -- ports and connectors -----------------------------------------------------------


class IListeningPort(Interface):
    """A listening server port (TCP, TLS, UNIX) or bound datagram port."""

    def startListening() -> None:
        """
        Start listening (ports returned by the reactor already listen).

        @raise netframe.core.error.CannotListenError: if the address cannot be bound.
        """

    def stopListening() -> Optional[Deferred[None]]:
        """
        Stop listening and close the socket; existing connections stay open.

        @return: a Deferred firing once the port is closed (or C{None} when closing
            completed immediately).
        """

    def getHost() -> IAddress:
        """
        Return the local address, e.g. to learn the port chosen for port 0.

        @return: the address the port is bound to.
        """


class IConnector(Interface):
    """An outgoing connection attempt, which can be stopped or repeated."""

    def stopConnecting() -> None:
        """
        Stop the attempt in progress.

        @raise netframe.core.error.NotConnectingError: if none is in progress.
        """

    def disconnect() -> None:
        """Stop the attempt if connecting, or drop the connection if connected."""

    def connect() -> None:
        """
        Start a new attempt (e.g. from C{clientConnectionLost} to reconnect).

        @raise RuntimeError: if an attempt is in progress or connected.
        """

    def getDestination() -> IAddress:
        """
        Return the address being connected to.

        @return: the destination address.
        """


# -- descriptors --------------------------------------------------------------------


class ILoggingContext(Interface):
    """An object that names itself in log messages."""

    def logPrefix() -> str:
        """
        Return the prefix for log messages concerning this object.

        @return: a short name, usually the class name.
        """


class IFileDescriptor(ILoggingContext):
    """An object wrapping an operating system file descriptor."""

    def fileno() -> int:
        """
        Return the descriptor.

        @return: the descriptor number, or -1 once closed.
        """

    def connectionLost(reason: Failure) -> None:
        """
        Called by the reactor when the descriptor was closed or failed.

        @param reason: why; C{ConnectionDone} for a clean close.
        """


class IReadDescriptor(IFileDescriptor):
    """A descriptor the reactor can watch for reading."""

    def doRead() -> Optional[Failure]:
        """
        Called by the reactor when the descriptor is readable.

        @return: C{None}, or a Failure (or exception) meaning the descriptor must be
            closed with that reason.
        """


class IWriteDescriptor(IFileDescriptor):
    """A descriptor the reactor can watch for writing."""

    def doWrite() -> Optional[Failure]:
        """
        Called by the reactor when the descriptor is writable.

        @return: C{None}, or a Failure (or exception) meaning the descriptor must be
            closed with that reason.
        """


class IReadWriteDescriptor(IReadDescriptor, IWriteDescriptor):
    """A descriptor watched for both reading and writing."""


class IHalfCloseableDescriptor(Interface):
    """A descriptor whose read and write halves close separately."""

    def writeConnectionLost(reason: Failure) -> None:
        """
        Called when the write half is closed.

        @param reason: why.
        """

    def readConnectionLost(reason: Failure) -> None:
        """
        Called when the read half is closed (the peer finished sending).

        @param reason: why.
        """


class ISystemHandle(Interface):
    """An object wrapping a platform handle."""

    def getHandle() -> Any:
        """
        Return the underlying handle (e.g. the C{socket.socket}); using it directly
        bypasses the reactor and may confuse it.

        @return: the handle.
        """


# -- producers and consumers --------------------------------------------------------


class IProducer(Interface):
    """A source of data written to an L{IConsumer}."""

    def stopProducing() -> None:
        """
        Stop producing for good: the consumer is going away.

        Called at most once; no more writes may follow.
        """


class IPushProducer(IProducer):
    """
    A producer that writes whenever it has data ("streaming"), until paused.
    """

    def pauseProducing() -> None:
        """Stop writing until L{resumeProducing} (the consumer's buffer is full)."""

    def resumeProducing() -> None:
        """Start writing again after L{pauseProducing}."""


class IPullProducer(IProducer):
    """A producer that writes only when asked, once per request."""

    def resumeProducing() -> None:
        """
        Write one chunk of data to the consumer now (typically 16-64 KB).

        Called again each time the consumer wants more.
        """


class IConsumer(Interface):
    """A sink of data that can regulate a producer."""

    def registerProducer(producer: IProducer, streaming: bool) -> None:
        """
        Attach a producer feeding this consumer.

        @param producer: the producer.
        @param streaming: C{True} for an L{IPushProducer} (paused and resumed),
            C{False} for an L{IPullProducer} (asked for each chunk).
        @raise RuntimeError: if a producer is already registered.
        """

    def unregisterProducer() -> None:
        """Detach the producer; a pending C{loseConnection} then completes."""

    def write(data: bytes) -> None:
        """
        Consume C{data}; the consumer may pause its producer in response.

        @param data: the bytes.
        """


# -- protocols and transports -------------------------------------------------------


class IProtocol(Interface):
    """The handler of one stream connection: receives events from its transport."""

    def dataReceived(data: bytes) -> None:
        """
        Called with bytes received, in chunks of any size (never assume message
        boundaries).

        @param data: the bytes (never empty).
        """

    def connectionLost(reason: Failure) -> None:
        """
        Called once when the connection is closed; the transport is unusable after.

        @param reason: C{ConnectionDone} for a clean close, C{ConnectionLost} (or
            another error) otherwise.
        """

    def makeConnection(transport: ITransport) -> None:
        """
        Attach the protocol to C{transport} (as C{self.transport}), then call
        L{connectionMade}.

        @param transport: the connection's transport.
        """

    def connectionMade() -> None:
        """Called once the connection is established and C{self.transport} is set."""


class IProtocolNegotiationFactory(Interface):
    """A protocol factory that takes part in TLS application protocol negotiation."""

    def acceptableProtocols() -> list[bytes]:
        """
        Return the application protocols acceptable, most preferred first.

        @return: protocol names, e.g. C{[b"h2", b"http/1.1"]} (for ALPN/NPN).
        """


class IHalfCloseableProtocol(Interface):
    """A protocol told separately when each half of its connection closes."""

    def readConnectionLost() -> None:
        """
        Called when the peer finished sending (no more C{dataReceived}); the protocol
        may still write.  C{connectionLost} follows once both halves are closed.
        """

    def writeConnectionLost() -> None:
        """
        Called when our write half was closed (C{loseWriteConnection}) or failed.
        """


class IHandshakeListener(Interface):
    """A protocol told when the TLS handshake of its connection completes."""

    def handshakeCompleted() -> None:
        """
        Called once the TLS handshake succeeded: peer certificates and the negotiated
        protocol are available from the transport.
        """


class IProtocolFactory(Interface):
    """Builds protocols for connections."""

    def buildProtocol(addr: IAddress) -> Optional[IProtocol]:
        """
        Build the protocol for a new connection.

        @param addr: the peer's address.
        @return: the protocol, or C{None} to refuse the connection (it is closed).
        """

    def doStart() -> None:
        """
        Called when the factory starts being used by a port or connector (counted:
        the factory's C{startFactory} runs on the first use only).
        """

    def doStop() -> None:
        """
        Called when a port or connector stops using the factory (the factory's
        C{stopFactory} runs when the last one stops).
        """


class ITransport(Interface):
    """The byte stream of a connection, as seen by its protocol."""

    def write(data: bytes) -> None:
        """
        Send C{data}; buffered if the socket is not ready, never blocks.

        @param data: the bytes (C{str} is refused).
        @raise TypeError: if C{data} is not bytes.
        """

    def writeSequence(data: Sequence[bytes]) -> None:
        """
        Send the concatenation of a sequence of byte strings.

        @param data: the byte strings.
        @raise TypeError: if an element is not bytes.
        """

    def loseConnection() -> None:
        """
        Close the connection once every buffered byte is written (and a registered
        producer is unregistered); the protocol's C{connectionLost} follows.
        """

    def getPeer() -> IAddress:
        """
        Return the remote address.

        @return: the peer's address.
        """

    def getHost() -> IAddress:
        """
        Return the local address.

        @return: our address.
        """


class ITCPTransport(ITransport):
    """A TCP connection's transport."""

    def loseWriteConnection() -> None:
        """
        Close the write half once buffered data is written (a FIN); the read half stays
        open.  Protocols providing L{IHalfCloseableProtocol} are told.
        """

    def abortConnection() -> None:
        """
        Close the connection at once, discarding buffered data and the producer.
        """

    def getTcpNoDelay() -> bool:
        """
        Tell whether Nagle's algorithm is off (C{TCP_NODELAY}).

        @return: C{True} if it is off.
        """

    def setTcpNoDelay(enabled: bool) -> None:
        """
        Turn Nagle's algorithm off (C{True}) or on (C{False}).

        @param enabled: the C{TCP_NODELAY} setting.
        """

    def getTcpKeepAlive() -> bool:
        """
        Tell whether TCP keep-alive probes are on (C{SO_KEEPALIVE}).

        @return: the setting.
        """

    def setTcpKeepAlive(enabled: bool) -> None:
        """
        Turn TCP keep-alive probes on or off.

        @param enabled: the C{SO_KEEPALIVE} setting.
        """


class IUNIXTransport(ITransport):
    """A UNIX-socket connection's transport, which can also pass descriptors."""

    def sendFileDescriptor(descriptor: int) -> None:
        """
        Send a copy of an open descriptor to the peer, with the next written data.

        @param descriptor: the descriptor number.
        """


class ITLSTransport(ITCPTransport):
    """A TCP transport that can switch to TLS mid-connection."""

    def startTLS(contextFactory: Any) -> None:
        """
        Start TLS on this connection: data written before is sent in the clear, data
        written after is encrypted.

        @param contextFactory: the TLS configuration, e.g. C{CertificateOptions} or
            C{optionsForClientTLS(...)}.
        """


class ISSLTransport(ITCPTransport):
    """A TLS connection's transport."""

    def getPeerCertificate() -> Any:
        """
        Return the peer's certificate, once the handshake is done.

        @return: an C{OpenSSL.crypto.X509}, or C{None} if the peer sent none.
        """


class IProcessTransport(ITransport):
    """The pipes of a child process, as seen by its process protocol."""

    pid = Attribute("The child's process ID, or C{None} once it has been reaped.")

    def closeStdin() -> None:
        """Close the child's standard input (it sees end of file)."""

    def closeStdout() -> None:
        """Close our end of the child's standard output pipe."""

    def closeStderr() -> None:
        """Close our end of the child's standard error pipe."""

    def closeChildFD(descriptor: int) -> None:
        """
        Close our end of the pipe to child descriptor C{descriptor}.

        @param descriptor: the descriptor number in the child.
        """

    def writeToChild(childFD: int, data: bytes) -> None:
        """
        Write to the pipe mapped to child descriptor C{childFD} (queued).

        @param childFD: a child descriptor opened with C{"w"}.
        @param data: the bytes.
        @raise KeyError: if C{childFD} is not a descriptor we write to.
        """

    def loseConnection() -> None:
        """Close the child's stdin, stdout and stderr pipes (the child is not killed)."""

    def signalProcess(signalID: Union[str, int]) -> None:
        """
        Send a signal to the child.

        @param signalID: C{'KILL'}, C{'TERM'}, C{'INT'} or a signal number.
        @raise netframe.core.error.ProcessExitedAlready: if the child has exited.
        """


class IProcessProtocol(Interface):
    """The handler of a child process: receives its output and its end."""

    def makeConnection(transport: IProcessTransport) -> None:
        """
        Attach to the process transport, then call C{connectionMade}.

        @param transport: the child's transport.
        """

    def childDataReceived(childFD: int, data: bytes) -> None:
        """
        Called with data the child wrote to descriptor C{childFD} (in chunks).

        @param childFD: the child descriptor (1 stdout, 2 stderr, ...).
        @param data: the bytes.
        """

    def childConnectionLost(childFD: int) -> None:
        """
        Called when the pipe to child descriptor C{childFD} is closed.

        @param childFD: the child descriptor.
        """

    def processExited(reason: Failure) -> None:
        """
        Called when the child has exited and been reaped (pipes may remain open).

        @param reason: wraps C{ProcessDone} (exit status 0) or C{ProcessTerminated}
            (with C{exitCode} or C{signal}).
        """

    def processEnded(reason: Failure) -> None:
        """
        Called last: the child exited and every pipe is closed.

        @param reason: as for L{processExited}.
        """


class IFileDescriptorReceiver(Interface):
    """
    A protocol that accepts file descriptors sent over its UNIX connection
    (see L{IUNIXTransport}).  A protocol not providing it has received
    descriptors closed for it.
    """

    def fileDescriptorReceived(descriptor: int) -> None:
        """
        Take ownership of a descriptor the peer sent; called before the data
        that was written after it is delivered.

        @param descriptor: the new descriptor, open in this process and
            close-on-exec; the protocol must close it.
        """


# -- datagrams ----------------------------------------------------------------------


class IUDPTransport(Interface):
    """The transport of a UDP port, as seen by its datagram protocol."""

    def write(packet: bytes, addr: Optional[tuple[str, int]] = None) -> None:
        """
        Send one datagram.

        @param packet: the datagram.
        @param addr: the destination C{(ip, port)}; must be C{None} on a connected
            port and given otherwise.  Only IP addresses, never host names.
        @raise netframe.core.error.MessageLengthError: if the datagram is too long.
        @raise ValueError: if C{addr} is missing, or given on a connected port.
        """

    def connect(host: str, port: int) -> None:
        """
        Connect the port: send to and receive from that peer only.

        @param host: an IP address (not a host name).
        @param port: the peer's port.
        @raise ValueError: if C{host} is not an IP address.
        @raise RuntimeError: if already connected (reconnecting is not supported).
        """

    def getHost() -> IAddress:
        """
        Return the local address.

        @return: an C{IPv4Address}/C{IPv6Address} with type C{'UDP'}.
        """

    def stopListening() -> Optional[Deferred[None]]:
        """
        Close the port.

        @return: a Deferred firing once closed, or C{None}.
        """

    def setBroadcastAllowed(enabled: bool) -> None:
        """
        Allow (or forbid) sending to broadcast addresses such as C{"<broadcast>"}.

        @param enabled: the C{SO_BROADCAST} setting.
        """

    def getBroadcastAllowed() -> bool:
        """
        Tell whether broadcast sending is allowed.

        @return: the C{SO_BROADCAST} setting.
        """


class IMulticastTransport(Interface):
    """
    The multicast controls of a multicast UDP port (whose transport also provides
    L{IUDPTransport}).
    """

    def getOutgoingInterface() -> str:
        """
        Return the interface address outgoing multicast datagrams leave from.

        @return: an IP address, C{''}/C{'0.0.0.0'} for the default.
        """

    def setOutgoingInterface(addr: str) -> Deferred[int]:
        """
        Send multicast datagrams from the interface with address C{addr}.

        @param addr: an interface IP address, or a host name resolved first.
        @return: a Deferred firing once set.
        """

    def getLoopbackMode() -> bool:
        """
        Tell whether our own multicast datagrams are delivered back to us.

        @return: the loopback setting.
        """

    def setLoopbackMode(mode: bool) -> None:
        """
        Turn delivery of our own multicast datagrams to us on or off.

        @param mode: the loopback setting.
        """

    def getTTL() -> int:
        """
        Return the time-to-live of outgoing multicast datagrams (default 1).

        @return: the TTL.
        """

    def setTTL(ttl: int) -> None:
        """
        Set the time-to-live of outgoing multicast datagrams.

        @param ttl: hops, 0-255.
        """

    def joinGroup(addr: str, interface: str = "") -> Deferred[None]:
        """
        Join the multicast group C{addr}.

        @param addr: the group address (or a host name resolved first).
        @param interface: the local interface address; C{''} lets the system choose.
        @return: a Deferred firing once joined, failing with
            C{netframe.core.error.MulticastJoinError} otherwise.
        """

    def leaveGroup(addr: str, interface: str = "") -> Deferred[None]:
        """
        Leave the multicast group C{addr}.

        @param addr: the group address.
        @param interface: the local interface address used to join.
        @return: a Deferred firing once left.
        """


class IUNIXDatagramTransport(Interface):
    """The transport of an unconnected UNIX datagram socket."""

    def write(packet: bytes, address: str) -> None:
        """
        Send one datagram to the socket at path C{address}.

        @param packet: the datagram.
        @param address: the destination's path.
        """

    def getHost() -> IAddress:
        """
        Return the local address.

        @return: a C{UNIXAddress}.
        """


class IUNIXDatagramConnectedTransport(Interface):
    """The transport of a connected UNIX datagram socket."""

    def write(packet: bytes) -> None:
        """
        Send one datagram to the connected peer.

        @param packet: the datagram.
        """

    def getHost() -> IAddress:
        """
        Return the local address.

        @return: a C{UNIXAddress}.
        """

    def getPeer() -> IAddress:
        """
        Return the peer's address.

        @return: a C{UNIXAddress}.
        """


# -- endpoints ----------------------------------------------------------------------


class IStreamServerEndpoint(Interface):
    """Where and how to listen for stream connections."""

    def listen(protocolFactory: IProtocolFactory) -> Deferred[IListeningPort]:
        """
        Listen, building protocols with C{protocolFactory}.

        @param protocolFactory: builds one protocol per connection.
        @return: a Deferred firing with the L{IListeningPort} once listening,
            or failing (e.g. C{CannotListenError}) if it could not listen.
        """


class IStreamClientEndpoint(Interface):
    """Where and how to make one stream connection."""

    def connect(protocolFactory: IProtocolFactory) -> Deferred[IProtocol]:
        """
        Connect, building the connection's protocol with C{protocolFactory}.

        No retry is made.  Cancelling the Deferred aborts the attempt (it usually fails
        with C{CancelledError}).  A C{ClientFactory}'s C{clientConnectionFailed} /
        C{clientConnectionLost} are not called.

        @param protocolFactory: its C{buildProtocol} is called once connected.
        @return: a Deferred firing with the protocol once C{connectionMade} has run,
            or failing with the connection error.
        """


class IStreamServerEndpointStringParser(Interface):
    """A plugin adding a prefix to C{serverFromString} descriptions."""

    prefix = Attribute("The description prefix handled, e.g. C{'tcp'} (text, no colon).")

    def parseStreamServer(reactor: Any, *args: str, **kwargs: str) -> IStreamServerEndpoint:
        """
        Build a server endpoint from a parsed description.

        @param reactor: the reactor the endpoint uses.
        @param args: the description's positional fields, after the prefix.
        @param kwargs: its C{key=value} fields.
        @return: the endpoint.
        @raise ValueError: if the fields are invalid.
        """


class IStreamClientEndpointStringParserWithReactor(Interface):
    """A plugin adding a prefix to C{clientFromString} descriptions."""

    prefix = Attribute("The description prefix handled, e.g. C{'tls'} (text, no colon).")

    def parseStreamClient(reactor: Any, *args: str, **kwargs: str) -> IStreamClientEndpoint:
        """
        Build a client endpoint from a parsed description.

        @param reactor: the reactor the endpoint uses.
        @param args: the description's positional fields, after the prefix.
        @param kwargs: its C{key=value} fields.
        @return: the endpoint.
        @raise ValueError: if the fields are invalid.
        """


# -- TLS ----------------------------------------------------------------------------


class IOpenSSLClientConnectionCreator(Interface):
    """Creates the pyOpenSSL connection of a TLS client."""

    def clientConnectionForTLS(tlsProtocol: Any) -> _OpenSSLConnection:
        """
        Create the C{OpenSSL.SSL.Connection} for a new client connection, configured
        (server name, verification) for the server connected to.

        @param tlsProtocol: the TLS protocol wrapper (its C{wrappedProtocol} may be
            inspected).
        @return: the connection, in client mode.
        """


class IOpenSSLServerConnectionCreator(Interface):
    """Creates the pyOpenSSL connection of a TLS server."""

    def serverConnectionForTLS(tlsProtocol: Any) -> _OpenSSLConnection:
        """
        Create the C{OpenSSL.SSL.Connection} for a newly accepted connection.

        @param tlsProtocol: the TLS protocol wrapper.
        @return: the connection, in server mode.
        """


class IOpenSSLTrustRoot(Interface):
    """
    The certificate authorities a TLS endpoint trusts to identify its peer
    (C{netframe.core.ssl.platformTrust()}, C{trustRootFromCertificates(...)}).
    """

    def _addCACertsToContext(context: Any) -> None:
        """
        Make C{context} trust these authorities.

        @param context: the C{OpenSSL.SSL.Context}.
        """


class IAcceptableCiphers(Interface):
    """A policy choosing the TLS cipher suites to use."""

    def selectCiphers(availableCiphers: Sequence[Any]) -> tuple[Any, ...]:
        """
        Choose among the ciphers the TLS library offers.

        @param availableCiphers: the ciphers available.
        @return: the acceptable ciphers, most preferred first (possibly empty).
        """
