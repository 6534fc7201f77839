"""
Tests for L{netframe.app.twistd.stopWithStatus}: an application stops
netframe-twistd with an exit status of its choosing. Runner tests use fake
process operations and a memory reactor; one test runs a real
netframe-twistd subprocess (bounded in time).
"""

from __future__ import annotations

import io
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netframe.app import _runner
from netframe.app._runner import TwistdRunner
from netframe.app.twistd import MAX_EXIT_STATUS, ServerOptions, stopWithStatus
from netframe.core import error
from netframe.core.testing import MemoryReactorClock
from netframe.logger import LogLevel

#: The most timed calls a L{LoopReactor} runs before it gives up (no test hangs).
MAX_PASSES = 1000


class LoopReactor(MemoryReactorClock):
    """
    A memory reactor that runs like a real one, without I/O: L{run} makes
    the C{callWhenRunning} calls, then runs the timed calls (advancing its
    clock) until L{stop}; L{stop} fires the shutdown event and raises
    L{error.ReactorNotRunning} when already stopping.
    """

    def __init__(self) -> None:
        super().__init__()
        self.stopCalls = 0

    def run(self) -> None:
        self.running = True
        self.hasRun = True
        hooks, self.whenRunningHooks = self.whenRunningHooks, []
        for f, args, kwargs in hooks:
            f(*args, **kwargs)
        for _ in range(MAX_PASSES):
            calls = self.getDelayedCalls()
            if self.hasStopped or not calls:
                break
            self.advance(max(0.0, min(c.getTime() for c in calls) - self.seconds()))
        if not self.hasStopped:
            self.stop()
        self.running = False

    def stop(self) -> None:
        if self.hasStopped:
            raise error.ReactorNotRunning("already stopping")
        self.stopCalls += 1
        self.hasStopped = True
        self.fireSystemEvent("shutdown")


class Builder:
    """Writes .tac files and runs a L{TwistdRunner} over fakes."""

    def __init__(self, tmp: Path, system: Any, beginner: Any) -> None:
        self.tmp = tmp
        self.system = system
        self.beginner = beginner
        self.reactor = LoopReactor()
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()
        self.runners: list[TwistdRunner] = []

    def tac(self, body: str) -> str:
        """Write a .tac whose module has C{reactor}, C{service} and C{stopWithStatus}."""
        path = self.tmp / "app.tac"
        path.write_text(
            "import builtins\n"
            "from netframe.app import service\n"
            "from netframe.app.twistd import stopWithStatus\n"
            "reactor = builtins.EXIT_REACTOR\n"
            "application = service.Application('exit')\n" + body
        )
        return str(path)

    def runner(self, *argv: str) -> TwistdRunner:
        import builtins

        builtins.EXIT_REACTOR = self.reactor  # type: ignore[attr-defined]
        config = ServerOptions()
        config.parseOptions(list(argv))
        runner = TwistdRunner(
            config,
            stdout=self.stdout,
            stderr=self.stderr,
            environ={},
            system=self.system,
            reactor=self.reactor,
            logBeginner=self.beginner,
            installSignal=lambda signum, handler: signal.SIG_DFL,
        )
        self.runners.append(runner)
        return runner

    def run(self, body: str, *options: str) -> int:
        """Run C{body} as a .tac in the foreground; return the exit status."""
        return self.runner("-n", "--pidfile=", *options, "-y", self.tac(body)).run()

    def close(self) -> None:
        import builtins

        for runner in self.runners:
            if runner.logTarget is not None and runner.logTarget.logFile is not None:
                runner.logTarget.logFile.close()
        for name in ("EXIT_REACTOR", "EXIT_EVENTS"):
            if hasattr(builtins, name):
                delattr(builtins, name)


@pytest.fixture
def builder(
    tmp_path: Path, fakeSystem: Any, logBeginner: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Builder]:
    """A runner builder working in a temporary directory."""
    monkeypatch.chdir(tmp_path)
    b = Builder(tmp_path, fakeSystem, logBeginner)
    yield b
    b.close()


#: A service recording its start and stop in builtins.EXIT_EVENTS.
RECORDING_SERVICE = (
    "builtins.EXIT_EVENTS = []\n"
    "class Recording(service.Service):\n"
    "    def startService(self):\n"
    "        service.Service.startService(self)\n"
    "        builtins.EXIT_EVENTS.append('start')\n"
    "        self.started()\n"
    "    def started(self):\n"
    "        pass\n"
    "    def stopService(self):\n"
    "        builtins.EXIT_EVENTS.append('stop')\n"
    "        return service.Service.stopService(self)\n"
)


