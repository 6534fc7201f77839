"""
Reactor helpers for tests: spinning the global reactor until a Deferred has a
result, and the janitor that finds what a test left in the reactor.

Spinning never calls C{reactor.run()}: the reactor is moved to the running
state once (C{startRunning} without signal handlers, which fires the
'startup' event) and then driven one pass at a time with C{iterate}, so a
suite of thousands of tests shares one reactor without re-entering its main
loop.  Spinning from inside a spin (a test helper called from a callback
while a test is being waited on) is refused with L{ReactorReentryError}.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from netframe.core.defer import Deferred
from netframe.core.defer import TimeoutError as DeferTimeoutError
from netframe.core.failure import Failure
from netframe.core.main import CONNECTION_LOST

__unittest = True  # hide these frames in standard-library tracebacks

#: Seconds a L{netframe.trial.unittest.TestCase} test may take (setUp, the
#: test method, tearDown and cleanups together) before it fails with
#: L{netframe.core.defer.TimeoutError}; override with a C{timeout} attribute
#: on the method or the class.
DEFAULT_TIMEOUT_DURATION: float = 120.0

#: Prefix of the names of the global reactor's own thread-pool threads; the
#: janitor does not report them (the pool lives as long as the reactor).
REACTOR_POOL_THREAD_PREFIX = "PoolThread-netframe.reactor-"

#: How many short reactor passes the janitor allows leftover selectables to
#: finish closing (a C{loseConnection} completes on a later pass) before it
#: reports them; it stops earlier once nothing changed for
#: L{JANITOR_STABLE_PASSES} passes.
JANITOR_SETTLE_PASSES = 20

#: Consecutive unchanged passes after which the janitor stops waiting.
JANITOR_STABLE_PASSES = 3

#: The longest wait of one settling pass (seconds).
JANITOR_PASS_WAIT: float = 0.005

#: The longest single wait while spinning (seconds): bounds how late a
#: deadline is noticed when nothing else wakes the reactor.
MAX_SPIN_WAIT: float = 0.1


class ReactorReentryError(RuntimeError):
    """
    L{spinUntil} was called while the reactor is already being spun (from a
    callback run by an outer spin).  Return a Deferred instead of waiting.
    """


class TestTimeoutError(DeferTimeoutError):
    """
    A L{netframe.trial.unittest.TestCase} test (or its setUp, tearDown or a
    cleanup) did not finish within its C{timeout}.  A subclass of
    L{netframe.core.defer.TimeoutError}.

    @ivar testId: the id of the test that timed out.
    @ivar phase: the name of the method that was still running.
    """

    def __init__(self, timeout: float | None, testId: str, phase: str) -> None:
        """
        @param timeout: the limit, in seconds.
        @param testId: the test's id.
        @param phase: the method that was still running.
        """
        super().__init__(timeout, f"{testId} ({phase})")
        self.testId = testId
        self.phase = phase

    def __str__(self) -> str:
        """Return C{<test id> (<method>) still running at <timeout> secs}."""
        return f"{self.testId} ({self.phase}) still running at {self.timeout} secs"


class DirtyReactorAggregateError(Exception):
    """
    A test left the reactor dirty: pending delayed calls, open ports or
    connections, or threads it started that are still running.  The janitor
    has already cancelled the calls and closed the descriptors.

    @ivar delayedCalls: the pending L{IDelayedCall}s it found (strings).
    @ivar selectables: the open readers, writers, ports and connections
        (strings).
    @ivar threads: the threads started by the test that still run (names).
    """

    def __init__(
        self,
        delayedCalls: list[str],
        selectables: list[str] | None = None,
        threads: list[str] | None = None,
    ) -> None:
        """
        @param delayedCalls: descriptions of the leftover delayed calls.
        @param selectables: descriptions of the leftover selectables.
        @param threads: names of the leftover threads.
        """
        super().__init__(delayedCalls, selectables, threads)
        self.delayedCalls = delayedCalls
        self.selectables = selectables or []
        self.threads = threads or []

    def __str__(self) -> str:
        """Describe everything that was left, one item per line."""
        lines = ["Reactor was unclean."]
        if self.delayedCalls:
            lines.append("DelayedCalls: (cancelled by the janitor)")
            lines.extend(self.delayedCalls)
        if self.selectables:
            lines.append("Selectables: (closed by the janitor)")
            lines.extend(self.selectables)
        if self.threads:
            lines.append("Threads: (still running; join them before the test ends)")
            lines.extend(self.threads)
        return "\n".join(lines)


_spinning = [False]


def _getReactor() -> Any:
    """Return the global reactor, installing the default one if none is."""
    from netframe.core import reactor

    return reactor


def _ensureRunning(reactor: Any) -> None:
    """Move C{reactor} to the running state once (fires 'startup', no loop)."""
    if getattr(reactor, "running", True):
        return
    from netframe.core.error import ReactorAlreadyRunning, ReactorNotRestartable

    try:
        reactor.startRunning(installSignalHandlers=False)
    except (ReactorAlreadyRunning, ReactorNotRestartable):
        return


def spinUntil(
    condition: Callable[[], bool],
    timeout: float | None = DEFAULT_TIMEOUT_DURATION,
    reactor: Any = None,
) -> bool:
    """
    Run the reactor one pass at a time until C{condition()} is true.

    @param condition: checked before each pass.
    @param timeout: the longest time to spin, in seconds; C{None} for no limit.
    @param reactor: the reactor to spin (default: the global reactor,
        installed if necessary).
    @return: True if the condition became true, False if the time ran out.
    @raise ReactorReentryError: If called from inside another spin.
    @raise KeyboardInterrupt: Propagated from the reactor.
    """
    if condition():
        return True
    if _spinning[0]:
        raise ReactorReentryError(
            "spinUntil called while the reactor is already being spun: "
            "return a Deferred instead of waiting inside a callback"
        )
    if reactor is None:
        reactor = _getReactor()
    _ensureRunning(reactor)
    seconds = reactor.seconds
    deadline = None if timeout is None else seconds() + timeout
    iterate = reactor.iterate
    nextTimeout = getattr(reactor, "timeout", None)
    _spinning[0] = True
    try:
        while not condition():
            wait = MAX_SPIN_WAIT
            if nextTimeout is not None:
                due = nextTimeout()
                if due is not None and due < wait:
                    wait = due
            if deadline is not None:
                left = deadline - seconds()
                if left <= 0:
                    return condition()
                if left < wait:
                    wait = left
            iterate(wait)
        return True
    finally:
        _spinning[0] = False


class _Outcome:
    """The result a Deferred fired with, captured without ending its chain."""

    __slots__ = ("fired", "result")

    def __init__(self) -> None:
        """Nothing yet."""
        self.fired = False
        self.result: Any = None

    def __call__(self, result: Any) -> None:
        """Record C{result} (a value or a L{Failure}) and consume it."""
        self.fired = True
        self.result = result


def _hasFired(outcome: _Outcome) -> bool:
    """Read C{outcome.fired} through a call (its value changes behind mypy's back)."""
    return outcome.fired


def waitForDeferred(
    d: Deferred[Any], timeout: float | None = DEFAULT_TIMEOUT_DURATION, reactor: Any = None
) -> Any:
    """
    Spin the reactor until C{d} has a result and return it.

    A Deferred that has already fired is answered without touching the
    reactor.  On timeout the Deferred is cancelled.

    @param d: the Deferred to wait for (its result is consumed).
    @param timeout: seconds to wait; C{None} for no limit.
    @param reactor: the reactor to spin (default: the global one).
    @return: the result, or a L{Failure} if the Deferred failed.  A timeout
        gives a L{Failure} of L{netframe.core.defer.TimeoutError}.
    @raise ReactorReentryError: If called from inside another spin.
    """
    outcome = _Outcome()
    d.addBoth(outcome)
    if outcome.fired:
        return outcome.result
    if not spinUntil(lambda: outcome.fired, timeout, reactor):
        d.cancel()
        return Failure(DeferTimeoutError(timeout, "Deferred"))
    return outcome.result


def _describe(obj: object) -> str:
    """repr() that never raises."""
    try:
        return repr(obj)
    except BaseException as e:  # hostile repr
        return f"<{type(obj).__name__} object (repr raised {type(e).__name__})>"


class _Janitor:
    """
    Finds and removes what a test left in the reactor.

    @ivar reactor: the reactor to inspect (None until the test used it).
    @ivar threadsBefore: the threads alive when the test started.
    """

    def __init__(self, reactor: Any) -> None:
        """
        @param reactor: the reactor the test runs on.
        """
        self.reactor = reactor
        self.threadsBefore = frozenset(threading.enumerate())
        #: Selectables open before the test (not the test's to clean).
        self.selectablesBefore = frozenset(self._allSelectables())

    def _openSelectables(self) -> list[Any]:
        """Return the open selectables the test added (see L{_allSelectables})."""
        before = self.selectablesBefore
        return [s for s in self._allSelectables() if s not in before]

    def _allSelectables(self) -> list[Any]:
        """Return watched readers and writers plus tracked open ports/connections."""
        reactor = self.reactor
        found: dict[Any, None] = {}
        for getter in ("getReaders", "getWriters"):
            method = getattr(reactor, getter, None)
            if method is not None:
                for obj in method():
                    found[obj] = None
        # Paused connections are not watched but still open: POSIX reactors
        # track every open connection and port in a private mapping.
        live = getattr(reactor, "_live", None)
        if isinstance(live, dict):
            for obj in live:
                found[obj] = None
        return list(found)

    def _leftoverThreads(self) -> list[threading.Thread]:
        """Return threads the test started that still run (pool threads excepted)."""
        return [
            t
            for t in threading.enumerate()
            if t not in self.threadsBefore
            and t.is_alive()
            and not t.name.startswith(REACTOR_POOL_THREAD_PREFIX)
        ]

    def isClean(self) -> bool:
        """Return whether nothing is left (cheap: used before the full check)."""
        reactor = self.reactor
        if reactor.getDelayedCalls():
            return False
        if self._openSelectables():
            return False
        return not self._leftoverThreads()

    def _settle(self) -> list[Any]:
        """
        Give closing connections a few passes to finish; return what is left.
        """
        leftovers = self._openSelectables()
        stable = 0
        for _ in range(JANITOR_SETTLE_PASSES):
            if not leftovers or stable >= JANITOR_STABLE_PASSES:
                break
            self.reactor.iterate(JANITOR_PASS_WAIT)
            now = self._openSelectables()
            stable = stable + 1 if now == leftovers else 0
            leftovers = now
        return leftovers

    def clean(self) -> DirtyReactorAggregateError | None:
        """
        Cancel leftover delayed calls, close leftover selectables and report
        them with leftover threads.

        @return: the error describing the mess, or None if clean.
        """
        reactor = self.reactor
        calls = [dc for dc in reactor.getDelayedCalls() if dc.active()]
        if calls:
            # Give calls due right now (callLater(0, ...)) one pass to run.
            reactor.iterate(0)
            calls = [dc for dc in reactor.getDelayedCalls() if dc.active()]
        delayed = []
        for dc in calls:
            delayed.append(_describe(dc))
            dc.cancel()
        selectables = []
        leftovers = self._settle()
        if leftovers:
            removeAll = getattr(reactor, "removeAll", None)
            if removeAll is not None:
                removeAll()
            for obj in leftovers:
                selectables.append(_describe(obj))
                try:
                    obj.connectionLost(CONNECTION_LOST)
                except BaseException:
                    pass
        threads = [t.name for t in self._leftoverThreads()]
        if delayed or selectables or threads:
            return DirtyReactorAggregateError(delayed, selectables, threads)
        return None


__all__ = [
    "DEFAULT_TIMEOUT_DURATION",
    "JANITOR_PASS_WAIT",
    "JANITOR_SETTLE_PASSES",
    "JANITOR_STABLE_PASSES",
    "MAX_SPIN_WAIT",
    "REACTOR_POOL_THREAD_PREFIX",
    "DirtyReactorAggregateError",
    "ReactorReentryError",
    "TestTimeoutError",
    "spinUntil",
    "waitForDeferred",
]
