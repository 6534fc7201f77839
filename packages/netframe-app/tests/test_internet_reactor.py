"""
The internet services and strports on a real reactor: each test runs an
EPollReactor instance (never the global reactor) over loopback or UNIX
sockets in the test's temporary directory, with a watchdog. A service is
started, a client gets served, and after C{stopService} nothing listens.
"""

from __future__ import annotations

import os
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netframe.app import strports
from netframe.app.internet import (
    MulticastServer,
    SSLClient,
    SSLServer,
    TCPClient,
    TCPServer,
    UDPServer,
    UNIXClient,
    UNIXDatagramClient,
    UNIXDatagramServer,
    UNIXServer,
)
from netframe.core import error
from netframe.core.defer import Deferred, maybeDeferred
from netframe.core.epollreactor import EPollReactor
from netframe.core.failure import Failure
from netframe.core.protocol import (
    ClientFactory,
    ConnectedDatagramProtocol,
    DatagramProtocol,
    Protocol,
    ServerFactory,
)
from netframe.core.protocols import wire

#: Seconds a test may run its reactor before the watchdog stops it.
WATCHDOG = 10.0

GROUP = "228.0.0.5"


class Loop:
    """An EPollReactor instance, iterated until a Deferred fires (bounded)."""

    def __init__(self) -> None:
        self.reactor = EPollReactor()

    def runUntil(self, d: Deferred[Any]) -> Any:
        """Iterate the reactor until C{d} fires; return its result (raise its failure)."""
        box: list[Any] = []

        def keep(result: Any) -> Any:
            box.append(result)
            return None if isinstance(result, Failure) else result

        d.addBoth(keep)
        deadline = time.monotonic() + WATCHDOG
        while not box and time.monotonic() < deadline:
            self.reactor.iterate(0.05)
        assert box, "watchdog: the Deferred did not fire in time"
        result = box[0]
        if isinstance(result, Failure):
            result.raiseException()
        return result

    def start(self, service: Any) -> Any:
        """privilegedStartService then startService, as netframe-twistd does."""
        service.privilegedStartService()
        service.startService()
        assert service.running
        return service

    def stop(self, service: Any) -> Any:
        """Stop the service and wait for its stopService Deferred."""
        result = self.runUntil(maybeDeferred(service.stopService))
        assert not service.running
        return result


@pytest.fixture
def loop() -> Iterator[Loop]:
    """A fresh L{Loop}, closed after the test."""
    h = Loop()
    yield h
    h.reactor.disconnectAll()
    h.reactor._close()


