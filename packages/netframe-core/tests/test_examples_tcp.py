"""
The "Writing Servers" and "Writing Clients" examples (SCOPE.md section 3.1,
C1-C13; seed lines L51-447) as acceptance tests.

Each example's code is ported to Python 3 (bytes on transports, ``print()``,
``dict.items()``) and otherwise kept as documented.  Every test runs on its own
L{EPollReactor} instance (never the global reactor) over real loopback
sockets, with ports chosen by the system (port 0) and passed on.  The peer is
real: for servers a raw ``socket`` client in a thread (``nc`` where
installed, for the read-to-EOF examples), for clients a raw ``socket`` server
in a thread.  A watchdog stops the reactor and fails the test if it runs
longer than L{WATCHDOG} seconds; peer sockets time out after the same period.
"""

from __future__ import annotations

import itertools
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from netframe.core import error
from netframe.core.endpoints import TCP4ClientEndpoint, TCP4ServerEndpoint, connectProtocol
from netframe.core.epollreactor import EPollReactor
from netframe.core.protocol import (
    ClientCreator,
    ClientFactory,
    Factory,
    Protocol,
    ReconnectingClientFactory,
    connectionDone,
)
from netframe.core.protocols.basic import LineReceiver

#: Seconds an example may run before the watchdog fails it.
WATCHDOG = 10.0


class Harness:
    """
    An EPollReactor with a watchdog, plus peer threads whose failures fail the test.

    @ivar reactor: the reactor under test.
    """

    def __init__(self) -> None:
        """Create the reactor."""
        self.reactor = EPollReactor()
        self._threads: list[threading.Thread] = []
        self._errors: list[BaseException] = []
        self.timedOut = False

    def peer(self, fn: Callable[[], None], stopWhenDone: bool = True) -> None:
        """
        Run C{fn} in a thread once the reactor runs; then stop the reactor.

        An exception in C{fn} is re-raised by L{run}.
        """

        def target() -> None:
            try:
                fn()
            except BaseException as e:
                self._errors.append(e)
                self.reactor.callFromThread(self.stop)
            else:
                if stopWhenDone:
                    self.reactor.callFromThread(self.stop)

        thread = threading.Thread(target=target, daemon=True)
        self._threads.append(thread)
        self.reactor.callWhenRunning(thread.start)

    def stop(self) -> None:
        """Stop the reactor unless it is already stopping."""
        try:
            self.reactor.stop()
        except error.ReactorNotRunning:
            pass

    def run(self) -> None:
        """
        Run the reactor until stopped; re-raise a peer's failure.

        @raise pytest.fail.Exception: If the watchdog had to stop it.
        """

        def watchdog() -> None:
            self.timedOut = True
            self.stop()

        call = self.reactor.callLater(WATCHDOG, watchdog)
        self.reactor.run(installSignalHandlers=False)
        if call.active():
            call.cancel()
        for thread in self._threads:
            thread.join(WATCHDOG)
        if self._errors:
            raise self._errors[0]
        if self.timedOut:
            pytest.fail(f"example did not finish within {WATCHDOG}s")

    def close(self) -> None:
        """Release the reactor's descriptors."""
        self.reactor.disconnectAll()
        self.reactor._close()


@pytest.fixture
def harness() -> Iterator[Harness]:
    """A fresh L{Harness}, closed after the test."""
    h = Harness()
    yield h
    h.close()


def connectClient(port: int) -> socket.socket:
    """Return a blocking loopback client socket with the watchdog timeout."""
    s = socket.create_connection(("127.0.0.1", port), timeout=WATCHDOG)
    s.settimeout(WATCHDOG)
    return s


def readToEOF(s: socket.socket) -> bytes:
    """Read from C{s} until the peer closes."""
    chunks: list[bytes] = []
    while True:
        data = s.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


def readExactly(s: socket.socket, n: int) -> bytes:
    """
    Read exactly C{n} bytes from C{s}.

    @raise EOFError: If the peer closes first.
    """
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError(f"peer closed after {data!r}")
        data += chunk
    return data


