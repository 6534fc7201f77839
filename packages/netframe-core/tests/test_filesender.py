"""
Tests for L{netframe.core.protocols._filesender.FileSender}, the pull
producer streaming a file to a consumer, including a peer that never reads.
"""

from __future__ import annotations

import io
import select
import socket
from typing import Any, Optional

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.core.failure import Failure
from netframe.core.interfaces import IConsumer, IProducer, IPullProducer
from netframe.core.protocol import Factory, Protocol
from netframe.core.protocols._filesender import FileSender
from netframe.core.testing import AccumulatingProtocol, StringTransport, connectedServerAndClient

#: Seconds a real-reactor test may run before its watchdog fails it.
WATCHDOG_SECONDS = 10.0


class _Results:
    """Collects the outcome of a Deferred."""

    def __init__(self, d: Any) -> None:
        self.value: Any = None
        self.failure: Optional[Failure] = None
        d.addCallbacks(self._ok, self._fail)

    def _ok(self, value: Any) -> None:
        self.value = value

    def _fail(self, failure: Failure) -> None:
        self.failure = failure


@implementer(IConsumer)
class _PacedConsumer:
    """
    A consumer standing for a transport whose peer reads C{drainPerTick}
    bytes per tick: it asks its pull producer for more only while fewer than
    C{highWater} bytes are buffered.
    """

    def __init__(self, highWater: int, drainPerTick: int) -> None:
        self.highWater = highWater
        self.drainPerTick = drainPerTick
        self.buffered = 0
        self.delivered = 0
        self.maxBuffered = 0
        self.producer: Any = None
        self.streaming: Optional[bool] = None

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        self.producer = producer
        self.streaming = streaming

    def unregisterProducer(self) -> None:
        self.producer = None

    def write(self, data: bytes) -> None:
        self.buffered += len(data)
        self.maxBuffered = max(self.maxBuffered, self.buffered)

    def tick(self) -> None:
        """One loop pass: the peer reads, then the producer is asked if there is room."""
        drained = min(self.buffered, self.drainPerTick)
        self.buffered -= drained
        self.delivered += drained
        if self.producer is not None and self.buffered < self.highWater:
            self.producer.resumeProducing()


class _CountingFile(io.RawIOBase):
    """An endless (or C{size}-byte) file counting the bytes read from it."""

    def __init__(self, size: Optional[int] = None) -> None:
        self.size = size
        self.bytesRead = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.size is not None:
            n = min(n, self.size - self.bytesRead)
        self.bytesRead += n
        return b"x" * n


def _transfer(data: bytes, transform: Any = None) -> tuple[FileSender, StringTransport, _Results]:
    """Start sending C{data} to a StringTransport."""
    sender = FileSender()
    transport = StringTransport()
    results = _Results(sender.beginFileTransfer(io.BytesIO(data), transport, transform))
    return sender, transport, results


def _drive(sender: FileSender, transport: StringTransport, limit: int = 10_000) -> int:
    """Call resumeProducing until the sender unregisters; return the number of calls."""
    calls = 0
    while transport.producer is not None:
        sender.resumeProducing()
        calls += 1
        assert calls < limit
    return calls


