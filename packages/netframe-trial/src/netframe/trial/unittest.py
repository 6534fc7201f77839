"""
Test cases for netframe code (Twisted's C{twisted.trial.unittest}).

L{TestCase} runs test methods, C{setUp}, C{tearDown} and cleanups that
return Deferreds or are coroutines on the global reactor and checks that
each test leaves the reactor clean; L{SynchronousTestCase} is the same
without the reactor.  Both are C{unittest.TestCase} subclasses, so pytest
and the standard library's runners run them too::

    from netframe.trial import unittest

    class AdditionTests(unittest.TestCase):
        def test_add(self):
            d = asyncAdd(1, 2)
            d.addCallback(self.assertEqual, 3)
            return d

Choices where Twisted's documentation leaves room:

  - C{SkipTest} subclasses the standard library's C{unittest.SkipTest},
    and either skips a test; the standard library's skip decorators work.
  - A L{SynchronousTestCase} method returning a Deferred or a coroutine is
    an error (it would otherwise pass without being waited for).
  - C{tearDown} and cleanups get a fresh C{timeout} allowance after a
    test timed out, so they can still clean up.
  - C{subTest} is not supported.
"""

from netframe.trial import util as _publicUtil  # noqa: F401 (sets public __module__s)
from netframe.trial._asserts import FailTest
from netframe.trial._testcase import SkipTest, SynchronousTestCase, TestCase, Todo, makeTodo
from netframe.trial._util import DEFAULT_TIMEOUT_DURATION, DirtyReactorAggregateError

__all__ = [
    "DEFAULT_TIMEOUT_DURATION",
    "DirtyReactorAggregateError",
    "FailTest",
    "SkipTest",
    "SynchronousTestCase",
    "TestCase",
    "Todo",
    "makeTodo",
]

for _obj in (FailTest, SkipTest, SynchronousTestCase, TestCase, Todo, makeTodo):
    _obj.__module__ = __name__
del _obj
