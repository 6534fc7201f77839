"""
Fixtures for the netframe.cred tests: Deferred result helpers, log capture,
a recording realm, a counter of scrypt computations and password files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from zope.interface import Interface, implementer

from netframe.core.defer import Deferred
from netframe.core.failure import Failure
from netframe.cred.portal import IRealm
from netframe.logger import globalLogPublisher


@pytest.fixture(autouse=True)
def _noPluginCache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plugin discovery never writes a cache during these tests."""
    monkeypatch.setenv("NETFRAME_PLUGIN_CACHE", "off")


class Results:
    """
    Read the result of an already-fired Deferred.
    """

    @staticmethod
    def succeeded(d: Deferred[Any]) -> Any:
        """
        @param d: a Deferred that has a result.
        @return: the result.
        @raise AssertionError: if it has no result yet or failed.
        """
        box: list[Any] = []
        d.addBoth(box.append)
        assert box, f"{d!r} has no result yet"
        assert not isinstance(box[0], Failure), f"{d!r} failed: {box[0]!r}"
        return box[0]

    @staticmethod
    def failed(d: Deferred[Any], *expected: type[BaseException]) -> Failure:
        """
        @param d: a Deferred that has failed.
        @param expected: the exception classes one of which it must fail with.
        @return: the failure (handled).
        @raise AssertionError: if it succeeded, has no result, or failed
            otherwise.
        """
        box: list[Any] = []
        d.addBoth(box.append)
        assert box, f"{d!r} has no result yet"
        assert isinstance(box[0], Failure), f"{d!r} succeeded with {box[0]!r}"
        if expected:
            assert box[0].check(*expected), f"{d!r} failed with {box[0]!r}"
        return box[0]


@pytest.fixture
def results() -> Results:
    """Helpers to read fired Deferreds."""
    return Results()


@pytest.fixture
def events() -> Iterator[list[dict[str, Any]]]:
    """The log events emitted during the test."""
    captured: list[dict[str, Any]] = []
    globalLogPublisher.addObserver(captured.append)
    try:
        yield captured
    finally:
        globalLogPublisher.removeObserver(captured.append)


class IThing(Interface):
    """An avatar interface for the tests."""


class Avatar:
    """
    A test avatar.

    @ivar avatarId: who it is.
    @ivar loggedOut: how many times its logout was called.
    """

    def __init__(self, avatarId: object) -> None:
        self.avatarId = avatarId
        self.loggedOut = 0

    def logout(self) -> None:
        """Count a logout."""
        self.loggedOut += 1


@implementer(IRealm)
class TestRealm:
    """
    A realm making an L{Avatar} per avatar ID for L{IThing}.

    @ivar calls: C{(avatarId, mind, interfaces)} of each request.
    @ivar avatars: the avatars made, by ID.
    """

    __test__ = False

    def __init__(self) -> None:
        self.calls: list[tuple[object, object, tuple[Any, ...]]] = []
        self.avatars: dict[object, Avatar] = {}

    def requestAvatar(self, avatarId: object, mind: object, *interfaces: Any) -> object:
        """Return (IThing, avatar, avatar.logout) or raise NotImplementedError."""
        self.calls.append((avatarId, mind, interfaces))
        if IThing not in interfaces:
            raise NotImplementedError("no interface")
        avatar = self.avatars.setdefault(avatarId, Avatar(avatarId))
        return IThing, avatar, avatar.logout


@pytest.fixture
def realm() -> TestRealm:
    """A fresh L{TestRealm}."""
    return TestRealm()


@pytest.fixture
def scryptCalls(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """
    Count scrypt computations: each call appends the password hashed.
    """
    calls: list[bytes] = []
    original = hashlib.scrypt

    def counting(password: bytes, **kwargs: Any) -> bytes:
        calls.append(password)
        return original(password, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


@pytest.fixture
def writeFile(tmp_path: Path) -> Callable[[str, bytes], Path]:
    """
    Write a file under the test's temporary directory.

    @return: C{write(name, content) -> path}.
    """

    def write(name: str, content: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content)
        return path

    return write


@pytest.fixture
def thing() -> type[Interface]:
    """The avatar interface L{TestRealm} offers."""
    return IThing
