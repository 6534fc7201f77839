"""
The README's main job, end to end: the finger showcase (examples/finger) started the way
``python3 tools/dev.py serve`` starts it --

    netframe-twistd -n --pidfile= --log-format json finger --auth hashed:examples/finger/demo-passwd

-- from installed wheels, in a temporary working directory and on kernel-chosen ports
(``--port``/``--pb-port`` with ``port=0``, read back from the JSON log), driven by exactly
the client commands the README shows: ``printf ... | nc 127.0.0.1 PORT`` (a Python socket
client stands in when ``nc`` is not installed) and ``python -m finger.client``. Then
SIGTERM and a clean exit. systemd readiness is observed through ``NOTIFY_SOCKET``.

The example is its own distribution: this module builds its wheel with hatchling and
installs it (``--no-deps``: the netframe wheels are already installed) into the
interpreter running the suite, so ``netframe-twistd`` finds the ``finger`` plugin through
its entry point, as a user's ``pip install`` would.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "finger"
DEMO_PASSWD = EXAMPLE / "demo-passwd"
BIN = Path(sys.executable).parent

#: Seconds any one step may take.
BOUND = 30.0

FINGER_FACTORY = "finger.protocol.FingerFactory"
PB_FACTORY = "netframe.spread.pb.PBServerFactory"


@pytest.fixture(scope="module")
def fingerInstalled(wheelTools: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Build the finger example's wheel and install it into this interpreter."""
    from hatchling.builders.wheel import WheelBuilder

    out = tmp_path_factory.mktemp("finger-wheel")
    (wheel,) = WheelBuilder(str(EXAMPLE)).build(directory=str(out), versions=["standard"])
    wheelTools.pipInstall(sys.executable, ["--force-reinstall", "--no-deps", wheel])


def nc(port: int, data: bytes) -> bytes:
    """
    ``printf DATA | nc 127.0.0.1 PORT``: with the real nc when installed, otherwise
    a socket client doing the same (send, then read until the server closes).
    """
    if shutil.which("nc"):
        result = subprocess.run(
            ["nc", "127.0.0.1", str(port)], input=data, capture_output=True, timeout=BOUND
        )
        return result.stdout
    with socket.create_connection(("127.0.0.1", port), timeout=BOUND) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
    return received


class Showcase:
    """
    The running service: its process, ports, notify socket, and its JSON log events
    (read by a thread, so the pipe never fills).
    """

    def __init__(self, process: subprocess.Popen[bytes], workdir: Path, notify: socket.socket):
        self.process = process
        self.workdir = workdir
        self.notify = notify
        self.ports: dict[str, int] = {}
        self.events: list[dict[str, Any]] = []
        self.readiness = ""
        self.started = threading.Event()
        self.storeReady = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        """Collect the JSON events; note the ports and the start."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                # JSON text sequences (RFC 7464): a record separator, then the event.
                event = json.loads(line.removeprefix(b"\x1e"))
            except ValueError:
                # Not an event: kept (so a failing assertion shows it) and found by the
                # test that every line is JSON.
                event = {"raw": line.decode(errors="replace")}
            self.events.append(event)
            if event.get("log_format") == "{factory} starting on {port}":
                self.ports[event["factory"]] = event["port"]
            if (event.get("log_format") or "").startswith("Application started"):
                self.started.set()
            if event.get("log_namespace") == "finger.store":
                self.storeReady.set()
        self.started.set()
        self.storeReady.set()

    @property
    def fingerPort(self) -> int:
        """The finger port."""
        return self.ports[FINGER_FACTORY]

    @property
    def pbPort(self) -> int:
        """The PB port."""
        return self.ports[PB_FACTORY]

    def formats(self) -> list[str]:
        """The log_format of every event so far."""
        return [event.get("log_format") or "" for event in list(self.events)]

    def stop(self, terminate: bool = True) -> int:
        """
        SIGTERM (if running and C{terminate}), wait for the exit and the last events;
        return the exit status.
        """
        if terminate and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=BOUND)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        self._reader.join(BOUND)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return status

    def client(self, *argv: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``python -m finger.client --pb tcp:host=127.0.0.1:port=PB ARGV``."""
        command = [
            sys.executable,
            "-m",
            "finger.client",
            "--pb",
            f"tcp:host=127.0.0.1:port={self.pbPort}",
            *argv,
        ]
        return subprocess.run(
            command,
            input=stdin.decode() if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=BOUND,
            cwd=self.workdir,
        )


