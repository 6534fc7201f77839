"""
UDP and multicast conformance over real loopback sockets, run against every
reactor: echo (IPv4 and IPv6), connected UDP and ICMP refusal, limits,
address checks, protocol start/stop, multicast groups and options.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from netframe.core import error
from netframe.core.address import IPv4Address, IPv6Address
from netframe.core.interfaces import (
    IListeningPort,
    IMulticastTransport,
    IReactorMulticast,
    IReactorSocket,
    IReactorUDP,
    IReactorUNIX,
    IReactorUNIXDatagram,
    IReadDescriptor,
    ISystemHandle,
    IUDPTransport,
)
from netframe.core.protocol import DatagramProtocol
from netframe.logger import capturedLogs

GROUP = "228.0.0.5"


class Recorder(DatagramProtocol):
    """Records datagrams and start/stop; optionally echoes and stops the runner."""

    noisy = False

    def __init__(self, echo: bool = False, stopAfter: int = 0, runner: Any = None) -> None:
        self.received: list[tuple[bytes, Any]] = []
        self.events: list[str] = []
        self.echo = echo
        self.stopAfter = stopAfter
        self.runner = runner

    def startProtocol(self) -> None:
        self.events.append("start")

    def stopProtocol(self) -> None:
        self.events.append("stop")

    def datagramReceived(self, datagram: bytes, addr: Any) -> None:
        self.received.append((datagram, addr))
        if self.echo:
            self.transport.write(datagram, addr)
        if self.stopAfter and len(self.received) >= self.stopAfter and self.runner:
            self.runner.stopSoon()


def udpFreePort(host: str = "127.0.0.1") -> int:
    """Return a UDP port number nothing is bound to (bound, then released)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
    return port


def stopWhen(reactor: Any, runner: Any, predicate: Any) -> None:
    """Poll C{predicate} every millisecond; stop the runner once it is true."""

    def check() -> None:
        if predicate():
            runner.stopSoon()
        else:
            reactor.callLater(0.001, check)

    reactor.callLater(0, check)


@pytest.fixture
def client() -> Iterator[socket.socket]:
    """A plain IPv4 UDP socket with a bounded receive timeout."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.bind(("127.0.0.1", 0))
    yield s
    s.close()


class UDPInterfaceTests:
    """The reactors and their ports provide the documented interfaces."""

    @pytest.mark.parametrize(
        "iface",
        [IReactorUDP, IReactorMulticast, IReactorUNIX, IReactorUNIXDatagram, IReactorSocket],
    )
    def test_reactorProvides(self, reactor: Any, iface: Any) -> None:
        """Every POSIX reactor provides the datagram, UNIX and adoption interfaces."""
        assert verifyObject(iface, reactor)

    def test_portProvides(self, reactor: Any) -> None:
        """A UDP port is an IListeningPort, IUDPTransport, ISystemHandle, IReadDescriptor."""
        port = reactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        for iface in (IListeningPort, IUDPTransport, ISystemHandle, IReadDescriptor):
            assert verifyObject(iface, port)
        port.stopListening()

    def test_multicastPortProvides(self, reactor: Any) -> None:
        """A multicast port is also an IMulticastTransport."""
        port = reactor.listenMulticast(0, Recorder())
        assert verifyObject(IMulticastTransport, port)
        assert verifyObject(IUDPTransport, port)
        port.stopListening()


class UDPEchoTests:
    """U1 and U6: a DatagramProtocol echoes what it receives."""

    def test_echoIPv4(self, reactor: Any, runner: Any, client: socket.socket) -> None:
        """A datagram sent to the port comes back; the protocol saw the sender's address."""
        server = Recorder(echo=True, stopAfter=1, runner=runner)
        port = reactor.listenUDP(0, server, interface="127.0.0.1")
        number = port.getHost().port
        client.sendto(b"x", ("127.0.0.1", number))
        runner.run()
        assert client.recvfrom(100) == (b"x", ("127.0.0.1", number))
        assert server.received == [(b"x", client.getsockname())]
        assert port.getHost() == IPv4Address("UDP", "127.0.0.1", number)

    def test_echoIPv6(self, reactor: Any, runner: Any, ipv6: None) -> None:
        """interface='::' gives an IPv6 socket that echoes over ::1."""
        server = Recorder(echo=True, stopAfter=1, runner=runner)
        port = reactor.listenUDP(0, server, interface="::")
        host = port.getHost()
        assert isinstance(host, IPv6Address) and host.type == "UDP"
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as c:
            c.settimeout(5)
            c.sendto(b"over six", ("::1", host.port))
            runner.run()
            data, addr = c.recvfrom(100)
        assert data == b"over six"
        assert addr[:2] == ("::1", host.port)
        assert server.received[0][1][0] == "::1"

    def test_manyDatagrams(self, reactor: Any, runner: Any, client: socket.socket) -> None:
        """Datagrams arriving together are all delivered, in order."""
        server = Recorder(stopAfter=50, runner=runner)
        number = reactor.listenUDP(0, server, interface="127.0.0.1").getHost().port
        for i in range(50):
            client.sendto(b"%d" % i, ("127.0.0.1", number))
        runner.run()
        assert [d for d, _ in server.received] == [b"%d" % i for i in range(50)]


