"""Shared pytest configuration for netframe-core's tests."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """
    Collect the `FooTests` classes the project's convention names (COMMON.md).

    The root pytest config does not set `python_classes` yet; until it does, add the
    pattern here (idempotent, so it is harmless once the root config has it).
    """
    classes = config.getini("python_classes")
    if "*Tests" not in classes:
        classes.append("*Tests")
