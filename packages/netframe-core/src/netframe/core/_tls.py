"""
TLS as a protocol layer over any stream transport, using OpenSSL memory BIOs.

Implementation module of L{netframe.core.ssl}; import the names from there.

L{TLSMemoryBIOProtocol} sits between a transport (TCP, UNIX, an in-memory fake)
and an application protocol: bytes from the transport are decrypted and passed up,
bytes the application writes are encrypted and passed down.  Because OpenSSL only ever
sees memory buffers, the same code serves every reactor, C{startTLS} in the middle of
a connection and tests over in-memory pairs.
"""

from __future__ import annotations

from typing import Any, Optional

from OpenSSL import SSL
from zope.interface import directlyProvides, implementer, providedBy

from netframe.core import error
from netframe.core._protocol import ClientFactory
from netframe.core.failure import Failure
from netframe.core.interfaces import (
    IHalfCloseableProtocol,
    IHandshakeListener,
    IOpenSSLClientConnectionCreator,
    IOpenSSLServerConnectionCreator,
    IProtocolNegotiationFactory,
    IPushProducer,
    ISSLTransport,
    ISystemHandle,
)
from netframe.core.main import CONNECTION_DONE
from netframe.core.protocols.policies import ProtocolWrapper, WrappingFactory

__all__ = ["TLSMemoryBIOFactory", "TLSMemoryBIOProtocol"]

#: Texts of the X.509 verification errors met in practice (OpenSSL's X509_V_ERR_*).
_X509_ERRORS: dict[int, str] = {
    2: "unable to get issuer certificate",
    4: "unable to decrypt certificate's signature",
    7: "certificate signature failure",
    9: "certificate is not yet valid",
    10: "certificate has expired",
    13: "format error in certificate's notBefore field",
    14: "format error in certificate's notAfter field",
    18: "self-signed certificate",
    19: "self-signed certificate in certificate chain",
    20: "unable to get local issuer certificate (unknown certificate authority)",
    21: "unable to verify the first certificate",
    22: "certificate chain too long",
    23: "certificate revoked",
    24: "invalid CA certificate",
    25: "path length constraint exceeded",
    26: "unsupported certificate purpose",
    27: "certificate not trusted",
    28: "certificate rejected",
    62: "hostname mismatch",
    64: "IP address mismatch",
}


def _describeX509Error(code: int) -> str:
    """
    @param code: an OpenSSL C{X509_V_ERR_*} number.
    @return: its description.
    """
    return _X509_ERRORS.get(code, f"X.509 verification error {code}")


def _recordVerifyError(
    connection: SSL.Connection, certificate: Any, errno: int, depth: int, ok: int
) -> bool:
    """
    OpenSSL verify callback: keep OpenSSL's verdict, remember why a certificate failed.

    The first failure is stored on the TLS protocol (the connection's app data) so the
    handshake error can say I{why} verification failed.

    @param connection: the connection being verified.
    @param certificate: the certificate examined (C{OpenSSL.crypto.X509}).
    @param errno: OpenSSL's verification error (0 if none).
    @param depth: the certificate's depth in the chain (0 = the peer's own).
    @param ok: OpenSSL's verdict.
    @return: OpenSSL's verdict, unchanged.
    """
    if not ok:
        protocol = connection.get_app_data()
        if protocol is not None and getattr(protocol, "_x509Error", None) is None:
            try:
                subject = certificate.to_cryptography().subject.rfc4514_string()
            except Exception:
                subject = "?"
            protocol._x509Error = (
                f"{_describeX509Error(errno)} (depth {depth}, subject {subject or '<empty>'})"
            )
    return bool(ok)


