"""
Reporters: the result objects tests report to, and what they print.

L{Reporter} collects outcomes and prints Twisted's summary; its subclasses
differ in what they show while tests run: L{TreeReporter} (C{verbose}, the
default: module / class / C{test_x ... [OK]} tree, coloured on a terminal),
L{VerboseTextReporter} (one line per test id), L{TextReporter} (one
character per test), L{MinimalReporter} (C{summary}: one line of numbers),
L{TimingTextReporter} (C{timing}), L{SubunitReporter} (C{subunit}, a
subunit v2 byte stream) and L{JUnitXMLReporter} (C{junitxml}).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from typing import IO, Any

from zope.interface import implementer

from netframe.core.failure import Failure
from netframe.trial.itrial import IReporter

#: The width of separators and of tree lines (Twisted's output).
LINE_WIDTH = 79

_SEPARATOR = "=" * LINE_WIDTH
_DOUBLE_SEPARATOR = "-" * LINE_WIDTH

_TRIAL_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_CORE_DEFER = os.sep + os.path.join("netframe", "core", "_defer.py")


def _toFailure(error: Any) -> Failure:
    """Normalise an C{exc_info} tuple or an exception to a L{Failure}."""
    if isinstance(error, Failure):
        return error
    if isinstance(error, tuple) and len(error) == 3:
        return Failure(error[1], error[0], error[2])
    if isinstance(error, BaseException):
        return Failure(error)
    return Failure(Exception(str(error)))


def _userFrames(tb: Any) -> Any:
    """Skip leading traceback entries that belong to netframe.trial itself."""
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(_TRIAL_DIR) or filename.endswith(_CORE_DEFER):
            tb = tb.tb_next
            continue
        break
    return tb


def formatFailure(failure: Failure) -> str:
    """
    Return the traceback of C{failure} the way the reporters print it:
    Python's format, without the test framework's own frames, with the
    exception's fully qualified class name.

    @param failure: the failure.
    @return: the text, ending in a newline.
    """
    value = failure.value
    tb = failure.tb
    if tb is None:
        return _exceptionLine(value)
    start = _userFrames(tb)
    entries = traceback.extract_tb(start if start is not None else tb)
    # Drop trailing frames inside netframe.trial (the assertion helpers).
    while len(entries) > 1 and entries[-1].filename.startswith(_TRIAL_DIR):
        entries.pop()
    lines = ["Traceback (most recent call last):\n"]
    for entry in entries:
        lines.append(f'  File "{entry.filename}", line {entry.lineno}, in {entry.name}\n')
        if entry.line:
            lines.append(f"    {entry.line.strip()}\n")
    lines.append(_exceptionLine(value))
    return "".join(lines)


def _exceptionLine(value: BaseException) -> str:
    """Return C{module.Class: message} (builtins unqualified), ending in a newline."""
    cls = type(value)
    module = cls.__module__
    name = cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"
    try:
        message = str(value)
    except BaseException:
        message = "<str() failed>"
    return f"{name}: {message}\n" if message else f"{name}\n"


@implementer(IReporter)
class Reporter:
    """
    Collects test outcomes and prints the problems and the summary.

    Compatible with the standard library's C{TestResult} methods; C{addError}
    and C{addFailure} take a L{Failure} or an C{exc_info} tuple.

    @ivar testsRun: how many tests were started.
    @ivar successes: how many passed.
    @ivar failures: C{(test, Failure)} pairs.
    @ivar errors: C{(test, Failure)} pairs.
    @ivar skips: C{(test, reason)} pairs.
    @ivar expectedFailures: C{(test, Failure, Todo)} triples.
    @ivar unexpectedSuccesses: C{(test, Todo)} pairs.
    @ivar shouldStop: set by L{Reporter.stop}: the runner starts no more tests.
    """

    #: Marks results that take Failures and todo arguments (see SynchronousTestCase.run).
    netframeReporter = True

    _colours = {"OK": "", "FAIL": "", "ERROR": "", "SKIPPED": "", "TODO": "", "SUCCESS!?!": ""}

    def __init__(
        self,
        stream: IO[str] | None = None,
        tbformat: str = "default",
        realtime: bool = False,
        publisher: Any = None,
        forceGarbageCollection: bool = False,
    ) -> None:
        """
        @param stream: where to write (default C{sys.stdout}).
        @param tbformat: C{"default"}, C{"brief"} or C{"verbose"}.
        @param realtime: print each problem as it happens (C{--rterrors}).
        @param publisher: unused; accepted for Twisted compatibility.
        @param forceGarbageCollection: collect garbage around each test.
        """
        self.stream: IO[str] = stream if stream is not None else sys.stdout
        self.tbformat = tbformat
        self.realtime = realtime
        self.forceGarbageCollection = forceGarbageCollection
        self.testsRun = 0
        self.successes = 0
        self.failures: list[tuple[Any, Failure]] = []
        self.errors: list[tuple[Any, Failure]] = []
        self.skips: list[tuple[Any, str]] = []
        self.expectedFailures: list[tuple[Any, Failure, Any]] = []
        self.unexpectedSuccesses: list[tuple[Any, Any]] = []
        self.shouldStop = False
        self._startTime = time.perf_counter()
        self._testStarted = 0.0
        self._status: dict[Any, str] = {}

    # -- writing -------------------------------------------------------------

    def _write(self, text: str) -> None:
        """Write C{text} to the stream."""
        self.stream.write(text)

    def _writeln(self, text: str = "") -> None:
        """Write C{text} and a newline."""
        self.stream.write(text + "\n")

    # -- the TestResult protocol ----------------------------------------------

    def startTest(self, test: Any) -> None:
        """Count C{test} as run and remember when it started."""
        self.testsRun += 1
        self._testStarted = time.perf_counter()

    def stopTest(self, test: Any) -> None:
        """Note the end of C{test} (subclasses print its status)."""

    def _setStatus(self, test: Any, status: str) -> None:
        """Record the status word shown for C{test} (the first problem wins)."""
        if test not in self._status or self._status[test] == "OK":
            self._status[test] = status

    def addSuccess(self, test: Any) -> None:
        """Record that C{test} passed."""
        self.successes += 1
        self._setStatus(test, "OK")

    def addFailure(self, test: Any, fail: Any) -> None:
        """Record an assertion failure of C{test}."""
        failure = _toFailure(fail)
        self.failures.append((test, failure))
        self._setStatus(test, "FAIL")
        if self.realtime:
            self._printProblem("FAIL", test, failure)

    def addError(self, test: Any, error: Any) -> None:
        """Record an error of C{test} (anything but an assertion failure)."""
        failure = _toFailure(error)
        self.errors.append((test, failure))
        self._setStatus(test, "ERROR")
        if self.realtime:
            self._printProblem("ERROR", test, failure)

    def addSkip(self, test: Any, reason: Any) -> None:
        """Record that C{test} was skipped, and why."""
        self.skips.append((test, str(reason)))
        self._setStatus(test, "SKIPPED")

    def addExpectedFailure(self, test: Any, failure: Any, todo: Any = None) -> None:
        """Record that a C{todo} test failed, as expected."""
        self.expectedFailures.append((test, _toFailure(failure), todo))
        self._setStatus(test, "TODO")

    def addUnexpectedSuccess(self, test: Any, todo: Any = None) -> None:
        """Record that a C{todo} test passed."""
        self.unexpectedSuccesses.append((test, todo))
        self._setStatus(test, "SUCCESS!?!")

    def addSubTest(self, test: Any, subtest: Any, err: Any) -> None:
        """Record a failed standard-library subtest as an error of C{test}."""
        if err is not None:
            self.addError(test, err)

    def stop(self) -> None:
        """Ask the runner to start no more tests."""
        self.shouldStop = True

    def wasSuccessful(self) -> bool:
        """
        Return whether the run passed: no failures, no errors and (as in
        Twisted) no unexpected successes.
        """
        return not (self.failures or self.errors or self.unexpectedSuccesses)

    # -- output ------------------------------------------------------------------

    def _formatFailure(self, failure: Failure) -> str:
        """Format a failure in this reporter's C{tbformat}."""
        if self.tbformat == "default":
            return formatFailure(failure)
        return failure.getTraceback(detail=self.tbformat)

    def _printProblem(self, word: str, test: Any, failure: Failure | None, text: str = "") -> None:
        """Print one problem block: separator, C{[WORD]}, details, test id."""
        self._writeln(_SEPARATOR)
        self._writeln(f"[{word}]")
        self._write(self._formatFailure(failure) if failure is not None else text + "\n")
        self._writeln()
        self._writeln(test.id())

    def _printErrors(self) -> None:
        """Print every problem block, in Twisted's order."""
        self._writeln()
        for test, reason in self.skips:
            self._printProblem("SKIPPED", test, None, reason)
        for test, failure, todo in self.expectedFailures:
            reason = getattr(todo, "reason", "")
            self._writeln(_SEPARATOR)
            self._writeln("[TODO]")
            self._writeln(f"Reason: {reason!r}")
            self._write(self._formatFailure(failure))
            self._writeln()
            self._writeln(test.id())
        if not self.realtime:
            for test, failure in self.failures:
                self._printProblem("FAIL", test, failure)
            for test, failure in self.errors:
                self._printProblem("ERROR", test, failure)
        for test, todo in self.unexpectedSuccesses:
            self._writeln(_SEPARATOR)
            self._writeln("[SUCCESS!?!]")
            self._writeln(f"Reason: {getattr(todo, 'reason', '')!r}")
            self._writeln()
            self._writeln(test.id())

    def _statusCounts(self) -> list[tuple[str, int]]:
        """Return the non-zero counts in Twisted's summary order."""
        counts = [
            ("skips", len(self.skips)),
            ("expectedFailures", len(self.expectedFailures)),
            ("failures", len(self.failures)),
            ("errors", len(self.errors)),
            ("unexpectedSuccesses", len(self.unexpectedSuccesses)),
            ("successes", self.successes),
        ]
        return [(k, v) for k, v in counts if v]

    def summaryLine(self) -> str:
        """
        Return C{PASSED (successes=N)} or C{FAILED (failures=.., errors=..)}
        (or C{PASSED} / C{FAILED} alone when nothing was counted).
        """
        word = "PASSED" if self.wasSuccessful() else "FAILED"
        counts = self._statusCounts()
        if not counts:
            return word
        return f"{word} ({', '.join(f'{k}={v}' for k, v in counts)})"

    def _printSummary(self, elapsed: float) -> None:
        """Print the separator, the count line and the verdict."""
        self._writeln(_DOUBLE_SEPARATOR)
        self._writeln(f"Ran {self.testsRun} tests in {elapsed:.3f}s")
        self._writeln()
        self._writeln(self._colourVerdict(self.summaryLine()))

    def _colourVerdict(self, line: str) -> str:
        """Hook: colour the verdict line (plain here)."""
        return line

    def done(self) -> None:
        """Print the problems and the summary (call once, after the run)."""
        elapsed = time.perf_counter() - self._startTime
        self._printErrors()
        self._printSummary(elapsed)
        self.stream.flush()


