"""
Log files that rotate themselves (Twisted's C{twisted.python.logfile}).

L{LogFile} rotates when the file reaches a size, renaming C{name} to
C{name.1}, C{name.1} to C{name.2} and so on (C{.1} is always the newest
rotated file) and deleting the oldest beyond a bound.  L{DailyLogFile}
rotates when the local date changes, renaming C{name} to C{name.YYYY_MM_DD}.

Both accept text (encoded as UTF-8) or bytes in L{BaseLogFile.write}, so they
can be given to C{startLogging} or a text log observer as the output file.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from typing import Any, BinaryIO, TypeVar

__all__ = ["BaseLogFile", "DailyLogFile", "LogFile", "LogReader"]

_Self = TypeVar("_Self", bound="BaseLogFile")


class LogReader:
    """
    Reads the lines of a log file, a batch at a time.
    """

    def __init__(self, name: str) -> None:
        """
        Open a log file for reading.

        @param name: the path of the file.
        @raise OSError: if the file cannot be opened.
        """
        self._file = open(name, encoding="utf-8", errors="replace")  # noqa: SIM115

    def readLines(self, lines: int = 10) -> list[str]:
        """
        Read the next lines of the file.

        @param lines: the maximum number of lines to return.
        @return: up to C{lines} lines (each with its newline), fewer at the
            end of the file, an empty list when nothing is left.
        """
        result: list[str] = []
        for _ in range(lines):
            line = self._file.readline()
            if not line:
                break
            result.append(line)
        return result

    def close(self) -> None:
        """
        Close the file.
        """
        self._file.close()


class BaseLogFile:
    """
    The common part of L{LogFile} and L{DailyLogFile}: an append-only log
    file at C{directory/name} that rotates whenever L{shouldRotate} says so,
    checked before each L{write}.

    @ivar name: the base name of the file.
    @ivar directory: the directory holding the file and its rotated copies.
    @ivar path: the full path of the current file.
    @ivar defaultMode: the permission bits for newly created files, or C{None}
        to keep those of the file being replaced (or the process default).
    @ivar closed: whether L{close} has been called.
    """

    _file: BinaryIO

    def __init__(self, name: str, directory: str, defaultMode: int | None = None) -> None:
        """
        Open (creating if needed) the log file C{directory/name} for appending.

        @param name: the file name.
        @param directory: the directory, which must exist and be writable.
        @param defaultMode: permission bits for created files (e.g. C{0o600}).
        @raise OSError: if the directory does not exist, is not a directory,
            is not writable, or the file cannot be opened; the message names
            the path.
        """
        self.name = name
        self.directory = directory
        self.path = os.path.join(directory, name)
        self.defaultMode = defaultMode
        self.closed = False
        if not os.path.isdir(directory):
            if os.path.exists(directory):
                raise NotADirectoryError(f"log directory {directory!r} is not a directory")
            raise FileNotFoundError(f"log directory {directory!r} does not exist")
        if not os.access(directory, os.W_OK | os.X_OK):
            raise PermissionError(f"log directory {directory!r} is not writable")
        self._openFile()

    @classmethod
    def fromFullPath(cls: type[_Self], filename: str, *args: Any, **kwargs: Any) -> _Self:
        """
        Create a log file from a full path instead of a name and directory.

        @param filename: the path of the log file.
        @param args: further positional arguments for the constructor.
        @param kwargs: further keyword arguments for the constructor.
        @return: the log file.
        @raise OSError: as the constructor.
        """
        absolute = os.path.abspath(filename)
        return cls(os.path.basename(absolute), os.path.dirname(absolute), *args, **kwargs)

    def _openFile(self) -> None:
        """
        Open C{self.path} for appending, creating it with C{defaultMode} if it
        does not exist, and record its size.

        @raise OSError: if the file cannot be opened.
        """
        self.closed = False
        existed = os.path.exists(self.path)
        try:
            self._file = open(self.path, "ab")  # noqa: SIM115
        except OSError as e:
            raise type(e)(
                e.errno, f"cannot open log file {self.path!r}: {e.strerror}", self.path
            ) from e
        if not existed and self.defaultMode is not None:
            os.chmod(self.path, self.defaultMode)
        self.size = self._file.tell()

    def shouldRotate(self) -> bool:
        """
        Return whether the file should be rotated before the next write.

        @return: C{False} here; subclasses decide.
        """
        return False

    def rotate(self) -> None:
        """
        Rotate the file; the base class does nothing.
        """

    def write(self, data: str | bytes) -> None:
        """
        Append C{data} to the log, rotating first if L{shouldRotate} says so.

        @param data: text (encoded as UTF-8) or bytes.
        @raise ValueError: if the file is closed.
        @raise TypeError: if C{data} is neither text nor bytes.
        """
        if self.closed:
            raise ValueError(f"write to closed log file {self.path!r}")
        if isinstance(data, str):
            data = data.encode("utf-8")
        elif not isinstance(data, bytes):
            raise TypeError(f"log data must be str or bytes, not {type(data).__name__}")
        if self.shouldRotate():
            self.flush()
            self.rotate()
        self._file.write(data)
        self.size += len(data)

    def flush(self) -> None:
        """
        Flush buffered data to the operating system.
        """
        self._file.flush()

    def close(self) -> None:
        """
        Close the file; later writes raise C{ValueError}.  Closing twice is
        harmless.
        """
        if not self.closed:
            self._file.close()
            self.closed = True

    def reopen(self) -> None:
        """
        Close and reopen the file at C{self.path}, e.g. after an external tool
        (logrotate, on SIGHUP) has moved it away.

        @raise OSError: if the file cannot be reopened.
        """
        self.close()
        self._openFile()

    def getCurrentLog(self) -> LogReader:
        """
        Return a reader for the current log file (flushed first).

        @return: a L{LogReader}.
        """
        if not self.closed:
            self.flush()
        return LogReader(self.path)

    def _replacementMode(self) -> int | None:
        """
        Return the permission bits a freshly rotated file should get: the
        configured C{defaultMode}, else those of the current file.
        """
        if self.defaultMode is not None:
            return self.defaultMode
        try:
            return stat.S_IMODE(os.stat(self.path).st_mode)
        except OSError:
            return None

    def _reopenRotated(self, mode: int | None) -> None:
        """
        Open a fresh file at C{self.path} after the current one was renamed.

        @param mode: the permission bits for the new file (see
            L{_replacementMode}, which must be asked before renaming).
        """
        saved = self.defaultMode
        self.defaultMode = mode
        try:
            self._openFile()
        finally:
            self.defaultMode = saved

    def _canRotate(self) -> bool:
        """
        Return whether rotation is possible: the directory is writable and the
        file exists.
        """
        return os.access(self.directory, os.W_OK | os.X_OK) and os.path.exists(self.path)


class LogFile(BaseLogFile):
    """
    A log file that rotates by size: when it has reached C{rotateLength}
    bytes, the next write first renames C{name.N} to C{name.N+1} (for every
    kept N, newest first), C{name} to C{name.1}, and starts a new C{name}.

    @cvar defaultMaxRotatedFiles: how many rotated files are kept when
        C{maxRotatedFiles} is C{None} (10).  Unlike Twisted, which keeps every
        rotated file by default, netframe bounds disk use by default; override
        this attribute (or pass C{maxRotatedFiles}) to keep more.
    @ivar rotateLength: the size in bytes that triggers rotation, or C{None}
        to never rotate by size.
    @ivar maxRotatedFiles: how many rotated files are kept; older ones are
        deleted on rotation.
    """

    defaultMaxRotatedFiles: int = 10

    def __init__(
        self,
        name: str,
        directory: str,
        rotateLength: int | None = 1000000,
        defaultMode: int | None = None,
        maxRotatedFiles: int | None = None,
    ) -> None:
        """
        Open the log file.

        @param name: the file name.
        @param directory: the directory holding it and its rotated copies.
        @param rotateLength: rotate once the file has this many bytes; C{None}
            disables size rotation.
        @param defaultMode: permission bits for created files.
        @param maxRotatedFiles: how many rotated files to keep; C{None} means
            L{defaultMaxRotatedFiles}.
        @raise ValueError: if C{rotateLength} or C{maxRotatedFiles} is not
            positive.
        @raise OSError: as L{BaseLogFile.__init__}.
        """
        if rotateLength is not None and rotateLength < 1:
            raise ValueError(f"rotateLength must be positive or None, not {rotateLength!r}")
        if maxRotatedFiles is None:
            maxRotatedFiles = self.defaultMaxRotatedFiles
        if maxRotatedFiles < 1:
            raise ValueError(f"maxRotatedFiles must be at least 1, not {maxRotatedFiles!r}")
        self.rotateLength = rotateLength
        self.maxRotatedFiles = maxRotatedFiles
        super().__init__(name, directory, defaultMode)

    def shouldRotate(self) -> bool:
        """
        Return whether the file has reached C{rotateLength} bytes.
        """
        return self.rotateLength is not None and self.size >= self.rotateLength

    def listLogs(self) -> list[int]:
        """
        Return the numbers N of the existing rotated files C{name.N}, sorted.

        @return: a sorted list of positive integers.
        """
        prefix = self.name + "."
        result = []
        for entry in os.listdir(self.directory):
            if entry.startswith(prefix):
                suffix = entry[len(prefix) :]
                if suffix.isdigit() and suffix.isascii() and not suffix.startswith("0"):
                    result.append(int(suffix))
        result.sort()
        return result

    def getLog(self, identifier: int) -> LogReader:
        """
        Return a reader for the rotated file C{name.identifier}.

        @param identifier: the rotation number (1 is the newest).
        @return: a L{LogReader}.
        @raise ValueError: if there is no such rotated file.
        """
        if identifier not in self.listLogs():
            raise ValueError(f"no rotated log file {self.path}.{identifier}")
        return LogReader(f"{self.path}.{identifier}")

    def rotate(self) -> None:
        """
        Rotate now: shift the numbered copies up by one, deleting those beyond
        C{maxRotatedFiles}, rename the current file to C{name.1} and open a
        new one.  Nothing happens if the directory is not writable or the
        file no longer exists.
        """
        if not self._canRotate():
            return
        for number in reversed(self.listLogs()):
            old = f"{self.path}.{number}"
            if number >= self.maxRotatedFiles:
                os.remove(old)
            else:
                os.rename(old, f"{self.path}.{number + 1}")
        mode = self._replacementMode()
        self.close()
        os.rename(self.path, f"{self.path}.1")
        self._reopenRotated(mode)


_DateTuple = tuple[int, int, int]


class DailyLogFile(BaseLogFile):
    """
    A log file that rotates when the local date changes: the first write on
    a new day renames C{name} to C{name.YYYY_MM_DD} (the date of the last
    write) and starts a new file.

    Time comes from L{_clock}, a callable returning seconds since the epoch
    (default C{time.time}); tests and simulations replace it (on the class or
    the instance) to drive rotation without waiting.

    @ivar lastDate: the C{(year, month, day)} of the last write (initially
        the modification date of an existing file, else today).
    """

    _clock: Callable[[], float] = staticmethod(time.time)

    lastDate: _DateTuple

    def _openFile(self) -> None:
        """
        Open the file and set C{lastDate}: the modification date of a
        non-empty existing file, else the current date from L{_clock}.
        """
        super()._openFile()
        if self.size:
            self.lastDate = self.toDate(os.stat(self.path).st_mtime)
        else:
            self.lastDate = self.toDate()

    def toDate(self, *args: float) -> _DateTuple:
        """
        Return a local date as a C{(year, month, day)} tuple.

        @param args: an optional timestamp; without it, the current time from
            L{_clock}.
        @return: the date tuple.
        """
        when = args[0] if args else self._clock()
        local = time.localtime(when)
        return (local.tm_year, local.tm_mon, local.tm_mday)

    def suffix(self, tupledate: _DateTuple | float) -> str:
        """
        Return the suffix of the rotated file for a date: C{YYYY_MM_DD},
        zero-padded so that the names sort by date.

        @param tupledate: a C{(year, month, day)} tuple or a timestamp.
        @return: the suffix text.
        @raise TypeError: if C{tupledate} is neither.
        """
        if isinstance(tupledate, (int, float)):
            tupledate = self.toDate(tupledate)
        if not isinstance(tupledate, tuple) or len(tupledate) != 3:
            raise TypeError(f"expected a (year, month, day) tuple or a timestamp: {tupledate!r}")
        year, month, day = tupledate
        return f"{year:04d}_{month:02d}_{day:02d}"

    def shouldRotate(self) -> bool:
        """
        Return whether today's date is after the date of the last write.
        """
        return self.toDate() > self.lastDate

    def write(self, data: str | bytes) -> None:
        """
        Append C{data}, rotating first on a new day; see L{BaseLogFile.write}.
        """
        super().write(data)
        self.lastDate = max(self.lastDate, self.toDate())

    def getLog(self, identifier: _DateTuple | float) -> LogReader:
        """
        Return a reader for the rotated file of a date.

        @param identifier: a date tuple or timestamp.
        @return: a L{LogReader}.
        @raise ValueError: if there is no rotated file for that date.
        """
        path = f"{self.path}.{self.suffix(identifier)}"
        if not os.path.exists(path):
            raise ValueError(f"no rotated log file {path}")
        return LogReader(path)

    def rotate(self) -> None:
        """
        Rename the current file to C{name.<suffix of lastDate>} and open a new
        one.  Nothing happens if the directory is not writable, the file is
        gone, or a file with that suffix already exists (it is never
        overwritten).
        """
        if not self._canRotate():
            return
        newpath = f"{self.path}.{self.suffix(self.lastDate)}"
        if os.path.exists(newpath):
            return
        mode = self._replacementMode()
        self.close()
        os.rename(self.path, newpath)
        self._reopenRotated(mode)
