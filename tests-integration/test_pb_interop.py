"""
Perspective Broker interoperability with Twisted: a real Twisted PB peer
runs in a subprocess (Twisted is installed in the integration environment
for the interop tests only) and talks to netframe's PB over loopback TCP,
both ways:

  - Twisted client -> netframe server: root object, a Referenceable round
    trip (identity preserved), a Copyable, a Cacheable with an update, a
    remote pb.Error and an unknown method, cred login (good and bad
    password);
  - netframe client -> Twisted server: the same.

Ports are chosen by the kernel (port 0) and passed to the other side; every
run is bounded by a watchdog.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from zope.interface import implementer

from netframe.core.defer import Deferred, inlineCallbacks
from netframe.core.epollreactor import EPollReactor
from netframe.core.failure import Failure
from netframe.cred import checkers, credentials, portal
from netframe.cred.error import UnauthorizedLogin
from netframe.spread import flavors, pb

#: Seconds each direction may take before the watchdog stops it.
WATCHDOG_SECONDS = 30.0

#: The Twisted side: the same objects, and a client and a server mode.
TWISTED_PEER = r"""
import json, sys
from twisted.internet import reactor, defer
from twisted.spread import pb
from twisted.cred import portal, checkers, credentials, error
from zope.interface import implementer


class MyError(pb.Error):
    pass


class Pond(pb.Copyable, pb.RemoteCopy):
    def __init__(self, frogs=0):
        self.frogs = frogs


pb.setUnjellyableForClass("__main__.Pond", Pond)


class DuckPond(pb.Cacheable):
    def __init__(self):
        self.ducks = ["one duck"]
        self.observers = []

    def getStateToCacheAndObserveFor(self, perspective, observer):
        self.observers.append(observer)
        return {"ducks": self.ducks}

    def addDuck(self, duck):
        self.ducks.append(duck)
        for o in self.observers:
            o.callRemote("addDuck", duck)


class DuckCache(pb.RemoteCache):
    def setCopyableState(self, state):
        self.ducks = state["ducks"]

    def observe_addDuck(self, duck):
        self.ducks.append(duck)


class Two(pb.Referenceable):
    def remote_three(self, x):
        return x * 3


class Root(pb.Root):
    two = None
    pond = DuckPond()

    def remote_echo(self, *args, **kw):
        return [list(args), kw]

    def remote_getTwo(self):
        self.two = Two()
        return self.two

    def remote_checkTwo(self, two):
        return two is self.two

    def remote_takePond(self, pond):
        return "%d frogs" % pond.frogs

    def remote_givePond(self):
        return Pond(7)

    def remote_getCache(self):
        return self.pond

    def remote_addDuck(self, duck):
        self.pond.addDuck(duck)
        return len(self.pond.ducks)

    def remote_broken(self):
        raise MyError("fall down go boom")


class Avatar(pb.Avatar):
    def __init__(self, name):
        self.name = name

    def perspective_foo(self, x):
        return "%s foo %d" % (self.name.decode(), x)


@implementer(portal.IRealm)
class Realm:
    def requestAvatar(self, avatarId, mind, *interfaces):
        return pb.IPerspective, Avatar(avatarId), lambda: None


def report(name, value):
    print(json.dumps([name, value]), flush=True)


def failureInfo(f):
    return {"type": str(f.type), "message": f.getErrorMessage(), "isPbError": bool(f.check(pb.Error)),
            "isUnauthorized": bool(f.check(error.UnauthorizedLogin)), "class": f.__class__.__name__}


@defer.inlineCallbacks
def client(port, credPort, cacheName):
    pb.setUnjellyableForClass(cacheName, DuckCache)
    factory = pb.PBClientFactory()
    reactor.connectTCP("127.0.0.1", port, factory)
    root = yield factory.getRootObject()
    echoed = yield root.callRemote("echo", "text", b"bytes", 1.5, -(10 ** 20), None, True, [1, (2, 3)], key={"k": "v"})
    report("echo", repr(echoed))
    two = yield root.callRemote("getTwo")
    report("three", (yield two.callRemote("three", 12)))
    report("identity", (yield root.callRemote("checkTwo", two)))
    report("takePond", (yield root.callRemote("takePond", Pond(7))))
    pond = yield root.callRemote("givePond")
    report("givePond", [type(pond).__name__, pond.frogs])
    cache = yield root.callRemote("getCache")
    report("cacheInitial", list(cache.ducks))
    count = yield root.callRemote("addDuck", "ugly duckling")
    report("cacheUpdated", [count, list(cache.ducks)])
    try:
        yield root.callRemote("broken")
    except Exception:
        pass
    d = root.callRemote("broken")
    d.addErrback(lambda f: report("broken", failureInfo(f)))
    yield d
    d = root.callRemote("nosuch")
    d.addErrback(lambda f: report("nosuch", failureInfo(f)))
    yield d
    credFactory = pb.PBClientFactory()
    reactor.connectTCP("127.0.0.1", credPort, credFactory)
    avatar = yield credFactory.login(credentials.UsernamePassword(b"user1", b"pass1"))
    report("login", (yield avatar.callRemote("foo", 12)))
    badFactory = pb.PBClientFactory()
    reactor.connectTCP("127.0.0.1", credPort, badFactory)
    d = badFactory.login(credentials.UsernamePassword(b"user1", b"wrong"))
    d.addErrback(lambda f: report("badLogin", failureInfo(f)))
    yield d
    factory.disconnect()
    credFactory.disconnect()
    badFactory.disconnect()


