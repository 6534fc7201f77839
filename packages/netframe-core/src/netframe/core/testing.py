"""
Fakes for testing protocols and reactor users without sockets or real time.

Public API (Twisted's C{twisted.internet.testing}, C{proto_helpers} and
C{iosim}):

  - L{StringTransport}: records what a protocol writes (C{value()}).
  - L{StringTransportWithDisconnection}: also calls C{connectionLost}.
  - L{AccumulatingProtocol}: records what a transport delivers.
  - L{MemoryReactor}, L{MemoryReactorClock}, L{RaisingMemoryReactor}: record
    C{listen*}/C{connect*} calls; the clock variant fakes time too.
  - L{EventLoggingObserver}: collects log events.
  - L{FakeTransport}, L{IOPump}, L{connect}, L{connectedServerAndClient}: a
    client and a server protocol connected in memory, moved by C{pump()}.

Production code never imports this module.
"""

from __future__ import annotations

from netframe.core._testing import (
    AccumulatingProtocol,
    EventLoggingObserver,
    MemoryReactor,
    MemoryReactorClock,
    NonStreamingProducer,
    RaisingMemoryReactor,
    StringTransport,
    StringTransportWithDisconnection,
)
from netframe.core._testingiosim import (
    FakeTransport,
    IOPump,
    connect,
    connectedServerAndClient,
    makeFakeClient,
    makeFakeServer,
)

__all__ = [
    "AccumulatingProtocol",
    "EventLoggingObserver",
    "FakeTransport",
    "IOPump",
    "MemoryReactor",
    "MemoryReactorClock",
    "NonStreamingProducer",
    "RaisingMemoryReactor",
    "StringTransport",
    "StringTransportWithDisconnection",
    "connect",
    "connectedServerAndClient",
    "makeFakeClient",
    "makeFakeServer",
]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
