"""
The trial tutorial (SCOPE 3.7, TR1-TR16) run by netframe-trial and by pytest in
subprocesses, on a copy of tests-integration/trial_tutorial.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TUTORIAL = Path(__file__).resolve().parent / "trial_tutorial"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of the calculus project (its _trial_temp lands there)."""
    shutil.copytree(TUTORIAL / "calculus", tmp_path / "calculus")
    return tmp_path


def trial(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run python -m netframe.trial in C{cwd}."""
    env = dict(os.environ, PYTHONPATH=str(cwd), NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "netframe.trial", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def statusLines(output: str) -> list[str]:
    """The tree lines 'name ... [STATUS]' with spacing normalised."""
    return [
        re.sub(r" \.\.\. +", " ... ", line.strip())
        for line in output.splitlines()
        if " ... " in line
    ]


class TutorialTests:
    """TR1-TR16."""

    def test_tr1FourFailures(self, project: Path) -> None:
        """TR1: base_1 gives four [FAIL]s with Twisted's blocks and FAILED (failures=4)."""
        run = trial(project, "calculus.test.test_base_1")
        assert run.returncode == 1
        out = run.stdout
        assert out.startswith("calculus.test.test_base_1\n  CalculationTestCase\n")
        assert statusLines(out) == [
            "test_add ... [FAIL]",
            "test_divide ... [FAIL]",
            "test_multiply ... [FAIL]",
            "test_subtract ... [FAIL]",
        ]
        for line in out.splitlines():
            if line.endswith("[FAIL]") and " ... " in line:
                assert len(line) == 79
        assert "netframe.trial.unittest.FailTest: not equal:\na = None\nb = 11\n" in out
        assert "\n\ncalculus.test.test_base_1.CalculationTestCase.test_add\n" in out
        assert re.search(r"-{79}\nRan 4 tests in \d+\.\d{3}s\n\nFAILED \(failures=4\)\n$", out)
        assert (project / "_trial_temp" / "test.log").exists()

    def test_tr2FourPasses(self, project: Path) -> None:
        """TR2: base_2 (Python 3: //) passes: 4 [OK], PASSED (successes=4)."""
        run = trial(project, "calculus.test.test_base_2")
        assert run.returncode == 0
        assert statusLines(run.stdout) == [
            "test_add ... [OK]",
            "test_divide ... [OK]",
            "test_multiply ... [OK]",
            "test_subtract ... [OK]",
        ]
        assert run.stdout.endswith("\nPASSED (successes=4)\n")

    @pytest.mark.parametrize(
        ("module", "count"),
        [
            ("test_base_2b", 4),  # TR3
            ("test_base_3", 8),  # TR4
            ("test_remote_1", 4),  # TR5
            ("test_client_1", 4),  # TR6
            ("test_client_2", 5),  # TR7
            ("test_remote_2", 6),  # TR8 (real TCP, stopListening from tearDown / addCleanup)
            ("test_remote_3", 5),  # TR9 with flushLoggedErrors
            ("test_client_3", 6),  # TR10
            ("test_client_4", 6),  # TR11
            ("test_warnings", 1),  # TR13
        ],
    )
    def test_passingModules(self, project: Path, module: str, count: int) -> None:
        """TR3-TR11, TR13: each module passes with its number of tests."""
        run = trial(project, f"calculus.test.{module}")
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stdout.endswith(f"\nPASSED (successes={count})\n"), run.stdout

    def test_tr8RemovingStopListeningIsDirty(self, project: Path) -> None:
        """TR8: without stopListening the test fails loudly (dirty reactor, selectables)."""
        source = (project / "calculus/test/test_remote_2.py").read_text()
        (project / "calculus/test/test_remote_2_dirty.py").write_text(
            source.replace("return self.port.stopListening()", "pass")
        )
        run = trial(
            project, "calculus.test.test_remote_2_dirty.RemoteRunCalculationTestCase.test_add"
        )
        assert run.returncode == 1
        assert "DirtyReactorAggregateError: Reactor was unclean." in run.stdout
        assert "Selectables:" in run.stdout
        assert (
            "\ncalculus.test.test_remote_2_dirty.RemoteRunCalculationTestCase.test_add\n"
            in run.stdout
        )

    def test_tr9UnflushedLoggedError(self, project: Path) -> None:
        """TR9: a logged TypeError not flushed: [ERROR], traceback, FAILED (errors=1)."""
        run = trial(
            project,
            "calculus.test.test_remote_3_unflushed.RemoteCalculationTestCase.test_invalidParameters",
        )
        assert run.returncode == 1
        assert statusLines(run.stdout) == ["test_invalidParameters ... [ERROR]"]
        assert 'remote_2.py", line' in run.stdout and "in lineReceived" in run.stdout
        assert "TypeError: Couldn't coerce arguments to integers" in run.stdout
        assert "Ran 1 tests in " in run.stdout
        assert run.stdout.endswith("\nFAILED (errors=1)\n")

    def test_tr14SkipsAndTodo(self, project: Path) -> None:
        """TR14: SkipTest, skip on method and class, todo: counted in the summary."""
        run = trial(project, "calculus.test.test_skipping")
        assert run.stdout.endswith(
            "\nFAILED (skips=4, expectedFailures=1, unexpectedSuccesses=1, successes=1)\n"
        )
        assert "[SKIPPED]\ncannot find ssh, nothing to test\n" in run.stdout
        assert "[TODO]" in run.stdout and "[SUCCESS!?!]" in run.stdout

    def test_tr15Testmodule(self, project: Path) -> None:
        """TR15: --testmodule=calculus/base_1.py runs calculus.test.test_base_1."""
        run = trial(project, "--testmodule=calculus/base_1.py")
        assert run.stdout.startswith("calculus.test.test_base_1\n")
        assert run.stdout.endswith("\nFAILED (failures=4)\n")

    def test_tr16Flags(self, project: Path) -> None:
        """TR16: --help-reporters, -e (errors as they occur), -j, --debug with pdb."""
        run = trial(project, "--help-reporters")
        assert run.returncode == 0
        for name in ("verbose", "bwverbose", "text", "summary", "timing", "subunit", "junitxml"):
            assert re.search(rf"^    {name} ", run.stdout, re.M)
        run = trial(project, "-e", "calculus.test.test_base_1.CalculationTestCase.test_add")
        # Realtime: the [FAIL] block comes before the summary separator, printed once.
        assert run.stdout.count("[FAIL]\nTraceback") == 1
        run = trial(project, "-j", "2", "calculus.test.test_base_2")
        assert run.stdout.endswith("\nPASSED (successes=4)\n")
        run = trial(project, "--debug", "calculus.test.test_base_2", stdin="continue\n")
        assert run.stdout.endswith("\nPASSED (successes=4)\n")
        assert "(Pdb)" in run.stdout

    def test_tr12Coverage(self, project: Path) -> None:
        """TR12: --coverage writes <module>.cover files, or says coverage.py is missing."""
        run = trial(project, "--coverage", "calculus.test.test_base_3")
        try:
            import coverage  # noqa: F401
        except ImportError:
            assert run.returncode == 2
            assert "pip install coverage" in run.stderr
            return
        cover = project / "_trial_temp" / "coverage" / "calculus.base_3.cover"
        text = cover.read_text()
        assert "    1: class Calculation" in text

    def test_wholePackageWithPytest(self, project: Path) -> None:
        """pytest with the plugin gives the same outcomes as netframe-trial on the project."""
        run = trial(project, "calculus")
        assert run.stdout.endswith(
            "\nFAILED (skips=4, expectedFailures=1, failures=4, errors=1, "
            "unexpectedSuccesses=1, successes=54)\n"
        )
        py = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--noconftest",
                "--rootdir",
                str(project),
                "-c",
                os.devnull,
                "calculus",
            ],
            cwd=project,
            env=dict(os.environ, PYTHONPATH=str(project)),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "6 failed, 54 passed, 4 skipped, 1 xfailed" in py.stdout, py.stdout
