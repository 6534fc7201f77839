"""
Machine-readable results for the benchmarks in tools/bench/ (used by report.py).

Each ``bench_*.py`` keeps printing its table; with ``--json PATH`` it also writes a JSON
list of records, one per case::

    {"benchmark": "defer", "case": "(a) ...", "unit": "ops/s", "netframe": 1.0e6,
     "peer": 5.0e5, "peerName": "twisted", "ratio": 2.0, "higherIsBetter": true,
     "target": 1.5}

``ratio`` is always oriented so that above 1 means netframe is better: netframe/peer for
rates (higherIsBetter), peer/netframe for costs (seconds, CPU per unit). ``target`` is
the ratio the benchmark's issue asks for, or None.
"""

from __future__ import annotations

import json
from typing import Any


class Results:
    """Collect result records for one benchmark and write them where --json says."""

    def __init__(self, benchmark: str, argv: list[str]) -> None:
        """
        @param benchmark: the benchmark's short name (``defer`` for bench_defer.py).
        @param argv: the script's arguments; ``--json PATH`` selects the output file.
        """
        self.benchmark = benchmark
        self.path: str | None = None
        if "--json" in argv:
            self.path = argv[argv.index("--json") + 1]
        self.records: list[dict[str, Any]] = []

    def add(
        self,
        case: str,
        unit: str,
        netframe: float,
        peer: float,
        peerName: str = "twisted",
        higherIsBetter: bool = True,
        target: float | None = None,
    ) -> None:
        """Record one case: netframe's figure beside the peer's, in C{unit}."""
        if higherIsBetter:
            ratio = netframe / peer if peer else float("nan")
        else:
            ratio = peer / netframe if netframe else float("nan")
        self.records.append(
            {
                "benchmark": self.benchmark,
                "case": case,
                "unit": unit,
                "netframe": netframe,
                "peer": peer,
                "peerName": peerName,
                "ratio": ratio,
                "higherIsBetter": higherIsBetter,
                "target": target,
            }
        )

    def write(self) -> None:
        """Write the records as JSON to the --json path, if one was given."""
        if self.path is not None:
            with open(self.path, "w", encoding="utf-8") as f:
                json.dump(self.records, f, indent=1)


def stripJSON(argv: list[str]) -> list[str]:
    """Return C{argv} without ``--json PATH`` (for scripts that parse positionals)."""
    if "--json" not in argv:
        return argv
    i = argv.index("--json")
    return argv[:i] + argv[i + 2 :]