class _ContextFactoryToConnectionCreator:
    """
    Adapts an old-style context factory (C{getContext()}) to the connection-creator
    interfaces.
    """

    __slots__ = ("_contextFactory",)

    def __init__(self, contextFactory: Any) -> None:
        """
        @param contextFactory: an object whose C{getContext()} returns an
            C{OpenSSL.SSL.Context}.
        """
        self._contextFactory = contextFactory

    def clientConnectionForTLS(self, tlsProtocol: Any) -> SSL.Connection:
        """
        @param tlsProtocol: the TLS protocol (ignored).
        @return: a client-mode connection on the factory's context.
        """
        connection = SSL.Connection(self._contextFactory.getContext(), None)
        connection.set_connect_state()
        return connection

    def serverConnectionForTLS(self, tlsProtocol: Any) -> SSL.Connection:
        """
        @param tlsProtocol: the TLS protocol (ignored).
        @return: a server-mode connection on the factory's context.
        """
        connection = SSL.Connection(self._contextFactory.getContext(), None)
        connection.set_accept_state()
        return connection


@implementer(IPushProducer)
class _ProducerMembrane:
    """
    Stands between the underlying transport and a producer registered on the TLS layer.

    A push producer is paused while the underlying transport asks it to be, or while
    the TLS layer holds it because too much was written before the handshake
    completed; it is resumed when neither wants it paused (each change reaches the
    producer once).  A pull producer is only asked for data once the handshake is
    done, so nothing piles up in the pre-handshake buffer.

    @ivar paused: whether the underlying transport asked for a pause.
    """

    __slots__ = (
        "_held",
        "_pendingPull",
        "_producer",
        "_producerPaused",
        "_stopped",
        "_streaming",
        "_tls",
        "paused",
    )

    def __init__(self, producer: Any, streaming: bool, tls: TLSMemoryBIOProtocol) -> None:
        """
        @param producer: the wrapped protocol's producer.
        @param streaming: C{True} for a push producer.
        @param tls: the TLS protocol the producer writes to.
        """
        self._producer = producer
        self._streaming = streaming
        self._tls = tls
        self._pendingPull = False
        self._stopped = False
        self._held = False
        self._producerPaused = False
        self.paused = False

    def _update(self) -> None:
        """Pause or resume a push producer when the combined wish changed."""
        want = self.paused or self._held
        if want != self._producerPaused and not self._stopped:
            self._producerPaused = want
            if want:
                self._producer.pauseProducing()
            else:
                self._producer.resumeProducing()

    def _holdForHandshake(self, held: bool) -> None:
        """
        Hold (or release) a push producer for the pre-handshake buffer.

        @param held: C{True} while too much plaintext waits for the handshake.
        """
        if self._streaming:
            self._held = held
            self._update()

    def pauseProducing(self) -> None:
        """The underlying transport's buffer is full: pause a push producer."""
        if self._streaming:
            self.paused = True
            self._update()

    def resumeProducing(self) -> None:
        """Resume a paused push producer, or ask a pull producer for data."""
        if self._streaming:
            self.paused = False
            self._update()
        elif self._tls._handshakeDone:
            self._producer.resumeProducing()
        else:
            self._pendingPull = True

    def stopProducing(self) -> None:
        """Stop the producer (once)."""
        if not self._stopped:
            self._stopped = True
            self._producer.stopProducing()