def fetchToEOF(port: int) -> bytes:
    """
    Connect, send nothing, and return everything until the server closes.

    Uses ``nc`` when installed (the documented way to try these servers),
    else a Python socket client.
    """
    nc = shutil.which("nc")
    if nc is not None:
        result = subprocess.run(
            [nc, "127.0.0.1", str(port)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=WATCHDOG,
            check=False,
        )
        return result.stdout
    with connectClient(port) as s:
        return readToEOF(s)


class LineClient:
    """A blocking line-oriented client (what a telnet user does by hand)."""

    def __init__(self, port: int) -> None:
        """Connect to the loopback C{port}."""
        self.sock = connectClient(port)
        self._file = self.sock.makefile("rb")

    def readLine(self) -> bytes:
        """
        Return the next line, without its CRLF.

        @raise EOFError: If the server closed first.
        """
        line = self._file.readline()
        if not line.endswith(b"\r\n"):
            raise EOFError(f"connection closed before a full line (got {line!r})")
        return line[:-2]

    def sendLine(self, line: bytes) -> None:
        """Send C{line} with CRLF."""
        self.sock.sendall(line + b"\r\n")

    def close(self) -> None:
        """Close the connection."""
        self._file.close()
        self.sock.close()


class OneShotServer:
    """
    A raw loopback server in a thread, for the client examples.

    @ivar port: the port it listens on (system chosen).
    """

    def __init__(self) -> None:
        """Bind and listen on a system-chosen loopback port."""
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(WATCHDOG)
        self.port: int = self.sock.getsockname()[1]

    def accept(self) -> socket.socket:
        """Accept one connection (with the watchdog timeout)."""
        conn, _ = self.sock.accept()
        conn.settimeout(WATCHDOG)
        return conn

    def close(self) -> None:
        """Stop listening."""
        self.sock.close()


def unusedPort() -> int:
    """Return a loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


# -- C1-C7: servers ----------------------------------------------------------


class Echo(Protocol):
    """C1 (L51-56): echo whatever is received."""

    transport: Any

    def dataReceived(self, data: bytes) -> None:
        self.transport.write(data)


class EchoServerTests:
    """C1: the Echo protocol."""

    def test_bytesSentAreEchoedBack(self, harness: Harness) -> None:
        """Bytes sent in several writes come back unchanged."""
        port = harness.reactor.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")
        received: list[bytes] = []

        def client() -> None:
            with connectClient(port.getHost().port) as s:
                for chunk in (b"hello ", b"world", b"\x00\xff" * 1000):
                    s.sendall(chunk)
                    received.append(readExactly(s, len(chunk)))

        harness.peer(client)
        harness.run()
        assert received == [b"hello ", b"world", b"\x00\xff" * 1000]


class QOTD(Protocol):
    """C2 (L60-66): send a quote, then close."""

    transport: Any

    def connectionMade(self) -> None:
        self.transport.write(b"An apple a day keeps the doctor away\r\n")
        self.transport.loseConnection()


class QOTDFactory(Factory):
    """C2 (L105-116): a factory overriding buildProtocol."""

    def buildProtocol(self, addr: Any) -> QOTD:
        return QOTD()


class QOTDEndpointTests:
    """C2: QOTD served through TCP4ServerEndpoint."""

    def test_quoteThenEOF(self, harness: Harness) -> None:
        """A client receives the quote and CRLF, then the connection closes."""
        endpoint = TCP4ServerEndpoint(harness.reactor, 0, interface="127.0.0.1")
        ports: list[Any] = []
        endpoint.listen(QOTDFactory()).addCallback(ports.append)
        assert len(ports) == 1
        received: list[bytes] = []
        harness.peer(lambda: received.append(fetchToEOF(ports[0].getHost().port)))
        harness.run()
        assert received == [b"An apple a day keeps the doctor away\r\n"]


class CountingEcho(Protocol):
    """C3 (L72-89): echo with a shared count of open connections."""

    transport: Any
    factory: CountingFactory

    def __init__(self, factory: CountingFactory) -> None:
        self.factory = factory

    def connectionMade(self) -> None:
        self.factory.numProtocols = self.factory.numProtocols + 1
        self.transport.write(
            b"Welcome! There are currently %d open connections.\n" % (self.factory.numProtocols,)
        )

    def connectionLost(self, reason: Any = connectionDone) -> None:
        self.factory.numProtocols = self.factory.numProtocols - 1
        # Test instrumentation: let the client thread know the server noticed.
        self.factory.lost.release()

    def dataReceived(self, data: bytes) -> None:
        self.transport.write(data)


class CountingFactory(Factory):
    """The glue C3 needs: a factory passing itself to the protocol."""

    def __init__(self) -> None:
        self.numProtocols = 0
        self.lost = threading.Semaphore(0)

    def buildProtocol(self, addr: Any) -> CountingEcho:
        return CountingEcho(self)


class OpenConnectionCounterTests:
    """C3: the welcome line counts open connections."""

    def test_countGoesUpAndDown(self, harness: Harness) -> None:
        """Each client is told the open count; it drops when a client leaves."""
        factory = CountingFactory()
        port = harness.reactor.listenTCP(0, factory, interface="127.0.0.1").getHost().port
        welcomes: list[bytes] = []
        echoed: list[bytes] = []

        def welcome(c: LineClient) -> None:
            welcomes.append(c._file.readline())

        def client() -> None:
            one, two = LineClient(port), LineClient(port)
            welcome(one)
            welcome(two)
            one.close()
            assert factory.lost.acquire(timeout=WATCHDOG)
            three = LineClient(port)
            welcome(three)
            three.sock.sendall(b"still echoing\n")
            echoed.append(three._file.readline())
            two.close()
            three.close()
            assert factory.lost.acquire(timeout=WATCHDOG)
            assert factory.lost.acquire(timeout=WATCHDOG)
            four = LineClient(port)
            welcome(four)
            four.close()
            assert factory.lost.acquire(timeout=WATCHDOG)

        harness.peer(client)
        harness.run()
        assert welcomes == [
            b"Welcome! There are currently %d open connections.\n" % n for n in (1, 2, 2, 1)
        ]
        assert echoed == [b"still echoing\n"]
        assert factory.numProtocols == 0


class Answer(LineReceiver):
    """C4 (L134-144): answer one known question."""

    answers = {b"How are you?": b"Fine", None: b"I don't know what you mean"}

    def lineReceived(self, line: bytes) -> None:
        if line in self.answers:
            self.sendLine(self.answers[line])
        else:
            self.sendLine(self.answers[None])


class AnswerTests:
    """C4: a LineReceiver answering lines."""

    def test_knownAndUnknownQuestions(self, harness: Harness) -> None:
        """'How are you?' gets 'Fine'; anything else gets the default answer."""
        port = harness.reactor.listenTCP(0, Factory.forProtocol(Answer), interface="127.0.0.1")
        replies: list[bytes] = []

        def client() -> None:
            c = LineClient(port.getHost().port)
            # Two questions in one packet, the third split across packets.
            c.sock.sendall(b"How are you?\r\nWhat?\r\nHow are")
            c.sock.sendall(b" you?\r\n")
            replies.extend(c.readLine() for _ in range(3))
            c.close()

        harness.peer(client)
        harness.run()
        assert replies == [b"Fine", b"I don't know what you mean", b"Fine"]


class ConfigurableQOTD(Protocol):
    """C5 (L161-170): the quote comes from the factory."""

    transport: Any
    factory: ConfigurableQOTDFactory

    def connectionMade(self) -> None:
        # self.factory was set by the factory's default buildProtocol:
        self.transport.write(self.factory.quote + b"\r\n")
        self.transport.loseConnection()


class ConfigurableQOTDFactory(Factory):
    """C5 (L173-179): the default buildProtocol builds C{protocol}."""

    protocol = ConfigurableQOTD

    def __init__(self, quote: bytes | None = None) -> None:
        self.quote = quote or b"An apple a day keeps the doctor away"


class ConfigurableQuoteTests:
    """C5: Factory.protocol and the factory attribute set by buildProtocol."""

    @pytest.mark.parametrize(
        "quote,expected",
        [
            (b"configurable quote", b"configurable quote\r\n"),
            (None, b"An apple a day keeps the doctor away\r\n"),
        ],
    )
    def test_quoteFromFactory(self, harness: Harness, quote: bytes | None, expected: bytes) -> None:
        """The connection receives the factory's quote, then closes."""
        endpoint = TCP4ServerEndpoint(harness.reactor, 0, interface="127.0.0.1")
        ports: list[Any] = []
        endpoint.listen(ConfigurableQOTDFactory(quote)).addCallback(ports.append)
        received: list[bytes] = []
        harness.peer(lambda: received.append(fetchToEOF(ports[0].getHost().port)))
        harness.run()
        assert received == [expected]


class LoggingProtocol(LineReceiver):
    """C6 (L193-197): append each line to the factory's file."""

    factory: LogfileFactory

    def lineReceived(self, line: bytes) -> None:
        self.factory.fp.write(line + b"\n")


class LogfileFactory(Factory):
    """C6 (L200-214): open the file on start, close it on stop."""

    protocol = LoggingProtocol

    def __init__(self, fileName: Path) -> None:
        self.file = fileName

    def startFactory(self) -> None:
        self.fp = open(self.file, "ab")  # noqa: SIM115 - closed by stopFactory, as documented

    def stopFactory(self) -> None:
        self.fp.close()


class LogfileFactoryTests:
    """C6: startFactory/stopFactory bracket the listening port."""

    def test_linesAppendedFileClosedOnStop(self, harness: Harness, tmp_path: Path) -> None:
        """The file opens on listen, gets each line, and closes when the port stops."""
        path = tmp_path / "lines.log"
        path.write_bytes(b"earlier\n")
        factory = LogfileFactory(path)
        port = harness.reactor.listenTCP(0, factory, interface="127.0.0.1")
        assert not factory.fp.closed
        openWhileServing: list[bool] = []

        def client() -> None:
            with connectClient(port.getHost().port) as s:
                s.sendall(b"first line\r\nsecond ")
                s.sendall(b"line\r\n")
                s.shutdown(socket.SHUT_WR)
                # The server closes once it has read our EOF (after the lines).
                assert readToEOF(s) == b""

        def stopListening() -> None:
            openWhileServing.append(not factory.fp.closed)
            port.stopListening()
            harness.stop()

        def clientThenStop() -> None:
            client()
            harness.reactor.callFromThread(stopListening)

        harness.peer(clientThenStop, stopWhenDone=False)
        harness.run()
        factory = factory  # stopFactory closed factory.fp: drop mypy's narrowing (mypy issue 11969)
        assert openWhileServing == [True]
        assert factory.fp.closed
        assert path.read_bytes() == b"earlier\nfirst line\nsecond line\n"


class Chat(LineReceiver):
    """C7 (L219-260): chat.py's per-connection state machine."""

    def __init__(self, users: dict[bytes, Chat]) -> None:
        self.users = users
        self.name: bytes | None = None
        self.state = "GETNAME"

    def connectionMade(self) -> None:
        self.sendLine(b"What's your name?")

    def connectionLost(self, reason: Any = connectionDone) -> None:
        if self.name in self.users:
            del self.users[self.name]

    def lineReceived(self, line: bytes) -> None:
        if self.state == "GETNAME":
            self.handle_GETNAME(line)
        else:
            self.handle_CHAT(line)

    def handle_GETNAME(self, name: bytes) -> None:
        if name in self.users:
            self.sendLine(b"Name taken, please choose another.")
            return
        self.sendLine(b"Welcome, %s!" % (name,))
        self.name = name
        self.users[name] = self
        self.state = "CHAT"

    def handle_CHAT(self, message: bytes) -> None:
        message = b"<%s> %s" % (self.name, message)
        for _name, protocol in self.users.items():
            if protocol != self:
                protocol.sendLine(message)


class ChatFactory(Factory):
    """C7 (L263-268): the users dict shared by every connection."""

    def __init__(self) -> None:
        self.users: dict[bytes, Chat] = {}  # maps user names to Chat instances

    def buildProtocol(self, addr: Any) -> Chat:
        return Chat(self.users)


class ChatTests:
    """C7: chat.py and its transcript (L277-290)."""

    def test_transcript(self, harness: Harness) -> None:
        """Names are asked, taken names refused, and messages reach the other users."""
        factory = ChatFactory()
        port = harness.reactor.listenTCP(0, factory, interface="127.0.0.1").getHost().port
        bobSaw: list[bytes] = []
        aliceSaw: list[bytes] = []
        carrolSaw: list[bytes] = []

        def session() -> None:
            alice, bob, carrol = LineClient(port), LineClient(port), LineClient(port)
            for c in (alice, bob, carrol):
                assert c.readLine() == b"What's your name?"
            alice.sendLine(b"alice")
            assert alice.readLine() == b"Welcome, alice!"
            carrol.sendLine(b"carrol")
            assert carrol.readLine() == b"Welcome, carrol!"
            bob.sendLine(b"alice")
            bobSaw.append(bob.readLine())
            bob.sendLine(b"bob")
            bobSaw.append(bob.readLine())
            bob.sendLine(b"hello")
            aliceSaw.append(alice.readLine())
            carrolSaw.append(carrol.readLine())
            alice.sendLine(b"hi bob")
            bobSaw.append(bob.readLine())
            carrolSaw.append(carrol.readLine())
            # One speaker at a time, so every listener sees a fixed order.
            bob.sendLine(b"twisted makes writing servers so easy!")
            aliceSaw.append(alice.readLine())
            carrolSaw.append(carrol.readLine())
            alice.sendLine(b"I couldn't agree more")
            bobSaw.append(bob.readLine())
            carrolSaw.append(carrol.readLine())
            carrol.sendLine(b"yeah, it's great")
            bobSaw.append(bob.readLine())
            aliceSaw.append(alice.readLine())
            # bob leaves: his name becomes free again.
            bob.close()
            while True:
                newcomer = LineClient(port)
                assert newcomer.readLine() == b"What's your name?"
                newcomer.sendLine(b"bob")
                answer = newcomer.readLine()
                newcomer.close()
                if answer == b"Welcome, bob!":
                    break
                # The server has not seen bob's close yet: ask again.
                assert answer == b"Name taken, please choose another."
            alice.close()
            carrol.close()

        harness.peer(session)
        harness.run()
        assert bobSaw == [
            b"Name taken, please choose another.",
            b"Welcome, bob!",
            b"<alice> hi bob",
            b"<alice> I couldn't agree more",
            b"<carrol> yeah, it's great",
        ]
        assert aliceSaw == [
            b"<bob> hello",
            b"<bob> twisted makes writing servers so easy!",
            b"<carrol> yeah, it's great",
        ]
        assert carrolSaw == [
            b"<bob> hello",
            b"<alice> hi bob",
            b"<bob> twisted makes writing servers so easy!",
            b"<alice> I couldn't agree more",
        ]


# -- C8-C13: clients ----------------------------------------------------------


class StdoutEcho(Protocol):
    """C8 (L308-311): write whatever arrives to standard output."""

    def dataReceived(self, data: bytes) -> None:
        sys.stdout.write(data.decode())


class WelcomeMessage(Protocol):
    """C8 (L317-322): greet the server, then close."""

    transport: Any

    def connectionMade(self) -> None:
        self.transport.write(b"Hello server, I am the client!\r\n")
        self.transport.loseConnection()


class SimpleClientTests:
    """C8: the two simple client protocols against a raw server."""

    def test_welcomeMessageThenEOF(self, harness: Harness) -> None:
        """The server receives the greeting, then EOF."""
        server = OneShotServer()
        received: list[bytes] = []

        def serve() -> None:
            conn = server.accept()
            with conn:
                received.append(readToEOF(conn))
            server.close()

        harness.reactor.connectTCP(
            "127.0.0.1", server.port, ClientFactory.forProtocol(WelcomeMessage)
        )
        harness.peer(serve)
        harness.run()
        assert received == [b"Hello server, I am the client!\r\n"]

    def test_serverDataOnStdout(self, harness: Harness, capsys: pytest.CaptureFixture[str]) -> None:
        """What the server sends appears on standard output."""
        server = OneShotServer()

        def serve() -> None:
            conn = server.accept()
            with conn:
                conn.sendall(b"first part, ")
                conn.sendall(b"second part\n")
            server.close()

        lost: list[Any] = []

        class Recording(ClientFactory):
            protocol = StdoutEcho

            def clientConnectionLost(self, connector: Any, reason: Any) -> None:
                lost.append(reason)
                harness.stop()

        harness.reactor.connectTCP("127.0.0.1", server.port, Recording())
        harness.peer(serve, stopWhenDone=False)
        harness.run()
        assert capsys.readouterr().out == "first part, second part\n"
        assert lost[0].check(error.ConnectionDone)


class Greeter(Protocol):
    """C9 (L332-335): send MESSAGE lines on request."""

    transport: Any

    def sendMessage(self, msg: bytes) -> None:
        self.transport.write(b"MESSAGE %s\n" % msg)


def recordUntilEOF(server: OneShotServer, chunks: list[bytes]) -> None:
    """Accept one connection and record each received chunk until EOF."""
    conn = server.accept()
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            chunks.append(data)
    server.close()


#: C9/C10 delays, shortened from the documented 1 s and 2 s.
FIRST_DELAY, CLOSE_DELAY = 0.05, 0.1


def greeterScript(reactor: Any, p: Greeter) -> None:
    """C9's gotProtocol with the delays shortened (see the test docstrings)."""
    p.sendMessage(b"Hello")
    reactor.callLater(FIRST_DELAY, p.sendMessage, b"This is sent in a second")
    reactor.callLater(CLOSE_DELAY, p.transport.loseConnection)


class GreeterTests:
    """C9 and C10: single-use clients."""

    def test_connectProtocol(self, harness: Harness) -> None:
        """
        C9: over TCP4ClientEndpoint + connectProtocol the server gets both
        messages in order, then EOF.

        The documented 1 s and 2 s delays are shortened to FIRST_DELAY and
        CLOSE_DELAY: the test checks the order and content of what arrives and
        that the close comes after the delayed message, not the wall-clock gaps.
        """
        server = OneShotServer()
        chunks: list[bytes] = []
        point = TCP4ClientEndpoint(harness.reactor, "localhost", server.port)
        d = connectProtocol(point, Greeter())
        d.addCallback(lambda p: greeterScript(harness.reactor, p))
        harness.peer(lambda: recordUntilEOF(server, chunks))
        harness.run()
        assert chunks[0].startswith(b"MESSAGE Hello\n")
        assert b"".join(chunks) == b"MESSAGE Hello\nMESSAGE This is sent in a second\n"

    def test_clientCreator(self, harness: Harness) -> None:
        """
        C10: ClientCreator(reactor, Greeter).connectTCP behaves as C9.

        Same shortened delays as C9 (FIRST_DELAY, CLOSE_DELAY).
        """
        server = OneShotServer()
        chunks: list[bytes] = []
        creator = ClientCreator(harness.reactor, Greeter)
        d = creator.connectTCP("localhost", server.port)
        d.addCallback(lambda p: greeterScript(harness.reactor, p))
        harness.peer(lambda: recordUntilEOF(server, chunks))
        harness.run()
        assert chunks[0].startswith(b"MESSAGE Hello\n")
        assert b"".join(chunks) == b"MESSAGE Hello\nMESSAGE This is sent in a second\n"


class EchoClientFactory(ClientFactory):
    """C11 (L373-392): a ClientFactory reporting its connection states."""

    def startedConnecting(self, connector: Any) -> None:
        print("Started to connect.")

    def buildProtocol(self, addr: Any) -> StdoutEcho:
        print("Connected.")
        return StdoutEcho()

    def clientConnectionLost(self, connector: Any, reason: Any) -> None:
        print("Lost connection.  Reason:", reason)

    def clientConnectionFailed(self, connector: Any, reason: Any) -> None:
        print("Connection failed. Reason:", reason)


class ClientFactoryTests:
    """C11: ClientFactory callbacks with reactor.connectTCP."""

    def test_connectedThenLost(self, harness: Harness, capsys: pytest.CaptureFixture[str]) -> None:
        """Started, Connected, the server's data, then Lost with ConnectionDone."""
        server = OneShotServer()

        def serve() -> None:
            conn = server.accept()
            with conn:
                conn.sendall(b"bye\n")
            server.close()

        class Stopping(EchoClientFactory):
            def clientConnectionLost(self, connector: Any, reason: Any) -> None:
                super().clientConnectionLost(connector, reason)
                harness.stop()

        harness.reactor.connectTCP("127.0.0.1", server.port, Stopping())
        harness.peer(serve, stopWhenDone=False)
        harness.run()
        out = capsys.readouterr().out.splitlines()
        assert out[:3] == ["Started to connect.", "Connected.", "bye"]
        assert out[3].startswith("Lost connection.  Reason: [Failure instance")
        assert "ConnectionDone" in "\n".join(out[3:])

    def test_refusedConnectionFails(
        self, harness: Harness, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Against a closed port: Started, then 'Connection failed.' with the refusal."""

        class Stopping(EchoClientFactory):
            def clientConnectionFailed(self, connector: Any, reason: Any) -> None:
                super().clientConnectionFailed(connector, reason)
                harness.stop()

        harness.reactor.connectTCP("127.0.0.1", unusedPort(), Stopping())
        harness.run()
        out = capsys.readouterr().out.splitlines()
        assert out[0] == "Started to connect."
        assert out[1].startswith("Connection failed. Reason: [Failure instance")
        assert "ConnectionRefusedError" in "\n".join(out[1:])
        assert "Connected." not in out


class ReconnectTests:
    """C12: reconnecting by calling connector.connect() on loss."""

    def test_reconnectsAfterServerDrops(self, harness: Harness) -> None:
        """The client reconnects each time the server drops it."""
        server = OneShotServer()
        made: list[int] = []
        got: list[bytes] = []

        class Client(Protocol):
            transport: Any
            factory: Any

            def connectionMade(self) -> None:
                made.append(len(made) + 1)

            def dataReceived(self, data: bytes) -> None:
                got.append(data)
                self.factory.done = True
                self.transport.loseConnection()

        class EchoClientFactory(ClientFactory):
            # L411-415, plus a flag so the test can end.
            protocol = Client
            done = False

            def clientConnectionLost(self, connector: Any, reason: Any) -> None:
                if self.done:
                    harness.stop()
                    return
                connector.connect()

        def serve() -> None:
            for _ in range(2):
                server.accept().close()
            conn = server.accept()
            with conn:
                conn.sendall(b"welcome back")
                assert readToEOF(conn) == b""
            server.close()

        harness.reactor.connectTCP("127.0.0.1", server.port, EchoClientFactory())
        harness.peer(serve, stopWhenDone=False)
        harness.run()
        assert made == [1, 2, 3]
        assert b"".join(got) == b"welcome back"


class ReconnectingEchoTests:
    """C13: ReconnectingClientFactory with growing delays and resetDelay."""

    def test_backoffWhileDownThenResetAfterSuccess(
        self, harness: Harness, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        Failed attempts are retried with growing delays; a success resets the
        delay, and a later loss is retried from the initial delay again.

        The documented defaults (1 s initial delay, factor e, jitter) are
        replaced by small, jitter-free values so the test runs in well under
        a second and the delays can be compared exactly.
        """
        reactor = harness.reactor
        port = unusedPort()
        starts: list[float] = []
        delaysAfterFailure: list[float] = []
        delayAfterLoss: list[float] = []
        served: list[Any] = []

        class EchoClientFactory(ReconnectingClientFactory):
            # L427-447, Python 3, plus recording for the test.
            def startedConnecting(self, connector: Any) -> None:
                print("Started to connect.")
                starts.append(reactor.seconds())

            def buildProtocol(self, addr: Any) -> StdoutEcho:
                print("Connected.")
                print("Resetting reconnection delay")
                self.resetDelay()
                return StdoutEcho()

            def clientConnectionLost(self, connector: Any, reason: Any) -> None:
                print("Lost connection.  Reason:", reason)
                ReconnectingClientFactory.clientConnectionLost(self, connector, reason)
                delayAfterLoss.append(self.delay)
                self.stopTrying()
                reactor.callLater(0.01, harness.stop)

            def clientConnectionFailed(self, connector: Any, reason: Any) -> None:
                print("Connection failed. Reason:", reason)
                ReconnectingClientFactory.clientConnectionFailed(self, connector, reason)
                delaysAfterFailure.append(self.delay)
                if len(delaysAfterFailure) == 3:
                    # The server comes up before the fourth attempt.
                    served.append(reactor.listenTCP(port, Factory.forProtocol(Hangup)))

        class Hangup(Protocol):
            transport: Any

            def connectionMade(self) -> None:
                self.transport.write(b"hello and goodbye\n")
                self.transport.loseConnection()

        f = EchoClientFactory()
        f.initialDelay = f.delay = 0.01
        f.factor = 2.0
        f.jitter = 0
        f.maxDelay = 1.0
        f.clock = reactor
        reactor.connectTCP("127.0.0.1", port, f)
        harness.run()
        assert delaysAfterFailure == [0.02, 0.04, 0.08]
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        for gap, delay in zip(gaps, delaysAfterFailure, strict=False):
            # Never early (1 ms allowance for the clock's resolution).
            assert gap >= delay - 0.001
        assert delayAfterLoss == [0.02]
        assert f.retries == 1
        out = capsys.readouterr().out.splitlines()
        assert out[0] == "Started to connect."
        assert out[1].startswith("Connection failed. Reason: [Failure instance")
        assert "ConnectionRefusedError" in out[1]
        text = "\n".join(out)
        assert text.count("Connection failed. Reason:") == 3
        assert (
            "Connected.\nResetting reconnection delay\nhello and goodbye\nLost connection." in text
        )
        served[0].stopListening()
