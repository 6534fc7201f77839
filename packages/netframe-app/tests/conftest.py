"""
Shared fixtures of the netframe-app tests: captured log events, and
helpers that run real netframe-twistd subprocesses (bounded in time and
always killed at teardown).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from netframe.logger import capturedLogs


@pytest.fixture
def capturedEvents() -> Iterator[list[dict[str, Any]]]:
    """The log events emitted during the test."""
    with capturedLogs() as events:
        yield events


class FakeLogBeginner:
    """Records beginLoggingTo calls and feeds the observers the events that follow."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[Any], bool]] = []

    def beginLoggingTo(self, observers: Any, redirectStandardIO: bool = True) -> None:
        from netframe.logger import globalLogPublisher

        observers = list(observers)
        self.calls.append((observers, redirectStandardIO))
        for observer in observers:
            globalLogPublisher.addObserver(observer)
        self._added = observers

    def remove(self) -> None:
        from netframe.logger import globalLogPublisher

        for observer in getattr(self, "_added", []):
            globalLogPublisher.removeObserver(observer)


@pytest.fixture
def logBeginner() -> Iterator[FakeLogBeginner]:
    """A log beginner that does not touch the real global logging setup."""
    beginner = FakeLogBeginner()
    yield beginner
    beginner.remove()


class FakePasswd:
    """A passwd entry."""

    def __init__(self, name: str, uid: int, gid: int) -> None:
        self.pw_name = name
        self.pw_uid = uid
        self.pw_gid = gid


