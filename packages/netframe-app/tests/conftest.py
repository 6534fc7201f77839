"""
Shared fixtures of the netframe-app tests: captured log events, and
helpers that run real netframe-twistd subprocesses (bounded in time and
always killed at teardown).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from netframe.logger import capturedLogs


@pytest.fixture
def capturedEvents() -> Iterator[list[dict[str, Any]]]:
    """The log events emitted during the test."""
    with capturedLogs() as events:
        yield events


class FakeLogBeginner:
    """Records beginLoggingTo calls and feeds the observers the events that follow."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[Any], bool]] = []

    def beginLoggingTo(self, observers: Any, redirectStandardIO: bool = True) -> None:
        from netframe.logger import globalLogPublisher

        observers = list(observers)
        self.calls.append((observers, redirectStandardIO))
        for observer in observers:
            globalLogPublisher.addObserver(observer)
        self._added = observers

    def remove(self) -> None:
        from netframe.logger import globalLogPublisher

        for observer in getattr(self, "_added", []):
            globalLogPublisher.removeObserver(observer)


@pytest.fixture
def logBeginner() -> Iterator[FakeLogBeginner]:
    """A log beginner that does not touch the real global logging setup."""
    beginner = FakeLogBeginner()
    yield beginner
    beginner.remove()


class FakePasswd:
    """A passwd entry."""

    def __init__(self, name: str, uid: int, gid: int) -> None:
        self.pw_name = name
        self.pw_uid = uid
        self.pw_gid = gid


class FakeSystem:
    """
    Process operations that record what they are asked and change nothing.

    @ivar calls: C{(name, args)} in order.
    @ivar forks: what successive fork() calls return (default 0: the child).
    @ivar failing: operation names that raise PermissionError.
    @ivar pipeData: what read() returns from the startup pipe, chunk by chunk.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.forks: list[int] = []
        self.failing: set[str] = set()
        self.pipeData: list[bytes] = []
        self.written: list[tuple[int, bytes]] = []
        self.uid = 1000
        self.gid = 1000
        self.pid = 4242
        self.users = {1000: FakePasswd("me", 1000, 1000), 2000: FakePasswd("svc", 2000, 2100)}

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))
        if name in self.failing:
            raise PermissionError(1, "Operation not permitted")

    def names(self) -> list[str]:
        """The names of the recorded calls, in order."""
        return [name for name, _ in self.calls]

    def fork(self) -> int:
        self._record("fork")
        return self.forks.pop(0) if self.forks else 0

    def setsid(self) -> None:
        self._record("setsid")

    def chdir(self, path: str) -> None:
        self._record("chdir", path)

    def chroot(self, path: str) -> None:
        self._record("chroot", path)

    def umask(self, mask: int) -> int:
        self._record("umask", mask)
        return 0o022

    def getuid(self) -> int:
        return self.uid

    def getgid(self) -> int:
        return self.gid

    def setuid(self, uid: int) -> None:
        self._record("setuid", uid)

    def setgid(self, gid: int) -> None:
        self._record("setgid", gid)

    def setgroups(self, groups: list[int]) -> None:
        self._record("setgroups", list(groups))

    def getgrouplist(self, name: str, gid: int) -> list[int]:
        return [gid, 3000]

    def getpwuid(self, uid: int) -> FakePasswd:
        return self.users[uid]

    def getpid(self) -> int:
        return self.pid

    def kill(self, pid: int, sig: int) -> None:
        self._record("kill", pid, sig)

    def pipe(self) -> tuple[int, int]:
        self._record("pipe")
        return (100, 101)

    def read(self, fd: int, size: int) -> bytes:
        return self.pipeData.pop(0)[:size] if self.pipeData else b""

    def write(self, fd: int, data: bytes) -> int:
        self.written.append((fd, data))
        return len(data)

    def close(self, fd: int) -> None:
        self._record("close", fd)

    def waitpid(self, pid: int, options: int) -> tuple[int, int]:
        return (pid, 0)

    def exit(self, code: int) -> None:
        self._record("exit", code)

    def redirectStandardIO(self) -> None:
        self._record("redirectStandardIO")


@pytest.fixture
def fakeSystem() -> FakeSystem:
    """Fake process operations."""
    return FakeSystem()


@pytest.fixture
def shutdownReactor() -> Any:
    """
    A MemoryReactorClock whose stop() fires the shutdown event (as a real
    reactor does), so before-shutdown triggers run.
    """
    from netframe.core.testing import MemoryReactorClock

    class ShutdownReactor(MemoryReactorClock):
        def stop(self) -> None:
            if self.hasStopped:
                return
            super().stop()
            self.fireSystemEvent("shutdown")

        def callFromThread(self, f: Any, *args: Any, **kw: Any) -> None:
            f(*args, **kw)

    return ShutdownReactor()
