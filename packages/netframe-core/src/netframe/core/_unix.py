"""
UNIX-domain sockets for the POSIX reactors: stream ports and connections
(IReactorUNIX, with descriptor passing) and datagram ports
(IReactorUNIXDatagram).

Stream transports are the TCP ones with UNIX addresses; they add
L{IUNIXTransport.sendFileDescriptor} and deliver received descriptors to
protocols providing L{IFileDescriptorReceiver}.

Names: a C{str} or C{bytes} filesystem path, or a Linux abstract-namespace
name starting with a NUL (C{"\\0name"} / C{b"\\0name"}): abstract names have
no file, so no permissions, no lock file and nothing to remove.

Lock files (C{wantPID}): C{<address>.lock} is a regular file holding the
owner's process ID in decimal, and held with an exclusive C{flock} while the
port listens.  The kernel drops the C{flock} when the owner dies, so a lock
file left behind by a dead process is stale by construction: the next
listener takes it over (and removes the stale socket file) instead of
failing.  A live owner makes C{listenUNIX} fail with L{CannotListenError}
naming its process ID.  Clients with C{checkPID} read the process ID and
refuse to connect when no such process is alive.
"""

from __future__ import annotations

import array
import errno
import fcntl
import os
import socket
from collections import deque
from socket import socket as _socket
from typing import Any

from zope.interface import implementer

from netframe.core import _tcp, _udp, error
from netframe.core.address import UNIXAddress
from netframe.core.failure import Failure
from netframe.core.interfaces import (
    IFileDescriptorReceiver,
    IListeningPort,
    IUNIXDatagramConnectedTransport,
    IUNIXDatagramTransport,
    IUNIXTransport,
)
from netframe.logger import Logger

_log = Logger()

_Name = str | bytes

#: recvmsg flags: received descriptors are close-on-exec from the start
#: (where the platform cannot, they are made so right after receipt).
_RECV_FLAGS = getattr(socket, "MSG_CMSG_CLOEXEC", 0)


def _isAbstract(name: _Name) -> bool:
    """Return True for a Linux abstract-namespace name (leading NUL)."""
    return name[:1] in ("\0", b"\0")


def _unixAddress(name: Any) -> UNIXAddress:
    """Return the L{UNIXAddress} of a socket name ('' / None: unnamed)."""
    return UNIXAddress(name if name else None)


def _checkName(name: object, what: str) -> _Name:
    """
    @return: C{name} if it is a non-empty str or bytes without an embedded
        NUL (a leading one marks an abstract name).
    @raise TypeError: If C{name} is not str or bytes.
    @raise ValueError: If it is empty or has a NUL past the first character.
    """
    if not isinstance(name, str | bytes):
        raise TypeError(f"{what} must be a str or bytes path, not {type(name).__name__}")
    if not name:
        raise ValueError(f"{what} must not be empty")
    rest = name[1:]
    if ("\0" in rest) if isinstance(rest, str) else (b"\0" in rest):
        raise ValueError(f"{what} {name!r} contains a NUL character")
    return name


def _lockPath(address: _Name) -> _Name:
    """Return C{<address>.lock} (str or bytes, like C{address})."""
    return address + ".lock" if isinstance(address, str) else address + b".lock"


def _readPID(path: _Name) -> int | None:
    """Return the process ID written in the lock file C{path}, or None."""
    try:
        with open(path, "rb") as f:
            text = f.read(32)
    except OSError:
        return None
    text = text.strip()
    if not text.isdigit():
        return None
    return int(text)


