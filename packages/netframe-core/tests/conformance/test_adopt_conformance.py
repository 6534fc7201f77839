"""
Socket adoption conformance (IReactorSocket), run against every reactor:
adopted TCP and UNIX listening sockets and connections, adopted UDP ports
(U2), the checks made before adopting, AdoptedStreamServerEndpoint, and
systemd socket activation in a child process that inherits a listening
socket with LISTEN_FDS / LISTEN_PID set.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netframe.core import endpoints, error
from netframe.core.address import IPv4Address, UNIXAddress
from netframe.core.protocol import (
    ClientFactory,
    DatagramProtocol,
    Factory,
    Protocol,
    connectionDone,
)
from netframe.core.protocols.wire import Echo


class Collector(Protocol):
    """Client protocol: sends on connect, closes after C{expect} bytes, stops the runner."""

    transport: Any

    def __init__(self, runner: Any, send: bytes = b"", expect: int = 0) -> None:
        self.runner = runner
        self.send = send
        self.expect = expect
        self.received = b""

    def connectionMade(self) -> None:
        if self.send:
            self.transport.write(self.send)

    def dataReceived(self, data: bytes) -> None:
        self.received += data
        if len(self.received) >= self.expect:
            self.transport.loseConnection()

    def connectionLost(self, reason: Any = connectionDone) -> None:
        self.runner.stopSoon()


class OneClientFactory(ClientFactory):
    """Hands out one protocol."""

    def __init__(self, protocol: Any) -> None:
        self.proto = protocol

    def buildProtocol(self, addr: Any) -> Any:
        return self.proto


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    """A non-blocking TCP socket listening on 127.0.0.1 (closed by the test's end)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(5)
    s.setblocking(False)
    yield s
    s.close()


def connectedPair() -> tuple[socket.socket, socket.socket]:
    """Return a connected TCP pair over loopback: (server side, client side)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as lst:
        lst.bind(("127.0.0.1", 0))
        lst.listen(1)
        client = socket.create_connection(lst.getsockname(), timeout=5)
        server, _ = lst.accept()
    return server, client


class AdoptStreamPortTests:
    """adoptStreamPort."""

    def test_tcpEcho(self, reactor: Any, runner: Any, listening: socket.socket) -> None:
        """An adopted listening TCP socket accepts; the caller's descriptor stays open."""
        number = listening.getsockname()[1]
        port = reactor.adoptStreamPort(
            listening.fileno(), socket.AF_INET, Factory.forProtocol(Echo)
        )
        assert port.getHost() == IPv4Address("TCP", "127.0.0.1", number)
        client = Collector(runner, send=b"adopted", expect=7)
        reactor.connectTCP("127.0.0.1", number, OneClientFactory(client))
        runner.run()
        assert client.received == b"adopted"
        port.stopListening()
        # Our descriptor is untouched: still a listening socket.
        assert listening.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1

    def test_callerClosesFirst(self, reactor: Any, runner: Any) -> None:
        """The caller may close its descriptor right after adopting; the port keeps accepting."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        s.listen(5)
        s.setblocking(False)
        number = s.getsockname()[1]
        port = reactor.adoptStreamPort(s.fileno(), socket.AF_INET, Factory.forProtocol(Echo))
        s.close()
        client = Collector(runner, send=b"still", expect=5)
        reactor.connectTCP("127.0.0.1", number, OneClientFactory(client))
        runner.run()
        assert client.received == b"still"
        port.stopListening()

    def test_unixEcho(self, reactor: Any, runner: Any, tmp_path: Path) -> None:
        """An adopted UNIX listening socket accepts; its file is left in place on close."""
        path = str(tmp_path / "adopted.sock")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.bind(path)
            s.listen(5)
            s.setblocking(False)
            port = reactor.adoptStreamPort(s.fileno(), socket.AF_UNIX, Factory.forProtocol(Echo))
        assert port.getHost() == UNIXAddress(path)
        client = Collector(runner, send=b"unix", expect=4)
        reactor.connectUNIX(path, OneClientFactory(client))
        runner.run()
        assert client.received == b"unix"
        port.stopListening()
        assert os.path.exists(path)

    def test_descriptorsReleased(
        self, reactor: Any, listening: socket.socket, fdCount: Any
    ) -> None:
        """stopListening closes the reactor's duplicate only."""
        reactor._getReserveFd()
        before = fdCount()
        port = reactor.adoptStreamPort(
            listening.fileno(), socket.AF_INET, Factory.forProtocol(Echo)
        )
        assert fdCount() == before + 1
        port.stopListening()
        assert fdCount() == before

    def test_listensOnce(self, reactor: Any, listening: socket.socket) -> None:
        """An adopted port cannot be started a second time."""
        port = reactor.adoptStreamPort(
            listening.fileno(), socket.AF_INET, Factory.forProtocol(Echo)
        )
        with pytest.raises(error.AlreadyListened):
            port.startListening()
        port.stopListening()


class AdoptionCheckTests:
    """Descriptors that cannot be adopted get clear errors and nothing leaks."""

    def test_blockingRefused(self, reactor: Any, listening: socket.socket, fdCount: Any) -> None:
        """A blocking socket is refused with a ValueError saying so; its flag is not changed."""
        listening.setblocking(True)
        before = fdCount()
        with pytest.raises(ValueError, match="blocking"):
            reactor.adoptStreamPort(listening.fileno(), socket.AF_INET, Factory())
        assert fdCount() == before
        assert os.get_blocking(listening.fileno())

    def test_familyMismatch(self, reactor: Any, listening: socket.socket) -> None:
        """Passing AF_INET6 for an AF_INET socket is refused."""
        with pytest.raises(ValueError, match="AF_INET6"):
            reactor.adoptStreamPort(listening.fileno(), socket.AF_INET6, Factory())

    def test_unsupportedFamily(self, reactor: Any, listening: socket.socket) -> None:
        """Families other than INET, INET6 (and UNIX for streams) are UnsupportedAddressFamily."""
        with pytest.raises(error.UnsupportedAddressFamily):
            reactor.adoptStreamPort(listening.fileno(), 12345, Factory())
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as d:
            d.setblocking(False)
            with pytest.raises(error.UnsupportedAddressFamily):
                reactor.adoptDatagramPort(d.fileno(), socket.AF_UNIX, DatagramProtocol())

    def test_wrongSocketType(self, reactor: Any) -> None:
        """A datagram socket given to adoptStreamPort is UnsupportedSocketType, and vice versa."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as d:
            d.setblocking(False)
            with pytest.raises(error.UnsupportedSocketType):
                reactor.adoptStreamPort(d.fileno(), socket.AF_INET, Factory())
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setblocking(False)
            with pytest.raises(error.UnsupportedSocketType):
                reactor.adoptDatagramPort(s.fileno(), socket.AF_INET, DatagramProtocol())

    def test_notListening(self, reactor: Any) -> None:
        """A stream socket that does not listen cannot be adopted as a port."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setblocking(False)
            with pytest.raises(ValueError, match="not a listening socket"):
                reactor.adoptStreamPort(s.fileno(), socket.AF_INET, Factory())

    def test_notConnected(self, reactor: Any) -> None:
        """An unconnected stream socket cannot be adopted as a connection."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setblocking(False)
            with pytest.raises(ValueError, match="not connected"):
                reactor.adoptStreamConnection(s.fileno(), socket.AF_INET, Factory())

    def test_notASocket(self, reactor: Any) -> None:
        """A pipe is not a socket."""
        r, w = os.pipe()
        os.set_blocking(r, False)
        try:
            with pytest.raises(ValueError, match="not a socket"):
                reactor.adoptStreamPort(r, socket.AF_INET, Factory())
        finally:
            os.close(r)
            os.close(w)

    @pytest.mark.parametrize("fd", [-1, 99999])
    def test_notOpen(self, reactor: Any, fd: int) -> None:
        """A negative or closed descriptor is refused."""
        with pytest.raises(ValueError, match="not an open file descriptor"):
            reactor.adoptStreamPort(fd, socket.AF_INET, Factory())

    def test_notAnInt(self, reactor: Any) -> None:
        """The descriptor must be an int."""
        with pytest.raises(TypeError):
            reactor.adoptStreamPort("3", socket.AF_INET, Factory())


class AdoptStreamConnectionTests:
    """adoptStreamConnection."""

    def test_tcpConnection(self, reactor: Any, runner: Any) -> None:
        """An adopted TCP connection is served by the factory's protocol; the peer gets the echo."""
        server, client = connectedPair()
        built: list[Any] = []

        class StopEcho(Echo):
            def dataReceived(self, data: bytes) -> None:
                super().dataReceived(data)
                runner.stopSoon()

        class Recording(Factory):
            protocol = StopEcho

            def buildProtocol(self, addr: Any) -> Any:
                built.append(addr)
                return super().buildProtocol(addr)

        server.setblocking(False)
        reactor.adoptStreamConnection(server.fileno(), socket.AF_INET, Recording())
        server.close()
        client.sendall(b"echo me")
        runner.run()
        assert client.recv(100) == b"echo me"
        assert built == [IPv4Address("TCP", "127.0.0.1", client.getsockname()[1])]
        client.close()

    def test_unixConnection(self, reactor: Any, runner: Any) -> None:
        """An adopted UNIX socketpair end gets a UNIX transport."""
        ours, theirs = socket.socketpair()
        ours.setblocking(False)
        seen: list[Any] = []

        class Greeter(Protocol):
            transport: Any

            def connectionMade(self) -> None:
                seen.append(self.transport.getPeer())
                self.transport.write(b"hi")
                self.transport.loseConnection()

            def connectionLost(self, reason: Any = connectionDone) -> None:
                runner.stopSoon()

        reactor.adoptStreamConnection(ours.fileno(), socket.AF_UNIX, Factory.forProtocol(Greeter))
        ours.close()
        runner.run()
        theirs.settimeout(5)
        assert theirs.recv(10) == b"hi"
        theirs.close()
        assert seen == [UNIXAddress(None)]

    def test_factoryRefuses(self, reactor: Any, fdCount: Any) -> None:
        """buildProtocol returning None closes the reactor's duplicate at once."""
        server, client = connectedPair()
        server.setblocking(False)

        class Refuser(Factory):
            def buildProtocol(self, addr: Any) -> None:
                return None

        before = fdCount()
        reactor.adoptStreamConnection(server.fileno(), socket.AF_INET, Refuser())
        assert fdCount() == before
        server.close()
        client.close()


class AdoptDatagramPortTests:
    """U2: adoptDatagramPort."""

    def test_echo(self, reactor: Any, runner: Any, capsys: Any) -> None:
        """The adopt_datagram_port.py example echoes over the adopted socket after the caller closed it."""

        class EchoProtocol(DatagramProtocol):
            noisy = False

            def datagramReceived(self, data: bytes, addr: Any) -> None:
                host, port = addr
                print(f"received {data!r} from {host}:{port}")
                self.transport.write(data, addr)
                runner.stopSoon()

        portSocket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        portSocket.setblocking(False)
        portSocket.bind(("127.0.0.1", 0))
        number = portSocket.getsockname()[1]
        port = reactor.adoptDatagramPort(portSocket.fileno(), socket.AF_INET, EchoProtocol())
        portSocket.close()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as c:
            c.settimeout(5)
            c.sendto(b"adopted", ("127.0.0.1", number))
            runner.run()
            assert c.recvfrom(100) == (b"adopted", ("127.0.0.1", number))
            assert capsys.readouterr().out == (
                f"received b'adopted' from 127.0.0.1:{c.getsockname()[1]}\n"
            )
        assert port.getHost().port == number

    def test_callerDescriptorUntouched(self, reactor: Any) -> None:
        """Stopping an adopted datagram port leaves the caller's socket open."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.setblocking(False)
            s.bind(("127.0.0.1", 0))
            port = reactor.adoptDatagramPort(s.fileno(), socket.AF_INET, DatagramProtocol())
            port.stopListening()
            assert s.getsockname()[0] == "127.0.0.1"


class AdoptedEndpointTests:
    """AdoptedStreamServerEndpoint over a real reactor."""

    def test_listenClosesOriginal(self, reactor: Any, runner: Any) -> None:
        """listen adopts the descriptor and closes the original; a second listen fails."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        s.listen(5)
        s.setblocking(False)
        number = s.getsockname()[1]
        fd = s.detach()
        ep = endpoints.AdoptedStreamServerEndpoint(reactor, fd, socket.AF_INET)
        ports: list[Any] = []
        ep.listen(Factory.forProtocol(Echo)).addCallback(ports.append)
        with pytest.raises(OSError):
            os.fstat(fd)
        failures: list[Any] = []
        ep.listen(Factory.forProtocol(Echo)).addErrback(failures.append)
        assert failures[0].check(error.AlreadyListened)
        client = Collector(runner, send=b"ep", expect=2)
        reactor.connectTCP("127.0.0.1", number, OneClientFactory(client))
        runner.run()
        assert client.received == b"ep"
        ports[0].stopListening()


_CHILD = textwrap.dedent(
    """
    import os, sys
    from netframe.core.epollreactor import EPollReactor
    from netframe.core.endpoints import serverFromString
    from netframe.core.protocol import Factory
    from netframe.core.protocols.wire import Echo

    reactor = EPollReactor()

    class OneShot(Echo):
        def connectionLost(self, reason):
            reactor.stop()

    endpoint = serverFromString(reactor, sys.argv[1])

    def listening(port):
        print("listening on", port.getHost().port, flush=True)
        try:
            os.fstat(3)
        except OSError:
            print("inherited descriptor closed", flush=True)
        endpoint.listen(Factory.forProtocol(Echo)).addErrback(
            lambda f: print("second listen:", type(f.value).__name__, flush=True)
        )

    def failed(f):
        print("failed:", f.value, flush=True)
        reactor.stop()

    endpoint.listen(Factory.forProtocol(OneShot)).addCallbacks(listening, failed)
    reactor.callLater(20, reactor.stop)
    reactor.run(installSignalHandlers=False)
    """
)

_WRAPPER = textwrap.dedent(
    """
    import os, sys
    fd = int(sys.argv[1])
    if fd != 3:
        os.dup2(fd, 3)
        os.close(fd)
    os.environ["LISTEN_FDS"] = "1"
    os.environ["LISTEN_PID"] = sys.argv[2] or str(os.getpid())
    os.execv(sys.executable, [sys.executable, "-c", sys.argv[3], sys.argv[4]])
    """
)


def runActivated(description: str, listenPID: str = "") -> tuple[subprocess.Popen[bytes], int]:
    """
    Start a child that inherits a fresh non-blocking listening socket as
    descriptor 3 with LISTEN_FDS=1 and LISTEN_PID (its own PID by default),
    then runs an echo server on C{description}.

    @return: the child and the socket's port number.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(5)
        s.setblocking(False)
        number = s.getsockname()[1]
        child = subprocess.Popen(
            [sys.executable, "-c", _WRAPPER, str(s.fileno()), listenPID, _CHILD, description],
            pass_fds=(s.fileno(),),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    return child, number


class SystemdActivationTests:
    """systemd:domain=INET:index=0 in a child process, with a real inherited socket."""

    def test_activatedEcho(self) -> None:
        """The child adopts descriptor 3 once, closes it, and echoes on the inherited port."""
        child, number = runActivated("systemd:domain=INET:index=0")
        try:
            assert child.stdout is not None
            assert child.stdout.readline() == f"listening on {number}\n".encode()
            assert child.stdout.readline() == b"inherited descriptor closed\n"
            assert child.stdout.readline() == b"second listen: AlreadyListened\n"
            with socket.create_connection(("127.0.0.1", number), timeout=10) as c:
                c.sendall(b"activated")
                assert c.recv(100) == b"activated"
            assert child.wait(20) == 0
        finally:
            if child.poll() is None:
                child.kill()
                child.wait(10)
            child.stdout and child.stdout.close()
            child.stderr and child.stderr.close()

    def test_wrongListenPID(self) -> None:
        """With LISTEN_PID naming another process the description is refused clearly."""
        child, _ = runActivated("systemd:domain=INET:index=0", listenPID="1")
        try:
            _, err = child.communicate(timeout=20)
        finally:
            child.stdout and child.stdout.close()
            child.stderr and child.stderr.close()
        assert child.returncode != 0
        assert b"LISTEN_PID=1 is not this process" in err
