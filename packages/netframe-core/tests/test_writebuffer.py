"""The shared write-buffer drain of the stream transports."""

from __future__ import annotations

from collections import deque
from typing import Any

import pytest

from netframe.core import error
from netframe.core._writebuffer import COALESCE, _BufferedWriter, drainBuffer


class DrainBufferTests:
    """drainBuffer sends, coalesces, keeps partial writes and reports failures."""

    def test_coalescesSmallChunks(self) -> None:
        """Small pending chunks go out in one send call."""
        calls: list[bytes] = []

        def send(data: bytes | memoryview) -> int:
            calls.append(bytes(data))
            return len(data)

        buf: deque[bytes | memoryview] = deque([b"ab", b"cd", b"ef"])
        sent, failed = drainBuffer(buf, send)
        assert (sent, failed, calls, list(buf)) == (6, None, [b"abcdef"], [])

    def test_partialWriteKeepsRest(self) -> None:
        """A short write leaves the unsent rest at the front and stops."""
        buf: deque[bytes | memoryview] = deque([b"x" * (COALESCE + 10)])
        sent, failed = drainBuffer(buf, lambda data: 4)
        assert (sent, failed) == (4, None)
        assert bytes(buf[0]) == b"x" * (COALESCE + 6)

    def test_wouldBlockStops(self) -> None:
        """BlockingIOError stops the drain with nothing lost."""

        def send(data: bytes | memoryview) -> int:
            raise BlockingIOError()

        buf: deque[bytes | memoryview] = deque([b"data"])
        assert drainBuffer(buf, send) == (0, None)
        assert list(buf) == [b"data"]

    def test_errorBecomesConnectionLost(self) -> None:
        """Any other OSError is returned as a ConnectionLost failure."""

        def send(data: bytes | memoryview) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        sent, failed = drainBuffer(deque([b"data"]), send)
        assert sent == 0
        assert failed is not None and failed.check(error.ConnectionLost)


class _Reactor:
    """Records which writers are watched."""

    def __init__(self) -> None:
        self.writers: set[object] = set()

    def addWriter(self, writer: object) -> None:
        """Watch C{writer}."""
        self.writers.add(writer)

    def removeWriter(self, writer: object) -> None:
        """Stop watching C{writer}."""
        self.writers.discard(writer)


class _Writer(_BufferedWriter):
    """A minimal transport over the shared write side."""

    def __init__(self) -> None:
        self.reactor = _Reactor()
        self.disconnected = False
        self._initWriteBuffer()


class BufferedWriterTests:
    """The shared write side paces producers at the water marks."""

    def test_atHighWaterMarkProducerRuns(self, recordingProducer: Any) -> None:
        """Exactly highWaterMark bytes buffered leaves a push producer running."""
        w, producer = _Writer(), recordingProducer()
        w.registerProducer(producer, True)
        w._buffer(b"x" * w.highWaterMark)
        assert producer.calls == [] and w in w.reactor.writers

    def test_pastHighWaterMarkProducerPausedOnce(self, recordingProducer: Any) -> None:
        """One byte past highWaterMark pauses the push producer, once."""
        w, producer = _Writer(), recordingProducer()
        w.registerProducer(producer, True)
        w._buffer(b"x" * (w.highWaterMark + 1))
        w._buffer(b"y")
        assert producer.calls == ["pause"]

    def test_resumedAtLowWaterMark(self, recordingProducer: Any) -> None:
        """Draining to lowWaterMark resumes it; the writer stays watched until empty."""
        w, producer = _Writer(), recordingProducer()
        w.registerProducer(producer, True)
        w._buffer(b"x" * (w.highWaterMark + 1))
        target = w._bufSize - w.lowWaterMark
        failed, drained = w._drainAndPace(lambda data: min(len(data), target))
        assert (failed, drained) == (None, False)
        assert producer.calls == ["pause", "resume"] and w in w.reactor.writers

    def test_emptyBufferWithPushProducerStopsWatching(self, recordingProducer: Any) -> None:
        """An emptied buffer held by a push producer is no longer watched, and not 'drained'."""
        w, producer = _Writer(), recordingProducer()
        w.registerProducer(producer, True)
        w._buffer(b"abc")
        assert w._drainAndPace(len) == (None, False)
        assert w not in w.reactor.writers

    def test_pullProducerAskedWhenEmpty(self, recordingProducer: Any) -> None:
        """A pull producer is asked for more each time the buffer empties."""
        w, producer = _Writer(), recordingProducer()
        w.registerProducer(producer, False)
        w._buffer(b"abc")
        assert w._drainAndPace(len) == (None, False)
        assert producer.calls == ["resume", "resume"]

    def test_drainedWithoutProducer(self) -> None:
        """Without a producer an emptied buffer is reported drained (the caller closes)."""
        w = _Writer()
        w._buffer(b"abc")
        assert w._drainAndPace(len) == (None, True)

    def test_secondProducerRefused(self, recordingProducer: Any) -> None:
        """Registering a second producer raises RuntimeError naming both."""
        w = _Writer()
        w.registerProducer(recordingProducer(), True)
        with pytest.raises(RuntimeError, match="never unregistered"):
            w.registerProducer(recordingProducer(), True)

    def test_discardStopsProducer(self, recordingProducer: Any) -> None:
        """Closing drops the buffer and stops the producer once."""
        w, producer = _Writer(), recordingProducer()
        w.registerProducer(producer, True)
        w._buffer(b"abc")
        w._discardWrites()
        w._discardWrites()
        assert producer.calls == ["stop"] and w._bufSize == 0 and not w._buf