def _pidAlive(pid: int) -> bool:
    """Return True if process C{pid} exists (ours counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _LockHeldError(Exception):
    """The lock file is held by a live process (its ID in C{args[0]}, or None)."""


#: Attempts at taking a lock file whose inode changes under us.
_LOCK_ATTEMPTS = 5


def _acquireLock(path: _Name) -> int:
    """
    Take the lock file C{path}: flock it and write our process ID.

    @return: the open descriptor holding the lock (close it to release).
    @raise _LockHeldError: If a live process holds it.
    @raise OSError: If the file cannot be created.
    """
    for _ in range(_LOCK_ATTEMPTS):
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise _LockHeldError(_readPID(path)) from None
        except BaseException:
            os.close(fd)
            raise
        # The holder may have removed the file between our open and flock:
        # then we hold a lock on a file nobody else sees; try again.
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            continue
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return fd
    raise _LockHeldError(None)


def _releaseLock(path: _Name, fd: int) -> None:
    """Remove the lock file C{path} we hold through C{fd}, then release it."""
    try:
        if os.stat(path).st_ino == os.fstat(fd).st_ino:
            os.unlink(path)
    except OSError:
        pass
    os.close(fd)


def _lockIsLive(path: _Name) -> bool:
    """Return True if the lock file C{path} names a live process (checkPID)."""
    pid = _readPID(path)
    return pid is not None and _pidAlive(pid)


def _descriptorsIn(ancillary: list[tuple[int, int, bytes]]) -> list[int]:
    """Return the descriptors carried by C{SCM_RIGHTS} messages in C{ancillary}."""
    fds = array.array("i")
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
    return fds.tolist()


# -- stream transports ------------------------------------------------------------


class _UNIXTransportMixin:
    """
    Descriptor passing for UNIX stream transports (mixed in before the TCP
    connection classes).

    @ivar maxFileDescriptorsPerRead: descriptors accepted with one read at
        most; more arriving at once are closed by the kernel and logged.
    """

    maxFileDescriptorsPerRead = 16

    _addressFromSockaddr: Any = staticmethod(_unixAddress)
    _pendingFds: deque[int] | None = None
    _refusedFdsLogged = False

    socket: _socket
    protocol: Any
    connected: bool
    disconnected: bool
    readSize: int
    _send: Any

    def sendFileDescriptor(self, descriptor: int) -> None:
        """
        Send a copy of C{descriptor} to the peer, with the next bytes written.

        The descriptor is duplicated at once, so the caller may close its own
        right after this call.  It travels with (at least one byte of) data:
        write something after it, as a protocol normally does.  Ignored once
        the connection is closed.

        @param descriptor: an open descriptor of this process.
        @raise TypeError: If C{descriptor} is not an int.
        @raise ValueError: If it is not an open descriptor.
        """
        if type(descriptor) is not int:
            raise TypeError(f"descriptor must be an int, not {type(descriptor).__name__}")
        if not self.connected:
            return
        try:
            copy = os.dup(descriptor)
        except OSError as e:
            raise ValueError(f"{descriptor} is not an open file descriptor: {e.strerror}") from e
        if self._pendingFds is None:
            self._pendingFds = deque()
        self._pendingFds.append(copy)
        self._send = self._sendWithDescriptor

    def _sendWithDescriptor(self, data: Any) -> int:
        """
        Send the first byte of C{data} with the oldest pending descriptor.

        @return: bytes sent (the TCP write path buffers the rest).
        @raise BlockingIOError: If the socket is full (the caller buffers).
        """
        pending = self._pendingFds
        sock = self.socket
        if not pending:
            self._send = sock.send
            return sock.send(data)
        sent = socket.send_fds(sock, [data[:1]], [pending[0]])
        os.close(pending.popleft())
        if not pending:
            self._send = sock.send
        return sent

    def doRead(self) -> Any:
        """
        Receive data and descriptors; descriptors are delivered first.

        @return: None, or the reason to disconnect.
        """
        try:
            data, ancillary, flags, _ = self.socket.recvmsg(
                self.readSize, socket.CMSG_SPACE(self.maxFileDescriptorsPerRead * 4), _RECV_FLAGS
            )
        except (BlockingIOError, InterruptedError):
            return None
        except OSError as e:
            return Failure(error.ConnectionLost(e.strerror or str(e)))
        if flags & socket.MSG_CTRUNC:
            _log.error(
                "{transport!r} received more than {limit} descriptors at once; "
                "the kernel closed the excess",
                transport=self,
                limit=self.maxFileDescriptorsPerRead,
            )
        fds = _descriptorsIn(ancillary) if ancillary else None
        if fds:
            if not _RECV_FLAGS:
                for fd in fds:
                    os.set_inheritable(fd, False)
            self._descriptorsReceived(fds)
        if data:
            self.protocol.dataReceived(data)
            return None
        return self._readEOF()  # type: ignore[attr-defined]

    def _descriptorsReceived(self, fds: list[int]) -> None:
        """Give C{fds} to the protocol, or close them if it cannot take them."""
        protocol = self.protocol
        if IFileDescriptorReceiver.providedBy(protocol):
            for i, fd in enumerate(fds):
                try:
                    protocol.fileDescriptorReceived(fd)
                except BaseException:
                    for rest in fds[i + 1 :]:
                        os.close(rest)
                    raise
            return
        for fd in fds:
            os.close(fd)
        if not self._refusedFdsLogged:
            self._refusedFdsLogged = True
            _log.warn(
                "{protocol} does not provide IFileDescriptorReceiver; "
                "closed the descriptors it was sent",
                protocol=type(protocol).__name__,
            )

    def _closePendingFds(self) -> None:
        """Close the copies of descriptors that were never sent."""
        pending = self._pendingFds
        while pending:
            os.close(pending.popleft())

    def connectionLost(self, reason: Failure) -> None:
        """Close unsent descriptor copies, then close as a TCP connection does."""
        self._closePendingFds()
        super().connectionLost(reason)  # type: ignore[misc]

    def getPeerCertificate(self) -> None:
        """Return None: UNIX connections carry no certificates."""
        return None


@implementer(IUNIXTransport)
class Server(_UNIXTransportMixin, _tcp.Server):
    """The transport of a connection accepted by a UNIX L{Port}."""

    def getHost(self) -> UNIXAddress:  # type: ignore[override]
        """Return the listening socket's name."""
        return _unixAddress(self.socket.getsockname())

    def getPeer(self) -> UNIXAddress:  # type: ignore[override]
        """Return the peer's name (C{UNIXAddress(None)} for an unnamed client)."""
        return self._peer  # type: ignore[return-value]

    def logPrefix(self) -> str:
        """Return C{"ProtocolName,sessionno,"} (UNIX peers are usually unnamed)."""
        return f"{type(self.protocol).__name__},{self.sessionno},"


