"""
Starting the global log: L{LogBeginner} and C{globalLogBeginner}.

Until L{LogBeginner.beginLoggingTo} is called, the global publisher keeps
events in a L{LimitedHistoryLogObserver} (the last 65536 by default) and
writes critical events to standard error; C{beginLoggingTo} hands the kept
events to the chosen observers once and stops buffering.

Private module; the public names are re-exported by C{netframe.logger}.
"""

from __future__ import annotations

import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, Protocol

from netframe.logger._buffer import DEFAULT_HISTORY_SIZE, LimitedHistoryLogObserver
from netframe.logger._file import textFileLogObserver
from netframe.logger._filter import FilteringLogObserver, LogLevelFilterPredicate
from netframe.logger._io import LoggingFile
from netframe.logger._levels import LogLevel
from netframe.logger._logger import Logger
from netframe.logger._observer import LogEvent, LogPublisher, Observer, globalLogPublisher

__all__ = ["LogBeginner", "capturedLogs", "globalLogBeginner"]


class _StandardIO(Protocol):
    """
    Something with C{stdout} and C{stderr} attributes, like the C{sys} module.
    """

    stdout: Any
    stderr: Any


class _WarningsModule(Protocol):
    """
    Something with a C{showwarning} attribute, like the C{warnings} module.
    """

    showwarning: Callable[..., Any]


class _LazyStream:
    """
    Writes to C{sys.stderr} as it is when written to (so replacing
    C{sys.stderr} later, as test runners do, is honoured).
    """

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _qualifiedName(obj: object) -> str:
    """
    Return C{module.QualifiedName} of a class, or its repr.
    """
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None)
    if isinstance(module, str) and isinstance(name, str):
        return name if module == "builtins" else f"{module}.{name}"
    return repr(obj)


class LogBeginner:
    """
    Starts logging to a set of observers, once, for one publisher.

    @ivar log: the logger this beginner reports through (namespace
        C{netframe.logger.globalLogBeginner}).
    """

    def __init__(
        self,
        publisher: LogPublisher,
        errorStream: IO[str] | None,
        stdio: _StandardIO,
        warningsModule: _WarningsModule,
        initialBufferSize: int | None = None,
    ) -> None:
        """
        @param publisher: the publisher to begin logging for.
        @param errorStream: where critical events go before logging begins;
            C{None} means C{sys.stderr} at the time of writing.
        @param stdio: the object whose C{stdout}/C{stderr} are replaced when
            standard I/O is redirected (normally C{sys}).
        @param warningsModule: the object whose C{showwarning} is replaced
            (normally C{warnings}).
        @param initialBufferSize: how many events to keep before logging
            begins (default L{DEFAULT_HISTORY_SIZE}).
        """
        if initialBufferSize is None:
            initialBufferSize = DEFAULT_HISTORY_SIZE
        self._publisher = publisher
        self._stdio = stdio
        self._warningsModule = warningsModule
        self._lock = threading.Lock()
        self._initialBuffer: LimitedHistoryLogObserver | None = LimitedHistoryLogObserver(
            initialBufferSize
        )
        stream: Any = _LazyStream() if errorStream is None else errorStream
        self._temporaryObserver: LogPublisher | None = LogPublisher(
            self._initialBuffer,
            FilteringLogObserver(
                textFileLogObserver(stream),
                [LogLevelFilterPredicate(defaultLogLevel=LogLevel.critical)],
            ),
        )
        self._previousBegin: tuple[str, int] = ("", 0)
        self._oldShowWarning: Callable[..., Any] | None = None
        self.log = Logger(namespace="netframe.logger.globalLogBeginner", observer=publisher)
        publisher.addObserver(self._temporaryObserver)

    def beginLoggingTo(
        self,
        observers: Iterable[Observer],
        discardBuffer: bool = False,
        redirectStandardIO: bool = True,
    ) -> None:
        """
        Add C{observers} to the publisher and, the first time, replay the
        buffered events to them (only to them) and stop buffering.

        Calling it again adds the observers but emits a warning-level event
        naming both call sites (it does not call C{warnings.warn}: that would
        itself be routed into the log).

        @param observers: the observers to log to.
        @param discardBuffer: drop the buffered events instead of replaying.
        @param redirectStandardIO: replace C{stdout}/C{stderr} by
            L{LoggingFile}s (namespaces C{stdout} and C{stderr}, levels info
            and error).  Python warnings shown without an explicit file are
            logged as warn-level events whatever this says.
        """
        observers = list(observers)
        caller = sys._getframe(1)
        here = (caller.f_code.co_filename, caller.f_lineno)
        with self._lock:
            temporary = self._temporaryObserver
            buffer = self._initialBuffer
            self._temporaryObserver = None
            self._initialBuffer = None
            previous = self._previousBegin
            if temporary is not None:
                self._previousBegin = here
        for observer in observers:
            self._publisher.addObserver(observer)
        if temporary is None:
            self.log.warn(
                "Warning: primary log target selected twice at <{fileNow}:{lineNow}> - "
                "previously selected at <{fileThen}:{lineThen}>.  Remove one of the calls "
                "to beginLoggingTo.",
                fileNow=here[0],
                lineNow=here[1],
                fileThen=previous[0],
                lineThen=previous[1],
            )
            return
        self._publisher.removeObserver(temporary)
        if buffer is not None and not discardBuffer:
            buffer.replayTo(LogPublisher(*observers))
        if redirectStandardIO:
            stdio = self._stdio
            stdio.stdout = LoggingFile(
                Logger(namespace="stdout", observer=self._publisher),
                LogLevel.info,
                getattr(stdio.stdout, "encoding", None),
                fallback=stdio.stdout,
            )
            stdio.stderr = LoggingFile(
                Logger(namespace="stderr", observer=self._publisher),
                LogLevel.error,
                getattr(stdio.stderr, "encoding", None),
                fallback=stdio.stderr,
            )
        self._oldShowWarning = self._warningsModule.showwarning
        self._warningsModule.showwarning = self.showwarning

    def showwarning(
        self,
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: IO[str] | None = None,
        line: str | None = None,
    ) -> None:
        """
        Log a Python warning as a warn-level event (replaces
        C{warnings.showwarning} once logging has begun); warnings shown to an
        explicit C{file} go to the previous C{showwarning}.

        @param message: the warning.
        @param category: its class.
        @param filename: where it was raised.
        @param lineno: the line where it was raised.
        @param file: an explicit destination, or C{None}.
        @param line: the source line.
        """
        if file is None or self._oldShowWarning is None:
            self.log.warn(
                "{filename}:{lineno}: {category}: {warning}",
                warning=message,
                category=_qualifiedName(category),
                filename=filename,
                lineno=lineno,
            )
        else:
            self._oldShowWarning(message, category, filename, lineno, file, line)


globalLogBeginner = LogBeginner(globalLogPublisher, None, sys, warnings)
"""The L{LogBeginner} of C{globalLogPublisher}."""


@contextmanager
def capturedLogs() -> Iterator[list[LogEvent]]:
    """
    Collect the events sent to C{globalLogPublisher} while the context is
    active (for tests).

    @return: a context manager giving the list the events are appended to.
    """
    events: list[LogEvent] = []
    observer = events.append
    globalLogPublisher.addObserver(observer)
    try:
        yield events
    finally:
        globalLogPublisher.removeObserver(observer)
