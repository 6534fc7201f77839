"""
Private-import check for the netframe monorepo.

SPEC.md section 1: "A package never imports another distribution's private names
(``_x``)". For every module in ``packages/<dist>/src`` (found with :mod:`ast`, anywhere in
a file), this reports:

- an import of another distribution's private module: ``netframe.<other>._x`` (or any
  ``_x`` component further down), by ``import`` or ``from ... import``;
- a private name ``_x`` imported from another distribution's module;
- inside netframe-core, an import of ``netframe.core.testing`` (the test fakes) by any
  module other than ``netframe.core.testing`` itself and its private ``_testing*``
  helpers. import-linter cannot express this one: its ``forbidden`` contract works
  between packages, and ``netframe.core.testing`` lives inside the package
  ``netframe.core`` that the other contracts treat as one layer.

Usage: ``python tools/checks/privates.py [--root PATH]``. Exit status 1 with one line per
violation, 0 with a one-line summary when clean, 2 when the tree cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _monorepo import (
    SHARED_NAMESPACES,
    ImportTarget,
    collectImports,
    isPrivateName,
    loadMonorepo,
    moduleNameFor,
    runCheck,
)

__all__ = ["ALLOWED_PRIVATE_IMPORTS", "checkPrivates", "main"]

# SPEC.md section 1, "Two placements that break Twisted's own cycles": Failure is
# implemented privately in netframe-logger (the logger must capture failures) and
# published as netframe.core.failure.Failure; likewise the named constants LogLevel
# needs are implemented in netframe-logger and published as netframe.core.constants.
# These two public modules of netframe-core may therefore import those two private
# modules of netframe-logger, and nothing else may. Private *names* stay forbidden even
# there: the private modules export what the public ones re-export under public names.
ALLOWED_PRIVATE_IMPORTS = frozenset(
    {
        ("netframe.core.failure", "netframe.logger._failure"),
        ("netframe.core.constants", "netframe.logger._constants"),
    }
)
"""(importing module, private module of another distribution it may import)."""

_TESTING = "netframe.core.testing"


def _privateModule(module: str) -> str | None:
    """Return the prefix of ``module`` up to its first private component, if any."""
    parts = module.split(".")
    for index in range(2, len(parts)):
        if isPrivateName(parts[index]):
            return ".".join(parts[: index + 1])
    return None


def _mayImportTesting(moduleName: str) -> bool:
    """Tell whether a netframe-core module may import netframe.core.testing."""
    if moduleName == _TESTING or moduleName.startswith(_TESTING + "."):
        return True
    parts = moduleName.split(".")
    return len(parts) > 2 and parts[2].startswith("_testing")


def _importsTesting(target: ImportTarget) -> bool:
    """Tell whether an import reaches netframe.core.testing."""
    if target.module == _TESTING or target.module.startswith(_TESTING + "."):
        return True
    return target.module == "netframe.core" and target.name == "testing"


def checkPrivates(root: Path) -> tuple[list[str], str]:
    """
    Run the private-import checks on the monorepo at ``root``.

    Returns the violation lines (empty when clean) and a one-line summary. Raises
    MonorepoError when the tree cannot be read.
    """
    dists = loadMonorepo(root)
    byShortName = {d.shortName: d for d in dists.values()}
    errors: list[str] = []
    moduleCount = 0
    for dist in dists.values():
        for path in dist.sourceFiles():
            moduleName, isPackage = moduleNameFor(dist.srcDir, path)
            moduleCount += 1
            try:
                targets = collectImports(path, moduleName, isPackage)
            except SyntaxError as exc:
                errors.append(f"{dist.relative(path)}:{exc.lineno}: does not parse: {exc.msg}")
                continue
            for target in targets:
                where = f"{dist.relative(path)}:{target.line}"
                if (
                    dist.shortName == "core"
                    and _importsTesting(target)
                    and not _mayImportTesting(moduleName)
                ):
                    errors.append(
                        f"{where}: {moduleName} imports {_TESTING}; inside netframe-core only "
                        f"{_TESTING} and its private _testing* helpers may (production code "
                        f"never imports the test fakes, SPEC.md section 1)"
                    )
                short = target.distShortName
                if short is None or short in SHARED_NAMESPACES or short == dist.shortName:
                    continue
                owner = byShortName.get(short)
                ownerName = owner.name if owner else f"netframe.{short}"
                private = _privateModule(target.module)
                if private and (moduleName, private) not in ALLOWED_PRIVATE_IMPORTS:
                    errors.append(
                        f"{where}: {moduleName} imports the private module {private} of "
                        f"{ownerName}; use its public API"
                    )
                if target.name and isPrivateName(target.name):
                    errors.append(
                        f"{where}: {moduleName} imports the private name {target.name} from "
                        f"{target.module} ({ownerName}); use its public API"
                    )
    summary = f"privates: OK ({len(dists)} distributions, {moduleCount} modules checked)"
    return errors, summary


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    return runCheck("privates", checkPrivates, __doc__.strip().splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
