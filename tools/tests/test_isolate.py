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


def _nameInTestGroup(repo: Path, dist: str, requirement: str) -> None:
    """Add ``requirement`` to the test group of fixture distribution ``dist``."""
    pyproject = repo / "packages" / dist / "pyproject.toml"
    text = pyproject.read_text()
    assert 'test = ["pytest>=8.0"]' in text
    pyproject.write_text(
        text.replace('test = ["pytest>=8.0"]', f'test = ["pytest>=8.0", {requirement!r}]')
    )


class TestGroupSiblingTests:
    """A netframe distribution named in a test group is a sibling built from the tree."""

    def test_splitSiblingsFromThirdParty(self, isolateTool: ModuleType, repo: Path) -> None:
        """The sibling is set apart (with its extras); pytest stays for the index."""
        _nameInTestGroup(repo, "netframe-logger", "netframe-cred[fast]>=1.2.0,<2.0.0")
        dists = isolateTool.loadMonorepo(repo)
        split = isolateTool.splitTestRequirements("netframe-logger", dists)
        assert split.siblings == {"netframe-cred": ["fast"]}
        assert split.thirdParty == ["pytest>=8.0"]

    def test_falseMarkerDropped(self, isolateTool: ModuleType, repo: Path) -> None:
        """A requirement whose marker is false here is neither a sibling nor pip's."""
        _nameInTestGroup(repo, "netframe-logger", "netframe-cred>=1.2.0; python_version < '3'")
        split = isolateTool.splitTestRequirements("netframe-logger", isolateTool.loadMonorepo(repo))
        assert split.siblings == {} and split.thirdParty == ["pytest>=8.0"]

    def test_versionOutsideSpecifier(
        self, isolateTool: ModuleType, repo: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A specifier the tree's version does not satisfy is a usage error, before any build."""
        _nameInTestGroup(repo, "netframe-logger", "netframe-cred>=2.0.0")
        assert isolateTool.main(["logger", "--root", str(repo)]) == 2
        err = capsys.readouterr().err
        assert (
            "test group needs 'netframe-cred>=2.0.0', but packages/ has netframe-cred 1.2.0" in err
        )

    def test_unknownSibling(
        self, isolateTool: ModuleType, repo: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A netframe name that is not in packages/ is a usage error, never an index lookup."""
        _nameInTestGroup(repo, "netframe-logger", "netframe-trial>=0.1.0")
        assert isolateTool.main(["logger", "--root", str(repo)]) == 2
        assert (
            "test group names netframe-trial, which is not in packages/" in capsys.readouterr().err
        )

    def test_extrasGiveDirectReference(self, isolateTool: ModuleType, tmp_path: Path) -> None:
        """A sibling asked for with extras is installed as a direct reference to its wheel."""
        wheel = tmp_path / "netframe_cred-1.2.0-py3-none-any.whl"
        split = isolateTool.TestRequirements({"netframe-cred": ["a", "b"]}, [])
        assert isolateTool._wheelArgument("netframe-cred", wheel, split) == (
            f"netframe-cred[a,b] @ {wheel.as_uri()}"
        )
        assert isolateTool._wheelArgument("netframe-core", wheel, split) == str(wheel)

    @pytest.mark.slow
    def test_siblingInstalledFromItsWheel(
        self,
        isolateTool: ModuleType,
        repo: Path,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """logger's tests import cred, named only in its test group: built, installed by path."""
        _nameInTestGroup(repo, "netframe-logger", "netframe-cred>=1.2.0,<2.0.0")
        test = repo / "packages/netframe-logger/tests/test_version.py"
        test.write_text(
            test.read_text()
            + "\n\ndef test_testGroupSibling() -> None:\n"
            + '    """The sibling named in the test group is importable."""\n'
            + "    import netframe.cred\n\n"
            + '    assert netframe.cred.__version__ == "1.2.0"\n'
        )
        commands: list[list[str]] = []
        realRun = isolateTool._run

        def recordingRun(command: list[str], cwd: Path, env: dict[str, str]) -> object:
            commands.append(command)
            return realRun(command, cwd, env)

        monkeypatch.setattr(isolateTool, "_run", recordingRun)
        status = isolateTool.main(["logger", "--root", str(repo)])
        out = capsys.readouterr().out
        assert status == 0, out
        table = out[out.index("distribution ") :].splitlines()
        assert re.fullmatch(r"netframe-logger +[0-9.]+ kB +2 +[0-9.]+  ok", table[2])
        (install,) = [c for c in commands if c[1:4] == ["-m", "pip", "install"]]
        assert not [arg for arg in install if arg.startswith("netframe-")]
        wheels = sorted(Path(arg).name.split("-")[0] for arg in install if arg.endswith(".whl"))
        assert wheels == ["netframe_core", "netframe_cred", "netframe_logger"]
