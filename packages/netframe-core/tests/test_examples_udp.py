"""
The UDP examples of SCOPE.md §3.3 (U1, U2, U3, U5, U6) as real programs:
each runs in a child process on the global reactor, is driven by a raw
socket (or a second example process), and its documented output is checked.
Ports are chosen by the system and printed, instead of the fixed 9999/8005/
8006, so runs never collide; every child is bounded by a timeout.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

#: Seconds any child example may run.
CHILD_SECONDS = 20


def _hasIPv6() -> bool:
    """Return True if ::1 can be bound."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


def start(source: str, *args: str) -> subprocess.Popen[str]:
    """Run C{source} (dedented, LIMIT = CHILD_SECONDS) in a child Python, text stdout piped."""
    program = textwrap.dedent(source).replace("LIMIT", str(CHILD_SECONDS))
    return subprocess.Popen(
        [sys.executable, "-c", program, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(child: subprocess.Popen[str]) -> str:
    """Stop C{child} (SIGTERM stops its reactor) and return its remaining output."""
    if child.poll() is None:
        child.terminate()
    try:
        out, err = child.communicate(timeout=CHILD_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
    assert "Traceback" not in err, err
    return out


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen[str]]]:
    """Children started by a test; any still running are killed afterwards."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for child in started:
        if child.poll() is None:
            child.kill()
            child.communicate()


def firstLine(child: subprocess.Popen[str]) -> str:
    """Read one line of the child's output."""
    assert child.stdout is not None
    return child.stdout.readline().strip()


U1 = """
    from netframe.core.protocol import DatagramProtocol
    from netframe.core import reactor

    class Echo(DatagramProtocol):
        def datagramReceived(self, data, addr):
            host, port = addr
            print("received %r from %s:%d" % (data, host, port), flush=True)
            self.transport.write(data, (host, port))

    port = reactor.listenUDP(0, Echo(), interface="127.0.0.1")
    print(port.getHost().port, flush=True)
    reactor.callLater(LIMIT, reactor.stop)
    reactor.run()
"""

U2 = """
    import socket

    from netframe.core.protocol import DatagramProtocol
    from netframe.core import reactor

    class Echo(DatagramProtocol):
        def datagramReceived(self, data, addr):
            host, port = addr
            print("received %r from %s:%d" % (data, host, port), flush=True)
            self.transport.write(data, (host, port))

    portSocket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # Make the port non-blocking and start it listening.
    portSocket.setblocking(False)
    portSocket.bind(("127.0.0.1", 0))
    print(portSocket.getsockname()[1], flush=True)

    # Now pass the port file descriptor to the reactor
    port = reactor.adoptDatagramPort(portSocket.fileno(), socket.AF_INET, Echo())

    # The portSocket should be cleaned up by the process that creates it.
    portSocket.close()

    reactor.callLater(LIMIT, reactor.stop)
    reactor.run()
"""

U3 = """
    import sys

    from netframe.core.protocol import DatagramProtocol
    from netframe.core import reactor

    class Helloer(DatagramProtocol):
        def startProtocol(self):
            host = "127.0.0.1"
            port = int(sys.argv[1])

            self.transport.connect(host, port)
            print("now we can only send to host %s port %d" % (host, port), flush=True)
            self.transport.write(b"hello")  # no need for address

        def datagramReceived(self, data, addr):
            host, port = addr
            print("received %r from %s:%d" % (data, host, port), flush=True)

        # Possibly invoked if there is no server listening on the
        # address to which we are sending.
        def connectionRefused(self):
            print("No one listening", flush=True)
            reactor.stop()

    # 0 means any port, we don't care in this case
    reactor.listenUDP(0, Helloer())
    reactor.callLater(LIMIT, reactor.stop)
    reactor.run()
"""

U5_SERVER = """
    import sys

    from netframe.core.protocol import DatagramProtocol
    from netframe.core import reactor

    class MulticastPingPong(DatagramProtocol):
        def startProtocol(self):
            # Set the TTL>1 so multicast will cross router hops:
            self.transport.setTTL(5)
            # Join a specific multicast group (on the loopback interface here):
            self.transport.joinGroup("228.0.0.5", "127.0.0.1")
            print("joined", flush=True)

        def datagramReceived(self, datagram, address):
            print("Datagram %s received from %s" % (repr(datagram), repr(address)), flush=True)
            if datagram == b"Client: Ping":
                # Rather than replying to the group multicast address, we send the
                # reply directly (unicast) to the originating port:
                self.transport.write(b"Server: Pong", address)

    reactor.listenMulticast(int(sys.argv[1]), MulticastPingPong(), listenMultiple=True)
    reactor.callLater(LIMIT, reactor.stop)
    reactor.run()
"""

U5_CLIENT = """
    import sys

    from netframe.core.protocol import DatagramProtocol
    from netframe.core import reactor

    class MulticastPingClient(DatagramProtocol):
        def startProtocol(self):
            # Join the multicast address, so we can receive replies:
            self.transport.setOutgoingInterface("127.0.0.1")
            self.transport.joinGroup("228.0.0.5", "127.0.0.1")
            # Send to 228.0.0.5:PORT - all listeners on the multicast address
            # (including us) will receive this message.
            self.transport.write(b"Client: Ping", ("228.0.0.5", int(sys.argv[1])))

        def datagramReceived(self, datagram, address):
            print("Datagram %s received from %s" % (repr(datagram), repr(address)), flush=True)
            if datagram == b"Server: Pong":
                reactor.stop()

    # Our own port (not the group's): unicast replies then reach only us.
    reactor.listenMulticast(0, MulticastPingClient())
    reactor.callLater(LIMIT, reactor.stop)
    reactor.run()
"""

U6 = """
    from netframe.core.protocol import DatagramProtocol
    from netframe.core import reactor

    class Echo(DatagramProtocol):
        def datagramReceived(self, data, addr):
            print("received %r from %s" % (data, addr[:2]), flush=True)
            self.transport.write(data, addr)

    port = reactor.listenUDP(0, Echo(), interface="::")
    print(port.getHost().port, flush=True)
    reactor.callLater(LIMIT, reactor.stop)
    reactor.run()
"""


def freeUDPPort() -> int:
    """Return a UDP port on 127.0.0.1 that nothing is bound to."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


class UDPExampleTests:
    """The UDP examples behave as their documentation says."""

    @pytest.mark.parametrize("source", [U1, U2], ids=["U1-listenUDP", "U2-adoptDatagramPort"])
    def test_echo(self, children: list[subprocess.Popen[str]], source: str) -> None:
        """A datagram comes back unchanged; the server prints `received b'x' from host:port`."""
        child = start(source)
        children.append(child)
        number = int(firstLine(child))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as c:
            c.settimeout(CHILD_SECONDS)
            c.bind(("127.0.0.1", 0))
            c.sendto(b"x", ("127.0.0.1", number))
            assert c.recvfrom(100) == (b"x", ("127.0.0.1", number))
            assert firstLine(child) == f"received b'x' from 127.0.0.1:{c.getsockname()[1]}"
        finish(child)

    def test_connectedRefused(self, children: list[subprocess.Popen[str]]) -> None:
        """U3: hello to a closed port on 127.0.0.1 prints `No one listening`."""
        closed = freeUDPPort()
        child = start(U3, str(closed))
        children.append(child)
        out = finishAfterExit(child)
        assert out.splitlines() == [
            f"now we can only send to host 127.0.0.1 port {closed}",
            "No one listening",
        ]

    def test_multicastPingPong(self, children: list[subprocess.Popen[str]]) -> None:
        """
        U5: the client's `Client: Ping` reaches the server, which answers
        `Server: Pong` unicast.  The client binds its own port rather than the
        group's: with listenMultiple, a unicast reply to a shared port may be
        delivered to any socket bound to it, so the documented setup is racy.
        """
        groupPort = freeUDPPort()
        server = start(U5_SERVER, str(groupPort))
        children.append(server)
        assert firstLine(server) == "joined"
        client = start(U5_CLIENT, str(groupPort))
        children.append(client)
        clientOut = finishAfterExit(client).splitlines()
        assert clientOut[-1].startswith("Datagram b'Server: Pong' received from ('127.0.0.1', ")
        assert firstLine(server).startswith("Datagram b'Client: Ping' received from ('127.0.0.1', ")
        finish(server)

    def test_ipv6Echo(self, children: list[subprocess.Popen[str]]) -> None:
        """U6: interface='::' echoes over the IPv6 loopback."""
        assert _hasIPv6(), "IPv6 loopback (::1) is not available on this machine"
        child = start(U6)
        children.append(child)
        number = int(firstLine(child))
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as c:
            c.settimeout(CHILD_SECONDS)
            c.bind(("::1", 0))
            c.sendto(b"six", ("::1", number))
            data, addr = c.recvfrom(100)
            assert (data, addr[:2]) == (b"six", ("::1", number))
            assert firstLine(child) == f"received b'six' from ('::1', {c.getsockname()[1]})"
        finish(child)


def finishAfterExit(child: subprocess.Popen[str]) -> str:
    """Wait (bounded) for C{child} to stop by itself and return its output."""
    try:
        out, err = child.communicate(timeout=CHILD_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        pytest.fail("example did not stop by itself")
    assert child.returncode == 0, err
    return out
