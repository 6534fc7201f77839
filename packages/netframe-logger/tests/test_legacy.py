"""Tests for netframe.logger.legacy (Twisted's twisted.python.log API)."""

from __future__ import annotations

import io
import logging
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from netframe.logger import ILogObserver as NewILogObserver
from netframe.logger import (
    LogBeginner,
    Logger,
    LogLevel,
    LogPublisher,
    formatEvent,
)
from netframe.logger import legacy as log
from netframe.logger._failure import Failure, NoCurrentExceptionError
from netframe.logger.logfile import DailyLogFile


class _World:
    """An isolated logging graph: publisher, beginner, fake stdio and warnings."""

    def __init__(self) -> None:
        self.publisher = LogPublisher()
        self.errors = io.StringIO()
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()
        self.stdio = types.SimpleNamespace(stdout=self.stdout, stderr=self.stderr)
        self.warningsModule = types.SimpleNamespace(showwarning=lambda *a, **k: None)
        self.beginner = LogBeginner(self.publisher, self.errors, self.stdio, self.warningsModule)
        self.legacyPublisher = log.LogPublisher(self.publisher, self.publisher, self.beginner)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[_World]:
    """Route the module-level legacy functions through an isolated graph."""
    w = _World()
    monkeypatch.setattr(log, "theLogPublisher", w.legacyPublisher)
    yield w


def _legacyEvents(world: _World) -> list[dict[str, Any]]:
    """Register a list-appending legacy observer and return the list."""
    events: list[dict[str, Any]] = []
    log.addObserver(events.append)
    return events


def _newEvents(world: _World) -> list[dict[str, Any]]:
    """Register a list-appending new-style observer and return the list."""
    events: list[dict[str, Any]] = []
    world.publisher.addObserver(events.append)
    return events


class MsgTests:
    """log.msg."""

    def test_legacyEventKeys(self, world: _World) -> None:
        """msg gives legacy observers message, isError, system and time."""
        events = _legacyEvents(world)
        before = time.time()
        log.msg("Hello, world.")
        (event,) = events
        assert event["message"] == ("Hello, world.",)
        assert event["isError"] == 0
        assert event["system"] == "-"
        assert before <= event["time"] <= time.time()
        assert log.textFromEventDict(event) == "Hello, world."

    def test_messageJoinedBySpaces(self, world: _World) -> None:
        """The message parts are joined by spaces."""
        events = _legacyEvents(world)
        log.msg("a", 1, None)
        assert log.textFromEventDict(events[0]) == "a 1 None"

    def test_extraKeys(self, world: _World) -> None:
        """Keyword arguments become event keys; system is honoured."""
        events = _legacyEvents(world)
        log.msg("x", system="Broker,0,127.0.0.1", custom=5)
        assert events[0]["system"] == "Broker,0,127.0.0.1"
        assert events[0]["custom"] == 5

    def test_format(self, world: _World) -> None:
        """format is applied with % to the event when there is no message."""
        events = _legacyEvents(world)
        log.msg(format="%(user)s logged in %(count)d times", user="bob", count=3)
        assert log.textFromEventDict(events[0]) == "bob logged in 3 times"

    def test_badFormat(self, world: _World) -> None:
        """A format that fails gives a description instead of raising."""
        events = _legacyEvents(world)
        log.msg(format="%(missing)s")
        text = log.textFromEventDict(events[0])
        assert text is not None
        assert text.startswith("Invalid format string or unformattable object")

    def test_newStyleEvent(self, world: _World) -> None:
        """New-style observers see msg events with log_* keys and formatted text."""
        events = _newEvents(world)
        log.msg("hi", "there", system="sys")
        (event,) = events
        assert event["log_level"] is LogLevel.info
        assert event["log_namespace"] == "log_legacy"
        assert event["log_system"] == "sys"
        assert event["log_time"] == event["time"]
        assert formatEvent(event) == "hi there"

    def test_logLevelMapsToNewLevel(self, world: _World) -> None:
        """A stdlib logLevel chooses the new-style level."""
        events = _newEvents(world)
        log.msg("quiet", logLevel=logging.DEBUG)
        log.msg("loud", logLevel=logging.WARNING)
        log.msg("odd", logLevel="nonsense")
        assert [e["log_level"] for e in events] == [
            LogLevel.debug,
            LogLevel.warn,
            LogLevel.info,
        ]

    def test_hostileMessagePart(self, world: _World) -> None:
        """A message part whose str raises is described, not raised."""

        class Hostile:
            def __str__(self) -> str:
                raise RuntimeError("no")

        events = _legacyEvents(world)
        log.msg("a", Hostile())
        text = log.textFromEventDict(events[0])
        assert text is not None and "str error RuntimeError" in text


