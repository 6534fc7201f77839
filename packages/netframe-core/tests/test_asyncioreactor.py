"""
Tests for netframe.core.asyncioreactor beyond the shared conformance suite
(which runs every reactor test on it too): loop selection, refusing loops
that cannot watch descriptors, running inside asyncio.run(), Deferred/Future
interop, the single loop timer and installation by name.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Iterator
from typing import Any, cast

import pytest
from zope.interface.verify import verifyObject

from netframe.core import asyncioreactor, error, reactors
from netframe.core.asyncioreactor import AsyncioSelectorReactor, LoopNotSupportedError
from netframe.core.defer import CancelledError, Deferred
from netframe.core.interfaces import (
    IReactorCore,
    IReactorFDSet,
    IReactorFromThreads,
    IReactorTCP,
    IReactorTime,
)
from netframe.core.protocol import Factory, Protocol
from netframe.logger import capturedLogs

#: Seconds any reactor run in this module may take before it is stopped.
WATCHDOG = 10.0


def openFds() -> int:
    """Return how many descriptors the process has open."""
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def reactor() -> Iterator[AsyncioSelectorReactor]:
    """A reactor on its own new SelectorEventLoop, closed after the test."""
    r = AsyncioSelectorReactor()
    yield r
    r.disconnectAll()
    r._close()


@pytest.fixture
def globalSlot() -> Iterator[None]:
    """Empty the global reactor slot for a test and restore it afterwards."""
    import netframe.core as package

    saved = sys.modules.pop("netframe.core.reactor", None)
    savedAttr = package.__dict__.pop("reactor", None)
    yield None
    sys.modules.pop("netframe.core.reactor", None)
    package.__dict__.pop("reactor", None)
    if saved is not None:
        sys.modules["netframe.core.reactor"] = saved
    if savedAttr is not None:
        package.__dict__["reactor"] = savedAttr


class Echo(Protocol):
    """Echoes what it receives."""

    transport: Any

    def dataReceived(self, data: bytes) -> None:
        self.transport.write(data)


def runWithWatchdog(r: AsyncioSelectorReactor) -> None:
    """Run C{r} until stopped; fail the test if the watchdog has to stop it."""
    fired: list[bool] = []

    def watchdog() -> None:
        fired.append(True)
        r.stop()

    call = r.callLater(WATCHDOG, watchdog)
    r.run(installSignalHandlers=False)
    if call.active():
        call.cancel()
    assert not fired, "the reactor did not stop within the watchdog period"


class InterfaceTests:
    """The asyncio reactor provides the reactor interfaces."""

    @pytest.mark.parametrize(
        "iface", [IReactorCore, IReactorTime, IReactorFromThreads, IReactorFDSet, IReactorTCP]
    )
    def test_providesInterface(self, reactor: AsyncioSelectorReactor, iface: Any) -> None:
        """verifyObject passes for each interface."""
        assert verifyObject(iface, reactor)

    def test_publicModulePath(self) -> None:
        """The classes are published under netframe.core.asyncioreactor."""
        assert AsyncioSelectorReactor.__module__ == "netframe.core.asyncioreactor"
        assert LoopNotSupportedError.__module__ == "netframe.core.asyncioreactor"


class LoopSelectionTests:
    """Which loop the reactor runs on, and who closes it."""

    def test_newSelectorLoopWhenNoneRuns(self) -> None:
        """Without a running loop the reactor creates a SelectorEventLoop and closes it."""
        r = AsyncioSelectorReactor()
        loop = r.eventloop
        assert isinstance(loop, asyncio.SelectorEventLoop)
        r._close()
        assert loop.is_closed()

    def test_givenLoopIsUsedAndLeftOpen(self) -> None:
        """A loop passed in is used and not closed by the reactor."""
        loop = asyncio.SelectorEventLoop()
        try:
            r = AsyncioSelectorReactor(loop)
            assert r.eventloop is loop
            wakerFd = r._waker.fileno()
            r._close()
            assert not loop.is_closed()
            assert loop.remove_reader(wakerFd) is False
        finally:
            loop.close()

    def test_runningLoopIsTaken(self) -> None:
        """Created inside a coroutine, the reactor uses the running loop."""

        async def main() -> bool:
            r = AsyncioSelectorReactor()
            same = r.eventloop is asyncio.get_running_loop()
            r._close()
            return same

        assert asyncio.run(main()) is True

    def test_secondsIsLoopTime(self, reactor: AsyncioSelectorReactor) -> None:
        """The reactor's clock is the loop's clock."""
        before = reactor.eventloop.time()
        now = reactor.seconds()
        assert before <= now <= reactor.eventloop.time()


class RefusedLoopTests:
    """Loops that cannot watch descriptors are refused clearly."""

    def test_loopWithoutAddReaderRefused(self) -> None:
        """An object without add_reader/add_writer raises LoopNotSupportedError."""

        class NoReaders:
            pass

        with pytest.raises(LoopNotSupportedError, match="add_reader"):
            AsyncioSelectorReactor(NoReaders())  # type: ignore[arg-type]

    def test_proactorLikeLoopRefusedWithoutLeak(self) -> None:
        """A loop whose add_reader is not implemented is refused; no descriptor leaks."""

        class ProactorLike(asyncio.SelectorEventLoop):
            def add_reader(self, fd: Any, callback: Any, *args: Any) -> None:  # type: ignore[override]
                raise NotImplementedError

        loop = ProactorLike()
        try:
            before = openFds()
            with pytest.raises(LoopNotSupportedError, match="Proactor"):
                AsyncioSelectorReactor(loop)
            assert openFds() == before
        finally:
            loop.close()


class RunTests:
    """Running the reactor with run(), and inside asyncio.run()."""

    def test_runStopsLoopAfterShutdownTriggers(self, reactor: AsyncioSelectorReactor) -> None:
        """run() returns after stop() ran the shutdown triggers; the loop is not running."""
        seen: list[str] = []
        reactor.addSystemEventTrigger("before", "shutdown", seen.append, "before")
        reactor.addSystemEventTrigger("after", "shutdown", seen.append, "after")
        reactor.callWhenRunning(reactor.stop)
        runWithWatchdog(reactor)
        assert seen == ["before", "after"]
        assert not reactor.eventloop.is_running()
        assert not reactor.running

    def test_runInsideRunningLoopRefused(self) -> None:
        """run() inside a running loop raises RuntimeError naming runUntilStopped."""

        async def main() -> str:
            r = AsyncioSelectorReactor()
            try:
                r.run()
            except RuntimeError as e:
                return str(e)
            finally:
                r._close()
            return ""

        message = asyncio.run(main())
        assert "runUntilStopped" in message

    def test_runUntilStoppedServesAsyncioClient(self) -> None:
        """Inside asyncio.run(), a netframe server answers an asyncio stream client."""

        async def main() -> tuple[bytes, list[str]]:
            r = AsyncioSelectorReactor()
            seen: list[str] = []
            r.addSystemEventTrigger("during", "shutdown", seen.append, "shutdown")
            port = r.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")

            async def client() -> bytes:
                reader, writer = await asyncio.open_connection("127.0.0.1", port.getHost().port)
                writer.write(b"hello asyncio")
                data = await reader.readexactly(13)
                writer.close()
                await writer.wait_closed()
                r.stop()
                return data

            task = asyncio.ensure_future(client())
            r.callLater(WATCHDOG, r.crash)
            await asyncio.wait_for(r.runUntilStopped(), WATCHDOG + 1)
            data = await task
            r._close()
            return data, seen

        data, seen = asyncio.run(main())
        assert data == b"hello asyncio"
        assert seen == ["shutdown"]

    def test_runUntilStoppedLogsMainLoopTerminated(self) -> None:
        """runUntilStopped returning logs "Main loop terminated."."""

        async def main() -> None:
            r = AsyncioSelectorReactor()
            r.callWhenRunning(r.stop)
            await r.runUntilStopped()
            r._close()

        with capturedLogs() as events:
            asyncio.run(main())
        assert any(e.get("log_format") == "Main loop terminated." for e in events)

    def test_cancelledWaitShutsDown(self) -> None:
        """Cancelling the task awaiting runUntilStopped runs the shutdown triggers."""

        async def main() -> tuple[list[str], bool]:
            r = AsyncioSelectorReactor()
            seen: list[str] = []
            r.addSystemEventTrigger("before", "shutdown", seen.append, "shutdown")
            task = asyncio.ensure_future(r.runUntilStopped())
            r.callWhenRunning(task.cancel)
            cancelled = False
            try:
                await task
            except asyncio.CancelledError:
                cancelled = True
            r._close()
            return seen, cancelled and not r.running

        seen, cancelled = asyncio.run(main())
        assert seen == ["shutdown"]
        assert cancelled

    def test_startRunningWithoutBlocking(self) -> None:
        """startRunning() inside a running loop starts the reactor; stop() shuts it down."""

        async def main() -> list[str]:
            r = AsyncioSelectorReactor()
            seen: list[str] = []
            r.addSystemEventTrigger("after", "shutdown", seen.append, "shutdown")
            r.startRunning(installSignalHandlers=False)
            seen.append(f"running={r.running}")
            d: Deferred[str] = Deferred()
            r.callLater(0.001, d.callback, "timer")
            seen.append(await d.asFuture(asyncio.get_running_loop()))
            r.stop()
            with pytest.raises(error.ReactorNotRunning):
                r.stop()
            stopped: Deferred[None] = Deferred()
            r.addSystemEventTrigger("after", "shutdown", stopped.callback, None)
            await stopped.asFuture(asyncio.get_running_loop())
            r._close()
            return seen

        assert asyncio.run(main()) == ["running=True", "timer", "shutdown"]

    def test_runUntilStoppedRefusedOnOtherLoop(self, reactor: AsyncioSelectorReactor) -> None:
        """Awaiting runUntilStopped on a different loop raises RuntimeError."""

        async def main() -> None:
            await reactor.runUntilStopped()

        with pytest.raises(RuntimeError, match="own loop"):
            asyncio.run(main())

    def test_notRestartable(self, reactor: AsyncioSelectorReactor) -> None:
        """A stopped asyncio reactor cannot run again."""
        reactor.callWhenRunning(reactor.stop)
        runWithWatchdog(reactor)
        with pytest.raises(error.ReactorNotRestartable):
            reactor.run(installSignalHandlers=False)


class DeferredFutureTests:
    """Deferred <-> Future interop with the reactor's loop."""

    def test_deferredFromLoopFuture(self, reactor: AsyncioSelectorReactor) -> None:
        """Deferred.fromFuture fires when a loop future resolved by a loop timer does."""
        results: list[Any] = []
        future: asyncio.Future[int] = reactor.eventloop.create_future()
        reactor.eventloop.call_later(0.001, future.set_result, 42)
        d = Deferred.fromFuture(future)
        d.addCallback(results.append)
        d.addBoth(lambda _: reactor.stop())
        runWithWatchdog(reactor)
        assert results == [42]

    def test_awaitDeferredFiredByCallLater(self, reactor: AsyncioSelectorReactor) -> None:
        """A coroutine on the loop awaits a Deferred the reactor fires from callLater."""
        results: list[str] = []

        async def waiter() -> None:
            d: Deferred[str] = Deferred()
            reactor.callLater(0.001, d.callback, "fired")
            results.append(await d.asFuture(reactor.eventloop))
            reactor.stop()

        reactor.callWhenRunning(lambda: reactor.eventloop.create_task(waiter()))
        runWithWatchdog(reactor)
        assert results == ["fired"]

    def test_cancelFutureCancelsDeferred(self, reactor: AsyncioSelectorReactor) -> None:
        """Cancelling the future from asFuture cancels the Deferred."""
        failures: list[Any] = []
        d: Deferred[str] = Deferred()
        d.addErrback(failures.append)
        future = d.asFuture(reactor.eventloop)
        reactor.callLater(0, future.cancel)
        reactor.callLater(0.01, reactor.stop)
        runWithWatchdog(reactor)
        assert len(failures) == 1
        assert failures[0].check(CancelledError) is not None


