"""
Moving calls between the reactor thread and other threads.

  - L{deferToThread}: run a blocking function on the reactor's thread pool and
    get a Deferred of its result.
  - L{deferToThreadPool}: the same on a given reactor and pool.
  - L{callMultipleInThread}: run several calls one after the other on one
    pool thread.
  - L{blockingCallFromThread}: from a non-reactor thread, run a function in
    the reactor thread and wait for its result (waiting for a Deferred too).

Everything else in netframe must be used from the reactor thread only;
C{reactor.callFromThread} is the way in from other threads.
"""

from __future__ import annotations

import importlib
import queue
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from netframe.core import error
from netframe.core.defer import Deferred, maybeDeferred
from netframe.core.failure import Failure
from netframe.core.threadpool import ThreadPool

__all__ = [
    "blockingCallFromThread",
    "callMultipleInThread",
    "deferToThread",
    "deferToThreadPool",
]

_T = TypeVar("_T")
_P = ParamSpec("_P")

#: Seconds between the checks L{blockingCallFromThread} makes, while it
#: waits, that the reactor has not stopped for good (so a call that can
#: never run raises instead of hanging).
_STOPPED_POLL_INTERVAL = 0.1


def _globalReactor() -> Any:
    """Return the global reactor, installing the default one if needed."""
    return importlib.import_module("netframe.core.reactor")


def deferToThreadPool(
    reactor: Any,
    threadpool: ThreadPool,
    f: Callable[_P, _T],
    *args: _P.args,
    **kwargs: _P.kwargs,
) -> Deferred[_T]:
    """
    Call C{f(*args, **kwargs)} on a thread of C{threadpool}; fire the
    returned Deferred with the result, in the reactor thread.

    @param reactor: the reactor whose thread fires the Deferred (an
        L{IReactorFromThreads} provider).
    @param threadpool: the pool to run C{f} on.
    @param f: a blocking function.
    @return: a Deferred firing with C{f}'s return value, or failing with
        what it raised.  Cancelling it does not stop C{f}: the Deferred fails
        with L{CancelledError} and C{f}'s eventual result is discarded.
    @raise TypeError: If C{f} is not callable.
    """
    d: Deferred[_T] = Deferred()
    callFromThread = reactor.callFromThread

    def onResult(success: bool, result: Any) -> None:
        # In the worker thread.
        if success:
            callFromThread(d.callback, result)
        else:
            callFromThread(d.errback, result)

    threadpool.callInThreadWithCallback(onResult, f, *args, **kwargs)
    return d


def deferToThread(f: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> Deferred[_T]:
    """
    Call C{f(*args, **kwargs)} on the global reactor's thread pool.

    Importing the global reactor installs the default one if none is
    installed yet.  Calls made before the reactor runs start once it runs.

    @param f: a blocking function.
    @return: a Deferred firing (in the reactor thread) with C{f}'s return
        value, or failing with what it raised.
    @raise TypeError: If C{f} is not callable.
    """
    reactor = _globalReactor()
    return deferToThreadPool(reactor, reactor.getThreadPool(), f, *args, **kwargs)


def _runMultiple(
    tupleList: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]],
) -> None:
    """Run each C{(f, args, kwargs)} in order (in a pool thread)."""
    for f, args, kwargs in tupleList:
        f(*args, **kwargs)


def callMultipleInThread(
    tupleList: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]],
) -> None:
    """
    Run several calls, in order, on one thread of the global reactor's pool.

    An exception stops the sequence and is logged.

    @param tupleList: C{(f, args, kwargs)} triples.
    @raise TypeError: If an entry is not such a triple with a callable.
    """
    calls = list(tupleList)
    for entry in calls:
        if not (isinstance(entry, tuple) and len(entry) == 3 and callable(entry[0])):
            raise TypeError(f"expected (callable, args, kwargs), not {entry!r}")
    _globalReactor().callInThread(_runMultiple, calls)


def _inReactorThread(reactor: Any) -> bool:
    """Return True if the calling thread is the one running C{reactor}."""
    return getattr(reactor, "_reactorThread", None) is threading.current_thread()


def _stoppedForGood(reactor: Any) -> bool:
    """Return True if C{reactor} has run and stopped: queued calls will never run."""
    return bool(getattr(reactor, "_startedBefore", False)) and not reactor.running


def blockingCallFromThread(reactor: Any, f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """
    Run C{f(*args, **kwargs)} in the reactor thread and wait for its result.

    Call it from a thread other than the reactor's.  If C{f} returns a
    Deferred, this waits for it to fire.

    @param reactor: the running reactor (an L{IReactorFromThreads} provider).
    @param f: what to call in the reactor thread.
    @return: what C{f} returned, or the result of the Deferred it returned.
    @raise Exception: whatever C{f} raised, or the failure of its Deferred
        (the original exception, re-raised).
    @raise RuntimeError: If called in the reactor thread (it would wait
        forever for itself).
    @raise ReactorNotRunning: If the reactor stops for good before running
        the call.
    """
    if _inReactorThread(reactor):
        raise RuntimeError(
            "blockingCallFromThread called in the reactor thread: it would wait forever; "
            "call the function directly (or use maybeDeferred) instead"
        )
    results: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def inReactor() -> None:
        d = maybeDeferred(f, *args, **kwargs)
        d.addBoth(results.put)

    reactor.callFromThread(inReactor)
    while True:
        try:
            result = results.get(timeout=_STOPPED_POLL_INTERVAL)
        except queue.Empty:
            if _stoppedForGood(reactor):
                try:
                    result = results.get_nowait()
                except queue.Empty:
                    raise error.ReactorNotRunning(
                        f"the reactor stopped before blockingCallFromThread could call {f!r}"
                    ) from None
            else:
                continue
        break
    if isinstance(result, Failure):
        result.raiseException()
    return result
