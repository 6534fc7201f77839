"""
Unit tests for the reactor core (no sockets, no real time): the timer heap,
system events, thread-call queue and run/stop state machine of ReactorBase,
the multiplexer adapters, the name registry and the global-reactor module.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

from netframe.core import error, main, reactors
from netframe.core._pollers import ERROR, READ, WRITE, SelectPoller
from netframe.core._reactorbase import ReactorBase
from netframe.core.base import DelayedCall
from netframe.core.defer import Deferred
from netframe.logger import capturedLogs


class FakeTimeReactor(ReactorBase):
    """ReactorBase with a hand-moved clock and a doIteration that advances it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.iterations: list[float | None] = []
        super().__init__()

    def seconds(self) -> float:
        return self.now

    def doIteration(self, timeout: float | None) -> None:
        self.iterations.append(timeout)
        if timeout:
            self.now += timeout
        if len(self.iterations) > 1000:
            raise AssertionError("loop did not stop")


class TimerHeapTests:
    """callLater, cancel, reset, delay and compaction."""

    def test_orderAndTies(self) -> None:
        """Due calls run in time order; equal times in scheduling order."""
        r = FakeTimeReactor()
        seen: list[str] = []
        r.callLater(2, seen.append, "late")
        r.callLater(1, seen.append, "a")
        r.callLater(1, seen.append, "b")
        r.now += 2
        r.runUntilCurrent()
        assert seen == ["a", "b", "late"]

    def test_notDueNotRun(self) -> None:
        """A call runs only once its time has come."""
        r = FakeTimeReactor()
        seen: list[int] = []
        r.callLater(1, seen.append, 1)
        r.runUntilCurrent()
        assert seen == []
        assert r.timeout() == 1
        r.now += 1
        r.runUntilCurrent()
        assert seen == [1]
        assert r.timeout() is None

    def test_delayedCallType(self) -> None:
        """callLater returns the shared DelayedCall with getTime and active."""
        r = FakeTimeReactor()
        dc = r.callLater(5, lambda: None)
        assert isinstance(dc, DelayedCall)
        assert dc.getTime() == 105
        assert dc.active()
        assert r.getDelayedCalls() == [dc]

    def test_negativeDelayRejected(self) -> None:
        """A negative or NaN delay is a ValueError; a non-callable a TypeError."""
        r = FakeTimeReactor()
        with pytest.raises(ValueError):
            r.callLater(-1, lambda: None)
        with pytest.raises(ValueError):
            r.callLater(float("nan"), lambda: None)
        with pytest.raises(TypeError):
            r.callLater(1, "not callable")  # type: ignore[arg-type]

    def test_cancelAndCalledErrors(self) -> None:
        """Cancelling twice or after the call raises the documented errors."""
        r = FakeTimeReactor()
        dc = r.callLater(0, lambda: None)
        dc.cancel()
        with pytest.raises(error.AlreadyCancelled):
            dc.cancel()
        dc2 = r.callLater(0, lambda: None)
        r.runUntilCurrent()
        assert dc2.called and not dc2.active()
        with pytest.raises(error.AlreadyCalled):
            dc2.cancel()
        with pytest.raises(error.AlreadyCalled):
            dc2.reset(1)

    def test_cancelFromInsideItselfRaisesAlreadyCalled(self) -> None:
        """A running call that cancels itself gets AlreadyCalled; its repr still works."""
        r = FakeTimeReactor()
        raised: list[type[BaseException]] = []

        def selfCancel() -> None:
            try:
                dc.cancel()
            except error.AlreadyCalled as e:
                raised.append(type(e))

        dc = r.callLater(0, selfCancel)
        assert "selfCancel" in repr(dc)
        r.runUntilCurrent()
        assert raised == [error.AlreadyCalled]
        assert "called=1" in repr(dc)

    def test_resetEarlier(self) -> None:
        """reset() to an earlier time moves the call forward."""
        r = FakeTimeReactor()
        seen: list[str] = []
        a = r.callLater(10, seen.append, "a")
        r.callLater(5, seen.append, "b")
        a.reset(1)
        r.now += 5
        r.runUntilCurrent()
        assert seen == ["a", "b"]

    def test_resetLaterAndDelay(self) -> None:
        """reset() later and delay() push the call back."""
        r = FakeTimeReactor()
        seen: list[str] = []
        a = r.callLater(1, seen.append, "a")
        b = r.callLater(1, seen.append, "b")
        a.reset(5)
        b.delay(2)
        r.now += 1
        r.runUntilCurrent()
        assert seen == []
        assert a.getTime() == 105 and b.getTime() == 103
        r.now += 2
        r.runUntilCurrent()
        assert seen == ["b"]
        r.now += 2
        r.runUntilCurrent()
        assert seen == ["b", "a"]
        assert r.getDelayedCalls() == []

    def test_negativeDelayBringsForward(self) -> None:
        """delay() with a negative amount brings the call forward."""
        r = FakeTimeReactor()
        seen: list[str] = []
        a = r.callLater(10, seen.append, "a")
        a.delay(-9)
        r.now += 1
        r.runUntilCurrent()
        assert seen == ["a"]

    def test_cancelledCallsCompacted(self) -> None:
        """Cancelled entries are dropped once they exceed half the heap."""
        r = FakeTimeReactor()
        calls = [r.callLater(i + 1, lambda: None) for i in range(1000)]
        r.timeout()  # merge into the heap
        for dc in calls[:600]:
            dc.cancel()
        assert len(r._timers) + len(r._newTimers) <= 1000 - 501
        assert len(r.getDelayedCalls()) == 400
        r.now += 2000
        r.runUntilCurrent()
        assert r._timers == [] and r._deadTimers == 0

    def test_compactionWhileRunning(self) -> None:
        """A compaction triggered from inside a running call loses no due call."""
        r = FakeTimeReactor()
        seen: list[int] = []
        later = [r.callLater(5, seen.append, -1) for _ in range(10)]

        def cancelAll() -> None:
            for dc in later:
                dc.cancel()

        r.callLater(1, cancelAll)
        for i in range(3):
            r.callLater(1, seen.append, i)
        r.now += 10
        r.runUntilCurrent()
        assert seen == [0, 1, 2]

    def test_scheduledFromCallRunsNextPass(self) -> None:
        """A due call scheduled by a running call waits for the next pass."""
        r = FakeTimeReactor()
        seen: list[str] = []
        r.callLater(0, lambda: r.callLater(0, seen.append, "nested"))
        r.runUntilCurrent()
        assert seen == []
        r.runUntilCurrent()
        assert seen == ["nested"]

    def test_exceptionLoggedAndOthersRun(self) -> None:
        """A failing call is logged once; the next call still runs."""
        r = FakeTimeReactor()
        seen: list[int] = []
        r.callLater(0, lambda: 1 / 0)
        r.callLater(0, seen.append, 1)
        with capturedLogs() as events:
            r.runUntilCurrent()
        assert seen == [1]
        assert len([e for e in events if "log_failure" in e]) == 1


