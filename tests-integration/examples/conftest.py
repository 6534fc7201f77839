"""
Fixtures for the ported reference examples (SCOPE.md section 3): each example
runs as a real program in a subprocess (C{python file.py} or C{python -m
netframe.app -n --pidfile= -y file.tac}) on loopback, on free ports handed to
it through environment variables, bounded in time and killed at teardown.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent
"""The directory holding the ported example programs."""

STARTUP_TIMEOUT = 30.0
"""Seconds an example gets to start listening."""

IO_TIMEOUT = 10.0
"""Seconds a single network exchange with an example may take."""

POLL_TIMEOUT = 20.0
"""Seconds a changed finger status gets to become visible on the finger port."""

EXIT_TIMEOUT = 30.0
"""Seconds an example gets to exit after SIGTERM (then it is killed)."""


def freePort() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Program:
    """
    One running example whose combined output is collected by a thread.
    """

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self.popen = popen
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        assert self.popen.stdout is not None
        for chunk in iter(lambda: self.popen.stdout.read1(65536), b""):  # type: ignore[union-attr]
            with self._lock:
                self._chunks.append(chunk)

    def output(self) -> str:
        """Everything the program wrote so far (stdout and stderr)."""
        with self._lock:
            return b"".join(self._chunks).decode("utf-8", "replace")

    def running(self) -> bool:
        """True while the program has not exited."""
        return self.popen.poll() is None

    def waitForPort(self, port: int, timeout: float = STARTUP_TIMEOUT) -> None:
        """Wait until C{port} on 127.0.0.1 accepts connections; fail on exit or deadline."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT).close()
                return
            except ConnectionRefusedError:
                pass
            if not self.running():
                raise AssertionError(f"example exited early: {self.output()!r}")
            if time.monotonic() > deadline:
                raise AssertionError(f"port {port} never opened: {self.output()!r}")
            time.sleep(0.05)

    def stop(self) -> int:
        """SIGTERM the program and return its exit status (killed if it hangs)."""
        if self.running():
            self.popen.send_signal(signal.SIGTERM)
        try:
            code = self.popen.wait(EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            code = self.popen.wait(EXIT_TIMEOUT)
        self._reader.join(EXIT_TIMEOUT)
        return code

    def kill(self) -> None:
        """Kill the program if it still runs and close its output."""
        if self.running():
            self.popen.kill()
        try:
            self.popen.wait(EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        self._reader.join(EXIT_TIMEOUT)
        if self.popen.stdout is not None:
            self.popen.stdout.close()


class Runner:
    """Starts example programs with a given environment; kills them all at teardown."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.programs: list[Program] = []
        self.pids: list[int] = []

    def environment(self, **extra: str) -> dict[str, str]:
        """Our environment without systemd's socket, plus C{extra}."""
        env = dict(os.environ)
        env.pop("NOTIFY_SOCKET", None)
        env.update(extra)
        return env

    def start(self, args: list[str], **env: str) -> Program:
        """Start C{python *args} in the working directory."""
        return self.startCommand([sys.executable, *args], **env)

    def startCommand(self, argv: list[str], **env: str) -> Program:
        """Start the command C{argv} (not prefixed by python) in the working directory."""
        popen = subprocess.Popen(
            argv,
            cwd=self.cwd,
            env=self.environment(**env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        program = Program(popen)
        self.programs.append(program)
        return program

    def script(self, name: str, **env: str) -> Program:
        """Start C{python <examples>/name}."""
        return self.start([str(EXAMPLES / name)], **env)

    def tac(self, name: str, **env: str) -> Program:
        """Start C{python -m netframe.app -n --pidfile= -y <examples>/name}."""
        return self.start(
            ["-m", "netframe.app", "-n", "--pidfile=", "-y", str(EXAMPLES / name)], **env
        )

    def run(self, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
        """Run C{python *args} to completion (bounded)."""
        return subprocess.run(
            [sys.executable, *args],
            cwd=self.cwd,
            env=self.environment(**env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=EXIT_TIMEOUT,
        )

    def twistd(self, args: list[str], **env: str) -> Program:
        """Start the C{netframe-twistd} console script installed beside our python."""
        return self.startCommand(
            [str(Path(sys.executable).parent / "netframe-twistd"), *args], **env
        )

    @staticmethod
    def pythonPath(*directories: Path) -> dict[str, str]:
        """
        The environment putting C{directories} (example packages, drop-in
        plugin directories) first on C{PYTHONPATH}, with the plugin cache off
        so nothing is written beside them.
        """
        path = [str(d) for d in directories]
        if os.environ.get("PYTHONPATH"):
            path.append(os.environ["PYTHONPATH"])
        return {"PYTHONPATH": os.pathsep.join(path), "NETFRAME_PLUGIN_CACHE": "off"}

    @staticmethod
    def freePort() -> int:
        """A TCP port on 127.0.0.1 that was free a moment ago."""
        return freePort()

    @staticmethod
    def exchange(port: int, data: bytes = b"", shutWrite: bool = False) -> bytes:
        """Send C{data} to 127.0.0.1:C{port}, return all bytes received until EOF."""
        return exchange(port, data, shutWrite)

    @staticmethod
    def fingerEnv(**ports: int) -> dict[str, str]:
        """
        The environment adapting a finger example to loopback: these ports (by
        variable name), C{FINGER_INTERFACE} 127.0.0.1 and our own uid/gid.
        """
        env = {name: str(port) for name, port in ports.items()}
        env["FINGER_INTERFACE"] = "127.0.0.1"
        env["FINGER_UID"] = str(os.getuid())
        env["FINGER_GID"] = str(os.getgid())
        return env

    @staticmethod
    def waitForFinger(port: int, user: bytes, expected: bytes) -> None:
        """
        Query C{user} on the finger port until the answer is C{expected}; fail
        after L{POLL_TIMEOUT} seconds with the last answer.
        """
        deadline = time.monotonic() + POLL_TIMEOUT
        while True:
            answer = exchange(port, user + b"\r\n")
            if answer == expected:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"last answer {answer!r}, expected {expected!r}")
            time.sleep(0.05)

    def killAll(self) -> None:
        """Kill every program started and every daemon pid registered."""
        for program in self.programs:
            program.kill()
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[Runner]:
    """A runner working in a temporary directory; every program is killed at teardown."""
    r = Runner(tmp_path)
    try:
        yield r
    finally:
        r.killAll()


def exchange(port: int, data: bytes = b"", shutWrite: bool = False) -> bytes:
    """
    Connect to 127.0.0.1:C{port}, send C{data} (then half-close if
    C{shutWrite}) and return everything received until the server closes.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT) as s:
        if data:
            s.sendall(data)
        if shutWrite:
            s.shutdown(socket.SHUT_WR)
        received = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return received
            received += chunk
