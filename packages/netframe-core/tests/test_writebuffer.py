"""The shared write-buffer drain of the stream transports."""

from __future__ import annotations

from collections import deque

from netframe.core import error
from netframe.core._writebuffer import COALESCE, drainBuffer


class DrainBufferTests:
    """drainBuffer sends, coalesces, keeps partial writes and reports failures."""

    def test_coalescesSmallChunks(self) -> None:
        """Small pending chunks go out in one send call."""
        calls: list[bytes] = []
        buf: deque[bytes | memoryview] = deque([b"ab", b"cd", b"ef"])
        sent, failed = drainBuffer(buf, lambda data: calls.append(bytes(data)) or len(data))
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
