"""
The internet services and strports on a real reactor: the global reactor,
as netframe-trial's L{unittest.TestCase} drives it, over loopback or UNIX
sockets in a short temporary directory. A service is started, a client gets
served, and after C{stopService} nothing listens.

Each test is an C{async def} whose C{await}s the reactor runs; the class
C{timeout} bounds it. Cleanups stop every service still running, stop
listening on client ports and wait until every connection a test made is
closed at both ends, so the reactor is left as the test found it.
"""

from __future__ import annotations

import os
import socket
import stat
import tempfile
from typing import Any

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
from netframe.core import reactor as _reactor
from netframe.core.defer import Deferred, gatherResults, maybeDeferred
from netframe.core.failure import Failure
from netframe.core.protocol import (
    ClientFactory,
    ConnectedDatagramProtocol,
    DatagramProtocol,
    Protocol,
    ServerFactory,
    connectionDone,
)
from netframe.core.protocols import wire
from netframe.trial import unittest

#: The global reactor: the module object replaces itself with the installed
#: reactor, which mypy cannot see, so it is typed Any here.
reactor: Any = _reactor

#: Seconds a test may run before netframe-trial fails it.
WATCHDOG = 10.0

GROUP = "228.0.0.5"


class EchoClient(Protocol):
    """Sends C{payload}, fires C{done} with everything echoed back, then hangs up."""

    def __init__(self, payload: bytes, done: Deferred[bytes], lost: Deferred[None]) -> None:
        self.payload = payload
        self.done = done
        self.lost = lost
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

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.lost.callback(None)


class EchoClientFactory(ClientFactory):
    """
    Builds one L{EchoClient}; a failed connection fails C{done}.

    @ivar losses: a Deferred per connection built, fired when it is closed.
    """

    def __init__(self, payload: bytes, losses: list[Deferred[None]]) -> None:
        self.done: Deferred[bytes] = Deferred()
        self.payload = payload
        self.losses = losses

    def buildProtocol(self, addr: Any) -> Protocol:
        lost: Deferred[None] = Deferred()
        self.losses.append(lost)
        return EchoClient(self.payload, self.done, lost)

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        if not self.done.called:
            self.done.errback(reason)


class TrackedEcho(wire.Echo):
    """wire.Echo that fires C{lost} once its connection is closed."""

    def __init__(self, lost: Deferred[None]) -> None:
        self.lost = lost

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.lost.callback(None)


class EchoServerFactory(ServerFactory):
    """A server factory of L{TrackedEcho}, recording a loss Deferred per connection."""

    def __init__(self, losses: list[Deferred[None]]) -> None:
        self.losses = losses

    def buildProtocol(self, addr: Any) -> Protocol:
        lost: Deferred[None] = Deferred()
        self.losses.append(lost)
        return TrackedEcho(lost)


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


class ServiceTestCase(unittest.TestCase):
    """
    Starts services on the global reactor and leaves it clean.

    @ivar losses: Deferreds fired when the test's connections close; the
        cleanups wait for all of them.
    """

    timeout = WATCHDOG

    def setUp(self) -> None:
        """No connections yet; wait for the ones the test makes to close."""
        self.losses: list[Deferred[None]] = []
        self.addCleanup(lambda: gatherResults(list(self.losses)))

    def shortTmp(self) -> str:
        """A directory whose paths fit in a UNIX socket address (108 bytes), removed after."""
        d = tempfile.TemporaryDirectory(prefix="nfapp")
        self.addCleanup(d.cleanup)
        return d.name

    def echoFactory(self) -> ServerFactory:
        """An echo server factory whose connections the cleanups wait for."""
        return EchoServerFactory(self.losses)

    def clientFactory(self, payload: bytes) -> EchoClientFactory:
        """An echo client factory whose connections the cleanups wait for."""
        return EchoClientFactory(payload, self.losses)

    def start(self, service: Any) -> Any:
        """privilegedStartService then startService, as netframe-twistd does; stopped after."""
        service.privilegedStartService()
        service.startService()
        self.assertTrue(service.running)
        self.addCleanup(lambda: maybeDeferred(service.stopService) if service.running else None)
        return service

    async def stop(self, service: Any) -> Any:
        """Stop the service and wait for its stopService Deferred."""
        result = await maybeDeferred(service.stopService)
        self.assertFalse(service.running)
        return result

    def listening(self, port: Any) -> Any:
        """Stop listening on C{port} after the test unless the test did."""
        self.addCleanup(lambda: port.stopListening() if port.connected else None)
        return port


