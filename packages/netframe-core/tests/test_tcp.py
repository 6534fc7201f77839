"""
Unit tests for the TCP transport and port with fake sockets and a fake
reactor: the direct-write path, buffering, producer water marks, close
sequencing, accept bounds and EMFILE handling.
"""

from __future__ import annotations

import errno
from typing import Any

import pytest
from zope.interface import implementer

from netframe.core import error
from netframe.core._tcp import Port, Server
from netframe.core.interfaces import IPushProducer
from netframe.core.protocol import Factory, Protocol, connectionDone
from netframe.core.task import Clock
from netframe.logger import capturedLogs


class FakeSocket:
    """A socket whose send accepts at most C{window} bytes per call."""

    def __init__(self, window: int | None = None) -> None:
        self.window = window
        self.sent = bytearray()
        self.closed = False
        self.shut: list[int] = []
        self.inbox: list[bytes] = []

    def fileno(self) -> int:
        return 99

    def send(self, data: Any) -> int:
        if self.window == 0:
            raise BlockingIOError(errno.EAGAIN, "would block")
        n = len(data) if self.window is None else min(self.window, len(data))
        self.sent += bytes(data[:n])
        return n

    def recv(self, size: int) -> bytes:
        if not self.inbox:
            raise BlockingIOError(errno.EAGAIN, "would block")
        return self.inbox.pop(0)

    def close(self) -> None:
        self.closed = True

    def shutdown(self, how: int) -> None:
        self.shut.append(how)

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", 1234)


class FakeReactor(Clock):
    """Records reader/writer registration; time is a Clock."""

    def __init__(self) -> None:
        super().__init__()
        self.readers: set[Any] = set()
        self.writers: set[Any] = set()
        self._reserveFd: int | None = None
        self.reserveOpens = 0
        self.live: set[Any] = set()

    def addReader(self, r: Any) -> None:
        self.readers.add(r)

    def removeReader(self, r: Any) -> None:
        self.readers.discard(r)

    def addWriter(self, w: Any) -> None:
        self.writers.add(w)

    def removeWriter(self, w: Any) -> None:
        self.writers.discard(w)

    def _track(self, selectable: Any) -> None:
        self.live.add(selectable)

    def _untrack(self, selectable: Any) -> None:
        self.live.discard(selectable)

    def _getReserveFd(self) -> int | None:
        if self._reserveFd is None:
            import os

            self._reserveFd = os.open(os.devnull, os.O_RDONLY)
            self.reserveOpens += 1
        return self._reserveFd


class Recorder(Protocol):
    """Protocol recording data and the loss reason."""

    def __init__(self) -> None:
        self.data = b""
        self.reasons: list[Any] = []

    def dataReceived(self, data: bytes) -> None:
        self.data += data

    def connectionLost(self, reason: Any = connectionDone) -> None:
        self.reasons.append(reason)


def makeServer(window: int | None = None) -> tuple[Server, FakeSocket, FakeReactor, Recorder]:
    """A connected Server transport over a fake socket."""
    sock = FakeSocket(window)
    reactor = FakeReactor()
    proto = Recorder()
    t = Server(sock, proto, ("10.0.0.1", 5555), None, 1, reactor)  # type: ignore[arg-type]
    t._startConnection()
    return t, sock, reactor, proto


def finish(t: Server, reactor: FakeReactor) -> None:
    """Deliver what the loop would: doWrite results become connectionLost."""
    why = t.doWrite()
    if why:
        t.connectionLost(why)


class WriteTests:
    """The write path."""

    def test_directWriteWhenBufferEmpty(self) -> None:
        """With nothing buffered, write sends at once and does not watch for writability."""
        t, sock, reactor, _ = makeServer()
        t.write(b"hello")
        assert bytes(sock.sent) == b"hello"
        assert t not in reactor.writers

    def test_partialSendBuffersRest(self) -> None:
        """What the kernel refuses is buffered and sent by doWrite, in order."""
        t, sock, reactor, _ = makeServer(window=3)
        t.write(b"hello")
        t.write(b"world")
        assert bytes(sock.sent) == b"hel"
        assert t in reactor.writers
        sock.window = None
        assert t.doWrite() is None
        assert bytes(sock.sent) == b"helloworld"
        assert t not in reactor.writers

    def test_writeSequence(self) -> None:
        """writeSequence writes the pieces in order."""
        t, sock, _, _ = makeServer()
        t.writeSequence([b"a", b"b", b"c"])
        assert bytes(sock.sent) == b"abc"

    def test_writeStrRejected(self) -> None:
        """Writing str raises TypeError; bytearray and memoryview are accepted."""
        t, sock, _, _ = makeServer()
        with pytest.raises(TypeError):
            t.write("text")  # type: ignore[arg-type]
        t.write(bytearray(b"x"))
        t.write(memoryview(b"y"))
        assert bytes(sock.sent) == b"xy"

    def test_dataReceived(self) -> None:
        """doRead hands received bytes to the protocol; EOF is ConnectionDone."""
        t, sock, _, proto = makeServer()
        sock.inbox = [b"abc", b""]
        assert t.doRead() is None
        assert proto.data == b"abc"
        why = t.doRead()
        assert why.check(error.ConnectionDone)


