"""
Resource-limiting policies: bandwidth throttling and connection limits.

Implementation module of L{netframe.core.protocols.policies}; import the
names from there.
"""

from __future__ import annotations

import sys
from typing import Any, Optional

from zope.interface import implementer

from netframe.core._protocol import ServerFactory, connectionDone
from netframe.core.failure import Failure
from netframe.core.interfaces import IDelayedCall, IPushProducer
from netframe.core.protocols._policies import ProtocolWrapper, WrappingFactory
from netframe.core.protocols._policiestime import _cancelQuietly, _Clocked
from netframe.logger import Logger

__all__ = [
    "LimitConnectionsByPeer",
    "LimitTotalConnectionsFactory",
    "ThrottlingFactory",
    "ThrottlingProtocol",
]

_log = Logger(namespace="netframe.core.protocols.policies")


@implementer(IPushProducer)
class _ThrottledProducer:
    """
    Stands between a transport and the producer a throttled protocol
    registered, so that throttling and the transport's own flow control
    cannot undo each other.

    A push producer runs only while neither the transport nor the throttle
    paused it. A pull producer's C{resumeProducing} requests are held back
    while throttled; the last one is replayed when the throttle lifts.

    @ivar producer: The real producer.
    @ivar streaming: Whether it is a push producer.
    @ivar throttled: Whether writes are currently throttled.
    @ivar consumerPaused: Whether the transport paused the producer.
    @ivar pendingPull: A pull request arrived while throttled.
    """

    __slots__ = ("consumerPaused", "pendingPull", "producer", "streaming", "throttled")

    def __init__(self, producer: Any, streaming: bool) -> None:
        """
        @param producer: The real producer.
        @param streaming: True for a push producer, False for a pull producer.
        """
        self.producer = producer
        self.streaming = streaming
        self.throttled = False
        self.consumerPaused = False
        self.pendingPull = False

    def pauseProducing(self) -> None:
        """
        The transport's buffer is full: pause the producer (if not already).
        """
        wasRunning = not (self.consumerPaused or self.throttled)
        self.consumerPaused = True
        if wasRunning and self.streaming:
            self.producer.pauseProducing()

    def resumeProducing(self) -> None:
        """
        The transport wants data: resume (push) or produce (pull), unless
        throttled.
        """
        if not self.streaming:
            if self.throttled:
                self.pendingPull = True
            else:
                self.producer.resumeProducing()
            return
        wasPaused = self.consumerPaused
        self.consumerPaused = False
        if wasPaused and not self.throttled:
            self.producer.resumeProducing()

    def stopProducing(self) -> None:
        """
        The connection is gone: stop the producer.
        """
        self.producer.stopProducing()

    def throttle(self) -> None:
        """
        Stop the producer until L{unthrottle}.
        """
        if self.throttled:
            return
        self.throttled = True
        if self.streaming and not self.consumerPaused:
            self.producer.pauseProducing()

    def unthrottle(self) -> None:
        """
        Let the producer run again (if the transport does not hold it).
        """
        if not self.throttled:
            return
        self.throttled = False
        if self.streaming:
            if not self.consumerPaused:
                self.producer.resumeProducing()
        elif self.pendingPull:
            self.pendingPull = False
            self.producer.resumeProducing()