class FileSenderTests:
    """FileSender writes a file chunk by chunk, one chunk per request."""

    def test_verifyObject(self) -> None:
        """FileSender provides IProducer and IPullProducer."""
        verifyObject(IProducer, FileSender())
        verifyObject(IPullProducer, FileSender())

    def test_chunkSize(self) -> None:
        """Chunks are 16 KiB by default."""
        assert FileSender.CHUNK_SIZE == 2**14

    def test_registersAsPullProducer(self) -> None:
        """beginFileTransfer registers the sender as a non-streaming producer."""
        sender, transport, _ = _transfer(b"abc")
        assert transport.producer is sender
        assert transport.streaming is False

    def test_nothingSentUntilAsked(self) -> None:
        """No data is read or written before the consumer asks."""
        _sender, transport, results = _transfer(b"abc")
        assert transport.value() == b""
        assert results.value is None

    def test_oneChunkPerRequest(self) -> None:
        """Each resumeProducing writes at most CHUNK_SIZE bytes."""
        data = bytes(range(256)) * 200  # 51200 bytes: 3 full chunks and a partial one
        sender, transport, _ = _transfer(data)
        sizes = []
        for _ in range(4):
            before = len(transport.value())
            sender.resumeProducing()
            sizes.append(len(transport.value()) - before)
        assert sizes == [16384, 16384, 16384, 51200 - 3 * 16384]

    def test_completes(self) -> None:
        """At end of file the sender unregisters and fires with the last byte sent."""
        data = b"hello world" * 5000
        sender, transport, results = _transfer(data)
        _drive(sender, transport)
        assert transport.value() == data
        assert transport.producer is None
        assert results.value == b"d"
        assert sender.deferred is None

    def test_emptyFile(self) -> None:
        """An empty file fires with b'' at the first request."""
        sender, transport, results = _transfer(b"")
        assert _drive(sender, transport) == 1
        assert results.value == b""
        assert transport.value() == b""

    def test_exactlyOneChunk(self) -> None:
        """A file of exactly CHUNK_SIZE bytes takes one write and one end-of-file request."""
        data = b"a" * (FileSender.CHUNK_SIZE - 1) + b"z"
        sender, transport, results = _transfer(data)
        assert _drive(sender, transport) == 2
        assert results.value == b"z"

    def test_oneChunkPlusOne(self) -> None:
        """A file of CHUNK_SIZE + 1 bytes takes two writes."""
        data = b"a" * FileSender.CHUNK_SIZE + b"q"
        sender, transport, results = _transfer(data)
        assert _drive(sender, transport) == 3
        assert transport.value() == data
        assert results.value == b"q"

    def test_overridableChunkSize(self) -> None:
        """A subclass may change CHUNK_SIZE."""

        class Small(FileSender):
            CHUNK_SIZE = 4

        sender = Small()
        transport = StringTransport()
        sender.beginFileTransfer(io.BytesIO(b"abcdefghij"), transport)
        sender.resumeProducing()
        assert transport.value() == b"abcd"

    def test_transform(self) -> None:
        """The transform is applied to each chunk; the last byte is the transformed one."""
        sender, transport, results = _transfer(b"abc", transform=bytes.upper)
        _drive(sender, transport)
        assert transport.value() == b"ABC"
        assert results.value == b"C"

    def test_transformReturningNonBytes(self) -> None:
        """A transform returning str fails the transfer with TypeError and unregisters."""
        sender, transport, results = _transfer(b"abc", transform=lambda b: b.decode())
        sender.resumeProducing()
        assert transport.producer is None
        assert results.failure is not None
        assert results.failure.check(TypeError)
        assert "str" in str(results.failure.value)
        sender.resumeProducing()
        assert transport.value() == b""

    def test_transformRaising(self) -> None:
        """A transform raising fails the transfer with its exception."""

        def broken(chunk: bytes) -> bytes:
            raise ValueError("bad chunk")

        sender, transport, results = _transfer(b"abc", transform=broken)
        sender.resumeProducing()
        assert results.failure is not None
        assert results.failure.check(ValueError)
        assert transport.producer is None

    def test_readError(self) -> None:
        """An error reading the file fails the transfer with that error."""

        class Broken(io.RawIOBase):
            def readable(self) -> bool:
                return True

            def read(self, n: int = -1) -> bytes:
                raise OSError(5, "I/O error")

        sender = FileSender()
        transport = StringTransport()
        results = _Results(sender.beginFileTransfer(Broken(), transport))
        sender.resumeProducing()
        assert results.failure is not None
        assert results.failure.check(OSError)
        assert transport.producer is None

    def test_stopProducing(self) -> None:
        """stopProducing fails the Deferred and later requests do nothing."""
        sender, transport, results = _transfer(b"x" * 100_000)
        sender.resumeProducing()
        sender.stopProducing()
        assert results.failure is not None
        assert results.failure.check(Exception)
        assert "stop producing" in str(results.failure.value)
        written = len(transport.value())
        sender.resumeProducing()
        sender.stopProducing()
        assert len(transport.value()) == written

    def test_pauseProducingIsHarmless(self) -> None:
        """pauseProducing does nothing to a pull producer."""
        sender, transport, results = _transfer(b"abc")
        sender.pauseProducing()
        _drive(sender, transport)
        assert results.value == b"c"

    def test_secondTransferWhileBusy(self) -> None:
        """Starting a second transfer before the first finished raises RuntimeError."""
        sender, _, _ = _transfer(b"abc")
        with pytest.raises(RuntimeError, match="already sending"):
            sender.beginFileTransfer(io.BytesIO(b"x"), StringTransport())

    def test_reuseAfterCompletion(self) -> None:
        """A sender can start a new transfer after the previous one finished."""
        sender, transport, _ = _transfer(b"abc")
        _drive(sender, transport)
        second = StringTransport()
        results = _Results(sender.beginFileTransfer(io.BytesIO(b"de"), second))
        _drive(sender, second)
        assert second.value() == b"de"
        assert results.value == b"e"

    def test_overMemoryConnection(self) -> None:
        """Over an in-memory connection the peer receives the whole file."""
        data = bytes(range(256)) * 400
        outcome: list[_Results] = []

        class Sender(Protocol):
            def connectionMade(self) -> None:
                assert self.transport is not None
                d = FileSender().beginFileTransfer(io.BytesIO(data), self.transport)
                outcome.append(_Results(d))

        client, _, pump = connectedServerAndClient(Sender, AccumulatingProtocol)
        pump.flush()
        assert client.data == data
        assert outcome[0].value == data[-1:]


