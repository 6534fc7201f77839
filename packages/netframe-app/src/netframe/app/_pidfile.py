"""
The pidfile of netframe-twistd: created atomically, held with an advisory
lock for the life of the server, replaced when stale.

A pidfile is I{live} when some process holds the C{flock} lock on it; the
pid it contains is then the running server's. Any other pidfile is I{stale}:
its pid is dead, or belongs to a process that holds no lock (the pid was
reused), or the content is not a pid at all.

Private module of netframe-app (used by L{netframe.app.twistd}).
"""

from __future__ import annotations

import errno
import fcntl
import os
from dataclasses import dataclass

__all__ = ["AlreadyRunningError", "PidFile", "PidfileError", "PidfileStatus"]


class PidfileError(Exception):
    """The pidfile cannot be used (directory missing or not writable, I/O error)."""


class AlreadyRunningError(PidfileError):
    """
    Another server holds the pidfile.

    @ivar path: the pidfile.
    @ivar pid: the pid it contains (None if unreadable).
    """

    def __init__(self, path: str, pid: int | None) -> None:
        """
        @param path: the pidfile.
        @param pid: the running server's pid, if known.
        """
        self.path = path
        self.pid = pid
        shown = "unknown" if pid is None else str(pid)
        super().__init__(f"another server is running, PID {shown} (pidfile {path})")


@dataclass(frozen=True)
class PidfileStatus:
    """
    What a pidfile on disk says.

    @ivar exists: whether the file exists.
    @ivar live: whether a process holds its lock.
    @ivar pid: the pid it contains, or None (missing, garbage or too long).
    @ivar reason: why a stale file is stale (C{"dead pid"}, C{"pid holds
        no lock"}, C{"garbage content"}), or "" when live or missing.
    """

    exists: bool
    live: bool
    pid: int | None
    reason: str


class PidFile:
    """
    One pidfile path.

    @cvar maxSize: the most bytes read from a pidfile; a longer file is
        garbage (a pid is at most a few digits).
    @cvar maxAttempts: how many times L{acquire} retries after removing a
        stale file that another process replaced meanwhile.
    @ivar path: the absolute path.
    """

    maxSize = 64
    maxAttempts = 5

    def __init__(self, path: str) -> None:
        """
        @param path: the pidfile path (made absolute).
        """
        self.path = os.path.abspath(path)
        self._fd: int | None = None

    def checkDirectory(self) -> None:
        """
        Check that the pidfile's directory exists and is writable.

        @raise PidfileError: If it does not exist, is not a directory, or
            is not writable.
        """
        directory = os.path.dirname(self.path)
        if not os.path.isdir(directory):
            raise PidfileError(f"cannot write pidfile {self.path}: {directory} is not a directory")
        if not os.access(directory, os.W_OK | os.X_OK):
            raise PidfileError(
                f"cannot write pidfile {self.path}: directory {directory} is not writable"
            )

    def _parse(self, data: bytes) -> int | None:
        """Return the pid in C{data}, or None if it is not one."""
        if len(data) > self.maxSize:
            return None
        text = data.strip()
        if not text.isdigit() or not text.isascii():
            return None
        pid = int(text)
        return pid if pid > 0 else None

    def _read(self, fd: int) -> int | None:
        """Read the pid from an open pidfile (None if garbage)."""
        os.lseek(fd, 0, os.SEEK_SET)
        return self._parse(os.read(fd, self.maxSize + 1))

    @staticmethod
    def _pidAlive(pid: int) -> bool:
        """Return whether a process with this pid exists."""
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def _statusOf(self, fd: int) -> tuple[PidfileStatus, bool]:
        """
        Inspect an open pidfile.

        @return: its status and whether this process now holds its lock
            (only when stale).
        """
        pid = self._read(fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return PidfileStatus(True, True, pid, ""), False
            raise
        if pid is None:
            reason = "garbage content"
        elif self._pidAlive(pid):
            reason = "pid holds no lock"
        else:
            reason = "dead pid"
        return PidfileStatus(True, False, pid, reason), True

    def status(self) -> PidfileStatus:
        """
        Inspect the pidfile without changing it.

        @return: its status.
        @raise PidfileError: If it exists but cannot be opened.
        """
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        except FileNotFoundError:
            return PidfileStatus(False, False, None, "")
        except OSError as e:
            raise PidfileError(f"cannot read pidfile {self.path}: {e.strerror}") from e
        try:
            result, _ = self._statusOf(fd)
            return result
        finally:
            os.close(fd)

    def acquire(self, pid: int) -> PidfileStatus | None:
        """
        Create the pidfile holding C{pid} and keep its lock until L{release}.

        The file is written under a temporary name, locked, then linked to
        the final name (which fails if a file exists there), so the pidfile
        never exists half-written or unlocked. A stale file found there is
        removed and the attempt repeated.

        @param pid: the pid to record.
        @return: the status of the stale file that was replaced, or None.
        @raise AlreadyRunningError: If a live server holds the pidfile.
        @raise PidfileError: If the file cannot be created.
        """
        self.checkDirectory()
        directory, name = os.path.split(self.path)
        replaced: PidfileStatus | None = None
        for _ in range(self.maxAttempts):
            temporary = os.path.join(directory, f".{name}.{pid}.tmp")
            try:
                fd = os.open(
                    temporary,
                    os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW,
                    0o644,
                )
            except OSError as e:
                raise PidfileError(f"cannot write pidfile {self.path}: {e.strerror}") from e
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.write(fd, f"{pid}\n".encode())
                os.fsync(fd)
                os.link(temporary, self.path)
            except FileExistsError:
                os.close(fd)
                os.unlink(temporary)
                replaced = self._removeStale() or replaced
                continue
            except OSError as e:
                os.close(fd)
                _unlinkQuietly(temporary)
                raise PidfileError(f"cannot write pidfile {self.path}: {e.strerror}") from e
            os.unlink(temporary)
            self._fd = fd
            return replaced
        raise PidfileError(f"cannot write pidfile {self.path}: it keeps being replaced")

    def _removeStale(self) -> PidfileStatus | None:
        """
        Remove the file at C{path} if it is stale.

        @return: its status when removed, None when it vanished meanwhile.
        @raise AlreadyRunningError: If it is live.
        """
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise PidfileError(f"cannot read pidfile {self.path}: {e.strerror}") from e
        try:
            result, _ = self._statusOf(fd)
            if result.live:
                raise AlreadyRunningError(self.path, result.pid)
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                return None
            if same:
                os.unlink(self.path)
            return result
        finally:
            os.close(fd)

    def release(self) -> None:
        """Remove the pidfile (if it is still ours) and drop its lock."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                os.unlink(self.path)
        except OSError:
            pass
        finally:
            os.close(fd)

    @property
    def held(self) -> bool:
        """Whether this object holds the pidfile."""
        return self._fd is not None


def _unlinkQuietly(path: str) -> None:
    """Remove C{path}, ignoring errors."""
    try:
        os.unlink(path)
    except OSError:
        pass
