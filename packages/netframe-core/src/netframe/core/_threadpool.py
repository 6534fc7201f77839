"""
A pool of worker threads running queued calls.

Implementation module of L{netframe.core.threadpool}.
"""

from __future__ import annotations

import contextvars
import itertools
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from netframe.core.failure import Failure
from netframe.logger import Logger

_log = Logger()

#: Callback given C{(success, result)} once a pooled call finished.
_OnResult = Callable[[bool, Any], object]

#: One unit of queued work: the caller's context, the callable, its
#: arguments and the optional result callback.
_Work = tuple[
    contextvars.Context,
    Callable[..., Any],
    tuple[Any, ...],
    dict[str, Any],
    "_OnResult | None",
]

_poolCounter = itertools.count(1)


class ThreadPool:
    """
    Run calls on a bounded set of worker threads.

    Work is queued by L{callInThread} or L{callInThreadWithCallback} and taken
    in order by the workers.  Workers are created on demand, up to C{max} at a
    time; a worker beyond C{min} that has been idle for C{idleTimeout}
    seconds exits.  Work queued before L{start} waits and runs once the pool
    is started.  Each call runs in a copy of the C{contextvars} context of
    the code that queued it.  An exception raised by the work (or by its
    result callback) is logged through L{netframe.logger} and does not stop
    the worker.

    @ivar min: the fewest workers kept alive while started (never negative).
    @ivar max: the most workers alive at once (at least 1 and at least C{min}).
    @ivar name: the pool's name, used in its worker threads' names.
    @ivar started: True between L{start} and L{stop}.
    @ivar joined: True once L{stop} was called (until the next L{start}).
    @ivar idleTimeout: seconds a worker beyond C{min} waits for work before
        exiting; None keeps idle workers until L{stop} or a smaller
        L{adjustPoolsize}.  A class attribute: override it per pool or in a
        subclass.
    @ivar threads: the live worker threads.
    @ivar working: the workers running a call now.
    @ivar waiters: the workers idle, waiting for work.
    """

    idleTimeout: float | None = 5.0

    def __init__(self, minthreads: int = 5, maxthreads: int = 20, name: str | None = None) -> None:
        """
        Make a stopped pool.

        @param minthreads: the fewest workers kept while started.
        @param maxthreads: the most workers at once.
        @param name: a name for the pool (also in its threads' names).
        @raise ValueError: If C{minthreads} is negative, C{maxthreads} is less
            than 1 or less than C{minthreads}.
        @raise TypeError: If a size is not an integer.
        """
        _checkSizes(minthreads, maxthreads)
        self.min = minthreads
        self.max = maxthreads
        self.name = name
        self.started = False
        self.joined = False
        self.threads: list[threading.Thread] = []
        self.working: list[threading.Thread] = []
        self.waiters: list[threading.Thread] = []
        self._queue: deque[_Work] = deque()
        lock = threading.Lock()
        self._cond = threading.Condition(lock)
        # Same lock: notified whenever a worker goes idle or exits.
        self._changed = threading.Condition(lock)
        self._serial = next(_poolCounter)
        self._threadCount = itertools.count(1)

    @property
    def workers(self) -> int:
        """The number of live worker threads."""
        return len(self.threads)

    @property
    def pending(self) -> int:
        """The number of queued calls no worker has taken yet."""
        return len(self._queue)

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> None:
        """
        Start the pool: create C{min} workers, and more (up to C{max}) for the
        work already queued.  Starting a started pool does nothing; a stopped
        pool may be started again.
        """
        with self._cond:
            if self.started:
                return
            self.started = True
            self.joined = False
            self._grow()

    def stop(self) -> None:
        """
        Stop the pool and wait for every worker to exit.

        Work already queued is finished first; work queued after C{stop}
        is dropped (and logged).  Called from one of the pool's own workers it
        waits for the others only.
        """
        with self._cond:
            self.joined = True
            self.started = False
            self._cond.notify_all()
            threads = list(self.threads)
        me = threading.current_thread()
        for thread in threads:
            if thread is not me:
                thread.join()

    def adjustPoolsize(self, minthreads: int | None = None, maxthreads: int | None = None) -> None:
        """
        Change the pool's size limits.

        Growing takes effect at once for a started pool (new workers for
        queued work and up to the new C{min}); shrinking makes idle workers
        beyond the new C{max} exit, and busy ones exit after their current
        call.

        @param minthreads: the new C{min}, or None to keep it.
        @param maxthreads: the new C{max}, or None to keep it.
        @raise ValueError: If the resulting sizes are invalid (see L{__init__}).
        @raise TypeError: If a size is not an integer.
        """
        newMin = self.min if minthreads is None else minthreads
        newMax = self.max if maxthreads is None else maxthreads
        _checkSizes(newMin, newMax)
        with self._cond:
            self.min = newMin
            self.max = newMax
            if self.started:
                self._grow()
            self._cond.notify_all()

    # -- queueing -------------------------------------------------------------

    def callInThread(self, func: Callable[..., Any], *args: Any, **kw: Any) -> None:
        """
        Queue C{func(*args, **kw)} to run on a worker thread.

        An exception it raises is logged.

        @param func: what to call.
        @raise TypeError: If C{func} is not callable.
        """
        self._enqueue(None, func, args, kw)

    def callInThreadWithCallback(
        self, onResult: _OnResult | None, func: Callable[..., Any], *args: Any, **kw: Any
    ) -> None:
        """
        Queue C{func(*args, **kw)}; then call C{onResult(success, result)} in
        the same worker thread.

        C{success} is True with C{func}'s return value, or False with a
        L{Failure} of what it raised.  C{onResult} runs outside the reactor
        thread: to get back there, use C{reactor.callFromThread}.  An exception
        raised by C{onResult} is logged.

        @param onResult: the result callback, or None to only log failures.
        @param func: what to call.
        @raise TypeError: If C{func} (or a non-None C{onResult}) is not callable.
        """
        if onResult is not None and not callable(onResult):
            raise TypeError(f"onResult {onResult!r} is not callable")
        self._enqueue(onResult, func, args, kw)

    def _enqueue(
        self,
        onResult: _OnResult | None,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kw: dict[str, Any],
    ) -> None:
        """Queue one call in the caller's context; wake or create a worker."""
        if not callable(func):
            raise TypeError(f"{func!r} is not callable")
        work: _Work = (contextvars.copy_context(), func, args, kw, onResult)
        with self._cond:
            if self.joined:
                _log.warn(
                    "Thread pool {pool!r} is stopped; dropping call to {call!r}",
                    pool=self,
                    call=func,
                )
                return
            self._queue.append(work)
            if not self.started:
                return
            if len(self._queue) > len(self.waiters) and len(self.threads) < self.max:
                self._startWorker()
            else:
                self._cond.notify()

    # -- workers --------------------------------------------------------------

    def _grow(self) -> None:
        """Start workers up to C{min}, and for queued work up to C{max} (lock held)."""
        wanted = max(self.min, len(self._queue) + len(self.working))
        while len(self.threads) < min(wanted, self.max):
            self._startWorker()

    def _startWorker(self) -> None:
        """Create and start one worker thread (lock held)."""
        label = self.name if self.name is not None else str(self._serial)
        thread = threading.Thread(
            target=self._worker,
            name=f"PoolThread-{label}-{next(self._threadCount)}",
            daemon=True,
        )
        self.threads.append(thread)
        thread.start()

    def _worker(self) -> None:
        """A worker's loop: take work, run it, exit when no longer wanted."""
        me = threading.current_thread()
        cond = self._cond
        queue = self._queue
        cond.acquire()
        try:
            while True:
                if not queue:
                    if self.joined or len(self.threads) > self.max:
                        break
                    self.waiters.append(me)
                    self._changed.notify_all()
                    woken = cond.wait(self.idleTimeout if len(self.threads) > self.min else None)
                    self.waiters.remove(me)
                    if not queue:
                        if self._unwanted(woken):
                            break
                        continue
                work = queue.popleft()
                self.working.append(me)
                cond.release()
                try:
                    _run(work)
                finally:
                    cond.acquire()
                    self.working.remove(me)
                if len(self.threads) > self.max:
                    break
        finally:
            self.threads.remove(me)
            self._changed.notify_all()
            cond.release()

    def _waitUntil(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """
        Wait until C{predicate()} (evaluated with the pool's lock held) is
        true, re-checking each time a worker goes idle or exits.

        @param predicate: the condition on the pool's state.
        @param timeout: the most seconds to wait.
        @return: the last value of C{predicate()}.
        """
        with self._changed:
            return self._changed.wait_for(predicate, timeout)

    def _unwanted(self, woken: bool) -> bool:
        """
        Return whether an idle worker should exit (lock held): the pool is
        stopping, has more workers than C{max}, or this worker timed out
        idle while the pool has more than C{min}.
        """
        count = len(self.threads)
        return self.joined or count > self.max or (not woken and count > self.min)

    # -- introspection --------------------------------------------------------

    def dumpStats(self) -> None:
        """Log the queue length and the numbers of idle, busy and total workers."""
        with self._cond:
            stats = {
                "queue": len(self._queue),
                "waiters": len(self.waiters),
                "working": len(self.working),
                "total": len(self.threads),
            }
        _log.info(
            "Thread pool {pool!r}: queue: {queue}, waiters: {waiters}, "
            "workers: {working}, total: {total}",
            pool=self,
            **stats,
        )

    def __repr__(self) -> str:
        """Return a description with the name, sizes and state."""
        state = "started" if self.started else ("stopped" if self.joined else "not started")
        return (
            f"<ThreadPool {self.name or self._serial} min={self.min} max={self.max} "
            f"workers={len(self.threads)} {state}>"
        )


def _run(work: _Work) -> None:
    """Run one unit of work in its context and deliver or log the outcome."""
    ctx, func, args, kw, onResult = work
    try:
        result = ctx.run(func, *args, **kw)
        success = True
    except BaseException:
        result = Failure()
        success = False
    if onResult is None:
        if not success:
            _log.failure("Unhandled error in thread pool call {call!r}", result, call=func)
        return
    try:
        onResult(success, result)
    except BaseException:
        _log.failure(
            "Error in thread pool result callback {callback!r}", Failure(), callback=onResult
        )


def _checkSizes(minthreads: int, maxthreads: int) -> None:
    """
    Validate pool sizes.

    @raise TypeError: If a size is not an integer.
    @raise ValueError: If C{minthreads < 0}, C{maxthreads < 1} or
        C{maxthreads < minthreads}.
    """
    for label, value in (("minthreads", minthreads), ("maxthreads", maxthreads)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{label} must be an int, not {value!r}")
    if minthreads < 0:
        raise ValueError(f"minthreads must be >= 0, not {minthreads}")
    if maxthreads < 1:
        raise ValueError(f"maxthreads must be >= 1, not {maxthreads}")
    if maxthreads < minthreads:
        raise ValueError(f"maxthreads ({maxthreads}) must be >= minthreads ({minthreads})")
