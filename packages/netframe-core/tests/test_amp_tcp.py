"""
AMP over a real loopback TCP connection: the howto's A1 and A2 examples run
on an EPollReactor instance (not the global reactor), bounded by a watchdog
that stops the reactor.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path as FsPath
from typing import Any

import pytest

from netframe.core.defer import Deferred, gatherResults, inlineCallbacks
from netframe.core.endpoints import TCP4ClientEndpoint, TCP4ServerEndpoint
from netframe.core.epollreactor import EPollReactor
from netframe.core.failure import Failure
from netframe.core.protocol import Factory
from netframe.core.protocols import amp

#: Seconds a test may run before the watchdog stops the reactor and fails it.
WATCHDOG_SECONDS = 10.0


class UsernameUnavailable(Exception):
    """The howto's declared error."""


class RegisterUser(amp.Command):
    """The howto's command."""

    arguments = [("username", amp.Unicode()), ("publickey", amp.String())]
    response = [("uid", amp.Integer())]
    errors = {UsernameUnavailable: "username-unavailable"}


class UserRegistration(amp.CommandLocator):
    """The howto's locator, writing files under C{directory}."""

    uidCounter = 0

    def __init__(self, directory: FsPath) -> None:
        self.directory = directory

    @RegisterUser.responder
    def register(self, username: str, publickey: bytes) -> int:
        path = self.directory / username
        if path.exists():
            raise UsernameUnavailable()
        self.uidCounter += 1
        path.write_bytes(b"%d %s\n" % (self.uidCounter, publickey))
        return self.uidCounter


@pytest.fixture
def reactor() -> Iterator[EPollReactor]:
    """A fresh EPollReactor, closed after the test."""
    r = EPollReactor()
    yield r
    r.disconnectAll()
    r._close()


def runUntil(reactor: EPollReactor, d: Deferred[Any]) -> Any:
    """
    Run C{reactor} until C{d} fires (or the watchdog expires); return its
    result or raise its failure.
    """
    outcome: list[Any] = []
    timedOut: list[bool] = []

    def done(result: Any) -> None:
        outcome.append(result)
        reactor.stop()

    def watchdog() -> None:
        timedOut.append(True)
        reactor.stop()

    d.addBoth(done)
    call = reactor.callLater(WATCHDOG_SECONDS, watchdog)
    if not outcome:
        reactor.run(installSignalHandlers=False)
    if call.active():
        call.cancel()
    if timedOut:
        pytest.fail(f"AMP over TCP did not finish within {WATCHDOG_SECONDS}s")
    result = outcome[0]
    if isinstance(result, Failure):
        result.raiseException()
    return result


class AmpOverTCPTests:
    """AMP between two peers over loopback TCP on an EPollReactor."""

    def test_A1ConnectAndDone(self, reactor: EPollReactor) -> None:
        """A1: a server endpoint with Factory.forProtocol(AMP); the client connects."""

        @inlineCallbacks
        def scenario() -> Any:
            port = yield TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(
                Factory.forProtocol(amp.AMP)
            )
            try:
                endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", port.getHost().port)
                client = yield endpoint.connect(Factory.forProtocol(amp.AMP))
                assert isinstance(client, amp.AMP) and client.transport is not None
                client.transport.loseConnection()
            finally:
                yield port.stopListening()
            return "done"

        assert runUntil(reactor, scenario()) == "done"

    def test_A2RegistrationOverTCP(self, reactor: EPollReactor, tmp_path: FsPath) -> None:
        """A2 over TCP: uid 1, then UsernameUnavailable, and concurrent Sum-like calls."""

        @inlineCallbacks
        def scenario() -> Any:
            factory = Factory.forProtocol(lambda: amp.AMP(locator=UserRegistration(tmp_path)))
            port = yield TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(factory)
            try:
                endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", port.getHost().port)
                client = yield endpoint.connect(Factory.forProtocol(amp.AMP))
                first = yield client.callRemote(RegisterUser, username="alice", publickey=b"key-a")
                try:
                    yield client.callRemote(RegisterUser, username="alice", publickey=b"key-a")
                    second: Any = "no error"
                except UsernameUnavailable as e:
                    second = e
                many = yield gatherResults(
                    [
                        client.callRemote(RegisterUser, username=f"user{i}", publickey=b"k")
                        for i in range(50)
                    ]
                )
                client.transport.loseConnection()
            finally:
                yield port.stopListening()
            return first, second, many

        first, second, many = runUntil(reactor, scenario())
        assert first == {"uid": 1}
        assert isinstance(second, UsernameUnavailable)
        assert sorted(r["uid"] for r in many) == list(range(2, 52))
        assert (tmp_path / "alice").read_bytes() == b"1 key-a\n"
