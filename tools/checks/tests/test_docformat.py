"""Tests for tools/checks/docformat.py on fixture trees."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

CHECKERS = "packages/netframe-cred/src/netframe/cred/checkers.py"
DEMO = "examples/demo/src/demo/__init__.py"


def run(
    docformat: ModuleType, root: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[str], str]:
    """Run the checker's main() on root; return its exit status, stdout lines, stderr."""
    status = docformat.main(["--root", str(root)])
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


class CleanTreeTests:
    """Trees whose docstrings are epytext pass."""

    def test_cleanTreePasses(
        self,
        docformat: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """The clean fixture (plain docstrings) passes with a summary line."""
        status, out, _ = run(docformat, makeTree(), capsys)
        assert status == 0
        assert out == ["docformat: OK (17 files, 22 docstrings checked, all epytext)"]

    def test_epytextExamplePasses(
        self,
        docformat: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """An example's src/ with epytext fields, lists, L{} and C{} passes."""
        status, out, _ = run(docformat, makeTree("epytext"), capsys)
        assert status == 0
        assert out == ["docformat: OK (18 files, 24 docstrings checked, all epytext)"]


class RestMarkupTests:
    """reST fields, roles and inline literals in docstrings are reported with file:line."""

    def test_everyRestConstructIsReported(
        self,
        docformat: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Fields, roles (with or without py:) and literals in packages' and examples' src/."""
        status, out, err = run(docformat, makeTree("restdocs"), capsys)
        assert status == 1
        assert out == [
            (
                f"{CHECKERS}:4: reST inline literal ``requestAvatarId``: use the epytext "
                "C{requestAvatarId}"
            ),
            f"{CHECKERS}:15: reST field ':param': use the epytext field '@param'",
            f"{CHECKERS}:16: reST field ':param': use the epytext field '@param'",
            f"{CHECKERS}:17: reST field ':returns': use the epytext field '@return'",
            f"{CHECKERS}:18: reST field ':raises': use the epytext field '@raise'",
            f"{CHECKERS}:24: reST role ':class:`...`': use the epytext link L{{...}}",
            f"{CHECKERS}:24: reST role ':py:meth:`...`': use the epytext link L{{...}}",
            f"{CHECKERS}:27: reST role ':func:`...`': use the epytext link L{{...}}",
            f"{DEMO}:1: reST inline literal ``demo``: use the epytext C{{demo}}",
            f"{DEMO}:9: reST field ':rtype': use the epytext field '@rtype'",
        ]
        assert "docformat: 10 violation(s)" in err

    def test_testsCommentsAndPlainStringsAreNotChecked(
        self,
        docformat: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """tests/ directories, comments and strings that are not docstrings are ignored."""
        _, out, _ = run(docformat, makeTree("restdocs"), capsys)
        assert not [line for line in out if "/tests/" in line]
        assert not [line for line in out if f"{CHECKERS}:7:" in line or f"{CHECKERS}:8:" in line]
        assert not [line for line in out if f"{CHECKERS}:31:" in line]

    def test_unparseableFileIsReported(
        self,
        docformat: ModuleType,
        makeTree: Callable[..., Path],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """A source file that does not parse is a violation naming its line."""
        root = makeTree()
        (root / "packages/netframe-cred/src/netframe/cred/broken.py").write_text("def (:\n")
        status, out, _ = run(docformat, root, capsys)
        assert status == 1
        assert out == [
            "packages/netframe-cred/src/netframe/cred/broken.py:1: does not parse: invalid syntax"
        ]

    def test_unreadableTreeExitsTwo(
        self, docformat: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A root without packages/ is not a monorepo: exit status 2."""
        status, out, err = run(docformat, tmp_path, capsys)
        assert status == 2
        assert out == []
        assert "no packages/ directory" in err

    def test_scriptRunsStandalone(self, makeTree: Callable[..., Path]) -> None:
        """The script runs as `python tools/checks/docformat.py --root PATH`."""
        script = Path(__file__).resolve().parent.parent / "docformat.py"
        result = subprocess.run(
            [sys.executable, str(script), "--root", str(makeTree("restdocs"))],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1
        assert "10 violation(s)" in result.stderr


class DocstringsTests:
    """Which string literals count as docstrings."""

    def test_docstringsAreFirstStatementsAndAttributeDocstrings(
        self, docformat: ModuleType
    ) -> None:
        """Module, class, function and after-assignment strings; not other strings."""
        tree = ast.parse(
            '"""module"""\n'
            "x = 1\n"
            '"""attribute"""\n'
            '"""not after an assignment"""\n'
            "class C:\n"
            '    """class"""\n'
            "    async def f(self) -> None:\n"
            '        """method"""\n'
            "        y = 2\n"
            '        """local attribute"""\n'
            "def g() -> None:\n"
            "    pass\n"
            '    """not first"""\n'
        )
        assert sorted(docformat.docstrings(tree)) == [
            (1, "module"),
            (3, "attribute"),
            (6, "class"),
            (8, "method"),
            (10, "local attribute"),
        ]
