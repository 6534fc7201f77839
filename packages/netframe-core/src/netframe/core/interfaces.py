"""
The interfaces of netframe's networking core (Twisted's ``twisted.internet.interfaces``).

Each is a :class:`zope.interface.Interface`: a reactor, transport, protocol or
endpoint declares what it provides with ``@implementer(...)`` and callers check with
``IFoo.providedBy(obj)`` or adapt with ``IFoo(obj)``.  The docstrings state the
contract every provider keeps.

Reactor interfaces: :class:`IReactorCore`, :class:`IReactorTime`,
:class:`IReactorTCP`, :class:`IReactorSSL`, :class:`IReactorUNIX`,
:class:`IReactorUNIXDatagram`, :class:`IReactorUDP`, :class:`IReactorMulticast`,
:class:`IReactorSocket`, :class:`IReactorProcess`, :class:`IReactorThreads` (with
:class:`IReactorFromThreads` and :class:`IReactorInThreads`),
:class:`IReactorPluggableResolver`, :class:`IReactorFDSet`.
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

    A marker: concrete addresses (``IPv4Address``, ``IPv6Address``, ``UNIXAddress`` in
    :mod:`netframe.core.address`) carry their own attributes.  Addresses compare by
    value and are hashable.
    """


class IResolverSimple(Interface):
    """A name resolver turning a host name into one IPv4 address."""

    def getHostByName(name: str, timeout: tuple[int, ...] = _RESOLVER_TIMEOUTS) -> Deferred[str]:
        """
        Resolve ``name`` to an IPv4 address.

        :param name: the host name; an address literal resolves to itself.
        :param timeout: seconds to wait on each successive attempt; the whole lookup
            fails once they are used up.
        :return: a Deferred firing with the dotted-quad address, or failing with
            ``netframe.core.error.DNSLookupError`` both when there is no such name and
            when the timeouts are used up without an answer (the message then says
            ``timeout error``); trap ``DNSLookupError`` to handle every failed lookup.
        """


# -- reactor ------------------------------------------------------------------------


class IReactorCore(Interface):
    """The event loop itself: running, stopping, system events and name resolution."""

    running = Attribute(
        "``True`` from the time the reactor has started running (after the 'startup' "
        "event's 'during' phase) until it begins shutting down; ``False`` otherwise."
    )

    def resolve(name: str, timeout: tuple[int, ...] = _RESOLVER_TIMEOUTS) -> Deferred[str]:
        """
        Resolve ``name`` to an IPv4 address with the installed resolver.

        :param name: the host name.
        :param timeout: retry timeouts in seconds, as for
            :meth:`IResolverSimple.getHostByName`.
        :return: a Deferred firing with the address text, or failing with
            ``netframe.core.error.DNSLookupError`` (no such name, or no answer before
            the timeouts are used up).
        """

    def run() -> None:
        """
        Fire the 'startup' event, then run the event loop until :meth:`stop` is called.

        Blocks the calling thread; returns after the 'shutdown' event has completed.

        :raise netframe.core.error.ReactorAlreadyRunning: if already running.
        :raise netframe.core.error.ReactorNotRestartable: if run before and stopped.
        """

    def stop() -> None:
        """
        Stop the event loop: fire the 'shutdown' event, then return from :meth:`run`.

        Delayed calls not yet run are abandoned.

        :raise netframe.core.error.ReactorNotRunning: if not running (or already
            stopping).
        """

    def crash() -> None:
        """
        Stop the event loop at once, without firing the 'shutdown' event.

        Meant for test harnesses; applications use :meth:`stop`.
        """

    def iterate(delay: float = 0) -> None:
        """
        Run one iteration of the event loop: due calls and ready I/O.

        Not for use in applications or tests (it breaks reentrancy guarantees).

        :param delay: the most seconds to wait for I/O.
        """

    def fireSystemEvent(eventType: str) -> None:
        """
        Fire a system event: run its 'before', 'during' then 'after' triggers.

        A 'before' trigger returning a Deferred delays the later phases until it fires.

        :param eventType: the event name ('startup', 'shutdown' or any other).
        """

    def addSystemEventTrigger(
        phase: str, eventType: str, callable: Callable[..., Any], *args: Any, **kw: Any
    ) -> Any:
        """
        Arrange for ``callable(*args, **kw)`` to run when ``eventType`` fires.

        :param phase: ``'before'``, ``'during'`` or ``'after'``.
        :param eventType: the event name, e.g. ``'startup'`` or ``'shutdown'``.
        :param callable: what to call; in the 'before' phase it may return a Deferred
            that the next phases wait for.
        :return: an opaque ID for :meth:`removeSystemEventTrigger`.
        :raise KeyError: if ``phase`` is not one of the three.
        """

    def removeSystemEventTrigger(triggerID: Any) -> None:
        """
        Remove a trigger added with :meth:`addSystemEventTrigger`.

        :param triggerID: the value returned when adding it.
        :raise ValueError: if the trigger is unknown or was already removed.
        """

    def callWhenRunning(callable: Callable[..., Any], *args: Any, **kw: Any) -> Optional[Any]:
        """
        Call ``callable(*args, **kw)`` now if the reactor runs, else once it starts.

        :return: ``None`` if called at once, else the trigger ID of the 'startup'
            trigger (for :meth:`removeSystemEventTrigger`).
        """


