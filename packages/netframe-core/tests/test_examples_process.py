"""
The "Using Processes" examples (SCOPE.md section 3.4, P1-P5; seed lines
L6682-6979) as acceptance tests.

Each example's code is ported to Python 3 (bytes on transports, ``print()``
into a list) and otherwise kept as documented, except where noted: P1 parses
wc's output by splitting on whitespace (the documented fixed-width slicing is
fragile), P3 runs a script instead of ``/usr/games/fortune``, P5 runs a small
Python script that uses descriptors 3 and 4 the way ``gpg --passphrase-fd 3
--status-fd 4`` does.  Every test runs on its own L{EPollReactor} instance
with a watchdog, with real child processes.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import threading
from pathlib import Path
from typing import Any, cast

import pytest

from netframe.core import error, protocol, utils
from netframe.core.defer import Deferred
from netframe.core.epollreactor import EPollReactor
from netframe.core.failure import Failure

#: Seconds an example may run before the watchdog fails it.
WATCHDOG = 10.0

#: What a process's end reason carries (both have exitCode).
_Ended = error.ProcessDone | error.ProcessTerminated


class Harness:
    """An EPollReactor run with a watchdog and SIGCHLD handling."""

    def __init__(self) -> None:
        """Create the reactor."""
        self.reactor = EPollReactor()
        self.timedOut = False

    def run(self) -> None:
        """Run until stopped; fail the test if the watchdog fires first."""

        def watchdog() -> None:
            self.timedOut = True
            self.reactor.stop()

        call = self.reactor.callLater(WATCHDOG, watchdog)
        self.reactor.run(installSignalHandlers=True)
        if call.active():
            call.cancel()
        if self.timedOut:
            pytest.fail(f"example did not finish within {WATCHDOG}s")

    def close(self) -> None:
        """Release the reactor's descriptors."""
        self.reactor.disconnectAll()
        self.reactor._close()


@pytest.fixture
def harness() -> Any:
    """A fresh L{Harness}, closed after the test."""
    h = Harness()
    yield h
    h.close()


