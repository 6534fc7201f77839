"""Tests for JSON serialization and the JSON file observer (L4, L6)."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netframe.logger import (
    Logger,
    LogLevel,
    eventAsJSON,
    eventFromJSON,
    eventsFromJSONLogFile,
    extractField,
    formatEvent,
    globalLogPublisher,
    jsonFileLogObserver,
    textFileLogObserver,
)
from netframe.logger._json import DEFAULT_MAX_RECORD_SIZE, MAX_NESTING_DEPTH


@pytest.fixture
def warnings() -> Iterator[list[str]]:
    """Collect the text of warnings logged by the JSON reader."""
    seen: list[str] = []

    def observer(event: dict[str, Any]) -> None:
        if event.get("log_namespace") == "netframe.logger.json":
            assert event["log_level"] is LogLevel.warn
            seen.append(formatEvent(event))

    globalLogPublisher.addObserver(observer)
    yield seen
    globalLogPublisher.removeObserver(observer)


def _save(*events: dict[str, Any]) -> str:
    out = io.StringIO()
    observer = jsonFileLogObserver(out)
    for event in events:
        observer(event)
    return out.getvalue()


class AdHoc:
    """The seed's ad_hoc.py class."""

    log = Logger(namespace="ad_hoc")

    def __init__(self, a: int, b: int) -> None:
        self.a = a
        self.b = b

    def logMessage(self) -> None:
        self.log.info("message from {log_source} where a is {log_source.a} and b is {log_source.b}")


FMT = "message from {log_source} where a is {log_source.a} and b is {log_source.b}"


def analyze(event: dict[str, Any], printed: list[str]) -> None:
    """The seed's analyze.py."""
    if event.get("log_format") == FMT:
        a = extractField("log_source.a", event)
        b = extractField("log_source.b", event)
        printed.append("A + B = " + repr(a + b))


class SeedExampleTests:
    def test_saverLoader(self) -> None:
        """L4: saver writes 2 events; loader prints them as text; loader-math sums."""
        out = io.StringIO()
        log = Logger(observer=jsonFileLogObserver(out), namespace="saver")

        def loggit(values: list[int]) -> None:
            log.info("Some values: {values!r}", values=values)

        loggit([1234, 5678])
        loggit([9876, 5432])
        saved = out.getvalue()
        assert saved.count("\x1e") == 2
        assert saved.startswith("\x1e{") and saved.endswith("}\n")
        text = io.StringIO()
        output = textFileLogObserver(text, timeFormat=None)
        for event in eventsFromJSONLogFile(io.StringIO(saved)):
            output(event)
        assert text.getvalue() == (
            "- [saver#info] Some values: [1234, 5678]\n- [saver#info] Some values: [9876, 5432]\n"
        )
        sums = [sum(e["values"]) for e in eventsFromJSONLogFile(io.StringIO(saved))]
        assert sums == [6912, 15308]

    def test_onlineAndOfflineAnalysis(self) -> None:
        """L6: online and offline analysis both print 'A + B = 7'."""
        online: list[str] = []
        out = io.StringIO()
        saver = jsonFileLogObserver(out)

        def observer(event: dict[str, Any]) -> None:
            analyze(event, online)

        globalLogPublisher.addObserver(observer)
        globalLogPublisher.addObserver(saver)
        try:
            AdHoc(3, 4).logMessage()
        finally:
            globalLogPublisher.removeObserver(observer)
            globalLogPublisher.removeObserver(saver)
        offline: list[str] = []
        for event in eventsFromJSONLogFile(io.StringIO(out.getvalue())):
            analyze(event, offline)
        assert online == offline == ["A + B = 7"]

    def test_loadedEventFormatsLikeOriginal(self) -> None:
        """A loaded event renders with the texts saved for its fields."""
        source = AdHoc(3, 4)
        event = {"log_format": FMT, "log_source": source, "log_level": LogLevel.info}
        loaded = eventFromJSON(eventAsJSON(event))
        assert formatEvent(loaded) == formatEvent(event)


jsonScalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
jsonValues = st.recursive(
    jsonScalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)
userKeys = st.text().filter(lambda k: not k.startswith("log_"))


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    event: dict[str, Any] = draw(st.dictionaries(userKeys, jsonValues, max_size=5))
    event["log_level"] = draw(st.sampled_from(list(LogLevel.iterconstants())))
    event["log_namespace"] = draw(st.text())
    event["log_time"] = draw(st.floats(min_value=0, max_value=2e9))
    event["log_format"] = draw(st.none() | st.text(alphabet=st.characters(exclude_characters="{}")))
    return event


