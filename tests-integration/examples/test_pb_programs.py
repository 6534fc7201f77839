"""
The Perspective Broker copy and cache examples (SCOPE.md AP10, PB9, PB11;
L12483-12607, L12770-12919) ported to Python 3 on netframe under pb/ and run
as the reference runs them: the receiver (copy_receiver.tac,
cache_receiver.py) under `netframe-twistd -ny` / `netframe-twistd -n -y`,
the sender (copy_sender.py, cache_sender.py) as a separate program.  The
receiver imports the sender's classes (copy_sender, cache_classes) from the
pb/ directory, put on its PYTHONPATH; the senders find them beside
themselves.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

PB = Path(__file__).resolve().parent / "pb"
"""The directory holding the PB example programs."""

LOG_TIMEOUT = 20.0
"""Seconds the receiver gets to log the lines a finished sender caused."""

LOG_LINE = re.compile(r"^\S+ \[stdout#info\] (.*)$")
"""A line the receiver printed, as netframe-twistd logs it (the text in group 1)."""


def printed(output: str) -> list[str]:
    """The lines the receiver printed (stdout redirected to the log), in order."""
    return [m.group(1) for line in output.splitlines() if (m := LOG_LINE.match(line))]


def startReceiver(runner: Any, args: list[str]) -> tuple[Any, dict[str, str]]:
    """Start C{netframe-twistd *args} on a free loopback port; return it and the senders' env."""
    port = runner.freePort()
    env = {"PB_PORT": str(port), "PB_INTERFACE": "127.0.0.1", "PB_HOST": "127.0.0.1"}
    receiver = runner.twistd(args, **env, **runner.pythonPath(PB))
    receiver.waitForPort(port)
    return receiver, env


def runSender(runner: Any, name: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run pb/C{name} to completion (bounded) and check it exited with status 0."""
    sender = runner.run([str(PB / name)], **env)
    assert sender.returncode == 0, sender.stdout + sender.stderr
    return sender


def waitForPrinted(receiver: Any, count: int) -> list[str]:
    """Wait until the receiver printed C{count} lines; return them (fail after a deadline)."""
    deadline = time.monotonic() + LOG_TIMEOUT
    while len(lines := printed(receiver.output())) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"receiver printed {lines!r}: {receiver.output()!r}")
        time.sleep(0.05)
    return lines


class CopyProgramsTests:
    """PB9 / AP10: copy_sender.py sends a Copyable to copy_receiver.tac."""

    def test_copyTranscript(self, runner: Any) -> None:
        """The pond arrives as a ReceiverPond counting 7 frogs; the sender hears "safe and sound"."""
        receiver, env = startReceiver(runner, ["-ny", str(PB / "copy_receiver.tac")])
        sender = runSender(runner, "copy_sender.py", env)
        assert sender.stdout.splitlines() == [
            "7 frogs",
            "copy_sender.CopyPond",
            "pond arrived safe and sound",
        ], sender.stdout
        lines = waitForPrinted(receiver, 2)
        assert re.fullmatch(r" got pond: <\S+\.ReceiverPond object at 0x[0-9a-f]+>", lines[0])
        assert lines[1:] == ["7 frogs"], receiver.output()
        assert receiver.running(), receiver.output()
        assert receiver.stop() == 0, receiver.output()
        assert "Traceback" not in receiver.output(), receiver.output()

    def test_unregisteredClassIsInsecure(self, runner: Any, tmp_path: Path) -> None:
        """A receiver that never registered copy_sender.CopyPond refuses it (InsecureJelly)."""
        tac = tmp_path / "bare_receiver.tac"
        source = (PB / "copy_receiver.tac").read_text()
        tac.write_text(source.replace("pb.setUnjellyableForClass(CopyPond, ReceiverPond)", ""))
        receiver, env = startReceiver(runner, ["-ny", str(tac)])
        sender = runSender(runner, "copy_sender.py", env)
        lines = sender.stdout.splitlines()
        assert lines[:3] == ["7 frogs", "copy_sender.CopyPond", "error during takePond:"]
        # The remote failure is a CopiedFailure (its type is the remote class
        # name, not jelly.InsecureJelly), so notOk prints the failure itself.
        details = "\n".join(lines[3:])
        assert "InsecureJelly" in details and "copy_sender.CopyPond" in details, sender.stdout
        assert printed(receiver.output()) == [], receiver.output()
        assert receiver.stop() == 0, receiver.output()


class CacheProgramsTests:
    """PB11 / AP10: cache_sender.py shares a Cacheable with cache_receiver.py."""

    def test_cacheTranscript(self, runner: Any) -> None:
        """The receiver's cache follows addDuck/removeDuck; the sender's shutdown stops it."""
        receiver, env = startReceiver(runner, ["-n", "-y", str(PB / "cache_receiver.py")])
        sender = runSender(runner, "cache_sender.py", env)
        assert sender.stdout.splitlines() == [
            "I have [2] ducks",
            "I have [3] ducks",
            "I have [2] ducks",
        ], sender.stdout
        assert receiver.popen.wait(LOG_TIMEOUT) == 0, receiver.output()
        receiver.kill()
        lines = printed(receiver.output())
        assert lines[0] == " cache - sitting, er, setting ducks", receiver.output()
        assert re.fullmatch(
            r"got pond: <cache_classes\.SlaveDuckPond object at 0x[0-9a-f]+>", lines[1]
        )
        assert lines[2:] == [
            "[2] ducks:  ['one duck', 'two duck']",
            " cache - addDuck",
            "[3] ducks:  ['one duck', 'two duck', 'ugly duckling']",
            " cache - removeDuck",
            "[2] ducks:  ['two duck', 'ugly duckling']",
            "dropping pond",
        ], receiver.output()
        assert "Traceback" not in receiver.output(), receiver.output()
