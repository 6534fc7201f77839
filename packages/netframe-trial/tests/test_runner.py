"""Tests for netframe.trial.runner and the command-line options."""

from __future__ import annotations

import importlib
import io
import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netframe.core import usage
from netframe.trial import _runner, _script, runner, script
from netframe.trial.reporter import Reporter


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A throw-away package 'proj' with tests, importable for this test only."""
    name = f"proj_{os.getpid()}_{id(tmp_path)}"
    pkg = tmp_path / name
    (pkg / "test" / "sub").mkdir(parents=True)
    for d in (pkg, pkg / "test", pkg / "test" / "sub"):
        (d / "__init__.py").write_text("")
    (pkg / "code.py").write_text(
        f"#!/usr/bin/env python\n# -*- test-case-name: {name}.test.test_a, {name}.test.sub.test_b; fill-column: 75 -*-\n"
    )
    (pkg / "test" / "test_a.py").write_text(
        textwrap.dedent(
            """
            from netframe.trial import unittest

            class ZTests(unittest.SynchronousTestCase):
                def test_zeta(self):
                    pass

                def test_alpha(self):
                    pass

            class ATests(unittest.SynchronousTestCase):
                def test_one(self):
                    self.fail("x")
            """
        )
    )
    (pkg / "test" / "sub" / "test_b.py").write_text(
        "from netframe.trial import unittest\n\n"
        "class BTests(unittest.SynchronousTestCase):\n"
        "    def test_b(self):\n        pass\n"
    )
    (pkg / "test" / "test_broken.py").write_text("import no_such_module_at_all\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    importlib.invalidate_caches()
    yield pkg
    for mod in [m for m in sys.modules if m.startswith(name)]:
        del sys.modules[mod]


def ids(tests: list[Any]) -> list[str]:
    """The short ids (without the package prefix) of loaded tests."""
    return [t.id().split(".", 1)[1] for t in tests]


class LoaderTests:
    """TestLoader."""

    def test_loadPackageRecursively(self, project: Path) -> None:
        """A package loads every test_* module below it; import errors become ErrorHolders."""
        tests = runner.TestLoader().loadByName(project.name)
        assert sorted(ids(tests)) == [
            "test.sub.test_b.BTests.test_b",
            "test.test_a.ATests.test_one",
            "test.test_a.ZTests.test_alpha",
            "test.test_a.ZTests.test_zeta",
            "test.test_broken",
        ]
        holder = [t for t in tests if isinstance(t, runner.ErrorHolder)]
        assert len(holder) == 1 and holder[0].error.check(ImportError)

    def test_noRecurse(self, project: Path) -> None:
        """Without recursion, subpackages are not searched."""
        tests = runner.TestLoader().loadByName(f"{project.name}.test", recurse=False)
        assert "test.sub.test_b.BTests.test_b" not in ids(tests)

    def test_loadClassAndMethod(self, project: Path) -> None:
        """Class and Class.method names load those tests only."""
        loader = runner.TestLoader()
        assert ids(loader.loadByName(f"{project.name}.test.test_a.ZTests")) == [
            "test.test_a.ZTests.test_alpha",
            "test.test_a.ZTests.test_zeta",
        ]
        assert ids(loader.loadByName(f"{project.name}.test.test_a.ZTests.test_zeta")) == [
            "test.test_a.ZTests.test_zeta"
        ]

    def test_topToBottomOrder(self, project: Path) -> None:
        """toptobottom keeps source order of classes and methods."""
        tests = runner.TestLoader("toptobottom").loadByName(f"{project.name}.test.test_a")
        assert ids(tests) == [
            "test.test_a.ZTests.test_zeta",
            "test.test_a.ZTests.test_alpha",
            "test.test_a.ATests.test_one",
        ]

    def test_unknownOrder(self) -> None:
        """An unknown order is refused."""
        with pytest.raises(ValueError):
            runner.TestLoader("sideways")

    def test_loadFileAndDirectory(self, project: Path) -> None:
        """Paths to a file or a directory load like their dotted names."""
        loader = runner.TestLoader()
        assert len(loader.loadByName(str(project / "test" / "test_a.py"))) == 3
        assert len(loader.loadByName(str(project / "test" / "sub"))) == 1

    def test_missingNameIsErrorHolder(self, project: Path) -> None:
        """A name that does not resolve gives an ErrorHolder reporting an error."""
        [holder] = runner.TestLoader().loadByName(f"{project.name}.test.test_a.NoSuch")
        result = Reporter(io.StringIO())
        holder.run(result)
        assert len(result.errors) == 1 and not result.wasSuccessful()

    def test_testCaseNameHeader(self, project: Path) -> None:
        """The test-case-name header on the second line gives a comma-separated list."""
        names = runner.testCaseNamesFromHeader(str(project / "code.py"))
        assert names == [f"{project.name}.test.test_a", f"{project.name}.test.sub.test_b"]

    def test_noHeader(self, tmp_path: Path) -> None:
        """A file without the header names no tests."""
        f = tmp_path / "plain.py"
        f.write_text("x = 1\n")
        assert runner.testCaseNamesFromHeader(str(f)) == []

    def test_shuffleIsDeterministic(self) -> None:
        """The same seed gives the same order."""
        assert runner.shuffle(list(range(50)), 3) == runner.shuffle(list(range(50)), 3)
        assert runner.shuffle(list(range(50)), 3) != list(range(50))


class RunTestsTests:
    """runTests."""

    def test_exitFirst(self, project: Path) -> None:
        """exitFirst stops after the first failure."""
        tests = runner.TestLoader().loadByName(f"{project.name}.test.test_a")
        result = Reporter(io.StringIO())
        runner.runTests(tests, result, exitFirst=True)
        assert result.testsRun == 1 and result.shouldStop

    def test_setUpClassFailureErrorsEachTest(self) -> None:
        """A failing setUpClass reports each test of the class as an error."""
        from netframe.trial.unittest import SynchronousTestCase

        class T(SynchronousTestCase):
            @classmethod
            def setUpClass(cls) -> None:
                raise RuntimeError("class setup")

            def test_a(self) -> None:
                pass

            def test_b(self) -> None:
                pass

        result = Reporter(io.StringIO())
        runner.runTests([T("test_a"), T("test_b")], result)
        assert len(result.errors) == 2


class TempDirectoryTests:
    """The locked _trial_temp directory."""

    def test_secondRunGetsNumberedDirectory(self, tmp_path: Path) -> None:
        """While one run holds _trial_temp, another gets _trial_temp-1."""
        base = str(tmp_path / "_trial_temp")
        first, second = _runner._TempDirectory(base), _runner._TempDirectory(base)
        assert first.acquire() == base
        assert second.acquire() == base + "-1"
        first.release()
        second.release()
        assert not os.path.lexists(base + ".lock")

    def test_staleLockReclaimed(self, tmp_path: Path) -> None:
        """A lock naming a dead process is taken over."""
        base = str(tmp_path / "_trial_temp")
        os.symlink("999999999", base + ".lock")
        temp = _runner._TempDirectory(base)
        assert temp.acquire() == base
        temp.release()

    def test_limit(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """After MAX_TEMP_DIRECTORIES locked names, acquiring fails clearly."""
        monkeypatch.setattr(_runner, "MAX_TEMP_DIRECTORIES", 2)
        base = str(tmp_path / "_trial_temp")
        a, b = _runner._TempDirectory(base), _runner._TempDirectory(base)
        a.acquire()
        b.acquire()
        with pytest.raises(OSError, match="could not lock"):
            _runner._TempDirectory(base).acquire()


class OptionsTests:
    """netframe-trial's options."""

    def parse(self, *argv: str) -> script.Options:
        options = script.Options()
        options.parseOptions(list(argv))
        return options

    def test_defaults(self) -> None:
        """The default reporter is verbose, temp directory _trial_temp, log test.log."""
        options = self.parse("a.b")
        assert options.tests == ["a.b"]
        assert options["reporter"] == "verbose"
        assert options["temp-directory"] == "_trial_temp"
        assert options["logfile"] == "test.log"

    def test_randomNeedsInteger(self) -> None:
        """--random takes an integer seed and excludes --order."""
        assert self.parse("--random", "5")["random"] == 5
        with pytest.raises(usage.UsageError):
            self.parse("--random", "x")
        with pytest.raises(usage.UsageError):
            self.parse("--random", "5", "--order", "toptobottom")

    def test_jobsValidated(self) -> None:
        """-j needs a positive integer and excludes --debug and --until-failure."""
        assert self.parse("-j", "2")["jobs"] == 2
        for bad in (["-j", "0"], ["-j", "x"], ["-j", "2", "--debug"], ["-j", "2", "-u"]):
            with pytest.raises(usage.UsageError):
                self.parse(*bad)

    def test_unknownReporter(self) -> None:
        """An unknown reporter name is a usage error listing the known ones."""
        with pytest.raises(usage.UsageError, match="verbose"):
            self.parse("--reporter", "nope")

    def test_unknownOrder(self) -> None:
        """An unknown order is a usage error."""
        with pytest.raises(usage.UsageError):
            self.parse("--order", "sideways")

    def test_coverageNeedsCoverage(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """--coverage without coverage.py installed is a clear usage error."""
        monkeypatch.setitem(sys.modules, "coverage", None)
        with pytest.raises(usage.UsageError, match="pip install coverage"):
            self.parse("--coverage")

    def test_testmoduleReadsHeader(self, project: Path) -> None:
        """--testmodule adds the names from the file's test-case-name header."""
        options = self.parse("--testmodule", str(project / "code.py"))
        assert options.tests == [f"{project.name}.test.test_a", f"{project.name}.test.sub.test_b"]

    def test_debuggerLookup(self) -> None:
        """--debugger names a module with a Pdb class or an object with runcall."""
        assert hasattr(_script._getDebugger("pdb"), "runcall")
        with pytest.raises(usage.UsageError):
            _script._getDebugger("no_such_debugger_module")
