"""
Resource-limiting and instrumentation policies for protocols and factories.

  - L{ProtocolWrapper}, L{WrappingFactory}: wrap a factory's protocols; the
    base of the other policies.
  - L{ThrottlingFactory} (L{ThrottlingProtocol}): per-second read/write
    bandwidth budgets and a connection cap.
  - L{LimitConnectionsByPeer}: at most C{maxConnectionsPerPeer} connections
    per host; L{LimitTotalConnectionsFactory}: at most C{connectionLimit}
    connections, with an optional C{overflowProtocol}.
  - L{TimeoutMixin}: close a connection after a quiet period, reset by the
    protocol; L{TimeoutFactory} (L{TimeoutProtocol}): the same for any
    factory, reset by any traffic.
  - L{SpewingFactory} (L{SpewingProtocol}): log all traffic;
    L{TrafficLoggingFactory} (L{TrafficLoggingProtocol}): write each
    connection's traffic to its own file.

Every limit is an attribute that can be set per instance or subclass.
Timers use an injectable clock (C{clock} attribute of the factories,
C{callLater} of L{TimeoutMixin}); the global reactor is imported only when
none was given.
"""

from __future__ import annotations

from netframe.core.protocols._policies import ProtocolWrapper, WrappingFactory
from netframe.core.protocols._policieslimits import (
    LimitConnectionsByPeer,
    LimitTotalConnectionsFactory,
    ThrottlingFactory,
    ThrottlingProtocol,
)
from netframe.core.protocols._policieslog import (
    SpewingFactory,
    SpewingProtocol,
    TrafficLoggingFactory,
    TrafficLoggingProtocol,
)
from netframe.core.protocols._policiestime import TimeoutFactory, TimeoutMixin, TimeoutProtocol

__all__ = [
    "LimitConnectionsByPeer",
    "LimitTotalConnectionsFactory",
    "ProtocolWrapper",
    "SpewingFactory",
    "SpewingProtocol",
    "ThrottlingFactory",
    "ThrottlingProtocol",
    "TimeoutFactory",
    "TimeoutMixin",
    "TimeoutProtocol",
    "TrafficLoggingFactory",
    "TrafficLoggingProtocol",
    "WrappingFactory",
]

for _obj in (
    LimitConnectionsByPeer,
    LimitTotalConnectionsFactory,
    ProtocolWrapper,
    SpewingFactory,
    SpewingProtocol,
    ThrottlingFactory,
    ThrottlingProtocol,
    TimeoutFactory,
    TimeoutMixin,
    TimeoutProtocol,
    TrafficLoggingFactory,
    TrafficLoggingProtocol,
    WrappingFactory,
):
    _obj.__module__ = __name__
del _obj
