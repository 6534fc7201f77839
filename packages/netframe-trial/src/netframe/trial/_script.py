"""
The C{netframe-trial} command line: options and the main function.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import IO, Any, NoReturn

from netframe.core import usage
from netframe.trial import _runner
from netframe.trial.itrial import IReporterPlugin

#: The reporter used without C{--reporter}.
DEFAULT_REPORTER = "verbose"


def _reporterPlugins() -> dict[str, Any]:
    """Return the reporter plugins by name: built-ins, then installed plugins."""
    from netframe.trial import reporterplugins

    found: dict[str, Any] = {}
    for name in reporterplugins.__all__:
        plugin = getattr(reporterplugins, name)
        if IReporterPlugin.providedBy(plugin):
            found[plugin.longOpt] = plugin
    try:
        from netframe.plugin import getPlugins

        for plugin in getPlugins(IReporterPlugin):
            found.setdefault(plugin.longOpt, plugin)
    except Exception:  # discovery problems must not break the runner
        pass
    return found


def _loadReporterClass(plugin: Any) -> Any:
    """Import a plugin's reporter class."""
    return getattr(importlib.import_module(plugin.module), plugin.klass)


class Options(usage.Options):
    """
    C{netframe-trial [options] [[file|package|module|TestCase|testmethod]...]}

    @ivar tests: the names to load, in order.
    """

    synopsis = "netframe-trial [options] [[file|package|module|TestCase|testmethod]...]"

    longdesc = (
        "netframe-trial loads and runs tests. The names given on the command line are "
        "dotted Python names (packages, modules, TestCase classes or methods), files "
        "or directories."
    )

    optFlags = [
        ["help-orders", None, "Help on available test running orders"],
        ["help-reporters", None, "Help on available output plugins (reporters)"],
        ["rterrors", "e", "realtime errors, print out tracebacks as soon as they occur"],
        ["unclean-warnings", None, "Turn dirty reactor errors into warnings"],
        ["until-failure", "u", "Repeat test until it fails"],
        ["no-recurse", "N", "Don't recurse into packages"],
        ["force-gc", None, "Have netframe-trial run gc.collect() before and after each test case."],
        ["exitfirst", "x", "Stop the test run after the first test which does not succeed."],
        ["debug", "b", "Run tests in a debugger. If that debugger is pdb, will load '.pdbrc'."],
        [
            "coverage",
            None,
            "Generate coverage information in the coverage directory of _trial_temp.",
        ],
    ]

    optParameters = [
        [
            "order",
            "o",
            None,
            "Specify what order to run test cases and methods (see --help-orders).",
        ],
        ["random", "z", None, "Run tests in random order using the specified seed"],
        ["temp-directory", None, "_trial_temp", "Path to use as working directory for tests."],
        [
            "reporter",
            None,
            DEFAULT_REPORTER,
            "The reporter to use for this test run (see --help-reporters).",
        ],
        ["reactor", "r", None, "Which reactor to use (see netframe.core.reactors for names)."],
        [
            "debugger",
            None,
            "pdb",
            "the fully qualified name of a debugger to use if --debug is passed",
        ],
        ["logfile", "l", "test.log", "log file name"],
        ["jobs", "j", None, "Number of local workers to run"],
        [
            "tbformat",
            None,
            "default",
            "Specify the format to display tracebacks with: default, brief, verbose",
        ],
        ["junit-xml", None, None, "Also write a JUnit XML (xunit2) report to this path."],
        [
            "worker-timeout",
            None,
            None,
            "With --jobs: seconds a worker may spend on one test before it is killed as hung (default 150).",
        ],
    ]

    def __init__(self) -> None:
        """Start with no tests."""
        super().__init__()
        self.tests: list[str] = []

    def opt_testmodule(self, filename: str) -> None:
        """Filename to grep for test cases (-*- test-case-name)."""
        if not os.path.isfile(filename):
            sys.stderr.write(f"File {filename!r} doesn't exist\n")
            return
        names = _runner.testCaseNamesFromHeader(filename)
        self.tests.extend(names)

    def opt_help_reporters(self) -> NoReturn:
        """Help on available output plugins (reporters)."""
        sys.stdout.write(
            "Trial's output can be customized using plugins called Reporters. You can\n"
        )
        sys.stdout.write("select any of the following reporters using --reporter=<foo>\n")
        for name, plugin in sorted(_reporterPlugins().items()):
            sys.stdout.write(f"    {name:<12}{plugin.description}\n")
        sys.exit(0)

    def opt_help_orders(self) -> NoReturn:
        """Help on available test running orders."""
        for name, description in _runner.ORDERS.items():
            sys.stdout.write(f"    {name:<15}{description}\n")
        sys.exit(0)

    def parseArgs(self, *args: str) -> None:
        """Collect the test names."""
        self.tests.extend(args)

    def postOptions(self) -> None:
        """
        Check option values.

        @raise usage.UsageError: For invalid values or combinations.
        """
        if self["order"] is not None and self["order"] not in _runner.ORDERS:
            raise usage.UsageError(
                f"--order must be one of: {', '.join(_runner.ORDERS)} (got {self['order']!r})"
            )
        if self["random"] is not None:
            try:
                self["random"] = int(self["random"])
            except ValueError:
                raise usage.UsageError(f"--random needs an integer seed, not {self['random']!r}")
            if self["order"] is not None:
                raise usage.UsageError("You can't specify --random when using --order")
        if self["jobs"] is not None:
            try:
                jobs = int(self["jobs"])
            except ValueError:
                raise usage.UsageError(f"--jobs needs a positive integer, not {self['jobs']!r}")
            if jobs < 1:
                raise usage.UsageError(f"--jobs needs a positive integer, not {jobs}")
            self["jobs"] = jobs
        if self["worker-timeout"] is not None:
            try:
                self["worker-timeout"] = float(self["worker-timeout"])
            except ValueError:
                raise usage.UsageError(
                    f"--worker-timeout needs a number of seconds, not {self['worker-timeout']!r}"
                )
            if not self["worker-timeout"] > 0:
                raise usage.UsageError("--worker-timeout must be positive")
        if self["jobs"] is not None:
            for conflict in ("debug", "until-failure"):
                if self[conflict]:
                    raise usage.UsageError(f"You can't specify --{conflict} when using --jobs")
        if self["tbformat"] not in ("default", "brief", "verbose"):
            raise usage.UsageError(
                f"--tbformat must be default, brief or verbose, not {self['tbformat']!r}"
            )
        plugins = _reporterPlugins()
        if self["reporter"] not in plugins:
            raise usage.UsageError(
                f"unknown reporter {self['reporter']!r}: choose one of {', '.join(sorted(plugins))}"
            )
        if self["coverage"]:
            try:
                importlib.import_module("coverage")
            except ImportError:
                raise usage.UsageError(
                    "--coverage needs coverage.py: install it with 'pip install coverage'"
                )


