"""
The L{Deferred} class, its exceptions and the generator/coroutine driver.

Implementation module of L{netframe.core.defer}; import the names from there.

Performance notes (this is the hottest code in netframe):

  - a pending callback is one flat tuple C{(callback, callbackArgs,
    callbackKeywords, errback, errbackArgs, errbackKeywords, context)}; a
    pass-through side is C{None} and is skipped without a call; argument-less
    callbacks store C{None} for their arguments and are called as C{f(result)};
  - callbacks added to a Deferred that already has a result are run at once
    without capturing the context (they run in the caller's context anyway);
  - a captured context is only entered (C{Context.run}) when it differs from
    the context of the code firing the Deferred;
  - chaining (a callback returning a Deferred) never recurses: L{Deferred._runCallbacks}
    keeps an explicit stack of the Deferreds it is processing;
  - no L{Failure} is formatted unless it is logged.
"""

from __future__ import annotations

import builtins
import functools
import warnings
from collections.abc import Callable, Coroutine, Generator, Mapping
from contextvars import Context, copy_context
from types import CoroutineType, GeneratorType
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    NoReturn,
    Optional,
    ParamSpec,
    Protocol,
    TypeVar,
    Union,
    overload,
)

from netframe.core.error import TimeoutError as _ConnectTimeoutError
from netframe.core.failure import Failure
from netframe.logger import Logger

if TYPE_CHECKING:
    import asyncio


class _DelayedCallLike(Protocol):
    """
    What L{Deferred.addTimeout} needs from the result of C{callLater}.
    """

    def active(self) -> bool:
        """
        @return: whether the call is still pending.
        """

    def cancel(self) -> None:
        """
        Stop the pending call.
        """


class _ClockLike(Protocol):
    """
    What L{Deferred.addTimeout} needs from a clock (a reactor or a
    L{netframe.core.task.Clock}).
    """

    def callLater(
        self, delay: float, callable: Callable[..., Any], /, *args: Any, **kw: Any
    ) -> _DelayedCallLike:
        """
        Call C{callable(*args, **kw)} C{delay} seconds from now.
        """


__all__ = [
    "FAILURE",
    "SUCCESS",
    "AlreadyCalledError",
    "CancelledError",
    "Deferred",
    "NotACoroutineError",
    "TimeoutError",
    "ensureDeferred",
    "fail",
    "inlineCallbacks",
    "maybeDeferred",
    "returnValue",
    "succeed",
]

_T = TypeVar("_T")
_U = TypeVar("_U")
_V = TypeVar("_V")
_P = ParamSpec("_P")

SUCCESS = True
FAILURE = False

_log = Logger(namespace="netframe.core.defer")

_copyContext = copy_context


class AlreadyCalledError(Exception):
    """
    L{Deferred.callback} or L{Deferred.errback} was called on a Deferred that
    already has a result (Deferreds fire only once).
    """


class CancelledError(Exception):
    """
    The Deferred was cancelled (L{Deferred.cancel}) before it had a result.
    """


class TimeoutError(_ConnectTimeoutError, builtins.TimeoutError):
    """
    A Deferred did not fire before the timeout given to
    L{Deferred.addTimeout} expired.

    It is both a L{netframe.core.error.TimeoutError} (what Twisted's
    C{addTimeout} fails with, so C{failure.trap(error.TimeoutError)} keeps
    working) and a subclass of the builtin C{TimeoutError} (so plain
    C{except TimeoutError:} and asyncio code catch it too).

    @ivar timeout: the timeout, in seconds, that expired (or C{None}).
    """

    def __init__(self, timeout: Optional[float] = None, description: str = "Deferred") -> None:
        """
        @param timeout: the timeout in seconds that expired.
        @param description: what timed out; shown in the message.
        """
        self.timeout = timeout
        _ConnectTimeoutError.__init__(self, timeout, description)


class NotACoroutineError(TypeError):
    """
    L{ensureDeferred} or L{Deferred.fromCoroutine} was given something that is
    neither a coroutine, a generator nor a Deferred.
    """


class _DefGen_Return(BaseException):
    """
    Raised by L{returnValue} to stop an L{inlineCallbacks} generator.

    It derives from C{BaseException} so that C{except Exception:} blocks in
    the generator do not swallow it.
    """

    def __init__(self, value: object) -> None:
        """
        @param value: the generator's result.
        """
        BaseException.__init__(self, value)
        self.value = value


# Marker stored in the context slot of a pending callback tuple: the tuple is
# a continuation, and its callback slot holds the Deferred waiting on this one.
_CONTINUE: Any = object()

# Stored as the canceller of a Deferred cancelled without canceller: the next
# callback()/errback() is silently ignored.
_SUPPRESS_ALREADY_CALLED: Any = lambda d: None  # noqa: E731


class _UnhandledFailureReporter:
    """
    Logs a Deferred's unhandled failure when the Deferred goes away.

    Only the Deferred references it, so it dies (and L{__del__} runs) exactly
    when the Deferred is collected: at once under reference counting, or by
    the cycle collector when the Deferred is part of a cycle.

    @ivar failure: the unhandled L{Failure}, or C{None} once handled.
    """

    __slots__ = ("failure",)

    def __init__(self, failure: Optional[Failure]) -> None:
        """
        @param failure: the failure to report unless it is handled.
        """
        self.failure = failure

    def __del__(self) -> None:
        """
        Log the failure, if it is still unhandled.  Never raises.
        """
        failure = self.failure
        if failure is not None:
            self.failure = None
            try:
                _log.failure("Unhandled error in Deferred:", failure=failure)
            except BaseException:  # pragma: no cover - interpreter shutdown
                pass


