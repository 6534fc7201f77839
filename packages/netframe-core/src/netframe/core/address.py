"""
Address objects: what C{transport.getHost()} and C{transport.getPeer()} return.

    >>> IPv4Address("TCP", "127.0.0.1", 8080)
    IPv4Address(type='TCP', host='127.0.0.1', port=8080)
"""

from __future__ import annotations

from netframe.core._address import HostnameAddress, IPv4Address, IPv6Address, UNIXAddress

__all__ = ["HostnameAddress", "IPv4Address", "IPv6Address", "UNIXAddress"]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
