#!/usr/bin/env python3
"""
adbapi benchmark: runQuery round trips per second through a ConnectionPool.

netframe.enterprise.adbapi against twisted.enterprise.adbapi, in this process,
alternating repetitions: a pool with cp_min = cp_max = 5 and 20 concurrent
callers, each issuing ``SELECT 1`` with runQuery and the next one as soon as
its result arrives, until N queries completed.  Reactors are instances
(netframe's and Twisted's EPollReactor) driven with ``iterate()``.

Databases:

- sqlite3 (a file in a temporary directory; ``check_same_thread=False`` for
  both, because Twisted's pool closes connections from the reactor thread);
- PostgreSQL through psycopg 3, on a throwaway server started here from the
  machine's binaries (initdb in a temporary directory, unix socket, trust
  authentication; as ``nobody`` when run as root).  Without the binaries or
  psycopg the PostgreSQL rows say why and are left out.

    hatch run bench:python tools/bench/bench_adbapi.py [--quick]
"""

from __future__ import annotations

import gc
import glob
import os
import pwd
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

from _results import Results

CALLERS = 20
CP_MAX = 5


def netframeReactor() -> Any:
    """A netframe EPollReactor instance."""
    from netframe.core.epollreactor import EPollReactor

    return EPollReactor()


def twistedReactor() -> Any:
    """A Twisted EPollReactor instance (not installed globally)."""
    from twisted.internet.epollreactor import EPollReactor

    return EPollReactor()


def netframePool(reactor: Any, dbapiName: str, *args: Any, **kw: Any) -> Any:
    """A started netframe ConnectionPool."""
    from netframe.enterprise.adbapi import ConnectionPool

    pool = ConnectionPool(dbapiName, *args, cp_min=CP_MAX, cp_max=CP_MAX, cp_reactor=reactor, **kw)
    pool.start()
    return pool


def twistedPool(reactor: Any, dbapiName: str, *args: Any, **kw: Any) -> Any:
    """A started Twisted ConnectionPool."""
    from twisted.enterprise.adbapi import ConnectionPool

    pool = ConnectionPool(dbapiName, *args, cp_min=CP_MAX, cp_max=CP_MAX, cp_reactor=reactor, **kw)
    pool.start()
    return pool


def roundTrips(
    makeReactor: Callable[[], Any],
    makePool: Callable[..., Any],
    n: int,
    dbapiName: str,
    args: tuple[Any, ...],
    kw: dict[str, Any],
) -> float:
    """Return runQuery round trips per second with CALLERS concurrent callers."""
    reactor = makeReactor()
    pool = makePool(reactor, dbapiName, *args, **kw)
    issued = [0]
    done = [0]
    errors: list[Any] = []

    def issue() -> None:
        if issued[0] < n:
            issued[0] += 1
            pool.runQuery("SELECT 1").addCallbacks(finished, errors.append)

    ended = [0.0]

    def finished(rows: Any) -> None:
        done[0] += 1
        if done[0] == n:
            # Timed here: iterate() may block once more after the last result.
            ended[0] = time.perf_counter()
        issue()

    # Warm up: every worker thread opens its connection (the barrier makes
    # CP_MAX interactions run at once, hence on CP_MAX threads).
    barrier = threading.Barrier(CP_MAX, timeout=30)
    warmed = [0]

    def warmUp(txn: Any) -> None:
        txn.execute("SELECT 1")
        barrier.wait()

    def counted(_: Any) -> None:
        warmed[0] += 1

    for _ in range(CP_MAX):
        pool.runInteraction(warmUp).addCallbacks(counted, errors.append)
    while warmed[0] < CP_MAX:
        if errors:
            raise RuntimeError(f"warm-up failed: {errors[0]}")
        reactor.iterate(0.1)
    gc.collect()
    start = time.perf_counter()
    for _ in range(CALLERS):
        issue()
    while done[0] < n:
        if errors:
            raise RuntimeError(f"query failed: {errors[0]}")
        reactor.iterate(1.0)
    elapsed = ended[0] - start
    pool.close()
    for _ in range(5):
        reactor.iterate(0)
    return n / elapsed


