"""
The global reactor.

C{from netframe.core import reactor} gives the installed reactor object; if
none was installed yet, importing this module installs the platform default
(L{netframe.core.default.install}).  The module object replaces itself in
C{sys.modules} with the reactor, so every later import finds the reactor.

To choose a reactor, install it first::

    from netframe.core import pollreactor
    pollreactor.install()
"""

from __future__ import annotations

import sys
from typing import Any

from netframe.core import default

__all__: list[str] = []

del sys.modules["netframe.core.reactor"]
default.install()


def __getattr__(name: str) -> Any:
    """Type-checking aid: attributes of the reactor are dynamic (never runs)."""
    raise AttributeError(name)