class IDelayedCall(Interface):
    """A call scheduled by :meth:`IReactorTime.callLater`, until it runs."""

    def getTime() -> float:
        """
        Return when the call is due, in the reactor's :meth:`IReactorTime.seconds`.

        :return: the due time in seconds.
        """

    def cancel() -> None:
        """
        Unschedule the call: it will not run.

        :raise netframe.core.error.AlreadyCancelled: if it was cancelled already.
        :raise netframe.core.error.AlreadyCalled: if it has run already.
        """

    def delay(secondsLater: float) -> None:
        """
        Push the due time back.

        :param secondsLater: seconds to add to the due time (negative brings it
            forward).
        :raise netframe.core.error.AlreadyCancelled: if it was cancelled.
        :raise netframe.core.error.AlreadyCalled: if it has run.
        """

    def reset(secondsFromNow: float) -> None:
        """
        Reschedule the call to ``secondsFromNow`` seconds from now.

        :param secondsFromNow: the new delay from the current time.
        :raise netframe.core.error.AlreadyCancelled: if it was cancelled.
        :raise netframe.core.error.AlreadyCalled: if it has run.
        """

    def active() -> bool:
        """
        Tell whether the call is still pending.

        :return: ``False`` once it has run or been cancelled, else ``True``.
        """


class IReactorTime(Interface):
    """Time and scheduling: the current time and calls at a later time."""

    def seconds() -> float:
        """
        Return the current time in seconds, on the clock used for scheduling.

        :return: seconds (monotonic for real reactors; fake for ``task.Clock``).
        """

    def callLater(
        delay: float, callable: Callable[..., Any], *args: Any, **kw: Any
    ) -> IDelayedCall:
        """
        Call ``callable(*args, **kw)`` in ``delay`` seconds (only while running).

        :param delay: seconds from now; 0 means on the next iteration.
        :param callable: what to call.
        :return: an :class:`IDelayedCall` that can cancel or reschedule the call.
        :raise ValueError: if ``delay`` is negative.
        :raise TypeError: if ``callable`` is not callable.
        """

    def getDelayedCalls() -> Sequence[IDelayedCall]:
        """
        Return the calls scheduled and not yet run or cancelled.

        :return: the pending :class:`IDelayedCall` providers.
        """


class IReactorTCP(Interface):
    """TCP servers and clients."""

    def listenTCP(
        port: int, factory: IProtocolFactory, backlog: int = 50, interface: str = ""
    ) -> IListeningPort:
        """
        Listen for TCP connections, building a protocol from ``factory`` for each.

        :param port: the port number; 0 lets the system choose one (read it back with
            ``getHost().port``).
        :param factory: builds one protocol per connection.
        :param backlog: the length of the queue of pending connections.
        :param interface: the local address to bind; ``''`` means every IPv4 address,
            ``'::'`` every IPv6 address.
        :return: the listening port.
        :raise netframe.core.error.CannotListenError: if the port cannot be bound.
        """

    def connectTCP(
        host: str,
        port: int,
        factory: Any,
        timeout: float = 30,
        bindAddress: Optional[tuple[str, int]] = None,
    ) -> IConnector:
        """
        Connect to ``host``:``port`` over TCP.

        The host name is resolved on every attempt.  Progress is reported to the
        ``ClientFactory``: ``startedConnecting``, then ``buildProtocol`` and the
        protocol's ``connectionMade``, or ``clientConnectionFailed``; later
        ``clientConnectionLost``.

        :param host: a host name or address.
        :param port: the port number.
        :param factory: a ``ClientFactory``.
        :param timeout: seconds before the attempt fails.
        :param bindAddress: a local ``(host, port)`` to bind first, or ``None``.
        :return: the connector, which can stop or repeat the attempt.
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
        Connect to ``host``:``port`` and start TLS, as :meth:`IReactorTCP.connectTCP`.

        :param contextFactory: supplies our identity (optional), the trust and
            verification rules for the server's certificate and the TLS options, e.g.
            ``netframe.core.ssl.optionsForClientTLS(hostname)``.
        :return: the connector.
        """

    def listenSSL(
        port: int,
        factory: IProtocolFactory,
        contextFactory: Any,
        backlog: int = 50,
        interface: str = "",
    ) -> IListeningPort:
        """
        Listen for TLS connections, as :meth:`IReactorTCP.listenTCP`.

        :param contextFactory: supplies the server certificate and key, the TLS options
            and optionally the client certificates required.
        :return: the listening port.
        :raise netframe.core.error.CannotListenError: if the port cannot be bound.
        """


