"""
Finding and running tests (Twisted's C{twisted.trial.runner}).

L{TestLoader} turns names into tests: packages (every C{test_*} module,
recursively), modules, C{TestCase} classes, C{Class.method} names, files
and directories; what cannot be loaded becomes an L{ErrorHolder} that
reports the error as a test error.  L{TrialRunner} runs them in a locked
C{_trial_temp} directory (C{_trial_temp-N} when another run holds it; a
lock is a C{<dir>.lock} symlink naming the owner's pid, reclaimed when that
process is gone) with the log in C{_trial_temp/test.log}.
"""

from netframe.trial._runner import (
    MAX_TEMP_DIRECTORIES,
    ORDERS,
    DistributingResult,
    ErrorHolder,
    TestLoader,
    TrialRunner,
    filenameToModule,
    isTestCase,
    runTests,
    shuffle,
    testCaseNamesFromHeader,
)

__all__ = [
    "MAX_TEMP_DIRECTORIES",
    "ORDERS",
    "DistributingResult",
    "ErrorHolder",
    "TestLoader",
    "TrialRunner",
    "filenameToModule",
    "isTestCase",
    "runTests",
    "shuffle",
    "testCaseNamesFromHeader",
]

for _obj in (
    DistributingResult,
    ErrorHolder,
    TestLoader,
    TrialRunner,
    filenameToModule,
    isTestCase,
    runTests,
    shuffle,
    testCaseNamesFromHeader,
):
    _obj.__module__ = __name__
del _obj
