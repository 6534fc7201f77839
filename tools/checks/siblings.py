"""
Sibling-dependency check for the netframe monorepo.

For each ``packages/<dist>``:

- every ``import netframe.<x>`` / ``from netframe.<x> import ...`` /
  ``from netframe import <x>`` in ``src/`` (found with :mod:`ast`, anywhere in a file:
  functions and ``TYPE_CHECKING`` blocks included) names the distribution itself or a
  declared dependency;
- every declared sibling is imported somewhere, unless it is listed in
  ``[tool.netframe] planned-siblings`` (declared per SPEC.md's graph ahead of the code
  that uses it); a planned sibling that is in fact imported, or a planned name that is
  not a declared sibling, is an error so the list gets cleaned up;
- every sibling range has the form ``>=X.Y.Z,<next-breaking`` (next major, or next minor
  while the major is 0; the lower bound may carry a ``.devN`` suffix, which
  ``tools/release.py`` refuses at release time) and admits the sibling's current
  ``_version.py`` version;
- third-party requirements have lower bounds only: no ``<``, ``<=``, ``==``, ``~=``.

Usage: ``python tools/checks/siblings.py [--root PATH]``. Exit status 1 with one line per
violation, 0 with a one-line summary when clean, 2 when the tree cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _monorepo import (
    SHARED_NAMESPACES,
    DeclaredRequirement,
    Distribution,
    InvalidVersion,
    MonorepoError,
    Version,
    collectImports,
    findLine,
    loadMonorepo,
    moduleNameFor,
    nextBreaking,
    runCheck,
)

__all__ = ["checkSiblings", "main"]

_UPPER_OPERATORS = frozenset({"<", "<=", "==", "===", "~="})
_LOWER_OPERATORS = frozenset({">=", ">"})


def _where(dist: Distribution, needle: str) -> str:
    """``pyproject:line`` of the first line containing ``needle`` (or just the file)."""
    line = findLine(dist.pyprojectPath, needle)
    rel = dist.relative(dist.pyprojectPath)
    return f"{rel}:{line}" if line else rel


def _rangeProblem(req: DeclaredRequirement) -> str | None:
    """Say what is wrong with a sibling range's form, or None if it is well formed."""
    specs = list(req.requirement.specifier)
    lower = [s for s in specs if s.operator == ">="]
    upper = [s for s in specs if s.operator == "<"]
    if len(specs) != 2 or len(lower) != 1 or len(upper) != 1:
        return "must be a range of the form '>=X.Y.Z,<next-breaking'"
    try:
        low = Version(lower[0].version)
        high = Version(upper[0].version)
    except InvalidVersion:
        return "must be a range of the form '>=X.Y.Z,<next-breaking'"
    if len(low.release) != 3 or low.epoch or low.pre or low.post or low.local:
        return f"lower bound {lower[0].version} must be X.Y.Z (optionally .devN)"
    expected = nextBreaking(low)
    if high != expected or upper[0].version != str(expected):
        return (
            f"upper bound <{upper[0].version} must be <{expected}, the next breaking "
            f"version after {low} (next major, or next minor while the major is 0)"
        )
    return None


