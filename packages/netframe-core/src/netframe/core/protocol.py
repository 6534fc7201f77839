"""
Protocols and factories: the classes applications subclass.

A L{Protocol} handles one connection's events (C{connectionMade},
C{dataReceived}, C{connectionLost}); a L{Factory} builds one protocol per
connection and keeps the state they share. L{ClientFactory} and
L{ReconnectingClientFactory} serve the reactor's C{connect*} methods,
L{DatagramProtocol} serves UDP and L{ProcessProtocol} child processes.
"""

from __future__ import annotations

from netframe.core._protocol import (
    AbstractDatagramProtocol,
    BaseProtocol,
    ClientCreator,
    ClientFactory,
    ConnectedDatagramProtocol,
    DatagramProtocol,
    Factory,
    ProcessProtocol,
    Protocol,
    ReconnectingClientFactory,
    ServerFactory,
    connectionDone,
)

__all__ = [
    "AbstractDatagramProtocol",
    "BaseProtocol",
    "ClientCreator",
    "ClientFactory",
    "ConnectedDatagramProtocol",
    "DatagramProtocol",
    "Factory",
    "ProcessProtocol",
    "Protocol",
    "ReconnectingClientFactory",
    "ServerFactory",
    "connectionDone",
]

for _name in __all__:
    if _name != "connectionDone":
        globals()[_name].__module__ = __name__
del _name
