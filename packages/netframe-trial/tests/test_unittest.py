"""Tests for netframe.trial.unittest: SynchronousTestCase and TestCase."""

from __future__ import annotations

import os
import threading
import unittest as pyunit
import warnings
from typing import Any

import pytest

from netframe.core import defer
from netframe.core.failure import Failure
from netframe.logger import Logger
from netframe.trial import _testcase, unittest, util
from netframe.trial.reporter import Reporter


def runTest(klass: type, name: str, result: Any) -> Any:
    """Run one test method of C{klass} into C{result}."""
    klass(name).run(result)
    return result


def onlyError(reporter: Reporter) -> Failure:
    """Return the single error recorded."""
    assert len(reporter.errors) == 1, reporter.errors
    return reporter.errors[0][1]


class OutcomeTests:
    """Each outcome reaches the reporter once."""

    def test_passingTestIsSuccess(self, reporter: Reporter) -> None:
        """A test that returns normally is a success."""

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                self.assertEqual(1, 1)

        runTest(T, "test_x", reporter)
        assert (reporter.successes, reporter.testsRun) == (1, 1)
        assert reporter.wasSuccessful()

    def test_failingAssertionIsFailureWithTwistedMessage(self, reporter: Reporter) -> None:
        """assertEqual fails with FailTest 'not equal:\\na = ...\\nb = ...'."""

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                self.assertEqual(None, 11)

        runTest(T, "test_x", reporter)
        [(_, failure)] = reporter.failures
        assert failure.check(unittest.FailTest)
        assert str(failure.value) == "not equal:\na = None\nb = 11\n"

    def test_exceptionIsError(self, reporter: Reporter) -> None:
        """Any other exception is an error."""

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                raise ZeroDivisionError()

        runTest(T, "test_x", reporter)
        assert onlyError(reporter).check(ZeroDivisionError)

    def test_synchronousReturningDeferredIsError(self, reporter: Reporter) -> None:
        """A SynchronousTestCase method returning a Deferred errors (it is not waited for)."""

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> defer.Deferred[None]:
                return defer.succeed(None)

        runTest(T, "test_x", reporter)
        assert "use netframe.trial.unittest.TestCase" in str(onlyError(reporter).value)

    def test_synchronousCoroutineIsErrorAndClosed(self, reporter: Reporter) -> None:
        """An async def in a SynchronousTestCase errors without a never-awaited warning."""

        class T(unittest.SynchronousTestCase):
            async def test_x(self) -> None:
                pass

        runTest(T, "test_x", reporter)
        assert onlyError(reporter).check(TypeError)

    def test_standardLibraryResult(self) -> None:
        """A stdlib TestResult receives exc_info tuples."""

        class T(unittest.SynchronousTestCase):
            def test_fail(self) -> None:
                self.fail("no")

            def test_error(self) -> None:
                raise KeyError("k")

        result = pyunit.TestResult()
        runTest(T, "test_fail", result)
        runTest(T, "test_error", result)
        assert len(result.failures) == 1 and len(result.errors) == 1
        assert "KeyError" in result.errors[0][1]


