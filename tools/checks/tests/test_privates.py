"""Tests for tools/checks/privates.py on fixture trees."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

CHECKERS = "packages/netframe-cred/src/netframe/cred/checkers.py"
PROTOCOL = "packages/netframe-core/src/netframe/core/protocol.py"


def run(
    privates: ModuleType, root: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[str]]:
    """Run the checker's main() on root; return its exit status and stdout lines."""
    status = privates.main(["--root", str(root)])
    return status, capsys.readouterr().out.splitlines()


class CleanTreeTests:
    """A tree that follows the rules passes."""

    def test_cleanTreePasses(
        self,
        privates: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """The clean fixture (with both SPEC placements and _testing* helpers) passes."""
        status, out = run(privates, makeTree(), capsys)
        assert status == 0
        assert out == ["privates: OK (4 distributions, 17 modules checked)"]

    def test_allowlistIsExactlyTheSpecPlacements(self, privates: ModuleType) -> None:
        """Only core.failure -> logger._failure and core.constants -> logger._constants."""
        assert {
            ("netframe.core.failure", "netframe.logger._failure"),
            ("netframe.core.constants", "netframe.logger._constants"),
        } == privates.ALLOWED_PRIVATE_IMPORTS

    def test_scriptRunsStandalone(self, makeTree: Callable[..., Path]) -> None:
        """The script runs as `python tools/checks/privates.py --root PATH`."""
        script = Path(__file__).resolve().parent.parent / "privates.py"
        result = subprocess.run(
            [sys.executable, str(script), "--root", str(makeTree("private"))],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1
        assert "5 violation(s)" in result.stderr


class CrossPackagePrivateTests:
    """No distribution imports another distribution's private modules or names."""

    def test_crossPackagePrivateImports(
        self,
        privates: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Private modules and names of siblings, imported any way, are each reported."""
        status, out = run(privates, makeTree("private"), capsys)
        assert status == 1
        assert out[1:] == [
            (
                f"{CHECKERS}:3: netframe.cred.checkers imports the private module "
                "netframe.logger._failure of netframe-logger; use its public API"
            ),
            (
                f"{CHECKERS}:4: netframe.cred.checkers imports the private module "
                "netframe.core._reactor of netframe-core; use its public API"
            ),
            (
                f"{CHECKERS}:5: netframe.cred.checkers imports the private name _helper from "
                "netframe.core.defer (netframe-core); use its public API"
            ),
            (
                f"{CHECKERS}:10: netframe.cred.checkers imports the private name _reactor from "
                "netframe.core (netframe-core); use its public API"
            ),
        ]

    def test_allowlistCoversOnlyThePublishingModule(
        self,
        privates: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Another netframe.core module importing netframe.logger._failure is reported."""
        status, out = run(privates, makeTree("private"), capsys)
        assert status == 1
        assert out[0] == (
            "packages/netframe-core/src/netframe/core/task.py:3: netframe.core.task imports "
            "the private module netframe.logger._failure of netframe-logger; use its public API"
        )

    def test_privateNameFromAllowedModuleIsReported(
        self,
        privates: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """The allowlist admits the module, not private names imported from it."""
        root = makeTree()
        failure = root / "packages/netframe-core/src/netframe/core/failure.py"
        failure.write_text(failure.read_text() + "from netframe.logger._failure import _frames\n")
        status, out = run(privates, root, capsys)
        assert status == 1
        assert out == [
            (
                "packages/netframe-core/src/netframe/core/failure.py:6: netframe.core.failure "
                "imports the private name _frames from netframe.logger._failure (netframe-logger); "
                "use its public API"
            )
        ]

    def test_ownPrivatesAndDunderNamesAreFine(
        self,
        privates: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """A distribution's own _x modules and a sibling's __version__ are not private."""
        root = makeTree()
        portal = root / "packages/netframe-cred/src/netframe/cred/portal.py"
        portal.write_text(
            portal.read_text()
            + "from netframe.cred._version import __version__\n"
            + "from netframe.core import __version__ as coreVersion\n"
        )
        assert run(privates, root, capsys)[0] == 0


class CoreTestingTests:
    """Inside netframe-core only the fakes and their _testing* helpers import them."""

    def test_coreModuleImportingTestingFails(
        self,
        privates: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Absolute and relative imports of netframe.core.testing by core.protocol fail."""
        status, out = run(privates, makeTree("coretesting"), capsys)
        assert status == 1
        rule = (
            "netframe.core.protocol imports netframe.core.testing; inside netframe-core only "
            "netframe.core.testing and its private _testing* helpers may (production code "
            "never imports the test fakes, SPEC.md section 1)"
        )
        assert out == [f"{PROTOCOL}:3: {rule}", f"{PROTOCOL}:8: {rule}"]
