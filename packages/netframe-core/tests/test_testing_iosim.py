"""Tests for netframe.core.testing's in-memory connections (FakeTransport, IOPump)."""

from __future__ import annotations

from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.core import error
from netframe.core.address import IPv4Address
from netframe.core.failure import Failure
from netframe.core.interfaces import IConsumer, IHalfCloseableProtocol, IPushProducer, ITCPTransport
from netframe.core.protocol import Protocol
from netframe.core.task import Clock
from netframe.core.testing import (
    AccumulatingProtocol,
    FakeTransport,
    IOPump,
    connect,
    connectedServerAndClient,
    makeFakeClient,
    makeFakeServer,
)


class Greeter(Protocol):
    """Says hello on connect and records what it gets."""

    def __init__(self) -> None:
        self.received = b""
        self.reason: Failure | None = None

    def connectionMade(self) -> None:
        """Greet."""
        assert self.transport is not None
        self.transport.write(b"hello")

    def dataReceived(self, data: bytes) -> None:
        """Record."""
        self.received += data

    def connectionLost(self, reason: Failure | None = None) -> None:
        """Record the reason."""
        self.reason = reason


class Echo(Greeter):
    """Echoes what it receives (and records it)."""

    def connectionMade(self) -> None:
        """No greeting."""

    def dataReceived(self, data: bytes) -> None:
        """Record and echo."""
        super().dataReceived(data)
        assert self.transport is not None
        self.transport.write(data)