@implementer(ISSLTransport, ISystemHandle, IPushProducer)
class TLSMemoryBIOProtocol(ProtocolWrapper):
    """
    TLS between a transport and the protocol it wraps, using OpenSSL memory BIOs.

    The wrapped protocol is connected at once (its C{connectionMade} runs before the
    handshake); what it writes before the handshake completes is buffered and sent,
    encrypted, once it does.  A wrapped protocol providing
    L{IHandshakeListener<netframe.core.interfaces.IHandshakeListener>} gets C{handshakeCompleted()}.

    Closing: C{loseConnection} sends a TLS C{close_notify} once buffered data (and a
    registered producer) are done, then closes the transport.  C{loseWriteConnection}
    sends C{close_notify} but keeps reading.  When the peer's C{close_notify} arrives
    a wrapped L{IHalfCloseableProtocol<netframe.core.interfaces.IHalfCloseableProtocol>} gets
    C{readConnectionLost()} and may go on writing; any other protocol's connection is
    closed (C{connectionLost} with C{ConnectionDone}).  A TLS error (a failed
    handshake, a rejected certificate, garbage on the wire) closes the connection and
    the wrapped protocol's C{connectionLost} gets a C{Failure} of the
    C{OpenSSL.SSL.Error} (or of C{VerificationError} for a hostname mismatch).  A
    transport closed after the handshake without C{close_notify} is reported as
    C{ConnectionLost} (the data may have been truncated).

    @ivar factory: the L{TLSMemoryBIOFactory} that built this protocol.
    @ivar wrappedProtocol: the application protocol.
    @cvar readSize: the most plaintext asked of OpenSSL per read.
    @cvar handshakeBufferSize: plaintext written before the handshake completes is
        buffered; past this many bytes a registered push producer is paused until the
        handshake completes and the buffer is sent (without a producer the writes are
        still accepted, as any transport buffers them).
    @cvar PROVIDES_CACHE_SIZE: how many combined interface declarations (one per
        kind of protocol and kind of transport) are remembered; the memory is cleared
        when it would grow past this.
    """

    readSize = 65536
    handshakeBufferSize = 65536
    _flushSize = 65536
    # How many (protocol, transport) interface declarations are remembered.
    PROVIDES_CACHE_SIZE = 64
    _providesCache: dict[tuple[int, int], tuple[Any, Any, Any]] = {}

    _tlsConnection: Any = None
    _handshakeDone = False
    _lostTLSConnection = False
    _sentShutdown = False
    _receivedShutdown = False
    _writeShutdownRequested = False
    _aborted = False
    _readPaused = False
    _producer: Optional[_ProducerMembrane] = None
    _reason: Optional[Failure] = None
    _x509Error: Optional[str] = None
    _connectionLostDelivered = False
    _verifyIdentity: Any = None
    _alpnProtocols: Optional[list[bytes]] = None
    transport: Any

    def __init__(
        self, factory: TLSMemoryBIOFactory, wrappedProtocol: Any, _connectWrapped: bool = True
    ) -> None:
        """
        @param factory: the TLS factory (its connection creator makes the
            C{OpenSSL.SSL.Connection}).
        @param wrappedProtocol: the application protocol.
        @param _connectWrapped: connect the wrapped protocol in
            L{makeConnection} (C{False} for C{startTLS}, where it is connected
            already).
        """
        # Not ProtocolWrapper.__init__: this layer must not look half-closeable to
        # the transport (a TCP half-close is not a TLS one).
        self.factory = factory
        self.wrappedProtocol = wrappedProtocol
        self._connectWrapped = _connectWrapped
        self._appSendBuffer: list[bytes] = []
        self._appSendBufferSize = 0

    # -- connection set-up -------------------------------------------------------

    def makeConnection(self, transport: Any) -> None:
        """
        Create the TLS connection, connect the wrapped protocol and start the handshake
        (a client sends its ClientHello now).

        @param transport: the underlying transport.
        @raise SSL.Error: if the context factory cannot make a connection.
        """
        factory: TLSMemoryBIOFactory = self.factory
        self._tlsConnection = factory._createConnection(self)
        self._verifyIdentity = factory._verifyPeerIdentity
        self._provideTransportInterfaces(transport)
        self.connected = 1
        self.transport = transport
        factory.registerProtocol(self)
        if self._connectWrapped:
            self.wrappedProtocol.makeConnection(self)
        # A server has nothing to say before the ClientHello arrives: its handshake
        # starts in dataReceived.
        if factory.isClient and not self._lostTLSConnection:
            self._tryHandshake()

    def _provideTransportInterfaces(self, transport: Any) -> None:
        """
        Make this protocol provide what it provided already plus what C{transport}
        provides.

        The resulting declaration depends only on the two specifications, so it is
        computed once per pair and then shared (zope.interface shares equal instance
        declarations itself); at most L{PROVIDES_CACHE_SIZE} pairs are kept.

        @param transport: the underlying transport.
        """
        mine = providedBy(self)
        theirs = providedBy(transport)
        cache = TLSMemoryBIOProtocol._providesCache
        key = (id(mine), id(theirs))
        entry = cache.get(key)
        if entry is not None and entry[0] is mine and entry[1] is theirs:
            self.__provides__ = entry[2]
            return
        directlyProvides(self, mine, *theirs)
        if len(cache) >= self.PROVIDES_CACHE_SIZE:
            cache.clear()
        # The specifications are kept alive by the entry, so their ids stay theirs.
        cache[key] = (mine, theirs, self.__provides__)

    def connectionMade(self) -> None:
        """Nothing: L{makeConnection} connects the wrapped protocol itself."""

    def readConnectionLost(self) -> None:
        """Not used: this layer does not take TCP half-closes (see the class doc)."""

    def writeConnectionLost(self) -> None:
        """Not used: this layer does not take TCP half-closes (see the class doc)."""

    # -- incoming ----------------------------------------------------------------

    def dataReceived(self, data: bytes) -> None:
        """
        Decrypt C{data} from the transport; pass the plaintext to the wrapped protocol.

        @param data: ciphertext from the peer.
        """
        if self._lostTLSConnection:
            return
        self._tlsConnection.bio_write(data)
        if not self._handshakeDone:
            self._tryHandshake()
            if not self._established():
                return
        self._readLoop()

    def _established(self) -> bool:
        """
        @return: whether the handshake is done and the TLS connection still usable.
        """
        return self._handshakeDone and not self._lostTLSConnection

    def _readLoop(self) -> None:
        """Deliver every plaintext byte OpenSSL can produce (unless paused)."""
        recv = self._tlsConnection.recv
        size = self.readSize
        deliver = self.wrappedProtocol.dataReceived
        while not (self._readPaused or self._lostTLSConnection or self._receivedShutdown):
            try:
                data = recv(size)
            except SSL.WantReadError:
                break
            except SSL.ZeroReturnError:
                self._closeNotifyReceived()
                return
            except SSL.Error:
                self._tlsFailed(Failure())
                return
            deliver(data)
        if not self._lostTLSConnection:
            self._flushSendBIO()

    def _tryHandshake(self) -> None:
        """Advance the handshake; on completion verify, notify and flush."""
        connection = self._tlsConnection
        try:
            connection.do_handshake()
        except SSL.WantReadError:
            self._flushSendBIO()
            return
        except SSL.Error:
            self._tlsFailed(self._describeHandshakeError(Failure()))
            return
        self._handshakeDone = True
        self._flushSendBIO()
        verify = self._verifyIdentity
        if verify is not None:
            try:
                verify(connection)
            except Exception:
                self.failVerification(Failure())
                return
        if IHandshakeListener.providedBy(self.wrappedProtocol):
            self.wrappedProtocol.handshakeCompleted()
            if self._lostTLSConnection:
                return
        self._afterHandshake()

    def _afterHandshake(self) -> None:
        """Send what was written during the handshake; honour a pending close."""
        buffered = self._appSendBuffer
        if buffered:
            self._appSendBuffer = []
            self._appSendBufferSize = 0
            self._sendPlaintext(b"".join(buffered))
        producer = self._producer
        if producer is not None:
            producer._holdForHandshake(False)
            if producer._pendingPull:
                producer._pendingPull = False
                producer._producer.resumeProducing()
        self._maybeShutdown()

    def _describeHandshakeError(self, reason: Failure) -> Failure:
        """
        Add why certificate verification failed (if it did) to an C{SSL.Error}.

        @param reason: the handshake's failure.
        @return: C{reason}, or a Failure of an C{SSL.Error} whose error list ends
            with an entry naming the X.509 problem.
        """
        why = self._x509Error
        if why is None or not isinstance(reason.value, SSL.Error):
            return reason
        errors = reason.value.args[0] if reason.value.args else []
        if not isinstance(errors, list):
            errors = [errors]
        return Failure(SSL.Error([*errors, ("X.509 certificate verification", "", why)]))

    def _closeNotifyReceived(self) -> None:
        """The peer sent C{close_notify}: half-close or close (see the class doc)."""
        self._receivedShutdown = True
        if IHalfCloseableProtocol.providedBy(self.wrappedProtocol):
            self.wrappedProtocol.readConnectionLost()
            if self._lostTLSConnection:
                return
            if not self._sentShutdown:
                self._flushSendBIO()
                return
        elif not self._sentShutdown:
            self._sendCloseNotify()
        self._lostTLSConnection = True
        self._dropProducer()
        self.transport.loseConnection()

    def _dropProducer(self) -> None:
        """The connection is ending: unregister and stop the wrapped producer."""
        producer, self._producer = self._producer, None
        if producer is not None:
            self.transport.unregisterProducer()
            producer.stopProducing()

    # -- outgoing ----------------------------------------------------------------

    def _flushSendBIO(self) -> None:
        """Move the ciphertext OpenSSL produced to the transport."""
        bioRead = self._tlsConnection.bio_read
        size = self._flushSize
        chunks = []
        while True:
            try:
                chunk = bioRead(size)
            except SSL.WantReadError:
                break
            chunks.append(chunk)
            if len(chunk) < size:
                break
        if chunks:
            self.transport.write(chunks[0] if len(chunks) == 1 else b"".join(chunks))

    def _sendPlaintext(self, data: bytes) -> None:
        """
        Encrypt C{data} and send it.

        @param data: application bytes.
        """
        try:
            self._tlsConnection.sendall(data)
        except SSL.Error:
            self._tlsFailed(Failure())
            return
        bioRead = self._tlsConnection.bio_read
        size = len(data) + 1024 + (len(data) >> 6)
        chunks = []
        while True:
            try:
                chunk = bioRead(size)
            except SSL.WantReadError:
                break
            chunks.append(chunk)
            if len(chunk) < size:
                break
        if chunks:
            self.transport.write(chunks[0] if len(chunks) == 1 else b"".join(chunks))

    def write(self, data: bytes) -> None:
        """
        Encrypt and send C{data} (buffered until the handshake completes).

        Data written after C{loseConnection}/C{loseWriteConnection} or after the TLS
        connection ended is discarded.

        @param data: the bytes.
        @raise TypeError: if C{data} is not bytes.
        """
        if type(data) is not bytes:
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise TypeError(f"Data must be bytes, not {type(data).__name__}: {data!r}")
            data = bytes(data)
        if (
            not data
            or self._lostTLSConnection
            or self._sentShutdown
            or self._writeShutdownRequested
            or self.disconnecting
        ):
            return
        if self._handshakeDone:
            self._sendPlaintext(data)
        else:
            self._appSendBuffer.append(data)
            self._appSendBufferSize += len(data)
            producer = self._producer
            if producer is not None and self._appSendBufferSize > self.handshakeBufferSize:
                producer._holdForHandshake(True)

    def writeSequence(self, data: Any) -> None:
        """
        @param data: byte strings, written as their concatenation.
        @raise TypeError: if an element is not bytes.
        """
        for chunk in data:
            if not isinstance(chunk, bytes):
                raise TypeError(f"Data must be bytes, not {type(chunk).__name__}: {chunk!r}")
        self.write(b"".join(data))

    # -- closing -----------------------------------------------------------------

    def loseConnection(self) -> None:
        """
        Send C{close_notify} once buffered data and any producer are done, then close
        the transport.  Before the handshake completes this waits for it.
        """
        if self.disconnecting or self._lostTLSConnection:
            return
        self.disconnecting = True
        self._maybeShutdown()

    def loseWriteConnection(self) -> None:
        """
        Half-close: send C{close_notify} (once buffered data and any producer are
        done) but go on reading.  A wrapped half-closeable protocol gets
        C{writeConnectionLost()}.
        """
        if self._writeShutdownRequested or self.disconnecting or self._lostTLSConnection:
            return
        self._writeShutdownRequested = True
        self._maybeShutdown()

    def _maybeShutdown(self) -> None:
        """Carry out a pending close once the handshake and the producer allow it."""
        if not self._handshakeDone or self._producer is not None or self._lostTLSConnection:
            return
        if self.disconnecting:
            if not self._sentShutdown:
                self._sendCloseNotify()
            self._lostTLSConnection = True
            self.transport.loseConnection()
        elif self._writeShutdownRequested and not self._sentShutdown:
            self._sendCloseNotify()
            if IHalfCloseableProtocol.providedBy(self.wrappedProtocol):
                self.wrappedProtocol.writeConnectionLost()
            if self._receivedShutdown and not self._lostTLSConnection:
                self._lostTLSConnection = True
                self.transport.loseConnection()

    def _sendCloseNotify(self) -> None:
        """Send C{close_notify} (errors ignored: the connection is ending anyway)."""
        self._sentShutdown = True
        try:
            self._tlsConnection.shutdown()
        except SSL.Error:
            pass
        self._flushSendBIO()

    def abortConnection(self) -> None:
        """Close at once, discarding buffered data; the transport is aborted."""
        if self._aborted:
            return
        self._aborted = True
        self.disconnecting = True
        self._lostTLSConnection = True
        self._appSendBuffer = []
        self._appSendBufferSize = 0
        abort = getattr(self.transport, "abortConnection", None)
        if abort is not None:
            abort()
        else:
            self.transport.loseConnection()

    def _tlsFailed(self, reason: Failure) -> None:
        """
        End the connection because of a TLS error: send the alert OpenSSL queued, then
        close the transport; the wrapped protocol gets C{reason}.

        @param reason: the failure.
        """
        if self._lostTLSConnection:
            return
        self._reason = reason
        self._lostTLSConnection = True
        self._appSendBuffer = []
        self._appSendBufferSize = 0
        self._flushSendBIO()
        self._dropProducer()
        self.transport.loseConnection()

    def failVerification(self, reason: Failure) -> None:
        """
        Abort the connection because the peer's identity was rejected.

        @param reason: the verification failure given to the wrapped protocol's
            C{connectionLost}.
        """
        if self._lostTLSConnection:
            return
        self._reason = reason
        self._lostTLSConnection = True
        self._appSendBuffer = []
        self._appSendBufferSize = 0
        abort = getattr(self.transport, "abortConnection", None)
        if abort is not None:
            abort()
        else:
            self.transport.loseConnection()

    def connectionLost(self, reason: Failure = CONNECTION_DONE) -> None:
        """
        The transport closed: tell the wrapped protocol, with the TLS-level reason when
        there is one.

        @param reason: the transport's reason.
        """
        if self._connectionLostDelivered:
            return
        self._connectionLostDelivered = True
        if self._reason is not None:
            reason = self._reason
        elif not self._aborted and reason.check(error.ConnectionDone) is not None:
            if not self._handshakeDone:
                reason = Failure(
                    error.ConnectionLost("the connection closed during the TLS handshake")
                )
            elif not (self._receivedShutdown or self._sentShutdown):
                reason = Failure(
                    error.ConnectionLost(
                        "the connection closed without a TLS close_notify "
                        "(data may have been truncated)"
                    )
                )
        self._lostTLSConnection = True
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.stopProducing()
            finally:
                ProtocolWrapper.connectionLost(self, reason)
        else:
            ProtocolWrapper.connectionLost(self, reason)

    # -- producers -----------------------------------------------------------------

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """
        Register the wrapped protocol's producer, through a membrane, on the transport.

        A push producer is paused when the underlying transport's buffer is full and
        resumed when it drains; a pull producer is asked for data when the transport
        drains, once the handshake is done.

        @param producer: the producer.
        @param streaming: C{True} for a push producer.
        @raise RuntimeError: if a producer is already registered.
        """
        if self._producer is not None:
            raise RuntimeError(f"Cannot register producer {producer!r}: one is already registered")
        if self._lostTLSConnection:
            producer.stopProducing()
            return
        membrane = _ProducerMembrane(producer, bool(streaming), self)
        self._producer = membrane
        self.transport.registerProducer(membrane, bool(streaming))
        if not self._handshakeDone and self._appSendBufferSize > self.handshakeBufferSize:
            membrane._holdForHandshake(True)

    def unregisterProducer(self) -> None:
        """Unregister the producer; a pending close may now proceed."""
        if self._producer is None:
            return
        self._producer = None
        if not self._lostTLSConnection:
            self.transport.unregisterProducer()
        self._maybeShutdown()

    def pauseProducing(self) -> None:
        """Stop delivering data to the wrapped protocol (and reading the transport)."""
        self._readPaused = True
        pause = getattr(self.transport, "pauseProducing", None)
        if pause is not None:
            pause()

    def resumeProducing(self) -> None:
        """Deliver data again: first what OpenSSL holds already, then from the transport."""
        self._readPaused = False
        resume = getattr(self.transport, "resumeProducing", None)
        if resume is not None:
            resume()
        if self._handshakeDone and not self._lostTLSConnection and not self._receivedShutdown:
            self._readLoop()

    def stopProducing(self) -> None:
        """Close the connection (as C{loseConnection})."""
        self.loseConnection()

    # -- TLS information -------------------------------------------------------------

    def getHandle(self) -> Any:
        """
        @return: the C{OpenSSL.SSL.Connection}.
        """
        return self._tlsConnection

    def getPeerCertificate(self) -> Any:
        """
        @return: the peer's certificate (C{OpenSSL.crypto.X509}), or C{None} before
            the handshake or if the peer sent none.
        """
        if self._tlsConnection is None:
            return None
        return self._tlsConnection.get_peer_certificate()

    @property
    def negotiatedProtocol(self) -> Optional[bytes]:
        """
        The application protocol agreed by ALPN, or C{None} (no handshake yet, or the
        peer offered none).
        """
        if not self._handshakeDone:
            return None
        chosen = self._tlsConnection.get_alpn_proto_negotiated()
        return chosen or None


