"""
Adopting sockets created elsewhere (IReactorSocket): listening stream
sockets, connected stream sockets and bound datagram sockets, given as file
descriptors (for example inherited from systemd, see the C{systemd:}
endpoint).

Rules, checked with a clear error before anything changes:

  - the reactor works on a C{dup()} of the descriptor and never closes (or
    otherwise changes) the caller's: the caller closes its own when it likes;
  - the descriptor must already be non-blocking (C{O_NONBLOCK} is shared by
    every duplicate, so the reactor does not flip it behind the caller's back);
  - the family is given explicitly and must match the socket (checked with
    C{SO_DOMAIN} where the platform has it), the socket type must match the
    call, and a stream port must be listening and a connection connected.
"""

from __future__ import annotations

import errno
import os
import socket
from socket import socket as _socket
from typing import Any

from netframe.core import _tcp, _udp, _unix, error
from netframe.core.failure import Failure
from netframe.logger import Logger

_log = Logger()

_FAMILY_NAMES: dict[int, str] = {
    socket.AF_INET: "AF_INET",
    socket.AF_INET6: "AF_INET6",
    socket.AF_UNIX: "AF_UNIX",
}
_STREAM_FAMILIES = (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX)
_DATAGRAM_FAMILIES = (socket.AF_INET, socket.AF_INET6)
_TYPE_NAMES: dict[int, str] = {socket.SOCK_STREAM: "SOCK_STREAM", socket.SOCK_DGRAM: "SOCK_DGRAM"}


def _familyName(family: int) -> str:
    """Return C{AF_...} for C{family}, or its number."""
    return _FAMILY_NAMES.get(family, repr(family))


def _adoptSocket(
    fileDescriptor: object, addressFamily: object, sockType: int, families: tuple[int, ...]
) -> _socket:
    """
    Check C{fileDescriptor} and return a socket object over a duplicate of it.

    @raise TypeError: If the descriptor or family is not an int.
    @raise UnsupportedAddressFamily: If C{addressFamily} is not in C{families}.
    @raise UnsupportedSocketType: If the socket is not of C{sockType}.
    @raise ValueError: If the descriptor is not an open socket, is blocking,
        or is of another family than C{addressFamily}.
    """
    if type(fileDescriptor) is not int:
        raise TypeError(f"fileDescriptor must be an int, not {type(fileDescriptor).__name__}")
    if type(addressFamily) is not int and not isinstance(addressFamily, socket.AddressFamily):
        raise TypeError(f"addressFamily must be an int, not {type(addressFamily).__name__}")
    family = int(addressFamily)
    if family not in families:
        raise error.UnsupportedAddressFamily(
            f"{_familyName(family)} is not supported here; "
            f"expected one of {', '.join(_familyName(f) for f in families)}"
        )
    if fileDescriptor < 0:
        raise ValueError(f"{fileDescriptor} is not an open file descriptor")
    try:
        blocking = os.get_blocking(fileDescriptor)
    except OSError as e:
        raise ValueError(f"{fileDescriptor} is not an open file descriptor: {e.strerror}") from e
    copy = os.dup(fileDescriptor)
    try:
        sock = socket.socket(family, sockType, 0, copy)
    except OSError as e:
        os.close(copy)
        raise ValueError(f"descriptor {fileDescriptor} is not a socket: {e.strerror}") from e
    try:
        _checkSocket(sock, fileDescriptor, family, sockType, blocking)
    except BaseException:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def _checkSocket(sock: _socket, fd: int, family: int, sockType: int, blocking: bool) -> None:
    """The checks of L{_adoptSocket} on the duplicated socket."""
    try:
        actualType = sock.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)
    except OSError as e:
        if e.errno == errno.ENOTSOCK:
            raise ValueError(f"descriptor {fd} is not a socket") from e
        raise
    if actualType != sockType:
        raise error.UnsupportedSocketType(
            f"descriptor {fd} is a {_TYPE_NAMES.get(actualType, actualType)} socket; "
            f"this call needs {_TYPE_NAMES[sockType]}"
        )
    soDomain = getattr(socket, "SO_DOMAIN", None)
    if soDomain is not None:
        actualFamily = sock.getsockopt(socket.SOL_SOCKET, soDomain)
        if actualFamily != family:
            raise ValueError(
                f"descriptor {fd} is an {_familyName(actualFamily)} socket, "
                f"but addressFamily {_familyName(family)} was given"
            )
    if blocking:
        raise ValueError(
            f"descriptor {fd} is in blocking mode; make it non-blocking "
            "(sock.setblocking(False)) before the reactor adopts it"
        )


class _AdoptedTCPPort(_tcp.Port):
    """A TCP port over an adopted, already listening socket."""

    def __init__(self, sock: _socket, family: int, factory: Any, reactor: Any) -> None:
        """@param sock: our duplicate of the listening socket."""
        name = sock.getsockname()
        super().__init__(name[1], factory, 0, name[0], reactor)
        self._family = socket.AddressFamily(family)
        self._adopted: _socket | None = sock

    def startListening(self) -> None:
        """
        Start accepting on the adopted socket (once).

        @raise AlreadyListened: If called again.
        """
        sock = self._adopted
        if sock is None or self.connected:
            raise error.AlreadyListened(f"{self!r}: an adopted port listens only once")
        self._adopted = None
        self._listenOn(sock, sock.getsockname()[1])


