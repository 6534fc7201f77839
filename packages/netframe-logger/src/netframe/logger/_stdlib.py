"""
Bridges to the standard library's C{logging}: L{STDLibLogObserver} (netframe
events to stdlib records) and L{STDLibLogHandler} (stdlib records to netframe
events).  Both bridges can be installed at once: each marks what it produces
and ignores what the other produced, so nothing loops.

Private module; the public names are re-exported by C{netframe.logger}.
"""

from __future__ import annotations

import logging
import os
import sys
from time import time
from types import FrameType
from typing import Any

from zope.interface import implementer

from netframe.logger._constants import NamedConstant
from netframe.logger._failure import Failure
from netframe.logger._format import formatEvent
from netframe.logger._levels import LEVEL_INDEX, LogLevel
from netframe.logger._logger import Logger
from netframe.logger._observer import ILogObserver, LogEvent, Observer, gate, globalLogPublisher

__all__ = ["STDLibLogHandler", "STDLibLogObserver", "fromStdlibLogLevel", "toStdlibLogLevel"]

_TO_STDLIB: dict[NamedConstant, int] = {
    LogLevel.debug: logging.DEBUG,
    LogLevel.info: logging.INFO,
    LogLevel.warn: logging.WARNING,
    LogLevel.error: logging.ERROR,
    LogLevel.critical: logging.CRITICAL,
}

_FROM_STDLIB: tuple[tuple[int, NamedConstant], ...] = (
    (logging.CRITICAL, LogLevel.critical),
    (logging.ERROR, LogLevel.error),
    (logging.WARNING, LogLevel.warn),
    (logging.INFO, LogLevel.info),
)

# Attribute set on records made by STDLibLogObserver (holds the event).
_RECORD_MARK = "netframe_event"
# Key set on events made by STDLibLogHandler.
_EVENT_MARK = "log_from_stdlib"

_PACKAGE_DIRECTORY = os.path.dirname(os.path.abspath(__file__))
_LOGGING_DIRECTORY = os.path.dirname(os.path.abspath(logging.__file__))


def toStdlibLogLevel(level: object) -> int:
    """
    Map a L{LogLevel} to a stdlib logging level.

    @param level: a L{LogLevel} constant (anything else maps to C{INFO}).
    @return: C{logging.DEBUG} ... C{logging.CRITICAL}.
    """
    try:
        return _TO_STDLIB.get(level, logging.INFO)  # type: ignore[call-overload, no-any-return]
    except TypeError:
        return logging.INFO


def fromStdlibLogLevel(levelNumber: int) -> NamedConstant:
    """
    Map a stdlib logging level number to a L{LogLevel}: each number maps to
    the nearest named stdlib level at or below it (C{25} is info).

    @param levelNumber: a stdlib level number.
    @return: a L{LogLevel} constant (debug for anything below C{INFO}).
    """
    for threshold, level in _FROM_STDLIB:
        if levelNumber >= threshold:
            return level
    return LogLevel.debug


