"""
Tests for the netframe-twistd pidfile: atomic creation, advisory lock,
stale-file replacement.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from netframe.app._pidfile import AlreadyRunningError, PidFile, PidfileError

# Larger than any possible pid (the kernel's pid_max is at most 2**22).
DEAD_PID = 2**22 + 1


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[Path]:
    """A pidfile with pid 1 whose lock is held by another open file description."""
    path = tmp_path / "held.pid"
    path.write_text("1\n")
    fd = os.open(path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    yield path
    os.close(fd)


class PidFileTests:
    """PidFile creates, locks, inspects and replaces pidfiles."""

    def test_acquireWritesPid(self, tmp_path: Path) -> None:
        """acquire writes the pid and keeps the file locked."""
        pidfile = PidFile(str(tmp_path / "a.pid"))
        assert pidfile.acquire(1234) is None
        assert (tmp_path / "a.pid").read_text() == "1234\n"
        status = PidFile(str(tmp_path / "a.pid")).status()
        assert status.live and status.pid == 1234
        assert pidfile.held
        assert [p.name for p in tmp_path.iterdir()] == ["a.pid"]

    def test_releaseRemoves(self, tmp_path: Path) -> None:
        """release removes the file and drops the lock."""
        pidfile = PidFile(str(tmp_path / "a.pid"))
        pidfile.acquire(1)
        pidfile.release()
        assert not (tmp_path / "a.pid").exists()
        assert not pidfile.held
        pidfile.release()

    def test_releaseKeepsForeignFile(self, tmp_path: Path) -> None:
        """release leaves a file that replaced ours alone."""
        path = tmp_path / "a.pid"
        pidfile = PidFile(str(path))
        pidfile.acquire(1)
        path.unlink()
        path.write_text("99\n")
        pidfile.release()
        assert path.read_text() == "99\n"

    def test_missingStatus(self, tmp_path: Path) -> None:
        """A missing file is neither live nor stale."""
        status = PidFile(str(tmp_path / "none.pid")).status()
        assert not status.exists and not status.live

    def test_liveRefused(self, holder: Path) -> None:
        """A locked pidfile makes acquire raise AlreadyRunningError with the pid."""
        with pytest.raises(AlreadyRunningError, match="another server is running, PID 1"):
            PidFile(str(holder)).acquire(55)
        assert holder.read_text() == "1\n"

    def test_staleDeadPid(self, tmp_path: Path) -> None:
        """A pidfile naming a dead pid is replaced and reported."""
        path = tmp_path / "a.pid"
        path.write_text(f"{DEAD_PID}\n")
        replaced = PidFile(str(path)).acquire(77)
        assert replaced is not None
        assert (replaced.reason, replaced.pid) == ("dead pid", DEAD_PID)
        assert path.read_text() == "77\n"

    def test_staleReusedPid(self, tmp_path: Path) -> None:
        """A pidfile naming a live process that holds no lock is stale."""
        path = tmp_path / "a.pid"
        path.write_text(f"{os.getpid()}\n")
        status = PidFile(str(path)).status()
        assert status.exists and not status.live
        assert status.reason == "pid holds no lock"
        replaced = PidFile(str(path)).acquire(78)
        assert replaced is not None and replaced.reason == "pid holds no lock"

    def test_staleGarbage(self, tmp_path: Path) -> None:
        """A pidfile with garbage content is stale."""
        path = tmp_path / "a.pid"
        path.write_bytes(b"\x00not a pid")
        replaced = PidFile(str(path)).acquire(79)
        assert replaced is not None
        assert (replaced.reason, replaced.pid) == ("garbage content", None)

    def test_maxSizeLimit(self, tmp_path: Path) -> None:
        """A pid padded to maxSize bytes is read; one byte more is garbage."""
        path = tmp_path / "a.pid"
        pidfile = PidFile(str(path))
        path.write_text("1".rjust(pidfile.maxSize, "0"))
        assert pidfile.status().pid == 1
        path.write_text("1".rjust(pidfile.maxSize + 1, "0"))
        assert pidfile.status().pid is None

    def test_maxSizeOverridable(self, tmp_path: Path) -> None:
        """maxSize is an overridable attribute."""
        path = tmp_path / "a.pid"
        path.write_text("12345")
        pidfile = PidFile(str(path))
        pidfile.maxSize = 4
        assert pidfile.status().pid is None

    def test_zeroPidIsGarbage(self, tmp_path: Path) -> None:
        """Pid 0 is not a pid."""
        path = tmp_path / "a.pid"
        path.write_text("0\n")
        assert PidFile(str(path)).status().reason == "garbage content"

    def test_missingDirectory(self, tmp_path: Path) -> None:
        """A pidfile in a missing directory raises PidfileError naming it."""
        pidfile = PidFile(str(tmp_path / "nodir" / "a.pid"))
        with pytest.raises(PidfileError, match="is not a directory"):
            pidfile.checkDirectory()
        with pytest.raises(PidfileError):
            pidfile.acquire(1)

    def test_directoryIsFile(self, tmp_path: Path) -> None:
        """A pidfile whose directory is a regular file raises PidfileError."""
        (tmp_path / "file").write_text("")
        with pytest.raises(PidfileError):
            PidFile(str(tmp_path / "file" / "a.pid")).checkDirectory()

    def test_unreadablePidfile(self, tmp_path: Path) -> None:
        """A pidfile path that is a symlink is refused with PidfileError."""
        target = tmp_path / "target"
        target.write_text("1\n")
        (tmp_path / "a.pid").symlink_to(target)
        with pytest.raises(PidfileError, match="cannot read pidfile"):
            PidFile(str(tmp_path / "a.pid")).status()

    def test_relativePathMadeAbsolute(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A relative path is made absolute at construction."""
        monkeypatch.chdir(tmp_path)
        assert PidFile("x.pid").path == str(tmp_path / "x.pid")