def _failureFromCallback(exc: BaseException) -> Failure:
    """
    Wrap an exception raised by a callback (or a generator step) in a Failure,
    leaving out the traceback entry of the netframe frame that caught it.

    @param exc: the exception being handled.
    @return: a new L{Failure}.
    """
    tb = exc.__traceback__
    if tb is not None:
        tb = tb.tb_next
        exc.__traceback__ = tb
    return Failure(exc, exc.__class__, tb)


def _selfReturnedFailure(d: object) -> Failure:
    """
    @param d: a Deferred returned by one of its own callbacks.
    @return: the Failure (of C{TypeError}) the chain continues with.
    """
    return Failure(
        TypeError(
            f"a callback returned the Deferred it was added to ({d!r}); "
            "a Deferred cannot wait on itself"
        )
    )


def _cancelledFailure() -> Failure:
    """
    @return: a Failure wrapping a new L{CancelledError}.
    """
    return Failure(CancelledError(), CancelledError, None)


class Deferred(Generic[_T]):
    """
    A placeholder for a result that is not available yet.

    Callbacks and errbacks added with L{addCallbacks} (and its shortcuts) run
    in order once L{callback} or L{errback} supplies the result; each gets the
    previous one's return value.  A callback that raises, or returns a
    L{Failure}, switches processing to the errbacks; an errback that returns
    anything else switches back to the callbacks.  A callback returning
    another Deferred suspends this one until that Deferred has a result, which
    then continues down this chain.

    Deferreds are awaitable (C{await d} inside a coroutine driven by
    L{ensureDeferred}) and generic (C{Deferred[int]}).

    @ivar called: whether L{callback} or L{errback} has been called.
    @ivar paused: how many reasons there are not to run callbacks now
        (L{pause} calls, plus one while waiting on a chained Deferred).
    @ivar result: the current result; absent until the Deferred is called.
    """

    __slots__ = (
        "__weakref__",
        "_callbacks",
        "_canceller",
        "_chainedTo",
        "_reporter",
        "_runningCallbacks",
        "called",
        "paused",
        "result",
    )

    called: bool
    paused: int
    result: Any
    _callbacks: Optional[list[tuple[Any, ...]]]
    _canceller: Optional[Callable[[Deferred[Any]], None]]
    _chainedTo: Optional[Deferred[Any]]
    _reporter: Optional[_UnhandledFailureReporter]
    _runningCallbacks: bool

    def __init__(self, canceller: Optional[Callable[[Deferred[Any]], None]] = None) -> None:
        """
        @param canceller: called with this Deferred by L{cancel} if it has no
            result yet; it should stop the underlying operation and may fire
            the Deferred itself (if it does not, L{cancel} errbacks it with
            L{CancelledError}).
        """
        self.called = False
        self.paused = 0
        self._callbacks = None
        self._canceller = canceller
        self._chainedTo = None
        self._reporter = None
        self._runningCallbacks = False

    # -- adding callbacks --------------------------------------------------------

    def addCallbacks(
        self,
        callback: Callable[..., Any],
        errback: Optional[Callable[..., Any]] = None,
        callbackArgs: Optional[tuple[Any, ...]] = None,
        callbackKeywords: Optional[Mapping[str, Any]] = None,
        errbackArgs: Optional[tuple[Any, ...]] = None,
        errbackKeywords: Optional[Mapping[str, Any]] = None,
    ) -> Deferred[Any]:
        """
        Add a callback and an errback side by side at the end of the chain.

        The errback does not see errors raised by the callback added with it
        (unlike C{addCallback(cb).addErrback(eb)}).

        @param callback: called as C{callback(result, *callbackArgs,
            **callbackKeywords)} when the current result is not a Failure.
        @param errback: called as C{errback(failure, *errbackArgs,
            **errbackKeywords)} when it is; C{None} passes failures through.
        @param callbackArgs: extra positional arguments for C{callback}.
        @param callbackKeywords: extra keyword arguments for C{callback}.
        @param errbackArgs: extra positional arguments for C{errback}.
        @param errbackKeywords: extra keyword arguments for C{errback}.
        @return: this Deferred.
        @raise TypeError: if C{callback} or C{errback} is not callable.
        """
        if not callable(callback):
            raise TypeError(f"callback must be callable, not {callback!r}")
        if errback is not None and not callable(errback):
            raise TypeError(f"errback must be callable, not {errback!r}")
        cbArgs: Optional[tuple[Any, ...]] = None
        cbKw: Optional[dict[str, Any]] = None
        if callbackArgs or callbackKeywords:
            cbArgs = tuple(callbackArgs or ())
            cbKw = dict(callbackKeywords or {})
        ebArgs: Optional[tuple[Any, ...]] = None
        ebKw: Optional[dict[str, Any]] = None
        if errbackArgs or errbackKeywords:
            ebArgs = tuple(errbackArgs or ())
            ebKw = dict(errbackKeywords or {})
        self._append((callback, cbArgs, cbKw, errback, ebArgs, ebKw))
        return self

    def _append(self, item: tuple[Any, ...]) -> None:
        """
        Append a six-element callback tuple (plus the captured context) and
        run it at once if a result is available.

        @param item: C{(cb, cbArgs, cbKw, eb, ebArgs, ebKw)}.
        """
        if self.called and not self.paused and not self._runningCallbacks:
            full = (*item, None)
        else:
            full = (*item, _copyContext())
        callbacks = self._callbacks
        if callbacks is None:
            self._callbacks = [full]
        else:
            callbacks.append(full)
        if full[6] is None:
            self._runCallbacks()

    def _runNow(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        """
        Run one callback at once on a Deferred that has a result, is not
        paused, not running callbacks and has none pending (the fast path of
        the C{add*} methods: nothing is appended, no context captured).

        @param fn: the callback or errback to call with the current result.
        @param args: extra positional arguments.
        @param kwargs: extra keyword arguments.
        """
        self._runningCallbacks = True
        try:
            result = fn(self.result, *args, **kwargs) if args or kwargs else fn(self.result)
        except BaseException as e:
            result = _failureFromCallback(e)
        self._runningCallbacks = False
        cls = result.__class__
        if cls not in _plainClasses:
            if isinstance(result, _Special):
                self._settle(result)
                return
            if len(_plainClasses) < _PLAIN_CLASSES_LIMIT:
                _plainClasses.add(cls)
        self.result = result
        if self._callbacks:
            # The callback added callbacks to this Deferred.
            self._runCallbacks()

    def _settle(self, result: Any) -> None:
        """
        Store a Deferred or Failure that a callback run by L{_runNow}
        returned: chain to the Deferred, or record the failure.

        @param result: the callback's return value.
        """
        if isinstance(result, Deferred):
            if result is self:
                result = _selfReturnedFailure(result)
            elif (
                result.called
                and not result.paused
                and not result._runningCallbacks
                and not result._callbacks
            ):
                inner = result
                result = inner.result
                inner.result = None
                if inner._reporter is not None:
                    inner._reporter.failure = None
            else:
                self.called = False
                self._chainFired(result)
                return
        self.result = result
        self._runCallbacks()

    @overload
    def addCallback(
        self,
        callback: Callable[Concatenate[_T, _P], Deferred[_U]],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> Deferred[_U]: ...

    @overload
    def addCallback(
        self,
        callback: Callable[Concatenate[_T, _P], Union[Failure, _U]],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> Deferred[_U]: ...

    def addCallback(
        self,
        callback: Callable[..., Any],
        *args: Any,
        **kwargs: Any,
    ) -> Deferred[Any]:
        """
        Add a callback, with a pass-through errback, to the end of the chain.

        @param callback: called as C{callback(result, *args, **kwargs)}.
        @param args: extra positional arguments for C{callback}.
        @param kwargs: extra keyword arguments for C{callback}.
        @return: this Deferred (typed by the callback's result).
        @raise TypeError: (as a failure in the chain, when reached) if
            C{callback} is not callable.
        """
        callbacks = self._callbacks
        if self.called and not self.paused and not self._runningCallbacks:
            if not callbacks:
                result = self.result
                if result.__class__ is not Failure and not isinstance(result, Failure):
                    self._runNow(callback, args, kwargs)
                return self
            ctx = None
        else:
            ctx = _copyContext()
        item: tuple[Any, ...]
        if args or kwargs:
            item = (callback, args, kwargs, None, None, None, ctx)
        else:
            item = (callback, None, None, None, None, None, ctx)
        if callbacks is None:
            self._callbacks = [item]
        else:
            callbacks.append(item)
        if ctx is None:
            self._runCallbacks()
        return self

    @overload
    def addErrback(
        self,
        errback: Callable[Concatenate[Failure, _P], Deferred[_U]],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> Deferred[Union[_T, _U]]: ...

    @overload
    def addErrback(
        self,
        errback: Callable[Concatenate[Failure, _P], Union[Failure, _U]],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> Deferred[Union[_T, _U]]: ...

    def addErrback(
        self,
        errback: Callable[..., Any],
        *args: Any,
        **kwargs: Any,
    ) -> Deferred[Any]:
        """
        Add an errback, with a pass-through callback, to the end of the chain.

        @param errback: called as C{errback(failure, *args, **kwargs)}.
        @param args: extra positional arguments for C{errback}.
        @param kwargs: extra keyword arguments for C{errback}.
        @return: this Deferred.
        @raise TypeError: (as a failure in the chain, when reached) if
            C{errback} is not callable.
        """
        callbacks = self._callbacks
        if self.called and not self.paused and not self._runningCallbacks:
            if not callbacks:
                result = self.result
                if result.__class__ is Failure or isinstance(result, Failure):
                    reporter = self._reporter
                    if reporter is not None:
                        reporter.failure = None
                    self._runNow(errback, args, kwargs)
                return self
            ctx = None
        else:
            ctx = _copyContext()
        item: tuple[Any, ...]
        if args or kwargs:
            item = (None, None, None, errback, args, kwargs, ctx)
        else:
            item = (None, None, None, errback, None, None, ctx)
        if callbacks is None:
            self._callbacks = [item]
        else:
            callbacks.append(item)
        if ctx is None:
            self._runCallbacks()
        return self

    @overload
    def addBoth(
        self,
        callback: Callable[Concatenate[Union[_T, Failure], _P], Deferred[_U]],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> Deferred[_U]: ...

    @overload
    def addBoth(
        self,
        callback: Callable[Concatenate[Union[_T, Failure], _P], Union[Failure, _U]],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> Deferred[_U]: ...

    def addBoth(
        self,
        callback: Callable[..., Any],
        *args: Any,
        **kwargs: Any,
    ) -> Deferred[Any]:
        """
        Add the same function as both callback and errback (a C{finally}).

        @param callback: called as C{callback(resultOrFailure, *args,
            **kwargs)}.
        @param args: extra positional arguments.
        @param kwargs: extra keyword arguments.
        @return: this Deferred.
        @raise TypeError: (as a failure in the chain, when reached) if
            C{callback} is not callable.
        """
        callbacks = self._callbacks
        if self.called and not self.paused and not self._runningCallbacks:
            if not callbacks:
                reporter = self._reporter
                if reporter is not None:
                    reporter.failure = None
                self._runNow(callback, args, kwargs)
                return self
            ctx = None
        else:
            ctx = _copyContext()
        item: tuple[Any, ...]
        if args or kwargs:
            item = (callback, args, kwargs, callback, args, kwargs, ctx)
        else:
            item = (callback, None, None, callback, None, None, ctx)
        if callbacks is None:
            self._callbacks = [item]
        else:
            callbacks.append(item)
        if ctx is None:
            self._runCallbacks()
        return self

    def _addInternal(self, callback: Callable[[Any], Any]) -> None:
        """
        Add a netframe-internal both-ways callback that runs in whatever
        context fires the Deferred (it manages contexts itself).

        @param callback: called with the result or Failure.
        """
        callbacks = self._callbacks
        if callbacks is None:
            callbacks = self._callbacks = []
        callbacks.append((callback, None, None, callback, None, None, None))
        if self.called and not self.paused and not self._runningCallbacks:
            self._runCallbacks()

    def addTimeout(
        self,
        timeout: float,
        clock: _ClockLike,
        onTimeoutCancel: Optional[Callable[[Any, float], Any]] = None,
    ) -> Deferred[_T]:
        """
        Cancel this Deferred if it has no result within C{timeout} seconds.

        On expiry the Deferred is cancelled (L{cancel}); if that produces a
        L{CancelledError} failure it is replaced by L{TimeoutError}.  If the
        Deferred fires first the timer is cancelled.

        @param timeout: seconds to wait.
        @param clock: provides C{callLater} (a reactor or
            L{netframe.core.task.Clock}).
        @param onTimeoutCancel: if given, called as C{onTimeoutCancel(result,
            timeout)} with the result after a timeout-triggered cancellation;
            its return value replaces the result (the default converts a
            CancelledError failure into L{TimeoutError}).
        @return: this Deferred.
        """
        timedOut = False

        def timeItOut() -> None:
            nonlocal timedOut
            timedOut = True
            self.cancel()

        delayedCall = clock.callLater(timeout, timeItOut)

        def convertCancelled(result: Any) -> Any:
            if timedOut:
                if onTimeoutCancel is not None:
                    return onTimeoutCancel(result, timeout)
                return _cancelledToTimedOutError(result, timeout)
            return result

        def cancelTimeout(result: Any) -> Any:
            if delayedCall.active():
                delayedCall.cancel()
            return result

        callbacks = self._callbacks
        if callbacks is None:
            callbacks = self._callbacks = []
        callbacks.append((convertCancelled, None, None, convertCancelled, None, None, None))
        self._addInternal(cancelTimeout)
        return self

    def chainDeferred(self, d: Deferred[_T]) -> Deferred[None]:
        """
        Feed this Deferred's result (at this point of its chain) into C{d}.

        The same as C{self.addCallbacks(d.callback, d.errback)}; callbacks
        added to this Deferred afterwards do not affect C{d}.  This Deferred's
        result becomes C{None} once passed on.

        @param d: the Deferred to fire.
        @return: this Deferred.
        """
        d._chainedTo = self
        return self.addCallbacks(d.callback, d.errback)

    # -- firing ------------------------------------------------------------------

    def callback(self, result: Union[_T, Failure]) -> None:
        """
        Supply the successful result and run the callbacks.

        @param result: the result; must not be a Deferred (chain Deferreds by
            returning them from a callback instead).  A L{Failure} here starts
            the errback chain.
        @raise AlreadyCalledError: if the Deferred already has a result
            (except once after a L{cancel} without canceller).
        @raise TypeError: if C{result} is a Deferred.
        """
        if self.called:
            if self._canceller is _SUPPRESS_ALREADY_CALLED:
                self._canceller = None
                return
            raise AlreadyCalledError(f"{self!r} has already been called")
        if result.__class__ in _plainClasses:
            self.called = True
            self.result = result
            self._chainedTo = None
            if self._callbacks:
                self._runCallbacks()
            return
        if isinstance(result, Deferred):
            raise TypeError(f"Deferred.callback() cannot take a Deferred ({result!r})")
        self.called = True
        self.result = result
        self._chainedTo = None
        if isinstance(result, Failure):
            self._runCallbacks()
            return
        if len(_plainClasses) < _PLAIN_CLASSES_LIMIT:
            _plainClasses.add(result.__class__)
        if self._callbacks:
            self._runCallbacks()

    def errback(self, fail: Union[Failure, BaseException, None] = None) -> None:
        """
        Supply a failure and run the errbacks.

        @param fail: a L{Failure}, an exception (wrapped in a Failure), or
            C{None} to wrap the exception currently being handled.
        @raise AlreadyCalledError: if the Deferred already has a result
            (except once after a L{cancel} without canceller).
        @raise netframe.core.failure.NoCurrentExceptionError: if C{fail} is
            C{None} outside an C{except} block.
        @raise TypeError: if C{fail} is something else.
        """
        if self.called:
            if self._canceller is _SUPPRESS_ALREADY_CALLED:
                self._canceller = None
                return
            raise AlreadyCalledError(f"{self!r} has already been called")
        if fail.__class__ is not Failure and not isinstance(fail, Failure):
            if fail is None:
                fail = Failure()
            elif isinstance(fail, BaseException):
                fail = Failure(fail)
            else:
                raise TypeError(f"errback() needs a Failure or an exception, not {fail!r}")
        self.called = True
        self.result = fail
        self._chainedTo = None
        self._runCallbacks()

    def pause(self) -> None:
        """
        Stop running callbacks (even once a result arrives) until L{unpause}.
        Calls nest; the code that pauses must unpause.
        """
        self.paused += 1

    def unpause(self) -> None:
        """
        Undo one L{pause}; when none remain and a result is present, run the
        callbacks added meanwhile.  Does nothing if the Deferred is not
        paused.
        """
        if not self.paused:
            return
        self.paused -= 1
        if not self.paused and self.called:
            self._runCallbacks()

    def cancel(self) -> None:
        """
        Ask for the operation behind this Deferred to stop.  Never raises and
        may be called any number of times, even after the Deferred fired.

          - without a result: the canceller (if any) is called with this
            Deferred; if the Deferred still has no result afterwards it is
            errbacked with L{CancelledError}.  Without a canceller, one later
            L{callback}/L{errback} is then silently ignored (the operation
            did not know it was cancelled); a second one raises
            L{AlreadyCalledError}.  If the canceller raises, the Deferred is
            errbacked with that error instead.
          - waiting on another Deferred (a callback returned it): the
            cancellation is forwarded to the innermost Deferred waited on.
          - with a result: nothing happens.
        """
        d: Deferred[Any] = self
        while d.called:
            chained = d._chainedTo
            if chained is None:
                return
            d = chained
        canceller = d._canceller
        if canceller is None:
            # The operation does not know it was cancelled: its one call of
            # callback()/errback() is ignored (the canceller is not needed
            # any more, so its slot records this).
            d._canceller = _SUPPRESS_ALREADY_CALLED
        elif canceller.__class__ is _GeneratorDriver:
            canceller.cancel()
            return
        else:
            try:
                canceller(d)
            except BaseException as e:
                if not _hasResult(d):
                    d.errback(_failureFromCallback(e))
                else:
                    _log.failure(
                        "Canceller of {deferred!r} raised after firing it",
                        failure=_failureFromCallback(e),
                        deferred=d,
                    )
                return
        if not _hasResult(d):
            d.errback(_cancelledFailure())

    # -- the engine --------------------------------------------------------------

    def _runCallbacks(self) -> None:
        """
        Run pending callbacks of this Deferred and, iteratively, of every
        Deferred waiting on it.
        """
        if self._runningCallbacks:
            # A callback of this Deferred added more callbacks (or fired a
            # chain leading back here): the running loop will get to them.
            return
        stack: Optional[list[Deferred[Any]]] = None
        current: Deferred[Any] = self
        isFailure = Failure
        special = _Special
        plain = _plainClasses
        continueMarker = _CONTINUE
        while True:
            callbacks = current._callbacks
            handOff: Optional[Deferred[Any]] = None
            result = current.result
            cls = result.__class__
            failed = cls is isFailure or (cls not in plain and isinstance(result, isFailure))
            if callbacks and not current.paused:
                reporter = current._reporter
                if reporter is not None:
                    reporter.failure = None
                # The context of the code firing: callbacks captured in an
                # equal context are called directly.
                here = _copyContext()
                item: Any = None
                stopped = False
                # Set once for the whole loop: between two callbacks no user
                # code runs, so the flag only matters while one is running.
                current._runningCallbacks = True
                # A list iterator also yields items appended while it runs
                # (callbacks added by callbacks).
                for item in callbacks:
                    if failed:
                        fn = item[3]
                        if fn is None:
                            continue
                        args = item[4]
                    else:
                        fn = item[0]
                        if fn is None:
                            continue
                        args = item[1]
                    ctx = item[6]
                    try:
                        if ctx is None or ctx == here:
                            if args is None:
                                result = fn(result)
                            else:
                                result = fn(result, *args, **item[5 if failed else 2])
                        elif ctx is continueMarker:
                            # fn is the Deferred that was waiting on this one.
                            current.result = None
                            fn.result = result
                            fn._chainedTo = None
                            fn.paused -= 1
                            handOff = fn
                            stopped = True
                            break
                        elif args is None:
                            result = ctx.run(fn, result)
                        else:
                            result = ctx.run(fn, result, *args, **item[5 if failed else 2])
                    except BaseException as e:
                        result = _failureFromCallback(e)
                    cls = result.__class__
                    if cls in plain:
                        failed = False
                    elif cls is isFailure:
                        failed = True
                    elif isinstance(result, special):
                        if isinstance(result, Deferred):
                            if result is current:
                                result = _selfReturnedFailure(result)
                            elif (
                                result.called
                                and not result.paused
                                and not result._runningCallbacks
                                and not result._callbacks
                            ):
                                inner = result
                                result = inner.result
                                inner.result = None
                                innerReporter = inner._reporter
                                if innerReporter is not None:
                                    innerReporter.failure = None
                            else:
                                inner = result
                                current.result = inner
                                current._chainedTo = inner
                                current.paused += 1
                                innerCallbacks = inner._callbacks
                                if innerCallbacks is None:
                                    inner._callbacks = [
                                        (current, None, None, current, None, None, _CONTINUE)
                                    ]
                                else:
                                    innerCallbacks.append(
                                        (current, None, None, current, None, None, _CONTINUE)
                                    )
                                stopped = True
                                break
                        failed = result.__class__ is isFailure or isinstance(result, isFailure)
                    else:
                        failed = False
                        if len(plain) < _PLAIN_CLASSES_LIMIT:
                            plain.add(cls)
                    current.result = result
                    # The callback may have paused this Deferred (mypy cannot
                    # know that user code changes the attribute).
                    if current.paused:
                        stopped = True  # type: ignore[unreachable]
                        break
                current._runningCallbacks = False
                if stopped:
                    # Drop the callbacks run so far (found by identity: each
                    # tuple is a distinct object).
                    for index, other in enumerate(callbacks):  # noqa: B007
                        if other is item:
                            break
                    del callbacks[: index + 1]
                else:
                    callbacks.clear()
            if handOff is not None:
                # Continue with the waiting Deferred; come back to this one
                # afterwards (callbacks added after the continuation).
                if stack is None:
                    stack = [current]
                else:
                    stack.append(current)
                current = handOff
                continue
            if failed and not current.paused and not current._callbacks:
                result = current.result
                if result.__class__ is isFailure or isinstance(result, isFailure):
                    result.cleanFailure()
                    reporter = current._reporter
                    if reporter is None:
                        current._reporter = _UnhandledFailureReporter(result)
                    else:
                        reporter.failure = result
            if not stack:
                return
            current = stack.pop()

    def _chainFired(self, inner: Deferred[Any]) -> None:
        """
        Fire this (uncalled) Deferred with the eventual result of C{inner}, as
        if a callback had returned C{inner}.

        @param inner: the Deferred to wait on.
        """
        self.called = True
        if (
            inner.called
            and not inner.paused
            and not inner._runningCallbacks
            and not inner._callbacks
        ):
            self.result = inner.result
            inner.result = None
            if inner._reporter is not None:
                inner._reporter.failure = None
            self._runCallbacks()
            return
        self.result = inner
        self._chainedTo = inner
        self.paused += 1
        callbacks = inner._callbacks
        if callbacks is None:
            callbacks = inner._callbacks = []
        callbacks.append((self, None, None, self, None, None, _CONTINUE))

    # -- awaiting ----------------------------------------------------------------

    def __await__(self) -> Generator[Any, Any, _T]:
        """
        Wait for the result inside a coroutine driven by L{ensureDeferred}
        (or L{Deferred.fromCoroutine}): C{value = await d}.  A failure is
        raised as its exception (and counts as handled).

        @return: an iterator, as the await protocol requires: it finishes at
            once if the result is there, else yields this Deferred to the
            driver, which sends the result back in (or throws the failure).
        """
        if self.called and not (self.paused or self._runningCallbacks or self._callbacks):
            result = self.result
            cls = result.__class__
            if cls in _plainClasses:
                return result  # type: ignore[no-any-return]
            if cls is not Failure and not isinstance(result, Failure):
                if len(_plainClasses) < _PLAIN_CLASSES_LIMIT:
                    _plainClasses.add(cls)
                return result  # type: ignore[no-any-return]
            self.result = None
            if self._reporter is not None:
                self._reporter.failure = None
            result.raiseException()
        return (yield self)  # type: ignore[no-any-return]

    __iter__ = __await__

    # -- asyncio interoperation --------------------------------------------------

    def asFuture(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future[_T]:
        """
        Return an asyncio Future that completes with this Deferred's result.

        The Future is completed as soon as the Deferred fires (at once if it
        already has a result).  This Deferred's result becomes C{None} (its
        failure, if any, is considered handled by the Future).  Cancelling
        the Future cancels this Deferred; a L{CancelledError} failure of this
        Deferred cancels the Future.

        @param loop: the event loop the Future belongs to.
        @return: a new Future.
        """
        future: asyncio.Future[_T] = loop.create_future()

        def forward(result: Any) -> None:
            if future.done():
                return None
            if result.__class__ is Failure or isinstance(result, Failure):
                if result.check(CancelledError):
                    future.cancel()
                else:
                    future.set_exception(result.value)
            else:
                future.set_result(result)
            return None

        def onFutureDone(f: asyncio.Future[_T]) -> None:
            if f.cancelled():
                self.cancel()

        self._addInternal(forward)
        future.add_done_callback(onFutureDone)
        return future

    @classmethod
    def fromFuture(cls, future: asyncio.Future[_T]) -> Deferred[_T]:
        """
        Return a Deferred that fires with the result of an asyncio Future.

        An already-done Future gives an already-fired Deferred.  Cancelling
        the Deferred cancels the Future (and errbacks with
        L{CancelledError}); a cancelled Future errbacks the Deferred with
        L{CancelledError}.

        @param future: an asyncio Future (or Task).
        @return: a new Deferred.
        """

        def outcome(f: asyncio.Future[_T]) -> Any:
            if f.cancelled():
                return _cancelledFailure()
            exc = f.exception()
            if exc is not None:
                return Failure(exc)
            return f.result()

        if future.done():
            d: Deferred[_T] = cls()
            result = outcome(future)
            if isinstance(result, Failure):
                d.errback(result)
            else:
                d.callback(result)
            return d

        def cancelFuture(d: Deferred[Any]) -> None:
            future.cancel()

        d = cls(cancelFuture)

        def adapt(f: asyncio.Future[_T]) -> None:
            if d.called:
                if not f.cancelled():
                    f.exception()  # mark retrieved
                return
            result = outcome(f)
            if isinstance(result, Failure):
                d.errback(result)
            else:
                d.callback(result)

        future.add_done_callback(adapt)
        return d

    # -- coroutines ----------------------------------------------------------------

    @classmethod
    def fromCoroutine(
        cls, coro: Union[Coroutine[Any, Any, _T], Generator[Any, Any, _T]]
    ) -> Deferred[_T]:
        """
        Run a coroutine (or generator) until it finishes; return a Deferred
        for its result.

        The coroutine runs at once until its first C{await} of a Deferred
        without a result.  It runs in a copy of the current context, so the
        context variables it sets stay its own and survive every C{await}.
        Cancelling the returned Deferred cancels the Deferred being awaited;
        the L{CancelledError} is raised at the C{await}.

        @param coro: the coroutine object (C{f()} for C{async def f}).
        @return: a Deferred firing with the coroutine's return value, or
            failing with what it raised.
        @raise NotACoroutineError: if C{coro} is not a coroutine or
            generator.
        """
        if coro.__class__ is CoroutineType or isinstance(coro, (CoroutineType, GeneratorType)):
            return _runGenerator(coro, cls)
        raise NotACoroutineError(f"{coro!r} is not a coroutine")

    # -- display -------------------------------------------------------------------

    def __repr__(self) -> str:
        """
        @return: C{<Deferred at 0x...>}, plus C{ current result: ...} or
            C{ waiting on Deferred at 0x...}.
        """
        name = self.__class__.__name__
        chained = self._chainedTo
        if chained is not None:
            return f"<{name} at 0x{id(self):x} waiting on Deferred at 0x{id(chained):x}>"
        if self.called:
            return f"<{name} at 0x{id(self):x} current result: {self.result!r}>"
        return f"<{name} at 0x{id(self):x}>"

    __str__ = __repr__


# Results that need more than storing: chaining or failure handling.
_Special = (Deferred, Failure)

# Classes of callback results already known to be neither Deferreds nor
# Failures: one set lookup instead of two isinstance() checks per callback.
# Bounded so that code creating classes dynamically cannot grow it forever.
_plainClasses: set[type] = set()
_PLAIN_CLASSES_LIMIT = 1024


def _hasResult(d: Deferred[Any]) -> bool:
    """
    @param d: a Deferred.
    @return: whether it has been called (read through a function so that type
        checkers do not assume the value cannot change across calls).
    """
    return d.called


def _cancelledToTimedOutError(value: Any, timeout: float) -> Any:
    """
    Turn a CancelledError failure into a L{TimeoutError} (the default
    C{onTimeoutCancel} of L{Deferred.addTimeout}).

    @param value: the result after cancellation.
    @param timeout: the timeout that expired.
    @return: C{value} unless it is a CancelledError failure.
    @raise TimeoutError: if it is.
    """
    if isinstance(value, Failure) and value.check(CancelledError):
        raise TimeoutError(timeout, "Deferred")
    return value


def succeed(result: _T) -> Deferred[_T]:
    """
    Return a Deferred that already has the result C{result}.

    @param result: the result.
    @return: a fired Deferred.
    """
    # Every slot set here directly: cheaper than running __init__.
    d: Deferred[_T] = _newObject(Deferred)
    d.called = True
    d.paused = 0
    d.result = result
    d._callbacks = None
    d._canceller = None
    d._chainedTo = None
    d._reporter = None
    d._runningCallbacks = False
    return d


_newObject = object.__new__


def fail(result: Union[Failure, BaseException, None] = None) -> Deferred[Any]:
    """
    Return a Deferred that already failed with C{result}.

    @param result: a L{Failure}, an exception, or C{None} for the exception
        being handled.
    @return: a fired Deferred.
    @raise netframe.core.failure.NoCurrentExceptionError: if C{result} is
        C{None} outside an C{except} block.
    """
    d: Deferred[Any] = Deferred()
    d.errback(result)
    return d


@overload
def maybeDeferred(
    f: Callable[_P, Deferred[_T]], *args: _P.args, **kwargs: _P.kwargs
) -> Deferred[_T]: ...


@overload
def maybeDeferred(
    f: Callable[_P, Coroutine[Any, Any, _T]], *args: _P.args, **kwargs: _P.kwargs
) -> Deferred[_T]: ...


@overload
def maybeDeferred(
    f: Callable[_P, Union[Failure, _T]], *args: _P.args, **kwargs: _P.kwargs
) -> Deferred[_T]: ...


def maybeDeferred(f: Callable[..., Any], *args: Any, **kwargs: Any) -> Deferred[Any]:
    """
    Call C{f} and return its result as a Deferred, whatever it did.

    A Deferred is returned as is; a coroutine is run with
    L{Deferred.fromCoroutine}; a L{Failure} gives a failed Deferred; an
    exception raised by C{f} gives a failed Deferred; any other value gives a
    fired Deferred.

    @param f: the function to call.
    @param args: its positional arguments.
    @param kwargs: its keyword arguments.
    @return: a Deferred.
    """
    try:
        result = f(*args, **kwargs)
    except BaseException as e:
        return fail(_failureFromCallback(e))
    if isinstance(result, Deferred):
        return result
    if isinstance(result, Failure):
        return fail(result)
    if result.__class__ is CoroutineType:
        return Deferred.fromCoroutine(result)
    return succeed(result)


# -- inlineCallbacks / coroutine driver ---------------------------------------------


class _GeneratorDriver:
    """
    Drives a generator (inlineCallbacks) or a coroutine (ensureDeferred):
    sends each awaited result back in, loops (no recursion) while the awaited
    Deferreds already have results, and fires L{deferred} at the end.

    It is also the canceller of L{deferred} (recognised by L{Deferred.cancel}).

    @ivar gen: the generator or coroutine.
    @ivar deferred: the Deferred for its result.
    @ivar waiting: the Deferred it is waiting on, if any.
    @ivar context: the context it runs in.
    """

    __slots__ = ("context", "deferred", "gen", "waiting")

    def __init__(self, gen: Any, context: Context) -> None:
        """
        @param gen: the generator or coroutine to drive.
        @param context: the context to run it in.
        """
        self.gen = gen
        self.context = context
        self.waiting: Optional[Deferred[Any]] = None
        self.deferred: Deferred[Any]

    def __call__(self, d: Deferred[Any]) -> None:
        """
        Cancel (makes the driver usable as an ordinary canceller too).

        @param d: the Deferred being cancelled.
        """
        self.cancel()

    def cancel(self) -> None:
        """
        Cancel the Deferred being waited on, so the generator sees a
        CancelledError at its C{yield}/C{await}; if it is not waiting (it is
        running), fail the result Deferred with CancelledError at once.
        """
        waiting = self.waiting
        if waiting is not None:
            waiting.cancel()
            return
        d = self.deferred
        if not d.called:
            d.errback(_cancelledFailure())

    def resume(self, result: Any) -> Any:
        """
        Internal callback on the awaited Deferred: continue the generator.

        @param result: the awaited result or Failure.
        @return: C{None} for a failure (now handled), else C{result}.
        """
        self.waiting = None
        self.step(result)
        if result.__class__ is Failure or isinstance(result, Failure):
            return None
        return result

    def step(self, result: Any) -> None:
        """
        Send C{result} in and keep going until the generator waits or ends.

        @param result: the value (or Failure) for the pending yield/await.
        """
        gen = self.gen
        run = self.context.run
        send = gen.send
        while True:
            try:
                if result.__class__ is Failure or isinstance(result, Failure):
                    yielded = run(result.throwExceptionIntoGenerator, gen)
                else:
                    yielded = run(send, result)
            except StopIteration as e:
                self.finish(e.value)
                return
            except _DefGen_Return as e:
                self.finish(e.value)
                return
            except BaseException as e:
                self.finish(_failureFromCallback(e))
                return
            if yielded.__class__ is CoroutineType:
                yielded = Deferred.fromCoroutine(yielded)
            if isinstance(yielded, Deferred):
                if (
                    yielded.called
                    and not yielded.paused
                    and not yielded._runningCallbacks
                    and not yielded._callbacks
                ):
                    result = yielded.result
                    if result.__class__ is Failure or isinstance(result, Failure):
                        yielded.result = None
                        reporter = yielded._reporter
                        if reporter is not None:
                            reporter.failure = None
                    continue
                self.waiting = yielded
                yielded._addInternal(self.resume)
                return
            result = yielded

    def finish(self, result: Any) -> None:
        """
        Fire the result Deferred (unless it was already failed by a
        cancellation, in which case a failure is logged as unhandled).

        @param result: the return value, or a Failure.
        """
        d = self.deferred
        # The generator is done: drop the Deferred <-> driver cycle so both go
        # away by reference counting.
        d._canceller = None
        self.gen = None
        if d.called:
            if isinstance(result, Failure) and not result.check(CancelledError):
                fail(result)  # dropped at once: logged as unhandled
            return
        if isinstance(result, Deferred):
            d._chainFired(result)
        elif isinstance(result, Failure):
            d.errback(result)
        else:
            d.callback(result)


def _runGenerator(gen: Any, cls: type[Deferred[Any]] = Deferred) -> Deferred[Any]:
    """
    Start driving C{gen} and return the Deferred for its result.

    @param gen: a generator or coroutine.
    @param cls: the Deferred class to create.
    @return: the result Deferred.
    """
    driver = _GeneratorDriver(gen, _copyContext())
    d = cls(driver)
    driver.deferred = d
    driver.step(None)
    return d


def returnValue(val: object) -> NoReturn:
    """
    Return C{val} from an L{inlineCallbacks} generator (deprecated: use a
    plain C{return val}).

    @param val: the generator's result.
    @raise _DefGen_Return: always; L{inlineCallbacks} catches it.
    """
    warnings.warn(
        "returnValue() is deprecated; use 'return value' in the generator instead",
        DeprecationWarning,
        stacklevel=2,
    )
    raise _DefGen_Return(val)


def inlineCallbacks(
    f: Callable[_P, Generator[Any, Any, _T]],
) -> Callable[_P, Deferred[_T]]:
    """
    Decorate a generator function so that it can C{yield} Deferreds and get
    their results back (failures are raised at the C{yield}, so try/except
    works); calling it returns a Deferred for its C{return} value (or the
    value given to L{returnValue}).

    Yielding something that is not a Deferred gives it straight back (a
    coroutine object is run with L{Deferred.fromCoroutine} first).  Long
    loops over Deferreds that already have results do not recurse.  The
    generator runs in a copy of the caller's context, kept across yields.
    Cancelling the returned Deferred cancels the Deferred being waited on.

    @param f: a generator function.
    @return: a function returning a Deferred.
    @raise TypeError: (when the decorated function is called) if C{f} does
        not return a generator.
    """

    def unwindGenerator(*args: _P.args, **kwargs: _P.kwargs) -> Deferred[_T]:
        try:
            gen = f(*args, **kwargs)
        except _DefGen_Return:
            raise TypeError(
                f"inlineCallbacks requires {f!r} to produce a generator; "
                "instead returnValue() was called outside a generator"
            ) from None
        if gen.__class__ is not GeneratorType and not isinstance(gen, GeneratorType):
            raise TypeError(
                f"inlineCallbacks requires {f!r} to produce a generator; instead got {gen!r}"
            )
        return _runGenerator(gen)

    functools.update_wrapper(unwindGenerator, f)
    return unwindGenerator


@overload
def ensureDeferred(coro: Deferred[_T]) -> Deferred[_T]: ...


@overload
def ensureDeferred(
    coro: Union[Coroutine[Any, Any, _T], Generator[Any, Any, _T]],
) -> Deferred[_T]: ...


def ensureDeferred(
    coro: Union[Coroutine[Any, Any, _T], Generator[Any, Any, _T], Deferred[_T]],
) -> Deferred[_T]:
    """
    Return a Deferred for a coroutine's result (running it as
    L{Deferred.fromCoroutine} does), or the Deferred itself if given one.

    @param coro: a coroutine object, a generator or a Deferred.
    @return: a Deferred.
    @raise NotACoroutineError: for anything else.
    """
    if isinstance(coro, Deferred):
        return coro
    try:
        return Deferred.fromCoroutine(coro)
    except NotACoroutineError:
        raise NotACoroutineError(f"{coro!r} is not a coroutine or a Deferred") from None
