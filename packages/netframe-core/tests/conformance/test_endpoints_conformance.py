"""Endpoints over real reactors and loopback sockets."""

from __future__ import annotations

from typing import Any

from netframe.core import endpoints, error
from netframe.core.protocol import Factory, Protocol, connectionDone
from netframe.core.protocols.wire import Echo


class Greeter(Protocol):
    """Client that records what comes back (the §3.1 C9 example shape)."""

    transport: Any

    def __init__(self) -> None:
        self.received = b""
        self.lost: list[Any] = []

    def dataReceived(self, data: bytes) -> None:
        self.received += data
        if self.received.endswith(b"\n"):
            self.transport.loseConnection()

    def connectionLost(self, reason: Any = connectionDone) -> None:
        self.lost.append(reason)


class EndpointConformanceTests:
    """Server and client endpoints from strings, over IPv4 and IPv6."""

    def test_stringsEndToEnd(self, reactor: Any, runner: Any, ipv6: None) -> None:
        """tcp6 server + tcp6 client from strings; connectProtocol gets the echo."""
        server = endpoints.serverFromString(reactor, r"tcp6:0:interface=\:\:1")
        ports: list[Any] = []
        server.listen(Factory.forProtocol(Echo)).addCallback(ports.append)
        number = ports[0].getHost().port
        client = endpoints.clientFromString(reactor, rf"tcp6:host=\:\:1:port={number}")
        greeter = Greeter()
        d = endpoints.connectProtocol(client, greeter)
        connected: list[Any] = []

        def gotProtocol(p: Greeter) -> None:
            connected.append(p)
            p.transport.write(b"MESSAGE Hello\n")

        d.addCallback(gotProtocol)

        def check() -> None:
            if greeter.lost:
                runner.stopSoon()
            else:
                reactor.callLater(0.005, check)

        check()
        runner.run()
        assert connected == [greeter]
        assert greeter.received == b"MESSAGE Hello\n"
        assert greeter.lost[0].check(error.ConnectionDone)

    def test_cancelConnect(self, reactor: Any, runner: Any) -> None:
        """Cancelling a pending connect fails it with ConnectingCancelledError; nothing connects."""
        ports: list[Any] = []
        endpoints.TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(
            Factory.forProtocol(Echo)
        ).addCallback(ports.append)
        built: list[Any] = []

        class Recording(Factory):
            def buildProtocol(self, addr: Any) -> Any:
                built.append(addr)
                return Echo()

        d = endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", ports[0].getHost().port).connect(
            Recording()
        )
        failures: list[Any] = []
        d.addErrback(failures.append)
        d.cancel()
        reactor.callLater(0.05, runner.stopSoon)
        runner.run()
        assert failures[0].check(error.ConnectingCancelledError)
        assert built == []

    def test_refusedErrbacks(self, reactor: Any, runner: Any, unusedPort: Any) -> None:
        """A refused connection fails the endpoint's Deferred with ConnectionRefusedError."""
        failures: list[Any] = []
        d = endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", unusedPort()).connect(
            Factory.forProtocol(Echo)
        )
        d.addErrback(failures.append)
        d.addBoth(lambda _: runner.stopSoon())
        runner.run()
        assert failures[0].check(error.ConnectionRefusedError)
