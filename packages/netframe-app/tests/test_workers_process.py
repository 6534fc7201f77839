"""
netframe-twistd --workers N as a real program: a parent that binds the
listening sockets once and worker processes that adopt them. Subprocesses
on loopback, bounded in time, every process killed at teardown.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

# Answers each connection with the worker's pid. Each connection keeps its
# worker busy (blocking work) for a moment, so that connections arriving
# meanwhile are accepted by another worker, as under real load.
PID_TAC = """
import os, time
from netframe.app import service, internet, strports
from netframe.core import protocol

class Pid(protocol.Protocol):
    def connectionMade(self):
        self.transport.write(b"%d\\n" % os.getpid())
        self.transport.loseConnection()
        time.sleep(0.05)

factory = protocol.ServerFactory()
factory.protocol = Pid
application = service.Application("pid")
internet.TCPServer({port}, factory, interface="127.0.0.1").setServiceParent(application)
strports.service("unix:pid.sock", factory).setServiceParent(application)
"""

# A worker that ignores SIGTERM (the parent must SIGKILL it).
STUBBORN_TAC = (
    PID_TAC
    + """
import signal

class IgnoreTerm(service.Service):
    def startService(self):
        service.Service.startService(self)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)

IgnoreTerm().setServiceParent(application)
"""
)

# A worker that dies as soon as it starts.
CRASHING_TAC = (
    PID_TAC
    + """
class Crash(service.Service):
    def startService(self):
        os._exit(3)

Crash().setServiceParent(application)
"""
)

# Socket activation and workers: the parent adopts the inherited socket.
ACTIVATED_PID_TAC = PID_TAC.replace(
    'internet.TCPServer({port}, factory, interface="127.0.0.1")',
    'strports.service("systemd:domain=INET:index=0", factory)',
)

WORKER_STARTED = re.compile(r"Worker (\d+) started \(PID (\d+)\)\.")
APP_STARTED = re.compile(r"Application started \(PID (\d+)\)\.")


def pidAlive(pid: int) -> bool:
    """Whether the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def waitUntil(predicate: Any, timeout: float = 10.0) -> None:
    """Poll predicate until true (bounded)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def askPid(address: Any, family: int = socket.AF_INET) -> socket.socket:
    """Connect (without reading yet)."""
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(address)
    return s


def readPid(s: socket.socket) -> int:
    """Read the pid a worker answered with, and close."""
    with s:
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(100)
            if not chunk:
                break
            data += chunk
    return int(data)


def servingPids(port: int, wanted: set[int], rounds: int = 40) -> set[int]:
    """
    Open a few concurrent connections per round until every pid in
    C{wanted} has answered (at most C{rounds} rounds); return the pids seen.
    """
    seen: set[int] = set()
    for _ in range(rounds):
        sockets = [askPid(("127.0.0.1", port)) for _ in range(4)]
        seen.update(readPid(s) for s in sockets)
        if wanted <= seen:
            break
    return seen


def workerPids(process: Any, count: int) -> dict[int, int]:
    """Wait until C{count} workers applications started; return slot -> pid."""
    waitUntil(lambda: len(set(APP_STARTED.findall(process.output()))) >= count)
    slots: dict[int, int] = {}
    for slot, pid in WORKER_STARTED.findall(process.output()):
        slots[int(slot)] = int(pid)
    return slots


@pytest.fixture
def workerKiller() -> Iterator[list[int]]:
    """Pids to SIGKILL at teardown (workers orphaned by a failed test)."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def writeTac(twistd: Any, source: str, port: int = 0) -> None:
    (Path(twistd.cwd) / "app.tac").write_text(source.replace("{port}", str(port)))


