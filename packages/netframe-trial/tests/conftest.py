"""
Fixtures for netframe-trial's tests: a fake reactor (a task.Clock that
advances by the requested wait on each iterate, so timeouts need no wall
clock) installed as the reactor TestCase spins, and a reporter factory.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest

from netframe.core.task import Clock
from netframe.trial import _util
from netframe.trial.reporter import Reporter


class FakeReactor(Clock):
    """
    A deterministic stand-in for the global reactor: C{iterate(delay)}
    advances fake time by C{delay} (running due calls); readers, writers and
    live selectables are plain lists the tests fill.
    """

    def __init__(self) -> None:
        super().__init__()
        self.running = True
        self.readers: list[Any] = []
        self.writers: list[Any] = []
        self.iterations = 0
        self.removed: list[Any] = []

    def iterate(self, delay: float = 0.0) -> None:
        self.iterations += 1
        self.advance(delay)

    def timeout(self) -> float | None:
        calls = self.getDelayedCalls()
        if not calls:
            return None
        return max(0.0, min(c.getTime() for c in calls) - self.seconds())

    def getReaders(self) -> list[Any]:
        return list(self.readers)

    def getWriters(self) -> list[Any]:
        return list(self.writers)

    def removeAll(self) -> list[Any]:
        everything = self.readers + self.writers
        self.removed.extend(everything)
        self.readers, self.writers = [], []
        return everything


class FakeSelectable:
    """An open connection as the janitor sees it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lost: list[Any] = []

    def connectionLost(self, reason: Any) -> None:
        self.lost.append(reason)

    def __repr__(self) -> str:
        return f"<FakeSelectable {self.name}>"


@pytest.fixture
def fakeReactor(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeReactor]:
    """Make TestCase spin a L{FakeReactor} instead of the global reactor."""
    reactor = FakeReactor()
    monkeypatch.setattr(_util, "_getReactor", lambda: reactor)
    yield reactor


@pytest.fixture
def reporter() -> Reporter:
    """A reporter writing to a string buffer."""
    return Reporter(io.StringIO())


@pytest.fixture
def makeSelectable() -> type[FakeSelectable]:
    """The fake selectable class."""
    return FakeSelectable
