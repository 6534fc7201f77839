"""
Finding tests (L{TestLoader}) and running them (L{TrialRunner}).
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import importlib.util
import inspect
import os
import random
import re
import shutil
import sys
import unittest as pyunit
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import IO, Any

from netframe.core.failure import Failure

#: The orders tests can run in (C{--order}).
ORDERS: dict[str, str] = {
    "alphabetical": "alphabetical order of test ids (the default)",
    "toptobottom": "modules, classes and methods in source order",
}

#: How many C{_trial_temp-N} directories are tried before giving up.
MAX_TEMP_DIRECTORIES = 1000

_HEADER = re.compile(rb"-\*-(.*?)-\*-")


class ErrorHolder:
    """
    A pseudo-test standing for something that could not be loaded: running
    it reports its error (an import error, a missing name).

    @ivar description: the name that failed to load (the test id).
    @ivar error: the L{Failure}.
    """

    def __init__(self, description: str, error: Failure) -> None:
        """
        @param description: what failed to load.
        @param error: why.
        """
        self.description = description
        self.error = error

    def id(self) -> str:
        """Return the description."""
        return self.description

    def __repr__(self) -> str:
        """Return C{<ErrorHolder description=... error=...>}."""
        return f"<ErrorHolder description={self.description!r} error={self.error.value!r}>"

    def countTestCases(self) -> int:
        """An error holder counts as one test."""
        return 1

    def run(self, result: Any) -> Any:
        """Report the error to C{result}."""
        result.startTest(self)
        if getattr(result, "netframeReporter", False):
            result.addError(self, self.error)
        else:
            result.addError(self, (self.error.type, self.error.value, self.error.tb))
        result.stopTest(self)
        return result

    __call__ = run


def isTestCase(obj: object) -> bool:
    """Return whether C{obj} is a C{unittest.TestCase} subclass."""
    return isinstance(obj, type) and issubclass(obj, pyunit.TestCase)


def _isBase(cls: type) -> bool:
    """The framework's own base classes are never loaded as tests."""
    return cls.__module__ in (
        "unittest.case",
        "netframe.trial.unittest",
        "netframe.trial._testcase",
    )


def testCaseNamesFromHeader(path: str) -> list[str]:
    """
    Read the C{test-case-name} Emacs file variable from the first two lines
    of C{path} (C{# -*- test-case-name: a.b, c.d; fill-column: 75 -*-}).

    @return: the names (empty if there is no such header).
    @raise OSError: If the file cannot be read.
    """
    with open(path, "rb") as f:
        lines = [f.readline(), f.readline()]
    for line in lines:
        match = _HEADER.search(line)
        if match is None:
            continue
        for variable in match.group(1).decode("utf-8", "replace").split(";"):
            key, _, value = variable.partition(":")
            if key.strip() == "test-case-name":
                return [n.strip() for n in value.split(",") if n.strip()]
    return []


def filenameToModule(path: str) -> ModuleType:
    """
    Import the module in file (or package directory) C{path}, under its
    dotted name when its directory is a package on C{sys.path}.

    @raise ValueError: If C{path} does not exist.
    @raise ImportError: If it cannot be imported.
    """
    path = os.path.abspath(path)
    if not os.path.exists(path):
        raise ValueError(f"{path!r} does not exist")
    if os.path.isdir(path):
        directory, name = path, "__init__"
        parts: list[str] = []
        top = path
    else:
        directory, filename = os.path.split(path)
        name = os.path.splitext(filename)[0]
        parts = [name]
        top = directory
    while os.path.exists(os.path.join(top, "__init__.py")):
        top, package = os.path.split(top)
        parts.insert(0, package)
    if os.path.isdir(path) and not parts:
        raise ImportError(f"{path!r} is not a package")
    dotted = ".".join(parts)
    if top not in sys.path:
        sys.path.insert(0, top)
    return importlib.import_module(dotted)