class ThreadQueueTests:
    """The callFromThread queue, without threads."""

    def test_callsRunInOrderNextPass(self) -> None:
        """Queued calls run in order on the next pass; the timeout becomes 0."""
        r = FakeTimeReactor()
        seen: list[int] = []
        r.callFromThread(seen.append, 1)
        r.callFromThread(seen.append, 2)
        assert r.timeout() == 0
        r.runUntilCurrent()
        assert seen == [1, 2]

    def test_callQueuedDuringPassWaits(self) -> None:
        """A call queued by a queued call runs on the following pass."""
        r = FakeTimeReactor()
        seen: list[str] = []
        r.callFromThread(lambda: r.callFromThread(seen.append, "second"))
        r.runUntilCurrent()
        assert seen == []
        r.runUntilCurrent()
        assert seen == ["second"]

    def test_notCallable(self) -> None:
        """A non-callable is rejected at once."""
        with pytest.raises(TypeError):
            FakeTimeReactor().callFromThread(42)  # type: ignore[arg-type]


class SystemEventUnitTests:
    """Three-phase events and the run/stop state machine."""

    def test_phasesAndBeforeDeferred(self) -> None:
        """'during' waits for a 'before' Deferred; 'after' follows."""
        r = FakeTimeReactor()
        seen: list[str] = []
        d: Deferred[None] = Deferred()
        r.addSystemEventTrigger("after", "custom", seen.append, "after")
        r.addSystemEventTrigger("during", "custom", seen.append, "during")
        r.addSystemEventTrigger("before", "custom", lambda: d)
        r.fireSystemEvent("custom")
        assert seen == []
        d.callback(None)
        assert seen == ["during", "after"]

    def test_failingBeforeDeferredLoggedAndContinues(self) -> None:
        """A failing 'before' Deferred is logged; the event still completes."""
        r = FakeTimeReactor()
        seen: list[str] = []
        d: Deferred[None] = Deferred()
        r.addSystemEventTrigger("before", "custom", lambda: d)
        r.addSystemEventTrigger("during", "custom", seen.append, "during")
        r.fireSystemEvent("custom")
        with capturedLogs() as events:
            d.errback(RuntimeError("stop failed"))
        assert seen == ["during"]
        assert len([e for e in events if "log_failure" in e]) == 1

    def test_invalidPhase(self) -> None:
        """An unknown phase is a KeyError."""
        with pytest.raises(KeyError):
            FakeTimeReactor().addSystemEventTrigger("sometime", "startup", lambda: None)

    def test_unknownTriggerRemoval(self) -> None:
        """Removing something that is not a trigger ID is a ValueError."""
        r = FakeTimeReactor()
        with pytest.raises(ValueError):
            r.removeSystemEventTrigger(("startup", ("during", (print, (), {}))))
        with pytest.raises(ValueError):
            r.removeSystemEventTrigger("nonsense")

    def test_runStopLifecycle(self) -> None:
        """run() fires startup, stop() fires shutdown once, then the reactor cannot restart."""
        r = FakeTimeReactor()
        seen: list[Any] = []
        r.addSystemEventTrigger("after", "startup", lambda: seen.append(("started", r.running)))
        r.addSystemEventTrigger("before", "shutdown", seen.append, "shutdown")
        r.callWhenRunning(r.stop)
        with capturedLogs() as events:
            r.run(installSignalHandlers=False)
        assert seen == [("started", True), "shutdown"]
        assert not r.running
        assert any(e.get("log_format") == "Main loop terminated." for e in events)
        with pytest.raises(error.ReactorNotRestartable):
            r.run(installSignalHandlers=False)

    def test_stopWhenNotRunning(self) -> None:
        """stop() before run() raises ReactorNotRunning."""
        with pytest.raises(error.ReactorNotRunning):
            FakeTimeReactor().stop()

    def test_crashSkipsShutdown(self) -> None:
        """crash() stops the loop without shutdown triggers."""
        r = FakeTimeReactor()
        seen: list[str] = []
        r.addSystemEventTrigger("before", "shutdown", seen.append, "shutdown")
        r.callWhenRunning(r.crash)
        r.run(installSignalHandlers=False)
        assert seen == []

    def test_runWhileRunning(self) -> None:
        """run() from inside the running loop raises ReactorAlreadyRunning."""
        r = FakeTimeReactor()
        raised: list[Exception] = []

        def nested() -> None:
            try:
                r.run(installSignalHandlers=False)
            except error.ReactorAlreadyRunning as e:
                raised.append(e)
            r.stop()

        r.callWhenRunning(nested)
        r.run(installSignalHandlers=False)
        assert len(raised) == 1

    def test_resolveAddressLiteral(self) -> None:
        """resolve() of an address literal fires at once with it."""
        results: list[str] = []
        FakeTimeReactor().resolve("127.0.0.1").addCallback(results.append)
        FakeTimeReactor().resolve("::1").addCallback(results.append)
        assert results == ["127.0.0.1", "::1"]


