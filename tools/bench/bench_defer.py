#!/usr/bin/env python3
"""
Benchmark netframe.core.defer beside twisted.internet.defer (same process, same run).

    hatch run bench:python tools/bench/bench_defer.py [--quick]

Cases (rates are operations per second; the table reports medians of the repetitions,
netframe and Twisted interleaved, and the ratio netframe/Twisted):

  a   create a Deferred, callback(), then addCallback (runs at once)
  a2  create a Deferred, addCallback, then callback()   (extra: pending-callback path)
  b   create, add a chain of 10 callbacks, callback()   (rate of chains)
  c   create, add 3 errbacks (two pass the failure on, the third handles it), errback(exc)
  d   gatherResults of 100 already-fired Deferreds (rate of gathers, creation included)
  e   inlineCallbacks loop of 1,000 yields of fired Deferreds (rate of yields)
  f   ensureDeferred coroutine loop of 1,000 awaits of fired Deferreds (rate of awaits)

Targets: every case >= 1.2x Twisted, a, b and c >= 1.5x.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import twisted.internet.defer as tdefer
from _results import Results

import netframe.core.defer as ndefer

TARGETS = {"a": 1.5, "a2": 1.5, "b": 1.5, "c": 1.5, "d": 1.2, "e": 1.2, "f": 1.2}


def _identity(x: Any) -> Any:
    return x


def _passFailure(f: Any) -> Any:
    return f


def _handle(f: Any) -> None:
    return None


def caseA(defer: ModuleType, n: int) -> int:
    Deferred = defer.Deferred
    cb = _identity
    for _ in range(n):
        d = Deferred()
        d.callback(1)
        d.addCallback(cb)
    return n


def caseA2(defer: ModuleType, n: int) -> int:
    Deferred = defer.Deferred
    cb = _identity
    for _ in range(n):
        d = Deferred()
        d.addCallback(cb)
        d.callback(1)
    return n


def caseB(defer: ModuleType, n: int) -> int:
    Deferred = defer.Deferred
    cb = _identity
    for _ in range(n):
        d = Deferred()
        add = d.addCallback
        add(cb)
        add(cb)
        add(cb)
        add(cb)
        add(cb)
        add(cb)
        add(cb)
        add(cb)
        add(cb)
        add(cb)
        d.callback(1)
    return n


def caseC(defer: ModuleType, n: int) -> int:
    Deferred = defer.Deferred
    exc = ValueError("bench")
    for _ in range(n):
        d = Deferred()
        d.addErrback(_passFailure)
        d.addErrback(_passFailure)
        d.addErrback(_handle)
        d.errback(exc)
    return n


def caseD(defer: ModuleType, n: int) -> int:
    succeed = defer.succeed
    gather = defer.gatherResults
    for _ in range(n):
        gather([succeed(i) for i in range(100)])
    return n


def caseE(defer: ModuleType, n: int) -> int:
    succeed = defer.succeed

    @defer.inlineCallbacks
    def loop() -> Any:
        total = 0
        for i in range(1000):
            total += yield succeed(i)
        return total

    for _ in range(n):
        loop()
    return n * 1000


def caseF(defer: ModuleType, n: int) -> int:
    succeed = defer.succeed
    ensure = defer.ensureDeferred

    async def loop() -> int:
        total = 0
        for i in range(1000):
            total += await succeed(i)
        return total

    for _ in range(n):
        ensure(loop())
    return n * 1000


CASES: list[tuple[str, str, Callable[[ModuleType, int], int], int]] = [
    ("a", "create+callback+addCallback", caseA, 100_000),
    ("a2", "create+addCallback+callback", caseA2, 100_000),
    ("b", "chain of 10 callbacks", caseB, 20_000),
    ("c", "errback through 3 errbacks", caseC, 50_000),
    ("d", "gatherResults of 100 fired", caseD, 1_000),
    ("e", "inlineCallbacks 1,000 yields", caseE, 100),
    ("f", "ensureDeferred 1,000 awaits", caseF, 100),
]


def measure(case: Callable[[ModuleType, int], int], defer: ModuleType, n: int) -> float:
    """Return operations per second for one repetition."""
    gc.collect()
    began = time.perf_counter()
    ops = case(defer, n)
    return ops / (time.perf_counter() - began)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    results = Results("defer", argv)
    reps = 3 if quick else 9
    scale = 0.2 if quick else 1.0
    rows = []
    worst = True
    for key, title, case, n in CASES:
        n = max(1, int(n * scale))
        case(ndefer, max(1, n // 10))  # warm up both
        case(tdefer, max(1, n // 10))
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(reps):
            ours.append(measure(case, ndefer, n))
            theirs.append(measure(case, tdefer, n))
        mo = statistics.median(ours)
        mt = statistics.median(theirs)
        ratio = mo / mt
        ok = ratio >= TARGETS[key]
        worst = worst and ok
        rows.append((key, title, mo, mt, ratio, TARGETS[key], "ok" if ok else "BELOW"))
    print(
        f"{'case':<4} {'what':<30} {'netframe/s':>12} {'twisted/s':>12} {'ratio':>6} {'target':>6}"
    )
    for key, title, mo, mt, ratio, target, verdict in rows:
        print(
            f"{key:<4} {title:<30} {mo:>12,.0f} {mt:>12,.0f} {ratio:>6.2f} {target:>6.1f} {verdict}"
        )
        results.add(f"({key}) {title}", "ops/s", mo, mt, target=target)
    results.write()
    print(f"(medians of {reps} interleaved repetitions; Python {sys.version.split()[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
