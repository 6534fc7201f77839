"""
The finger proxy (SCOPE.md F23, L5149-5260) ported to Python 3 on netframe
(finger/fingerproxy.tac), run by netframe-twistd in front of the finger11.tac
step as the remote finger server, and in front of a port nobody listens on.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

pytestmark = pytest.mark.slow


def proxyEnv(proxyPort: int, remotePort: int) -> dict[str, str]:
    """The environment adapting the proxy (and finger11.tac) to loopback and our uid/gid."""
    return {
        "FINGER_PROXY_PORT": str(proxyPort),
        "FINGER_REMOTE_PORT": str(remotePort),
        "FINGER_PORT": str(remotePort),
        "FINGER_INTERFACE": "127.0.0.1",
        "FINGER_UID": str(os.getuid()),
        "FINGER_GID": str(os.getgid()),
    }


class FingerProxyTests:
    """F23: `echo moshez@127.0.0.1 | nc localhost 7779` through the proxy."""

    def test_forwardsToRemoteServer(self, runner: Any) -> None:
        """F23: the proxy answers with what the remote finger server sent."""
        proxyPort, remotePort = runner.freePort(), runner.freePort()
        env = proxyEnv(proxyPort, remotePort)
        remote = runner.tac("finger/finger11.tac", **env)
        proxy = runner.tac("finger/fingerproxy.tac", **env)
        remote.waitForPort(remotePort)
        proxy.waitForPort(proxyPort)
        assert runner.exchange(proxyPort, b"moshez@127.0.0.1\r\n") == b"Happy and well\r\n"
        assert runner.exchange(proxyPort, b"nail@127.0.0.1\r\n") == b"No such user\r\n"
        assert runner.exchange(proxyPort, b"moshez\r\n") == b"Happy and well\r\n"
        assert proxy.stop() == 0, proxy.output()
        assert remote.stop() == 0, remote.output()

    def test_unreachableRemoteHost(self, runner: Any) -> None:
        """F23: when the remote server refuses, the answer is "Could not connect to remote host"."""
        proxyPort, remotePort = runner.freePort(), runner.freePort()
        proxy = runner.tac("finger/fingerproxy.tac", **proxyEnv(proxyPort, remotePort))
        proxy.waitForPort(proxyPort)
        answer = runner.exchange(proxyPort, b"moshez@127.0.0.1\r\n")
        assert answer == b"Could not connect to remote host"
        assert proxy.stop() == 0, proxy.output()
