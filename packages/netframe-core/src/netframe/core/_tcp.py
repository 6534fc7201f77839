"""
TCP transports, listening ports and connectors for the POSIX reactors.

The hot path is L{_Connection.write}: when nothing is buffered it sends at
once, so an echo costs one C{send} and no multiplexer changes; only what the
kernel refuses is buffered and the descriptor watched for writability.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Callable
from socket import socket as _socket
from typing import Any

from zope.interface import implementer

from netframe.core import error
from netframe.core._reactorbase import _isIPAddress
from netframe.core._tlsreactor import _TLSConnectionMixin
from netframe.core._writebuffer import _BufferedWriter
from netframe.core.address import IPv4Address, IPv6Address
from netframe.core.failure import Failure
from netframe.core.interfaces import (
    IConnector,
    IConsumer,
    IHalfCloseableProtocol,
    IListeningPort,
    IPushProducer,
    IReadWriteDescriptor,
    ISystemHandle,
    ITCPTransport,
    ITLSTransport,
)
from netframe.core.main import CONNECTION_DONE, CONNECTION_LOST
from netframe.core.task import DelayedCall
from netframe.logger import Logger

_log = Logger()

#: accept() errors that concern one pending connection only.
_ACCEPT_TRANSIENT = frozenset(
    {errno.ECONNABORTED, errno.EPROTO, errno.EPERM, errno.ENOBUFS, errno.ENOMEM, errno.EINTR}
)
_FD_EXHAUSTED = frozenset({errno.EMFILE, errno.ENFILE})
_CONNECT_PENDING = frozenset({errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, errno.EINTR})


def _makeAddress(addr: Any) -> IPv4Address | IPv6Address:
    """Turn a socket address tuple into an IPv4Address or IPv6Address."""
    if len(addr) == 2:
        return IPv4Address("TCP", addr[0], addr[1])
    return IPv6Address("TCP", addr[0], addr[1], addr[2], addr[3])


def _acceptor(sock: _socket) -> Callable[[], tuple[_socket, Any]]:
    """
    Return C{sock.accept} without its per-call costs: the standard wrapper converts the
    listening socket's family and type to enums on every connection; here they are
    read once.

    @param sock: a listening socket.
    @return: a callable returning C{(connected socket, peer socket address)} and raising
        what C{accept} raises.
    """
    rawAccept = sock._accept  # type: ignore[attr-defined]
    family, kind, proto = int(sock.family), int(sock.type), sock.proto
    socketType = type(sock)

    def accept() -> tuple[_socket, Any]:
        fd, addr = rawAccept()
        return socketType(family, kind, proto, fileno=fd), addr

    return accept


def _asBytes(data: object) -> bytes:
    """
    Return C{data} as bytes (copying bytearray/memoryview).

    @raise TypeError: If C{data} is not bytes-like (for example str).
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"Data must be bytes, not {type(data).__name__}")


def _connectError(err: int) -> error.ConnectError:
    """Map a connect errno to the matching L{ConnectError} subclass."""
    return error.getConnectError(OSError(err, os.strerror(err)))


