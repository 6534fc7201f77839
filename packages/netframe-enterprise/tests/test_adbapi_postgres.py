"""
netframe.enterprise.adbapi against a real PostgreSQL server (psycopg 3),
started by the session fixture C{postgres} (conftest.py): concurrency,
rollback, a server killed mid-interaction and restarted, pool exhaustion,
closing with calls in flight, hidden passwords.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from netframe.enterprise.adbapi import (
    ConnectionLost,
    ConnectionPool,
    ConnectionPoolClosedError,
    ConnectionWaitTimeoutError,
)
from netframe.logger import capturedLogs

BOUND = 10.0

pytestmark = pytest.mark.timeout(60)

_tables = itertools.count(1)


@pytest.fixture
def pgpool(reactor: Any, pgconnkw: dict[str, Any]) -> Iterator[Callable[..., ConnectionPool]]:
    """Make started psycopg pools on the session's server; closed at the end."""
    pools: list[ConnectionPool] = []

    def make(**kw: Any) -> ConnectionPool:
        connkw = dict(pgconnkw)
        connkw.update({k: v for k, v in kw.items() if not k.startswith("cp_")})
        cpkw = {k: v for k, v in kw.items() if k.startswith("cp_")}
        cpkw.setdefault("cp_reactor", reactor)
        pool = ConnectionPool("psycopg", **connkw, **cpkw)
        pools.append(pool)
        pool.start()
        return pool

    yield make
    for pool in pools:
        pool.close()