class RoundTripTests:
    @given(events())
    def test_eventRoundTrip(self, event: dict[str, Any]) -> None:
        """eventFromJSON(eventAsJSON(event)) gives the event back."""
        assert eventFromJSON(eventAsJSON(event)) == event

    @settings(max_examples=40)
    @given(st.lists(events(), max_size=4), st.sampled_from(["\x1e", ""]), st.integers(8, 64))
    def test_observerRoundTrip(
        self, saved: list[dict[str, Any]], separator: str, bufferSize: int
    ) -> None:
        """Events written by jsonFileLogObserver are read back identically."""
        out = io.StringIO()
        observer = jsonFileLogObserver(out, recordSeparator=separator)
        for event in saved:
            observer(event)
        loaded = list(eventsFromJSONLogFile(io.StringIO(out.getvalue()), bufferSize=bufferSize))
        assert loaded == saved

    def test_bytesFile(self) -> None:
        """Binary files are read as UTF-8."""
        data = _save({"log_format": "caf\xe9", "x": "\xe9"}).encode("utf-8")
        (event,) = eventsFromJSONLogFile(io.BytesIO(data), bufferSize=1)
        assert event["x"] == "\xe9"

    def test_levelRestored(self) -> None:
        """log_level comes back as the LogLevel constant."""
        assert (
            eventFromJSON(eventAsJSON({"log_level": LogLevel.warn}))["log_level"] is LogLevel.warn
        )

    def test_failureRestored(self) -> None:
        """Failures come back with their traceback text and message."""
        events: list[dict[str, Any]] = []
        try:
            1 / 0
        except ZeroDivisionError:
            Logger(observer=events.append).failure("Math is hard!")
        original = events[0]["log_failure"]
        loaded = eventFromJSON(eventAsJSON(events[0]))["log_failure"]
        assert loaded.getTraceback() == original.getTraceback()
        assert loaded.getBriefTraceback() == original.getTraceback()
        assert loaded.getErrorMessage() == "division by zero"
        assert loaded.type == "ZeroDivisionError"
        assert "ZeroDivisionError" in repr(loaded)
        again = eventFromJSON(eventAsJSON({"log_failure": loaded}))["log_failure"]
        assert again.getTraceback() == original.getTraceback()


class PlaceholderTests:
    def test_unserializable(self) -> None:
        """Objects JSON cannot hold are saved as their repr."""

        class Thing:
            def __repr__(self) -> str:
                return "<Thing>"

        assert eventFromJSON(eventAsJSON({"t": Thing(), "s": {1}}))["t"] == "<Thing>"

    def test_raisingRepr(self) -> None:
        """Objects whose repr raises get a safe placeholder."""

        class Bad:
            def __repr__(self) -> str:
                raise RuntimeError

        assert "with repr error RuntimeError" in eventFromJSON(eventAsJSON({"b": Bad()}))["b"]

    def test_bytes(self) -> None:
        """Bytes are decoded as UTF-8, bad bytes escaped."""
        assert eventFromJSON(eventAsJSON({"b": b"ok\xff"}))["b"] == "ok\\xff"

    def test_loggerDropped(self) -> None:
        """log_logger is not saved."""
        assert "log_logger" not in eventFromJSON(eventAsJSON({"log_logger": Logger()}))

    def test_nonFiniteFloats(self) -> None:
        """NaN and infinities are saved as text: the output is strict JSON."""
        text = eventAsJSON({"n": math.nan, "i": math.inf})
        assert json.loads(text, parse_constant=lambda c: pytest.fail(c)) == {"n": "nan", "i": "inf"}

    def test_nonTextKeys(self) -> None:
        """Dict keys JSON cannot hold are saved as their repr."""
        assert eventFromJSON(eventAsJSON({"d": {(1, 2): "t", 3: "i"}}))["d"] == {
            "(1, 2)": "t",
            "3": "i",
        }

    def test_cycle(self) -> None:
        """Self-referencing containers are cut with a placeholder."""
        loop: list[Any] = [1]
        loop.append(loop)
        assert eventFromJSON(eventAsJSON({"l": loop}))["l"] == [1, "<circular reference>"]

    def test_nestingAtLimit(self) -> None:
        """Nesting up to MAX_NESTING_DEPTH is kept when the event needs sanitizing."""
        value: Any = "leaf"
        for _ in range(MAX_NESTING_DEPTH):
            value = [value]
        loaded = eventFromJSON(eventAsJSON({"v": value, "bad": math.nan}))
        inner = loaded["v"]
        for _ in range(MAX_NESTING_DEPTH):
            inner = inner[0]
        assert inner == "leaf"

    def test_nestingPastLimit(self) -> None:
        """One level past MAX_NESTING_DEPTH becomes a placeholder."""
        value: Any = "leaf"
        for _ in range(MAX_NESTING_DEPTH + 1):
            value = [value]
        inner = eventFromJSON(eventAsJSON({"v": value, "bad": math.nan}))["v"]
        for _ in range(MAX_NESTING_DEPTH):
            inner = inner[0]
        assert inner == "<nested too deeply>"

    def test_hugeInt(self) -> None:
        """Integers too long to print become a placeholder."""
        assert eventFromJSON(eventAsJSON({"n": 10**5000}))["n"].startswith("<int with ")

    def test_fieldsFlattened(self) -> None:
        """Values named by format fields are kept in log_flattened."""
        saved = json.loads(eventAsJSON({"log_format": "{o.x:>3}", "o": type("O", (), {"x": 5})()}))
        assert saved["log_flattened"] == {"o.x": 5, "o.x!:>3": "  5"}


