"""
Tests for netframe.spread.pb and flavors over the in-memory connection
pair: the PB examples (SCOPE 3.10 PB1-PB17, F21) with their transcript
lines, failures, references, caches, login, limits and hostile peers.
"""

from __future__ import annotations

import gc
from typing import Any, cast

from zope.interface import Interface, implementer
from zope.interface.verify import verifyObject

from netframe.core.components import registerAdapter
from netframe.core.defer import Deferred, gatherResults, succeed
from netframe.core.failure import Failure
from netframe.core.testing import connectedServerAndClient
from netframe.cred import checkers, credentials, portal
from netframe.cred.error import UnauthorizedLogin
from netframe.logger import globalLogPublisher
from netframe.spread import flavors, jelly, pb
from netframe.trial import unittest

# -- classes shared by the examples (module level: their names go on the wire)


class MyError(pb.Error):
    """This is an Expected Exception. Something bad happened."""


class MyError2(Exception):
    """This is an Unexpected Exception. Something really bad happened."""


class MyException(pb.Error):
    pass


class MyOtherException(pb.Error):
    pass


class ScaryObject:
    """Not safe for serialization."""


class LilyPond:
    def setStuff(self, color: str, numFrogs: int) -> None:
        self.color = color
        self.numFrogs = numFrogs

    def countFrogs(self, out: list[str]) -> None:
        out.append(f"{self.numFrogs} frogs")


class CopyPond(LilyPond, pb.Copyable):
    pass


class ReceiverPond(pb.RemoteCopy, LilyPond):
    pass


pb.setUnjellyableForClass(CopyPond, ReceiverPond)


class FrogPond:
    def __init__(self, numFrogs: int, numToads: int) -> None:
        self.numFrogs = numFrogs
        self.numToads = numToads

    def count(self) -> int:
        return self.numFrogs + self.numToads


class SenderPond(FrogPond, pb.Copyable):
    def getStateToCopy(self) -> Any:
        d = self.__dict__.copy()
        d["frogsAndToads"] = d["numFrogs"] + d["numToads"]
        del d["numFrogs"]
        del d["numToads"]
        return d


class ReceiverPond2(pb.RemoteCopy):
    frogsAndToads: int

    def setCopyableState(self, state: Any) -> None:
        self.__dict__ = state

    def count(self) -> int:
        return self.frogsAndToads


pb.setUnjellyableForClass(SenderPond, ReceiverPond2)

OUT: list[str] = []


class MasterDuckPond(pb.Cacheable):
    def __init__(self, ducks: list[str]) -> None:
        self.observers: list[Any] = []
        self.ducks = ducks

    def count(self) -> None:
        OUT.append(f"I have [{len(self.ducks)}] ducks")

    def addDuck(self, duck: str) -> None:
        self.ducks.append(duck)
        for o in self.observers:
            o.callRemote("addDuck", duck)

    def removeDuck(self, duck: str) -> None:
        self.ducks.remove(duck)
        for o in self.observers:
            o.callRemote("removeDuck", duck)

    def getStateToCacheAndObserveFor(self, perspective: Any, observer: Any) -> Any:
        self.observers.append(observer)
        return self.ducks

    def stoppedObserving(self, perspective: Any, observer: Any) -> None:
        self.observers.remove(observer)
        OUT.append("stopped observing")


class SlaveDuckPond(pb.RemoteCache):
    cacheducks: list[str]

    def count(self) -> int:
        return len(self.cacheducks)

    def getDucks(self) -> list[str]:
        return self.cacheducks

    def setCopyableState(self, state: Any) -> None:
        OUT.append(" cache - sitting, er, setting ducks")
        self.cacheducks = state

    def observe_addDuck(self, newDuck: str) -> None:
        OUT.append(" cache - addDuck")
        self.cacheducks.append(newDuck)

    def observe_removeDuck(self, deadDuck: str) -> None:
        OUT.append(" cache - removeDuck")
        self.cacheducks.remove(deadDuck)


pb.setUnjellyableForClass(MasterDuckPond, SlaveDuckPond)


# -- the in-memory connection pair and the test case base