def _checkRequirements(
    dist: Distribution, dists: dict[str, Distribution], errors: list[str]
) -> dict[str, DeclaredRequirement]:
    """Check every requirement of ``dist``; return its declared siblings by name."""
    siblings: dict[str, DeclaredRequirement] = {}
    for req in dist.requirements():
        if isinstance(req, tuple):
            raw, section, problem = req
            errors.append(
                f"{_where(dist, raw)}: invalid requirement {raw!r} in {section}: {problem}"
            )
            continue
        where = _where(dist, req.raw)
        if req.requirement.url:
            errors.append(f"{where}: {req.raw!r}: direct URL requirements are not allowed")
            continue
        if req.name.startswith("netframe-"):
            if req.name == dist.name:
                errors.append(f"{where}: {dist.name} depends on itself")
                continue
            sibling = dists.get(req.name)
            if sibling is None:
                errors.append(
                    f"{where}: {dist.name} depends on {req.name}, which is not a "
                    f"distribution in packages/"
                )
                continue
            siblings[req.name] = req
            problem = _rangeProblem(req)
            if problem:
                errors.append(f"{where}: {dist.name}: sibling requirement {req.raw!r}: {problem}")
            try:
                current = sibling.version
            except MonorepoError as exc:
                errors.append(f"{where}: {exc}")
                continue
            if not req.requirement.specifier.contains(current, prereleases=True):
                errors.append(
                    f"{where}: {dist.name} requires {req.raw!r}, which excludes "
                    f"{req.name}'s current version {current} "
                    f"({sibling.relative(sibling.versionFile)})"
                )
        else:
            specs = list(req.requirement.specifier)
            bad = [str(s) for s in specs if s.operator in _UPPER_OPERATORS]
            if bad:
                errors.append(
                    f"{where}: {dist.name}: third-party requirement {req.raw!r} must have "
                    f"lower bounds only (found {', '.join(bad)})"
                )
            elif not any(s.operator in _LOWER_OPERATORS for s in specs):
                errors.append(
                    f"{where}: {dist.name}: third-party requirement {req.raw!r} needs a "
                    f"lower bound ('>=X.Y')"
                )
    return siblings


def checkSiblings(root: Path) -> tuple[list[str], str]:
    """
    Run every sibling check on the monorepo at ``root``.

    Returns the violation lines (empty when clean) and a one-line summary. Raises
    MonorepoError when the tree cannot be read.
    """
    dists = loadMonorepo(root)
    byShortName = {d.shortName: d for d in dists.values()}
    errors: list[str] = []
    importCount = 0
    siblingCount = 0
    for dist in dists.values():
        declared = _checkRequirements(dist, dists, errors)
        siblingCount += len(declared)
        used: dict[str, str] = {}
        for path in dist.sourceFiles():
            moduleName, isPackage = moduleNameFor(dist.srcDir, path)
            try:
                targets = collectImports(path, moduleName, isPackage)
            except SyntaxError as exc:
                errors.append(f"{dist.relative(path)}:{exc.lineno}: does not parse: {exc.msg}")
                continue
            for target in targets:
                short = target.distShortName
                if short is None or short in SHARED_NAMESPACES:
                    continue
                importCount += 1
                where = f"{dist.relative(path)}:{target.line}"
                owner = byShortName.get(short)
                if owner is None:
                    errors.append(
                        f"{where}: {dist.name} imports netframe.{short}, which no "
                        f"distribution in packages/ provides"
                    )
                elif owner is dist:
                    continue
                elif owner.name not in declared:
                    errors.append(
                        f"{where}: {dist.name} imports {owner.importName} but does not "
                        f"declare {owner.name} in [project].dependencies"
                    )
                else:
                    used.setdefault(owner.name, where)
        try:
            planned = dist.plannedSiblings
        except MonorepoError as exc:
            errors.append(str(exc))
            planned = []
        plannedWhere = _where(dist, "planned-siblings")
        for name in planned:
            if name not in declared:
                errors.append(
                    f"{plannedWhere}: {dist.name} lists {name!r} in planned-siblings, "
                    f"but it is not a declared sibling dependency"
                )
            elif name in used:
                errors.append(
                    f"{plannedWhere}: {dist.name} lists {name!r} in planned-siblings, but "
                    f"already imports it ({used[name]}): remove it from planned-siblings"
                )
        for name, req in declared.items():
            if name not in used and name not in planned:
                errors.append(
                    f"{_where(dist, req.raw)}: {dist.name} declares {name} but never imports "
                    f"{dists[name].importName} (use it, drop it, or list it in "
                    f"[tool.netframe] planned-siblings)"
                )
    summary = (
        f"siblings: OK ({len(dists)} distributions, {siblingCount} sibling "
        f"dependencies, {importCount} netframe imports checked)"
    )
    return errors, summary


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    return runCheck("siblings", checkSiblings, __doc__.strip().splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