@pytest.fixture
def table(pgconnkw: dict[str, Any]) -> Iterator[str]:
    """A fresh table C{(id int, note text)}, dropped afterwards."""
    import psycopg

    name = f"adbapi_t{next(_tables)}"
    with psycopg.connect(**pgconnkw, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {name}")
        conn.execute(f"CREATE TABLE {name} (id int, note text)")
    yield name
    with psycopg.connect(**pgconnkw, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {name}")


class PostgresTests:
    """The behavioural suite on a real server."""

    def test_runQueryParamstyle(self, wait: Any, pgpool: Any) -> None:
        """runQuery passes psycopg's own %s parameters through and returns rows."""
        pool = pgpool()
        assert wait(pool.runQuery("SELECT %s::int + 1, %s", (41, "x"))).value() == [(42, "x")]

    def test_concurrencyMaxPlusTen(
        self, wait: Any, pgpool: Any, table: str, threadBarrier: Any
    ) -> None:
        """cp_max+10 interactions all complete; cp_max run at once and never more."""
        cpMax = 5
        pool = pgpool(cp_min=1, cp_max=cpMax)
        barrier = threadBarrier(cpMax)
        lock = threading.Lock()
        counts = {"now": 0, "peak": 0}

        def interact(txn: Any, i: int) -> int:
            with lock:
                counts["now"] += 1
                counts["peak"] = max(counts["peak"], counts["now"])
            try:
                txn.execute(f"INSERT INTO {table} VALUES (%s, 'c')", (i,))
                barrier.wait()
                txn.execute("SELECT pg_backend_pid()")
                return int(txn.fetchone()[0])
            finally:
                with lock:
                    counts["now"] -= 1

        ds = [pool.runInteraction(interact, i) for i in range(cpMax + 10)]
        pids = [wait(d).value() for d in ds]
        assert counts["peak"] == cpMax
        assert len(set(pids)) == cpMax
        rows = wait(pool.runQuery(f"SELECT id FROM {table} ORDER BY id")).value()
        assert rows == [(i,) for i in range(cpMax + 10)]

    def test_rollbackOnException(self, wait: Any, pgpool: Any, table: str) -> None:
        """An interaction that raises is rolled back; a successful one is committed."""
        pool = pgpool(cp_min=1, cp_max=1)

        def insertThenFail(txn: Any) -> None:
            txn.execute(f"INSERT INTO {table} VALUES (1, 'lost')")
            raise ValueError("abort")

        wait(pool.runInteraction(insertThenFail)).failure().trap(ValueError)
        wait(pool.runOperation(f"INSERT INTO {table} VALUES (2, 'kept')")).value()
        rows = wait(pool.runQuery(f"SELECT id, note FROM {table}")).value()
        assert rows == [(2, "kept")]

    def test_sqlErrorRollsBackAndConnectionStaysUsable(self, wait: Any, pgpool: Any) -> None:
        """A failing statement reaches the caller; the connection is usable afterwards."""
        import psycopg

        pool = pgpool(cp_min=1, cp_max=1)
        wait(pool.runQuery("SELECT * FROM no_such_table")).failure().trap(
            psycopg.errors.UndefinedTable
        )
        assert wait(pool.runQuery("SELECT 1")).value() == [(1,)]

    def test_serverKilledMidInteractionThenRestarted(
        self, wait: Any, pgpool: Any, postgres: Any
    ) -> None:
        """Killing the server mid-interaction gives ConnectionLost; after a restart the next query works."""
        pool = pgpool(cp_min=2, cp_max=2, cp_reconnect=True)
        # Both threads hold a connection before the kill.
        gate = threading.Barrier(2, timeout=BOUND)

        def warm(txn: Any) -> None:
            txn.execute("SELECT 1")
            gate.wait()

        for d in [pool.runInteraction(warm) for _ in range(2)]:
            wait(d).value()
        assert len(pool.connections) == 2

        inside = threading.Event()
        killed = threading.Event()

        def interact(txn: Any) -> Any:
            txn.execute("SELECT 1")
            inside.set()
            assert killed.wait(BOUND), "server never killed"
            txn.execute("SELECT 2")
            return txn.fetchall()

        d = pool.runInteraction(interact)
        assert inside.wait(BOUND)
        try:
            with capturedLogs():
                postgres.stop("immediate")
                killed.set()
                f = wait(d).failure()
        finally:
            postgres.start()
        f.trap(ConnectionLost)
        assert f.value.__cause__ is not None
        # Whichever thread runs them, the next calls succeed on fresh connections.
        with capturedLogs():
            for _ in range(4):
                assert wait(pool.runQuery("SELECT 3")).value() == [(3,)]

    def test_poolExhaustionWaitTimeout(self, reactor: Any, wait: Any, pgpool: Any) -> None:
        """With every connection busy, a call fails after cp_wait_timeout; later calls work."""
        pool = pgpool(cp_min=2, cp_max=2, cp_wait_timeout=5.0)
        release = threading.Event()
        started = threading.Barrier(3, timeout=BOUND)

        def hold(txn: Any) -> int:
            txn.execute("SELECT 1")
            started.wait()
            assert release.wait(BOUND)
            return 1

        busy = [pool.runInteraction(hold) for _ in range(2)]
        started.wait()
        waiting = pool.runQuery("SELECT 2")
        outcome: list[Any] = []
        waiting.addBoth(outcome.append)
        reactor.advance(4.99)
        assert outcome == []
        reactor.advance(0.01)
        (failure,) = outcome
        failure.trap(ConnectionWaitTimeoutError)
        release.set()
        assert [wait(d).value() for d in busy] == [1, 1]
        assert wait(pool.runQuery("SELECT 4")).value() == [(4,)]

    def test_closeWithQueriesInFlight(self, wait: Any, pgpool: Any) -> None:
        """close() waits for running queries, fails queued ones, closes every connection."""
        raw: list[Any] = []
        pool = pgpool(cp_min=2, cp_max=2, cp_openfun=raw.append)
        entered = threading.Barrier(3, timeout=BOUND)
        closing = threading.Event()

        def slow(txn: Any, i: int) -> int:
            txn.execute("SELECT 1")
            entered.wait()
            assert closing.wait(BOUND)
            txn.execute("SELECT pg_sleep(0.05), %s::int", (i,))
            return int(txn.fetchone()[1])

        running = [pool.runInteraction(slow, i) for i in range(2)]
        entered.wait()
        queued = [pool.runQuery("SELECT 1") for _ in range(3)]
        results: list[list[Any]] = [[] for _ in range(5)]
        for d, got in zip(running + queued, results, strict=True):
            d.addBoth(got.append)
        # The running calls go on once close() has begun (and waits for them).
        stop = pool.threadpool.stop

        def releaseThenStop() -> None:
            closing.set()
            stop()

        pool.threadpool.stop = releaseThenStop
        pool.close()
        assert [len(got) for got in results] == [1] * 5
        assert [got[0] for got in results[:2]] == [0, 1]
        for got in results[2:]:
            got[0].trap(ConnectionPoolClosedError)
        assert len(raw) == 2
        assert all(conn.closed for conn in raw)
        assert pool.connections == {}
        wait(pool.runQuery("SELECT 1")).failure().trap(ConnectionPoolClosedError)

    def test_passwordHidden(self, wait: Any, pgpool: Any) -> None:
        """A password given to connect never shows in reprs or log events (cp_noisy on)."""
        secret = "pg-S3cret-passw0rd"
        with capturedLogs() as events:
            pool = pgpool(password=secret, cp_noisy=True, cp_min=1, cp_max=1)
            assert wait(pool.runQuery("SELECT 1")).value() == [(1,)]
            texts = [repr(pool), repr(vars(pool))]
            pool.close()
        assert pool.connkw["password"] == secret
        assert events
        texts += [repr(e) for e in events]
        assert not [t for t in texts if secret in t]