class PBPair:
    """
    A PB server and client connected in memory, for one test.

    @ivar server: the server broker.
    @ivar client: the client broker.
    @ivar pump: the L{IOPump}.
    @ivar clientFactory: the client factory.
    """

    def __init__(
        self,
        case: unittest.SynchronousTestCase,
        root: Any,
        clientFactory: pb.PBClientFactory | None = None,
        **kw: Any,
    ) -> None:
        self.case = case
        self.serverFactory = pb.PBServerFactory(root, **kw)
        self.clientFactory = clientFactory or pb.PBClientFactory()
        self.client, self.server, self.pump = connectedServerAndClient(
            lambda: self.serverFactory.buildProtocol(None),
            lambda: self.clientFactory.buildProtocol(None),
        )
        self.flush()

    def flush(self) -> None:
        """Move everything, collecting garbage so decrefs go out."""
        for _ in range(3):
            gc.collect()
            self.pump.flush()

    def call(self, d: Deferred[Any]) -> Any:
        """Flush, then return the result of C{d} (the test fails if it has none)."""
        self.flush()
        return self.case.successResultOf(d)

    def fail(self, d: Deferred[Any]) -> Failure:
        """Flush, then return the failure of C{d} (the test fails if it has none)."""
        self.flush()
        return self.case.failureResultOf(d)

    def root(self) -> Any:
        """The client's reference to the server's root object."""
        return self.call(self.clientFactory.getRootObject())


class PBTestCase(unittest.SynchronousTestCase):
    """The base of this module's tests: a fresh L{OUT}, pairs, log capture."""

    def setUp(self) -> None:
        del OUT[:]

    def pair(self, root: Any, clientFactory: pb.PBClientFactory | None = None, **kw: Any) -> PBPair:
        """A L{PBPair} serving C{root}; C{kw} go to L{pb.PBServerFactory}."""
        return PBPair(self, root, clientFactory, **kw)

    def captureEvents(self) -> list[dict[str, Any]]:
        """The log events emitted from now until the end of the test."""
        captured: list[dict[str, Any]] = []
        globalLogPublisher.addObserver(captured.append)
        self.addCleanup(globalLogPublisher.removeObserver, captured.append)
        return captured


# -- PB1-PB4: roots, references, identity, symmetric references


class EchoRoot(pb.Root):
    def remote_echo(self, st: str) -> str:
        OUT.append("echoing: " + st)
        return st


class Two(pb.Referenceable):
    def remote_three(self, arg: int) -> None:
        OUT.append(f"Two.three was given {arg}")


class One(pb.Root):
    def __init__(self) -> None:
        self.two: Two | None = None

    def remote_getTwo(self) -> Two:
        self.two = Two()
        OUT.append(f"returning a Two called {self.two!r}")
        return self.two

    def remote_checkTwo(self, newtwo: Any) -> None:
        if self.two is newtwo:
            OUT.append("One.checkTwo(): our twos are the same")

    def remote_takeTwo(self, two: Any) -> Any:
        OUT.append("received a Two called " + repr(two))
        OUT.append("telling it to print(12)")
        return two.callRemote("print", 12)


class ClientTwo(pb.Referenceable):
    def remote_print(self, arg: int) -> None:
        OUT.append(f"Two.print() called with {arg}")