class TestLoader:
    """
    Finds tests by name: packages (recursively, modules named C{test_*}),
    modules, C{TestCase} classes, methods, files and directories.

    @ivar methodPrefix: test method names start with this.
    @ivar modulePrefix: test module names start with this.
    @ivar order: C{"alphabetical"} or C{"toptobottom"}.
    """

    methodPrefix = "test"
    modulePrefix = "test_"

    def __init__(self, order: str = "alphabetical") -> None:
        """
        @param order: one of L{ORDERS}.
        @raise ValueError: For an unknown order.
        """
        if order not in ORDERS:
            raise ValueError(f"unknown order {order!r}: choose one of {', '.join(ORDERS)}")
        self.order = order

    # -- single objects ------------------------------------------------------

    def getTestCaseNames(self, klass: type) -> list[str]:
        """Return the names of C{klass}'s test methods, in this loader's order."""
        names = [
            name
            for name in dir(klass)
            if name.startswith(self.methodPrefix) and callable(getattr(klass, name, None))
        ]
        if self.order == "toptobottom":
            return sorted(names, key=lambda n: _sourceLine(getattr(klass, n)))
        return sorted(names)

    def loadClass(self, klass: type) -> list[Any]:
        """
        Return one test per test method of C{klass}.

        @raise TypeError: If C{klass} is not a TestCase subclass.
        """
        if not isTestCase(klass):
            raise TypeError(f"{klass!r} is not a unittest.TestCase subclass")
        return [klass(name) for name in self.getTestCaseNames(klass)]

    def loadMethod(self, klass: type, name: str) -> list[Any]:
        """Return the one test for method C{name} of C{klass}."""
        return [klass(name)]

    def _classesIn(self, module: ModuleType) -> list[type]:
        """Return the test classes bound in C{module}, in this loader's order."""
        classes = [
            obj
            for obj in vars(module).values()
            if isTestCase(obj) and not _isBase(obj) and self.getTestCaseNames(obj)
        ]
        unique = list(dict.fromkeys(classes))
        if self.order == "toptobottom":
            return sorted(unique, key=_sourceLine)
        return sorted(unique, key=lambda c: c.__qualname__)

    def loadModule(self, module: ModuleType) -> list[Any]:
        """Return every test of every test class in C{module}."""
        tests: list[Any] = []
        for klass in self._classesIn(module):
            tests.extend(self.loadClass(klass))
        return tests

    def _testModuleNames(self, package: ModuleType, recurse: bool) -> list[str]:
        """Return the dotted names of the test modules inside C{package}."""
        names: list[str] = []
        for directory in getattr(package, "__path__", []):
            for root, dirs, files in os.walk(directory):
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if recurse
                    and os.path.exists(os.path.join(root, d, "__init__.py"))
                    and not d.startswith(".")
                )
                rel = os.path.relpath(root, directory)
                prefix = package.__name__ + ("" if rel == "." else "." + rel.replace(os.sep, "."))
                for filename in sorted(files):
                    if filename.startswith(self.modulePrefix) and filename.endswith(".py"):
                        names.append(f"{prefix}.{filename[:-3]}")
        return sorted(dict.fromkeys(names))

    def loadPackage(self, package: ModuleType, recurse: bool = True) -> list[Any]:
        """
        Return the tests of every C{test_*} module in C{package} (and its
        subpackages when C{recurse}); modules that fail to import give an
        L{ErrorHolder}.
        """
        tests: list[Any] = []
        for name in self._testModuleNames(package, recurse):
            try:
                module = importlib.import_module(name)
            except BaseException as e:
                if isinstance(e, KeyboardInterrupt):
                    raise
                tests.append(ErrorHolder(name, Failure()))
                continue
            tests.extend(self.loadModule(module))
        return tests

    def loadAnything(self, obj: Any, recurse: bool = True) -> list[Any]:
        """
        Load tests from a package, module, class or test instance.

        @raise TypeError: For anything else.
        """
        if isinstance(obj, ModuleType):
            if hasattr(obj, "__path__"):
                return self.loadModule(obj) + self.loadPackage(obj, recurse)
            return self.loadModule(obj)
        if isTestCase(obj):
            return self.loadClass(obj)
        if isinstance(obj, pyunit.TestCase):
            return [obj]
        raise TypeError(f"cannot load tests from {obj!r}")

    # -- names ----------------------------------------------------------------

    def findByName(self, name: str) -> Any:
        """
        Resolve a dotted name to a module, class or method: the longest
        importable prefix, then attributes.

        @return: the object, or a C{(class, methodName)} pair for a method.
        @raise ImportError: If the module exists but fails to import.
        @raise AttributeError: If no prefix resolves.
        """
        parts = name.split(".")
        module: ModuleType | None = None
        index = len(parts)
        while index > 0:
            candidate = ".".join(parts[:index])
            try:
                module = importlib.import_module(candidate)
                break
            except ModuleNotFoundError as e:
                if e.name is None or not (
                    candidate == e.name or candidate.startswith(e.name + ".")
                ):
                    raise
                index -= 1
        if module is None:
            raise ModuleNotFoundError(f"No module named {parts[0]!r}", name=parts[0])
        obj: Any = module
        for i, attribute in enumerate(parts[index:]):
            if isTestCase(obj) and i == len(parts) - index - 1:
                if not hasattr(obj, attribute):
                    raise AttributeError(f"{obj.__qualname__} has no test {attribute!r}")
                return (obj, attribute)
            obj = getattr(obj, attribute)
        return obj

    def loadByName(self, name: str, recurse: bool = True) -> list[Any]:
        """
        Load tests by dotted name or by path (file or directory).

        Errors while loading give an L{ErrorHolder} for C{name}.
        """
        try:
            if (os.sep in name or name.endswith(".py") or os.path.isdir(name)) and os.path.exists(
                name
            ):
                return self.loadAnything(filenameToModule(name), recurse)
            found = self.findByName(name)
            if isinstance(found, tuple):
                return self.loadMethod(*found)
            return self.loadAnything(found, recurse)
        except KeyboardInterrupt:
            raise
        except BaseException:
            return [ErrorHolder(name, Failure())]

    def loadByNames(self, names: list[str], recurse: bool = True) -> list[Any]:
        """Load tests for each name; each test appears once."""
        tests: list[Any] = []
        seen: set[str] = set()
        for name in names:
            for test in self.loadByName(name, recurse):
                key = test.id()
                if key not in seen:
                    seen.add(key)
                    tests.append(test)
        return tests