class Postgres:
    """A throwaway PostgreSQL server for the benchmark."""

    def __init__(self) -> None:
        """
        initdb and start.

        @raise RuntimeError: If the binaries are missing or a step fails.
        """
        initdb = shutil.which("initdb")
        if initdb is None:
            found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
            if not found:
                raise RuntimeError("PostgreSQL binaries not installed (apt-get install postgresql)")
            initdb = found[-1]
        self.bindir = os.path.dirname(initdb)
        self.root = tempfile.mkdtemp(prefix="netframe-bench-pg-")
        self.sockets = os.path.join(self.root, "s")
        os.mkdir(self.sockets)
        self.data = os.path.join(self.root, "data")
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            entry = pwd.getpwnam("nobody")
            for path in (self.root, self.sockets):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            self.prefix = ["runuser", "-u", "nobody", "--"]
        self.run(
            "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"
        )
        options = f"-k {self.sockets} -c listen_addresses='' -F -c max_connections=40"
        self.run(
            "pg_ctl",
            "-D",
            self.data,
            "-l",
            os.path.join(self.root, "log"),
            "-w",
            "-o",
            options,
            "start",
        )
        self.connkw = {"host": self.sockets, "user": "postgres", "dbname": "postgres"}

    def run(self, program: str, *args: str) -> None:
        """Run a PostgreSQL program (as nobody when root)."""
        proc = subprocess.run(
            [*self.prefix, os.path.join(self.bindir, program), *args],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=self.root,
            check=False,
        )
        if proc.returncode:
            raise RuntimeError(f"{program} failed: {proc.stderr.strip()[-500:]}")

    def close(self) -> None:
        """Stop the server and remove its directory."""
        try:
            self.run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def measure(
    label: str,
    reps: int,
    n: int,
    dbapiName: str,
    args: tuple[Any, ...],
    kw: dict[str, Any],
) -> tuple[str, float, float]:
    """Alternate netframe and Twisted repetitions; return medians."""
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(reps):
        ours.append(roundTrips(netframeReactor, netframePool, n, dbapiName, args, kw))
        theirs.append(roundTrips(twistedReactor, twistedPool, n, dbapiName, args, kw))
    return label, statistics.median(ours), statistics.median(theirs)


def main(argv: list[str]) -> int:
    """Run the benchmark and print the table."""
    quick = "--quick" in argv
    results = Results("adbapi", argv)
    reps = 1 if quick else 5
    rows: list[tuple[str, float, float]] = []
    notes: list[str] = []
    tmp = tempfile.mkdtemp(prefix="netframe-bench-sqlite-")
    try:
        path = os.path.join(tmp, "bench.db")
        rows.append(
            measure(
                "sqlite3",
                reps,
                2000 if quick else 20000,
                "sqlite3",
                (path,),
                {"check_same_thread": False},
            )
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    try:
        import psycopg  # noqa: F401

        server = Postgres()
    except (ImportError, RuntimeError) as e:
        notes.append(f"PostgreSQL left out: {e}")
    else:
        try:
            rows.append(
                measure("postgresql", reps, 1000 if quick else 10000, "psycopg", (), server.connkw)
            )
        finally:
            server.close()

    print(
        f"runQuery('SELECT 1') round trips/s, cp_max={CP_MAX}, {CALLERS} concurrent callers, "
        f"median of {reps}"
    )
    print(f"{'database':<12} {'netframe':>12} {'twisted':>12} {'ratio':>7}")
    for label, ours, theirs in rows:
        print(f"{label:<12} {ours:>12,.0f} {theirs:>12,.0f} {ours / theirs:>6.2f}x")
        results.add(label, "queries/s", ours, theirs)
    results.write()
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
