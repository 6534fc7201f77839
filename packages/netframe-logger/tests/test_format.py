"""Tests for event formatting: formatEvent, extractField, formatTime, eventAsText."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netframe.logger import (
    LogLevel,
    eventAsText,
    extractField,
    formatEvent,
    formatEventAsClassicLogText,
    formatTime,
    formatWithCall,
)
from netframe.logger._format import MAX_SPEC_NESTING, PositionalFieldError, safeRepr


class Explosive:
    """An object whose repr, str and format all raise."""

    def __repr__(self) -> str:
        raise RuntimeError("no repr")

    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __format__(self, spec: str) -> str:
        raise RuntimeError("no format")


@pytest.fixture
def pacificTime(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run with the local time zone set to US Pacific time."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


class FormatEventTests:
    def test_namedFields(self) -> None:
        """Named fields are replaced by the event's values."""
        assert formatEvent({"log_format": "{a} and {b}", "a": 1, "b": "two"}) == "1 and two"

    def test_attributeAndIndex(self) -> None:
        """Attribute and index access work as in PEP 3101."""

        class Request:
            uri = "/x"

        event = {"log_format": "{r.uri} {l[1]} {d[k]}", "r": Request(), "l": [1, 2], "d": {"k": 3}}
        assert formatEvent(event) == "/x 2 3"

    def test_callField(self) -> None:
        """A field ending in () calls the object and formats the result."""
        event = {
            "log_format": "{f()} {o.m()}",
            "f": lambda: 42,
            "o": type("O", (), {"m": lambda self: "m"})(),
        }
        assert formatEvent(event) == "42 m"

    def test_conversionsAndSpecs(self) -> None:
        """!r, !s, !a and format specs (including nested ones) apply."""
        event = {
            "log_format": "{s!r} {s!s} {u!a} {n:>5} {n:{w}}",
            "s": "x",
            "u": "é",
            "n": 3,
            "w": 3,
        }
        assert formatEvent(event) == "'x' x '\\xe9'     3   3"

    def test_bytesFormat(self) -> None:
        """A UTF-8 bytes format string is accepted."""
        assert formatEvent({"log_format": "caf\xe9 {x}".encode(), "x": 1}) == "caf\xe9 1"

    def test_noFormat(self) -> None:
        """An event without a format renders as empty text."""
        assert formatEvent({"a": 1}) == ""
        assert formatEvent({"log_format": None}) == ""

    def test_escapedBraces(self) -> None:
        """Doubled braces render as single braces."""
        assert formatEvent({"log_format": "{{literal}}"}) == "{literal}"

    @pytest.mark.parametrize("fmt", ["{}", "{0}", "{0.real}"])
    def test_positionalRefused(self, fmt: str) -> None:
        """Positional fields produce readable 'Unable to format event' text."""
        text = formatEvent({"log_format": fmt})
        assert text.startswith("Unable to format event ")
        assert "positional format field" in text

    def test_positionalRaisesInFormatWithCall(self) -> None:
        """formatWithCall raises PositionalFieldError for positional fields."""
        with pytest.raises(PositionalFieldError):
            formatWithCall("{}", {})

    def test_missingKey(self) -> None:
        """A missing field makes 'Unable to format event' text naming the key."""
        text = formatEvent({"log_format": "{missing}"})
        assert text.startswith("Unable to format event {'log_format': '{missing}'}")
        assert "KeyError('missing')" in text

    def test_badFormatString(self) -> None:
        """A malformed format string does not raise."""
        assert formatEvent({"log_format": "{oops"}).startswith("Unable to format event")

    def test_nonTextFormat(self) -> None:
        """A format that is not text does not raise."""
        assert formatEvent({"log_format": 42}).startswith("Unable to format event")

    def test_explosiveField(self) -> None:
        """A field whose __format__ and __repr__ raise yields safe text."""
        text = formatEvent({"log_format": "{x}", "x": Explosive()})
        assert text.startswith("Unable to format event")
        assert "Explosive instance at 0x" in text
        assert "with repr error RuntimeError" in text

    def test_explosiveRepr(self) -> None:
        """A field whose __repr__ raises under !r yields safe text."""
        assert formatEvent({"log_format": "{x!r}", "x": Explosive()}).startswith(
            "Unable to format event"
        )

    def test_unknownConversion(self) -> None:
        """An unknown conversion character does not raise."""
        assert formatEvent({"log_format": "{x!z}", "x": 1}).startswith("Unable to format event")

    def test_specNestingLimit(self) -> None:
        """Format specs nest up to MAX_SPEC_NESTING levels, not more."""
        assert MAX_SPEC_NESTING == 2
        assert formatWithCall("{x:{w}}", {"x": 1, "w": 2}) == " 1"
        with pytest.raises(ValueError):
            formatWithCall("{x:{w:{v:{u}}}}", {"x": 1, "w": 2, "v": "", "u": ""})

    @given(st.text())
    def test_neverRaises(self, fmt: str) -> None:
        """formatEvent never raises, whatever the format string."""
        assert isinstance(formatEvent({"log_format": fmt, "a": 1}), str)