class IReactorUNIX(Interface):
    """Stream connections over UNIX-domain sockets."""

    def connectUNIX(
        address: str, factory: Any, timeout: float = 30, checkPID: bool = False
    ) -> IConnector:
        """
        Connect to the UNIX socket at ``address``.

        :param address: the socket's path.
        :param factory: a ``ClientFactory``.
        :param timeout: seconds before the attempt fails.
        :param checkPID: check the server's lock file (``<address>.lock``) and fail if
            the process it names is gone.
        :return: the connector.
        """

    def listenUNIX(
        address: str,
        factory: IProtocolFactory,
        backlog: int = 50,
        mode: int = 0o666,
        wantPID: bool = False,
    ) -> IListeningPort:
        """
        Listen on a UNIX socket at ``address``.

        :param address: the path to create.
        :param factory: builds one protocol per connection.
        :param backlog: the pending connection queue length.
        :param mode: the permissions of the socket file.
        :param wantPID: write a lock file ``<address>.lock`` with our process ID, and
            refuse to start when another live process holds it.
        :return: the listening port.
        :raise netframe.core.error.CannotListenError: if the path cannot be bound.
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
        Connect a datagram protocol to the UNIX datagram socket at ``address``.

        :param address: the peer socket's path.
        :param protocol: a ``ConnectedDatagramProtocol``.
        :param maxPacketSize: the largest datagram read.
        :param mode: the permissions of our socket file, when bound.
        :param bindAddress: a local path to bind, or ``None``.
        :return: the connector.
        """

    def listenUNIXDatagram(
        address: str, protocol: Any, maxPacketSize: int = 8192, mode: int = 0o666
    ) -> IListeningPort:
        """
        Receive datagrams on a UNIX datagram socket at ``address``.

        :param address: the path to create.
        :param protocol: a ``DatagramProtocol``.
        :param maxPacketSize: the largest datagram read.
        :param mode: the permissions of the socket file.
        :return: the port (also an :class:`IUNIXDatagramTransport`).
        :raise netframe.core.error.CannotListenError: if the path cannot be bound.
        """


class IReactorUDP(Interface):
    """UDP sockets."""

    def listenUDP(
        port: int, protocol: Any, interface: str = "", maxPacketSize: int = 8192
    ) -> IListeningPort:
        """
        Bind a UDP port and deliver its datagrams to ``protocol``.

        :param port: the port number; 0 lets the system choose.
        :param protocol: a ``DatagramProtocol``; its ``transport`` becomes an
            :class:`IUDPTransport`.
        :param interface: the local address; ``''`` means every IPv4 address, ``'::'``
            gives an IPv6 socket.
        :param maxPacketSize: the largest datagram read.
        :return: the port.
        :raise netframe.core.error.CannotListenError: if the port cannot be bound.
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
        :class:`IMulticastTransport`; it also receives unicast datagrams).

        :param port: the port number.
        :param protocol: a ``DatagramProtocol``.
        :param interface: the local address to bind.
        :param maxPacketSize: the largest datagram read.
        :param listenMultiple: allow several sockets (and processes) to bind the same
            port (``SO_REUSEADDR``/``SO_REUSEPORT``).
        :return: the port.
        :raise netframe.core.error.CannotListenError: if the port cannot be bound.
        """


class IReactorSocket(Interface):
    """Adopting sockets created elsewhere (e.g. inherited from systemd)."""

    def adoptStreamPort(
        fileDescriptor: int, addressFamily: int, factory: IProtocolFactory
    ) -> IListeningPort:
        """
        Accept connections on an already listening stream socket.

        The reactor duplicates the descriptor; the caller keeps and closes its own.

        :param fileDescriptor: a non-blocking, listening socket's descriptor.
        :param addressFamily: ``socket.AF_INET`` or ``socket.AF_INET6``.
        :param factory: builds one protocol per connection.
        :return: the listening port.
        :raise netframe.core.error.UnsupportedAddressFamily: for another family.
        """

    def adoptStreamConnection(
        fileDescriptor: int, addressFamily: int, factory: IProtocolFactory
    ) -> None:
        """
        Take over an already connected stream socket.

        :param fileDescriptor: a non-blocking connected socket's descriptor (duplicated).
        :param addressFamily: ``socket.AF_INET``, ``AF_INET6`` or ``AF_UNIX``.
        :param factory: builds the one protocol for the connection.
        :raise netframe.core.error.UnsupportedAddressFamily: for another family.
        """

    def adoptDatagramPort(
        fileDescriptor: int, addressFamily: int, protocol: Any, maxPacketSize: int = 8192
    ) -> IListeningPort:
        """
        Receive datagrams on an already bound datagram socket.

        The socket must be non-blocking; the family must be given explicitly; the
        reactor never closes the caller's descriptor.

        :param fileDescriptor: the socket's descriptor (duplicated).
        :param addressFamily: ``socket.AF_INET`` or ``socket.AF_INET6``.
        :param protocol: a ``DatagramProtocol``.
        :param maxPacketSize: the largest datagram read.
        :return: the port.
        :raise netframe.core.error.UnsupportedAddressFamily: for another family.
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
        Start ``executable`` as a child process connected to ``processProtocol``.

        :param processProtocol: receives the child's output and exit.
        :param executable: the program; without a ``/`` it is searched for in the
            child environment's ``PATH`` (``os.defpath`` if unset), as ``execvpe`` does.
        :param args: the argument vector; ``args[0]`` is the program's name.
        :param env: the child's complete environment; empty by default, ``None``
            passes ours (``os.environ``).
        :param path: the working directory, or ``None`` for ours.
        :param uid: run as this user ID (POSIX, needs privileges), or ``None``.
        :param gid: run as this group ID, or ``None``.
        :param usePTY: run on a pseudo-terminal (then ``childFDs`` is not used).
        :param childFDs: the child's descriptors: ``"r"`` (we read), ``"w"`` (we
            write) or a parent descriptor number to inherit; default
            ``{0: "w", 1: "r", 2: "r"}``.
        :return: the process transport.
        :raise OSError: if the process cannot be started (program missing or not
            executable, bad ``path``, identity change refused, no resources).
        """


