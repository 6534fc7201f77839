"""
Build (and optionally install) the wheels of netframe's distributions.

Usage::

    python tools/wheels.py build [DIST ...] [--out DIR] [--install] [--no-extras]

DIST is a distribution name (``netframe-core``) or its short name (``core``); the default
is all eight. Wheels are built in-process with hatchling's wheel builder: no network, no
build isolation, no sdist step. ``--install`` then installs them into the interpreter
running this script (the ``integration`` environment uses this): the netframe wheels
with ``--force-reinstall --no-deps`` (so a stale copy never survives), then their
third-party requirements from the package index (including extras such as core's
``tls``, unless ``--no-extras``).

Importable helpers (used by ``tools/isolate.py`` and ``tests-integration``):
:func:`closure`, :func:`resolveNames`, :func:`buildWheels`,
:func:`thirdPartyRequirements`, :func:`pipInstall`.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _monorepo import REPO_ROOT, Distribution, MonorepoError, loadMonorepo

__all__ = [
    "buildWheels",
    "closure",
    "formatSize",
    "pipInstall",
    "resolveNames",
    "thirdPartyRequirements",
]


def resolveNames(names: Iterable[str], dists: dict[str, Distribution]) -> list[str]:
    """
    Turn ``core`` / ``netframe-core`` / ``netframe_core`` into canonical names.

    Raises MonorepoError naming the unknown distribution and the known ones.
    """
    result: list[str] = []
    for raw in names:
        name = raw.strip().lower().replace("_", "-")
        if not name.startswith("netframe-"):
            name = f"netframe-{name}"
        if name not in dists:
            known = ", ".join(d.shortName for d in dists.values())
            raise MonorepoError(f"unknown distribution {raw!r} (known: {known})")
        if name not in result:
            result.append(name)
    return result


def closure(dist: str, root: Path = REPO_ROOT) -> list[str]:
    """
    Return ``dist`` plus every sibling it needs, transitively, dependencies first.

    Only ``[project].dependencies`` count (extras and test groups do not). ``dist`` may
    be a full or short name. Raises MonorepoError for an unknown distribution or a
    dependency cycle.
    """
    dists = loadMonorepo(root)
    (start,) = resolveNames([dist], dists)
    order: list[str] = []
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        if name in visiting:
            cycle = " -> ".join([*visiting[visiting.index(name) :], name])
            raise MonorepoError(f"sibling dependency cycle: {cycle}")
        visiting.append(name)
        for req in dists[name].siblingRequirements():
            if req.name not in dists:
                raise MonorepoError(f"{name} depends on {req.name}, which is not in packages/")
            visit(req.name)
        visiting.pop()
        order.append(name)

    visit(start)
    return order


def buildWheels(names: Sequence[str], out: Path, root: Path = REPO_ROOT) -> dict[str, Path]:
    """
    Build the wheel of each named distribution into ``out`` (created if needed).

    Uses hatchling's WheelBuilder in-process, so the build uses the hatchling installed
    in the running interpreter and never touches the network. Returns the wheel path
    of each distribution, by canonical name. Raises MonorepoError for an unknown name
    and whatever hatchling raises for a broken project.
    """
    from hatchling.builders.wheel import WheelBuilder

    dists = loadMonorepo(root)
    out.mkdir(parents=True, exist_ok=True)
    wheels: dict[str, Path] = {}
    for name in resolveNames(names, dists):
        builder = WheelBuilder(str(dists[name].path))
        artifacts = list(builder.build(directory=str(out), versions=["standard"]))
        if len(artifacts) != 1:
            raise MonorepoError(f"{name}: expected one wheel, hatchling built {artifacts}")
        wheels[name] = Path(artifacts[0])
    return wheels


def thirdPartyRequirements(
    names: Iterable[str], root: Path = REPO_ROOT, extras: bool = True
) -> list[str]:
    """
    The third-party requirement strings of the named distributions, de-duplicated.

    With ``extras``, requirements of every optional-dependency table are included.
    """
    dists = loadMonorepo(root)
    result: list[str] = []
    for name in resolveNames(names, dists):
        for req in dists[name].thirdPartyRequirements(extras=extras):
            if req.raw not in result:
                result.append(req.raw)
    return result


def pipInstall(python: str | Path, args: Sequence[str | Path]) -> None:
    """
    Run ``python -m pip install ARGS`` quietly; raise CalledProcessError on failure.

    pip's own output is shown only when it fails.
    """
    command = [str(python), "-m", "pip", "install", "--quiet", *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise subprocess.CalledProcessError(result.returncode, command)


def formatSize(size: int) -> str:
    """Format a byte count as kB with one decimal (``12.3 kB``)."""
    return f"{size / 1000:.1f} kB"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description="Build netframe wheels.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build wheels (default: all distributions)")
    build.add_argument("dists", nargs="*", metavar="DIST")
    build.add_argument("--out", type=Path, help="wheel directory (default: a new temp dir)")
    build.add_argument(
        "--install", action="store_true", help="install the wheels into this interpreter"
    )
    build.add_argument(
        "--no-extras",
        action="store_true",
        help="with --install, skip the third-party requirements of extras",
    )
    build.add_argument("--root", type=Path, default=REPO_ROOT, help="monorepo root")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    # Wheels built only to be installed go to a temp dir removed afterwards.
    scratch = args.out is None and args.install
    try:
        names = args.dists or list(loadMonorepo(root))
        out = args.out or Path(tempfile.mkdtemp(prefix="netframe-wheels-"))
        wheels = buildWheels(names, out.resolve(), root)
    except MonorepoError as exc:
        print(f"wheels: {exc}", file=sys.stderr)
        return 2
    for wheel in wheels.values():
        print(f"built {wheel} ({formatSize(wheel.stat().st_size)})")
    if args.install:
        try:
            pipInstall(sys.executable, ["--force-reinstall", "--no-deps", *wheels.values()])
            requirements = thirdPartyRequirements(wheels, root, extras=not args.no_extras)
            if requirements:
                pipInstall(sys.executable, requirements)
        except subprocess.CalledProcessError as exc:
            print(f"wheels: install failed: {' '.join(exc.cmd)}", file=sys.stderr)
            return 1
        finally:
            if scratch:
                shutil.rmtree(out, ignore_errors=True)
        print(f"installed {len(wheels)} wheel(s) into {sys.prefix}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
