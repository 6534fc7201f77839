"""
Threads and name resolution on every real reactor: the reactor's thread
pool, callFromThread under load, the documented thread examples (H1-H4, D9),
blockingCallFromThread, the pluggable resolver (U4) and HostnameEndpoint over
loopback.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.core import error, threads
from netframe.core.defer import Deferred
from netframe.core.endpoints import HostnameEndpoint
from netframe.core.interfaces import (
    IReactorPluggableResolver,
    IReactorThreads,
    IResolverSimple,
)
from netframe.core.protocol import ClientFactory, Factory, Protocol
from netframe.core.protocols.wire import Echo

#: Prefix of the names of the reactor pool's worker threads.
POOL_THREAD_PREFIX = "PoolThread-netframe.reactor-"


def poolThreads() -> list[threading.Thread]:
    """Return the live worker threads of any reactor's pool."""
    return [t for t in threading.enumerate() if t.name.startswith(POOL_THREAD_PREFIX)]


@pytest.fixture
def globalReactor(reactor: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Make C{threads.deferToThread} and friends use the reactor under test."""
    monkeypatch.setattr(threads, "_globalReactor", lambda: reactor)
    yield reactor


class ThreadsInterfaceTests:
    """Every reactor provides the thread and resolver interfaces."""

    @pytest.mark.parametrize("iface", [IReactorThreads, IReactorPluggableResolver])
    def test_providesInterface(self, reactor: Any, iface: Any) -> None:
        """The reactor verifiably provides the interface."""
        assert verifyObject(iface, reactor)


class ReactorThreadPoolTests:
    """The reactor's pool: lazy, started with the reactor, stopped at shutdown."""

    def test_lazyPool(self, reactor: Any) -> None:
        """No pool exists until asked for; it has min 0, max 10 and is not started."""
        assert reactor.threadpool is None
        pool = reactor.getThreadPool()
        assert reactor.getThreadPool() is pool
        assert (pool.min, pool.max, pool.started) == (0, 10, False)

    def test_startedWithReactorStoppedAtShutdown(self, reactor: Any, runner: Any) -> None:
        """Work queued before run() runs; after shutdown no worker thread is left."""
        ran: list[str] = []

        def work() -> None:
            ran.append(threading.current_thread().name)
            reactor.callFromThread(runner.stopSoon)

        reactor.callInThread(work)
        runner.run()
        pool = reactor.getThreadPool()
        assert ran and ran[0].startswith(POOL_THREAD_PREFIX)
        assert pool.joined and not pool.started and pool.workers == 0
        assert poolThreads() == []

    def test_poolMadeWhileRunningStartsAtOnce(self, reactor: Any, runner: Any) -> None:
        """A pool first asked for while the reactor runs is started at once."""
        states: list[bool] = []

        def check() -> None:
            states.append(reactor.getThreadPool().started)
            runner.stopSoon()

        reactor.callWhenRunning(check)
        runner.run()
        assert states == [True]
        assert poolThreads() == []

    def test_suggestThreadPoolSize(self, reactor: Any) -> None:
        """suggestThreadPoolSize sets the pool's maximum."""
        reactor.suggestThreadPoolSize(30)
        assert reactor.getThreadPool().max == 30
        reactor.suggestThreadPoolSize(1)
        assert reactor.getThreadPool().max == 1

    def test_suggestThreadPoolSizeInvalid(self, reactor: Any) -> None:
        """A size below 1 raises ValueError."""
        with pytest.raises(ValueError):
            reactor.suggestThreadPoolSize(0)


class CallFromThreadTests:
    """callFromThread delivers every call, in order per thread, and wakes the loop."""

    THREADS = 8
    CALLS = 10_000

    def test_manyThreadsOrdered(self, reactor: Any, runner: Any) -> None:
        """8 threads x 10,000 calls: all delivered, each thread's in its order."""
        seen: list[list[int]] = [[] for _ in range(self.THREADS)]
        total = [0]
        expected = self.THREADS * self.CALLS

        def record(tid: int, i: int) -> None:
            seen[tid].append(i)
            total[0] += 1
            if total[0] == expected:
                runner.stopSoon()

        def producer(tid: int) -> None:
            call = reactor.callFromThread
            for i in range(self.CALLS):
                call(record, tid, i)

        workers = [
            threading.Thread(target=producer, args=(tid,), daemon=True)
            for tid in range(self.THREADS)
        ]

        def startProducers() -> None:
            for t in workers:
                t.start()

        reactor.callWhenRunning(startProducers)
        runner.run(timeout=60)
        for t in workers:
            t.join(10)
        assert total[0] == expected
        assert all(s == list(range(self.CALLS)) for s in seen)

    def test_wakesIdleLoop(self, reactor: Any, runner: Any) -> None:
        """A call from a thread is run although no timer or I/O is due."""
        seen: list[str] = []

        def fromThread() -> None:
            reactor.callFromThread(seen.append, "woken")
            reactor.callFromThread(runner.stopSoon)

        reactor.callWhenRunning(threading.Thread(target=fromThread, daemon=True).start)
        runner.run()
        assert seen == ["woken"]


class DocumentedThreadExamplesTests:
    """H1-H4 and D9 of the threads documentation, with their observable output."""

    def test_exampleH1CallFromThread(self, reactor: Any, runner: Any) -> None:
        """H1: a transport write handed to the reactor thread reaches the transport."""
        from netframe.core.testing import StringTransport

        proto = Protocol()
        proto.makeConnection(StringTransport())
        writers: list[threading.Thread] = []

        def notThreadSafe(someProtocol: Any, message: bytes) -> None:
            writers.append(threading.current_thread())
            someProtocol.transport.write(b"a message: " + message)
            runner.stopSoon()

        def callFromWhateverThreadYouWant() -> None:
            reactor.callFromThread(notThreadSafe, proto, b"hello")

        reactor.callWhenRunning(
            threading.Thread(target=callFromWhateverThreadYouWant, daemon=True).start
        )
        runner.run()
        assert proto.transport.value() == b"a message: hello"  # type: ignore[union-attr]
        assert writers == [threading.current_thread()]

    def test_exampleH2CallInThread(self, reactor: Any, runner: Any, capsys: Any) -> None:
        """H2: a blocking call in the pool prints while the reactor keeps running."""
        reactorTicked = threading.Event()

        def aSillyBlockingMethod(x: str) -> None:
            # Blocks until the reactor proves it is not blocked.
            assert reactorTicked.wait(10)
            print(x)
            reactor.callFromThread(runner.stopSoon)

        reactor.callInThread(aSillyBlockingMethod, "2 seconds have passed")
        reactor.callLater(0.01, reactorTicked.set)
        runner.run()
        assert capsys.readouterr().out == "2 seconds have passed\n"

    def test_exampleH3DeferToThread(self, globalReactor: Any, runner: Any, capsys: Any) -> None:
        """H3: deferToThread's result reaches the callback, which prints 3."""

        def doLongCalculation() -> int:
            return 3

        def printResult(x: int) -> None:
            print(x)
            runner.stopSoon()

        d = threads.deferToThread(doLongCalculation)
        d.addCallback(printResult)
        runner.run()
        assert capsys.readouterr().out == "3\n"

    def test_exampleH4BlockingCallFromThread(self, reactor: Any, runner: Any, capsys: Any) -> None:
        """H4: a pool thread waits for a Deferred-returning call, prints, stops."""

        def getPage(url: str) -> Deferred[bytes]:
            # An in-scope substitute for web's getPage: fires a bit later.
            d: Deferred[bytes] = Deferred()
            reactor.callLater(0.01, d.callback, b"<html>" + url.encode() + b"</html>")
            return d

        def inThread() -> None:
            try:
                result = threads.blockingCallFromThread(
                    reactor, getPage, "http://twistedmatrix.com/"
                )
            except Exception as exc:
                print(exc)
            else:
                print(result)
            reactor.callFromThread(reactor.stop)

        reactor.callInThread(inThread)
        runner.run()
        assert capsys.readouterr().out == "b'<html>http://twistedmatrix.com/</html>'\n"

    def test_exampleH4ErrorBranch(self, reactor: Any, runner: Any, capsys: Any) -> None:
        """H4: an errback of the Deferred is re-raised in the thread and printed."""

        def getPage(url: str) -> Deferred[bytes]:
            d: Deferred[bytes] = Deferred()
            reactor.callLater(0.01, d.errback, ValueError("404 Not Found"))
            return d

        def inThread() -> None:
            try:
                threads.blockingCallFromThread(reactor, getPage, "http://example.invalid/")
            except ValueError as exc:
                print(exc)
            reactor.callFromThread(reactor.stop)

        reactor.callInThread(inThread)
        runner.run()
        assert capsys.readouterr().out == "404 Not Found\n"

    def test_exampleD9DeferToThreadFibonacci(
        self, globalReactor: Any, runner: Any, capsys: Any
    ) -> None:
        """D9: the two lines print before the result; the callback stops the reactor."""
        reactor = globalReactor

        def largeFibonnaciNumber() -> int:
            TARGET = 10000
            first, second = 0, 1
            for _ in range(TARGET - 1):
                first, second = second, first + second
            return second

        def fibonacciCallback(result: int) -> None:
            print("largeFibonnaciNumber result =", result)
            reactor.stop()

        def run() -> None:
            d = threads.deferToThread(largeFibonnaciNumber)
            d.addCallback(fibonacciCallback)
            print("1st line after the addition of the callback")
            print("2nd line after the addition of the callback")

        run()
        runner.run()
        lines = capsys.readouterr().out.splitlines()
        assert lines[:2] == [
            "1st line after the addition of the callback",
            "2nd line after the addition of the callback",
        ]
        assert len(lines) == 3
        assert lines[2] == f"largeFibonnaciNumber result = {largeFibonnaciNumber()}"
        assert len(lines[2]) > 2000


class BlockingCallFromThreadTests:
    """blockingCallFromThread against a running reactor."""

    def runInThread(self, reactor: Any, runner: Any, f: Any, *args: Any) -> Any:
        """Call C{blockingCallFromThread(reactor, f, *args)} in a pool thread."""
        out: list[Any] = []

        def inThread() -> None:
            try:
                out.append(("ok", threads.blockingCallFromThread(reactor, f, *args)))
            except BaseException as e:
                out.append(("raised", e))
            reactor.callFromThread(runner.stopSoon)

        reactor.callInThread(inThread)
        runner.run()
        return out[0]

    def test_plainResult(self, reactor: Any, runner: Any) -> None:
        """A plain return value comes back, computed in the reactor thread."""
        assert self.runInThread(reactor, runner, threading.current_thread) == (
            "ok",
            threading.current_thread(),
        )

    def test_deferredResult(self, reactor: Any, runner: Any) -> None:
        """A Deferred's eventual result comes back."""

        def later() -> Deferred[str]:
            d: Deferred[str] = Deferred()
            reactor.callLater(0.01, d.callback, "fired")
            return d

        assert self.runInThread(reactor, runner, later) == ("ok", "fired")

    def test_exception(self, reactor: Any, runner: Any) -> None:
        """An exception raised in the reactor thread is re-raised, same type."""
        kind, value = self.runInThread(reactor, runner, int, "nope")
        assert kind == "raised" and isinstance(value, ValueError)

    def test_deferredFailure(self, reactor: Any, runner: Any) -> None:
        """A failing Deferred's exception is re-raised in the thread."""

        def later() -> Deferred[str]:
            d: Deferred[str] = Deferred()
            reactor.callLater(0.01, d.errback, KeyError("gone"))
            return d

        kind, value = self.runInThread(reactor, runner, later)
        assert kind == "raised" and isinstance(value, KeyError)

    def test_fromReactorThread(self, reactor: Any, runner: Any) -> None:
        """Called in the reactor thread it raises RuntimeError at once."""
        raised: list[BaseException] = []

        def inReactor() -> None:
            try:
                threads.blockingCallFromThread(reactor, print)
            except RuntimeError as e:
                raised.append(e)
            runner.stopSoon()

        reactor.callWhenRunning(inReactor)
        runner.run()
        assert len(raised) == 1

    def test_reactorStopsFirst(self, reactor: Any, runner: Any) -> None:
        """A thread still waiting when the reactor stops gets ReactorNotRunning; shutdown ends."""
        go = threading.Event()
        out: list[BaseException] = []

        def inThread() -> None:
            assert go.wait(10)
            try:
                threads.blockingCallFromThread(reactor, print, "never")
            except error.ReactorNotRunning as e:
                out.append(e)

        reactor.callInThread(inThread)
        reactor.addSystemEventTrigger("before", "shutdown", go.set)
        reactor.callLater(0.01, runner.stopSoon)
        runner.run()
        assert len(out) == 1
        assert poolThreads() == []


@implementer(IResolverSimple)
class TableResolver:
    """Answers names from a table."""

    def __init__(self, table: dict[str, str]) -> None:
        """@param table: name -> address."""
        self.table = table

    def getHostByName(self, name: str, timeout: Any = (1, 3, 11, 45)) -> Deferred[str]:
        """Answer from the table or fail with DNSLookupError."""
        d: Deferred[str] = Deferred()
        if name in self.table:
            d.callback(self.table[name])
        else:
            d.errback(error.DNSLookupError(name))
        return d


class ResolverConformanceTests:
    """The default threaded resolver and an installed one, over loopback."""

    def test_exampleU4ResolveLocalhost(self, reactor: Any, runner: Any, capsys: Any) -> None:
        """U4 against a local name: prints the IP of 'localhost', then stops."""

        def gotIP(ip: str) -> None:
            print("IP of 'localhost' is", ip)
            reactor.callLater(0.01, reactor.stop)

        reactor.resolve("localhost").addCallback(gotIP)
        runner.run()
        assert capsys.readouterr().out == "IP of 'localhost' is 127.0.0.1\n"
        assert poolThreads() == []

    def test_resolveUnknownName(self, reactor: Any, runner: Any) -> None:
        """A name that cannot exist fails with DNSLookupError."""
        got: list[Any] = []
        d = reactor.resolve("name.that.does.not.exist.invalid")
        d.addBoth(got.append)
        d.addBoth(lambda _: runner.stopSoon())
        runner.run()
        assert got[0].check(error.DNSLookupError)

    def test_connectTCPThroughInstalledResolver(self, reactor: Any, runner: Any) -> None:
        """connectTCP to a name the installed resolver knows reaches the server."""
        reactor.installResolver(TableResolver({"service.test": "127.0.0.1"}))
        port = reactor.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")
        made: list[Any] = []

        class Client(Protocol):
            def connectionMade(self) -> None:
                made.append(self.transport.getPeer())  # type: ignore[union-attr]
                self.transport.loseConnection()  # type: ignore[union-attr]
                runner.stopSoon()

        class ClientF(ClientFactory):
            protocol = Client

            def clientConnectionFailed(self, connector: Any, reason: Any) -> None:
                made.append(reason)
                runner.stopSoon()

        reactor.connectTCP("service.test", port.getHost().port, ClientF())
        runner.run()
        assert made[0].host == "127.0.0.1"


class HostnameEndpointConformanceTests:
    """HostnameEndpoint with the real resolver over loopback."""

    def test_connectLocalhost(self, reactor: Any, runner: Any) -> None:
        """'localhost' resolves on the pool and connects; data round-trips."""
        port = reactor.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")
        received: list[bytes] = []

        class Client(Protocol):
            def connectionMade(self) -> None:
                self.transport.write(b"happy eyeballs")  # type: ignore[union-attr]

            def dataReceived(self, data: bytes) -> None:
                received.append(data)
                if b"".join(received) == b"happy eyeballs":
                    self.transport.loseConnection()  # type: ignore[union-attr]
                    runner.stopSoon()

        endpoint = HostnameEndpoint(reactor, "localhost", port.getHost().port)
        failures: list[Any] = []
        d = endpoint.connect(Factory.forProtocol(Client))

        def failed(f: Any) -> None:
            failures.append(f)
            runner.stopSoon()

        d.addErrback(failed)
        runner.run()
        assert failures == []
        assert b"".join(received) == b"happy eyeballs"
        assert poolThreads() == []

    def test_allRefused(self, reactor: Any, runner: Any, unusedPort: Any) -> None:
        """Nothing listening: the failure lists the loopback address tried."""
        endpoint = HostnameEndpoint(reactor, "localhost", unusedPort())
        got: list[Any] = []
        d = endpoint.connect(Factory.forProtocol(Protocol))
        d.addBoth(got.append)
        d.addBoth(lambda _: runner.stopSoon())
        runner.run()
        assert got[0].check(error.ConnectError)
        assert "127.0.0.1" in str(got[0].value)