class IReactorFromThreads(Interface):
    """Calling into the reactor from other threads."""

    def callFromThread(callable: Callable[..., Any], *args: Any, **kw: Any) -> None:
        """
        Call ``callable(*args, **kw)`` in the reactor thread, soon.

        The only thread-safe way into the reactor; calls run in the order made.

        :param callable: what to call.
        """


class IReactorInThreads(Interface):
    """Running work on the reactor's thread pool."""

    def callInThread(callable: Callable[..., Any], *args: Any, **kw: Any) -> None:
        """
        Queue ``callable(*args, **kw)`` to run on a thread of the reactor's pool.

        The pool has a bounded size: tasks that wait on each other can wedge it.

        :param callable: what to call.
        """


class IReactorThreads(IReactorFromThreads, IReactorInThreads):
    """Threads: the reactor's thread pool and both directions of calls."""

    def getThreadPool() -> Any:
        """
        Return the reactor's thread pool (a ``netframe.core.threadpool.ThreadPool``),
        creating it on first use; it is started with the reactor and stopped at
        shutdown.

        :return: the thread pool.
        """

    def suggestThreadPoolSize(size: int) -> None:
        """
        Set the most threads the pool may use (default 10).

        :param size: the new maximum.
        """


class IReactorPluggableResolver(Interface):
    """A reactor whose name resolver can be replaced."""

    def installResolver(resolver: IResolverSimple) -> IResolverSimple:
        """
        Use ``resolver`` for :meth:`IReactorCore.resolve` and host names of
        ``connectTCP``.

        :param resolver: the new resolver.
        :return: the resolver it replaces.
        """


class IReactorFDSet(Interface):
    """Registration of file descriptors the reactor watches."""

    def addReader(reader: IReadDescriptor) -> None:
        """
        Call ``reader.doRead()`` whenever its descriptor is readable.

        :param reader: the descriptor; adding it twice has no further effect.
        """

    def addWriter(writer: IWriteDescriptor) -> None:
        """
        Call ``writer.doWrite()`` whenever its descriptor is writable.

        :param writer: the descriptor; adding it twice has no further effect.
        """

    def removeReader(reader: IReadDescriptor) -> None:
        """
        Stop watching ``reader`` for reading (no error if it was not watched).

        :param reader: the descriptor.
        """

    def removeWriter(writer: IWriteDescriptor) -> None:
        """
        Stop watching ``writer`` for writing (no error if it was not watched).

        :param writer: the descriptor.
        """

    def removeAll() -> list[Any]:
        """
        Stop watching every descriptor, except the reactor's internal ones.

        :return: the readers and writers removed.
        """

    def getReaders() -> list[Any]:
        """
        Return the descriptors watched for reading.

        :return: a new list of :class:`IReadDescriptor` providers.
        """

    def getWriters() -> list[Any]:
        """
        Return the descriptors watched for writing.

        :return: a new list of :class:`IWriteDescriptor` providers.
        """


# -- ports and connectors -----------------------------------------------------------


class IListeningPort(Interface):
    """A listening server port (TCP, TLS, UNIX) or bound datagram port."""

    def startListening() -> None:
        """
        Start listening (ports returned by the reactor already listen).

        :raise netframe.core.error.CannotListenError: if the address cannot be bound.
        """

    def stopListening() -> Optional[Deferred[None]]:
        """
        Stop listening and close the socket; existing connections stay open.

        :return: a Deferred firing once the port is closed (or ``None`` when closing
            completed immediately).
        """

    def getHost() -> IAddress:
        """
        Return the local address, e.g. to learn the port chosen for port 0.

        :return: the address the port is bound to.
        """