class ThrottlingProtocol(ProtocolWrapper):
    """
    The wrapper of L{ThrottlingFactory}: counts bytes and obeys throttling.

    Reads are throttled by pausing the transport; writes by pausing the
    producer registered on this connection (without one, writes are only
    counted: write bandwidth is throttled only when a producer is
    registered). A throttled pull producer is not asked for data until the
    throttle lifts; a transport that keeps asking an idle pull producer on
    every loop pass (as the TCP transport does while its buffer is empty)
    keeps doing so meanwhile, so prefer push producers under write limits.

    @ivar producer: The registered producer (as given), or C{None}.
    """

    factory: Any
    producer: Any = None
    _producerProxy: Optional[_ThrottledProducer] = None
    _readsThrottled: bool = False

    def write(self, data: bytes) -> None:
        """
        Count the bytes against the write budget and write them.

        @param data: The bytes to send.
        """
        self.factory.registerWritten(len(data))
        ProtocolWrapper.write(self, data)

    def writeSequence(self, data: Any) -> None:
        """
        Count the bytes against the write budget and write them.

        @param data: The byte strings to send.
        """
        data = list(data)
        self.factory.registerWritten(sum(len(chunk) for chunk in data))
        ProtocolWrapper.writeSequence(self, data)

    def dataReceived(self, data: bytes) -> None:
        """
        Count the bytes against the read budget and pass them on.

        @param data: The bytes received.
        """
        self.factory.registerRead(len(data))
        ProtocolWrapper.dataReceived(self, data)

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """
        Register C{producer} with the transport, through a throttle.

        @param producer: The producer.
        @param streaming: True for a push producer.
        @raise RuntimeError: As the transport does when one is already registered.
        """
        proxy = _ThrottledProducer(producer, streaming)
        ProtocolWrapper.registerProducer(self, proxy, streaming)
        self.producer = producer
        self._producerProxy = proxy
        if self.factory.writesThrottled:
            proxy.throttle()

    def unregisterProducer(self) -> None:
        """
        Unregister the producer from the transport.
        """
        self.producer = None
        self._producerProxy = None
        ProtocolWrapper.unregisterProducer(self)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        Forget the producer and pass the loss on.

        @param reason: Why the connection was lost.
        """
        self.producer = None
        self._producerProxy = None
        ProtocolWrapper.connectionLost(self, reason)

    def throttleReads(self) -> None:
        """
        Stop reading: pause the transport (if still open).
        """
        transport = self.transport
        if self._readsThrottled or transport is None or self.disconnecting:
            return
        if getattr(transport, "disconnecting", False):
            return
        self._readsThrottled = True
        transport.pauseProducing()

    def unthrottleReads(self) -> None:
        """
        Read again: resume the transport (if still open).
        """
        transport = self.transport
        if not self._readsThrottled or transport is None:
            return
        self._readsThrottled = False
        if self.disconnecting or getattr(transport, "disconnecting", False):
            return
        transport.resumeProducing()

    def throttleWrites(self) -> None:
        """
        Pause the registered producer, if any.
        """
        if self._producerProxy is not None:
            self._producerProxy.throttle()

    def unthrottleWrites(self) -> None:
        """
        Resume the registered producer, if any.
        """
        if self._producerProxy is not None:
            self._producerProxy.unthrottle()


class ThrottlingFactory(_Clocked, WrappingFactory):
    """
    Limits the bandwidth and the number of connections of a wrapped factory.

    Bytes read and written by all connections are counted per second. Each
    second the counts are checked: when more than C{readLimit} bytes were read
    in it, reads on every connection are paused for the time the excess
    would take at the limit (C{read / readLimit - 1} seconds); likewise for
    writes with C{writeLimit} (write throttling pauses registered producers).
    The check runs while at least one connection exists.

    Connections past C{maxConnectionCount} are refused (L{buildProtocol}
    returns C{None}, which closes them).

    @cvar protocol: L{ThrottlingProtocol}.
    @ivar maxConnectionCount: The most simultaneous connections.
    @ivar readLimit: Bytes per second read by all connections, or C{None}.
    @ivar writeLimit: Bytes per second written by all connections, or C{None}.
    @ivar connectionCount: The current number of connections.
    @ivar readThisSecond: Bytes read since the last check.
    @ivar writtenThisSecond: Bytes written since the last check.
    @ivar readsThrottled: Whether reads are paused now.
    @ivar writesThrottled: Whether writes are paused now.
    @ivar clock: The L{IReactorTime} the checks use; C{None} for the global
        reactor.
    """

    protocol: Any = ThrottlingProtocol

    #: Seconds between two bandwidth checks.
    CHECK_INTERVAL: float = 1.0

    def __init__(
        self,
        wrappedFactory: Any,
        maxConnectionCount: int = sys.maxsize,
        readLimit: Optional[int] = None,
        writeLimit: Optional[int] = None,
    ) -> None:
        """
        @param wrappedFactory: The factory whose protocols are wrapped.
        @param maxConnectionCount: The most simultaneous connections.
        @param readLimit: Bytes per second for all reads, or C{None}.
        @param writeLimit: Bytes per second for all writes, or C{None}.
        @raise ValueError: If a limit is not positive, or the connection
            count is negative.
        """
        if maxConnectionCount < 0:
            raise ValueError(f"maxConnectionCount must be >= 0, not {maxConnectionCount!r}")
        for name, limit in (("readLimit", readLimit), ("writeLimit", writeLimit)):
            if limit is not None and limit <= 0:
                raise ValueError(f"{name} must be > 0 or None, not {limit!r}")
        WrappingFactory.__init__(self, wrappedFactory)
        self.connectionCount = 0
        self.maxConnectionCount = maxConnectionCount
        self.readLimit = readLimit
        self.writeLimit = writeLimit
        self.readThisSecond = 0
        self.writtenThisSecond = 0
        self.readsThrottled = False
        self.writesThrottled = False
        self.unthrottleReadsID: Optional[IDelayedCall] = None
        self.checkReadBandwidthID: Optional[IDelayedCall] = None
        self.unthrottleWritesID: Optional[IDelayedCall] = None
        self.checkWriteBandwidthID: Optional[IDelayedCall] = None

    def registerWritten(self, length: int) -> None:
        """
        Count bytes written by a connection.

        @param length: How many.
        """
        self.writtenThisSecond += length

    def registerRead(self, length: int) -> None:
        """
        Count bytes read by a connection.

        @param length: How many.
        """
        self.readThisSecond += length

    def checkReadBandwidth(self) -> None:
        """
        Throttle reads if the last second read more than C{readLimit}, then
        schedule the next check.
        """
        limit = self.readLimit
        if limit is not None and self.readThisSecond > limit:
            self.throttleReads()
            throttleTime = float(self.readThisSecond) / limit - 1.0
            _cancelQuietly(self.unthrottleReadsID)
            self.unthrottleReadsID = self.callLater(throttleTime, self.unthrottleReads)
        self.readThisSecond = 0
        self.checkReadBandwidthID = self.callLater(self.CHECK_INTERVAL, self.checkReadBandwidth)

    def checkWriteBandwidth(self) -> None:
        """
        Throttle writes if the last second wrote more than C{writeLimit},
        then schedule the next check.
        """
        limit = self.writeLimit
        if limit is not None and self.writtenThisSecond > limit:
            self.throttleWrites()
            throttleTime = float(self.writtenThisSecond) / limit - 1.0
            _cancelQuietly(self.unthrottleWritesID)
            self.unthrottleWritesID = self.callLater(throttleTime, self.unthrottleWrites)
        self.writtenThisSecond = 0
        self.checkWriteBandwidthID = self.callLater(self.CHECK_INTERVAL, self.checkWriteBandwidth)

    def throttleReads(self) -> None:
        """
        Pause reading on every connection (new connections start paused).
        """
        _log.info("Throttling reads on {factory}", factory=self.logPrefix())
        self.readsThrottled = True
        for p in list(self.protocols):
            p.throttleReads()

    def unthrottleReads(self) -> None:
        """
        Resume reading on every connection.
        """
        self.unthrottleReadsID = None
        _log.info("Stopped throttling reads on {factory}", factory=self.logPrefix())
        self.readsThrottled = False
        for p in list(self.protocols):
            p.unthrottleReads()

    def throttleWrites(self) -> None:
        """
        Pause the producers of every connection.
        """
        _log.info("Throttling writes on {factory}", factory=self.logPrefix())
        self.writesThrottled = True
        for p in list(self.protocols):
            p.throttleWrites()

    def unthrottleWrites(self) -> None:
        """
        Resume the producers of every connection.
        """
        self.unthrottleWritesID = None
        _log.info("Stopped throttling writes on {factory}", factory=self.logPrefix())
        self.writesThrottled = False
        for p in list(self.protocols):
            p.unthrottleWrites()

    def buildProtocol(self, addr: Any) -> Optional[Any]:
        """
        Wrap a new connection, or refuse it past C{maxConnectionCount}.

        The first connection starts the per-second checks.

        @param addr: The peer address.
        @return: A L{ThrottlingProtocol}, or C{None} to refuse.
        """
        if self.connectionCount >= self.maxConnectionCount:
            _log.info(
                "Refusing connection from {addr}: {count} connections is the maximum",
                addr=addr,
                count=self.maxConnectionCount,
            )
            return None
        p = WrappingFactory.buildProtocol(self, addr)
        if p is None:
            return None
        if self.connectionCount == 0:
            if self.readLimit is not None:
                self.checkReadBandwidth()
            if self.writeLimit is not None:
                self.checkWriteBandwidth()
        self.connectionCount += 1
        return p

    def registerProtocol(self, p: Any) -> None:
        """
        Record a connected wrapper; it starts paused while reads are throttled.

        @param p: The wrapper.
        """
        WrappingFactory.registerProtocol(self, p)
        if self.readsThrottled:
            p.throttleReads()

    def unregisterProtocol(self, p: Any) -> None:
        """
        Forget a wrapper; the last one stops the per-second checks.

        @param p: The wrapper.
        """
        if p not in self.protocols:
            return
        WrappingFactory.unregisterProtocol(self, p)
        self.connectionCount -= 1
        if self.connectionCount == 0:
            for name in (
                "unthrottleReadsID",
                "checkReadBandwidthID",
                "unthrottleWritesID",
                "checkWriteBandwidthID",
            ):
                _cancelQuietly(getattr(self, name))
                setattr(self, name, None)
            self.readsThrottled = False
            self.writesThrottled = False
            self.readThisSecond = 0
            self.writtenThisSecond = 0


class LimitConnectionsByPeer(WrappingFactory):
    """
    Refuses a peer's connections past C{maxConnectionsPerPeer} at once.

    Peers are told apart by host (the C{host} of the address, or its first
    element for C{(host, port)} tuples).

    @cvar maxConnectionsPerPeer: The most simultaneous connections per host.
    @ivar peerConnections: Current connection count per host.
    """

    maxConnectionsPerPeer: int = 5

    def __init__(self, wrappedFactory: Any) -> None:
        """
        @param wrappedFactory: The factory whose protocols are wrapped.
        """
        WrappingFactory.__init__(self, wrappedFactory)
        self.peerConnections: dict[Any, int] = {}
        self._peerOf: dict[Any, Any] = {}

    def startFactory(self) -> None:
        """
        Start with no counted connections.
        """
        self.peerConnections = {}
        self._peerOf = {}

    @staticmethod
    def _peerKey(addr: Any) -> Any:
        """
        @param addr: An address object or a C{(host, port)} tuple.
        @return: The host the limit counts by.
        """
        host = getattr(addr, "host", None)
        if host is not None:
            return host
        if isinstance(addr, tuple) and addr:
            return addr[0]
        return addr

    def buildProtocol(self, addr: Any) -> Optional[Any]:
        """
        Wrap a new connection, or refuse it when its host is at the limit.

        @param addr: The peer address.
        @return: The wrapper, or C{None} to refuse.
        """
        peer = self._peerKey(addr)
        count = self.peerConnections.get(peer, 0)
        if count >= self.maxConnectionsPerPeer:
            _log.info(
                "Refusing connection from {peer}: {count} connections is the maximum per peer",
                peer=peer,
                count=self.maxConnectionsPerPeer,
            )
            return None
        p = WrappingFactory.buildProtocol(self, addr)
        if p is None:
            return None
        self.peerConnections[peer] = count + 1
        self._peerOf[p] = peer
        return p

    def unregisterProtocol(self, p: Any) -> None:
        """
        Forget a wrapper and uncount its connection.

        @param p: The wrapper.
        """
        WrappingFactory.unregisterProtocol(self, p)
        peer = self._peerOf.pop(p, None)
        if peer is None:
            return
        count = self.peerConnections.get(peer, 0) - 1
        if count > 0:
            self.peerConnections[peer] = count
        else:
            self.peerConnections.pop(peer, None)


class LimitTotalConnectionsFactory(ServerFactory):
    """
    A server factory that limits how many connections exist at once.

    Set C{protocol} as for any factory. Past C{connectionLimit} connections,
    a new one gets C{overflowProtocol} (to send an apology and close), or
    is refused when that is C{None}.

    @cvar connectionLimit: The most simultaneous connections, or C{None}
        for no limit.
    @cvar overflowProtocol: Built for connections past the limit, or
        C{None} to refuse them.
    @ivar connectionCount: The current number of connections (overflow
        connections included).
    """

    connectionCount: int = 0
    connectionLimit: Optional[int] = None
    overflowProtocol: Any = None

    def buildProtocol(self, addr: Any) -> Optional[Any]:
        """
        Build C{protocol} (or C{overflowProtocol} past the limit), wrapped so
        that the connection is counted until it is lost.

        @param addr: The peer address.
        @return: A L{ProtocolWrapper}, or C{None} to refuse.
        @raise TypeError: If C{protocol} is C{None}.
        """
        limit = self.connectionLimit
        if limit is None or self.connectionCount < limit:
            wrapped = ServerFactory.buildProtocol(self, addr)
        elif self.overflowProtocol is None:
            _log.info(
                "Refusing connection from {addr}: {count} connections is the limit",
                addr=addr,
                count=limit,
            )
            return None
        else:
            wrapped = self.overflowProtocol()
            wrapped.factory = self
        if wrapped is None:
            return None
        self.connectionCount += 1
        return ProtocolWrapper(self, wrapped)

    def registerProtocol(self, p: Any) -> None:
        """
        Called by a wrapper when connected; nothing to do (counted when built).

        @param p: The wrapper.
        """

    def unregisterProtocol(self, p: Any) -> None:
        """
        Uncount a connection that was lost.

        @param p: The wrapper.
        """
        if self.connectionCount > 0:
            self.connectionCount -= 1
