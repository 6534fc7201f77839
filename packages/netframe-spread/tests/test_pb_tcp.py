"""
PB over real loopback TCP on an EPollReactor instance (never the global
reactor), with a watchdog: PB1, PB5, PB12 and connection loss.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from zope.interface import implementer

from netframe.core import error
from netframe.core.epollreactor import EPollReactor
from netframe.cred import checkers, credentials, portal
from netframe.spread import pb

#: Seconds a test may run before the watchdog stops it.
WATCHDOG = 10.0


class Boom(pb.Error):
    pass


class Root(pb.Root):
    def remote_echo(self, st: str) -> str:
        return st

    def remote_broken(self) -> None:
        raise Boom("fall down go boom")


class Avatar(pb.Avatar):
    def perspective_foo(self, arg: int) -> int:
        return arg + 1


@implementer(portal.IRealm)
class Realm:
    def requestAvatar(self, avatarId: Any, mind: Any, *interfaces: Any) -> Any:
        return pb.IPerspective, Avatar(), lambda: None


class Loop:
    """An EPollReactor with a watchdog and a result box."""

    def __init__(self) -> None:
        self.reactor = EPollReactor()
        self.results: list[Any] = []
        self.timedOut = False

    def stop(self, _: Any = None) -> None:
        try:
            self.reactor.stop()
        except error.ReactorNotRunning:
            pass

    def run(self) -> None:
        def watchdog() -> None:
            self.timedOut = True
            self.stop()

        call = self.reactor.callLater(WATCHDOG, watchdog)
        self.reactor.run(installSignalHandlers=False)
        if call.active():
            call.cancel()
        assert not self.timedOut, "watchdog fired"

    def serve(self, root: Any) -> tuple[Any, pb.PBClientFactory]:
        port = self.reactor.listenTCP(0, pb.PBServerFactory(root), interface="127.0.0.1")
        factory = pb.PBClientFactory()
        self.reactor.connectTCP("127.0.0.1", port.getHost().port, factory)
        return port, factory


@pytest.fixture
def loop() -> Iterator[Loop]:
    """A fresh L{Loop}, closed after the test."""
    h = Loop()
    yield h
    h.reactor.disconnectAll()
    h.reactor._close()


class TCPTests:
    """PB over loopback TCP."""

    def test_echoAndError(self, loop: Loop) -> None:
        """PB1 and PB5 over TCP: an echo and a remote pb.Error."""
        port, factory = loop.serve(Root())

        def gotRoot(root: Any) -> Any:
            d = root.callRemote("echo", "hello network")
            d.addCallback(loop.results.append)
            d.addCallback(lambda _: root.callRemote("broken"))
            d.addErrback(lambda f: loop.results.append((f.type, f.getErrorMessage())))
            return d

        factory.getRootObject().addCallback(gotRoot).addBoth(loop.stop)
        loop.run()
        assert loop.results == ["hello network", (f"{__name__}.Boom", "fall down go boom")]
        port.stopListening()

    def test_login(self, loop: Loop) -> None:
        """PB12 over TCP: login and a perspective call."""
        checker = checkers.InMemoryUsernamePasswordDatabaseDontUse(user1="pass1")
        port, factory = loop.serve(portal.Portal(Realm(), [checker]))
        d = factory.login(credentials.UsernamePassword(b"user1", b"pass1"))
        d.addCallback(lambda avatar: avatar.callRemote("foo", 12))
        d.addCallback(loop.results.append)
        d.addBoth(loop.stop)
        loop.run()
        assert loop.results == [13]
        port.stopListening()

    def test_connectionLost(self, loop: Loop) -> None:
        """Disconnecting fails pending calls with PBConnectionLost."""

        class Slow(pb.Root):
            def remote_wait(self) -> Any:
                from netframe.core.defer import Deferred

                return Deferred()

        port, factory = loop.serve(Slow())

        def gotRoot(root: Any) -> Any:
            d = root.callRemote("wait")
            loop.reactor.callLater(0.05, factory.disconnect)
            return d

        d = factory.getRootObject().addCallback(gotRoot)
        d.addErrback(lambda f: loop.results.append(f.check(pb.PBConnectionLost)))
        d.addBoth(loop.stop)
        loop.run()
        assert loop.results == [pb.PBConnectionLost]
        port.stopListening()
