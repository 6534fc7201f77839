"""
Writing events to files: L{FileLogObserver} and L{textFileLogObserver}.

Private module; the public names are re-exported by C{netframe.logger}.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import IO, Any

from zope.interface import implementer

from netframe.logger._format import formatEventAsClassicLogText, formatTime, timeFormatRFC3339
from netframe.logger._observer import ILogObserver, LogEvent

__all__ = ["FileLogObserver", "textFileLogObserver"]


def _isBinary(outFile: IO[Any]) -> bool:
    """
    Return whether C{outFile} takes bytes rather than text.
    """
    stream: object = outFile
    if isinstance(stream, io.TextIOBase):
        return False
    if isinstance(stream, (io.RawIOBase, io.BufferedIOBase)):
        return True
    return "b" in str(getattr(outFile, "mode", ""))


@implementer(ILogObserver)
class FileLogObserver:
    """
    Writes each event, as text made by a formatting function, to a file.

    Each event's text is written with a single C{write} call (then C{flush})
    while holding a lock, so events from concurrent threads never interleave.
    Events whose text is C{None} or empty are not written.  Binary files get
    the text encoded as UTF-8.
    """

    __slots__ = ("_encode", "_flush", "_formatEvent", "_lock", "_write")

    def __init__(self, outFile: IO[Any], formatEvent: Callable[[LogEvent], str | None]) -> None:
        """
        @param outFile: a file opened for writing (text or binary).
        @param formatEvent: turns an event into the text to write (including
            any trailing newline), or C{None} to skip the event.
        """
        self._write = outFile.write
        self._flush: Callable[[], Any] | None = getattr(outFile, "flush", None)
        self._encode = _isBinary(outFile)
        self._formatEvent = formatEvent
        self._lock = threading.Lock()

    def __call__(self, event: LogEvent) -> None:
        """
        Format C{event} and write it to the file.

        @param event: the event.
        @raise Exception: whatever the file raises (the publisher then
            removes this observer and reports the error).
        """
        text = self._formatEvent(event)
        if not text:
            return
        data: str | bytes = text.encode("utf-8", "backslashreplace") if self._encode else text
        with self._lock:
            self._write(data)
            flush = self._flush
            if flush is not None:
                flush()


def textFileLogObserver(
    outFile: IO[Any], timeFormat: str | None = timeFormatRFC3339
) -> FileLogObserver:
    """
    Create an observer that writes events to C{outFile} as classic log text
    (C{2013-01-01T12:34:56-0800 [namespace#level] text}).

    @param outFile: a file opened for writing.
    @param timeFormat: the C{strftime} format of time stamps; C{None} writes
        C{-} instead of the time.
    @return: the observer.
    """

    def formatWithTime(event: LogEvent) -> str | None:
        return formatEventAsClassicLogText(
            event, formatTime=lambda when: formatTime(when, timeFormat)
        )

    return FileLogObserver(outFile, formatWithTime)