class UDPProtocolLifecycleTests:
    """startProtocol, stopProtocol and stopListening."""

    def test_startAndStop(self, reactor: Any) -> None:
        """Listening starts the protocol; stopListening fires a Deferred and stops it."""
        proto = Recorder()
        port = reactor.listenUDP(0, proto, interface="127.0.0.1")
        assert proto.events == ["start"] and proto.transport is port
        fired: list[Any] = []
        port.stopListening().addCallback(fired.append)
        assert fired == [None]
        assert proto.events == ["start", "stop"]
        assert proto.transport is None
        assert port.fileno() == -1
        port.stopListening()
        assert proto.events == ["start", "stop"]

    def test_sharedProtocolStopsWithLastPort(self, reactor: Any) -> None:
        """A protocol on two ports starts once and stops when the last port closes."""
        proto = Recorder()
        first = reactor.listenUDP(0, proto, interface="127.0.0.1")
        proto.transport = None
        second = reactor.listenUDP(0, proto, interface="127.0.0.1")
        first.stopListening()
        assert proto.events == ["start"]
        second.stopListening()
        assert proto.events == ["start", "stop"]

    def test_descriptorsReleased(self, reactor: Any, fdCount: Any) -> None:
        """Opening and closing ports leaves the descriptor count where it was."""
        before = fdCount()
        ports = [reactor.listenUDP(0, Recorder(), interface="127.0.0.1") for _ in range(20)]
        assert fdCount() == before + 20
        for p in ports:
            p.stopListening()
        assert fdCount() == before

    def test_shutdownStopsProtocol(self, reactor: Any, runner: Any) -> None:
        """Stopping the reactor closes the port and stops its protocol."""
        proto = Recorder()
        port = reactor.listenUDP(0, proto, interface="127.0.0.1")
        reactor.callLater(0, runner.stopSoon)
        runner.run()
        assert proto.events == ["start", "stop"]
        assert port.fileno() == -1

    def test_datagramReceivedErrorLogged(
        self, reactor: Any, runner: Any, client: socket.socket
    ) -> None:
        """An exception in datagramReceived is logged once; later datagrams still arrive."""

        class Flaky(Recorder):
            def datagramReceived(self, datagram: bytes, addr: Any) -> None:
                super().datagramReceived(datagram, addr)
                if datagram == b"boom":
                    raise ValueError("boom")

        proto = Flaky(stopAfter=2, runner=runner)
        number = reactor.listenUDP(0, proto, interface="127.0.0.1").getHost().port
        client.sendto(b"boom", ("127.0.0.1", number))
        client.sendto(b"fine", ("127.0.0.1", number))
        with capturedLogs() as events:
            runner.run()
        failures = [e for e in events if "log_failure" in e]
        assert len(failures) == 1 and failures[0]["log_failure"].check(ValueError)
        assert [d for d, _ in proto.received] == [b"boom", b"fine"]

    def test_startProtocolStopsListening(self, reactor: Any) -> None:
        """A protocol may stop listening from startProtocol; the port is then closed."""

        class Quitter(Recorder):
            def startProtocol(self) -> None:
                super().startProtocol()
                self.transport.stopListening()

        proto = Quitter()
        port = reactor.listenUDP(0, proto, interface="127.0.0.1")
        assert proto.events == ["start", "stop"]
        assert port not in reactor.getReaders()


