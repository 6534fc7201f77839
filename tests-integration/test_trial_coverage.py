"""
netframe-trial --coverage end to end: python -m netframe.trial in a subprocess on a
generated project, in-process (-j absent) and with two workers whose coverage data
is combined into one set of _trial_temp/coverage/<module>.cover files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

_SHAPES = '''\
"""Two functions: which of them ran is what coverage must tell."""


def area(width, height):
    product = width * height
    return product


def perimeter(width, height):
    total = 2 * (width + height)
    return total
'''

_TEST_AREA = """\
from netframe.trial import unittest

import shapes


class AreaTests(unittest.TestCase):
    def test_area(self):
        open("ran-area", "w").close()  # which worker ran it
        self.assertEqual(shapes.area(2, 3), 6)
"""

_TEST_PERIMETER = """\
from netframe.trial import unittest

import shapes


class PerimeterTests(unittest.TestCase):
    def test_perimeter(self):
        open("ran-perimeter", "w").close()  # which worker ran it
        self.assertEqual(shapes.perimeter(2, 3), 10)
"""


def _project(root: Path, *tests: tuple[str, str]) -> None:
    """Write shapes.py and the package C{shapetests} with the given test modules."""
    (root / "shapes.py").write_text(_SHAPES)
    package = root / "shapetests"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, text in tests:
        (package / f"{name}.py").write_text(text)


def _trial(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run python -m netframe.trial --coverage in C{cwd}, temp directory under it."""
    env = dict(os.environ, PYTHONPATH=str(cwd), NO_COLOR="1")
    env.pop("COVERAGE_PROCESS_START", None)
    env.pop("COVERAGE_FILE", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "netframe.trial",
            "--coverage",
            "--temp-directory",
            str(cwd / "trialtemp"),
            *args,
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _marks(cover: Path) -> dict[str, str]:
    """Map each stripped source line of a .cover file to its 7-character prefix."""
    marks = {}
    for line in cover.read_text().splitlines():
        marks[line[7:].strip()] = line[:7]
    return marks


EXECUTED = "    1: "
MISSED = ">>>>>> "


class CoverageTests:
    """--coverage writes .cover files marking executed and never-executed lines."""

    def test_inProcessCoverFile(self, tmp_path: Path) -> None:
        """Without -j, the called function's lines are marked run and the other's missed."""
        _project(tmp_path, ("test_area", _TEST_AREA))
        run = _trial(tmp_path, "shapetests")
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stdout.endswith("\nPASSED (successes=1)\n")
        cover = tmp_path / "trialtemp" / "coverage" / "shapes.cover"
        marks = _marks(cover)
        assert marks["def area(width, height):"] == EXECUTED
        assert marks["product = width * height"] == EXECUTED
        assert marks["return product"] == EXECUTED
        # A def statement runs at import; the body never did.
        assert marks["def perimeter(width, height):"] == EXECUTED
        assert marks["total = 2 * (width + height)"] == MISSED
        assert marks["return total"] == MISSED
        # coverage.py counts a module docstring as no statement.
        assert marks['"""Two functions: which of them ran is what coverage must tell."""'] == (
            "       "
        )
        assert (tmp_path / "trialtemp" / "coverage" / "shapetests.test_area.cover").exists()
        assert not (tmp_path / "_trial_temp").exists()

    def test_inProcessNothingCalled(self, tmp_path: Path) -> None:
        """A function no test calls has every body line marked missed."""
        untouched = _TEST_AREA.replace("shapes.area(2, 3)", "6")
        _project(tmp_path, ("test_area", untouched))
        run = _trial(tmp_path, "shapetests")
        assert run.returncode == 0, run.stdout + run.stderr
        marks = _marks(tmp_path / "trialtemp" / "coverage" / "shapes.cover")
        assert marks["product = width * height"] == MISSED
        assert marks["total = 2 * (width + height)"] == MISSED

    def test_twoWorkersCombined(self, tmp_path: Path) -> None:
        """With -j 2, lines run only in either worker are all marked run in one file."""
        _project(tmp_path, ("test_area", _TEST_AREA), ("test_perimeter", _TEST_PERIMETER))
        run = _trial(tmp_path, "-j", "2", "shapetests")
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stdout.endswith("\nPASSED (successes=2)\n")
        directory = tmp_path / "trialtemp" / "coverage"
        marks = _marks(directory / "shapes.cover")
        assert marks["product = width * height"] == EXECUTED
        assert marks["return product"] == EXECUTED
        assert marks["total = 2 * (width + height)"] == EXECUTED
        assert marks["return total"] == EXECUTED
        # Each test module ran in a worker and is reported too.
        for name in ("test_area", "test_perimeter"):
            testMarks = _marks(directory / f"shapetests.{name}.cover")
            call = "area(2, 3)" if name == "test_area" else "perimeter(2, 3)"
            line = f"self.assertEqual(shapes.{call}, {6 if name == 'test_area' else 10})"
            assert testMarks[line] == EXECUTED
        # Each worker ran exactly one of the tests (in its own directory).
        ran = sorted(p.parent.name + "/" + p.name for p in tmp_path.glob("trialtemp/*/ran-*"))
        assert len(ran) == 2 and ran[0][0] != ran[1][0], ran
        # The parallel data files were combined into the one data file.
        leftovers = sorted(p.name for p in directory.iterdir() if p.name.startswith(".coverage"))
        assert leftovers == [".coverage"]
        assert not (tmp_path / "_trial_temp").exists()

    def test_twoWorkersEachHalf(self, tmp_path: Path) -> None:
        """With -j 2 and only one function called, the other stays missed after combining."""
        _project(tmp_path, ("test_area", _TEST_AREA), ("test_area2", _TEST_AREA))
        run = _trial(tmp_path, "-j", "2", "shapetests")
        assert run.returncode == 0, run.stdout + run.stderr
        marks = _marks(tmp_path / "trialtemp" / "coverage" / "shapes.cover")
        assert marks["product = width * height"] == EXECUTED
        assert marks["total = 2 * (width + height)"] == MISSED
