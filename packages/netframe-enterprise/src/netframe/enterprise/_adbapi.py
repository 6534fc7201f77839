"""
A pool of DB-API 2.0 connections used from worker threads.

Implementation module of L{netframe.enterprise.adbapi}; see that module for
the user-facing description.
"""

from __future__ import annotations

import contextvars
import importlib
import itertools
import queue
import threading
from collections import deque
from collections.abc import Callable
from types import ModuleType
from typing import Any

from netframe.core.defer import Deferred, fail
from netframe.core.failure import Failure
from netframe.core.threadpool import ThreadPool
from netframe.logger import Logger, LogLevel

_log = Logger(namespace="netframe.enterprise.adbapi")

#: The names accepted as C{cp_<name>} keyword arguments of L{ConnectionPool}.
_CP_ARGS = (
    "min",
    "max",
    "name",
    "noisy",
    "openfun",
    "reconnect",
    "good_sql",
    "wait_timeout",
)

#: Queued on the job queue to make one worker close its connection and exit.
_STOP = None

_tokens = itertools.count(1)


class ConnectionLost(Exception):
    """
    The database connection broke while it was in use.

    Raised (with C{cp_reconnect}) when a connection is found dead: its rollback
    or its C{cp_good_sql} check failed.  The dead connection has been closed
    and dropped; the next call gets a fresh one, so the operation may be
    retried.  Its C{__cause__} is the error that revealed the loss: the
    error raised by the interaction when the pool raises it after a failed
    call, the driver's rollback or check error when L{Connection.rollback}
    raises it.
    """


class ConnectionPoolClosedError(Exception):
    """
    The L{ConnectionPool} was closed: it runs no more calls.

    Calls made after L{ConnectionPool.close} (or after the reactor's shutdown)
    fail with it at once; calls still waiting for a connection when the pool
    closes fail with it too.
    """


class ConnectionWaitTimeoutError(Exception):
    """
    No connection of the L{ConnectionPool} became free within its
    C{wait_timeout} (C{cp_wait_timeout}); the call was dropped, never run.
    """


class _ConnectArguments:
    """
    The arguments given to the driver's C{connect}, kept out of sight: the
    repr never shows them (they often hold passwords).
    """

    __slots__ = ("args", "kwargs")

    def __init__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """
        @param args: positional arguments of C{connect}.
        @param kwargs: keyword arguments of C{connect}.
        """
        self.args = args
        self.kwargs = kwargs

    def __repr__(self) -> str:
        """Return a placeholder that names no argument value."""
        return f"<connection arguments: {len(self.args)} positional, {len(self.kwargs)} keyword (hidden)>"


class Connection:
    """
    A DB-API connection of the pool, seen from the worker thread that owns it.

    Attributes not defined here (C{cursor}, C{commit}, driver extensions) are
    read from the DB-API connection itself.  Use it only in the thread that
    created it (the pool's worker running your code).
    """

    __slots__ = ("_connection", "_pool")

    def __init__(self, pool: ConnectionPool) -> None:
        """
        Wrap this thread's connection of C{pool}, connecting if needed.

        @param pool: the pool the connection belongs to.
        @raise Exception: whatever the driver's C{connect} (or C{cp_openfun})
            raised.
        """
        self._pool = pool
        self._connection: Any = None
        self._connection = pool.connect()

    def close(self) -> None:
        """
        Do nothing: the pool owns its connections and closes them itself
        (L{ConnectionPool.close}, L{ConnectionPool.disconnect}).
        """

    def cursor(self) -> Any:
        """
        Return a new DB-API cursor of this connection.

        @raise Exception: whatever the driver raises.
        """
        return self._connection.cursor()

    def commit(self) -> None:
        """
        Commit the current transaction.

        @raise Exception: whatever the driver raises.
        """
        self._connection.commit()

    def rollback(self) -> None:
        """
        Roll back the current transaction.

        Without C{cp_reconnect} this is the driver's C{rollback}.  With it, the
        connection is then checked by running C{cp_good_sql}; if the rollback
        or the check fails the connection is closed and dropped from the pool
        and L{ConnectionLost} is raised (with the driver's error as its
        C{__cause__}).

        @raise ConnectionLost: With C{cp_reconnect}, when the connection is dead.
        @raise Exception: Without C{cp_reconnect}, whatever the driver raises.
        """
        pool = self._pool
        if not pool.reconnect:
            self._connection.rollback()
            return
        try:
            self._connection.rollback()
            pool._check(self._connection)
        except Exception as e:
            pool._lost(self._connection)
            raise ConnectionLost(
                f"the connection to {pool.dbapiName} was lost ({type(e).__name__}: {e})"
            ) from e

    def reconnect(self) -> None:
        """
        Close this thread's connection and open a new one.

        @raise Exception: whatever the driver's C{connect} raised.
        """
        if self._connection is not None:
            self._pool.disconnect(self._connection)
        self._connection = None
        self._connection = self._pool.connect()

    def __getattr__(self, name: str) -> Any:
        """
        Read any other attribute from the DB-API connection.

        @raise AttributeError: If the driver's connection has no such attribute.
        """
        return getattr(self._connection, name)

    def __repr__(self) -> str:
        """Return a description naming the driver and the connection (not its arguments)."""
        return f"<adbapi.Connection of {self._pool.dbapiName} {type(self._connection).__name__} at 0x{id(self._connection):x}>"