@pytest.fixture
def shortTmp() -> Iterator[Path]:
    """A directory whose paths fit in a UNIX socket address (108 bytes)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="nfapp") as d:
        yield Path(d)


class EchoClient(Protocol):
    """Sends C{payload} and fires C{done} with everything echoed back."""

    def __init__(self, payload: bytes, done: Deferred[bytes]) -> None:
        self.payload = payload
        self.done = done
        self.received = b""

    def connectionMade(self) -> None:
        assert self.transport is not None
        self.transport.write(self.payload)

    def dataReceived(self, data: bytes) -> None:
        self.received += data
        if len(self.received) >= len(self.payload) and not self.done.called:
            self.done.callback(self.received)
            assert self.transport is not None
            self.transport.loseConnection()


class EchoClientFactory(ClientFactory):
    """Builds one L{EchoClient}; a failed connection fails C{done}."""

    def __init__(self, payload: bytes) -> None:
        self.done: Deferred[bytes] = Deferred()
        self.payload = payload

    def buildProtocol(self, addr: Any) -> Protocol:
        return EchoClient(self.payload, self.done)

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        if not self.done.called:
            self.done.errback(reason)


def echoFactory() -> ServerFactory:
    """A server factory of wire.Echo."""
    factory = ServerFactory()
    factory.protocol = wire.Echo
    return factory


class DatagramEcho(DatagramProtocol):
    """Sends every datagram back to its sender."""

    def datagramReceived(self, datagram: bytes, addr: Any) -> None:
        assert self.transport is not None
        self.transport.write(datagram, addr)


class DatagramCatcher(DatagramProtocol):
    """Fires C{received} with the first datagram."""

    def __init__(self) -> None:
        self.received: Deferred[bytes] = Deferred()

    def datagramReceived(self, datagram: bytes, addr: Any) -> None:
        if not self.received.called:
            self.received.callback(datagram)


def refused(family: int, address: Any) -> bool:
    """Whether a stream connection to C{address} is refused (nothing listens)."""
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        try:
            s.connect(address)
        except (ConnectionRefusedError, FileNotFoundError):
            return True
    return False


class StreamServiceTests:
    """TCP, UNIX and strports stream services."""

    def test_tcpServerAndClient(self, loop: Loop) -> None:
        """TCPServer serves a TCPClient; stopService closes the port."""
        server = loop.start(
            TCPServer(0, echoFactory(), interface="127.0.0.1", reactor=loop.reactor)
        )
        port = server._port.getHost().port
        clientFactory = EchoClientFactory(b"tcp service")
        client = loop.start(TCPClient("127.0.0.1", port, clientFactory, reactor=loop.reactor))
        assert loop.runUntil(clientFactory.done) == b"tcp service"
        client.stopService()
        loop.stop(server)
        assert refused(socket.AF_INET, ("127.0.0.1", port))

    def test_unixServerAndClient(self, loop: Loop, shortTmp: Path) -> None:
        """UNIXServer serves a UNIXClient; stopService removes the socket file."""
        path = str(shortTmp / "echo.sock")
        server = loop.start(UNIXServer(path, echoFactory(), mode=0o600, reactor=loop.reactor))
        assert stat.S_ISSOCK(os.stat(path).st_mode)
        assert os.stat(path).st_mode & 0o777 == 0o600
        clientFactory = EchoClientFactory(b"unix service")
        client = loop.start(UNIXClient(path, clientFactory, reactor=loop.reactor))
        assert loop.runUntil(clientFactory.done) == b"unix service"
        client.stopService()
        loop.stop(server)
        assert not os.path.exists(path)
        assert refused(socket.AF_UNIX, path)

    def test_unixClientRefused(self, loop: Loop, shortTmp: Path) -> None:
        """A UNIXClient to a path nobody listens on reports the failure to its factory."""
        clientFactory = EchoClientFactory(b"x")
        client = loop.start(
            UNIXClient(str(shortTmp / "none.sock"), clientFactory, reactor=loop.reactor)
        )
        with pytest.raises(error.ConnectError):
            loop.runUntil(clientFactory.done)
        client.stopService()

    def test_strportsUnix(self, loop: Loop, shortTmp: Path) -> None:
        """strports 'unix:PATH:mode=600:lockfile=1' listens there, with its lock file."""
        path = str(shortTmp / "s.sock")
        server = loop.start(
            strports.service(
                f"unix:{path}:mode=600:lockfile=1", echoFactory(), reactor=loop.reactor
            )
        )
        assert os.stat(path).st_mode & 0o777 == 0o600
        assert os.path.exists(path + ".lock")
        clientFactory = EchoClientFactory(b"strports unix")
        loop.reactor.connectUNIX(path, clientFactory)
        assert loop.runUntil(clientFactory.done) == b"strports unix"
        loop.stop(server)
        assert not os.path.exists(path)
        assert not os.path.exists(path + ".lock")

    def test_strportsUnixAddressInUse(self, loop: Loop, shortTmp: Path) -> None:
        """A second strports service on a live UNIX lock raises at privilegedStartService."""
        path = str(shortTmp / "busy.sock")
        first = loop.start(
            strports.service(f"unix:{path}:lockfile=1", echoFactory(), reactor=loop.reactor)
        )
        second = strports.service(f"unix:{path}:lockfile=1", echoFactory(), reactor=loop.reactor)
        with pytest.raises(error.CannotListenError):
            second.privilegedStartService()
        loop.stop(first)

    def test_strportsTCP(self, loop: Loop) -> None:
        """strports 'tcp:0:interface=127.0.0.1' serves, and stops listening when stopped."""
        server = loop.start(
            strports.service("tcp:0:interface=127.0.0.1", echoFactory(), reactor=loop.reactor)
        )
        port = loop.runUntil(server._waitingForPort).getHost().port
        clientFactory = EchoClientFactory(b"strports tcp")
        loop.reactor.connectTCP("127.0.0.1", port, clientFactory)
        assert loop.runUntil(clientFactory.done) == b"strports tcp"
        loop.stop(server)
        assert refused(socket.AF_INET, ("127.0.0.1", port))


class DatagramServiceTests:
    """UDP, UNIX datagram and multicast services."""

    def test_udpServer(self, loop: Loop) -> None:
        """UDPServer echoes a datagram; after stopService its port is free again."""
        server = loop.start(
            UDPServer(0, DatagramEcho(), interface="127.0.0.1", reactor=loop.reactor)
        )
        port = server._port.getHost().port
        catcher = DatagramCatcher()
        clientPort = loop.reactor.listenUDP(0, catcher, interface="127.0.0.1")
        clientPort.write(b"udp service", ("127.0.0.1", port))
        assert loop.runUntil(catcher.received) == b"udp service"
        loop.runUntil(clientPort.stopListening())
        loop.stop(server)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", port))

    def test_unixDatagramServerAndClient(self, loop: Loop, shortTmp: Path) -> None:
        """UNIXDatagramServer answers a UNIXDatagramClient; both stop cleanly."""
        path = str(shortTmp / "dgram.sock")
        clientPath = str(shortTmp / "client.sock")
        server = loop.start(UNIXDatagramServer(path, DatagramEcho(), reactor=loop.reactor))
        received: Deferred[bytes] = Deferred()

        class Connected(ConnectedDatagramProtocol):
            def startProtocol(self) -> None:
                assert self.transport is not None
                self.transport.write(b"unix datagram service")

            def datagramReceived(self, datagram: bytes) -> None:
                if not received.called:
                    received.callback(datagram)

        client = loop.start(
            UNIXDatagramClient(path, Connected(), bindAddress=clientPath, reactor=loop.reactor)
        )
        assert loop.runUntil(received) == b"unix datagram service"
        loop.stop(client)
        loop.stop(server)
        assert not os.path.exists(path)
        assert not os.path.exists(clientPath)

    def test_multicastServer(self, loop: Loop) -> None:
        """MulticastServer receives a datagram sent to the group it joined."""
        got: Deferred[bytes] = Deferred()

        class Member(DatagramProtocol):
            def datagramReceived(self, datagram: bytes, addr: Any) -> None:
                assert self.transport is not None
                if not got.called:
                    got.callback(datagram)
                    self.transport.write(b"pong", addr)

        member = Member()
        server = loop.start(MulticastServer(0, member, listenMultiple=True, reactor=loop.reactor))
        port = server._port.getHost().port
        loop.runUntil(server._port.joinGroup(GROUP, "127.0.0.1"))
        catcher = DatagramCatcher()
        sender = loop.reactor.listenMulticast(0, catcher)
        loop.runUntil(sender.setOutgoingInterface("127.0.0.1"))
        sender.write(b"ping", (GROUP, port))
        assert loop.runUntil(got) == b"ping"
        assert loop.runUntil(catcher.received) == b"pong"
        loop.runUntil(sender.stopListening())
        loop.stop(server)
        assert server._port is None


class SSLServiceTests:
    """SSLServer and SSLClient (listenSSL/connectSSL)."""

    def test_sslServerAndClient(self, loop: Loop) -> None:
        """SSLServer serves an SSLClient verifying its certificate; stop closes the port."""
        from OpenSSL import crypto

        from netframe.core import ssl

        certificate = ssl.KeyPair.generate(crypto.TYPE_EC, 256).selfSignedCert(
            1, commonName="example.com"
        )
        server = loop.start(
            SSLServer(
                0, echoFactory(), certificate.options(), interface="127.0.0.1", reactor=loop.reactor
            )
        )
        port = server._port.getHost().port
        clientFactory = EchoClientFactory(b"tls service")
        trust = ssl.Certificate.loadPEM(certificate.dumpPEM())
        client = loop.start(
            SSLClient(
                "127.0.0.1",
                port,
                clientFactory,
                ssl.optionsForClientTLS("example.com", trust),
                reactor=loop.reactor,
            )
        )
        assert loop.runUntil(clientFactory.done) == b"tls service"
        client.stopService()
        loop.stop(server)
        assert refused(socket.AF_INET, ("127.0.0.1", port))
