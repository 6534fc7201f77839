"""
The self-wakeup descriptor that lets other threads (and signal handlers)
interrupt a reactor blocked in its multiplexer.

On Linux an C{eventfd} is used (one descriptor, 8-byte counter); elsewhere a
non-blocking pipe.  Writes coalesce: however many wake-ups arrive, one read
drains them all.
"""

from __future__ import annotations

import os

from netframe.core.failure import Failure


class _Waker:
    """A readable descriptor that becomes ready when L{wakeUp} is called."""

    __slots__ = ("_drain", "_readFd", "_writeFd", "disconnected")

    def __init__(self) -> None:
        """
        Create the descriptor(s).

        @raise OSError: If the process is out of file descriptors.
        """
        eventfd = getattr(os, "eventfd", None)
        if eventfd is not None:
            fd = eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
            self._readFd = self._writeFd = fd
            self._drain = 8
        else:  # pragma: no cover - non-Linux POSIX
            r, w = os.pipe()
            os.set_blocking(r, False)
            os.set_blocking(w, False)
            self._readFd, self._writeFd = r, w
            self._drain = 4096
        self.disconnected = False

    def fileno(self) -> int:
        """Return the descriptor the reactor watches for reading."""
        fd: int = self._readFd
        return fd

    def wakeUp(self) -> None:
        """
        Make the descriptor readable; safe from any thread and from signal handlers.

        A full pipe or counter already means a wake-up is pending, so those
        errors are ignored.
        """
        try:
            if self._readFd == self._writeFd:
                os.eventfd_write(self._writeFd, 1)
            else:  # pragma: no cover - non-Linux POSIX
                os.write(self._writeFd, b"x")
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            # Closed during reactor teardown: nothing left to wake.
            pass

    def doRead(self) -> None:
        """Drain pending wake-ups; the reactor's loop does the real work."""
        try:
            os.read(self._readFd, self._drain)
        except (BlockingIOError, InterruptedError):
            pass

    def connectionLost(self, reason: Failure) -> None:
        """Close the descriptor(s).

        @param reason: Ignored.
        """
        self.close()

    def close(self) -> None:
        """Close the descriptor(s); idempotent."""
        if self.disconnected:
            return
        self.disconnected = True
        os.close(self._readFd)
        if self._writeFd != self._readFd:  # pragma: no cover - non-Linux POSIX
            os.close(self._writeFd)

    def logPrefix(self) -> str:
        """Return the log prefix for events concerning the waker."""
        return "-"