@implementer(IPushProducer)
class Producer:
    """A push producer that records what it is told."""

    def __init__(self) -> None:
        self.log: list[str] = []

    def pauseProducing(self) -> None:
        self.log.append("pause")

    def resumeProducing(self) -> None:
        self.log.append("resume")

    def stopProducing(self) -> None:
        self.log.append("stop")


class ProducerTests:
    """Water marks and pull producers."""

    def test_highWaterMarkAtAndPast(self) -> None:
        """Buffering exactly highWaterMark does not pause; one byte more does."""
        t, _sock, _reactor, _ = makeServer(window=0)
        t.highWaterMark = 100
        t.lowWaterMark = 10
        p = Producer()
        t.registerProducer(p, True)
        t.write(b"x" * 100)
        assert p.log == []
        t.write(b"x")
        assert p.log == ["pause"]

    def test_lowWaterMarkResumes(self) -> None:
        """A paused producer resumes once the buffer drains to lowWaterMark, not before."""
        t, sock, _reactor, _ = makeServer(window=0)
        t.highWaterMark = 100
        t.lowWaterMark = 10
        p = Producer()
        t.registerProducer(p, True)
        t.write(b"x" * 150)
        sock.window = 139
        t.doWrite()
        assert t._bufSize == 11 and p.log == ["pause"]
        sock.window = 1
        t.doWrite()
        assert t._bufSize == 10 and p.log == ["pause", "resume"]

    def test_pullProducerResumedWhenDrained(self) -> None:
        """A pull producer is resumed on registration and whenever the buffer is empty."""
        t, _sock, reactor, _ = makeServer()
        p = Producer()
        t.registerProducer(p, False)
        assert p.log == ["resume"]
        assert t in reactor.writers
        t.doWrite()
        assert p.log == ["resume", "resume"]

    def test_secondProducerRejected(self) -> None:
        """A second registerProducer raises RuntimeError."""
        t, _, _, _ = makeServer()
        t.registerProducer(Producer(), True)
        with pytest.raises(RuntimeError):
            t.registerProducer(Producer(), True)

    def test_producerStoppedOnLoss(self) -> None:
        """A registered producer is stopped when the connection is lost."""
        t, _, reactor, _ = makeServer()
        p = Producer()
        t.registerProducer(p, True)
        t.abortConnection()
        reactor.advance(0)
        assert p.log == ["stop"]


class CloseTests:
    """Close sequencing."""

    def test_loseConnectionAfterDrain(self) -> None:
        """loseConnection waits for the buffer, then ConnectionDone, exactly once."""
        t, sock, reactor, proto = makeServer(window=0)
        t.write(b"data")
        t.loseConnection()
        assert t not in reactor.readers
        assert t.doWrite() is None
        sock.window = None
        finish(t, reactor)
        assert bytes(sock.sent) == b"data"
        assert sock.closed
        assert len(proto.reasons) == 1 and proto.reasons[0].check(error.ConnectionDone)
        t.connectionLost(proto.reasons[0])
        assert len(proto.reasons) == 1

    def test_loseConnectionWaitsForProducer(self) -> None:
        """With a producer registered the close waits for unregisterProducer."""
        t, _sock, reactor, proto = makeServer()
        t.registerProducer(Producer(), True)
        t.loseConnection()
        assert t.doWrite() is None
        assert proto.reasons == []
        t.unregisterProducer()
        assert t in reactor.writers
        finish(t, reactor)
        assert proto.reasons[0].check(error.ConnectionDone)

    def test_abortDiscardsBuffer(self) -> None:
        """abortConnection drops buffered data and reports ConnectionAborted on the next pass."""
        t, sock, reactor, proto = makeServer(window=0)
        t.write(b"never sent")
        t.abortConnection()
        assert proto.reasons == []
        t.write(b"ignored")
        reactor.advance(0)
        assert proto.reasons[0].check(error.ConnectionAborted)
        assert bytes(sock.sent) == b""
        assert sock.closed

    def test_loseWriteConnection(self) -> None:
        """loseWriteConnection shuts down the sending side after the buffer drains."""
        t, sock, reactor, _proto = makeServer(window=0)
        t.write(b"last words")
        t.loseWriteConnection()
        t.write(b"ignored")
        sock.window = None
        assert t.doWrite() is None
        assert sock.shut == [1]
        assert bytes(sock.sent) == b"last words"
        assert t in reactor.readers

    def test_recvErrorIsConnectionLost(self) -> None:
        """A recv error (reset) is reported as ConnectionLost."""
        t, _sock, _, _ = makeServer()

        def reset(size: int) -> bytes:
            raise ConnectionResetError(errno.ECONNRESET, "reset")

        t._recv = reset
        assert t.doRead().check(error.ConnectionLost)


