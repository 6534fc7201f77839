"""
Services that listen, connect, or call something periodically.

Each reactor method C{listenFoo} has a service C{FooServer} and each
C{connectFoo} a service C{FooClient}; their constructors take the same
arguments as the method (plus an optional keyword C{reactor}). A server
listens in C{privilegedStartService} (before netframe-twistd drops
privileges) and stops listening in C{stopService}; a client connects in
C{startService} and disconnects in C{stopService}. A service whose reactor
lacks the method can be built; starting it raises C{NotImplementedError}
naming the method.

  - L{TCPServer}, L{TCPClient}, L{UNIXServer}, L{UNIXClient}, L{SSLServer},
    L{SSLClient}, L{UDPServer}, L{UNIXDatagramServer},
    L{UNIXDatagramClient}, L{MulticastServer}.
  - L{TimerService}: call a function every C{step} seconds.
  - L{StreamServerEndpointService}: listen on any stream server endpoint.
  - L{ClientService}: keep a client connection open, reconnecting with
    backoff (L{backoffPolicy}); L{ClientService.whenConnected}.

Twisted's C{twisted.application.internet}.
"""

from __future__ import annotations

from netframe.app._internet import (
    ClientService,
    MulticastServer,
    SSLClient,
    SSLServer,
    StreamServerEndpointService,
    TCPClient,
    TCPServer,
    TimerService,
    UDPServer,
    UNIXClient,
    UNIXDatagramClient,
    UNIXDatagramServer,
    UNIXServer,
    backoffPolicy,
)

__all__ = [
    "ClientService",
    "MulticastServer",
    "SSLClient",
    "SSLServer",
    "StreamServerEndpointService",
    "TCPClient",
    "TCPServer",
    "TimerService",
    "UDPServer",
    "UNIXClient",
    "UNIXDatagramClient",
    "UNIXDatagramServer",
    "UNIXServer",
    "backoffPolicy",
]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
