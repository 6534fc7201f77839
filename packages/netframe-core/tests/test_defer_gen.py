"""
Tests for inlineCallbacks, returnValue, ensureDeferred, Deferred.fromCoroutine
and the asyncio Future bridges of netframe.core.defer.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from netframe.core.defer import (
    CancelledError,
    Deferred,
    NotACoroutineError,
    ensureDeferred,
    fail,
    inlineCallbacks,
    returnValue,
    succeed,
)
from netframe.logger import globalLogPublisher

var: contextvars.ContextVar[str] = contextvars.ContextVar("deferGenTestVar", default="unset")


@contextmanager
def capturedEvents() -> Iterator[list[dict[str, Any]]]:
    """
    Collect every log event emitted inside the block.
    """
    events: list[dict[str, Any]] = []
    globalLogPublisher.addObserver(events.append)
    try:
        yield events
    finally:
        globalLogPublisher.removeObserver(events.append)


class InlineCallbacksTests:
    """
    Generators yielding Deferreds.
    """

    def test_yieldGivesResult(self) -> None:
        """yield d gives d's result; return gives the Deferred's result."""

        @inlineCallbacks
        def f() -> Generator[Any, Any, int]:
            a: int = yield succeed(1)
            b: int = yield succeed(2)
            return a + b

        assert f().result == 3

    def test_waitsForUnfired(self) -> None:
        """The generator resumes when the yielded Deferred fires later."""
        waited: Deferred[str] = Deferred()

        @inlineCallbacks
        def f() -> Generator[Any, Any, str]:
            value: str = yield waited
            return value.upper()

        d = f()
        assert not d.called
        waited.callback("late")
        assert d.result == "LATE"

    def test_returnValueStillWorks(self) -> None:
        """returnValue() (deprecated) ends the generator with a value."""

        @inlineCallbacks
        def f() -> Generator[Any, Any, int]:
            yield succeed(None)
            returnValue(5)

        with pytest.deprecated_call():
            d = f()
        assert d.result == 5

    def test_returnValueThroughExceptBlock(self) -> None:
        """returnValue is not swallowed by except Exception in the generator."""

        @inlineCallbacks
        def f() -> Generator[Any, Any, int]:
            try:
                yield succeed(None)
                returnValue(1)
            except Exception:
                return 2
            return 3  # type: ignore[unreachable]  # returnValue never returns

        with pytest.deprecated_call():
            assert f().result == 1

    def test_exceptionPropagates(self) -> None:
        """An exception raised in the generator fails the Deferred."""

        @inlineCallbacks
        def f() -> Generator[Any, Any, None]:
            yield succeed(None)
            raise KeyError("in generator")

        d = f()
        assert d.result.check(KeyError)
        d.addErrback(lambda fl: None)

    def test_failureRaisedAtYield(self) -> None:
        """A failed Deferred raises its exception at the yield: try/except works."""

        @inlineCallbacks
        def f() -> Generator[Any, Any, str]:
            try:
                yield fail(ConnectionError("down"))
            except ConnectionError as e:
                return f"handled {e}"
            return "not reached"

        assert f().result == "handled down"

    def test_failureLaterRaisedAtYield(self) -> None:
        """A Deferred failing later raises at the pending yield."""
        waited: Deferred[int] = Deferred()

        @inlineCallbacks
        def f() -> Generator[Any, Any, str]:
            try:
                yield waited
            except ValueError:
                return "caught"
            return "no"

        d = f()
        with capturedEvents() as events:
            waited.errback(ValueError())
            gc.collect()
        assert d.result == "caught"
        assert [e for e in events if "log_failure" in e] == []

    def test_yieldNonDeferred(self) -> None:
        """Yielding something that is not a Deferred gives it straight back."""

        @inlineCallbacks
        def f() -> Generator[Any, Any, list[Any]]:
            a = yield 1
            b = yield "two"
            return [a, b]

        assert f().result == [1, "two"]

    def test_yieldCoroutine(self) -> None:
        """Yielding a coroutine runs it and gives its result."""

        async def g() -> int:
            return 4

        @inlineCallbacks
        def f() -> Generator[Any, Any, int]:
            x: int = yield g()
            return x

        assert f().result == 4

    def test_notAGenerator(self) -> None:
        """Decorating a function that does not return a generator raises TypeError on call."""

        @inlineCallbacks
        def f() -> Any:
            return 1

        with pytest.raises(TypeError):
            f()

    def test_returnValueOutsideGenerator(self) -> None:
        """returnValue in a plain decorated function raises TypeError."""

        @inlineCallbacks
        def f() -> Any:
            returnValue(1)

        with pytest.deprecated_call(), pytest.raises(TypeError):
            f()

    def test_longLoopOfFiredDeferredsNoRecursion(self) -> None:
        """100,000 yields of already-fired Deferreds do not recurse."""

        @inlineCallbacks
        def f() -> Generator[Any, Any, int]:
            total = 0
            for i in range(100_000):
                total += yield succeed(i)
            return total

        assert f().result == sum(range(100_000))

    def test_longLoopOfLaterDeferreds(self) -> None:
        """Many yields of Deferreds fired later, one at a time, work."""
        pending: list[Deferred[int]] = []

        @inlineCallbacks
        def f() -> Generator[Any, Any, int]:
            total = 0
            for _ in range(10_000):
                d: Deferred[int] = Deferred()
                pending.append(d)
                total += yield d
            return total

        result = f()
        while pending:
            pending.pop().callback(1)
        assert result.result == 10_000

    def test_cancelCancelsWaitedOn(self) -> None:
        """Cancelling the returned Deferred cancels the one being waited on."""
        cancelled: list[Deferred[int]] = []
        waited: Deferred[int] = Deferred(cancelled.append)

        @inlineCallbacks
        def f() -> Generator[Any, Any, None]:
            yield waited

        d = f()
        d.addErrback(lambda fl: fl.type)
        d.cancel()
        assert cancelled == [waited]
        assert d.result is CancelledError

    def test_cancelCaughtByGenerator(self) -> None:
        """A generator catching the CancelledError continues; its result stands."""
        first: Deferred[int] = Deferred()
        second: Deferred[int] = Deferred()

        @inlineCallbacks
        def f() -> Generator[Any, Any, str]:
            try:
                yield first
            except CancelledError:
                value = yield second
                return f"recovered {value}"
            return "not cancelled"

        d = f()
        d.cancel()
        assert not d.called
        second.callback(2)
        assert d.result == "recovered 2"

    def test_cancelWhileRunning(self) -> None:
        """A generator cancelling its own Deferred while running fails it; its end is ignored."""
        holder: list[Deferred[Any]] = []
        gate: Deferred[None] = Deferred()

        @inlineCallbacks
        def g() -> Generator[Any, Any, str]:
            yield gate
            holder[0].cancel()
            return "ignored"

        d = g()
        holder.append(d)
        d.addErrback(lambda fl: fl.type)
        gate.callback(None)
        assert d.result is CancelledError

    def test_contextPreservedAcrossYields(self) -> None:
        """Context variables set in the generator survive yields; the caller's stay unchanged."""
        waited: Deferred[None] = Deferred()
        seen: list[str] = []

        @inlineCallbacks
        def f() -> Generator[Any, Any, None]:
            var.set("generator")
            yield waited
            seen.append(var.get())

        f()
        assert var.get() == "unset"

        def fire() -> None:
            var.set("firer")
            waited.callback(None)

        contextvars.copy_context().run(fire)
        assert seen == ["generator"]

    def test_wrapsMetadata(self) -> None:
        """The decorated function keeps its name and docstring."""

        @inlineCallbacks
        def named() -> Generator[Any, Any, None]:
            """Doc."""
            yield None

        assert named.__name__ == "named"
        assert named.__doc__ == "Doc."

    def test_unhandledFailureInGenerator(self) -> None:
        """An unhandled failure of the returned Deferred is logged as soon as it is dropped."""

        @inlineCallbacks
        def f() -> Generator[Any, Any, None]:
            yield succeed(None)
            raise KeyError("lost")

        with capturedEvents() as events:
            f()
        assert (
            len([e for e in events if e.get("log_format") == "Unhandled error in Deferred:"]) == 1
        )


