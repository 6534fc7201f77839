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

import importlib
import sys
from typing import TYPE_CHECKING, Any

__all__: list[str] = []

if TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """
        For type checkers only: at run time this module is the reactor object, so
        C{reactor.listenTCP(...)}, C{reactor.callLater(...)} and the rest of its
        interfaces are attributes of it (typed C{Any} here, as any reactor may be
        installed).
        """


del sys.modules[__name__]
# Imported by name so type checkers do not see an import cycle through here.
importlib.import_module("netframe.core.default").install()