class ExamplesTests(PBTestCase):
    """PB1-PB4: callRemote, returned references, identity, symmetry."""

    def test_pb1Echo(self) -> None:
        """PB1: the client prints 'server echoed: hello network'."""
        pair = self.pair(EchoRoot())
        root = pair.root()
        echoed = pair.call(root.callRemote("echo", "hello network"))
        OUT.append(f"server echoed: {echoed}")
        assert OUT == ["echoing: hello network", "server echoed: hello network"]

    def test_pb2ReturnedReference(self) -> None:
        """PB2: a Referenceable returned by a remote method can be called."""
        pair = self.pair(One())
        root = pair.root()
        two = pair.call(root.callRemote("getTwo"))
        assert isinstance(two, pb.RemoteReference)
        pair.call(two.callRemote("three", 12))
        assert OUT[0].startswith("returning a Two called <")
        assert OUT[1] == "Two.three was given 12"

    def test_pb3Identity(self) -> None:
        """PB3: a reference sent back resolves to the original object."""
        pair = self.pair(One())
        root = pair.root()
        two = pair.call(root.callRemote("getTwo"))
        pair.call(root.callRemote("checkTwo", two))
        assert OUT[-1] == "One.checkTwo(): our twos are the same"

    def test_pb4ClientReferenceable(self) -> None:
        """PB4: the server calls a Referenceable the client passed."""
        pair = self.pair(One())
        root = pair.root()
        pair.call(root.callRemote("takeTwo", ClientTwo()))
        assert "Two.print() called with 12" in OUT

    def test_callRemoteNameKeyword(self) -> None:
        """callRemote's first parameter is _name, so name= is a user keyword."""

        class Root(pb.Root):
            def remote_greet(self, name: str) -> str:
                return "hi " + name

        pair = self.pair(Root())
        assert pair.call(pair.root().callRemote("greet", name="bob")) == "hi bob"

    def test_remoteMethod(self) -> None:
        """remoteMethod gives a callable doing callRemote."""
        pair = self.pair(EchoRoot())
        assert pair.call(pair.root().remoteMethod("echo")("x")) == "x"

    def test_f21FingerAdapter(self) -> None:
        """F21: a pb.Root adapter over a service; the client gets 'Happy and well'."""

        class IFingerService(Interface):
            pass

        class IPerspectiveFinger(Interface):
            pass

        @implementer(IFingerService)
        class FingerService:
            def getUser(self, user: bytes) -> Any:
                return succeed({b"moshez": b"Happy and well"}.get(user, b"No such user"))

        @implementer(IPerspectiveFinger)
        class PerspectiveFingerFromService(pb.Root):
            def __init__(self, service: Any) -> None:
                self.service = service

            def remote_getUser(self, username: bytes) -> Any:
                return self.service.getUser(username)

        registerAdapter(PerspectiveFingerFromService, IFingerService, IPerspectiveFinger)
        pair = self.pair(IPerspectiveFinger(FingerService()))
        root = pair.root()
        OUT.append(f"got object: {root!r}")
        OUT.append("server sent: " + pair.call(root.callRemote("getUser", b"moshez")).decode())
        assert OUT[0].startswith("got object: <RemoteReference")
        assert OUT[1] == "server sent: Happy and well"


# -- PB5 / PB6: remote exceptions


class ExcRoot(pb.Root):
    def remote_broken(self) -> None:
        msg = "fall down go boom"
        raise MyError(msg)

    def remote_broken2(self) -> None:
        msg = "hadda owie"
        raise MyError2(msg)


class TrapRoot(pb.Root):
    def remote_fooMethod(self, arg: Any) -> str:
        if arg == "panic!":
            raise MyException
        return "response"

    def remote_shutdown(self) -> None:
        pass


