"""
Tests for the pluggable resolver (IReactorPluggableResolver) and
ThreadedResolver, with a fake thread pool and a fake clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyClass, verifyObject

from netframe.core import error
from netframe.core.base import ThreadedResolver
from netframe.core.defer import Deferred
from netframe.core.failure import Failure
from netframe.core.interfaces import IReactorPluggableResolver, IResolverSimple
from netframe.core.protocol import ClientFactory
from netframe.core.selectreactor import SelectReactor
from netframe.core.task import Clock


class FakePool:
    """Records pooled calls; the test runs them with L{runAll}."""

    def __init__(self) -> None:
        """Start with nothing queued."""
        self.calls: list[tuple[Any, Callable[..., Any], tuple[Any, ...]]] = []

    def callInThreadWithCallback(
        self, onResult: Any, func: Callable[..., Any], *args: Any, **kw: Any
    ) -> None:
        """Record the call."""
        self.calls.append((onResult, func, args))

    def runAll(self) -> None:
        """Run every recorded call as a worker would."""
        calls, self.calls = self.calls, []
        for onResult, func, args in calls:
            try:
                result = func(*args)
            except BaseException:
                onResult(False, Failure())
            else:
                onResult(True, result)


class FakeReactor(Clock):
    """A clock with a fake thread pool whose callFromThread runs at once."""

    def __init__(self) -> None:
        """Make the clock and the pool."""
        super().__init__()
        self.pool = FakePool()

    def getThreadPool(self) -> FakePool:
        """Return the fake pool."""
        return self.pool

    def callFromThread(self, f: Callable[..., Any], *args: Any, **kw: Any) -> None:
        """Call at once (the fake pool runs in the test's thread)."""
        f(*args, **kw)


@implementer(IResolverSimple)
class FakeResolver:
    """Answers from a table and records the questions."""

    def __init__(self, table: dict[str, str]) -> None:
        """@param table: name -> address."""
        self.table = table
        self.asked: list[tuple[str, Any]] = []

    def getHostByName(self, name: str, timeout: Any = (1, 3, 11, 45)) -> Deferred[str]:
        """Answer from the table, or fail with DNSLookupError."""
        self.asked.append((name, timeout))
        d: Deferred[str] = Deferred()
        if name in self.table:
            d.callback(self.table[name])
        else:
            d.errback(error.DNSLookupError(name))
        return d


@pytest.fixture
def reactor() -> Iterator[SelectReactor]:
    """A real (not running) reactor instance, closed afterwards."""
    r = SelectReactor()
    yield r
    r.disconnectAll()
    r._close()


def results(d: Deferred[Any]) -> list[Any]:
    """Collect what C{d} fires with (a value or a Failure)."""
    got: list[Any] = []
    d.addBoth(got.append)
    return got


class ThreadedResolverTests:
    """ThreadedResolver runs the lookup in the pool, with a timeout."""

    def test_interface(self) -> None:
        """ThreadedResolver provides IResolverSimple."""
        assert verifyClass(IResolverSimple, ThreadedResolver)
        assert verifyObject(IResolverSimple, ThreadedResolver(FakeReactor()))

    def test_lookupInPool(self) -> None:
        """The lookup runs in the pool and its answer fires the Deferred."""
        r = FakeReactor()
        resolver = ThreadedResolver(r)
        resolver.lookup = {"example.test": "192.0.2.7"}.__getitem__
        got = results(resolver.getHostByName("example.test"))
        assert got == [] and len(r.pool.calls) == 1
        r.pool.runAll()
        assert got == ["192.0.2.7"]
        assert r.getDelayedCalls() == []

    def test_lookupFailure(self) -> None:
        """A failing lookup fails with DNSLookupError naming the host."""
        r = FakeReactor()
        resolver = ThreadedResolver(r)

        def lookup(name: str) -> str:
            raise OSError("Name or service not known")

        resolver.lookup = lookup
        got = results(resolver.getHostByName("nowhere.test"))
        r.pool.runAll()
        assert got[0].check(error.DNSLookupError)
        assert "nowhere.test" in str(got[0].value)

    def test_timeoutAtLimit(self) -> None:
        """An answer just before the sum of the timeouts still succeeds."""
        r = FakeReactor()
        resolver = ThreadedResolver(r)
        resolver.lookup = lambda name: "192.0.2.1"
        got = results(resolver.getHostByName("slow.test", timeout=(1, 2)))
        r.advance(2.999)
        r.pool.runAll()
        assert got == ["192.0.2.1"]

    def test_timeoutPastLimit(self) -> None:
        """At the sum of the timeouts the lookup fails; the late answer is ignored."""
        r = FakeReactor()
        resolver = ThreadedResolver(r)
        resolver.lookup = lambda name: "192.0.2.1"
        got = results(resolver.getHostByName("slow.test", timeout=(1, 2)))
        r.advance(3)
        assert len(got) == 1 and got[0].check(error.DNSLookupError)
        assert "timeout" in str(got[0].value)
        r.pool.runAll()
        assert len(got) == 1

    @pytest.mark.parametrize("timeout", [(), (0,), (-1, 1), (float("inf"),)])
    def test_badTimeout(self, timeout: tuple[float, ...]) -> None:
        """An empty, zero, negative-sum or infinite timeout raises ValueError."""
        with pytest.raises(ValueError, match="timeout"):
            ThreadedResolver(FakeReactor()).getHostByName("x.test", timeout=timeout)

    def test_nameNotText(self) -> None:
        """A name that is not str raises TypeError."""
        with pytest.raises(TypeError):
            ThreadedResolver(FakeReactor()).getHostByName(b"x.test")  # type: ignore[arg-type]

    def test_defaultLookupIsGethostbyname(self) -> None:
        """The default lookup is the system's gethostbyname."""
        import socket

        assert ThreadedResolver.lookup is socket.gethostbyname


class PluggableResolverTests:
    """installResolver and resolve on a real reactor instance."""

    def test_interface(self, reactor: SelectReactor) -> None:
        """Reactors provide IReactorPluggableResolver."""
        assert verifyObject(IReactorPluggableResolver, reactor)

    def test_defaultResolver(self, reactor: SelectReactor) -> None:
        """The default resolver is a ThreadedResolver for this reactor."""
        assert isinstance(reactor.resolver, ThreadedResolver)
        assert reactor.resolver.reactor is reactor

    def test_installResolverReturnsPrevious(self, reactor: SelectReactor) -> None:
        """installResolver returns the resolver it replaces."""
        default = reactor.resolver
        first = FakeResolver({})
        second = FakeResolver({})
        assert reactor.installResolver(first) is default
        assert reactor.installResolver(second) is first
        assert reactor.resolver is second

    def test_installNotAResolver(self, reactor: SelectReactor) -> None:
        """installResolver rejects objects without IResolverSimple."""
        with pytest.raises(TypeError, match="IResolverSimple"):
            reactor.installResolver(object())

    def test_resolveUsesInstalledResolver(self, reactor: SelectReactor) -> None:
        """resolve() asks the installed resolver, passing the timeout."""
        fake = FakeResolver({"example.test": "192.0.2.9"})
        reactor.installResolver(fake)
        assert results(reactor.resolve("example.test", timeout=(5,))) == ["192.0.2.9"]
        assert fake.asked == [("example.test", (5,))]

    @pytest.mark.parametrize("literal", ["192.0.2.1", "::1", "fe80::1%lo"])
    def test_addressLiteralShortCircuits(self, reactor: SelectReactor, literal: str) -> None:
        """An address literal resolves to itself without asking the resolver."""
        fake = FakeResolver({})
        reactor.installResolver(fake)
        assert results(reactor.resolve(literal)) == [literal]
        assert fake.asked == []

    def test_emptyName(self, reactor: SelectReactor) -> None:
        """The empty name resolves to 0.0.0.0."""
        reactor.installResolver(FakeResolver({}))
        assert results(reactor.resolve("")) == ["0.0.0.0"]

    def test_resolveFailure(self, reactor: SelectReactor) -> None:
        """A resolver failure reaches resolve()'s Deferred."""
        reactor.installResolver(FakeResolver({}))
        (got,) = results(reactor.resolve("missing.test"))
        assert got.check(error.DNSLookupError)

    def test_connectTCPUsesResolver(self, reactor: SelectReactor) -> None:
        """connectTCP looks the host name up with the installed resolver."""
        pending: Deferred[str] = Deferred()

        @implementer(IResolverSimple)
        class Pending:
            asked: list[str] = []

            def getHostByName(self, name: str, timeout: Any = (1, 3, 11, 45)) -> Deferred[str]:
                self.asked.append(name)
                return pending

        resolver = Pending()
        reactor.installResolver(resolver)
        failed: list[Failure] = []

        class Recorder(ClientFactory):
            def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
                failed.append(reason)

        connector = reactor.connectTCP("service.test", 80, Recorder())
        assert resolver.asked == ["service.test"]
        connector.stopConnecting()
        assert failed and failed[0].check(error.UserError)
