"""
Endpoints: where to listen or connect, separated from doing it.

  - L{TCP4ServerEndpoint}, L{TCP6ServerEndpoint}: C{listen(factory)} returns a
    Deferred firing with an L{IListeningPort}.
  - L{TCP4ClientEndpoint}, L{TCP6ClientEndpoint}: C{connect(factory)} returns a
    Deferred firing with the connected protocol; cancel it to give up.
  - L{HostnameEndpoint}: connect to a host name, racing its IPv4 and IPv6
    addresses (RFC 8305 "happy eyeballs"); the first connection wins.
  - L{UNIXServerEndpoint}, L{UNIXClientEndpoint}: UNIX stream sockets;
    L{AdoptedStreamServerEndpoint}: a listening socket given as a descriptor.
  - L{SSL4ServerEndpoint}, L{SSL4ClientEndpoint}: TLS over TCP;
    L{wrapClientTLS}: TLS over any client endpoint (needs the C{tls} extra).
  - L{connectProtocol}: connect a protocol instance through a client endpoint.
  - L{serverFromString}, L{clientFromString}: endpoints from description
    strings such as C{"tcp:8080:interface=127.0.0.1"}: tcp, tcp6, unix,
    systemd socket activation, C{tls:} and C{ssl:} clients and the C{ssl:}
    server (see L{netframe.core._endpoints_tls} for the TLS arguments).
    Other prefixes come from third-party parsers registered in the entry-point
    group C{netframe.endpoints} (entry point name = prefix, object providing
    L{IStreamServerEndpointStringParser} and/or
    L{IStreamClientEndpointStringParserWithReactor}); built-in prefixes win.
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
from netframe.core._endpoints_tls import SSL4ClientEndpoint, SSL4ServerEndpoint, wrapClientTLS
from netframe.core._endpoints_unix import (
    AdoptedStreamServerEndpoint,
    UNIXClientEndpoint,
    UNIXServerEndpoint,
)
from netframe.core._hostname import HostnameEndpoint

__all__ = [
    "AdoptedStreamServerEndpoint",
    "HostnameEndpoint",
    "SSL4ClientEndpoint",
    "SSL4ServerEndpoint",
    "TCP4ClientEndpoint",
    "TCP4ServerEndpoint",
    "TCP6ClientEndpoint",
    "TCP6ServerEndpoint",
    "UNIXClientEndpoint",
    "UNIXServerEndpoint",
    "clientFromString",
    "connectProtocol",
    "serverFromString",
    "wrapClientTLS",
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
    AdoptedStreamServerEndpoint,
    UNIXClientEndpoint,
    UNIXServerEndpoint,
    SSL4ClientEndpoint,
    SSL4ServerEndpoint,
    wrapClientTLS,
):
    _obj.__module__ = __name__
del _obj
