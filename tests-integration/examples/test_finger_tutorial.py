"""
The "Evolution of Finger" tutorial steps F1-F9 and F11-F14 (SCOPE.md 3.6,
L1830-2405), ported to Python 3 on netframe under finger/, each run as a real
program (C{python fingerNN.py} or C{python -m netframe.app -n --pidfile= -y
fingerNN.tac}) on a free loopback port, with its documented behaviour asserted.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

POLL_TIMEOUT = 20.0
"""Seconds a program gets to show a change (a status, a removed pid file)."""

SILENCE = 0.5
"""Seconds during which a server that ignores its input must stay silent."""


def startScript(runner: Any, name: str, **extra: str) -> tuple[Any, int]:
    """Start a finger step script on a free port; return it and the port once it listens."""
    port = runner.freePort()
    program = runner.script(f"finger/{name}", **runner.fingerEnv(FINGER_PORT=port), **extra)
    program.waitForPort(port)
    return program, port


class EarlyStepsTests:
    """finger01.py to finger09.py: plain scripts around reactor.run()."""

    def test_finger01RefusesConnections(self, runner: Any) -> None:
        """F1: the reactor runs but listens on nothing, so connections are refused."""
        port = runner.freePort()
        program = runner.script("finger/finger01.py")
        deadline = time.monotonic() + SILENCE
        while time.monotonic() < deadline:
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
            time.sleep(0.05)
        assert program.running(), program.output()
        assert program.stop() == 0, program.output()

    def test_finger02AcceptsAndIgnoresInput(self, runner: Any) -> None:
        """F2: connections are accepted, the input ignored, nothing sent back."""
        program, port = startScript(runner, "finger02.py")
        with socket.create_connection(("127.0.0.1", port), timeout=SILENCE) as s:
            s.sendall(b"alice\r\n")
            with pytest.raises(TimeoutError):
                s.recv(1024)
        assert program.running(), program.output()

    def test_finger03DropsConnections(self, runner: Any) -> None:
        """F3: the server closes every connection at once, sending nothing."""
        _, port = startScript(runner, "finger03.py")
        assert runner.exchange(port) == b""

    def test_finger04ReadsUsernameThenDrops(self, runner: Any) -> None:
        """F4: the connection stays open until a line arrives, then closes silently."""
        _, port = startScript(runner, "finger04.py")
        with socket.create_connection(("127.0.0.1", port), timeout=SILENCE) as s:
            s.sendall(b"ali")
            with pytest.raises(TimeoutError):
                s.recv(1024)
            s.settimeout(10)
            s.sendall(b"ce\r\n")
            assert s.recv(1024) == b""

    def test_finger05OutputsError(self, runner: Any) -> None:
        """F5: any user gets "No such user" and the connection closes."""
        _, port = startScript(runner, "finger05.py")
        assert runner.exchange(port, b"alice\r\n") == b"No such user\r\n"
        assert runner.exchange(port, b"moshez\r\n") == b"No such user\r\n"

    def test_finger06EmptyFactory(self, runner: Any) -> None:
        """F6: the empty factory answers "No such user" for everyone."""
        _, port = startScript(runner, "finger06.py")
        assert runner.exchange(port, b"moshez\r\n") == b"No such user\r\n"

    @pytest.mark.parametrize("name", ["finger07.py", "finger08.py"])
    def test_nonEmptyFactory(self, runner: Any, name: str) -> None:
        """F7/F8: moshez is "Happy and well", anyone else "No such user"."""
        _, port = startScript(runner, name)
        assert runner.exchange(port, b"moshez\r\n") == b"Happy and well\r\n"
        assert runner.exchange(port, b"alice\r\n") == b"No such user\r\n"

    def test_finger09RunsFingerLocally(self, runner: Any, tmp_path: Path) -> None:
        """F9: the answer is the output of the local finger program (a stand-in script)."""
        fake = tmp_path / "fakefinger"
        fake.write_text('#!/bin/sh\necho "Login: $1"\n')
        fake.chmod(0o755)
        _, port = startScript(runner, "finger09.py", FINGER_COMMAND=str(fake))
        assert runner.exchange(port, b"nail\r\n") == b"Login: nail\n\r\n"

    def test_finger09InternalError(self, runner: Any, tmp_path: Path) -> None:
        """F9: a failing finger program gives "Internal error in server"."""
        missing = tmp_path / "no-such-finger"
        _, port = startScript(runner, "finger09.py", FINGER_COMMAND=str(missing))
        assert runner.exchange(port, b"nail\r\n") == b"Internal error in server\r\n"


class ApplicationStepsTests:
    """finger11.tac to finger14.tac run by netframe-twistd."""

    def test_finger11Foreground(self, runner: Any) -> None:
        """F11: `-ny finger11.tac` serves moshez's status; SIGTERM stops it cleanly."""
        port = runner.freePort()
        program = runner.tac("finger/finger11.tac", **runner.fingerEnv(FINGER_PORT=port))
        program.waitForPort(port)
        assert runner.exchange(port, b"moshez\r\n") == b"Happy and well\r\n"
        assert runner.exchange(port, b"nail\r\n") == b"No such user\r\n"
        assert program.stop() == 0, program.output()

    def test_finger11Daemon(self, runner: Any, tmp_path: Path) -> None:
        """F11: `-y finger11.tac --pidfile=finger.pid -l finger.log` daemonizes."""
        port = runner.freePort()
        tac = str(Path(__file__).parent / "finger" / "finger11.tac")
        result = runner.run(
            ["-m", "netframe.app", "-y", tac, "--pidfile=finger.pid", "-l", "finger.log"],
            **runner.fingerEnv(FINGER_PORT=port),
        )
        assert result.returncode == 0, result.stdout + result.stderr
        pidfile = tmp_path / "finger.pid"
        deadline = time.monotonic() + POLL_TIMEOUT
        while not pidfile.exists():
            assert time.monotonic() < deadline, "no pid file written"
            time.sleep(0.05)
        pid = int(pidfile.read_text().strip())
        runner.pids.append(pid)
        runner.waitForFinger(port, b"moshez", b"Happy and well\r\n")
        assert (tmp_path / "finger.log").exists()
        os.kill(pid, signal.SIGTERM)
        while pidfile.exists():
            assert time.monotonic() < deadline + POLL_TIMEOUT, "pid file never removed"
            time.sleep(0.05)

    @pytest.mark.parametrize("name", ["finger12.tac", "finger13.tac"])
    def test_settingMessage(self, runner: Any, name: str) -> None:
        """F12/F13: a status sent to the setter port is then served on the finger port."""
        port = runner.freePort()
        setterPort = runner.freePort()
        env = runner.fingerEnv(FINGER_PORT=port, FINGER_SETTER_PORT=setterPort)
        program = runner.tac(f"finger/{name}", **env)
        program.waitForPort(port)
        program.waitForPort(setterPort)
        assert runner.exchange(port, b"moshez\r\n") == b"Happy and well\r\n"
        sent = runner.exchange(
            setterPort, b"moshez\r\nGiving a tutorial now, sorry!\r\n", shutWrite=True
        )
        assert sent == b""
        runner.waitForFinger(port, b"moshez", b"Giving a tutorial now, sorry!\r\n")
        assert program.stop() == 0, program.output()

    def test_finger14ReadsStatusFile(self, runner: Any, tmp_path: Path) -> None:
        """F14: statuses come from the users file, edits show after a re-read, stop is clean."""
        users = tmp_path / "users"
        users.write_text("moshez: Happy and well\nnail: Hammering\n")
        port = runner.freePort()
        env = runner.fingerEnv(FINGER_PORT=port)
        program = runner.tac(
            "finger/finger14.tac", FINGER_USERS=str(users), FINGER_REFRESH="0.2", **env
        )
        program.waitForPort(port)
        assert runner.exchange(port, b"moshez\r\n") == b"Happy and well\r\n"
        assert runner.exchange(port, b"nail\r\n") == b"Hammering\r\n"
        assert runner.exchange(port, b"alice\r\n") == b"No such user\r\n"
        users.write_text("moshez: Out to lunch\n")
        runner.waitForFinger(port, b"moshez", b"Out to lunch\r\n")
        assert program.stop() == 0, program.output()
        assert "Traceback" not in program.output(), program.output()
