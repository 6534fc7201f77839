"""
UNIX-domain socket conformance, run against every reactor: stream echo over
filesystem and abstract names, socket file modes, lock files (live, stale,
checkPID), descriptor passing, datagram ports (bound and connected), and the
unix: endpoint strings end to end.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.core import endpoints, error
from netframe.core.address import UNIXAddress
from netframe.core.interfaces import (
    IFileDescriptorReceiver,
    IListeningPort,
    IUNIXDatagramConnectedTransport,
    IUNIXDatagramTransport,
    IUNIXTransport,
)
from netframe.core.protocol import (
    ClientFactory,
    ConnectedDatagramProtocol,
    DatagramProtocol,
    Factory,
    Protocol,
    connectionDone,
)
from netframe.core.protocols.wire import Echo
from netframe.logger import capturedLogs


class Collector(Protocol):
    """Client protocol: sends on connect, closes after C{expect} bytes."""

    transport: Any

    def __init__(self, runner: Any, send: bytes = b"", expect: int = 0) -> None:
        self.runner = runner
        self.send = send
        self.expect = expect
        self.received = b""
        self.reasons: list[Any] = []

    def connectionMade(self) -> None:
        if self.send:
            self.transport.write(self.send)

    def dataReceived(self, data: bytes) -> None:
        self.received += data
        if self.expect and len(self.received) >= self.expect:
            self.transport.loseConnection()

    def connectionLost(self, reason: Any = connectionDone) -> None:
        self.reasons.append(reason)
        self.runner.stopSoon()


class OneClientFactory(ClientFactory):
    """Hands out one protocol; records failures and stops the runner on them."""

    def __init__(self, protocol: Any, runner: Any) -> None:
        self.proto = protocol
        self.runner = runner
        self.failures: list[Any] = []

    def buildProtocol(self, addr: Any) -> Any:
        self.addr = addr
        return self.proto

    def clientConnectionFailed(self, connector: Any, reason: Any) -> None:
        self.failures.append(reason)
        self.runner.stopSoon()


@pytest.fixture
def sockdir(tmp_path: Path) -> Iterator[Path]:
    """A short directory for socket files (paths must fit in sun_path)."""
    yield tmp_path


def abstractName(tag: str) -> str:
    """Return an abstract-namespace name unique to this process."""
    return f"\0netframe-test-{os.getpid()}-{tag}"


class UNIXStreamTests:
    """listenUNIX / connectUNIX."""

    @pytest.mark.parametrize("kind", ["path", "abstract", "bytes"])
    def test_echo(self, reactor: Any, runner: Any, sockdir: Path, kind: str) -> None:
        """Bytes echo over a filesystem path, an abstract name and a bytes path."""
        addresses: dict[str, str | bytes] = {
            "path": str(sockdir / "echo.sock"),
            "abstract": abstractName("echo"),
            "bytes": os.fsencode(sockdir / "echo.sock"),
        }
        address = addresses[kind]
        port = reactor.listenUNIX(address, Factory.forProtocol(Echo))
        assert verifyObject(IListeningPort, port)
        assert port.getHost() == UNIXAddress(address)
        payload = b"unix " * 1000
        client = Collector(runner, send=payload, expect=len(payload))
        factory = OneClientFactory(client, runner)
        connector = reactor.connectUNIX(address, factory)
        runner.run()
        assert client.received == payload
        assert client.reasons[0].check(error.ConnectionDone)
        assert connector.getDestination() == UNIXAddress(address)
        assert factory.addr == UNIXAddress(address)
        if kind == "abstract":
            assert not any(p.name.startswith("netframe") for p in sockdir.iterdir())

    def test_transportInterfaceAndAddresses(self, reactor: Any, runner: Any, sockdir: Path) -> None:
        """Stream transports provide IUNIXTransport; host and peer are UNIXAddresses."""
        path = str(sockdir / "inspect.sock")
        seen: dict[str, Any] = {}

        class Inspect(Protocol):
            transport: Any

            def connectionMade(self) -> None:
                seen["verified"] = verifyObject(IUNIXTransport, self.transport)
                seen["host"] = self.transport.getHost()
                seen["peer"] = self.transport.getPeer()
                seen["cert"] = self.transport.getPeerCertificate()
                self.transport.loseConnection()

        reactor.listenUNIX(path, Factory.forProtocol(Inspect))
        client = Collector(runner)
        reactor.connectUNIX(path, OneClientFactory(client, runner))
        runner.run()
        assert seen["verified"]
        assert seen["host"] == UNIXAddress(path)
        assert seen["peer"] == UNIXAddress(None)
        assert seen["cert"] is None
        assert client.transport.getPeer() == UNIXAddress(path)

    def test_modeAndCleanup(self, reactor: Any, sockdir: Path) -> None:
        """The socket file gets the requested mode and is removed by stopListening."""
        path = sockdir / "mode.sock"
        port = reactor.listenUNIX(str(path), Factory.forProtocol(Echo), mode=0o600)
        assert stat.S_ISSOCK(path.stat().st_mode)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        fired: list[Any] = []
        port.stopListening().addCallback(fired.append)
        assert fired == [None]
        assert not path.exists()

    def test_pathInUse(self, reactor: Any, sockdir: Path) -> None:
        """Listening on an existing socket file without wantPID is a CannotListenError."""
        path = str(sockdir / "busy.sock")
        first = reactor.listenUNIX(path, Factory.forProtocol(Echo))
        with pytest.raises(error.CannotListenError) as exc:
            reactor.listenUNIX(path, Factory.forProtocol(Echo))
        assert exc.value.port == path
        first.stopListening()

    def test_connectMissingPath(self, reactor: Any, runner: Any, sockdir: Path) -> None:
        """Connecting to a path that does not exist fails with BadFileError."""
        factory = OneClientFactory(Collector(runner), runner)
        reactor.connectUNIX(str(sockdir / "nothing.sock"), factory)
        runner.run()
        assert factory.failures[0].check(error.BadFileError)

    def test_connectRefused(self, reactor: Any, runner: Any, sockdir: Path) -> None:
        """A socket file nobody listens on any more refuses the connection."""
        path = str(sockdir / "dead.sock")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.bind(path)
        factory = OneClientFactory(Collector(runner), runner)
        reactor.connectUNIX(path, factory)
        runner.run()
        assert factory.failures[0].check(error.ConnectionRefusedError)

    @pytest.mark.parametrize("bad", ["", "a\0b", 5])
    def test_badAddress(self, reactor: Any, bad: Any) -> None:
        """Empty names, embedded NULs and non-strings are refused at once."""
        with pytest.raises((TypeError, ValueError)):
            reactor.listenUNIX(bad, Factory.forProtocol(Echo))
        with pytest.raises((TypeError, ValueError)):
            reactor.connectUNIX(bad, ClientFactory())

    def test_descriptorsReleased(
        self, reactor: Any, runner: Any, sockdir: Path, fdCount: Any
    ) -> None:
        """After an echo and stopListening the descriptor count is back to baseline."""
        reactor._getReserveFd()
        before = fdCount()
        path = str(sockdir / "fd.sock")
        port = reactor.listenUNIX(path, Factory.forProtocol(Echo))
        client = Collector(runner, send=b"x", expect=1)
        reactor.connectUNIX(path, OneClientFactory(client, runner))
        runner.run()
        port.stopListening()
        reactor.iterate(0)
        assert fdCount() == before


class LockFileTests:
    """wantPID lock files and checkPID."""

    def test_lockFileWritten(self, reactor: Any, sockdir: Path) -> None:
        """wantPID writes <address>.lock with our process ID; stopListening removes it."""
        path = sockdir / "locked.sock"
        port = reactor.listenUNIX(str(path), Factory.forProtocol(Echo), wantPID=1)
        lock = Path(str(path) + ".lock")
        assert lock.read_text().strip() == str(os.getpid())
        port.stopListening()
        assert not lock.exists() and not path.exists()

    def test_liveLockRefused(self, reactor: Any, sockdir: Path) -> None:
        """A second wantPID listener fails with CannotListenError naming the live PID."""
        path = str(sockdir / "live.sock")
        port = reactor.listenUNIX(path, Factory.forProtocol(Echo), wantPID=1)
        with pytest.raises(error.CannotListenError, match=f"live process {os.getpid()}"):
            reactor.listenUNIX(path, Factory.forProtocol(Echo), wantPID=1)
        assert Path(path).exists()
        port.stopListening()

    def test_lockHeldByAnotherProcess(self, reactor: Any, sockdir: Path) -> None:
        """A lock held by another live process refuses the listener."""
        path = str(sockdir / "other.sock")
        script = (
            "import fcntl, os, sys\n"
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "os.write(fd, str(os.getpid()).encode())\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n"
        )
        child = subprocess.Popen(
            [sys.executable, "-c", script, path + ".lock"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        try:
            assert child.stdout is not None and child.stdout.readline() == b"locked\n"
            with pytest.raises(error.CannotListenError, match=f"live process {child.pid}"):
                reactor.listenUNIX(path, Factory.forProtocol(Echo), wantPID=1)
        finally:
            assert child.stdin is not None
            child.stdin.close()
            assert child.stdout is not None
            child.stdout.close()
            child.wait(10)

    def test_staleLockTakenOver(self, reactor: Any, runner: Any, sockdir: Path) -> None:
        """A lock file and socket file left by a dead process are taken over."""
        path = sockdir / "stale.sock"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.bind(str(path))
        Path(str(path) + ".lock").write_text("999999999\n")
        port = reactor.listenUNIX(str(path), Factory.forProtocol(Echo), wantPID=1)
        assert Path(str(path) + ".lock").read_text().strip() == str(os.getpid())
        client = Collector(runner, send=b"ok", expect=2)
        reactor.connectUNIX(str(path), OneClientFactory(client, runner))
        runner.run()
        assert client.received == b"ok"
        port.stopListening()

    def test_wantPIDAbstractRefused(self, reactor: Any) -> None:
        """An abstract name has no file for a lock: wantPID is a CannotListenError."""
        with pytest.raises(error.CannotListenError, match="filesystem"):
            reactor.listenUNIX(abstractName("lock"), Factory.forProtocol(Echo), wantPID=1)

    def test_checkPIDLive(self, reactor: Any, runner: Any, sockdir: Path) -> None:
        """checkPID connects when the lock file names a live process."""
        path = str(sockdir / "check.sock")
        reactor.listenUNIX(path, Factory.forProtocol(Echo), wantPID=1)
        client = Collector(runner, send=b"y", expect=1)
        reactor.connectUNIX(path, OneClientFactory(client, runner), checkPID=1)
        runner.run()
        assert client.received == b"y"

    def test_checkPIDStale(self, reactor: Any, runner: Any, sockdir: Path) -> None:
        """checkPID fails with BadFileError when no live process holds the lock."""
        path = str(sockdir / "nolock.sock")
        reactor.listenUNIX(path, Factory.forProtocol(Echo))
        factory = OneClientFactory(Collector(runner), runner)
        reactor.connectUNIX(path, factory, checkPID=1)
        runner.run()
        assert factory.failures[0].check(error.BadFileError)
        assert "lock" in str(factory.failures[0].value)


@implementer(IFileDescriptorReceiver)
class FDReceiver(Protocol):
    """Collects received descriptors and data; closes after C{expect} bytes."""

    transport: Any

    def __init__(self, runner: Any, expect: int) -> None:
        self.runner = runner
        self.expect = expect
        self.events: list[Any] = []
        self.data = b""

    def fileDescriptorReceived(self, descriptor: int) -> None:
        self.events.append(("fd", descriptor))

    def dataReceived(self, data: bytes) -> None:
        self.events.append(("data", data))
        self.data += data
        if len(self.data) >= self.expect:
            self.transport.loseConnection()

    def connectionLost(self, reason: Any = connectionDone) -> None:
        self.runner.stopSoon()


class DescriptorPassingTests:
    """sendFileDescriptor and fileDescriptorReceived."""

    def sendOnConnect(self, reactor: Any, address: str, count: int, payload: bytes) -> Any:
        """Listen with a protocol that sends C{count} pipe read ends, then C{payload}."""

        class Sender(Protocol):
            transport: Any

            def connectionMade(self) -> None:
                for i in range(count):
                    r, w = os.pipe()
                    os.write(w, b"pipe %d" % i)
                    os.close(w)
                    self.transport.sendFileDescriptor(r)
                    os.close(r)  # the transport holds its own copy
                self.transport.write(payload)

        return reactor.listenUNIX(address, Factory.forProtocol(Sender))

    def test_descriptorArrivesBeforeData(self, reactor: Any, runner: Any, sockdir: Path) -> None:
        """A descriptor sent before data is delivered before that data and refers to the same pipe."""
        path = str(sockdir / "fds.sock")
        self.sendOnConnect(reactor, path, 1, b"payload")
        receiver = FDReceiver(runner, expect=7)
        reactor.connectUNIX(path, OneClientFactory(receiver, runner))
        runner.run()
        assert receiver.events[0][0] == "fd"
        fd = receiver.events[0][1]
        try:
            assert os.read(fd, 100) == b"pipe 0"
            assert not os.get_inheritable(fd)
        finally:
            os.close(fd)
        assert receiver.data == b"payload"

    def test_manyDescriptorsInOrder(self, reactor: Any, runner: Any, sockdir: Path) -> None:
        """Twenty descriptors arrive in the order they were sent."""
        path = str(sockdir / "many.sock")
        self.sendOnConnect(reactor, path, 20, b"0123456789" * 3)
        receiver = FDReceiver(runner, expect=30)
        reactor.connectUNIX(path, OneClientFactory(receiver, runner))
        runner.run()
        fds = [v for k, v in receiver.events if k == "fd"]
        assert len(fds) == 20
        try:
            assert [os.read(fd, 100) for fd in fds] == [b"pipe %d" % i for i in range(20)]
        finally:
            for fd in fds:
                os.close(fd)
        assert receiver.data == b"0123456789" * 3

    def test_maxFileDescriptorsPerRead(self, reactor: Any, runner: Any, sockdir: Path) -> None:
        """A message with maxFileDescriptorsPerRead descriptors arrives whole; one more is cut and logged."""
        path = str(sockdir / "limit.sock")
        receivers: list[FDReceiver] = []

        class Limited(FDReceiver):
            transport: Any

            def connectionMade(self) -> None:
                self.transport.maxFileDescriptorsPerRead = 2
                receivers.append(self)

        reactor.listenUNIX(path, Factory.forProtocol(lambda: Limited(runner, expect=2)))
        pipes = [os.pipe() for _ in range(5)]
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
            raw.connect(path)
            socket.send_fds(raw, [b"a"], [r for r, _ in pipes[:2]])
            socket.send_fds(raw, [b"b"], [r for r, _ in pipes[2:]])
            with capturedLogs() as events:
                runner.run()
        for r, w in pipes:
            os.close(r)
            os.close(w)
        fds = [v for k, v in receivers[0].events if k == "fd"]
        for fd in fds:
            os.close(fd)
        assert len(fds) == 4
        assert receivers[0].data == b"ab"
        cut = [e for e in events if "descriptors at once" in e.get("log_format", "")]
        assert len(cut) == 1

    def test_nonReceiverGetsDescriptorsClosed(
        self, reactor: Any, runner: Any, sockdir: Path, fdCount: Any
    ) -> None:
        """A protocol without IFileDescriptorReceiver gets data only; descriptors are closed, logged once."""
        path = str(sockdir / "plain.sock")
        self.sendOnConnect(reactor, path, 3, b"abc")
        client = Collector(runner, expect=3)
        reactor.connectUNIX(path, OneClientFactory(client, runner))
        before = fdCount()
        with capturedLogs() as events:
            runner.run()
        assert client.received == b"abc"
        warnings = [e for e in events if "IFileDescriptorReceiver" in e.get("log_format", "")]
        assert len(warnings) == 1
        # The listening port and its connections are closed by now: nothing leaked.
        assert fdCount() <= before

    def test_badDescriptor(self, reactor: Any, runner: Any, sockdir: Path) -> None:
        """sendFileDescriptor refuses closed descriptors and non-ints."""
        path = str(sockdir / "bad.sock")
        seen: list[Any] = []

        class Checker(Protocol):
            transport: Any

            def connectionMade(self) -> None:
                r, w = os.pipe()
                os.close(r)
                os.close(w)
                for bad in (r, "3"):
                    try:
                        self.transport.sendFileDescriptor(bad)
                    except (ValueError, TypeError) as e:
                        seen.append(type(e))
                self.transport.loseConnection()

        reactor.listenUNIX(path, Factory.forProtocol(Checker))
        reactor.connectUNIX(path, OneClientFactory(Collector(runner), runner))
        runner.run()
        assert seen == [ValueError, TypeError]

    def test_unsentDescriptorsClosed(
        self, reactor: Any, runner: Any, sockdir: Path, fdCount: Any
    ) -> None:
        """Descriptors queued without data after them are closed with the connection."""
        path = str(sockdir / "unsent.sock")

        class Queuer(Protocol):
            transport: Any

            def connectionMade(self) -> None:
                r, w = os.pipe()
                self.transport.sendFileDescriptor(r)
                os.close(r)
                os.close(w)
                self.transport.abortConnection()

        port = reactor.listenUNIX(path, Factory.forProtocol(Queuer))
        before = fdCount()
        reactor.connectUNIX(path, OneClientFactory(Collector(runner), runner))
        runner.run()
        port.stopListening()
        reactor.iterate(0)
        assert fdCount() < before


class UNIXDatagramTests:
    """listenUNIXDatagram / connectUNIXDatagram."""

    def test_echo(self, reactor: Any, runner: Any, sockdir: Path) -> None:
        """A bound datagram port echoes to a connected client bound to its own path."""
        serverPath = str(sockdir / "dg-server.sock")
        clientPath = str(sockdir / "dg-client.sock")

        class DatagramEcho(DatagramProtocol):
            noisy = False

            def datagramReceived(self, datagram: bytes, addr: Any) -> None:
                self.transport.write(datagram, addr)

        class Client(ConnectedDatagramProtocol):
            noisy = False
            received: list[bytes] = []

            def startProtocol(self) -> None:
                self.transport.write(b"hello datagram")

            def datagramReceived(self, datagram: bytes, addr: Any = None) -> None:
                self.received.append(datagram)
                runner.stopSoon()

        server = reactor.listenUNIXDatagram(serverPath, DatagramEcho(), mode=0o600)
        assert verifyObject(IUNIXDatagramTransport, server)
        assert stat.S_IMODE(os.stat(serverPath).st_mode) == 0o600
        client = Client()
        port = reactor.connectUNIXDatagram(serverPath, client, bindAddress=clientPath)
        assert verifyObject(IUNIXDatagramConnectedTransport, port)
        assert port.getPeer() == UNIXAddress(serverPath)
        assert port.getHost() == UNIXAddress(clientPath)
        runner.run()
        assert client.received == [b"hello datagram"]
        server.stopListening()
        assert not os.path.exists(serverPath)

    def test_unnamedSender(self, reactor: Any, runner: Any) -> None:
        """Datagrams from an unnamed socket arrive with address None (abstract server name)."""
        name = abstractName("dgram")
        got: list[Any] = []

        class Sink(DatagramProtocol):
            noisy = False

            def datagramReceived(self, datagram: bytes, addr: Any) -> None:
                got.append((datagram, addr))
                runner.stopSoon()

        reactor.listenUNIXDatagram(name, Sink())
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(b"anon", name)
            runner.run()
        assert got == [(b"anon", None)]

    def test_connectFailed(self, reactor: Any, sockdir: Path) -> None:
        """Connecting to a missing path calls connectionFailed; the port is closed."""
        failures: list[Any] = []

        class Client(ConnectedDatagramProtocol):
            noisy = False

            def connectionFailed(self, failure: Any) -> None:
                failures.append(failure)

        port = reactor.connectUNIXDatagram(str(sockdir / "none.sock"), Client())
        assert failures and failures[0].check(error.ConnectError)
        assert port.fileno() == -1

    def test_writeToMissingPathRaises(self, reactor: Any, sockdir: Path) -> None:
        """An unconnected write to a path nobody binds raises OSError."""
        port = reactor.listenUNIXDatagram(str(sockdir / "w.sock"), DatagramProtocol())
        with pytest.raises(OSError):
            port.write(b"x", str(sockdir / "nobody.sock"))
        port.stopListening()

    def test_pathInUse(self, reactor: Any, sockdir: Path) -> None:
        """Binding an existing path is a CannotListenError."""
        path = str(sockdir / "twice.sock")
        port = reactor.listenUNIXDatagram(path, DatagramProtocol())
        with pytest.raises(error.CannotListenError):
            reactor.listenUNIXDatagram(path, DatagramProtocol())
        port.stopListening()


class UNIXEndpointTests:
    """unix: endpoint strings over a real reactor."""

    def test_stringsEndToEnd(self, reactor: Any, runner: Any, sockdir: Path) -> None:
        """unix:ADDRESS:mode=600:lockfile=1 server, unix:path=... client, connectProtocol."""
        path = str(sockdir / "ep.sock")
        server = endpoints.serverFromString(reactor, f"unix:{path}:mode=600:lockfile=1")
        ports: list[Any] = []
        server.listen(Factory.forProtocol(Echo)).addCallback(ports.append)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert os.path.exists(path + ".lock")
        client = endpoints.clientFromString(reactor, f"unix:path={path}:checkPID=1")
        proto = Collector(runner, expect=5)
        connected: list[Any] = []

        def gotProtocol(p: Collector) -> None:
            connected.append(p)
            p.transport.write(b"hello")

        endpoints.connectProtocol(client, proto).addCallback(gotProtocol)
        runner.run()
        assert connected == [proto]
        assert proto.received == b"hello"
        ports[0].stopListening()
        assert not os.path.exists(path + ".lock")

    def test_listenFailureErrbacks(self, reactor: Any, sockdir: Path) -> None:
        """A server endpoint on a path in use fails its Deferred with CannotListenError."""
        path = str(sockdir / "used.sock")
        first = reactor.listenUNIX(path, Factory.forProtocol(Echo))
        failures: list[Any] = []
        endpoints.UNIXServerEndpoint(reactor, path).listen(Factory.forProtocol(Echo)).addErrback(
            failures.append
        )
        assert failures[0].check(error.CannotListenError)
        first.stopListening()

    def test_connectCancelled(self, reactor: Any, runner: Any, sockdir: Path) -> None:
        """Cancelling the connect Deferred fails it with ConnectingCancelledError."""
        path = str(sockdir / "cancel.sock")
        reactor.listenUNIX(path, Factory.forProtocol(Echo))
        d = endpoints.UNIXClientEndpoint(reactor, path).connect(Factory.forProtocol(Protocol))
        failures: list[Any] = []
        d.addErrback(failures.append)
        d.cancel()
        assert failures[0].check(error.ConnectingCancelledError)
        assert failures[0].value.address == UNIXAddress(path)
        reactor.callLater(0.01, runner.stopSoon)
        runner.run()
