"""
TLS on the POSIX reactors: C{listenSSL}/C{connectSSL} (IReactorSSL) and
C{startTLS} on stream connections (ITLSTransport).

Implementation module; the reactors and TCP transports inherit these mixins.

TLS is L{netframe.core.ssl.TLSMemoryBIOProtocol}, a protocol layer over the
plain TCP transport, so:

  - C{listenSSL(port, factory, ctx)} is C{listenTCP(port, TLSMemoryBIOFactory(ctx,
    False, factory))} and C{connectSSL} the same over C{connectTCP};
  - C{transport.startTLS(ctx)} slides a TLS layer between the socket and the
    connection's protocol: what was written before goes out in the clear (it is already
    queued, in order), what is written after is encrypted.

pyOpenSSL is imported only when one of these is used: the reactors work without the
C{tls} extra, and C{listenSSL} then raises the C{ImportError} of
L{netframe.core.ssl} (which says C{pip install netframe-core[tls]}).
"""

from __future__ import annotations

from typing import Any

from zope.interface import alsoProvides

from netframe.core.interfaces import ISSLTransport

__all__: list[str] = []


def _tlsFactory(contextFactory: Any, isClient: bool, wrappedFactory: Any) -> Any:
    """
    Make a C{TLSMemoryBIOFactory}, importing the TLS machinery on first use.

    @param contextFactory: a connection creator or an object with C{getContext()}.
    @param isClient: C{True} for the client side.
    @param wrappedFactory: the application's factory.
    @return: the wrapping factory.
    @raise ImportError: if pyOpenSSL or service-identity is missing (the message
        says C{pip install netframe-core[tls]}).
    @raise TypeError: if C{contextFactory} is not usable.
    """
    from netframe.core.ssl import TLSMemoryBIOFactory

    return TLSMemoryBIOFactory(contextFactory, isClient, wrappedFactory)


class _TLSReactorMixin:
    """C{IReactorSSL} for reactors that provide C{listenTCP}/C{connectTCP}."""

    def listenSSL(
        self,
        port: int,
        factory: Any,
        contextFactory: Any,
        backlog: int = 50,
        interface: str = "",
    ) -> Any:
        """
        Listen for TLS connections on C{port}.

        Each accepted connection is a TCP connection whose protocol is a TLS layer
        over a protocol built by C{factory}.

        @param port: the TCP port (0: the system chooses).
        @param factory: the application's protocol factory.
        @param contextFactory: the server's TLS configuration (its certificate and key,
            e.g. C{PrivateCertificate.options()} or C{CertificateOptions(...)}).
        @param backlog: the listen queue length.
        @param interface: the local address ('' for every IPv4 address).
        @return: the listening port (an C{IListeningPort}).
        @raise ImportError: without the C{tls} extra.
        @raise TypeError: if C{contextFactory} is not a TLS configuration.
        @raise netframe.core.error.CannotListenError: if the port cannot be bound.
        """
        reactor: Any = self
        wrapped = _tlsFactory(contextFactory, False, factory)
        return reactor.listenTCP(port, wrapped, backlog, interface)

    def connectSSL(
        self,
        host: str,
        port: int,
        factory: Any,
        contextFactory: Any,
        timeout: float = 30,
        bindAddress: tuple[str, int] | None = None,
    ) -> Any:
        """
        Connect to C{host}:C{port} over TCP and start TLS as the client.

        The factory's C{startedConnecting}, C{clientConnectionFailed} and
        C{clientConnectionLost} are called as for C{connectTCP}.

        @param host: the host name or address.
        @param port: the port.
        @param factory: the application's client factory.
        @param contextFactory: the client's TLS configuration, normally
            C{optionsForClientTLS(hostname)} (which verifies the server).
        @param timeout: seconds before the TCP connection attempt fails.
        @param bindAddress: a local C{(host, port)} to bind first, or C{None}.
        @return: the connector.
        @raise ImportError: without the C{tls} extra.
        @raise TypeError: if C{contextFactory} is not a TLS configuration.
        """
        reactor: Any = self
        wrapped = _tlsFactory(contextFactory, True, factory)
        return reactor.connectTCP(host, port, wrapped, timeout, bindAddress)