class MalformedTests:
    def test_notObject(self) -> None:
        """eventFromJSON refuses JSON that is not an object."""
        with pytest.raises(ValueError, match="not an object"):
            eventFromJSON("[1]")

    def test_tooDeep(self) -> None:
        """eventFromJSON refuses absurdly nested JSON with ValueError."""
        with pytest.raises(ValueError):
            eventFromJSON("[" * 100_000 + "]" * 100_000)

    def test_malformedLinesSkipped(self, warnings: list[str]) -> None:
        """Malformed newline-delimited records are skipped with a warning."""
        data = '{"a": 1}\nnot json\n[2]\n\n{"a": 3}\n'
        assert [e["a"] for e in eventsFromJSONLogFile(io.StringIO(data))] == [1, 3]
        assert len(warnings) == 2
        assert warnings[0].startswith("Unable to read JSON record: 'not json'")

    def test_truncatedRecordSkipped(self, warnings: list[str]) -> None:
        """An RFC 7464 record without its final newline is skipped as truncated."""
        data = '\x1e{"a": 1}\n\x1e{"a": 2}\x1e{"a": 3}\n\x1e{"a"'
        assert [e["a"] for e in eventsFromJSONLogFile(io.StringIO(data))] == [1, 3]
        assert [w.split(":")[0] for w in warnings] == ["Unable to read truncated JSON record"] * 2

    def test_garbageBeforeFirstRecord(self, warnings: list[str]) -> None:
        """Text before the first separator is reported and skipped."""
        data = 'junk\x1e{"a": 1}\n'
        assert list(eventsFromJSONLogFile(io.StringIO(data), recordSeparator="\x1e")) == [{"a": 1}]
        assert warnings == ["Skipping text before the first JSON record: 'junk'"]

    def test_autodetectAfterWhitespace(self) -> None:
        """Leading blank lines do not defeat separator detection."""
        data = '\n\n  \x1e{"a": 1}\n'
        assert list(eventsFromJSONLogFile(io.StringIO(data), bufferSize=1)) == [{"a": 1}]

    def test_emptyFile(self) -> None:
        """An empty file has no events."""
        assert list(eventsFromJSONLogFile(io.StringIO(""))) == []

    def test_recordAtSizeLimit(self, warnings: list[str]) -> None:
        """A record of exactly maxRecordSize characters is read."""
        record = '{"a": "' + "x" * 10 + '"}'
        data = record + "\n"
        events = list(
            eventsFromJSONLogFile(io.StringIO(data), bufferSize=4, maxRecordSize=len(record))
        )
        assert len(events) == 1
        assert warnings == []

    def test_recordPastSizeLimit(self, warnings: list[str]) -> None:
        """A record one character past maxRecordSize is skipped; reading goes on."""
        record = '{"a": "' + "x" * 10 + '"}'
        data = record + "\n" + '{"b": 1}\n'
        for bufferSize in (4, 4096):
            warnings.clear()
            events = list(
                eventsFromJSONLogFile(
                    io.StringIO(data), bufferSize=bufferSize, maxRecordSize=len(record) - 1
                )
            )
            assert events == [{"b": 1}]
            assert len(warnings) == 1
            assert "longer than" in warnings[0]

    def test_defaultSizeLimit(self) -> None:
        """The default record size limit is 16 MiB."""
        assert DEFAULT_MAX_RECORD_SIZE == 16 * 1024 * 1024

    @given(st.text())
    def test_neverRaises(self, data: str) -> None:
        """Arbitrary text never makes the reader raise."""
        for event in eventsFromJSONLogFile(io.StringIO(data), bufferSize=7):
            assert isinstance(event, dict)
