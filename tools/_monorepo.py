"""
Shared helpers of the netframe repository tools (standard library plus ``packaging``).

The tools in ``tools/`` (checks, wheel builder, isolation runner, release script) all
need the same facts about the monorepo: which distributions live in ``packages/``, their
versions (read from ``_version.py`` with :mod:`ast`, never imported), their declared
requirements, and which ``netframe.*`` modules their source imports.  This module is
imported by those scripts only; nothing in ``packages/`` imports it.
"""

from __future__ import annotations

import argparse
import ast
import sys
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

__all__ = [
    "NAMESPACE",
    "REPO_ROOT",
    "SHARED_NAMESPACES",
    "DeclaredRequirement",
    "Distribution",
    "ImportTarget",
    "InvalidRequirement",
    "InvalidVersion",
    "MonorepoError",
    "Requirement",
    "Version",
    "VersionLiteral",
    "canonicalize_name",
    "collectImports",
    "findLine",
    "isPrivateName",
    "loadMonorepo",
    "moduleNameFor",
    "nextBreaking",
    "readVersion",
    "runCheck",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The repository root this file lives in (the default ``--root`` of every tool)."""

NAMESPACE = "netframe"
"""The PEP 420 namespace package every distribution contributes to."""

DIST_PREFIX = "netframe-"
"""Every distribution's name is this prefix plus its import name's last component."""

SHARED_NAMESPACES = frozenset({"plugins"})
"""Sub-namespaces of ``netframe`` owned by no distribution (``netframe.plugins`` drop-ins)."""


class MonorepoError(Exception):
    """The repository layout or a distribution's metadata cannot be read."""


@dataclass(frozen=True)
class VersionLiteral:
    """
    The ``__version__ = "..."`` string of a ``_version.py`` and where it sits.

    ``line`` is 1-based; ``start`` and ``end`` are the column offsets of the string
    literal including its quotes, so a tool can rewrite the value in place.
    """

    path: Path
    value: str
    line: int
    start: int
    end: int


def readVersion(path: Path) -> VersionLiteral:
    """
    Read the module-level ``__version__`` string literal of ``path`` with :mod:`ast`.

    Raises MonorepoError when the file is missing, does not parse, or has no
    ``__version__`` assigned a plain string literal on a single line.
    """
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
    except (OSError, SyntaxError) as exc:
        raise MonorepoError(f"{path}: cannot read the version: {exc}")
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        else:
            continue
        if not any(isinstance(t, ast.Name) and t.id == "__version__" for t in targets):
            continue
        value = node.value
        if (
            isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and value.end_lineno == value.lineno
            and value.end_col_offset is not None
        ):
            return VersionLiteral(
                path, value.value, value.lineno, value.col_offset, value.end_col_offset
            )
        raise MonorepoError(f"{path}:{node.lineno}: __version__ must be a plain string literal")
    raise MonorepoError(f"{path}: no __version__ assignment")


def nextBreaking(version: Version) -> Version:
    """
    Return the first version that may break users of ``version`` under SemVer.

    That is the next major (``1.4.2`` -> ``2.0.0``), or the next minor while the major
    is 0 (``0.3.1`` -> ``0.4.0``).
    """
    major, minor = version.release[0], (*version.release, 0)[1]
    if major == 0:
        return Version(f"0.{minor + 1}.0")
    return Version(f"{major + 1}.0.0")


def findLine(path: Path, needle: str) -> int | None:
    """Return the 1-based number of the first line of ``path`` containing ``needle``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for number, line in enumerate(lines, 1):
        if needle in line:
            return number
    return None


def isPrivateName(name: str) -> bool:
    """Tell whether a module or attribute name is private (``_x``, but not ``__x__``)."""
    if name.startswith("__") and name.endswith("__"):
        return False
    return name.startswith("_")


@dataclass(frozen=True)
class DeclaredRequirement:
    """One requirement string of a pyproject, parsed, with where it was declared."""

    raw: str
    requirement: Requirement
    section: str

    @property
    def name(self) -> str:
        """The canonical distribution name required."""
        return canonicalize_name(self.requirement.name)


class Distribution:
    """
    One distribution of the monorepo: ``packages/netframe-<name>/``.

    ``name`` is the canonical distribution name (``netframe-core``), ``shortName`` the
    last component of its import name (``core``).
    """

    def __init__(self, root: Path, path: Path) -> None:
        self.root = root
        self.path = path
        self.pyprojectPath = path / "pyproject.toml"
        try:
            with self.pyprojectPath.open("rb") as f:
                self.pyproject: dict[str, Any] = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise MonorepoError(f"{self.pyprojectPath}: cannot read: {exc}")
        project = self.pyproject.get("project")
        if not isinstance(project, dict) or not isinstance(project.get("name"), str):
            raise MonorepoError(f"{self.pyprojectPath}: no [project] name")
        self.project: dict[str, Any] = project
        self.name = canonicalize_name(project["name"])
        if not self.name.startswith(DIST_PREFIX):
            raise MonorepoError(
                f"{self.pyprojectPath}: {self.name!r} does not start with {DIST_PREFIX!r}"
            )
        self.shortName = self.name[len(DIST_PREFIX) :].replace("-", "_")

    def __repr__(self) -> str:
        return f"<Distribution {self.name} at {self.path}>"

    @property
    def importName(self) -> str:
        """The import name, ``netframe.<shortName>``."""
        return f"{NAMESPACE}.{self.shortName}"

    @property
    def srcDir(self) -> Path:
        """The ``src/`` directory (the sys.path entry of an editable install)."""
        return self.path / "src"

    @property
    def packageDir(self) -> Path:
        """The ``src/netframe/<name>/`` directory."""
        return self.srcDir / NAMESPACE / self.shortName

    @property
    def testsDir(self) -> Path:
        """The ``tests/`` directory."""
        return self.path / "tests"

    @property
    def versionFile(self) -> Path:
        """The ``_version.py`` hatchling reads (``[tool.hatch.version] path``)."""
        rel = self.pyproject.get("tool", {}).get("hatch", {}).get("version", {}).get("path")
        if isinstance(rel, str):
            return self.path / rel
        return self.packageDir / "_version.py"

    @property
    def version(self) -> str:
        """The current version string in ``_version.py``."""
        return readVersion(self.versionFile).value

    @property
    def wheelStem(self) -> str:
        """The distribution part of this distribution's wheel file names."""
        return self.name.replace("-", "_")

    @property
    def plannedSiblings(self) -> list[str]:
        """``[tool.netframe] planned-siblings``: siblings declared ahead of their use."""
        planned = self.pyproject.get("tool", {}).get("netframe", {}).get("planned-siblings", [])
        if not isinstance(planned, list) or not all(isinstance(p, str) for p in planned):
            raise MonorepoError(f"{self.pyprojectPath}: planned-siblings must be a list of strings")
        return list(planned)

    def requirements(self) -> Iterator[DeclaredRequirement | tuple[str, str, str]]:
        """
        Yield every runtime requirement: ``[project].dependencies`` then each extra.

        A requirement that does not parse is yielded as ``(raw, section, error)``.
        """
        sections: list[tuple[str, list[Any]]] = [
            ("[project].dependencies", self.project.get("dependencies", []))
        ]
        for extra, reqs in self.project.get("optional-dependencies", {}).items():
            sections.append((f"[project.optional-dependencies].{extra}", reqs))
        for section, reqs in sections:
            for raw in reqs:
                try:
                    yield DeclaredRequirement(raw, Requirement(raw), section)
                except InvalidRequirement as exc:
                    yield (str(raw), section, str(exc))

    def parsedRequirements(self, extras: bool = True) -> list[DeclaredRequirement]:
        """Every requirement that parses (base dependencies, plus extras if asked)."""
        result = []
        for req in self.requirements():
            if isinstance(req, DeclaredRequirement) and (
                extras or req.section == "[project].dependencies"
            ):
                result.append(req)
        return result

    def siblingRequirements(self) -> list[DeclaredRequirement]:
        """The base dependencies on other ``netframe-*`` distributions."""
        return [r for r in self.parsedRequirements(extras=False) if r.name.startswith(DIST_PREFIX)]

    def thirdPartyRequirements(self, extras: bool = False) -> list[DeclaredRequirement]:
        """The requirements on anything that is not a ``netframe-*`` distribution."""
        return [r for r in self.parsedRequirements(extras) if not r.name.startswith(DIST_PREFIX)]

    def testRequirements(self) -> list[str]:
        """
        The ``[dependency-groups] test`` requirement strings (PEP 735).

        ``{include-group = "..."}`` entries are expanded; raises MonorepoError on a cycle
        or an unknown group.
        """
        groups = self.pyproject.get("dependency-groups", {})

        def expand(group: str, seen: tuple[str, ...]) -> list[str]:
            if group in seen:
                raise MonorepoError(f"{self.pyprojectPath}: dependency group cycle via {group!r}")
            if group not in groups:
                if not seen:
                    return []
                raise MonorepoError(f"{self.pyprojectPath}: unknown dependency group {group!r}")
            out: list[str] = []
            for item in groups[group]:
                if isinstance(item, str):
                    out.append(item)
                elif isinstance(item, dict) and "include-group" in item:
                    out.extend(expand(item["include-group"], (*seen, group)))
            return out

        return expand("test", ())

    def sourceFiles(self) -> list[Path]:
        """Every ``.py`` file of this distribution's ``src/`` tree, sorted."""
        if not self.srcDir.is_dir():
            return []
        return sorted(p for p in self.srcDir.rglob("*.py") if "__pycache__" not in p.parts)

    def relative(self, path: Path) -> str:
        """``path`` relative to the repository root, for messages."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


def loadMonorepo(root: Path) -> dict[str, Distribution]:
    """
    Read every ``packages/*/pyproject.toml`` under ``root``.

    Returns the distributions keyed by canonical name, sorted by name. Raises
    MonorepoError when ``root/packages`` is missing, a pyproject is unreadable, or two
    directories declare the same distribution.
    """
    packages = root / "packages"
    if not packages.is_dir():
        raise MonorepoError(f"{root}: no packages/ directory")
    dists: dict[str, Distribution] = {}
    for pyproject in sorted(packages.glob("*/pyproject.toml")):
        dist = Distribution(root, pyproject.parent)
        if dist.name in dists:
            raise MonorepoError(
                f"{dist.name} is declared twice: {dists[dist.name].path}, {dist.path}"
            )
        dists[dist.name] = dist
    return dict(sorted(dists.items()))


def moduleNameFor(srcDir: Path, path: Path) -> tuple[str, bool]:
    """
    Return the dotted module name of ``path`` under ``srcDir`` and whether it is a package.

    ``src/netframe/core/__init__.py`` is ``("netframe.core", True)``.
    """
    parts = list(path.relative_to(srcDir).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


@dataclass(frozen=True)
class ImportTarget:
    """
    One thing a module imports, in absolute form.

    ``module`` is the absolute module named by the statement (``from a.b import c``
    gives module ``a.b``, name ``c``; ``import a.b`` gives module ``a.b``, no name).
    ``from netframe import core`` is normalised to module ``netframe.core``, no name,
    because ``netframe`` is a namespace whose attributes are distributions.
    """

    path: Path
    line: int
    module: str
    name: str | None

    @property
    def distShortName(self) -> str | None:
        """The ``x`` of ``netframe.x...`` this import reaches, or None outside netframe."""
        parts = self.module.split(".")
        if parts[0] != NAMESPACE or len(parts) < 2:
            return None
        return parts[1]


def collectImports(path: Path, moduleName: str, isPackage: bool) -> list[ImportTarget]:
    """
    Parse ``path`` and return every import it makes, anywhere in the file.

    Imports inside functions, classes, ``if TYPE_CHECKING:`` blocks and ``try`` blocks
    all count. Relative imports are resolved against ``moduleName``. Raises
    SyntaxError when the file does not parse.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = moduleName if isPackage else moduleName.rpartition(".")[0]
    targets: list[ImportTarget] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                targets.append(ImportTarget(path, node.lineno, alias.name, None))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                baseParts = package.split(".") if package else []
                if node.level - 1 > len(baseParts):
                    continue  # beyond the top level: Python rejects it at run time
                baseParts = baseParts[: len(baseParts) - (node.level - 1)]
                if node.module:
                    baseParts.append(node.module)
                base = ".".join(baseParts)
            else:
                base = node.module or ""
            for alias in node.names:
                if base == NAMESPACE and alias.name != "*":
                    targets.append(ImportTarget(path, node.lineno, f"{base}.{alias.name}", None))
                else:
                    targets.append(ImportTarget(path, node.lineno, base, alias.name))
    targets.sort(key=lambda t: (t.line, t.module, t.name or ""))
    return targets


def runCheck(
    label: str,
    check: Callable[[Path], tuple[list[str], str]],
    description: str,
    argv: list[str] | None = None,
) -> int:
    """
    Command-line driver shared by the repository checks.

    Parses ``--root``, runs ``check(root)``, prints one line per violation (exit 1) or the
    check's summary (exit 0); a tree that cannot be read exits 2.

    :param label: the check's name, prefixed to its messages.
    :param check: returns the violations and the summary line for a monorepo root.
    :param description: the ``--help`` description.
    :param argv: the arguments (default: ``sys.argv[1:]``).
    :return: the exit status.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="monorepo root")
    args = parser.parse_args(argv)
    try:
        errors, summary = check(args.root.resolve())
    except MonorepoError as exc:
        print(f"{label}: {exc}", file=sys.stderr)
        return 2
    for line in errors:
        print(line)
    if errors:
        print(f"{label}: {len(errors)} violation(s)", file=sys.stderr)
        return 1
    print(summary)
    return 0
