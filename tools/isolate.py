"""
Isolation runner: each distribution alone, from its wheels, in a fresh venv.

Usage::

    python tools/isolate.py DIST [DIST ...] [--keep]
    python tools/isolate.py --all [--keep]

For each DIST (``netframe-core`` or ``core``): build the wheels of DIST and its declared
sibling closure, create a fresh venv (``python -m venv``, pip as bundled, nothing
upgraded), install only those wheels (by path, with the wheel directory as
``--find-links``; third-party requirements come from the package index) plus the
distribution's ``[dependency-groups] test`` requirements, then, from a temporary
working directory so the source tree is not importable:

1. check that ``import netframe.<name>`` works and comes from the venv, and that the
   venv holds exactly the expected netframe distributions;
2. run pytest on ``packages/<dist>/tests`` with the repository's root pytest config
   (``-c <root>/pyproject.toml --rootdir <root> -p no:cacheprovider``).

A netframe distribution named in the test group (``netframe-trial`` for the suites that
use ``netframe.trial.unittest``) is a sibling like the others: its wheel and its closure
are built from this tree and installed by path, and its requirement string is never
handed to pip, so it is never looked up on an index. The tree's version must satisfy
the group's specifier.

This catches undeclared sibling imports, undeclared third-party imports and package
data missing from the wheel. Any failure, including pytest's exit code 5 (no tests
collected), makes the exit status 1. Venvs live in a temporary directory (removed at
the end unless ``--keep``); pip's own cache is reused between runs. A summary table
(distribution, wheel size, tests passed, seconds) ends the output.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _monorepo import (
    REPO_ROOT,
    Distribution,
    InvalidRequirement,
    MonorepoError,
    Requirement,
    canonicalize_name,
    loadMonorepo,
)
from wheels import buildWheels, closure, formatSize, resolveNames

__all__ = [
    "IsolationResult",
    "TestRequirements",
    "cleanEnvironment",
    "isolate",
    "main",
    "splitTestRequirements",
    "venvPython",
]

PYTEST_NO_TESTS = 5
"""pytest's exit status when it collected no tests: a failure here."""

_IMPORT_CHECK = """
import importlib, json, sys
from importlib import metadata
module = importlib.import_module(sys.argv[1])
dists = sorted(
    d.metadata["Name"].lower() for d in metadata.distributions()
    if d.metadata["Name"] and d.metadata["Name"].lower().startswith("netframe-")
)
print(json.dumps({"file": module.__file__, "dists": dists}))
"""


@dataclass
class IsolationResult:
    """What happened to one distribution: ``error`` is None when everything passed."""

    dist: str
    wheelSize: int = 0
    passed: int = 0
    seconds: float = 0.0
    error: str | None = None


@dataclass
class TestRequirements:
    """
    A distribution's ``[dependency-groups] test``, split for installation.

    ``siblings`` maps each netframe distribution the group names (canonical name) to
    the extras asked for it; ``thirdParty`` holds the other requirement strings, which
    pip fetches from the package index.
    """

    siblings: dict[str, list[str]]
    thirdParty: list[str]


def splitTestRequirements(dist: str, dists: dict[str, Distribution]) -> TestRequirements:
    """
    Split ``dist``'s test group into netframe siblings (built here as wheels) and
    third-party requirement strings (from the index).

    Requirements whose environment marker is false here are dropped. Raises
    MonorepoError when a ``netframe-*`` name is not a distribution of the tree, or the
    tree's version of it does not satisfy the group's specifier.
    """
    target = dists[dist]
    siblings: dict[str, list[str]] = {}
    thirdParty: list[str] = []
    for raw in target.testRequirements():
        try:
            requirement = Requirement(raw)
        except InvalidRequirement as exc:
            raise MonorepoError(f"{target.pyprojectPath}: test group: {raw!r}: {exc}")
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        if not name.startswith("netframe-"):
            thirdParty.append(raw)
            continue
        if name not in dists:
            raise MonorepoError(
                f"{target.pyprojectPath}: test group names {name}, which is not in packages/"
            )
        version = dists[name].version
        if not requirement.specifier.contains(version, prereleases=True):
            raise MonorepoError(
                f"{target.pyprojectPath}: test group needs {raw!r}, "
                f"but packages/ has {name} {version}"
            )
        extras = siblings.setdefault(name, [])
        extras.extend(e for e in sorted(requirement.extras) if e not in extras)
    return TestRequirements(siblings, thirdParty)


def _neededForTests(dist: str, dists: dict[str, Distribution], root: Path) -> set[str]:
    """``dist``'s closure plus the closure of every sibling its test group names."""
    needed = set(closure(dist, root))
    for sibling in splitTestRequirements(dist, dists).siblings:
        needed.update(closure(sibling, root))
    return needed


