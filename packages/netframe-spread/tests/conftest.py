"""
Fixtures for the pytest-style netframe.spread tests: log capture.

The PB tests are L{netframe.trial.unittest} test cases with their helpers in
their own module, so netframe-trial (which loads no conftest) runs them too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from netframe.logger import globalLogPublisher


@pytest.fixture
def events() -> Iterator[list[dict[str, Any]]]:
    """The log events emitted during the test."""
    captured: list[dict[str, Any]] = []
    globalLogPublisher.addObserver(captured.append)
    try:
        yield captured
    finally:
        globalLogPublisher.removeObserver(captured.append)