class AcceptSocket:
    """A listening socket whose accept follows a script."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.accepted: list[FakeSocket] = []

    def accept(self) -> tuple[Any, tuple[str, int]]:
        if not self.script:
            raise BlockingIOError(errno.EAGAIN, "none pending")
        step = self.script.pop(0)
        if isinstance(step, BaseException):
            raise step
        s = FakeSocket()
        s.setblocking = lambda flag: None  # type: ignore[attr-defined]
        self.accepted.append(s)
        return s, ("127.0.0.1", 40000 + len(self.accepted))


def makePort(script: list[Any], maxAccepts: int = 100) -> tuple[Port, FakeReactor, list[Any]]:
    """A Port wired to a scripted accept."""
    reactor = FakeReactor()
    built: list[Any] = []

    class F(Factory):
        def buildProtocol(self, addr: Any) -> Any:
            built.append(addr)
            return Recorder()

    port = Port(0, F(), 50, "127.0.0.1", reactor)
    port.maxAccepts = maxAccepts
    listening = AcceptSocket(script)
    port._accept = listening.accept
    port.connected = True
    port._realPortNumber = 8080
    reactor.addReader(port)
    return port, reactor, built


class AcceptTests:
    """The accept loop."""

    def test_boundedAcceptsPerEvent(self) -> None:
        """At most maxAccepts connections are accepted per readiness event."""
        port, _reactor, built = makePort(["c"] * 10, maxAccepts=4)
        port.doRead()
        assert len(built) == 4
        port.doRead()
        assert len(built) == 8

    def test_oneAtATimeSkipsMostFailingAccepts(self) -> None:
        """Connections arriving one per event cost at most one failing accept per two events."""
        port, _reactor, built = makePort([])
        listening: Any = port._accept.__self__  # type: ignore[attr-defined]
        calls = [0]
        realAccept = listening.accept

        def counted() -> Any:
            calls[0] += 1
            return realAccept()

        port._accept = counted
        for _ in range(10):
            listening.script.append("c")
            port.doRead()
        assert len(built) == 10
        assert calls[0] - 10 <= 6

    def test_burstGrowsBackToMaxAccepts(self) -> None:
        """After quiet events the quota grows again while events fill it, up to maxAccepts."""
        port, _reactor, built = makePort(["c"], maxAccepts=8)
        port.doRead()
        assert port._burst == 1
        listening: Any = port._accept.__self__  # type: ignore[attr-defined]
        listening.script.extend(["c"] * 30)
        seen = []
        for _ in range(5):
            before = len(built)
            port.doRead()
            seen.append(len(built) - before)
        assert seen == [1, 2, 4, 8, 8]

    def test_transientErrorsSkipped(self) -> None:
        """ECONNABORTED concerns one connection; the loop goes on."""
        port, _reactor, built = makePort(["c", OSError(errno.ECONNABORTED, "aborted"), "c"])
        port.doRead()
        assert len(built) == 2

    def test_emfilePausesAndLogsOnce(self) -> None:
        """EMFILE sheds pending connections via the reserve fd, logs once, pauses accepting."""
        emfile = OSError(errno.EMFILE, "Too many open files")
        port, reactor, built = makePort([emfile, "c", "c"])
        reactor._getReserveFd()
        with capturedLogs() as events:
            port.doRead()
            assert port not in reactor.readers
            assert len(built) == 0
            assert reactor.reserveOpens == 2
            reactor.advance(port.acceptPauseOnExhaustion - 0.001)
            assert port not in reactor.readers
            reactor.advance(0.001)
            assert port in reactor.readers
            port._accept.__self__.script[:] = [emfile]  # type: ignore[attr-defined]
            port.doRead()
        errors = [e for e in events if "Out of file descriptors" in e.get("log_format", "")]
        assert len(errors) == 1
        assert reactor._reserveFd is not None
        import os

        os.close(reactor._reserveFd)

    def test_buildProtocolErrorLogged(self) -> None:
        """A failing buildProtocol is logged and its socket closed; accepting goes on."""
        reactor = FakeReactor()

        class F(Factory):
            calls = 0

            def buildProtocol(self, addr: Any) -> Any:
                F.calls += 1
                if F.calls == 1:
                    raise ValueError("bad factory")
                return Recorder()

        port = Port(0, F(), 50, "127.0.0.1", reactor)
        listening = AcceptSocket(["c", "c"])
        port._accept = listening.accept
        with capturedLogs() as events:
            port.doRead()
        assert listening.accepted[0].closed and not listening.accepted[1].closed
        assert len([e for e in events if "log_failure" in e]) == 1

    def test_interfaceMustBeAddress(self) -> None:
        """A host name as listen interface is a CannotListenError."""
        with pytest.raises(error.CannotListenError):
            Port(0, Factory(), 50, "localhost", FakeReactor())
