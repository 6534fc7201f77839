"""
netframe-trial on generated suites, in subprocesses: dirty-reactor attribution,
timeouts, logged errors, -j, crashed and hung workers, KeyboardInterrupt, JUnit XML,
--until-failure, import errors, the pytest plugin's marker.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from xml.etree import ElementTree

import pytest

pytestmark = pytest.mark.slow


def write(root: Path, name: str, source: str) -> None:
    """Write a test module into package 'suite' under C{root}."""
    pkg = root / "suite"
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").write_text("")
    (pkg / name).write_text(textwrap.dedent(source))


def trial(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run python -m netframe.trial in C{cwd}."""
    return subprocess.run(
        [sys.executable, "-m", "netframe.trial", *args],
        cwd=cwd,
        env=dict(os.environ, PYTHONPATH=str(cwd), NO_COLOR="1"),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def verdict(output: str) -> str:
    """The last line (PASSED/FAILED ...)."""
    return output.rstrip("\n").rsplit("\n", 1)[-1]


class HygieneTests:
    """Reactor hygiene, timeouts and logged errors through the CLI."""

    def test_dirtyReactorAttributedToTheTestThatLeftIt(self, tmp_path: Path) -> None:
        """Only the test that left a delayed call errors; the next one passes."""
        write(
            tmp_path,
            "test_dirty.py",
            """
            from netframe.trial import unittest

            class DirtyTests(unittest.TestCase):
                def test_a_leaves(self):
                    from netframe.core import reactor
                    reactor.callLater(1000, lambda: None)

                def test_b_clean(self):
                    pass
            """,
        )
        run = trial(tmp_path, "suite")
        assert verdict(run.stdout) == "FAILED (errors=1, successes=1)"
        block = run.stdout.split("[ERROR]\n", 1)[1]
        assert "DirtyReactorAggregateError" in block and "DelayedCalls" in block
        assert "suite.test_dirty.DirtyTests.test_a_leaves" in block.split("---")[0]

    def test_neverFiringDeferredTimesOut(self, tmp_path: Path) -> None:
        """A Deferred that never fires errors after the test's timeout."""
        write(
            tmp_path,
            "test_hang.py",
            """
            from netframe.core import defer
            from netframe.trial import unittest

            class HangTests(unittest.TestCase):
                timeout = 0.5

                def test_never(self):
                    return defer.Deferred()
            """,
        )
        run = trial(tmp_path, "suite")
        assert "test_never (test_never) still running at 0.5 secs" in run.stdout
        assert verdict(run.stdout) == "FAILED (errors=1)"

    def test_loggedErrorFailsTest(self, tmp_path: Path) -> None:
        """log.err during a test errors it; the log lands in _trial_temp/test.log."""
        write(
            tmp_path,
            "test_logged.py",
            """
            from netframe.logger import legacy as log
            from netframe.trial import unittest

            class LoggedTests(unittest.TestCase):
                def test_logs(self):
                    log.msg("hello from the test")
                    log.err(ValueError("bad value"))
            """,
        )
        run = trial(tmp_path, "suite")
        assert "ValueError: bad value" in run.stdout
        assert verdict(run.stdout) == "FAILED (errors=1)"
        assert "hello from the test" in (tmp_path / "_trial_temp" / "test.log").read_text()

    def test_importErrorReportedAsError(self, tmp_path: Path) -> None:
        """A test module that fails to import is an error named after the module."""
        write(tmp_path, "test_broken.py", "import no_such_module_anywhere\n")
        write(
            tmp_path,
            "test_fine.py",
            """
            from netframe.trial import unittest

            class FineTests(unittest.TestCase):
                def test_ok(self):
                    pass
            """,
        )
        run = trial(tmp_path, "suite")
        assert run.returncode == 1
        assert "ModuleNotFoundError: No module named 'no_such_module_anywhere'" in run.stdout
        assert "\nsuite.test_broken\n" in run.stdout
        assert verdict(run.stdout) == "FAILED (errors=1, successes=1)"

    def test_unknownNameIsError(self, tmp_path: Path) -> None:
        """A name that does not exist is reported as an error, exit status 1."""
        run = trial(tmp_path, "no_such_package_here")
        assert run.returncode == 1
        assert verdict(run.stdout) == "FAILED (errors=1)"


def generated(root: Path, count: int) -> None:
    """Write C{count} tests: mostly passing, every 20th failing, every 25th skipped."""
    lines = ["from netframe.core import defer", "from netframe.trial import unittest", ""]
    per = 50
    for c in range(count // per):
        lines.append(f"class Gen{c}Tests(unittest.TestCase):")
        for i in range(per):
            n = c * per + i
            lines.append(f"    def test_{n:04d}(self):")
            if n % 20 == 7:
                lines.append("        self.assertEqual(1, 2)")
            elif n % 25 == 3:
                lines.append("        raise unittest.SkipTest('skipped')")
            else:
                lines.append("        return defer.succeed(None)")
        lines.append("")
    write(root, "test_generated.py", "\n".join(lines) + "\n")


class ParallelTests:
    """-j N."""

    def test_sameCountsAsSerial(self, tmp_path: Path) -> None:
        """-j 2 on 200 tests gives the same summary as -j 1 and as no -j."""
        generated(tmp_path, 200)
        serial = trial(tmp_path, "suite")
        one = trial(tmp_path, "-j", "1", "suite")
        two = trial(tmp_path, "-j", "2", "suite")
        assert verdict(serial.stdout) == "FAILED (skips=8, failures=10, successes=182)"
        assert verdict(one.stdout) == verdict(serial.stdout) == verdict(two.stdout)
        assert "Ran 200 tests" in two.stdout
        assert (tmp_path / "_trial_temp" / "0" / "test.log").exists()
        assert (tmp_path / "_trial_temp" / "1" / "test.log").exists()

    def test_killedWorkerReportedAndRunFinishes(self, tmp_path: Path) -> None:
        """A worker killed mid-run is an error of its test; the other tests still run."""
        write(
            tmp_path,
            "test_kill.py",
            """
            import os, signal
            from netframe.trial import unittest

            class KillTests(unittest.TestCase):
                def test_a(self):
                    pass

                def test_b_dies(self):
                    os.kill(os.getpid(), signal.SIGKILL)

                def test_c(self):
                    pass

                def test_d(self):
                    pass
            """,
        )
        run = trial(tmp_path, "-j", "2", "suite")
        assert (
            "died with exit status -9 while running suite.test_kill.KillTests.test_b_dies"
            in run.stdout
        )
        assert verdict(run.stdout) == "FAILED (errors=1, successes=3)"

    def test_hungWorkerKilled(self, tmp_path: Path) -> None:
        """A worker stuck past --worker-timeout is killed and its test reported."""
        write(
            tmp_path,
            "test_stuck.py",
            """
            import time
            from netframe.trial import unittest

            class StuckTests(unittest.TestCase):
                def test_a_stuck(self):
                    time.sleep(600)

                def test_b(self):
                    pass
            """,
        )
        run = trial(tmp_path, "-j", "1", "--worker-timeout", "2", "suite")
        assert (
            "hung: no answer within 2.0 seconds, killed while running suite.test_stuck"
            in run.stdout
        )
        assert verdict(run.stdout) == "FAILED (errors=1, successes=1)"


class ControlTests:
    """Interruption, --until-failure, --exitfirst, reporters."""

    def test_keyboardInterruptStopsRun(self, tmp_path: Path) -> None:
        """SIGINT during a test stops the run after it; the summary is still printed."""
        write(
            tmp_path,
            "test_interrupt.py",
            """
            import os, signal, time
            from netframe.trial import unittest

            class InterruptTests(unittest.TestCase):
                def test_a(self):
                    pass

                def test_b_interrupted(self):
                    os.kill(os.getpid(), signal.SIGINT)
                    time.sleep(5)

                def test_c_never_runs(self):
                    pass
            """,
        )
        run = trial(tmp_path, "suite")
        assert "test_c_never_runs" not in run.stdout
        assert "KeyboardInterrupt" in run.stdout
        assert "Ran 2 tests" in run.stdout
        assert run.returncode == 1

    def test_untilFailureStopsOnFlakyTest(self, tmp_path: Path) -> None:
        """--until-failure repeats the run until a flaky test fails (third pass)."""
        counter = tmp_path / "count"
        write(
            tmp_path,
            "test_flaky.py",
            f"""
            from netframe.trial import unittest

            class FlakyTests(unittest.TestCase):
                def test_flaky(self):
                    path = {str(counter)!r}
                    try:
                        n = int(open(path).read())
                    except OSError:
                        n = 0
                    open(path, "w").write(str(n + 1))
                    self.assertNotEqual(n + 1, 3)
            """,
        )
        run = trial(tmp_path, "--until-failure", "suite")
        assert run.stdout.count("Test Pass ") == 3
        assert verdict(run.stdout) == "FAILED (failures=1)"
        assert run.returncode == 1

    def test_exitFirst(self, tmp_path: Path) -> None:
        """--exitfirst stops after the first failure."""
        generated(tmp_path, 50)
        run = trial(tmp_path, "--exitfirst", "suite")
        assert "Ran 8 tests" in run.stdout

    def test_randomOrderIsSeeded(self, tmp_path: Path) -> None:
        """--random SEED prints the seed and gives the same order for the same seed."""
        generated(tmp_path, 50)
        first = trial(tmp_path, "--reporter", "text", "--random", "7", "suite")
        second = trial(tmp_path, "--reporter", "text", "--random", "7", "suite")
        assert first.stdout.startswith("Running tests shuffled with seed 7\n")
        assert first.stdout.splitlines()[2] == second.stdout.splitlines()[2]

    def test_junitXMLStructure(self, tmp_path: Path) -> None:
        """--junit-xml writes an xunit2-shaped report (checked element by element)."""
        generated(tmp_path, 50)
        write(
            tmp_path,
            "test_weird.py",
            """
            from netframe.trial import unittest

            class WeirdTests(unittest.TestCase):
                def test_control(self):
                    raise ValueError("bell \\x07 escape \\x1b")
            """,
        )
        report = tmp_path / "report.xml"
        trial(tmp_path, "--junit-xml", str(report), "suite")
        root = ElementTree.parse(report).getroot()
        # xunit2 (pytest's junit-10 schema): testsuites > testsuite > testcase.
        assert root.tag == "testsuites"
        suites = list(root)
        assert [s.tag for s in suites] == ["testsuite"]
        suite = suites[0]
        allowed = {
            "name",
            "tests",
            "failures",
            "errors",
            "skipped",
            "time",
            "timestamp",
            "hostname",
        }
        assert set(suite.attrib) == allowed
        for key in ("tests", "failures", "errors", "skipped"):
            assert suite.get(key, "").isdigit()
        assert re.fullmatch(r"\d+\.\d+", suite.get("time", ""))
        cases = list(suite)
        assert len(cases) == int(suite.get("tests", "0")) == 51
        counts = {"failure": 0, "error": 0, "skipped": 0}
        for case in cases:
            assert case.tag == "testcase"
            assert set(case.attrib) == {"classname", "name", "time"}
            children = list(case)
            assert len(children) <= 1
            for child in children:
                assert child.tag in counts
                assert "message" in child.attrib
                if child.tag != "skipped":
                    assert "type" in child.attrib
                counts[child.tag] += 1
        assert counts == {"failure": 3, "error": 1, "skipped": 2}
        assert (counts["failure"], counts["error"], counts["skipped"]) == (
            int(suite.get("failures", "")),
            int(suite.get("errors", "")),
            int(suite.get("skipped", "")),
        )
        text = report.read_text()
        assert "\\x07" in text and "\\x1b" in text

    def test_subunitStream(self, tmp_path: Path) -> None:
        """--reporter=subunit writes decodable subunit v2 packets to stdout."""
        from netframe.trial.reporter import decodePacket

        generated(tmp_path, 50)
        run = subprocess.run(
            [sys.executable, "-m", "netframe.trial", "--reporter", "subunit", "suite"],
            cwd=tmp_path,
            env=dict(os.environ, PYTHONPATH=str(tmp_path)),
            capture_output=True,
            timeout=120,
        )
        data, offset, finals = run.stdout, 0, []
        while offset < len(data):
            packet, offset = decodePacket(data, offset)
            if packet["status"] not in (0, 2):
                finals.append(packet["status"])
        assert (finals.count(3), finals.count(6), finals.count(5)) == (45, 3, 2)

    def test_reactorOption(self, tmp_path: Path) -> None:
        """--reactor installs the named reactor; an unknown name exits with status 2."""
        write(
            tmp_path,
            "test_which.py",
            """
            from netframe.trial import unittest

            class WhichTests(unittest.TestCase):
                def test_poll(self):
                    from netframe.core import reactor
                    self.assertIn("Poll", type(reactor).__name__)
            """,
        )
        assert (
            verdict(trial(tmp_path, "--reactor", "poll", "suite").stdout) == "PASSED (successes=1)"
        )
        bad = trial(tmp_path, "--reactor", "nosuch", "suite")
        assert bad.returncode == 2 and "nosuch" in bad.stderr


class PytestPluginTests:
    """The pytest11 plugin on plain functions."""

    def test_markerRunsAsyncAndDeferredFunctions(self, tmp_path: Path) -> None:
        """@pytest.mark.netframe runs async def and inlineCallbacks tests and checks hygiene."""
        (tmp_path / "test_plain.py").write_text(
            textwrap.dedent(
                """
                import pytest
                from netframe.core import defer, task

                @pytest.mark.netframe
                async def test_async():
                    from netframe.core import reactor
                    assert await task.deferLater(reactor, 0.01, lambda: 5) == 5

                @pytest.mark.netframe(timeout=5)
                @defer.inlineCallbacks
                def test_inline():
                    value = yield defer.succeed(3)
                    assert value == 3

                @pytest.mark.netframe
                def test_dirty():
                    from netframe.core import reactor
                    reactor.callLater(100, lambda: None)

                @pytest.mark.netframe(timeout=0.3)
                def test_hangs():
                    return defer.Deferred()

                def test_untouched():
                    assert True
                """
            )
        )
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--noconftest",
                "-c",
                os.devnull,
                "--rootdir",
                str(tmp_path),
                "--netframe-reactor",
                "select",
                "test_plain.py",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "2 failed, 3 passed" in run.stdout, run.stdout
        assert "DirtyReactorAggregateError" in run.stdout
        assert "still running at 0.3 secs" in run.stdout