class TLSMemoryBIOFactory(WrappingFactory):
    """
    Wraps each protocol of C{wrappedFactory} in a L{TLSMemoryBIOProtocol}.

    C{listenSSL}/C{connectSSL} are C{listenTCP}/C{connectTCP} with this factory.

    @ivar isClient: whether the connections are TLS clients.
    """

    protocol = TLSMemoryBIOProtocol
    noisy = False

    def __init__(self, contextFactory: Any, isClient: bool, wrappedFactory: Any) -> None:
        """
        @param contextFactory: an C{IOpenSSLClientConnectionCreator} (client) or
            C{IOpenSSLServerConnectionCreator} (server), or an object with a
            C{getContext()} returning an C{OpenSSL.SSL.Context} (for example
            L{CertificateOptions<netframe.core._sslopts.CertificateOptions>}).
        @param isClient: C{True} for client connections.
        @param wrappedFactory: the application's factory (C{None} for C{startTLS}).
        @raise TypeError: if C{contextFactory} provides none of those.
        """
        WrappingFactory.__init__(self, wrappedFactory)
        self._contextFactory = contextFactory
        self.isClient = isClient
        creatorInterface = (
            IOpenSSLClientConnectionCreator if isClient else IOpenSSLServerConnectionCreator
        )
        if creatorInterface.providedBy(contextFactory):
            self._creator: Any = contextFactory
        elif callable(getattr(contextFactory, "getContext", None)):
            self._creator = _ContextFactoryToConnectionCreator(contextFactory)
        else:
            raise TypeError(
                f"{contextFactory!r} is neither a {creatorInterface.__name__} nor has getContext()"
            )
        self._verifyPeerIdentity: Any = getattr(self._creator, "_verifyPeerIdentity", None)
        self._alpnOverride: Optional[list[bytes]] = None
        if wrappedFactory is not None and IProtocolNegotiationFactory.providedBy(wrappedFactory):
            self._alpnOverride = list(wrappedFactory.acceptableProtocols())

    def logPrefix(self) -> str:
        """
        @return: the wrapped factory's prefix followed by C{(TLS)}.
        """
        inner = getattr(self.wrappedFactory, "logPrefix", None)
        prefix = inner() if callable(inner) else type(self.wrappedFactory).__name__
        return f"{prefix} (TLS)"

    def doStart(self) -> None:
        """Start the wrapped factory (if any), then this one."""
        if self.wrappedFactory is not None:
            self.wrappedFactory.doStart()
        ClientFactory.doStart(self)

    def doStop(self) -> None:
        """Stop the wrapped factory (if any), then this one."""
        if self.wrappedFactory is not None:
            self.wrappedFactory.doStop()
        ClientFactory.doStop(self)

    def _createConnection(self, tlsProtocol: TLSMemoryBIOProtocol) -> SSL.Connection:
        """
        Make the C{OpenSSL.SSL.Connection} of a new TLS protocol.

        @param tlsProtocol: the protocol (stored as the connection's app data).
        @return: the connection, in client or server mode.
        """
        connection: SSL.Connection
        if self.isClient:
            connection = self._creator.clientConnectionForTLS(tlsProtocol)
        else:
            connection = self._creator.serverConnectionForTLS(tlsProtocol)
        connection.set_app_data(tlsProtocol)
        protocols = self._alpnOverride
        if protocols is not None:
            if self.isClient:
                connection.set_alpn_protos(protocols)
            else:
                # Read by the context's ALPN selector (CertificateOptions installs one).
                tlsProtocol._alpnProtocols = protocols
        return connection