class SkipTodoTests:
    """skip, SkipTest and todo."""

    def test_skipAttributeOnMethod(self, reporter: Reporter) -> None:
        """A skip attribute on the method skips it without running it."""
        ran = []

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                ran.append(1)

            test_x.skip = "disabled locally"  # type: ignore[attr-defined]

        runTest(T, "test_x", reporter)
        assert reporter.skips == [(reporter.skips[0][0], "disabled locally")]
        assert ran == []

    def test_skipAttributeOnClass(self, reporter: Reporter) -> None:
        """A skip attribute on the class skips every test."""

        class T(unittest.TestCase):
            skip = "cannot test without SSL support"

            def test_x(self) -> None:
                pass

        runTest(T, "test_x", reporter)
        assert reporter.skips[0][1] == "cannot test without SSL support"

    def test_skipTestRaised(self, reporter: Reporter) -> None:
        """Raising SkipTest (ours or the stdlib's) skips with its reason."""

        class T(unittest.SynchronousTestCase):
            def test_ours(self) -> None:
                raise unittest.SkipTest("no ssh")

            def test_stdlib(self) -> None:
                raise pyunit.SkipTest("no thing")

        runTest(T, "test_ours", reporter)
        runTest(T, "test_stdlib", reporter)
        assert [r for _, r in reporter.skips] == ["no ssh", "no thing"]

    def test_stdlibSkipDecorator(self, reporter: Reporter) -> None:
        """unittest.skip decorators are honoured."""

        class T(unittest.SynchronousTestCase):
            @pyunit.skip("decorated")
            def test_x(self) -> None:
                pass

        runTest(T, "test_x", reporter)
        assert reporter.skips[0][1] == "decorated"

    def test_todoFailingIsExpectedFailure(self, reporter: Reporter) -> None:
        """A failing todo test is an expected failure."""

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                self.fail("not yet")

            test_x.todo = "in progress"  # type: ignore[attr-defined]

        runTest(T, "test_x", reporter)
        [(_, _failure, todo)] = reporter.expectedFailures
        assert todo.reason == "in progress"
        assert reporter.wasSuccessful()

    def test_todoPassingIsUnexpectedSuccess(self, reporter: Reporter) -> None:
        """A passing todo test is an unexpected success, and the run fails."""

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                pass

            test_x.todo = "in progress"  # type: ignore[attr-defined]

        runTest(T, "test_x", reporter)
        assert len(reporter.unexpectedSuccesses) == 1
        assert not reporter.wasSuccessful()

    def test_todoWithOtherErrorTypeIsError(self, reporter: Reporter) -> None:
        """A todo naming exception types does not excuse other exceptions."""

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                raise KeyError("k")

            test_x.todo = (ValueError, "wrong type")  # type: ignore[attr-defined]

        runTest(T, "test_x", reporter)
        assert onlyError(reporter).check(KeyError)

    def test_makeTodoRejectsGarbage(self) -> None:
        """makeTodo refuses values that are neither strings nor pairs."""
        with pytest.raises(TypeError):
            unittest.makeTodo(42)

    def test_badTodoIsError(self, reporter: Reporter) -> None:
        """An unusable todo attribute is reported as an error of the test."""

        class T(unittest.SynchronousTestCase):
            todo = 42

            def test_x(self) -> None:
                pass

        runTest(T, "test_x", reporter)
        assert onlyError(reporter).check(TypeError)


class FixtureTests:
    """setUp, tearDown and cleanups."""

    def test_tearDownRunsAfterFailure(self, reporter: Reporter) -> None:
        """tearDown runs even when the test fails."""
        calls = []

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                calls.append("test")
                self.fail("x")

            def tearDown(self) -> None:
                calls.append("tearDown")

        runTest(T, "test_x", reporter)
        assert calls == ["test", "tearDown"]

    def test_setUpFailureSkipsTestAndTearDownButRunsCleanups(self, reporter: Reporter) -> None:
        """A failing setUp prevents the test and tearDown; cleanups still run."""
        calls: list[str] = []

        class T(unittest.SynchronousTestCase):
            def setUp(self) -> None:
                self.addCleanup(calls.append, "cleanup")
                raise RuntimeError("setUp")

            def test_x(self) -> None:
                calls.append("test")

            def tearDown(self) -> None:
                calls.append("tearDown")

        runTest(T, "test_x", reporter)
        assert calls == ["cleanup"]
        assert onlyError(reporter).check(RuntimeError)

    def test_cleanupsRunLastFirstAndErrorsAreReported(self, reporter: Reporter) -> None:
        """Cleanups run in reverse order; a failing cleanup is an error."""
        calls: list[int] = []

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                self.addCleanup(calls.append, 1)
                self.addCleanup(lambda: 1 / 0)
                self.addCleanup(calls.append, 3)

        runTest(T, "test_x", reporter)
        assert calls == [3, 1]
        assert onlyError(reporter).check(ZeroDivisionError)

    def test_patchRestores(self, reporter: Reporter) -> None:
        """patch replaces an attribute for the test only."""

        class Target:
            value = 1

        seen = []

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                self.patch(Target, "value", 2)
                seen.append(Target.value)

        runTest(T, "test_x", reporter)
        assert seen == [2] and Target.value == 1

    def test_mktempUniqueWithParent(self, reporter: Reporter) -> None:
        """mktemp gives distinct, not yet existing paths whose parent exists."""
        paths = []

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                paths.append(self.mktemp())
                paths.append(self.mktemp())

        runTest(T, "test_x", reporter)
        assert paths[0] != paths[1]
        for p in paths:
            assert not os.path.exists(p) and os.path.isdir(os.path.dirname(p))


