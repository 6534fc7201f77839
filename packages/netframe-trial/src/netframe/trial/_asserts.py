"""
The assertion methods of L{netframe.trial.unittest.SynchronousTestCase}, with
every spelling Twisted's trial accepts (C{assert*} preferred, C{fail*} and
the plural C{assertEquals} forms kept for ported code).
"""

from __future__ import annotations

import unittest as pyunit
import warnings
from collections.abc import Callable
from pprint import pformat
from types import TracebackType
from typing import Any, Generic, NoReturn, TypeVar, overload

from netframe.core.defer import Deferred
from netframe.core.failure import Failure

__unittest = True  # hide these frames in standard-library tracebacks

_T = TypeVar("_T")
_E = TypeVar("_E", bound=BaseException)


class FailTest(AssertionError):
    """
    Raised by the assertion methods when an assertion fails; the test is
    then reported as a failure (C{[FAIL]}), not an error.
    """


class _AssertRaisesContext(Generic[_E]):
    """
    The context manager returned by C{assertRaises(exc)} without a callable.

    @ivar exception: the exception the block raised, once it has exited.
    """

    def __init__(self, testCase: _Assertions, expected: tuple[type[BaseException], ...]) -> None:
        """
        @param testCase: the test case (for its C{failureException}).
        @param expected: the exception types that must be raised.
        """
        self._testCase = testCase
        self._expected = expected
        self.exception: _E | None = None

    def __enter__(self) -> _AssertRaisesContext[_E]:
        """Start watching for the exception."""
        return self

    def __exit__(
        self,
        excType: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        """
        Swallow an expected exception; fail if none or another was raised.

        @raise FailTest: If no exception was raised; another exception type
            propagates unchanged (wrapped in the failure message).
        """
        names = " or ".join(t.__name__ for t in self._expected)
        if exc is None:
            raise self._testCase.failureException(f"{names} not raised")
        if not isinstance(exc, self._expected):
            raise self._testCase.failureException(
                f"{type(exc).__name__} raised instead of {names}:\n {Failure(exc).getTraceback()}"
            ) from exc
        self.exception = exc  # type: ignore[assignment]  # one of the expected types
        return True


def _expectedTypes(exception: Any) -> tuple[type[BaseException], ...]:
    """Normalise one exception type or a tuple of them to a tuple."""
    if isinstance(exception, tuple):
        return exception
    return (exception,)


class _Assertions(pyunit.TestCase):
    """Trial's assertion vocabulary on top of the standard library's."""

    failureException: type[BaseException] = FailTest

    def fail(self, msg: object = None) -> NoReturn:
        """
        Fail the test at once.

        @param msg: the failure message.
        @raise FailTest: Always.
        """
        raise self.failureException(msg)

    def assertFalse(self, condition: object, msg: object = None) -> None:
        """
        Fail if C{condition} is true.

        @raise FailTest: If C{condition} is true.
        """
        if condition:
            raise self.failureException(f"{condition!r} is true" if msg is None else msg)

    failIf = assertFalse  # type: ignore[assignment]

    def assertTrue(self, condition: object, msg: object = None) -> None:
        """
        Fail if C{condition} is false.

        @raise FailTest: If C{condition} is false.
        """
        if not condition:
            raise self.failureException(f"{condition!r} is false" if msg is None else msg)

    assert_ = failUnless = failUnlessTrue = assertTrue  # type: ignore[assignment]

    @overload  # type: ignore[override]
    def assertRaises(
        self, exception: type[_E] | tuple[type[_E], ...], f: None = None
    ) -> _AssertRaisesContext[_E]: ...

    @overload
    def assertRaises(
        self,
        exception: type[_E] | tuple[type[_E], ...],
        f: Callable[..., object],
        *args: Any,
        **kwargs: Any,
    ) -> _E: ...

    def assertRaises(
        self, exception: Any, f: Callable[..., Any] | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        """
        Check that calling C{f(*args, **kwargs)} raises C{exception}.

        Without C{f}, return a context manager checking its block instead.

        @param exception: an exception type or a tuple of them.
        @return: the exception raised (or the context manager).
        @raise FailTest: If nothing or another exception was raised.
        """
        expected = _expectedTypes(exception)
        if f is None:
            return _AssertRaisesContext(self, expected)
        try:
            result = f(*args, **kwargs)
        except expected as e:
            return e
        except BaseException as e:
            names = " or ".join(t.__name__ for t in expected)
            raise self.failureException(
                f"{type(e).__name__} raised instead of {names}:\n {Failure(e).getTraceback()}"
            ) from e
        names = " or ".join(t.__name__ for t in expected)
        raise self.failureException(f"{names} not raised ({result!r} returned)")

    failUnlessRaises = assertRaises  # type: ignore[assignment]

    def assertEqual(self, first: object, second: object, msg: object = None) -> None:
        """
        Fail unless C{first == second}.

        @raise FailTest: With C{not equal:\\na = <first>\\nb = <second>}.
        """
        if not first == second:  # noqa: SIM201 (== may be all a type defines)
            prefix = f"{msg}\n" if msg else ""
            raise self.failureException(
                f"{prefix}not equal:\na = {pformat(first)}\nb = {pformat(second)}\n"
            )

    assertEquals = failUnlessEqual = assertEqual

    def assertNotEqual(self, first: object, second: object, msg: object = None) -> None:
        """
        Fail if C{first == second}.

        @raise FailTest: If they are equal.
        """
        if not first != second:
            raise self.failureException(msg or f"{first!r} == {second!r}")

    assertNotEquals = failIfEqual = assertNotEqual

    def assertIs(self, first: object, second: object, msg: object = None) -> None:
        """
        Fail unless C{first is second}.

        @raise FailTest: If they are different objects.
        """
        if first is not second:
            raise self.failureException(msg or f"{first!r} is not {second!r}")

    assertIdentical = failUnlessIdentical = assertIs

    def assertIsNot(self, first: object, second: object, msg: object = None) -> None:
        """
        Fail if C{first is second}.

        @raise FailTest: If they are the same object.
        """
        if first is second:
            raise self.failureException(msg or f"{first!r} is {second!r}")

    assertNotIdentical = failIfIdentical = assertIsNot

    def assertIn(self, containee: object, container: Any, msg: object = None) -> None:
        """
        Fail unless C{containee in container}.

        @raise FailTest: If it is not in there.
        """
        if containee not in container:
            raise self.failureException(msg or f"{containee!r} not in {container!r}")

    failUnlessIn = assertIn

    def assertNotIn(self, containee: object, container: Any, msg: object = None) -> None:
        """
        Fail if C{containee in container}.

        @raise FailTest: If it is in there.
        """
        if containee in container:
            raise self.failureException(msg or f"{containee!r} in {container!r}")

    failIfIn = assertNotIn

    def assertSubstring(self, substring: Any, astring: Any, msg: object = None) -> None:
        """
        Fail unless C{substring} occurs in C{astring}.

        @raise FailTest: If it does not.
        """
        self.assertIn(substring, astring, msg)

    failUnlessSubstring = assertSubstring

    def assertNotSubstring(self, substring: Any, astring: Any, msg: object = None) -> None:
        """
        Fail if C{substring} occurs in C{astring}.

        @raise FailTest: If it does.
        """
        self.assertNotIn(substring, astring, msg)

    failIfSubstring = assertNotSubstring

    def assertApproximates(
        self, first: float, second: float, tolerance: float, msg: object = None
    ) -> None:
        """
        Fail unless C{first} and C{second} differ by at most C{tolerance}.

        @raise FailTest: If they differ more.
        """
        if abs(first - second) > tolerance:
            raise self.failureException(msg or f"{first} ~== {second}")

    failUnlessApproximates = assertApproximates

    assertAlmostEquals = failUnlessAlmostEqual = pyunit.TestCase.assertAlmostEqual
    assertNotAlmostEquals = failIfAlmostEqual = pyunit.TestCase.assertNotAlmostEqual

    def assertIsInstance(self, instance: object, classOrTuple: Any, message: object = None) -> None:
        """
        Fail unless C{instance} is an instance of C{classOrTuple}.

        @raise FailTest: If it is not.
        """
        if not isinstance(instance, classOrTuple):
            raise self.failureException(
                message or f"{instance!r} is not an instance of {classOrTuple}"
            )

    def assertNotIsInstance(
        self, instance: object, classOrTuple: Any, message: object = None
    ) -> None:
        """
        Fail if C{instance} is an instance of C{classOrTuple}.

        @raise FailTest: If it is.
        """
        if isinstance(instance, classOrTuple):
            raise self.failureException(message or f"{instance!r} is an instance of {classOrTuple}")

    def assertWarns(self, category: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """
        Check that a call emits one warning of C{category}.

        Trial's form C{assertWarns(category, message, filename, f, *args,
        **kwargs)} checks the warning's message and the file it is
        attributed to and returns C{f}'s result.  The standard library's
        forms (C{assertWarns(category, f, *args)} and the context manager)
        are kept.

        @raise FailTest: If no such warning (or more than one) was emitted or
            its message or file differ.
        """
        if len(args) >= 3 and isinstance(args[0], str) and callable(args[2]):
            message, filename, f = args[0], args[1], args[2]
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = f(*args[3:], **kwargs)
            if not caught:
                self.fail("No warnings emitted")
            first = caught[0]
            for other in caught[1:]:
                if (str(other.message), other.category) != (str(first.message), first.category):
                    self.fail("Can't handle different warnings")
            self.assertEqual(first.category, category)
            self.assertEqual(str(first.message), message)
            self.assertTrue(
                _sameFile(first.filename, filename),
                f"Warning in {first.filename!r}, expected {filename!r}",
            )
            return result
        return pyunit.TestCase.assertWarns(self, category, *args, **kwargs)

    def assertFailure(self, deferred: Deferred[Any], *expectedFailures: Any) -> Deferred[Any]:
        """
        Return a Deferred that succeeds (with the exception) if C{deferred}
        fails with one of C{expectedFailures}, and fails with L{FailTest}
        otherwise.  Return it from the test.

        @param deferred: the Deferred that should fail.
        @param expectedFailures: the acceptable exception types.
        @return: a Deferred firing with the exception instance.
        """

        def succeeded(result: object) -> NoReturn:
            raise self.failureException(f"did not catch an error, instead got {result!r}")

        def failed(failure: Failure) -> BaseException:
            if failure.check(*expectedFailures):
                return failure.value
            raise self.failureException(f"\nExpected: {expectedFailures!r}\nGot:\n{failure}")

        return deferred.addCallbacks(succeeded, failed)

    failUnlessFailure = assertFailure

    def _result(self, deferred: Deferred[Any]) -> list[Any]:
        """Read C{deferred}'s current result without consuming it."""
        results: list[Any] = []

        def grab(result: Any) -> Any:
            results.append(result)
            return result

        deferred.addBoth(grab)
        return results

    def successResultOf(self, deferred: Deferred[_T]) -> _T:
        """
        Return the result of a Deferred that has already succeeded.

        @raise FailTest: If it has no result yet or failed.
        """
        results = self._result(deferred)
        if not results:
            self.fail(f"Success result expected on {deferred!r}, found no result instead")
        result = results[0]
        if isinstance(result, Failure):
            deferred.addErrback(lambda f: None)
            self.fail(
                f"Success result expected on {deferred!r}, found failure result instead:\n"
                f"{result.getTraceback()}"
            )
        value: _T = result
        return value

    def failureResultOf(self, deferred: Deferred[Any], *expectedExceptionTypes: Any) -> Failure:
        """
        Return the L{Failure} of a Deferred that has already failed.

        @param expectedExceptionTypes: if given, the failure must be of one
            of these types.
        @raise FailTest: If it has no result yet, succeeded, or failed with
            another type.
        """
        results = self._result(deferred)
        if not results:
            self.fail(f"Failure result expected on {deferred!r}, found no result instead")
        result = results[0]
        if not isinstance(result, Failure):
            self.fail(
                f"Failure result expected on {deferred!r}, found success result ({result!r}) instead"
            )
        # The caller now owns the failure: it is not "unhandled".
        deferred.addErrback(lambda f: None)
        if expectedExceptionTypes and not result.check(*expectedExceptionTypes):
            expected = " or ".join(t.__name__ for t in expectedExceptionTypes)
            self.fail(
                f"Failure of type ({expected}) expected on {deferred!r}, found type "
                f"{result.type!r} instead: {result.getTraceback()}"
            )
        return result

    def assertNoResult(self, deferred: Deferred[Any]) -> None:
        """
        Check that C{deferred} has no result yet.

        @raise FailTest: If it has one (a failure result is then handled).
        """
        results = self._result(deferred)
        if results:
            deferred.addErrback(lambda f: None)
            self.fail(f"No result expected on {deferred!r}, found {results[0]!r} instead")


def _sameFile(a: str, b: str) -> bool:
    """Compare source file names ignoring a .pyc/.py difference."""
    if a.endswith(".pyc"):
        a = a[:-1]
    if b.endswith(".pyc"):
        b = b[:-1]
    return a == b