def runClient(port, credPort, cacheName):
    d = client(int(port), int(credPort), cacheName)
    def done(result):
        reactor.callLater(0.1, reactor.stop)
    d.addErrback(lambda f: report("error", f.getTraceback()))
    d.addBoth(done)
    reactor.callLater(20, reactor.stop)
    reactor.run()


def runServer():
    p = reactor.listenTCP(0, pb.PBServerFactory(Root()), interface="127.0.0.1")
    checker = checkers.InMemoryUsernamePasswordDatabaseDontUse(user1=b"pass1")
    c = reactor.listenTCP(0, pb.PBServerFactory(portal.Portal(Realm(), [checker])), interface="127.0.0.1")
    print("PORTS %d %d" % (p.getHost().port, c.getHost().port), flush=True)
    reactor.callLater(25, reactor.stop)
    reactor.run()


if sys.argv[1] == "client":
    runClient(*sys.argv[2:])
else:
    runServer()
"""


class MyError(pb.Error):
    """The netframe server's expected error."""


class Pond(pb.Copyable, pb.RemoteCopy):
    """A pond copied both ways."""

    def __init__(self, frogs: int = 0) -> None:
        self.frogs = frogs

    def getTypeToCopy(self) -> bytes:
        """Travel under the peer script's name for the same class."""
        return b"__main__.Pond"


pb.setUnjellyableForClass("__main__.Pond", Pond)


class DuckPond(pb.Cacheable):
    """The netframe server's cacheable."""

    def __init__(self) -> None:
        self.ducks = ["one duck"]
        self.observers: list[Any] = []

    def getStateToCacheAndObserveFor(self, perspective: Any, observer: Any) -> Any:
        self.observers.append(observer)
        return {"ducks": self.ducks}

    def addDuck(self, duck: str) -> None:
        self.ducks.append(duck)
        for o in self.observers:
            o.callRemote("addDuck", duck)


class DuckCache(pb.RemoteCache):
    """The netframe client's cache of Twisted's DuckPond."""

    def setCopyableState(self, state: Any) -> None:
        self.ducks = state["ducks"]

    def observe_addDuck(self, duck: str) -> None:
        self.ducks.append(duck)


pb.setUnjellyableForClass("__main__.DuckPond", DuckCache)


class Two(pb.Referenceable):
    def remote_three(self, x: int) -> int:
        return x * 3


class Root(pb.Root):
    two: Any = None

    def __init__(self) -> None:
        self.pond = DuckPond()

    def remote_echo(self, *args: Any, **kw: Any) -> Any:
        return [list(args), kw]

    def remote_getTwo(self) -> Two:
        self.two = Two()
        return self.two

    def remote_checkTwo(self, two: Any) -> bool:
        return two is self.two

    def remote_takePond(self, pond: Any) -> str:
        return f"{pond.frogs} frogs"

    def remote_givePond(self) -> Pond:
        return Pond(7)

    def remote_getCache(self) -> DuckPond:
        return self.pond

    def remote_addDuck(self, duck: str) -> int:
        self.pond.addDuck(duck)
        return len(self.pond.ducks)

    def remote_broken(self) -> None:
        raise MyError("fall down go boom")


class Avatar(pb.Avatar):
    def __init__(self, name: bytes) -> None:
        self.name = name

    def perspective_foo(self, x: int) -> str:
        return f"{self.name.decode()} foo {x}"


@implementer(portal.IRealm)
class Realm:
    def requestAvatar(self, avatarId: Any, mind: Any, *interfaces: Any) -> Any:
        return pb.IPerspective, Avatar(avatarId), lambda: None