def recorded() -> list[str]:
    """The start/stop events of the RECORDING_SERVICE."""
    import builtins

    return list(builtins.EXIT_EVENTS)  # type: ignore[attr-defined]


class ValidationTests:
    """The status must be an int from 0 to MAX_EXIT_STATUS."""

    @pytest.mark.parametrize("status", [-1, MAX_EXIT_STATUS + 1, 1.0, "1", True, None])
    def test_badStatusRefused(self, status: Any) -> None:
        """A bad status is a ValueError naming it, and nothing is stopped."""
        reactor = LoopReactor()
        reactor.running = True
        with pytest.raises(ValueError, match="exit status must be an int from 0 to 255") as e:
            stopWithStatus(status, reactor=reactor)
        assert repr(status) in str(e.value)
        assert reactor.stopCalls == 0

    @pytest.mark.parametrize("status", [0, 1, MAX_EXIT_STATUS])
    def test_limitsAccepted(self, status: int) -> None:
        """0 and MAX_EXIT_STATUS (255) are accepted."""
        reactor = LoopReactor()
        reactor.running = True
        stopWithStatus(status, reactor=reactor)
        assert reactor.stopCalls == 1

    def test_maxIsByte(self) -> None:
        """MAX_EXIT_STATUS is the largest status a POSIX process reports."""
        assert MAX_EXIT_STATUS == 255