class Port(_tcp.Port):
    """
    A listening UNIX stream socket building a protocol per connection.

    @ivar mode: the permissions given to the socket file.
    @ivar wantPID: whether a lock file C{<address>.lock} is kept.
    """

    _transportClass = Server
    _addressFromSockaddr = staticmethod(_unixAddress)  # type: ignore[assignment]
    _startedFormat = "{factory} starting on {port!r}"
    _closedFormat = "(UNIX Port {port!r} Closed)"

    def __init__(
        self, address: _Name, factory: Any, backlog: int, mode: int, wantPID: Any, reactor: Any
    ) -> None:
        """
        Remember where to listen; L{startListening} binds.

        @raise TypeError: If C{address} is not str or bytes.
        @raise ValueError: If C{address} is empty or contains a NUL past the start.
        """
        super().__init__(0, factory, backlog, "", reactor)
        self.port = _checkName(address, "address")  # type: ignore[assignment]
        self.interface = None  # type: ignore[assignment]
        self._family = socket.AF_UNIX
        self.mode = mode
        self.wantPID = bool(wantPID)
        self._lockFd: int | None = None
        self._boundInode: int | None = None

    def startListening(self) -> None:
        """
        Take the lock file (C{wantPID}), bind, set the mode, listen, accept.

        @raise CannotListenError: If the name is in use, the lock is held by
            a live process, or binding fails.
        @raise AlreadyListened: If already listening.
        """
        if self.connected:
            raise error.AlreadyListened(f"{self!r} is already listening")
        address: Any = self.port
        abstract = _isAbstract(address)
        lockFd = None
        if self.wantPID:
            if abstract:
                raise error.CannotListenError(
                    None,
                    address,
                    ValueError("wantPID needs a filesystem path, not an abstract name"),
                )
            lockPath = _lockPath(address)
            try:
                lockFd = _acquireLock(lockPath)
            except _LockHeldError as e:
                raise error.CannotListenError(
                    None,
                    address,
                    OSError(
                        errno.EADDRINUSE,
                        f"lock file {lockPath!r} is held by live process {e.args[0]}",
                    ),
                ) from None
            except OSError as e:
                raise error.CannotListenError(None, address, e) from e
            # We hold the lock, so any socket file there is a dead owner's.
            try:
                os.unlink(address)
            except FileNotFoundError:
                pass
            except OSError as e:
                _releaseLock(lockPath, lockFd)
                raise error.CannotListenError(None, address, e) from e
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(address)
            if not abstract:
                self._boundInode = os.stat(address).st_ino
                os.chmod(address, self.mode)
            sock.listen(self.backlog)
            sock.setblocking(False)
        except OSError as e:
            sock.close()
            if self._boundInode is not None:
                self._unlinkSocketFile()
            if lockFd is not None:
                _releaseLock(_lockPath(address), lockFd)
            raise error.CannotListenError(None, address, e) from e
        self._lockFd = lockFd
        self._listenOn(sock, address)

    def _unlinkSocketFile(self) -> None:
        """Remove our socket file, unless someone replaced it since."""
        address: _Name = self.port  # type: ignore[assignment]
        try:
            if os.stat(address).st_ino == self._boundInode:
                os.unlink(address)
        except OSError:
            pass
        self._boundInode = None

    def _closePort(self) -> None:
        """Close the socket, remove its file and lock file, stop the factory."""
        if not self._closeSocket():
            return
        if self._boundInode is not None:
            self._unlinkSocketFile()
        if self._lockFd is not None:
            _releaseLock(_lockPath(self.port), self._lockFd)  # type: ignore[arg-type]
            self._lockFd = None
        self._stopFactory()

    def getHost(self) -> UNIXAddress:  # type: ignore[override]
        """Return the address listened on."""
        return UNIXAddress(self.port)  # type: ignore[arg-type]


