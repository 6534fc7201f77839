"""
Interfaces of netframe.trial (Twisted's C{twisted.trial.itrial}).

L{IReporter} is what a test result provides; L{IReporterPlugin} describes a
reporter installed as a plugin (see L{netframe.trial.reporter}), so users can
add their own C{--reporter} choices.
"""

from __future__ import annotations

from typing import Any

from zope.interface import Attribute, Interface

__all__ = ["IReporter", "IReporterPlugin", "ITestCase"]


class ITestCase(Interface):
    """A single test: what reporters need to know about it."""

    def id() -> str:
        """Return the fully qualified name of the test."""

    def run(result: Any) -> Any:
        """Run the test, reporting to C{result}."""


class IReporter(Interface):
    """Receives the outcome of each test and prints the run's summary."""

    shouldStop = Attribute("True once the run should start no more tests.")
    testsRun = Attribute("How many tests were started.")

    def startTest(test: Any) -> None:
        """C{test} is about to run."""

    def stopTest(test: Any) -> None:
        """C{test} has finished (its outcome was reported)."""

    def addSuccess(test: Any) -> None:
        """C{test} passed."""

    def addFailure(test: Any, fail: Any) -> None:
        """C{test} failed an assertion (a Failure or an exc_info tuple)."""

    def addError(test: Any, error: Any) -> None:
        """C{test} raised an error (a Failure or an exc_info tuple)."""

    def addSkip(test: Any, reason: Any) -> None:
        """C{test} was skipped for C{reason}."""

    def addExpectedFailure(test: Any, failure: Any, todo: Any = None) -> None:
        """A C{todo} test failed as expected."""

    def addUnexpectedSuccess(test: Any, todo: Any = None) -> None:
        """A C{todo} test passed."""

    def wasSuccessful() -> bool:
        """Return whether no test failed, errored or passed unexpectedly."""

    def done() -> None:
        """The run is over: print the summary."""


class IReporterPlugin(Interface):
    """
    A reporter choice for C{netframe-trial --reporter=NAME}, found with
    C{netframe.plugin.getPlugins(IReporterPlugin)}.
    """

    tapname = Attribute("Unused, kept from Twisted's plugin description.")
    description = Attribute("One line describing the reporter (--help-reporters).")
    longOpt = Attribute("The name given to --reporter.")
    shortOpt = Attribute("A short option, or None.")
    module = Attribute("The fully qualified module name holding the reporter class.")
    klass = Attribute("The name of the reporter class in that module.")
