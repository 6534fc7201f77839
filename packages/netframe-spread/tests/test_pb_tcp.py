"""
PB over real loopback TCP on the global reactor, as netframe-trial's
L{unittest.TestCase} drives it: PB1, PB5, PB12 and connection loss.

Each test returns a Deferred; the class C{timeout} bounds it. Cleanups close
the listening port and both ends of every connection, and wait until they
are closed, so the reactor is left as the test found it.
"""

from __future__ import annotations

from typing import Any, cast

from zope.interface import implementer

from netframe.core import reactor as _globalReactor
from netframe.core.address import IPv4Address
from netframe.core.defer import Deferred, gatherResults
from netframe.core.interfaces import IReactorTCP
from netframe.cred import checkers, credentials, portal
from netframe.spread import pb
from netframe.trial import unittest

#: The global reactor, which netframe-trial's TestCase spins.
reactor = cast(IReactorTCP, _globalReactor)


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


def _trackLoss(broker: pb.Broker, brokers: list[tuple[pb.Broker, Deferred[None]]]) -> pb.Broker:
    """Record C{broker} with a Deferred that fires once its connection is lost."""
    lost: Deferred[None] = Deferred()
    broker.notifyOnDisconnect(lambda: lost.callback(None))
    brokers.append((broker, lost))
    return broker


class _ServerFactory(pb.PBServerFactory):
    """A L{pb.PBServerFactory} that records the brokers it builds."""

    def __init__(self, root: Any, brokers: list[tuple[pb.Broker, Deferred[None]]]) -> None:
        super().__init__(root)
        self.brokers = brokers

    def buildProtocol(self, addr: Any) -> pb.Broker:
        return _trackLoss(super().buildProtocol(addr), self.brokers)


class _ClientFactory(pb.PBClientFactory):
    """A L{pb.PBClientFactory} that records the brokers it builds."""

    def __init__(self, brokers: list[tuple[pb.Broker, Deferred[None]]]) -> None:
        super().__init__()
        self.brokers = brokers

    def buildProtocol(self, addr: Any) -> pb.Broker:
        return _trackLoss(super().buildProtocol(addr), self.brokers)


class TCPTests(unittest.TestCase):
    """PB over loopback TCP."""

    #: Seconds a test may run before netframe-trial fails it.
    timeout = 10

    def serve(self, root: Any) -> pb.PBClientFactory:
        """
        Listen on loopback with a PB server for C{root} and connect a client.

        A cleanup stops listening and closes both ends of the connection.

        @return: the client factory.
        """
        brokers: list[tuple[pb.Broker, Deferred[None]]] = []
        port = reactor.listenTCP(0, _ServerFactory(root, brokers), interface="127.0.0.1")
        factory = _ClientFactory(brokers)
        address = port.getHost()
        assert isinstance(address, IPv4Address)
        reactor.connectTCP("127.0.0.1", address.port, factory)

        def close() -> Deferred[Any]:
            waits: list[Deferred[Any]] = []
            for broker, lost in brokers:
                if broker.transport is not None:
                    broker.transport.loseConnection()
                waits.append(lost)
            stopped = port.stopListening()
            if stopped is not None:
                waits.append(stopped)
            return gatherResults(waits)

        self.addCleanup(close)
        return factory

    def test_echoAndError(self) -> Deferred[None]:
        """PB1 and PB5 over TCP: an echo and a remote pb.Error."""
        factory = self.serve(Root())
        results: list[Any] = []

        def gotRoot(root: Any) -> Any:
            d = root.callRemote("echo", "hello network")
            d.addCallback(results.append)
            d.addCallback(lambda _: root.callRemote("broken"))
            d.addErrback(lambda f: results.append((f.type, f.getErrorMessage())))
            return d

        d = factory.getRootObject().addCallback(gotRoot)
        d.addCallback(
            lambda _: self.assertEqual(
                results, ["hello network", (f"{__name__}.Boom", "fall down go boom")]
            )
        )
        return d

    def test_login(self) -> Deferred[None]:
        """PB12 over TCP: login and a perspective call."""
        checker = checkers.InMemoryUsernamePasswordDatabaseDontUse(user1="pass1")
        factory = self.serve(portal.Portal(Realm(), [checker]))
        d = factory.login(credentials.UsernamePassword(b"user1", b"pass1"))
        d.addCallback(lambda avatar: avatar.callRemote("foo", 12))
        d.addCallback(self.assertEqual, 13)
        return d

    async def test_connectionLost(self) -> None:
        """Disconnecting fails pending calls with PBConnectionLost."""
        factory: pb.PBClientFactory

        class Slow(pb.Root):
            def remote_wait(self) -> Deferred[None]:
                # The call has arrived and will never be answered: hang up.
                factory.disconnect()
                return Deferred()

        factory = self.serve(Slow())
        root = await factory.getRootObject()
        await self.assertFailure(root.callRemote("wait"), pb.PBConnectionLost)