@implementer(IUNIXTransport)
class Client(_UNIXTransportMixin, _tcp.Client):
    """The transport of an outgoing UNIX connection made by a L{Connector}."""

    def __init__(self, connector: Connector, reactor: Any) -> None:
        """Start connecting on the next loop pass (failures are reported then)."""
        self.connector = connector
        self._connecting = True
        self._timeoutCall = None
        self._resolving = None
        self.disconnected = False
        self.connected = False
        self.reactor = reactor
        self.protocol = None
        self._fileno = -1
        if connector.timeout is not None:
            self._timeoutCall = reactor.callLater(
                connector.timeout, self.failIfNotConnected, error.TimeoutError()
            )
        self._resolving = reactor.callLater(0, self._connectTo, connector.address)

    def _connectTo(self, address: Any) -> None:
        """Create the socket and connect to C{address} (a UNIX connect completes at once)."""
        self._resolving = None
        if self.disconnected:
            return
        connector: Connector = self.connector  # type: ignore[assignment]
        if connector.checkPID and not _lockIsLive(_lockPath(address)):
            self.failIfNotConnected(
                error.BadFileError(
                    string=f"no live process holds the lock file {_lockPath(address)!r}"
                )
            )
            return
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        except OSError as e:
            self.failIfNotConnected(error.ConnectError(string=str(e)))
            return
        _tcp._Connection.__init__(self, sock, None, self.reactor)
        self.reactor._track(self)
        self._connecting = True
        sock.setblocking(False)
        err = sock.connect_ex(address)
        if err in (errno.EAGAIN, errno.EWOULDBLOCK):
            self.failIfNotConnected(
                error.ConnectError(err, f"the listen queue of {address!r} is full")
            )
            return
        if err and err != errno.EINPROGRESS:
            if err in (errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.ENOTSOCK):
                self.failIfNotConnected(error.BadFileError(err, os.strerror(err)))
            else:
                self.failIfNotConnected(_tcp._connectError(err))
            return
        self.startWriting()

    def _addressFromSockaddr(self, name: Any) -> UNIXAddress:  # type: ignore[override]
        """Return the server's address as given to the connector (not as the kernel spells it)."""
        connector: Connector = self.connector  # type: ignore[assignment]
        return UNIXAddress(connector.address)

    def getHost(self) -> UNIXAddress:  # type: ignore[override]
        """Return our own (usually unnamed) address."""
        return _unixAddress(self.socket.getsockname())

    def getPeer(self) -> UNIXAddress:  # type: ignore[override]
        """Return the server's address."""
        return self._peer  # type: ignore[return-value]

    def __repr__(self) -> str:
        """Return a short description naming the destination."""
        connector: Connector = self.connector  # type: ignore[assignment]
        return f"<UNIX Client to {connector.address!r} fd={self._fileno}>"


