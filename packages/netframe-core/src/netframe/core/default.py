"""
Install the best reactor for this platform: epoll, else poll, else select.

C{netframe.core.reactor} calls L{install} when imported before any reactor
was installed.
"""

from __future__ import annotations

import select
from typing import Any

__all__ = ["install"]


def _bestReactorModule() -> Any:
    """Return the reactor module best suited to this platform."""
    if hasattr(select, "epoll"):
        from netframe.core import epollreactor

        return epollreactor
    if hasattr(select, "poll"):  # pragma: no cover - non-Linux POSIX
        from netframe.core import pollreactor

        return pollreactor
    from netframe.core import selectreactor  # pragma: no cover - no poll(2)

    return selectreactor  # pragma: no cover


def install() -> Any:
    """
    Install the platform's default reactor (epoll, else poll, else select).

    @return: the installed reactor.
    @raise ReactorAlreadyInstalledError: If a reactor is already installed.
    """
    reactor: Any = _bestReactorModule().install()
    return reactor