def _sourceLine(obj: Any) -> int:
    """Return the first source line of a function or class (0 if unknown)."""
    obj = getattr(obj, "__func__", obj)
    code = getattr(obj, "__code__", None)
    if code is not None:
        return int(code.co_firstlineno)
    try:
        return inspect.getsourcelines(obj)[1]
    except (OSError, TypeError):
        return 0


def shuffle(tests: list[Any], seed: int) -> list[Any]:
    """Return C{tests} in a random order determined by C{seed}."""
    shuffled = list(tests)
    random.Random(seed).shuffle(shuffled)
    return shuffled


class _ClassFixtures:
    """Runs C{setUpClass} / C{tearDownClass} around consecutive tests of a class."""

    def __init__(self) -> None:
        """No class set up yet."""
        self.current: type | None = None
        self.failed: Failure | None = None

    def enter(self, test: Any) -> Failure | None:
        """Set up C{test}'s class if it changed; return the setup failure, if any."""
        klass = type(test)
        if klass is self.current:
            return self.failed
        self.leave()
        self.current = klass
        self.failed = None
        setUpClass = getattr(klass, "setUpClass", None)
        if isTestCase(klass) and setUpClass is not None:
            try:
                setUpClass()
            except BaseException as e:
                if isinstance(e, KeyboardInterrupt):
                    raise
                self.failed = Failure()
        return self.failed

    def leave(self) -> Failure | None:
        """Tear down the current class (if its setup succeeded)."""
        klass = self.current
        self.current = None
        if klass is None or self.failed is not None:
            return None
        tearDownClass = getattr(klass, "tearDownClass", None)
        if tearDownClass is not None:
            try:
                tearDownClass()
            except BaseException as e:
                if isinstance(e, KeyboardInterrupt):
                    raise
                return Failure()
        return None


def runTests(tests: list[Any], result: Any, exitFirst: bool = False) -> Any:
    """
    Run C{tests} in order, reporting to C{result}, with class fixtures.

    Stops early when C{result.shouldStop} becomes true, or after the first
    failure or error with C{exitFirst}.

    @return: C{result}.
    """
    fixtures = _ClassFixtures()
    try:
        for test in tests:
            if getattr(result, "shouldStop", False):
                break
            failed = fixtures.enter(test)
            if failed is not None:
                ErrorHolder(test.id(), failed).run(result)
            else:
                test.run(result)
            if exitFirst and not result.wasSuccessful():
                result.stop()
    finally:
        failure = fixtures.leave()
        if failure is not None:
            ErrorHolder(f"{type(tests[-1]).__qualname__}.tearDownClass", failure).run(result)
    return result


