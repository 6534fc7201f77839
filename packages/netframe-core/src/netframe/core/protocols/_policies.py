"""
Protocol and factory wrappers: the base of every policy.

Implementation module of L{netframe.core.protocols.policies}; import the
names from there. A L{ProtocolWrapper} sits between a transport and the
protocol a wrapped factory built: to the transport it is the protocol, to the
wrapped protocol it is the transport. A L{WrappingFactory} builds one wrapper
per connection and keeps track of the live ones.
"""

from __future__ import annotations

from typing import Any, Optional

from zope.interface import alsoProvides, directlyProvides, providedBy

from netframe.core._protocol import ClientFactory, Protocol, connectionDone
from netframe.core.failure import Failure
from netframe.core.interfaces import IConnector, IHalfCloseableProtocol

__all__ = ["ProtocolWrapper", "WrappingFactory"]


def _wrappedLogPrefix(wrapper: object, wrapped: object) -> str:
    """
    Name both a wrapper and the object it wraps, for log prefixes.

    @param wrapper: The wrapping protocol or factory.
    @param wrapped: The wrapped protocol or factory (or C{None}).
    @return: C{"<wrapped prefix> (<wrapper class name>)"}; the wrapped
        prefix is its C{logPrefix()} when it has one, else its class name.
    """
    logPrefix = getattr(wrapped, "logPrefix", None)
    inner = logPrefix() if callable(logPrefix) else type(wrapped).__name__
    return f"{inner} ({type(wrapper).__name__})"


