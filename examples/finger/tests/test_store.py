"""
Tests for finger.store: the sqlite3 user store and the service owning it.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from finger.store import (
    DEMO_USERS,
    FingerService,
    IFingerService,
    IFingerSetterService,
    InvalidStatusError,
    UserStore,
    checkStatus,
    makePool,
)
from netframe.core.testing import MemoryReactor


@pytest.fixture
def store(helpers: Any) -> UserStore:
    """A prepared store (demo users) on an in-memory database."""
    store = UserStore(helpers.syncPool())
    assert helpers.succeeded(store.prepare()) is True
    return store


class UserStoreTests:
    """UserStore reads and writes the users table."""

    def test_interfaces(self, store: UserStore) -> None:
        """UserStore provides IFingerService and IFingerSetterService."""
        assert verifyObject(IFingerService, store)
        assert verifyObject(IFingerSetterService, store)

    def test_prepareSeedsEmptyTable(self, store: UserStore, helpers: Any) -> None:
        """A new database gets the demo users."""
        for name, status in DEMO_USERS:
            assert helpers.succeeded(store.getUser(name)) == status

    def test_prepareKeepsExistingUsers(self, store: UserStore, helpers: Any) -> None:
        """Preparing again neither re-seeds nor changes the data."""
        helpers.succeeded(store.setUser("alice", "Changed"))
        assert helpers.succeeded(store.prepare()) is False
        assert helpers.succeeded(store.getUser("alice")) == "Changed"

    def test_prepareWithoutSeed(self, helpers: Any) -> None:
        """An empty seed leaves a new table empty."""
        store = UserStore(helpers.syncPool())
        assert helpers.succeeded(store.prepare(seed=())) is False
        assert helpers.succeeded(store.getUsers()) == []

    def test_unknownUser(self, store: UserStore, helpers: Any) -> None:
        """An unknown user's status is None."""
        assert helpers.succeeded(store.getUser("mallory")) is None

    def test_usersSorted(self, store: UserStore, helpers: Any) -> None:
        """getUsers lists the names in sorted order."""
        helpers.succeeded(store.setUser("aaron", "Hi"))
        assert helpers.succeeded(store.getUsers()) == ["aaron", "alice", "bob"]

    def test_usersListingLimit(self, store: UserStore, helpers: Any) -> None:
        """getUsers returns at most maxListedUsers names (the first ones)."""
        store.maxListedUsers = 2
        assert helpers.succeeded(store.getUsers()) == ["alice", "bob"]
        store.maxListedUsers = 1
        assert helpers.succeeded(store.getUsers()) == ["alice"]

    def test_setUserUpdates(self, store: UserStore, helpers: Any) -> None:
        """setUser replaces an existing status."""
        helpers.succeeded(store.setUser("bob", "Back soon"))
        assert helpers.succeeded(store.getUser("bob")) == "Back soon"

    def test_setUserAdds(self, store: UserStore, helpers: Any) -> None:
        """setUser adds an unknown user."""
        helpers.succeeded(store.setUser("carol", "New here"))
        assert helpers.succeeded(store.getUser("carol")) == "New here"

    def test_setUserRefusesBadStatus(self, store: UserStore, helpers: Any) -> None:
        """A refused status raises at once and stores nothing."""
        with pytest.raises(InvalidStatusError):
            store.setUser("alice", "two\nlines")
        assert helpers.succeeded(store.getUser("alice")) == "Happy and well"

    def test_statusLengthLimit(self, store: UserStore, helpers: Any) -> None:
        """A status of maxStatusLength characters is stored, one more is refused."""
        helpers.succeeded(store.setUser("alice", "a" * store.maxStatusLength))
        with pytest.raises(InvalidStatusError):
            store.setUser("alice", "a" * (store.maxStatusLength + 1))
        store.maxStatusLength = 5
        with pytest.raises(InvalidStatusError):
            store.setUser("alice", "abcdef")

    def test_sqlInjectionIsData(self, store: UserStore, helpers: Any) -> None:
        """Names and statuses are parameters, never SQL."""
        name = "x'); DROP TABLE users; --"
        helpers.succeeded(store.setUser(name, "Tables intact"))
        assert helpers.succeeded(store.getUser(name)) == "Tables intact"
        assert len(helpers.succeeded(store.getUsers())) == 3