def startTwisted(*args: str) -> subprocess.Popen[str]:
    """Start the Twisted peer script with C{args}."""
    return subprocess.Popen(
        [sys.executable, "-c", TWISTED_PEER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
class TwistedPBInteropTests:
    """netframe's PB and Twisted's PB understand each other."""

    def test_twistedClientNetframeServer(
        self, reactor: EPollReactor, runUntil: Callable[[Any], Any]
    ) -> None:
        """A Twisted client uses a netframe server: references, copies, caches, errors, login."""
        root = Root()
        checker = checkers.InMemoryUsernamePasswordDatabaseDontUse(user1="pass1")
        port = reactor.listenTCP(0, pb.PBServerFactory(root), interface="127.0.0.1")
        credPort = reactor.listenTCP(
            0, pb.PBServerFactory(portal.Portal(Realm(), [checker])), interface="127.0.0.1"
        )
        cacheName = f"{DuckPond.__module__}.{DuckPond.__qualname__}"

        @inlineCallbacks
        def scenario() -> Any:
            proc = startTwisted(
                "client", str(port.getHost().port), str(credPort.getHost().port), cacheName
            )
            finished: Deferred[None] = Deferred()

            def poll() -> None:
                if proc.poll() is None:
                    reactor.callLater(0.02, poll)
                else:
                    finished.callback(None)

            poll()
            yield finished
            stdout, stderr = proc.communicate()
            return proc.returncode, stdout, stderr

        try:
            returncode, stdout, stderr = runUntil(scenario())
        finally:
            port.stopListening()
            credPort.stopListening()
        results = dict(json.loads(line) for line in stdout.splitlines())
        assert "error" not in results, results["error"]
        assert "badLogin" in results, (stdout, stderr)
        assert returncode == 0, stderr
        assert results["echo"] == repr(
            [["text", b"bytes", 1.5, -(10**20), None, True, [1, (2, 3)]], {"key": {"k": "v"}}]
        )
        assert results["three"] == 36
        assert results["identity"] is True
        assert results["takePond"] == "7 frogs"
        assert results["givePond"] == ["Pond", 7]
        assert results["cacheInitial"] == ["one duck"]
        assert results["cacheUpdated"] == [2, ["one duck", "ugly duckling"]]
        assert results["broken"] == {
            # Twisted's CopiedFailure keeps the type name as bytes.
            "type": repr(f"{MyError.__module__}.MyError".encode()),
            "message": "fall down go boom",
            "isPbError": True,
            "isUnauthorized": False,
            "class": "CopiedFailure",
        }
        assert results["nosuch"]["type"] == repr(b"twisted.spread.flavors.NoSuchMethod")
        assert results["login"] == "user1 foo 12"
        assert results["badLogin"]["isUnauthorized"] is True

    def test_netframeClientTwistedServer(
        self, reactor: EPollReactor, runUntil: Callable[[Any], Any]
    ) -> None:
        """A netframe client uses a Twisted server: references, copies, caches, errors, login."""
        proc = startTwisted("server")
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith("PORTS "), (line, proc.stderr.read() if proc.stderr else "")
            port, credPort = (int(p) for p in line.split()[1:])

            @inlineCallbacks
            def scenario() -> Any:
                out: dict[str, Any] = {}
                factory = pb.PBClientFactory()
                reactor.connectTCP("127.0.0.1", port, factory)
                root = yield factory.getRootObject()
                out["echo"] = yield root.callRemote(
                    "echo", "text", b"bytes", 1.5, -(10**20), None, True, key=[1]
                )
                two = yield root.callRemote("getTwo")
                out["three"] = yield two.callRemote("three", 12)
                out["identity"] = yield root.callRemote("checkTwo", two)
                out["takePond"] = yield root.callRemote("takePond", Pond(7))
                out["givePond"] = yield root.callRemote("givePond")
                cache = yield root.callRemote("getCache")
                out["cacheInitial"] = list(cache.ducks)
                count = yield root.callRemote("addDuck", "ugly duckling")
                out["cacheUpdated"] = [count, list(cache.ducks)]
                try:
                    yield root.callRemote("broken")
                except Exception:
                    out["broken"] = Failure()
                failures: list[Failure] = []
                yield root.callRemote("broken").addErrback(failures.append)
                yield root.callRemote("nosuch").addErrback(failures.append)
                out["brokenFailure"], out["nosuch"] = failures
                credFactory = pb.PBClientFactory()
                reactor.connectTCP("127.0.0.1", credPort, credFactory)
                avatar = yield credFactory.login(credentials.UsernamePassword(b"user1", b"pass1"))
                out["login"] = yield avatar.callRemote("foo", 12)
                badFactory = pb.PBClientFactory()
                reactor.connectTCP("127.0.0.1", credPort, badFactory)
                bad = badFactory.login(credentials.UsernamePassword(b"user1", b"x"))
                yield bad.addErrback(failures.append)
                out["badLogin"] = failures[2]
                for f in (factory, credFactory, badFactory):
                    f.disconnect()
                return out

            out = runUntil(scenario())
        finally:
            proc.terminate()
            proc.communicate(timeout=WATCHDOG_SECONDS)
        assert out["echo"] == [["text", b"bytes", 1.5, -(10**20), None, True], {"key": [1]}]
        assert out["three"] == 36
        assert out["identity"] is True
        assert out["takePond"] == "7 frogs"
        assert isinstance(out["givePond"], Pond) and out["givePond"].frogs == 7
        assert out["cacheInitial"] == ["one duck"]
        assert out["cacheUpdated"] == [2, ["one duck", "ugly duckling"]]
        f = out["brokenFailure"]
        assert isinstance(f, pb.CopiedFailure)
        assert f.type == "__main__.MyError" and f.getErrorMessage() == "fall down go boom"
        assert f.check(pb.Error)
        assert out["nosuch"].check(flavors.NoSuchMethod)
        assert out["login"] == "user1 foo 12"
        assert out["badLogin"].check(UnauthorizedLogin)
