"""
Shared fixtures of netframe-enterprise's tests.

- L{ThreadedFakeReactor}: a L{MemoryReactorClock} whose C{callFromThread}
  queues calls that the test's own thread (playing the reactor thread) runs
  with C{runUntil}; C{callLater} runs on its L{Clock}, advanced by hand.
- L{PostgresServer} and the session-scoped C{postgres} fixture: a real
  PostgreSQL server started from the machine's binaries in a temporary
  directory (unix socket only, trust authentication), as a non-root user.
  Missing binaries or a missing psycopg make the fixture FAIL, never skip:
  CI installs them (``apt-get install postgresql``, the test group's psycopg).
"""

from __future__ import annotations

import glob
import os
import pwd
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from netframe.core.defer import Deferred
from netframe.core.failure import Failure
from netframe.core.testing import MemoryReactorClock

#: The longest any test waits for a thread or the server (seconds).
BOUND = 10.0


class ThreadedFakeReactor(MemoryReactorClock):
    """
    A memory reactor with a clock and a thread-call queue.

    Worker threads call C{callFromThread}; the test's thread runs the queued
    calls with L{runUntil} or L{drain}.
    """

    def __init__(self) -> None:
        """An idle reactor with an empty thread-call queue."""
        super().__init__()
        self.threadCalls: queue.SimpleQueue[
            tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]
        ] = queue.SimpleQueue()

    def callFromThread(self, f: Callable[..., Any], *args: Any, **kw: Any) -> None:
        """Queue C{f(*args, **kw)} for the test's thread."""
        self.threadCalls.put((f, args, kw))

    def runUntil(self, condition: Callable[[], bool], bound: float = BOUND) -> None:
        """
        Run queued thread calls until C{condition()} holds; each wait for the
        next call is bounded.

        @raise queue.Empty: If no call arrives within C{bound} seconds.
        """
        while not condition():
            f, args, kw = self.threadCalls.get(timeout=bound)
            f(*args, **kw)

    def drain(self) -> None:
        """Run the thread calls queued now, without waiting."""
        while True:
            try:
                f, args, kw = self.threadCalls.get_nowait()
            except queue.Empty:
                return
            f(*args, **kw)


@pytest.fixture
def reactor() -> ThreadedFakeReactor:
    """A fresh L{ThreadedFakeReactor}."""
    return ThreadedFakeReactor()


class Outcome:
    """What a Deferred fired with, collected as it fires."""

    def __init__(self, d: Deferred[Any]) -> None:
        """Start collecting C{d}'s result (which this consumes)."""
        self.results: list[Any] = []
        d.addBoth(self.results.append)

    @property
    def fired(self) -> bool:
        """Whether the Deferred fired."""
        return bool(self.results)

    def value(self) -> Any:
        """
        Return the result.

        @raise AssertionError: If the Deferred failed or did not fire.
        """
        assert self.results, "the Deferred did not fire"
        result = self.results[0]
        if isinstance(result, Failure):
            raise AssertionError(f"the Deferred failed: {result.getTraceback()}")
        return result

    def failure(self) -> Failure:
        """
        Return the failure.

        @raise AssertionError: If the Deferred succeeded or did not fire.
        """
        assert self.results, "the Deferred did not fire"
        result = self.results[0]
        assert isinstance(result, Failure), f"the Deferred succeeded with {result!r}"
        return result


@pytest.fixture
def wait(reactor: ThreadedFakeReactor) -> Callable[[Deferred[Any]], Outcome]:
    """A function running C{reactor}'s thread calls until a Deferred fires."""

    def waitFor(d: Deferred[Any]) -> Outcome:
        outcome = Outcome(d)
        reactor.runUntil(lambda: outcome.fired)
        return outcome

    return waitFor


# -- PostgreSQL -----------------------------------------------------------------

#: The unprivileged user the server runs as when the tests run as root
#: (initdb and postgres refuse root).
PG_USER = "nobody"


