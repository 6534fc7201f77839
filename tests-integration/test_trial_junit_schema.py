"""
netframe-trial's JUnit XML report validated against an xunit2 XML Schema
(tests-integration/schemas/xunit2.xsd, written from pytest's documented
C{junit_family=xunit2} format), in a subprocess on a generated project with
a passing, a failing, an erroring, a skipped and two todo tests whose
messages carry control characters.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema

pytestmark = pytest.mark.slow

SCHEMA = Path(__file__).resolve().parent / "schemas" / "xunit2.xsd"

_SUITE = """
from netframe.core import defer
from netframe.trial import unittest


class MixedTests(unittest.TestCase):
    def test_pass(self):
        print("stdout with \\x00 nul, \\x07 bell and \\x1b[31m escape")

    def test_fail(self):
        self.fail("failed \\x07 bell \\x0b vtab \\x1b escape")

    def test_error(self):
        raise ValueError("erred \\x01 soh \\x08 backspace \\ufffe nonchar")

    def test_skip(self):
        raise unittest.SkipTest("skipped \\x02 stx")

    def test_todo(self):
        self.fail("expected")

    test_todo.todo = "todo \\x03 etx"

    def test_todoPasses(self):
        return defer.succeed(None)

    test_todoPasses.todo = "unexpectedly \\x04 eot"
"""


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    """The xunit2 schema, compiled once."""
    return xmlschema.XMLSchema(str(SCHEMA))


def runTrial(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run python -m netframe.trial on the generated 'suite' package in C{tmp_path}."""
    pkg = tmp_path / "suite"
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "test_mixed.py").write_text(textwrap.dedent(_SUITE))
    return subprocess.run(
        [sys.executable, "-m", "netframe.trial", *args, "suite"],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(tmp_path), NO_COLOR="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )


def suiteOf(body: str) -> str:
    """A one-test C{<testsuite>} root (otherwise valid) around C{body}."""
    return (
        '<testsuite name="s" tests="1" failures="0" errors="0" skipped="0" time="0.1"'
        f' timestamp="2026-01-01T00:00:00" hostname="h">{body}</testsuite>'
    )


def outcomes(root: ElementTree.Element) -> dict[str, list[str]]:
    """Each testcase's name mapped to the tags of its children."""
    return {case.get("name", ""): [child.tag for child in case] for case in root.iter("testcase")}


class JUnitSchemaTests:
    """The JUnit XML report against the xunit2 schema."""

    def test_junitXMLFileIsValidXunit2(self, tmp_path: Path, schema: xmlschema.XMLSchema) -> None:
        """--junit-xml PATH writes a document the xunit2 schema accepts, with every outcome."""
        report = tmp_path / "report.xml"
        run = runTrial(tmp_path, "--junit-xml", str(report))
        assert run.returncode == 1, run.stdout + run.stderr
        errors = [str(e) for e in schema.iter_errors(str(report))]
        assert errors == []
        root = ElementTree.parse(report).getroot()
        assert outcomes(root) == {
            "test_pass": [],
            "test_fail": ["failure"],
            "test_error": ["error"],
            "test_skip": ["skipped"],
            "test_todo": ["skipped"],
            "test_todoPasses": ["failure"],
        }
        suite = root.find("testsuite")
        assert suite is not None
        assert (
            suite.get("tests"),
            suite.get("failures"),
            suite.get("errors"),
            suite.get("skipped"),
        ) == ("6", "2", "1", "2")
        text = report.read_text(encoding="utf-8")
        for escaped in ("\\x07", "\\x0b", "\\x1b", "\\x01", "\\x08", "\\ufffe", "\\x02"):
            assert escaped in text
        assert not any(ord(ch) < 0x20 and ch not in "\t\n\r" for ch in text)

    def test_junitxmlReporterOnStdoutIsValidXunit2(
        self, tmp_path: Path, schema: xmlschema.XMLSchema
    ) -> None:
        """--reporter junitxml writes a valid xunit2 document to stdout."""
        run = runTrial(tmp_path, "--reporter", "junitxml")
        # Tests' own prints are not captured (as in Twisted's trial): they
        # share stdout and come before the document, which is written at the end.
        printed, sep, document = run.stdout.partition("<?xml")
        assert sep, run.stdout + run.stderr
        assert printed == "stdout with \x00 nul, \x07 bell and \x1b[31m escape\n"
        report = tmp_path / "stdout.xml"
        report.write_text(sep + document, encoding="utf-8")
        assert [str(e) for e in schema.iter_errors(str(report))] == []
        assert len(outcomes(ElementTree.parse(report).getroot())) == 6

    @pytest.mark.parametrize(
        "document",
        [
            # xunit1's file/line attributes are not xunit2.
            suiteOf('<testcase classname="a.B" name="test_x" time="0.1" file="a.py"/>'),
            # properties belong to the suite, not to a testcase.
            suiteOf(
                '<testcase classname="a.B" name="test_x" time="0.1">'
                '<properties><property name="k" value="v"/></properties></testcase>'
            ),
            # An unknown child element.
            suiteOf('<testcase classname="a.B" name="test_x" time="0.1"><flaky/></testcase>'),
            # A count that is not a number, and a missing hostname.
            (
                '<testsuite name="s" tests="many" failures="0" errors="0" skipped="0"'
                ' time="0.1" timestamp="2026-01-01T00:00:00"/>'
            ),
        ],
        ids=["fileAttribute", "caseProperties", "unknownElement", "badCounts"],
    )
    def test_schemaRejectsNonXunit2(self, schema: xmlschema.XMLSchema, document: str) -> None:
        """Documents outside the xunit2 format are rejected (the schema is not vacuous)."""
        assert not schema.is_valid(document)

    def test_schemaAcceptsMinimalSuite(self, schema: xmlschema.XMLSchema) -> None:
        """A bare testsuite root with suite-level properties is accepted."""
        document = (
            '<testsuite name="s" tests="1" failures="0" errors="0" skipped="1" time="0.1"'
            ' timestamp="2026-01-01T00:00:00" hostname="h">'
            '<properties><property name="k" value="v"/></properties>'
            '<testcase classname="a.B" name="test_x" time="0.1">'
            '<skipped type="pytest.skip" message="why">why</skipped></testcase>'
            "</testsuite>"
        )
        assert schema.is_valid(document)