class WorkersTests:
    """--workers N end to end."""

    def test_twoWorkersServe(self, twistd: Any, freePort: int, workerKiller: list[int]) -> None:
        """Both workers accept on the shared sockets; SIGTERM stops them all."""
        writeTac(twistd, PID_TAC, freePort)
        process = twistd.start("-n", "--pidfile=", "--workers", "2", "-y", "app.tac")
        process.waitFor(f"Started 2 workers (PID {process.pid}).")
        slots = workerPids(process, 2)
        workerKiller.extend(slots.values())
        assert sorted(slots) == [1, 2] and process.pid not in slots.values()
        assert servingPids(freePort, set(slots.values())) == set(slots.values())
        unixPid = readPid(askPid(str(Path(twistd.cwd) / "pid.sock"), socket.AF_UNIX))
        assert unixPid in slots.values()
        process.signal(signal.SIGTERM)
        assert process.wait() == 0
        for pid in slots.values():
            assert not pidAlive(pid)
        out = process.output()
        assert f"Worker 1 (PID {slots[1]}) stopped (status 0)." in out
        assert f"Worker 2 (PID {slots[2]}) stopped (status 0)." in out
        assert out.rstrip().endswith("Server Shut Down.")
        assert not (Path(twistd.cwd) / "pid.sock").exists()

    def test_killedWorkerIsRestarted(
        self, twistd: Any, freePort: int, workerKiller: list[int]
    ) -> None:
        """A worker killed with SIGKILL is replaced by a new one, which serves."""
        writeTac(twistd, PID_TAC, freePort)
        process = twistd.start("-n", "--pidfile=", "--workers", "2", "-y", "app.tac")
        slots = workerPids(process, 2)
        workerKiller.extend(slots.values())
        os.kill(slots[1], signal.SIGKILL)
        process.waitFor(f"Worker 1 (PID {slots[1]}) exited (signal SIGKILL); restarting it.")
        waitUntil(lambda: len(WORKER_STARTED.findall(process.output())) == 3)
        newPid = int(WORKER_STARTED.findall(process.output())[-1][1])
        workerKiller.append(newPid)
        assert newPid not in slots.values()
        process.waitFor(f"Application started (PID {newPid}).")
        assert newPid in servingPids(freePort, {newPid})
        process.signal(signal.SIGTERM)
        assert process.wait() == 0
        assert not pidAlive(newPid) and not pidAlive(slots[2])

    def test_stubbornWorkerIsKilled(
        self, twistd: Any, freePort: int, workerKiller: list[int]
    ) -> None:
        """A worker ignoring SIGTERM is killed after the shutdown timeout (plus grace)."""
        writeTac(twistd, STUBBORN_TAC, freePort)
        process = twistd.start(
            "-n", "--pidfile=", "--workers", "1", "--shutdown-timeout=0.1", "-y", "app.tac"
        )
        slots = workerPids(process, 1)
        workerKiller.extend(slots.values())
        process.signal(signal.SIGTERM)
        assert process.wait(15) == 0
        out = process.output()
        assert f"Workers [{slots[1]}] did not stop within 2.1 seconds; killing them." in out
        assert f"Worker 1 (PID {slots[1]}) stopped (signal SIGKILL)." in out
        assert not pidAlive(slots[1])

    def test_parentKilledWorkersExit(
        self, twistd: Any, freePort: int, workerKiller: list[int]
    ) -> None:
        """Workers shut down by themselves when the parent dies without cleaning up."""
        writeTac(twistd, PID_TAC, freePort)
        process = twistd.start("-n", "--pidfile=", "--workers", "2", "-y", "app.tac")
        slots = workerPids(process, 2)
        workerKiller.extend(slots.values())
        process.signal(signal.SIGKILL)
        process.wait()
        waitUntil(lambda: not any(pidAlive(pid) for pid in slots.values()))
        assert process.output().count("The parent process exited; shutting down.") == 2

    def test_crashingWorkersGiveUp(self, twistd: Any, freePort: int) -> None:
        """Workers dying at once exhaust the restart limit: the server exits 1."""
        writeTac(twistd, CRASHING_TAC, freePort)
        process = twistd.start("-n", "--pidfile=", "--workers", "2", "-y", "app.tac")
        assert process.wait(20) == 1
        out = process.output()
        assert "giving up" in out
        assert out.count("restarting it.") == 5
        for _, pid in WORKER_STARTED.findall(out):
            assert not pidAlive(int(pid))

    def test_daemonWithWorkers(self, twistd: Any, freePort: int, workerKiller: list[int]) -> None:
        """Daemonized with workers: the pidfile names the parent; --kill stops everything."""
        writeTac(twistd, PID_TAC, freePort)
        pidfile = Path(twistd.cwd) / "twistd.pid"
        twistd.daemonPidfiles.append(pidfile)
        result = twistd.run("--workers", "2", "-y", "app.tac")
        assert result.returncode == 0, result.stderr
        parent = int(pidfile.read_text())
        log = Path(twistd.cwd) / "twistd.log"
        waitUntil(lambda: len(set(APP_STARTED.findall(log.read_text()))) == 2)
        workers = {int(pid) for _, pid in WORKER_STARTED.findall(log.read_text())}
        workerKiller.extend(workers)
        assert parent not in workers
        assert servingPids(freePort, set()) <= workers
        assert twistd.run("--kill").returncode == 0
        waitUntil(lambda: not pidAlive(parent))
        waitUntil(lambda: not any(pidAlive(pid) for pid in workers))
        assert not pidfile.exists()
        assert log.read_text().rstrip().endswith("Server Shut Down.")

    def test_socketActivationWithWorkers(self, twistd: Any, workerKiller: list[int]) -> None:
        """The parent adopts a socket passed by systemd and shares it with its workers."""
        writeTac(twistd, ACTIVATED_PID_TAC)
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
            process = twistd.startActivated(
                listening,
                "-n",
                "--pidfile=",
                "--workers",
                "2",
                "-y",
                "app.tac",
                env={"NOTIFY_SOCKET": path},
            )
            listening.close()
            ready = notify.recv(4096).decode()
            assert "READY=1" in ready and f"MAINPID={process.pid}" in ready
            slots = workerPids(process, 2)
            workerKiller.extend(slots.values())
            assert servingPids(port, set(slots.values())) == set(slots.values())
            process.signal(signal.SIGTERM)
            assert notify.recv(4096) == b"STOPPING=1"
            assert process.wait() == 0
