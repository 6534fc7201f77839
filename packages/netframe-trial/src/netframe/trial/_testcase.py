"""
L{SynchronousTestCase} and L{TestCase}: standard-library compatible test
cases that understand Deferreds, coroutines, skips, todos, logged errors,
warnings and reactor hygiene.

A test's life (L{SynchronousTestCase.run}): C{startTest}; skip check;
C{setUp}; the test method; C{tearDown} (only if C{setUp} succeeded);
cleanups, last added first (always); for L{TestCase}, the janitor (leftover
delayed calls, selectables and threads become a
L{DirtyReactorAggregateError}); errors logged with a failure and not
flushed; warnings not flushed are emitted again; then one outcome is
reported and C{stopTest}.
"""

from __future__ import annotations

import gc
import inspect
import os
import sys
import tempfile
import unittest as pyunit
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from netframe.core.defer import Deferred, ensureDeferred
from netframe.core.failure import Failure
from netframe.logger import globalLogPublisher
from netframe.trial import _util
from netframe.trial._asserts import FailTest, _Assertions

__unittest = True  # hide these frames in standard-library tracebacks


class SkipTest(pyunit.SkipTest):
    """
    Raise in a test (or C{setUp}) to skip it; the argument is the reason,
    shown by the reporters and counted as a skip in the summary.  The
    standard library's C{unittest.SkipTest} works the same way.
    """


class Todo:
    """
    What a C{todo} attribute means: the test is expected to fail.

    @ivar reason: why the test is expected to fail.
    @ivar errors: the exception types that count as the expected failure
        (C{None}: any).
    """

    def __init__(self, reason: str, errors: Sequence[type[BaseException]] | None = None) -> None:
        """
        @param reason: why the test is expected to fail.
        @param errors: the exception types expected, or None for any.
        """
        self.reason = reason
        self.errors = None if errors is None else tuple(errors)

    def expected(self, failure: Failure) -> bool:
        """
        Return whether C{failure} is the expected failure.

        @param failure: what the test failed with.
        """
        if self.errors is None:
            return True
        return bool(failure.check(*self.errors))

    def __repr__(self) -> str:
        """Return C{<Todo reason=... errors=...>}."""
        return f"<Todo reason={self.reason!r} errors={self.errors!r}>"


def makeTodo(value: Any) -> Todo:
    """
    Build a L{Todo} from a C{todo} attribute value.

    @param value: a reason string, an exception type and a reason as a
        2-tuple, or a tuple of exception types and a reason.
    @return: the L{Todo}.
    @raise TypeError: For anything else.
    """
    if isinstance(value, Todo):
        return value
    if isinstance(value, str):
        return Todo(reason=value)
    if isinstance(value, tuple) and len(value) == 2:
        errors, reason = value
        if isinstance(errors, type):
            errors = (errors,)
        return Todo(reason=str(reason), errors=tuple(errors))
    raise TypeError(f"todo must be a string or an (errors, reason) tuple, not {value!r}")


#: Phases whose outcome can be an expected failure under a todo.
_TODO_PHASES = frozenset({"test"})


class _LoggedErrors:
    """A log observer collecting the failures logged during one test."""

    __slots__ = ("failures",)

    def __init__(self) -> None:
        """Start empty."""
        self.failures: list[Failure] = []

    def __call__(self, event: dict[str, Any]) -> None:
        """Keep C{log_failure} of events that carry one."""
        failure = event.get("log_failure")
        if failure is not None and isinstance(failure, Failure):
            self.failures.append(failure)


class _Outcomes:
    """What went wrong (or was skipped) during one run of a test."""

    __slots__ = ("errors", "interrupted", "skip")

    def __init__(self) -> None:
        """Nothing yet."""
        self.errors: list[tuple[str, Failure]] = []
        self.skip: str | None = None
        self.interrupted = False


def _isReporter(result: object) -> bool:
    """Return whether C{result} takes L{Failure}s and todo arguments (our reporters)."""
    return bool(getattr(result, "netframeReporter", False))


def _excInfo(failure: Failure) -> tuple[type[BaseException], BaseException, Any]:
    """Return C{failure} as an C{exc_info} tuple for standard-library results."""
    return (failure.type, failure.value, failure.tb)