class TextReporter(Reporter):
    """Prints one character per test: C{.} C{F} C{E} C{S} C{T} C{!} (C{text})."""

    _chars = {"OK": ".", "FAIL": "F", "ERROR": "E", "SKIPPED": "S", "TODO": "T", "SUCCESS!?!": "!"}

    def stopTest(self, test: Any) -> None:
        """Print the character for C{test}'s status."""
        self._write(self._chars.get(self._status.pop(test, "OK"), "?"))
        self.stream.flush()


class VerboseTextReporter(Reporter):
    """Prints C{<test id> ... [STATUS]} per test."""

    def startTest(self, test: Any) -> None:
        """Print the test id."""
        super().startTest(test)
        self._write(f"{test.id()} ... ")

    def stopTest(self, test: Any) -> None:
        """Print the status word."""
        self._writeln(f"[{self._status.pop(test, 'OK')}]")


class TimingTextReporter(VerboseTextReporter):
    """Prints each test's status and how long it took (C{timing})."""

    def stopTest(self, test: Any) -> None:
        """Print the status word and the duration."""
        took = time.perf_counter() - self._testStarted
        self._writeln(f"[{self._status.pop(test, 'OK')}] ({took:.6f} secs)")


class MinimalReporter(Reporter):
    """
    Prints only one line after the run (C{summary}): tests run, seconds,
    failures, errors, skips, expected failures, unexpected successes,
    successes, separated by spaces.
    """

    def done(self) -> None:
        """Print the one-line summary."""
        elapsed = time.perf_counter() - self._startTime
        numbers = [
            self.testsRun,
            f"{elapsed:.3f}",
            len(self.failures),
            len(self.errors),
            len(self.skips),
            len(self.expectedFailures),
            len(self.unexpectedSuccesses),
            self.successes,
        ]
        self._writeln(" ".join(str(n) for n in numbers))
        self.stream.flush()


