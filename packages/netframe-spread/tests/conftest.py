"""
Fixtures for the netframe.spread tests: log capture, Deferred result
helpers and in-memory PB connections.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from netframe.core.defer import Deferred
from netframe.core.failure import Failure
from netframe.core.testing import connectedServerAndClient
from netframe.logger import globalLogPublisher
from netframe.spread import pb


@pytest.fixture
def events() -> Iterator[list[dict[str, Any]]]:
    """The log events emitted during the test."""
    captured: list[dict[str, Any]] = []
    globalLogPublisher.addObserver(captured.append)
    try:
        yield captured
    finally:
        globalLogPublisher.removeObserver(captured.append)


def result(d: Deferred[Any]) -> Any:
    """
    @return: the result of an already-fired, successful Deferred.
    """
    box: list[Any] = []
    d.addBoth(box.append)
    assert box, f"{d!r} has no result yet"
    if isinstance(box[0], Failure):
        raise AssertionError(f"{d!r} failed: {box[0].getTraceback()}")
    return box[0]


def failure(d: Deferred[Any]) -> Failure:
    """
    @return: the (now handled) failure of an already-failed Deferred.
    """
    box: list[Any] = []
    d.addBoth(box.append)
    assert box, f"{d!r} has no result yet"
    assert isinstance(box[0], Failure), f"{d!r} succeeded with {box[0]!r}"
    return box[0]


class PBPair:
    """
    A PB server and client connected in memory.

    @ivar server: the server broker.
    @ivar client: the client broker.
    @ivar pump: the L{IOPump}.
    @ivar clientFactory: the client factory.
    """

    def __init__(
        self, root: Any, clientFactory: pb.PBClientFactory | None = None, **kw: Any
    ) -> None:
        self.serverFactory = pb.PBServerFactory(root, **kw)
        self.clientFactory = clientFactory or pb.PBClientFactory()
        self.client, self.server, self.pump = connectedServerAndClient(
            lambda: self.serverFactory.buildProtocol(None),
            lambda: self.clientFactory.buildProtocol(None),
        )
        self.flush()

    def flush(self) -> None:
        """Move everything, collecting garbage so decrefs go out."""
        for _ in range(3):
            gc.collect()
            self.pump.flush()

    def call(self, d: Deferred[Any]) -> Any:
        """Flush, then return the result of C{d}."""
        self.flush()
        return result(d)

    def fail(self, d: Deferred[Any]) -> Failure:
        """Flush, then return the failure of C{d}."""
        self.flush()
        return failure(d)

    def root(self) -> Any:
        """The client's reference to the server's root object."""
        return self.call(self.clientFactory.getRootObject())


@pytest.fixture
def helpers() -> Any:
    """The helper functions and L{PBPair}."""

    class Helpers:
        pair = PBPair
        succeeded = staticmethod(result)
        failed = staticmethod(failure)

    return Helpers
