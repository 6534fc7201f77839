"""
Readiness multiplexers behind one small private interface.

A poller knows file descriptor numbers and event masks only; it never sees the
objects the reactor dispatches to.  Masks use the C{poll(2)} bit values on
every implementation so the reactor can test bits without translating:
C{READ} (C{POLLIN}), C{WRITE} (C{POLLOUT}) and C{ERROR}
(C{POLLERR | POLLHUP | POLLNVAL}).
"""

from __future__ import annotations

import errno
import select
from collections.abc import Callable
from typing import Protocol

READ = 0x001
"""The descriptor is readable (C{POLLIN} / C{EPOLLIN})."""
WRITE = 0x004
"""The descriptor is writable (C{POLLOUT} / C{EPOLLOUT})."""
ERROR = 0x008 | 0x010 | 0x020
"""The descriptor has an error or hang-up (C{POLLERR | POLLHUP | POLLNVAL})."""


class _Poller(Protocol):
    """The multiplexer interface the posix reactor base drives."""

    def register(self, fd: int, mask: int) -> None:
        """Start watching C{fd} for the events in C{mask} (READ and/or WRITE)."""

    def modify(self, fd: int, mask: int) -> None:
        """Change the events watched for an already registered C{fd}."""

    def unregister(self, fd: int) -> None:
        """Stop watching C{fd}; unknown or closed descriptors are ignored."""

    def poll(self, timeout: float | None) -> list[tuple[int, int]]:
        """
        Wait up to C{timeout} seconds (C{None}: forever) for readiness.

        @return: a list of C{(fd, mask)} pairs for the ready descriptors.
        """
        ...

    def close(self) -> None:
        """Release the kernel object behind the poller, if any."""


class EPollPoller:
    """Level-triggered C{epoll(7)} multiplexer (Linux)."""

    __slots__ = ("_epoll", "poll")

    poll: Callable[[float | None], list[tuple[int, int]]]
    """Wait up to the given seconds (C{None}: forever); return C{(fd, mask)} pairs."""

    def __init__(self) -> None:
        """Create the epoll instance (close-on-exec)."""
        self._epoll = select.epoll()
        # epoll's own poll already takes None as "wait forever": the reactor calls it
        # directly, without a Python frame per loop pass.
        self.poll = self._epoll.poll

    def register(self, fd: int, mask: int) -> None:
        """Start watching C{fd} for C{mask}."""
        self._epoll.register(fd, mask)

    def modify(self, fd: int, mask: int) -> None:
        """Change the mask of C{fd}."""
        self._epoll.modify(fd, mask)

    def unregister(self, fd: int) -> None:
        """Stop watching C{fd}; errors for unknown or closed descriptors are ignored."""
        try:
            self._epoll.unregister(fd)
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        """Close the epoll descriptor."""
        self._epoll.close()


class PollPoller:
    """C{poll(2)} multiplexer (any POSIX system)."""

    __slots__ = ("_poll",)

    def __init__(self) -> None:
        """Create the poll object."""
        self._poll = select.poll()

    def register(self, fd: int, mask: int) -> None:
        """Start watching C{fd} for C{mask}."""
        self._poll.register(fd, mask)

    def modify(self, fd: int, mask: int) -> None:
        """Change the mask of C{fd}."""
        self._poll.modify(fd, mask)

    def unregister(self, fd: int) -> None:
        """Stop watching C{fd}; unknown descriptors are ignored."""
        try:
            self._poll.unregister(fd)
        except KeyError:
            pass

    def poll(self, timeout: float | None) -> list[tuple[int, int]]:
        """Wait for readiness; C{None} waits forever (poll takes milliseconds)."""
        if timeout is None:
            return self._poll.poll()
        # CPython rounds fractional milliseconds up, so no busy spin near a timer.
        return self._poll.poll(timeout * 1000)

    def close(self) -> None:
        """Nothing to release: poll objects hold no descriptor."""


class SelectPoller:
    """C{select(2)} multiplexer (most portable; limited to FD_SETSIZE descriptors)."""

    __slots__ = ("_readers", "_writers")

    def __init__(self) -> None:
        """Start with no descriptors watched."""
        self._readers: set[int] = set()
        self._writers: set[int] = set()

    def register(self, fd: int, mask: int) -> None:
        """Start watching C{fd} for C{mask}."""
        self.modify(fd, mask)

    def modify(self, fd: int, mask: int) -> None:
        """Change the mask of C{fd}."""
        if mask & READ:
            self._readers.add(fd)
        else:
            self._readers.discard(fd)
        if mask & WRITE:
            self._writers.add(fd)
        else:
            self._writers.discard(fd)

    def unregister(self, fd: int) -> None:
        """Stop watching C{fd}."""
        self._readers.discard(fd)
        self._writers.discard(fd)

    def poll(self, timeout: float | None) -> list[tuple[int, int]]:
        """
        Wait for readiness with C{select(2)}.

        A descriptor closed behind the poller's back makes select fail with
        EBADF; each watched descriptor is then reported with ERROR so the
        reactor can drop the bad one instead of spinning.
        """
        try:
            r, w, _ = select.select(self._readers, self._writers, (), timeout)
        except (OSError, ValueError) as e:
            if isinstance(e, OSError) and e.errno != errno.EBADF:
                raise
            return self._findBad()
        events: dict[int, int] = {}
        for fd in r:
            events[fd] = READ
        for fd in w:
            events[fd] = events.get(fd, 0) | WRITE
        return list(events.items())

    def _findBad(self) -> list[tuple[int, int]]:
        """Report every descriptor select refuses as ERROR."""
        bad = []
        for fd in self._readers | self._writers:
            try:
                select.select([fd], [], [], 0)
            except (OSError, ValueError):
                bad.append((fd, ERROR))
        return bad

    def close(self) -> None:
        """Forget every descriptor."""
        self._readers.clear()
        self._writers.clear()
