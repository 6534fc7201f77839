#!/usr/bin/env python3
"""
Benchmark netframe's Failure and named constants beside Twisted's (same
process, same run; Twisted's constants live in the ``constantly`` package it
depends on).

Scenarios (operations per second, median of several repetitions):

  (a) capture      ``Failure()`` in an ``except`` block, 5 frames deep: what
                   every Deferred errback pays
  (b) wrap         ``Failure(exc)`` of an exception that was never raised
  (c) trap         ``failure.trap(KeyError, ValueError)`` matching the second
  (d) traceback    ``getTraceback()`` of a fresh 5-frame failure
  (e) pickle       ``pickle.loads(pickle.dumps(failure))``
  (f) constants    ``LogLevel``-like ``Names`` lookups and ordering
                   (``lookupByName`` plus two ``<`` comparisons)

Run with ``hatch run bench:python tools/bench/bench_failure.py [--quick]``;
the ratio column is netframe's rate divided by Twisted's (higher is better
for netframe).
"""

from __future__ import annotations

import pickle
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from _results import Results


def _deep(depth: int) -> None:
    """Raise ZeroDivisionError `depth` frames down."""
    if depth:
        _deep(depth - 1)
    else:
        1 / 0  # noqa: B018


def _scenarios(failureModule: Any, constantsModule: Any) -> dict[str, Callable[[int], None]]:
    """Build the scenario loops for one library."""
    Failure = failureModule.Failure

    class Level(constantsModule.Names):
        debug = constantsModule.NamedConstant()
        info = constantsModule.NamedConstant()
        warn = constantsModule.NamedConstant()
        error = constantsModule.NamedConstant()
        critical = constantsModule.NamedConstant()

    def capture(n: int) -> None:
        for _ in range(n):
            try:
                _deep(4)
            except ZeroDivisionError:
                Failure()

    def wrap(n: int) -> None:
        exc = ValueError("boom")
        for _ in range(n):
            Failure(exc)

    trapped = Failure(ValueError("boom"))

    def trap(n: int) -> None:
        t = trapped.trap
        for _ in range(n):
            t(KeyError, ValueError)

    def traceback(n: int) -> None:
        for _ in range(n):
            try:
                _deep(4)
            except ZeroDivisionError:
                Failure().getTraceback()

    try:
        _deep(4)
    except ZeroDivisionError:
        pickled = Failure()

    def roundTrip(n: int) -> None:
        for _ in range(n):
            pickle.loads(pickle.dumps(pickled))

    def constants(n: int) -> None:
        lookup = Level.lookupByName
        info = Level.info
        for _ in range(n):
            level = lookup("warn")
            _ = info < level and level < Level.critical

    return {
        "(a) capture 5 frames": capture,
        "(b) wrap exception": wrap,
        "(c) trap": trap,
        "(d) getTraceback": traceback,
        "(e) pickle round trip": roundTrip,
        "(f) Names lookup+compare": constants,
    }


def _rates(
    ours: Callable[[int], None], theirs: Callable[[int], None], n: int, repeat: int
) -> tuple[float, float]:
    """Median operations per second of `repeat` runs of each loop, alternating
    the two libraries so that machine noise hits both alike."""
    ourRates: list[float] = []
    theirRates: list[float] = []
    for _ in range(repeat):
        for loop, rates in ((ours, ourRates), (theirs, theirRates)):
            began = time.perf_counter()
            loop(n)
            rates.append(n / (time.perf_counter() - began))
    return statistics.median(ourRates), statistics.median(theirRates)


def main(argv: list[str]) -> int:
    """Run every scenario for both libraries and print the table."""
    quick = "--quick" in argv
    results = Results("failure", argv)
    repeat = 3 if quick else 9
    scale = 1 if quick else 10
    sizes = {
        "(a) capture 5 frames": 5_000 * scale,
        "(b) wrap exception": 10_000 * scale,
        "(c) trap": 20_000 * scale,
        "(d) getTraceback": 500 * scale,
        "(e) pickle round trip": 500 * scale,
        "(f) Names lookup+compare": 20_000 * scale,
    }
    import constantly  # Twisted's constants (twisted.python.constants moved there)
    import twisted.python.failure

    import netframe.core.constants
    import netframe.core.failure

    ours = _scenarios(netframe.core.failure, netframe.core.constants)
    theirs = _scenarios(twisted.python.failure, constantly)
    print(f"{'scenario':<28}{'netframe op/s':>16}{'twisted op/s':>16}{'ratio':>8}")
    for name, n in sizes.items():
        ourRate, theirRate = _rates(ours[name], theirs[name], n, repeat)
        print(f"{name:<28}{ourRate:>16,.0f}{theirRate:>16,.0f}{ourRate / theirRate:>7.2f}x")
        results.add(name, "ops/s", ourRate, theirRate)
    results.write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