class Transaction:
    """
    A cursor-like object given to L{ConnectionPool.runInteraction}'s function.

    C{execute}, C{executemany}, C{fetchone}, C{fetchmany} and C{fetchall} are
    those of a DB-API cursor; any other attribute (C{description},
    C{rowcount}, C{lastrowid}, C{arraysize}, ...) is read from the cursor.
    The transaction is committed after the function returns and rolled back
    if it raises: do not call C{commit} yourself.  Parameters are passed to
    the driver unchanged, in its own paramstyle.
    """

    __slots__ = ("_connection", "_cursor", "_pool")

    def __init__(self, pool: ConnectionPool, connection: Connection) -> None:
        """
        Open a cursor on C{connection}.

        @param pool: the pool C{connection} belongs to.
        @param connection: the connection to work on.
        @raise Exception: whatever the driver raised opening the cursor (with
            C{cp_reconnect}, after one reconnection attempt).
        """
        self._pool = pool
        self._connection = connection
        self._cursor: Any = None
        self.reopen()

    def close(self) -> None:
        """
        Close the cursor (the connection stays open).

        @raise Exception: whatever the driver raises.
        """
        cursor = self._cursor
        self._cursor = None
        if cursor is not None:
            cursor.close()

    def reopen(self) -> None:
        """
        Close the cursor and open a new one.

        With C{cp_reconnect}, a failure to open the cursor makes the pool
        reconnect and try once more.

        @raise Exception: whatever the driver raised.
        """
        if self._cursor is not None:
            self.close()
        try:
            self._cursor = self._connection.cursor()
            return
        except Exception:
            if not self._pool.reconnect:
                raise
            _log.failure(
                "Cursor creation failed on {dbapiName}; reconnecting",
                level=LogLevel.warn,
                dbapiName=self._pool.dbapiName,
            )
        self._pool._lost(None)
        self._connection.reconnect()
        self._cursor = self._connection.cursor()

    def reconnect(self) -> None:
        """
        Replace the connection with a new one; call L{reopen} before using
        the transaction again.

        @raise Exception: whatever the driver's C{connect} raised.
        """
        self._connection.reconnect()
        self._cursor = None

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        """
        Run one statement: the cursor's C{execute(*args, **kwargs)}.

        @return: what the driver returns.
        @raise Exception: whatever the driver raises.
        """
        return self._cursor.execute(*args, **kwargs)

    def executemany(self, *args: Any, **kwargs: Any) -> Any:
        """
        Run one statement for each parameter set: the cursor's C{executemany}.

        @return: what the driver returns.
        @raise Exception: whatever the driver raises.
        """
        return self._cursor.executemany(*args, **kwargs)

    def fetchone(self) -> Any:
        """
        Return the next row, or None when there are no more.

        @raise Exception: whatever the driver raises.
        """
        return self._cursor.fetchone()

    def fetchmany(self, *args: Any, **kwargs: Any) -> Any:
        """
        Return the next rows (C{size} of them by default C{arraysize}).

        @raise Exception: whatever the driver raises.
        """
        return self._cursor.fetchmany(*args, **kwargs)

    def fetchall(self) -> Any:
        """
        Return the remaining rows.

        @raise Exception: whatever the driver raises.
        """
        return self._cursor.fetchall()

    def __getattr__(self, name: str) -> Any:
        """
        Read any other attribute from the DB-API cursor.

        @raise AttributeError: If the cursor has no such attribute (or there is
            no cursor after L{reconnect}).
        """
        return getattr(self._cursor, name)

    def __repr__(self) -> str:
        """Return a description naming the driver (not the connection arguments)."""
        return f"<adbapi.Transaction of {self._pool.dbapiName} at 0x{id(self):x}>"