class ErrTests:
    """log.err."""

    def test_currentException(self, world: _World) -> None:
        """err() in an except block logs the current exception with isError."""
        events = _legacyEvents(world)
        try:
            1 / 0
        except ZeroDivisionError:
            log.err()
        (event,) = events
        assert event["isError"] == 1
        assert event["failure"].check(ZeroDivisionError)
        assert event["message"] == ()
        text = log.textFromEventDict(event)
        assert text is not None
        assert text.startswith("Unhandled Error\nTraceback (most recent call last):\n")
        assert "builtins.ZeroDivisionError: division by zero" in text

    def test_why(self, world: _World) -> None:
        """The why argument replaces 'Unhandled Error'."""
        events = _legacyEvents(world)
        log.err(ValueError("bad"), "while parsing")
        text = log.textFromEventDict(events[0])
        assert text is not None
        assert text.startswith("while parsing\n")
        assert events[0]["why"] == "while parsing"

    def test_failure(self, world: _World) -> None:
        """err accepts a Failure as is."""
        events = _legacyEvents(world)
        f = Failure(KeyError("k"))
        log.err(f)
        assert events[0]["failure"] is f

    def test_stuffAndWhyByKeyword(self, world: _World) -> None:
        """err(_stuff=..., _why=...) logs like the positional form, without a _stuff key."""
        events = _legacyEvents(world)
        f = Failure(KeyError("k"))
        log.err(_stuff=f, _why="while parsing")
        assert events[0]["failure"] is f
        assert events[0]["why"] == "while parsing"
        assert "_stuff" not in events[0]

    def test_otherObject(self, world: _World) -> None:
        """err of a non-exception logs its repr as the message."""
        events = _legacyEvents(world)
        log.err({"a": 1})
        assert events[0]["message"] == ("{'a': 1}",)
        assert events[0]["isError"] == 1

    def test_noCurrentException(self, world: _World) -> None:
        """err() with no exception being handled raises NoCurrentExceptionError."""
        with pytest.raises(NoCurrentExceptionError):
            log.err()

    def test_newStyleEvent(self, world: _World) -> None:
        """New-style observers see errors as critical events with log_failure."""
        events = _newEvents(world)
        log.err(ValueError("bad"), "context")
        (event,) = events
        assert event["log_level"] is LogLevel.critical
        assert event["log_failure"].check(ValueError)
        assert formatEvent(event) == "context"

    def test_hostileTraceback(self, world: _World) -> None:
        """A failure whose getTraceback raises still gives text."""

        class BadFailure:
            def getTraceback(self) -> str:
                raise RuntimeError("no")

        text = log.textFromEventDict({"message": (), "isError": 1, "failure": BadFailure()})
        assert text == "Unhandled Error\n(UNABLE TO OBTAIN TRACEBACK FROM EVENT)\n"

    def test_beforeStartLoggingGoesToStderr(self, world: _World) -> None:
        """Before logging starts, errors are written to the error stream."""
        log.err(ValueError("early"))
        assert "builtins.ValueError: early" in world.errors.getvalue()
        log.msg("not shown")
        assert "not shown" not in world.errors.getvalue()