def venvPython(venv: Path) -> Path:
    """The interpreter of a venv created by ``python -m venv``."""
    if os.name == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def cleanEnvironment(venv: Path) -> dict[str, str]:
    """
    The environment for commands run in ``venv``: nothing that could make another
    tree importable (PYTHONPATH, user site-packages, an outer virtualenv).
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH"}
    }
    env["PYTHONNOUSERSITE"] = "1"
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = os.pathsep.join([str(venvPython(venv).parent), env.get("PATH", "")])
    return env


def _wheelArgument(name: str, wheel: Path, testRequirements: TestRequirements) -> str:
    """
    What pip installs for ``name``: its wheel's path, or a direct reference to the
    wheel with the extras the test group asks for (``netframe-core[tls] @ file:...``).
    """
    extras = testRequirements.siblings.get(name)
    if extras:
        return f"{name}[{','.join(extras)}] @ {wheel.resolve().as_uri()}"
    return str(wheel)


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing its output as text."""
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def isolate(
    dist: str, wheelDir: Path, wheels: dict[str, Path], workDir: Path, root: Path
) -> IsolationResult:
    """
    Install ``dist`` alone from ``wheels`` into a fresh venv and run its tests there.

    ``wheels`` must hold the wheel of every distribution of ``dist``'s closure (and of
    any netframe distribution its test group names). Returns the result; never raises
    for a failing install, import or test run.
    """
    started = time.monotonic()
    dists = loadMonorepo(root)
    target = dists[dist]
    result = IsolationResult(dist, wheelSize=wheels[dist].stat().st_size)
    testRequirements = splitTestRequirements(dist, dists)
    expected = _neededForTests(dist, dists, root)

    venv = workDir / "venvs" / target.shortName
    shutil.rmtree(venv, ignore_errors=True)
    python = venvPython(venv)
    env = cleanEnvironment(venv)
    cwd = workDir / "cwd" / target.shortName
    cwd.mkdir(parents=True, exist_ok=True)

    def fail(step: str, proc: subprocess.CompletedProcess[str]) -> IsolationResult:
        sys.stdout.write(f"--- {dist}: {step} failed (exit {proc.returncode})\n")
        sys.stdout.write(proc.stdout[-6000:] + proc.stderr[-6000:])
        result.error = f"{step} failed"
        result.seconds = time.monotonic() - started
        return result

    proc = _run([sys.executable, "-m", "venv", str(venv)], cwd, env)
    if proc.returncode:
        return fail("venv creation", proc)
    install = [
        str(python),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--find-links",
        str(wheelDir),
        *(_wheelArgument(name, wheels[name], testRequirements) for name in sorted(expected)),
        *testRequirements.thirdParty,
    ]
    proc = _run(install, cwd, env)
    if proc.returncode:
        return fail("pip install", proc)

    proc = _run([str(python), "-c", _IMPORT_CHECK, target.importName], cwd, env)
    if proc.returncode:
        return fail(f"import {target.importName}", proc)
    facts = json.loads(proc.stdout.strip().splitlines()[-1])
    if not Path(facts["file"]).resolve().is_relative_to(venv.resolve()):
        result.error = f"{target.importName} was imported from {facts['file']}, not the venv"
    elif set(facts["dists"]) != expected:
        result.error = (
            f"venv holds netframe distributions {facts['dists']}, expected {sorted(expected)}"
        )
    if result.error:
        print(f"--- {dist}: {result.error}")
        result.seconds = time.monotonic() - started
        return result

    pytest = [
        str(python),
        "-m",
        "pytest",
        "-c",
        str(root / "pyproject.toml"),
        "--rootdir",
        str(root),
        "-p",
        "no:cacheprovider",
        "-q",
        str(target.testsDir),
    ]
    proc = _run(pytest, cwd, env)
    counts = re.findall(r"(\d+) passed", proc.stdout)
    result.passed = int(counts[-1]) if counts else 0
    if proc.returncode == PYTEST_NO_TESTS:
        return fail("pytest (no tests collected)", proc)
    if proc.returncode:
        return fail("pytest", proc)
    result.seconds = time.monotonic() - started
    return result


def _table(results: list[IsolationResult]) -> str:
    """The summary table: distribution, wheel size, tests passed, seconds, status."""
    rows = [("distribution", "wheel", "passed", "seconds", "status")]
    for r in results:
        rows.append(
            (
                r.dist,
                formatSize(r.wheelSize),
                str(r.passed),
                f"{r.seconds:.1f}",
                "ok" if r.error is None else f"FAILED: {r.error}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [row[i].rjust(widths[i]) for i in (1, 2, 3)]
        lines.append("  ".join([*cells, row[4]]))
        if index == 0:
            lines.append("  ".join("-" * w for w in widths) + "  ------")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description="Run each distribution alone from wheels.")
    parser.add_argument("dists", nargs="*", metavar="DIST")
    parser.add_argument("--all", action="store_true", help="every distribution")
    parser.add_argument("--keep", action="store_true", help="keep the temporary venvs")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="monorepo root")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if bool(args.dists) == args.all:
        parser.error("name one or more distributions, or --all")
    try:
        dists = loadMonorepo(root)
        names = list(dists) if args.all else resolveNames(args.dists, dists)
        needed: set[str] = set()
        for name in names:
            needed.update(_neededForTests(name, dists, root))
    except MonorepoError as exc:
        print(f"isolate: {exc}", file=sys.stderr)
        return 2

    # Turn SIGTERM into SystemExit so the temporary venvs are removed on the way out.
    previousHandler = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    workDir = Path(tempfile.mkdtemp(prefix="netframe-isolate-"))
    results: list[IsolationResult] = []
    try:
        wheelDir = workDir / "wheels"
        wheels = buildWheels(sorted(needed), wheelDir, root)
        for name in names:
            print(f"=== {name}: closure {', '.join(closure(name, root))}", flush=True)
            results.append(isolate(name, wheelDir, wheels, workDir, root))
    finally:
        if args.keep:
            print(f"venvs kept in {workDir / 'venvs'}")
        else:
            shutil.rmtree(workDir, ignore_errors=True)
        signal.signal(signal.SIGTERM, previousHandler)
    print()
    print(_table(results))
    failed = [r.dist for r in results if r.error is not None]
    if failed:
        print(f"\nisolate: FAILED: {', '.join(failed)}")
        return 1
    print(f"\nisolate: OK ({len(results)} distribution(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
