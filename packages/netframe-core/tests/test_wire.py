"""Tests for netframe.core.protocols.wire over StringTransport."""

from __future__ import annotations

import time

from zope.interface.verify import verifyObject

from netframe.core.interfaces import IPullProducer
from netframe.core.protocols import wire
from netframe.core.testing import StringTransport


def connected(protocol: object) -> StringTransport:
    """Connect C{protocol} to a fresh StringTransport."""
    t = StringTransport()
    protocol.makeConnection(t)  # type: ignore[attr-defined]
    return t


class WireTests:
    """The toy services."""

    def test_echo(self) -> None:
        """Echo writes back what it receives."""
        p = wire.Echo()
        t = connected(p)
        p.dataReceived(b"abc")
        assert t.value() == b"abc"

    def test_discard(self) -> None:
        """Discard writes nothing."""
        p = wire.Discard()
        t = connected(p)
        p.dataReceived(b"abc")
        assert t.value() == b""

    def test_qotd(self) -> None:
        """QOTD sends its quote and closes."""
        t = connected(wire.QOTD())
        assert t.value() == b"An apple a day keeps the doctor away.\r\n"
        assert t.disconnecting

    def test_daytime(self) -> None:
        """Daytime sends the UTC time as asctime text and closes."""
        p = wire.Daytime()
        p.now = lambda: 0.0
        t = connected(p)
        assert t.value() == time.asctime(time.gmtime(0)).encode() + b"\r\n"
        assert t.disconnecting

    def test_who(self) -> None:
        """Who sends the user list and closes."""
        t = connected(wire.Who())
        assert t.value() == b"root\r\n\r\n"
        assert t.disconnecting

    def test_chargen(self) -> None:
        """Chargen registers as a pull producer and writes rotating 72-char lines."""
        p = wire.Chargen()
        t = connected(p)
        assert t.producer is p and t.streaming is False
        assert verifyObject(IPullProducer, p)
        p.resumeProducing()
        lines = t.value().split(b"\r\n")[:-1]
        assert len(lines) == p.linesPerChunk
        assert all(len(line) == 72 for line in lines)
        assert lines[0][1:] == lines[1][:-1]