class StreamServiceTests(ServiceTestCase):
    """TCP, UNIX and strports stream services."""

    async def test_tcpServerAndClient(self) -> None:
        """TCPServer serves a TCPClient; stopService closes the port."""
        server = self.start(TCPServer(0, self.echoFactory(), interface="127.0.0.1"))
        port = server._port.getHost().port
        clientFactory = self.clientFactory(b"tcp service")
        client = self.start(TCPClient("127.0.0.1", port, clientFactory))
        self.assertEqual(await clientFactory.done, b"tcp service")
        client.stopService()
        await self.stop(server)
        self.assertTrue(refused(socket.AF_INET, ("127.0.0.1", port)))

    async def test_unixServerAndClient(self) -> None:
        """UNIXServer serves a UNIXClient; stopService removes the socket file."""
        path = os.path.join(self.shortTmp(), "echo.sock")
        server = self.start(UNIXServer(path, self.echoFactory(), mode=0o600))
        self.assertTrue(stat.S_ISSOCK(os.stat(path).st_mode))
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        clientFactory = self.clientFactory(b"unix service")
        client = self.start(UNIXClient(path, clientFactory))
        self.assertEqual(await clientFactory.done, b"unix service")
        client.stopService()
        await self.stop(server)
        self.assertFalse(os.path.exists(path))
        self.assertTrue(refused(socket.AF_UNIX, path))

    async def test_unixClientRefused(self) -> None:
        """A UNIXClient to a path nobody listens on reports the failure to its factory."""
        clientFactory = self.clientFactory(b"x")
        client = self.start(UNIXClient(os.path.join(self.shortTmp(), "none.sock"), clientFactory))
        await self.assertFailure(clientFactory.done, error.ConnectError)
        client.stopService()

    async def test_strportsUnix(self) -> None:
        """strports 'unix:PATH:mode=600:lockfile=1' listens there, with its lock file."""
        path = os.path.join(self.shortTmp(), "s.sock")
        server = self.start(
            strports.service(f"unix:{path}:mode=600:lockfile=1", self.echoFactory())
        )
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        self.assertTrue(os.path.exists(path + ".lock"))
        clientFactory = self.clientFactory(b"strports unix")
        reactor.connectUNIX(path, clientFactory)
        self.assertEqual(await clientFactory.done, b"strports unix")
        await self.stop(server)
        self.assertFalse(os.path.exists(path))
        self.assertFalse(os.path.exists(path + ".lock"))

    async def test_strportsUnixAddressInUse(self) -> None:
        """A second strports service on a live UNIX lock raises at privilegedStartService."""
        path = os.path.join(self.shortTmp(), "busy.sock")
        first = self.start(strports.service(f"unix:{path}:lockfile=1", self.echoFactory()))
        second = strports.service(f"unix:{path}:lockfile=1", self.echoFactory())
        self.assertRaises(error.CannotListenError, second.privilegedStartService)
        await self.stop(first)

    async def test_strportsTCP(self) -> None:
        """strports 'tcp:0:interface=127.0.0.1' serves, and stops listening when stopped."""
        server = self.start(strports.service("tcp:0:interface=127.0.0.1", self.echoFactory()))
        port = (await server._waitingForPort).getHost().port
        clientFactory = self.clientFactory(b"strports tcp")
        reactor.connectTCP("127.0.0.1", port, clientFactory)
        self.assertEqual(await clientFactory.done, b"strports tcp")
        await self.stop(server)
        self.assertTrue(refused(socket.AF_INET, ("127.0.0.1", port)))