class FakeSystem:
    """
    Process operations that record what they are asked and change nothing.

    @ivar calls: C{(name, args)} in order.
    @ivar forks: what successive fork() calls return (default 0: the child).
    @ivar failing: operation names that raise PermissionError.
    @ivar pipeData: what read() returns from the startup pipe, chunk by chunk.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.forks: list[int] = []
        self.failing: set[str] = set()
        self.pipeData: list[bytes] = []
        self.written: list[tuple[int, bytes]] = []
        self.uid = 1000
        self.gid = 1000
        self.pid = 4242
        self.users = {1000: FakePasswd("me", 1000, 1000), 2000: FakePasswd("svc", 2000, 2100)}

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))
        if name in self.failing:
            raise PermissionError(1, "Operation not permitted")

    def names(self) -> list[str]:
        """The names of the recorded calls, in order."""
        return [name for name, _ in self.calls]

    def fork(self) -> int:
        self._record("fork")
        return self.forks.pop(0) if self.forks else 0

    def setsid(self) -> None:
        self._record("setsid")

    def chdir(self, path: str) -> None:
        self._record("chdir", path)

    def chroot(self, path: str) -> None:
        self._record("chroot", path)

    def umask(self, mask: int) -> int:
        self._record("umask", mask)
        return 0o022

    def getuid(self) -> int:
        return self.uid

    def getgid(self) -> int:
        return self.gid

    def setuid(self, uid: int) -> None:
        self._record("setuid", uid)

    def setgid(self, gid: int) -> None:
        self._record("setgid", gid)

    def setgroups(self, groups: list[int]) -> None:
        self._record("setgroups", list(groups))

    def getgrouplist(self, name: str, gid: int) -> list[int]:
        return [gid, 3000]

    def getpwuid(self, uid: int) -> FakePasswd:
        return self.users[uid]

    def getpid(self) -> int:
        return self.pid

    def kill(self, pid: int, sig: int) -> None:
        self._record("kill", pid, sig)

    def pipe(self) -> tuple[int, int]:
        self._record("pipe")
        return (100, 101)

    def read(self, fd: int, size: int) -> bytes:
        return self.pipeData.pop(0)[:size] if self.pipeData else b""

    def write(self, fd: int, data: bytes) -> int:
        self.written.append((fd, data))
        return len(data)

    def close(self, fd: int) -> None:
        self._record("close", fd)

    def waitpid(self, pid: int, options: int) -> tuple[int, int]:
        return (pid, 0)

    def exit(self, code: int) -> None:
        self._record("exit", code)

    def redirectStandardIO(self) -> None:
        self._record("redirectStandardIO")


@pytest.fixture
def fakeSystem() -> FakeSystem:
    """Fake process operations."""
    return FakeSystem()


@pytest.fixture
def shutdownReactor() -> Any:
    """
    A MemoryReactorClock whose stop() fires the shutdown event (as a real
    reactor does), so before-shutdown triggers run.
    """
    from netframe.core.testing import MemoryReactorClock

    class ShutdownReactor(MemoryReactorClock):
        def stop(self) -> None:
            if self.hasStopped:
                return
            super().stop()
            self.fireSystemEvent("shutdown")

        def callFromThread(self, f: Any, *args: Any, **kw: Any) -> None:
            f(*args, **kw)

    return ShutdownReactor()


class TwistdProcess:
    """
    A running netframe-twistd subprocess whose output is collected by reader
    threads, so tests can wait for a line with a deadline.
    """

    def __init__(self, popen: Any) -> None:
        import threading

        self.popen = popen
        self.out: list[str] = []
        self.err: list[str] = []
        self._changed = threading.Condition()
        self._threads = [
            threading.Thread(target=self._pump, args=(popen.stdout, self.out), daemon=True),
            threading.Thread(target=self._pump, args=(popen.stderr, self.err), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _pump(self, stream: Any, into: list[str]) -> None:
        for line in stream:
            with self._changed:
                into.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def pid(self) -> int:
        return int(self.popen.pid)

    def waitFor(self, text: str, timeout: float = 10.0, stream: str = "out") -> str:
        """Wait until a line containing C{text} appears; return it."""
        import time

        deadline = time.monotonic() + timeout
        lines = self.out if stream == "out" else self.err
        with self._changed:
            while True:
                for line in lines:
                    if text in line:
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.popen.poll() is not None and not self._alive()):
                    raise AssertionError(
                        f"{text!r} not seen; stdout={''.join(self.out)!r} "
                        f"stderr={''.join(self.err)!r}"
                    )
                self._changed.wait(min(remaining, 0.05))

    def _alive(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def signal(self, signum: int) -> None:
        self.popen.send_signal(signum)

    def wait(self, timeout: float = 10.0) -> int:
        """Wait for exit and for the output to be read; return the status."""
        code = int(self.popen.wait(timeout))
        for thread in self._threads:
            thread.join(timeout)
        for stream in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            if stream is not None:
                stream.close()
        return code

    def output(self) -> str:
        return "".join(self.out)

    def errors(self) -> str:
        return "".join(self.err)


class Twistd:
    """
    Starts netframe-twistd (C{python -m netframe.app}) subprocesses in a
    temporary directory and kills whatever is left at teardown (including
    daemons, found through the pidfiles they wrote).

    @ivar cwd: the working directory (also first on PYTHONPATH).
    """

    def __init__(self, cwd: Any) -> None:
        import os

        self.cwd = cwd
        self.processes: list[TwistdProcess] = []
        self.daemonPidfiles: list[Any] = []
        self.env = dict(os.environ)
        self.env["PYTHONPATH"] = os.pathsep.join(
            [str(cwd), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        self.env["NETFRAME_PLUGIN_CACHE"] = "off"
        self.env.pop("NOTIFY_SOCKET", None)
        self.env.pop("WATCHDOG_USEC", None)

    def command(self, *args: str) -> list[str]:
        import sys

        return [sys.executable, "-m", "netframe.app", *args]

    def start(self, *args: str, env: dict[str, str] | None = None, **kw: Any) -> TwistdProcess:
        """Start a (foreground) netframe-twistd with these arguments."""
        import subprocess

        popen = subprocess.Popen(
            self.command(*args),
            cwd=str(self.cwd),
            env={**self.env, **(env or {})},
            stdin=kw.pop("stdin", subprocess.DEVNULL),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **kw,
        )
        process = TwistdProcess(popen)
        self.processes.append(process)
        return process

    def startActivated(
        self, listening: Any, *args: str, env: dict[str, str] | None = None
    ) -> TwistdProcess:
        """
        Start netframe-twistd as systemd socket activation does: the
        listening socket as descriptor 3, C{LISTEN_FDS=1} and C{LISTEN_PID}
        set to the process's own pid by a small wrapper that then execs
        Python (so the pid stays the same).
        """
        import subprocess
        import sys

        fd = listening.fileno()
        wrapper = (
            "import os, sys\n"
            f"fd = {fd}\n"
            "if fd != 3:\n"
            "    os.dup2(fd, 3)\n"
            "    os.close(fd)\n"
            "os.environ['LISTEN_FDS'] = '1'\n"
            "os.environ['LISTEN_PID'] = str(os.getpid())\n"
            "os.execv(sys.executable, [sys.executable, '-m', 'netframe.app', *sys.argv[1:]])\n"
        )
        popen = subprocess.Popen(
            [sys.executable, "-c", wrapper, *args],
            cwd=str(self.cwd),
            env={**self.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            pass_fds=(fd,),
        )
        process = TwistdProcess(popen)
        self.processes.append(process)
        return process

    def run(self, *args: str, timeout: float = 15.0, **kw: Any) -> Any:
        """Run netframe-twistd to completion; return the CompletedProcess."""
        import subprocess

        env = {**self.env, **kw.pop("env", {})}
        return subprocess.run(
            self.command(*args),
            cwd=str(self.cwd),
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            **kw,
        )

    def killAll(self) -> None:
        import os
        import signal

        for process in self.processes:
            if process.popen.poll() is None:
                process.popen.kill()
            try:
                process.wait(5)
            except Exception:
                pass
        for pidfile in self.daemonPidfiles:
            try:
                with open(pidfile) as f:
                    pid = int(f.read().strip())
                os.kill(pid, signal.SIGKILL)
            except (OSError, ValueError):
                pass


@pytest.fixture
def twistd(tmp_path: Any) -> Iterator[Twistd]:
    """Start netframe-twistd subprocesses; all are killed at teardown."""
    runner = Twistd(tmp_path)
    yield runner
    runner.killAll()


@pytest.fixture
def freePort() -> int:
    """A loopback TCP port that was free a moment ago."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