class UDPErrorTests:
    """Bad arguments get clear exceptions."""

    def test_writeHostnameRefused(self, reactor: Any) -> None:
        """write() to a host name raises InvalidAddressError instead of resolving it."""
        port = reactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        with pytest.raises(error.InvalidAddressError, match="localhost"):
            port.write(b"x", ("localhost", 9))
        port.stopListening()

    def test_connectHostnameRefused(self, reactor: Any) -> None:
        """connect() to a host name raises InvalidAddressError (a ValueError)."""
        port = reactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        with pytest.raises(ValueError, match=r"example\.com"):
            port.connect("example.com", 9)
        port.stopListening()

    def test_writeWithoutAddress(self, reactor: Any) -> None:
        """An unconnected port needs a destination."""
        port = reactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        with pytest.raises(ValueError, match="destination"):
            port.write(b"x")
        port.stopListening()

    def test_writeIPv4OnIPv6Port(self, reactor: Any, ipv6: None) -> None:
        """An IPv4 literal on an IPv6 port is refused clearly."""
        port = reactor.listenUDP(0, Recorder(), interface="::1")
        with pytest.raises(error.InvalidAddressError):
            port.write(b"x", ("127.0.0.1", 9))
        port.stopListening()

    def test_writeAfterClose(self, reactor: Any) -> None:
        """Writing to a closed port raises NotListeningError."""
        port = reactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        port.stopListening()
        with pytest.raises(error.NotListeningError):
            port.write(b"x", ("127.0.0.1", 9))

    def test_interfaceNotAnAddress(self, reactor: Any) -> None:
        """A host name as interface is a CannotListenError."""
        with pytest.raises(error.CannotListenError):
            reactor.listenUDP(0, Recorder(), interface="localhost")

    def test_portInUse(self, reactor: Any) -> None:
        """Binding a port already bound raises CannotListenError; the protocol never starts."""
        first = reactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        proto = Recorder()
        with pytest.raises(error.CannotListenError) as exc:
            reactor.listenUDP(first.getHost().port, proto, interface="127.0.0.1")
        assert exc.value.port == first.getHost().port
        assert proto.events == []
        first.stopListening()

    def test_notADatagramProtocol(self, reactor: Any) -> None:
        """Passing something that is not a datagram protocol raises TypeError."""
        from netframe.core.protocol import Factory

        with pytest.raises(TypeError, match="DatagramProtocol"):
            reactor.listenUDP(0, Factory(), interface="127.0.0.1")

    @pytest.mark.parametrize("size", [0, -1, 1.5])
    def test_badMaxPacketSize(self, reactor: Any, size: Any) -> None:
        """maxPacketSize must be a positive int."""
        with pytest.raises(ValueError, match="maxPacketSize"):
            reactor.listenUDP(0, Recorder(), interface="127.0.0.1", maxPacketSize=size)

    def test_broadcastFlag(self, reactor: Any) -> None:
        """setBroadcastAllowed toggles what getBroadcastAllowed reports."""
        port = reactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        assert port.getBroadcastAllowed() is False
        port.setBroadcastAllowed(True)
        assert port.getBroadcastAllowed() is True
        port.setBroadcastAllowed(False)
        assert port.getBroadcastAllowed() is False
        port.stopListening()


class UDPLimitTests:
    """Every limit at its value and one past it."""

    def test_messageLengthAtLimit(self, reactor: Any, runner: Any) -> None:
        """65507 bytes (the IPv4 UDP maximum) are sent and received whole."""
        server = Recorder(stopAfter=1, runner=runner)
        port = reactor.listenUDP(0, server, interface="127.0.0.1", maxPacketSize=65507)
        sender = reactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        sender.write(b"a" * 65507, ("127.0.0.1", port.getHost().port))
        runner.run()
        assert len(server.received[0][0]) == 65507

    def test_messageLengthPastLimit(self, reactor: Any) -> None:
        """65508 bytes raise MessageLengthError."""
        sender = reactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        with pytest.raises(error.MessageLengthError):
            sender.write(b"a" * 65508, ("127.0.0.1", 9))
        sender.stopListening()

    def test_maxPacketSize(self, reactor: Any, client: socket.socket) -> None:
        """A datagram of maxPacketSize bytes arrives whole; one byte more is truncated."""
        server = Recorder()
        port = reactor.listenUDP(0, server, interface="127.0.0.1", maxPacketSize=100)
        client.sendto(b"a" * 100, ("127.0.0.1", port.getHost().port))
        client.sendto(b"b" * 101, ("127.0.0.1", port.getHost().port))
        port.doRead()
        assert [d for d, _ in server.received] == [b"a" * 100, b"b" * 100]
        port.stopListening()

    def test_maxDatagramsPerRead(self, reactor: Any, client: socket.socket) -> None:
        """One readiness event reads maxDatagramsPerRead datagrams; the next one the rest."""
        server = Recorder()
        port = reactor.listenUDP(0, server, interface="127.0.0.1")
        port.maxDatagramsPerRead = 3
        for i in range(4):
            client.sendto(b"%d" % i, ("127.0.0.1", port.getHost().port))
        port.doRead()
        assert len(server.received) == 3
        port.doRead()
        assert len(server.received) == 4
        port.doRead()
        assert len(server.received) == 4
        port.stopListening()

    def test_defaultMaxDatagramsPerRead(self, reactor: Any) -> None:
        """The default bound is 256 datagrams per readiness event."""
        port = reactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        assert port.maxDatagramsPerRead == 256
        port.stopListening()


