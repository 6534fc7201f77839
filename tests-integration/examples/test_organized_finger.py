"""
The organized finger tutorial steps (SCOPE.md F24, F25; L5262-5820) ported to
Python 3 on netframe under organized/: the finger module (package
fingertutorial), organized-finger.tac and simple-finger.tac run by
netframe-twistd, and the tutorial's finger plugin (fingertutorial/tap.py
registered by netframe/plugins/finger_tutorial.py) run as `netframe-twistd
-n finger --file=...`. The PB part is queried by the tutorial's
fingerPBclient.py, run as a separate program.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ORGANIZED = Path(__file__).resolve().parent / "organized"
"""The directory holding the finger module, the tacs and the drop-in plugin."""


def writeUsers(directory: Path) -> Path:
    """Write a users file with moshez and nail; return its path."""
    users = directory / "users"
    users.write_text("moshez: Happy and well\nnail: Hammering\n")
    return users


def fingerEnv(runner: Any, users: Path, port: int, pbPort: int) -> dict[str, str]:
    """The environment adapting the finger examples to loopback, these ports and our uid/gid."""
    return {
        "FINGER_PORT": str(port),
        "FINGER_PB_PORT": str(pbPort),
        "FINGER_USERS": str(users),
        "FINGER_INTERFACE": "127.0.0.1",
        "FINGER_UID": str(os.getuid()),
        "FINGER_GID": str(os.getgid()),
        **runner.pythonPath(ORGANIZED),
    }


def assertServes(runner: Any, port: int, pbPort: int, env: dict[str, str]) -> None:
    """The finger port answers from the users file; fingerPBclient.py gets moshez's status."""
    assert runner.exchange(port, b"moshez\r\n") == b"Happy and well\n"
    assert runner.exchange(port, b"nail\r\n") == b"Hammering\n"
    assert runner.exchange(port, b"alice\r\n") == b"No such user\n"
    client = runner.run([str(ORGANIZED / "fingerPBclient.py")], **env)
    assert client.returncode == 0, client.stdout + client.stderr
    lines = client.stdout.splitlines()
    assert lines[0].startswith("got object: "), client.stdout
    assert lines[1:] == ["server sent: Happy and well"], client.stdout


class OrganizedFingerTests:
    """F24: the finger module used by organized-finger.tac and simple-finger.tac."""

    @pytest.mark.parametrize("name", ["organized-finger.tac", "simple-finger.tac"])
    def test_fingerAndPB(self, runner: Any, tmp_path: Path, name: str) -> None:
        """F24: `-ny` the tac serves finger and PB from the users file; stop is clean."""
        port, pbPort = runner.freePort(), runner.freePort()
        env = fingerEnv(runner, writeUsers(tmp_path), port, pbPort)
        program = runner.tac(f"organized/{name}", **env)
        program.waitForPort(port)
        program.waitForPort(pbPort)
        assertServes(runner, port, pbPort, env)
        assert program.stop() == 0, program.output()
        assert "Traceback" not in program.output(), program.output()


class FingerPluginTests:
    """F25: the tutorial's own finger plugin run by netframe-twistd."""

    def test_helpListsFinger(self, runner: Any, tmp_path: Path) -> None:
        """F25: `--help` lists finger "Run a finger service"; its options are shown."""
        env = runner.pythonPath(ORGANIZED)
        listed = runner.run(["-m", "netframe.app", "--help"], **env)
        assert listed.returncode == 0, listed.stderr
        assert any(
            line.split()[:1] == ["finger"] and "Run a finger service" in line
            for line in listed.stdout.splitlines()
        ), listed.stdout
        helped = runner.run(["-m", "netframe.app", "finger", "--help"], **env)
        assert helped.returncode == 0, helped.stderr
        for option in ("--file=", "--ircnick=", "--pbport=", "--ssl", "/etc/users"):
            assert option in helped.stdout, helped.stdout

    def test_runFinger(self, runner: Any, tmp_path: Path) -> None:
        """F25: `netframe-twistd -n finger --file=... --ircnick=fingerbot` serves finger and PB."""
        port, pbPort = runner.freePort(), runner.freePort()
        users = writeUsers(tmp_path)
        env = fingerEnv(runner, users, port, pbPort)
        program = runner.twistd(
            [
                "-n",
                "--pidfile=",
                "finger",
                f"--file={users}",
                "--ircnick=fingerbot",
                f"--pbport={pbPort}",
            ],
            **env,
        )
        program.waitForPort(port)
        program.waitForPort(pbPort)
        assertServes(runner, port, pbPort, env)
        assert program.stop() == 0, program.output()
