"""
Tests for the netframe-twistd runner (options -> steps), with fake process
operations, a memory reactor and a fake log beginner: no fork, no sockets.
"""

from __future__ import annotations

import fcntl
import io
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from zope.interface import implementer

from netframe.app._runner import Spewer, TwistdRunner
from netframe.app._sdnotify import SystemdNotifier
from netframe.app._twistdlog import SyslogObserver, namedAny, toObserver
from netframe.app.service import IServiceMaker
from netframe.app.twistd import ServerOptions
from netframe.core import usage
from netframe.logger import ILogObserver, Logger, LogLevel, eventsFromJSONLogFile
from netframe.plugin import IPlugin

ECHO_TAC = """
from netframe.app import service, internet
from netframe.core import protocol
from netframe.core.protocols import wire

application = service.Application("echo")
factory = protocol.ServerFactory()
factory.protocol = wire.Echo
internet.TCPServer(7001, factory, reactor=REACTOR).setServiceParent(application)
"""


class Harness:
    """Builds a runner over fakes for one test."""

    def __init__(self, tmp: Path, system: Any, reactor: Any, beginner: Any) -> None:
        self.tmp = tmp
        self.system = system
        self.reactor = reactor
        self.beginner = beginner
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()
        self.environ: dict[str, str] = {}
        self.signals: dict[int, Any] = {}
        self.runners: list[TwistdRunner] = []

    def tac(self, source: str, name: str = "app.tac") -> Path:
        path = self.tmp / name
        path.write_text(source)
        return path

    def echoTac(self) -> Path:
        import builtins

        builtins.REACTOR = self.reactor  # type: ignore[attr-defined]
        return self.tac(ECHO_TAC)

    def config(self, *argv: str, plugins: list[Any] | None = None) -> Any:
        class TestOptions(ServerOptions):
            _getPlugins = staticmethod(lambda iface: list(plugins or []))

        config = TestOptions()
        config.parseOptions(list(argv))
        return config

    def runner(self, config: Any, **kw: Any) -> TwistdRunner:
        def installSignal(signum: int, handler: Any) -> Any:
            old = self.signals.get(signum, signal.SIG_DFL)
            self.signals[signum] = handler
            return old

        runner = TwistdRunner(
            config,
            stdout=self.stdout,
            stderr=self.stderr,
            environ=self.environ,
            system=self.system,
            reactor=self.reactor,
            logBeginner=self.beginner,
            installSignal=installSignal,
            **kw,
        )
        self.runners.append(runner)
        return runner

    def close(self) -> None:
        """Close the log files the runners opened."""
        for runner in self.runners:
            if runner.logTarget is not None and runner.logTarget.logFile is not None:
                runner.logTarget.logFile.close()

    def run(self, *argv: str, **kw: Any) -> int:
        return self.runner(self.config(*argv), **kw).run()


@pytest.fixture
def harness(
    tmp_path: Path,
    fakeSystem: Any,
    shutdownReactor: Any,
    logBeginner: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Harness]:
    """A runner harness in a temporary directory (also the working directory, so the
    default twistd.log of daemon-mode runs lands there, not in the checkout)."""
    import builtins

    monkeypatch.chdir(tmp_path)
    harness = Harness(tmp_path, fakeSystem, shutdownReactor, logBeginner)
    yield harness
    harness.close()
    if hasattr(builtins, "REACTOR"):
        del builtins.REACTOR


def lines(text: str) -> list[str]:
    """The messages of classic log lines (after the '] ')."""
    return [line.split("] ", 1)[1] for line in text.splitlines() if "] " in line]


