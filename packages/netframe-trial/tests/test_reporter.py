"""Tests for netframe.trial.reporter: console output, subunit v2, JUnit XML."""

from __future__ import annotations

import io
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st
from zope.interface.verify import verifyObject

from netframe.core.failure import Failure
from netframe.plugin import IPlugin
from netframe.trial import reporter as R
from netframe.trial import reporterplugins
from netframe.trial.itrial import IReporter, IReporterPlugin
from netframe.trial.unittest import SynchronousTestCase


class Sample(SynchronousTestCase):
    """Tests whose outcomes the reporters print (not collected by pytest)."""

    __test__ = False

    def test_ok(self) -> None:
        pass

    def test_fail(self) -> None:
        self.assertEqual(None, 11)

    def test_error(self) -> None:
        raise KeyError("k\x1b\x00")

    def test_skip(self) -> None:
        pass

    test_skip.skip = "disabled"  # type: ignore[attr-defined]


def runAll(result: Any, names: list[str]) -> Any:
    """Run the named Sample tests into C{result} and finish it."""
    for name in names:
        Sample(name).run(result)
    result.done()
    return result


class ReporterTests:
    """The console reporters."""

    def test_verifyReporters(self) -> None:
        """Every reporter class provides IReporter."""
        for cls in (
            R.Reporter,
            R.TreeReporter,
            R.TextReporter,
            R.MinimalReporter,
            R.JUnitXMLReporter,
        ):
            verifyObject(IReporter, cls(io.StringIO()))
        verifyObject(IReporter, R.SubunitReporter(io.BytesIO()))

    def test_verifyPlugins(self) -> None:
        """The built-in reporter plugins provide IPlugin and IReporterPlugin."""
        for name in reporterplugins.__all__[1:]:
            plugin = getattr(reporterplugins, name)
            verifyObject(IPlugin, plugin)
            verifyObject(IReporterPlugin, plugin)

    def test_treeOutputLikeTwisted(self) -> None:
        """The tree reporter prints module, class, right-aligned status at column 79, summary."""
        out = io.StringIO()
        runAll(R.TreeReporter(out, colour=False), ["test_ok", "test_fail"])
        lines = out.getvalue().splitlines()
        assert lines[0] == __name__
        assert lines[1] == "  Sample"
        assert lines[2].startswith("    test_ok ...") and lines[2].endswith("[OK]")
        assert len(lines[2]) == R.LINE_WIDTH == len(lines[3])
        assert lines[3].endswith("[FAIL]")
        text = out.getvalue()
        assert "=" * 79 + "\n[FAIL]\nTraceback (most recent call last):\n" in text
        assert "netframe.trial.unittest.FailTest: not equal:\na = None\nb = 11\n\n\n" in text
        assert f"{__name__}.Sample.test_fail\n" + "-" * 79 + "\nRan 2 tests in " in text
        assert text.endswith("\n\nFAILED (failures=1, successes=1)\n")

    def test_passedSummary(self) -> None:
        """A run with only successes says PASSED (successes=N)."""
        out = io.StringIO()
        result = runAll(R.Reporter(out), ["test_ok"])
        assert result.summaryLine() == "PASSED (successes=1)"
        assert "Ran 1 tests in " in out.getvalue()

    def test_summaryOrder(self) -> None:
        """Counts appear in Twisted's order: skips, ..., failures, errors, ..., successes."""
        result = runAll(
            R.Reporter(io.StringIO()), ["test_skip", "test_fail", "test_error", "test_ok"]
        )
        assert result.summaryLine() == "FAILED (skips=1, failures=1, errors=1, successes=1)"

    def test_textReporterCharacters(self) -> None:
        """The text reporter prints one character per outcome."""
        out = io.StringIO()
        runAll(R.TextReporter(out), ["test_ok", "test_fail", "test_error", "test_skip"])
        assert out.getvalue().startswith(".FES")

    def test_minimalReporter(self) -> None:
        """The summary reporter prints one line of numbers."""
        out = io.StringIO()
        runAll(R.MinimalReporter(out), ["test_ok", "test_fail"])
        fields = out.getvalue().split()
        assert fields[0] == "2" and fields[2:] == ["1", "0", "0", "0", "0", "1"]

    def test_timingReporter(self) -> None:
        """The timing reporter prints each test's duration."""
        out = io.StringIO()
        runAll(R.TimingTextReporter(out), ["test_ok"])
        assert "test_ok ... [OK] (" in out.getvalue() and " secs)" in out.getvalue()

    def test_colourOnlyWhenAsked(self) -> None:
        """Colours are ANSI escapes around status words, off for bwverbose."""
        out = io.StringIO()
        runAll(R.TreeReporter(out, colour=True), ["test_ok"])
        assert "\x1b[32m[OK]\x1b[0m" in out.getvalue()
        out = io.StringIO()
        runAll(R.BlackAndWhiteTreeReporter(out), ["test_ok"])
        assert "\x1b[" not in out.getvalue()

    def test_realtimeErrors(self) -> None:
        """With realtime, a problem is printed when it happens, not again at the end."""
        out = io.StringIO()
        result = R.Reporter(out, realtime=True)
        Sample("test_fail").run(result)
        assert "[FAIL]" in out.getvalue()
        result.done()
        assert out.getvalue().count("[FAIL]") == 1

    def test_formatFailureWithoutTraceback(self) -> None:
        """A failure without a traceback is formatted as its exception line."""
        assert R.formatFailure(Failure(ValueError("v"))) == "ValueError: v\n"


