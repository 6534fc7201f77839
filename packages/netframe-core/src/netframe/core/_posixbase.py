"""
The POSIX half of the reactors: descriptor bookkeeping (IReactorFDSet),
readiness dispatch and the TCP entry points, over any L{_Poller}.

The epoll, poll and select reactors are this class with a different poller.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from zope.interface import implementer

from netframe.core import _tcp
from netframe.core._adopt import _SocketMixin
from netframe.core._pollers import ERROR, READ, WRITE, _Poller
from netframe.core._processreactor import _ProcessReactorMixin
from netframe.core._reactorbase import ReactorBase
from netframe.core._tlsreactor import _TLSReactorMixin
from netframe.core._udp import _UDPMixin
from netframe.core._unix import _UNIXMixin
from netframe.core._waker import _Waker
from netframe.core.failure import Failure
from netframe.core.interfaces import (
    IReactorCore,
    IReactorFDSet,
    IReactorFromThreads,
    IReactorMulticast,
    IReactorProcess,
    IReactorSocket,
    IReactorSSL,
    IReactorTCP,
    IReactorTime,
    IReactorUDP,
    IReactorUNIX,
    IReactorUNIXDatagram,
)
from netframe.core.main import CONNECTION_LOST
from netframe.logger import Logger

_log = Logger()

_NVAL = 0x020  # POLLNVAL: the descriptor is not open


@implementer(IReactorCore, IReactorTime, IReactorFromThreads, IReactorFDSet, IReactorTCP)
@implementer(IReactorUDP, IReactorMulticast, IReactorUNIX, IReactorUNIXDatagram, IReactorSocket)
@implementer(IReactorSSL, IReactorProcess)
class PosixReactorBase(
    _ProcessReactorMixin,
    _TLSReactorMixin,
    _UDPMixin,
    _UNIXMixin,
    _SocketMixin,
    ReactorBase,
):
    """
    A reactor over a readiness multiplexer (see L{_Poller}).

    Each watched object has one descriptor; the reactor remembers the number
    it was registered under, so removing an object whose socket is already
    closed (C{fileno() == -1}) still works.

    @cvar _pollerFactory: makes the multiplexer; set by each concrete reactor.
    """

    _pollerFactory: Callable[[], _Poller]

    def __init__(self) -> None:
        """
        Create the multiplexer and the waker.

        @raise OSError: If the process is out of file descriptors.
        """
        self._poller = self._pollerFactory()
        self._selectables: dict[int, Any] = {}
        self._masks: dict[int, int] = {}
        self._readers: dict[Any, int] = {}
        self._writers: dict[Any, int] = {}
        self._reserveFd: int | None = None
        # Every open connection and port, watched or not (paused ones too), so
        # shutdown closes them all.
        self._live: dict[Any, None] = {}
        self._waker = _Waker()
        super().__init__()
        fd = self._waker.fileno()
        self._selectables[fd] = self._waker
        self._masks[fd] = READ
        self._poller.register(fd, READ)

    def wakeUp(self) -> None:
        """Interrupt a blocked C{doIteration} (safe from any thread)."""
        self._waker.wakeUp()

    # -- IReactorFDSet ----------------------------------------------------

    def addReader(self, reader: Any) -> None:
        """
        Watch C{reader} for readability; its C{doRead} runs when data arrives.

        @param reader: an L{IReadDescriptor}.
        """
        if reader in self._readers:
            return
        fd = self._writers.get(reader)
        if fd is None:
            fd = reader.fileno()
            if fd < 0:
                return
        self._readers[reader] = fd
        mask = self._masks.get(fd)
        if mask is None:
            self._masks[fd] = READ
            self._selectables[fd] = reader
            self._poller.register(fd, READ)
        else:
            self._masks[fd] = mask | READ
            self._poller.modify(fd, mask | READ)

    def addWriter(self, writer: Any) -> None:
        """
        Watch C{writer} for writability; its C{doWrite} runs when it may write.

        @param writer: an L{IWriteDescriptor}.
        """
        if writer in self._writers:
            return
        fd = self._readers.get(writer)
        if fd is None:
            fd = writer.fileno()
            if fd < 0:
                return
        self._writers[writer] = fd
        mask = self._masks.get(fd)
        if mask is None:
            self._masks[fd] = WRITE
            self._selectables[fd] = writer
            self._poller.register(fd, WRITE)
        else:
            self._masks[fd] = mask | WRITE
            self._poller.modify(fd, mask | WRITE)

    def removeReader(self, reader: Any) -> None:
        """Stop watching C{reader} for readability (no-op if not watched)."""
        fd = self._readers.pop(reader, None)
        if fd is not None:
            self._drop(fd, READ)

    def removeWriter(self, writer: Any) -> None:
        """Stop watching C{writer} for writability (no-op if not watched)."""
        fd = self._writers.pop(writer, None)
        if fd is not None:
            self._drop(fd, WRITE)

    def _drop(self, fd: int, bit: int) -> None:
        """Clear C{bit} from C{fd}'s mask, unregistering it when nothing is left."""
        mask = self._masks[fd] & ~bit
        if mask:
            self._masks[fd] = mask
            self._poller.modify(fd, mask)
        else:
            del self._masks[fd]
            del self._selectables[fd]
            self._poller.unregister(fd)

    def removeAll(self) -> list[Any]:
        """
        Stop watching every reader and writer (the internal waker excepted).

        @return: the objects that were watched.
        """
        everything = list(dict.fromkeys([*self._readers, *self._writers]))
        for obj in everything:
            self.removeReader(obj)
            self.removeWriter(obj)
        return everything

    def getReaders(self) -> list[Any]:
        """Return the objects watched for readability (the waker excepted)."""
        return list(self._readers)

    def getWriters(self) -> list[Any]:
        """Return the objects watched for writability."""
        return list(self._writers)

    def _track(self, selectable: Any) -> None:
        """Remember an open connection or port until L{_untrack}."""
        self._live[selectable] = None

    def _untrack(self, selectable: Any) -> None:
        """Forget a closed connection or port."""
        self._live.pop(selectable, None)

    def disconnectAll(self) -> None:
        """Close every connection and port, watched or paused ('during shutdown')."""
        for selectable in dict.fromkeys([*self.removeAll(), *self._live]):
            try:
                selectable.connectionLost(CONNECTION_LOST)
            except BaseException:
                _log.failure("Error disconnecting {selectable!r}", Failure(), selectable=selectable)

    # -- the loop ---------------------------------------------------------

    def doIteration(self, timeout: float | None) -> None:
        """
        Wait up to C{timeout} seconds and dispatch readiness events.

        Error/hang-up events are delivered to C{doRead}/C{doWrite} (whichever
        the object asked for) so the object sees the real error.  A non-None
        return value or an exception from them disconnects the object; the
        exception is logged once.
        """
        events = self._poller.poll(timeout)
        selectables = self._selectables
        for fd, ev in events:
            selectable: Any = selectables.get(fd)
            if selectable is None:
                continue
            isRead = True
            try:
                if ev == READ:
                    why = selectable.doRead()
                else:
                    why, isRead = self._dispatch(fd, ev, selectable)
            except BaseException:
                why = Failure()
                _log.failure(
                    "Unhandled error while handling {selectable!r}", why, selectable=selectable
                )
            if why:
                self._disconnectSelectable(selectable, why, isRead)

    def _dispatch(self, fd: int, ev: int, selectable: Any) -> tuple[Any, bool]:
        """
        Deliver an event other than plain readability.

        @return: the disconnect reason (or None) and whether it came from reading.
        """
        masks = self._masks
        if ev & ERROR:
            if ev & _NVAL:
                return CONNECTION_LOST, True
            ev |= masks.get(fd, 0)
        why = None
        if ev & READ and masks.get(fd, 0) & READ:
            why = selectable.doRead()
        if (
            not why
            and ev & WRITE
            and masks.get(fd, 0) & WRITE
            and self._selectables.get(fd) is selectable
        ):
            writer: Any = selectable
            return writer.doWrite(), False
        return why, True

    def _disconnectSelectable(self, selectable: Any, why: Any, isRead: bool) -> None:
        """
        Stop watching C{selectable} and tell it its connection is lost.

        @param why: a L{Failure}, an exception instance or class.
        """
        self.removeReader(selectable)
        self.removeWriter(selectable)
        if not isinstance(why, Failure):
            why = Failure(why)
        try:
            selectable.connectionLost(why)
        except BaseException:
            _log.failure(
                "Error in connectionLost of {selectable!r}", Failure(), selectable=selectable
            )

    # -- IReactorTCP ------------------------------------------------------

    def listenTCP(self, port: int, factory: Any, backlog: int = 50, interface: str = "") -> Any:
        """
        Listen for TCP connections on C{port}, building a protocol per connection.

        @param port: the port number; 0 lets the system choose.
        @param factory: an L{IProtocolFactory}.
        @param backlog: the listen queue length.
        @param interface: the local address; '' means all IPv4 addresses, an
            IPv6 literal (such as '::') listens on IPv6.
        @return: an L{IListeningPort}, already listening.
        @raise CannotListenError: If the port cannot be bound.
        """
        p = _tcp.Port(port, factory, backlog, interface, self)
        p.startListening()
        return p

    def connectTCP(
        self,
        host: str,
        port: int,
        factory: Any,
        timeout: float = 30,
        bindAddress: tuple[str, int] | None = None,
    ) -> Any:
        """
        Connect to C{host}:C{port} over TCP using the client factory C{factory}.

        The name is resolved on every attempt; progress is reported through
        the factory's C{startedConnecting}, C{clientConnectionFailed} and
        C{clientConnectionLost}.

        @param timeout: seconds before the attempt fails with
            L{TimeoutError<netframe.core.error.TimeoutError>}.
        @param bindAddress: C{(host, port)} to bind the local end to, or None.
        @return: an L{IConnector}, already connecting.
        """
        c = _tcp.Connector(host, port, factory, timeout, bindAddress, self)
        c.connect()
        return c

    # -- resources ----------------------------------------------------------

    def _getReserveFd(self) -> int | None:
        """Return the spare descriptor kept for EMFILE recovery, opening it on demand."""
        if self._reserveFd is None:
            try:
                self._reserveFd = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                return None
        return self._reserveFd

    def _close(self) -> None:
        """Release the reactor's own descriptors (multiplexer, waker, reserve)."""
        self._poller.close()
        self._waker.close()
        if self._reserveFd is not None:
            os.close(self._reserveFd)
            self._reserveFd = None


__all__ = ["PosixReactorBase"]
