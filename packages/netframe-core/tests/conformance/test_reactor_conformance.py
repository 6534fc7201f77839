"""
Reactor core conformance: timers, system events, thread calls, signals and
error containment, run against every reactor.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from netframe.core import error
from netframe.core.defer import Deferred
from netframe.core.interfaces import (
    IReactorCore,
    IReactorFDSet,
    IReactorFromThreads,
    IReactorTCP,
    IReactorTime,
)
from netframe.logger import capturedLogs


class ReactorInterfaceTests:
    """Every reactor provides the core interfaces."""

    @pytest.mark.parametrize(
        "iface", [IReactorCore, IReactorTime, IReactorFromThreads, IReactorFDSet, IReactorTCP]
    )
    def test_providesInterface(self, reactor: Any, iface: Any) -> None:
        """The reactor verifiably provides each core interface."""
        assert verifyObject(iface, reactor)


class TimerTests:
    """callLater ordering, cancel, reset and delay on a running reactor."""

    def test_callLaterOrder(self, reactor: Any, runner: Any) -> None:
        """Calls run in time order, ties in scheduling order."""
        seen: list[str] = []
        reactor.callLater(0.02, seen.append, "c")
        reactor.callLater(0, seen.append, "a")
        reactor.callLater(0, seen.append, "b")
        reactor.callLater(0.03, runner.stopSoon)
        runner.run()
        assert seen == ["a", "b", "c"]

    def test_cancel(self, reactor: Any, runner: Any) -> None:
        """A cancelled call never runs and is no longer pending."""
        seen: list[int] = []
        dc = reactor.callLater(0, seen.append, 1)
        dc.cancel()
        assert not dc.active()
        assert dc not in reactor.getDelayedCalls()
        with pytest.raises(error.AlreadyCancelled):
            dc.cancel()
        reactor.callLater(0.01, runner.stopSoon)
        runner.run()
        assert seen == []

    def test_resetEarlierAndLater(self, reactor: Any, runner: Any) -> None:
        """reset() moves calls both ways; the order follows the new times."""
        seen: list[str] = []
        late = reactor.callLater(5, seen.append, "late-made-early")
        early = reactor.callLater(0, seen.append, "early-made-late")
        late.reset(0)
        early.reset(0.02)
        reactor.callLater(0.05, runner.stopSoon)
        runner.run()
        assert seen == ["late-made-early", "early-made-late"]

    def test_delay(self, reactor: Any, runner: Any) -> None:
        """delay() pushes a call back relative to its scheduled time."""
        seen: list[str] = []
        a = reactor.callLater(0, seen.append, "a")
        reactor.callLater(0.01, seen.append, "b")
        a.delay(0.03)
        reactor.callLater(0.06, runner.stopSoon)
        runner.run()
        assert seen == ["b", "a"]

    def test_callLaterFromCallRunsNextPass(self, reactor: Any, runner: Any) -> None:
        """A zero-delay call scheduled from a call does not run in the same pass."""
        seen: list[str] = []

        def first() -> None:
            seen.append("first")
            reactor.callLater(0, seen.append, "nested")
            seen.append("after-schedule")

        reactor.callLater(0, first)
        reactor.callLater(0.01, runner.stopSoon)
        runner.run()
        assert seen == ["first", "after-schedule", "nested"]

    def test_exceptionInDelayedCallLoggedOnce(self, reactor: Any, runner: Any) -> None:
        """A failing call is logged once and later calls still run."""
        seen: list[str] = []

        def boom() -> None:
            raise ZeroDivisionError("boom")

        reactor.callLater(0, boom)
        reactor.callLater(0.01, seen.append, "still running")
        reactor.callLater(0.02, runner.stopSoon)
        with capturedLogs() as events:
            runner.run()
        failures = [e for e in events if "log_failure" in e]
        assert len(failures) == 1
        assert failures[0]["log_failure"].check(ZeroDivisionError)
        assert seen == ["still running"]


class SystemEventTests:
    """Startup and shutdown triggers on a running reactor."""

    def test_shutdownPhasesAwaitBeforeDeferreds(self, reactor: Any, runner: Any) -> None:
        """'during' shutdown triggers wait for Deferreds returned by 'before' ones."""
        seen: list[str] = []

        def before() -> Deferred[None]:
            seen.append("before")
            d: Deferred[None] = Deferred()

            def fire() -> None:
                seen.append("before fired")
                d.callback(None)

            reactor.callLater(0.01, fire)
            return d

        reactor.addSystemEventTrigger("before", "shutdown", before)
        reactor.addSystemEventTrigger("during", "shutdown", seen.append, "during")
        reactor.addSystemEventTrigger("after", "shutdown", seen.append, "after")
        reactor.callWhenRunning(runner.stopSoon)
        runner.run()
        assert seen == ["before", "before fired", "during", "after"]

    def test_callWhenRunning(self, reactor: Any, runner: Any) -> None:
        """callWhenRunning calls run once the reactor runs; later ones at once."""
        seen: list[Any] = []

        def started() -> None:
            seen.append(reactor.running)
            reactor.callWhenRunning(seen.append, "immediate")
            seen.append("returned")
            runner.stopSoon()

        reactor.callWhenRunning(started)
        runner.run()
        assert seen == [True, "immediate", "returned"]
        assert not reactor.running

    def test_removedTriggerDoesNotRun(self, reactor: Any, runner: Any) -> None:
        """A removed trigger does not run; removing it twice is a ValueError."""
        seen: list[str] = []
        tid = reactor.addSystemEventTrigger("during", "shutdown", seen.append, "no")
        reactor.removeSystemEventTrigger(tid)
        with pytest.raises(ValueError):
            reactor.removeSystemEventTrigger(tid)
        reactor.callWhenRunning(runner.stopSoon)
        runner.run()
        assert seen == []

    def test_notRestartable(self, reactor: Any, runner: Any) -> None:
        """A stopped reactor refuses to run again; stop() when stopped fails."""
        reactor.callWhenRunning(runner.stopSoon)
        runner.run()
        with pytest.raises(error.ReactorNotRestartable):
            reactor.run(installSignalHandlers=False)
        with pytest.raises(error.ReactorNotRunning):
            reactor.stop()

    def test_mainLoopTerminatedLogged(self, reactor: Any, runner: Any) -> None:
        """Stopping logs "Main loop terminated."."""
        reactor.callWhenRunning(runner.stopSoon)
        with capturedLogs() as events:
            runner.run()
        assert any(e.get("log_format") == "Main loop terminated." for e in events)

    @pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
    def test_signalStopsAndRunsShutdownTriggers(
        self, reactor: Any, runner: Any, signum: int
    ) -> None:
        """SIGINT/SIGTERM stop the reactor and run the shutdown triggers."""
        seen: list[str] = []
        reactor.addSystemEventTrigger("before", "shutdown", seen.append, "shutdown")
        previous = signal.getsignal(signum)
        reactor.callWhenRunning(os.kill, os.getpid(), signum)
        runner.run(installSignalHandlers=True)
        assert seen == ["shutdown"]
        assert signal.getsignal(signum) is previous


class ThreadCallTests:
    """callFromThread from other threads."""

    def test_callFromThreadManyThreads(self, reactor: Any, runner: Any) -> None:
        """Calls from several threads all run, in per-thread order, in the reactor thread."""
        threads, perThread = 8, 200
        seen: dict[int, list[int]] = {}
        reactorThreads: set[int] = set()

        def record(t: int, i: int) -> None:
            reactorThreads.add(threading.get_ident())
            seen.setdefault(t, []).append(i)
            if sum(map(len, seen.values())) == threads * perThread:
                runner.stopSoon()

        def work(t: int) -> None:
            for i in range(perThread):
                reactor.callFromThread(record, t, i)

        def start() -> None:
            for t in range(threads):
                threading.Thread(target=work, args=(t,)).start()

        reactor.callWhenRunning(start)
        runner.run()
        assert dict(seen.items()) == {t: list(range(perThread)) for t in range(threads)}
        assert reactorThreads == {threading.get_ident()}

    def test_resolveLocalhost(self, reactor: Any, runner: Any) -> None:
        """resolve() finds an IPv4 address for localhost on a worker thread."""
        results: list[str] = []
        d = reactor.resolve("localhost")
        d.addCallback(results.append)
        d.addBoth(lambda _: runner.stopSoon())
        runner.run()
        assert len(results) == 1
        socket.inet_aton(results[0])

    def test_resolveFailure(self, reactor: Any, runner: Any) -> None:
        """An unresolvable name fails with DNSLookupError."""
        failures: list[Any] = []
        d = reactor.resolve("name.invalid")
        d.addErrback(failures.append)
        d.addBoth(lambda _: runner.stopSoon())
        runner.run()
        assert len(failures) == 1
        assert failures[0].check(error.DNSLookupError)


class FDSetTests:
    """IReactorFDSet with a plain socket pair."""

    def test_readerAndWriter(self, reactor: Any, runner: Any) -> None:
        """addReader/addWriter deliver doRead/doWrite; removeAll forgets both."""
        a, b = socket.socketpair()
        a.setblocking(False)
        seen: list[str] = []

        class Descriptor:
            def fileno(self) -> int:
                return a.fileno()

            def doRead(self) -> None:
                seen.append(a.recv(100).decode())
                reactor.removeReader(self)
                runner.stopSoon()

            def doWrite(self) -> None:
                seen.append("writable")
                reactor.removeWriter(self)

            def connectionLost(self, reason: object) -> None:
                seen.append("lost")

            def logPrefix(self) -> str:
                return "Descriptor"

        d = Descriptor()
        reactor.addWriter(d)
        reactor.addReader(d)
        assert reactor.getReaders() == [d]
        assert reactor.getWriters() == [d]
        b.send(b"ping")
        runner.run()
        assert "ping" in seen and "writable" in seen
        assert reactor.getReaders() == [] and reactor.getWriters() == []
        reactor.addReader(d)
        assert reactor.removeAll() == [d]
        assert reactor.getReaders() == []
        a.close()
        b.close()

    def test_iterate(self, reactor: Any) -> None:
        """iterate() runs due calls without run()."""
        seen: list[int] = []
        reactor.callLater(0, seen.append, 1)
        reactor.iterate()
        reactor.iterate()
        assert seen == [1]