@implementer(ITCPTransport, ISystemHandle, IConsumer, IPushProducer, IReadWriteDescriptor)
@implementer(ITLSTransport)
class _Connection(_TLSConnectionMixin, _BufferedWriter):
    """
    A connected TCP socket: the transport given to a protocol.

    Its write buffer, water marks and producer bookkeeping are L{_BufferedWriter}'s.

    @ivar readSize: bytes asked of C{recv} per readiness event.
    @ivar connected: True while the connection is usable.
    @ivar disconnecting: True once C{loseConnection} was called.
    @ivar disconnected: True once C{connectionLost} ran.
    """

    readSize = 65536

    #: Turns a socket address into an address object (UNIX transports override).
    _addressFromSockaddr = staticmethod(_makeAddress)

    socket: _socket
    protocol: Any
    #: Receives at most the given number of bytes (the socket's C{recv}).
    _recv: Callable[[int], bytes]

    def __init__(self, sock: _socket, protocol: Any, reactor: Any) -> None:
        """Wrap the non-blocking C{sock} for C{protocol}."""
        self.socket = sock
        self.protocol = protocol
        self.reactor = reactor
        self._fileno = sock.fileno()
        self._send = sock.send
        self._recv = sock.recv
        self._initWriteBuffer()
        self.connected = False
        self.disconnecting = False
        self.disconnected = False
        self._writeDisconnecting = False
        self._writeDisconnected = False
        self._readDisconnected = False
        self._halfCloseable = False
        self._reading = False
        self._aborting = False

    def _startConnection(self) -> None:
        """Mark connected and give the transport to the protocol."""
        self.connected = True
        self.reactor._track(self)
        self._halfCloseable = IHalfCloseableProtocol.providedBy(self.protocol)
        self.startReading()
        self.protocol.makeConnection(self)

    # -- IReadWriteDescriptor ---------------------------------------------

    def fileno(self) -> int:
        """Return the socket's descriptor, or -1 once closed."""
        return -1 if self.disconnected else self._fileno

    def logPrefix(self) -> str:
        """Return the prefix for log events about this connection."""
        logPrefix = getattr(self.protocol, "logPrefix", None)
        return logPrefix() if callable(logPrefix) else type(self.protocol).__name__

    def doRead(self) -> Any:
        """
        Receive what is available and give it to the protocol.

        @return: None, or the reason to disconnect (EOF or error).
        """
        try:
            data = self._recv(self.readSize)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError as e:
            return Failure(error.ConnectionLost(e.strerror or str(e)))
        if data:
            self.protocol.dataReceived(data)
            return None
        return self._readEOF()

    def _readEOF(self) -> Any:
        """The peer closed its sending side."""
        if not self._halfCloseable:
            return CONNECTION_DONE
        self.stopReading()
        self._readDisconnected = True
        self.protocol.readConnectionLost()
        if self._writeDisconnected:
            return CONNECTION_DONE
        return None

    def doWrite(self) -> Any:
        """
        Send buffered data; manage producers and pending closes once drained.

        @return: None, or the reason to disconnect.
        """
        failed, drained = self._drainAndPace(self._send)
        if not drained:
            return failed
        if self.disconnecting:
            return CONNECTION_DONE
        if self._writeDisconnecting and not self._writeDisconnected:
            return self._closeWriteSide()
        self.stopWriting()
        return None

    def _closeWriteSide(self) -> Any:
        """Shut down the sending side (half-close) once the buffer drained."""
        self._writeDisconnected = True
        self.stopWriting()
        try:
            self.socket.shutdown(socket.SHUT_WR)
        except OSError as e:
            return Failure(error.ConnectionLost(e.strerror or str(e)))
        if self._halfCloseable:
            self.protocol.writeConnectionLost()
        if self._readDisconnected:
            return CONNECTION_DONE
        return None

    def connectionLost(self, reason: Failure) -> None:
        """
        Close the socket and tell the protocol, exactly once.

        @param reason: why the connection ended (ConnectionDone, ConnectionLost,
            ConnectionAborted or the protocol's own exception).
        """
        if self.disconnected:
            return
        self.stopReading()
        self.stopWriting()
        self.reactor._untrack(self)
        self.disconnected = True
        self.connected = False
        self._discardWrites()
        try:
            self.socket.close()
        except OSError:
            pass
        self._notifyLost(reason)

    def _notifyLost(self, reason: Failure) -> None:
        """Deliver C{connectionLost} to the protocol."""
        protocol = self.protocol
        try:
            protocol.connectionLost(reason)
        except BaseException:
            _log.failure("Error in connectionLost of {protocol!r}", Failure(), protocol=protocol)

    # -- reading / writing registration -------------------------------------

    def startReading(self) -> None:
        """Watch the socket for incoming data."""
        self.reactor.addReader(self)

    def stopReading(self) -> None:
        """Stop watching the socket for incoming data."""
        self.reactor.removeReader(self)

    def startWriting(self) -> None:
        """Watch the socket for writability."""
        self.reactor.addWriter(self)

    def stopWriting(self) -> None:
        """Stop watching the socket for writability."""
        self.reactor.removeWriter(self)

    # -- ITransport -------------------------------------------------------

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """
        Send C{data}, sending at once when nothing is buffered.

        Data written after the connection (or its sending side) closed is
        discarded.

        @param data: The bytes to send; a C{bytearray} or C{memoryview} is
            copied first.
        @raise TypeError: If C{data} is not bytes-like (for example str).
        """
        if type(data) is not bytes:
            data = _asBytes(data)
        if not data or not self.connected or self._writeDisconnecting:
            return
        if not self._bufSize:
            try:
                n = self._send(data)
            except OSError:
                # Would block, or failed: buffer it. doWrite meets a real error
                # again and disconnects from the loop, not from inside write().
                n = 0
            if n == len(data):
                return
            if n:
                data = data[n:]
        self._buffer(data)

    def writeSequence(self, iovec: Any) -> None:
        """
        Write each bytes object of C{iovec}, in order.

        @raise TypeError: If an element is not bytes.
        """
        self.write(b"".join(iovec))

    def loseConnection(self) -> None:
        """
        Close after every buffered byte is sent and any producer unregistered.

        Incoming data is no longer read.  C{connectionLost} follows with
        L{ConnectionDone}.
        """
        if not self.connected or self.disconnecting:
            return
        self.disconnecting = True
        self.stopReading()
        self.startWriting()

    def loseWriteConnection(self) -> None:
        """
        Close the sending side once the buffer drains, keep reading (half-close).

        A protocol providing L{IHalfCloseableProtocol} gets
        C{writeConnectionLost} when it happened.
        """
        if not self.connected or self._writeDisconnecting:
            return
        self._writeDisconnecting = True
        self.startWriting()

    def abortConnection(self) -> None:
        """
        Close at once, discarding buffered data and producers.

        C{connectionLost} follows (on the next loop pass) with
        L{ConnectionAborted}.
        """
        if self.disconnected or self._aborting:
            return
        self._aborting = True
        self.connected = False
        self.stopReading()
        self.stopWriting()
        self._buf.clear()
        self._bufSize = 0
        self.reactor.callLater(0, self.connectionLost, Failure(error.ConnectionAborted()))

    def getHost(self) -> IPv4Address | IPv6Address:
        """Return the local address of the connection."""
        return self._addressFromSockaddr(self.socket.getsockname())

    def getPeer(self) -> IPv4Address | IPv6Address:
        """Return the remote address of the connection."""
        return self._peer

    _peer: IPv4Address | IPv6Address

    # -- ITCPTransport options ----------------------------------------------

    def getTcpNoDelay(self) -> bool:
        """Return whether Nagle's algorithm is disabled (TCP_NODELAY)."""
        return bool(self.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    def setTcpNoDelay(self, enabled: bool) -> None:
        """Disable (True) or enable (False) Nagle's algorithm."""
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, int(bool(enabled)))

    def getTcpKeepAlive(self) -> bool:
        """Return whether TCP keepalive probes are enabled (SO_KEEPALIVE)."""
        return bool(self.socket.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE))

    def setTcpKeepAlive(self, enabled: bool) -> None:
        """Enable or disable TCP keepalive probes."""
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, int(bool(enabled)))

    def getHandle(self) -> _socket:
        """Return the underlying socket object (ISystemHandle)."""
        return self.socket

    # -- IConsumer ----------------------------------------------------------

    def unregisterProducer(self) -> None:
        """Forget the producer; a pending loseConnection may now complete."""
        self.producer = None
        self.producerPaused = False
        if self.connected and (self.disconnecting or self._writeDisconnecting):
            self.startWriting()

    # -- IPushProducer (the transport produces the data it reads) -----------

    def pauseProducing(self) -> None:
        """Stop reading from the socket until L{resumeProducing}."""
        self.stopReading()

    def resumeProducing(self) -> None:
        """Read from the socket again."""
        if self.connected and not self.disconnecting and not self._readDisconnected:
            self.startReading()

    def stopProducing(self) -> None:
        """Close the connection (as L{loseConnection})."""
        self.loseConnection()

    def __repr__(self) -> str:
        """Return a short description naming the protocol and the descriptor."""
        return f"<{type(self).__name__} {type(self.protocol).__name__} fd={self._fileno}>"