class FailureTests(PBTestCase):
    """PB5, PB6: remote exceptions as CopiedFailure; trap; stale references."""

    def test_pb5Transcript(self) -> None:
        """PB5: the errback prints the documented lines (netframe names)."""
        events = self.captureEvents()
        pair = self.pair(ExcRoot())
        reason = pair.fail(pair.root().callRemote("broken"))
        lines = [
            "got remote Exception",
            f" .__class__ = {reason.__class__.__module__}.{reason.__class__.__name__}",
            f" .getErrorMessage() = {reason.getErrorMessage()}",
            f" .type = {reason.type}",
        ]
        assert lines == [
            "got remote Exception",
            " .__class__ = netframe.spread.pb.CopiedFailure",
            " .getErrorMessage() = fall down go boom",
            f" .type = {__name__}.MyError",
        ]
        assert not [e for e in events if "log_failure" in e]

    def test_pb5UnexpectedLogged(self) -> None:
        """PB5: a non-pb.Error is sent too, and the server logs 'Peer Will Receive PB Traceback'."""
        events = self.captureEvents()
        pair = self.pair(ExcRoot())
        reason = pair.fail(pair.root().callRemote("broken2"))
        assert reason.getErrorMessage() == "hadda owie"
        assert reason.check(MyError2)
        assert any(e.get("log_format") == "Peer Will Receive PB Traceback" for e in events)
        assert len(self.flushLoggedErrors(MyError2)) == 1

    def test_tracebackNotSentByDefault(self) -> None:
        """unsafeTracebacks=False sends no traceback; True sends it."""
        pair = self.pair(ExcRoot())
        reason = cast(pb.CopiedFailure, pair.fail(pair.root().callRemote("broken")))
        assert reason.traceback == "Traceback unavailable\n"
        pair = self.pair(ExcRoot(), unsafeTracebacks=True)
        reason = cast(pb.CopiedFailure, pair.fail(pair.root().callRemote("broken")))
        assert "remote_broken" in reason.traceback

    def test_pb6Transcript(self) -> None:
        """PB6: the trap chain prints the documented transcript."""
        pair = self.pair(TrapRoot())
        remote = pair.root()

        def worked(response: Any) -> None:
            OUT.append(f" method successful, response: {response}")

        def check_InsecureJelly(failure: Any) -> None:
            failure.trap(jelly.InsecureJelly)
            OUT.append(" InsecureJelly: you tried to send something unsafe to them")

        def check_MyException(failure: Any) -> None:
            which = failure.trap(MyException, MyOtherException)
            if which == MyException:
                OUT.append(" remote raised a MyException")
            else:
                OUT.append(" remote raised a MyOtherException")

        def catch_everythingElse(failure: Any) -> None:
            OUT.append(" something else happened")

        def doCall(explanation: str, arg: Any) -> None:
            OUT.append(explanation)
            try:
                d = remote.callRemote("fooMethod", arg)
                d.addCallback(worked)
                d.addErrback(check_InsecureJelly)
                d.addErrback(check_MyException)
                d.addErrback(catch_everythingElse)
            except pb.DeadReferenceError:
                OUT.append(" stale reference: the client disconnected or crashed")
            pair.flush()

        doCall("callOne: call with safe object", "safe string")
        doCall("callTwo: call with dangerous object", ScaryObject())
        doCall("callThree: call that raises remote exception", "panic!")
        OUT.append("telling them to shut down")
        remote.callRemote("shutdown")
        pair.flush()
        pair.server.transport.loseConnection()
        pair.flush()
        doCall("callFour: call on stale reference", "dummy")
        assert OUT == [
            "callOne: call with safe object",
            " method successful, response: response",
            "callTwo: call with dangerous object",
            " InsecureJelly: you tried to send something unsafe to them",
            "callThree: call that raises remote exception",
            " remote raised a MyException",
            "telling them to shut down",
            "callFour: call on stale reference",
            " stale reference: the client disconnected or crashed",
        ]

    def test_receiverInsecureJelly(self) -> None:
        """An unregistered Copyable is refused by the receiver: InsecureJelly in the errback."""

        class Unregistered(pb.Copyable):
            pass

        pair = self.pair(EchoRoot())
        reason = pair.fail(pair.root().callRemote("echo", Unregistered()))
        assert reason.check(jelly.InsecureJelly)
        assert len(self.flushLoggedErrors(jelly.InsecureJelly)) == 1

    def test_pendingCallsLost(self) -> None:
        """Pending calls fail with PBConnectionLost when the connection drops."""

        class Slow(pb.Root):
            def remote_wait(self) -> Deferred[None]:
                return Deferred()

        pair = self.pair(Slow())
        root = pair.root()
        d = root.callRemote("wait")
        pair.flush()
        pair.client.transport.loseConnection()
        pair.flush()
        assert self.failureResultOf(d).check(pb.PBConnectionLost)
        with self.assertRaises(pb.DeadReferenceError):
            root.callRemote("echo", "x")

    def test_notifyOnDisconnect(self) -> None:
        """notifyOnDisconnect callbacks run with the reference; dontNotify removes one."""
        pair = self.pair(EchoRoot())
        root = pair.root()
        seen: list[Any] = []
        root.notifyOnDisconnect(seen.append)
        other: list[Any] = []
        root.notifyOnDisconnect(other.append)
        root.dontNotifyOnDisconnect(other.append)
        pair.server.transport.loseConnection()
        pair.flush()
        assert seen == [root] and other == []

    def test_copiedFailureWireNames(self) -> None:
        """PB's own failures carry Twisted's class names on the wire."""
        from netframe.core.failure import Failure

        pair = self.pair(EchoRoot())
        state = pb.failure2Copyable(Failure(pb.NoSuchMethod("x"))).getStateToCopy()
        assert state["type"] == b"twisted.spread.flavors.NoSuchMethod"
        assert state["parents"][0] == "twisted.spread.flavors.NoSuchMethod"
        assert pair.server.serialize(pb.failure2Copyable(Failure(ValueError())))[0] == (
            b"twisted.spread.pb.CopyableFailure"
        )


# -- PB9-PB11: Copyable and Cacheable


class PondReceiver(pb.Root):
    def remote_takePond(self, pond: Any) -> str:
        OUT.append(f" got pond: {pond!r}")
        pond.countFrogs(OUT)
        return "safe and sound"


class CountReceiver(pb.Root):
    def remote_takePond(self, pond: Any) -> None:
        OUT.append(f" got pond: {pond!r}")
        OUT.append(f" count {pond.count()}")