@pytest.fixture(scope="module")
def showcase(fingerInstalled: None) -> Iterator[Showcase]:
    """Start the showcase as the README does, on free ports in a temp directory."""
    # A short directory: AF_UNIX socket paths are limited to about 100 bytes.
    workdir = Path(tempfile.mkdtemp(prefix="finger-"))
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(workdir / "notify"))
    notify.settimeout(BOUND)
    env = dict(os.environ, NOTIFY_SOCKET=str(workdir / "notify"))
    process = subprocess.Popen(
        [
            str(BIN / "netframe-twistd"),
            "-n",
            "--pidfile=",
            "--log-format",
            "json",
            "finger",
            "--auth",
            f"hashed:{DEMO_PASSWD}",
            "--port",
            "tcp:port=0:interface=127.0.0.1",
            "--pb-port",
            "tcp:port=0:interface=127.0.0.1",
        ],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    running = Showcase(process, workdir, notify)
    try:
        assert running.started.wait(BOUND), f"not started within the bound: {running.events}"
        assert running.storeReady.wait(BOUND), f"no store within the bound: {running.events}"
        assert process.poll() is None, f"the showcase exited: {running.events}"
        running.readiness = notify.recv(4096).decode()
        yield running
    finally:
        running.stop()
        notify.close()
        shutil.rmtree(workdir, ignore_errors=True)


class FingerPluginTests:
    """The installed example is a netframe-twistd subcommand."""

    def test_helpListsFinger(self, fingerInstalled: None) -> None:
        """netframe-twistd --help lists finger with its description (entry point found)."""
        result = subprocess.run(
            [str(BIN / "netframe-twistd"), "--help"],
            capture_output=True,
            text=True,
            timeout=BOUND,
        )
        assert result.returncode == 0, result.stderr
        assert "finger" in result.stdout
        assert "Run a finger service" in result.stdout


class FingerShowcaseTests:
    """
    The README's transcript, in order (the statuses it changes are seen by the
    later steps), then the shutdown.
    """

    def test_started(self, showcase: Showcase) -> None:
        """Both services listen on loopback and systemd was told READY=1."""
        assert showcase.fingerPort and showcase.pbPort
        assert "READY=1" in showcase.readiness
        assert f"MAINPID={showcase.process.pid}" in showcase.readiness
        assert showcase.ports == {FINGER_FACTORY: showcase.fingerPort, PB_FACTORY: showcase.pbPort}

    def test_databaseCreatedInWorkingDirectory(self, showcase: Showcase) -> None:
        """The sqlite3 file is created under the working directory on first start."""
        assert (showcase.workdir / "finger.sqlite").is_file()

    def test_fingerAlice(self, showcase: Showcase) -> None:
        """printf 'alice\\r\\n' | nc 127.0.0.1 7079 -> Happy and well."""
        assert nc(showcase.fingerPort, b"alice\r\n") == b"Happy and well\r\n"

    def test_fingerList(self, showcase: Showcase) -> None:
        """printf '\\r\\n' | nc 127.0.0.1 7079 -> the user names."""
        assert nc(showcase.fingerPort, b"\r\n") == b"alice\r\nbob\r\n"

    def test_fingerUnknown(self, showcase: Showcase) -> None:
        """printf 'nobody\\r\\n' | nc 127.0.0.1 7079 -> No such user."""
        assert nc(showcase.fingerPort, b"nobody\r\n") == b"No such user\r\n"

    def test_clientGet(self, showcase: Showcase) -> None:
        """client --user alice --password alice get bob -> bob's status."""
        result = showcase.client("--user", "alice", "--password", "alice", "get", "bob")
        assert (result.returncode, result.stdout) == (0, "Giving a tutorial now, sorry!\n")

    def test_clientSet(self, showcase: Showcase) -> None:
        """client ... set Writing the docs; finger then answers the new status."""
        result = showcase.client(
            "--user", "alice", "--password", "alice", "set", "Writing the docs"
        )
        assert (result.returncode, result.stdout) == (
            0,
            "Status of alice set to: Writing the docs\n",
        )
        assert nc(showcase.fingerPort, b"alice\r\n") == b"Writing the docs\r\n"

    def test_clientListPasswordFromStdin(self, showcase: Showcase) -> None:
        """printf 'bob\\n' | client --user bob list -> the user names."""
        result = showcase.client("--user", "bob", "list", stdin=b"bob\n")
        assert (result.returncode, result.stdout) == (0, "alice\nbob\n")

    def test_clientWrongPassword(self, showcase: Showcase) -> None:
        """A wrong password: exit status 1 and the reason on stderr."""
        result = showcase.client("--user", "bob", "--password", "wrong", "list")
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr == "finger.client: login failed: invalid user name or password\n"

    def test_logsAreJson(self, showcase: Showcase) -> None:
        """Every line logged so far is a JSON event; the store and logins are in them."""
        assert [e for e in showcase.events if "log_namespace" not in e] == []
        formats = showcase.formats()
        assert "Created {database} with the demo users {users}" in formats
        assert "{user} set their status" in formats
        assert "A PB login failed ({count} on this connection)" in formats

    def test_sigtermDrainsAndExits(self, showcase: Showcase) -> None:
        """SIGTERM: STOPPING=1, both ports closed, exit status 0 (runs last: it stops)."""
        showcase.process.send_signal(signal.SIGTERM)
        messages = b""
        while b"STOPPING=1" not in messages:
            messages += showcase.notify.recv(4096)
        assert showcase.stop(terminate=False) == 0, showcase.events
        formats = showcase.formats()
        assert "Received {signal}, shutting down." in formats
        closed = {
            e["port"] for e in showcase.events if e.get("log_format") == "(TCP Port {port} Closed)"
        }
        assert closed == {showcase.fingerPort, showcase.pbPort}
        assert formats[-1] == "Server Shut Down."
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", showcase.fingerPort), timeout=BOUND).close()
