"""
Tests for netframe.enterprise.adbapi on sqlite3 (EN1, EN2) and on fake
DB-API modules (EN3 and the failure cases a real driver cannot be made to
show on demand).
"""

from __future__ import annotations

import contextvars
import sqlite3
import sys
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from netframe.core.defer import Deferred
from netframe.enterprise import adbapi
from netframe.enterprise.adbapi import (
    ConnectionLost,
    ConnectionPool,
    ConnectionPoolClosedError,
    ConnectionWaitTimeoutError,
)
from netframe.logger import capturedLogs
from netframe.trial import unittest

BOUND = 10.0

SECRET = "pa55-w0rd-SeCrEt"


# -- helpers ------------------------------------------------------------------


def makeUsersDatabase(path: str) -> str:
    """Create the sqlite3 database file C{path} with EN1's users table; return C{path}."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (name TEXT PRIMARY KEY, age INTEGER)")
    conn.execute("INSERT INTO users VALUES ('joe', 42)")
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def dbPath(tmp_path: Path) -> str:
    """A sqlite3 database file with EN1's users table."""
    return makeUsersDatabase(str(tmp_path / "users.db"))


@pytest.fixture
def started(reactor: Any) -> Iterator[Callable[..., ConnectionPool]]:
    """Make pools on C{reactor}, started as the reactor runs; closed at the end."""
    pools: list[ConnectionPool] = []

    def make(dbapiName: str, *args: Any, **kw: Any) -> ConnectionPool:
        kw.setdefault("cp_reactor", reactor)
        pool = ConnectionPool(dbapiName, *args, **kw)
        pools.append(pool)
        pool.start()
        return pool

    yield make
    for pool in pools:
        pool.close()


class FakeCursor:
    """A DB-API cursor recording statements; rows come from its connection."""

    def __init__(self, connection: FakeConnection) -> None:
        """A cursor of C{connection}."""
        self.connection = connection
        self.rows: list[Any] = []
        self.description = None
        self.rowcount = -1
        self.lastrowid = 7
        self.closed = False

    def execute(self, sql: str, params: Any = ()) -> None:
        """Record the statement; fail if the connection says so."""
        self.connection.checkThread()
        if self.connection.broken:
            raise self.connection.module.OperationalError("server closed the connection")
        self.connection.statements.append((sql, params))
        if sql == "boom":
            raise self.connection.module.ProgrammingError("syntax error at 'boom'")
        self.rows = [(sql, params)]
        self.rowcount = 1

    def executemany(self, sql: str, seq: Any) -> None:
        """Record each statement."""
        for params in seq:
            self.execute(sql, params)

    def fetchall(self) -> list[Any]:
        """Return and forget the rows."""
        rows, self.rows = self.rows, []
        return rows

    def fetchone(self) -> Any:
        """Return the next row."""
        return self.rows.pop(0) if self.rows else None

    def fetchmany(self, size: int = 1) -> list[Any]:
        """Return up to C{size} rows."""
        rows, self.rows = self.rows[:size], self.rows[size:]
        return rows

    def close(self) -> None:
        """Mark closed."""
        self.closed = True


class FakeConnection:
    """A DB-API connection owned by the thread that made it."""

    def __init__(self, module: Any, args: tuple[Any, ...], kw: dict[str, Any]) -> None:
        """Record the connect arguments and the creating thread."""
        self.module = module
        self.args = args
        self.kw = kw
        self.thread = threading.get_ident()
        self.statements: list[Any] = []
        self.commits = 0
        self.rollbacks = 0
        self.closed = False
        self.broken = False
        self.failRollback = False
        self.failCommit = False

    def checkThread(self) -> None:
        """Like sqlite3's check_same_thread."""
        if threading.get_ident() != self.thread:
            raise self.module.ProgrammingError("connection used from another thread")

    def cursor(self) -> FakeCursor:
        """A new cursor (fails when broken)."""
        self.checkThread()
        if self.closed:
            raise self.module.InterfaceError("connection already closed")
        return FakeCursor(self)

    def commit(self) -> None:
        """Count the commit."""
        self.checkThread()
        if self.failCommit or self.broken:
            raise self.module.OperationalError("commit failed")
        self.commits += 1

    def rollback(self) -> None:
        """Count the rollback."""
        self.checkThread()
        if self.failRollback or self.broken:
            raise self.module.OperationalError("rollback failed")
        self.rollbacks += 1

    def close(self) -> None:
        """Mark closed."""
        self.checkThread()
        self.closed = True


def makeFakeDriver(name: str) -> types.ModuleType:
    """A DB-API module object whose connect returns L{FakeConnection}s."""
    module = types.ModuleType(name)
    module.apilevel = "2.0"  # type: ignore[attr-defined]
    module.threadsafety = 1  # type: ignore[attr-defined]
    module.paramstyle = "pyformat"  # type: ignore[attr-defined]

    class Error(Exception):
        pass

    class OperationalError(Error):
        pass

    class ProgrammingError(Error):
        pass

    class InterfaceError(Error):
        pass

    module.Error = Error  # type: ignore[attr-defined]
    module.OperationalError = OperationalError  # type: ignore[attr-defined]
    module.ProgrammingError = ProgrammingError  # type: ignore[attr-defined]
    module.InterfaceError = InterfaceError  # type: ignore[attr-defined]
    module.connections = []  # type: ignore[attr-defined]
    module.failConnect = False  # type: ignore[attr-defined]

    def connect(*args: Any, **kw: Any) -> FakeConnection:
        if module.failConnect:
            raise OperationalError("could not connect to server")
        conn = FakeConnection(module, args, kw)
        module.connections.append(conn)
        return conn

    module.connect = connect  # type: ignore[attr-defined]
    return module