class ObserverTests:
    """addObserver, removeObserver and the conversions."""

    def test_removeObserver(self, world: _World) -> None:
        """A removed observer gets no more events; removing twice is harmless."""
        events = _legacyEvents(world)
        log.msg("one")
        log.removeObserver(events.append)
        log.removeObserver(events.append)
        log.msg("two")
        assert [e["message"] for e in events] == [("one",)]

    def test_addTwice(self, world: _World) -> None:
        """Adding the same observer twice delivers each event once."""
        events: list[dict[str, Any]] = []
        log.addObserver(events.append)
        log.addObserver(events.append)
        log.msg("x")
        assert len(events) == 1

    def test_addNotCallable(self, world: _World) -> None:
        """Adding a non-callable raises TypeError."""
        with pytest.raises(TypeError, match="not callable"):
            log.addObserver(3)  # type: ignore[arg-type]

    def test_newLoggerEventsToLegacy(self, world: _World) -> None:
        """Events of new-style Loggers reach legacy observers in legacy form."""
        events = _legacyEvents(world)
        logger = Logger(namespace="app", observer=world.publisher)
        logger.info("x is {x}", x=1)
        logger.error("broken")
        (info, error) = events
        assert info["message"] == ()
        assert info["isError"] == 0
        assert info["system"] == "-"
        assert info["logLevel"] == logging.INFO
        assert log.textFromEventDict(info) == "x is 1"
        assert error["isError"] == 1
        assert log.textFromEventDict(error) == "broken"

    def test_newFailureToLegacy(self, world: _World) -> None:
        """A new-style failure event becomes an error with failure and why."""
        events = _legacyEvents(world)
        logger = Logger(namespace="app", observer=world.publisher)
        try:
            1 / 0
        except ZeroDivisionError:
            logger.failure("Math is hard!")
        (event,) = events
        assert event["isError"] == 1
        assert event["failure"].check(ZeroDivisionError)
        text = log.textFromEventDict(event)
        assert text is not None
        assert text.startswith("Math is hard!\nTraceback (most recent call last):\n")
        assert "--- <exception caught here> ---" in text

    def test_newEventWithoutTextIsSkipped(self, world: _World) -> None:
        """A new-style event without format or failure has no legacy text."""
        events = _legacyEvents(world)
        world.publisher({"log_time": 0.0, "log_level": LogLevel.info})
        assert log.textFromEventDict(events[0]) is None

    def test_newSystemKept(self, world: _World) -> None:
        """log_system of a new-style event becomes the legacy system."""
        events = _legacyEvents(world)
        world.publisher({"log_system": "Proto,1", "log_format": "x", "log_time": 1.0})
        assert events[0]["system"] == "Proto,1"
        assert events[0]["time"] == 1.0

    def test_textFromEmptyEvent(self) -> None:
        """An event with nothing to show has no text."""
        assert log.textFromEventDict({"message": (), "isError": 0}) is None

    def test_wrapperProvidesNewInterface(self) -> None:
        """LegacyLogObserverWrapper provides the new ILogObserver."""
        wrapper = log.LegacyLogObserverWrapper(lambda event: None)
        assert verifyObject(NewILogObserver, wrapper)

    def test_wrapperEqualityAndRepr(self) -> None:
        """Wrappers of one observer are equal, hash alike and show it in repr."""
        events: list[dict[str, Any]] = []
        a = log.LegacyLogObserverWrapper(events.append)
        b = log.LegacyLogObserverWrapper(events.append)
        assert a == b and hash(a) == hash(b)
        assert a != log.LegacyLogObserverWrapper(print)
        assert a != "other"
        assert repr(a).startswith("LegacyLogObserverWrapper(<built-in method append")

    def test_wrapperNotCallable(self) -> None:
        """Wrapping a non-callable raises TypeError."""
        with pytest.raises(TypeError):
            log.LegacyLogObserverWrapper(None)  # type: ignore[arg-type]

    def test_legacyInterfaceIsDistinct(self) -> None:
        """The legacy ILogObserver is not the new-style one."""
        assert log.ILogObserver is not NewILogObserver  # type: ignore[comparison-overlap]
        assert "eventDict" in log.ILogObserver["__call__"].getSignatureString()


