"""Tests for LogBeginner, globalLogBeginner, LoggingFile and capturedLogs (L7)."""

from __future__ import annotations

import io
from typing import Any

import pytest

from netframe.logger import (
    LogBeginner,
    Logger,
    LoggingFile,
    LogLevel,
    LogPublisher,
    capturedLogs,
    formatEvent,
    globalLogBeginner,
    globalLogPublisher,
)


class FakeStdio:
    """Stands in for the sys module."""

    def __init__(self) -> None:
        self.stdout: Any = io.StringIO()
        self.stderr: Any = io.StringIO()


class FakeWarnings:
    """Stands in for the warnings module."""

    def __init__(self) -> None:
        self.shown: list[tuple[Any, ...]] = []
        self.showwarning = self._show

    def _show(self, *args: Any) -> None:
        self.shown.append(args)


def _beginner(
    size: int | None = None,
) -> tuple[LogBeginner, LogPublisher, FakeStdio, FakeWarnings, io.StringIO]:
    publisher = LogPublisher()
    stdio = FakeStdio()
    warningsModule = FakeWarnings()
    errors = io.StringIO()
    return (
        LogBeginner(publisher, errors, stdio, warningsModule, size),
        publisher,
        stdio,
        warningsModule,
        errors,
    )


def _texts(events: list[dict[str, Any]]) -> list[str]:
    return [formatEvent(e) for e in events]


class LogBeginnerTests:
    def test_bufferReplayed(self) -> None:
        """L7: 'Hello' logged before beginLoggingTo reaches the observer after it."""
        beginner, publisher, _, _, _ = _beginner()
        log = Logger(observer=publisher)
        log.info("Hello")
        seen: list[dict[str, Any]] = []
        beginner.beginLoggingTo([seen.append], redirectStandardIO=False)
        log.info("Hello, again")
        assert _texts(seen) == ["Hello", "Hello, again"]

    def test_replayOnlyToNewObservers(self) -> None:
        """Observers added earlier are not sent the buffered events again."""
        beginner, publisher, _, _, _ = _beginner()
        early: list[dict[str, Any]] = []
        publisher.addObserver(early.append)
        Logger(observer=publisher).info("once")
        late: list[dict[str, Any]] = []
        beginner.beginLoggingTo([late.append], redirectStandardIO=False)
        assert _texts(early) == _texts(late) == ["once"]

    def test_discardBuffer(self) -> None:
        """discardBuffer drops the buffered events."""
        beginner, publisher, _, _, _ = _beginner()
        Logger(observer=publisher).info("lost")
        seen: list[dict[str, Any]] = []
        beginner.beginLoggingTo([seen.append], discardBuffer=True, redirectStandardIO=False)
        assert seen == []

    def test_bufferLimit(self) -> None:
        """The buffer keeps the last initialBufferSize events."""
        beginner, publisher, _, _, _ = _beginner(2)
        log = Logger(observer=publisher)
        for word in ("a", "b", "c"):
            log.info(word)
        seen: list[dict[str, Any]] = []
        beginner.beginLoggingTo([seen.append], redirectStandardIO=False)
        assert _texts(seen) == ["b", "c"]

    def test_criticalToErrorStreamBeforeBegin(self) -> None:
        """Before logging begins, critical events are written to the error stream."""
        _, publisher, _, _, errors = _beginner()
        log = Logger(namespace="app", observer=publisher)
        log.error("not shown")
        log.critical("shown")
        assert errors.getvalue().endswith(" [app#critical] shown\n")
        assert "not shown" not in errors.getvalue()

    def test_secondBeginWarns(self) -> None:
        """A second beginLoggingTo logs a warning naming both call sites."""
        beginner, _, _, _, _ = _beginner()
        seen: list[dict[str, Any]] = []
        beginner.beginLoggingTo([seen.append], redirectStandardIO=False)
        more: list[dict[str, Any]] = []
        beginner.beginLoggingTo([more.append], redirectStandardIO=False)
        (warning,) = seen
        assert warning["log_level"] is LogLevel.warn
        text = formatEvent(warning)
        assert text.startswith("Warning: primary log target selected twice at <")
        assert __file__ in text
        assert more == seen  # the new observers are added, and see the warning too

    def test_redirectStandardIO(self) -> None:
        """stdout and stderr lines become info and error events."""
        beginner, _, stdio, _, _ = _beginner()
        seen: list[dict[str, Any]] = []
        beginner.beginLoggingTo([seen.append])
        stdio.stdout.write("out line\npartial")
        stdio.stderr.write("err line\n")
        assert isinstance(stdio.stdout, LoggingFile)
        assert [(e["log_namespace"], e["log_level"], e["log_io"]) for e in seen] == [
            ("stdout", LogLevel.info, "out line"),
            ("stderr", LogLevel.error, "err line"),
        ]

    def test_noRedirect(self) -> None:
        """redirectStandardIO=False leaves stdout and stderr alone."""
        beginner, _, stdio, _, _ = _beginner()
        out = stdio.stdout
        beginner.beginLoggingTo([], redirectStandardIO=False)
        assert stdio.stdout is out

    def test_warningsLogged(self) -> None:
        """Python warnings become warn events; ones with a file go to the old hook."""
        beginner, _, _, warningsModule, _ = _beginner()
        seen: list[dict[str, Any]] = []
        beginner.beginLoggingTo([seen.append], redirectStandardIO=False)
        warningsModule.showwarning("careful", DeprecationWarning, "f.py", 3)
        assert formatEvent(seen[0]) == "f.py:3: DeprecationWarning: careful"
        target = io.StringIO()
        warningsModule.showwarning("to file", UserWarning, "g.py", 4, target)
        assert warningsModule.shown == [("to file", UserWarning, "g.py", 4, target, None)]

    def test_printingObserverDoesNotLoop(self) -> None:
        """An observer that prints to redirected stdout does not recurse."""
        beginner, _, stdio, _, _ = _beginner()
        realOut = stdio.stdout
        seen: list[dict[str, Any]] = []

        def printing(event: dict[str, Any]) -> None:
            seen.append(event)
            stdio.stdout.write(formatEvent(event) + "\n")

        beginner.beginLoggingTo([printing])
        stdio.stdout.write("hi\n")
        assert _texts(seen) == ["hi"]
        assert realOut.getvalue() == "hi\n"

    def test_globalBeginner(self) -> None:
        """globalLogBeginner serves the global publisher."""
        assert globalLogBeginner._publisher is globalLogPublisher


