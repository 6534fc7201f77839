#!/usr/bin/env python3
"""
Run every benchmark in tools/bench/ and write the benchmark report of the manual.

    hatch run bench:report                 # full runs, writes docs/benchmarks.md + charts
    hatch run bench:report --quick         # fast smoke run (same outputs, rougher figures)
    hatch run bench:report --repeat 3      # run each benchmark 3 times, median of the ratios
    hatch run bench:report defer tcp       # only these benchmarks

Each ``bench_*.py`` runs as its own process with ``--json PATH`` (see _results.py) into a
temporary directory; its table still goes to standard output as it runs. The report is
docs/benchmarks.md (machine, date, how to read it, one table per benchmark) and one SVG
chart per benchmark, docs/img/bench-<name>.svg (ratio bars with the parity and target
lines), drawn with matplotlib's Agg backend (no display needed). Exit status 1 if a
benchmark failed (the report is still written, naming it).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# Above this many rows, a benchmark with several peers charts only the Twisted rows.
CHART_LIMIT = 40

# One line per benchmark: what it measures (the report's section introductions).
ABOUT = {
    "adbapi": "ConnectionPool.runQuery('SELECT 1') round trips per second (sqlite3, and "
    "PostgreSQL when a server can be started).",
    "amp": "AMP round trips per second over loopback TCP (server and client processes).",
    "defer": "Deferred creation, callbacks, chaining, inlineCallbacks, gatherResults.",
    "failure": "Failure capture, wrapping, trap, traceback, pickling; named constants.",
    "lines": "LineReceiver: lines parsed per second, directly and over loopback TCP.  The "
    "`floor` row is not netframe: a bare split-and-call loop (no length limit, pause, mode "
    "switch or close check), the most any pure-Python line receiver can reach in the same "
    "run.",
    "logger": "Logger events per second: filtered out, admitted, memory and JSON observers.",
    "pb": "Perspective Broker remote calls per second and banana encode/decode throughput.",
    "plugin": "Plugin discovery time (getPlugins) over 500 drop-in modules, cold and warm.",
    "tcp": "TCP echo servers: messages per second and server CPU per message, netframe's "
    "reactors against Twisted's and plain asyncio.  The `floor` rows are not netframe: they "
    "are a minimal pure-Python epoll echo loop (recv and send, nothing else), the cheapest "
    "any Python server can be on this machine, so their ratio against Twisted bounds what any "
    "framework can reach in the same run.",
    "timers": "callLater scheduling, firing and cancelling, against Twisted and bare "
    "event-loop handles.",
    "tls": "TLS echo and handshakes per second (pyOpenSSL) and CPU per operation.",
    "trial": "Wall time of a whole test run (netframe-trial against Twisted's trial).",
    "workers": "netframe-twistd --workers 2 against --workers 1: TCP echo msgs/s through the "
    "real command (not a comparison with Twisted).",
}


def machine() -> dict[str, str]:
    """Describe the machine and the software the figures were measured with."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        import twisted

        twistedVersion = twisted.__version__
    except ImportError:
        twistedVersion = "not installed"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "CPU": cpu,
        "Cores (logical)": str(os.cpu_count()),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Twisted": twistedVersion,
        "netframe commit": commit,
        "Date (UTC)": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M"),
    }


def runAll(
    names: list[str], quick: bool, repeat: int, directory: Path
) -> tuple[list[dict[str, Any]], list[str]]:
    """Run each benchmark C{repeat} times with --json; return all records and the failures."""
    records: list[dict[str, Any]] = []
    failed: list[str] = []
    for name in names:
        script = HERE / f"bench_{name}.py"
        for run in range(repeat):
            out = directory / f"{name}-{run}.json"
            print(f"\n### {name} run {run + 1}/{repeat}{' (quick)' if quick else ''}", flush=True)
            args = [
                sys.executable,
                str(script),
                *(["--quick"] if quick else []),
                "--json",
                str(out),
            ]
            if subprocess.run(args, cwd=ROOT).returncode != 0 or not out.exists():
                failed.append(name)
                break
            records.extend(json.loads(out.read_text(encoding="utf-8")))
    return records, failed


def merge(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Group records by benchmark; repeated runs of one case become medians."""
    grouped: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        key = (record["benchmark"], record["case"], record["unit"], record["peerName"])
        grouped[key].append(record)
    result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (benchmark, *_), runs in grouped.items():
        merged = dict(runs[0])
        for field in ("netframe", "peer", "ratio"):
            merged[field] = statistics.median(r[field] for r in runs)
        merged["runs"] = len(runs)
        result[benchmark].append(merged)
    return dict(result)


def number(value: float) -> str:
    """Format a measured figure with about three significant digits."""
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def verdict(record: dict[str, Any]) -> str:
    """Return "met"/"not met" against the record's target, or "" without one."""
    target = record.get("target")
    if target is None:
        return ""
    return "met" if record["ratio"] >= target else "not met"


def geomean(values: list[float]) -> float:
    """Geometric mean of positive C{values} (NaN if there are none)."""
    values = [v for v in values if v > 0 and math.isfinite(v)]
    if not values:
        return float("nan")
    return math.exp(sum(math.log(v) for v in values) / len(values))


def chartRows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows a chart shows: all of them, or only those against Twisted when there are
    more than CHART_LIMIT rows and several peers (the table keeps every row)."""
    peers = {r["peerName"] for r in rows}
    if len(rows) > CHART_LIMIT and "twisted" in peers and len(peers) > 1:
        return [r for r in rows if r["peerName"] == "twisted"]
    return rows


def chart(benchmark: str, rows: list[dict[str, Any]], path: Path) -> None:
    """Draw the ratio bars of one benchmark, with parity and target lines, as SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "netframe-bench"
    labels = [f"{r['case']} [{r['unit']}] vs {r['peerName']}" for r in rows]
    ratios = [r["ratio"] for r in rows]
    colours = []
    for r in rows:
        goal = r["target"] if r.get("target") is not None else 1.0
        colours.append("#2e7d32" if r["ratio"] >= goal else "#ef6c00")
    height = 1.2 + 0.32 * len(rows)
    fig, ax = plt.subplots(figsize=(9, height))
    positions = list(range(len(rows)))[::-1]
    ax.barh(positions, ratios, color=colours, height=0.7)
    ax.set_yticks(positions, labels, fontsize=8)
    ax.axvline(1.0, color="#555555", linestyle="--", linewidth=1, label="parity (1.0)")
    targets = [
        (p, r["target"])
        for p, r in zip(positions, rows, strict=True)
        if r.get("target") is not None
    ]
    for i, (p, target) in enumerate(targets):
        ax.plot(
            [target, target],
            [p - 0.45, p + 0.45],
            color="#c62828",
            linewidth=2,
            label="target" if i == 0 else None,
        )
    for p, ratio in zip(positions, ratios, strict=True):
        ax.text(ratio, p, f" {ratio:.2f}x", va="center", fontsize=7)
    ax.set_xlabel("ratio (above 1: netframe better)")
    ax.set_xlim(0, max([*ratios, *(t for _, t in targets), 1.0]) * 1.18)
    ax.set_title(f"bench_{benchmark}", fontsize=10)
    ax.legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)


