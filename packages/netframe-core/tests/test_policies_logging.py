"""
Tests for the traffic-recording policies of
L{netframe.core.protocols.policies}: L{SpewingFactory} and
L{TrafficLoggingFactory}.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any

from zope.interface.verify import verifyObject

from netframe.core import error
from netframe.core.failure import Failure
from netframe.core.interfaces import IProtocolFactory
from netframe.core.protocol import Factory, Protocol
from netframe.core.protocols.policies import (
    SpewingFactory,
    SpewingProtocol,
    TrafficLoggingFactory,
    TrafficLoggingProtocol,
)
from netframe.core.testing import AccumulatingProtocol, StringTransport, connectedServerAndClient
from netframe.logger import capturedLogs, formatEvent


class _Echo(Protocol):
    """Echoes what it receives."""

    def dataReceived(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(data)


class _MemoryFile(io.StringIO):
    """A StringIO that keeps its text readable after close()."""

    text = ""

    def close(self) -> None:
        self.text = self.getvalue()
        super().close()


class _MemoryTrafficFactory(TrafficLoggingFactory):
    """Logs to in-memory files, recorded by name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files: dict[str, _MemoryFile] = {}

    def open(self, name: str) -> IO[str]:
        f = self.files[name] = _MemoryFile()
        return f


class SpewingFactoryTests:
    """SpewingFactory logs every chunk sent and received."""

    def test_verifyObject(self) -> None:
        """SpewingFactory provides IProtocolFactory and builds SpewingProtocols."""
        factory = SpewingFactory(Factory.forProtocol(_Echo))
        verifyObject(IProtocolFactory, factory)
        assert isinstance(factory.buildProtocol(None), SpewingProtocol)

    def test_logsTraffic(self) -> None:
        """Received and sent bytes are logged in order."""
        factory = SpewingFactory(Factory.forProtocol(_Echo))
        p = factory.buildProtocol(None)
        assert p is not None
        transport = StringTransport()
        p.makeConnection(transport)
        with capturedLogs() as events:
            p.dataReceived(b"hi")
            p.writeSequence([b"a", b"b"])
        texts = [formatEvent(e) for e in events]
        assert texts == ["Received: b'hi'", "Sending: b'hi'", "Sending: b'ab'"]
        assert transport.value() == b"hiab"


class TrafficLoggingFactoryTests:
    """TrafficLoggingFactory writes each connection's traffic to its own file."""

    def test_verifyObject(self) -> None:
        """TrafficLoggingFactory provides IProtocolFactory."""
        verifyObject(IProtocolFactory, _MemoryTrafficFactory(Factory(), "x"))

    def test_filePerConnection(self) -> None:
        """Connections are numbered from 1 and log to <prefix>-<n>."""
        factory = _MemoryTrafficFactory(Factory.forProtocol(_Echo), "traffic")
        for _ in range(3):
            p = factory.buildProtocol(None)
            assert isinstance(p, TrafficLoggingProtocol)
        assert sorted(factory.files) == ["traffic-1", "traffic-2", "traffic-3"]

    def test_resetCounter(self) -> None:
        """resetCounter numbers the next connection 1 again."""
        factory = _MemoryTrafficFactory(Factory.forProtocol(_Echo), "t")
        factory.buildProtocol(None)
        factory.buildProtocol(None)
        factory.resetCounter()
        factory.files.clear()
        factory.buildProtocol(None)
        assert list(factory.files) == ["t-1"]

    def test_logFormat(self) -> None:
        """Connect, receive, send, close and loss are each logged on a line."""
        factory = _MemoryTrafficFactory(Factory.forProtocol(_Echo), "t")
        p = factory.buildProtocol(None)
        assert p is not None
        p.makeConnection(StringTransport())
        p.dataReceived(b"ping")
        p.writeSequence([b"a", b"b"])
        p.loseConnection()
        p.connectionLost(Failure(error.ConnectionDone()))
        f = factory.files["t-1"]
        assert f.closed
        lines = f.text.splitlines()
        assert lines[:5] == ["*", "C 1: b'ping'", "S 1: b'ping'", "SV 1: [b'a', b'b']", "S 1: *"]
        assert lines[5].startswith("C 1: ") and "ConnectionDone" in lines[5]
        assert len(lines) == 6

    def test_lengthLimitAt(self) -> None:
        """A chunk of exactly lengthLimit bytes is logged whole."""
        factory = _MemoryTrafficFactory(Factory.forProtocol(Protocol), "t", lengthLimit=20)
        p = factory.buildProtocol(None)
        assert p is not None
        p.makeConnection(StringTransport())
        p.dataReceived(b"x" * 20)
        assert factory.files["t-1"].getvalue().splitlines()[1] == "C 1: " + repr(b"x" * 20)

    def test_lengthLimitPast(self) -> None:
        """A chunk longer than lengthLimit is cut to lengthLimit bytes ending in <... elided>."""
        factory = _MemoryTrafficFactory(Factory.forProtocol(Protocol), "t", lengthLimit=20)
        p = factory.buildProtocol(None)
        assert p is not None
        p.makeConnection(StringTransport())
        p.dataReceived(b"x" * 21)
        logged = factory.files["t-1"].getvalue().splitlines()[1]
        assert logged == "C 1: " + repr(b"x" * 8 + b"<... elided>")

    def test_tinyLengthLimit(self) -> None:
        """A limit shorter than the elision marker still logs the marker only."""
        factory = _MemoryTrafficFactory(Factory.forProtocol(Protocol), "t", lengthLimit=3)
        p = factory.buildProtocol(None)
        assert p is not None
        p.makeConnection(StringTransport())
        p.dataReceived(b"abcdef")
        assert factory.files["t-1"].getvalue().splitlines()[1] == "C 1: b'<... elided>'"

    def test_refusedOpensNoFile(self) -> None:
        """No file is opened when the wrapped factory refuses the connection."""

        class Refusing(Factory):
            def buildProtocol(self, addr: Any) -> None:
                return None

        factory = _MemoryTrafficFactory(Refusing(), "t")
        assert factory.buildProtocol(None) is None
        assert factory.files == {}

    def test_realFiles(self, tmp_path: Path) -> None:
        """The default open writes real files named <prefix>-<n>, closed with the connection."""
        prefix = str(tmp_path / "log")
        factory = TrafficLoggingFactory(Factory.forProtocol(_Echo), prefix)
        client, server, pump = connectedServerAndClient(
            lambda: factory.buildProtocol(None), AccumulatingProtocol
        )
        client.transport.write(b"echo me")
        pump.flush()
        client.transport.loseConnection()
        pump.flush()
        assert client.data == b"echo me"
        assert server.logfile.closed
        text = (tmp_path / "log-1").read_text(encoding="utf-8")
        assert text.splitlines()[:3] == ["*", "C 1: b'echo me'", "S 1: b'echo me'"]
