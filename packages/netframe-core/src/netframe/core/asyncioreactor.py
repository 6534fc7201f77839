"""
The asyncio reactor: netframe's reactor running on an asyncio event loop.

Install it before anything imports C{netframe.core.reactor}::

    from netframe.core import asyncioreactor
    asyncioreactor.install()

    from netframe.core import reactor
    reactor.run()          # runs loop.run_forever() until reactor.stop()

Inside a running loop (for example under C{asyncio.run()}), build the reactor
in a coroutine, where it takes the running loop, and await it::

    async def main() -> None:
        reactor = asyncioreactor.install()   # or AsyncioSelectorReactor()
        reactor.listenTCP(8000, factory)
        await reactor.runUntilStopped()      # returns after reactor.stop()

    asyncio.run(main())

Deferreds and asyncio futures convert both ways with
C{Deferred.fromFuture(future)} and C{deferred.asFuture(loop)}.

Any loop with working C{add_reader}/C{add_writer} works, uvloop's included
(C{AsyncioSelectorReactor(uvloop.new_event_loop())}); a Proactor loop is
refused with L{LoopNotSupportedError}.
"""

from __future__ import annotations

import asyncio

from netframe.core._asyncioreactor import AsyncioSelectorReactor, LoopNotSupportedError
from netframe.core.main import installReactor

__all__ = ["AsyncioSelectorReactor", "LoopNotSupportedError", "install"]

AsyncioSelectorReactor.__module__ = __name__
LoopNotSupportedError.__module__ = __name__


def install(eventloop: asyncio.AbstractEventLoop | None = None) -> AsyncioSelectorReactor:
    """
    Create an L{AsyncioSelectorReactor} on C{eventloop} and make it the global reactor.

    @param eventloop: the loop to run on; C{None} takes the running loop,
        else a new C{asyncio.SelectorEventLoop}.
    @return: the installed reactor.
    @raise ReactorAlreadyInstalledError: If a reactor is already installed
        (the new reactor is closed first).
    @raise LoopNotSupportedError: If the loop cannot watch descriptors.
    """
    reactor = AsyncioSelectorReactor(eventloop)
    try:
        installReactor(reactor)
    except BaseException:
        reactor._close()
        raise
    return reactor