class LoggingFileTests:
    def _file(self, **kwargs: Any) -> tuple[LoggingFile, list[dict[str, Any]]]:
        seen: list[dict[str, Any]] = []
        return LoggingFile(Logger(namespace="io", observer=seen.append), **kwargs), seen

    def test_lines(self) -> None:
        """Each complete line is one event; partial lines wait."""
        f, seen = self._file()
        assert f.write("a\nb") == 3
        assert [e["log_io"] for e in seen] == ["a"]
        f.write("c\n")
        assert [e["log_io"] for e in seen] == ["a", "bc"]
        assert formatEvent(seen[0]) == "a"

    def test_bytes(self) -> None:
        """Bytes are decoded with the encoding."""
        f, seen = self._file(encoding="latin-1")
        f.write(b"caf\xe9\n")
        assert seen[0]["log_io"] == "caf\xe9"

    def test_closeFlushesPartial(self) -> None:
        """close emits a pending partial line; writing after close raises."""
        f, seen = self._file()
        f.write("tail")
        f.flush()
        assert seen == []
        f.close()
        assert f.closed
        assert [e["log_io"] for e in seen] == ["tail"]
        with pytest.raises(ValueError):
            f.write("x")

    def test_fileProtocol(self) -> None:
        """LoggingFile answers the usual file questions."""
        f, seen = self._file(level=LogLevel.warn)
        assert not f.isatty()
        assert f.writable() and not f.readable() and not f.seekable()
        assert f.mode == "w" and f.encoding == "utf-8"
        with pytest.raises(OSError):
            f.fileno()
        f.writelines(["x\n", "y\n"])
        assert [e["log_level"] for e in seen] == [LogLevel.warn, LogLevel.warn]
        assert repr(f) == "<LoggingFile 'io' at warn>"

    def test_invalidLevel(self) -> None:
        """A level that is not a LogLevel is refused."""
        from netframe.logger import InvalidLogLevelError

        with pytest.raises(InvalidLogLevelError):
            LoggingFile(Logger(), level="info")  # type: ignore[arg-type]

    def test_lineLengthAtLimit(self) -> None:
        """A partial line of maxLineLength characters keeps waiting."""
        f, seen = self._file()
        f.maxLineLength = 5
        f.write("12345")
        assert seen == []

    def test_lineLengthPastLimit(self) -> None:
        """A partial line past maxLineLength is emitted as it is."""
        f, seen = self._file()
        f.maxLineLength = 5
        f.write("123456")
        assert [e["log_io"] for e in seen] == ["123456"]


class CapturedLogsTests:
    def test_captures(self) -> None:
        """capturedLogs collects global events while active only."""
        with capturedLogs() as events:
            Logger(namespace="cap").info("in")
        Logger(namespace="cap").info("out")
        assert _texts(events) == ["in"]
