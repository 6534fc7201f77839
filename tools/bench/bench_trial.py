#!/usr/bin/env python3
"""
Benchmark netframe-trial beside Twisted's trial (same run, same generated suites).

    hatch run bench:python tools/bench/bench_trial.py [--quick]

Generates two suites twice in a temporary directory, once as a netframe package
(``from netframe.trial import unittest``) and once as a Twisted package (``from
twisted.trial import unittest``), with identical test bodies:

  trivial/2000     2,000 test methods (40 classes of 50) that do nothing
  deferred/500     500 test methods that return an already fired Deferred
                   (``defer.succeed(None)``) from a ``unittest.TestCase``

Each measurement is the wall time of a whole command-line run in a fresh interpreter
(``python -m netframe.trial <pkg>`` against ``python -m twisted.trial <pkg>``, default
reporters, output discarded), start-up and imports included, as a user sees it.
netframe and Twisted runs are interleaved; the table shows medians over the
repetitions and the ratio netframe / Twisted (below 1 means netframe is faster) and
the speed-up (Twisted / netframe; the target is at least 1.5).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import Results

CASES = {
    "trivial/2000": (2000, "        pass\n"),
    "deferred/500": (500, "        return defer.succeed(None)\n"),
}

SYSTEMS = {
    "netframe": (
        "netframe.trial",
        "from netframe.core import defer\nfrom netframe.trial import unittest\n",
    ),
    "twisted": (
        "twisted.trial",
        "from twisted.internet import defer\nfrom twisted.trial import unittest\n",
    ),
}


def generate(base: Path, system: str, case: str) -> str:
    """Write the suite for (system, case); return its package name."""
    count, body = CASES[case]
    package = f"bench_{system}_{case.split('/')[0]}"
    directory = base / package
    directory.mkdir()
    (directory / "__init__.py").write_text("")
    perModule = 500
    perClass = 50
    header = SYSTEMS[system][1]
    for m in range(0, count, perModule):
        lines = [header]
        for c in range(m, min(m + perModule, count), perClass):
            lines.append(f"\nclass Bench{c}Tests(unittest.TestCase):\n")
            for t in range(c, min(c + perClass, count)):
                lines.append(f"    def test_{t:05d}(self):\n{body}")
        (directory / f"test_bench{m:05d}.py").write_text("".join(lines))
    return package


def runOnce(base: Path, system: str, package: str) -> float:
    """Run one suite in a fresh interpreter; return its wall time."""
    module = SYSTEMS[system][0]
    env = dict(os.environ, PYTHONPATH=str(base), NO_COLOR="1")
    began = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", module, "--temp-directory", f"_trial_temp_{system}", package],
        cwd=base,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    elapsed = time.perf_counter() - began
    if "PASSED" not in result.stdout:
        raise SystemExit(
            f"{system} {package} did not pass:\n{result.stdout[-2000:]}{result.stderr}"
        )
    return elapsed


def main(argv: list[str]) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions (CI smoke run)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    options = parser.parse_args(argv)
    results = Results("trial", argv)
    repetitions = 2 if options.quick else 7
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_trial_") as tmp:
        base = Path(tmp)
        for case in CASES:
            packages = {system: generate(base, system, case) for system in SYSTEMS}
            for system, package in packages.items():
                runOnce(base, system, package)  # warm-up: bytecode, caches
            times: dict[str, list[float]] = {system: [] for system in SYSTEMS}
            for _ in range(repetitions):
                for system, package in packages.items():
                    times[system].append(runOnce(base, system, package))
            nf = statistics.median(times["netframe"])
            tw = statistics.median(times["twisted"])
            rows.append((case, nf, tw))
    print(f"bench_trial: wall time of a whole run, median of {repetitions} (seconds)")
    print(f"{'case':<16}{'netframe':>12}{'twisted':>12}{'ratio nf/tw':>14}{'speed-up':>11}")
    for case, nf, tw in rows:
        print(f"{case:<16}{nf:>12.3f}{tw:>12.3f}{nf / tw:>14.2f}{tw / nf:>10.2f}x")
        results.add(case, "s", nf, tw, higherIsBetter=False)
    results.write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