class _SocketBypass:
    """
    The transport under a C{startTLS} layer: the connection's own (class-level)
    methods, which reach the socket directly, whatever the connection's instance
    attributes now route to the TLS layer.
    """

    __slots__ = ("_connection", "_type")

    def __init__(self, connection: Any) -> None:
        """
        @param connection: the TCP (or UNIX stream) connection.
        """
        self._connection = connection
        self._type = type(connection)

    @property
    def protocol(self) -> Any:
        """The connection's protocol (the TLS layer once started)."""
        return self._connection.protocol

    @protocol.setter
    def protocol(self, protocol: Any) -> None:
        """
        @param protocol: the new protocol of the connection: received bytes go to it.
        """
        self._connection.protocol = protocol

    def write(self, data: bytes) -> None:
        """
        @param data: ciphertext to send.
        """
        self._type.write(self._connection, data)

    def writeSequence(self, data: Any) -> None:
        """
        @param data: ciphertext chunks to send.
        """
        self._type.write(self._connection, b"".join(data))

    def loseConnection(self) -> None:
        """Close the socket once the queued bytes are sent."""
        self._type.loseConnection(self._connection)

    def abortConnection(self) -> None:
        """Close the socket at once."""
        self._type.abortConnection(self._connection)

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """
        @param producer: the TLS layer's producer membrane.
        @param streaming: C{True} for a push producer.
        """
        self._type.registerProducer(self._connection, producer, streaming)

    def unregisterProducer(self) -> None:
        """Unregister the membrane."""
        self._type.unregisterProducer(self._connection)

    def pauseProducing(self) -> None:
        """Stop reading the socket."""
        self._type.pauseProducing(self._connection)

    def resumeProducing(self) -> None:
        """Read the socket again."""
        self._type.resumeProducing(self._connection)

    def getHost(self) -> Any:
        """
        @return: the connection's local address.
        """
        return self._connection.getHost()

    def getPeer(self) -> Any:
        """
        @return: the connection's peer address.
        """
        return self._connection.getPeer()

    def __repr__(self) -> str:
        """
        @return: a description naming the connection.
        """
        return f"<socket of {self._connection!r}>"


#: The connection methods that go through the TLS layer once C{startTLS} ran.
_ROUTED = (
    "write",
    "writeSequence",
    "loseConnection",
    "loseWriteConnection",
    "abortConnection",
    "registerProducer",
    "unregisterProducer",
    "pauseProducing",
    "resumeProducing",
    "getPeerCertificate",
)


class _TLSConnectionMixin:
    """C{ITLSTransport.startTLS} for the POSIX stream connections."""

    #: The TLS layer once C{startTLS} ran, else C{None}.
    _tlsLayer: Any = None

    def startTLS(self, contextFactory: Any, normal: bool = True) -> None:
        """
        Switch this connection to TLS now.

        Data written before the call is sent in the clear (it is queued already, in
        order); data written after is encrypted (and held until the handshake is
        done).  Received bytes from now on are decrypted before they reach the
        protocol, whose C{connectionMade} does not run again.  Afterwards
        C{write}, C{writeSequence}, C{loseConnection} (sends C{close_notify}),
        C{loseWriteConnection}, C{abortConnection}, producer registration and
        C{getPeerCertificate} go through TLS, and the connection provides
        C{ISSLTransport}.

        @param contextFactory: the TLS configuration: a server's certificate options
            or a client's C{optionsForClientTLS(hostname)}.
        @param normal: C{True}: the side that connected is the TLS client and the
            side that accepted is the TLS server; C{False} swaps the roles.
        @raise RuntimeError: if TLS was started already or the connection is closing
            or closed.
        @raise ImportError: without the C{tls} extra.
        @raise TypeError: if C{contextFactory} is not a TLS configuration.
        """
        connection: Any = self
        if self._tlsLayer is not None:
            raise RuntimeError(f"TLS is already started on {connection!r}")
        if not connection.connected or connection.disconnecting:
            raise RuntimeError(f"cannot start TLS on {connection!r}: it is closing or closed")
        from netframe.core import _tcp
        from netframe.core import ssl as _ssl  # noqa: F401  (the tls-extra ImportError)
        from netframe.core._tls import _startTLS

        isClient = isinstance(connection, _tcp.Client) == bool(normal)
        producer = connection.producer
        streaming = connection.streamingProducer
        wasPaused = connection.producerPaused
        bypass = _SocketBypass(connection)
        tls = _startTLS(bypass, contextFactory, isClient, connection.protocol, False)
        self._tlsLayer = tls
        # End of stream without close_notify is the TLS layer's business now.
        connection._halfCloseable = False
        for name in _ROUTED:
            setattr(connection, name, getattr(tls, name))
        alsoProvides(connection, ISSLTransport)
        if producer is not None and not connection.disconnected:
            # Move an already registered producer above the TLS layer.
            bypass.unregisterProducer()
            tls.registerProducer(producer, streaming)
            membrane = tls._producer
            if wasPaused and membrane is not None and not membrane.paused:
                producer.resumeProducing()
