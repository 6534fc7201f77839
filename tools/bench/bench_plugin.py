#!/usr/bin/env python3
"""
Benchmark netframe.plugin discovery beside twisted.plugin (same run).

    hatch run bench:python tools/bench/bench_plugin.py [--quick] [--plugins N]

Generates N (default 500) drop-in plugin modules twice in a temporary directory:
as ``netframe/plugins/plug_NNN.py`` for netframe and as ``twisted/plugins/plug_NNN.py``
(Twisted's development drop-in layout, no ``__init__.py``) for Twisted. Every plugin
provides ``IBench``; one in a hundred also provides ``IRare``. Each measurement runs
in a fresh interpreter (subprocess) and times ``list(getPlugins(I))`` inside it
(interpreter start-up and the import of the plugin system itself are not counted).

Cases (medians of the repetitions, netframe and Twisted interleaved; ratio is
netframe time / Twisted time, below 1 means netframe is faster):

  cold/all    no plugin cache, getPlugins(IBench): every module is imported
  cold/rare   no plugin cache, getPlugins(IRare)
  warm/all    cache from a previous run present, getPlugins(IBench)
  warm/rare   cache present, getPlugins(IRare): only the matching modules are imported

"No plugin cache" means netframe's cache directory is empty (NETFRAME_PLUGIN_CACHE
points to a fresh directory) and the generated directory's ``dropin.cache`` is
deleted for Twisted. Bytecode (``__pycache__``) exists in both cases: an untimed
warm-up run compiles the modules first. Twisted's own installed plugin modules
(twisted/plugins in site-packages) are part of its default discovery and their
installed dropin.cache is left as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _results import Results

CHILD = r"""
import json, sys, time
kind, query = sys.argv[1], sys.argv[2]
sys.path[:0] = sys.argv[3:]
if kind == "netframe":
    from netframe.plugin import getPlugins
else:
    from twisted.plugin import getPlugins
import benchiface
interface = getattr(benchiface, query)
before = set(sys.modules)
began = time.perf_counter()
found = list(getPlugins(interface))
elapsed = time.perf_counter() - began
imported = sum(1 for name in set(sys.modules) - before if ".plugins.plug_" in name)
print(json.dumps({"seconds": elapsed, "found": len(found), "imported": imported}))
"""

IFACES = '''
from zope.interface import Interface

class IBench(Interface):
    """Provided by every generated plugin."""

class IRare(Interface):
    """Provided by one generated plugin in a hundred."""
'''

PLUGIN = """
from zope.interface import implementer
from {system}.plugin import IPlugin
from benchiface import IBench, IRare

@implementer({interfaces})
class Plugin:
    name = "plug_{index:03d}"

    def describe(self):
        return "generated plugin " + self.name

plugin = Plugin()
"""


def generate(base: Path, count: int) -> dict[str, Path]:
    """
    Write the interface module and both drop-in trees.

    @param base: an empty directory.
    @param count: how many plugin modules per system.
    @return: sys.path entries by name: C{common}, C{netframe}, C{twisted}.
    """
    common = base / "common"
    common.mkdir()
    (common / "benchiface.py").write_text(IFACES)
    entries = {"common": common}
    for system in ("netframe", "twisted"):
        directory = base / system / system / "plugins"
        directory.mkdir(parents=True)
        for index in range(count):
            interfaces = ["IPlugin", "IBench"] + (["IRare"] if index % 100 == 0 else [])
            (directory / f"plug_{index:03d}.py").write_text(
                PLUGIN.format(system=system, interfaces=", ".join(interfaces), index=index)
            )
        entries[system] = base / system
    return entries


def run(system: str, query: str, entries: dict[str, Path], cache: Path) -> dict[str, float]:
    """
    Time one discovery in a fresh interpreter.

    @return: the child's report: seconds, plugins found, plugin modules imported.
    """
    env = dict(os.environ)
    env["NETFRAME_PLUGIN_CACHE"] = str(cache)
    # Installed plugins have bytecode; let the warm-up run write it for both systems.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    paths = [str(entries[system]), str(entries["common"])]
    result = subprocess.run(
        [sys.executable, "-c", CHILD, system, query, *paths],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{system} child failed:\n{result.stderr}")
    report: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def makeCold(system: str, entries: dict[str, Path], cache: Path) -> None:
    """Remove the plugin cache of C{system} for the generated plugins."""
    if system == "netframe":
        shutil.rmtree(cache, ignore_errors=True)
    else:
        (entries["twisted"] / "twisted" / "plugins" / "dropin.cache").unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    """Generate the plugins, run every case, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions (CI smoke run)")
    parser.add_argument("--plugins", type=int, default=500, help="plugin modules per system")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    options = parser.parse_args(argv)
    results = Results("plugin", argv)
    repetitions = 2 if options.quick else 7
    base = Path(tempfile.mkdtemp(prefix="bench-plugin-"))
    try:
        entries = generate(base, options.plugins)
        cache = base / "netframe-cache"
        for system in ("netframe", "twisted"):
            run(system, "IBench", entries, cache)  # warm-up: bytecode and caches
        cases = [(t, q) for t in ("cold", "warm") for q in ("IBench", "IRare")]
        print(
            f"plugin discovery, {options.plugins} drop-in modules, fresh interpreter per run, "
            f"{repetitions} repetitions, medians (ms)"
        )
        print(
            f"{'case':<12}{'netframe ms':>13}{'twisted ms':>13}{'ratio':>8}"
            f"{'found':>8}{'nf imp':>8}{'tw imp':>8}"
        )
        for temperature, query in cases:
            times: dict[str, list[float]] = {"netframe": [], "twisted": []}
            last: dict[str, dict[str, float]] = {}
            for _ in range(repetitions):
                for system in ("netframe", "twisted"):
                    if temperature == "cold":
                        makeCold(system, entries, cache)
                    else:
                        run(system, query, entries, cache)  # make sure the cache is current
                    report = run(system, query, entries, cache)
                    times[system].append(report["seconds"])
                    last[system] = report
            if last["netframe"]["found"] != last["twisted"]["found"]:
                raise SystemExit(f"found counts differ: {last}")
            nf = statistics.median(times["netframe"]) * 1000
            tw = statistics.median(times["twisted"]) * 1000
            name = f"{temperature}/{'all' if query == 'IBench' else 'rare'}"
            print(
                f"{name:<12}{nf:>13.1f}{tw:>13.1f}{nf / tw:>8.2f}"
                f"{int(last['netframe']['found']):>8}"
                f"{int(last['netframe']['imported']):>8}{int(last['twisted']['imported']):>8}",
                flush=True,
            )
            results.add(name, "ms", nf, tw, higherIsBetter=False)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    results.write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
