"""Tests for tools/release.py against a copied fixture monorepo."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

LOGGER = "packages/netframe-logger"
CORE = "packages/netframe-core"
LOGGER_VERSION = f"{LOGGER}/src/netframe/logger/_version.py"
CORE_VERSION = f"{CORE}/src/netframe/core/_version.py"


def run(
    release: ModuleType, repo: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[str], str]:
    """Run release.main() on repo with a fixed date; return status, stdout lines, stderr."""
    status = release.main([*args, "--root", str(repo), "--date", "2026-11-22"])
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def setVersion(repo: Path, rel: str, version: str) -> None:
    """Rewrite the version string of a fixture _version.py."""
    path = repo / rel
    text = path.read_text()
    start = text.index('__version__ = "') + len('__version__ = "')
    end = text.index('"', start)
    path.write_text(text[:start] + version + text[end:])


def replaceIn(repo: Path, rel: str, old: str, new: str) -> None:
    """Replace text in a fixture file, insisting that it is there."""
    path = repo / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


class BumpVersionTests:
    """bumpVersion follows SemVer in PEP 440 spelling."""

    @pytest.mark.parametrize(
        ("current", "bump", "new"),
        [
            ("0.1.0", "dev", "0.1.1.dev0"),
            ("0.1.1.dev0", "dev", "0.1.1.dev1"),
            ("1.2.3.dev7", "dev", "1.2.3.dev8"),
            ("0.1.0", "patch", "0.1.1"),
            ("0.1.1.dev3", "patch", "0.1.1"),
            ("0.1.0", "minor", "0.2.0"),
            ("0.1.3", "minor", "0.2.0"),
            ("0.2.0.dev1", "minor", "0.2.0"),
            ("0.1.1.dev1", "minor", "0.2.0"),
            ("1.4.2", "major", "2.0.0"),
            ("2.0.0.dev0", "major", "2.0.0"),
            ("1.1.0.dev0", "major", "2.0.0"),
        ],
    )
    def test_bump(self, release: ModuleType, current: str, bump: str, new: str) -> None:
        """Each bump gives the expected version, dropping .devN where it is that release."""
        assert release.bumpVersion(current, bump) == new

    @pytest.mark.parametrize("current", ["1.0", "1.0.0rc1", "1.0.0.post1", "01.0.0", "x"])
    def test_unsupportedVersionIsRefused(self, release: ModuleType, current: str) -> None:
        """A version that is not X.Y.Z or X.Y.Z.devN raises ReleaseError."""
        with pytest.raises(release.ReleaseError, match=r"X\.Y\.Z"):
            release.bumpVersion(current, "patch")


class ChangelogTests:
    """rollChangelog moves Unreleased under the new version."""

    def test_rollMovesUnreleased(self, release: ModuleType) -> None:
        """The entries end under '## <version> (<date>)' below an empty Unreleased."""
        text = "# Changelog\n\n## Unreleased\n\n- New.\n\n## 0.1.0 (2026-01-01)\n\n- Old.\n"
        assert release.rollChangelog(text, "0.2.0", "2026-11-22") == (
            "# Changelog\n\n## Unreleased\n\n## 0.2.0 (2026-11-22)\n\n- New.\n\n"
            "## 0.1.0 (2026-01-01)\n\n- Old.\n"
        )

    def test_missingUnreleasedIsRefused(self, release: ModuleType) -> None:
        """A CHANGELOG without '## Unreleased' raises ReleaseError."""
        with pytest.raises(release.ReleaseError, match="no '## Unreleased' section"):
            release.rollChangelog("# Changelog\n\n## 0.1.0\n", "0.2.0", "2026-11-22")

    def test_emptyUnreleasedIsRefused(self, release: ModuleType) -> None:
        """An Unreleased section without entries raises ReleaseError."""
        with pytest.raises(release.ReleaseError, match="is empty: nothing to release"):
            release.rollChangelog("## Unreleased\n\n\n## 0.1.0\n\n- Old.\n", "0.2.0", "d")


class ReleaseTests:
    """The script bumps one distribution, rolls its CHANGELOG and prints its tag."""

    def test_patchRelease(
        self, release: ModuleType, repo: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A patch release writes _version.py and the CHANGELOG and prints the tag."""
        status, out, _ = run(release, repo, capsys, "logger", "patch")
        assert status == 0
        assert out == [
            "netframe-logger: 0.1.0 -> 0.1.1",
            f"write {LOGGER_VERSION}",
            f"move '## Unreleased' of {LOGGER}/CHANGELOG.md to '## 0.1.1 (2026-11-22)'",
            "tag: netframe-logger-v0.1.1",
        ]
        assert (repo / LOGGER_VERSION).read_text() == (
            '"""The version of netframe-logger (fixture)."""\n\n'
            '__version__ = "0.1.1"  # read by hatchling\n'
        )
        changelog = (repo / LOGGER / "CHANGELOG.md").read_text()
        assert "## Unreleased\n\n## 0.1.1 (2026-11-22)\n\n- Something new in logger.\n" in changelog

    def test_dryRunWritesNothing(
        self, release: ModuleType, repo: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--dry-run prints the plan and the tag but changes no file."""
        before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
        status, out, _ = run(release, repo, capsys, "netframe-core", "minor", "--dry-run")
        assert status == 0
        assert out == [
            "netframe-core: 0.1.3 -> 0.2.0",
            f"would write {CORE_VERSION}",
            f"would move '## Unreleased' of {CORE}/CHANGELOG.md to '## 0.2.0 (2026-11-22)'",
            (
                "warning: netframe-cred requires 'netframe-core>=0.1.0,<0.2.0', which excludes "
                "netframe-core 0.2.0: widen the range in packages/netframe-cred/pyproject.toml "
                "and release netframe-cred too"
            ),
            "tag: netframe-core-v0.2.0",
        ]
        assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == before

    def test_dependentsExcludingNewVersionAreListed(
        self, release: ModuleType, repo: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A minor bump of logger warns about core and cred, whose ranges stop at 0.2.0."""
        status, out, _ = run(release, repo, capsys, "logger", "minor")
        assert status == 0
        warnings = [line.split(",")[0] for line in out if line.startswith("warning:")]
        assert warnings == [
            "warning: netframe-core requires 'netframe-logger>=0.1.0",
            "warning: netframe-cred requires 'netframe-logger>=0.1.0",
        ]

    def test_devBumpLeavesChangelogAndHasNoTag(
        self, release: ModuleType, repo: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A dev bump writes X.Y.(Z+1).dev0, keeps the CHANGELOG and prints no tag."""
        changelog = (repo / LOGGER / "CHANGELOG.md").read_text()
        status, out, _ = run(release, repo, capsys, "logger", "dev")
        assert status == 0
        assert out == [
            "netframe-logger: 0.1.0 -> 0.1.1.dev0",
            f"write {LOGGER_VERSION}",
            "no tag: 0.1.1.dev0 is a development version",
        ]
        assert '"0.1.1.dev0"' in (repo / LOGGER_VERSION).read_text()
        assert (repo / LOGGER / "CHANGELOG.md").read_text() == changelog

    def test_scriptRunsStandalone(self, repo: Path) -> None:
        """`python tools/release.py DIST patch --dry-run` runs as a script."""
        script = Path(__file__).resolve().parent.parent / "release.py"
        result = subprocess.run(
            [sys.executable, str(script), "cred", "patch", "--dry-run", "--root", str(repo)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == "tag: netframe-cred-v1.2.1"


class RefusalTests:
    """The script refuses releases that would ship broken or unreleased requirements."""

    def test_devLowerBoundIsRefused(
        self, release: ModuleType, repo: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A release of core requiring an unreleased logger .dev version is refused."""
        setVersion(repo, LOGGER_VERSION, "0.2.0.dev1")
        replaceIn(
            repo,
            f"{CORE}/pyproject.toml",
            "netframe-logger>=0.1.0,<0.2.0",
            "netframe-logger>=0.2.0.dev0,<0.3.0",
        )
        before = (repo / CORE_VERSION).read_text()
        status, out, err = run(release, repo, capsys, "core", "patch")
        assert status == 1
        assert out == []
        assert err == (
            "release: refused: netframe-core's sibling requirements block the release:\n"
            "  'netframe-logger>=0.2.0.dev0,<0.3.0': the lower bound 0.2.0.dev0 is an "
            "unreleased .dev version of netframe-logger; release netframe-logger first and "
            "require that\n"
        )
        assert (repo / CORE_VERSION).read_text() == before

    def test_devBumpWithDevLowerBoundIsAllowed(
        self, release: ModuleType, repo: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A dev bump may depend on a sibling's .dev version."""
        setVersion(repo, LOGGER_VERSION, "0.2.0.dev1")
        replaceIn(
            repo,
            f"{CORE}/pyproject.toml",
            "netframe-logger>=0.1.0,<0.2.0",
            "netframe-logger>=0.2.0.dev0,<0.3.0",
        )
        assert run(release, repo, capsys, "core", "dev")[0] == 0

    def test_unreachedLowerBoundIsRefused(
        self, release: ModuleType, repo: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A lower bound above the sibling's current version is refused."""
        replaceIn(
            repo,
            f"{CORE}/pyproject.toml",
            "netframe-logger>=0.1.0,<0.2.0",
            "netframe-logger>=0.1.5,<0.2.0",
        )
        status, _, err = run(release, repo, capsys, "core", "dev")
        assert status == 1
        assert err.splitlines()[1] == (
            "  'netframe-logger>=0.1.5,<0.2.0': netframe-logger's current version 0.1.0 does "
            "not reach the lower bound 0.1.5"
        )

    def test_emptyChangelogIsRefused(
        self, release: ModuleType, repo: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A release whose Unreleased section is empty is refused and writes nothing."""
        replaceIn(repo, f"{LOGGER}/CHANGELOG.md", "- Something new in logger.\n", "")
        status, _, err = run(release, repo, capsys, "logger", "patch")
        assert status == 1
        assert err == (
            f"release: refused: {LOGGER}/CHANGELOG.md: the CHANGELOG's '## Unreleased' "
            "section is empty: nothing to release\n"
        )
        assert '"0.1.0"' in (repo / LOGGER_VERSION).read_text()

    def test_unknownDistributionIsRefused(
        self, release: ModuleType, repo: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An unknown distribution name is refused with the known names."""
        status, _, err = run(release, repo, capsys, "web", "patch")
        assert status == 1
        assert err == ("release: refused: unknown distribution 'web' (known: core, cred, logger)\n")