class ConnectedUDPTests:
    """U3: connected UDP sends without an address and hears ICMP refusals."""

    def test_connectionRefused(self, reactor: Any, runner: Any, capsys: Any) -> None:
        """Writing to a closed port on 127.0.0.1 calls connectionRefused ('No one listening')."""
        closed = udpFreePort()

        class Helloer(DatagramProtocol):
            noisy = False

            def startProtocol(self) -> None:
                self.transport.connect("127.0.0.1", closed)
                print(f"now we can only send to host 127.0.0.1 port {closed}")
                self.transport.write(b"hello")

            def connectionRefused(self) -> None:
                print("No one listening")
                runner.stopSoon()

        reactor.listenUDP(0, Helloer())
        runner.run()
        out = capsys.readouterr().out.splitlines()
        assert out == [f"now we can only send to host 127.0.0.1 port {closed}", "No one listening"]

    def test_connectedEcho(self, reactor: Any, runner: Any) -> None:
        """A connected port writes without an address and receives its peer's replies."""
        server = Recorder(echo=True)
        number = reactor.listenUDP(0, server, interface="127.0.0.1").getHost().port
        client = Recorder(stopAfter=1, runner=runner)
        port = reactor.listenUDP(0, client, interface="127.0.0.1")
        port.connect("127.0.0.1", number)
        port.write(b"ping")
        runner.run()
        assert client.received == [(b"ping", ("127.0.0.1", number))]

    def test_reconnectRaises(self, reactor: Any) -> None:
        """Connecting a connected port again raises RuntimeError."""
        port = reactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        port.connect("127.0.0.1", 9)
        with pytest.raises(RuntimeError, match="reconnecting"):
            port.connect("127.0.0.1", 10)
        port.stopListening()

    def test_connectedWriteElsewhere(self, reactor: Any) -> None:
        """A connected port refuses a different destination; its own peer is accepted."""
        port = reactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        port.connect("127.0.0.1", udpFreePort())
        with pytest.raises(ValueError, match="connected"):
            port.write(b"x", ("127.0.0.1", 1))
        port.write(b"x", port._connectedAddr)
        port.stopListening()