class IConnector(Interface):
    """An outgoing connection attempt, which can be stopped or repeated."""

    def stopConnecting() -> None:
        """
        Stop the attempt in progress.

        :raise netframe.core.error.NotConnectingError: if none is in progress.
        """

    def disconnect() -> None:
        """Stop the attempt if connecting, or drop the connection if connected."""

    def connect() -> None:
        """
        Start a new attempt (e.g. from ``clientConnectionLost`` to reconnect).

        :raise RuntimeError: if an attempt is in progress or connected.
        """

    def getDestination() -> IAddress:
        """
        Return the address being connected to.

        :return: the destination address.
        """


# -- descriptors --------------------------------------------------------------------


class ILoggingContext(Interface):
    """An object that names itself in log messages."""

    def logPrefix() -> str:
        """
        Return the prefix for log messages concerning this object.

        :return: a short name, usually the class name.
        """


class IFileDescriptor(ILoggingContext):
    """An object wrapping an operating system file descriptor."""

    def fileno() -> int:
        """
        Return the descriptor.

        :return: the descriptor number, or -1 once closed.
        """

    def connectionLost(reason: Failure) -> None:
        """
        Called by the reactor when the descriptor was closed or failed.

        :param reason: why; ``ConnectionDone`` for a clean close.
        """


class IReadDescriptor(IFileDescriptor):
    """A descriptor the reactor can watch for reading."""

    def doRead() -> Optional[Failure]:
        """
        Called by the reactor when the descriptor is readable.

        :return: ``None``, or a Failure (or exception) meaning the descriptor must be
            closed with that reason.
        """


class IWriteDescriptor(IFileDescriptor):
    """A descriptor the reactor can watch for writing."""

    def doWrite() -> Optional[Failure]:
        """
        Called by the reactor when the descriptor is writable.

        :return: ``None``, or a Failure (or exception) meaning the descriptor must be
            closed with that reason.
        """


class IReadWriteDescriptor(IReadDescriptor, IWriteDescriptor):
    """A descriptor watched for both reading and writing."""


class IHalfCloseableDescriptor(Interface):
    """A descriptor whose read and write halves close separately."""

    def writeConnectionLost(reason: Failure) -> None:
        """
        Called when the write half is closed.

        :param reason: why.
        """

    def readConnectionLost(reason: Failure) -> None:
        """
        Called when the read half is closed (the peer finished sending).

        :param reason: why.
        """


class ISystemHandle(Interface):
    """An object wrapping a platform handle."""

    def getHandle() -> Any:
        """
        Return the underlying handle (e.g. the ``socket.socket``); using it directly
        bypasses the reactor and may confuse it.

        :return: the handle.
        """


# -- producers and consumers --------------------------------------------------------