#: One queued call: its Deferred, the caller's context, the function and its
#: arguments, and the wait-timeout token (None without C{wait_timeout}).
_Job = tuple[
    "Deferred[Any]",
    contextvars.Context,
    Callable[..., Any],
    tuple[Any, ...],
    "int | None",
]


class ConnectionPool:
    """
    Run blocking DB-API 2.0 calls on worker threads, one connection per thread,
    and deliver their results as Deferreds in the reactor thread.

    The pool starts when the reactor runs (C{callWhenRunning}) and closes
    during its shutdown.  Calls made before it starts wait and run once it
    has.  Each worker thread opens its own connection the first time it needs
    one and is the only thread that ever uses or closes it (so sqlite3's
    C{check_same_thread} holds); there are at most C{max} workers, hence at
    most C{max} connections.

    Every call runs in a transaction: committed when the function returns,
    rolled back when it raises.  If the rollback fails too, the connection is
    closed and dropped (the next call gets a new one) and the caller gets the
    original error -- or, with C{reconnect}, L{ConnectionLost} (whose
    C{__cause__} is the original error).

    @ivar dbapiName: the DB-API module's import name.
    @ivar dbapi: the DB-API module.
    @ivar min: the workers started with the pool (C{cp_min}, default 3).
    @ivar max: the most workers, hence connections, at once (C{cp_max},
        default 5): a pool-size limit, calls beyond it wait for a free
        connection.
    @ivar name: the pool's name, used in its threads' names (C{cp_name}).
    @ivar noisy: log connects and disconnects (C{cp_noisy}, default False).
    @ivar openfun: called with each new DB-API connection (C{cp_openfun}).
    @ivar reconnect: detect dead connections and replace them (C{cp_reconnect},
        default False).
    @ivar good_sql: the statement that checks a connection is alive
        (C{cp_good_sql}, default C{"select 1"}).
    @ivar wait_timeout: the most seconds a call waits for a free connection
        before failing with L{ConnectionWaitTimeoutError} (C{cp_wait_timeout});
        None (the default) waits as long as it takes.
    @ivar running: True between L{start} and L{close}.
    @ivar connections: the open DB-API connections, by thread ident.
    @ivar threadpool: the L{ThreadPool} hosting the worker threads.
    @ivar connectionFactory: the class wrapping connections (L{Connection}).
    @ivar transactionFactory: the class wrapping cursors (L{Transaction}).
    """

    CP_ARGS = _CP_ARGS

    min = 3
    max = 5
    name: str | None = None
    noisy = False
    openfun: Callable[[Any], object] | None = None
    reconnect = False
    good_sql = "select 1"
    wait_timeout: float | None = None
    running = False
    connectionFactory: type[Connection] = Connection
    transactionFactory: type[Transaction] = Transaction
    startID: Any = None
    shutdownID: Any = None

    def __init__(self, dbapiName: str, *connargs: Any, **connkw: Any) -> None:
        """
        Make a pool for the DB-API module named C{dbapiName}.

        @param dbapiName: the import name of a DB-API 2.0 module (e.g.
            C{"sqlite3"}, C{"psycopg"}); it is imported here.
        @param connargs: positional arguments for the module's C{connect}.
        @param connkw: keyword arguments for C{connect}, except the pool's own:
            C{cp_min}, C{cp_max}, C{cp_name}, C{cp_noisy}, C{cp_openfun},
            C{cp_reconnect}, C{cp_good_sql}, C{cp_wait_timeout} (see the
            instance variables) and C{cp_reactor} (the reactor to use instead
            of the global one).
        @raise ImportError: If the module cannot be imported.
        @raise TypeError: If C{dbapiName} is not a string, the module has no
            callable C{connect}, a C{cp_} argument is unknown or of the wrong
            type.
        @raise ValueError: If C{cp_min} is negative, C{cp_max} is less than 1
            or than C{cp_min}, or C{cp_wait_timeout} is negative.
        """
        if not isinstance(dbapiName, str):
            raise TypeError(
                f"dbapiName must be a module name (str), not {type(dbapiName).__name__}"
            )
        reactor = connkw.pop("cp_reactor", None)
        for key in [k for k in connkw if k.startswith("cp_")]:
            attr = key[3:]
            if attr not in _CP_ARGS:
                raise TypeError(
                    f"unknown ConnectionPool argument {key!r}; known: "
                    + ", ".join(f"cp_{a}" for a in (*_CP_ARGS, "reactor"))
                )
            setattr(self, attr, connkw.pop(key))
        _checkSettings(self)
        self.dbapiName = dbapiName
        self.dbapi: ModuleType = importlib.import_module(dbapiName)
        if not callable(getattr(self.dbapi, "connect", None)):
            raise TypeError(f"module {dbapiName!r} has no connect() function: not a DB-API module")
        if getattr(self.dbapi, "threadsafety", 1) < 1:
            _log.warn(
                "DB-API module {dbapiName} declares threadsafety 0: it may not be used "
                "from several threads",
                dbapiName=dbapiName,
            )
        self._connect = _ConnectArguments(connargs, connkw)
        self.connections: dict[int, Any] = {}
        # Checks done: the number of losses a connection has been checked
        # against (see _lost and connect).
        self._checkedAt: dict[int, int] = {}
        self._losses = 0
        # The pool's threads each run one worker loop (_work) for the pool's
        # whole life; threads are made only for those loops, hence min 0.
        self.threadpool = ThreadPool(0, self.max, self.name)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._results: deque[tuple[Deferred[Any], bool, Any, Any]] = deque()
        self._deliveryScheduled = False
        self._waiting: dict[int, Any] = {}
        self._outstanding = 0
        self._workers = 0
        self._workerIdents: set[int] = set()
        self._closed = False
        if reactor is None:
            reactor = importlib.import_module("netframe.core.reactor")
        self._reactor = reactor
        self.startID = reactor.callWhenRunning(self._start)

    # -- connect arguments (kept hidden) --------------------------------------

    @property
    def connargs(self) -> tuple[Any, ...]:
        """The positional arguments given to the driver's C{connect}."""
        return self._connect.args

    @property
    def connkw(self) -> dict[str, Any]:
        """The keyword arguments given to the driver's C{connect}."""
        return self._connect.kwargs

    # -- lifecycle ------------------------------------------------------------

    def _start(self) -> None:
        """Start the pool once the reactor runs (unless closed meanwhile)."""
        self.startID = None
        if not self._closed:
            self.start()

    def start(self) -> None:
        """
        Start the worker threads and arrange for L{close} during the
        reactor's shutdown.  Called for you when the reactor starts; starting a
        running pool does nothing.

        @raise ConnectionPoolClosedError: If the pool was closed.
        """
        if self._closed:
            raise ConnectionPoolClosedError(f"{self!r} was closed; it cannot be started again")
        if self.running:
            return
        self.threadpool.start()
        self.shutdownID = self._reactor.addSystemEventTrigger("during", "shutdown", self.finalClose)
        self.running = True
        wanted = min(self.max, max(self.min, self._outstanding))
        while self._workers < wanted:
            self._addWorker()

    def close(self) -> None:
        """
        Close the pool for good: wait for the calls running now to finish,
        fail the calls still waiting for a connection with
        L{ConnectionPoolClosedError}, close every connection (each in its own
        thread) and stop the threads.  When it returns every Deferred the pool
        gave out has fired.  Later calls fail with L{ConnectionPoolClosedError}.
        Closing a closed pool does nothing.

        Call it in the reactor thread; it blocks until the running calls end.

        @raise RuntimeError: If called from one of the pool's own threads (it
            would wait for itself).
        """
        self._refuseOwnThread()
        if self.shutdownID is not None:
            self._reactor.removeSystemEventTrigger(self.shutdownID)
            self.shutdownID = None
        if self.startID is not None:
            self._reactor.removeSystemEventTrigger(self.startID)
            self.startID = None
        self.finalClose()

    def finalClose(self) -> None:
        """
        Close the pool; what L{close} does, run by the reactor's shutdown
        trigger.

        @raise RuntimeError: If called from one of the pool's own threads.
        """
        self._refuseOwnThread()
        self.shutdownID = None
        if self._closed:
            return
        self._closed = True
        if self.noisy:
            _log.info("adbapi closing pool of {dbapiName}", dbapiName=self.dbapiName)
        for _ in range(self._workers):
            self._jobs.put(_STOP)
        self.threadpool.stop()
        self._workers = 0
        self.running = False
        # Calls nobody ran (the pool never started, or was stopped first).
        closedError = self._closedError()
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                continue
            timer = self._claim(job[4])
            if timer is not _EXPIRED:
                self._results.append((job[0], False, Failure(closedError), timer))
        # Connections of threads that are not ours (connect() called
        # directly): close them here, logging what the driver says.
        for tid, conn in list(self.connections.items()):
            del self.connections[tid]
            self._checkedAt.pop(tid, None)
            self._close(conn)
        self._deliver()

    def _refuseOwnThread(self) -> None:
        """
        @raise RuntimeError: If the calling thread is one of the pool's workers.
        """
        if threading.get_ident() in self._workerIdents:
            raise RuntimeError(
                f"{self!r} closed from one of its own threads: it would wait for itself; "
                "close it from the reactor thread"
            )

    # -- running calls --------------------------------------------------------

    def runInteraction(
        self, interaction: Callable[..., Any], *args: Any, **kw: Any
    ) -> Deferred[Any]:
        """
        Call C{interaction(transaction, *args, **kw)} in a worker thread, in a
        database transaction.

        The function gets a L{Transaction} (cursor-like) and may block.  The
        transaction is committed after it returns, rolled back if it raises.

        @param interaction: the function to run.
        @return: a Deferred firing with the function's return value, or
            failing with what it raised (L{ConnectionLost} if, with
            C{cp_reconnect}, the connection died), L{ConnectionPoolClosedError}
            if the pool is closed, or L{ConnectionWaitTimeoutError} if no
            connection became free within C{wait_timeout}.
        """
        return self._submit(self._runInteraction, (interaction, args, kw))

    def runWithConnection(self, func: Callable[..., Any], *args: Any, **kw: Any) -> Deferred[Any]:
        """
        Call C{func(connection, *args, **kw)} in a worker thread with a
        L{Connection}; commit after it returns, roll back if it raises.

        @param func: the function to run.
        @return: a Deferred of the function's result (failures as for
            L{runInteraction}).
        """
        return self._submit(self._runWithConnection, (func, args, kw))

    def runQuery(self, *args: Any, **kw: Any) -> Deferred[Any]:
        """
        Execute one statement and return its rows: C{cursor.execute(*args,
        **kw)} then C{cursor.fetchall()}, in a transaction.

        Parameters are the driver's own (its paramstyle); nothing is rewritten.

        @return: a Deferred firing with the list of rows (failures as for
            L{runInteraction}).
        """
        return self._submit(self._runInteraction, (_runQuery, args, kw))

    def runOperation(self, *args: Any, **kw: Any) -> Deferred[Any]:
        """
        Execute one statement that returns no rows: C{cursor.execute(*args,
        **kw)}, in a transaction.

        @return: a Deferred firing with None (failures as for
            L{runInteraction}).
        """
        return self._submit(self._runInteraction, (_runOperation, args, kw))

    def _submit(self, func: Callable[..., Any], args: tuple[Any, ...]) -> Deferred[Any]:
        """Queue C{func(*args)} for a worker; return the Deferred of its result."""
        if self._closed:
            return fail(self._closedError())
        d: Deferred[Any] = Deferred()
        token = None
        timeout = self.wait_timeout
        if timeout is not None:
            token = next(_tokens)
            # Registered before the job is queued: a worker claims it by
            # removing the entry, the timer by the same (whoever is first).
            self._waiting[token] = self._reactor.callLater(timeout, self._expire, token, d)
        self._outstanding += 1
        if self.running and self._outstanding > self._workers < self.max:
            self._addWorker()
        self._jobs.put((d, contextvars.copy_context(), func, args, token))
        return d

    def _expire(self, token: int, d: Deferred[Any]) -> None:
        """The wait of a queued call timed out: fail it unless a worker took it."""
        if self._waiting.pop(token, None) is None:
            return
        self._outstanding -= 1
        d.errback(
            ConnectionWaitTimeoutError(
                f"no connection of {self!r} became free within {self.wait_timeout} seconds "
                f"(all {self.max} in use; raise cp_max or cp_wait_timeout)"
            )
        )

    def _claim(self, token: int | None) -> Any:
        """
        Take a queued call for running (any thread): return its timer (None
        without a timeout), or L{_EXPIRED} if its wait already timed out.
        """
        if token is None:
            return None
        timer = self._waiting.pop(token, _EXPIRED)
        return timer

    def _addWorker(self) -> None:
        """Start one more worker thread (reactor thread)."""
        self._workers += 1
        self.threadpool.callInThread(self._work)

    def _work(self) -> None:
        """A worker thread's loop: run queued calls until told to stop."""
        ident = threading.get_ident()
        self._workerIdents.add(ident)
        get = self._jobs.get
        results = self._results
        claim = self._claim
        try:
            while True:
                job = get()
                if job is None:
                    break
                d, ctx, func, args, token = job
                timer = claim(token)
                if timer is _EXPIRED:
                    continue
                if self._closed:
                    results.append((d, False, Failure(self._closedError()), timer))
                else:
                    try:
                        results.append((d, True, ctx.run(func, *args), timer))
                    except BaseException:
                        results.append((d, False, Failure(), timer))
                if not self._deliveryScheduled:
                    self._deliveryScheduled = True
                    self._reactor.callFromThread(self._deliver)
        finally:
            conn = self.connections.pop(ident, None)
            self._checkedAt.pop(ident, None)
            if conn is not None:
                self._close(conn)
            self._workerIdents.discard(ident)

    def _deliver(self) -> None:
        """Fire the Deferreds of finished calls (reactor thread)."""
        self._deliveryScheduled = False
        results = self._results
        pop = results.popleft
        while results:
            d, ok, result, timer = pop()
            self._outstanding -= 1
            if timer is not None and timer.active():
                timer.cancel()
            if ok:
                d.callback(result)
            else:
                d.errback(result)

    def _runInteraction(
        self, interaction: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]
    ) -> Any:
        """Run one interaction in a transaction (worker thread)."""
        conn = self.connectionFactory(self)
        trans = self.transactionFactory(self, conn)
        try:
            result = interaction(trans, *args, **kw)
            trans.close()
            conn.commit()
            return result
        except BaseException as e:
            self._rollback(conn, e)
            raise

    def _runWithConnection(
        self, func: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]
    ) -> Any:
        """Run one function with a connection, in a transaction (worker thread)."""
        conn = self.connectionFactory(self)
        try:
            result = func(conn, *args, **kw)
            conn.commit()
            return result
        except BaseException as e:
            self._rollback(conn, e)
            raise

    def _rollback(self, conn: Connection, error: BaseException) -> None:
        """
        Roll back after C{error}; if that fails, drop the connection and let
        C{error} (or L{ConnectionLost}) propagate.
        """
        try:
            conn.rollback()
        except ConnectionLost as lost:
            # Connection.rollback dropped the connection already.
            _log.failure(
                "Connection to {dbapiName} lost (after {error})",
                level=LogLevel.warn,
                dbapiName=self.dbapiName,
                error=type(error).__name__,
            )
            raise lost from error
        except Exception:
            _log.failure(
                "Rollback failed on {dbapiName}; dropping the connection",
                level=LogLevel.warn,
                dbapiName=self.dbapiName,
            )
            raw = conn._connection
            if raw is not None and self.connections.get(threading.get_ident()) is raw:
                self.disconnect(raw)

    # -- connections ----------------------------------------------------------

    def connect(self) -> Any:
        """
        Return the calling thread's DB-API connection, opening it if needed.

        Meant for the pool's worker threads (inside L{runWithConnection} or
        L{runInteraction}); it blocks.  With C{cp_reconnect}, a connection
        opened before a connection loss was detected is first checked with
        C{cp_good_sql} and replaced if dead.

        @return: the DB-API connection.
        @raise Exception: whatever the driver's C{connect} or C{cp_openfun}
            raised (the half-opened connection is closed).
        """
        tid = threading.get_ident()
        conn = self.connections.get(tid)
        if conn is not None:
            if self._checkedAt.get(tid, 0) >= self._losses:
                return conn
            losses = self._losses
            try:
                self._check(conn)
            except Exception:
                if self.noisy:
                    _log.info(
                        "adbapi connection to {dbapiName} found dead; reconnecting",
                        dbapiName=self.dbapiName,
                    )
                self.disconnect(conn)
            else:
                self._checkedAt[tid] = losses
                return conn
        if self.noisy:
            _log.info("adbapi connecting: {dbapiName}", dbapiName=self.dbapiName)
        losses = self._losses
        conn = self.dbapi.connect(*self._connect.args, **self._connect.kwargs)
        if self.openfun is not None:
            try:
                self.openfun(conn)
            except BaseException:
                self._close(conn)
                raise
        self.connections[tid] = conn
        self._checkedAt[tid] = losses
        return conn

    def disconnect(self, conn: Any) -> None:
        """
        Close the calling thread's connection C{conn} and forget it; the
        thread's next call opens a new one.

        @param conn: the DB-API connection L{connect} returned in this thread.
        @raise ValueError: If C{conn} is not this thread's connection.
        """
        tid = threading.get_ident()
        if conn is not self.connections.get(tid):
            raise ValueError(
                "wrong connection for thread: disconnect() takes this thread's own connection"
            )
        del self.connections[tid]
        self._checkedAt.pop(tid, None)
        self._close(conn)

    def _close(self, conn: Any) -> None:
        """Close a DB-API connection, logging (not raising) a failure."""
        if self.noisy:
            _log.info("adbapi closing: {dbapiName}", dbapiName=self.dbapiName)
        try:
            conn.close()
        except Exception:
            _log.failure(
                "Closing a connection to {dbapiName} failed",
                level=LogLevel.warn,
                dbapiName=self.dbapiName,
            )

    def _check(self, conn: Any) -> None:
        """
        Run C{good_sql} on C{conn} and roll back.

        @raise Exception: whatever the driver raises (the connection is dead).
        """
        cursor = conn.cursor()
        try:
            cursor.execute(self.good_sql)
            cursor.fetchall()
        finally:
            cursor.close()
        conn.rollback()

    def _lost(self, conn: Any) -> None:
        """
        Record a lost connection (worker thread): drop C{conn} if given, and
        make every other thread check its connection before its next use.
        """
        self._losses += 1
        if conn is not None and self.connections.get(threading.get_ident()) is conn:
            self.disconnect(conn)

    def _closedError(self) -> ConnectionPoolClosedError:
        """The error of a call made to (or left in) a closed pool."""
        return ConnectionPoolClosedError(f"{self!r} is closed: it runs no more calls")

    def __repr__(self) -> str:
        """
        Return a description with the driver, the sizes and the state; never
        the connection arguments.
        """
        state = "closed" if self._closed else ("running" if self.running else "not started")
        label = f" {self.name!r}" if self.name is not None else ""
        return f"<ConnectionPool{label} {self.dbapiName} min={self.min} max={self.max} {state}>"


