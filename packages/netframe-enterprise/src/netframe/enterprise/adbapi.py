"""
Non-blocking access to DB-API 2.0 databases (Twisted's
C{twisted.enterprise.adbapi}).

Most database drivers block.  A L{ConnectionPool} runs their calls on worker
threads and hands back Deferreds that fire in the reactor thread::

    from netframe.enterprise import adbapi

    dbpool = adbapi.ConnectionPool("sqlite3", "app.db")
    d = dbpool.runQuery("SELECT age FROM users WHERE name = ?", ("joe",))

The first argument is the import name of any DB-API 2.0 module; the other
arguments go to its C{connect}.  Statements and parameters are passed to the
driver unchanged: use its paramstyle (C{?} for sqlite3, C{%s} for psycopg).

  - L{ConnectionPool}: C{runQuery}, C{runOperation}, C{runInteraction},
    C{runWithConnection}, C{start}, C{close}, C{connect}, C{disconnect}.
  - L{Transaction}: the cursor-like object an interaction gets.
  - L{Connection}: the connection object C{runWithConnection} passes.
  - L{ConnectionLost}, L{ConnectionPoolClosedError},
    L{ConnectionWaitTimeoutError}: the pool's own errors.

Beyond Twisted's behaviour:

  - each worker thread owns one connection, opened, used and closed in that
    thread only (sqlite3's C{check_same_thread} default is fine);
  - C{cp_reconnect=True} recovers from a database restart: the call that
    meets the dead connection fails with L{ConnectionLost}, the connection
    is dropped, and every other thread checks its own (C{cp_good_sql})
    before its next use, so the next call gets a working connection;
  - when a rollback fails the connection is dropped (not reused) and the
    caller still gets the original error;
  - C{cp_wait_timeout=seconds} bounds the wait for a free connection: the
    call fails with L{ConnectionWaitTimeoutError} instead of queueing
    forever;
  - calls made after L{ConnectionPool.close} fail at once with
    L{ConnectionPoolClosedError} (instead of never firing), and calls
    still queued when it closes fail with it too;
  - the connection arguments (passwords) never appear in reprs or log events.
"""

from __future__ import annotations

from netframe.enterprise._adbapi import (
    Connection,
    ConnectionLost,
    ConnectionPool,
    ConnectionPoolClosedError,
    ConnectionWaitTimeoutError,
    Transaction,
)

__all__ = [
    "Connection",
    "ConnectionLost",
    "ConnectionPool",
    "ConnectionPoolClosedError",
    "ConnectionWaitTimeoutError",
    "Transaction",
]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