class FileLogObserverTests:
    """The legacy FileLogObserver."""

    def test_documentedLineFormat(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A line reads 2008-04-25 10:53:27+0200 [-] Log opened."""
        monkeypatch.setenv("TZ", "XST-02")
        time.tzset()
        try:
            when = time.mktime((2008, 4, 25, 10, 53, 27, 0, 0, -1))
            out = io.StringIO()
            observer = log.FileLogObserver(out)
            observer.emit({"message": ("Log opened.",), "isError": 0, "system": "-", "time": when})
        finally:
            monkeypatch.undo()
            time.tzset()
        assert out.getvalue() == "2008-04-25 10:53:27+0200 [-] Log opened.\n"

    def test_timeFormat(self) -> None:
        """timeFormat replaces the default time stamp format."""
        out = io.StringIO()
        observer = log.FileLogObserver(out)
        observer.timeFormat = "[%Y]"
        observer.emit({"message": ("x",), "isError": 0, "system": "s", "time": 0.0})
        assert out.getvalue().endswith("] [s] x\n")
        assert out.getvalue().startswith("[19")

    def test_badTime(self) -> None:
        """An unusable time is shown as -."""
        out = io.StringIO()
        log.FileLogObserver(out).emit({"message": ("x",), "isError": 0, "time": "soon"})
        assert out.getvalue() == "- [-] x\n"

    def test_continuationLines(self) -> None:
        """Lines after the first are indented by a tab."""
        out = io.StringIO()
        log.FileLogObserver(out).emit({"message": ("a\nb\n",), "isError": 0, "time": 0.0})
        assert out.getvalue().endswith(" [-] a\n\tb\n")

    def test_skipsEventsWithoutText(self) -> None:
        """Events without text write nothing."""
        out = io.StringIO()
        log.FileLogObserver(out).emit({"message": (), "isError": 0, "time": 0.0})
        assert out.getvalue() == ""

    def test_binaryFile(self) -> None:
        """A binary file gets UTF-8 bytes."""
        out = io.BytesIO()
        log.FileLogObserver(out).emit({"message": ("é",), "isError": 0, "time": 0.0})
        assert out.getvalue().endswith(" [-] é\n".encode())

    def test_startStop(self, world: _World) -> None:
        """start adds the observer to the log and stop removes it."""
        out = io.StringIO()
        observer = log.FileLogObserver(out)
        observer.start()
        log.msg("in")
        observer.stop()
        log.msg("out")
        assert " [-] in\n" in out.getvalue()
        assert "out" not in out.getvalue()


class StartLoggingTests:
    """startLogging and startLoggingWithObserver."""

    def test_startLogging(self, world: _World) -> None:
        """startLogging writes 'Log opened.' and later messages to the file."""
        out = io.StringIO()
        log.startLogging(out)
        log.msg("Hello, world.")
        lines = out.getvalue().splitlines()
        assert lines[0].endswith(" [-] Log opened.")
        assert lines[1].endswith(" [-] Hello, world.")

    def test_replaysEarlyEvents(self, world: _World) -> None:
        """Events logged before startLogging are written once it is called."""
        log.msg("early bird")
        out = io.StringIO()
        log.startLogging(out)
        text = out.getvalue()
        assert text.index("early bird") < text.index("Log opened.")

    def test_redirectsStandardIO(self, world: _World) -> None:
        """By default stdout and stderr are replaced by files that log."""
        events = _legacyEvents(world)
        out = io.StringIO()
        log.startLogging(out)
        assert world.stdio.stdout is not world.stdout
        world.stdio.stdout.write("printed line\n")
        world.stdio.stderr.write("error line\n")
        assert " [-] printed line\n" in out.getvalue()
        printed = [e for e in events if e.get("printed")]
        assert [log.textFromEventDict(e) for e in printed] == ["printed line", "error line"]
        assert [e["isError"] for e in printed] == [0, 1]
        assert world.stdout.getvalue() == ""

    def test_setStdoutFalse(self, world: _World) -> None:
        """setStdout=False leaves stdout and stderr alone."""
        log.startLogging(io.StringIO(), setStdout=False)
        assert world.stdio.stdout is world.stdout
        assert world.stdio.stderr is world.stderr

    def test_setStdoutZero(self, world: _World) -> None:
        """setStdout=0 (the old spelling) also leaves stdio alone."""
        log.startLoggingWithObserver(lambda e: None, 0)
        assert world.stdio.stdout is world.stdout

    def test_startLoggingWithObserver(self, world: _World) -> None:
        """startLoggingWithObserver sends legacy events to the observer."""
        events: list[dict[str, Any]] = []
        log.startLoggingWithObserver(events.append, setStdout=False)
        log.msg("x")
        assert [e["message"] for e in events if e.get("message")] == [("Log opened.",), ("x",)]
        log.removeObserver(events.append)
        log.msg("y")
        assert events[-1]["message"] == ("x",)

    def test_dailyLogFile(self, world: _World, tmp_path: Path) -> None:
        """startLogging accepts a DailyLogFile made with fromFullPath."""
        logFile = DailyLogFile.fromFullPath(str(tmp_path / "foo.log"))
        log.startLogging(logFile, setStdout=False)
        log.msg("to the daily file")
        logFile.close()
        text = (tmp_path / "foo.log").read_text()
        assert "[-] Log opened.\n" in text
        assert "[-] to the daily file\n" in text


class PythonLoggingObserverTests:
    """PythonLoggingObserver."""

    @pytest.fixture
    def records(self, world: _World) -> Iterator[list[logging.LogRecord]]:
        """Capture records of the 'netframe.test' stdlib logger."""
        captured: list[logging.LogRecord] = []

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                captured.append(record)

        logger = logging.getLogger("netframe.test")
        handler = Handler()
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
        try:
            yield captured
        finally:
            logger.removeHandler(handler)
            logger.setLevel(logging.NOTSET)
            logger.propagate = True

    def test_levels(self, world: _World, records: list[logging.LogRecord]) -> None:
        """msg is INFO, err is ERROR, logLevel overrides, filtered levels are dropped."""
        observer = log.PythonLoggingObserver("netframe.test")
        observer.start()
        log.msg("plain")
        log.err(ValueError("bad"), "oops")
        log.msg("This is important!", logLevel=logging.CRITICAL)
        log.msg("Don't mind", logLevel=logging.DEBUG)
        observer.stop()
        log.msg("after stop")
        assert [(r.levelno, r.getMessage().split("\n")[0]) for r in records] == [
            (logging.INFO, "plain"),
            (logging.ERROR, "oops"),
            (logging.CRITICAL, "This is important!"),
        ]

    def test_percentInMessage(self, world: _World, records: list[logging.LogRecord]) -> None:
        """Percent signs in messages are not treated as stdlib formats."""
        observer = log.PythonLoggingObserver("netframe.test")
        observer.emit({"message": ("100%s done",), "isError": 0})
        observer.emit({"message": (), "isError": 0})
        observer.emit({"message": ("bad level",), "isError": 0, "logLevel": "high"})
        assert [r.getMessage() for r in records] == ["100%s done", "bad level"]

    def test_defaultLoggerName(self) -> None:
        """The default stdlib logger is 'netframe'."""
        assert log.PythonLoggingObserver().logger.name == "netframe"


class ExampleL8Tests:
    """SCOPE 3.9 example L8 (legacy logging, L10439-10497)."""

    def test_example(self, world: _World) -> None:
        """msg, err in except, startLogging and the stdout redirection behave as documented."""
        out = io.StringIO()
        log.startLogging(out)
        log.msg("Hello, world.")
        try:
            x = 1 / 0
            del x
        except BaseException:
            log.err()  # will log the ZeroDivisionError
        print("printed", file=world.stdio.stdout)
        text = out.getvalue()
        assert " [-] Log opened.\n" in text
        assert " [-] Hello, world.\n" in text
        assert " [-] Unhandled Error\n\tTraceback (most recent call last):\n" in text
        assert "\tbuiltins.ZeroDivisionError: division by zero\n" in text
        assert " [-] printed\n" in text