def render(
    info: dict[str, str],
    merged: dict[str, list[dict[str, Any]]],
    failed: list[str],
    quick: bool,
    repeat: int,
) -> str:
    """Return the Markdown of docs/benchmarks.md."""
    out = [
        "# Benchmarks",
        "",
        "<!-- Generated by `hatch run bench:report` (tools/bench/report.py): do not edit. -->",
        "",
        (
            "Every benchmark in `tools/bench/` measures netframe beside its peer (Twisted, and "
            "asyncio where it applies) in the same run, on the same machine, and reports the "
            "ratio. Regenerate this page with `hatch run bench:report` "
            "(`--repeat N` for medians over N runs, `--quick` for a fast smoke run)."
        ),
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in info.items()),
        f"| Mode | {'quick (smoke)' if quick else 'full'}, {repeat} run(s) per benchmark |",
        "",
        "## How to read it",
        "",
        (
            "- **ratio** is oriented so that above 1 means netframe is better: netframe/peer for "
            "rates (ops/s, msgs/s), peer/netframe for costs (seconds, milliseconds, CPU per "
            "unit). Each benchmark takes medians of several interleaved repetitions; with "
            "`--repeat N` the page shows the median over N runs."
        ),
        (
            "- The figures come from one run on a shared machine: absolute rates move from run "
            "to run, which is why only ratios measured side by side are reported. Throughput "
            "ratios of the networking benchmarks are the noisiest (load generator and server "
            "share the cores); the **CPU per unit** rows (server CPU time per message or "
            "operation) are the stable figures."
        ),
        (
            "- **target** is the ratio the issue that introduced the benchmark asks for; "
            "rows without one are reported for information."
        ),
        "",
        "## Summary",
        "",
        "| benchmark | cases | geometric mean of ratios | targets met |",
        "|---|---:|---:|---:|",
    ]
    for name, rows in sorted(merged.items()):
        withTarget = [r for r in rows if r.get("target") is not None]
        met = sum(1 for r in withTarget if r["ratio"] >= r["target"])
        targets = f"{met}/{len(withTarget)}" if withTarget else "-"
        mean = geomean([r["ratio"] for r in rows])
        out.append(f"| [{name}](#{name}) | {len(rows)} | {mean:.2f}x | {targets} |")
    if failed:
        out += ["", f"Failed (no figures): {', '.join(sorted(set(failed)))}."]
    for name, rows in sorted(merged.items()):
        out += ["", f"## {name}", "", ABOUT.get(name, ""), ""]
        out += [
            "| case | unit | netframe | peer | ratio | target | |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        for r in rows:
            target = f"{r['target']:.1f}x" if r.get("target") is not None else ""
            out.append(
                f"| {r['case']} | {r['unit']} | {number(r['netframe'])} | "
                f"{number(r['peer'])} ({r['peerName']}) | {r['ratio']:.2f}x | {target} | "
                f"{verdict(r)} |"
            )
        shown = "" if len(chartRows(rows)) == len(rows) else " (against Twisted)"
        out += ["", f"![bench_{name}: ratios{shown}](img/bench-{name}.svg)"]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    """Run the benchmarks, write the report; return 1 if any benchmark failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fast smoke run")
    parser.add_argument("--repeat", type=int, default=1, help="runs per benchmark (medians)")
    parser.add_argument("--docs", default=str(ROOT / "docs"), help="the docs directory")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    options = parser.parse_args(argv)
    if options.repeat < 1:
        parser.error("--repeat must be at least 1")
    available = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    names = options.names or available
    unknown = sorted(set(names) - set(available))
    if unknown:
        parser.error(f"no such benchmark: {', '.join(unknown)}")
    info = machine()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        records, failed = runAll(names, options.quick, options.repeat, Path(tmp))
    merged = merge(records)
    docs = Path(options.docs)
    (docs / "img").mkdir(parents=True, exist_ok=True)
    for name, rows in merged.items():
        chart(name, chartRows(rows), docs / "img" / f"bench-{name}.svg")
    page = docs / "benchmarks.md"
    page.write_text(render(info, merged, failed, options.quick, options.repeat), encoding="utf-8")
    print(f"\nwrote {page} and {len(merged)} chart(s) in {docs / 'img'}")
    if failed:
        print(f"failed: {', '.join(sorted(set(failed)))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
