"""
Where netframe-twistd logs: the observer chosen from the options and the
application, a log file SIGHUP can reopen, and a syslog observer.

Private module of netframe-app (used by L{netframe.app.twistd}).
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable
from typing import IO, Any

from zope.interface import implementer

from netframe.logger import (
    ILogObserver,
    LegacyLogObserverWrapper,
    LogLevel,
    formatEvent,
    jsonFileLogObserver,
    textFileLogObserver,
)
from netframe.logger import legacy as _legacy
from netframe.logger.logfile import LogFile

__all__ = ["LogTarget", "ReopenableLogFile", "SyslogObserver", "namedAny", "toObserver"]

Observer = Callable[[dict[str, Any]], None]


class ReopenableLogFile:
    """
    A size-rotated log file (C{netframe.logger.logfile.LogFile}) whose
    writes and L{reopen} are serialised by a lock, so a SIGHUP reopen never
    races a write from another thread.

    @ivar path: the file's path.
    """

    def __init__(self, path: str, rotate: bool = True) -> None:
        """
        Open (creating) the file.

        @param path: the absolute path.
        @param rotate: rotate by size (LogFile's default length); False when
            several processes write the file (C{--workers}): they would
            rotate it under each other, so it is left to logrotate and
            SIGHUP.
        @raise OSError: If it cannot be opened (the message names the path).
        """
        if rotate:
            self._file = LogFile.fromFullPath(path)
        else:
            self._file = LogFile.fromFullPath(path, rotateLength=None)
        self.path = path
        self._lock = threading.Lock()
        self.mode = "w"

    def write(self, data: str) -> None:
        """Append text."""
        with self._lock:
            self._file.write(data)

    def flush(self) -> None:
        """Flush to the operating system."""
        with self._lock:
            self._file.flush()

    def reopen(self) -> None:
        """
        Close and reopen the file at its path (after logrotate moved it).

        @raise OSError: If it cannot be reopened.
        """
        with self._lock:
            self._file.reopen()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._file.close()


_SYSLOG_PRIORITIES = {
    LogLevel.debug: "LOG_DEBUG",
    LogLevel.info: "LOG_INFO",
    LogLevel.warn: "LOG_WARNING",
    LogLevel.error: "LOG_ERR",
    LogLevel.critical: "LOG_CRIT",
}


@implementer(ILogObserver)
class SyslogObserver:
    """
    Sends each event to syslog, one message per line of its text, with a
    priority from its level.

    @ivar prefix: the syslog identifier.
    """

    def __init__(self, prefix: str, syslogModule: Any = None) -> None:
        """
        Open the syslog connection.

        @param prefix: the identifier shown in syslog.
        @param syslogModule: the C{syslog} module (injectable for tests).
        """
        if syslogModule is None:
            syslogModule = importlib.import_module("syslog")
        self._syslog = syslogModule
        self.prefix = prefix
        syslogModule.openlog(prefix, syslogModule.LOG_PID, syslogModule.LOG_DAEMON)

    def __call__(self, event: dict[str, Any]) -> None:
        """Send the event's text to syslog."""
        text = formatEvent(event)
        failure = event.get("log_failure")
        if failure is not None:
            text = f"{text}\n{failure.getTraceback()}"
        name = _SYSLOG_PRIORITIES.get(event.get("log_level", LogLevel.info), "LOG_INFO")
        priority = getattr(self._syslog, name)
        system = event.get("log_system") or event.get("log_namespace") or "-"
        for line in text.splitlines() or [""]:
            self._syslog.syslog(priority, f"[{system}] {line}")


def namedAny(name: str) -> Any:
    """
    Import the object called C{name} (C{package.module.attribute}).

    @param name: a dotted name.
    @return: the object.
    @raise ValueError: If the name is empty or malformed.
    @raise ImportError: If no prefix of it is an importable module.
    @raise AttributeError: If the attribute does not exist.
    """
    parts = name.split(".")
    if not name or not all(parts):
        raise ValueError(f"not a dotted name: {name!r}")
    for cut in range(len(parts), 0, -1):
        moduleName = ".".join(parts[:cut])
        try:
            obj: Any = importlib.import_module(moduleName)
        except ModuleNotFoundError as e:
            if e.name is not None and moduleName.startswith(e.name) and cut > 1:
                continue
            raise
        for attribute in parts[cut:]:
            obj = getattr(obj, attribute)
        return obj
    raise ImportError(f"cannot import {name!r}")  # pragma: no cover - loop always returns


def toObserver(observer: Any) -> Observer:
    """
    Adapt what a log observer factory (or the application) gave to a
    new-style observer.

    Objects providing C{netframe.logger.ILogObserver} are used as they are;
    anything else (C{netframe.logger.legacy.ILogObserver} providers, bound
    C{emit} methods of legacy observers) is treated as a legacy observer
    and wrapped, as Twisted does.

    @param observer: the observer.
    @return: a new-style observer.
    @raise TypeError: If it is not callable.
    """
    if not callable(observer):
        raise TypeError(f"log observer {observer!r} is not callable")
    if ILogObserver.providedBy(observer):
        return observer
    return LegacyLogObserverWrapper(observer)


class LogTarget:
    """
    The observer netframe-twistd logs to and the file behind it, if any.

    Choice, first that applies: C{--logger NAME} (the object NAME is called
    and its result used); the application's C{ILogObserver} component (new
    style, then legacy); C{--syslog}; C{--logfile -} or C{--nodaemon}
    without C{--logfile}: standard output; else C{--logfile} (default
    C{twistd.log}). C{--log-format json} writes JSON records instead of text
    to the last two.

    @ivar observer: the observer.
    @ivar logFile: the L{ReopenableLogFile} (reopened on SIGHUP), or None.
    @ivar description: says where the log goes.
    """

    defaultLogfile = "twistd.log"

    def __init__(
        self,
        config: Any,
        application: Any,
        stdout: IO[str],
        syslogModule: Any = None,
    ) -> None:
        """
        Choose and open the log target.

        @param config: the parsed L{ServerOptions}.
        @param application: the application (its C{ILogObserver} components
            are consulted).
        @param stdout: the standard output stream.
        @param syslogModule: the C{syslog} module (injectable for tests).
        @raise OSError: If the log file cannot be opened.
        @raise Exception: Whatever the C{--logger} factory raises on import
            or call.
        """
        self.logFile: ReopenableLogFile | None = None
        getComponent = getattr(application, "getComponent", None)
        if config["logger"]:
            self.observer = toObserver(namedAny(config["logger"])())
            self.description = f"observer from {config['logger']}"
            return
        if getComponent is not None:
            component = getComponent(ILogObserver, None)
            if component is not None:
                self.observer = component
                self.description = "the application's log observer"
                return
            legacyComponent = getComponent(_legacy.ILogObserver, None)
            if legacyComponent is not None:
                self.observer = LegacyLogObserverWrapper(legacyComponent)
                self.description = "the application's log observer"
                return
        if config["syslog"]:
            self.observer = SyslogObserver(config["prefix"], syslogModule)
            self.description = f"syslog as {config['prefix']!r}"
            return
        logfile = config["logfile"]
        stream: Any
        if logfile == "-" or (not logfile and config["nodaemon"]):
            stream = stdout
            self.description = "standard output"
        else:
            self.logFile = ReopenableLogFile(
                logfile or os.path.abspath(self.defaultLogfile), rotate=not config.get("workers")
            )
            stream = self.logFile
            self.description = self.logFile.path
        if config["log-format"] == "json":
            self.observer = jsonFileLogObserver(stream)
        else:
            self.observer = textFileLogObserver(stream)

    def flush(self) -> None:
        """Flush the log file, if any."""
        if self.logFile is not None:
            self.logFile.flush()
