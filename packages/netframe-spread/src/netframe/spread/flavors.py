"""
The flavors of objects Perspective Broker can send (Twisted's
C{twisted.spread.flavors}).

  - L{Referenceable} (and L{Root}): the peer gets a reference; its
    C{remote_*} methods are remotely callable.
  - L{Viewable}: the peer gets a L{ViewPoint}; C{view_*} methods receive the
    caller's perspective first (it cannot be spoofed).
  - L{Copyable} / L{RemoteCopy}: sent by value as C{[class name, state]}; the
    receiver registers its RemoteCopy with L{setUnjellyableForClass}.
  - L{Cacheable} / L{RemoteCache}: copied once per connection, then updated
    through a L{RemoteCacheObserver} calling C{observe_*} methods; the
    sender's C{stoppedObserving} runs when the receiver's cache is collected.

Only methods with these prefixes are reachable from the network; attributes
never are (L{NoSuchMethod} otherwise).
"""

from __future__ import annotations

from netframe.spread._flavors import (
    Cacheable,
    Copyable,
    IPBRoot,
    NoSuchMethod,
    Referenceable,
    RemoteCache,
    RemoteCacheObserver,
    RemoteCopy,
    Root,
    Serializable,
    Viewable,
    ViewPoint,
)
from netframe.spread._jelly import setUnjellyableForClass, setUnjellyableForClassTree

__all__ = [
    "Cacheable",
    "Copyable",
    "IPBRoot",
    "NoSuchMethod",
    "Referenceable",
    "RemoteCache",
    "RemoteCacheObserver",
    "RemoteCopy",
    "Root",
    "Serializable",
    "ViewPoint",
    "Viewable",
    "setUnjellyableForClass",
    "setUnjellyableForClassTree",
]

for _public in (
    Cacheable,
    Copyable,
    NoSuchMethod,
    Referenceable,
    RemoteCache,
    RemoteCacheObserver,
    RemoteCopy,
    Root,
    Serializable,
    ViewPoint,
    Viewable,
):
    _public.__module__ = __name__
del _public