class _AdoptedUNIXPort(_unix.Port):
    """A UNIX stream port over an adopted socket; its file is left alone on close."""

    def __init__(self, sock: _socket, fd: int, factory: Any, reactor: Any) -> None:
        """@param sock: our duplicate of the listening socket."""
        name = sock.getsockname()
        super().__init__(name or f"<adopted descriptor {fd}>", factory, 0, 0, 0, reactor)
        self._adopted: _socket | None = sock

    def startListening(self) -> None:
        """
        Start accepting on the adopted socket (once).

        @raise AlreadyListened: If called again.
        """
        sock = self._adopted
        if sock is None or self.connected:
            raise error.AlreadyListened(f"{self!r}: an adopted port listens only once")
        self._adopted = None
        self._listenOn(sock, self.port)


class _AdoptedDatagramPort(_udp.Port):
    """A UDP port over an adopted, already bound socket."""

    def __init__(self, sock: _socket, protocol: Any, maxPacketSize: int, reactor: Any) -> None:
        """@param sock: our duplicate of the bound socket."""
        name = sock.getsockname()
        super().__init__(name[1], protocol, name[0], maxPacketSize, reactor)
        self._adopted: _socket | None = sock

    def startListening(self) -> None:
        """
        Start reading the adopted socket and start the protocol (once).

        @raise AlreadyListened: If called again.
        """
        sock = self._adopted
        if sock is None or self.connected:
            raise error.AlreadyListened(f"{self!r}: an adopted port listens only once")
        self._adopted = None
        self._startWithSocket(sock)


class _SocketMixin:
    """IReactorSocket for the POSIX reactors."""

    def adoptStreamPort(self, fileDescriptor: int, addressFamily: int, factory: Any) -> Any:
        """
        Accept connections on an already listening, non-blocking stream socket.

        The reactor listens on a duplicate; the caller's descriptor stays
        open and is the caller's to close.  C{stopListening} closes only
        the duplicate (and never removes a UNIX socket's file).

        @param fileDescriptor: the listening socket's descriptor.
        @param addressFamily: C{AF_INET}, C{AF_INET6} or C{AF_UNIX}.
        @param factory: builds one protocol per connection (started now).
        @return: the L{IListeningPort}, already accepting.
        @raise UnsupportedAddressFamily: For another family.
        @raise UnsupportedSocketType: If the socket is not a stream socket.
        @raise ValueError: If the descriptor is not an open, non-blocking,
            listening socket of that family.
        """
        sock = _adoptSocket(fileDescriptor, addressFamily, socket.SOCK_STREAM, _STREAM_FAMILIES)
        port: Any
        try:
            if not sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
                raise ValueError(f"descriptor {fileDescriptor} is not a listening socket")
            if int(addressFamily) == socket.AF_UNIX:
                port = _AdoptedUNIXPort(sock, fileDescriptor, factory, self)
            else:
                port = _AdoptedTCPPort(sock, int(addressFamily), factory, self)
        except BaseException:
            sock.close()
            raise
        port.startListening()
        return port

    def adoptStreamConnection(self, fileDescriptor: int, addressFamily: int, factory: Any) -> None:
        """
        Take over an already connected, non-blocking stream socket.

        The factory builds the protocol for the peer's address (it is not
        started or stopped: only C{buildProtocol} is called); returning None
        closes our duplicate.  The caller's descriptor stays open.

        @param fileDescriptor: the connected socket's descriptor.
        @param addressFamily: C{AF_INET}, C{AF_INET6} or C{AF_UNIX}.
        @param factory: the protocol factory.
        @raise UnsupportedAddressFamily: For another family.
        @raise UnsupportedSocketType: If the socket is not a stream socket.
        @raise ValueError: If the descriptor is not an open, non-blocking,
            connected socket of that family.
        """
        sock = _adoptSocket(fileDescriptor, addressFamily, socket.SOCK_STREAM, _STREAM_FAMILIES)
        try:
            peer = sock.getpeername()
        except OSError as e:
            sock.close()
            raise ValueError(f"descriptor {fileDescriptor} is not connected: {e.strerror}") from e
        transportClass: Any = _unix.Server if int(addressFamily) == socket.AF_UNIX else _tcp.Server
        try:
            protocol = factory.buildProtocol(transportClass._addressFromSockaddr(peer))
        except BaseException:
            sock.close()
            raise
        if protocol is None:
            sock.close()
            return
        transport = transportClass(sock, protocol, peer, None, 0, self)
        try:
            transport._startConnection()
        except BaseException:
            f = Failure()
            _log.failure("Error in connectionMade of {protocol!r}", f, protocol=protocol)
            transport.connectionLost(f)

    def adoptDatagramPort(
        self, fileDescriptor: int, addressFamily: int, protocol: Any, maxPacketSize: int = 8192
    ) -> _udp.Port:
        """
        Receive datagrams on an already bound, non-blocking datagram socket.

        The reactor reads a duplicate and never closes the caller's descriptor.

        @param fileDescriptor: the bound socket's descriptor.
        @param addressFamily: C{AF_INET} or C{AF_INET6}.
        @param protocol: a L{DatagramProtocol} (started now).
        @param maxPacketSize: the largest datagram read.
        @return: the port (an L{IUDPTransport}).
        @raise UnsupportedAddressFamily: For another family.
        @raise UnsupportedSocketType: If the socket is not a datagram socket.
        @raise ValueError: If the descriptor is not an open, non-blocking
            socket of that family.
        """
        sock = _adoptSocket(fileDescriptor, addressFamily, socket.SOCK_DGRAM, _DATAGRAM_FAMILIES)
        try:
            port = _AdoptedDatagramPort(sock, protocol, maxPacketSize, self)
        except BaseException:
            sock.close()
            raise
        port.startListening()
        return port


__all__: list[str] = []
