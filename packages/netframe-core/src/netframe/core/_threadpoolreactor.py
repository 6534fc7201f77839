"""
The reactor's thread pool (IReactorThreads), mixed into every reactor.

Implementation module; the public names are the reactor methods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zope.interface import implementer

from netframe.core._threadpool import ThreadPool
from netframe.core.interfaces import IReactorThreads


@implementer(IReactorThreads)
class _ThreadPoolReactorMixin:
    """
    Give a reactor a lazily created L{ThreadPool}.

    The pool is made on first use with C{threadPoolMinSize} and
    C{threadPoolMaxSize} workers (0 and 10 by default), started when the
    reactor starts running (or at once if it already runs) and stopped,
    joining its workers, by a 'during shutdown' trigger.

    The host class must provide C{running}, C{callWhenRunning} and
    C{addSystemEventTrigger}, and C{callFromThread} (IReactorFromThreads).

    @cvar threadPoolMinSize: the fewest workers of the reactor's pool.
    @cvar threadPoolMaxSize: the most workers of the reactor's pool.
    """

    threadPoolMinSize = 0
    threadPoolMaxSize = 10

    threadpool: ThreadPool | None = None
    _threadpoolShutdownID: Any = None

    running: bool
    addSystemEventTrigger: Callable[..., Any]
    callWhenRunning: Callable[..., Any]
    callFromThread: Callable[..., None]

    def _initThreadPool(self) -> ThreadPool:
        """Create the pool, schedule its start and its stop at shutdown."""
        pool = self.threadpool = ThreadPool(
            self.threadPoolMinSize, self.threadPoolMaxSize, "netframe.reactor"
        )
        self._threadpoolShutdownID = self.addSystemEventTrigger(
            "during", "shutdown", self._stopThreadPool
        )
        if self.running:
            pool.start()
        else:
            self.callWhenRunning(self._startThreadPool)
        return pool

    def _startThreadPool(self) -> None:
        """Start the pool unless shutdown already stopped it."""
        pool = self.threadpool
        if pool is not None and not pool.joined:
            pool.start()

    def _stopThreadPool(self) -> None:
        """'during shutdown' trigger: stop the pool, joining its workers."""
        self._threadpoolShutdownID = None
        pool = self.threadpool
        if pool is not None:
            pool.stop()

    def getThreadPool(self) -> ThreadPool:
        """
        Return the reactor's thread pool, creating it on first use.

        It is started when the reactor runs and stopped (its workers joined)
        during the 'shutdown' event.

        @return: the L{ThreadPool}.
        """
        pool = self.threadpool
        if pool is None:
            pool = self._initThreadPool()
        return pool

    def callInThread(self, callable: Callable[..., Any], *args: Any, **kw: Any) -> None:
        """
        Run C{callable(*args, **kw)} on a thread of the reactor's pool.

        The pool is shared and bounded: calls that wait on each other can
        wedge it.  Calls made before the reactor runs wait for it to start.
        An exception raised by C{callable} is logged.

        @raise TypeError: If C{callable} is not callable.
        """
        self.getThreadPool().callInThread(callable, *args, **kw)

    def suggestThreadPoolSize(self, size: int) -> None:
        """
        Set the most threads the reactor's pool may use.

        @param size: the new maximum (the minimum is lowered to it if larger).
        @raise ValueError: If C{size} is less than 1.
        @raise TypeError: If C{size} is not an integer.
        """
        pool = self.getThreadPool()
        pool.adjustPoolsize(minthreads=min(pool.min, size), maxthreads=size)