@implementer(ILogObserver)
class STDLibLogObserver:
    """
    Forwards events to the standard library's C{logging}: the logger is named
    by the event's namespace (C{name} if it has none), levels are mapped, the
    message is L{formatEvent}'s text, and a C{log_failure} becomes the record's
    C{exc_info}.  The record's C{netframe_event} attribute holds the event.

    The record's location is the first frame outside netframe.logger (and
    outside C{logging}), skipping C{stackDepth} more frames.

    Events that came from stdlib logging through L{STDLibLogHandler} are
    ignored.  Note that stdlib logging blocks while its handlers work.
    """

    def __init__(self, name: str = "netframe", stackDepth: int = 0) -> None:
        """
        @param name: the logger name for events without a namespace.
        @param stackDepth: extra frames to skip when finding the location
            of the call that logged.
        """
        self._name = name
        self._stackDepth = stackDepth

    def _location(self) -> tuple[str, int, str]:
        """
        Return (file name, line number, function name) of the code that
        emitted the event being observed.
        """
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            filename = os.path.dirname(os.path.abspath(frame.f_code.co_filename))
            if filename != _PACKAGE_DIRECTORY and filename != _LOGGING_DIRECTORY:
                break
            frame = frame.f_back
        for _ in range(self._stackDepth):
            if frame is None or frame.f_back is None:
                break
            frame = frame.f_back
        if frame is None:
            return ("(unknown file)", 0, "(unknown function)")
        return (frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)

    def __call__(self, event: LogEvent) -> None:
        """
        Log C{event} through stdlib logging.

        @param event: the event.
        """
        if event.get(_EVENT_MARK):
            return
        namespace = event.get("log_namespace")
        logger = logging.getLogger(
            namespace if isinstance(namespace, str) and namespace else self._name
        )
        level = toStdlibLogLevel(event.get("log_level", LogLevel.info))
        if not logger.isEnabledFor(level):
            return
        excInfo: Any = None
        excText = None
        failure = event.get("log_failure")
        if failure is not None:
            value = getattr(failure, "value", None)
            if isinstance(value, BaseException):
                excInfo = (type(value), value, getattr(failure, "tb", None))
            if excInfo is None or excInfo[2] is None:
                try:
                    excText = str(failure.getTraceback()).rstrip("\n")
                except Exception:
                    excText = "(UNABLE TO OBTAIN TRACEBACK FROM EVENT)"
        filename, lineno, function = self._location()
        record = logger.makeRecord(
            logger.name,
            level,
            filename,
            lineno,
            formatEvent(event),
            (),
            excInfo,
            function,
            {_RECORD_MARK: event},
        )
        if excText is not None:
            record.exc_text = excText
        logger.handle(record)


class STDLibLogHandler(logging.Handler):
    """
    A C{logging.Handler} that turns stdlib log records into netframe events,
    so that libraries logging with stdlib show up in netframe's observers.

    Events get C{log_namespace} = the record's logger name, a mapped
    C{log_level}, the record's message as C{log_format} (braces escaped, so
    it renders verbatim), C{log_time} = the record's creation time, a
    C{log_failure} from C{exc_info}, C{log_from_stdlib} = C{True}, and the
    record's C{pathname}, C{lineno} and C{funcName} as C{log_stdlib_pathname},
    C{log_stdlib_lineno} and C{log_stdlib_funcName}.  Records produced by
    L{STDLibLogObserver} are ignored.
    """

    def __init__(self, level: int = logging.NOTSET, publisher: Observer | None = None) -> None:
        """
        @param level: the handler's stdlib level threshold.
        @param publisher: where events go; defaults to C{globalLogPublisher}.
        """
        super().__init__(level)
        self.publisher: Observer = globalLogPublisher if publisher is None else publisher

    def emit(self, record: logging.LogRecord) -> None:
        """
        Forward C{record} as a netframe event.

        @param record: the stdlib record.
        """
        if getattr(record, _RECORD_MARK, None) is not None:
            return
        level = fromStdlibLogLevel(record.levelno)
        publisher = self.publisher
        if publisher is globalLogPublisher and gate.minimum > LEVEL_INDEX[level]:
            return
        try:
            message = record.getMessage()
            failure = None
            if record.exc_info and record.exc_info[1] is not None:
                failure = Failure(record.exc_info[1], record.exc_info[0], record.exc_info[2])
            event: LogEvent = {
                "log_logger": Logger(record.name, None, publisher),
                "log_level": level,
                "log_namespace": record.name,
                "log_source": None,
                "log_format": message.replace("{", "{{").replace("}", "}}"),
                "log_time": record.created if isinstance(record.created, float) else time(),
                _EVENT_MARK: True,
                "log_stdlib_pathname": record.pathname,
                "log_stdlib_lineno": record.lineno,
                "log_stdlib_funcName": record.funcName,
            }
            if failure is not None:
                event["log_failure"] = failure
            publisher(event)
        except Exception:
            self.handleError(record)
