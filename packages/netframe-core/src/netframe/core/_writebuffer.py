"""
The write-buffer drain shared by the stream transports (TCP/UNIX connections and process
pipes): send what a deque of pending chunks holds, coalescing small chunks, until the
kernel stops taking data.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from netframe.core import error
from netframe.core.failure import Failure

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