class LoopTimerTests:
    """The reactor holds one loop timer, for its earliest delayed call."""

    def test_oneLoopTimerForEarliestCall(self, reactor: AsyncioSelectorReactor) -> None:
        """Scheduling later calls keeps the loop timer at the earliest one."""
        first = reactor.callLater(5, lambda: None)
        handle = reactor._timerHandle
        reactor.callLater(6, lambda: None)
        reactor.callLater(7, lambda: None)
        assert reactor._timerHandle is handle
        assert handle is not None and handle.when() == first.getTime()
        earlier = reactor.callLater(1, lambda: None)
        assert reactor._timerHandle is not handle and handle.cancelled()
        assert reactor._timerHandle is not None
        assert reactor._timerHandle.when() == earlier.getTime()

    def test_resetEarlierMovesLoopTimer(self, reactor: AsyncioSelectorReactor) -> None:
        """reset() to an earlier time re-arms the loop timer."""
        call = reactor.callLater(5, lambda: None)
        call.reset(0.5)
        assert reactor._timerHandle is not None
        assert reactor._timerHandle.when() == call.getTime()

    def test_cancelledHeadSkipped(self, reactor: AsyncioSelectorReactor) -> None:
        """A cancelled earliest call does not run; the next one still does."""
        seen: list[str] = []
        reactor.callLater(0, seen.append, "cancelled").cancel()
        reactor.callLater(0.002, seen.append, "runs")
        reactor.callLater(0.004, reactor.stop)
        runWithWatchdog(reactor)
        assert seen == ["runs"]

    def test_getDelayedCallsPendingOnly(self, reactor: AsyncioSelectorReactor) -> None:
        """getDelayedCalls lists pending calls in due order, without cancelled ones."""
        a = reactor.callLater(2, lambda: None)
        b = reactor.callLater(1, lambda: None)
        c = reactor.callLater(3, lambda: None)
        c.cancel()
        a.reset(0.5)
        assert reactor.getDelayedCalls() == [a, b]

    def test_sameTimeCallsInOrder(self, reactor: AsyncioSelectorReactor) -> None:
        """Many calls due at the same moment run in scheduling order."""
        seen: list[int] = []
        for i in range(200):
            reactor.callLater(0, seen.append, i)
        reactor.callLater(0.001, reactor.stop)
        runWithWatchdog(reactor)
        assert seen == list(range(200))


