"""
netframe-twistd as a real program: subprocesses of C{python -m netframe.app}
on loopback, each bounded in time and killed at teardown. The examples of
SCOPE.md 3.8 (AP1-AP7, AP9), plugin subcommands, every user error, daemon
mode, pidfiles, signals and JSON logs.
"""

from __future__ import annotations

import io
import os
import pwd
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from netframe.logger import eventsFromJSONLogFile

pytestmark = pytest.mark.slow

ECHO_TAC = """
from netframe.app import service, internet
from netframe.core.protocols import wire
from netframe.core import protocol

application = service.Application("echo")
myFactory = protocol.ServerFactory()
myFactory.protocol = wire.Echo
internet.TCPServer({port}, myFactory, interface="127.0.0.1").setServiceParent(application)
"""

# AP2: a Service whose stopService returns stopListening's Deferred.
ECHO_SERVICE_TAC = """
from netframe.core import reactor
from netframe.app import service
from netframe.core import protocol
from netframe.core.protocols import wire

class EchoFactory(protocol.ServerFactory):
    protocol = wire.Echo

class EchoService(service.Service):
    def __init__(self, portNum):
        self.portNum = portNum

    def startService(self):
        service.Service.startService(self)
        self._port = reactor.listenTCP(self.portNum, EchoFactory(), interface="127.0.0.1")

    def stopService(self):
        service.Service.stopService(self)
        return self._port.stopListening()

application = service.Application("echoservice")
EchoService({port}).setServiceParent(application)
"""

# A server whose stopService waits until every open connection has closed.
DRAIN_TAC = """
from netframe.app import service, internet
from netframe.core import protocol
from netframe.core.defer import Deferred, succeed

open_ = set()
waiters = []

class Held(protocol.Protocol):
    def connectionMade(self):
        open_.add(self)
    def dataReceived(self, data):
        self.transport.write(data)
    def connectionLost(self, reason):
        open_.discard(self)
        if not open_:
            while waiters:
                waiters.pop().callback(None)

class Draining(internet.TCPServer):
    def stopService(self):
        d = internet.TCPServer.stopService(self)
        if not open_:
            return d
        w = Deferred()
        waiters.append(w)
        return w

factory = protocol.ServerFactory()
factory.protocol = Held
application = service.Application("drain")
Draining({port}, factory, interface="127.0.0.1").setServiceParent(application)
"""

# AP9: the service listens on the socket systemd passed (socket activation).
ACTIVATED_TAC = """
from netframe.app import service, strports
from netframe.core import protocol
from netframe.core.protocols import wire

application = service.Application("activated")
factory = protocol.ServerFactory()
factory.protocol = wire.Echo
strports.service("systemd:domain=INET:index=0", factory).setServiceParent(application)
"""

PLUGIN = """
from zope.interface import implementer
from netframe.core import usage
from netframe.plugin import IPlugin
from netframe.app.service import IServiceMaker
from netframe.app import internet

from myproject import MyFactory


class Options(usage.Options):
    optParameters = [["port", "p", 1235, "The port number to listen on."]]


@implementer(IServiceMaker, IPlugin)
class MyServiceMaker(object):
    tapname = "myproject"
    description = "Run this! It'll make your dog happy."
    options = Options

    def makeService(self, options):
        return internet.TCPServer(int(options["port"]), MyFactory(), interface="127.0.0.1")


serviceMaker = MyServiceMaker()
"""

MYPROJECT = """
from netframe.core import protocol
from netframe.core.protocols import wire

class MyFactory(protocol.ServerFactory):
    protocol = wire.Echo
"""


