"""
Combining and coordinating Deferreds: L{DeferredList}, L{gatherResults},
L{DeferredLock}, L{DeferredSemaphore} and L{DeferredQueue}.

Implementation module of L{netframe.core.defer}; import the names from there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, Generic, Optional, TypeVar

from netframe.core._defer import (
    FAILURE,
    SUCCESS,
    Deferred,
    _log,
    maybeDeferred,
    succeed,
)
from netframe.core.failure import Failure

__all__ = [
    "DeferredList",
    "DeferredLock",
    "DeferredQueue",
    "DeferredSemaphore",
    "FirstError",
    "QueueOverflow",
    "QueueUnderflow",
    "gatherResults",
]

_T = TypeVar("_T")

# Shared by callback tuples without keyword arguments (only ever unpacked).
_NO_KEYWORDS: dict[str, Any] = {}


class FirstError(Exception):
    """
    The first failure among the Deferreds of a L{DeferredList} created with
    C{fireOnOneErrback=True} (and so of L{gatherResults}).

    @ivar subFailure: the L{Failure} of the member Deferred.
    @ivar index: the position of that Deferred in the list.
    """

    def __init__(self, failure: Failure, index: int) -> None:
        """
        @param failure: the member's failure.
        @param index: the member's position.
        """
        Exception.__init__(self, failure, index)
        self.subFailure = failure
        self.index = index

    def __repr__(self) -> str:
        """
        @return: C{FirstError[#index, <repr of the exception>]}.
        """
        return f"FirstError[#{self.index}, {self.subFailure.value!r}]"

    def __str__(self) -> str:
        """
        @return: C{FirstError[#index, <str of the exception>]}.
        """
        return f"FirstError[#{self.index}, {self.subFailure.value}]"


class DeferredList(Deferred[Any]):
    """
    A Deferred that fires once every Deferred of a list has fired, with the
    list of their outcomes as C{(success, result)} pairs (C{success} is
    L{SUCCESS} or L{FAILURE}; C{result} a value or a L{Failure}), in the
    order of the list.  It never errbacks unless C{fireOnOneErrback} is set.

    Each member gets the DeferredList's own callback/errback at construction
    time, so callbacks added to a member later do not change the value the
    DeferredList records.

    @ivar resultList: the outcomes so far (C{None} where not fired yet).
    @ivar finishedCount: how many members have fired.
    @ivar fireOnOneCallback: see L{__init__}.
    @ivar fireOnOneErrback: see L{__init__}.
    @ivar consumeErrors: see L{__init__}.
    """

    __slots__ = (
        "_deferredList",
        "consumeErrors",
        "finishedCount",
        "fireOnOneCallback",
        "fireOnOneErrback",
        "resultList",
    )

    def __init__(
        self,
        deferredList: Iterable[Deferred[Any]],
        fireOnOneCallback: bool = False,
        fireOnOneErrback: bool = False,
        consumeErrors: bool = False,
    ) -> None:
        """
        @param deferredList: the Deferreds to wait for.
        @param fireOnOneCallback: fire as soon as one member succeeds, with
            C{(result, index)}; later outcomes are ignored.
        @param fireOnOneErrback: errback as soon as one member fails, with a
            L{FirstError}; later outcomes are ignored.
        @param consumeErrors: stop member failures here: the member's chain
            continues with C{None} (no "Unhandled error in Deferred").
        """
        members = list(deferredList)
        Deferred.__init__(self)
        self._deferredList = members
        self.resultList: list[Optional[tuple[bool, Any]]] = [None] * len(members)
        self.finishedCount = 0
        self.fireOnOneCallback = fireOnOneCallback
        self.fireOnOneErrback = fireOnOneErrback
        self.consumeErrors = consumeErrors
        if not members and not fireOnOneCallback:
            self.callback([])
            return
        record = self._record
        noKeywords = _NO_KEYWORDS
        for index, d in enumerate(members):
            if d.called and not (d.paused or d._runningCallbacks or d._callbacks):
                # Fast path for a member that already has its result: what
                # running the callback pair below at once would do.
                result = d.result
                if result.__class__ is Failure or isinstance(result, Failure):
                    if d._reporter is not None:
                        d._reporter.failure = None
                    d.result = record(result, index, FAILURE)
                    if d.result is not None:
                        d._runCallbacks()  # still failed: report it if unhandled
                else:
                    d.result = record(result, index, SUCCESS)
            else:
                d._append(
                    (record, (index, SUCCESS), noKeywords, record, (index, FAILURE), noKeywords)
                )

    def _record(self, result: Any, index: int, succeeded: bool) -> Any:
        """
        Member callback/errback: store the outcome and fire when due.

        @param result: the member's result or Failure.
        @param index: the member's position.
        @param succeeded: L{SUCCESS} or L{FAILURE}.
        @return: the result for the member's chain (C{None} for a consumed
            failure).
        """
        self.resultList[index] = (succeeded, result)
        self.finishedCount += 1
        if not self.called:
            if succeeded:
                if self.fireOnOneCallback:
                    self.callback((result, index))
                elif self.finishedCount == len(self.resultList):
                    self.callback(self.resultList)
            elif self.fireOnOneErrback:
                self.errback(Failure(FirstError(result, index)))
            elif self.finishedCount == len(self.resultList):
                self.callback(self.resultList)
        if not succeeded and self.consumeErrors:
            return None
        return result

    def cancel(self) -> None:
        """
        Cancel every member Deferred if this DeferredList has not fired yet
        (which normally makes it fire).  Never raises.
        """
        if not self.called:
            for d in self._deferredList:
                try:
                    d.cancel()
                except BaseException:
                    _log.failure("Exception raised from user supplied canceller")


def _valuesOf(results: list[tuple[bool, Any]]) -> list[Any]:
    """
    @param results: a DeferredList result.
    @return: just the values.
    """
    return [value for _, value in results]


def gatherResults(
    deferredList: Iterable[Deferred[_T]], consumeErrors: bool = False
) -> Deferred[list[_T]]:
    """
    Return a Deferred firing with the list of results of C{deferredList} (in
    order) once all succeeded, or failing with a L{FirstError} as soon as one
    fails.

    @param deferredList: the Deferreds.
    @param consumeErrors: as for L{DeferredList}: member failures stop here.
    @return: a Deferred (a L{DeferredList} with C{fireOnOneErrback=True}).
    """
    d = DeferredList(deferredList, fireOnOneErrback=True, consumeErrors=consumeErrors)
    d.addCallback(_valuesOf)
    return d


class _ConcurrencyPrimitive:
    """
    What L{DeferredLock} and L{DeferredSemaphore} share: C{run} and
    C{async with} support.

    @ivar waiting: the Deferreds of pending L{acquire} calls, oldest first.
    """

    def __init__(self) -> None:
        """
        Start with nobody waiting.
        """
        self.waiting: list[Deferred[Any]] = []

    def acquire(self) -> Deferred[Any]:  # pragma: no cover - overridden
        """
        @return: a Deferred firing with this object once acquired.
        """
        raise NotImplementedError

    def release(self) -> None:  # pragma: no cover - overridden
        """
        Release what L{acquire} obtained.
        """
        raise NotImplementedError

    def _cancelAcquire(self, d: Deferred[Any]) -> None:
        """
        Canceller of a pending L{acquire}: stop waiting.

        @param d: the cancelled acquire Deferred.
        """
        self.waiting.remove(d)

    def run(self, f: Callable[..., Any], *args: Any, **kwargs: Any) -> Deferred[Any]:
        """
        Acquire, call C{f(*args, **kwargs)} (through L{maybeDeferred}), and
        release when its result is known.

        @param f: the function to run while holding this.
        @param args: its positional arguments.
        @param kwargs: its keyword arguments.
        @return: a Deferred for C{f}'s result.
        """

        def execute(ignoredSelf: object) -> Deferred[Any]:
            d = maybeDeferred(f, *args, **kwargs)

            def releaseAndReturn(result: Any) -> Any:
                self.release()
                return result

            d.addBoth(releaseAndReturn)
            return d

        return self.acquire().addCallback(execute)

    async def __aenter__(self) -> _ConcurrencyPrimitive:
        """
        C{async with lock:} acquires.

        @return: this object.
        """
        await self.acquire()
        return self

    async def __aexit__(
        self,
        excType: Optional[type[BaseException]],
        excValue: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> bool:
        """
        Leaving the C{async with} block releases.

        @return: C{False}: exceptions propagate.
        """
        self.release()
        return False


class DeferredLock(_ConcurrencyPrimitive):
    """
    A lock for code using Deferreds: L{acquire} returns a Deferred that fires
    (with the lock) once the lock is free; waiters get it first come, first
    served.

    @ivar locked: whether the lock is held.
    """

    def __init__(self) -> None:
        """
        Create an unlocked lock.
        """
        _ConcurrencyPrimitive.__init__(self)
        self.locked = False

    def acquire(self) -> Deferred[DeferredLock]:
        """
        Take the lock.

        @return: a Deferred firing with this lock when it is ours (at once
            if the lock is free).  Cancelling it stops waiting.
        """
        d: Deferred[DeferredLock] = Deferred(self._cancelAcquire)
        if self.locked:
            self.waiting.append(d)
        else:
            self.locked = True
            d.callback(self)
        return d

    def release(self) -> None:
        """
        Give the lock back; the oldest waiter gets it.

        @raise RuntimeError: if the lock is not held.
        """
        if not self.locked:
            raise RuntimeError("Tried to release an unlocked DeferredLock")
        self.locked = False
        if self.waiting:
            self.locked = True
            self.waiting.pop(0).callback(self)


class DeferredSemaphore(_ConcurrencyPrimitive):
    """
    A semaphore for code using Deferreds: at most C{tokens} holders at once.

    @ivar limit: the maximum number of holders.
    @ivar tokens: how many more holders may acquire now.
    """

    def __init__(self, tokens: int) -> None:
        """
        @param tokens: the maximum number of concurrent holders (at least 1).
        @raise ValueError: if C{tokens} is less than 1.
        """
        if tokens < 1:
            raise ValueError(f"DeferredSemaphore requires tokens >= 1, not {tokens!r}")
        _ConcurrencyPrimitive.__init__(self)
        self.tokens = tokens
        self.limit = tokens

    def acquire(self) -> Deferred[DeferredSemaphore]:
        """
        Take a token.

        @return: a Deferred firing with this semaphore once a token is ours
            (at once if one is free).  Cancelling it stops waiting.
        """
        d: Deferred[DeferredSemaphore] = Deferred(self._cancelAcquire)
        if self.tokens:
            self.tokens -= 1
            d.callback(self)
        else:
            self.waiting.append(d)
        return d

    def release(self) -> None:
        """
        Give a token back; the oldest waiter gets it.

        @raise RuntimeError: if every token is already free.
        """
        if self.tokens >= self.limit:
            raise RuntimeError("Tried to release a DeferredSemaphore more times than acquired")
        self.tokens += 1
        if self.waiting:
            self.tokens -= 1
            self.waiting.pop(0).callback(self)


class QueueOverflow(Exception):
    """
    L{DeferredQueue.put} on a queue already holding C{size} objects.
    """


class QueueUnderflow(Exception):
    """
    L{DeferredQueue.get} on an empty queue that already has C{backlog}
    pending gets.
    """


class DeferredQueue(Generic[_T]):
    """
    A queue whose L{get} returns a Deferred, fired when an object is
    available.

    @ivar size: the most objects held at once (C{None}: unbounded); a
        L{put} beyond it raises L{QueueOverflow}.
    @ivar backlog: the most pending L{get}s at once (C{None}: unbounded); a
        L{get} beyond it raises L{QueueUnderflow}.
    @ivar pending: the objects waiting to be got, oldest first.
    @ivar waiting: the Deferreds of pending gets, oldest first.
    """

    def __init__(self, size: Optional[int] = None, backlog: Optional[int] = None) -> None:
        """
        @param size: see L{size}.
        @param backlog: see L{backlog}.
        """
        self.size = size
        self.backlog = backlog
        self.waiting: list[Deferred[_T]] = []
        self.pending: list[_T] = []

    def _cancelGet(self, d: Deferred[_T]) -> None:
        """
        Canceller of a pending L{get}.

        @param d: the cancelled Deferred.
        """
        self.waiting.remove(d)

    def put(self, obj: _T) -> None:
        """
        Add an object: it goes to the oldest pending L{get} if any.

        @param obj: the object.
        @raise QueueOverflow: if the queue already holds C{size} objects.
        """
        if self.waiting:
            self.waiting.pop(0).callback(obj)
        elif self.size is None or len(self.pending) < self.size:
            self.pending.append(obj)
        else:
            raise QueueOverflow(f"DeferredQueue is full (size={self.size})")

    def get(self) -> Deferred[_T]:
        """
        Take the oldest object.

        @return: a Deferred firing with it (at once if one is queued).
            Cancelling it stops waiting.
        @raise QueueUnderflow: if the queue is empty and C{backlog} gets are
            already pending.
        """
        if self.pending:
            return succeed(self.pending.pop(0))
        if self.backlog is None or len(self.waiting) < self.backlog:
            d: Deferred[_T] = Deferred(self._cancelGet)
            self.waiting.append(d)
            return d
        raise QueueUnderflow(f"DeferredQueue has too many pending gets (backlog={self.backlog})")