@pytest.fixture
def fakedb(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A fake DB-API module importable as C{fakedb}."""
    module = makeFakeDriver("fakedb")
    monkeypatch.setitem(sys.modules, "fakedb", module)
    return module


class Gate:
    """Interactions that block until released, counting how many run at once."""

    def __init__(self) -> None:
        """Nothing running, gate closed."""
        self.release = threading.Event()
        self.cond = threading.Condition()
        self.running = 0

    def interaction(self, txn: Any, value: Any = None) -> Any:
        """Run in a worker: count in, wait for the gate (bounded), count out."""
        with self.cond:
            self.running += 1
            self.cond.notify_all()
        try:
            if not self.release.wait(BOUND):
                raise AssertionError("gate never released")
        finally:
            with self.cond:
                self.running -= 1
        return value

    def waitRunning(self, count: int) -> None:
        """Wait (bounded) until C{count} interactions are inside."""
        with self.cond:
            assert self.cond.wait_for(lambda: self.running >= count, BOUND), self.running


# -- EN1-EN3 ------------------------------------------------------------------


class ExampleTests:
    """The reference's examples EN1-EN3."""

    def test_en1RunQuery(self, reactor: Any, wait: Any, started: Any, dbPath: str) -> None:
        """EN1: getAge via runQuery prints '<age> years old' or 'No such user'."""
        dbpool: ConnectionPool = started("sqlite3", dbPath)
        printed: list[str] = []

        def getAge(user: str) -> Deferred[Any]:
            return dbpool.runQuery("SELECT age FROM users WHERE name = ?", (user,))

        def printResult(rows: list[Any]) -> None:
            if rows:
                printed.append(f"{rows[0][0]} years old")
            else:
                printed.append("No such user")

        wait(getAge("joe").addCallback(printResult)).value()
        wait(getAge("bob").addCallback(printResult)).value()
        assert printed == ["42 years old", "No such user"]

    def test_en2RunInteraction(self, reactor: Any, wait: Any, started: Any, dbPath: str) -> None:
        """EN2: getAge via runInteraction with Transaction.execute/fetchall."""
        dbpool = started("sqlite3", dbPath)
        printed: list[str] = []

        def _getAge(txn: Any, user: str) -> Any:
            txn.execute("SELECT * FROM users")
            txn.execute("SELECT age FROM users WHERE name = ?", (user,))
            result = txn.fetchall()
            if result:
                return result[0][0]
            return None

        def printResult(age: Any) -> None:
            printed.append(f"{age} years old" if age is not None else "No such user")

        wait(dbpool.runInteraction(_getAge, "joe").addCallback(printResult)).value()
        wait(dbpool.runInteraction(_getAge, "nobody").addCallback(printResult)).value()
        assert printed == ["42 years old", "No such user"]

    def test_en2ExceptionRollsBack(self, wait: Any, started: Any, dbPath: str) -> None:
        """EN2: an exception in the interaction rolls its changes back."""
        dbpool = started("sqlite3", dbPath)

        def addThenFail(txn: Any) -> None:
            txn.execute("INSERT INTO users VALUES ('ann', 30)")
            raise KeyError("changed my mind")

        wait(dbpool.runInteraction(addThenFail)).failure().trap(KeyError)
        rows = wait(dbpool.runQuery("SELECT name FROM users ORDER BY name")).value()
        assert rows == [("joe",)]

    def test_en2SuccessCommits(self, wait: Any, started: Any, dbPath: str) -> None:
        """EN2: a successful interaction is committed (seen by another connection)."""
        dbpool = started("sqlite3", dbPath)
        wait(dbpool.runOperation("INSERT INTO users VALUES (?, ?)", ("ann", 30))).value()
        other = sqlite3.connect(dbPath)
        try:
            assert other.execute("SELECT age FROM users WHERE name='ann'").fetchall() == [(30,)]
        finally:
            other.close()

    @pytest.mark.parametrize(
        ("moduleName", "kw"),
        [("pyPgSQL.PgSQL", {"database": "test"}), ("MySQLdb", {"db": "test"})],
    )
    def test_en3DriverShapes(
        self,
        monkeypatch: pytest.MonkeyPatch,
        reactor: Any,
        wait: Any,
        started: Any,
        moduleName: str,
        kw: dict[str, Any],
    ) -> None:
        """EN3: ConnectionPool(moduleName, **kw) imports the module by name and connects with kw."""
        driver = makeFakeDriver(moduleName)
        if "." in moduleName:
            package = types.ModuleType(moduleName.split(".")[0])
            package.__path__ = []
            monkeypatch.setitem(sys.modules, package.__name__, package)
        monkeypatch.setitem(sys.modules, moduleName, driver)
        cp = started(moduleName, **kw)
        assert cp.dbapi is driver
        assert cp.dbapiName == moduleName
        rows = wait(cp.runQuery("SELECT 1")).value()
        assert rows == [("SELECT 1", ())]
        (conn,) = driver.connections
        assert conn.args == ()
        assert conn.kw == kw
        assert conn.thread != threading.get_ident()


# -- construction -------------------------------------------------------------


class ConstructionTests:
    """What the constructor accepts and refuses."""

    def test_defaults(self, reactor: Any, fakedb: Any) -> None:
        """Twisted's defaults: min 3, max 5, not noisy, no reconnect, 'select 1'."""
        pool = ConnectionPool("fakedb", cp_reactor=reactor)
        assert (pool.min, pool.max, pool.noisy, pool.reconnect) == (3, 5, False, False)
        assert pool.good_sql == "select 1"
        assert pool.wait_timeout is None
        assert pool.name is None
        assert pool.openfun is None
        assert pool.running is False

    def test_cpArgumentsAreTakenNotPassed(self, reactor: Any, fakedb: Any) -> None:
        """cp_ keywords set the pool; the others are kept for connect()."""

        def openfun(conn: Any) -> None:
            pass

        pool = ConnectionPool(
            "fakedb",
            "dsn",
            host="h",
            cp_min=1,
            cp_max=2,
            cp_name="main",
            cp_noisy=True,
            cp_openfun=openfun,
            cp_reconnect=True,
            cp_good_sql="select 2",
            cp_wait_timeout=1.5,
            cp_reactor=reactor,
        )
        assert (pool.min, pool.max, pool.name, pool.noisy) == (1, 2, "main", True)
        assert pool.openfun is openfun
        assert (pool.reconnect, pool.good_sql, pool.wait_timeout) == (True, "select 2", 1.5)
        assert pool.connargs == ("dsn",)
        assert pool.connkw == {"host": "h"}
        assert pool.threadpool.name == "main"
        assert pool.threadpool.max == 2

    def test_unknownCpArgument(self, reactor: Any, fakedb: Any) -> None:
        """An unknown cp_ keyword is a TypeError naming it."""
        with pytest.raises(TypeError, match="cp_maxx"):
            ConnectionPool("fakedb", cp_maxx=3, cp_reactor=reactor)

    @pytest.mark.parametrize(
        ("kw", "error"),
        [
            ({"cp_min": -1}, ValueError),
            ({"cp_max": 0}, ValueError),
            ({"cp_min": 4, "cp_max": 3}, ValueError),
            ({"cp_max": "5"}, TypeError),
            ({"cp_min": True}, TypeError),
            ({"cp_wait_timeout": -0.5}, ValueError),
            ({"cp_wait_timeout": float("nan")}, ValueError),
            ({"cp_wait_timeout": "1"}, TypeError),
            ({"cp_good_sql": b"select 1"}, TypeError),
            ({"cp_openfun": 3}, TypeError),
        ],
    )
    def test_badSettings(self, reactor: Any, fakedb: Any, kw: dict[str, Any], error: type) -> None:
        """Out-of-range or mistyped settings raise at construction, naming the setting."""
        with pytest.raises(error, match="cp_"):
            ConnectionPool("fakedb", cp_reactor=reactor, **kw)

    def test_minEqualsMaxAccepted(self, reactor: Any, fakedb: Any) -> None:
        """cp_min == cp_max is at the limit and accepted; cp_min 0 too."""
        assert ConnectionPool("fakedb", cp_min=2, cp_max=2, cp_reactor=reactor).max == 2
        assert ConnectionPool("fakedb", cp_min=0, cp_max=1, cp_reactor=reactor).min == 0

    def test_moduleNotFound(self, reactor: Any) -> None:
        """A module name that does not import raises ImportError."""
        with pytest.raises(ImportError):
            ConnectionPool("no_such_dbapi_module_xyz", cp_reactor=reactor)

    def test_notADbapiModule(self, reactor: Any) -> None:
        """A module without connect() is refused with a TypeError."""
        with pytest.raises(TypeError, match="connect"):
            ConnectionPool("json", cp_reactor=reactor)

    def test_nameMustBeString(self, reactor: Any) -> None:
        """Passing the module object instead of its name is a TypeError."""
        with pytest.raises(TypeError, match="module name"):
            ConnectionPool(sqlite3, cp_reactor=reactor)  # type: ignore[arg-type]

    def test_threadsafetyZeroWarns(self, reactor: Any, fakedb: Any) -> None:
        """A module declaring threadsafety 0 gets a warning event."""
        fakedb.threadsafety = 0
        with capturedLogs() as events:
            ConnectionPool("fakedb", cp_reactor=reactor)
        assert any("threadsafety 0" in (e.get("log_format") or "") for e in events)

    def test_publicNames(self) -> None:
        """The public module exports the classes under its own name."""
        for name in adbapi.__all__:
            assert getattr(adbapi, name).__module__ == "netframe.enterprise.adbapi"
        assert ConnectionPool.CP_ARGS[:7] == (
            "min",
            "max",
            "name",
            "noisy",
            "openfun",
            "reconnect",
            "good_sql",
        )


# -- lifecycle ----------------------------------------------------------------


class LifecycleTests:
    """Starting with the reactor, closing on shutdown, use after close."""

    def test_startsWhenReactorRuns(self, reactor: Any, fakedb: Any) -> None:
        """The pool starts from callWhenRunning and then has a shutdown trigger."""
        pool = ConnectionPool("fakedb", cp_min=2, cp_reactor=reactor)
        assert not pool.running
        assert not pool.threadpool.started
        reactor.run()
        pool = pool  # reactor.run() started it: drop mypy's narrowing (mypy issue 11969)
        try:
            assert pool.running
            assert pool.threadpool.started
            assert pool.threadpool.workers == 2
            assert reactor.triggers["during"]["shutdown"][0][0] == pool.finalClose
        finally:
            pool.close()

    def test_callsBeforeStartRunOnStart(self, reactor: Any, wait: Any, fakedb: Any) -> None:
        """Calls made before the reactor runs wait, then run when the pool starts."""
        pool = ConnectionPool("fakedb", cp_reactor=reactor)
        d = pool.runQuery("early")
        assert not d.called
        reactor.run()
        try:
            assert wait(d).value() == [("early", ())]
        finally:
            pool.close()

    def test_shutdownCloses(self, reactor: Any, wait: Any, fakedb: Any) -> None:
        """The reactor's shutdown closes the pool and its connections."""
        pool = ConnectionPool("fakedb", cp_reactor=reactor)
        reactor.run()
        wait(pool.runQuery("x")).value()
        reactor.fireSystemEvent("shutdown")
        assert not pool.running
        assert pool.connections == {}
        assert [c.closed for c in fakedb.connections] == [True]
        assert not pool.threadpool.started

    def test_closeRemovesShutdownTrigger(self, reactor: Any, fakedb: Any) -> None:
        """close() removes the shutdown trigger it added."""
        pool = ConnectionPool("fakedb", cp_reactor=reactor)
        reactor.run()
        pool.close()
        assert reactor.triggers["during"]["shutdown"] == []

    def test_closeBeforeStart(self, reactor: Any, wait: Any, fakedb: Any) -> None:
        """Closing before the reactor runs fails the queued calls and never starts."""
        pool = ConnectionPool("fakedb", cp_reactor=reactor)
        d = pool.runQuery("never")
        pool.close()
        reactor.run()
        assert not pool.running
        assert not pool.threadpool.started
        wait(d).failure().trap(ConnectionPoolClosedError)
        assert fakedb.connections == []

    def test_useAfterClose(self, reactor: Any, wait: Any, started: Any, fakedb: Any) -> None:
        """Every call after close fails at once with ConnectionPoolClosedError."""
        pool = started("fakedb")
        pool.close()
        for d in (
            pool.runQuery("q"),
            pool.runOperation("q"),
            pool.runInteraction(lambda t: None),
            pool.runWithConnection(lambda c: None),
        ):
            f = wait(d).failure()
            f.trap(ConnectionPoolClosedError)
            assert "closed" in f.getErrorMessage()
        with pytest.raises(ConnectionPoolClosedError):
            pool.start()

    def test_closeTwice(self, started: Any, fakedb: Any) -> None:
        """Closing a closed pool does nothing."""
        pool = started("fakedb")
        pool.close()
        pool.close()
        assert not pool.running

    def test_startTwice(self, reactor: Any, started: Any, fakedb: Any) -> None:
        """Starting a running pool does nothing (no second trigger, no extra workers)."""
        pool = started("fakedb", cp_min=1)
        pool.start()
        assert len(reactor.triggers["during"]["shutdown"]) == 1
        assert pool.threadpool.workers == 1

    def test_closeWithCallsInFlight(self, reactor: Any, started: Any, fakedb: Any) -> None:
        """close() lets running calls finish, fails queued ones, and has fired every Deferred."""
        pool = started("fakedb", cp_min=2, cp_max=2)
        gate = Gate()
        running = [pool.runInteraction(gate.interaction, i) for i in range(2)]
        gate.waitRunning(2)
        queuedCalls = [pool.runQuery("late") for _ in range(3)]
        outcomes = [adbapiOutcome(d) for d in running + queuedCalls]
        # Release the running calls once close() has begun (it then waits for them).
        stop = pool.threadpool.stop

        def releaseThenStop() -> None:
            gate.release.set()
            stop()

        pool.threadpool.stop = releaseThenStop
        pool.close()
        assert [o.value() for o in outcomes[:2]] == [0, 1]
        for o in outcomes[2:]:
            o.failure().trap(ConnectionPoolClosedError)
        assert all(c.closed for c in fakedb.connections)
        assert pool.threadpool.workers == 0

    def test_closeFromWorkerRefused(
        self, reactor: Any, wait: Any, started: Any, fakedb: Any
    ) -> None:
        """close() called inside an interaction raises RuntimeError (it would wait for itself)."""
        pool = started("fakedb")
        f = wait(pool.runInteraction(lambda t: pool.close())).failure()
        f.trap(RuntimeError)
        assert pool.running


def adbapiOutcome(d: Deferred[Any]) -> Any:
    """Collect C{d}'s result (the conftest Outcome, reached through the fixture module)."""
    from netframe.core.failure import Failure

    class _Outcome:
        def __init__(self) -> None:
            self.results: list[Any] = []
            d.addBoth(self.results.append)

        def value(self) -> Any:
            assert self.results and not isinstance(self.results[0], Failure), self.results
            return self.results[0]

        def failure(self) -> Failure:
            assert self.results and isinstance(self.results[0], Failure), self.results
            return self.results[0]

    return _Outcome()


# -- transactions -------------------------------------------------------------


class TransactionTests:
    """Commit, rollback and the Transaction object."""

    def test_commitOnSuccess(self, wait: Any, started: Any, fakedb: Any) -> None:
        """A successful interaction is committed, not rolled back."""
        pool = started("fakedb")
        wait(pool.runOperation("update")).value()
        (conn,) = fakedb.connections
        assert (conn.commits, conn.rollbacks) == (1, 0)

    def test_rollbackOnException(self, wait: Any, started: Any, fakedb: Any) -> None:
        """A failing statement rolls back and the driver's error reaches the caller."""
        pool = started("fakedb")
        wait(pool.runOperation("boom")).failure().trap(fakedb.ProgrammingError)
        (conn,) = fakedb.connections
        assert (conn.commits, conn.rollbacks) == (0, 1)
        assert not conn.closed

    def test_failedRollbackDropsConnectionKeepsError(
        self, wait: Any, started: Any, fakedb: Any
    ) -> None:
        """When the rollback fails the connection is closed and dropped; the original error arrives."""
        pool = started("fakedb", cp_min=1, cp_max=1)
        wait(pool.runQuery("first")).value()
        (conn,) = fakedb.connections
        conn.failRollback = True
        with capturedLogs() as events:
            f = wait(pool.runOperation("boom")).failure()
        f.trap(fakedb.ProgrammingError)
        assert "boom" in f.getErrorMessage()
        assert conn.closed
        assert pool.connections == {}
        assert any("Rollback failed" in (e.get("log_format") or "") for e in events)
        assert wait(pool.runQuery("again")).value() == [("again", ())]
        assert len(fakedb.connections) == 2

    def test_commitFailureRollsBack(self, wait: Any, started: Any, fakedb: Any) -> None:
        """A failing commit fails the call and is followed by a rollback."""
        pool = started("fakedb", cp_min=1, cp_max=1)
        wait(pool.runQuery("x")).value()
        (conn,) = fakedb.connections
        conn.failCommit = True
        wait(pool.runQuery("y")).failure().trap(fakedb.OperationalError)
        assert conn.rollbacks == 1

    def test_transactionForwardsCursor(self, wait: Any, started: Any, fakedb: Any) -> None:
        """Transaction offers the cursor's methods and attributes (lastrowid, rowcount, ...)."""
        pool = started("fakedb")

        def interact(txn: Any) -> Any:
            txn.executemany("ins", [(1,), (2,)])
            many = txn.fetchmany(5)
            txn.execute("sel", (3,))
            one = txn.fetchone()
            return many, one, txn.fetchone(), txn.rowcount, txn.lastrowid, txn.description

        many, one, none, rowcount, lastrowid, description = wait(
            pool.runInteraction(interact)
        ).value()
        assert many == [("ins", (2,))]
        assert one == ("sel", (3,))
        assert none is None
        assert (rowcount, lastrowid, description) == (1, 7, None)

    def test_transactionReopen(self, wait: Any, started: Any, fakedb: Any) -> None:
        """reopen() closes the cursor and opens a new one."""
        pool = started("fakedb")

        def interact(txn: Any) -> bool:
            first = txn._cursor
            txn.reopen()
            return first.closed and txn._cursor is not first

        assert wait(pool.runInteraction(interact)).value() is True

    def test_transactionReconnect(self, wait: Any, started: Any, fakedb: Any) -> None:
        """reconnect() replaces the connection; reopen() then gives a cursor on the new one."""
        pool = started("fakedb", cp_min=1, cp_max=1)

        def interact(txn: Any) -> Any:
            txn.reconnect()
            txn.reopen()
            txn.execute("after")
            return txn.fetchall()

        assert wait(pool.runInteraction(interact)).value() == [("after", ())]
        first, second = fakedb.connections
        assert first.closed and not second.closed
        assert second.statements == [("after", ())]

    def test_runWithConnection(self, wait: Any, started: Any, fakedb: Any) -> None:
        """runWithConnection passes a Connection, commits on success, rolls back on error."""
        pool = started("fakedb", cp_min=1, cp_max=1)

        def use(conn: Any, value: int) -> Any:
            cursor = conn.cursor()
            cursor.execute("w", (value,))
            return type(conn), conn.thread

        kind, thread = wait(pool.runWithConnection(use, 5)).value()
        assert kind is adbapi.Connection
        (raw,) = fakedb.connections
        assert thread == raw.thread and raw.commits == 1

        def failing(conn: Any) -> None:
            raise ValueError("no")

        wait(pool.runWithConnection(failing)).failure().trap(ValueError)
        assert raw.rollbacks == 1

    def test_connectionCloseIsNoOp(self, wait: Any, started: Any, fakedb: Any) -> None:
        """Connection.close() leaves the pooled connection open."""
        pool = started("fakedb")
        wait(pool.runWithConnection(lambda c: c.close())).value()
        assert not fakedb.connections[0].closed

    def test_connectionReconnect(self, wait: Any, started: Any, fakedb: Any) -> None:
        """Connection.reconnect() closes this thread's connection and opens another."""
        pool = started("fakedb", cp_min=1, cp_max=1)
        wait(pool.runWithConnection(lambda c: c.reconnect())).value()
        first, second = fakedb.connections
        assert first.closed and not second.closed
        assert list(pool.connections.values()) == [second]

    def test_kwargsReachExecute(self, wait: Any, started: Any, fakedb: Any) -> None:
        """runQuery passes its arguments to cursor.execute unchanged (no munging)."""
        pool = started("fakedb")
        params = {"a": 1}
        rows = wait(pool.runQuery("q %(a)s", params=params)).value()
        assert rows == [("q %(a)s", params)]

    def test_contextVarsFollowTheCall(self, wait: Any, started: Any, fakedb: Any) -> None:
        """The interaction sees the caller's context variables."""
        var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")
        pool = started("fakedb")
        token = var.set("caller")
        try:
            d = pool.runInteraction(lambda t: var.get())
        finally:
            var.reset(token)
        assert wait(d).value() == "caller"


# -- threads and connections --------------------------------------------------


class ThreadTests:
    """One connection per worker thread, never shared."""

    def test_sqlite3SameThreadHonoured(self, reactor: Any, wait: Any, dbPath: str) -> None:
        """sqlite3 connections (check_same_thread on) are opened, used and closed in one thread."""
        pool = ConnectionPool("sqlite3", dbPath, cp_min=3, cp_max=3, cp_reactor=reactor)
        pool.start()
        gate = Gate()
        ds = [pool.runInteraction(gate.interaction) for _ in range(3)]
        gate.waitRunning(3)
        gate.release.set()
        for d in ds:
            wait(d).value()
        assert len(pool.connections) == 3
        with capturedLogs() as events:
            pool.close()
        assert pool.connections == {}
        assert not [e for e in events if "log_failure" in e]

    def test_eachThreadItsConnection(self, wait: Any, started: Any, fakedb: Any) -> None:
        """Concurrent interactions use distinct connections, each made in its thread."""
        pool = started("fakedb", cp_min=3, cp_max=3)
        gate = Gate()

        def interact(txn: Any) -> Any:
            conn = txn._connection._connection
            gate.interaction(txn)
            return conn, threading.get_ident()

        ds = [pool.runInteraction(interact) for _ in range(3)]
        gate.waitRunning(3)
        gate.release.set()
        pairs = [wait(d).value() for d in ds]
        assert len({id(c) for c, _ in pairs}) == 3
        assert all(c.thread == t for c, t in pairs)

    def test_maxAtLimit(self, wait: Any, started: Any, fakedb: Any) -> None:
        """cp_max interactions run at once (the limit is reached)."""
        pool = started("fakedb", cp_min=0, cp_max=4)
        gate = Gate()
        ds = [pool.runInteraction(gate.interaction) for _ in range(4)]
        gate.waitRunning(4)
        gate.release.set()
        for d in ds:
            wait(d).value()
        assert pool.threadpool.workers == 4

    def test_maxPlusOneWaits(self, wait: Any, started: Any, fakedb: Any) -> None:
        """The cp_max+1-th call waits for a free connection; it runs once one is released."""
        pool = started("fakedb", cp_min=0, cp_max=4)
        gate = Gate()
        ds = [pool.runInteraction(gate.interaction, i) for i in range(5)]
        gate.waitRunning(4)
        assert pool._jobs.qsize() == 1
        assert pool.threadpool.workers == 4
        assert len(fakedb.connections) == 4
        gate.release.set()
        assert [wait(d).value() for d in ds] == [0, 1, 2, 3, 4]
        assert len(fakedb.connections) == 4

    def test_connectAndDisconnect(self, wait: Any, started: Any, fakedb: Any) -> None:
        """connect() returns the thread's connection; disconnect() closes and forgets it."""
        pool = started("fakedb", cp_min=1, cp_max=1)

        def use(conn: Any) -> Any:
            raw = pool.connect()
            again = pool.connect()
            pool.disconnect(raw)
            return raw, again

        raw, again = wait(pool.runWithConnection(use)).value()
        assert raw is again and raw.closed
        assert pool.connections == {}

    def test_disconnectWrongConnection(self, wait: Any, started: Any, fakedb: Any) -> None:
        """disconnect() with another thread's connection raises ValueError."""
        pool = started("fakedb")
        mine = pool.connect()
        try:
            f = wait(pool.runWithConnection(lambda c: pool.disconnect(mine))).failure()
            f.trap(ValueError)
        finally:
            pool.disconnect(mine)
        assert mine.closed

    def test_openfun(self, wait: Any, started: Any, fakedb: Any) -> None:
        """cp_openfun is called with each new connection, in its thread."""
        seen: list[Any] = []
        pool = started("fakedb", cp_openfun=lambda c: seen.append((c, threading.get_ident())))
        wait(pool.runQuery("x")).value()
        ((conn, thread),) = seen
        assert conn is fakedb.connections[0] and conn.thread == thread

    def test_openfunFailureClosesConnection(self, wait: Any, started: Any, fakedb: Any) -> None:
        """When cp_openfun raises, the call fails with its error and the new connection is closed."""

        def openfun(conn: Any) -> None:
            raise RuntimeError("SET timezone failed")

        pool = started("fakedb", cp_openfun=openfun)
        wait(pool.runQuery("x")).failure().trap(RuntimeError)
        assert fakedb.connections[0].closed
        assert pool.connections == {}

    def test_connectFailure(self, wait: Any, started: Any, fakedb: Any) -> None:
        """A failing connect fails the call with the driver's error; a later call connects."""
        pool = started("fakedb")
        fakedb.failConnect = True
        wait(pool.runQuery("x")).failure().trap(fakedb.OperationalError)
        fakedb.failConnect = False
        assert wait(pool.runQuery("x")).value() == [("x", ())]


# -- reconnect ----------------------------------------------------------------


class ReconnectTests:
    """cp_reconnect: dead connections are detected, dropped and replaced."""

    def test_deadConnectionGivesConnectionLost(self, wait: Any, started: Any, fakedb: Any) -> None:
        """A call on a dead connection fails with ConnectionLost; the next call reconnects."""
        pool = started("fakedb", cp_min=1, cp_max=1, cp_reconnect=True)
        wait(pool.runQuery("x")).value()
        (conn,) = fakedb.connections
        conn.broken = True
        f = wait(pool.runQuery("y")).failure()
        f.trap(ConnectionLost)
        assert isinstance(f.value.__cause__, fakedb.OperationalError)
        assert conn.closed
        assert wait(pool.runQuery("z")).value() == [("z", ())]
        assert len(fakedb.connections) == 2

    def test_otherThreadsCheckAfterLoss(self, wait: Any, started: Any, fakedb: Any) -> None:
        """After a loss, every other thread checks its connection with good_sql before using it."""
        pool = started("fakedb", cp_min=2, cp_max=2, cp_reconnect=True, cp_good_sql="ping")
        gate = Gate()
        ds = [pool.runInteraction(gate.interaction) for _ in range(2)]
        gate.waitRunning(2)
        gate.release.set()
        for d in ds:
            wait(d).value()
        for conn in fakedb.connections:
            conn.broken = True
        # One call finds its connection dead...
        wait(pool.runQuery("a")).failure().trap(ConnectionLost)
        # ...after which no call fails: the other thread checks and reconnects.
        gate2 = Gate()
        ds = [pool.runInteraction(gate2.interaction, i) for i in range(2)]
        gate2.waitRunning(2)
        gate2.release.set()
        assert [wait(d).value() for d in ds] == [0, 1]
        assert len(fakedb.connections) == 4
        assert all(c.closed for c in fakedb.connections[:2])

    def test_liveConnectionsPassCheck(self, wait: Any, started: Any, fakedb: Any) -> None:
        """A connection that passes the good_sql check after a loss is kept."""
        pool = started("fakedb", cp_min=1, cp_max=1, cp_reconnect=True, cp_good_sql="ping")
        wait(pool.runQuery("x")).value()
        pool._losses += 1
        wait(pool.runQuery("y")).value()
        (conn,) = fakedb.connections
        assert [s for s, _ in conn.statements] == ["x", "ping", "y"]
        wait(pool.runQuery("z")).value()
        assert [s for s, _ in conn.statements] == ["x", "ping", "y", "z"]

    def test_withoutReconnectOriginalError(self, wait: Any, started: Any, fakedb: Any) -> None:
        """Without cp_reconnect a dead connection gives the driver's error, and is still dropped."""
        pool = started("fakedb", cp_min=1, cp_max=1)
        wait(pool.runQuery("x")).value()
        fakedb.connections[0].broken = True
        wait(pool.runQuery("y")).failure().trap(fakedb.OperationalError)
        assert wait(pool.runQuery("z")).value() == [("z", ())]

    def test_cursorFailureReconnects(self, wait: Any, started: Any, fakedb: Any) -> None:
        """With cp_reconnect a cursor that cannot be opened makes the pool reconnect once."""
        pool = started("fakedb", cp_min=1, cp_max=1, cp_reconnect=True)
        wait(pool.runQuery("x")).value()
        fakedb.connections[0].closed = True
        with capturedLogs():
            assert wait(pool.runQuery("y")).value() == [("y", ())]
        assert len(fakedb.connections) == 2


# -- waiting for a connection --------------------------------------------------


class WaitTimeoutTests:
    """cp_wait_timeout bounds the wait for a free connection."""

    def test_timeoutPastLimit(self, reactor: Any, wait: Any, started: Any, fakedb: Any) -> None:
        """A call still waiting after cp_wait_timeout fails with ConnectionWaitTimeoutError and never runs."""
        pool = started("fakedb", cp_min=1, cp_max=1, cp_wait_timeout=2.0)
        gate = Gate()
        busy = pool.runInteraction(gate.interaction, "busy")
        gate.waitRunning(1)
        ran: list[int] = []
        waiting = pool.runInteraction(lambda t: ran.append(1))
        outcome = adbapiOutcome(waiting)
        reactor.advance(2.0)
        f = outcome.failure()
        f.trap(ConnectionWaitTimeoutError)
        assert "2.0 seconds" in f.getErrorMessage()
        gate.release.set()
        assert wait(busy).value() == "busy"
        assert wait(pool.runQuery("next")).value() == [("next", ())]
        assert ran == []

    def test_justBeforeLimit(self, reactor: Any, wait: Any, started: Any, fakedb: Any) -> None:
        """A call that gets a connection before cp_wait_timeout runs normally."""
        pool = started("fakedb", cp_min=1, cp_max=1, cp_wait_timeout=2.0)
        gate = Gate()
        busy = pool.runInteraction(gate.interaction)
        gate.waitRunning(1)
        waiting = pool.runQuery("w")
        reactor.advance(1.999)
        assert not waiting.called
        gate.release.set()
        wait(busy).value()
        assert wait(waiting).value() == [("w", ())]
        assert reactor.getDelayedCalls() == []

    def test_noTimeoutWaitsForever(
        self, reactor: Any, wait: Any, started: Any, fakedb: Any
    ) -> None:
        """Without cp_wait_timeout no timer is set and the call waits."""
        pool = started("fakedb", cp_min=1, cp_max=1)
        gate = Gate()
        busy = pool.runInteraction(gate.interaction)
        gate.waitRunning(1)
        waiting = pool.runQuery("w")
        assert reactor.getDelayedCalls() == []
        reactor.advance(3600)
        assert not waiting.called
        gate.release.set()
        wait(busy).value()
        assert wait(waiting).value() == [("w", ())]

    def test_zeroTimeout(self, reactor: Any, wait: Any, started: Any, fakedb: Any) -> None:
        """cp_wait_timeout 0 fails a call at once when no connection is free."""
        pool = started("fakedb", cp_min=1, cp_max=1, cp_wait_timeout=0)
        gate = Gate()
        busy = pool.runInteraction(gate.interaction)
        gate.waitRunning(1)
        waiting = adbapiOutcome(pool.runQuery("w"))
        reactor.advance(0)
        waiting.failure().trap(ConnectionWaitTimeoutError)
        gate.release.set()
        wait(busy).value()


# -- secrets ------------------------------------------------------------------


class SecretTests:
    """Connection arguments never show in reprs or log events."""

    def test_noSecretInReprsOrLogs(self, reactor: Any, wait: Any, fakedb: Any) -> None:
        """With cp_noisy and failures, no repr and no log event contains the password."""
        with capturedLogs() as events:
            pool = ConnectionPool(
                "fakedb",
                f"user=app password={SECRET}",
                password=SECRET,
                cp_noisy=True,
                cp_reconnect=True,
                cp_min=1,
                cp_max=1,
                cp_reactor=reactor,
            )
            pool.start()
            texts = [repr(pool), repr(vars(pool)), str(pool.__dict__)]

            def interact(txn: Any) -> None:
                texts.append(repr(txn))
                texts.append(repr(txn._connection))
                raise ValueError("fail")

            wait(pool.runInteraction(interact)).failure().trap(ValueError)
            fakedb.connections[0].broken = True
            wait(pool.runQuery("x")).failure().trap(ConnectionLost)
            fakedb.failConnect = True
            f = wait(pool.runQuery("x")).failure()
            texts.append(f.getTraceback())
            pool.close()
        assert fakedb.connections[0].kw == {"password": SECRET}
        assert any("adbapi connecting" in (e.get("log_format") or "") for e in events)
        for event in events:
            rendered = repr(event)
            failure = event.get("log_failure")
            if failure is not None:
                rendered += failure.getTraceback()
            texts.append(rendered)
        for text in texts:
            assert SECRET not in text


# -- a real reactor -------------------------------------------------------------


class GlobalReactorTests(unittest.TestCase):
    """EN1 as a netframe-trial test: the pool on the global reactor, which the test spins."""

    #: Seconds the test may run before netframe-trial fails it.
    timeout = BOUND

    async def test_en1OnTheGlobalReactor(self) -> None:
        """EN1 on the global reactor: the pool starts with it, answers, and closes."""
        path = self.mktemp()
        makeUsersDatabase(path)
        dbpool = ConnectionPool("sqlite3", path, cp_min=1, cp_max=2)
        self.addCleanup(dbpool.close)
        rows = await dbpool.runQuery("SELECT age FROM users WHERE name = ?", ("joe",))
        # callWhenRunning started the pool: at once if the global reactor already ran,
        # else when netframe-trial's first spin started it.
        self.assertTrue(dbpool.running)
        self.assertEqual(f"{rows[0][0]} years old" if rows else "No such user", "42 years old")
        self.assertEqual(
            await dbpool.runQuery("SELECT age FROM users WHERE name = ?", ("nobody",)), []
        )
        # close() stops the worker threads, so the reactor hygiene check finds none.
        dbpool.close()
        self.assertFalse(dbpool.running)
        self.assertEqual(dbpool.connections, {})
        self.failureResultOf(dbpool.runQuery("SELECT 1"), ConnectionPoolClosedError)


class RealReactorTests:
    """
    The pool on a private EPollReactor, run with run() until its shutdown
    (which the global reactor netframe-trial spins never reaches).
    """

    def test_en1EndToEnd(self, dbPath: str) -> None:
        """EN1 on a running EPollReactor: the pool starts with it and closes at its shutdown."""
        from netframe.core.epollreactor import EPollReactor

        reactor = EPollReactor()
        dbpool = ConnectionPool("sqlite3", dbPath, cp_min=1, cp_max=2, cp_reactor=reactor)
        printed: list[Any] = []
        watchdog = reactor.callLater(BOUND, reactor.stop)

        def printResult(rows: list[Any]) -> None:
            printed.append(f"{rows[0][0]} years old" if rows else "No such user")

        def main() -> None:
            d = dbpool.runQuery("SELECT age FROM users WHERE name = ?", ("joe",))
            d.addCallback(printResult)
            d.addErrback(printed.append)
            d.addBoth(lambda _: reactor.stop())

        reactor.callWhenRunning(main)
        reactor.run(installSignalHandlers=False)
        if watchdog.active():
            watchdog.cancel()
        assert printed == ["42 years old"]
        assert not dbpool.running
        assert dbpool.connections == {}
        dbpool.runQuery("SELECT 1").addErrback(printed.append)
        assert isinstance(printed[-1].value, ConnectionPoolClosedError)
