"""Fixtures for the checkers' tests: load a checker, build a fixture tree in tmp_path."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

CHECKS = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _load(name: str) -> ModuleType:
    """Import tools/checks/<name>.py under a private module name."""
    moduleName = f"_netframe_check_{name}"
    if moduleName in sys.modules:
        return sys.modules[moduleName]
    spec = importlib.util.spec_from_file_location(moduleName, CHECKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[moduleName] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def siblings() -> ModuleType:
    """The tools/checks/siblings.py module."""
    return _load("siblings")


@pytest.fixture(scope="session")
def privates() -> ModuleType:
    """The tools/checks/privates.py module."""
    return _load("privates")


@pytest.fixture(scope="session")
def docformat() -> ModuleType:
    """The tools/checks/docformat.py module."""
    return _load("docformat")


@pytest.fixture
def makeTree(tmp_path: Path) -> Callable[..., Path]:
    """
    Return a function building a monorepo in tmp_path: the clean fixture tree, then
    the named overlay trees copied over it, then textual replacements
    ``{relative path: (old, new)}`` applied to its files.
    """

    def make(*overlays: str, replace: dict[str, tuple[str, str]] | None = None) -> Path:
        root = tmp_path / "repo"
        shutil.copytree(FIXTURES / "clean", root)
        for overlay in overlays:
            shutil.copytree(FIXTURES / overlay, root, dirs_exist_ok=True)
        for rel, (old, new) in (replace or {}).items():
            path = root / rel
            text = path.read_text()
            assert old in text, f"{old!r} not in {rel}"
            path.write_text(text.replace(old, new))
        return root

    return make