class CacheReceiver(pb.Root):
    pond: Any = None

    def remote_takePond(self, pond: Any) -> None:
        self.pond = pond
        OUT.append(f"got pond: {pond!r}")
        self.remote_checkDucks()

    def remote_checkDucks(self) -> None:
        OUT.append(f"[{self.pond.count()}] ducks: {self.pond.getDucks()!r}")

    def remote_ignorePond(self) -> None:
        OUT.append("dropping pond")
        self.pond = None


class CopyTests(PBTestCase):
    """PB9, PB10, PB11."""

    def test_pb9Copyable(self) -> None:
        """PB9: the pond arrives as a ReceiverPond; both sides count 7 frogs."""
        pair = self.pair(PondReceiver())
        pond = CopyPond()
        pond.setStuff("green", 7)
        pond.countFrogs(OUT)
        OUT.append(".".join([pond.__class__.__module__, pond.__class__.__name__]))
        response = pair.call(pair.root().callRemote("takePond", pond))
        OUT.append(f"pond arrived {response}")
        assert OUT[0] == "7 frogs"
        assert OUT[1] == f"{__name__}.CopyPond"
        assert OUT[2].startswith(" got pond: <") and "ReceiverPond" in OUT[2]
        assert OUT[3:] == ["7 frogs", "pond arrived safe and sound"]

    def test_pb10GetStateToCopy(self) -> None:
        """PB10: getStateToCopy/setCopyableState reshape the state; count 7."""
        pair = self.pair(CountReceiver())
        pond = SenderPond(3, 4)
        OUT.append(f"count {pond.count()}")
        pair.call(pair.root().callRemote("takePond", pond))
        assert OUT[0] == "count 7"
        assert OUT[-1] == " count 7"

    def test_pb11Cacheable(self) -> None:
        """PB11: the receiver transcript, then decache runs stoppedObserving."""
        receiver = CacheReceiver()
        pair = self.pair(receiver)
        remote = pair.root()
        master = MasterDuckPond(["one duck", "two duck"])
        master.count()
        pair.call(remote.callRemote("takePond", master))
        master.addDuck("ugly duckling")
        master.count()
        pair.call(remote.callRemote("checkDucks"))
        master.removeDuck("one duck")
        master.count()
        pair.call(remote.callRemote("checkDucks"))
        pair.call(remote.callRemote("ignorePond"))
        gc.collect()
        pair.flush()
        receiverLines = [line for line in OUT if not line.startswith("I have")]
        assert receiverLines[0] == " cache - sitting, er, setting ducks"
        assert receiverLines[1].startswith("got pond: <") and "SlaveDuckPond" in receiverLines[1]
        assert receiverLines[2:] == [
            "[2] ducks: ['one duck', 'two duck']",
            " cache - addDuck",
            "[3] ducks: ['one duck', 'two duck', 'ugly duckling']",
            " cache - removeDuck",
            "[2] ducks: ['two duck', 'ugly duckling']",
            "dropping pond",
            "stopped observing",
        ]
        assert [line for line in OUT if line.startswith("I have")] == [
            "I have [2] ducks",
            "I have [3] ducks",
            "I have [2] ducks",
        ]
        assert master.observers == []
        assert pair.server.locallyCachedObjects == {} and pair.client.remotelyCachedObjects == {}

    def test_cachedSentTwice(self) -> None:
        """The same cacheable sent twice on a connection is the same cache."""

        class Keep(pb.Root):
            def remote_take(self, a: Any, b: Any) -> bool:
                return a is b

        pair = self.pair(Keep())
        master = MasterDuckPond([])
        root = pair.root()
        assert pair.call(root.callRemote("take", master, master)) is True

    def test_stoppedObservingOnDisconnect(self) -> None:
        """Losing the connection stops every observer."""
        receiver = CacheReceiver()
        pair = self.pair(receiver)
        master = MasterDuckPond(["a"])
        pair.call(pair.root().callRemote("takePond", master))
        pair.client.transport.loseConnection()
        pair.flush()
        assert master.observers == []

    def test_observerDeadReference(self) -> None:
        """An observer of a lost connection raises DeadReferenceError."""
        pair = self.pair(CacheReceiver())
        master = MasterDuckPond(["a"])
        pair.call(pair.root().callRemote("takePond", master))
        observer = master.observers[0]
        pair.client.transport.loseConnection()
        pair.flush()
        with self.assertRaises(pb.DeadReferenceError):
            observer.callRemote("addDuck", "x")


# -- PB12-PB16: cred login, avatars, viewables