class NeverReadingPeerTests:
    """A peer that never reads holds the sender back: memory stays bounded."""

    def test_pausedConsumerBoundsMemory(self) -> None:
        """With a consumer that never drains, at most one chunk past the high-water mark is read."""
        highWater = 64 * 1024
        consumer = _PacedConsumer(highWater=highWater, drainPerTick=0)
        source = _CountingFile()
        sender = FileSender()
        sender.beginFileTransfer(source, consumer)
        for _ in range(10_000):
            consumer.tick()
        assert consumer.maxBuffered <= highWater + FileSender.CHUNK_SIZE
        assert source.bytesRead == consumer.buffered
        assert consumer.delivered == 0

    def test_slowConsumerPacesReads(self) -> None:
        """A slow reader gets the file at its own pace, with bounded buffering."""
        highWater = 32 * 1024
        consumer = _PacedConsumer(highWater=highWater, drainPerTick=1000)
        source = _CountingFile(size=2_000_000)
        sender = FileSender()
        results = _Results(sender.beginFileTransfer(source, consumer))
        ticks = 0
        while results.value is None:
            consumer.tick()
            ticks += 1
            assert ticks < 10_000
        while consumer.buffered:
            consumer.tick()
        assert consumer.delivered == 2_000_000
        assert consumer.maxBuffered <= highWater + FileSender.CHUNK_SIZE

    def test_neverReadingTCPPeer(self) -> None:
        """Over loopback TCP, a client that never reads stalls the sender at a bounded amount."""
        if hasattr(select, "epoll"):
            from netframe.core.epollreactor import EPollReactor as reactorClass
        else:  # not Linux: the same test on the poll reactor
            from netframe.core.pollreactor import PollReactor as reactorClass  # type: ignore[assignment]

        reactor = reactorClass()
        source = _CountingFile()
        outcome: list[_Results] = []

        class Sender(Protocol):
            def connectionMade(self) -> None:
                assert self.transport is not None
                d = FileSender().beginFileTransfer(source, self.transport)
                outcome.append(_Results(d))

            def connectionLost(self, reason: Failure = Failure(Exception())) -> None:  # noqa: B008
                reactor.callLater(0, reactor.stop)

        samples: list[int] = []
        stalledAt: list[int] = []
        timedOut: list[bool] = []
        client: list[socket.socket] = []

        def sample() -> None:
            samples.append(source.bytesRead)
            if len(samples) >= 5 and samples[-1] > 0 and len(set(samples[-5:])) == 1:
                # Nothing more was read for four samples: the sender is held back.
                stalledAt.append(source.bytesRead)
                client[0].close()
                return
            reactor.callLater(0.05, sample)

        def watchdog() -> None:
            timedOut.append(True)
            reactor.stop()

        try:
            port = reactor.listenTCP(0, Factory.forProtocol(Sender), interface="127.0.0.1")
            client.append(socket.create_connection(("127.0.0.1", port.getHost().port)))
            reactor.callLater(0.05, sample)
            dog = reactor.callLater(WATCHDOG_SECONDS, watchdog)
            reactor.run(installSignalHandlers=False)
            if dog.active():
                dog.cancel()
        finally:
            for s in client:
                s.close()
            reactor.disconnectAll()
            reactor._close()
        assert timedOut == [], f"the sender never stalled: read {source.bytesRead} bytes"
        assert 0 < stalledAt[0] < 64 * 1024 * 1024
        assert outcome[0].failure is not None
        assert "stop producing" in str(outcome[0].failure.value)