class SynchronousTestCase(_Assertions):
    """
    A test case for code that does not need the reactor.

    Compatible with the standard library (and so with pytest and any
    C{unittest} runner): C{run(result)} reports to any C{TestResult}.
    Test methods, C{setUp} and C{tearDown} must not return Deferreds or
    coroutines (use L{TestCase}).

    Class or method attributes: C{skip} (a reason: the test is skipped),
    C{todo} (a reason, or C{(exceptionTypes, reason)}: the test is expected
    to fail), C{suppress} (a list of C{(action, kwargs)} pairs passed to
    C{warnings.filterwarnings} while the test runs).
    """

    #: Set by the runner when the working directory is the run's temporary
    #: directory; L{mktemp} then returns paths relative to it.
    _cwdIsTemporary = False

    def __init__(self, methodName: str = "runTest") -> None:
        """
        @param methodName: the name of the test method to run.
        @raise ValueError: If there is no such method (unless C{runTest}).
        """
        super().__init__(methodName)
        self._netframeCleanups: list[
            tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]
        ] = []
        self._loggedErrors: _LoggedErrors | None = None
        self._warnings: list[warnings.WarningMessage] | None = None

    # -- attributes -------------------------------------------------------

    def _getAttribute(self, name: str) -> Any:
        """Return attribute C{name} of the test method, else of the class, else None."""
        method = getattr(self, self._testMethodName, None)
        value = getattr(method, name, None)
        if value is None:
            value = getattr(type(self), name, None)
        return value

    def getSkip(self) -> str | None:
        """
        Return why this test is skipped (C{skip} attribute of the method or
        class, or the standard library's skip decorators), or None.
        """
        method = getattr(self, self._testMethodName, None)
        for holder in (method, type(self)):
            if getattr(holder, "__unittest_skip__", False):
                return str(getattr(holder, "__unittest_skip_why__", "") or "")
        skip = self._getAttribute("skip")
        if skip is None or skip is False:
            return None
        return str(skip)

    def getTodo(self) -> Todo | None:
        """
        Return the L{Todo} of this test (C{todo} attribute), or None.

        @raise TypeError: If the attribute has an unusable value.
        """
        todo = self._getAttribute("todo")
        if todo is None:
            return None
        return makeTodo(todo)

    def getTimeout(self) -> float | None:
        """Return how long the test may take (None: no limit, the synchronous case)."""
        return None

    # -- helpers for tests ------------------------------------------------

    def addCleanup(self, function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
        """
        Call C{function(*args, **kwargs)} after C{tearDown}, even if the test
        or C{setUp} failed; cleanups run last-added first.  In a L{TestCase}
        a cleanup may return a Deferred or a coroutine, which is waited for.

        @param function: the cleanup.
        """
        self._netframeCleanups.append((function, args, kwargs))

    def doCleanups(self) -> None:
        """
        Run the pending cleanups now (standard-library API); errors are
        raised as L{FailTest} listing them.

        @raise FailTest: If a cleanup failed.
        """
        outcomes = _Outcomes()
        self._runCleanups(outcomes, None)
        if outcomes.errors:
            raise FailTest("\n".join(f.getTraceback() for _, f in outcomes.errors))

    def patch(self, obj: object, attribute: str, value: object) -> Callable[[], None]:
        """
        Set C{obj.attribute = value} for the rest of the test; the old value
        (or its absence) is restored by a cleanup.

        @return: a function restoring the old value at once.
        """
        missing = object()
        old = getattr(obj, attribute, missing)
        setattr(obj, attribute, value)
        done = [False]

        def restore() -> None:
            if done[0]:
                return
            done[0] = True
            if old is missing:
                delattr(obj, attribute)
            else:
                setattr(obj, attribute, old)

        self.addCleanup(restore)
        return restore

    def mktemp(self) -> str:
        """
        Return a new path, unique to this test, that does not exist yet; its
        parent directory exists.  Under the C{netframe-trial} runner the path
        is relative to the run's temporary directory (the working directory);
        elsewhere it is an absolute path in the system's temporary directory.

        @return: the path.
        """
        parts = self.id().split(".")
        base = os.path.join(*[p[:64] for p in parts[-3:]])
        if type(self)._cwdIsTemporary or SynchronousTestCase._cwdIsTemporary:
            root = ""
        else:
            root = _processTempRoot()
        parent = os.path.join(root, base) if root else base
        os.makedirs(parent, exist_ok=True)
        directory = tempfile.mkdtemp(dir=parent)
        return os.path.join(directory, "temp")

    def flushLoggedErrors(self, *errorTypes: Any) -> list[Failure]:
        """
        Remove failures logged during this test from the list of errors that
        will fail it, and return them.

        @param errorTypes: only flush failures of these types (all if none).
        @return: the flushed L{Failure}s, in the order they were logged.
        """
        collector = self._loggedErrors
        if collector is None:
            return []
        if not errorTypes:
            flushed = collector.failures
            collector.failures = []
            return flushed
        flushed = [f for f in collector.failures if f.check(*errorTypes)]
        collector.failures = [f for f in collector.failures if not f.check(*errorTypes)]
        return flushed

    def flushWarnings(
        self, offendingFunctions: Sequence[Any] | None = None
    ) -> list[dict[str, Any]]:
        """
        Remove warnings emitted during this test from those reported after
        it, and return them.

        @param offendingFunctions: only warnings attributed to the source
            lines of these functions or methods (all if None).
        @return: dicts with C{message}, C{category}, C{filename}, C{lineno}.
        """
        caught = self._warnings
        if caught is None:
            return []
        keep: list[warnings.WarningMessage] = []
        flushed: list[dict[str, Any]] = []
        spans = None
        if offendingFunctions is not None:
            spans = [_sourceSpan(f) for f in offendingFunctions]
        for w in caught:
            if spans is not None and not any(
                s is not None and _sameSource(w.filename, s[0]) and s[1] <= w.lineno <= s[2]
                for s in spans
            ):
                keep.append(w)
                continue
            flushed.append(
                {
                    "message": str(w.message),
                    "category": w.category,
                    "filename": w.filename,
                    "lineno": w.lineno,
                }
            )
        caught[:] = keep
        return flushed

    # -- running ----------------------------------------------------------

    def __call__(self, result: Any = None) -> Any:
        """Run the test, reporting to C{result} (same as L{run})."""
        return self.run(result)

    def debug(self) -> None:
        """Run the test without a result; the first problem is raised."""
        result = pyunit.TestResult()
        self.run(result)
        for _, tb in result.errors + result.failures:
            raise FailTest(tb)

    def _callPhase(
        self, f: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """
        Run one phase (setUp, the test, tearDown or a cleanup) synchronously.

        @return: its result.
        @raise TypeError: If it returned a Deferred or a coroutine.
        """
        result = f(*args, **kwargs)
        if isinstance(result, Deferred) or inspect.isawaitable(result):
            if inspect.iscoroutine(result):
                result.close()
            raise TypeError(
                f"{getattr(f, '__qualname__', f)!r} returned {type(result).__name__}: "
                "SynchronousTestCase does not wait for it, use netframe.trial.unittest.TestCase"
            )
        return result

    def _runPhase(
        self,
        phase: str,
        outcomes: _Outcomes,
        f: Callable[..., Any],
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> bool:
        """
        Run one phase, recording what went wrong in C{outcomes}.

        @return: True if it succeeded.
        """
        try:
            self._callPhase(f, args, kwargs or {})
        except pyunit.SkipTest as e:
            if outcomes.skip is None:
                outcomes.skip = str(e.args[0]) if e.args else ""
            return False
        except KeyboardInterrupt:
            outcomes.interrupted = True
            outcomes.errors.append((phase, Failure()))
            return False
        except BaseException:
            outcomes.errors.append((phase, Failure()))
            return False
        return True

    def _runCleanups(self, outcomes: _Outcomes, result: Any) -> None:
        """Run every cleanup, last added first, recording errors."""
        cleanups = self._netframeCleanups
        while cleanups:
            f, args, kwargs = cleanups.pop()
            self._runPhase("cleanup", outcomes, f, args, kwargs)

    def _checkReactor(self, outcomes: _Outcomes) -> None:
        """Hook: check the reactor after the test (nothing for synchronous tests)."""

    def _beginReactor(self) -> None:
        """Hook: prepare the reactor before the test (nothing for synchronous tests)."""

    def run(self, result: Any = None) -> Any:
        """
        Run the test and report its outcome to C{result}.

        @param result: a C{unittest.TestResult} or a netframe reporter; a
            new C{TestResult} if None.
        @return: C{result}.
        @raise KeyboardInterrupt: After the test's cleanup, when interrupted
            and C{result} is not a netframe reporter (which stops instead).
        """
        if result is None:
            result = self.defaultTestResult()
        result.startTest(self)
        try:
            skip = self.getSkip()
            if skip is not None:
                result.addSkip(self, skip)
                return result
            try:
                todo = self.getTodo()
            except TypeError:
                result.addError(self, _excInfo(Failure()))
                return result
            outcomes = self._runWithHooks(result)
            self._report(result, outcomes, todo)
            if outcomes.interrupted:
                stop = getattr(result, "stop", None)
                if _isReporter(result) and stop is not None:
                    stop()
                else:
                    raise KeyboardInterrupt
        finally:
            result.stopTest(self)
        return result

    def _runWithHooks(self, result: Any) -> _Outcomes:
        """Run fixtures and test with log, warning and reactor capture around them."""
        outcomes = _Outcomes()
        collector = self._loggedErrors = _LoggedErrors()
        forceGC = bool(getattr(result, "forceGarbageCollection", False))
        if forceGC:
            gc.collect()
        globalLogPublisher.addObserver(collector)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                for action, kwargs in self._getAttribute("suppress") or ():
                    warnings.filterwarnings(action, **kwargs)
                self._warnings = caught
                self._beginReactor()
                if self._runPhase("setUp", outcomes, self.setUp):
                    method = getattr(self, self._testMethodName)
                    self._runPhase("test", outcomes, method)
                    self._runPhase("tearDown", outcomes, self.tearDown)
                self._runCleanups(outcomes, result)
                self._checkReactor(outcomes)
                if forceGC:
                    gc.collect()
        finally:
            globalLogPublisher.removeObserver(collector)
        for failure in collector.failures:
            outcomes.errors.append(("logged", failure))
        self._loggedErrors = None
        leftover = list(caught)
        self._warnings = None
        for w in leftover:
            try:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
            except BaseException:
                outcomes.errors.append(("warning", Failure()))
        return outcomes

    def _report(self, result: Any, outcomes: _Outcomes, todo: Todo | None) -> None:
        """Report the single outcome of the test to C{result}."""
        ours = _isReporter(result)
        errors = outcomes.errors
        if outcomes.skip is not None and not errors:
            result.addSkip(self, outcomes.skip)
            return
        if todo is not None:
            expected = [f for phase, f in errors if phase in _TODO_PHASES and todo.expected(f)]
            others = [(p, f) for p, f in errors if not (p in _TODO_PHASES and todo.expected(f))]
            if expected and not others:
                if ours:
                    result.addExpectedFailure(self, expected[0], todo)
                else:
                    result.addExpectedFailure(self, _excInfo(expected[0]))
                return
            if not errors:
                if ours:
                    result.addUnexpectedSuccess(self, todo)
                else:
                    result.addUnexpectedSuccess(self)
                return
            errors = others
        if not errors:
            if outcomes.skip is not None:
                result.addSkip(self, outcomes.skip)
            else:
                result.addSuccess(self)
            return
        for phase, failure in errors:
            isFailure = phase in ("test", "setUp") and failure.check(self.failureException)
            payload: Any = failure if ours else _excInfo(failure)
            if isFailure:
                result.addFailure(self, payload)
            else:
                result.addError(self, payload)


_tempRoot: list[str] = []


def _processTempRoot() -> str:
    """Return this process's directory for L{SynchronousTestCase.mktemp} paths."""
    if not _tempRoot:
        _tempRoot.append(tempfile.mkdtemp(prefix="netframe-trial-"))
    return _tempRoot[0]


def _sourceSpan(f: Any) -> tuple[str, int, int] | None:
    """Return (file, first line, last line) of a function's source, or None."""
    f = getattr(f, "__func__", f)
    code = getattr(f, "__code__", None)
    if code is None:
        return None
    try:
        lines, start = inspect.getsourcelines(f)
    except (OSError, TypeError):
        return (code.co_filename, code.co_firstlineno, sys.maxsize)
    return (code.co_filename, start, start + len(lines) - 1)


def _sameSource(a: str, b: str) -> bool:
    """Compare two source file names (absolute, without .pyc)."""
    return os.path.abspath(a.removesuffix("c")) == os.path.abspath(b.removesuffix("c"))


class TestCase(SynchronousTestCase):
    """
    A test case whose test methods, C{setUp}, C{tearDown} and cleanups may
    return Deferreds or be coroutines (C{async def}): the global reactor is
    spun (see L{netframe.trial.util.spinUntil}) until each has a result.

    C{timeout} (method or class attribute, seconds, default
    L{DEFAULT_TIMEOUT_DURATION}) bounds setUp plus the test; tearDown and
    cleanups get a fresh allowance.  A timed-out phase fails with
    L{netframe.core.defer.TimeoutError} and its Deferred is cancelled.

    After the test, leftover delayed calls, readers, writers, ports and
    connections and threads it started are cleaned and reported as an
    error (L{DirtyReactorAggregateError}; a warning with
    C{--unclean-warnings}).
    """

    def __init__(self, methodName: str = "runTest") -> None:
        """
        @param methodName: the name of the test method to run.
        """
        super().__init__(methodName)
        self._deadline: float | None = None
        self._reactor: Any = None
        self._janitor: _util._Janitor | None = None

    def getTimeout(self) -> float | None:
        """
        Return the test's C{timeout} attribute (method first, then class), or
        L{DEFAULT_TIMEOUT_DURATION}.

        @return: seconds, or None when the attribute is None... never: a
            missing or invalid value falls back to the default.
        """
        timeout = self._getAttribute("timeout")
        if timeout is None:
            return _util.DEFAULT_TIMEOUT_DURATION
        try:
            return float(timeout)
        except (TypeError, ValueError):
            return _util.DEFAULT_TIMEOUT_DURATION

    def _beginReactor(self) -> None:
        """Get the reactor and note what already runs (for the janitor)."""
        reactor = self._reactor = _util._getReactor()
        self._janitor = _util._Janitor(reactor)
        self._deadline = None

    def _callPhase(
        self, f: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """
        Run one phase; wait for a Deferred or coroutine result.

        @raise BaseException: What the phase raised or failed with.
        """
        result = f(*args, **kwargs)
        if not isinstance(result, Deferred):
            if not (inspect.iscoroutine(result) or inspect.isgenerator(result)):
                return result
            result = ensureDeferred(result)
        reactor = self._reactor
        timeout = self.getTimeout()
        if self._deadline is None and timeout is not None:
            self._deadline = reactor.seconds() + timeout
        remaining = None if self._deadline is None else max(0.0, self._deadline - reactor.seconds())
        outcome = _util._Outcome()
        result.addBoth(outcome)
        if not outcome.fired and not _util.spinUntil(lambda: outcome.fired, remaining, reactor):
            result.cancel()
            if not _util._hasFired(outcome) or isinstance(outcome.result, Failure):
                # A cancellation failure (or nothing) is the timeout's doing.
                name = getattr(f, "__name__", repr(f))
                raise _util.TestTimeoutError(timeout, self.id(), name)
        value = outcome.result
        if isinstance(value, Failure):
            value.raiseException()
        return value

    def _runCleanups(self, outcomes: _Outcomes, result: Any) -> None:
        """Run the cleanups with a fresh time allowance."""
        self._deadline = None
        super()._runCleanups(outcomes, result)

    def _runPhase(
        self,
        phase: str,
        outcomes: _Outcomes,
        f: Callable[..., Any],
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> bool:
        """Run a phase; tearDown starts a fresh time allowance."""
        if phase == "tearDown":
            self._deadline = None
        return super()._runPhase(phase, outcomes, f, args, kwargs)

    def _checkReactor(self, outcomes: _Outcomes) -> None:
        """Clean the reactor and record a L{DirtyReactorAggregateError} if needed."""
        janitor = self._janitor
        if janitor is None:
            return
        self._janitor = None
        if janitor.isClean():
            return
        error = janitor.clean()
        if error is None:
            return
        if _uncleanWarnings[0]:
            warnings.warn(str(error), _DirtyReactorWarning, stacklevel=1)
            return
        outcomes.errors.append(("reactor", Failure(error)))


class _DirtyReactorWarning(Warning):
    """The warning reported for an unclean reactor under --unclean-warnings."""


#: Set by the runner's --unclean-warnings: report a dirty reactor as a warning.
_uncleanWarnings = [False]
