"""
L{LoggingFile}: a file-like object that logs each line written to it (used
to send C{sys.stdout} and C{sys.stderr} into the log).

Private module; the public names are re-exported by C{netframe.logger}.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import IO

from netframe.logger._constants import NamedConstant
from netframe.logger._levels import InvalidLogLevelError, LogLevel, levelIndex
from netframe.logger._logger import Logger

__all__ = ["LoggingFile"]


class LoggingFile:
    """
    A writable text file that emits one event per line written, with the
    line (without its newline) as C{log_io} and format C{"{log_io}"}.

    Text written while an observer of one of its own events is running (an
    observer that prints, while stdout is redirected here) would loop; it goes
    to C{fallback} instead (or is dropped if there is none).

    @ivar maxLineLength: a partial line longer than this many characters is
        emitted as it is instead of waiting for its newline.
    @ivar softspace: kept for old C{print} implementations.
    """

    maxLineLength = 65536

    softspace = 0

    def __init__(
        self,
        logger: Logger,
        level: NamedConstant = LogLevel.info,
        encoding: str | None = None,
        fallback: IO[str] | None = None,
    ) -> None:
        """
        @param logger: emits the events.
        @param level: the level of the events.
        @param encoding: how bytes written are decoded (default UTF-8).
        @param fallback: where text goes if written from inside one of this
            file's own log events.
        @raise InvalidLogLevelError: if C{level} is not a L{LogLevel}.
        """
        if levelIndex(level) is None:
            raise InvalidLogLevelError(level)
        self.log = logger
        self.level = level
        self.encoding = encoding or "utf-8"
        self.fallback = fallback
        self._buffer = ""
        self._closed = False
        self._lock = threading.RLock()
        self._local = threading.local()

    @property
    def closed(self) -> bool:
        """
        Whether L{close} was called.
        """
        return self._closed

    @property
    def mode(self) -> str:
        """
        C{"w"}: this is a writable text file.
        """
        return "w"

    def fileno(self) -> int:
        """
        Refuse: there is no file descriptor.

        @raise OSError: always.
        """
        raise OSError("LoggingFile has no file descriptor")

    def isatty(self) -> bool:
        """
        Return C{False}: this is not a terminal.
        """
        return False

    def readable(self) -> bool:
        """
        Return C{False}: this file cannot be read.
        """
        return False

    def writable(self) -> bool:
        """
        Return C{True} while the file is open.
        """
        return not self._closed

    def seekable(self) -> bool:
        """
        Return C{False}: this file cannot seek.
        """
        return False

    def close(self) -> None:
        """
        Emit any partial line and close the file.
        """
        with self._lock:
            partial, self._buffer = self._buffer, ""
            self._closed = True
        if partial:
            self._emit(partial)

    def flush(self) -> None:
        """
        Do nothing: lines are emitted as soon as they are complete (a partial
        line waits for its newline, or for L{close}).
        """

    def write(self, message: str | bytes) -> int:
        """
        Log each complete line of C{message}; keep a trailing partial line
        for later.

        @param message: text, or bytes in C{encoding} (bad bytes replaced).
        @return: the length of C{message}.
        @raise ValueError: if the file is closed.
        """
        if self._closed:
            raise ValueError("I/O operation on closed file")
        text = message.decode(self.encoding, "replace") if isinstance(message, bytes) else message
        if getattr(self._local, "busy", False):
            fallback = self.fallback
            if fallback is not None:
                fallback.write(text)
            return len(message)
        with self._lock:
            lines = (self._buffer + text).split("\n")
            self._buffer = lines.pop()
            if len(self._buffer) > self.maxLineLength:
                lines.append(self._buffer)
                self._buffer = ""
        for line in lines:
            self._emit(line)
        return len(message)

    def writelines(self, lines: Iterable[str | bytes]) -> None:
        """
        Write each item of C{lines} (they are not separated by newlines).

        @param lines: text or bytes.
        """
        for line in lines:
            self.write(line)

    def _emit(self, line: str) -> None:
        """
        Emit one line, marking this thread busy meanwhile.
        """
        local = self._local
        local.busy = True
        try:
            self.log.emit(self.level, "{log_io}", log_io=line)
        finally:
            local.busy = False

    def __repr__(self) -> str:
        """
        Return a description naming the logger's namespace and the level.
        """
        return f"<LoggingFile {self.log.namespace!r} at {self.level.name}>"