class SubunitTests:
    """subunit v2 packets."""

    @pytest.mark.parametrize(
        ("value", "size"),
        [(0, 1), (63, 1), (64, 2), (2**14 - 1, 2), (2**14, 3), (2**22 - 1, 3), (2**22, 4)],
    )
    def test_numberSizes(self, value: int, size: int) -> None:
        """Numbers take 1 to 4 bytes at the documented boundaries."""
        encoded = R.encodeNumber(value)
        assert len(encoded) == size
        assert R.decodeNumber(encoded, 0) == (value, size)

    def test_numberLimit(self) -> None:
        """The largest number encodes; one more is refused."""
        assert R.decodeNumber(R.encodeNumber(R.SUBUNIT_MAX_NUMBER), 0)[0] == R.SUBUNIT_MAX_NUMBER
        with pytest.raises(ValueError):
            R.encodeNumber(R.SUBUNIT_MAX_NUMBER + 1)
        with pytest.raises(ValueError):
            R.encodeNumber(-1)

    @given(
        st.integers(0, 7),
        st.text(max_size=200),
        st.lists(st.text(max_size=20), max_size=5),
        st.binary(max_size=500),
    )
    def test_packetRoundTrip(
        self, status: int, testId: str, tags: list[str], content: bytes
    ) -> None:
        """Every packet decodes to what was encoded, with a valid CRC and length."""
        packet = R.encodePacket(
            status, testId, 1234.5, tags, "text/plain", "traceback", content, "0"
        )
        decoded, end = R.decodePacket(packet)
        assert end == len(packet)
        assert decoded["status"] == status and decoded["testId"] == testId
        assert decoded["tags"] == tags and decoded["fileContent"] == content
        assert decoded["routeCode"] == "0" and decoded["timestamp"] == 1234.5

    def test_corruptPacketRefused(self) -> None:
        """A flipped byte fails the CRC check."""
        packet = bytearray(R.encodePacket(3, "a.b"))
        packet[5] ^= 0xFF
        with pytest.raises(ValueError, match="CRC"):
            R.decodePacket(bytes(packet))

    def test_packetSizeLimit(self) -> None:
        """A packet over the format's size limit is refused."""
        with pytest.raises(ValueError, match="too large"):
            R.encodePacket(3, "x", fileContent=b"a" * R.SUBUNIT_MAX_PACKET)

    def test_reporterStream(self) -> None:
        """The subunit reporter emits inprogress, an attachment and the final status."""
        out = io.BytesIO()
        runAll(R.SubunitReporter(out), ["test_ok", "test_fail"])
        data, offset, packets = out.getvalue(), 0, []
        while offset < len(data):
            packet, offset = R.decodePacket(data, offset)
            packets.append(packet)
        statuses = [(p["testId"].rsplit(".", 1)[1], p["status"]) for p in packets]
        assert statuses == [
            ("test_ok", 2),
            ("test_ok", 3),
            ("test_fail", 2),
            ("test_fail", 0),
            ("test_fail", 6),
        ]
        assert b"not equal" in packets[3]["fileContent"]


class JUnitXMLTests:
    """JUnit XML in the xunit2 flavour."""

    def test_structure(self) -> None:
        """testsuites/testsuite/testcase with failure, error and skipped children."""
        out = io.StringIO()
        runAll(R.JUnitXMLReporter(out), ["test_ok", "test_fail", "test_error", "test_skip"])
        root = ElementTree.fromstring(out.getvalue().split("\n", 1)[1])
        assert root.tag == "testsuites"
        [suite] = root
        assert suite.tag == "testsuite"
        assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
            "tests": "4",
            "failures": "1",
            "errors": "1",
            "skipped": "1",
        }
        cases = {c.get("name"): c for c in suite}
        assert cases["test_fail"].get("classname") == f"{__name__}.Sample"
        assert cases["test_fail"][0].tag == "failure"
        assert cases["test_error"][0].tag == "error"
        assert cases["test_skip"][0].get("message") == "disabled"
        assert len(cases["test_ok"]) == 0

    def test_controlCharactersEscaped(self) -> None:
        """Characters XML 1.0 cannot carry are escaped, and the document parses."""
        out = io.StringIO()
        runAll(R.JUnitXMLReporter(out), ["test_error"])
        text = out.getvalue()
        assert "\x1b" not in text and "\x00" not in text
        assert "\\x1b" in text
        ElementTree.fromstring(text.split("\n", 1)[1])