class PB12Avatar(pb.Avatar):
    def __init__(self, name: str) -> None:
        self.name = name

    def perspective_foo(self, arg: int) -> int:
        OUT.append(f"I am {self.name} perspective_foo({arg}) called on {self!r}.")
        return arg


@implementer(portal.IRealm)
class PB12Realm:
    def __init__(self) -> None:
        self.loggedOut: list[str] = []
        self.minds: list[Any] = []

    def requestAvatar(self, avatarId: Any, mind: Any, *interfaces: Any) -> Any:
        assert pb.IPerspective in interfaces
        name = avatarId.decode() if avatarId else "Anonymous"
        self.minds.append(mind)
        return pb.IPerspective, PB12Avatar(name), lambda: self.loggedOut.append(name)


class LoginTests(PBTestCase):
    """PB12-PB16: login, per-user avatars, anonymous, logout, viewables."""

    def makePortal(self, realm: Any, anonymous: bool = False) -> portal.Portal:
        checker = checkers.InMemoryUsernamePasswordDatabaseDontUse(user1="pass1", user2="pass2")
        p = portal.Portal(realm, [checker])
        if anonymous:
            p.registerChecker(checkers.AllowAnonymousAccess())
        return p

    def test_pb12Login(self) -> None:
        """PB12: login with a user name and password gives the avatar."""
        pair = self.pair(self.makePortal(PB12Realm()))
        avatar = pair.call(
            pair.clientFactory.login(credentials.UsernamePassword(b"user1", b"pass1"))
        )
        assert pair.call(avatar.callRemote("foo", 12)) == 12
        assert OUT[0].startswith("I am user1 perspective_foo(12) called on <")

    def test_pb13PerUserAvatars(self) -> None:
        """PB13: two users get different avatars."""
        realm = PB12Realm()
        p = self.makePortal(realm)
        pair1 = self.pair(p)
        pair2 = self.pair(p)
        a1 = pair1.call(pair1.clientFactory.login(credentials.UsernamePassword(b"user1", b"pass1")))
        a2 = pair2.call(pair2.clientFactory.login(credentials.UsernamePassword(b"user2", b"pass2")))
        pair1.call(a1.callRemote("foo", 13))
        pair2.call(a2.callRemote("foo", 14))
        assert OUT[0].startswith("I am user1 perspective_foo(13)")
        assert OUT[1].startswith("I am user2 perspective_foo(14)")

    def test_badPassword(self) -> None:
        """A wrong password fails with UnauthorizedLogin (a CopiedFailure)."""
        pair = self.pair(self.makePortal(PB12Realm()))
        reason = pair.fail(
            pair.clientFactory.login(credentials.UsernamePassword(b"user1", b"wrong"))
        )
        assert isinstance(reason, pb.CopiedFailure)
        assert reason.check(UnauthorizedLogin)
        assert len(self.flushLoggedErrors(UnauthorizedLogin)) == 1

    def test_pb14Anonymous(self) -> None:
        """PB14: anonymous and named logins side by side, gathered."""
        p = self.makePortal(PB12Realm(), anonymous=True)
        pair1 = self.pair(p)
        pair2 = self.pair(p)
        d1 = pair1.clientFactory.login(credentials.Anonymous())
        d2 = pair2.clientFactory.login(credentials.UsernamePassword(b"user1", b"pass1"))
        pair1.flush()
        pair2.flush()
        a1, a2 = self.successResultOf(gatherResults([d1, d2]))
        pair1.call(a1.callRemote("foo", 13))
        pair2.call(a2.callRemote("foo", 13))
        assert OUT[0].startswith("I am Anonymous perspective_foo(13)")
        assert OUT[1].startswith("I am user1 perspective_foo(13)")

    def test_pb15LogoutOnDisconnect(self) -> None:
        """PB15: the logout callable runs when the connection is lost."""
        realm = PB12Realm()
        pair = self.pair(self.makePortal(realm))
        avatar = pair.call(
            pair.clientFactory.login(credentials.UsernamePassword(b"user1", b"pass1"))
        )
        assert realm.loggedOut == []
        pair.clientFactory.disconnect()
        pair.flush()
        assert realm.loggedOut == ["user1"]
        del avatar

    def test_logoutWhenReferenceDropped(self) -> None:
        """Dropping the avatar reference logs the user out (once)."""
        realm = PB12Realm()
        pair = self.pair(self.makePortal(realm))
        pair.call(pair.clientFactory.login(credentials.UsernamePassword(b"user1", b"pass1")))
        pair.flush()
        assert realm.loggedOut == ["user1"]
        pair.clientFactory.disconnect()
        pair.flush()
        assert realm.loggedOut == ["user1"]

    def test_pb16Chat(self) -> None:
        """PB16: Viewable groups get the avatar first; alice hears herself."""

        class Group(pb.Viewable):
            def __init__(self, name: str) -> None:
                self.name = name
                self.users: list[Any] = []

            def view_send(self, from_user: Any, message: str) -> None:
                for user in self.users:
                    user.send(f"<{from_user.name}> says: {message}")

        class ChatServer:
            def __init__(self) -> None:
                self.groups: dict[str, Group] = {}

            def joinGroup(self, groupname: str, user: Any) -> Group:
                group = self.groups.setdefault(groupname, Group(groupname))
                group.users.append(user)
                return group

        class User(pb.Avatar):
            def __init__(self, name: str, server: ChatServer) -> None:
                self.name = name
                self.server = server
                self.remote: Any = None

            def perspective_joinGroup(self, groupname: str) -> Group:
                return self.server.joinGroup(groupname, self)

            def send(self, message: str) -> None:
                self.remote.callRemote("print", message)

        @implementer(portal.IRealm)
        class ChatRealm:
            server = ChatServer()

            def requestAvatar(self, avatarID: Any, mind: Any, *interfaces: Any) -> Any:
                avatar = User(avatarID.decode(), self.server)
                avatar.remote = mind
                return pb.IPerspective, avatar, lambda: None

        class Client(pb.Referenceable):
            def remote_print(self, message: str) -> None:
                OUT.append(message)

        checker = checkers.InMemoryUsernamePasswordDatabaseDontUse(alice="1234")
        pair = self.pair(portal.Portal(ChatRealm(), [checker]))
        client = Client()
        perspective = pair.call(
            pair.clientFactory.login(credentials.UsernamePassword("alice", "1234"), client=client)
        )
        OUT.append("connected, joining group #NeedAFourth")
        group = pair.call(perspective.callRemote("joinGroup", "#NeedAFourth"))
        OUT.append("joined group, now sending a message to all members")
        pair.call(group.callRemote("send", "You can call me Al."))
        assert OUT == [
            "connected, joining group #NeedAFourth",
            "joined group, now sending a message to all members",
            "<alice> says: You can call me Al.",
        ]

    def test_respond(self) -> None:
        """respond is MD5(MD5(password) + challenge); challenges are 16 random bytes."""
        import hashlib

        c = pb.challenge()
        assert len(c) == 16 and c != pb.challenge()
        expected = hashlib.md5(hashlib.md5(b"pw").digest() + c).digest()
        assert pb.respond(c, b"pw") == expected


