"""
A small user program that must type-check under C{mypy --strict}: it uses
C{Deferred[int]}, callbacks, L{inlineCallbacks} and C{await}.

Checked by C{hatch run types:check packages/netframe-core/src
packages/netframe-core/tests/typing}; run by test_defer_typing.py.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from netframe.core.defer import (
    Deferred,
    DeferredList,
    ensureDeferred,
    gatherResults,
    inlineCallbacks,
    succeed,
)
from netframe.core.failure import Failure


def double(value: int) -> int:
    """Double an int."""
    return value * 2


def describe(value: int, prefix: str = "") -> str:
    """Render an int with a prefix."""
    return f"{prefix}{value}"


def recover(failure: Failure) -> int:
    """Handle any failure with 0."""
    return 0


def chained() -> Deferred[str]:
    """Callbacks change the Deferred's type; errbacks widen it."""
    d: Deferred[int] = Deferred()
    doubled: Deferred[int] = d.addCallback(double)
    safe: Deferred[int] = doubled.addErrback(recover)
    text: Deferred[str] = safe.addCallback(describe, prefix="n=")
    d.callback(21)
    return text


def waitsOnAnother() -> Deferred[int]:
    """A callback may return a Deferred: the result type is the inner one."""
    d: Deferred[int] = succeed(1)
    return d.addCallback(lambda value: succeed(value + 1))


@inlineCallbacks
def generatorStyle(start: int) -> Generator[Deferred[int], int, str]:
    """inlineCallbacks: yield Deferred[int], get ints, return a str."""
    first = yield succeed(start)
    second = yield waitsOnAnother()
    return describe(first + second)


async def coroutineStyle() -> int:
    """await gives the Deferred's type."""
    value: int = await succeed(40)
    other: str = await generatorStyle(1)
    return value + len(other)


def run() -> tuple[str, int, str, list[int]]:
    """Run everything; return the results."""
    results: list[Any] = []
    chained().addCallback(results.append)
    ensureDeferred(coroutineStyle()).addCallback(results.append)
    generatorStyle(2).addCallback(results.append)
    gathered: Deferred[list[int]] = gatherResults([succeed(1), succeed(2)])
    gathered.addCallback(results.append)
    DeferredList([succeed(1)]).addCallback(lambda outcomes: None)
    return (results[0], results[1], results[2], results[3])