class LoggedErrorAndWarningTests:
    """Errors logged and warnings emitted during a test."""

    def test_loggedErrorFailsTest(self, reporter: Reporter) -> None:
        """A failure logged during the test (not flushed) is an error of the test."""

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                try:
                    1 / 0
                except ZeroDivisionError:
                    Logger().failure("oops")

        runTest(T, "test_x", reporter)
        assert onlyError(reporter).check(ZeroDivisionError)

    def test_flushLoggedErrors(self, reporter: Reporter) -> None:
        """flushLoggedErrors(type) returns and removes matching failures."""
        flushed = []

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                for exc in (TypeError("a"), KeyError("b")):
                    Logger().failure("x", Failure(exc))
                flushed.extend(self.flushLoggedErrors(TypeError))
                flushed.extend(self.flushLoggedErrors())

        runTest(T, "test_x", reporter)
        assert [type(f.value) for f in flushed] == [TypeError, KeyError]
        assert reporter.successes == 1

    def test_flushWarnings(self, reporter: Reporter) -> None:
        """flushWarnings returns the warnings emitted in the test (TR13)."""
        counts = []

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                warnings.warn("foo is bad", stacklevel=1)
                counts.append(len(self.flushWarnings()))

        runTest(T, "test_x", reporter)
        assert counts == [1] and reporter.successes == 1

    def test_flushWarningsByFunction(self, reporter: Reporter) -> None:
        """flushWarnings([f]) only flushes warnings attributed to f's lines."""
        counts = []

        def offender() -> None:
            warnings.warn("from offender", stacklevel=1)

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                offender()
                warnings.warn("elsewhere", stacklevel=1)
                counts.append(len(self.flushWarnings([offender])))
                counts.append(len(self.flushWarnings()))

        runTest(T, "test_x", reporter)
        assert counts == [1, 1]

    def test_unflushedWarningUnderErrorFilterFailsTest(self, reporter: Reporter) -> None:
        """An unflushed warning re-emitted under an 'error' filter errors the test."""

        class T(unittest.SynchronousTestCase):
            def test_x(self) -> None:
                warnings.warn("left over", DeprecationWarning, stacklevel=1)

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            runTest(T, "test_x", reporter)
        assert onlyError(reporter).check(DeprecationWarning)