class SafeReprTests:
    def test_plain(self) -> None:
        """safeRepr is repr for well-behaved objects."""
        assert safeRepr([1]) == "[1]"

    def test_raising(self) -> None:
        """safeRepr describes objects whose repr raises."""
        assert "with repr error RuntimeError" in safeRepr(Explosive())


class ExtractFieldTests:
    def test_attribute(self) -> None:
        """L6: extractField resolves attribute paths in live events."""

        class AdHoc:
            a = 3
            b = 4

        event = {"log_source": AdHoc(), "log_format": "x"}
        assert extractField("log_source.a", event) + extractField("log_source.b", event) == 7

    def test_flattened(self) -> None:
        """extractField prefers values kept in log_flattened."""
        assert extractField("log_source.a", {"log_flattened": {"log_source.a": 3}}) == 3

    def test_missing(self) -> None:
        """extractField raises KeyError for unknown fields."""
        with pytest.raises(KeyError):
            extractField("nope.x", {})

    def test_call(self) -> None:
        """extractField calls fields ending in ()."""
        assert extractField("f()", {"f": lambda: 5}) == 5


class FormatTimeTests:
    def test_rfc3339(self, pacificTime: None) -> None:
        """The default format is RFC 3339 style with the local offset."""
        assert formatTime(1357072496.0) == "2013-01-01T12:34:56-0800"

    def test_customFormat(self, pacificTime: None) -> None:
        """A custom strftime format is used."""
        assert formatTime(1357072496.0, "%H:%M") == "12:34"

    def test_none(self) -> None:
        """A missing time or format gives the default text."""
        assert formatTime(None) == "-"
        assert formatTime(1.0, None, default="?") == "?"

    def test_unusable(self) -> None:
        """A time stamp that cannot be converted gives the default text."""
        assert formatTime(1e300) == "-"
        assert formatTime("x") == "-"  # type: ignore[arg-type]


class EventAsTextTests:
    EVENT: dict[str, Any] = {
        "log_format": "hello\nworld",
        "log_namespace": "my.ns",
        "log_level": LogLevel.warn,
        "log_time": 1357072496.0,
    }

    def test_classic(self, pacificTime: None) -> None:
        """Classic text: time stamp, [namespace#level], text, tab-indented lines."""
        assert (
            formatEventAsClassicLogText(self.EVENT)
            == "2013-01-01T12:34:56-0800 [my.ns#warn] hello\n\tworld\n"
        )

    def test_classicEmpty(self) -> None:
        """An event with no text renders as None."""
        assert formatEventAsClassicLogText({"log_level": LogLevel.info}) is None

    def test_missingSystemParts(self) -> None:
        """Missing namespace, level and time show as '-'."""
        assert formatEventAsClassicLogText({"log_format": "x"}) == "- [-#-] x\n"

    def test_logSystem(self) -> None:
        """log_system replaces namespace#level."""
        assert (
            eventAsText({"log_format": "x", "log_system": "Broker,0"}, includeTimestamp=False)
            == "[Broker,0] x"
        )

    def test_options(self) -> None:
        """Time stamp and system can be left out."""
        assert (
            eventAsText(self.EVENT, includeTimestamp=False, includeSystem=False) == "hello\nworld"
        )

    def test_tracebackIncluded(self) -> None:
        """The failure's traceback follows the text unless excluded."""

        class FakeFailure:
            def getTraceback(self) -> str:
                return "TRACEBACK\n"

        event = {"log_format": "boom", "log_failure": FakeFailure()}
        assert (
            eventAsText(event, includeTimestamp=False, includeSystem=False) == "boom\nTRACEBACK\n"
        )
        assert (
            eventAsText(event, includeTraceback=False, includeTimestamp=False, includeSystem=False)
            == "boom"
        )

    def test_brokenFailure(self) -> None:
        """A failure whose getTraceback raises is described, not raised."""

        class Broken:
            def getTraceback(self) -> str:
                raise RuntimeError

        text = eventAsText({"log_failure": Broken()}, includeTimestamp=False, includeSystem=False)
        assert text == "(UNABLE TO OBTAIN TRACEBACK FROM EVENT)\n"

    def test_brokenFormatTime(self) -> None:
        """A formatTime that raises gives '-' instead of breaking."""

        def bad(when: float | None) -> str:
            raise RuntimeError

        assert eventAsText({"log_format": "x"}, includeSystem=False, formatTime=bad) == "- x"