class CoroutineTests:
    """
    ensureDeferred / Deferred.fromCoroutine and await.
    """

    def test_awaitFired(self) -> None:
        """await on a fired Deferred gives its result at once."""

        async def f() -> int:
            return await succeed(3) + 1

        assert ensureDeferred(f()).result == 4

    def test_awaitLater(self) -> None:
        """await waits for a Deferred fired later."""
        waited: Deferred[int] = Deferred()

        async def f() -> int:
            return await waited * 2

        d = ensureDeferred(f())
        assert not d.called
        waited.callback(21)
        assert d.result == 42

    def test_awaitFailureRaises(self) -> None:
        """await on a failed Deferred raises the exception."""

        async def f() -> str:
            try:
                await fail(KeyError("k"))
            except KeyError:
                return "caught"
            return "no"

        assert ensureDeferred(f()).result == "caught"

    def test_awaitLaterFailureRaises(self) -> None:
        """A Deferred failing later raises at the await."""
        waited: Deferred[int] = Deferred()

        async def f() -> str:
            try:
                await waited
            except ValueError:
                return "caught"
            return "no"

        d = ensureDeferred(f())
        waited.errback(ValueError())
        assert d.result == "caught"

    def test_awaitNoneResultLater(self) -> None:
        """A Deferred fired later with None resumes the coroutine with None."""
        waited: Deferred[object] = Deferred()

        async def f() -> str:
            value = await waited
            return repr(value)

        d = ensureDeferred(f())
        waited.callback(None)
        assert d.result == "None"

    def test_awaitSameDeferredTwice(self) -> None:
        """A Deferred keeps its (successful) result after being awaited."""
        waited: Deferred[int] = Deferred()

        async def f() -> tuple[int, int]:
            a = await waited
            b = await waited
            return a, b

        d = ensureDeferred(f())
        waited.callback(5)
        assert d.result == (5, 5)

    def test_exceptionPropagates(self) -> None:
        """An exception raised by the coroutine fails the Deferred."""

        async def f() -> None:
            raise OSError("broken")

        d = ensureDeferred(f())
        assert d.result.check(OSError)
        d.addErrback(lambda fl: None)

    def test_ensureDeferredPassesDeferredThrough(self) -> None:
        """ensureDeferred returns a Deferred unchanged."""
        d: Deferred[int] = Deferred()
        assert ensureDeferred(d) is d

    def test_notACoroutine(self) -> None:
        """Anything else raises NotACoroutineError (a TypeError)."""
        with pytest.raises(NotACoroutineError):
            ensureDeferred(42)  # type: ignore[call-overload]
        with pytest.raises(TypeError):
            Deferred.fromCoroutine(42)  # type: ignore[arg-type]

    def test_fromCoroutine(self) -> None:
        """Deferred.fromCoroutine runs the coroutine."""

        async def f() -> str:
            return "done"

        assert Deferred.fromCoroutine(f()).result == "done"

    def test_longAwaitLoopNoRecursion(self) -> None:
        """100,000 awaits of fired Deferreds do not recurse."""

        async def f() -> int:
            total = 0
            for i in range(100_000):
                total += await succeed(i)
            return total

        assert ensureDeferred(f()).result == sum(range(100_000))

    def test_cancelCancelsAwaited(self) -> None:
        """Cancelling the coroutine's Deferred cancels the awaited one; CancelledError is raised at await."""
        waited: Deferred[int] = Deferred()
        seen: list[str] = []

        async def f() -> None:
            try:
                await waited
            except CancelledError:
                seen.append("cancelled")
                raise

        d = ensureDeferred(f())
        d.addErrback(lambda fl: fl.type)
        d.cancel()
        assert seen == ["cancelled"]
        assert d.result is CancelledError

    def test_contextPreservedAcrossAwaits(self) -> None:
        """A coroutine keeps its own context across awaits."""
        waited: Deferred[None] = Deferred()
        seen: list[str] = []

        async def f() -> None:
            var.set("coroutine")
            await waited
            seen.append(var.get())

        ensureDeferred(f())
        assert var.get() == "unset"
        waited.callback(None)
        assert seen == ["coroutine"]

    def test_returningDeferredChains(self) -> None:
        """A coroutine returning a Deferred gives that Deferred's result."""
        inner: Deferred[int] = Deferred()

        async def f() -> Deferred[int]:
            return inner

        d = ensureDeferred(f())
        assert "waiting on" in repr(d)
        inner.callback(8)
        assert d.result == 8

    def test_generatorYieldFrom(self) -> None:
        """A generator using 'yield from d' can be run by ensureDeferred."""
        waited: Deferred[int] = Deferred()

        def g() -> Generator[Any, Any, int]:
            value = yield from waited
            return value + 1

        d = ensureDeferred(g())
        waited.callback(1)
        assert d.result == 2


