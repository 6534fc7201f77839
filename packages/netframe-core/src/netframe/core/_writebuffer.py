"""
The write side shared by the stream transports (TCP/UNIX connections and process pipes):
L{drainBuffer} sends what a deque of pending chunks holds, coalescing small chunks, until
the kernel stops taking data; L{_BufferedWriter} keeps that buffer and paces a registered
producer around it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from netframe.core import error
from netframe.core.failure import Failure
from netframe.logger import Logger

_log = Logger()

#: Small pending chunks are joined into writes of up to this many bytes.
COALESCE = 65536


def drainBuffer(
    buf: deque[bytes | memoryview], send: Callable[[bytes | memoryview], int]
) -> tuple[int, Failure | None]:
    """
    Send chunks from the front of C{buf} with C{send} until it is empty or the kernel
    would block.

    A partly sent chunk stays at the front as a memoryview of its unsent rest.

    @param buf: the pending chunks, oldest first; consumed in place.
    @param send: writes bytes and returns how many were taken (C{socket.send},
        C{os.write} bound to a descriptor).
    @return: the number of bytes sent, and a Failure wrapping
        L{error.ConnectionLost} when C{send} failed (else None).
    """
    sent = 0
    while buf:
        chunk = buf[0]
        if len(chunk) < COALESCE and len(buf) > 1:
            parts = [buf.popleft()]
            size = len(chunk)
            while buf and size < COALESCE:
                c = buf.popleft()
                parts.append(c)
                size += len(c)
            chunk = b"".join(parts)
            buf.appendleft(chunk)
        try:
            n = send(chunk)
        except (BlockingIOError, InterruptedError):
            break
        except OSError as e:
            return sent, Failure(error.ConnectionLost(e.strerror or str(e)))
        sent += n
        if n == len(chunk):
            buf.popleft()
        else:
            buf[0] = memoryview(chunk)[n:]
            break
    return sent, None


class _BufferedWriter:
    """
    The write side the stream transports share (TCP/UNIX connections and process pipes):
    the buffer of pending chunks and the producer bookkeeping around it.

    A subclass calls L{_initWriteBuffer} in its constructor, has a C{reactor} and a
    C{disconnected} flag, and does its own C{write} fast path (sending at once when
    nothing is buffered) before handing the rest to L{_buffer}.

    @ivar highWaterMark: a registered push producer is paused when more than this many
        bytes are buffered.
    @ivar lowWaterMark: a paused push producer is resumed once the buffer drains to this
        many bytes or fewer.
    @ivar producer: the registered producer, or C{None}.
    @ivar streamingProducer: whether it is a push producer.
    @ivar producerPaused: whether this transport paused it.
    """

    highWaterMark = 65536
    lowWaterMark = 16384

    reactor: Any
    disconnected: bool

    def _initWriteBuffer(self) -> None:
        """Start with an empty buffer and no producer."""
        self._buf: deque[bytes | memoryview] = deque()
        self._bufSize = 0
        self.producer: Any = None
        self.streamingProducer = False
        self.producerPaused = False

    def _buffer(self, data: bytes) -> None:
        """
        Queue C{data} (not sent at once), watch for writability if it is the first
        pending chunk, and pause a push producer above L{highWaterMark}.

        @param data: the unsent bytes.
        """
        if not self._bufSize:
            self.reactor.addWriter(self)
        self._buf.append(data)
        self._bufSize += len(data)
        if (
            self._bufSize > self.highWaterMark
            and self.producer is not None
            and self.streamingProducer
            and not self.producerPaused
        ):
            self.producerPaused = True
            self.producer.pauseProducing()

    def _drainAndPace(
        self, send: Callable[[bytes | memoryview], int]
    ) -> tuple[Failure | None, bool]:
        """
        Send what the kernel takes, then pace the producer.

        A paused push producer is resumed at or below L{lowWaterMark}; a pull producer
        is asked for more once the buffer is empty; while a producer holds an empty
        buffer the descriptor is no longer watched for writability.

        @param send: writes bytes, returning how many were taken.
        @return: a Failure if sending failed (else C{None}), and whether the buffer is
            empty with no producer holding it: then the caller completes a pending close
            or stops watching for writability.
        """
        buf = self._buf
        sent, failed = drainBuffer(buf, send)
        self._bufSize -= sent
        if failed is not None:
            return failed, False
        producer = self.producer
        if buf:
            if producer is not None and self.producerPaused and self._bufSize <= self.lowWaterMark:
                self.producerPaused = False
                producer.resumeProducing()
            return None, False
        if producer is not None:
            if not self.streamingProducer:
                producer.resumeProducing()
                return None, False
            if self.producerPaused:
                self.producerPaused = False
                producer.resumeProducing()
                if buf:
                    # It wrote more than the kernel took: keep writing.
                    return None, False
            if self.producer is not None:
                self.reactor.removeWriter(self)
                return None, False
        return None, True

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """
        Register a producer that writes to this transport.

        @param producer: an L{IPushProducer<netframe.core.interfaces.IPushProducer>} or
            L{IPullProducer<netframe.core.interfaces.IPullProducer>}.
        @param streaming: C{True} for a push producer (paused above L{highWaterMark},
            resumed at L{lowWaterMark}), C{False} for a pull producer (C{resumeProducing}
            called whenever the buffer drains).
        @raise RuntimeError: If another producer is registered.
        """
        if self.producer is not None:
            raise RuntimeError(
                f"Cannot register producer {producer!r}: producer {self.producer!r} "
                "was never unregistered."
            )
        if self.disconnected:
            producer.stopProducing()
            return
        self.producer = producer
        self.streamingProducer = bool(streaming)
        self.producerPaused = False
        if not streaming:
            producer.resumeProducing()
            self.reactor.addWriter(self)
        elif self._bufSize > self.highWaterMark:
            self.producerPaused = True
            producer.pauseProducing()

    def _discardWrites(self) -> None:
        """The descriptor is closing: drop the buffer and stop the producer (errors logged)."""
        self._buf.clear()
        self._bufSize = 0
        producer = self.producer
        if producer is not None:
            self.producer = None
            try:
                producer.stopProducing()
            except BaseException:
                _log.failure("Error stopping producer {producer!r}", Failure(), producer=producer)