class CheckStatusTests:
    """checkStatus refuses what cannot be a status line."""

    def test_plainText(self) -> None:
        """Printable text, including non-ASCII, is accepted as it is."""
        assert checkStatus("Writing docs ☕") == "Writing docs ☕"

    @pytest.mark.parametrize("status", ["a\nb", "a\rb", "tab\there", "esc\x1b[2J", "bidi\u202e"])
    def test_controlCharacters(self, status: str) -> None:
        """Line breaks, tabs, escapes and format characters are refused."""
        with pytest.raises(InvalidStatusError, match="control character"):
            checkStatus(status)

    def test_notText(self) -> None:
        """A status must be str."""
        with pytest.raises(InvalidStatusError, match="must be text, not bytes"):
            checkStatus(b"bytes")

    def test_empty(self) -> None:
        """An empty status is refused."""
        with pytest.raises(InvalidStatusError, match="empty"):
            checkStatus("")

    def test_lengthLimit(self) -> None:
        """maxLength characters pass, one more does not."""
        assert checkStatus("abc", maxLength=3) == "abc"
        with pytest.raises(InvalidStatusError, match="at most 3 characters, this one has 4"):
            checkStatus("abcd", maxLength=3)


class FingerServiceTests:
    """FingerService prepares the database on start and closes the pool on stop."""

    def test_startPrepares(self, helpers: Any, events: list[dict[str, Any]]) -> None:
        """Starting creates the schema, seeds the demo users and logs it."""
        store = UserStore(helpers.syncPool())
        service = FingerService(store, "test.sqlite", MemoryReactor())
        service.startService()
        assert service.ready is not None
        assert helpers.succeeded(service.ready) is True
        assert helpers.succeeded(store.getUser("alice")) == "Happy and well"
        assert any(e.get("log_format", "").startswith("Created {database}") for e in events)

    def test_stopClosesPool(self, helpers: Any) -> None:
        """Stopping closes the pool."""
        pool = helpers.syncPool()
        service = FingerService(UserStore(pool), "test.sqlite", MemoryReactor())
        service.startService()
        service.stopService()
        assert pool.closed
        assert not service.running

    def test_prepareFailureStopsReactor(self, helpers: Any, events: list[dict[str, Any]]) -> None:
        """A database that cannot be prepared is logged as critical and stops the reactor."""
        pool = helpers.syncPool()
        pool.broken = sqlite3.OperationalError("unable to open database file")
        reactor = MemoryReactor()
        reactor.running = True
        stops: list[bool] = []
        reactor.stop = lambda: stops.append(True)  # type: ignore[method-assign]
        service = FingerService(UserStore(pool), "/nonexistent/x.sqlite", reactor)
        service.startService()
        assert stops == [True]
        failures = [e for e in events if "log_failure" in e]
        assert failures and failures[0]["log_failure"].check(sqlite3.OperationalError)


class RealPoolTests:
    """The store over netframe.enterprise's real ConnectionPool and a sqlite3 file."""

    def test_roundTripThroughPool(self, tmp_path: Path, helpers: Any) -> None:
        """Prepare, set and get through pool threads; the file keeps the data."""
        reactor = helpers.threadedReactor()
        path = tmp_path / "finger.sqlite"
        pool = makePool(str(path), reactor)
        assert (pool.min, pool.max) == (1, 1)
        pool.start()
        try:
            store = UserStore(pool)
            results: list[Any] = []
            store.prepare().addCallback(results.append)
            store.setUser("alice", "Through threads").addCallback(results.append)
            store.getUser("alice").addCallback(results.append)
            store.getUsers().addCallback(results.append)
            reactor.runUntil(lambda: len(results) == 4)
            assert results == [True, None, "Through threads", ["alice", "bob"]]
        finally:
            pool.close()
        with closing(sqlite3.connect(path)) as connection:
            rows = connection.execute("SELECT name, status FROM users ORDER BY name").fetchall()
        assert rows == [("alice", "Through threads"), ("bob", "Giving a tutorial now, sorry!")]
