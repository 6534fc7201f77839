"""
Type-checked, never run: the global reactor's methods are usable without type errors.

C{hatch run types:check packages/netframe-core/tests/typing} must pass on it.
"""

from __future__ import annotations

from netframe.core import reactor
from netframe.core.protocol import Factory, Protocol


def main() -> None:
    """Use the global reactor the way the manual shows."""
    port = reactor.listenTCP(0, Factory.forProtocol(Protocol), interface="127.0.0.1")
    reactor.callLater(1.0, port.stopListening)
    reactor.callLater(2.0, reactor.stop)
    reactor.run()