def _getDebugger(name: str) -> Any:
    """
    Return a debugger object (with C{runcall}) from its fully qualified name.

    @raise usage.UsageError: If it cannot be imported or has no C{runcall}.
    """
    moduleName, _, attribute = name.rpartition(".")
    try:
        if moduleName:
            try:
                obj: Any = getattr(importlib.import_module(moduleName), attribute)
            except (ImportError, AttributeError):
                obj = importlib.import_module(name)
        else:
            obj = importlib.import_module(name)
    except ImportError as e:
        raise usage.UsageError(f"cannot import debugger {name!r}: {e}")
    if hasattr(obj, "Pdb") and not hasattr(obj, "runcall"):
        obj = obj.Pdb()
    elif isinstance(obj, type):
        obj = obj()
    if not hasattr(obj, "runcall"):
        raise usage.UsageError(f"debugger {name!r} has no runcall method")
    return obj


def _loadTests(config: Options) -> list[Any]:
    """Load, order and shuffle the tests named in C{config}."""
    loader = _runner.TestLoader(order=config["order"] or "alphabetical")
    tests = loader.loadByNames(config.tests, recurse=not config["no-recurse"])
    if config["random"] is not None:
        seed = config["random"]
        sys.stdout.write(f"Running tests shuffled with seed {seed}\n\n")
        tests = _runner.shuffle(tests, seed)
    return tests


def _makeRunner(config: Options, stream: IO[str]) -> _runner.TrialRunner:
    """Build the runner for C{config}."""
    plugin = _reporterPlugins()[config["reporter"]]
    reporterClass = _loadReporterClass(plugin)
    extra: list[Any] = []
    if config["junit-xml"]:
        from netframe.trial._formats import JUnitXMLReporter

        extra.append(JUnitXMLReporter(stream, path=os.path.abspath(config["junit-xml"])))
    debugger = _getDebugger(config["debugger"]) if config["debug"] else None
    return _runner.TrialRunner(
        reporterClass,
        mode="debug" if config["debug"] else None,
        logfile=config["logfile"],
        stream=stream,
        tracebackFormat=config["tbformat"],
        realTimeErrors=config["rterrors"],
        uncleanWarnings=config["unclean-warnings"],
        workingDirectory=config["temp-directory"],
        forceGarbageCollection=config["force-gc"],
        debugger=debugger,
        exitFirst=config["exitfirst"],
        extraReporters=extra,
    )


