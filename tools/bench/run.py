#!/usr/bin/env python3
"""
Run every benchmark in tools/bench/ (``bench_*.py``) and print their tables.

    hatch run bench:run            # full runs (several repetitions, medians)
    hatch run bench:run --quick    # smoke run: few repetitions, used by .ci/run
    hatch run bench:run logger     # only bench_logger.py
    hatch run bench:run --json DIR # also write DIR/<name>.json (records, see _results.py)

Each benchmark measures netframe beside its named peer (Twisted, and asyncio where it
applies) in the same run and prints ratios; the machines are noisy, so ratios from one run
are the figures to report, never absolute rates from different runs.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    """Run the selected benchmarks; return non-zero if any of them failed."""
    quick = "--quick" in argv
    jsonDir = None
    if "--json" in argv:
        i = argv.index("--json")
        jsonDir = Path(argv[i + 1])
        jsonDir.mkdir(parents=True, exist_ok=True)
        argv = argv[:i] + argv[i + 2 :]
    names = [a for a in argv if not a.startswith("-")]
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in names]
    if not scripts:
        print("run.py: no benchmark matched", file=sys.stderr)
        return 1
    failed = []
    for script in scripts:
        print(f"\n### {script.stem} {'(quick)' if quick else ''}", flush=True)
        began = time.perf_counter()
        args = [sys.executable, str(script), *(["--quick"] if quick else [])]
        if jsonDir is not None:
            args += [
                "--json",
                str(jsonDir.resolve() / f"{script.stem.removeprefix('bench_')}.json"),
            ]
        if subprocess.run(args, cwd=HERE.parent.parent).returncode != 0:
            failed.append(script.stem)
        print(f"({script.stem}: {time.perf_counter() - began:.1f}s)", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