#: Returned by L{ConnectionPool._claim} for a call whose wait timed out.
_EXPIRED: Any = object()


def _runQuery(trans: Transaction, *args: Any, **kw: Any) -> Any:
    """Execute a statement and return all its rows."""
    trans.execute(*args, **kw)
    return trans.fetchall()


def _runOperation(trans: Transaction, *args: Any, **kw: Any) -> None:
    """Execute a statement, returning nothing."""
    trans.execute(*args, **kw)


def _checkSettings(pool: ConnectionPool) -> None:
    """
    Validate the pool's C{cp_} settings.

    @raise TypeError: If a size is not an int, or C{wait_timeout} not a number.
    @raise ValueError: If the sizes or the timeout are out of range.
    """
    for label in ("min", "max"):
        value = getattr(pool, label)
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"cp_{label} must be an int, not {value!r}")
    if pool.min < 0:
        raise ValueError(f"cp_min must be >= 0, not {pool.min}")
    if pool.max < 1:
        raise ValueError(f"cp_max must be >= 1, not {pool.max}")
    if pool.max < pool.min:
        raise ValueError(f"cp_max ({pool.max}) must be >= cp_min ({pool.min})")
    timeout = pool.wait_timeout
    if timeout is not None:
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool):
            raise TypeError(f"cp_wait_timeout must be a number of seconds or None, not {timeout!r}")
        if not timeout >= 0:
            raise ValueError(f"cp_wait_timeout must be >= 0, not {timeout!r}")
    if not isinstance(pool.good_sql, str):
        raise TypeError(f"cp_good_sql must be a str, not {pool.good_sql!r}")
    if pool.openfun is not None and not callable(pool.openfun):
        raise TypeError(f"cp_openfun must be callable, not {pool.openfun!r}")