class WithoutRunnerTests:
    """Outside netframe-twistd the reactor is stopped (if running) and nothing else."""

    def test_stopsGivenReactor(self) -> None:
        """A running reactor given is stopped once; shutdown triggers run."""
        reactor = LoopReactor()
        reactor.running = True
        fired: list[bool] = []
        reactor.addSystemEventTrigger("before", "shutdown", fired.append, True)
        stopWithStatus(2, reactor=reactor)
        assert reactor.stopCalls == 1
        assert fired == [True]

    def test_reactorNotRunning(self) -> None:
        """A reactor that is not running is left alone."""
        reactor = LoopReactor()
        stopWithStatus(2, reactor=reactor)
        assert reactor.stopCalls == 0

    def test_reactorAlreadyStopping(self) -> None:
        """A reactor already stopping (stop raises) is not an error."""
        reactor = LoopReactor()
        reactor.running = True
        reactor.stop()
        stopWithStatus(2, reactor=reactor)
        assert reactor.stopCalls == 1

    def test_globalReactorStopped(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a reactor argument, the installed global reactor is stopped."""
        reactor = LoopReactor()
        reactor.running = True
        monkeypatch.setitem(sys.modules, "netframe.core.reactor", reactor)
        stopWithStatus(1)
        assert reactor.stopCalls == 1

    def test_noReactorInstalled(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """With no global reactor installed, none is installed and nothing happens."""
        monkeypatch.delitem(sys.modules, "netframe.core.reactor", raising=False)
        stopWithStatus(1)
        assert "netframe.core.reactor" not in sys.modules

    def test_reasonLoggedCritical(self, capturedEvents: list[dict[str, Any]]) -> None:
        """The reason is logged once, at critical level, with the status."""
        reactor = LoopReactor()
        stopWithStatus(3, "disk {full}", reactor=reactor)
        [event] = [e for e in capturedEvents if e.get("reason") == "disk {full}"]
        assert event["log_level"] == LogLevel.critical
        assert event["status"] == 3

    def test_noReasonLoggedInfo(self, capturedEvents: list[dict[str, Any]]) -> None:
        """Without a reason, the status is logged at info level."""
        stopWithStatus(0, reactor=LoopReactor())
        [event] = [e for e in capturedEvents if "status" in e]
        assert event["log_level"] == LogLevel.info
        assert event["status"] == 0


class RunningApplicationTests:
    """After start-up: a clean shutdown, then the status as netframe-twistd's exit status."""

    def test_statusAfterStart(self, builder: Builder) -> None:
        """A call after start-up stops the services and run() returns the status."""
        code = builder.run(
            RECORDING_SERVICE + "def later():\n"
            "    stopWithStatus(3, 'the disk is on fire')\n"
            "Recording.started = lambda self: reactor.callLater(0, later)\n"
            "Recording().setServiceParent(application)\n"
        )
        assert code == 3
        assert recorded() == ["start", "stop"]
        out = builder.stdout.getvalue()
        assert "Application started (PID 4242)." in out
        assert out.count("the disk is on fire") == 1
        assert "Stopping with exit status 3: the disk is on fire" in out
        assert builder.stderr.getvalue() == ""
        assert builder.reactor.stopCalls == 1

    def test_zeroIsCleanStop(self, builder: Builder) -> None:
        """Status 0 stops the application like reactor.stop(); run() returns 0."""
        code = builder.run(
            RECORDING_SERVICE
            + "Recording.started = lambda self: reactor.callLater(0, stopWithStatus, 0)\n"
            "Recording().setServiceParent(application)\n"
        )
        assert code == 0
        assert recorded() == ["start", "stop"]

    def test_firstFailureWins(self, builder: Builder) -> None:
        """A second status requested while stopping does not replace the first."""
        code = builder.run(
            RECORDING_SERVICE + "def stop(self):\n"
            "    stopWithStatus(5, 'while stopping')\n"
            "    return service.Service.stopService(self)\n"
            "Recording.stopService = stop\n"
            "Recording.started = lambda self: reactor.callLater(0, stopWithStatus, 3)\n"
            "Recording().setServiceParent(application)\n"
        )
        assert code == 3
        assert "Stopping with exit status 5: while stopping" in builder.stdout.getvalue()
        assert builder.reactor.stopCalls == 1

    def test_failureReplacesZero(self, builder: Builder) -> None:
        """A failure requested while stopping after a status 0 is the exit status."""
        code = builder.run(
            RECORDING_SERVICE + "def stop(self):\n"
            "    stopWithStatus(2, 'could not flush')\n"
            "    return service.Service.stopService(self)\n"
            "Recording.stopService = stop\n"
            "Recording.started = lambda self: reactor.callLater(0, stopWithStatus, 0)\n"
            "Recording().setServiceParent(application)\n"
        )
        assert code == 2

    def test_afterSignalStop(self, builder: Builder) -> None:
        """A status requested during a shutdown begun by a signal is recorded."""
        runner = builder.runner(
            "-n",
            "--pidfile=",
            "-y",
            builder.tac(
                RECORDING_SERVICE + "def stop(self):\n"
                "    stopWithStatus(7)\n"
                "    return service.Service.stopService(self)\n"
                "Recording.stopService = stop\n"
                "Recording().setServiceParent(application)\n"
            ),
        )
        builder.reactor.callLater(1, runner._stopFromSignal, signal.SIGTERM)
        assert runner.run() == 7
        assert "Received SIGTERM, shutting down." in builder.stdout.getvalue()

    def test_runnerUnregistered(self, builder: Builder) -> None:
        """The runner is current only while run() runs."""
        seen: list[Any] = []
        runner = builder.runner("-n", "--pidfile=", "-y", builder.tac(""))
        builder.reactor.callWhenRunning(lambda: seen.append(_runner._currentRunner))
        assert _runner._currentRunner is None
        assert runner.run() == 0
        assert seen == [runner]
        assert _runner._currentRunner is None


class StartupTests:
    """Before the application started, the status makes a start-up failure."""

    def test_duringStartService(self, builder: Builder) -> None:
        """A call in startService: not started, reason on stderr, exit with the status."""
        code = builder.run(
            RECORDING_SERVICE
            + "Recording.started = lambda self: stopWithStatus(4, 'no configuration')\n"
            "Recording().setServiceParent(application)\n"
        )
        assert code == 4
        assert builder.stderr.getvalue() == "netframe-twistd: no configuration\n"
        out = builder.stdout.getvalue()
        assert "Application started" not in out
        assert out.count("no configuration") == 1
        assert recorded() == ["start", "stop"]
        assert builder.reactor.stopCalls == 1

    def test_withoutReason(self, builder: Builder) -> None:
        """Without a reason, the message names the status (and is logged)."""
        code = builder.run(
            RECORDING_SERVICE + "Recording.started = lambda self: stopWithStatus(9)\n"
            "Recording().setServiceParent(application)\n"
        )
        assert code == 9
        message = "the application stopped during start-up with exit status 9"
        assert message in builder.stderr.getvalue()
        assert f"Cannot start: {message}" in builder.stdout.getvalue()

    def test_startServiceRaisesAfterwards(self, builder: Builder) -> None:
        """startService raising after the call keeps the requested status."""
        code = builder.run(
            RECORDING_SERVICE + "def fail(self):\n"
            "    stopWithStatus(6, 'first')\n"
            "    raise ValueError('then this')\n"
            "Recording.started = fail\n"
            "Recording().setServiceParent(application)\n"
        )
        assert code == 6
        assert "then this" in builder.stderr.getvalue()

    def test_whileLoading(self, builder: Builder) -> None:
        """A call while the .tac loads: the reactor never runs; exit with the status."""
        code = builder.run(
            RECORDING_SERVICE + "Recording().setServiceParent(application)\n"
            "stopWithStatus(8, 'bad settings')\n"
        )
        assert code == 8
        assert builder.stderr.getvalue() == "netframe-twistd: bad settings\n"
        assert not builder.reactor.hasRun
        assert recorded() == []
        assert _runner._currentRunner is None

    def test_beforeStartService(self, builder: Builder) -> None:
        """A callWhenRunning call before startService: the services never start."""
        code = builder.run(
            RECORDING_SERVICE + "Recording().setServiceParent(application)\n"
            "reactor.callWhenRunning(stopWithStatus, 10, 'too early')\n"
        )
        assert code == 10
        assert "start" not in recorded()

    def test_daemonReportsStatus(self, builder: Builder) -> None:
        """A daemon reports the status and reason to the waiting parent."""
        builder.system.forks = [0, 0]
        runner = builder.runner(
            "--pidfile=",
            "-l",
            str(builder.tmp / "d.log"),
            "-y",
            builder.tac(
                RECORDING_SERVICE
                + "Recording.started = lambda self: stopWithStatus(4, 'no configuration')\n"
                "Recording().setServiceParent(application)\n"
            ),
        )
        assert runner.run() == 4
        assert builder.system.written == [(101, b"EXIT 4 no configuration")]

    def test_daemonStatusOneIsErr(self, builder: Builder) -> None:
        """Status 1 uses the ERR report of every start-up failure."""
        builder.system.forks = [0, 0]
        runner = builder.runner(
            "--pidfile=",
            "-l",
            str(builder.tmp / "d.log"),
            "-y",
            builder.tac("reactor.callWhenRunning(stopWithStatus, 1, 'broken')\n"),
        )
        assert runner.run() == 1
        assert builder.system.written == [(101, b"ERR broken")]

    def test_parentExitsWithStatus(self, builder: Builder) -> None:
        """The original process exits with the daemon's reported status and message."""
        builder.system.forks = [1234]
        builder.system.pipeData = [b"EXIT 4 no ", b"configuration"]
        runner = builder.runner("--pidfile=", "-y", builder.tac(""))
        assert runner.run() == 4
        assert runner.isDaemonParent
        assert builder.stderr.getvalue() == "netframe-twistd: no configuration\n"

    @pytest.mark.parametrize("report", [b"EXIT 256 x", b"EXIT -1 x", b"EXIT x"])
    def test_parentMalformedReport(self, builder: Builder, report: bytes) -> None:
        """A malformed EXIT report is a daemon that died during start-up (status 1)."""
        builder.system.forks = [1234]
        builder.system.pipeData = [report]
        runner = builder.runner("--pidfile=", "-y", builder.tac(""))
        assert runner.run() == 1
        assert "the daemon exited during startup" in builder.stderr.getvalue()


STATUS_TAC = """
from netframe.app import service
from netframe.app.twistd import stopWithStatus
from netframe.core import reactor

class GivesUp(service.Service):
    def startService(self):
        service.Service.startService(self)
        reactor.callLater(0, stopWithStatus, 3, "the disk is on fire")

    def stopService(self):
        print("stopService called", flush=True)
        return service.Service.stopService(self)

application = service.Application("gives-up")
GivesUp().setServiceParent(application)
"""


class ProcessTests:
    """A real netframe-twistd exits with the status the application gave."""

    def test_exitStatus(self, twistd: Any) -> None:
        """-n -y: exit status 3, the reason in the log, services stopped."""
        (twistd.cwd / "gives_up.tac").write_text(STATUS_TAC)
        result = twistd.run("-n", "--pidfile=", "-y", "gives_up.tac", timeout=30.0)
        assert result.returncode == 3, (result.stdout, result.stderr)
        assert "Stopping with exit status 3: the disk is on fire" in result.stdout
        assert "Application started" in result.stdout
        assert "stopService called" in result.stdout
        assert "Server Shut Down." in result.stdout

    def test_daemonParentExitStatus(self, twistd: Any) -> None:
        """Daemonizing: a call in startService makes the starting process exit with it."""
        (twistd.cwd / "no_config.tac").write_text(
            "from netframe.app import service\n"
            "from netframe.app.twistd import stopWithStatus\n"
            "class NoConfig(service.Service):\n"
            "    def startService(self):\n"
            "        service.Service.startService(self)\n"
            "        stopWithStatus(4, 'no configuration')\n"
            "application = service.Application('no-config')\n"
            "NoConfig().setServiceParent(application)\n"
        )
        result = twistd.run("--pidfile=", "-l", "d.log", "-y", "no_config.tac", timeout=30.0)
        assert result.returncode == 4, (result.stdout, result.stderr)
        assert result.stderr == "netframe-twistd: no configuration\n"