class SelectPollerTests:
    """The select multiplexer's bookkeeping (no descriptors needed)."""

    def test_masks(self) -> None:
        """register/modify/unregister keep the read and write sets in step."""
        p = SelectPoller()
        p.register(5, READ)
        p.modify(5, READ | WRITE)
        assert p._readers == {5} and p._writers == {5}
        p.modify(5, WRITE)
        assert p._readers == set()
        p.unregister(5)
        p.unregister(5)
        assert p._writers == set()

    def test_badDescriptorReportedAsError(self) -> None:
        """A closed descriptor is reported as ERROR instead of raising."""
        import os

        r, w = os.pipe()
        os.close(r)
        os.close(w)
        p = SelectPoller()
        p.register(r, READ)
        assert p.poll(0) == [(r, ERROR)]


class RegistryTests:
    """Reactor selection by name."""

    def test_mainInstallReactorUsed(self) -> None:
        """The reactor modules install through netframe.core.main.installReactor."""
        from netframe.core import epollreactor

        assert epollreactor.installReactor is main.installReactor  # type: ignore[attr-defined]

    def test_builtinNames(self) -> None:
        """epoll, poll, select and default are known on Linux."""
        names = {t.shortName for t in reactors.getReactorTypes()}
        assert {"default", "select", "poll", "epoll"} <= names

    def test_noSuchReactor(self) -> None:
        """An unknown name raises NoSuchReactor naming it and the known ones."""
        with pytest.raises(reactors.NoSuchReactor) as exc:
            reactors.installReactorByName("nonesuch")
        assert "nonesuch" in str(exc.value) and "epoll" in str(exc.value)
        assert exc.value.shortName == "nonesuch"

    @pytest.mark.parametrize("name,cls", [("select", "SelectReactor"), ("poll", "PollReactor")])
    def test_installByName(self, globalReactorSlot: None, name: str, cls: str) -> None:
        """installReactorByName installs that reactor as the global one."""
        installed = reactors.installReactorByName(name)
        try:
            assert type(installed).__name__ == cls
            from netframe.core import reactor

            assert reactor is installed
            with pytest.raises(error.ReactorAlreadyInstalledError):
                reactors.installReactor("epoll")
        finally:
            installed._close()

    def test_importInstallsDefault(self, globalReactorSlot: None) -> None:
        """Importing netframe.core.reactor with nothing installed installs epoll (Linux)."""
        from netframe.core import reactor

        try:
            assert type(reactor).__name__ == "EPollReactor"
            assert sys.modules["netframe.core.reactor"] is reactor
        finally:
            reactor._close()

    def test_entryPointReactor(
        self, monkeypatch: pytest.MonkeyPatch, globalReactorSlot: None
    ) -> None:
        """A reactor registered under the netframe.reactors entry-point group is installable."""
        import importlib.metadata as md

        installed: list[str] = []
        ep = md.EntryPoint("thirdparty", "netframe.core.selectreactor", reactors.ENTRY_POINT_GROUP)
        monkeypatch.setattr(
            reactors.importlib.metadata,  # type: ignore[attr-defined]
            "entry_points",
            lambda group: [ep] if group == reactors.ENTRY_POINT_GROUP else [],
        )
        assert "thirdparty" in {t.shortName for t in reactors.getReactorTypes()}
        r = reactors.installReactorByName("thirdparty")
        installed.append(type(r).__name__)
        r._close()
        assert installed == ["SelectReactor"]


@pytest.fixture
def globalReactorSlot() -> Any:
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