def _startTLS(
    transport: Any,
    contextFactory: Any,
    isClient: bool,
    protocol: Any,
    replaceTransport: bool = True,
) -> TLSMemoryBIOProtocol:
    """
    Insert a TLS layer under C{protocol} on an already connected C{transport}.

    Afterwards bytes from the transport go through TLS to C{protocol} and what
    C{protocol} writes is encrypted.  Data written before the call was handed to the
    transport in the clear already.  C{protocol} is not connected again (its
    C{connectionMade} does not run a second time).

    Generic use (any transport with a C{protocol} attribute, e.g. the in-memory fakes):
    the transport's C{protocol} becomes the TLS protocol and, with
    C{replaceTransport}, C{protocol.transport} becomes the TLS protocol too.

    Reactor use (C{transport.startTLS}): pass as C{transport} an object whose
    C{write}/C{loseConnection}... reach the socket directly, and
    C{replaceTransport=False}; then route the connection's own C{write},
    C{writeSequence}, C{loseConnection}, C{loseWriteConnection},
    C{registerProducer}, C{unregisterProducer} and C{getPeerCertificate} to the
    returned protocol, and feed it received bytes.

    @param transport: the connected transport.
    @param contextFactory: as for L{TLSMemoryBIOFactory}.
    @param isClient: C{True} to act as the TLS client.
    @param protocol: the protocol connected to C{transport}.
    @param replaceTransport: set C{protocol.transport} to the TLS protocol.
    @return: the TLS protocol.
    @raise TypeError: if C{contextFactory} is not usable.
    """
    factory = TLSMemoryBIOFactory(contextFactory, isClient, None)
    tlsProtocol = TLSMemoryBIOProtocol(factory, protocol, _connectWrapped=False)
    if hasattr(transport, "protocol"):
        transport.protocol = tlsProtocol
    if replaceTransport:
        protocol.transport = tlsProtocol
    tlsProtocol.makeConnection(transport)
    return tlsProtocol