class IProducer(Interface):
    """A source of data written to an :class:`IConsumer`."""

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
        """Stop writing until :meth:`resumeProducing` (the consumer's buffer is full)."""

    def resumeProducing() -> None:
        """Start writing again after :meth:`pauseProducing`."""


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

        :param producer: the producer.
        :param streaming: ``True`` for an :class:`IPushProducer` (paused and resumed),
            ``False`` for an :class:`IPullProducer` (asked for each chunk).
        :raise RuntimeError: if a producer is already registered.
        """

    def unregisterProducer() -> None:
        """Detach the producer; a pending ``loseConnection`` then completes."""

    def write(data: bytes) -> None:
        """
        Consume ``data``; the consumer may pause its producer in response.

        :param data: the bytes.
        """


# -- protocols and transports -------------------------------------------------------


class IProtocol(Interface):
    """The handler of one stream connection: receives events from its transport."""

    def dataReceived(data: bytes) -> None:
        """
        Called with bytes received, in chunks of any size (never assume message
        boundaries).

        :param data: the bytes (never empty).
        """

    def connectionLost(reason: Failure) -> None:
        """
        Called once when the connection is closed; the transport is unusable after.

        :param reason: ``ConnectionDone`` for a clean close, ``ConnectionLost`` (or
            another error) otherwise.
        """

    def makeConnection(transport: ITransport) -> None:
        """
        Attach the protocol to ``transport`` (as ``self.transport``), then call
        :meth:`connectionMade`.

        :param transport: the connection's transport.
        """

    def connectionMade() -> None:
        """Called once the connection is established and ``self.transport`` is set."""


class IProtocolNegotiationFactory(Interface):
    """A protocol factory that takes part in TLS application protocol negotiation."""

    def acceptableProtocols() -> list[bytes]:
        """
        Return the application protocols acceptable, most preferred first.

        :return: protocol names, e.g. ``[b"h2", b"http/1.1"]`` (for ALPN/NPN).
        """


class IHalfCloseableProtocol(Interface):
    """A protocol told separately when each half of its connection closes."""

    def readConnectionLost() -> None:
        """
        Called when the peer finished sending (no more ``dataReceived``); the protocol
        may still write.  ``connectionLost`` follows once both halves are closed.
        """

    def writeConnectionLost() -> None:
        """
        Called when our write half was closed (``loseWriteConnection``) or failed.
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

        :param addr: the peer's address.
        :return: the protocol, or ``None`` to refuse the connection (it is closed).
        """

    def doStart() -> None:
        """
        Called when the factory starts being used by a port or connector (counted:
        the factory's ``startFactory`` runs on the first use only).
        """

    def doStop() -> None:
        """
        Called when a port or connector stops using the factory (the factory's
        ``stopFactory`` runs when the last one stops).
        """


class ITransport(Interface):
    """The byte stream of a connection, as seen by its protocol."""

    def write(data: bytes) -> None:
        """
        Send ``data``; buffered if the socket is not ready, never blocks.

        :param data: the bytes (``str`` is refused).
        :raise TypeError: if ``data`` is not bytes.
        """

    def writeSequence(data: Sequence[bytes]) -> None:
        """
        Send the concatenation of a sequence of byte strings.

        :param data: the byte strings.
        :raise TypeError: if an element is not bytes.
        """

    def loseConnection() -> None:
        """
        Close the connection once every buffered byte is written (and a registered
        producer is unregistered); the protocol's ``connectionLost`` follows.
        """

    def getPeer() -> IAddress:
        """
        Return the remote address.

        :return: the peer's address.
        """

    def getHost() -> IAddress:
        """
        Return the local address.

        :return: our address.
        """


class ITCPTransport(ITransport):
    """A TCP connection's transport."""

    def loseWriteConnection() -> None:
        """
        Close the write half once buffered data is written (a FIN); the read half stays
        open.  Protocols providing :class:`IHalfCloseableProtocol` are told.
        """

    def abortConnection() -> None:
        """
        Close the connection at once, discarding buffered data and the producer.
        """

    def getTcpNoDelay() -> bool:
        """
        Tell whether Nagle's algorithm is off (``TCP_NODELAY``).

        :return: ``True`` if it is off.
        """

    def setTcpNoDelay(enabled: bool) -> None:
        """
        Turn Nagle's algorithm off (``True``) or on (``False``).

        :param enabled: the ``TCP_NODELAY`` setting.
        """

    def getTcpKeepAlive() -> bool:
        """
        Tell whether TCP keep-alive probes are on (``SO_KEEPALIVE``).

        :return: the setting.
        """

    def setTcpKeepAlive(enabled: bool) -> None:
        """
        Turn TCP keep-alive probes on or off.

        :param enabled: the ``SO_KEEPALIVE`` setting.
        """


class IUNIXTransport(ITransport):
    """A UNIX-socket connection's transport, which can also pass descriptors."""

    def sendFileDescriptor(descriptor: int) -> None:
        """
        Send a copy of an open descriptor to the peer, with the next written data.

        :param descriptor: the descriptor number.
        """


class ITLSTransport(ITCPTransport):
    """A TCP transport that can switch to TLS mid-connection."""

    def startTLS(contextFactory: Any) -> None:
        """
        Start TLS on this connection: data written before is sent in the clear, data
        written after is encrypted.

        :param contextFactory: the TLS configuration, e.g. ``CertificateOptions`` or
            ``optionsForClientTLS(...)``.
        """


class ISSLTransport(ITCPTransport):
    """A TLS connection's transport."""

    def getPeerCertificate() -> Any:
        """
        Return the peer's certificate, once the handshake is done.

        :return: an ``OpenSSL.crypto.X509``, or ``None`` if the peer sent none.
        """


class IProcessTransport(ITransport):
    """The pipes of a child process, as seen by its process protocol."""

    pid = Attribute("The child's process ID, or ``None`` once it has been reaped.")

    def closeStdin() -> None:
        """Close the child's standard input (it sees end of file)."""

    def closeStdout() -> None:
        """Close our end of the child's standard output pipe."""

    def closeStderr() -> None:
        """Close our end of the child's standard error pipe."""

    def closeChildFD(descriptor: int) -> None:
        """
        Close our end of the pipe to child descriptor ``descriptor``.

        :param descriptor: the descriptor number in the child.
        """

    def writeToChild(childFD: int, data: bytes) -> None:
        """
        Write to the pipe mapped to child descriptor ``childFD`` (queued).

        :param childFD: a child descriptor opened with ``"w"``.
        :param data: the bytes.
        :raise KeyError: if ``childFD`` is not a descriptor we write to.
        """

    def loseConnection() -> None:
        """Close the child's stdin, stdout and stderr pipes (the child is not killed)."""

    def signalProcess(signalID: Union[str, int]) -> None:
        """
        Send a signal to the child.

        :param signalID: ``'KILL'``, ``'TERM'``, ``'INT'`` or a signal number.
        :raise netframe.core.error.ProcessExitedAlready: if the child has exited.
        """


class IProcessProtocol(Interface):
    """The handler of a child process: receives its output and its end."""

    def makeConnection(transport: IProcessTransport) -> None:
        """
        Attach to the process transport, then call ``connectionMade``.

        :param transport: the child's transport.
        """

    def childDataReceived(childFD: int, data: bytes) -> None:
        """
        Called with data the child wrote to descriptor ``childFD`` (in chunks).

        :param childFD: the child descriptor (1 stdout, 2 stderr, ...).
        :param data: the bytes.
        """

    def childConnectionLost(childFD: int) -> None:
        """
        Called when the pipe to child descriptor ``childFD`` is closed.

        :param childFD: the child descriptor.
        """

    def processExited(reason: Failure) -> None:
        """
        Called when the child has exited and been reaped (pipes may remain open).

        :param reason: wraps ``ProcessDone`` (exit status 0) or ``ProcessTerminated``
            (with ``exitCode`` or ``signal``).
        """

    def processEnded(reason: Failure) -> None:
        """
        Called last: the child exited and every pipe is closed.

        :param reason: as for :meth:`processExited`.
        """


class IFileDescriptorReceiver(Interface):
    """
    A protocol that accepts file descriptors sent over its UNIX connection
    (see :class:`IUNIXTransport`).  A protocol not providing it has received
    descriptors closed for it.
    """

    def fileDescriptorReceived(descriptor: int) -> None:
        """
        Take ownership of a descriptor the peer sent; called before the data
        that was written after it is delivered.

        :param descriptor: the new descriptor, open in this process and
            close-on-exec; the protocol must close it.
        """


# -- datagrams ----------------------------------------------------------------------


class IUDPTransport(Interface):
    """The transport of a UDP port, as seen by its datagram protocol."""

    def write(packet: bytes, addr: Optional[tuple[str, int]] = None) -> None:
        """
        Send one datagram.

        :param packet: the datagram.
        :param addr: the destination ``(ip, port)``; must be ``None`` on a connected
            port and given otherwise.  Only IP addresses, never host names.
        :raise netframe.core.error.MessageLengthError: if the datagram is too long.
        :raise ValueError: if ``addr`` is missing, or given on a connected port.
        """

    def connect(host: str, port: int) -> None:
        """
        Connect the port: send to and receive from that peer only.

        :param host: an IP address (not a host name).
        :param port: the peer's port.
        :raise ValueError: if ``host`` is not an IP address.
        :raise RuntimeError: if already connected (reconnecting is not supported).
        """

    def getHost() -> IAddress:
        """
        Return the local address.

        :return: an ``IPv4Address``/``IPv6Address`` with type ``'UDP'``.
        """

    def stopListening() -> Optional[Deferred[None]]:
        """
        Close the port.

        :return: a Deferred firing once closed, or ``None``.
        """

    def setBroadcastAllowed(enabled: bool) -> None:
        """
        Allow (or forbid) sending to broadcast addresses such as ``"<broadcast>"``.

        :param enabled: the ``SO_BROADCAST`` setting.
        """

    def getBroadcastAllowed() -> bool:
        """
        Tell whether broadcast sending is allowed.

        :return: the ``SO_BROADCAST`` setting.
        """


class IMulticastTransport(Interface):
    """
    The multicast controls of a multicast UDP port (whose transport also provides
    :class:`IUDPTransport`).
    """

    def getOutgoingInterface() -> str:
        """
        Return the interface address outgoing multicast datagrams leave from.

        :return: an IP address, ``''``/``'0.0.0.0'`` for the default.
        """

    def setOutgoingInterface(addr: str) -> Deferred[int]:
        """
        Send multicast datagrams from the interface with address ``addr``.

        :param addr: an interface IP address, or a host name resolved first.
        :return: a Deferred firing once set.
        """

    def getLoopbackMode() -> bool:
        """
        Tell whether our own multicast datagrams are delivered back to us.

        :return: the loopback setting.
        """

    def setLoopbackMode(mode: bool) -> None:
        """
        Turn delivery of our own multicast datagrams to us on or off.

        :param mode: the loopback setting.
        """

    def getTTL() -> int:
        """
        Return the time-to-live of outgoing multicast datagrams (default 1).

        :return: the TTL.
        """

    def setTTL(ttl: int) -> None:
        """
        Set the time-to-live of outgoing multicast datagrams.

        :param ttl: hops, 0-255.
        """

    def joinGroup(addr: str, interface: str = "") -> Deferred[None]:
        """
        Join the multicast group ``addr``.

        :param addr: the group address (or a host name resolved first).
        :param interface: the local interface address; ``''`` lets the system choose.
        :return: a Deferred firing once joined, failing with
            ``netframe.core.error.MulticastJoinError`` otherwise.
        """

    def leaveGroup(addr: str, interface: str = "") -> Deferred[None]:
        """
        Leave the multicast group ``addr``.

        :param addr: the group address.
        :param interface: the local interface address used to join.
        :return: a Deferred firing once left.
        """


class IUNIXDatagramTransport(Interface):
    """The transport of an unconnected UNIX datagram socket."""

    def write(packet: bytes, address: str) -> None:
        """
        Send one datagram to the socket at path ``address``.

        :param packet: the datagram.
        :param address: the destination's path.
        """

    def getHost() -> IAddress:
        """
        Return the local address.

        :return: a ``UNIXAddress``.
        """


class IUNIXDatagramConnectedTransport(Interface):
    """The transport of a connected UNIX datagram socket."""

    def write(packet: bytes) -> None:
        """
        Send one datagram to the connected peer.

        :param packet: the datagram.
        """

    def getHost() -> IAddress:
        """
        Return the local address.

        :return: a ``UNIXAddress``.
        """

    def getPeer() -> IAddress:
        """
        Return the peer's address.

        :return: a ``UNIXAddress``.
        """


# -- endpoints ----------------------------------------------------------------------


class IStreamServerEndpoint(Interface):
    """Where and how to listen for stream connections."""

    def listen(protocolFactory: IProtocolFactory) -> Deferred[IListeningPort]:
        """
        Listen, building protocols with ``protocolFactory``.

        :param protocolFactory: builds one protocol per connection.
        :return: a Deferred firing with the :class:`IListeningPort` once listening,
            or failing (e.g. ``CannotListenError``) if it could not listen.
        """


class IStreamClientEndpoint(Interface):
    """Where and how to make one stream connection."""

    def connect(protocolFactory: IProtocolFactory) -> Deferred[IProtocol]:
        """
        Connect, building the connection's protocol with ``protocolFactory``.

        No retry is made.  Cancelling the Deferred aborts the attempt (it usually fails
        with ``CancelledError``).  A ``ClientFactory``'s ``clientConnectionFailed`` /
        ``clientConnectionLost`` are not called.

        :param protocolFactory: its ``buildProtocol`` is called once connected.
        :return: a Deferred firing with the protocol once ``connectionMade`` has run,
            or failing with the connection error.
        """


class IStreamServerEndpointStringParser(Interface):
    """A plugin adding a prefix to ``serverFromString`` descriptions."""

    prefix = Attribute("The description prefix handled, e.g. ``'tcp'`` (text, no colon).")

    def parseStreamServer(reactor: Any, *args: str, **kwargs: str) -> IStreamServerEndpoint:
        """
        Build a server endpoint from a parsed description.

        :param reactor: the reactor the endpoint uses.
        :param args: the description's positional fields, after the prefix.
        :param kwargs: its ``key=value`` fields.
        :return: the endpoint.
        :raise ValueError: if the fields are invalid.
        """


class IStreamClientEndpointStringParserWithReactor(Interface):
    """A plugin adding a prefix to ``clientFromString`` descriptions."""

    prefix = Attribute("The description prefix handled, e.g. ``'tls'`` (text, no colon).")

    def parseStreamClient(reactor: Any, *args: str, **kwargs: str) -> IStreamClientEndpoint:
        """
        Build a client endpoint from a parsed description.

        :param reactor: the reactor the endpoint uses.
        :param args: the description's positional fields, after the prefix.
        :param kwargs: its ``key=value`` fields.
        :return: the endpoint.
        :raise ValueError: if the fields are invalid.
        """


# -- TLS ----------------------------------------------------------------------------


class IOpenSSLClientConnectionCreator(Interface):
    """Creates the pyOpenSSL connection of a TLS client."""

    def clientConnectionForTLS(tlsProtocol: Any) -> _OpenSSLConnection:
        """
        Create the ``OpenSSL.SSL.Connection`` for a new client connection, configured
        (server name, verification) for the server connected to.

        :param tlsProtocol: the TLS protocol wrapper (its ``wrappedProtocol`` may be
            inspected).
        :return: the connection, in client mode.
        """


class IOpenSSLServerConnectionCreator(Interface):
    """Creates the pyOpenSSL connection of a TLS server."""

    def serverConnectionForTLS(tlsProtocol: Any) -> _OpenSSLConnection:
        """
        Create the ``OpenSSL.SSL.Connection`` for a newly accepted connection.

        :param tlsProtocol: the TLS protocol wrapper.
        :return: the connection, in server mode.
        """


class IOpenSSLTrustRoot(Interface):
    """
    The certificate authorities a TLS endpoint trusts to identify its peer
    (``netframe.core.ssl.platformTrust()``, ``trustRootFromCertificates(...)``).
    """

    def _addCACertsToContext(context: Any) -> None:
        """
        Make ``context`` trust these authorities.

        :param context: the ``OpenSSL.SSL.Context``.
        """


class IAcceptableCiphers(Interface):
    """A policy choosing the TLS cipher suites to use."""

    def selectCiphers(availableCiphers: Sequence[Any]) -> tuple[Any, ...]:
        """
        Choose among the ciphers the TLS library offers.

        :param availableCiphers: the ciphers available.
        :return: the acceptable ciphers, most preferred first (possibly empty).
        """