class Server(_Connection):
    """The transport of a connection accepted by a L{Port}."""

    def __init__(
        self,
        sock: _socket,
        protocol: Any,
        addr: Any,
        port: Port,
        sessionno: int,
        reactor: Any,
        peer: Any = None,
    ) -> None:
        """
        Wrap an accepted socket; the port calls L{_startConnection}.

        @param addr: the peer's socket address.
        @param peer: the peer's address object when the port already built it (for
            C{buildProtocol}); else it is made from C{addr}.
        """
        super().__init__(sock, protocol, reactor)
        self._peer = peer if peer is not None else self._addressFromSockaddr(addr)
        self.server = port
        self.sessionno = sessionno

    def logPrefix(self) -> str:
        """Return C{"ProtocolName,sessionno,host"}."""
        return f"{type(self.protocol).__name__},{self.sessionno},{self._peer.host}"


@implementer(IListeningPort)
class Port:
    """
    A listening TCP socket that builds a protocol per accepted connection.

    @ivar maxAccepts: connections accepted per readiness event at most.  Below that
        the port adapts: after an event that found fewer pending connections than it
        tried, it tries that many next time (growing again while events fill their
        quota), so a server taking one connection at a time does not pay a failing
        C{accept} call per connection; the level-triggered readiness brings any
        connection left pending back on the next pass.
    @ivar acceptPauseOnExhaustion: seconds to stop accepting after the process
        ran out of file descriptors (EMFILE/ENFILE).
    """

    maxAccepts = 100
    acceptPauseOnExhaustion = 0.1

    #: The log events of starting and closing (UNIX ports show the address's repr).
    _startedFormat = "{factory} starting on {port}"
    _closedFormat = "(TCP Port {port} Closed)"

    #: The transport class of accepted connections (UNIX ports override).
    _transportClass: type[Server] = Server
    #: Turns an accepted peer's socket address into an address object.
    _addressFromSockaddr = staticmethod(_makeAddress)

    def __init__(self, port: int, factory: Any, backlog: int, interface: str, reactor: Any) -> None:
        """Remember where to listen; L{startListening} binds."""
        self.port = port
        self.factory = factory
        self.backlog = backlog
        self.interface = interface
        self.reactor = reactor
        self.connected = False
        self.disconnected = False
        self.socket: _socket | None = None
        self._fileno = -1
        self._sessionno = 0
        self._realPortNumber: int | None = None
        self._exhaustionLogged = False
        self._resumeCall: Any = None
        self._burst = self.maxAccepts
        if interface and not _isIPAddress(interface):
            raise error.CannotListenError(
                interface, port, ValueError("interface must be an IP address")
            )
        self._family = socket.AF_INET6 if ":" in interface else socket.AF_INET

    def startListening(self) -> None:
        """
        Bind, listen and start accepting; starts the factory.

        @raise CannotListenError: If binding or listening fails.
        """
        if self.connected:
            raise error.AlreadyListened(f"{self!r} is already listening")
        sock = socket.socket(self._family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            host = self.interface or ("::" if self._family == socket.AF_INET6 else "0.0.0.0")
            sock.bind((host, self.port))
            sock.listen(self.backlog)
            sock.setblocking(False)
        except OSError as e:
            sock.close()
            raise error.CannotListenError(self.interface, self.port, e)
        self._listenOn(sock, sock.getsockname()[1])

    def _listenOn(self, sock: _socket, realName: Any) -> None:
        """
        Finish starting on the bound, listening, non-blocking C{sock} (TCP, UNIX and
        adopted ports alike): accept on it and start the factory.

        @param realName: what the port is bound to (the real port number, or the
            UNIX address), for C{getHost} and the log.
        """
        self.socket = sock
        self._fileno = sock.fileno()
        self._accept = _acceptor(sock)
        self._realPortNumber = realName
        self.connected = True
        self.disconnected = False
        self.reactor._getReserveFd()
        self.reactor._track(self)
        _log.info(self._startedFormat, factory=_qualName(self.factory), port=realName)
        self.factory.doStart()
        self.reactor.addReader(self)

    def fileno(self) -> int:
        """Return the listening descriptor, or -1 when not listening."""
        return self._fileno if self.connected else -1

    def doRead(self) -> None:
        """Accept up to C{maxAccepts} pending connections."""
        accept = self._accept
        factory = self.factory
        reactor = self.reactor
        burst = min(self._burst, self.maxAccepts)
        # Fill the quota: try more next time (up to maxAccepts).
        self._burst = burst * 2
        for tried in range(burst):
            try:
                sock, addr = accept()
            except (BlockingIOError, InterruptedError):
                # Fewer were pending than tried: try that many next time.
                self._burst = max(tried, 1)
                return None
            except OSError as e:
                if e.errno in _FD_EXHAUSTED:
                    self._fdExhausted(e)
                    return None
                if e.errno in _ACCEPT_TRANSIENT:
                    continue
                raise
            if self._exhaustionLogged:
                self._exhaustionLogged = False
            sock.setblocking(False)
            # Sessions are numbered from 0 per port, as in Twisted's "Broker,0,host" prefixes.
            sessionno = self._sessionno
            self._sessionno += 1
            peer = self._addressFromSockaddr(addr)
            try:
                protocol = factory.buildProtocol(peer)
            except BaseException:
                _log.failure("Error in buildProtocol of {factory!r}", Failure(), factory=factory)
                sock.close()
                continue
            if protocol is None:
                sock.close()
                continue
            transport = self._transportClass(sock, protocol, addr, self, sessionno, reactor, peer)
            try:
                transport._startConnection()
            except BaseException:
                f = Failure()
                _log.failure("Error in connectionMade of {protocol!r}", f, protocol=protocol)
                transport.connectionLost(f)
        return None

    def _fdExhausted(self, e: OSError) -> None:
        """
        Shed pending connections when out of descriptors, without spinning.

        The reactor's reserve descriptor is closed so the pending connections
        can be accepted and closed at once (clients see a clean close, not a
        hang), then reopened; accepting pauses for C{acceptPauseOnExhaustion}.
        """
        reserve = self.reactor._reserveFd
        if reserve is not None:
            os.close(reserve)
            self.reactor._reserveFd = None
            try:
                for _ in range(self.maxAccepts):
                    s, _addr = self._accept()
                    s.close()
            except OSError:
                pass
            self.reactor._getReserveFd()
        if not self._exhaustionLogged:
            self._exhaustionLogged = True
            _log.error(
                "Out of file descriptors accepting on port {port} ({error}); "
                "closing pending connections and pausing accept for {pause}s",
                port=self._realPortNumber,
                error=e.strerror,
                pause=self.acceptPauseOnExhaustion,
            )
        self.reactor.removeReader(self)
        self._resumeCall = self.reactor.callLater(
            self.acceptPauseOnExhaustion, self._resumeAccepting
        )

    def _resumeAccepting(self) -> None:
        """Accept again after an exhaustion pause."""
        self._resumeCall = None
        if self.connected:
            self.reactor.addReader(self)

    def stopListening(self) -> Any:
        """
        Stop accepting and close the socket; stops the factory.

        @return: a Deferred that has fired with None once the port is closed.
        """
        from netframe.core.defer import succeed

        self._closePort()
        return succeed(None)

    loseConnection = stopListening

    def connectionLost(self, reason: Failure) -> None:
        """Close the port (reactor shutdown or a fatal error)."""
        self._closePort()

    def _closePort(self) -> None:
        """Close the socket and stop the factory, once."""
        if self._closeSocket():
            self._stopFactory()

    def _closeSocket(self) -> bool:
        """
        Stop accepting and close the socket (not yet the factory).

        @return: False if it was already closed.
        """
        if not self.connected:
            return False
        self.connected = False
        self.disconnected = True
        if self._resumeCall is not None and self._resumeCall.active():
            self._resumeCall.cancel()
        self._resumeCall = None
        self.reactor.removeReader(self)
        self.reactor._untrack(self)
        assert self.socket is not None
        self.socket.close()
        self._fileno = -1
        _log.info(self._closedFormat, port=self._realPortNumber)
        return True

    def _stopFactory(self) -> None:
        """Stop the factory, logging an error instead of raising."""
        try:
            self.factory.doStop()
        except BaseException:
            _log.failure("Error stopping factory {factory!r}", Failure(), factory=self.factory)

    def getHost(self) -> IPv4Address | IPv6Address:
        """Return the address the port is bound to (with the real port number)."""
        if self.socket is not None and self.connected:
            return _makeAddress(self.socket.getsockname())
        host = self.interface or ("::" if self._family == socket.AF_INET6 else "0.0.0.0")
        if self._family == socket.AF_INET6:
            return IPv6Address("TCP", host, self._realPortNumber or self.port)
        return IPv4Address("TCP", host, self._realPortNumber or self.port)

    def logPrefix(self) -> str:
        """Return the factory's log prefix."""
        return _qualName(self.factory)

    def __repr__(self) -> str:
        """Return C{<FactoryName on PORT>}."""
        return f"<{_qualName(self.factory)} on {self._realPortNumber or self.port}>"


def _qualName(obj: object) -> str:
    """Return C{module.ClassName} of C{obj}'s class."""
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


class Client(_Connection):
    """The transport of an outgoing connection made by a L{Connector}."""

    def __init__(self, connector: Connector, reactor: Any) -> None:
        """Start resolving and connecting (failures are reported asynchronously)."""
        self.connector = connector
        self._connecting = True
        self._timeoutCall: Any = None
        self._resolving: Any = None
        self.disconnected = False
        self.connected = False
        self.reactor = reactor
        self.protocol = None
        self._fileno = -1
        if connector.timeout is not None:
            self._timeoutCall = reactor.callLater(
                connector.timeout, self.failIfNotConnected, error.TimeoutError()
            )
        host = connector.host
        if _isIPAddress(host):
            self._resolving = reactor.callLater(0, self._connectTo, host)
        else:
            self._resolving = d = reactor.resolve(host)
            d.addCallbacks(self._connectTo, self._resolveFailed)

    def _resolveFailed(self, reason: Failure) -> None:
        """Name resolution failed."""
        self._resolving = None
        self.failIfNotConnected(reason.value)

    def _connectTo(self, ip: str) -> None:
        """Create the socket and start the non-blocking connect to C{ip}."""
        self._resolving = None
        if self.disconnected:
            return
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as e:
            self.failIfNotConnected(error.ConnectError(string=str(e)))
            return
        super().__init__(sock, None, self.reactor)
        self.reactor._track(self)
        self._connecting = True
        sock.setblocking(False)
        bindAddress = self.connector.bindAddress
        try:
            if bindAddress is not None:
                sock.bind(bindAddress)
        except OSError as e:
            self.failIfNotConnected(error.ConnectBindError(e.errno, e.strerror or str(e)))
            return
        port = self.connector.port
        err = sock.connect_ex((ip, port) if family == socket.AF_INET else (ip, port, 0, 0))
        if err and err not in _CONNECT_PENDING:
            self.failIfNotConnected(_connectError(err))
            return
        self.startWriting()

    def doWrite(self) -> Any:
        """Finish the connect, then behave as a connected transport."""
        if self._connecting:
            self._finishConnect()
            return None
        return _Connection.doWrite(self)

    def _finishConnect(self) -> None:
        """The socket became writable: the connect succeeded or failed."""
        err = self.socket.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            self.failIfNotConnected(_connectError(err))
            return
        self._connecting = False
        self.stopWriting()
        self._cancelTimeout()
        try:
            self._peer = self._addressFromSockaddr(self.socket.getpeername())
        except OSError as e:
            self.failIfNotConnected(_connectError(e.errno or errno.ECONNREFUSED))
            return
        protocol = self.connector.buildProtocol(self._peer)
        if protocol is None:
            self.connector._protocolRefused()
            self.connected = False
            self._closeSocketOnly()
            return
        self.protocol = protocol
        try:
            self._startConnection()
        except BaseException:
            f = Failure()
            _log.failure("Error in connectionMade of {protocol!r}", f, protocol=protocol)
            self.connectionLost(f)

    def _cancelTimeout(self) -> None:
        """Cancel the connect timeout, if pending."""
        call = self._timeoutCall
        self._timeoutCall = None
        if call is not None and call.active():
            call.cancel()

    def _closeSocketOnly(self) -> None:
        """Close the socket without notifying a protocol."""
        self.disconnected = True
        if self._fileno >= 0:
            self.reactor._untrack(self)
            self.reactor.removeReader(self)
            self.reactor.removeWriter(self)
            try:
                self.socket.close()
            except OSError:
                pass

    def failIfNotConnected(self, err: BaseException) -> None:
        """
        Abandon the attempt with C{err} unless already connected or closed.

        The connector reports it to the factory's C{clientConnectionFailed}.
        """
        if self.connected or self.disconnected:
            return
        self._cancelTimeout()
        resolving = self._resolving
        self._resolving = None
        self._closeSocketOnly()
        # A pending name lookup is left to finish: _connectTo ignores its
        # result now that the attempt is over.  A scheduled connect is cancelled.
        if isinstance(resolving, DelayedCall) and resolving.active():
            resolving.cancel()
        self.connector.connectionFailed(Failure(err))

    def connectionLost(self, reason: Failure) -> None:
        """Lost while still connecting (reactor shutdown): report a failed attempt."""
        if not self.connected and not self.disconnected and self._connecting:
            self.failIfNotConnected(reason.value)
            return
        super().connectionLost(reason)

    def stopConnecting(self) -> None:
        """Abandon the attempt (L{UserError})."""
        self.failIfNotConnected(error.UserError())

    def _notifyLost(self, reason: Failure) -> None:
        """Tell the protocol, then the connector (and so the factory)."""
        super()._notifyLost(reason)
        self.connector.connectionLost(reason)

    def logPrefix(self) -> str:
        """Return the protocol's class name."""
        return type(self.protocol).__name__ if self.protocol is not None else "Uninitialized"

    def __repr__(self) -> str:
        """Return a short description naming the destination."""
        return f"<Client to {self.connector.host}:{self.connector.port} fd={self._fileno}>"


@implementer(IConnector)
class Connector:
    """
    Makes (and remakes, on L{connect}) TCP connections for a client factory.

    @ivar state: 'disconnected', 'connecting' or 'connected'.
    """

    def __init__(
        self,
        host: str,
        port: int | str,
        factory: Any,
        timeout: float | None,
        bindAddress: tuple[str, int] | None,
        reactor: Any,
    ) -> None:
        """Remember where and how to connect."""
        if isinstance(port, str):
            try:
                port = socket.getservbyname(port, "tcp")
            except OSError as e:
                raise error.ServiceNameUnknownError(string=f"{e} ({port!r})")
        self.host = host
        self.port = port
        self.factory = factory
        self.timeout = timeout
        self.bindAddress = bindAddress
        self.reactor = reactor
        self.state = "disconnected"
        self.transport: Client | None = None
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

    def stopConnecting(self) -> None:
        """
        Abandon the current attempt; the factory sees L{UserError}.

        @raise NotConnectingError: If not connecting.
        """
        if self.state != "connecting" or self.transport is None:
            raise error.NotConnectingError("we're not trying to connect")
        self.transport.stopConnecting()

    def disconnect(self) -> None:
        """Stop connecting, or close the connection if connected."""
        if self.state == "connecting":
            self.stopConnecting()
        elif self.state == "connected" and self.transport is not None:
            self.transport.loseConnection()

    def getDestination(self) -> IPv4Address | IPv6Address:
        """Return the address being connected to."""
        if ":" in self.host:
            return IPv6Address("TCP", self.host, self.port)
        return IPv4Address("TCP", self.host, self.port)

    def buildProtocol(self, addr: Any) -> Any:
        """Connected: build the protocol with the factory."""
        self.state = "connected"
        return self.factory.buildProtocol(addr)

    def _protocolRefused(self) -> None:
        """The factory's buildProtocol returned None."""
        self.state = "disconnected"
        self.transport = None
        self._stopFactory()

    def connectionFailed(self, reason: Failure) -> None:
        """Report a failed attempt to the factory."""
        self.transport = None
        self.state = "disconnected"
        try:
            self.factory.clientConnectionFailed(self, reason)
        except BaseException:
            _log.failure("Error in clientConnectionFailed", Failure())
        if self.state == "disconnected":
            self._stopFactory()

    def connectionLost(self, reason: Failure) -> None:
        """Report the end of an established connection to the factory."""
        self.transport = None
        self.state = "disconnected"
        try:
            self.factory.clientConnectionLost(self, reason)
        except BaseException:
            _log.failure("Error in clientConnectionLost", Failure())
        if self.state == "disconnected":
            self._stopFactory()

    def _stopFactory(self) -> None:
        """Stop the factory if this connector started it."""
        if self.factoryStarted:
            self.factoryStarted = False
            self.factory.doStop()

    def __repr__(self) -> str:
        """Return a short description naming the destination and state."""
        return f"<Connector {self.host}:{self.port} {self.state}>"


__all__ = ["CONNECTION_LOST", "Client", "Connector", "Port", "Server"]
