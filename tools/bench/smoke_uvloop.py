#!/usr/bin/env python3
"""
Smoke check: netframe's asyncio reactor on uvloop's event loop.

uvloop is not a test dependency, so the unit tests cannot cover it; the bench
environment installs it and this script exercises it end to end:

1. ``reactor.run()`` on ``uvloop.new_event_loop()``: a netframe echo server
   and a netframe client over loopback TCP, timers (ordering, cancel) and
   ``callFromThread`` from a worker thread;
2. inside ``asyncio.run()`` on a uvloop loop: ``await reactor.runUntilStopped()``
   serving an asyncio stream client, and a Deferred awaited as a Future.

Exits 0 when every check passed, 1 with a message otherwise.

    hatch run bench:python tools/bench/smoke_uvloop.py
"""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import Any


def checkRun() -> list[str]:
    """Run the reactor with run() on a uvloop loop; return the problems found."""
    import uvloop

    from netframe.core.asyncioreactor import AsyncioSelectorReactor
    from netframe.core.protocol import ClientFactory, Factory, Protocol

    loop = uvloop.new_event_loop()
    reactor = AsyncioSelectorReactor(loop)
    problems: list[str] = []
    seen: list[Any] = []

    class Echo(Protocol):
        def dataReceived(self, data: bytes) -> None:
            self.transport.write(data)

    class Client(Protocol):
        def connectionMade(self) -> None:
            self.transport.write(b"x" * 100_000)
            self.got = b""

        def dataReceived(self, data: bytes) -> None:
            self.got += data
            if len(self.got) == 100_000:
                seen.append("echoed")
                self.transport.loseConnection()

        def connectionLost(self, reason: Any) -> None:
            seen.append("client lost")
            threading.Thread(target=reactor.callFromThread, args=(seen.append, "thread")).start()
            reactor.callLater(0.05, reactor.stop)

    port = reactor.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")
    reactor.connectTCP("127.0.0.1", port.getHost().port, ClientFactory.forProtocol(Client))
    for i in range(5):
        reactor.callLater(0, seen.append, i)
    reactor.callLater(0, seen.append, "cancelled").cancel()
    watchdog = reactor.callLater(10, reactor.stop)
    reactor.run(installSignalHandlers=False)
    if not watchdog.active():
        problems.append("run(): the watchdog had to stop the reactor")
    else:
        watchdog.cancel()
    if seen[:5] != [0, 1, 2, 3, 4]:
        problems.append(f"run(): timers out of order: {seen[:5]}")
    for item in ("echoed", "client lost", "thread"):
        if item not in seen:
            problems.append(f"run(): {item!r} missing from {seen}")
    if "cancelled" in seen:
        problems.append("run(): a cancelled call ran")
    reactor._close()
    loop.close()
    return problems


def checkAsyncioRun() -> list[str]:
    """Run the reactor inside asyncio.run() on uvloop; return the problems found."""
    import uvloop

    from netframe.core.asyncioreactor import AsyncioSelectorReactor
    from netframe.core.defer import Deferred
    from netframe.core.protocol import Factory, Protocol

    class Echo(Protocol):
        def dataReceived(self, data: bytes) -> None:
            self.transport.write(data)

    async def main() -> list[str]:
        problems: list[str] = []
        reactor = AsyncioSelectorReactor()
        if not isinstance(reactor.eventloop, uvloop.Loop):
            problems.append(f"asyncio.run(): took {reactor.eventloop!r}, not the uvloop loop")
        port = reactor.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")

        async def client() -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port.getHost().port)
            writer.write(b"hello uvloop")
            if await reader.readexactly(12) != b"hello uvloop":
                problems.append("asyncio.run(): wrong echo")
            writer.close()
            await writer.wait_closed()
            d: Deferred[str] = Deferred()
            reactor.callLater(0.001, d.callback, "deferred")
            if await d.asFuture(asyncio.get_running_loop()) != "deferred":
                problems.append("asyncio.run(): Deferred as Future gave the wrong result")
            reactor.stop()

        task = asyncio.ensure_future(client())
        await asyncio.wait_for(reactor.runUntilStopped(), 10)
        await task
        reactor._close()
        return problems

    return uvloop.run(main())


def main() -> int:
    """Run both checks and report."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        print("smoke_uvloop: uvloop is not installed (it belongs in the bench env)")
        return 1
    problems = checkRun() + checkAsyncioRun()
    if problems:
        for p in problems:
            print(f"FAIL {p}")
        return 1
    print("smoke_uvloop: asyncio reactor on uvloop OK (run() and asyncio.run())")
    return 0


if __name__ == "__main__":
    sys.exit(main())