_ANSI = {"green": "\x1b[32m", "red": "\x1b[31m", "blue": "\x1b[34m", "yellow": "\x1b[33m"}
_RESET = "\x1b[0m"


class TreeReporter(Reporter):
    """
    Prints tests as a tree of module, class and method with the status
    right-aligned at column 79 (Twisted's default output, C{verbose}).
    Colours the status words when C{colour} is true (on a terminal).
    """

    _wordColours = {
        "OK": "green",
        "FAIL": "red",
        "ERROR": "red",
        "SKIPPED": "blue",
        "TODO": "blue",
        "SUCCESS!?!": "red",
    }

    def __init__(self, stream: IO[str] | None = None, *args: Any, **kwargs: Any) -> None:
        """Take the L{Reporter} arguments; colour when the stream is a terminal."""
        colour = kwargs.pop("colour", None)
        super().__init__(stream, *args, **kwargs)
        if colour is None:
            isatty = getattr(self.stream, "isatty", None)
            colour = bool(isatty and isatty()) and os.environ.get("NO_COLOR") is None
        self.colour = colour
        self._lastPath: list[str] = []
        self._pending = ""
        self._progressShown = False
        #: The number of tests the run will start (set by the runner); with
        #: colour on, a C{[n/total]} progress note follows the last line.
        self.expectedTests: int | None = None

    def _paint(self, text: str, colourName: str) -> str:
        """Wrap C{text} in an ANSI colour when colouring."""
        if not self.colour:
            return text
        return f"{_ANSI[colourName]}{text}{_RESET}"

    def _testPath(self, test: Any) -> tuple[list[str], str]:
        """Split a test id into its module/class segments and method name."""
        testId = test.id()
        parts = testId.split(".")
        module = getattr(type(test), "__module__", "")
        if module and testId.startswith(module + "."):
            rest = testId[len(module) + 1 :].split(".")
            return [module, *rest[:-1]], rest[-1]
        return parts[:-1] or [testId], parts[-1]

    def startTest(self, test: Any) -> None:
        """Print the module and class headings that changed, then the name."""
        super().startTest(test)
        self._clearProgress()
        segments, name = self._testPath(test)
        last = self._lastPath
        common = 0
        while common < min(len(last), len(segments)) and last[common] == segments[common]:
            common += 1
        for depth in range(common, len(segments)):
            self._writeln("  " * depth + segments[depth])
        self._lastPath = segments
        self._pending = "  " * len(segments) + name + " ... "
        self._write(self._pending)
        self.stream.flush()

    def stopTest(self, test: Any) -> None:
        """Print the status word right-aligned."""
        word = self._status.pop(test, "OK")
        label = f"[{word}]"
        pad = max(1, LINE_WIDTH - len(self._pending) - len(label))
        self._writeln(" " * pad + self._paint(label, self._wordColours.get(word, "red")))
        if self.colour and self.expectedTests:
            self._write(f"\x1b[2m[{self.testsRun}/{self.expectedTests}]\x1b[0m")
            self._progressShown = True
            self.stream.flush()

    def _clearProgress(self) -> None:
        """Erase the progress note (terminal only)."""
        if self._progressShown:
            self._write("\r\x1b[K")
            self._progressShown = False

    def _colourVerdict(self, line: str) -> str:
        """Green PASSED, red FAILED (when colouring)."""
        return self._paint(line, "green" if line.startswith("PASSED") else "red")

    def done(self) -> None:
        """Print the problems and the summary."""
        self._clearProgress()
        super().done()


class BlackAndWhiteTreeReporter(TreeReporter):
    """The tree reporter without colours (C{bwverbose})."""

    def __init__(self, stream: IO[str] | None = None, *args: Any, **kwargs: Any) -> None:
        """Take the L{Reporter} arguments; never colour."""
        kwargs["colour"] = False
        super().__init__(stream, *args, **kwargs)