class AssertionTests:
    """The assertion vocabulary."""

    def test_aliases(self) -> None:
        """Twisted's fail*/plural spellings exist and behave like the assert* ones."""
        case = unittest.SynchronousTestCase()
        case.failUnless(True)
        case.failUnlessEqual(1, 1)
        case.assertEquals(1, 1)
        case.assertIdentical(None, None)
        case.assertNotIdentical(1, None)
        case.assertSubstring("b", "abc")
        case.assertNotSubstring("z", "abc")
        case.failUnlessIn(1, [1])
        case.failIfIn(2, [1])
        case.failIf(False)
        case.assert_(True)
        case.assertApproximates(1.0, 1.05, 0.1)
        case.failIfEqual(1, 2)
        with pytest.raises(unittest.FailTest, match="1 not in"):
            case.assertIn(1, [2])
        with pytest.raises(unittest.FailTest, match="is not"):
            case.assertIdentical(1, None)

    def test_assertRaisesReturnsException(self) -> None:
        """assertRaises returns the exception raised."""
        case = unittest.SynchronousTestCase()
        e = case.assertRaises(KeyError, {}.__getitem__, "k")
        assert isinstance(e, KeyError)

    def test_assertRaisesFailsWhenNothingRaised(self) -> None:
        """assertRaises fails, naming the returned value, when nothing is raised."""
        case = unittest.SynchronousTestCase()
        with pytest.raises(unittest.FailTest, match=r"KeyError not raised \(3 returned\)"):
            case.assertRaises(KeyError, lambda: 3)

    def test_assertRaisesContextManager(self) -> None:
        """assertRaises without a callable is a context manager."""
        case = unittest.SynchronousTestCase()
        with case.assertRaises(ValueError) as cm:
            raise ValueError("v")
        assert isinstance(cm.exception, ValueError)

    def test_assertWarnsTwistedForm(self) -> None:
        """assertWarns(category, message, filename, f) checks the warning and returns f's result."""
        case = unittest.SynchronousTestCase()

        def f() -> int:
            warnings.warn("deprecated thing", DeprecationWarning, stacklevel=1)
            return 7

        assert case.assertWarns(DeprecationWarning, "deprecated thing", __file__, f) == 7
        with pytest.raises(unittest.FailTest):
            case.assertWarns(DeprecationWarning, "other", __file__, f)

    def test_successResultOf(self) -> None:
        """successResultOf returns a fired Deferred's result; fails otherwise."""
        case = unittest.SynchronousTestCase()
        assert case.successResultOf(defer.succeed(5)) == 5
        with pytest.raises(unittest.FailTest, match="found no result"):
            case.successResultOf(defer.Deferred())
        with pytest.raises(unittest.FailTest, match="found failure result"):
            case.successResultOf(defer.fail(KeyError()))

    def test_failureResultOf(self) -> None:
        """failureResultOf returns the Failure; fails on no result, success or wrong type."""
        case = unittest.SynchronousTestCase()
        f = case.failureResultOf(defer.fail(KeyError()), KeyError)
        assert f.check(KeyError)
        with pytest.raises(unittest.FailTest, match="found no result"):
            case.failureResultOf(defer.Deferred())
        with pytest.raises(unittest.FailTest, match="found success result"):
            case.failureResultOf(defer.succeed(1))
        with pytest.raises(unittest.FailTest, match="expected"):
            case.failureResultOf(defer.fail(KeyError()), ValueError)

    def test_assertNoResult(self) -> None:
        """assertNoResult passes for an unfired Deferred and fails for a fired one."""
        case = unittest.SynchronousTestCase()
        case.assertNoResult(defer.Deferred())
        with pytest.raises(unittest.FailTest):
            case.assertNoResult(defer.succeed(1))

    def test_assertFailure(self) -> None:
        """assertFailure succeeds with the exception or fails with FailTest."""
        case = unittest.SynchronousTestCase()
        d = case.assertFailure(defer.fail(KeyError("k")), KeyError)
        assert isinstance(case.successResultOf(d), KeyError)
        d = case.assertFailure(defer.succeed(1), KeyError)
        case.failureResultOf(d, unittest.FailTest)
        d = case.assertFailure(defer.fail(ValueError()), KeyError)
        case.failureResultOf(d, unittest.FailTest)


