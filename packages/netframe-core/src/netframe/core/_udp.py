"""
UDP and multicast ports for the POSIX reactors (IReactorUDP, IReactorMulticast).

A datagram port is one socket and one L{DatagramProtocol}: the port is both
the listening port and the protocol's transport.  Each readiness event reads
at most L{Port.maxDatagramsPerRead} datagrams so one busy port cannot starve
the rest of the loop.

Destinations are IP address literals only: a host name given to C{write} or
C{connect} raises L{InvalidAddressError} at once (the socket layer would
otherwise resolve it, blocking the whole reactor).  Resolve names first with
C{reactor.resolve}.
"""

from __future__ import annotations

import errno
import socket
from socket import socket as _socket
from typing import Any

from zope.interface import implementer

from netframe.core import error
from netframe.core.address import IPv4Address, IPv6Address
from netframe.core.defer import Deferred, succeed
from netframe.core.failure import Failure
from netframe.core.interfaces import (
    IListeningPort,
    IMulticastTransport,
    IReadDescriptor,
    ISystemHandle,
    IUDPTransport,
)
from netframe.logger import Logger

_log = Logger()

#: recv errors that concern one datagram (or an ICMP report) and are skipped.
_RECV_SKIPPED = frozenset(
    {
        errno.EMSGSIZE,
        errno.ENOBUFS,
        errno.ENOMEM,
        errno.ECONNRESET,
        errno.ENETRESET,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.EHOSTDOWN,
        errno.ETIMEDOUT,
        errno.ECONNREFUSED,
    }
)

#: send errors meaning "no room right now": the datagram is dropped, as the
#: network itself might have done.
_SEND_DROPPED = frozenset({errno.EAGAIN, errno.EWOULDBLOCK, errno.ENOBUFS})

#: The special destination host that sends to the local broadcast address.
BROADCAST = "<broadcast>"


def _isIPLiteral(host: object, family: int) -> bool:
    """
    Return True if C{host} is an address literal of C{family}.

    IPv6 literals may carry a C{%scope} suffix.
    """
    if not isinstance(host, str):
        return False
    if family == socket.AF_INET6:
        host = host.split("%", 1)[0]
    try:
        socket.inet_pton(family, host)
    except (OSError, ValueError):
        return False
    return True


def _familyOf(interface: str) -> int:
    """Return AF_INET6 for an IPv6 literal, else AF_INET."""
    return socket.AF_INET6 if ":" in interface else socket.AF_INET


def _checkDatagramProtocol(protocol: object, method: str) -> None:
    """
    @raise TypeError: If C{protocol} is not a datagram protocol (a common
        mistake is passing a stream protocol factory).
    """
    if not callable(getattr(protocol, "datagramReceived", None)) or not callable(
        getattr(protocol, "makeConnection", None)
    ):
        raise TypeError(
            f"{method} needs a DatagramProtocol instance, not {type(protocol).__name__}"
        )


def _checkMaxPacketSize(maxPacketSize: object) -> int:
    """
    @return: C{maxPacketSize} if it is a positive int.
    @raise ValueError: Otherwise.
    """
    if type(maxPacketSize) is not int or maxPacketSize <= 0:
        raise ValueError(f"maxPacketSize must be a positive int, not {maxPacketSize!r}")
    return maxPacketSize


