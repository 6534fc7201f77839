"""
The old logging API (Twisted's C{twisted.python.log}), implemented as a
client of the new one (L{netframe.logger}).

C{msg} and C{err} turn their arguments into a I{legacy event}, a dictionary
with the keys C{message} (a tuple of strings), C{isError}, C{system},
C{time}, and optionally C{failure}, C{why}, C{format} and C{printed}, plus any
keyword arguments, and publish it to C{globalLogPublisher} as a new-style
event carrying both the legacy keys and the C{log_*} keys.  Legacy observers
(callables taking a legacy event) are registered with L{addObserver}; they are
wrapped in a L{LegacyLogObserverWrapper}, which gives them every event of the
new system converted to legacy form.

Example::

    from netframe.logger import legacy as log
    log.startLogging(sys.stdout)
    log.msg("Hello, world.")
    try:
        1 / 0
    except ZeroDivisionError:
        log.err(None, "while dividing")
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from time import time as _time
from typing import IO, Any

from zope.interface import Interface, implementer

from netframe.logger._failure import Failure
from netframe.logger._format import formatEvent
from netframe.logger._global import LogBeginner, globalLogBeginner
from netframe.logger._levels import LogLevel
from netframe.logger._logger import Logger
from netframe.logger._observer import ILogObserver as _INewLogObserver
from netframe.logger._observer import LogEvent, globalLogPublisher
from netframe.logger._observer import LogPublisher as _NewLogPublisher
from netframe.logger._stdlib import fromStdlibLogLevel, toStdlibLogLevel

__all__ = [
    "FileLogObserver",
    "ILogObserver",
    "LegacyLogObserverWrapper",
    "LogPublisher",
    "PythonLoggingObserver",
    "addObserver",
    "err",
    "msg",
    "removeObserver",
    "startLogging",
    "startLoggingWithObserver",
    "textFromEventDict",
    "theLogPublisher",
]

LegacyEvent = dict[str, Any]
"""The type of legacy events: plain dictionaries."""

LegacyObserver = Callable[[LegacyEvent], None]
"""The type of legacy observers: callables taking one legacy event."""

_LEGACY_NAMESPACE = "log_legacy"


class ILogObserver(Interface):
    """
    A legacy log observer: a callable taking one legacy event dictionary (keys
    C{message}, C{isError}, C{system}, C{time}, and maybe C{failure}, C{why},
    C{format}, C{printed}).  Observers must ignore keys they do not know,
    must not block, and must be thread-safe.

    This is a distinct interface from C{netframe.logger.ILogObserver}
    (which takes new-style events); it is, for instance, the component a
    C{netframe-twistd} application provides to choose its log observer.
    """

    def __call__(eventDict: LegacyEvent) -> None:
        """
        Observe a legacy event.

        @param eventDict: the event.
        """


def _safeStr(obj: object) -> str:
    """
    Return C{str(obj)}, or a description if that raises; never raises.
    """
    try:
        return str(obj)
    except Exception as e:
        return f"<{type(obj).__qualname__} instance with str error {type(e).__qualname__}>"


def _safeFormat(formatString: str, eventDict: Mapping[str, Any]) -> str:
    """
    Apply a legacy C{%}-style format to an event, never raising.

    @param formatString: e.g. C{"%(user)s logged in"}.
    @param eventDict: the event (the mapping for the format).
    @return: the text, or a description of why it could not be formatted.
    """
    try:
        return _safeStr(formatString % eventDict)
    except Exception as e:
        return (
            "Invalid format string or unformattable object in log message: "
            f"{_safeRepr(formatString)}, {_safeRepr(e)}"
        )


def _safeRepr(obj: object) -> str:
    """
    Return C{repr(obj)}, or a description if that raises; never raises.
    """
    try:
        return repr(obj)
    except Exception as e:
        return f"<{type(obj).__qualname__} instance with repr error {type(e).__qualname__}>"


def textFromEventDict(eventDict: Mapping[str, Any]) -> str | None:
    """
    Return the text of a legacy event.

    The C{message} strings joined by spaces; or, when there is no message, for
    an error with a C{failure}, the C{why} text (or C{"Unhandled Error"}), a
    newline and the traceback; otherwise the C{format} key applied with
    C{%} to the event.

    @param eventDict: a legacy event.
    @return: the text, or C{None} if the event has nothing to show.  Never
        raises: values that cannot be turned into text are described.
    """
    message = eventDict.get("message", ())
    if message:
        return " ".join(_safeStr(part) for part in message)
    if eventDict.get("isError") and "failure" in eventDict:
        why = eventDict.get("why")
        whyText = _safeStr(why) if why else "Unhandled Error"
        failure = eventDict["failure"]
        try:
            traceback = str(failure.getTraceback())
        except Exception:
            traceback = "(UNABLE TO OBTAIN TRACEBACK FROM EVENT)\n"
        return f"{whyText}\n{traceback}"
    formatString = eventDict.get("format")
    if formatString is not None:
        return _safeFormat(_safeStr(formatString), eventDict)
    return None


class _LegacyText:
    """
    The text of a legacy event, computed only when an observer renders it
    (the value of C{log_legacy} in the new-style event made from a legacy one).
    Errors carrying a failure render as the C{why} text only: new-style
    observers append the traceback from C{log_failure} themselves.
    """

    __slots__ = ("_event",)

    def __init__(self, event: Mapping[str, Any]) -> None:
        """
        @param event: the legacy event.
        """
        self._event = event

    def __str__(self) -> str:
        """
        Return the event's text (C{""} if it has none).
        """
        event = self._event
        if not event.get("message") and event.get("isError") and "failure" in event:
            why = event.get("why")
            return _safeStr(why) if why else "Unhandled Error"
        return textFromEventDict(event) or ""

    def __repr__(self) -> str:
        """
        Return the C{repr} of the text.
        """
        return repr(str(self))


class _NewText:
    """
    The text of a new-style event, computed only when a legacy observer
    renders it (the value of C{log_legacy} in the legacy event made from it).
    """

    __slots__ = ("_event",)

    def __init__(self, event: Mapping[str, Any]) -> None:
        """
        @param event: the new-style event.
        """
        self._event = event

    def __str__(self) -> str:
        """
        Return L{formatEvent}'s text.
        """
        return formatEvent(self._event)

    def __repr__(self) -> str:
        """
        Return the C{repr} of the text.
        """
        return repr(str(self))


_legacyLogger = Logger(namespace=_LEGACY_NAMESPACE)


def _legacyToNew(eventDict: LegacyEvent) -> LogEvent:
    """
    Make a new-style event from a legacy event (the legacy keys are kept).

    The level is critical for errors, else the level matching a stdlib
    C{logLevel} key, else info.

    @param eventDict: a legacy event with C{message}, C{isError}, C{system}
        and C{time} set.
    @return: a new dictionary.
    """
    event = dict(eventDict)
    if "log_time" not in event:
        event["log_time"] = eventDict["time"]
    if "log_system" not in event:
        event["log_system"] = eventDict["system"]
    if "log_level" not in event:
        if eventDict["isError"]:
            level = LogLevel.critical
        elif "logLevel" in eventDict:
            try:
                level = fromStdlibLogLevel(int(eventDict["logLevel"]))
            except (TypeError, ValueError):
                level = LogLevel.info
        else:
            level = LogLevel.info
        event["log_level"] = level
    event.setdefault("log_namespace", _LEGACY_NAMESPACE)
    event.setdefault("log_logger", _legacyLogger)
    event.setdefault("log_source", None)
    if "log_format" not in event:
        event["log_format"] = "{log_legacy}"
        event["log_legacy"] = _LegacyText(eventDict)
    if "log_failure" not in event and eventDict["isError"] and "failure" in eventDict:
        event["log_failure"] = eventDict["failure"]
    return event


def _newToLegacy(event: Mapping[str, Any]) -> LegacyEvent:
    """
    Make a legacy event from a new-style event, adding only the legacy keys
    it lacks (events that started as legacy events pass through unchanged).

    @param event: a new-style event.
    @return: a new dictionary.
    """
    legacy = dict(event)
    if "message" in legacy and "isError" in legacy:
        # Published by msg/err: already a legacy event.
        legacy.setdefault("system", "-")
        legacy.setdefault("time", event.get("log_time", None))
        return legacy
    if "message" not in legacy:
        legacy["message"] = ()
    if "time" not in legacy:
        legacy["time"] = event.get("log_time", None)
    if "system" not in legacy:
        system = event.get("log_system", None)
        legacy["system"] = "-" if system is None else system
    level = event.get("log_level", None)
    if "isError" not in legacy:
        legacy["isError"] = 1 if level in (LogLevel.error, LogLevel.critical) else 0
    if "logLevel" not in legacy and level is not None:
        legacy["logLevel"] = toStdlibLogLevel(level)
    failure = event.get("log_failure", None)
    if failure is not None and "failure" not in legacy:
        legacy["failure"] = failure
        legacy["isError"] = 1
        if "why" not in legacy:
            legacy["why"] = _NewText(event) if event.get("log_format") else None
    if "format" not in legacy and not legacy["message"] and event.get("log_format"):
        legacy["log_legacy"] = _NewText(event)
        legacy["format"] = "%(log_legacy)s"
    if "log_io" in event and "printed" not in legacy:
        legacy["printed"] = 1
    return legacy


@implementer(_INewLogObserver)
class LegacyLogObserverWrapper:
    """
    A new-style observer (C{netframe.logger.ILogObserver}) that hands every
    event, converted to a legacy event, to a legacy observer.

    @ivar legacyObserver: the wrapped legacy observer.
    """

    __slots__ = ("legacyObserver",)

    def __init__(self, legacyObserver: LegacyObserver) -> None:
        """
        @param legacyObserver: a callable taking one legacy event.
        @raise TypeError: if it is not callable.
        """
        if not callable(legacyObserver):
            raise TypeError(f"legacy observer is not callable: {legacyObserver!r}")
        self.legacyObserver = legacyObserver

    def __call__(self, event: LogEvent) -> None:
        """
        Convert C{event} and pass it to the legacy observer.

        @param event: a new-style event.
        """
        self.legacyObserver(_newToLegacy(event))

    def __eq__(self, other: object) -> bool:
        """
        Wrappers of the same legacy observer are equal.
        """
        if isinstance(other, LegacyLogObserverWrapper):
            return bool(self.legacyObserver == other.legacyObserver)
        return NotImplemented

    def __hash__(self) -> int:
        """
        Hash as the wrapped observer.
        """
        return hash(self.legacyObserver)

    def __repr__(self) -> str:
        """
        Return C{LegacyLogObserverWrapper(<observer repr>)}.
        """
        return f"{self.__class__.__name__}({self.legacyObserver!r})"


class LogPublisher:
    """
    The legacy publisher: C{msg} publishes legacy events into a new-style
    publisher, and legacy observers are attached to a new-style publisher
    through L{LegacyLogObserverWrapper}s.

    The module-level functions of this module use L{theLogPublisher}, which
    works with C{globalLogPublisher} and C{globalLogBeginner}; other instances
    are useful for tests or for a private logging graph.
    """

    def __init__(
        self,
        observerPublisher: _NewLogPublisher | None = None,
        publishPublisher: Callable[[LogEvent], None] | None = None,
        logBeginner: LogBeginner | None = None,
    ) -> None:
        """
        @param observerPublisher: where legacy observers are attached
            (default C{globalLogPublisher}).
        @param publishPublisher: where C{msg} sends events (default
            C{observerPublisher}).
        @param logBeginner: the beginner used by L{startLoggingWithObserver}
            (default C{globalLogBeginner}).
        """
        if observerPublisher is None:
            observerPublisher = globalLogPublisher
        self._observerPublisher = observerPublisher
        self._publishPublisher = observerPublisher if publishPublisher is None else publishPublisher
        self._logBeginner = globalLogBeginner if logBeginner is None else logBeginner

    def addObserver(self, other: LegacyObserver) -> None:
        """
        Start sending every event, in legacy form, to C{other}.

        @param other: a callable taking one legacy event.
        @raise TypeError: if C{other} is not callable.
        """
        self._observerPublisher.addObserver(LegacyLogObserverWrapper(other))

    def removeObserver(self, other: LegacyObserver) -> None:
        """
        Stop sending events to C{other}; unknown observers are ignored.

        @param other: a previously added legacy observer.
        """
        if callable(other):
            self._observerPublisher.removeObserver(LegacyLogObserverWrapper(other))

    def msg(self, *message: Any, **kw: Any) -> None:
        """
        Publish a legacy event; see the module-level L{msg}.
        """
        eventDict: LegacyEvent = dict(kw)
        eventDict["message"] = message
        if "isError" not in eventDict:
            eventDict["isError"] = 0
        if "system" not in eventDict:
            eventDict["system"] = "-"
        if "time" not in eventDict:
            eventDict["time"] = _time()
        self._publishPublisher(_legacyToNew(eventDict))

    def startLoggingWithObserver(
        self, observer: LegacyObserver, setStdout: bool | int = True
    ) -> None:
        """
        Begin logging (once per beginner) to a legacy observer and log
        C{"Log opened."}; see the module-level L{startLoggingWithObserver}.
        """
        self._logBeginner.beginLoggingTo(
            [LegacyLogObserverWrapper(observer)],
            redirectStandardIO=bool(setStdout),
        )
        self.msg("Log opened.")


theLogPublisher = LogPublisher()
"""The legacy publisher used by the module-level functions."""


def msg(*message: Any, **kw: Any) -> None:
    """
    Log a message.

    @param message: parts of the message, joined by spaces when shown
        (C{msg("a", 1)} shows C{"a 1"}).
    @param kw: extra keys for the event.  Keys with meaning: C{system} (the
        subsystem shown in brackets, default C{"-"}), C{isError}, C{failure}
        and C{why} (see L{err}), C{format} (a C{%}-style format applied to the
        event when there is no message, e.g.
        C{msg(format="%(user)s logged in", user="bob")}), C{logLevel} (a
        stdlib logging level, used by L{PythonLoggingObserver} and to choose
        the new-style level).
    """
    theLogPublisher.msg(*message, **kw)


def err(_stuff: Any = None, /, _why: Any = None, **kw: Any) -> None:
    """
    Log an error: a L{Failure}, an exception, or (with no argument) the
    exception being handled, with its traceback.

    C{_stuff} is positional-only in the signature so that type checkers
    accept C{d.addErrback(err)}; C{err(_stuff=...)} still works.

    @param _stuff: a L{Failure}, an exception, C{None} for the current
        exception, or anything else, which is logged as its C{repr}.
    @param _why: text saying what was being done when the error happened.
    @param kw: extra keys for the event.
    @raise netframe.core.failure.NoCurrentExceptionError: if C{_stuff} is
        C{None} and no exception is being handled.
    """
    if _stuff is None:
        _stuff = kw.pop("_stuff", None)
    if _stuff is None:
        _stuff = Failure()
    if isinstance(_stuff, Failure):
        theLogPublisher.msg(failure=_stuff, why=_why, isError=1, **kw)
    elif isinstance(_stuff, BaseException):
        theLogPublisher.msg(failure=Failure(_stuff), why=_why, isError=1, **kw)
    else:
        theLogPublisher.msg(_safeRepr(_stuff), why=_why, isError=1, **kw)


def addObserver(observer: LegacyObserver) -> None:
    """
    Send every log event, as a legacy event, to C{observer} (in addition to
    any other observers).

    @param observer: a callable taking one legacy event.
    @raise TypeError: if it is not callable.
    """
    theLogPublisher.addObserver(observer)


def removeObserver(observer: LegacyObserver) -> None:
    """
    Stop sending events to an observer added with L{addObserver}.

    @param observer: the observer.
    """
    theLogPublisher.removeObserver(observer)


def startLoggingWithObserver(observer: LegacyObserver, setStdout: bool | int = True) -> None:
    """
    Begin logging to a legacy observer: the events kept since start-up are
    given to it, then C{"Log opened."} is logged.

    @param observer: a callable taking one legacy event.
    @param setStdout: if true, C{sys.stdout} and C{sys.stderr} are replaced by
        files that log what is written to them (events with C{printed} set;
        C{isError} too for stderr).
    """
    theLogPublisher.startLoggingWithObserver(observer, setStdout)


def startLogging(file: IO[Any] | Any, *a: Any, setStdout: bool | int = True, **kw: Any) -> None:
    """
    Begin logging to a file (through a legacy L{FileLogObserver}).

    @param file: an object with C{write} (text or bytes), such as
        C{sys.stdout}, an open file or a C{netframe.logger.logfile.LogFile}.
    @param a: further arguments for L{FileLogObserver}.
    @param setStdout: see L{startLoggingWithObserver}.
    @param kw: further keyword arguments for L{FileLogObserver}.
    """
    observer = FileLogObserver(file, *a, **kw)
    startLoggingWithObserver(observer.emit, setStdout)


def _isBinary(outFile: Any) -> bool:
    """
    Return whether C{outFile} takes bytes rather than text.
    """
    if isinstance(outFile, io.TextIOBase):
        return False
    if isinstance(outFile, (io.RawIOBase, io.BufferedIOBase)):
        return True
    return "b" in str(getattr(outFile, "mode", ""))


class FileLogObserver:
    """
    The legacy text log observer: writes each event as
    C{2008-04-25 10:53:27+0200 [system] text}, continuation lines indented by
    a tab.

    @ivar timeFormat: a C{strftime} format for time stamps, or C{None} for
        C{%Y-%m-%d %H:%M:%S%z} in local time.
    """

    timeFormat: str | None = None

    def __init__(self, f: IO[Any] | Any) -> None:
        """
        @param f: where to write: an object with C{write} taking text, or
            bytes if it is a binary file (text is then encoded as UTF-8).
        """
        self.write: Callable[[Any], Any] = f.write
        self.flush: Callable[[], Any] = getattr(f, "flush", lambda: None)
        self._binary = _isBinary(f)

    def formatTime(self, when: float) -> str:
        """
        Format a time stamp for the start of a log line.

        @param when: seconds since the epoch.
        @return: the local time as text, C{"-"} if C{when} is unusable.
        """
        try:
            moment = datetime.fromtimestamp(when, UTC).astimezone()
            return moment.strftime(self.timeFormat or "%Y-%m-%d %H:%M:%S%z")
        except (TypeError, ValueError, OverflowError, OSError):
            return "-"

    def emit(self, eventDict: LegacyEvent) -> None:
        """
        Write one legacy event (events without text are skipped).

        @param eventDict: the event.
        """
        text = textFromEventDict(eventDict)
        if text is None:
            return
        timeText = self.formatTime(eventDict.get("time", None))  # type: ignore[arg-type]
        system = _safeStr(eventDict.get("system", "-"))
        line = f"{timeText} [{system}] {text.rstrip(chr(10)).replace(chr(10), chr(10) + chr(9))}\n"
        self.write(line.encode("utf-8", "backslashreplace") if self._binary else line)
        self.flush()

    def start(self) -> None:
        """
        Start observing: L{addObserver} with L{emit}.
        """
        addObserver(self.emit)

    def stop(self) -> None:
        """
        Stop observing: L{removeObserver} with L{emit}.
        """
        removeObserver(self.emit)


class PythonLoggingObserver:
    """
    Sends legacy events to the standard library's C{logging}, at the event's
    C{logLevel} if it has one, else C{ERROR} for errors and C{INFO} for the
    rest.  Note that stdlib logging handlers may block.
    """

    def __init__(self, loggerName: str = "netframe") -> None:
        """
        @param loggerName: the name of the stdlib logger to log to.
        """
        self.logger = logging.getLogger(loggerName)

    def emit(self, eventDict: LegacyEvent) -> None:
        """
        Log one legacy event through stdlib logging.

        @param eventDict: the event.
        """
        if "logLevel" in eventDict:
            level = eventDict["logLevel"]
        elif eventDict.get("isError"):
            level = logging.ERROR
        else:
            level = logging.INFO
        if not isinstance(level, int):
            level = logging.INFO
        if not self.logger.isEnabledFor(level):
            return
        text = textFromEventDict(eventDict)
        if text is None:
            return
        self.logger.log(level, "%s", text)

    def start(self) -> None:
        """
        Start observing: L{addObserver} with L{emit}.
        """
        addObserver(self.emit)

    def stop(self) -> None:
        """
        Stop observing: L{removeObserver} with L{emit}.
        """
        removeObserver(self.emit)