class AsyncTestCaseTests:
    """TestCase on a (fake) reactor."""

    def test_returnedDeferredIsWaitedFor(self, fakeReactor: Any, reporter: Reporter) -> None:
        """A Deferred returned by the test is waited for and its failure counts."""

        class T(unittest.TestCase):
            def test_x(self) -> defer.Deferred[None]:
                d: defer.Deferred[int] = defer.Deferred()
                fakeReactor.callLater(5, d.callback, 3)
                return d.addCallback(self.assertEqual, 4)

        runTest(T, "test_x", reporter)
        [(_, failure)] = reporter.failures
        assert "a = 3" in str(failure.value)

    def test_asyncDefTest(self, fakeReactor: Any, reporter: Reporter) -> None:
        """An async def test runs to completion on the reactor."""
        done = []

        class T(unittest.TestCase):
            async def test_x(self) -> None:
                d: defer.Deferred[int] = defer.Deferred()
                fakeReactor.callLater(1, d.callback, 3)
                done.append(await d)

        runTest(T, "test_x", reporter)
        assert done == [3] and reporter.successes == 1

    def test_asyncFixturesAndCleanups(self, fakeReactor: Any, reporter: Reporter) -> None:
        """setUp, tearDown and cleanups may return Deferreds or be coroutines."""
        calls = []

        def later(name: str) -> defer.Deferred[None]:
            d: defer.Deferred[None] = defer.Deferred()

            def fire() -> None:
                calls.append(name)
                d.callback(None)

            fakeReactor.callLater(1, fire)
            return d

        class T(unittest.TestCase):
            def setUp(self) -> defer.Deferred[None]:  # type: ignore[override]  # trial waits for it
                self.addCleanup(later, "cleanup")
                return later("setUp")

            async def test_x(self) -> None:
                await later("test")

            async def tearDown(self) -> None:  # type: ignore[override]
                await later("tearDown")

        runTest(T, "test_x", reporter)
        assert calls == ["setUp", "test", "tearDown", "cleanup"]
        assert reporter.successes == 1

    def test_neverFiringDeferredTimesOut(self, fakeReactor: Any, reporter: Reporter) -> None:
        """A Deferred that never fires fails the test after its timeout, cancelled."""
        cancelled = []

        class T(unittest.TestCase):
            def test_x(self) -> defer.Deferred[None]:
                return defer.Deferred(lambda d: cancelled.append(True))

            test_x.timeout = 5  # type: ignore[attr-defined]

        runTest(T, "test_x", reporter)
        error = onlyError(reporter)
        assert error.check(util.TestTimeoutError, defer.TimeoutError)
        assert "test_x (test_x) still running at 5.0 secs" in str(error.value)
        assert cancelled == [True]
        assert 5 <= fakeReactor.seconds() < 6

    def test_defaultTimeout(self) -> None:
        """Without a timeout attribute the default (120 s) applies; class attribute next."""

        class T(unittest.TestCase):
            def test_x(self) -> None:
                pass

        class U(unittest.TestCase):
            timeout = 7

            def test_x(self) -> None:
                pass

        assert util.DEFAULT_TIMEOUT_DURATION == 120
        assert T("test_x").getTimeout() == 120
        assert U("test_x").getTimeout() == 7

    def test_leftoverDelayedCallIsDirtyReactor(self, fakeReactor: Any, reporter: Reporter) -> None:
        """A pending delayed call fails the test with DirtyReactorAggregateError and is cancelled."""

        class T(unittest.TestCase):
            def test_x(self) -> None:
                fakeReactor.callLater(100, lambda: None)

        runTest(T, "test_x", reporter)
        error = onlyError(reporter)
        assert error.check(unittest.DirtyReactorAggregateError)
        assert "DelayedCalls" in str(error.value)
        assert fakeReactor.getDelayedCalls() == []

    def test_leftoverSelectableIsDirtyReactorAndClosed(
        self, fakeReactor: Any, reporter: Reporter, makeSelectable: Any
    ) -> None:
        """A reader the test left open is reported, removed and disconnected."""
        left = makeSelectable("port")

        class T(unittest.TestCase):
            def test_x(self) -> None:
                fakeReactor.readers.append(left)

        runTest(T, "test_x", reporter)
        error = onlyError(reporter)
        assert "<FakeSelectable port>" in str(error.value)
        assert fakeReactor.readers == [] and len(left.lost) == 1

    def test_selectablesOpenBeforeTheTestAreNotItsFault(
        self, fakeReactor: Any, reporter: Reporter, makeSelectable: Any
    ) -> None:
        """Only selectables the test added are attributed to it."""
        fakeReactor.readers.append(makeSelectable("runner's own"))

        class T(unittest.TestCase):
            def test_x(self) -> None:
                pass

        runTest(T, "test_x", reporter)
        assert reporter.successes == 1

    def test_leftoverThreadIsReported(self, fakeReactor: Any, reporter: Reporter) -> None:
        """A thread started by the test and still running makes the reactor dirty."""
        release = threading.Event()
        threads = []

        class T(unittest.TestCase):
            def test_x(self) -> None:
                t = threading.Thread(target=release.wait, name="leftover-thread")
                t.start()
                threads.append(t)

        try:
            runTest(T, "test_x", reporter)
        finally:
            release.set()
            threads[0].join()
        assert "leftover-thread" in str(onlyError(reporter).value)

    def test_uncleanWarnings(self, fakeReactor: Any, reporter: Reporter) -> None:
        """With unclean warnings on, a dirty reactor is a warning, not an error."""

        class T(unittest.TestCase):
            def test_x(self) -> None:
                fakeReactor.callLater(100, lambda: None)

        _testcase._uncleanWarnings[0] = True
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                runTest(T, "test_x", reporter)
        finally:
            _testcase._uncleanWarnings[0] = False
        assert reporter.successes == 1
        assert any("Reactor was unclean" in str(w.message) for w in caught)

    def test_spinUntilRefusesReentry(self, fakeReactor: Any) -> None:
        """spinUntil inside a spin raises ReactorReentryError."""
        errors = []

        def inner() -> None:
            try:
                util.spinUntil(lambda: False, 1, fakeReactor)
            except util.ReactorReentryError as e:
                errors.append(e)

        fakeReactor.callLater(1, inner)
        assert util.spinUntil(lambda: bool(errors), 5, fakeReactor)

    def test_spinUntilTimesOut(self, fakeReactor: Any) -> None:
        """spinUntil returns False once its timeout passed."""
        assert util.spinUntil(lambda: False, 2, fakeReactor) is False
        assert 2 <= fakeReactor.seconds() < 2.2

    def test_waitForDeferredAlreadyFired(self, fakeReactor: Any) -> None:
        """A fired Deferred is answered without touching the reactor."""
        assert util.waitForDeferred(defer.succeed(9), 1, fakeReactor) == 9
        assert fakeReactor.iterations == 0

    def test_keyboardInterruptStopsReporterAfterCleanup(
        self, fakeReactor: Any, reporter: Reporter
    ) -> None:
        """KeyboardInterrupt in a test is an error, cleanups run, the reporter stops."""
        calls: list[str] = []

        class T(unittest.TestCase):
            def test_x(self) -> None:
                self.addCleanup(calls.append, "cleanup")
                raise KeyboardInterrupt()

        runTest(T, "test_x", reporter)
        assert calls == ["cleanup"] and reporter.shouldStop
        assert onlyError(reporter).check(KeyboardInterrupt)

    def test_keyboardInterruptReRaisedForStdlibResult(self, fakeReactor: Any) -> None:
        """With a stdlib result, KeyboardInterrupt propagates after the cleanup."""

        class T(unittest.TestCase):
            def test_x(self) -> None:
                raise KeyboardInterrupt()

        with pytest.raises(KeyboardInterrupt):
            runTest(T, "test_x", pyunit.TestResult())
