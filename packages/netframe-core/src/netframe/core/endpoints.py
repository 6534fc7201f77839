"""
Endpoints: where to listen or connect, separated from doing it.

- L{TCP4ServerEndpoint}, L{TCP6ServerEndpoint}: C{listen(factory)} returns a
  Deferred firing with an L{IListeningPort}.
- L{TCP4ClientEndpoint}, L{TCP6ClientEndpoint}: C{connect(factory)} returns a
  Deferred firing with the connected protocol; cancel it to give up.
- L{HostnameEndpoint}: connect to a host name, racing its IPv4 and IPv6
  addresses (RFC 8305 "happy eyeballs"); the first connection wins.
- L{connectProtocol}: connect a protocol instance through a client endpoint.
- L{serverFromString}, L{clientFromString}: endpoints from description
  strings such as C{"tcp:8080:interface=127.0.0.1"} (TCP and TCP6 in this
  version; unix, ssl, tls and systemd come later).
"""

from __future__ import annotations

from netframe.core._endpoints import (
    TCP4ClientEndpoint,
    TCP4ServerEndpoint,
    TCP6ClientEndpoint,
    TCP6ServerEndpoint,
    clientFromString,
    connectProtocol,
    serverFromString,
)
from netframe.core._hostname import HostnameEndpoint

__all__ = [
    "HostnameEndpoint",
    "TCP4ClientEndpoint",
    "TCP4ServerEndpoint",
    "TCP6ClientEndpoint",
    "TCP6ServerEndpoint",
    "clientFromString",
    "connectProtocol",
    "serverFromString",
]

for _obj in (
    HostnameEndpoint,
    TCP4ClientEndpoint,
    TCP4ServerEndpoint,
    TCP6ClientEndpoint,
    TCP6ServerEndpoint,
    clientFromString,
    connectProtocol,
    serverFromString,
):
    _obj.__module__ = __name__
del _obj
