"""
The users and their statuses: a sqlite3 table reached through
L{netframe.enterprise.adbapi}, so the reactor never waits for the disk.

L{UserStore} answers queries (L{IFingerService}) and changes statuses
(L{IFingerSetterService}); L{FingerService} owns the connection pool for the
life of the application: it creates the schema (and the demo users, when the
table is empty) when it starts, and closes the pool when it stops.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from zope.interface import Interface, implementer

from netframe.app.service import Service
from netframe.app.twistd import stopWithStatus
from netframe.core.defer import Deferred
from netframe.core.failure import Failure
from netframe.enterprise.adbapi import ConnectionPool
from netframe.logger import Logger

__all__ = [
    "DEMO_USERS",
    "FingerService",
    "IFingerService",
    "IFingerSetterService",
    "InvalidStatusError",
    "UserStore",
    "checkStatus",
    "makePool",
]

_log = Logger(namespace="finger.store")

DEMO_USERS: Sequence[tuple[str, str]] = (
    ("alice", "Happy and well"),
    ("bob", "Giving a tutorial now, sorry!"),
)
"""The users a new, empty database is seeded with: C{(name, status)}."""

MAX_STATUS_LENGTH = 200
"""The default longest status, in characters (L{UserStore.maxStatusLength})."""

MAX_LISTED_USERS = 1000
"""The default most users one listing returns (L{UserStore.maxListedUsers})."""

_SCHEMA = "CREATE TABLE IF NOT EXISTS users ( name TEXT PRIMARY KEY NOT NULL, status TEXT NOT NULL)"


class IFingerService(Interface):
    """
    Answers finger queries.
    """

    def getUser(user: str) -> Deferred[str | None]:
        """
        Look a user's status up.

        @param user: the user name.
        @return: a Deferred firing with the status, or C{None} for an unknown
            user (failing if the store cannot be read).
        """

    def getUsers() -> Deferred[list[str]]:
        """
        List the users.

        @return: a Deferred firing with the user names, sorted (failing if the
            store cannot be read).
        """


class IFingerSetterService(Interface):
    """
    Changes statuses.
    """

    def setUser(user: str, status: str) -> Deferred[None]:
        """
        Set a user's status, adding the user if unknown.

        @param user: the user name.
        @param status: the new status.
        @return: a Deferred firing with C{None} once stored.
        @raise InvalidStatusError: if the status is refused (synchronously).
        """


class InvalidStatusError(ValueError):
    """
    A status that cannot be stored: not text, too long, or holding control
    characters (a line break in a status would forge finger output lines).
    """


def checkStatus(status: object, maxLength: int = MAX_STATUS_LENGTH) -> str:
    """
    Check a status before it is stored.

    @param status: the proposed status.
    @param maxLength: the longest status allowed, in characters.
    @return: C{status}, unchanged.
    @raise InvalidStatusError: if it is not a C{str}, is empty, is longer
        than C{maxLength} or holds a control or format character (category
        C{C*}, which includes line breaks and tabs).
    """
    if not isinstance(status, str):
        raise InvalidStatusError(f"a status must be text, not {type(status).__name__}")
    if not status:
        raise InvalidStatusError("a status must not be empty")
    if len(status) > maxLength:
        raise InvalidStatusError(
            f"a status is at most {maxLength} characters, this one has {len(status)}"
        )
    for c in status:
        if unicodedata.category(c).startswith("C"):
            raise InvalidStatusError(f"a status must not hold the control character {c!r}")
    return status


def makePool(path: str, reactor: Any = None) -> ConnectionPool:
    """
    Make the connection pool of a sqlite3 database file.

    One connection (C{cp_max=1}): sqlite serialises writers anyway, and a
    single connection runs the calls in the order they were made, so the
    schema exists before the first query.

    @param path: the database file (relative paths are relative to the
        working directory when the pool first connects); created if missing.
    @param reactor: the reactor; C{None} means the global one.
    @return: the pool (started when the reactor runs).
    """
    return ConnectionPool(
        "sqlite3", path, cp_min=1, cp_max=1, cp_name="finger-db", cp_reactor=reactor
    )


@implementer(IFingerService, IFingerSetterService)
class UserStore:
    """
    The C{users} table, through a connection pool.

    @ivar pool: an L{netframe.enterprise.adbapi.ConnectionPool} (or anything
        with its C{runInteraction}, C{runQuery} and C{runOperation}).
    @ivar maxStatusLength: the longest status L{setUser} accepts.
    @ivar maxListedUsers: the most names L{getUsers} returns (the first ones
        in sorted order), so one query never sends an unbounded answer.
    """

    maxStatusLength: int = MAX_STATUS_LENGTH
    maxListedUsers: int = MAX_LISTED_USERS

    def __init__(self, pool: Any) -> None:
        """
        @param pool: the connection pool.
        """
        self.pool = pool

    def prepare(self, seed: Sequence[tuple[str, str]] = DEMO_USERS) -> Deferred[bool]:
        """
        Create the table if missing, and fill it with C{seed} if it is empty.

        @param seed: C{(name, status)} pairs for an empty table.
        @return: a Deferred firing with C{True} if the table was seeded.
        """
        return self.pool.runInteraction(_prepare, list(seed))  # type: ignore[no-any-return]

    def getUser(self, user: str) -> Deferred[str | None]:
        """
        Look a user's status up (see L{IFingerService.getUser}).

        @param user: the user name.
        @return: a Deferred firing with the status or C{None}.
        """
        d: Deferred[Any] = self.pool.runQuery("SELECT status FROM users WHERE name = ?", (user,))
        return d.addCallback(_firstColumnOrNone)

    def getUsers(self) -> Deferred[list[str]]:
        """
        List the users, sorted, at most L{maxListedUsers} of them.

        @return: a Deferred firing with the names.
        """
        d: Deferred[Any] = self.pool.runQuery(
            "SELECT name FROM users ORDER BY name LIMIT ?", (self.maxListedUsers,)
        )
        return d.addCallback(lambda rows: [row[0] for row in rows])

    def setUser(self, user: str, status: str) -> Deferred[None]:
        """
        Set a user's status (see L{IFingerSetterService.setUser}).

        @param user: the user name.
        @param status: the new status, checked with L{checkStatus}.
        @return: a Deferred firing with C{None} once stored.
        @raise InvalidStatusError: if the status is refused.
        """
        checkStatus(status, self.maxStatusLength)
        return self.pool.runOperation(  # type: ignore[no-any-return]
            "INSERT INTO users (name, status) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET status = excluded.status",
            (user, status),
        )


def _prepare(cursor: Any, seed: list[tuple[str, str]]) -> bool:
    """
    The interaction behind L{UserStore.prepare} (runs in a pool thread).

    @param cursor: the transaction.
    @param seed: the demo users.
    @return: whether the table was seeded.
    """
    cursor.execute(_SCHEMA)
    cursor.execute("SELECT COUNT(*) FROM users")
    (count,) = cursor.fetchone()
    if count or not seed:
        return False
    # OR IGNORE: several processes (netframe-twistd workers) may seed one new file at once.
    cursor.executemany("INSERT OR IGNORE INTO users (name, status) VALUES (?, ?)", seed)
    return True


def _firstColumnOrNone(rows: list[Any]) -> str | None:
    """
    @param rows: query result rows.
    @return: the first column of the first row, or C{None} without rows.
    """
    return rows[0][0] if rows else None


class FingerService(Service):
    """
    Owns the store's connection pool while the application runs.

    Starting it prepares the database (L{UserStore.prepare}); a database
    that cannot be prepared is logged as critical and the reactor is
    stopped with exit status 1 (L{netframe.app.twistd.stopWithStatus}),
    since no query could succeed.  Stopping it closes the pool,
    which waits for the calls in progress.

    @ivar store: the L{UserStore}.
    @ivar database: the database file, for messages.
    @ivar ready: the Deferred of the preparation once started, or C{None}.
    """

    name = "finger-store"

    def __init__(self, store: UserStore, database: str, reactor: Any = None) -> None:
        """
        @param store: the store whose pool this service owns.
        @param database: the database file name, for messages.
        @param reactor: the reactor to stop on failure when not run by
            netframe-twistd (C{None}: the installed global one, if any;
            netframe-twistd stops its own).
        """
        self.store = store
        self.database = database
        self.ready: Deferred[bool] | None = None
        self._reactor = reactor

    def startService(self) -> None:
        """
        Start, preparing the database.
        """
        super().startService()
        self.ready = self.store.prepare()
        self.ready.addCallbacks(self._prepared, self._failed)

    def _prepared(self, seeded: bool) -> bool:
        """
        Log that the store is ready.

        @param seeded: whether the demo users were added.
        @return: C{seeded}.
        """
        if seeded:
            _log.info(
                "Created {database} with the demo users {users}",
                database=self.database,
                users=[name for name, _ in DEMO_USERS],
            )
        else:
            _log.info("Using the users of {database}", database=self.database)
        return seeded

    def _failed(self, failure: Failure) -> bool:
        """
        Log that the database cannot be used and stop with exit status 1
        (L{netframe.app.twistd.stopWithStatus}: under netframe-twistd the
        process exits 1, so C{Restart=on-failure} and scripts see the
        failure).

        @param failure: why.
        @return: C{False}.
        """
        _log.failure("Cannot prepare the user database {database}", failure, database=self.database)
        stopWithStatus(
            1,
            f"Cannot prepare the user database {self.database}: {failure.getErrorMessage()}",
            reactor=self._reactor,
        )
        return False

    def stopService(self) -> None:
        """
        Stop, closing the pool (waiting for the calls in progress).
        """
        super().stopService()
        self.store.pool.close()
