"""
The TLS layer's pre-handshake buffer is bounded for push producers: past
C{handshakeBufferSize} bytes written before the handshake completes, the
registered push producer is paused until the handshake completes and the buffer
is sent.
"""

from __future__ import annotations

from typing import Any

from netframe.core import ssl
from netframe.core.protocol import ClientFactory, Protocol
from netframe.core.testing import FakeTransport, IOPump, connect


class Sink(Protocol):
    """Records what it receives."""

    def __init__(self) -> None:
        self.received = b""

    def dataReceived(self, data: bytes) -> None:
        """Record C{data}."""
        self.received += data


class _One(ClientFactory):
    """Builds one given protocol."""

    def __init__(self, protocol: Any) -> None:
        self.theProtocol = protocol

    def buildProtocol(self, addr: Any) -> Any:
        """Return the protocol."""
        return self.theProtocol


def unstartedPair(
    tlsCerts: Any, server: Protocol, client: Protocol, hostname: str = "example.com"
) -> tuple[ssl.TLSMemoryBIOProtocol, ssl.TLSMemoryBIOProtocol, IOPump]:
    """
    A TLS client (expecting C{hostname}) and an example.com server over an in-memory
    pair, nothing exchanged yet.
    """
    serverOptions = tlsCerts.leaf("example.com").options()
    clientOptions = ssl.optionsForClientTLS(hostname, tlsCerts.ca())
    serverTLS = ssl.TLSMemoryBIOFactory(serverOptions, False, _One(server)).buildProtocol(None)
    clientTLS = ssl.TLSMemoryBIOFactory(clientOptions, True, _One(client)).buildProtocol(None)
    assert isinstance(serverTLS, ssl.TLSMemoryBIOProtocol)
    assert isinstance(clientTLS, ssl.TLSMemoryBIOProtocol)
    pump = connect(
        serverTLS,
        FakeTransport(serverTLS, True),
        clientTLS,
        FakeTransport(clientTLS, False),
        greet=False,
    )
    return serverTLS, clientTLS, pump


class HandshakeBufferTests:
    """Writes made before the handshake completes do not grow memory without bound."""

    def test_atTheLimitProducerKeepsRunning(self, recordingProducer: Any, tlsCerts: Any) -> None:
        """Exactly handshakeBufferSize bytes buffered leaves the push producer running."""
        _serverTLS, clientTLS, _pump = unstartedPair(tlsCerts, Sink(), Sink())
        producer = recordingProducer()
        clientTLS.registerProducer(producer, True)
        clientTLS.write(b"x" * clientTLS.handshakeBufferSize)
        assert producer.calls == []

    def test_pastTheLimitProducerPausedUntilHandshake(
        self, recordingProducer: Any, tlsCerts: Any
    ) -> None:
        """One byte past the limit pauses the producer; the handshake sends all, then resumes."""
        server = Sink()
        _serverTLS, clientTLS, pump = unstartedPair(tlsCerts, server, Sink())
        producer = recordingProducer()
        clientTLS.registerProducer(producer, True)
        size = clientTLS.handshakeBufferSize
        clientTLS.write(b"a" * size)
        clientTLS.write(b"b")
        clientTLS.write(b"c")
        assert producer.calls == ["pause"]
        pump.flush()
        assert server.received == b"a" * size + b"bc"
        assert producer.calls == ["pause", "resume"]

    def test_registeredAfterOverflowIsPausedAtOnce(
        self, recordingProducer: Any, tlsCerts: Any
    ) -> None:
        """A push producer registered when the buffer is already past the limit starts paused."""
        _serverTLS, clientTLS, pump = unstartedPair(tlsCerts, Sink(), Sink())
        clientTLS.write(b"z" * (clientTLS.handshakeBufferSize + 1))
        producer = recordingProducer()
        clientTLS.registerProducer(producer, True)
        assert producer.calls == ["pause"]
        pump.flush()
        assert producer.calls == ["pause", "resume"]

    def test_transportPauseOutlastsHandshakeRelease(
        self, recordingProducer: Any, tlsCerts: Any
    ) -> None:
        """A producer the transport paused stays paused when the handshake releases it."""
        _serverTLS, clientTLS, pump = unstartedPair(tlsCerts, Sink(), Sink())
        producer = recordingProducer()
        clientTLS.registerProducer(producer, True)
        membrane = clientTLS.transport.producer
        membrane.pauseProducing()
        clientTLS.write(b"y" * (clientTLS.handshakeBufferSize + 1))
        pump.flush()
        assert producer.calls == ["pause"]
        membrane.resumeProducing()
        assert producer.calls == ["pause", "resume"]

    def test_limitIsOverridable(self, recordingProducer: Any, tlsCerts: Any) -> None:
        """handshakeBufferSize is a per-instance (or subclass) setting."""
        _serverTLS, clientTLS, _pump = unstartedPair(tlsCerts, Sink(), Sink())
        clientTLS.handshakeBufferSize = 10
        producer = recordingProducer()
        clientTLS.registerProducer(producer, True)
        clientTLS.write(b"0123456789")
        assert producer.calls == []
        clientTLS.write(b"!")
        assert producer.calls == ["pause"]

    def test_failedHandshakeStopsHeldProducer(self, recordingProducer: Any, tlsCerts: Any) -> None:
        """A producer held for the handshake is stopped, not resumed, if the handshake fails."""
        _serverTLS, clientTLS, pump = unstartedPair(tlsCerts, Sink(), Sink(), "wrong.example")
        producer = recordingProducer()
        clientTLS.registerProducer(producer, True)
        clientTLS.write(b"q" * (clientTLS.handshakeBufferSize + 1))
        pump.flush()
        assert producer.calls == ["pause", "stop"]