@implementer(IListeningPort, IUDPTransport, ISystemHandle, IReadDescriptor)
class Port:
    """
    A UDP socket bound to a local port, and the transport of its protocol.

    @ivar maxDatagramsPerRead: datagrams read per readiness event at most; the
        rest wait for the next loop pass.
    @ivar maxPacketSize: the largest datagram read; longer ones are truncated
        by the kernel.
    @ivar protocol: the L{DatagramProtocol}.
    """

    maxDatagramsPerRead = 256

    #: Whether a refusal on an unconnected port raises (UNIX) or is a
    #: stale ICMP report to ignore (UDP).
    _raiseRefused = False

    socket: _socket | None

    def __init__(
        self, port: int, protocol: Any, interface: str, maxPacketSize: int, reactor: Any
    ) -> None:
        """
        Remember where to listen; L{startListening} binds.

        @param port: the port number (0: the system chooses).
        @param protocol: the datagram protocol.
        @param interface: '' (all IPv4 addresses) or an IP literal ('::' for
            all IPv6 addresses).
        @param maxPacketSize: the largest datagram read.
        @param reactor: the reactor.
        @raise CannotListenError: If C{interface} is not an IP literal.
        @raise TypeError: If C{protocol} is not a datagram protocol.
        @raise ValueError: If C{maxPacketSize} is not a positive int.
        """
        _checkDatagramProtocol(protocol, "listenUDP")
        self.maxPacketSize = _checkMaxPacketSize(maxPacketSize)
        self.port = port
        self.protocol = protocol
        self.interface = interface
        self.reactor = reactor
        if interface and not (
            _isIPLiteral(interface, socket.AF_INET) or _isIPLiteral(interface, socket.AF_INET6)
        ):
            raise error.CannotListenError(
                interface,
                port,
                error.InvalidAddressError(interface, "the interface must be an IP address"),
            )
        self._family = _familyOf(interface)
        self._initState()

    def _initState(self) -> None:
        """Set the not-yet-listening state."""
        self.socket = None
        self._fileno = -1
        self.connected = False
        self.disconnected = False
        self._connectedAddr: Any = None
        self._realPortNumber: Any = None
        self._starting = False
        self._stopAfterStart = False

    # -- listening ----------------------------------------------------------

    def startListening(self) -> None:
        """
        Bind the socket and connect the protocol (its C{startProtocol} runs).

        @raise CannotListenError: If binding fails.
        @raise AlreadyListened: If the port is already listening.
        """
        if self.connected:
            raise error.AlreadyListened(f"{self!r} is already listening")
        self._startWithSocket(self._bindSocket())

    def _bindSocket(self) -> _socket:
        """
        Create and bind the non-blocking socket.

        @raise CannotListenError: If the socket cannot be created or bound.
        """
        try:
            sock = socket.socket(self._family, socket.SOCK_DGRAM)
        except OSError as e:
            raise error.CannotListenError(self.interface, self.port, e)
        try:
            self._prepareSocket(sock)
            host = self.interface or ("::" if self._family == socket.AF_INET6 else "0.0.0.0")
            sock.bind((host, self.port))
            sock.setblocking(False)
        except OSError as e:
            sock.close()
            raise error.CannotListenError(self.interface, self.port, e)
        return sock

    def _prepareSocket(self, sock: _socket) -> None:
        """Set socket options before binding (nothing for plain UDP)."""

    def _startWithSocket(self, sock: _socket) -> None:
        """
        Take C{sock} (bound, non-blocking) and start the protocol and reading.

        If the protocol's C{startProtocol} raises, the socket is closed and
        the exception propagates.
        """
        self.socket = sock
        self._fileno = sock.fileno()
        self._realPortNumber = self._localName(sock)
        self.connected = True
        self.disconnected = False
        self.reactor._track(self)
        _log.info(
            "{protocol} starting on {port!r}",
            protocol=type(self.protocol).__name__,
            port=self._realPortNumber,
        )
        self._starting = True
        try:
            self.protocol.makeConnection(self)
        except BaseException:
            self._starting = False
            self._closeSocket()
            self.protocol.transport = None
            raise
        self._starting = False
        if self.connected:
            self.reactor.addReader(self)
        elif self._stopAfterStart:
            # startProtocol closed the port: stop the protocol now that its
            # start is complete (doStop before that would be ignored).
            self._stopProtocol()

    def _localName(self, sock: _socket) -> Any:
        """Return the bound port number (what the log and repr show)."""
        return sock.getsockname()[1]

    # -- IReadDescriptor ----------------------------------------------------

    def fileno(self) -> int:
        """Return the socket's descriptor, or -1 when closed."""
        return self._fileno

    def doRead(self) -> None:
        """
        Read up to C{maxDatagramsPerRead} datagrams and hand each to the protocol.

        An exception from C{datagramReceived} is logged; the port keeps
        running.  On a connected port an ICMP refusal calls the protocol's
        C{connectionRefused}.
        """
        sock = self.socket
        if sock is None:
            return None
        recvfrom = sock.recvfrom
        size = self.maxPacketSize
        protocol = self.protocol
        for _ in range(self.maxDatagramsPerRead):
            try:
                data, addr = recvfrom(size)
            except (BlockingIOError, InterruptedError):
                return None
            except OSError as e:
                if e.errno == errno.ECONNREFUSED and self._connectedAddr is not None:
                    self._refused()
                elif e.errno not in _RECV_SKIPPED:
                    _log.error("Error reading from {port!r}: {error}", port=self, error=e)
                    return None
                if self._fileno < 0:
                    return None
                continue
            try:
                self._deliver(protocol, data, addr)
            except BaseException:
                _log.failure(
                    "Unhandled error in datagramReceived of {protocol!r}",
                    Failure(),
                    protocol=protocol,
                )
            if self._fileno < 0:
                return None
        return None

    def _deliver(self, protocol: Any, data: bytes, addr: Any) -> None:
        """Give one datagram to the protocol."""
        protocol.datagramReceived(data, addr)

    def _refused(self) -> None:
        """Tell the protocol its connected peer refused a datagram (logged if it raises)."""
        try:
            self.protocol.connectionRefused()
        except BaseException:
            _log.failure(
                "Unhandled error in connectionRefused of {protocol!r}",
                Failure(),
                protocol=self.protocol,
            )

    # -- IUDPTransport ------------------------------------------------------

    def write(self, datagram: bytes, addr: Any = None) -> None:
        """
        Send one datagram.

        A datagram the kernel has no room for right now (EAGAIN/ENOBUFS) is
        dropped, as the network might have dropped it.

        @param datagram: the payload (bytes).
        @param addr: C{(ip, port)} (or an IPv6 4-tuple); C{None} on a
            connected port.  The host C{"<broadcast>"} sends to the local
            broadcast address (see L{setBroadcastAllowed}).
        @raise InvalidAddressError: If the host is not an IP literal of the
            port's family (host names are refused, never resolved).
        @raise ValueError: If C{addr} is missing on an unconnected port or
            differs from the peer of a connected one.
        @raise MessageLengthError: If the datagram is too long to send.
        @raise TypeError: If C{datagram} is not bytes-like.
        @raise OSError: For other send errors.
        """
        sock = self.socket
        if sock is None:
            raise error.NotListeningError(f"{self!r} is not listening")
        connected = self._connectedAddr
        if connected is not None:
            if addr is not None and tuple(addr[:2]) != connected:
                raise ValueError(f"{self!r} is connected to {connected!r}; cannot send to {addr!r}")
        elif addr is None:
            raise ValueError("write() needs a destination (ip, port) on an unconnected port")
        else:
            self._checkDestination(addr)
        while True:
            try:
                if connected is None:
                    sock.sendto(datagram, addr)
                else:
                    sock.send(datagram)
                return
            except InterruptedError:
                continue
            except OSError as e:
                if e.errno == errno.EMSGSIZE:
                    raise error.MessageLengthError(
                        f"{len(datagram)} bytes", e.strerror or str(e)
                    ) from e
                if e.errno == errno.ECONNREFUSED:
                    if connected is not None:
                        self._refused()
                        return
                    if self._raiseRefused:
                        raise
                    return
                if e.errno in _SEND_DROPPED:
                    return
                raise

    def _checkDestination(self, addr: Any) -> None:
        """
        @raise InvalidAddressError: If C{addr}'s host is not an IP literal.
        """
        try:
            host = addr[0]
        except (TypeError, IndexError, KeyError):
            raise ValueError(f"destination must be an (ip, port) tuple, not {addr!r}") from None
        if host == BROADCAST and self._family == socket.AF_INET:
            return
        if not _isIPLiteral(host, self._family):
            raise error.InvalidAddressError(
                host,
                "write() only accepts IP addresses of the port's family, not host names",
            )

    def connect(self, host: str, port: int) -> None:
        """
        Connect the port to one peer: C{write(datagram)} then needs no address,
        only that peer's datagrams are received, and an ICMP refusal calls the
        protocol's C{connectionRefused}.

        @param host: an IP literal.
        @param port: the peer's port.
        @raise RuntimeError: If already connected (reconnecting is not supported).
        @raise InvalidAddressError: If C{host} is not an IP literal.
        @raise NotListeningError: If the port is closed.
        """
        if self._connectedAddr is not None:
            raise RuntimeError(
                f"{self!r} is already connected to {self._connectedAddr!r}; "
                "reconnecting is not supported"
            )
        if not _isIPLiteral(host, self._family):
            raise error.InvalidAddressError(host, "connect() only accepts IP addresses")
        if self.socket is None:
            raise error.NotListeningError(f"{self!r} is not listening")
        self.socket.connect((host, port))
        self._connectedAddr = (host, port)

    def getHost(self) -> IPv4Address | IPv6Address:
        """
        Return the local address (type C{'UDP'}, with the real port number).

        @raise NotListeningError: If the port never listened.
        """
        if self.socket is None:
            if self._realPortNumber is None:
                raise error.NotListeningError(f"{self!r} is not listening")
            host = self.interface or ("::" if self._family == socket.AF_INET6 else "0.0.0.0")
            if self._family == socket.AF_INET6:
                return IPv6Address("UDP", host, self._realPortNumber)
            return IPv4Address("UDP", host, self._realPortNumber)
        name = self.socket.getsockname()
        if len(name) == 2:
            return IPv4Address("UDP", name[0], name[1])
        return IPv6Address("UDP", name[0], name[1], name[2], name[3])

    def stopListening(self) -> Deferred[None]:
        """
        Close the socket and stop the protocol (C{stopProtocol} runs).

        @return: a Deferred that has fired with None (the port is closed).
        """
        self._closePort()
        return succeed(None)

    loseConnection = stopListening

    def connectionLost(self, reason: Failure | None = None) -> None:
        """Close the port (reactor shutdown or a fatal error)."""
        self._closePort()

    def _closePort(self) -> None:
        """Close the socket and stop the protocol, once."""
        if not self.connected:
            return
        self._closeSocket()
        _log.info("(UDP Port {port!r} Closed)", port=self._realPortNumber)
        self._stopProtocol()

    def _stopProtocol(self) -> None:
        """Stop the protocol (after its start completed), logging any error."""
        if self._starting:
            self._stopAfterStart = True
            return
        try:
            self.protocol.doStop()
        except BaseException:
            _log.failure("Error stopping protocol {protocol!r}", Failure(), protocol=self.protocol)

    def _closeSocket(self) -> None:
        """Stop reading and close our socket."""
        self.connected = False
        self.disconnected = True
        self.reactor.removeReader(self)
        self.reactor._untrack(self)
        sock = self.socket
        self.socket = None
        self._fileno = -1
        if sock is not None:
            sock.close()

    def setBroadcastAllowed(self, enabled: bool) -> None:
        """
        Allow (True) or forbid (False) sending to broadcast addresses.

        @raise NotListeningError: If the port is closed.
        """
        self._sock().setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, int(bool(enabled)))

    def getBroadcastAllowed(self) -> bool:
        """
        Return whether sending to broadcast addresses is allowed (SO_BROADCAST).

        @raise NotListeningError: If the port is closed.
        """
        return bool(self._sock().getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST))

    def _sock(self) -> _socket:
        """
        @return: the open socket.
        @raise NotListeningError: If the port is closed.
        """
        if self.socket is None:
            raise error.NotListeningError(f"{self!r} is not listening")
        return self.socket

    # -- misc ---------------------------------------------------------------

    def getHandle(self) -> _socket | None:
        """Return the socket object (ISystemHandle), None once closed."""
        return self.socket

    def logPrefix(self) -> str:
        """Return the protocol's log prefix (its class name by default)."""
        logPrefix = getattr(self.protocol, "logPrefix", None)
        return logPrefix() if callable(logPrefix) else type(self.protocol).__name__

    def __repr__(self) -> str:
        """Return C{<ProtocolName on PORT>}."""
        where = self._realPortNumber if self._realPortNumber is not None else self.port
        return f"<{type(self.protocol).__name__} on {where!r}>"


