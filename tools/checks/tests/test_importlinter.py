"""
Tests that import-linter (`lint-imports`) reports a layering violation and an
`import twisted` in a package, on a fixture tree with its own small config.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "importlinter"


def lintImports(tmp_path: Path, *overlays: str) -> subprocess.CompletedProcess[str]:
    """Copy the import-linter fixture (plus overlays) to tmp_path and run lint-imports."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "clean", root)
    for overlay in overlays:
        shutil.copytree(FIXTURES / overlay, root, dirs_exist_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        str(root / "packages" / dist / "src") for dist in ("netframe-logger", "netframe-core")
    )
    lintImports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lintImports is not None, "import-linter is not installed in this environment"
    return subprocess.run(
        [lintImports, "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
class ImportLinterTests:
    """The import-linter contracts catch what SPEC.md section 1 forbids."""

    def test_cleanTreeKeepsContracts(self, tmp_path: Path) -> None:
        """A tree where core imports logger (the layer below) keeps both contracts."""
        result = lintImports(tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Contracts: 2 kept, 0 broken." in result.stdout

    def test_layeringViolationAndTwistedImportAreReported(self, tmp_path: Path) -> None:
        """logger importing core, and core importing twisted, each break a contract."""
        result = lintImports(tmp_path, "violations")
        assert result.returncode == 1
        assert "Layers: core > logger BROKEN" in result.stdout
        assert "Nothing in packages/ imports twisted BROKEN" in result.stdout
        assert "netframe.logger._observer -> netframe.core (l.3)" in result.stdout
        assert "netframe.core.reactor -> twisted (l.3)" in result.stdout
