"""Fixtures for the tests of tools/*.py: load a tool, copy the fixture monorepo."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

TOOLS = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "monorepo"

# The fixture monorepo's own tests run only inside tools/isolate.py's venvs.
collect_ignore = ["fixtures"]


def loadTool(name: str) -> ModuleType:
    """Import tools/<name>.py under a private module name."""
    moduleName = f"_netframe_tool_{name}"
    if moduleName in sys.modules:
        return sys.modules[moduleName]
    spec = importlib.util.spec_from_file_location(moduleName, TOOLS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[moduleName] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def release() -> ModuleType:
    """The tools/release.py module."""
    return loadTool("release")


@pytest.fixture(scope="session")
def wheels() -> ModuleType:
    """The tools/wheels.py module."""
    return loadTool("wheels")


@pytest.fixture(scope="session")
def isolateTool() -> ModuleType:
    """The tools/isolate.py module."""
    return loadTool("isolate")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the fixture monorepo (logger 0.1.0, core 0.1.3, cred 1.2.0)."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    return root
