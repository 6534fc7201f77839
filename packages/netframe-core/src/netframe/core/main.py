"""
Reactor installation bookkeeping and the two standard connection-loss reasons.

C{installReactor(reactor)} makes C{reactor} the global reactor: afterwards
C{from netframe.core import reactor} gives that object. C{CONNECTION_DONE} and
C{CONNECTION_LOST} are the L{Failure}s transports pass to C{connectionLost}.
"""

from __future__ import annotations

import sys

from netframe.core.error import ConnectionDone, ConnectionLost, ReactorAlreadyInstalledError
from netframe.core.failure import Failure

__all__ = ["CONNECTION_DONE", "CONNECTION_LOST", "installReactor"]

#: The reason given to C{connectionLost} for a connection closed cleanly.
CONNECTION_DONE: Failure = Failure(ConnectionDone())
CONNECTION_DONE.cleanFailure()

#: The reason given to C{connectionLost} for a connection lost non-cleanly.
CONNECTION_LOST: Failure = Failure(ConnectionLost())
CONNECTION_LOST.cleanFailure()

_REACTOR_MODULE = "netframe.core.reactor"


def installReactor(reactor: object) -> None:
    """
    Make C{reactor} the global reactor.

    The object is published as the module C{netframe.core.reactor} (in
    C{sys.modules}) and as the attribute C{reactor} of the C{netframe.core}
    package, which is what C{from netframe.core import reactor} finds.

    @param reactor: The reactor object to install.
    @raise ReactorAlreadyInstalledError: If a reactor is already installed
        (including the default one, installed by importing
        C{netframe.core.reactor}).
    """
    if _REACTOR_MODULE in sys.modules:
        raise ReactorAlreadyInstalledError("reactor already installed")
    import netframe.core as package

    package.reactor = reactor  # type: ignore[attr-defined]
    sys.modules[_REACTOR_MODULE] = reactor  # type: ignore[assignment]
