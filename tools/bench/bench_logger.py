#!/usr/bin/env python3
"""
Benchmark netframe.logger beside twisted.logger (same process, same run).

Scenarios (events per second, median of several repetitions):

  (a) filtered   a global level filter at info, then ``log.debug(...)``: the
                 cost of a call nobody will see
  (a2) admitted  the same configuration, ``log.info(...)`` reaching the
                 filtered observer through the global publisher
  (b) memory     ``Logger(observer=sink)`` with one in-memory observer
  (c) json       ``Logger(observer=jsonFileLogObserver(io.StringIO()))``

Both libraries are configured the same way: ``globalLogBeginner.beginLoggingTo(
[FilteringLogObserver(sink, [LogLevelFilterPredicate(LogLevel.info)])],
redirectStandardIO=False)``.  Run with ``hatch run bench:python
tools/bench/bench_logger.py [--quick]``; the ratio column is netframe's rate
divided by Twisted's (higher is better for netframe).
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from _results import Results


def _sink() -> Callable[[Any], None]:
    return deque(maxlen=1024).append


def _scenarios(module: Any) -> dict[str, Callable[[int], None]]:
    """Build the scenario loops for one library (netframe.logger or twisted.logger)."""
    predicate = module.LogLevelFilterPredicate(module.LogLevel.info)
    filtered = module.FilteringLogObserver(_sink(), [predicate])
    module.globalLogBeginner.beginLoggingTo([filtered], redirectStandardIO=False)
    globalLog = module.Logger(namespace="bench.global")
    memoryLog = module.Logger(namespace="bench.memory", observer=_sink())

    def filteredOut(n: int) -> None:
        debug = globalLog.debug
        for i in range(n):
            debug("request {i} done", i=i)

    def admitted(n: int) -> None:
        info = globalLog.info
        for i in range(n):
            info("request {i} done", i=i)

    def memory(n: int) -> None:
        info = memoryLog.info
        for i in range(n):
            info("request {i} done", i=i)

    def toJSON(n: int) -> None:
        log = module.Logger(
            namespace="bench.json", observer=module.jsonFileLogObserver(io.StringIO())
        )
        info = log.info
        for i in range(n):
            info("request {i} took {ms} ms: {path!r}", i=i, ms=1.5, path="/index.html")

    return {
        "(a) filtered debug": filteredOut,
        "(a2) admitted info": admitted,
        "(b) memory observer": memory,
        "(c) jsonFileLogObserver": toJSON,
    }


def _rates(
    ours: Callable[[int], None], theirs: Callable[[int], None], n: int, repeat: int
) -> tuple[float, float]:
    """Median events per second of `repeat` runs of each loop, alternating the two
    libraries so that machine noise hits both alike."""
    ourRates = []
    theirRates = []
    for _ in range(repeat):
        for loop, rates in ((ours, ourRates), (theirs, theirRates)):
            began = time.perf_counter()
            loop(n)
            rates.append(n / (time.perf_counter() - began))
    return statistics.median(ourRates), statistics.median(theirRates)


def main(argv: list[str]) -> int:
    """Run every scenario for both libraries and print the table."""
    quick = "--quick" in argv
    results = Results("logger", argv)
    repeat = 3 if quick else 9
    sizes = {
        "(a) filtered debug": 20_000 if quick else 200_000,
        "(a2) admitted info": 5_000 if quick else 50_000,
        "(b) memory observer": 10_000 if quick else 100_000,
        "(c) jsonFileLogObserver": 2_000 if quick else 20_000,
    }
    import twisted.logger

    import netframe.logger

    ours = _scenarios(netframe.logger)
    theirs = _scenarios(twisted.logger)
    print(f"{'scenario':<26}{'netframe ev/s':>16}{'twisted ev/s':>16}{'ratio':>8}")
    for name, n in sizes.items():
        ourRate, theirRate = _rates(ours[name], theirs[name], n, repeat)
        print(f"{name:<26}{ourRate:>16,.0f}{theirRate:>16,.0f}{ourRate / theirRate:>7.2f}x")
        results.add(name, "events/s", ourRate, theirRate)
    results.write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
