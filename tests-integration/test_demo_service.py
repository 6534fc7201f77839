"""
The README's main job, end to end: ``netframe-twistd -n -y examples/demo/demo.tac`` from
the installed wheels, driven by plain socket clients over loopback.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TAC = ROOT / "examples" / "demo" / "demo.tac"
SERVICES = ("CHAT", "AMP", "ECHO", "QOTD")


def _recvUntil(sock: socket.socket, marker: bytes, limit: float = 5.0) -> bytes:
    """Read from C{sock} until C{marker} was received (or fail after C{limit} s)."""
    deadline = time.monotonic() + limit
    data = b""
    while marker not in data:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    assert marker in data, data
    return data


def _recvAll(sock: socket.socket, limit: float = 5.0) -> bytes:
    """Read from C{sock} until the peer closes it."""
    sock.settimeout(limit)
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


@pytest.fixture(scope="module")
def demo() -> Iterator[dict[str, int]]:
    """Run the demo service on OS-chosen ports; yield the port of each service."""
    env = dict(os.environ)
    for name in SERVICES:
        env[f"NETFRAME_DEMO_{name}"] = "tcp:port=0:interface=127.0.0.1"
    process = subprocess.Popen(
        [sys.executable, "-m", "netframe.app", "-n", "--pidfile=", "-y", str(TAC)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    ports: list[int] = []
    lines: list[bytes] = []
    deadline = time.monotonic() + 30
    try:
        while len(ports) < len(SERVICES) and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            match = re.search(rb"starting on (\d+)", line)
            if match:
                ports.append(int(match.group(1)))
        assert len(ports) == len(SERVICES), b"".join(lines).decode()
        yield dict(zip(SERVICES, ports, strict=True))
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            rest, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            rest, _ = process.communicate()
        output = b"".join(lines) + rest
        assert process.returncode == 0, output.decode()
        assert b"Main loop terminated." in output


class DemoServiceTests:
    """The demo service answers every client the README describes."""

    def test_chatRelaysBetweenUsers(self, demo: dict[str, int]) -> None:
        """Two chat users: a taken name is refused, lines reach the other user."""
        with (
            socket.create_connection(("127.0.0.1", demo["CHAT"]), timeout=5) as alice,
            socket.create_connection(("127.0.0.1", demo["CHAT"]), timeout=5) as bob,
        ):
            _recvUntil(alice, b"What's your name?\r\n")
            alice.sendall(b"alice\r\n")
            _recvUntil(alice, b"Welcome, alice!\r\n")
            _recvUntil(bob, b"What's your name?\r\n")
            bob.sendall(b"alice\r\n")
            _recvUntil(bob, b"Name taken, please choose another.\r\n")
            bob.sendall(b"bob\r\nhello\r\n")
            _recvUntil(bob, b"Welcome, bob!\r\n")
            _recvUntil(alice, b"<bob> hello\r\n")

    def test_ampSum(self, demo: dict[str, int]) -> None:
        """A hand-encoded AMP Sum box gets the total back."""

        def box(pairs: list[tuple[bytes, bytes]]) -> bytes:
            out = b""
            for key, value in pairs:
                out += struct.pack("!H", len(key)) + key + struct.pack("!H", len(value)) + value
            return out + b"\x00\x00"

        with socket.create_connection(("127.0.0.1", demo["AMP"]), timeout=5) as client:
            client.sendall(
                box([(b"_command", b"Sum"), (b"_ask", b"1"), (b"a", b"2"), (b"b", b"40")])
            )
            answer = _recvUntil(client, b"\x00\x00")
        assert b"_answer" in answer
        assert b"\x00\x05total\x00\x0242" in answer

    def test_echo(self, demo: dict[str, int]) -> None:
        """The echo service sends back what it receives."""
        with socket.create_connection(("127.0.0.1", demo["ECHO"]), timeout=5) as client:
            client.sendall(b"ping\n")
            assert _recvUntil(client, b"ping\n") == b"ping\n"

    def test_quoteOfTheDay(self, demo: dict[str, int]) -> None:
        """The QOTD service sends its quote and closes the connection."""
        with socket.create_connection(("127.0.0.1", demo["QOTD"]), timeout=5) as client:
            assert _recvAll(client) == b"An apple a day keeps the doctor away.\r\n"
