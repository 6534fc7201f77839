"""
Fixtures of the reactor conformance suite: every test here runs against each
real reactor (epoll, poll, select, asyncio) over loopback sockets, bounded in time by a
watchdog that stops the reactor and fails the test.
"""

from __future__ import annotations

import os
import select
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from netframe.core.asyncioreactor import AsyncioSelectorReactor
from netframe.core.epollreactor import EPollReactor
from netframe.core.pollreactor import PollReactor
from netframe.core.selectreactor import SelectReactor

_REACTORS: dict[str, Callable[[], Any]] = {
    "select": SelectReactor,
    # On a new asyncio.SelectorEventLoop that the reactor owns and closes.
    "asyncio": AsyncioSelectorReactor,
}
if hasattr(select, "poll"):
    _REACTORS["poll"] = PollReactor
if hasattr(select, "epoll"):
    _REACTORS["epoll"] = EPollReactor

#: Seconds a conformance test may run before the watchdog fails it.
WATCHDOG_SECONDS = 10.0


def _hasIPv6Loopback() -> bool:
    """Return True if ::1 can be bound."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


HAS_IPV6 = _hasIPv6Loopback()


@pytest.fixture(params=sorted(_REACTORS))
def reactor(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh reactor instance of each kind, closed after the test."""
    r = _REACTORS[request.param]()
    yield r
    r.disconnectAll()
    r._close()


class Runner:
    """Runs a reactor until stopped, failing the test if the watchdog fires."""

    def __init__(self, reactor: Any) -> None:
        """@param reactor: the reactor under test."""
        self.reactor = reactor
        self.timedOut = False

    def run(self, timeout: float = WATCHDOG_SECONDS, installSignalHandlers: bool = False) -> None:
        """
        Run the reactor until something stops it.

        @raise pytest.fail.Exception: If C{timeout} seconds pass first.
        """
        reactor = self.reactor

        def watchdog() -> None:
            self.timedOut = True
            reactor.stop()

        call = reactor.callLater(timeout, watchdog)
        reactor.run(installSignalHandlers=installSignalHandlers)
        if call.active():
            call.cancel()
        if self.timedOut:
            pytest.fail(f"reactor test did not finish within {timeout}s")

    def stopSoon(self) -> None:
        """Stop the reactor on the next pass (safe to call more than once)."""
        if not self.reactor._stopped:
            self.reactor.stop()


@pytest.fixture
def runner(reactor: Any) -> Runner:
    """A L{Runner} for the parametrised reactor."""
    return Runner(reactor)


def openFdCount() -> int:
    """Return how many descriptors the process has open."""
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def fdCount() -> Callable[[], int]:
    """The function counting the process's open descriptors."""
    return openFdCount


def freePort(family: int = socket.AF_INET) -> int:
    """Return a loopback port that nothing listens on (bound, then released)."""
    host = "::1" if family == socket.AF_INET6 else "127.0.0.1"
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def unusedPort() -> Callable[..., int]:
    """The function returning a loopback port nothing listens on."""
    return freePort


@pytest.fixture
def ipv6() -> None:
    """Skip-free guard: fail clearly when IPv6 loopback is unavailable."""
    if not HAS_IPV6:
        pytest.fail("IPv6 loopback (::1) is not available on this machine")