class FutureTests:
    """
    Deferred.fromFuture and Deferred.asFuture.
    """

    @pytest.fixture
    def loop(self) -> Iterator[asyncio.AbstractEventLoop]:
        """A fresh event loop, closed afterwards."""
        loop = asyncio.new_event_loop()
        try:
            yield loop
        finally:
            loop.close()

    def test_fromDoneFutureIsFired(self, loop: asyncio.AbstractEventLoop) -> None:
        """An already-done Future gives an already-fired Deferred."""
        future: asyncio.Future[int] = loop.create_future()
        future.set_result(3)
        assert Deferred.fromFuture(future).result == 3

    def test_fromFailedFuture(self, loop: asyncio.AbstractEventLoop) -> None:
        """An already-failed Future gives a failed Deferred."""
        future: asyncio.Future[int] = loop.create_future()
        future.set_exception(KeyError("f"))
        d = Deferred.fromFuture(future)
        assert d.result.check(KeyError)
        d.addErrback(lambda fl: None)

    def test_fromCancelledFuture(self, loop: asyncio.AbstractEventLoop) -> None:
        """A cancelled Future gives CancelledError."""
        future: asyncio.Future[int] = loop.create_future()
        future.cancel()
        d = Deferred.fromFuture(future)
        assert d.result.check(CancelledError)
        d.addErrback(lambda fl: None)

    def test_fromPendingFuture(self, loop: asyncio.AbstractEventLoop) -> None:
        """A pending Future's later result fires the Deferred (through the loop)."""
        future: asyncio.Future[int] = loop.create_future()
        d = Deferred.fromFuture(future)
        assert not d.called
        future.set_result(9)
        loop.run_until_complete(asyncio.sleep(0))
        assert d.result == 9

    def test_cancelDeferredCancelsFuture(self, loop: asyncio.AbstractEventLoop) -> None:
        """Cancelling the Deferred cancels the Future."""
        future: asyncio.Future[int] = loop.create_future()
        d = Deferred.fromFuture(future)
        d.addErrback(lambda fl: fl.type)
        d.cancel()
        assert future.cancelled()
        assert d.result is CancelledError
        loop.run_until_complete(asyncio.sleep(0))

    def test_futureCancelledLater(self, loop: asyncio.AbstractEventLoop) -> None:
        """Cancelling a pending Future errbacks the Deferred with CancelledError."""
        future: asyncio.Future[int] = loop.create_future()
        d = Deferred.fromFuture(future)
        future.cancel()
        loop.run_until_complete(asyncio.sleep(0))
        assert d.result.check(CancelledError)
        d.addErrback(lambda fl: None)

    def test_asFutureFiredIsDone(self, loop: asyncio.AbstractEventLoop) -> None:
        """asFuture on a fired Deferred gives a done Future."""
        future = succeed(5).asFuture(loop)
        assert future.done()
        assert future.result() == 5

    def test_asFutureLater(self, loop: asyncio.AbstractEventLoop) -> None:
        """The Future completes when the Deferred fires; awaitable by asyncio code."""
        d: Deferred[int] = Deferred()
        future = d.asFuture(loop)
        loop.call_soon(d.callback, 6)
        assert loop.run_until_complete(future) == 6

    def test_asFutureFailure(self, loop: asyncio.AbstractEventLoop) -> None:
        """A failure becomes the Future's exception (and counts as handled)."""
        d: Deferred[int] = Deferred()
        future = d.asFuture(loop)
        d.errback(KeyError("x"))
        assert isinstance(future.exception(), KeyError)
        assert d.result is None

    def test_asFutureCancelledDeferred(self, loop: asyncio.AbstractEventLoop) -> None:
        """A cancelled Deferred cancels the Future."""
        d: Deferred[int] = Deferred()
        future = d.asFuture(loop)
        d.cancel()
        assert future.cancelled()

    def test_cancelFutureCancelsDeferred(self, loop: asyncio.AbstractEventLoop) -> None:
        """Cancelling the Future cancels the Deferred."""
        cancelled: list[Deferred[int]] = []
        d: Deferred[int] = Deferred(cancelled.append)
        future = d.asFuture(loop)
        future.cancel()
        loop.run_until_complete(asyncio.sleep(0))
        assert cancelled == [d]
        assert d.result is None  # CancelledError, consumed by the (cancelled) Future