@implementer(IMulticastTransport)
class MulticastPort(Port):
    """
    A UDP port that can join IPv4 multicast groups; it also receives unicast.

    Group and interface names that are not address literals are resolved
    with C{reactor.resolve} first, so the Deferreds may fire later.
    """

    def __init__(
        self,
        port: int,
        protocol: Any,
        interface: str,
        maxPacketSize: int,
        reactor: Any,
        listenMultiple: bool,
    ) -> None:
        """
        @param listenMultiple: let other sockets (and processes) bind the same
            port (SO_REUSEADDR and SO_REUSEPORT).
        @raise CannotListenError: If C{interface} is not an IPv4 literal
            (multicast ports are IPv4 only).
        """
        super().__init__(port, protocol, interface, maxPacketSize, reactor)
        if self._family != socket.AF_INET:
            raise error.CannotListenError(
                interface,
                port,
                error.UnsupportedAddressFamily("multicast ports are IPv4 only"),
            )
        self.listenMultiple = listenMultiple

    def _prepareSocket(self, sock: _socket) -> None:
        """Allow several listeners on the port when C{listenMultiple}."""
        if self.listenMultiple:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if hasattr(socket, "SO_REUSEPORT"):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)

    def getOutgoingInterface(self) -> str:
        """
        Return the address multicast datagrams are sent from ('0.0.0.0': the
        system's choice).
        """
        raw = self._sock().getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, 4)
        return socket.inet_ntoa(raw)

    def setOutgoingInterface(self, addr: str) -> Deferred[int]:
        """
        Send multicast datagrams from the interface with address C{addr}.

        @param addr: an interface address or a name resolved first.
        @return: a Deferred firing with 1 once set, or failing with the
            resolution or socket error.
        """

        def setInterface(ip: str) -> int:
            self._sock().setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ip))
            return 1

        return self.reactor.resolve(addr).addCallback(setInterface)  # type: ignore[no-any-return]

    def getLoopbackMode(self) -> bool:
        """Return whether our own multicast datagrams come back to us (IP_MULTICAST_LOOP)."""
        return bool(self._sock().getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP))

    def setLoopbackMode(self, mode: bool) -> None:
        """Turn delivery of our own multicast datagrams to us on or off."""
        self._sock().setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, int(bool(mode)))

    def getTTL(self) -> int:
        """Return the time-to-live of outgoing multicast datagrams (1 by default)."""
        return int(self._sock().getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL))

    def setTTL(self, ttl: int) -> None:
        """
        Set the time-to-live (router hops) of outgoing multicast datagrams.

        @param ttl: 0 to 255.
        @raise ValueError: If C{ttl} is outside 0..255 or not an int.
        """
        if type(ttl) is not int or not 0 <= ttl <= 255:
            raise ValueError(f"multicast TTL must be an int in 0..255, not {ttl!r}")
        self._sock().setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)

    def joinGroup(self, addr: str, interface: str = "") -> Deferred[None]:
        """
        Join the multicast group C{addr}.

        @param addr: the group address (or a name resolved first).
        @param interface: the local interface address; '' lets the system choose.
        @return: a Deferred firing with None once joined, or failing with
            L{MulticastJoinError} (not a multicast address, already joined,
            no such interface ...).
        """
        return self._membership(addr, interface, socket.IP_ADD_MEMBERSHIP)

    def leaveGroup(self, addr: str, interface: str = "") -> Deferred[None]:
        """
        Leave the multicast group C{addr}.

        @param addr: the group address (or a name resolved first).
        @param interface: the interface address used to join.
        @return: a Deferred firing with None once left, or failing with
            L{MulticastJoinError} (for example when not a member).
        """
        return self._membership(addr, interface, socket.IP_DROP_MEMBERSHIP)

    def _membership(self, addr: str, interface: str, option: int) -> Deferred[None]:
        """Resolve the group (and interface), then set the membership C{option}."""
        result: Deferred[None] = Deferred()

        def resolved(group: str) -> Deferred[Any]:
            if interface and not _isIPLiteral(interface, socket.AF_INET):
                return self.reactor.resolve(interface).addCallback(  # type: ignore[no-any-return]
                    lambda ip: apply(group, ip)
                )
            apply(group, interface or "0.0.0.0")
            return succeed(None)

        def apply(group: str, ip: str) -> None:
            try:
                mreq = socket.inet_aton(group) + socket.inet_aton(ip)
                self._sock().setsockopt(socket.IPPROTO_IP, option, mreq)
            except OSError as e:
                raise error.MulticastJoinError(addr, interface, *e.args) from e

        d: Deferred[Any] = self.reactor.resolve(addr)
        d.addCallback(resolved)
        d.chainDeferred(result)
        return result


