"""The TLS layer's cache of combined interface declarations (PROVIDES_CACHE_SIZE)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from zope.interface import alsoProvides, providedBy
from zope.interface.interface import InterfaceClass

from netframe.core._tls import TLSMemoryBIOProtocol
from netframe.core.testing import StringTransport


def _markedTransports(count: int) -> list[tuple[InterfaceClass, StringTransport]]:
    """Make C{count} transports, each also providing its own marker interface."""
    result = []
    for index in range(count):
        marker = InterfaceClass(f"IMarker{index}", __doc__="A marker.")
        transport = StringTransport()
        alsoProvides(transport, marker)
        result.append((marker, transport))
    return result


#: The type of TLSMemoryBIOProtocol._providesCache.
_Cache = dict[tuple[int, int], tuple[Any, Any, Any]]


def _bareProtocol() -> TLSMemoryBIOProtocol:
    """A protocol object with its class's declarations and no connection."""
    return TLSMemoryBIOProtocol.__new__(TLSMemoryBIOProtocol)


@pytest.fixture
def smallCache(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Cache]:
    """Limit the shared cache to 3 entries, starting empty, and empty it afterwards."""
    cache = TLSMemoryBIOProtocol._providesCache
    saved = dict(cache)
    cache.clear()
    monkeypatch.setattr(TLSMemoryBIOProtocol, "PROVIDES_CACHE_SIZE", 3)
    yield cache
    cache.clear()
    cache.update(saved)


class ProvidesCacheTests:
    """PROVIDES_CACHE_SIZE bounds the cache; a cached declaration is reused exactly."""

    def test_atLimitAllKept(self, smallCache: _Cache) -> None:
        """Three distinct transports with a limit of 3 leave 3 entries, each correct."""
        for marker, transport in _markedTransports(3):
            protocol = _bareProtocol()
            protocol._provideTransportInterfaces(transport)
            assert marker.providedBy(protocol)
        assert len(smallCache) == 3

    def test_pastLimitClears(self, smallCache: _Cache) -> None:
        """A fourth distinct transport clears the full cache, then is cached alone."""
        pairs = _markedTransports(4)
        for marker, transport in pairs:
            protocol = _bareProtocol()
            protocol._provideTransportInterfaces(transport)
            assert marker.providedBy(protocol)
        assert len(smallCache) == 1

    def test_sameDeclarationsReused(self, smallCache: _Cache) -> None:
        """Two protocols over the same transport declarations share one declaration."""
        [(marker, transport)] = _markedTransports(1)
        first, second = _bareProtocol(), _bareProtocol()
        first._provideTransportInterfaces(transport)
        second._provideTransportInterfaces(transport)
        assert providedBy(first) is providedBy(second)
        assert marker.providedBy(cast(object, second))
        assert len(smallCache) == 1