class _TempDirectory:
    """A locked C{_trial_temp} working directory (C{_trial_temp-N} when taken)."""

    def __init__(self, base: str) -> None:
        """
        @param base: the directory name to try first.
        """
        self.base = base
        self.path: str | None = None
        self._lock: str | None = None

    def acquire(self) -> str:
        """
        Lock and recreate the first free directory; return its path.

        A lock is a symlink C{<dir>.lock} naming the owner's pid; a lock whose
        process no longer exists is reclaimed.

        @raise OSError: If no directory could be locked.
        """
        for index in range(MAX_TEMP_DIRECTORIES):
            path = self.base if index == 0 else f"{self.base}-{index}"
            lock = path + ".lock"
            if self._tryLock(lock):
                if os.path.isdir(path):
                    shutil.rmtree(path, ignore_errors=True)
                os.makedirs(path, exist_ok=True)
                self.path, self._lock = os.path.abspath(path), lock
                return self.path
        raise OSError(errno.EEXIST, f"could not lock a temporary directory named {self.base}-N")

    def _tryLock(self, lock: str) -> bool:
        """Create the lock symlink, reclaiming a stale one."""
        parent = os.path.dirname(os.path.abspath(lock))
        os.makedirs(parent, exist_ok=True)
        for _ in range(2):
            try:
                os.symlink(str(os.getpid()), lock)
                return True
            except FileExistsError:
                try:
                    owner = int(os.readlink(lock))
                except (OSError, ValueError):
                    owner = -1
                if owner > 0 and _pidAlive(owner):
                    return False
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(lock)
        return False

    def release(self) -> None:
        """Remove the lock (the directory stays for inspection)."""
        if self._lock is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._lock)
            self._lock = None


