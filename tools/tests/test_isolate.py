"""Tests for tools/isolate.py: real venvs and pip installs on the fixture monorepo."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest


@pytest.mark.slow
class IsolateTests:
    """Each distribution is installed alone from wheels and its tests run there."""

    def test_passingAndEmptyTestSuites(
        self, isolateTool: ModuleType, repo: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """logger's test passes from its wheel; core, with no tests, fails the run."""
        status = isolateTool.main(["logger", "core", "--root", str(repo)])
        out = capsys.readouterr().out
        assert status == 1
        table = out[out.index("distribution ") :].splitlines()
        assert re.fullmatch(r"netframe-logger +[0-9.]+ kB +1 +[0-9.]+  ok", table[2])
        assert table[3].split()[0] == "netframe-core"
        assert table[3].endswith("FAILED: pytest (no tests collected) failed")
        assert out.rstrip().endswith("isolate: FAILED: netframe-core")

    def test_argumentsAreRequired(self, isolateTool: ModuleType, repo: Path) -> None:
        """Naming no distribution and not passing --all is a usage error."""
        with pytest.raises(SystemExit) as raised:
            isolateTool.main(["--root", str(repo)])
        assert raised.value.code == 2
