"""
Docstring-format check for the netframe monorepo: docstrings are epytext, never reST.

The API reference is rendered by pydoctor with ``--docformat=epytext`` (CONTRIBUTING.md),
so reST markup in a docstring shows up verbatim in the manual. For every ``.py`` file
under ``packages/*/src`` and ``examples/*/src``, every docstring (module, class, function,
and the string right after an assignment that documents an attribute) is searched for:

- reST fields at the start of a line: ``:param x:``, ``:type x:``, ``:returns:``,
  ``:rtype:``, ``:raises E:``, ``:ivar x:``, ``:cvar x:``, ``:var x:``, ``:keyword x:``
  (epytext: ``@param x:``, ``@type x:``, ``@return:``, ``@rtype:``, ``@raise E:``,
  ``@ivar x:``...);
- reST cross-reference roles: ``:class:`X```, ``:func:``, ``:meth:``, ``:mod:``,
  ``:attr:``, ``:exc:``, ``:obj:``, ``:data:``, ``:const:``, ``:py:...:``
  (epytext: ``L{X}``);
- double-backtick inline literals (epytext: ``C{code}``).

Comments and other string literals are not docstrings and are not checked.

Usage: ``python tools/checks/docformat.py [--root PATH]``. Exit status 1 with one line
per violation (``file:line: ...``), 0 with a one-line summary when clean, 2 when the tree
cannot be read.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _monorepo import loadMonorepo, runCheck

__all__ = ["PATTERNS", "checkDocformat", "docstrings", "main"]

PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"^\s*:(?P<what>param|parameter|arg|argument|key|keyword|kwarg|type|returns?"
            r"|rtype|raises?|except|exception|ivar|cvar|var|yields?)\b[^:\n]*:"
        ),
        "reST field ':{what}': use the epytext field '@{epy}'",
    ),
    (
        re.compile(
            r":(?P<what>(?:py:)?(?:class|func|meth|mod|attr|exc|obj|data|const|function"
            r"|method|module|exception|attribute)):`"
        ),
        "reST role ':{what}:`...`': use the epytext link L{{...}}",
    ),
    (
        re.compile(r"``(?P<what>[^`\n]+)``"),
        "reST inline literal ``{what}``: use the epytext C{{{what}}}",
    ),
)
"""(pattern, message) pairs; a pattern's ``what`` group fills the message."""

_EPYTEXT_FIELDS = {
    "parameter": "param",
    "arg": "param",
    "argument": "param",
    "key": "keyword",
    "kwarg": "keyword",
    "returns": "return",
    "raises": "raise",
    "except": "raise",
    "exception": "raise",
    "yields": "return",
    "yield": "return",
}

_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _isString(node: ast.stmt) -> bool:
    """Tell whether ``node`` is an expression statement that is a string literal."""
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def docstrings(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """
    Yield ``(first line, text)`` for every docstring of a parsed module.

    Docstrings are the first statement of a module, class or function body when it is a
    string literal, and a string literal statement right after an assignment (an
    attribute docstring, which pydoctor renders too).
    """
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list) or not body:
            continue
        statements: list[ast.stmt] = [s for s in body if isinstance(s, ast.stmt)]
        for index, statement in enumerate(statements):
            if not _isString(statement):
                continue
            first = index == 0 and isinstance(node, _DOCUMENTED)
            afterAssignment = index > 0 and isinstance(
                statements[index - 1], (ast.Assign, ast.AnnAssign)
            )
            if first or afterAssignment:
                assert isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
                yield statement.lineno, statement.value.value


def _violations(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line offset within the docstring, message)`` for each reST construct."""
    for offset, line in enumerate(text.splitlines()):
        for pattern, message in PATTERNS:
            for match in pattern.finditer(line):
                what = match.group("what")
                epy = _EPYTEXT_FIELDS.get(what, what)
                yield offset, message.format(what=what, epy=epy)


def _sourceFiles(root: Path) -> list[Path]:
    """Every ``.py`` file of ``packages/*/src`` and ``examples/*/src`` under ``root``."""
    files: list[Path] = []
    for dist in loadMonorepo(root).values():
        files.extend(dist.sourceFiles())
    for src in sorted((root / "examples").glob("*/src")):
        files.extend(sorted(p for p in src.rglob("*.py") if "__pycache__" not in p.parts))
    return files


def checkDocformat(root: Path) -> tuple[list[str], str]:
    """
    Run the docstring-format check on the monorepo at ``root``.

    Returns the violation lines (empty when clean) and a one-line summary. Raises
    MonorepoError when the tree cannot be read.
    """
    errors: list[str] = []
    fileCount = 0
    docstringCount = 0
    for path in _sourceFiles(root):
        fileCount += 1
        rel = path.relative_to(root)
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as exc:
            errors.append(f"{rel}:{exc.lineno}: does not parse: {exc.msg}")
            continue
        found = []
        for line, text in docstrings(tree):
            docstringCount += 1
            for offset, message in _violations(text):
                found.append((line + offset, message))
        errors.extend(f"{rel}:{line}: {message}" for line, message in sorted(found))
    summary = f"docformat: OK ({fileCount} files, {docstringCount} docstrings checked, all epytext)"
    return errors, summary


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    return runCheck("docformat", checkDocformat, __doc__.strip().splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