class ForegroundRunTests:
    """A foreground run with -n -y logs the documented lines and exits 0."""

    def test_documentedLogLines(self, harness: Harness) -> None:
        """Startup and shutdown lines appear in the documented order."""
        tac = harness.echoTac()
        code = harness.run("-n", "--pidfile", str(harness.tmp / "t.pid"), "-y", str(tac))
        assert code == 0, harness.stderr.getvalue()
        messages = lines(harness.stdout.getvalue())
        assert messages[0] == "Log opened."
        assert messages[1].startswith("netframe-twistd ") and messages[1].endswith(" starting up.")
        assert messages[2] == "reactor class: conftest.ShutdownReactor." or messages[2].startswith(
            "reactor class: "
        )
        assert messages[3] == f"Loading {tac}..."
        assert messages[4] == "Loaded."
        assert messages[-1] == "Server Shut Down."

    def test_listensAndStops(self, harness: Harness) -> None:
        """The tac's TCPServer listened and was stopped at shutdown."""
        tac = harness.echoTac()
        assert harness.run("-n", "--pidfile=", "-y", str(tac)) == 0
        assert harness.reactor.tcpServers[0][0] == 7001

    def test_noForkNoDefaultUmask(self, harness: Harness) -> None:
        """In the foreground there is no fork and no default umask."""
        tac = harness.echoTac()
        harness.run("-n", "--pidfile=", "-y", str(tac))
        assert "fork" not in harness.system.names()
        assert "umask" not in harness.system.names()
        assert ("chdir", (".",)) in harness.system.calls

    def test_pidfileCreatedAndRemoved(self, harness: Harness) -> None:
        """The pidfile holds the pid while running and is removed after."""
        tac = harness.echoTac()
        seen: list[str] = []
        pidfile = harness.tmp / "t.pid"
        harness.reactor.callWhenRunning(lambda: seen.append(pidfile.read_text()))
        assert harness.run("-n", "--pidfile", str(pidfile), "-y", str(tac)) == 0
        assert seen == ["4242\n"]
        assert not pidfile.exists()

    def test_stdioRedirected(self, harness: Harness) -> None:
        """Standard I/O is redirected into the log, except under --debug."""
        tac = harness.echoTac()
        harness.run("-n", "--pidfile=", "-y", str(tac))
        assert harness.beginner.calls[0][1] is True

    def test_jsonLogFormat(self, harness: Harness) -> None:
        """--log-format json writes records eventsFromJSONLogFile reads back."""
        tac = harness.echoTac()
        harness.run("-n", "--pidfile=", "--log-format=json", "-y", str(tac))
        events = list(eventsFromJSONLogFile(io.StringIO(harness.stdout.getvalue())))
        formats = [e.get("log_format") for e in events]
        assert "Log opened." in formats and "Server Shut Down." in formats

    def test_logfile(self, harness: Harness) -> None:
        """--logfile writes the log to that file."""
        tac = harness.echoTac()
        log = harness.tmp / "out.log"
        harness.run("-n", "--pidfile=", "-l", str(log), "-y", str(tac))
        assert "Server Shut Down." in log.read_text()
        assert harness.stdout.getvalue() == ""

    def test_daemonDefaultLogfile(self, harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
        """Daemon mode without --logfile logs to twistd.log."""
        monkeypatch.chdir(harness.tmp)
        tac = harness.echoTac()
        harness.run("--pidfile=", "-y", str(tac))
        assert "Log opened." in (harness.tmp / "twistd.log").read_text()


class ErrorTests:
    """User errors exit 1 with one clear line and no traceback."""

    def check(self, harness: Harness, *argv: str, message: str, traceback: bool = False) -> None:
        code = harness.run(*argv)
        err = harness.stderr.getvalue()
        assert code == 1
        assert message in err, err
        assert ("Traceback" in err) is traceback

    def test_missingTac(self, harness: Harness) -> None:
        """A missing .tac is reported."""
        self.check(
            harness, "-n", "--pidfile=", "-y", str(harness.tmp / "no.tac"), message="no such file"
        )

    def test_syntaxError(self, harness: Harness) -> None:
        """A .tac syntax error names the file and line."""
        tac = harness.tac("x = (\n\n")
        self.check(harness, "-n", "--pidfile=", "-y", str(tac), message=f"syntax error in {tac}")

    def test_noApplication(self, harness: Harness) -> None:
        """A .tac without application is reported."""
        tac = harness.tac("x = 1\n")
        self.check(
            harness,
            "-n",
            "--pidfile=",
            "-y",
            str(tac),
            message="does not define a module-level variable 'application'",
        )

    def test_tacRaises(self, harness: Harness) -> None:
        """A .tac that raises shows its traceback and exits 1."""
        tac = harness.tac("raise RuntimeError('broken config')\n")
        self.check(
            harness,
            "-n",
            "--pidfile=",
            "-y",
            str(tac),
            message="RuntimeError: broken config",
            traceback=True,
        )

    def test_unwritableLogDirectory(self, harness: Harness) -> None:
        """A log file in a missing directory is reported."""
        tac = harness.echoTac()
        self.check(
            harness,
            "-n",
            "--pidfile=",
            "-l",
            str(harness.tmp / "nodir" / "x.log"),
            "-y",
            str(tac),
            message="cannot open log file",
        )

    def test_pidfileDirectoryMissing(self, harness: Harness) -> None:
        """A pidfile in a missing directory is reported."""
        tac = harness.echoTac()
        self.check(
            harness,
            "-n",
            "--pidfile",
            str(harness.tmp / "nodir" / "x.pid"),
            "-y",
            str(tac),
            message="cannot write pidfile",
        )

    def test_liveInstance(self, harness: Harness) -> None:
        """A pidfile locked by a live server refuses the start."""
        tac = harness.echoTac()
        pidfile = harness.tmp / "t.pid"
        pidfile.write_text("999\n")
        fd = os.open(pidfile, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            self.check(
                harness,
                "-n",
                "--pidfile",
                str(pidfile),
                "-y",
                str(tac),
                message="another server is running, PID 999",
            )
        finally:
            os.close(fd)
        assert harness.reactor.tcpServers == []

    def test_stalePidfileReplaced(self, harness: Harness) -> None:
        """A stale pidfile is replaced with a log line."""
        tac = harness.echoTac()
        pidfile = harness.tmp / "t.pid"
        pidfile.write_text("garbage")
        assert harness.run("-n", "--pidfile", str(pidfile), "-y", str(tac)) == 0
        assert "Removed stale pidfile" in harness.stdout.getvalue()
        assert "garbage content" in harness.stdout.getvalue()

    def test_bindFailure(self, harness: Harness) -> None:
        """A failing privilegedStartService exits 1 with the reason."""

        def refuse(*args: Any, **kw: Any) -> Any:
            raise OSError("Address already in use")

        harness.reactor.listenTCP = refuse
        tac = harness.echoTac()
        self.check(harness, "-n", "--pidfile=", "-y", str(tac), message="Address already in use")

    def test_startServiceFailure(self, harness: Harness) -> None:
        """A failing startService stops the reactor and exits 1."""
        tac = harness.tac(
            "from netframe.app import service\n"
            "class Bad(service.Service):\n"
            "    def startService(self):\n"
            "        raise ValueError('cannot start')\n"
            "application = service.Application('x')\n"
            "Bad().setServiceParent(application)\n"
        )
        self.check(harness, "-n", "--pidfile=", "-y", str(tac), message="cannot start")


class DaemonTests:
    """Daemonizing: double fork, setsid, stdio, startup report on a pipe."""

    def test_parentSuccess(self, harness: Harness) -> None:
        """The parent exits 0 when the daemon reports OK."""
        harness.system.forks = [1234]
        harness.system.pipeData = [b"O", b"K"]
        runner = harness.runner(harness.config("--pidfile=", "-y", str(harness.echoTac())))
        assert runner.run() == 0
        assert runner.isDaemonParent
        assert harness.reactor.tcpServers == []

    def test_parentFailure(self, harness: Harness) -> None:
        """The parent exits 1 with the daemon's error message."""
        harness.system.forks = [1234]
        harness.system.pipeData = [b"ERR port 7001 in use"]
        runner = harness.runner(harness.config("--pidfile=", "-y", str(harness.echoTac())))
        assert runner.run() == 1
        assert "netframe-twistd: port 7001 in use" in harness.stderr.getvalue()

    def test_parentDaemonDied(self, harness: Harness) -> None:
        """The parent exits 1 when the daemon dies without a report."""
        harness.system.forks = [1234]
        runner = harness.runner(harness.config("--pidfile=", "-y", str(harness.echoTac())))
        assert runner.run() == 1
        assert "the daemon exited during startup" in harness.stderr.getvalue()

    def test_startupMessageLimit(self, harness: Harness) -> None:
        """The parent reads at most maxStartupMessage bytes of the report."""
        harness.system.forks = [1234]
        harness.system.pipeData = [b"ERR " + b"x" * 100, b"y" * 100]
        runner = harness.runner(harness.config("--pidfile=", "-y", str(harness.echoTac())))
        runner.maxStartupMessage = 104
        assert runner.run() == 1
        assert "x" * 100 in harness.stderr.getvalue()
        assert "y" not in harness.stderr.getvalue().split(":", 1)[1]

    def test_childSequence(self, harness: Harness) -> None:
        """The daemon: fork, setsid, fork, stdio to /dev/null, umask 077, then OK."""
        tac = harness.echoTac()
        harness.system.forks = [0, 0]
        code = harness.run("--pidfile=", "-l", str(harness.tmp / "d.log"), "-y", str(tac))
        assert code == 0
        names = harness.system.names()
        start = names.index("pipe")
        assert names[start : start + 6] == [
            "pipe",
            "fork",
            "close",
            "setsid",
            "fork",
            "redirectStandardIO",
        ]
        assert ("umask", (0o077,)) in harness.system.calls
        assert harness.system.written == [(101, b"OK")]

    def test_childReportsFailure(self, harness: Harness) -> None:
        """A daemon whose binding fails reports ERR on the pipe."""

        def refuse(*args: Any, **kw: Any) -> Any:
            raise OSError("in use")

        harness.reactor.listenTCP = refuse
        tac = harness.echoTac()
        harness.system.forks = [0, 0]
        code = harness.run("--pidfile=", "-l", str(harness.tmp / "d.log"), "-y", str(tac))
        assert code == 1
        [(fd, data)] = harness.system.written
        assert fd == 101 and data.startswith(b"ERR ") and b"in use" in data

    def test_explicitUmask(self, harness: Harness) -> None:
        """--umask overrides the daemon default."""
        harness.system.forks = [0, 0]
        tac = harness.echoTac()
        harness.run("--umask=022", "--pidfile=", "-l", str(harness.tmp / "d.log"), "-y", str(tac))
        assert ("umask", (0o022,)) in harness.system.calls

    def test_chrootBeforeRundir(self, harness: Harness) -> None:
        """--chroot happens before --rundir, both before forking."""
        tac = harness.echoTac()
        harness.system.forks = [0, 0]
        harness.run(
            "--chroot=/jail",
            "--rundir=/srv",
            "--pidfile=",
            "-l",
            str(harness.tmp / "d.log"),
            "-y",
            str(tac),
        )
        names = harness.system.calls
        assert names[:3] == [("chroot", ("/jail",)), ("chdir", ("/",)), ("chdir", ("/srv",))]

    def test_chrootFailure(self, harness: Harness) -> None:
        """A failing chroot exits 1."""
        harness.system.failing.add("chroot")
        tac = harness.echoTac()
        assert harness.run("-n", "--chroot=/jail", "--pidfile=", "-y", str(tac)) == 1
        assert "cannot chroot to /jail" in harness.stderr.getvalue()


class PrivilegeTests:
    """Binding happens before dropping to -u/-g."""

    def test_uidWithoutGidUsesPrimaryGroup(self, harness: Harness) -> None:
        """-u without -g switches to the user's primary group and groups."""
        harness.system.uid = 0
        tac = harness.echoTac()
        assert harness.run("-n", "--pidfile=", "-u", "2000", "-y", str(tac)) == 0
        calls = [c for c in harness.system.calls if c[0].startswith("set")]
        assert calls == [("setgroups", ([2100, 3000],)), ("setgid", (2100,)), ("setuid", (2000,))]

    def test_bindBeforeDrop(self, harness: Harness) -> None:
        """listenTCP happens before setuid."""
        order: list[str] = []
        original = harness.reactor.listenTCP

        def listen(*args: Any, **kw: Any) -> Any:
            order.append("listen")
            return original(*args, **kw)

        harness.reactor.listenTCP = listen
        realSetuid = harness.system.setuid

        def setuid(uid: int) -> None:
            order.append("setuid")
            realSetuid(uid)

        harness.system.setuid = setuid
        harness.system.uid = 0
        harness.run("-n", "--pidfile=", "-u", "2000", "-y", str(harness.echoTac()))
        assert order == ["listen", "setuid"]

    def test_applicationProcessIds(self, harness: Harness) -> None:
        """Application(uid=, gid=) is used when -u/-g are absent."""
        harness.system.uid = 0
        tac = harness.tac(
            "from netframe.app import service\n"
            "application = service.Application('x', uid=2000, gid=7)\n"
        )
        assert harness.run("-n", "--pidfile=", "-y", str(tac)) == 0
        assert ("setgid", (7,)) in harness.system.calls
        assert ("setuid", (2000,)) in harness.system.calls

    def test_dropFailureExits1(self, harness: Harness) -> None:
        """A failing setuid exits 1 with a message."""
        harness.system.failing.add("setuid")
        tac = harness.echoTac()
        assert harness.run("-n", "--pidfile=", "-u", "2000", "-y", str(tac)) == 1
        assert "cannot switch to uid 2000, gid 2100" in harness.stderr.getvalue()

    def test_sameIdsNotRoot(self, harness: Harness) -> None:
        """A non-root user asking for its own ids changes nothing."""
        tac = harness.echoTac()
        assert harness.run("-n", "--pidfile=", "-u", "1000", "-y", str(tac)) == 0
        assert not [c for c in harness.system.calls if c[0].startswith("set")]

    def test_nonRootNoSetgroups(self, harness: Harness) -> None:
        """A non-root user does not call setgroups (it would fail)."""
        tac = harness.echoTac()
        harness.run("-n", "--pidfile=", "-g", "5", "-y", str(tac))
        assert ("setgid", (5,)) in harness.system.calls
        assert "setgroups" not in harness.system.names()


class ShutdownTests:
    """Shutdown waits for stopService, bounded by --shutdown-timeout."""

    SLOW_TAC = (
        "from netframe.app import service\n"
        "from netframe.core.defer import Deferred\n"
        "import builtins\n"
        "class Slow(service.Service):\n"
        "    def stopService(self):\n"
        "        service.Service.stopService(self)\n"
        "        builtins.SLOW_STOP = Deferred()\n"
        "        return builtins.SLOW_STOP\n"
        "application = service.Application('x')\n"
        "Slow().setServiceParent(application)\n"
    )

    def test_timeoutBoundsDrain(self, harness: Harness) -> None:
        """A stopService that never fires is abandoned after the timeout."""
        import builtins

        tac = harness.tac(self.SLOW_TAC)
        runner = harness.runner(
            harness.config("-n", "--pidfile=", "--shutdown-timeout=5", "-y", str(tac))
        )
        runner.loadApplication()
        runner.startLogging()
        runner.prepareReactor()
        harness.reactor.run()
        assert harness.reactor.getDelayedCalls()
        harness.reactor.advance(4.9)
        assert "did not stop within" not in harness.stdout.getvalue()
        harness.reactor.advance(0.1)
        assert "did not stop within 5.0 seconds" in harness.stdout.getvalue()
        del builtins.SLOW_STOP  # type: ignore[attr-defined]

    def test_drainFinishesEarly(self, harness: Harness) -> None:
        """A stopService that fires cancels the timeout."""
        import builtins

        tac = harness.tac(self.SLOW_TAC)
        runner = harness.runner(harness.config("-n", "--pidfile=", "-y", str(tac)))
        runner.loadApplication()
        runner.startLogging()
        runner.prepareReactor()
        harness.reactor.run()
        builtins.SLOW_STOP.callback(None)  # type: ignore[attr-defined]
        assert harness.reactor.getDelayedCalls() == []
        del builtins.SLOW_STOP  # type: ignore[attr-defined]


class HangupTests:
    """SIGHUP reopens the log file."""

    def test_reopen(self, harness: Harness) -> None:
        """After the file was moved away, SIGHUP makes a new one."""
        tac = harness.echoTac()
        log = harness.tmp / "x.log"
        runner = harness.runner(harness.config("-n", "--pidfile=", "-l", str(log), "-y", str(tac)))
        runner.loadApplication()
        runner.startLogging()
        runner.prepareReactor()
        harness.reactor.whenRunningHooks[0][0]()
        log.rename(harness.tmp / "x.log.1")
        harness.signals[signal.SIGHUP](signal.SIGHUP, None)
        assert "Log file reopened" in log.read_text()
        assert "Log opened." in (harness.tmp / "x.log.1").read_text()

    def test_noHandlerForStdout(self, harness: Harness) -> None:
        """Logging to stdout installs no SIGHUP handler."""
        harness.run("-n", "--pidfile=", "-y", str(harness.echoTac()))
        assert signal.SIGHUP not in harness.signals


class KillTests:
    """--kill signals the server holding the pidfile."""

    def test_killLive(self, harness: Harness) -> None:
        """A live pidfile's pid gets SIGTERM."""
        pidfile = harness.tmp / "t.pid"
        pidfile.write_text("31337\n")
        fd = os.open(pidfile, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            assert harness.run("--kill", "--pidfile", str(pidfile)) == 0
        finally:
            os.close(fd)
        assert ("kill", (31337, signal.SIGTERM)) in harness.system.calls

    def test_killMissing(self, harness: Harness) -> None:
        """No pidfile: exit 1."""
        assert harness.run("--kill", "--pidfile", str(harness.tmp / "none.pid")) == 1
        assert "no server to stop" in harness.stderr.getvalue()

    def test_killStale(self, harness: Harness) -> None:
        """A stale pidfile: exit 1, nothing signalled."""
        pidfile = harness.tmp / "t.pid"
        pidfile.write_text(f"{os.getpid()}\n")
        assert harness.run("--kill", "--pidfile", str(pidfile)) == 1
        assert "stale" in harness.stderr.getvalue()
        assert "kill" not in harness.system.names()

    def test_killEmptyPidfile(self, harness: Harness) -> None:
        """--kill with --pidfile= is refused."""
        assert harness.run("--kill", "--pidfile=") == 1


@implementer(IServiceMaker, IPlugin)
class EchoMaker:
    """A plugin subcommand."""

    tapname = "echoer"
    description = "Echo things."

    class options(usage.Options):
        optParameters = [["port", "p", "7002", "port"]]

    def __init__(self, reactor: Any) -> None:
        self.reactor = reactor

    def makeService(self, options: Any) -> Any:
        from netframe.app.internet import TCPServer
        from netframe.core.protocol import ServerFactory

        return TCPServer(int(options["port"]), ServerFactory(), reactor=self.reactor)


class PluginRunTests:
    """A subcommand's service runs inside an Application named after it."""

    def test_subcommand(self, harness: Harness) -> None:
        """The plugin's service listens with the parsed options."""
        config = harness.config(
            "-n", "--pidfile=", "echoer", "-p", "9999", plugins=[EchoMaker(harness.reactor)]
        )
        runner = harness.runner(config)
        assert runner.run() == 0
        assert harness.reactor.tcpServers[0][0] == 9999
        from netframe.app.service import IService

        assert IService(runner.application).name == "echoer"


class LoggingChoiceTests:
    """Where the log goes: --logger, the application's observer, syslog."""

    def test_loggerOption(self, harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
        """--logger NAME calls NAME and logs to what it returns (legacy emit)."""
        out = harness.tmp / "my.log"
        (harness.tmp / "nfapp_mylog.py").write_text(
            "from netframe.logger.legacy import FileLogObserver\n"
            f"f = open({str(out)!r}, 'w')\n"
            "def logger():\n"
            "    return FileLogObserver(f).emit\n"
        )
        monkeypatch.syspath_prepend(str(harness.tmp))
        tac = harness.echoTac()
        harness.run("-n", "--pidfile=", "--logger", "nfapp_mylog.logger", "-y", str(tac))
        module = sys.modules["nfapp_mylog"]
        module.f.close()
        monkeypatch.delitem(sys.modules, "nfapp_mylog")
        assert "Server Shut Down." in out.read_text()

    def test_badLogger(self, harness: Harness) -> None:
        """An unimportable --logger exits 1."""
        tac = harness.echoTac()
        assert harness.run("-n", "--pidfile=", "--logger", "nfapp_no.such", "-y", str(tac)) == 1
        assert "cannot set up logging" in harness.stderr.getvalue()

    def test_applicationObserver(self, harness: Harness) -> None:
        """The application's new-style ILogObserver component is used."""
        import builtins

        events: list[Any] = []
        builtins.NFAPP_EVENTS = events  # type: ignore[attr-defined]
        tac = harness.tac(
            "import builtins\n"
            "from netframe.app import service\n"
            "from netframe.logger import ILogObserver\n"
            "application = service.Application('x')\n"
            "application.setComponent(ILogObserver, builtins.NFAPP_EVENTS.append)\n"
        )
        harness.run("-n", "--pidfile=", "-y", str(tac))
        del builtins.NFAPP_EVENTS  # type: ignore[attr-defined]
        assert any(e.get("log_format") == "Log opened." for e in events)
        assert harness.stdout.getvalue() == ""

    def test_applicationLegacyObserver(self, harness: Harness) -> None:
        """A legacy ILogObserver component gets legacy event dictionaries."""
        import builtins

        events: list[Any] = []
        builtins.NFAPP_EVENTS = events  # type: ignore[attr-defined]
        tac = harness.tac(
            "import builtins\n"
            "from netframe.app import service\n"
            "from netframe.logger.legacy import ILogObserver\n"
            "application = service.Application('x')\n"
            "application.setComponent(ILogObserver, builtins.NFAPP_EVENTS.append)\n"
        )
        harness.run("-n", "--pidfile=", "-y", str(tac))
        del builtins.NFAPP_EVENTS  # type: ignore[attr-defined]
        assert any("message" in e and "isError" in e for e in events)

    def test_syslog(self, harness: Harness) -> None:
        """--syslog sends each line with the prefix and a priority."""
        fake = FakeSyslog()
        tac = harness.echoTac()
        harness.run(
            "-n", "--pidfile=", "--syslog", "--prefix=myd", "-y", str(tac), syslogModule=fake
        )
        assert fake.opened == ("myd", fake.LOG_PID, fake.LOG_DAEMON)
        assert (fake.LOG_INFO, "[netframe.app.twistd] Log opened.") in fake.messages


class FakeSyslog:
    """The parts of the syslog module the observer uses."""

    LOG_PID, LOG_DAEMON = 1, 24
    LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR, LOG_CRIT = 7, 6, 4, 3, 2

    def __init__(self) -> None:
        self.opened: tuple[Any, ...] = ()
        self.messages: list[tuple[int, str]] = []

    def openlog(self, *args: Any) -> None:
        self.opened = args

    def syslog(self, priority: int, message: str) -> None:
        self.messages.append((priority, message))


class HelperTests:
    """Small pieces: syslog levels, observers, namedAny, spewer, notifier."""

    def test_syslogObserverVerifies(self) -> None:
        """SyslogObserver provides ILogObserver."""
        from zope.interface.verify import verifyObject

        assert verifyObject(ILogObserver, SyslogObserver("p", FakeSyslog()))

    def test_syslogErrorWithFailure(self) -> None:
        """A failure's traceback is sent line by line at error priority."""
        fake = FakeSyslog()
        observer = SyslogObserver("p", fake)
        try:
            raise ValueError("bad")
        except ValueError:
            Logger(namespace="ns", observer=observer).failure("oops")
        priorities = {p for p, _ in fake.messages}
        assert priorities == {fake.LOG_CRIT}
        assert any("ValueError: bad" in m for _, m in fake.messages)

    def test_toObserver(self) -> None:
        """New-style observers pass; plain callables are wrapped as legacy."""

        @implementer(ILogObserver)
        class New:
            def __call__(self, event: Any) -> None:
                pass

        new = New()
        assert toObserver(new) is new
        legacy: list[Any] = []
        wrapped = toObserver(legacy.append)
        wrapped({"log_format": "hi", "log_level": LogLevel.info, "log_time": 0.0})
        assert legacy[0]["message"] == () or "isError" in legacy[0]
        with pytest.raises(TypeError, match="not callable"):
            toObserver(3)

    def test_namedAny(self) -> None:
        """namedAny imports modules and walks attributes."""
        assert namedAny("os.path.join") is os.path.join
        with pytest.raises(ValueError):
            namedAny("a..b")
        with pytest.raises(ModuleNotFoundError):
            namedAny("nfapp_missing_module.x")
        with pytest.raises(AttributeError):
            namedAny("os.nfapp_missing_attribute")

    def test_spewer(self) -> None:
        """The spewer writes one line per call event."""
        out = io.StringIO()
        spewer = Spewer(out)

        class Frame:
            f_lineno = 3

            class f_code:
                co_filename = "f.py"
                co_name = "g"

        spewer(Frame(), "call", None)
        spewer(Frame(), "line", None)
        assert out.getvalue() == "f.py:3 g()\n"

    def test_notifierAddresses(self) -> None:
        """NOTIFY_SOCKET paths and @abstract names are understood."""
        assert SystemdNotifier({}, 1).address is None
        assert SystemdNotifier({"NOTIFY_SOCKET": "/run/x"}, 1).address == "/run/x"
        assert SystemdNotifier({"NOTIFY_SOCKET": "@abs"}, 1).address == "\0abs"
        assert not SystemdNotifier({}, 1).notify("READY=1")

    def test_watchdogInterval(self) -> None:
        """The watchdog pings every half WATCHDOG_USEC, for this pid only."""
        env = {"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "2000000"}
        assert SystemdNotifier(env, 5).watchdogInterval == 1.0
        assert SystemdNotifier({**env, "WATCHDOG_PID": "5"}, 5).watchdogInterval == 1.0
        assert SystemdNotifier({**env, "WATCHDOG_PID": "6"}, 5).watchdogInterval is None
        assert SystemdNotifier({"WATCHDOG_USEC": "5"}, 5).watchdogInterval is None

    def test_watchdogMinimum(self) -> None:
        """A half-period below minWatchdogInterval is raised to it; at it, kept."""
        minimum = SystemdNotifier.minWatchdogInterval
        atLimit = str(int(minimum * 2_000_000))
        below = str(int(minimum * 2_000_000) - 2)
        env = {"NOTIFY_SOCKET": "/x"}
        assert SystemdNotifier({**env, "WATCHDOG_USEC": atLimit}, 1).watchdogInterval == minimum
        assert SystemdNotifier({**env, "WATCHDOG_USEC": below}, 1).watchdogInterval == minimum

    def test_notifyFailureLogged(self, capturedEvents: list[dict[str, Any]]) -> None:
        """A notification to a missing socket is logged, not raised."""
        notifier = SystemdNotifier({"NOTIFY_SOCKET": "/nonexistent/nfapp.sock"}, 1)
        assert not notifier.notify("READY=1")
        notifier.close()
        assert any("Cannot notify systemd" in str(e.get("log_format")) for e in capturedEvents)