class ExampleTests:
    """P1-P5."""

    def test_P1WordCount(self, harness: Harness) -> None:
        """P1: wc counts 1 line, 6 words, 44 characters of the documented text."""
        reactor = harness.reactor
        printed: list[str] = []

        class WCProcessProtocol(protocol.ProcessProtocol):
            def __init__(self, text: bytes) -> None:
                self.text = text
                self.output = b""

            def connectionMade(self) -> None:
                self.transport.write(self.text)
                self.transport.closeStdin()

            def outReceived(self, data: bytes) -> None:
                # Accumulate: the documented slicing assumed one chunk.
                self.output += data

            def outConnectionLost(self) -> None:
                lines, words, chars = (int(f) for f in self.output.split())
                self.transport.loseConnection()
                self.receiveCounts(lines, words, chars)

            def receiveCounts(self, lines: int, words: int, chars: int) -> None:
                printed.append("Received counts from wc.")
                printed.append(f"Lines: {lines}")
                printed.append(f"Words: {words}")
                printed.append(f"Characters: {chars}")

            def processEnded(self, reason: Failure) -> None:
                reactor.stop()

        wcProcess = WCProcessProtocol(b"accessing protocols through Twisted is fun!\n")
        reactor.spawnProcess(wcProcess, "wc", ["wc"])
        harness.run()
        assert printed == ["Received counts from wc.", "Lines: 1", "Words: 6", "Characters: 44"]

    def test_P2Verbose(self, harness: Harness) -> None:
        """P2: the verbose protocol's transcript, in a documented order, 'I saw 40 lines'."""
        reactor = harness.reactor
        printed: list[str] = []

        class MyPP(protocol.ProcessProtocol):
            def __init__(self, verses: int) -> None:
                self.verses = verses
                self.data = b""

            def connectionMade(self) -> None:
                printed.append("connectionMade!")
                for _ in range(self.verses):
                    self.transport.write(
                        b"Aleph-null bottles of beer on the wall,\n"
                        b"Aleph-null bottles of beer,\n"
                        b"Take one down and pass it around,\n"
                        b"Aleph-null bottles of beer on the wall.\n"
                    )
                self.transport.closeStdin()

            def outReceived(self, data: bytes) -> None:
                printed.append(f"outReceived! with {len(data)} bytes!")
                self.data = self.data + data

            def errReceived(self, data: bytes) -> None:
                printed.append(f"errReceived! with {len(data)} bytes!")

            def inConnectionLost(self) -> None:
                printed.append("inConnectionLost! stdin is closed! (we probably did it)")

            def outConnectionLost(self) -> None:
                printed.append("outConnectionLost! The child closed their stdout!")
                (_dummy, lines, _words, _chars, _file) = re.split(rb"\s+", self.data)
                printed.append(f"I saw {lines.decode()} lines")

            def errConnectionLost(self) -> None:
                printed.append("errConnectionLost! The child closed their stderr.")

            def processExited(self, reason: Failure) -> None:
                value = cast(_Ended, reason.value)
                printed.append(f"processExited, status {value.exitCode}")

            def processEnded(self, reason: Failure) -> None:
                value = cast(_Ended, reason.value)
                printed.append(f"processEnded, status {value.exitCode}")
                printed.append("quitting")
                reactor.stop()

        pp = MyPP(10)
        reactor.spawnProcess(pp, "wc", ["wc"], {})
        harness.run()
        assert printed[0] == "connectionMade!"
        assert printed[-2:] == ["processEnded, status 0", "quitting"]
        assert "I saw 40 lines" in printed
        assert "processExited, status 0" in printed
        assert not any(line.startswith("errReceived") for line in printed)
        index = printed.index
        assert index("inConnectionLost! stdin is closed! (we probably did it)") > 0
        assert any(line.startswith("outReceived! with ") for line in printed)
        firstOut = next(i for i, line in enumerate(printed) if line.startswith("outReceived!"))
        assert firstOut < index("outConnectionLost! The child closed their stdout!")
        assert index("outConnectionLost! The child closed their stdout!") < index("I saw 40 lines")
        assert index("errConnectionLost! The child closed their stderr.") < index("quitting")

    def test_P3FortuneServer(self, harness: Harness, tmp_path: Path) -> None:
        """P3: a TCP server answers each connection with a program's output."""
        reactor = harness.reactor
        fortune = tmp_path / "fortune"
        fortune.write_text("#!/bin/sh\necho 'An apple a day keeps the doctor away'\n")
        fortune.chmod(0o755)

        class FortuneQuoter(protocol.Protocol):
            transport: Any

            fortune = str(tmp_path / "fortune")

            def connectionMade(self) -> None:
                output = utils.getProcessOutput(self.fortune, reactor=reactor)
                output.addCallbacks(self.writeResponse, self.noResponse)

            def writeResponse(self, resp: bytes) -> None:
                self.transport.write(resp)
                self.transport.loseConnection()

            def noResponse(self, err: Failure) -> None:
                self.transport.loseConnection()

        f = protocol.Factory()
        f.protocol = FortuneQuoter
        port = reactor.listenTCP(0, f, interface="127.0.0.1")
        received: list[bytes] = []

        def client() -> None:
            try:
                with socket.create_connection(("127.0.0.1", port.getHost().port), WATCHDOG) as s:
                    chunks = []
                    while chunk := s.recv(4096):
                        chunks.append(chunk)
                    received.append(b"".join(chunks))
            finally:
                reactor.callFromThread(reactor.stop)

        thread = threading.Thread(target=client, daemon=True)
        reactor.callWhenRunning(thread.start)
        harness.run()
        thread.join(WATCHDOG)
        assert received == [b"An apple a day keeps the doctor away\n"]

    def test_P4TrueAndFalse(self, harness: Harness) -> None:
        """P4: /bin/true exits with rc=0, /bin/false with rc=1."""
        reactor = harness.reactor
        printed: list[str] = []

        def printTrueValue(val: int | None) -> None:
            printed.append(f"/bin/true exits with rc={val}")
            output = utils.getProcessValue("/bin/false", reactor=reactor)
            output.addCallback(printFalseValue)

        def printFalseValue(val: int | None) -> None:
            printed.append(f"/bin/false exits with rc={val}")
            reactor.stop()

        output = utils.getProcessValue("/bin/true", reactor=reactor)
        output.addCallback(printTrueValue)
        harness.run()
        assert printed == ["/bin/true exits with rc=0", "/bin/false exits with rc=1"]

    def test_P5ExtraDescriptors(self, harness: Harness, tmp_path: Path) -> None:
        """P5: the GPG protocol drives a child through descriptors 0, 1, 3 and 4."""
        reactor = harness.reactor
        fakeGPG = tmp_path / "fakegpg.py"
        fakeGPG.write_text(
            "import os, sys\n"
            "args = sys.argv[1:]\n"
            "passFD = int(args[args.index('--passphrase-fd') + 1])\n"
            "statusFD = int(args[args.index('--status-fd') + 1])\n"
            "def readAll(fd):\n"
            "    out = b''\n"
            "    while chunk := os.read(fd, 4096):\n"
            "        out += chunk\n"
            "    return out\n"
            "passphrase = readAll(passFD)\n"
            "crypttext = readAll(0)\n"
            "if passphrase != b'sesame':\n"
            "    os.write(statusFD, b'[GNUPG:] BAD_PASSPHRASE\\n')\n"
            "    sys.exit(2)\n"
            "os.write(statusFD, b'[GNUPG:] GOODSIG\\n')\n"
            "os.write(1, crypttext[::-1])\n"
        )

        class GPGProtocol(protocol.ProcessProtocol):
            deferred: Deferred[Any]
            passphrase = b"sesame"

            def __init__(self, crypttext: bytes) -> None:
                self.crypttext = crypttext
                self.plaintext = b""
                self.status = b""

            def connectionMade(self) -> None:
                self.transport.writeToChild(3, self.passphrase)
                self.transport.closeChildFD(3)
                self.transport.writeToChild(0, self.crypttext)
                self.transport.closeChildFD(0)

            def childDataReceived(self, childFD: int, data: bytes) -> None:
                if childFD == 1:
                    self.plaintext += data
                if childFD == 4:
                    self.status += data

            def processEnded(self, status: Failure) -> None:
                rc = cast(_Ended, status.value).exitCode
                if rc == 0:
                    self.deferred.callback(self)
                else:
                    self.deferred.errback(Exception(rc))

        def decrypt(crypttext: bytes) -> Deferred[Any]:
            gp = GPGProtocol(crypttext)
            gp.deferred = Deferred()
            cmd = [
                sys.executable,
                str(fakeGPG),
                "--decrypt",
                "--passphrase-fd",
                "3",
                "--status-fd",
                "4",
                "--batch",
            ]
            reactor.spawnProcess(
                gp, cmd[0], cmd, env=None, childFDs={0: "w", 1: "r", 2: 2, 3: "w", 4: "r"}
            )
            return gp.deferred

        results: list[Any] = []
        d = decrypt(b"txet nialp")
        d.addBoth(results.append)
        d.addBoth(lambda _: reactor.stop())
        harness.run()
        gp = results[0]
        assert gp.plaintext == b"plain text"
        assert gp.status == b"[GNUPG:] GOODSIG\n"
        assert os.get_blocking(2)