class ProtocolWrapper(Protocol):
    """
    Wraps a protocol and acts as its transport.

    The real transport sees this wrapper as its protocol; every protocol
    event (C{dataReceived}, C{connectionLost}, and C{readConnectionLost}/
    C{writeConnectionLost} when the wrapped protocol is half-closeable) is
    passed on to C{wrappedProtocol}. The wrapped protocol sees this wrapper
    as its transport: C{write}, C{writeSequence}, C{loseConnection},
    C{abortConnection}, C{getHost}, C{getPeer}, producer registration and any
    other attribute are forwarded to the real transport. Once connected the
    wrapper provides every interface the real transport provides, so
    C{ITCPTransport.providedBy(wrapper.transport...)} checks made by the
    wrapped protocol see what they would see without the wrapper.

    Subclasses override the methods they want to observe or change and call
    the base method to keep the forwarding.

    @ivar factory: The L{WrappingFactory} (or any object with
        C{registerProtocol}/C{unregisterProtocol}) that built this wrapper.
    @ivar wrappedProtocol: The protocol being wrapped.
    @ivar disconnecting: Set once the wrapped protocol asked to close.
    """

    disconnecting: int = 0
    transport: Any = None
    factory: Any = None

    def __init__(self, factory: Any, wrappedProtocol: Any) -> None:
        """
        @param factory: Told about this wrapper with C{registerProtocol(self)}
            when the connection is made and C{unregisterProtocol(self)} when
            it is lost.
        @param wrappedProtocol: The protocol to wrap.
        """
        self.wrappedProtocol = wrappedProtocol
        self.factory = factory
        if IHalfCloseableProtocol.providedBy(wrappedProtocol):
            # The transport decides on half-close support by asking its
            # protocol (this wrapper) before makeConnection: answer as the
            # wrapped protocol would.
            alsoProvides(self, IHalfCloseableProtocol)

    def logPrefix(self) -> str:
        """
        @return: The wrapped protocol's log prefix followed by this wrapper's
            class name in parentheses, e.g. C{"Echo (TimeoutProtocol)"}.
        """
        return _wrappedLogPrefix(self, self.wrappedProtocol)

    # -- the protocol side (called by the real transport) ---------------

    def makeConnection(self, transport: Any) -> None:
        """
        Take on the transport's interfaces, register with the factory and
        connect the wrapped protocol to this wrapper (via L{connectionMade}).

        @param transport: The real transport.
        """
        extra = [IHalfCloseableProtocol] if IHalfCloseableProtocol.providedBy(self) else []
        directlyProvides(self, providedBy(transport), *extra)
        self.connected = 1
        self.transport = transport
        self.factory.registerProtocol(self)
        self.connectionMade()

    def connectionMade(self) -> None:
        """
        Give this wrapper to the wrapped protocol as its transport.

        Subclasses observing the connection call this base method.
        """
        self.wrappedProtocol.makeConnection(self)

    def dataReceived(self, data: bytes) -> None:
        """
        Pass received bytes to the wrapped protocol.

        @param data: The bytes received.
        """
        self.wrappedProtocol.dataReceived(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        Unregister from the factory and tell the wrapped protocol.

        @param reason: Why the connection was lost.
        """
        self.connected = 0
        self.factory.unregisterProtocol(self)
        self.wrappedProtocol.connectionLost(reason)

    def readConnectionLost(self) -> None:
        """
        Pass the peer's half-close to the wrapped protocol.

        Only called by transports when the wrapped protocol provides
        L{IHalfCloseableProtocol} (this wrapper then does too).
        """
        self.wrappedProtocol.readConnectionLost()

    def writeConnectionLost(self) -> None:
        """
        Pass the close of our sending side to the wrapped protocol.

        Only called by transports when the wrapped protocol provides
        L{IHalfCloseableProtocol} (this wrapper then does too).
        """
        self.wrappedProtocol.writeConnectionLost()

    # -- the transport side (called by the wrapped protocol) ------------

    def write(self, data: bytes) -> None:
        """
        Write to the real transport.

        @param data: The bytes to send.
        @raise TypeError: As the real transport does for non-bytes data.
        """
        self.transport.write(data)

    def writeSequence(self, data: Any) -> None:
        """
        Write a sequence of byte strings to the real transport.

        @param data: The byte strings to send, in order.
        @raise TypeError: As the real transport does for non-bytes data.
        """
        self.transport.writeSequence(data)

    def loseConnection(self) -> None:
        """
        Close the real transport after its buffered data is sent.
        """
        self.disconnecting = 1
        self.transport.loseConnection()

    def abortConnection(self) -> None:
        """
        Close the real transport at once, dropping buffered data.
        """
        self.disconnecting = 1
        self.transport.abortConnection()

    def getPeer(self) -> Any:
        """
        @return: The real transport's peer address.
        """
        return self.transport.getPeer()

    def getHost(self) -> Any:
        """
        @return: The real transport's local address.
        """
        return self.transport.getHost()

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """
        Register a producer with the real transport.

        @param producer: The producer writing to this connection.
        @param streaming: True for a push producer, False for a pull producer.
        @raise RuntimeError: As the transport does when one is already registered.
        """
        self.transport.registerProducer(producer, streaming)

    def unregisterProducer(self) -> None:
        """
        Unregister the producer from the real transport.
        """
        self.transport.unregisterProducer()

    def stopConsuming(self) -> None:
        """
        Ask the real transport to stop consuming (unregister and close).
        """
        self.transport.stopConsuming()

    def __getattr__(self, name: str) -> Any:
        """
        Forward any other attribute to the real transport.

        @param name: The attribute name.
        @return: The transport's attribute.
        @raise AttributeError: Before a transport is attached, or when the
            transport has no such attribute.
        """
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.transport, name)


class WrappingFactory(ClientFactory):
    """
    Wraps a factory: every protocol it builds is wrapped in C{protocol}.

    Works for servers and clients: factory start/stop and the client
    connection events are passed on to the wrapped factory. The live
    wrappers are the keys of L{protocols}.

    @cvar protocol: The wrapper class, called as C{protocol(self,
        wrappedProtocol)}; L{ProtocolWrapper} by default.
    @ivar wrappedFactory: The factory building the real protocols.
    @ivar protocols: The connected wrappers (keys; values are C{1}).
    """

    protocol: Any = ProtocolWrapper

    def __init__(self, wrappedFactory: Any) -> None:
        """
        @param wrappedFactory: The factory whose protocols are wrapped.
        """
        self.wrappedFactory = wrappedFactory
        self.protocols: dict[Any, int] = {}

    def logPrefix(self) -> str:
        """
        @return: The wrapped factory's log prefix followed by this factory's
            class name in parentheses.
        """
        return _wrappedLogPrefix(self, self.wrappedFactory)

    def doStart(self) -> None:
        """
        Start the wrapped factory, then this one (both refcounted).
        """
        self.wrappedFactory.doStart()
        ClientFactory.doStart(self)

    def doStop(self) -> None:
        """
        Stop the wrapped factory, then this one (both refcounted).
        """
        self.wrappedFactory.doStop()
        ClientFactory.doStop(self)

    def startedConnecting(self, connector: IConnector) -> None:
        """
        Pass on the start of a connection attempt.

        @param connector: The connector.
        """
        self.wrappedFactory.startedConnecting(connector)

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        """
        Pass on a failed connection attempt.

        @param connector: The connector.
        @param reason: Why it failed.
        """
        self.wrappedFactory.clientConnectionFailed(connector, reason)

    def clientConnectionLost(self, connector: IConnector, reason: Failure) -> None:
        """
        Pass on the loss of an established connection.

        @param connector: The connector.
        @param reason: Why it was lost.
        """
        self.wrappedFactory.clientConnectionLost(connector, reason)

    def buildProtocol(self, addr: Any) -> Optional[Any]:
        """
        Build the wrapped factory's protocol and wrap it.

        @param addr: The peer address.
        @return: A new C{protocol(self, wrappedProtocol)}, or C{None} (the
            connection is refused) when the wrapped factory returns C{None}.
        """
        wrapped = self.wrappedFactory.buildProtocol(addr)
        if wrapped is None:
            return None
        return self.protocol(self, wrapped)

    def registerProtocol(self, p: Any) -> None:
        """
        Record a connected wrapper (called by the wrapper).

        @param p: The wrapper.
        """
        self.protocols[p] = 1

    def unregisterProtocol(self, p: Any) -> None:
        """
        Forget a wrapper whose connection was lost (called by the wrapper).

        Forgetting a wrapper that is not recorded does nothing.

        @param p: The wrapper.
        """
        self.protocols.pop(p, None)