class Connector(_tcp.Connector):
    """Makes (and remakes, on C{connect}) UNIX stream connections for a client factory."""

    def __init__(
        self, address: _Name, factory: Any, timeout: float | None, checkPID: Any, reactor: Any
    ) -> None:
        """
        Remember where and how to connect.

        @raise TypeError: If C{address} is not str or bytes.
        @raise ValueError: If C{address} is empty or contains a NUL past the start.
        """
        self.address = _checkName(address, "address")
        self.checkPID = bool(checkPID)
        self.host = address  # type: ignore[assignment]
        self.port = 0
        self.factory = factory
        self.timeout = timeout
        self.bindAddress = None
        self.reactor = reactor
        self.state = "disconnected"
        self.transport = None
        self.factoryStarted = False

    def connect(self) -> None:
        """
        Start a connection attempt (again, after a failure or loss).

        @raise RuntimeError: If already connecting or connected.
        """
        if self.state != "disconnected":
            raise RuntimeError(f"can't connect in state {self.state!r}")
        self.state = "connecting"
        if not self.factoryStarted:
            self.factory.doStart()
            self.factoryStarted = True
        self.transport = Client(self, self.reactor)
        if self.state == "connecting":
            self.factory.startedConnecting(self)

    def getDestination(self) -> UNIXAddress:  # type: ignore[override]
        """Return the address being connected to."""
        return UNIXAddress(self.address)

    def __repr__(self) -> str:
        """Return a short description naming the destination and state."""
        return f"<UNIX Connector {self.address!r} {self.state}>"


# -- datagram ports -----------------------------------------------------------------


