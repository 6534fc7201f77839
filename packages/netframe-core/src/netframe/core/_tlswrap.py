"""
A small protocol-wrapping base (the shape of Twisted's ``policies.ProtocolWrapper``).

Implementation module of :mod:`netframe.core.ssl`; the TLS layer subclasses these.
A wrapping protocol sits between a transport and the protocol it wraps: it is the
transport's protocol and the wrapped protocol's transport.  A wrapping factory builds
one wrapping protocol around each protocol its wrapped factory builds.
"""

from __future__ import annotations

from typing import Any, Optional

from zope.interface import directlyProvides, providedBy

from netframe.core._protocol import ClientFactory, Protocol
from netframe.core.failure import Failure
from netframe.core.main import CONNECTION_DONE

__all__: list[str] = []


class _WrappingProtocol(Protocol):
    """
    Sits between a transport and ``wrappedProtocol``, passing everything through.

    Subclasses override what they change.  Attributes the wrapper does not define are
    looked up on the transport, so the wrapped protocol sees every transport method
    (``getTcpNoDelay``, ``getHandle``...).

    :ivar factory: the :class:`_WrappingFactory` that built this wrapper.
    :ivar wrappedProtocol: the protocol wrapped.
    :ivar disconnecting: ``True`` once ``loseConnection`` was called.
    """

    disconnecting = False

    def __init__(self, factory: _WrappingFactory, wrappedProtocol: Any) -> None:
        """
        :param factory: the wrapping factory (it registers live wrappers).
        :param wrappedProtocol: the protocol to wrap.
        """
        self.factory = factory
        self.wrappedProtocol = wrappedProtocol

    def logPrefix(self) -> str:
        """
        :return: the wrapped protocol's log prefix followed by ``" (TLS)"``-style
            suffix of the wrapper's class name.
        """
        inner = getattr(self.wrappedProtocol, "logPrefix", None)
        prefix = inner() if callable(inner) else type(self.wrappedProtocol).__name__
        return f"{prefix} ({type(self).__name__})"

    def makeConnection(self, transport: Any) -> None:
        """
        Take ``transport``, provide what it provides, register with the factory and
        connect the wrapped protocol (through :meth:`connectionMade`).

        :param transport: the underlying transport.
        """
        directlyProvides(self, providedBy(self), *providedBy(transport))
        Protocol.makeConnection(self, transport)
        self.factory.registerProtocol(self)

    def connectionMade(self) -> None:
        """Give ourselves as the transport to the wrapped protocol."""
        self.wrappedProtocol.makeConnection(self)

    def dataReceived(self, data: bytes) -> None:
        """
        :param data: bytes from the transport, passed to the wrapped protocol.
        """
        self.wrappedProtocol.dataReceived(data)

    def connectionLost(self, reason: Failure = CONNECTION_DONE) -> None:
        """
        Unregister from the factory and pass ``reason`` to the wrapped protocol.

        :param reason: why the connection ended.
        """
        self.factory.unregisterProtocol(self)
        self.wrappedProtocol.connectionLost(reason)

    # -- the transport seen by the wrapped protocol -------------------------------

    def write(self, data: bytes) -> None:
        """
        :param data: bytes passed to the underlying transport.
        """
        self.transport.write(data)

    def writeSequence(self, data: Any) -> None:
        """
        :param data: byte strings passed to the underlying transport.
        """
        self.transport.writeSequence(data)

    def loseConnection(self) -> None:
        """Close the underlying transport (after its buffer)."""
        self.disconnecting = True
        self.transport.loseConnection()

    def getPeer(self) -> Any:
        """
        :return: the underlying transport's peer address.
        """
        return self.transport.getPeer()

    def getHost(self) -> Any:
        """
        :return: the underlying transport's local address.
        """
        return self.transport.getHost()

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """
        :param producer: registered with the underlying transport.
        :param streaming: ``True`` for a push producer.
        """
        self.transport.registerProducer(producer, streaming)

    def unregisterProducer(self) -> None:
        """Unregister the producer from the underlying transport."""
        self.transport.unregisterProducer()

    def stopConsuming(self) -> None:
        """Unregister the producer and close the connection."""
        self.unregisterProducer()
        self.loseConnection()

    def __getattr__(self, name: str) -> Any:
        """
        Look up what the wrapper does not define on the underlying transport.

        :param name: the attribute.
        :return: the transport's attribute.
        :raise AttributeError: if neither has it (or there is no transport yet).
        """
        if name.startswith("__") or name in ("transport", "wrappedProtocol"):
            raise AttributeError(name)
        transport = self.__dict__.get("transport")
        if transport is None:
            raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")
        return getattr(transport, name)


class _WrappingFactory(ClientFactory):
    """
    Builds a :attr:`protocol` wrapper around each protocol of ``wrappedFactory``.

    Client-factory notifications (``startedConnecting``, ``clientConnectionFailed``,
    ``clientConnectionLost``) are forwarded when the wrapped factory has them, so the
    wrapping factory can be given to ``connectTCP`` as well as ``listenTCP``.

    :ivar wrappedFactory: the factory wrapped (``None`` for ``startTLS`` use).
    :ivar protocols: the live wrappers, for bookkeeping.
    """

    protocol: Any = _WrappingProtocol

    def __init__(self, wrappedFactory: Any) -> None:
        """
        :param wrappedFactory: the factory whose protocols are wrapped.
        """
        self.wrappedFactory = wrappedFactory
        self.protocols: dict[Any, int] = {}

    def logPrefix(self) -> str:
        """
        :return: the wrapped factory's prefix and ours.
        """
        inner = getattr(self.wrappedFactory, "logPrefix", None)
        prefix = inner() if callable(inner) else type(self.wrappedFactory).__name__
        return f"{prefix} ({type(self).__name__})"

    def doStart(self) -> None:
        """Start the wrapped factory too."""
        if self.wrappedFactory is not None:
            self.wrappedFactory.doStart()
        ClientFactory.doStart(self)

    def doStop(self) -> None:
        """Stop the wrapped factory too."""
        if self.wrappedFactory is not None:
            self.wrappedFactory.doStop()
        ClientFactory.doStop(self)

    def startedConnecting(self, connector: Any) -> None:
        """
        :param connector: forwarded to the wrapped factory.
        """
        method = getattr(self.wrappedFactory, "startedConnecting", None)
        if method is not None:
            method(connector)

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        """
        :param connector: forwarded to the wrapped factory.
        :param reason: forwarded to the wrapped factory.
        """
        method = getattr(self.wrappedFactory, "clientConnectionFailed", None)
        if method is not None:
            method(connector, reason)

    def clientConnectionLost(self, connector: Any, reason: Failure) -> None:
        """
        :param connector: forwarded to the wrapped factory.
        :param reason: forwarded to the wrapped factory.
        """
        method = getattr(self.wrappedFactory, "clientConnectionLost", None)
        if method is not None:
            method(connector, reason)

    def buildProtocol(self, addr: Any) -> Optional[Any]:
        """
        Wrap the wrapped factory's protocol for ``addr``.

        :param addr: the peer's address.
        :return: the wrapper, or ``None`` if the wrapped factory refused.
        """
        wrapped = self.wrappedFactory.buildProtocol(addr)
        if wrapped is None:
            return None
        return self.protocol(self, wrapped)

    def registerProtocol(self, p: Any) -> None:
        """
        :param p: a wrapper that became connected.
        """
        self.protocols[p] = 1

    def unregisterProtocol(self, p: Any) -> None:
        """
        :param p: a wrapper whose connection ended.
        """
        self.protocols.pop(p, None)