def _pidAlive(pid: int) -> bool:
    """Return whether process C{pid} exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class TrialRunner:
    """
    Runs tests in the C{_trial_temp} working directory, logging to its
    C{test.log}, and reports to a reporter.

    @ivar workingDirectory: the temporary directory's base name.
    @ivar logfile: the log file name inside it.
    """

    def __init__(
        self,
        reporterFactory: Callable[..., Any],
        mode: str | None = None,
        logfile: str = "test.log",
        stream: IO[str] | None = None,
        tracebackFormat: str = "default",
        realTimeErrors: bool = False,
        uncleanWarnings: bool = False,
        workingDirectory: str = "_trial_temp",
        forceGarbageCollection: bool = False,
        debugger: Any = None,
        exitFirst: bool = False,
        extraReporters: list[Any] | None = None,
    ) -> None:
        """
        @param reporterFactory: builds the reporter (stream, tbformat,
            realtime keywords).
        @param mode: C{"debug"} to run under C{debugger}.
        @param logfile: the log file name inside the working directory.
        @param stream: where the reporter writes (default C{sys.stdout}).
        @param tracebackFormat: C{default}, C{brief} or C{verbose}.
        @param realTimeErrors: print problems as they happen.
        @param uncleanWarnings: report a dirty reactor as a warning.
        @param workingDirectory: the temporary directory's base name.
        @param forceGarbageCollection: collect garbage around each test.
        @param debugger: an object with C{runcall} (pdb-like).
        @param exitFirst: stop after the first failure or error.
        @param extraReporters: more results to report to (such as JUnit XML).
        """
        self.reporterFactory = reporterFactory
        self.mode = mode
        self.logfile = logfile
        self.stream = stream if stream is not None else sys.stdout
        self.tracebackFormat = tracebackFormat
        self.realTimeErrors = realTimeErrors
        self.uncleanWarnings = uncleanWarnings
        self.workingDirectory = workingDirectory
        self.forceGarbageCollection = forceGarbageCollection
        self.debugger = debugger
        self.exitFirst = exitFirst
        self.extraReporters = list(extraReporters or [])
        self._temp: _TempDirectory | None = None
        self._logFile: IO[str] | None = None

    def _makeResult(self) -> Any:
        """Build the reporter (plus the extra ones, as one result)."""
        reporter = self.reporterFactory(
            self.stream, tbformat=self.tracebackFormat, realtime=self.realTimeErrors
        )
        reporter.forceGarbageCollection = self.forceGarbageCollection
        if self.extraReporters:
            return DistributingResult([reporter, *self.extraReporters])
        return reporter

    @contextlib.contextmanager
    def _setUpEnvironment(self) -> Iterator[None]:
        """Enter the locked temporary directory and log to its log file."""
        from netframe.logger import globalLogBeginner, textFileLogObserver
        from netframe.trial import _testcase

        oldCwd = os.getcwd()
        temp = self._temp = _TempDirectory(self.workingDirectory)
        path = temp.acquire()
        os.chdir(path)
        _testcase.SynchronousTestCase._cwdIsTemporary = True
        _testcase._uncleanWarnings[0] = self.uncleanWarnings
        logFile = self._logFile = open(self.logfile, "a", encoding="utf-8")  # noqa: SIM115
        observer = textFileLogObserver(logFile)
        globalLogBeginner.beginLoggingTo([observer], redirectStandardIO=False)
        try:
            yield
        finally:
            from netframe.logger import globalLogPublisher

            globalLogPublisher.removeObserver(observer)
            logFile.close()
            _testcase.SynchronousTestCase._cwdIsTemporary = False
            os.chdir(oldCwd)
            temp.release()

    def _runTests(self, tests: list[Any], result: Any) -> None:
        """Run C{tests} (under the debugger in debug mode)."""
        if self.mode == "debug" and self.debugger is not None:
            self.debugger.runcall(runTests, tests, result, self.exitFirst)
        else:
            runTests(tests, result, self.exitFirst)

    def run(self, tests: list[Any]) -> Any:
        """
        Run C{tests} and print the report.

        @return: the result (its C{wasSuccessful()} is the verdict).
        """
        result = self._makeResult()
        expected = getattr(result, "expectedTests", "missing")
        if expected != "missing":
            result.expectedTests = len(tests)
        with self._setUpEnvironment():
            try:
                self._runTests(tests, result)
            except KeyboardInterrupt:
                result.stop()
                self.stream.write("\n[interrupted]\n")
        result.done()
        return result

    def runUntilFailure(self, tests: list[Any]) -> Any:
        """
        Run C{tests} again and again until a run is not successful.

        @return: the result of the last run.
        """
        count = 0
        while True:
            count += 1
            self.stream.write(f"Test Pass {count}\n")
            result = self.run(tests)
            if not result.wasSuccessful() or getattr(result, "shouldStop", False):
                return result


class DistributingResult:
    """
    Forwards every result call to several results (the console reporter and
    a JUnit XML writer, for example); answers questions from the first.
    """

    netframeReporter = True

    def __init__(self, results: list[Any]) -> None:
        """
        @param results: the results; the first is the primary one.
        """
        self.results = results

    def __getattr__(self, name: str) -> Any:
        """Read attributes from the primary result."""
        return getattr(self.results[0], name)

    def __setattr__(self, name: str, value: Any) -> None:
        """Set attributes on every result."""
        if name == "results":
            object.__setattr__(self, name, value)
            return
        for r in self.results:
            setattr(r, name, value)

    def _forward(self, method: str, *args: Any) -> None:
        """Call C{method} on every result."""
        for r in self.results:
            getattr(r, method)(*args)

    def startTest(self, test: Any) -> None:
        """Forward."""
        self._forward("startTest", test)

    def stopTest(self, test: Any) -> None:
        """Forward."""
        self._forward("stopTest", test)

    def addSuccess(self, test: Any) -> None:
        """Forward."""
        self._forward("addSuccess", test)

    def addFailure(self, test: Any, fail: Any) -> None:
        """Forward."""
        self._forward("addFailure", test, fail)

    def addError(self, test: Any, error: Any) -> None:
        """Forward."""
        self._forward("addError", test, error)

    def addSkip(self, test: Any, reason: Any) -> None:
        """Forward."""
        self._forward("addSkip", test, reason)

    def addExpectedFailure(self, test: Any, failure: Any, todo: Any = None) -> None:
        """Forward."""
        self._forward("addExpectedFailure", test, failure, todo)

    def addUnexpectedSuccess(self, test: Any, todo: Any = None) -> None:
        """Forward."""
        self._forward("addUnexpectedSuccess", test, todo)

    def stop(self) -> None:
        """Forward."""
        self._forward("stop")

    def wasSuccessful(self) -> bool:
        """Ask the primary result."""
        return bool(self.results[0].wasSuccessful())

    def done(self) -> None:
        """Forward (extra results first, so the console summary comes last)."""
        for r in self.results[1:]:
            r.done()
        self.results[0].done()
