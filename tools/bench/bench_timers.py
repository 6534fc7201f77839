#!/usr/bin/env python3
"""
callLater benchmark: schedule+fire and schedule+cancel per second, no sockets.

Peers, all in this process: netframe's EPollReactor and AsyncioSelectorReactor
(on asyncio's default selector loop and, when installed, on uvloop) against
Twisted's EPollReactor.  Reactors are instances driven with ``iterate()``
(never ``run()``), so one process measures them all.

- fire: schedule N zero-delay calls, then iterate until all N ran;
- cancel: schedule N calls one second ahead, then cancel each.

For the asyncio reactor's design choice (its own heap and one loop timer for
the earliest call, against one loop timer handle per call) the same two
workloads are also run on bare ``loop.call_later`` handles: the floor a
per-call-handle design could reach before wrapping each handle in an
IDelayedCall.

    hatch run bench:python tools/bench/bench_timers.py [--quick]
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from _results import Results

#: Issue 5's target for the default (epoll) reactor: schedule+fire and schedule+cancel
#: at least this many times Twisted's rate.
TARGET = 1.5


def netframeEpoll() -> Any:
    """A netframe EPollReactor instance."""
    from netframe.core.epollreactor import EPollReactor

    return EPollReactor()


def netframeAsyncio() -> Any:
    """A netframe AsyncioSelectorReactor on a new selector loop."""
    from netframe.core.asyncioreactor import AsyncioSelectorReactor

    return AsyncioSelectorReactor()


def netframeUvloop() -> Any:
    """A netframe AsyncioSelectorReactor on a new uvloop loop."""
    import uvloop

    from netframe.core.asyncioreactor import AsyncioSelectorReactor

    return AsyncioSelectorReactor(uvloop.new_event_loop())


def twistedEpoll() -> Any:
    """A Twisted EPollReactor instance (not installed globally)."""
    from twisted.internet.epollreactor import EPollReactor

    return EPollReactor()


def closeReactor(reactor: Any) -> None:
    """Release a reactor's descriptors (netframe) or leave it to the GC (Twisted)."""
    close = getattr(reactor, "_close", None)
    if close is not None:
        close()
        if getattr(reactor, "_ownsLoop", True) is False:
            reactor.eventloop.close()


def fireRate(makeReactor: Callable[[], Any], n: int) -> float:
    """Return zero-delay calls scheduled and fired per second."""
    reactor = makeReactor()
    count = [0]

    def tick() -> None:
        count[0] += 1

    callLater = reactor.callLater
    gc.collect()
    start = time.perf_counter()
    for _ in range(n):
        callLater(0, tick)
    while count[0] < n:
        reactor.iterate(0)
    elapsed = time.perf_counter() - start
    closeReactor(reactor)
    return n / elapsed


def cancelRate(makeReactor: Callable[[], Any], n: int) -> float:
    """Return calls scheduled then cancelled per second."""
    reactor = makeReactor()

    def tick() -> None:
        raise AssertionError("cancelled call ran")

    callLater = reactor.callLater
    gc.collect()
    start = time.perf_counter()
    calls = [callLater(1.0, tick) for _ in range(n)]
    for c in calls:
        c.cancel()
    reactor.iterate(0)
    elapsed = time.perf_counter() - start
    closeReactor(reactor)
    return n / elapsed


def loopHandleFireRate(newLoop: Callable[[], asyncio.AbstractEventLoop], n: int) -> float:
    """Bare loop.call_later(0) handles scheduled and fired per second."""
    loop = newLoop()
    count = [0]

    def tick() -> None:
        count[0] += 1
        if count[0] == n:
            loop.stop()

    callLater = loop.call_later
    gc.collect()
    start = time.perf_counter()
    for _ in range(n):
        callLater(0, tick)
    loop.run_forever()
    elapsed = time.perf_counter() - start
    loop.close()
    return n / elapsed


def loopHandleCancelRate(newLoop: Callable[[], asyncio.AbstractEventLoop], n: int) -> float:
    """Bare loop.call_later(1) handles scheduled then cancelled per second."""
    loop = newLoop()
    callLater = loop.call_later
    gc.collect()
    start = time.perf_counter()
    handles = [callLater(1.0, print) for _ in range(n)]
    for h in handles:
        h.cancel()
    loop.stop()
    loop.run_forever()
    elapsed = time.perf_counter() - start
    loop.close()
    return n / elapsed


def main(argv: list[str]) -> int:
    """Run every workload on every peer; print medians and ratios."""
    quick = "--quick" in argv
    report = Results("timers", argv)
    reps = 2 if quick else 7
    n = 5_000 if quick else 50_000
    peers: dict[str, Callable[[], Any]] = {
        "netframe epoll": netframeEpoll,
        "netframe asyncio": netframeAsyncio,
    }
    try:
        import uvloop

        peers["netframe uvloop"] = netframeUvloop
    except ImportError:
        print("(uvloop not installed: the uvloop rows are left out)")
    peers["twisted epoll"] = twistedEpoll
    loops: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {
        "bare asyncio handles": asyncio.SelectorEventLoop
    }
    if "netframe uvloop" in peers:
        import uvloop

        loops["bare uvloop handles"] = uvloop.new_event_loop

    print(f"callLater, {n} calls per run, {reps} runs, medians (ops/s); ratio = peer / Twisted")
    header = f"{'peer':<24}{'fire/s':>12}{'cancel/s':>12}{'fire ratio':>12}{'cancel ratio':>14}"
    print(header)
    print("-" * len(header))
    results: dict[str, tuple[float, float]] = {}
    fires: dict[str, list[float]] = {name: [] for name in peers}
    cancels: dict[str, list[float]] = {name: [] for name in peers}
    for make in peers.values():
        fireRate(make, n // 10)  # warm-up
    # Interleaved, so a change in the machine's load hits every peer alike.
    for _ in range(reps):
        for name, make in peers.items():
            fires[name].append(fireRate(make, n))
            cancels[name].append(cancelRate(make, n))
    for name in peers:
        results[name] = (statistics.median(fires[name]), statistics.median(cancels[name]))
    for name, newLoop in loops.items():
        loopFires = [loopHandleFireRate(newLoop, n) for _ in range(reps)]
        loopCancels = [loopHandleCancelRate(newLoop, n) for _ in range(reps)]
        results[name] = (statistics.median(loopFires), statistics.median(loopCancels))
    tf, tc = results["twisted epoll"]
    for name, (f, c) in results.items():
        print(f"{name:<24}{f:>12.0f}{c:>12.0f}{f / tf:>11.2f}x{c / tc:>13.2f}x")
        if name.startswith("netframe"):
            target = TARGET if name == "netframe epoll" else None
            report.add(f"{name} fire", "calls/s", f, tf, target=target)
            report.add(f"{name} cancel", "calls/s", c, tc, target=target)
    report.write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
