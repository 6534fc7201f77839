"""
AP8 end to end (SCOPE.md 3.8; L9553-9615): a drop-in twistd plugin whose
Options use L{netframe.cred.strcred.AuthOptionMixin}, run as a real
C{netframe-twistd myserver --auth ...} subprocess from the installed wheels,
and logged in to over loopback with a small line protocol.

Every subprocess is bounded in time and killed at teardown.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

STARTUP_TIMEOUT = 30.0
"""Seconds a server gets to log its listening port (the plugin scan included)."""

COMMAND_TIMEOUT = 30.0
"""Seconds a netframe-twistd or passwd run that should exit at once may take."""

# The plugin of AP8, as a user writes it: Options with AuthOptionMixin, an
# IServiceMaker whose makeService builds Portal(realm, options["credCheckers"]),
# and a line protocol standing in for the documentation's "myservice".
MYSERVER_PLUGIN = '''
from zope.interface import Interface, implementer

from netframe.app import strports
from netframe.app.service import IServiceMaker
from netframe.core import usage
from netframe.core.protocol import ServerFactory
from netframe.core.protocols.basic import LineReceiver
from netframe.cred import credentials, portal, strcred
from netframe.cred.error import UnauthorizedLogin
from netframe.plugin import IPlugin


class IGreeted(Interface):
    """What a logged-in user gets (here: nothing but its avatar ID)."""


@implementer(portal.IRealm)
class MyServerRealm:
    def requestAvatar(self, avatarId, mind, *interfaces):
        if IGreeted not in interfaces:
            raise NotImplementedError("no supported interface")
        return IGreeted, avatarId, lambda: None


class LoginProtocol(LineReceiver):
    """LOGIN <user> <password> -> OK <avatarId> | DENIED; anything else -> ERROR."""

    def lineReceived(self, line):
        words = line.split(b" ")
        if len(words) != 3 or words[0] != b"LOGIN":
            self.sendLine(b"ERROR")
            return
        creds = credentials.UsernamePassword(words[1], words[2])
        d = self.factory.portal.login(creds, None, IGreeted)
        d.addCallbacks(self.loggedIn, self.refused)

    def loggedIn(self, result):
        interface, avatarId, logout = result
        if isinstance(avatarId, str):
            avatarId = avatarId.encode("utf-8")
        self.sendLine(b"OK " + avatarId)
        logout()

    def refused(self, failure):
        self.sendLine(b"DENIED" if failure.check(UnauthorizedLogin) else b"ERROR")


class LoginFactory(ServerFactory):
    protocol = LoginProtocol

    def __init__(self, portal):
        self.portal = portal


class ServerOptions(usage.Options, strcred.AuthOptionMixin):
    supportedInterfaces = (credentials.IUsernamePassword,)
    optParameters = [
        ["port", "p", "tcp:1234:interface=127.0.0.1", "Endpoint to listen on."],
    ]


@implementer(IServiceMaker, IPlugin)
class MyServerServiceMaker:
    tapname = "myserver"
    description = "A login server for the AP8 test."
    options = ServerOptions

    def makeService(self, options):
        realm = MyServerRealm()
        checkers = options["credCheckers"]
        byInterface = options["credInterfaces"][credentials.IUsernamePassword]
        print(f"myserver: {len(checkers)} checker(s), {len(byInterface)} for IUsernamePassword")
        return strports.service(options["port"], LoginFactory(portal.Portal(realm, checkers)))


serviceMaker = MyServerServiceMaker()
'''


class Server:
    """
    A foreground netframe-twistd whose combined output is read by a thread,
    so the test can wait for a line with a deadline.
    """

    def __init__(self, popen: subprocess.Popen[str]) -> None:
        self.popen = popen
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def output(self) -> str:
        """Everything the server wrote so far."""
        with self._changed:
            return "".join(self.lines)

    def waitForMatch(self, pattern: str, timeout: float = STARTUP_TIMEOUT) -> re.Match[str]:
        """Wait until a line matches C{pattern}; fail after C{timeout} seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines:
                    match = re.search(pattern, line)
                    if match:
                        return match
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._reader.is_alive():
                    raise AssertionError(f"{pattern!r} not seen in: {''.join(self.lines)!r}")
                self._changed.wait(min(remaining, 0.1))

    def port(self) -> int:
        """The TCP port the login server listens on (from its "starting on N" line)."""
        return int(self.waitForMatch(r"LoginFactory starting on (\d+)").group(1))

    def stop(self) -> int:
        """SIGTERM the server and return its exit status (killed if it hangs)."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            code = self.popen.wait(COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            code = self.popen.wait(COMMAND_TIMEOUT)
        self._reader.join(COMMAND_TIMEOUT)
        return code

    def kill(self) -> None:
        """Kill the server if it still runs and close its output."""
        if self.popen.poll() is None:
            self.popen.kill()
        try:
            self.popen.wait(COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        self._reader.join(COMMAND_TIMEOUT)
        if self.popen.stdout is not None:
            self.popen.stdout.close()


class MyServer:
    """
    The AP8 plugin installed as a drop-in under a temporary directory that
    is on PYTHONPATH (never the working directory); starts and runs
    netframe-twistd and kills every server at teardown.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        plugins = root / "site" / "netframe" / "plugins"
        plugins.mkdir(parents=True)
        (plugins / "myserver_plugin.py").write_text(MYSERVER_PLUGIN)
        self.cwd = root / "run"
        self.cwd.mkdir()
        self.env = dict(os.environ)
        self.env["PYTHONPATH"] = str(root / "site")
        self.env["NETFRAME_PLUGIN_CACHE"] = "off"
        self.env.pop("NOTIFY_SOCKET", None)
        self.servers: list[Server] = []

    def command(self, *args: str) -> list[str]:
        """The netframe-twistd command line with these arguments."""
        return [sys.executable, "-m", "netframe.app", *args]

    def start(self, *auth: str) -> Server:
        """Start `netframe-twistd -n --pidfile= myserver --port tcp:port=0 ...`."""
        popen = subprocess.Popen(
            self.command(
                "-n",
                "--pidfile=",
                "myserver",
                "--port",
                "tcp:port=0:interface=127.0.0.1",
                *auth,
            ),
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        server = Server(popen)
        self.servers.append(server)
        return server

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run netframe-twistd to completion (it is expected to exit at once)."""
        return subprocess.run(
            self.command(*args),
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )

    def killAll(self) -> None:
        """Kill every server started."""
        for server in self.servers:
            server.kill()


@pytest.fixture
def myserver(tmp_path: Path) -> Iterator[MyServer]:
    """The AP8 plugin as a drop-in; every server it starts is killed at teardown."""
    runner = MyServer(tmp_path)
    try:
        yield runner
    finally:
        runner.killAll()


def login(port: int, username: bytes, password: bytes) -> bytes:
    """Send one LOGIN line to the server over loopback and return its answer line."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(b"LOGIN " + username + b" " + password + b"\r\n")
        received = b""
        while b"\r\n" not in received:
            chunk = client.recv(1024)
            if not chunk:
                break
            received += chunk
    return received.partition(b"\r\n")[0]


def assertLogins(port: int, username: bytes, password: bytes) -> None:
    """The right password gets OK; a wrong one and an unknown user get DENIED."""
    assert login(port, username, password) == b"OK " + username
    assert login(port, username, password + b"x") == b"DENIED"
    assert login(port, b"mallory", password) == b"DENIED"


def writeHashedFile(path: Path, username: str, password: str) -> None:
    """Add a user to a hashed password file with `python -m netframe.cred.passwd`."""
    result = subprocess.run(
        [sys.executable, "-m", "netframe.cred.passwd", str(path), username],
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    assert f"Added {username!r}" in result.stdout


class AuthLoginTests:
    """`netframe-twistd myserver --auth TYPE:ARGS` serves logins over loopback."""

    def test_filePasswordDB(self, myserver: MyServer, tmp_path: Path) -> None:
        """--auth file:PATH (FilePasswordDB) lets alice in with her password only."""
        passwords = tmp_path / "passwords.txt"
        passwords.write_text("# users\nalice:secret\nbob:hunter2\n")
        server = myserver.start("--auth", f"file:{passwords}")
        port = server.port()
        assertLogins(port, b"alice", b"secret")
        assert login(port, b"bob", b"hunter2") == b"OK bob"
        assert "myserver: 1 checker(s), 1 for IUsernamePassword" in server.output()
        assert server.stop() == 0
        assert "Traceback" not in server.output()

    def test_memory(self, myserver: MyServer) -> None:
        """--auth memory:alice:secret lets alice in with her password only."""
        server = myserver.start("--auth", "memory:alice:secret")
        assertLogins(server.port(), b"alice", b"secret")
        assert server.stop() == 0

    def test_hashedFile(self, myserver: MyServer, tmp_path: Path) -> None:
        """--auth hashed:PATH on a file made by `python -m netframe.cred.passwd`."""
        passwords = tmp_path / "users.db"
        writeHashedFile(passwords, "alice", "s3cret")
        assert "s3cret" not in passwords.read_text()
        server = myserver.start("--auth", f"hashed:{passwords}")
        assertLogins(server.port(), b"alice", b"s3cret")
        assert server.stop() == 0

    def test_repeatedAuth(self, myserver: MyServer, tmp_path: Path) -> None:
        """
        --auth given twice: the options hold both checkers, and the Portal
        uses the last one given for IUsernamePassword (registerChecker
        replaces the checker of an interface).
        """
        passwords = tmp_path / "passwords.txt"
        passwords.write_text("alice:secret\n")
        server = myserver.start("--auth", f"file:{passwords}", "--auth", "memory:bob:pw")
        port = server.port()
        assert login(port, b"bob", b"pw") == b"OK bob"
        assert login(port, b"alice", b"secret") == b"DENIED"
        assert "myserver: 2 checker(s), 2 for IUsernamePassword" in server.output()
        assert server.stop() == 0


class AuthHelpTests:
    """--help-auth and --help-auth-type print the checker factories' help."""

    def test_helpAuth(self, myserver: MyServer) -> None:
        """--help-auth lists the auth types with their argument formats and exits 0."""
        result = myserver.run("myserver", "--help-auth")
        assert result.returncode == 0, result.stderr
        out = result.stdout
        assert "Usage: --auth AuthType[:ArgString]" in out
        assert "--help-auth-type AuthType" in out
        assert re.search(r"^\s+file\s+Location of a file of name:password lines", out, re.M)
        assert re.search(r"^\s+memory\s+A colon-separated list", out, re.M)
        assert re.search(r"^\s+hashed\s+Location of a file of name:scrypt-hash lines", out, re.M)
        # Anonymous checkers handle no interface myserver supports.
        assert not re.search(r"^\s+anonymous\s", out, re.M)

    def test_helpAuthTypeFile(self, myserver: MyServer) -> None:
        """--help-auth-type file prints the file factory's authHelp and exits 0."""
        result = myserver.run("myserver", "--help-auth-type", "file")
        assert result.returncode == 0, result.stderr
        out = result.stdout
        assert "Usage: --auth file[:ArgString]" in out
        assert "ArgString format: Location of a file of name:password lines" in out
        text = " ".join(out.split())
        assert "A text file with one user a line, 'name:password', passwords in plaintext." in text
        assert "Prefer 'hashed', which stores salted hashes instead of passwords." in text

    def test_helpAuthTypeHashed(self, myserver: MyServer) -> None:
        """--help-auth-type hashed tells how to create entries."""
        result = myserver.run("myserver", "--help-auth-type", "hashed")
        assert result.returncode == 0, result.stderr
        assert "python -m netframe.cred.passwd FILE USERNAME" in result.stdout

    def test_subcommandHelpShowsAuthOptions(self, myserver: MyServer) -> None:
        """`myserver --help` shows the mixin's options with dashes, as Twisted does."""
        result = myserver.run("myserver", "--help")
        assert result.returncode == 0, result.stderr
        out = result.stdout
        assert re.search(r"^\s+--auth=\s", out, re.M)
        assert re.search(r"^\s+--help-auth\s", out, re.M)
        assert re.search(r"^\s+--help-auth-type=\s", out, re.M)
        assert "--help_auth" not in out

    def test_listedByTwistdHelp(self, myserver: MyServer) -> None:
        """netframe-twistd --help lists the drop-in plugin found through PYTHONPATH."""
        result = myserver.run("--help")
        assert result.returncode == 0, result.stderr
        assert "myserver" in result.stdout
        assert "A login server for the AP8 test." in result.stdout


class AuthErrorTests:
    """A bad --auth stops netframe-twistd at startup with one clear line."""

    def check(self, result: subprocess.CompletedProcess[str], message: str) -> None:
        """Assert exit status 1, C{message} on stderr and no traceback."""
        assert result.returncode == 1, (result.stdout, result.stderr)
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr

    def test_missingPasswordFile(self, myserver: MyServer, tmp_path: Path) -> None:
        """--auth file: naming a missing file exits 1 naming the option."""
        missing = tmp_path / "nosuch.txt"
        result = myserver.run("-n", "--pidfile=", "myserver", "--auth", f"file:{missing}")
        self.check(result, "--auth file:")
        assert "cannot read password file" in result.stderr and str(missing) in result.stderr

    def test_unknownAuthType(self, myserver: MyServer) -> None:
        """An unknown auth type exits 1 pointing at --help-auth."""
        self.check(
            myserver.run("-n", "--pidfile=", "myserver", "--auth", "nosuch:x"),
            "Auth plugin not recognized: 'nosuch' (see --help-auth)",
        )

    def test_unsupportedAuthType(self, myserver: MyServer) -> None:
        """An auth type whose checkers myserver cannot use exits 1."""
        self.check(
            myserver.run("-n", "--pidfile=", "myserver", "--auth", "anonymous"),
            "Auth plugin not supported by this program: 'anonymous'",
        )