class IterateTests:
    """iterate() drives the loop for one event."""

    def test_iterateReturnsOnIO(self, reactor: AsyncioSelectorReactor) -> None:
        """iterate(delay) returns once a watched descriptor was handled."""
        a, b = socket.socketpair()
        seen: list[bytes] = []

        class Reader:
            def fileno(self) -> int:
                return a.fileno()

            def doRead(self) -> None:
                seen.append(a.recv(10))

            def connectionLost(self, reason: object) -> None:
                pass

            def logPrefix(self) -> str:
                return "Reader"

        r = Reader()
        reactor.addReader(r)
        b.send(b"x")
        reactor.iterate(WATCHDOG)
        assert seen == [b"x"]
        reactor.removeReader(r)
        a.close()
        b.close()

    def test_iterateZeroDoesNotBlock(self, reactor: AsyncioSelectorReactor) -> None:
        """iterate(0) returns with nothing to do."""
        reactor.iterate(0)
        assert not reactor.eventloop.is_running()

    def test_iterateRefusedWhileLoopRuns(self) -> None:
        """iterate() inside the running loop raises RuntimeError."""

        async def main() -> None:
            r = AsyncioSelectorReactor()
            try:
                r.iterate()
            finally:
                r._close()

        with pytest.raises(RuntimeError, match="loop runs"):
            asyncio.run(main())


class InstallTests:
    """install() and installation by name."""

    def test_installMakesGlobalReactor(self, globalSlot: None) -> None:
        """install() publishes the reactor as netframe.core.reactor."""
        r = asyncioreactor.install()
        try:
            from netframe.core import reactor

            assert cast(object, reactor) is r
            with pytest.raises(error.ReactorAlreadyInstalledError):
                asyncioreactor.install()
        finally:
            r._close()

    def test_installGivenLoop(self, globalSlot: None) -> None:
        """install(loop) runs the global reactor on that loop."""
        loop = asyncio.SelectorEventLoop()
        try:
            r = asyncioreactor.install(loop)
            assert r.eventloop is loop
            r._close()
        finally:
            loop.close()

    def test_registryName(self, globalSlot: None) -> None:
        """installReactorByName('asyncio') installs an AsyncioSelectorReactor."""
        assert "asyncio" in {t.shortName for t in reactors.getReactorTypes()}
        r = reactors.installReactorByName("asyncio")
        try:
            assert isinstance(r, AsyncioSelectorReactor)
        finally:
            r._close()