@implementer(IUNIXDatagramTransport)
class DatagramPort(_udp.Port):
    """A bound UNIX datagram socket and the transport of its protocol."""

    _raiseRefused = True

    def __init__(
        self, address: _Name | None, protocol: Any, maxPacketSize: int, mode: int, reactor: Any
    ) -> None:
        """
        @param address: the path (or abstract name) to bind; None: unbound.
        @raise TypeError: If C{protocol} is not a datagram protocol or
            C{address} not str or bytes.
        @raise ValueError: If C{maxPacketSize} is not positive or C{address}
            is empty.
        """
        _udp._checkDatagramProtocol(protocol, "listenUNIXDatagram")
        self.maxPacketSize = _udp._checkMaxPacketSize(maxPacketSize)
        self.port = address  # type: ignore[assignment]
        if address is not None:
            _checkName(address, "address")
        self.protocol = protocol
        self.interface = ""
        self.reactor = reactor
        self.mode = mode
        self._family = socket.AF_UNIX
        self._boundInode: int | None = None
        self._initState()

    def _bindSocket(self) -> _socket:
        """
        Create the socket and bind it to our address (if any).

        @raise CannotListenError: If binding fails (for example the path exists).
        """
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        address: Any = self.port
        try:
            if address is not None:
                sock.bind(address)
                if not _isAbstract(address):
                    self._boundInode = os.stat(address).st_ino
                    os.chmod(address, self.mode)
            sock.setblocking(False)
        except OSError as e:
            sock.close()
            self._unlinkSocketFile()
            raise error.CannotListenError(None, address, e) from e
        return sock

    def _localName(self, sock: _socket) -> Any:
        """Return the bound name."""
        return self.port

    def _unlinkSocketFile(self) -> None:
        """Remove our socket file, unless someone replaced it since."""
        if self._boundInode is None:
            return
        try:
            if os.stat(self.port).st_ino == self._boundInode:
                os.unlink(self.port)  # type: ignore[arg-type]
        except OSError:
            pass
        self._boundInode = None

    def _closeSocket(self) -> None:
        """Close the socket and remove its file."""
        super()._closeSocket()
        self._unlinkSocketFile()

    def _checkDestination(self, addr: Any) -> None:
        """
        @raise TypeError: If C{addr} is not a str or bytes path.
        """
        _checkName(addr, "destination")

    def write(self, datagram: bytes, address: Any = None) -> None:
        """
        Send one datagram to the socket at C{address}.

        A datagram the receiver has no room for right now is dropped.

        @param datagram: the payload.
        @param address: the destination path or abstract name.
        @raise MessageLengthError: If the datagram is too long.
        @raise TypeError, ValueError: If C{address} is not a usable name.
        @raise OSError: If the destination does not exist or refuses.
        """
        super().write(datagram, address)

    def connect(self, host: str, port: int) -> None:
        """
        Not supported: use C{connectUNIXDatagram}.

        @raise RuntimeError: Always.
        """
        raise RuntimeError("UNIX datagram ports connect with reactor.connectUNIXDatagram")

    def getHost(self) -> UNIXAddress:  # type: ignore[override]
        """Return our bound address (C{UNIXAddress(None)} when unbound)."""
        return UNIXAddress(self.port)  # type: ignore[arg-type]

    def _closePort(self) -> None:
        """Close the socket, remove the file and stop the protocol, once."""
        if not self.connected:
            return
        self._closeSocket()
        _log.info("(UNIX Datagram Port {port!r} Closed)", port=self.port)
        self._stopProtocol()

    def setBroadcastAllowed(self, enabled: bool) -> None:
        """
        UNIX sockets have no broadcast.

        @raise RuntimeError: Always.
        """
        raise RuntimeError("UNIX datagram sockets have no broadcast")

    def getBroadcastAllowed(self) -> bool:
        """Return False: UNIX sockets have no broadcast."""
        return False


@implementer(IUNIXDatagramConnectedTransport, IListeningPort)
class ConnectedDatagramPort(DatagramPort):
    """
    A UNIX datagram socket connected to one peer (for a
    L{ConnectedDatagramProtocol}).  A failed connect calls the protocol's
    C{connectionFailed} and closes the port.
    """

    def __init__(
        self,
        address: _Name,
        protocol: Any,
        maxPacketSize: int,
        mode: int,
        bindAddress: _Name | None,
        reactor: Any,
    ) -> None:
        """
        @param address: the peer's path or abstract name.
        @param bindAddress: our own name, or None to stay unnamed.
        """
        super().__init__(bindAddress, protocol, maxPacketSize, mode, reactor)
        self.remoteaddr = _checkName(address, "address")

    def startListening(self) -> None:
        """
        Bind (if asked), connect to the peer and start the protocol; a
        failed connect is reported to C{protocol.connectionFailed}.

        @raise CannotListenError: If binding fails.
        """
        if self.connected:
            raise error.AlreadyListened(f"{self!r} is already listening")
        sock = self._bindSocket()
        try:
            sock.connect(self.remoteaddr)
        except OSError as e:
            sock.close()
            self._unlinkSocketFile()
            reason = Failure(error.getConnectError(e))
            try:
                self.protocol.connectionFailed(reason)
            except BaseException:
                _log.failure("Error in connectionFailed of {protocol!r}", Failure())
            return
        self._connectedAddr = self.remoteaddr
        self._startWithSocket(sock)

    def write(self, datagram: bytes, address: Any = None) -> None:
        """
        Send one datagram to the connected peer.

        @raise MessageLengthError: If the datagram is too long.
        @raise NotListeningError: If the port is closed.
        """
        sock = self._sock()
        while True:
            try:
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
                    self._refused()
                    return
                if e.errno in _udp._SEND_DROPPED:
                    return
                raise

    def _deliver(self, protocol: Any, data: bytes, addr: Any) -> None:
        """Give one datagram to the protocol (no address: the peer is fixed)."""
        protocol.datagramReceived(data)

    def getPeer(self) -> UNIXAddress:
        """Return the peer's address."""
        return UNIXAddress(self.remoteaddr)