class MulticastTests:
    """U5 and the multicast controls (IPv4 on the loopback interface)."""

    def test_pingPong(self, reactor: Any, runner: Any, capsys: Any) -> None:
        """
        The client's group datagram reaches every member; the server answers it
        unicast.  (The client listens on its own port: with listenMultiple,
        unicast to a shared port may go to any of its sockets.)
        """
        groupPort = udpFreePort()

        class MulticastPingPong(DatagramProtocol):
            noisy = False

            def startProtocol(self) -> None:
                self.transport.setTTL(5)
                self.transport.joinGroup(GROUP, "127.0.0.1")

            def datagramReceived(self, datagram: bytes, address: Any) -> None:
                print(f"Server: Datagram {datagram!r} received from {address!r}")
                if datagram == b"Client: Ping":
                    self.transport.write(b"Server: Pong", address)

        class MulticastPingClient(DatagramProtocol):
            noisy = False

            def startProtocol(self) -> None:
                self.transport.setOutgoingInterface("127.0.0.1")
                self.transport.joinGroup(GROUP, "127.0.0.1")
                self.transport.write(b"Client: Ping", (GROUP, groupPort))

            def datagramReceived(self, datagram: bytes, address: Any) -> None:
                print(f"Client: Datagram {datagram!r} received from {address!r}")
                if datagram == b"Server: Pong":
                    runner.stopSoon()

        reactor.listenMulticast(groupPort, MulticastPingPong(), listenMultiple=True)
        clientPort = reactor.listenMulticast(0, MulticastPingClient())
        runner.run()
        clientAddress = ("127.0.0.1", clientPort.getHost().port)
        out = capsys.readouterr().out.splitlines()
        assert f"Server: Datagram b'Client: Ping' received from {clientAddress!r}" in out
        assert out[-1].startswith("Client: Datagram b'Server: Pong' received from ('127.0.0.1', ")

    def test_listenMultipleBothReceive(self, reactor: Any, runner: Any) -> None:
        """Two listenMultiple ports on one number both get a group datagram."""
        number = udpFreePort()
        first, second = Recorder(), Recorder()
        for proto in (first, second):
            p = reactor.listenMulticast(number, proto, listenMultiple=True)
            p.joinGroup(GROUP, "127.0.0.1")
        sender = reactor.listenMulticast(0, Recorder())
        sender.setOutgoingInterface("127.0.0.1")
        sender.write(b"all", (GROUP, number))
        stopWhen(reactor, runner, lambda: first.received and second.received)
        runner.run()
        assert first.received[0][0] == second.received[0][0] == b"all"

    def test_sameNumberWithoutListenMultiple(self, reactor: Any) -> None:
        """Without listenMultiple a second bind of the number fails."""
        first = reactor.listenMulticast(0, Recorder())
        with pytest.raises(error.CannotListenError):
            reactor.listenMulticast(first.getHost().port, Recorder())
        first.stopListening()

    def test_ownDatagramsLoopedBack(self, reactor: Any, runner: Any) -> None:
        """
        A member sending to its own group hears itself (loopback mode is on by
        default).  Turning it off cannot be observed on the loopback interface,
        which delivers every datagram it sends anyway.
        """
        number = udpFreePort()
        proto = Recorder(stopAfter=1, runner=runner)
        port = reactor.listenMulticast(number, proto)
        port.joinGroup(GROUP, "127.0.0.1")
        port.setOutgoingInterface("127.0.0.1")
        assert port.getLoopbackMode() is True
        port.write(b"myself", (GROUP, number))
        runner.run()
        assert proto.received == [(b"myself", ("127.0.0.1", number))]

    def test_options(self, reactor: Any) -> None:
        """TTL (default 1), loopback mode and outgoing interface round-trip."""
        port = reactor.listenMulticast(0, Recorder())
        assert port.getTTL() == 1
        port.setTTL(5)
        assert port.getTTL() == 5
        assert port.getLoopbackMode() is True
        port.setLoopbackMode(False)
        assert port.getLoopbackMode() is False
        assert port.getOutgoingInterface() == "0.0.0.0"
        results: list[Any] = []
        port.setOutgoingInterface("127.0.0.1").addCallback(results.append)
        assert results == [1]
        assert port.getOutgoingInterface() == "127.0.0.1"
        port.stopListening()

    @pytest.mark.parametrize("ttl", [0, 255])
    def test_ttlAtLimits(self, reactor: Any, ttl: int) -> None:
        """0 and 255 are valid TTLs."""
        port = reactor.listenMulticast(0, Recorder())
        port.setTTL(ttl)
        assert port.getTTL() == ttl
        port.stopListening()

    @pytest.mark.parametrize("ttl", [-1, 256, 1.0])
    def test_ttlPastLimits(self, reactor: Any, ttl: Any) -> None:
        """-1, 256 and non-ints raise ValueError."""
        port = reactor.listenMulticast(0, Recorder())
        with pytest.raises(ValueError, match="TTL"):
            port.setTTL(ttl)
        port.stopListening()

    def test_joinAndLeave(self, reactor: Any) -> None:
        """joinGroup and leaveGroup fire with None; leaving again fails with MulticastJoinError."""
        port = reactor.listenMulticast(0, Recorder())
        results: list[Any] = []
        port.joinGroup(GROUP, "127.0.0.1").addBoth(results.append)
        port.leaveGroup(GROUP, "127.0.0.1").addBoth(results.append)
        port.leaveGroup(GROUP, "127.0.0.1").addBoth(results.append)
        assert results[:2] == [None, None]
        assert results[2].check(error.MulticastJoinError)
        port.stopListening()

    def test_joinNonMulticastAddress(self, reactor: Any) -> None:
        """Joining a unicast address fails with MulticastJoinError naming it."""
        port = reactor.listenMulticast(0, Recorder())
        results: list[Any] = []
        port.joinGroup("127.0.0.1").addErrback(results.append)
        assert results[0].check(error.MulticastJoinError)
        assert "127.0.0.1" in str(results[0].value)
        port.stopListening()

    def test_ipv6Refused(self, reactor: Any) -> None:
        """Multicast ports are IPv4 only: an IPv6 interface is a CannotListenError."""
        with pytest.raises(error.CannotListenError, match="IPv4"):
            reactor.listenMulticast(0, Recorder(), interface="::")

    def test_alsoReceivesUnicast(self, reactor: Any, runner: Any, client: socket.socket) -> None:
        """A multicast port receives unicast datagrams too."""
        proto = Recorder(stopAfter=1, runner=runner)
        port = reactor.listenMulticast(0, proto)
        client.sendto(b"direct", ("127.0.0.1", port.getHost().port))
        runner.run()
        assert proto.received[0][0] == b"direct"
