"""
Shared fixtures of the netframe-app tests: captured log events, and
helpers that run real netframe-twistd subprocesses (bounded in time and
always killed at teardown).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from netframe.logger import capturedLogs


@pytest.fixture
def capturedEvents() -> Iterator[list[dict[str, Any]]]:
    """The log events emitted during the test."""
    with capturedLogs() as events:
        yield events