def echo(port: int, data: bytes = b"hello") -> bytes:
    """Send data to the loopback port and return what comes back."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        received = b""
        while len(received) < len(data):
            chunk = s.recv(1024)
            if not chunk:
                break
            received += chunk
        return received


def waitUntil(predicate: Any, timeout: float = 10.0) -> None:
    """Poll predicate until true (bounded)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def pidAlive(pid: int) -> bool:
    """Whether the process exists (and is not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def writeTac(twistd: Any, source: str, port: int = 0, name: str = "app.tac") -> Path:
    path = Path(twistd.cwd) / name
    path.write_text(source.replace("{port}", str(port)))
    return path


class ExampleTests:
    """The application examples of the reference documents."""

    def test_ap1EchoTacForeground(self, twistd: Any, freePort: int) -> None:
        """AP1: -noy echo.tac echoes, logs the documented lines, stops on SIGINT."""
        writeTac(twistd, ECHO_TAC, freePort, "echo.tac")
        process = twistd.start("-noy", "echo.tac")
        process.waitFor("Loaded.")
        process.waitFor(f"starting on {freePort}")
        process.waitFor("Application started")
        assert echo(freePort) == b"hello"
        process.signal(signal.SIGINT)
        assert process.wait() == 0
        out = process.output()
        for line in (
            "Log opened.",
            "netframe-twistd ",
            "reactor class: netframe.core.",
            "Loading ",
            "Received SIGINT, shutting down.",
            "Main loop terminated.",
            "Server Shut Down.",
        ):
            assert line in out, line
        assert not list(Path(twistd.cwd).glob("*.tap"))
        assert not (Path(twistd.cwd) / "twistd.pid").exists()

    def test_ap2EchoServiceStop(self, twistd: Any, freePort: int) -> None:
        """AP2: a Service whose stopService returns a Deferred shuts down cleanly."""
        writeTac(twistd, ECHO_SERVICE_TAC, freePort)
        process = twistd.start("-n", "--pidfile=", "-y", "app.tac")
        process.waitFor("Application started")
        assert echo(freePort, b"xyz") == b"xyz"
        process.signal(signal.SIGTERM)
        assert process.wait() == 0
        assert "Server Shut Down." in process.output()

    def test_ap3DaemonStartStop(self, twistd: Any, freePort: int) -> None:
        """AP3: -y daemonizes, writes twistd.pid (umask 077) and twistd.log; --kill stops it."""
        writeTac(twistd, ECHO_TAC, freePort, "service.tac")
        pidfile = Path(twistd.cwd) / "twistd.pid"
        twistd.daemonPidfiles.append(pidfile)
        result = twistd.run("-y", "service.tac")
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""
        pid = int(pidfile.read_text())
        assert pidAlive(pid)
        assert pidfile.stat().st_mode & 0o777 == 0o600
        assert echo(freePort) == b"hello"
        again = twistd.run("-y", "service.tac")
        assert again.returncode == 1
        assert f"another server is running, PID {pid}" in again.stderr
        killed = twistd.run("--kill")
        assert killed.returncode == 0, killed.stderr
        waitUntil(lambda: not pidAlive(pid))
        assert not pidfile.exists()
        log = (Path(twistd.cwd) / "twistd.log").read_text()
        assert "Received SIGTERM, shutting down." in log
        assert log.rstrip().endswith("Server Shut Down.")

    def test_ap4LoggerOption(self, twistd: Any, freePort: int) -> None:
        """AP4: --logger my.logger logs to the file the factory opens."""
        out = Path(twistd.cwd) / "my.log"
        (Path(twistd.cwd) / "my.py").write_text(
            "from netframe.logger.legacy import FileLogObserver\n\n"
            "def logger():\n"
            f"    return FileLogObserver(open({str(out)!r}, 'w')).emit\n"
        )
        writeTac(twistd, ECHO_TAC, freePort)
        process = twistd.start("-n", "--pidfile=", "--logger", "my.logger", "-y", "app.tac")
        waitUntil(lambda: out.exists() and "Application started" in out.read_text())
        process.signal(signal.SIGTERM)
        assert process.wait() == 0
        assert "Server Shut Down." in out.read_text()
        assert process.output() == ""

    def test_ap5DailyLogFileComponent(self, twistd: Any, freePort: int) -> None:
        """AP5: an ILogObserver component with a DailyLogFile receives the log."""
        logdir = Path(twistd.cwd) / "logs"
        logdir.mkdir()
        writeTac(
            twistd,
            ECHO_TAC
            + "from netframe.logger.legacy import ILogObserver, FileLogObserver\n"
            + "from netframe.logger.logfile import DailyLogFile\n"
            + f"logfile = DailyLogFile('my.log', {str(logdir)!r})\n"
            + "application.setComponent(ILogObserver, FileLogObserver(logfile).emit)\n",
            freePort,
        )
        process = twistd.start("-n", "--pidfile=", "-y", "app.tac")
        log = logdir / "my.log"
        waitUntil(lambda: log.exists() and "Application started" in log.read_text())
        process.signal(signal.SIGTERM)
        assert process.wait() == 0
        assert "Server Shut Down." in log.read_text()

    def test_ap7PluginSubcommand(self, twistd: Any, freePort: int) -> None:
        """AP7: a drop-in IServiceMaker plugin is listed by --help and runs with -n."""
        root = Path(twistd.cwd)
        (root / "myproject").mkdir()
        (root / "myproject" / "__init__.py").write_text(MYPROJECT)
        plugins = root / "netframe" / "plugins"
        plugins.mkdir(parents=True)
        (plugins / "myproject_plugin.py").write_text(PLUGIN)
        (plugins / "broken_plugin.py").write_text("raise ImportError('broken plugin')\n")
        helped = twistd.run("--help")
        assert helped.returncode == 0
        assert "myproject" in helped.stdout
        assert "Run this! It'll make your dog happy." in helped.stdout
        subhelp = twistd.run("myproject", "--help")
        assert subhelp.returncode == 0
        assert "--port=" in subhelp.stdout and "1235" in subhelp.stdout
        process = twistd.start("-n", "--pidfile=", "myproject", "--port", str(freePort))
        process.waitFor("Application started")
        assert echo(freePort) == b"hello"
        process.signal(signal.SIGTERM)
        assert process.wait() == 0

    def test_ap9SystemdNotify(self, twistd: Any, freePort: int) -> None:
        """AP9: --nodaemon --pidfile= under NOTIFY_SOCKET: READY, WATCHDOG, STOPPING."""
        path = str(Path(twistd.cwd) / "notify.sock")
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.bind(path)
            sock.settimeout(10)
            writeTac(twistd, ECHO_TAC, freePort)
            process = twistd.start(
                "--nodaemon",
                "--pidfile=",
                "-y",
                "app.tac",
                env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "100000"},
            )
            ready = sock.recv(4096).decode()
            assert "READY=1" in ready
            assert f"MAINPID={process.pid}" in ready
            assert echo(freePort) == b"hello"
            assert sock.recv(4096) == b"WATCHDOG=1"
            process.signal(signal.SIGTERM)
            messages = []
            while b"STOPPING=1" not in messages:
                messages.append(sock.recv(4096))
            assert process.wait() == 0

    def test_ap9SocketActivation(self, twistd: Any) -> None:
        """AP9: an inherited listening socket (fd 3, LISTEN_FDS/LISTEN_PID) is served."""
        writeTac(twistd, ACTIVATED_TAC)
        path = str(Path(twistd.cwd) / "notify.sock")
        with (
            socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify,
            socket.socket() as listening,
        ):
            notify.bind(path)
            notify.settimeout(10)
            listening.bind(("127.0.0.1", 0))
            listening.listen(8)
            listening.setblocking(False)
            port = listening.getsockname()[1]
            # A client that connects before the server runs is queued, not refused.
            early = socket.create_connection(("127.0.0.1", port), timeout=5)
            process = twistd.startActivated(
                listening, "--nodaemon", "--pidfile=", "-y", "app.tac", env={"NOTIFY_SOCKET": path}
            )
            listening.close()
            with early:
                early.sendall(b"early")
                assert early.recv(100) == b"early"
            ready = notify.recv(4096).decode()
            assert "READY=1" in ready and f"MAINPID={process.pid}" in ready
            assert echo(port, b"activated") == b"activated"
            process.signal(signal.SIGTERM)
            assert process.wait() == 0
        assert "Application started" in process.output()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()

    def test_ap9SocketsForAnotherProcess(self, twistd: Any) -> None:
        """AP9: LISTEN_PID naming another process: exit 1, the last line says why."""
        writeTac(twistd, ACTIVATED_TAC)
        result = twistd.run(
            "-n",
            "--pidfile=",
            "-y",
            "app.tac",
            env={"LISTEN_FDS": "1", "LISTEN_PID": str(os.getpid())},
        )
        assert result.returncode == 1
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("netframe-twistd: error while loading ")
        assert "LISTEN_PID=" in last and "is not this process" in last


class PluginTests:
    """Plugin subcommands (PL-style): discovery from a drop-in directory."""

    def test_unknownSubcommand(self, twistd: Any) -> None:
        """An unknown subcommand exits 1 with one line naming it."""
        result = twistd.run("nosuchcommand")
        assert result.returncode == 1
        assert "Unknown command: nosuchcommand" in result.stderr
        assert "Traceback" not in result.stderr

    def test_serviceMakerPlugin(self, twistd: Any, freePort: int) -> None:
        """A ServiceMaker plugin imports its module only when used."""
        root = Path(twistd.cwd)
        (root / "myproject").mkdir()
        (root / "myproject" / "__init__.py").write_text(MYPROJECT)
        (root / "myproject" / "tap.py").write_text(
            "from netframe.core import usage\n"
            "from netframe.app import strports\n"
            "from myproject import MyFactory\n"
            "class Options(usage.Options):\n"
            "    optParameters = [['port', 'p', 'tcp:0', 'Endpoint.']]\n"
            "def makeService(options):\n"
            "    return strports.service(options['port'], MyFactory())\n"
        )
        plugins = root / "netframe" / "plugins"
        plugins.mkdir(parents=True)
        (plugins / "lazy_plugin.py").write_text(
            "from netframe.app.service import ServiceMaker\n"
            "lazy = ServiceMaker('Lazy', 'myproject.tap', 'A lazily imported service.', 'lazy')\n"
        )
        helped = twistd.run("--help")
        assert "A lazily imported service." in helped.stdout
        process = twistd.start(
            "-n", "--pidfile=", "lazy", "--port", f"tcp:{freePort}:interface=127.0.0.1"
        )
        process.waitFor("Application started")
        assert echo(freePort) == b"hello"
        process.signal(signal.SIGTERM)
        assert process.wait() == 0


class ErrorTests:
    """User errors: exit 1, one clear line, no traceback."""

    def check(self, result: Any, message: str) -> None:
        assert result.returncode == 1, (result.stdout, result.stderr)
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr

    def test_missingTac(self, twistd: Any) -> None:
        """A missing .tac."""
        self.check(twistd.run("-n", "-y", "missing.tac"), "no such file")

    def test_syntaxError(self, twistd: Any) -> None:
        """A .tac with a syntax error names the line."""
        writeTac(twistd, "application = (\n")
        self.check(twistd.run("-n", "-y", "app.tac"), "syntax error in")

    def test_noApplication(self, twistd: Any) -> None:
        """A .tac without application."""
        writeTac(twistd, "x = 1\n")
        self.check(twistd.run("-n", "-y", "app.tac"), "does not define a module-level variable")

    def test_unknownReactor(self, twistd: Any) -> None:
        """An unknown reactor."""
        writeTac(twistd, ECHO_TAC)
        self.check(twistd.run("-n", "-r", "nosuch", "-y", "app.tac"), "no reactor named 'nosuch'")

    def test_unwritableLogDirectory(self, twistd: Any) -> None:
        """A log file whose directory cannot be written."""
        writeTac(twistd, ECHO_TAC)
        self.check(
            twistd.run("-n", "-l", "/proc/nfapp/x.log", "-y", "app.tac"), "cannot open log file"
        )

    def test_unwritablePidfileDirectory(self, twistd: Any) -> None:
        """A pidfile whose directory cannot be written."""
        writeTac(twistd, ECHO_TAC)
        self.check(
            twistd.run("-n", "--pidfile=/proc/nfapp/x.pid", "-y", "app.tac"),
            "cannot write pidfile",
        )

    def test_daemonStartupFailure(self, twistd: Any) -> None:
        """A daemon that cannot bind makes the parent exit 1 with the reason."""
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen(1)
            port = busy.getsockname()[1]
            writeTac(twistd, ECHO_TAC, port)
            twistd.daemonPidfiles.append(Path(twistd.cwd) / "twistd.pid")
            result = twistd.run("-y", "app.tac")
        self.check(result, "cannot start the application")
        assert "in use" in result.stderr
        assert not (Path(twistd.cwd) / "twistd.pid").exists()


class PidfileTests:
    """Stale pidfiles are replaced with a log line."""

    @pytest.mark.parametrize(
        ("content", "reason"),
        [
            (f"{2**22 + 1}\n", "dead pid"),
            ("OWN\n", "pid holds no lock"),
            ("garbage\n", "garbage content"),
        ],
    )
    def test_stale(self, twistd: Any, freePort: int, content: str, reason: str) -> None:
        """A stale pidfile is replaced and the server starts."""
        pidfile = Path(twistd.cwd) / "twistd.pid"
        pidfile.write_text(content.replace("OWN", str(os.getpid())))
        writeTac(twistd, ECHO_TAC, freePort)
        process = twistd.start("-n", "-y", "app.tac")
        process.waitFor("Application started")
        assert f"Removed stale pidfile {pidfile} ({reason}" in process.output()
        assert pidfile.read_text() == f"{process.pid}\n"
        process.signal(signal.SIGTERM)
        assert process.wait() == 0
        assert not pidfile.exists()


class SignalTests:
    """SIGTERM drains, SIGHUP reopens the log."""

    def test_drainWithConnectionInFlight(self, twistd: Any, freePort: int) -> None:
        """After SIGTERM listening stops but an open connection is served until it closes."""
        writeTac(twistd, DRAIN_TAC, freePort)
        process = twistd.start("-n", "--pidfile=", "-y", "app.tac")
        process.waitFor("Application started")
        with socket.create_connection(("127.0.0.1", freePort), timeout=5) as client:
            client.sendall(b"one")
            assert client.recv(10) == b"one"
            process.signal(signal.SIGTERM)
            process.waitFor("Received SIGTERM")
            process.waitFor(f"(TCP Port {freePort} Closed)")
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", freePort), timeout=5).close()
            client.sendall(b"two")
            assert client.recv(10) == b"two"
            assert process.popen.poll() is None
        assert process.wait() == 0
        assert "Server Shut Down." in process.output()

    def test_drainBoundedByTimeout(self, twistd: Any, freePort: int) -> None:
        """A connection that never closes is abandoned after --shutdown-timeout."""
        writeTac(twistd, DRAIN_TAC, freePort)
        process = twistd.start("-n", "--pidfile=", "--shutdown-timeout=0.3", "-y", "app.tac")
        process.waitFor("Application started")
        with socket.create_connection(("127.0.0.1", freePort), timeout=5) as client:
            client.sendall(b"x")
            assert client.recv(10) == b"x"
            process.signal(signal.SIGTERM)
            assert process.wait() == 0
        assert "did not stop within 0.3 seconds" in process.output()

    def test_sighupReopensLog(self, twistd: Any, freePort: int) -> None:
        """SIGHUP reopens the log file after it was moved away."""
        writeTac(twistd, ECHO_TAC, freePort)
        log = Path(twistd.cwd) / "server.log"
        process = twistd.start("-n", "--pidfile=", "-l", str(log), "-y", "app.tac")
        waitUntil(lambda: log.exists() and "Application started" in log.read_text())
        log.rename(Path(twistd.cwd) / "server.log.1")
        process.signal(signal.SIGHUP)
        waitUntil(lambda: log.exists() and "Log file reopened" in log.read_text())
        process.signal(signal.SIGTERM)
        assert process.wait() == 0
        assert "Server Shut Down." in log.read_text()
        assert "Server Shut Down." not in (Path(twistd.cwd) / "server.log.1").read_text()


class OptionTests:
    """Other options, end to end."""

    def test_jsonLogs(self, twistd: Any, freePort: int) -> None:
        """--log-format json writes records eventsFromJSONLogFile reads back."""
        writeTac(twistd, ECHO_TAC, freePort)
        log = Path(twistd.cwd) / "log.json"
        process = twistd.start(
            "-n", "--pidfile=", "--log-format=json", "-l", str(log), "-y", "app.tac"
        )
        waitUntil(lambda: log.exists() and "Application started" in log.read_text())
        process.signal(signal.SIGTERM)
        assert process.wait() == 0
        with open(log) as f:
            events = list(eventsFromJSONLogFile(f))
        formats = [e.get("log_format") for e in events]
        assert formats[0] == "Log opened."
        assert "Server Shut Down." in formats
        assert any(e.get("log_namespace") == "netframe.app.twistd" for e in events)

    def test_reactorOption(self, twistd: Any, freePort: int) -> None:
        """-r select installs the select reactor before the .tac imports one."""
        writeTac(twistd, ECHO_SERVICE_TAC, freePort)
        process = twistd.start("-n", "--pidfile=", "-r", "select", "-y", "app.tac")
        process.waitFor("reactor class: netframe.core.selectreactor.")
        process.waitFor("Application started")
        assert echo(freePort) == b"hello"
        process.signal(signal.SIGTERM)
        assert process.wait() == 0

    def test_versionAndHelp(self, twistd: Any) -> None:
        """--version and --help work as a program."""
        version = twistd.run("--version")
        assert version.returncode == 0
        assert version.stdout.startswith("netframe-twistd (netframe-app) ")
        helped = twistd.run("--help")
        assert helped.returncode == 0 and "--shutdown-timeout=" in helped.stdout

    def test_profile(self, twistd: Any, freePort: int) -> None:
        """--profile with --savestats writes statistics pstats can load."""
        import pstats

        writeTac(twistd, ECHO_TAC, freePort)
        out = Path(twistd.cwd) / "run.prof"
        process = twistd.start(
            "-n", "--pidfile=", "--profile", str(out), "--savestats", "-y", "app.tac"
        )
        process.waitFor("Application started")
        process.signal(signal.SIGTERM)
        assert process.wait() == 0
        assert pstats.Stats(str(out)).total_calls > 0  # type: ignore[attr-defined]  # not in typeshed

    def test_debugRunsUnderPdb(self, twistd: Any, freePort: int) -> None:
        """-b runs the reactor under pdb (here told to continue at once)."""
        import subprocess

        writeTac(twistd, ECHO_TAC, freePort)
        process = twistd.start("-b", "--pidfile=", "-y", "app.tac", stdin=subprocess.PIPE)
        process.popen.stdin.write("continue\n")
        process.popen.stdin.flush()
        process.waitFor("_reactorbase.py")
        process.waitFor("Application started")
        assert echo(freePort) == b"hello"
        process.signal(signal.SIGTERM)
        assert process.wait() == 0

    def test_spew(self, twistd: Any, freePort: int) -> None:
        """--spew prints function calls."""
        writeTac(twistd, ECHO_TAC, freePort)
        process = twistd.start("-n", "--pidfile=", "--spew", "-y", "app.tac")
        process.waitFor("startService()")
        process.signal(signal.SIGKILL)
        process.wait()

    def test_rundir(self, twistd: Any, freePort: int) -> None:
        """--rundir changes directory before the application starts."""
        rundir = Path(twistd.cwd) / "run"
        rundir.mkdir()
        writeTac(
            twistd,
            ECHO_TAC
            + "import os\n"
            + "class Cwd(service.Service):\n"
            + "    def startService(self):\n"
            + "        print('cwd=' + os.getcwd())\n"
            + "Cwd().setServiceParent(application)\n",
            freePort,
        )
        process = twistd.start("-n", "--pidfile=", "--rundir", str(rundir), "-y", "app.tac")
        process.waitFor(f"cwd={rundir}")
        process.waitFor("Application started")
        process.signal(signal.SIGTERM)
        assert process.wait() == 0


class PrivilegeTests:
    """Bind first, then drop privileges."""

    def test_dropToNobody(self, twistd: Any, freePort: int) -> None:
        """As root: binds, then runs as nobody with nobody's primary group; else exit 1."""
        nobody = pwd.getpwnam("nobody")
        writeTac(twistd, ECHO_TAC, freePort)
        if os.getuid() != 0:
            result = twistd.run("-n", "--pidfile=", "-u", "nobody", "-y", "app.tac")
            assert result.returncode == 1
            assert "cannot switch to uid" in result.stderr
            return
        process = twistd.start("-n", "--pidfile=", "-u", "nobody", "-y", "app.tac")
        process.waitFor("Switched to uid")
        status = Path(f"/proc/{process.pid}/status").read_text()
        uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
        gids = next(line for line in status.splitlines() if line.startswith("Gid:")).split()[1:]
        assert set(uids) == {str(nobody.pw_uid)}
        assert set(gids) == {str(nobody.pw_gid)}
        assert echo(freePort) == b"hello"
        process.signal(signal.SIGTERM)
        assert process.wait() == 0


def test_moduleEntryPointIsProgram() -> None:
    """python -m netframe.app is the netframe-twistd program."""
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "netframe.app", "--version"],
        capture_output=True,
        text=True,
        timeout=15,
    )
    assert result.returncode == 0
    assert io.StringIO(result.stdout).readline().startswith("netframe-twistd")
