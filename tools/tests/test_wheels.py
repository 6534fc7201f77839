"""Tests for tools/wheels.py helpers on the fixture monorepo (builds are in tests-integration)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest


class ClosureTests:
    """closure() returns a distribution plus its declared sibling closure, deps first."""

    def test_closureOfLeaf(self, wheels: ModuleType, repo: Path) -> None:
        """A distribution without siblings is its own closure."""
        assert wheels.closure("netframe-logger", repo) == ["netframe-logger"]

    def test_closureIsTransitiveAndOrdered(self, wheels: ModuleType, repo: Path) -> None:
        """cred needs core and logger; dependencies come before dependents."""
        assert wheels.closure("cred", repo) == ["netframe-logger", "netframe-core", "netframe-cred"]

    def test_cycleIsReported(self, wheels: ModuleType, repo: Path) -> None:
        """A sibling dependency cycle raises MonorepoError naming it."""
        pyproject = repo / "packages/netframe-logger/pyproject.toml"
        pyproject.write_text(
            pyproject.read_text().replace(
                '"zope.interface>=6.0",', '"zope.interface>=6.0", "netframe-cred>=1.2.0,<2.0.0",'
            )
        )
        with pytest.raises(
            wheels.MonorepoError,
            match="cycle: netframe-core -> netframe-logger -> netframe-cred -> netframe-core",
        ):
            wheels.closure("core", repo)

    def test_unknownNameIsReported(self, wheels: ModuleType, repo: Path) -> None:
        """An unknown distribution raises an error listing the known short names."""
        with pytest.raises(
            wheels.MonorepoError, match=r"unknown distribution 'web' \(known: core, cred, logger\)"
        ):
            wheels.closure("web", repo)


class RequirementsTests:
    """thirdPartyRequirements collects what pip must fetch from the index."""

    def test_thirdPartyRequirementsDeduplicated(self, wheels: ModuleType, repo: Path) -> None:
        """Each third-party requirement string appears once, siblings never."""
        names = ["logger", "core", "cred"]
        assert wheels.thirdPartyRequirements(names, repo) == ["zope.interface>=6.0"]
