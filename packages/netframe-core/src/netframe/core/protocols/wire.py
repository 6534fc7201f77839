"""
The small "wire" services of the early Internet, as protocols.

L{Echo} (RFC 862), L{Discard} (RFC 863), L{Chargen} (RFC 864, a pull
producer), L{QOTD} (RFC 865), L{Daytime} (RFC 867) and L{Who} (a minimal
RFC 866-style user list).  Serve one with C{Factory.forProtocol(Echo)}.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from zope.interface import implementer

from netframe.core.interfaces import IPullProducer
from netframe.core.protocol import Protocol

__all__ = ["QOTD", "Chargen", "Daytime", "Discard", "Echo", "Who"]


class Echo(Protocol):
    """Send back everything received."""

    def dataReceived(self, data: bytes) -> None:
        """Write C{data} back to the peer."""
        assert self.transport is not None
        self.transport.write(data)


class Discard(Protocol):
    """Ignore everything received."""

    def dataReceived(self, data: bytes) -> None:
        """Drop C{data}."""


_CHARGEN_CHARS = bytes(range(0x20, 0x7F))


@implementer(IPullProducer)
class Chargen(Protocol):
    """
    Send an endless stream of rotating 72-character ASCII lines (RFC 864).

    It registers itself as a pull producer, so it writes only as fast as the
    peer reads.

    @cvar linesPerChunk: lines written per C{resumeProducing} call.
    """

    linesPerChunk = 200

    _offset = 0

    def connectionMade(self) -> None:
        """Start producing."""
        assert self.transport is not None
        self.transport.registerProducer(self, False)  # type: ignore[attr-defined]

    def resumeProducing(self) -> None:
        """Write the next C{linesPerChunk} lines."""
        n = len(_CHARGEN_CHARS)
        doubled = _CHARGEN_CHARS + _CHARGEN_CHARS
        lines = []
        offset = self._offset
        for _ in range(self.linesPerChunk):
            lines.append(doubled[offset : offset + 72] + b"\r\n")
            offset = (offset + 1) % n
        self._offset = offset
        assert self.transport is not None
        self.transport.write(b"".join(lines))

    def stopProducing(self) -> None:
        """Nothing to release."""


class _OneShot(Protocol):
    """Write one reply on connect, then close."""

    def _reply(self) -> bytes:
        """Return the reply."""
        raise NotImplementedError

    def connectionMade(self) -> None:
        """Write the reply and close."""
        assert self.transport is not None
        self.transport.write(self._reply())
        self.transport.loseConnection()


class QOTD(_OneShot):
    """Send a quote, then close (RFC 865)."""

    def getQuote(self) -> bytes:
        """Return the quote to send (override to vary it)."""
        return b"An apple a day keeps the doctor away."

    def _reply(self) -> bytes:
        """Return the quote and CRLF."""
        return self.getQuote() + b"\r\n"


class Daytime(_OneShot):
    """Send the current UTC date and time as text, then close (RFC 867)."""

    #: The clock (seconds since the epoch); replaceable in tests.
    now: Callable[[], float] = staticmethod(time.time)

    def _reply(self) -> bytes:
        """Return C{asctime} of now in UTC, and CRLF."""
        return time.asctime(time.gmtime(self.now())).encode("ascii") + b"\r\n"


class Who(_OneShot):
    """Send the list of logged-in users, then close."""

    def getUsers(self) -> bytes:
        """Return the user list, one per CRLF-terminated line (override it)."""
        return b"root\r\n"

    def _reply(self) -> bytes:
        """Return the user list and CRLF."""
        return self.getUsers() + b"\r\n"