class DatagramServiceTests(ServiceTestCase):
    """UDP, UNIX datagram and multicast services."""

    async def test_udpServer(self) -> None:
        """UDPServer echoes a datagram; after stopService its port is free again."""
        server = self.start(UDPServer(0, DatagramEcho(), interface="127.0.0.1"))
        port = server._port.getHost().port
        catcher = DatagramCatcher()
        clientPort = self.listening(reactor.listenUDP(0, catcher, interface="127.0.0.1"))
        clientPort.write(b"udp service", ("127.0.0.1", port))
        self.assertEqual(await catcher.received, b"udp service")
        await clientPort.stopListening()
        await self.stop(server)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", port))

    async def test_unixDatagramServerAndClient(self) -> None:
        """UNIXDatagramServer answers a UNIXDatagramClient; both stop cleanly."""
        tmp = self.shortTmp()
        path = os.path.join(tmp, "dgram.sock")
        clientPath = os.path.join(tmp, "client.sock")
        server = self.start(UNIXDatagramServer(path, DatagramEcho()))
        received: Deferred[bytes] = Deferred()

        class Connected(ConnectedDatagramProtocol):
            def startProtocol(self) -> None:
                assert self.transport is not None
                self.transport.write(b"unix datagram service")

            def datagramReceived(self, datagram: bytes) -> None:
                if not received.called:
                    received.callback(datagram)

        client = self.start(UNIXDatagramClient(path, Connected(), bindAddress=clientPath))
        self.assertEqual(await received, b"unix datagram service")
        await self.stop(client)
        await self.stop(server)
        self.assertFalse(os.path.exists(path))
        self.assertFalse(os.path.exists(clientPath))

    async def test_multicastServer(self) -> None:
        """MulticastServer receives a datagram sent to the group it joined."""
        got: Deferred[bytes] = Deferred()

        class Member(DatagramProtocol):
            def datagramReceived(self, datagram: bytes, addr: Any) -> None:
                assert self.transport is not None
                if not got.called:
                    got.callback(datagram)
                    self.transport.write(b"pong", addr)

        server = self.start(MulticastServer(0, Member(), listenMultiple=True))
        port = server._port.getHost().port
        await server._port.joinGroup(GROUP, "127.0.0.1")
        catcher = DatagramCatcher()
        sender = self.listening(reactor.listenMulticast(0, catcher))
        await sender.setOutgoingInterface("127.0.0.1")
        sender.write(b"ping", (GROUP, port))
        self.assertEqual(await got, b"ping")
        self.assertEqual(await catcher.received, b"pong")
        await sender.stopListening()
        await self.stop(server)
        self.assertIsNone(server._port)


class SSLServiceTests(ServiceTestCase):
    """SSLServer and SSLClient (listenSSL/connectSSL)."""

    async def test_sslServerAndClient(self) -> None:
        """SSLServer serves an SSLClient verifying its certificate; stop closes the port."""
        from OpenSSL import crypto

        from netframe.core import ssl

        certificate = ssl.KeyPair.generate(crypto.TYPE_EC, 256).selfSignedCert(
            1, commonName="example.com"
        )
        server = self.start(
            SSLServer(0, self.echoFactory(), certificate.options(), interface="127.0.0.1")
        )
        port = server._port.getHost().port
        clientFactory = self.clientFactory(b"tls service")
        trust = ssl.Certificate.loadPEM(certificate.dumpPEM())
        client = self.start(
            SSLClient(
                "127.0.0.1",
                port,
                clientFactory,
                ssl.optionsForClientTLS("example.com", trust),
            )
        )
        self.assertEqual(await clientFactory.done, b"tls service")
        client.stopService()
        await self.stop(server)
        self.assertTrue(refused(socket.AF_INET, ("127.0.0.1", port)))
