"""Tests for tools/checks/siblings.py on fixture trees."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

CRED = "packages/netframe-cred/pyproject.toml"
PLUGIN = "packages/netframe-plugin/pyproject.toml"
CORE = "packages/netframe-core/pyproject.toml"
CHECKERS = "packages/netframe-cred/src/netframe/cred/checkers.py"


def run(
    siblings: ModuleType, root: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[str]]:
    """Run the checker's main() on root; return its exit status and stdout lines."""
    status = siblings.main(["--root", str(root)])
    return status, capsys.readouterr().out.splitlines()


class CleanTreeTests:
    """A tree that follows every rule passes."""

    def test_cleanTreePasses(
        self,
        siblings: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """The clean fixture (planned sibling, TYPE_CHECKING and in-function imports) passes."""
        status, out = run(siblings, makeTree(), capsys)
        assert status == 0
        assert out == [
            "siblings: OK (4 distributions, 4 sibling dependencies, 14 netframe imports checked)"
        ]

    def test_scriptRunsStandalone(self, makeTree: Callable[..., Path]) -> None:
        """The script runs as `python tools/checks/siblings.py --root PATH`."""
        script = Path(__file__).resolve().parent.parent / "siblings.py"
        result = subprocess.run(
            [sys.executable, str(script), "--root", str(makeTree("unused"))],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1
        assert "never imports netframe.logger" in result.stdout
        assert "1 violation(s)" in result.stderr

    def test_missingTreeIsAnError(
        self, siblings: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A root without packages/ exits 2 with a message."""
        assert siblings.main(["--root", str(tmp_path)]) == 2
        assert "no packages/ directory" in capsys.readouterr().err


class ImportTests:
    """Every netframe import is the distribution itself or a declared sibling."""

    def test_undeclaredSiblingImport(
        self,
        siblings: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Top-level, TYPE_CHECKING and in-function imports of an undeclared sibling fail."""
        status, out = run(siblings, makeTree("undeclared"), capsys)
        assert status == 1
        message = "netframe-cred imports netframe.logger but does not declare netframe-logger in [project].dependencies"
        assert out[:3] == [f"{CHECKERS}:{line}: {message}" for line in (5, 8, 13)]

    def test_unknownDistributionImport(
        self,
        siblings: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Importing netframe.<x> where no distribution provides x fails."""
        status, out = run(siblings, makeTree("undeclared"), capsys)
        assert status == 1
        assert out[3] == (
            f"{CHECKERS}:14: netframe-cred imports netframe.nosuch, which no distribution "
            "in packages/ provides"
        )

    def test_relativeImportOfSiblingIsResolved(
        self,
        siblings: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """`from .. import logger` is resolved to netframe.logger and must be declared."""
        root = makeTree()
        portal = root / "packages/netframe-cred/src/netframe/cred/portal.py"
        portal.write_text(portal.read_text() + "\nfrom .. import logger\n")
        status, out = run(siblings, root, capsys)
        assert status == 1
        assert out == [
            (
                "packages/netframe-cred/src/netframe/cred/portal.py:17: netframe-cred imports "
                "netframe.logger but does not declare netframe-logger in [project].dependencies"
            )
        ]


class PlannedSiblingTests:
    """Declared siblings are used, or planned; planned-siblings stays accurate."""

    def test_unusedDeclaredSibling(
        self,
        siblings: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """A declared sibling that is never imported nor planned fails."""
        status, out = run(siblings, makeTree("unused"), capsys)
        assert status == 1
        assert out == [
            (
                f"{PLUGIN}:7: netframe-plugin declares netframe-logger but never imports "
                "netframe.logger (use it, drop it, or list it in [tool.netframe] planned-siblings)"
            )
        ]

    def test_plannedSiblingInUseAndUnknownPlannedName(
        self,
        siblings: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """A planned sibling already imported, and a planned name not declared, both fail."""
        status, out = run(siblings, makeTree("planned"), capsys)
        assert status == 1
        assert out == [
            (
                f"{CRED}:15: netframe-cred lists 'netframe-core' in planned-siblings, but already "
                "imports it (packages/netframe-cred/src/netframe/cred/portal.py:5): remove it "
                "from planned-siblings"
            ),
            (
                f"{CRED}:15: netframe-cred lists 'netframe-app' in planned-siblings, but it is "
                "not a declared sibling dependency"
            ),
        ]


class RangeTests:
    """Sibling ranges have the >=X.Y.Z,<next-breaking form and admit the current version."""

    def test_rangeExcludingCurrentVersion(
        self,
        siblings: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """A range that excludes the sibling's _version.py version fails."""
        status, out = run(siblings, makeTree("excludes"), capsys)
        assert status == 1
        assert out == [
            (
                f"{CRED}:7: netframe-cred requires 'netframe-core>=2.0.0,<3.0.0', which excludes "
                "netframe-core's current version 1.4.2 "
                "(packages/netframe-core/src/netframe/core/_version.py)"
            )
        ]

    def test_devVersionInsideRangeIsAdmitted(
        self,
        siblings: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """A sibling at a .dev version inside the range is admitted (pre-releases count)."""
        root = makeTree(
            replace={
                "packages/netframe-core/src/netframe/core/_version.py": ("1.4.2", "1.4.3.dev0")
            }
        )
        assert run(siblings, root, capsys)[0] == 0

    @pytest.mark.parametrize(
        ("bad", "problem"),
        [
            ("netframe-core>=1.4.0", "must be a range of the form '>=X.Y.Z,<next-breaking'"),
            ("netframe-core==1.4.2", "must be a range of the form '>=X.Y.Z,<next-breaking'"),
            ("netframe-core~=1.4", "must be a range of the form '>=X.Y.Z,<next-breaking'"),
            (
                "netframe-core>=1.4.0,<=2.0.0",
                "must be a range of the form '>=X.Y.Z,<next-breaking'",
            ),
            ("netframe-core>=1.4,<2.0.0", "lower bound 1.4 must be X.Y.Z (optionally .devN)"),
            (
                "netframe-core>=1.4.0,<1.5.0",
                (
                    "upper bound <1.5.0 must be <2.0.0, the next breaking version after 1.4.0 "
                    "(next major, or next minor while the major is 0)"
                ),
            ),
            (
                "netframe-core>=1.4.0,<2.0",
                (
                    "upper bound <2.0 must be <2.0.0, the next breaking version after 1.4.0 "
                    "(next major, or next minor while the major is 0)"
                ),
            ),
        ],
    )
    def test_badRangeForm(
        self,
        siblings: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
        bad: str,
        problem: str,
    ) -> None:
        """A sibling requirement that is not >=X.Y.Z,<next-breaking fails, saying why."""
        root = makeTree(replace={CRED: ("netframe-core>=1.4.0,<2.0.0", bad)})
        status, out = run(siblings, root, capsys)
        assert status == 1
        assert out == [f"{CRED}:7: netframe-cred: sibling requirement {bad!r}: {problem}"]

    def test_zeroMajorBreaksAtNextMinor(
        self,
        siblings: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """While the major is 0, <1.0.0 is not the next breaking version: <0.2.0 is."""
        bad = "netframe-logger>=0.1.0,<1.0.0"
        root = makeTree(replace={PLUGIN: ("netframe-logger>=0.1.0,<0.2.0", bad)})
        status, out = run(siblings, root, capsys)
        assert status == 1
        assert out == [
            (
                f"{PLUGIN}:7: netframe-plugin: sibling requirement {bad!r}: upper bound <1.0.0 "
                "must be <0.2.0, the next breaking version after 0.1.0 (next major, or next "
                "minor while the major is 0)"
            )
        ]

    def test_unknownSiblingDistribution(
        self,
        siblings: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Depending on a netframe-* name that is not in packages/ fails."""
        root = makeTree(
            replace={
                CRED: (
                    '"netframe-plugin>=0.1.0,<0.2.0",',
                    '"netframe-plugin>=0.1.0,<0.2.0", "netframe-web>=0.1.0,<0.2.0",',
                )
            }
        )
        status, out = run(siblings, root, capsys)
        assert status == 1
        assert out == [
            f"{CRED}:8: netframe-cred depends on netframe-web, which is not a distribution in packages/"
        ]


class ThirdPartyTests:
    """Third-party requirements take lower bounds only."""

    @pytest.mark.parametrize(
        ("bad", "found"),
        [
            ("zope.interface>=6.0,<8", "<8"),
            ("zope.interface==6.0", "==6.0"),
            ("zope.interface~=6.0", "~=6.0"),
        ],
    )
    def test_upperBoundOrPinFails(
        self,
        siblings: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
        bad: str,
        found: str,
    ) -> None:
        """An upper bound, a pin or a compatible-release clause on a third-party dep fails."""
        root = makeTree(replace={CORE: ('"zope.interface>=6.0"', f'"{bad}"')})
        status, out = run(siblings, root, capsys)
        assert status == 1
        assert out == [
            (
                f"{CORE}:6: netframe-core: third-party requirement {bad!r} must have lower "
                f"bounds only (found {found})"
            )
        ]

    def test_extraRequirementsAreChecked(
        self,
        siblings: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Requirements of an extra (core's tls) follow the same rule."""
        root = makeTree(replace={CORE: ('"pyOpenSSL>=24.0"', '"pyOpenSSL>=24.0,<25"')})
        status, out = run(siblings, root, capsys)
        assert status == 1
        assert out == [
            (
                f"{CORE}:10: netframe-core: third-party requirement 'pyOpenSSL>=24.0,<25' must "
                "have lower bounds only (found <25)"
            )
        ]

    def test_missingLowerBoundFails(
        self,
        siblings: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """A third-party requirement without any version bound fails."""
        root = makeTree(replace={CORE: ('"zope.interface>=6.0"', '"zope.interface"')})
        status, out = run(siblings, root, capsys)
        assert status == 1
        assert out == [
            (
                f"{CORE}:6: netframe-core: third-party requirement 'zope.interface' needs a "
                "lower bound ('>=X.Y')"
            )
        ]