class _ALPNSelector:
    """
    The server's ALPN choice: our most preferred protocol the client also offers.

    The protocols are the connection's own (a wrapped
    L{IProtocolNegotiationFactory<netframe.core.interfaces.IProtocolNegotiationFactory>}'s, stored on the TLS
    protocol) or else the context's.  With neither, ALPN is ignored.  With no protocol
    in common the handshake fails (rather than going on without a protocol): the
    callback raises, pyOpenSSL sends a fatal alert and re-raises the error from the
    handshake.
    """

    __slots__ = ("_protocols",)

    def __init__(self, protocols: Optional[list[bytes]]) -> None:
        """
        @param protocols: the acceptable protocols, most preferred first, or C{None}.
        """
        self._protocols = None if protocols is None else list(protocols)

    def __call__(self, connection: SSL.Connection, offered: list[bytes]) -> Any:
        """
        @param connection: the server connection.
        @param offered: the protocols the client offered, in its order.
        @return: the chosen protocol, or C{SSL.NO_OVERLAPPING_PROTOCOLS} to ignore ALPN
            when we have no protocols configured.
        @raise SSL.Error: if none of ours was offered.
        """
        protocols = getattr(connection.get_app_data(), "_alpnProtocols", None) or self._protocols
        if protocols is None:
            return SSL.NO_OVERLAPPING_PROTOCOLS
        for protocol in protocols:
            if protocol in offered:
                return protocol
        raise SSL.Error(
            [
                (
                    "ALPN",
                    "",
                    (
                        f"no application protocol in common: the client offered {offered!r}, "
                        f"we accept {protocols!r}"
                    ),
                )
            ]
        )