class _UNIXMixin:
    """IReactorUNIX and IReactorUNIXDatagram for the POSIX reactors."""

    def listenUNIX(
        self,
        address: _Name,
        factory: Any,
        backlog: int = 50,
        mode: int = 0o666,
        wantPID: int = 0,
    ) -> Port:
        """
        Listen on the UNIX stream socket C{address}.

        @param address: a filesystem path, or an abstract name starting with NUL.
        @param factory: builds one protocol per connection.
        @param backlog: the listen queue length.
        @param mode: the socket file's permissions.
        @param wantPID: keep the lock file C{<address>.lock} (see the module
            docstring): refuse to start while a live process holds it, take
            over a dead one's lock and socket file.
        @return: the listening port; C{stopListening} removes the socket
            file and the lock file.
        @raise CannotListenError: If the address is in use, the lock is
            held by a live process, or binding fails.
        """
        p = Port(address, factory, backlog, mode, wantPID, self)
        p.startListening()
        return p

    def connectUNIX(
        self, address: _Name, factory: Any, timeout: float = 30, checkPID: int = 0
    ) -> Connector:
        """
        Connect to the UNIX stream socket C{address}.

        @param factory: a L{ClientFactory}.
        @param timeout: seconds before the attempt fails with
            L{TimeoutError<netframe.core.error.TimeoutError>}.
        @param checkPID: fail with L{BadFileError} unless the lock file
            C{<address>.lock} names a live process.
        @return: the L{IConnector}, already connecting.
        """
        c = Connector(address, factory, timeout, checkPID, self)
        c.connect()
        return c

    def listenUNIXDatagram(
        self, address: _Name, protocol: Any, maxPacketSize: int = 8192, mode: int = 0o666
    ) -> DatagramPort:
        """
        Receive datagrams on the UNIX datagram socket C{address}.

        @param protocol: a L{DatagramProtocol}; C{datagramReceived(data,
            senderName)} gets C{None} for unnamed senders.
        @param maxPacketSize: the largest datagram read.
        @param mode: the socket file's permissions.
        @return: the port (an L{IUNIXDatagramTransport}).
        @raise CannotListenError: If binding fails (for example the path exists).
        """
        p = DatagramPort(address, protocol, maxPacketSize, mode, self)
        p.startListening()
        return p

    def connectUNIXDatagram(
        self,
        address: _Name,
        protocol: Any,
        maxPacketSize: int = 8192,
        mode: int = 0o666,
        bindAddress: _Name | None = None,
    ) -> Any:
        """
        Connect a L{ConnectedDatagramProtocol} to the UNIX datagram socket C{address}.

        @param bindAddress: our own name (so the peer can answer), or None.
        @return: the port (an L{IUNIXDatagramConnectedTransport}); if the
            connect fails, the protocol's C{connectionFailed} has been called
            and the port is closed.
        @raise CannotListenError: If C{bindAddress} cannot be bound.
        """
        p = ConnectedDatagramPort(address, protocol, maxPacketSize, mode, bindAddress, self)
        p.startListening()
        return p


__all__ = ["Client", "ConnectedDatagramPort", "Connector", "DatagramPort", "Port", "Server"]