def _startCoverage(config: Options) -> Any:
    """Start coverage.py measurement (data in the temporary directory)."""
    coverage = importlib.import_module("coverage")
    data = os.path.abspath(os.path.join(config["temp-directory"], "coverage", ".coverage"))
    os.makedirs(os.path.dirname(data), exist_ok=True)
    cov = coverage.Coverage(data_file=data, data_suffix=True)
    cov.start()
    return cov


def _finishCoverage(cov: Any, config: Options, root: str) -> None:
    """
    Stop C{cov}, save its data beside the workers' (the runner empties the
    temporary directory when it takes it, so the directory is made again),
    combine every parallel data file into the one C{coverage/.coverage} and
    write the C{.cover} files from the combined data.
    """
    cov.stop()
    directory = os.path.abspath(os.path.join(config["temp-directory"], "coverage"))
    os.makedirs(directory, exist_ok=True)
    cov.save()
    coverage = importlib.import_module("coverage")
    combined = coverage.Coverage(data_file=os.path.join(directory, ".coverage"))
    combined.combine([directory])
    combined.save()
    writeCoverFiles(combined, directory, root)


def writeCoverFiles(cov: Any, directory: str, root: str) -> list[str]:
    """
    Write one C{<module>.cover} file per measured module under C{root}, each
    line prefixed by::

        "    1: "    when it ran
        ">>>>>> "    when it is a statement that never ran
        "       "    otherwise

    coverage.py records whether a line ran, not how often, so the count is
    always 1.

    @return: the paths written.
    """
    written = []
    data = cov.get_data()
    root = os.path.abspath(root)
    for filename in sorted(data.measured_files()):
        if not filename.startswith(root + os.sep) or not filename.endswith(".py"):
            continue
        try:
            _, statements, _, missing, _ = cov.analysis2(filename)
        except Exception:
            continue
        rel = os.path.relpath(filename, root)[:-3].replace(os.sep, ".")
        rel = rel.removesuffix(".__init__")
        out = os.path.join(directory, rel + ".cover")
        missingSet, statementSet = set(missing), set(statements)
        with open(filename, encoding="utf-8", errors="replace") as src:
            lines = src.readlines()
        with open(out, "w", encoding="utf-8") as f:
            for number, line in enumerate(lines, 1):
                if number in missingSet:
                    prefix = ">>>>>> "
                elif number in statementSet:
                    prefix = "    1: "
                else:
                    prefix = "       "
                f.write(prefix + line.rstrip("\n") + "\n")
        written.append(out)
    return written


def main(argv: list[str] | None = None, stream: IO[str] | None = None) -> int:
    """
    Run netframe-trial with C{argv} (default C{sys.argv[1:]}).

    @return: the exit status: 0 when every test passed, 1 otherwise, 2 for
        a usage error.
    """
    stream = stream if stream is not None else sys.stdout
    config = Options()
    try:
        config.parseOptions(argv)
    except usage.UsageError as e:
        sys.stderr.write(f"{os.path.basename(sys.argv[0]) or 'netframe-trial'}: {e}\n")
        sys.stderr.write("Try --help for usage details.\n")
        return 2
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    if config["reactor"]:
        from netframe.core.reactors import NoSuchReactor, installReactorByName

        try:
            installReactorByName(config["reactor"])
        except NoSuchReactor as e:
            sys.stderr.write(f"netframe-trial: {e}\n")
            return 2
    if config["force-gc"]:
        gc.collect()
    cov = _startCoverage(config) if config["coverage"] else None
    tests = _loadTests(config)
    if config["jobs"] is not None:
        from netframe.trial import _dist

        result = _dist.runDistributed(config, tests, stream)
    else:
        trialRunner = _makeRunner(config, stream)
        if config["until-failure"]:
            result = trialRunner.runUntilFailure(tests)
        else:
            result = trialRunner.run(tests)
    if cov is not None:
        _finishCoverage(cov, config, cwd)
    return 0 if result.wasSuccessful() else 1


def run() -> NoReturn:
    """The C{netframe-trial} console script: run L{main} and exit with its status."""
    sys.exit(main())