# -- limits and hostile peers


class ManyRoot(pb.Root):
    def remote_make(self, n: int) -> list[Any]:
        self.kept = [pb.Referenceable() for _ in range(n)]
        return self.kept

    def remote_echo(self, x: Any) -> Any:
        return x


class HostileTests(PBTestCase):
    """MAX_BROKER_REFS and the PB-level attacks of issue 9."""

    def test_maxBrokerRefsDefault(self) -> None:
        """The default limit is 1024."""
        assert pb.MAX_BROKER_REFS == 1024

    def test_atLimit(self) -> None:
        """Exactly MAX_BROKER_REFS references can be held."""
        self.patch(pb, "MAX_BROKER_REFS", 8)
        pair = self.pair(ManyRoot())
        refs = pair.call(pair.root().callRemote("make", 8))
        assert len(refs) == 8

    def test_pastLimit(self) -> None:
        """One reference more than MAX_BROKER_REFS fails the call with pb.Error."""
        self.patch(pb, "MAX_BROKER_REFS", 8)
        pair = self.pair(ManyRoot())
        reason = pair.fail(pair.root().callRemote("make", 9))
        assert reason.check(pb.Error)
        assert "Maximum PB reference count" in reason.getErrorMessage()

    def test_defaultLimitEnforced(self) -> None:
        """The default 1024 holds over a real call (1025 refused)."""
        pair = self.pair(ManyRoot())
        assert len(pair.call(pair.root().callRemote("make", 1024))) == 1024
        pair2 = self.pair(ManyRoot())
        assert pair2.fail(pair2.root().callRemote("make", 1025)).check(pb.Error)

    def test_nonRemoteAttribute(self) -> None:
        """callRemote of a method without the remote_ prefix is NoSuchMethod."""

        class Root(pb.Root):
            secret = "s"

            def helper(self) -> str:
                return "private"

        pair = self.pair(Root())
        root = pair.root()
        for name in ("helper", "secret", "__init__", "rootObject", "remoteMessageReceived"):
            reason = pair.fail(root.callRemote(name))
            assert reason.check(flavors.NoSuchMethod), name
        assert len(self.flushLoggedErrors(flavors.NoSuchMethod)) == 5

    def test_answerUnknownRequest(self) -> None:
        """An answer for an unknown request id is logged and ignored."""
        events = self.captureEvents()
        pair = self.pair(EchoRoot())
        pair.server.sendCall(b"answer", 999, 1)
        pair.server.sendCall(b"error", 998, 1)
        pair.flush()
        assert not pair.client.disconnected
        assert sum("unknown request" in str(e.get("log_format")) for e in events) == 2
        assert pair.call(pair.root().callRemote("echo", "still fine")) == "still fine"

    def test_decrefUnknown(self) -> None:
        """A decref (or decache) of an unknown id is logged and ignored."""
        events = self.captureEvents()
        pair = self.pair(EchoRoot())
        pair.client.sendCall(b"decref", 77)
        pair.client.sendCall(b"decref", b"root")
        pair.client.sendCall(b"decache", 77)
        pair.flush()
        assert not pair.server.disconnected
        assert pair.call(pair.root().callRemote("echo", "ok")) == "ok"
        assert sum("unknown" in str(e.get("log_format")) for e in events) == 3

    def test_messageToUnknownObject(self) -> None:
        """A call on an unknown object id fails with 'Invalid Object ID'."""
        pair = self.pair(EchoRoot())
        ref = pb.RemoteReference(None, pair.client, 12345, 0)
        reason = pair.fail(ref.callRemote("echo", 1))
        assert reason.check(pb.Error) and reason.getErrorMessage() == "Invalid Object ID"

    def test_malformedMessageDrops(self) -> None:
        """A message with the wrong shape drops the connection."""
        pair = self.pair(EchoRoot())
        pair.client.sendCall(b"message", 1)
        pair.flush()
        assert pair.server.disconnected

    def test_unknownCommand(self) -> None:
        """An unknown command is answered with didNotUnderstand."""
        pair = self.pair(EchoRoot())
        pair.client.sendCall(b"frobnicate", 1)
        pair.flush()
        assert not pair.server.disconnected and not pair.client.disconnected

    def test_versionMismatch(self) -> None:
        """A different protocol version drops the connection."""
        pair = self.pair(EchoRoot())
        pair.client.sendCall(b"version", 5)
        pair.flush()
        assert pair.server.disconnected
        assert len(self.flushLoggedErrors(pb.ProtocolError)) == 1

    def test_referenceToThirdParty(self) -> None:
        """A RemoteReference cannot be sent over another connection."""
        pair1 = self.pair(One())
        pair2 = self.pair(EchoRoot())
        two = pair1.call(pair1.root().callRemote("getTwo"))
        reason = pair2.fail(pair2.root().callRemote("echo", two))
        assert reason.check(pb.ProtocolError)

    def test_decrefReleases(self) -> None:
        """When the client drops a reference, the server forgets the object."""
        pair = self.pair(One())
        two = pair.call(pair.root().callRemote("getTwo"))
        assert len(pair.server.localObjects) == 2
        del two
        pair.flush()
        assert list(pair.server.localObjects) == [b"root"]


class InterfaceTests(PBTestCase):
    """verifyObject for every @implementer."""

    def test_root(self) -> None:
        """Root provides IPBRoot."""
        assert verifyObject(flavors.IPBRoot, pb.Root())

    def test_avatar(self) -> None:
        """Avatar provides IPerspective."""
        assert verifyObject(pb.IPerspective, pb.Avatar())

    def test_portalRoot(self) -> None:
        """The root made for a portal provides IPBRoot."""
        factory = pb.PBServerFactory(portal.Portal(PB12Realm()))
        assert verifyObject(flavors.IPBRoot, factory.root)

    def test_challenger(self) -> None:
        """The login challenger provides IUsernameHashedPassword."""
        from netframe.spread._pb import _PortalAuthChallenger

        challenger = _PortalAuthChallenger(None, None, b"u", b"c")  # type: ignore[arg-type]
        assert verifyObject(credentials.IUsernameHashedPassword, challenger)
