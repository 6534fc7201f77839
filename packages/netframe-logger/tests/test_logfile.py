"""Tests for netframe.logger.logfile."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from netframe.logger.logfile import DailyLogFile, LogFile, LogReader


def _at(year: int, month: int, day: int, hour: int = 12) -> float:
    """Return the timestamp of a local date and hour."""
    return time.mktime((year, month, day, hour, 0, 0, 0, 0, -1))


class _FakeClock:
    """A settable clock for DailyLogFile._clock."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class LogFileTests:
    """Size-rotated LogFile."""

    def test_writeAndRead(self, tmp_path: Path) -> None:
        """Written text and bytes end up in the file."""
        log = LogFile("app.log", str(tmp_path))
        log.write("hello\n")
        log.write(b"bytes\n")
        log.flush()
        assert (tmp_path / "app.log").read_bytes() == b"hello\nbytes\n"
        assert log.size == 12
        log.close()

    def test_unicodeEncodedAsUtf8(self, tmp_path: Path) -> None:
        """Text is encoded as UTF-8 and size counts bytes."""
        log = LogFile("app.log", str(tmp_path))
        log.write("é\n")
        log.close()
        assert (tmp_path / "app.log").read_bytes() == "é\n".encode()
        assert log.size == 3

    def test_writeBadType(self, tmp_path: Path) -> None:
        """Writing something that is not text or bytes raises TypeError."""
        log = LogFile("app.log", str(tmp_path))
        with pytest.raises(TypeError, match="str or bytes"):
            log.write(123)  # type: ignore[arg-type]
        log.close()

    def test_appendsToExisting(self, tmp_path: Path) -> None:
        """An existing file is appended to and its size counted."""
        (tmp_path / "app.log").write_bytes(b"old\n")
        log = LogFile("app.log", str(tmp_path))
        assert log.size == 4
        log.write("new\n")
        log.close()
        assert (tmp_path / "app.log").read_bytes() == b"old\nnew\n"

    def test_rotateAtLength(self, tmp_path: Path) -> None:
        """The write after the file reaches rotateLength goes to a new file."""
        log = LogFile("app.log", str(tmp_path), rotateLength=10)
        log.write("123456789")  # 9 bytes: below the limit
        log.write("0")  # 10 bytes: at the limit, written before rotating
        assert log.listLogs() == []
        assert log.shouldRotate()
        log.write("next")
        log.close()
        assert (tmp_path / "app.log.1").read_text() == "1234567890"
        assert (tmp_path / "app.log").read_text() == "next"

    def test_noRotateBelowLength(self, tmp_path: Path) -> None:
        """One byte below rotateLength does not rotate."""
        log = LogFile("app.log", str(tmp_path), rotateLength=10)
        log.write("123456789")
        assert not log.shouldRotate()
        log.write("x")
        assert log.listLogs() == []
        log.close()

    def test_rotateLengthNone(self, tmp_path: Path) -> None:
        """rotateLength=None never rotates by size."""
        log = LogFile("app.log", str(tmp_path), rotateLength=None)
        log.write("x" * 5000)
        assert not log.shouldRotate()
        log.close()

    def test_badRotateLength(self, tmp_path: Path) -> None:
        """A rotateLength below 1 raises ValueError."""
        with pytest.raises(ValueError, match="rotateLength"):
            LogFile("app.log", str(tmp_path), rotateLength=0)

    def test_newestIsOne(self, tmp_path: Path) -> None:
        """Rotated files shift up: .1 is always the newest."""
        log = LogFile("app.log", str(tmp_path), rotateLength=1)
        for text in ("a", "b", "c", "d"):
            log.write(text)
        log.close()
        assert log.listLogs() == [1, 2, 3]
        assert (tmp_path / "app.log").read_text() == "d"
        assert (tmp_path / "app.log.1").read_text() == "c"
        assert (tmp_path / "app.log.3").read_text() == "a"

    def test_defaultMaxRotatedFiles(self, tmp_path: Path) -> None:
        """With maxRotatedFiles=None, defaultMaxRotatedFiles (10) copies are kept."""
        assert LogFile.defaultMaxRotatedFiles == 10
        log = LogFile("app.log", str(tmp_path))
        assert log.maxRotatedFiles == 10
        for _ in range(12):
            log.write("x")
            log.rotate()
        log.close()
        assert log.listLogs() == list(range(1, 11))

    def test_maxRotatedFilesAtLimit(self, tmp_path: Path) -> None:
        """Exactly maxRotatedFiles rotations keep every copy."""
        log = LogFile("app.log", str(tmp_path), maxRotatedFiles=3)
        for text in "abc":
            log.write(text)
            log.rotate()
        assert log.listLogs() == [1, 2, 3]
        log.close()

    def test_maxRotatedFilesPastLimit(self, tmp_path: Path) -> None:
        """One rotation past maxRotatedFiles deletes the oldest copy."""
        log = LogFile("app.log", str(tmp_path), maxRotatedFiles=3)
        for text in "abcd":
            log.write(text)
            log.rotate()
        log.close()
        assert log.listLogs() == [1, 2, 3]
        assert (tmp_path / "app.log.3").read_text() == "b"
        assert (tmp_path / "app.log.1").read_text() == "d"

    def test_defaultOverridable(self, tmp_path: Path) -> None:
        """A subclass can change defaultMaxRotatedFiles."""

        class Small(LogFile):
            defaultMaxRotatedFiles = 1

        log = Small("app.log", str(tmp_path))
        for text in "ab":
            log.write(text)
            log.rotate()
        log.close()
        assert log.listLogs() == [1]

    def test_badMaxRotatedFiles(self, tmp_path: Path) -> None:
        """maxRotatedFiles below 1 raises ValueError."""
        with pytest.raises(ValueError, match="maxRotatedFiles"):
            LogFile("app.log", str(tmp_path), maxRotatedFiles=0)

    def test_listLogsIgnoresOtherFiles(self, tmp_path: Path) -> None:
        """listLogs only counts name.N files with a plain positive number."""
        for other in ("app.log.x", "app.log.01", "other.log.1", "app.log.2"):
            (tmp_path / other).write_text("")
        log = LogFile("app.log", str(tmp_path))
        assert log.listLogs() == [2]
        log.close()

    def test_getLogAndCurrentLog(self, tmp_path: Path) -> None:
        """getLog reads a rotated file, getCurrentLog the current one."""
        log = LogFile("app.log", str(tmp_path))
        log.write("one\ntwo\n")
        log.rotate()
        log.write("three\n")
        reader = log.getLog(1)
        assert reader.readLines() == ["one\n", "two\n"]
        reader.close()
        current = log.getCurrentLog()
        assert current.readLines(1) == ["three\n"]
        assert current.readLines() == []
        current.close()
        log.close()

    def test_getLogMissing(self, tmp_path: Path) -> None:
        """getLog of a rotation that does not exist raises ValueError."""
        log = LogFile("app.log", str(tmp_path))
        with pytest.raises(ValueError, match=r"app\.log\.4"):
            log.getLog(4)
        log.close()

    def test_reopen(self, tmp_path: Path) -> None:
        """reopen starts a new file after the old one was moved away."""
        log = LogFile("app.log", str(tmp_path))
        log.write("before\n")
        log.flush()
        os.rename(tmp_path / "app.log", tmp_path / "moved.log")
        log.reopen()
        log.write("after\n")
        log.close()
        assert (tmp_path / "moved.log").read_text() == "before\n"
        assert (tmp_path / "app.log").read_text() == "after\n"
        assert log.size == 6

    def test_rotateWhenFileGone(self, tmp_path: Path) -> None:
        """rotate does nothing when the file was removed underneath."""
        log = LogFile("app.log", str(tmp_path))
        os.remove(tmp_path / "app.log")
        log.rotate()
        assert log.listLogs() == []
        log.close()

    def test_closeTwiceAndWriteAfterClose(self, tmp_path: Path) -> None:
        """Closing twice is harmless; writing after close raises ValueError."""
        log = LogFile("app.log", str(tmp_path))
        log.close()
        log.close()
        assert log.closed
        with pytest.raises(ValueError, match="closed"):
            log.write("x")

    def test_fromFullPath(self, tmp_path: Path) -> None:
        """fromFullPath splits a path into directory and name and passes options on."""
        log = LogFile.fromFullPath(str(tmp_path / "full.log"), rotateLength=5)
        assert log.name == "full.log"
        assert log.directory == str(tmp_path)
        assert log.rotateLength == 5
        assert isinstance(log, LogFile)
        log.close()

    def test_defaultMode(self, tmp_path: Path) -> None:
        """A created file gets defaultMode, and so does the file after rotation."""
        log = LogFile("app.log", str(tmp_path), defaultMode=0o600)
        assert stat.S_IMODE(os.stat(tmp_path / "app.log").st_mode) == 0o600
        log.write("x")
        log.rotate()
        assert stat.S_IMODE(os.stat(tmp_path / "app.log").st_mode) == 0o600
        log.close()

    def test_rotationKeepsMode(self, tmp_path: Path) -> None:
        """Without defaultMode, the new file keeps the old file's mode."""
        path = tmp_path / "app.log"
        path.write_text("")
        os.chmod(path, 0o640)
        log = LogFile("app.log", str(tmp_path))
        log.write("x")
        log.rotate()
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
        log.close()

    def test_missingDirectory(self, tmp_path: Path) -> None:
        """A directory that does not exist raises FileNotFoundError naming it."""
        missing = str(tmp_path / "nope")
        with pytest.raises(FileNotFoundError, match="does not exist"):
            LogFile("app.log", missing)

    def test_directoryIsFile(self, tmp_path: Path) -> None:
        """A directory path that is a file raises NotADirectoryError."""
        afile = tmp_path / "file"
        afile.write_text("")
        with pytest.raises(NotADirectoryError, match="not a directory"):
            LogFile("app.log", str(afile))

    def test_unwritableDirectory(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A directory the process cannot write raises PermissionError at construction."""
        monkeypatch.setattr(os, "access", lambda path, mode: False)
        with pytest.raises(PermissionError, match="not writable"):
            LogFile("app.log", str(tmp_path))

    def test_unopenableFile(self, tmp_path: Path) -> None:
        """A log path that cannot be opened (a directory) raises OSError naming it."""
        (tmp_path / "app.log").mkdir()
        with pytest.raises(OSError, match="cannot open log file"):
            LogFile("app.log", str(tmp_path))

    def test_readerOfMissingFile(self, tmp_path: Path) -> None:
        """LogReader of a missing file raises OSError."""
        with pytest.raises(OSError):
            LogReader(str(tmp_path / "missing"))


class DailyLogFileTests:
    """Date-rotated DailyLogFile."""

    def _make(self, tmp_path: Path, clock: _FakeClock) -> DailyLogFile:
        """Create a DailyLogFile driven by clock."""
        DailyLogFile._clock = clock  # replaced per test by the fixture below
        return DailyLogFile("daily.log", str(tmp_path))

    @pytest.fixture(autouse=True)
    def _restoreClock(self) -> object:
        """Restore the class clock after each test."""
        saved = DailyLogFile.__dict__["_clock"]
        yield None
        DailyLogFile._clock = saved

    def test_toDate(self, tmp_path: Path) -> None:
        """toDate gives (year, month, day) of a timestamp, or of the clock."""
        log = self._make(tmp_path, _FakeClock(_at(2024, 3, 9)))
        assert log.toDate(_at(2021, 12, 31)) == (2021, 12, 31)
        assert log.toDate() == (2024, 3, 9)
        log.close()

    def test_suffix(self, tmp_path: Path) -> None:
        """suffix is zero-padded YYYY_MM_DD, from a tuple or a timestamp."""
        log = self._make(tmp_path, _FakeClock(_at(2024, 3, 9)))
        assert log.suffix((2024, 3, 9)) == "2024_03_09"
        assert log.suffix(_at(2023, 11, 20)) == "2023_11_20"
        with pytest.raises(TypeError):
            log.suffix("2024")  # type: ignore[arg-type]
        log.close()

    def test_noRotationSameDay(self, tmp_path: Path) -> None:
        """Writes on the same day do not rotate."""
        clock = _FakeClock(_at(2024, 3, 9, 1))
        log = self._make(tmp_path, clock)
        log.write("a")
        clock.now = _at(2024, 3, 9, 23)
        assert not log.shouldRotate()
        log.write("b")
        log.close()
        assert sorted(os.listdir(tmp_path)) == ["daily.log"]

    def test_rotatesOnNewDay(self, tmp_path: Path) -> None:
        """The first write on a new day moves the old file to name.<old date>."""
        clock = _FakeClock(_at(2024, 3, 9))
        log = self._make(tmp_path, clock)
        log.write("day one\n")
        clock.now = _at(2024, 3, 10)
        assert log.shouldRotate()
        log.write("day two\n")
        log.close()
        assert (tmp_path / "daily.log.2024_03_09").read_text() == "day one\n"
        assert (tmp_path / "daily.log").read_text() == "day two\n"
        assert log.lastDate == (2024, 3, 10)

    def test_existingFileUsesModificationDate(self, tmp_path: Path) -> None:
        """A non-empty existing file is dated by its modification time."""
        path = tmp_path / "daily.log"
        path.write_text("old\n")
        os.utime(path, (_at(2024, 1, 2), _at(2024, 1, 2)))
        log = self._make(tmp_path, _FakeClock(_at(2024, 1, 5)))
        assert log.lastDate == (2024, 1, 2)
        log.write("new\n")
        log.close()
        assert (tmp_path / "daily.log.2024_01_02").read_text() == "old\n"

    def test_neverOverwritesRotated(self, tmp_path: Path) -> None:
        """rotate does nothing if the target name already exists."""
        (tmp_path / "daily.log.2024_03_09").write_text("keep")
        clock = _FakeClock(_at(2024, 3, 9))
        log = self._make(tmp_path, clock)
        log.write("x")
        log.rotate()
        log.close()
        assert (tmp_path / "daily.log.2024_03_09").read_text() == "keep"
        assert (tmp_path / "daily.log").read_text() == "x"

    def test_clockGoingBackwards(self, tmp_path: Path) -> None:
        """A clock moving back a day neither rotates nor moves lastDate back."""
        clock = _FakeClock(_at(2024, 3, 9))
        log = self._make(tmp_path, clock)
        log.write("a")
        clock.now = _at(2024, 3, 8)
        log.write("b")
        assert log.lastDate == (2024, 3, 9)
        log.close()
        assert sorted(os.listdir(tmp_path)) == ["daily.log"]

    def test_getLog(self, tmp_path: Path) -> None:
        """getLog reads the rotated file of a date; a missing date raises ValueError."""
        clock = _FakeClock(_at(2024, 3, 9))
        log = self._make(tmp_path, clock)
        log.write("first\n")
        clock.now = _at(2024, 3, 10)
        log.write("second\n")
        reader = log.getLog((2024, 3, 9))
        assert reader.readLines() == ["first\n"]
        reader.close()
        with pytest.raises(ValueError):
            log.getLog((2020, 1, 1))
        log.close()

    def test_instanceClock(self, tmp_path: Path) -> None:
        """The clock can also be replaced on one instance."""
        log = DailyLogFile("daily.log", str(tmp_path))
        log._clock = _FakeClock(_at(2030, 6, 1))
        assert log.toDate() == (2030, 6, 1)
        log.close()

    def test_fromFullPath(self, tmp_path: Path) -> None:
        """DailyLogFile.fromFullPath builds a DailyLogFile."""
        log = DailyLogFile.fromFullPath(str(tmp_path / "d.log"))
        assert isinstance(log, DailyLogFile)
        assert log.path == str(tmp_path / "d.log")
        log.close()
