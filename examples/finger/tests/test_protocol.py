"""
Tests for finger.protocol: the finger protocol over a string transport.
"""

from __future__ import annotations

from typing import Any

import pytest
from zope.interface import implementer

from finger.protocol import FingerFactory, FingerProtocol
from finger.store import IFingerService
from netframe.core.defer import Deferred, fail, succeed
from netframe.core.task import Clock
from netframe.core.testing import StringTransportWithDisconnection


@implementer(IFingerService)
class FakeService:
    """Answers from a dict; C{broken} makes every call fail."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users
        self.broken = False
        self.pending: Deferred[str | None] | None = None

    def getUser(self, user: str) -> Deferred[str | None]:
        if self.broken:
            return fail(RuntimeError("disk on fire"))
        if user == "slow":
            self.pending = Deferred()
            return self.pending
        return succeed(self.users.get(user))

    def getUsers(self) -> Deferred[list[str]]:
        if self.broken:
            return fail(RuntimeError("disk on fire"))
        return succeed(sorted(self.users))


def connect(service: Any, clock: Clock | None = None) -> tuple[FingerProtocol, Any]:
    """Connect a finger protocol to a string transport; return both."""
    factory = FingerFactory(service)
    protocol = factory.buildProtocol(None)
    assert isinstance(protocol, FingerProtocol)
    if clock is not None:
        protocol.callLater = clock.callLater  # type: ignore[method-assign]
    transport = StringTransportWithDisconnection()
    transport.protocol = protocol
    protocol.makeConnection(transport)
    return protocol, transport


@pytest.fixture
def service() -> FakeService:
    """A service knowing alice and bob."""
    return FakeService({"alice": "Happy and well", "bob": "Busy"})


class FingerProtocolTests:
    """One query in, one answer out, connection closed."""

    def test_knownUser(self, service: FakeService) -> None:
        """A known user's status is sent, then the connection closes."""
        protocol, transport = connect(service, Clock())
        protocol.dataReceived(b"alice\r\n")
        assert transport.value() == b"Happy and well\r\n"
        assert not transport.connected

    def test_bareLineFeed(self, service: FakeService) -> None:
        """A query ended by LF alone is answered too."""
        protocol, transport = connect(service, Clock())
        protocol.dataReceived(b"bob\n")
        assert transport.value() == b"Busy\r\n"

    def test_unknownUser(self, service: FakeService) -> None:
        """An unknown user gets 'No such user'."""
        protocol, transport = connect(service, Clock())
        protocol.dataReceived(b"mallory\r\n")
        assert transport.value() == b"No such user\r\n"

    def test_emptyLineListsUsers(self, service: FakeService) -> None:
        """An empty query lists the users, one a line."""
        protocol, transport = connect(service, Clock())
        protocol.dataReceived(b"\r\n")
        assert transport.value() == b"alice\r\nbob\r\n"

    def test_noUsers(self) -> None:
        """With no users, the list is empty and the connection closes."""
        protocol, transport = connect(FakeService({}), Clock())
        protocol.dataReceived(b"\r\n")
        assert transport.value() == b""
        assert not transport.connected

    def test_forwardingDenied(self, service: FakeService) -> None:
        """user@host is refused."""
        protocol, transport = connect(service, Clock())
        protocol.dataReceived(b"alice@example.com\r\n")
        assert transport.value() == b"Finger forwarding service denied\r\n"

    def test_invalidQuery(self, service: FakeService) -> None:
        """Bytes that are not UTF-8 get 'Invalid query'."""
        protocol, transport = connect(service, Clock())
        protocol.dataReceived(b"\xff\r\n")
        assert transport.value() == b"Invalid query\r\n"

    def test_storeFailure(self, service: FakeService, events: list[dict[str, Any]]) -> None:
        """A store failure answers 'Internal error in server' and is logged."""
        service.broken = True
        protocol, transport = connect(service, Clock())
        protocol.dataReceived(b"alice\r\n")
        assert transport.value() == b"Internal error in server\r\n"
        failures = [e for e in events if "log_failure" in e]
        assert len(failures) == 1
        assert failures[0]["log_failure"].check(RuntimeError)

    def test_onlyFirstQueryAnswered(self, service: FakeService) -> None:
        """Lines after the first query are ignored."""
        protocol, transport = connect(service, Clock())
        protocol.dataReceived(b"slow\r\nalice\r\nbob\r\n")
        assert service.pending is not None
        assert transport.value() == b""
        service.pending.callback("Eventually")
        assert transport.value() == b"Eventually\r\n"

    def test_answerAfterDisconnect(self, service: FakeService) -> None:
        """An answer arriving after the client left is dropped quietly."""
        protocol, transport = connect(service, Clock())
        protocol.dataReceived(b"slow\r\n")
        transport.loseConnection()
        protocol.transport = None
        assert service.pending is not None
        service.pending.callback("Too late")
        assert transport.value() == b""

    def test_queryAtMaxLength(self, service: FakeService) -> None:
        """A line of exactly MAX_LENGTH bytes before its LF (CR included) is answered."""
        protocol, transport = connect(service, Clock())
        protocol.dataReceived(b"x" * (FingerProtocol.MAX_LENGTH - 1) + b"\r\n")
        assert transport.value() == b"No such user\r\n"
        protocol, transport = connect(service, Clock())
        protocol.dataReceived(b"x" * FingerProtocol.MAX_LENGTH + b"\n")
        assert transport.value() == b"No such user\r\n"

    def test_queryPastMaxLength(self, service: FakeService) -> None:
        """One byte more gets 'Query too long' and the connection closes."""
        protocol, transport = connect(service, Clock())
        protocol.dataReceived(b"x" * FingerProtocol.MAX_LENGTH + b"\r\n")
        assert transport.value() == b"Query too long\r\n"
        assert not transport.connected

    def test_partialLinePastMaxLength(self, service: FakeService) -> None:
        """An unfinished line past MAX_LENGTH is refused without waiting for its end."""
        protocol, transport = connect(service, Clock())
        protocol.dataReceived(b"x" * (FingerProtocol.MAX_LENGTH + 1))
        assert transport.value() == b"Query too long\r\n"

    def test_maxLengthOverridable(self, service: FakeService) -> None:
        """An instance (or subclass) may change MAX_LENGTH."""
        protocol, transport = connect(service, Clock())
        protocol.MAX_LENGTH = 4
        protocol.dataReceived(b"bob\r\n")
        assert transport.value() == b"Busy\r\n"
        protocol, transport = connect(service, Clock())
        protocol.MAX_LENGTH = 4
        protocol.dataReceived(b"bobx\r\n")
        assert transport.value() == b"Query too long\r\n"

    def test_silentClientTimesOut(self, service: FakeService) -> None:
        """A client that sends no query within timeOut is disconnected."""
        clock = Clock()
        protocol, transport = connect(service, clock)
        assert protocol.timeOut is not None
        clock.advance(protocol.timeOut - 0.5)
        assert transport.connected
        clock.advance(0.5)
        assert not transport.connected
        assert transport.value() == b""

    def test_noTimeoutOnceAnswered(self, service: FakeService) -> None:
        """A slow store answer is not cut by the query timeout."""
        clock = Clock()
        protocol, transport = connect(service, clock)
        protocol.dataReceived(b"slow\r\n")
        clock.advance(1000)
        assert transport.connected
        assert service.pending is not None
        service.pending.callback("Done")
        assert transport.value() == b"Done\r\n"
        assert not clock.getDelayedCalls()


class FingerFactoryTests:
    """FingerFactory adapts its service."""

    def test_refusesNonService(self) -> None:
        """An object that is not an IFingerService is refused."""
        with pytest.raises(TypeError):
            FingerFactory(object())

    def test_delegates(self, service: FakeService, helpers: Any) -> None:
        """getUser and getUsers are the service's."""
        factory = FingerFactory(service)
        assert helpers.succeeded(factory.getUser("bob")) == "Busy"
        assert helpers.succeeded(factory.getUsers()) == ["alice", "bob"]
