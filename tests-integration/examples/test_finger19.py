"""
The componentized finger steps (SCOPE.md F19, L2901-4125, and F21,
L4436-4786), ported to Python 3 on netframe under finger/: finger19.tac
(IFingerService adapted to IFingerFactory over a users file), finger19a.tac
(MemoryFingerService with the IFingerSetterFactory setter on 127.0.0.1),
finger19b.tac (LocalFingerService running finger), finger19c.tac
(LocalFingerService reading ~/.plan) and finger21.tac (plus the
IPerspectiveFinger PB adapter, queried by fingerPBclient.py), each run by
`python -m netframe.app -n --pidfile= -y` on free loopback ports.
"""

from __future__ import annotations

import pwd
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parent
"""The directory holding the ported example programs."""


def startTac(runner: Any, name: str, **extra: str) -> tuple[Any, int]:
    """Start finger/C{name} on a free finger port; return it and the port once it listens."""
    port = runner.freePort()
    program = runner.tac(f"finger/{name}", **runner.fingerEnv(FINGER_PORT=port), **extra)
    program.waitForPort(port)
    return program, port


def stopCleanly(program: Any) -> None:
    """SIGTERM the tac: it exits with status 0 and logged no traceback."""
    assert program.stop() == 0, program.output()
    assert "Traceback" not in program.output(), program.output()


def writeUsers(directory: Path) -> Path:
    """Write a users file with moshez and nail; return its path."""
    users = directory / "users"
    users.write_text("moshez: Happy and well\nnail: Hammering\n")
    return users


class Finger19Tests:
    """F19: finger19.tac and its back-ends 19a, 19b, 19c behind the same adapters."""

    def test_finger19UsersFile(self, runner: Any, tmp_path: Path) -> None:
        """F19: IFingerFactory(FingerService) answers from the users file."""
        program, port = startTac(runner, "finger19.tac", FINGER_USERS=str(writeUsers(tmp_path)))
        assert runner.exchange(port, b"moshez\r\n") == b"Happy and well\r\n"
        assert runner.exchange(port, b"nail\r\n") == b"Hammering\r\n"
        assert runner.exchange(port, b"alice\r\n") == b"No such user\r\n"
        stopCleanly(program)

    def test_finger19aSetter(self, runner: Any) -> None:
        """F19a: a status sent to the 127.0.0.1 setter is then served; one line sets nothing."""
        setterPort = runner.freePort()
        program, port = startTac(runner, "finger19a.tac", FINGER_SETTER_PORT=str(setterPort))
        program.waitForPort(setterPort)
        assert runner.exchange(port, b"moshez\r\n") == b"Happy and well\r\n"
        assert runner.exchange(setterPort, b"nail\r\n", shutWrite=True) == b""
        sent = runner.exchange(
            setterPort, b"moshez\r\nGiving a tutorial now, sorry!\r\n", shutWrite=True
        )
        assert sent == b""
        runner.waitForFinger(port, b"moshez", b"Giving a tutorial now, sorry!\r\n")
        assert runner.exchange(port, b"nail\r\n") == b"No such user\r\n"
        stopCleanly(program)

    def test_finger19bLocalFinger(self, runner: Any, tmp_path: Path) -> None:
        """F19b: the answer is the output of the local finger program (a stand-in script)."""
        fake = tmp_path / "fakefinger"
        fake.write_text('#!/bin/sh\necho "Login: $1"\n')
        fake.chmod(0o755)
        program, port = startTac(runner, "finger19b.tac", FINGER_COMMAND=str(fake))
        assert runner.exchange(port, b"nail\r\n") == b"Login: nail\n\r\n"
        stopCleanly(program)

    def test_finger19bInternalError(self, runner: Any, tmp_path: Path) -> None:
        """F19b: a finger program that cannot run gives "Internal error in server"."""
        missing = tmp_path / "no-such-finger"
        program, port = startTac(runner, "finger19b.tac", FINGER_COMMAND=str(missing))
        assert runner.exchange(port, b"nail\r\n") == b"Internal error in server\r\n"
        stopCleanly(program)

    def test_finger19cPlan(self, runner: Any, tmp_path: Path) -> None:
        """F19c: a user's stripped ~/.plan; no .plan or no such account: "No such user"."""
        other = next(entry.pw_name for entry in pwd.getpwall() if entry.pw_name != "root")
        homes = tmp_path / "homes"
        (homes / "root").mkdir(parents=True)
        (homes / "root" / ".plan").write_text("\n  Porting finger to netframe  \n\n")
        (homes / other).mkdir()
        program, port = startTac(runner, "finger19c.tac", FINGER_HOMES=str(homes))
        assert runner.exchange(port, b"root\r\n") == b"Porting finger to netframe\r\n"
        assert runner.exchange(port, other.encode() + b"\r\n") == b"No such user\r\n"
        assert runner.exchange(port, b"no-such-account-x9\r\n") == b"No such user\r\n"
        stopCleanly(program)


class Finger21Tests:
    """F21: finger21.tac's PB part queried by fingerPBclient.py as a separate program."""

    def test_finger21PerspectiveBroker(self, runner: Any, tmp_path: Path) -> None:
        """F21: the client prints "got object: ..." then "server sent: Happy and well"."""
        pbPort = runner.freePort()
        env = {"FINGER_USERS": str(writeUsers(tmp_path)), "FINGER_PB_PORT": str(pbPort)}
        program, port = startTac(runner, "finger21.tac", **env)
        program.waitForPort(pbPort)
        assert runner.exchange(port, b"moshez\r\n") == b"Happy and well\r\n"
        client = runner.run([str(EXAMPLES / "organized" / "fingerPBclient.py")], **env)
        assert client.returncode == 0, client.stdout + client.stderr
        lines = client.stdout.splitlines()
        assert lines[0].startswith("got object: <"), client.stdout
        assert lines[1:] == ["server sent: Happy and well"], client.stdout
        nail = runner.run(
            [str(EXAMPLES / "organized" / "fingerPBclient.py")], FINGER_USER="nail", **env
        )
        assert nail.stdout.splitlines()[1:] == ["server sent: Hammering"], nail.stdout
        stopCleanly(program)