def _findPostgresBin() -> str:
    """
    Return the directory of initdb/pg_ctl/postgres.

    @raise pytest.fail.Exception: If the binaries are not installed.
    """
    initdb = shutil.which("initdb")
    if initdb is not None:
        return os.path.dirname(initdb)
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
    )
    if candidates:
        return os.path.dirname(candidates[-1])
    pytest.fail(
        "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH nor in "
        "/usr/lib/postgresql/*/bin: install them (Debian: apt-get install -y postgresql). "
        "netframe-enterprise's PostgreSQL tests never skip.",
        pytrace=False,
    )


class PostgresServer:
    """
    A throwaway PostgreSQL server: initdb in a temporary directory, unix
    socket only, trust authentication, run as L{PG_USER} when we are root.

    @ivar connkw: keyword arguments for C{psycopg.connect}.
    """

    def __init__(self, bindir: str) -> None:
        """
        Create the cluster (not started yet).

        @param bindir: where initdb, pg_ctl and postgres live.
        @raise pytest.fail.Exception: If initdb fails.
        """
        self.bindir = bindir
        self.root = tempfile.mkdtemp(prefix="netframe-pg-")
        self.data = os.path.join(self.root, "data")
        self.sockets = os.path.join(self.root, "sockets")
        os.mkdir(self.sockets)
        self.logfile = os.path.join(self.root, "server.log")
        self._asUser: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                pytest.fail("running as root needs runuser (util-linux) to start PostgreSQL")
            entry = pwd.getpwnam(PG_USER)
            for path in (self.root, self.sockets):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            self._asUser = ["runuser", "-u", PG_USER, "--"]
        self.connkw: dict[str, Any] = {
            "host": self.sockets,
            "port": 5432,
            "user": "postgres",
            "dbname": "postgres",
            "connect_timeout": 5,
        }
        self._run(
            [
                "initdb",
                "-D",
                self.data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            "initdb",
        )

    def _run(self, argv: list[str], what: str) -> None:
        """
        Run a PostgreSQL program (as L{PG_USER} when root), bounded in time.

        @raise pytest.fail.Exception: If it fails.
        """
        command = [*self._asUser, os.path.join(self.bindir, argv[0]), *argv[1:]]
        proc = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=self.root,
        )
        if proc.returncode:
            log = ""
            if os.path.exists(self.logfile):
                with open(self.logfile) as f:
                    log = f.read()[-3000:]
            pytest.fail(
                f"PostgreSQL {what} failed (exit {proc.returncode}):\n"
                f"{proc.stdout}\n{proc.stderr}\n{log}",
                pytrace=False,
            )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-k {self.sockets} -c listen_addresses='' -F -c max_connections=60 "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        self._run(
            [
                "pg_ctl",
                "-D",
                self.data,
                "-l",
                self.logfile,
                "-w",
                "-t",
                "30",
                "-o",
                options,
                "start",
            ],
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (C{mode}: smart, fast or immediate) and wait."""
        self._run(["pg_ctl", "-D", self.data, "-w", "-t", "30", "-m", mode, "stop"], "stop")

    def remove(self) -> None:
        """Delete the cluster's directory."""
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """
    A running PostgreSQL server for the whole session (stopped and deleted
    at the end).  Fails with a clear message when PostgreSQL or psycopg is
    missing.
    """
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.fail(
            "psycopg (3) is not installed: it is in netframe-enterprise's test dependency "
            "group and the hatch test environment",
            pytrace=False,
        )
    server = PostgresServer(_findPostgresBin())
    try:
        server.start()
        yield server
    finally:
        try:
            server.stop("immediate")
        except BaseException:
            pass
        server.remove()


@pytest.fixture
def pgconnkw(postgres: PostgresServer) -> dict[str, Any]:
    """The psycopg connection keywords of the session's server."""
    return dict(postgres.connkw)


@pytest.fixture
def threadBarrier() -> Callable[[int], threading.Barrier]:
    """Make barriers whose waits are bounded by L{BOUND}."""

    def make(parties: int) -> threading.Barrier:
        return threading.Barrier(parties, timeout=BOUND)

    return make
