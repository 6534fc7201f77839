"""
In-memory connected client/server pairs (Twisted's C{iosim}).

Implementation module of L{netframe.core.testing}; import the names from there.

Two L{FakeTransport}s buffer what their protocols write; an L{IOPump} moves
the buffered bytes across, one exchange per L{IOPump.pump}, and delivers
disconnections, half-closes and aborts with the reasons a real TCP
connection would give.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any, Optional

from zope.interface import implementer

from netframe.core import error
from netframe.core._taskclock import Clock
from netframe.core.address import IPv4Address
from netframe.core.failure import Failure
from netframe.core.interfaces import IConsumer, IHalfCloseableProtocol, IPushProducer, ITCPTransport

__all__ = [
    "FakeTransport",
    "IOPump",
    "connect",
    "connectedServerAndClient",
    "makeFakeClient",
    "makeFakeServer",
]

#: Default address of the server side of a fake connection.
_SERVER_ADDRESS = IPv4Address("TCP", "127.0.0.1", 8080)
#: Default address of the client side of a fake connection.
_CLIENT_ADDRESS = IPv4Address("TCP", "127.0.0.1", 54321)

_serials = itertools.count()


@implementer(ITCPTransport, IConsumer, IPushProducer)
class FakeTransport:
    """
    One end of an in-memory connection, driven by an L{IOPump}.

    Writes are buffered until the pump moves them to the peer. The protocol
    can pause the transport (C{pauseProducing}): the pump then holds back
    data for it. A registered pull producer is asked for more data on every
    pump; C{loseConnection} waits for a registered producer to unregister.

    @ivar protocol: The protocol using this transport.
    @ivar isServer: Whether this is the server end.
    @ivar stream: Chunks written but not yet moved to the peer.
    @ivar disconnecting: The protocol asked to close (or the peer closed).
    @ivar disconnected: C{connectionLost} was delivered.
    @ivar disconnectReason: The exception C{connectionLost} will wrap.
    @ivar aborted: The protocol called C{abortConnection}.
    @ivar paused: The protocol paused reading with C{pauseProducing}.
    @ivar producer: The registered producer, or C{None}.
    @ivar streamingProducer: Whether the producer is a push producer.
    @ivar readDisconnected: The peer half-closed (we got C{readConnectionLost}).
    @ivar writeDisconnecting: The protocol called C{loseWriteConnection}.
    @ivar writeDisconnected: Our half-close was delivered.
    """

    disconnectReason: BaseException

    def __init__(
        self,
        protocol: Any,
        isServer: bool,
        hostAddress: Any = None,
        peerAddress: Any = None,
    ) -> None:
        """
        @param protocol: The protocol that will use this transport.
        @param isServer: Whether this is the server end.
        @param hostAddress: What C{getHost} returns (a 127.0.0.1 address by
            default: port 8080 for a server, 54321 for a client).
        @param peerAddress: What C{getPeer} returns (the other default).
        """
        self.protocol = protocol
        self.isServer = isServer
        self.stream: list[bytes] = []
        self.serial = next(_serials)
        local, remote = (
            (_SERVER_ADDRESS, _CLIENT_ADDRESS) if isServer else (_CLIENT_ADDRESS, _SERVER_ADDRESS)
        )
        self.hostAddress = local if hostAddress is None else hostAddress
        self.peerAddress = remote if peerAddress is None else peerAddress
        self.disconnecting = False
        self.disconnected = False
        self.disconnectReason = error.ConnectionDone("Connection done")
        self.aborted = False
        self.paused = False
        self.producer: Any = None
        self.streamingProducer = False
        self.readDisconnected = False
        self.writeDisconnecting = False
        self.writeDisconnected = False
        self.tcpNoDelay = False
        self.tcpKeepAlive = False

    def __repr__(self) -> str:
        """
        @return: C{"FakeTransport<S|C,serial,ProtocolClass>"}.
        """
        side = "S" if self.isServer else "C"
        return f"FakeTransport<{side},{self.serial},{self.protocol.__class__.__name__}>"

    def write(self, data: bytes) -> None:
        """
        Buffer C{data} for the peer; ignored after a half-close or disconnect.

        @param data: The bytes to send.
        @raise TypeError: If C{data} is not bytes.
        """
        if not isinstance(data, bytes):
            raise TypeError(f"Data must be bytes, not {type(data).__name__}: {data!r}")
        if self.disconnected or self.aborted or self.writeDisconnecting:
            return
        if data:
            self.stream.append(data)

    def writeSequence(self, iovec: Iterable[bytes]) -> None:
        """
        Buffer each chunk of C{iovec}.

        @param iovec: The bytes strings to send.
        @raise TypeError: If an element is not bytes.
        """
        for chunk in iovec:
            self.write(chunk)

    def loseConnection(self) -> None:
        """
        Close after the buffered data (and any producer) is done.
        """
        self.disconnecting = True

    def abortConnection(self) -> None:
        """
        Close now, discarding buffered data; the next pump delivers
        C{ConnectionAborted} here and C{ConnectionLost} to the peer.
        """
        if self.disconnected:
            return
        self.aborted = True
        self.stream = []
        self.disconnecting = True

    def loseWriteConnection(self) -> None:
        """
        Half-close: after the buffered data the peer reads end-of-file.
        """
        self.writeDisconnecting = True

    def getPeer(self) -> Any:
        """
        @return: The peer's address.
        """
        return self.peerAddress

    def getHost(self) -> Any:
        """
        @return: This end's address.
        """
        return self.hostAddress

    def logPrefix(self) -> str:
        """
        @return: C{"iosim"}.
        """
        return "iosim"

    def getTcpNoDelay(self) -> bool:
        """
        @return: The recorded TCP_NODELAY setting.
        """
        return self.tcpNoDelay

    def setTcpNoDelay(self, enabled: bool) -> None:
        """
        @param enabled: Recorded; it has no effect in memory.
        """
        self.tcpNoDelay = bool(enabled)

    def getTcpKeepAlive(self) -> bool:
        """
        @return: The recorded SO_KEEPALIVE setting.
        """
        return self.tcpKeepAlive

    def setTcpKeepAlive(self, enabled: bool) -> None:
        """
        @param enabled: Recorded; it has no effect in memory.
        """
        self.tcpKeepAlive = bool(enabled)

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """
        Register a producer; a pull producer is asked for data right away and
        then on every pump.

        @param producer: The producer.
        @param streaming: True for a push producer.
        @raise RuntimeError: If a producer is already registered.
        """
        if self.producer is not None:
            raise RuntimeError("Cannot register two producers")
        self.producer = producer
        self.streamingProducer = streaming
        if not streaming:
            producer.resumeProducing()

    def unregisterProducer(self) -> None:
        """
        Forget the producer (a pending C{loseConnection} may now proceed).
        """
        self.producer = None

    def stopConsuming(self) -> None:
        """
        Unregister the producer and close.
        """
        self.unregisterProducer()
        self.loseConnection()

    def pauseProducing(self) -> None:
        """
        Stop delivering data to our protocol until L{resumeProducing}.
        """
        self.paused = True

    def resumeProducing(self) -> None:
        """
        Deliver data to our protocol again.
        """
        self.paused = False

    def stopProducing(self) -> None:
        """
        Stop reading for good: close the connection.
        """
        self.loseConnection()

    def _checkProducer(self) -> None:
        """
        Ask a registered pull producer for more data.
        """
        if self.producer is not None and not self.streamingProducer and not self.disconnected:
            self.producer.resumeProducing()

    def getOutBuffer(self) -> Optional[bytes]:
        """
        Take the buffered outgoing data.

        @return: The data, or C{None} if there is none.
        """
        if self.stream:
            data = b"".join(self.stream)
            self.stream = []
            return data
        return None

    def bufferReceived(self, data: bytes) -> None:
        """
        Hand data from the peer to our protocol.

        @param data: The bytes received.
        """
        self.protocol.dataReceived(data)

    def reportDisconnect(self) -> None:
        """
        Tell the protocol the connection is lost (with C{disconnectReason})
        and stop a registered producer.
        """
        self.disconnected = True
        producer, self.producer = self.producer, None
        if producer is not None:
            producer.stopProducing()
        self.protocol.connectionLost(Failure(self.disconnectReason))


class IOPump:
    """
    Moves data between the two ends of a fake connection.

    @ivar client: The client protocol.
    @ivar server: The server protocol.
    @ivar clientIO: The client's transport.
    @ivar serverIO: The server's transport.
    @ivar clock: A L{Clock} advanced by 0 on each pump, so zero-delay calls
        scheduled on it run.
    @cvar MAX_PUMPS: How many busy pumps L{flush} allows before deciding the
        protocols will never go quiet.
    """

    MAX_PUMPS = 1000

    def __init__(
        self,
        client: Any,
        server: Any,
        clientIO: FakeTransport,
        serverIO: FakeTransport,
        debug: bool = False,
        clock: Optional[Clock] = None,
    ) -> None:
        """
        @param client: The client protocol.
        @param server: The server protocol.
        @param clientIO: The client's transport.
        @param serverIO: The server's transport.
        @param debug: Print each exchange.
        @param clock: The clock to advance; a new L{Clock} by default.
        """
        self.client = client
        self.server = server
        self.clientIO = clientIO
        self.serverIO = serverIO
        self.debug = debug
        self.clock = Clock() if clock is None else clock

    def flush(self, debug: bool = False, advanceClock: bool = True) -> bool:
        """
        Pump until nothing moves.

        @param debug: Print each exchange.
        @param advanceClock: Advance the clock by 0 on each pump.
        @return: Whether anything moved.
        @raise RuntimeError: If more than C{MAX_PUMPS} consecutive pumps moved
            something.
        """
        busy = 0
        while self.pump(debug, advanceClock):
            busy += 1
            if busy > self.MAX_PUMPS:
                raise RuntimeError(f"IOPump.flush: still busy after {self.MAX_PUMPS} pumps")
        return busy > 0

    def _say(self, debug: bool, text: str) -> None:
        """
        Print C{text} when debugging.

        @param debug: The per-call debug flag.
        @param text: What to print.
        """
        if self.debug or debug:
            print(text)

    def pump(self, debug: bool = False, advanceClock: bool = True) -> bool:
        """
        Make one exchange: move buffered data both ways, or else deliver one
        pending disconnection or half-close.

        @param debug: Print what moves.
        @param advanceClock: Advance the clock by 0 first.
        @return: Whether anything happened.
        """
        if advanceClock:
            self.clock.advance(0)
        self._say(debug, "-- GLUG --")
        clientIO, serverIO = self.clientIO, self.serverIO
        for aborter, other in ((clientIO, serverIO), (serverIO, clientIO)):
            if aborter.aborted and not aborter.disconnected:
                self._say(debug, f"* abort by {aborter!r}")
                aborter.disconnectReason = error.ConnectionAborted()
                aborter.reportDisconnect()
                if not other.disconnected:
                    other.stream = []
                    other.disconnectReason = error.ConnectionLost()
                    other.reportDisconnect()
                return True
        clientIO._checkProducer()
        serverIO._checkProducer()
        moved = False
        if not serverIO.paused and not serverIO.disconnected:
            clientData = clientIO.getOutBuffer()
            if clientData:
                self._say(debug, f"C: {clientData!r}")
                serverIO.bufferReceived(clientData)
                moved = True
        if not clientIO.paused and not clientIO.disconnected:
            serverData = serverIO.getOutBuffer()
            if serverData:
                self._say(debug, f"S: {serverData!r}")
                clientIO.bufferReceived(serverData)
                moved = True
        if moved:
            return True
        for closer, other in ((serverIO, clientIO), (clientIO, serverIO)):
            if self._deliverHalfClose(closer, other, debug):
                return True
        for closer, other in ((serverIO, clientIO), (clientIO, serverIO)):
            if (
                closer.disconnecting
                and not closer.disconnected
                and closer.producer is None
                and not closer.stream
            ):
                self._say(debug, f"* close by {closer!r}")
                other.disconnecting = True
                if not other.disconnected:
                    other.reportDisconnect()
                closer.reportDisconnect()
                return True
        return False

    def _deliverHalfClose(self, closer: FakeTransport, other: FakeTransport, debug: bool) -> bool:
        """
        Deliver C{closer}'s pending half-close, if its data has all moved.

        A peer protocol providing C{IHalfCloseableProtocol} gets
        C{readConnectionLost}, and the closer's protocol
        C{writeConnectionLost}; otherwise the half-close closes the whole
        connection. When both directions are closed, the connection is.

        @param closer: The end that called C{loseWriteConnection}.
        @param other: The other end.
        @param debug: Print what happens.
        @return: Whether anything happened.
        """
        if not closer.writeDisconnecting or closer.writeDisconnected or closer.stream:
            return False
        if closer.disconnected or other.disconnected or other.paused:
            return False
        closer.writeDisconnected = True
        self._say(debug, f"* half-close by {closer!r}")
        halfCloseable = IHalfCloseableProtocol.providedBy(other.protocol)
        if not halfCloseable:
            closer.disconnecting = True
            return True
        other.readDisconnected = True
        other.protocol.readConnectionLost()
        if IHalfCloseableProtocol.providedBy(closer.protocol):
            closer.protocol.writeConnectionLost()
        if other.writeDisconnected and closer.readDisconnected:
            closer.disconnecting = True
        return True


def makeFakeClient(clientProtocol: Any) -> FakeTransport:
    """
    @param clientProtocol: The client protocol.
    @return: A client-side L{FakeTransport} for it.
    """
    return FakeTransport(clientProtocol, isServer=False)


def makeFakeServer(serverProtocol: Any) -> FakeTransport:
    """
    @param serverProtocol: The server protocol.
    @return: A server-side L{FakeTransport} for it.
    """
    return FakeTransport(serverProtocol, isServer=True)


def connect(
    serverProtocol: Any,
    serverTransport: FakeTransport,
    clientProtocol: Any,
    clientTransport: FakeTransport,
    debug: bool = False,
    greet: bool = True,
    clock: Optional[Clock] = None,
) -> IOPump:
    """
    Connect two protocols through their fake transports.

    Calls C{makeConnection} on the server, then on the client, and (with
    C{greet}) flushes so the greetings are exchanged.

    @param serverProtocol: The server protocol.
    @param serverTransport: Its transport.
    @param clientProtocol: The client protocol.
    @param clientTransport: Its transport.
    @param debug: Print each exchange.
    @param greet: Flush once connected.
    @param clock: The clock the pump advances; a new L{Clock} by default.
    @return: The pump driving the connection.
    """
    serverProtocol.makeConnection(serverTransport)
    clientProtocol.makeConnection(clientTransport)
    pump = IOPump(
        clientProtocol, serverProtocol, clientTransport, serverTransport, debug, clock=clock
    )
    if greet:
        pump.flush()
    return pump


def connectedServerAndClient(
    ServerClass: Callable[[], Any],
    ClientClass: Callable[[], Any],
    clientTransportFactory: Callable[[Any], FakeTransport] = makeFakeClient,
    serverTransportFactory: Callable[[Any], FakeTransport] = makeFakeServer,
    debug: bool = False,
    greet: bool = True,
    clock: Optional[Clock] = None,
) -> tuple[Any, Any, IOPump]:
    """
    Build a server and a client protocol and connect them in memory.

    @param ServerClass: Makes the server protocol.
    @param ClientClass: Makes the client protocol.
    @param clientTransportFactory: Makes the client's transport.
    @param serverTransportFactory: Makes the server's transport.
    @param debug: Print each exchange.
    @param greet: Flush once connected.
    @param clock: The clock the pump advances.
    @return: C{(client, server, pump)}.
    """
    client = ClientClass()
    server = ServerClass()
    clientIO = clientTransportFactory(client)
    serverIO = serverTransportFactory(server)
    return client, server, connect(server, serverIO, client, clientIO, debug, greet, clock=clock)
