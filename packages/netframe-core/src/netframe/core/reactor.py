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

__all__: list[str] = []

del sys.modules[__name__]
# Imported by name so type checkers do not see an import cycle through here.
importlib.import_module("netframe.core.default").install()