class _UDPMixin:
    """IReactorUDP and IReactorMulticast for the POSIX reactors."""

    def listenUDP(
        self, port: int, protocol: Any, interface: str = "", maxPacketSize: int = 8192
    ) -> Port:
        """
        Bind a UDP port and deliver its datagrams to C{protocol}.

        @param port: the port number; 0 lets the system choose.
        @param protocol: a L{DatagramProtocol} instance; its C{transport}
            becomes the port and its C{startProtocol} runs now.
        @param interface: '' (every IPv4 address) or an IP literal; an IPv6
            literal such as '::' gives an IPv6 socket.
        @param maxPacketSize: the largest datagram read.
        @return: the listening L{Port} (an L{IUDPTransport}).
        @raise CannotListenError: If the port cannot be bound or the
            interface is not an IP literal.
        @raise TypeError: If C{protocol} is not a datagram protocol.
        """
        p = Port(port, protocol, interface, maxPacketSize, self)
        p.startListening()
        return p

    def listenMulticast(
        self,
        port: int,
        protocol: Any,
        interface: str = "",
        maxPacketSize: int = 8192,
        listenMultiple: bool = False,
    ) -> MulticastPort:
        """
        Bind a UDP port that can join IPv4 multicast groups.

        @param port: the port number.
        @param protocol: a L{DatagramProtocol} instance.
        @param interface: the local address to bind ('' for all: needed to
            receive multicast datagrams).
        @param maxPacketSize: the largest datagram read.
        @param listenMultiple: let other sockets bind the same port.
        @return: the L{MulticastPort} (an L{IMulticastTransport}).
        @raise CannotListenError: If the port cannot be bound.
        """
        p = MulticastPort(port, protocol, interface, maxPacketSize, self, listenMultiple)
        p.startListening()
        return p


__all__ = ["BROADCAST", "MulticastPort", "Port"]
