"""
Release script: bump, check and tag one netframe distribution alone.

Usage::

    python tools/release.py DIST major|minor|patch|dev [--dry-run] [--date YYYY-MM-DD]

DIST is ``netframe-core`` or ``core``. The script:

1. computes the new version (SemVer, PEP 440 spelling):

   - ``dev``: ``X.Y.Z`` -> ``X.Y.(Z+1).dev0``; ``X.Y.Z.devN`` -> ``X.Y.Z.dev(N+1)``;
   - ``patch``: ``X.Y.Z`` -> ``X.Y.(Z+1)``; ``X.Y.Z.devN`` -> ``X.Y.Z``;
   - ``minor``: ``X.Y.Z`` -> ``X.(Y+1).0``; ``X.Y.0.devN`` -> ``X.Y.0``;
   - ``major``: ``X.Y.Z`` -> ``(X+1).0.0``; ``X.0.0.devN`` -> ``X.0.0``

   (a release bump from a ``.dev`` version drops the suffix when the dev version
   already is a pre-release of that kind of bump, and bumps otherwise);
2. refuses (exit 1) when one of the distribution's sibling lower bounds is not reached
   by that sibling's current ``_version.py``, and, for a release (not ``dev``), when a
   sibling lower bound names a ``.dev`` version: a release must not depend on an
   unreleased sibling;
3. for a release, refuses when the CHANGELOG has no ``## Unreleased`` section or it is
   empty, and otherwise renames it ``## <version> (<date>)`` under a fresh empty
   ``## Unreleased`` section (a ``dev`` bump leaves the CHANGELOG alone);
4. writes the new version into ``_version.py`` (nothing is written with ``--dry-run``);
5. prints a warning line for every dependent whose range on this distribution excludes
   the new version, and prints the tag ``netframe-<name>-v<version>`` to create for a
   release. It creates no git tag and publishes nothing.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _monorepo import (
    REPO_ROOT,
    Distribution,
    InvalidVersion,
    MonorepoError,
    Version,
    loadMonorepo,
    readVersion,
)
from wheels import resolveNames

__all__ = ["ReleaseError", "bumpVersion", "main", "rollChangelog"]

BUMPS = ("major", "minor", "patch", "dev")
"""The kinds of bump the script knows."""

_UNRELEASED = re.compile(r"^## Unreleased[ \t]*$", re.MULTILINE)
_NEXT_SECTION = re.compile(r"^## ", re.MULTILINE)


class ReleaseError(Exception):
    """The release is refused; the message says why."""


def bumpVersion(current: str, bump: str) -> str:
    """
    Return the version after a ``major``/``minor``/``patch``/``dev`` bump of ``current``.

    ``current`` must be ``X.Y.Z`` or ``X.Y.Z.devN``. Raises ReleaseError for any other
    version or an unknown bump.
    """
    try:
        version = Version(current)
    except InvalidVersion:
        raise ReleaseError(f"version {current!r} is not of the form X.Y.Z or X.Y.Z.devN")
    if (
        len(version.release) != 3
        or version.epoch
        or version.pre
        or version.post
        or version.local
        or str(version) != current
    ):
        raise ReleaseError(f"version {current!r} is not of the form X.Y.Z or X.Y.Z.devN")
    major, minor, patch = version.release
    dev = version.dev
    if bump == "dev":
        if dev is None:
            return f"{major}.{minor}.{patch + 1}.dev0"
        return f"{major}.{minor}.{patch}.dev{dev + 1}"
    if bump == "patch":
        return f"{major}.{minor}.{patch}" if dev is not None else f"{major}.{minor}.{patch + 1}"
    if bump == "minor":
        if dev is not None and patch == 0:
            return f"{major}.{minor}.0"
        return f"{major}.{minor + 1}.0"
    if bump == "major":
        if dev is not None and minor == 0 and patch == 0:
            return f"{major}.0.0"
        return f"{major + 1}.0.0"
    raise ReleaseError(f"unknown bump {bump!r} (expected one of {', '.join(BUMPS)})")


def rollChangelog(text: str, version: str, date: str) -> str:
    """
    Move the ``## Unreleased`` section of a CHANGELOG to ``## <version> (<date>)``.

    A fresh, empty ``## Unreleased`` section is put above it. Raises ReleaseError when
    there is no Unreleased section or it has no entries.
    """
    match = _UNRELEASED.search(text)
    if match is None:
        raise ReleaseError("the CHANGELOG has no '## Unreleased' section")
    following = _NEXT_SECTION.search(text, match.end())
    bodyEnd = following.start() if following else len(text)
    if not text[match.end() : bodyEnd].strip():
        raise ReleaseError("the CHANGELOG's '## Unreleased' section is empty: nothing to release")
    return f"{text[: match.start()]}## Unreleased\n\n## {version} ({date}){text[match.end() :]}"


def _checkSiblingBounds(dist: Distribution, dists: dict[str, Distribution], release: bool) -> None:
    """Refuse lower bounds the siblings do not reach, and (for a release) .dev ones."""
    problems: list[str] = []
    for req in dist.siblingRequirements():
        sibling = dists.get(req.name)
        if sibling is None:
            problems.append(f"{req.raw!r}: {req.name} is not a distribution in packages/")
            continue
        current = Version(sibling.version)
        for spec in req.requirement.specifier:
            if spec.operator not in (">=", ">"):
                continue
            bound = Version(spec.version)
            if release and bound.is_devrelease:
                problems.append(
                    f"{req.raw!r}: the lower bound {spec.version} is an unreleased .dev "
                    f"version of {req.name}; release {req.name} first and require that"
                )
            if current < bound or (spec.operator == ">" and current == bound):
                problems.append(
                    f"{req.raw!r}: {req.name}'s current version {current} does not reach "
                    f"the lower bound {spec.version}"
                )
    if problems:
        lines = "\n".join(f"  {p}" for p in problems)
        raise ReleaseError(f"{dist.name}'s sibling requirements block the release:\n{lines}")


def _dependentWarnings(dist: Distribution, dists: dict[str, Distribution], new: str) -> list[str]:
    """One warning per dependent whose range on ``dist`` excludes ``new``."""
    warnings = []
    for other in dists.values():
        for req in other.siblingRequirements():
            if req.name == dist.name and not req.requirement.specifier.contains(
                new, prereleases=True
            ):
                warnings.append(
                    f"warning: {other.name} requires {req.raw!r}, which excludes {dist.name} "
                    f"{new}: widen the range in {other.relative(other.pyprojectPath)} and "
                    f"release {other.name} too"
                )
    return warnings


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description="Bump, check and tag one distribution.")
    parser.add_argument("dist", metavar="DIST")
    parser.add_argument("bump", choices=BUMPS)
    parser.add_argument("--dry-run", action="store_true", help="show, write nothing")
    parser.add_argument(
        "--date", help="release date for the CHANGELOG (default: today, UTC), YYYY-MM-DD"
    )
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="monorepo root")
    args = parser.parse_args(argv)
    date = args.date or datetime.datetime.now(datetime.UTC).date().isoformat()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        parser.error(f"--date must be YYYY-MM-DD, got {date!r}")
    release = args.bump != "dev"
    try:
        dists = loadMonorepo(args.root.resolve())
        (name,) = resolveNames([args.dist], dists)
        dist = dists[name]
        literal = readVersion(dist.versionFile)
        new = bumpVersion(literal.value, args.bump)
        _checkSiblingBounds(dist, dists, release)
        changelogPath = dist.path / "CHANGELOG.md"
        changelog = None
        if release:
            try:
                text = changelogPath.read_text(encoding="utf-8")
            except OSError as exc:
                raise ReleaseError(f"cannot read {dist.relative(changelogPath)}: {exc}")
            try:
                changelog = rollChangelog(text, new, date)
            except ReleaseError as exc:
                raise ReleaseError(f"{dist.relative(changelogPath)}: {exc}")
    except (MonorepoError, ReleaseError) as exc:
        print(f"release: refused: {exc}", file=sys.stderr)
        return 1

    prefix = "would " if args.dry_run else ""
    print(f"{dist.name}: {literal.value} -> {new}")
    if not args.dry_run:
        lines = literal.path.read_text(encoding="utf-8").splitlines(keepends=True)
        line = lines[literal.line - 1]
        lines[literal.line - 1] = f'{line[: literal.start]}"{new}"{line[literal.end :]}'
        literal.path.write_text("".join(lines), encoding="utf-8")
        if changelog is not None:
            changelogPath.write_text(changelog, encoding="utf-8")
    print(f"{prefix}write {dist.relative(literal.path)}")
    if changelog is not None:
        print(
            f"{prefix}move '## Unreleased' of {dist.relative(changelogPath)} to '## {new} ({date})'"
        )
    for warning in _dependentWarnings(dist, dists, new):
        print(warning)
    tag = f"{dist.name}-v{new}"
    if release:
        print(f"tag: {tag}")
    else:
        print(f"no tag: {new} is a development version")
    return 0


if __name__ == "__main__":
    sys.exit(main())