@implementer(IHalfCloseableProtocol)
class HalfCloser(Greeter):
    """Records half-close events."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []

    def connectionMade(self) -> None:
        """No greeting."""

    def readConnectionLost(self) -> None:
        """Record."""
        self.events.append("read")

    def writeConnectionLost(self) -> None:
        """Record."""
        self.events.append("write")


class FakeTransportTests:
    """FakeTransport on its own."""

    def test_verifyObject(self) -> None:
        """FakeTransport provides ITCPTransport, IConsumer and IPushProducer."""
        transport = makeFakeServer(Protocol())
        for interface in (ITCPTransport, IConsumer, IPushProducer):
            assert verifyObject(interface, transport)

    def test_addresses(self) -> None:
        """Server and client defaults mirror each other; given addresses win."""
        server, client = makeFakeServer(Protocol()), makeFakeClient(Protocol())
        assert server.getHost() == client.getPeer()
        assert server.getPeer() == client.getHost()
        address = IPv4Address("TCP", "10.1.1.1", 7)
        assert FakeTransport(Protocol(), True, hostAddress=address).getHost() == address

    def test_writeText(self) -> None:
        """Writing text raises TypeError."""
        with pytest.raises(TypeError):
            makeFakeClient(Protocol()).write("text")  # type: ignore[arg-type]

    def test_repr(self) -> None:
        """The repr names the side and the protocol class."""
        assert repr(makeFakeServer(Greeter())).startswith("FakeTransport<S,")
        assert repr(makeFakeClient(Greeter())).endswith(",Greeter>")

    def test_outBuffer(self) -> None:
        """getOutBuffer takes the written data once."""
        transport = makeFakeClient(Protocol())
        transport.writeSequence([b"a", b"b"])
        assert transport.getOutBuffer() == b"ab"
        assert transport.getOutBuffer() is None

    def test_options(self) -> None:
        """TCP options are recorded and logPrefix is iosim."""
        transport = makeFakeClient(Protocol())
        transport.setTcpNoDelay(True)
        transport.setTcpKeepAlive(True)
        assert transport.getTcpNoDelay() and transport.getTcpKeepAlive()
        assert transport.logPrefix() == "iosim"


class IOPumpTests:
    """connect / connectedServerAndClient / IOPump."""

    def test_greeting(self) -> None:
        """connect flushes: the server's greeting reaches the client."""
        client, server, _pump = connectedServerAndClient(Greeter, Echo)
        assert client.received == b"hello"
        assert server.received == b"hello"

    def test_noGreet(self) -> None:
        """With greet=False nothing moves until pumped."""
        client, _server, pump = connectedServerAndClient(Greeter, Echo, greet=False)
        assert client.received == b""
        assert pump.pump()
        assert client.received == b"hello"

    def test_pumpReturnsFalseWhenIdle(self) -> None:
        """pump() and flush() report whether anything moved."""
        client, _server, pump = connectedServerAndClient(Echo, AccumulatingProtocol)
        assert not pump.pump()
        assert not pump.flush()
        client.transport.write(b"x")
        assert pump.flush()

    def test_echo(self) -> None:
        """Data written by the client reaches the server and back."""
        client, server, pump = connectedServerAndClient(Echo, Greeter)
        client.transport.write(b" world")
        pump.flush()
        assert server.received == b"hello world"
        assert client.received == b"hello world"

    def test_loseConnection(self) -> None:
        """loseConnection delivers pending data, then ConnectionDone to both sides."""
        client, server, pump = connectedServerAndClient(Greeter, Greeter)
        server.transport.write(b"bye")
        server.transport.loseConnection()
        pump.flush()
        assert client.received == b"hellobye"
        assert client.reason is not None and client.reason.check(error.ConnectionDone)
        assert server.reason is not None and server.reason.check(error.ConnectionDone)

    def test_clientLoseConnection(self) -> None:
        """A client-side close reaches the server too."""
        client, server, pump = connectedServerAndClient(AccumulatingProtocol, Greeter)
        client.transport.loseConnection()
        pump.flush()
        assert server.closed
        assert client.reason is not None

    def test_abortConnection(self) -> None:
        """abortConnection discards buffered data; ConnectionAborted here, ConnectionLost there."""
        client, server, pump = connectedServerAndClient(Greeter, Greeter)
        server.transport.write(b"never seen")
        client.transport.write(b"also dropped")
        server.transport.abortConnection()
        pump.flush()
        assert client.received == b"hello"
        assert server.received == b"hello"
        assert server.reason is not None and server.reason.check(error.ConnectionAborted)
        assert client.reason is not None
        assert client.reason.check(error.ConnectionLost)
        assert not client.reason.check(error.ConnectionAborted)

    def test_writeAfterDisconnect(self) -> None:
        """Writes after the connection is lost are dropped."""
        client, server, pump = connectedServerAndClient(Greeter, Greeter)
        server.transport.loseConnection()
        pump.flush()
        client.transport.write(b"late")
        assert not pump.flush()

    def test_halfClose(self) -> None:
        """loseWriteConnection gives the peer readConnectionLost and us writeConnectionLost."""
        client, server, pump = connectedServerAndClient(HalfCloser, HalfCloser)
        client.transport.write(b"request")
        client.transport.loseWriteConnection()
        client.transport.write(b"ignored")
        pump.flush()
        assert server.received == b"request"
        assert server.events == ["read"]
        assert client.events == ["write"]
        assert server.reason is None
        server.transport.write(b"response")
        pump.flush()
        assert client.received == b"response"
        server.transport.loseConnection()
        pump.flush()
        assert client.reason is not None and server.reason is not None

    def test_bothHalvesClosed(self) -> None:
        """When both sides half-close, the connection closes."""
        client, server, pump = connectedServerAndClient(HalfCloser, HalfCloser)
        client.transport.loseWriteConnection()
        pump.flush()
        server.transport.loseWriteConnection()
        pump.flush()
        assert client.reason is not None and client.reason.check(error.ConnectionDone)
        assert server.reason is not None

    def test_halfCloseNotSupported(self) -> None:
        """A peer without IHalfCloseableProtocol sees a full close."""
        client, server, pump = connectedServerAndClient(Greeter, HalfCloser)
        client.transport.loseWriteConnection()
        pump.flush()
        assert server.reason is not None and server.reason.check(error.ConnectionDone)
        assert client.reason is not None

    def test_pauseProducing(self) -> None:
        """A paused transport receives nothing until resumed."""
        client, _server, pump = connectedServerAndClient(Echo, Greeter, greet=False)
        client.transport.pauseProducing()
        pump.flush()
        assert client.received == b""
        client.transport.resumeProducing()
        pump.flush()
        assert client.received == b"hello"

    def test_pullProducer(self) -> None:
        """A registered pull producer is asked for data on each pump."""
        client, server, pump = connectedServerAndClient(AccumulatingProtocol, Echo)
        chunks = [b"a", b"b", b"c"]

        class Pull:
            def resumeProducing(self) -> None:
                if chunks:
                    client.transport.write(chunks.pop(0))
                else:
                    client.transport.unregisterProducer()

            def stopProducing(self) -> None:
                raise AssertionError("not stopped")

        client.transport.registerProducer(Pull(), False)
        pump.flush()
        assert server.data == b"abc"
        assert client.transport.producer is None

    def test_loseConnectionWaitsForProducer(self) -> None:
        """With a push producer registered, loseConnection waits for its unregistration."""
        client, server, pump = connectedServerAndClient(AccumulatingProtocol, Greeter)

        class Push:
            stopped = False

            def pauseProducing(self) -> None:
                """Nothing."""

            def resumeProducing(self) -> None:
                """Nothing."""

            def stopProducing(self) -> None:
                self.stopped = True

        producer = Push()
        client.transport.registerProducer(producer, True)
        client.transport.loseConnection()
        pump.flush()
        assert not server.closed
        client.transport.unregisterProducer()
        pump.flush()
        assert server.closed
        assert not producer.stopped

    def test_producerStoppedOnLoss(self) -> None:
        """A producer still registered when the connection is lost is stopped."""
        client, server, pump = connectedServerAndClient(AccumulatingProtocol, Greeter)
        stopped: list[bool] = []

        class Push:
            def pauseProducing(self) -> None:
                """Nothing."""

            def resumeProducing(self) -> None:
                """Nothing."""

            def stopProducing(self) -> None:
                stopped.append(True)

        client.transport.registerProducer(Push(), True)
        server.transport.loseConnection()
        pump.flush()
        assert stopped == [True]

    def test_clock(self) -> None:
        """Each pump advances the given clock by zero, running due calls."""
        clock = Clock()
        _client, _server, pump = connectedServerAndClient(Echo, Echo, clock=clock)
        ran: list[int] = []
        clock.callLater(0, ran.append, 1)
        pump.pump()
        assert ran == [1]
        assert pump.clock is clock

    def test_flushLimit(self) -> None:
        """flush gives up with RuntimeError after MAX_PUMPS busy pumps."""

        class PingPong(Echo):
            pass

        client, _server, pump = connectedServerAndClient(PingPong, PingPong)
        pump.MAX_PUMPS = 5
        client.transport.write(b"x")
        with pytest.raises(RuntimeError, match="5 pumps"):
            pump.flush()

    def test_flushAtLimit(self) -> None:
        """Exactly MAX_PUMPS busy pumps followed by quiet is fine; one more is too many."""

        class Bouncer(Protocol):
            def __init__(self, remaining: list[int]) -> None:
                self.remaining = remaining

            def dataReceived(self, data: bytes) -> None:
                self.remaining[0] -= 1
                if self.remaining[0] > 0:
                    assert self.transport is not None
                    self.transport.write(b"x")

        # Each pump is a round trip: 2 bounces per busy pump.
        for bounces, ok in ((6, True), (7, False)):
            remaining = [bounces]
            client, server = Bouncer(remaining), Bouncer(remaining)
            pump = connect(server, makeFakeServer(server), client, makeFakeClient(client))
            pump.MAX_PUMPS = 3
            client.transport.write(b"x")  # type: ignore[union-attr]
            if ok:
                assert pump.flush()
            else:
                with pytest.raises(RuntimeError):
                    pump.flush()

    def test_debug(self, capsys: pytest.CaptureFixture[str]) -> None:
        """With debug the exchanges are printed."""
        _client, _server, _pump = connectedServerAndClient(Greeter, Echo, debug=True)
        out = capsys.readouterr().out
        assert "-- GLUG --" in out
        assert "S: b'hello'" in out

    def test_connectOrder(self) -> None:
        """connect makes the server connection first, then the client's."""
        order: list[str] = []

        class Recorder(Protocol):
            def __init__(self, name: str) -> None:
                self.name = name

            def connectionMade(self) -> None:
                order.append(self.name)

        server, client = Recorder("server"), Recorder("client")
        pump = connect(server, makeFakeServer(server), client, makeFakeClient(client))
        assert order == ["server", "client"]
        assert isinstance(pump, IOPump)

    def test_accumulatingProtocols(self) -> None:
        """AccumulatingProtocol pairs record data and closure."""
        client, server, pump = connectedServerAndClient(AccumulatingProtocol, AccumulatingProtocol)
        client.transport.write(b"data")
        pump.flush()
        assert server.data == b"data"
        server.transport.loseConnection()
        pump.flush()
        assert client.closed and server.closed
        reason: Any = client.closedReason
        assert reason.check(error.ConnectionDone)
