"""
The remaining Perspective Broker examples over the in-memory connection
pair: PB7 (caching realms, connection counting and limits), PB8 (a realm
that pushes C{notifyTime} to the client's mind on a timer) and PB17 (the
chat server capability sketches: users, groups and per-user groups).
"""

from __future__ import annotations

from typing import Any

from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.core.defer import Deferred
from netframe.core.failure import Failure
from netframe.core.task import Clock, LoopingCall
from netframe.core.testing import connectedServerAndClient
from netframe.cred import checkers, credentials, portal
from netframe.spread import pb
from netframe.trial import unittest


class _Pair:
    """
    A PB server and client connected in memory, for one test.

    @ivar clientFactory: the client's L{pb.PBClientFactory}.
    @ivar client: the client broker.
    @ivar server: the server broker.
    """

    def __init__(self, case: unittest.SynchronousTestCase, root: Any) -> None:
        self.case = case
        #: References the test keeps alive (a dropped avatar logs out).
        self.kept: list[Any] = []
        serverFactory = pb.PBServerFactory(root)
        self.clientFactory = pb.PBClientFactory()
        self.client, self.server, self.pump = connectedServerAndClient(
            lambda: serverFactory.buildProtocol(None),
            lambda: self.clientFactory.buildProtocol(None),
        )
        self.flush()

    def flush(self) -> None:
        """Move everything both ways (dropped references send their decrefs)."""
        self.pump.flush()

    def call(self, d: Deferred[Any]) -> Any:
        """Flush, then return the result of C{d}."""
        self.flush()
        return self.case.successResultOf(d)

    def fail(self, d: Deferred[Any]) -> Failure:
        """Flush, then return the failure of C{d}."""
        self.flush()
        return self.case.failureResultOf(d)

    def login(self, user: bytes, password: bytes, client: Any = None) -> Any:
        """Log in and return the avatar's reference (the login must succeed)."""
        creds = credentials.UsernamePassword(user, password)
        return self.call(self.clientFactory.login(creds, client=client))

    def root(self) -> Any:
        """The client's reference to the server's root object."""
        return self.call(self.clientFactory.getRootObject())

    def disconnect(self) -> None:
        """Hang up from the client side and deliver the loss."""
        self.clientFactory.disconnect()
        self.flush()


def _portal(realm: Any) -> portal.Portal:
    """A portal over C{realm} for user1/pass1 and user2/pass2."""
    checker = checkers.InMemoryUsernamePasswordDatabaseDontUse(user1="pass1", user2="pass2")
    return portal.Portal(realm, [checker])


# -- PB7: caching realms -------------------------------------------------------


class CachedAvatar(pb.Avatar):
    """PB7, first variant: one avatar per user that counts its greetings."""

    greetings = 0

    def __init__(self, name: str) -> None:
        self.name = name

    def perspective_greet(self) -> str:
        self.greetings += 1
        return f"<{self.greetings}>hello {self.name}"


@implementer(portal.IRealm)
class CachingRealm:
    """PB7: reuse the avatar of a user who logs in again."""

    def __init__(self) -> None:
        self.avatars: dict[Any, CachedAvatar] = {}

    def requestAvatar(self, avatarId: Any, mind: Any, *interfaces: Any) -> Any:
        if pb.IPerspective not in interfaces:
            raise NotImplementedError
        if avatarId in self.avatars:
            p = self.avatars[avatarId]
        else:
            p = self.avatars[avatarId] = CachedAvatar(avatarId.decode())
        return pb.IPerspective, p, lambda: None


class Greeter:
    """PB7, second variant: the cached per-user state."""

    greetings = 0

    def hello(self) -> str:
        # The seed formats two values into one "%d" (SCOPE 5, L12311).
        self.greetings += 1
        return f"<{self.greetings}>hello"


class GreeterAvatar(pb.Avatar):
    """PB7, second variant: a fresh avatar per connection over a cached Greeter."""

    def __init__(self, name: str, greeter: Greeter) -> None:
        self.name = name
        self.greeter = greeter

    def perspective_greet(self) -> str:
        return self.greeter.hello() + " " + self.name


@implementer(portal.IRealm)
class GreeterRealm:
    """PB7, second variant: caches Greeters, builds avatars per connection."""

    def __init__(self) -> None:
        self.greeters: dict[Any, Greeter] = {}
        self.made: list[GreeterAvatar] = []

    def requestAvatar(self, avatarId: Any, mind: Any, *interfaces: Any) -> Any:
        if pb.IPerspective not in interfaces:
            raise NotImplementedError
        if avatarId in self.greeters:
            p = self.greeters[avatarId]
        else:
            p = self.greeters[avatarId] = Greeter()
        avatar = GreeterAvatar(avatarId.decode(), p)
        self.made.append(avatar)
        return pb.IPerspective, avatar, lambda: None


class CountingAvatar(pb.Avatar):
    """PB7, third and fourth variants: counts its live connections."""

    greetings = 0
    connections = 0

    def __init__(self, name: str) -> None:
        self.name = name

    def connect(self) -> None:
        self.connections += 1

    def disconnect(self) -> None:
        self.connections -= 1

    def perspective_greet(self) -> str:
        self.greetings += 1
        return f"<{self.greetings}>hello {self.name}"


@implementer(portal.IRealm)
class CountingRealm:
    """
    PB7, third and fourth variants: the logout callable counts down; with
    C{max} set, a login past C{max} live connections of one user fails.
    """

    def __init__(self, max: int | None = None) -> None:
        self.avatars: dict[Any, CountingAvatar] = {}
        self.max = max

    def requestAvatar(self, avatarId: Any, mind: Any, *interfaces: Any) -> Any:
        if pb.IPerspective not in interfaces:
            raise NotImplementedError
        if avatarId in self.avatars:
            p = self.avatars[avatarId]
        else:
            p = self.avatars[avatarId] = CountingAvatar(avatarId.decode())
        if self.max is not None and p.connections >= self.max:
            raise ValueError("too many connections")
        p.connect()
        return pb.IPerspective, p, p.disconnect


class CachingRealmTests(unittest.SynchronousTestCase):
    """PB7: realm caching of avatars, connection counting, connection limits."""

    def test_realmsProvideIRealm(self) -> None:
        """Every PB7 realm provides IRealm."""
        for realm in (CachingRealm(), GreeterRealm(), CountingRealm(), CountingRealm(max=1)):
            assert verifyObject(portal.IRealm, realm)

    def test_cachedAvatarSharedAcrossConnections(self) -> None:
        """A user's second connection gets the same avatar: greetings go on counting."""
        realm = CachingRealm()
        p = _portal(realm)
        first, second = _Pair(self, p), _Pair(self, p)
        a1 = first.login(b"user1", b"pass1")
        assert first.call(a1.callRemote("greet")) == "<1>hello user1"
        assert first.call(a1.callRemote("greet")) == "<2>hello user1"
        a2 = second.login(b"user1", b"pass1")
        assert second.call(a2.callRemote("greet")) == "<3>hello user1"
        assert list(realm.avatars) == [b"user1"]

    def test_cachedAvatarPerUser(self) -> None:
        """Different users get different cached avatars with their own counts."""
        p = _portal(CachingRealm())
        first, second = _Pair(self, p), _Pair(self, p)
        a1 = first.login(b"user1", b"pass1")
        a2 = second.login(b"user2", b"pass2")
        assert first.call(a1.callRemote("greet")) == "<1>hello user1"
        assert second.call(a2.callRemote("greet")) == "<1>hello user2"

    def test_cachedAvatarOutlivesConnection(self) -> None:
        """After a disconnect, logging in again finds the same avatar and count."""
        p = _portal(CachingRealm())
        first = _Pair(self, p)
        a1 = first.login(b"user1", b"pass1")
        first.call(a1.callRemote("greet"))
        first.disconnect()
        second = _Pair(self, p)
        a2 = second.login(b"user1", b"pass1")
        assert second.call(a2.callRemote("greet")) == "<2>hello user1"

    def test_greeterCachedAvatarPerConnection(self) -> None:
        """Each connection has its own avatar; the cached Greeter counts for both."""
        realm = GreeterRealm()
        p = _portal(realm)
        first, second = _Pair(self, p), _Pair(self, p)
        a1 = first.login(b"user1", b"pass1")
        a2 = second.login(b"user1", b"pass1")
        assert first.call(a1.callRemote("greet")) == "<1>hello user1"
        assert second.call(a2.callRemote("greet")) == "<2>hello user1"
        assert len(realm.made) == 2 and realm.made[0] is not realm.made[1]
        assert realm.made[0].greeter is realm.made[1].greeter

    def test_connectionCounting(self) -> None:
        """Each login counts one connection up; each lost connection counts it down."""
        realm = CountingRealm()
        p = _portal(realm)
        first, second = _Pair(self, p), _Pair(self, p)
        a1 = first.login(b"user1", b"pass1")
        assert realm.avatars[b"user1"].connections == 1
        a2 = second.login(b"user1", b"pass1")
        assert realm.avatars[b"user1"].connections == 2
        assert second.call(a2.callRemote("greet")) == "<1>hello user1"
        first.disconnect()
        assert realm.avatars[b"user1"].connections == 1
        second.disconnect()
        assert realm.avatars[b"user1"].connections == 0
        del a1, a2

    def test_maximumConnectionsAtLimit(self) -> None:
        """With max=2, two live connections of one user are allowed."""
        realm = CountingRealm(max=2)
        p = _portal(realm)
        first, second = _Pair(self, p), _Pair(self, p)
        a1 = first.login(b"user1", b"pass1")
        a2 = second.login(b"user1", b"pass1")
        assert realm.avatars[b"user1"].connections == 2
        assert first.call(a1.callRemote("greet")) == "<1>hello user1"
        assert second.call(a2.callRemote("greet")) == "<2>hello user1"

    def test_maximumConnectionsPastLimit(self) -> None:
        """Past max, the login fails with ValueError 'too many connections'."""
        realm = CountingRealm(max=1)
        p = _portal(realm)
        first, second = _Pair(self, p), _Pair(self, p)
        a1 = first.login(b"user1", b"pass1")
        creds = credentials.UsernamePassword(b"user1", b"pass1")
        reason = second.fail(second.clientFactory.login(creds))
        assert isinstance(reason, pb.CopiedFailure)
        assert reason.check(ValueError)
        assert reason.getErrorMessage() == "too many connections"
        assert realm.avatars[b"user1"].connections == 1
        # The realm's ValueError is not a pb.Error: the server logs it.
        assert len(self.flushLoggedErrors(ValueError)) == 1
        del a1

    def test_maximumConnectionsOtherUserUnaffected(self) -> None:
        """The limit is per user: another user still logs in."""
        realm = CountingRealm(max=1)
        p = _portal(realm)
        first, second = _Pair(self, p), _Pair(self, p)
        a1 = first.login(b"user1", b"pass1")
        a2 = second.login(b"user2", b"pass2")
        assert second.call(a2.callRemote("greet")) == "<1>hello user2"
        del a1

    def test_maximumConnectionsFreedOnDisconnect(self) -> None:
        """Once the connection is gone, the user can log in again."""
        realm = CountingRealm(max=1)
        p = _portal(realm)
        first = _Pair(self, p)
        a1 = first.login(b"user1", b"pass1")
        first.disconnect()
        second = _Pair(self, p)
        a2 = second.login(b"user1", b"pass1")
        assert realm.avatars[b"user1"].connections == 1
        assert second.call(a2.callRemote("greet")) == "<1>hello user1"
        del a1


# -- PB8: the remote clock (the mind) ------------------------------------------


class ClockAvatar(pb.Avatar):
    """
    PB8: tells the client (the mind) the time every period, as the seed's
    C{TimerService} does, with a L{LoopingCall} on the realm's clock.
    """

    def __init__(self, client: Any, clock: Clock) -> None:
        self.clock = clock
        self.client = client
        self.s = self._start(1)

    def _start(self, period: float) -> LoopingCall:
        loop = LoopingCall(self.telltime)
        loop.clock = self.clock
        loop.start(period)
        return loop

    def telltime(self) -> None:
        self.client.callRemote("notifyTime", self.clock.seconds())

    def perspective_setperiod(self, period: float) -> None:
        self.s.stop()
        self.s = self._start(period)

    def logout(self) -> None:
        self.s.stop()


@implementer(portal.IRealm)
class ClockRealm:
    """PB8: a new ClockAvatar per login, stopped at logout."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.avatars: list[ClockAvatar] = []

    def requestAvatar(self, avatarId: Any, mind: Any, *interfaces: Any) -> Any:
        if pb.IPerspective not in interfaces:
            raise NotImplementedError
        p = ClockAvatar(mind, self.clock)
        self.avatars.append(p)
        return pb.IPerspective, p, p.logout


class TimeClient(pb.Referenceable):
    """PB8's client: records the times the server pushes."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def remote_notifyTime(self, when: float) -> None:
        self.times.append(when)


class RemoteClockTests(unittest.SynchronousTestCase):
    """PB8: the realm's avatar pushes notifyTime calls to the client's mind."""

    def setUp(self) -> None:
        self.clock = Clock()
        self.realm = ClockRealm(self.clock)
        self.pair = _Pair(self, _portal(self.realm))
        self.client = TimeClient()
        self.avatar = self.pair.login(b"user1", b"pass1", client=self.client)

    def advance(self, seconds: float, steps: int) -> None:
        """Advance the clock in C{steps} equal steps, delivering after each."""
        for _ in range(steps):
            self.clock.advance(seconds / steps)
            self.pair.flush()

    def test_mindIsRemoteReference(self) -> None:
        """The mind the realm gets is a RemoteReference to the client's object."""
        assert isinstance(self.realm.avatars[0].client, pb.RemoteReference)

    def test_notifyTimeEverySecond(self) -> None:
        """The client hears the time at login, then once a second."""
        assert self.client.times == [0.0]
        self.advance(3, 3)
        assert self.client.times == [0.0, 1.0, 2.0, 3.0]

    def test_setPeriod(self) -> None:
        """perspective_setperiod restarts the timer with the new period."""
        self.advance(1, 1)
        self.pair.call(self.avatar.callRemote("setperiod", 5))
        assert self.client.times == [0.0, 1.0, 1.0]
        self.advance(10, 10)
        assert self.client.times == [0.0, 1.0, 1.0, 6.0, 11.0]

    def test_logoutStopsTimer(self) -> None:
        """Losing the connection runs logout: the timer stops, nothing more is sent."""
        avatar = self.realm.avatars[0]
        self.pair.disconnect()
        assert not avatar.s.running
        assert self.clock.getDelayedCalls() == []
        self.advance(5, 5)
        assert self.client.times == [0.0]

    def test_oneTimerPerLogin(self) -> None:
        """A second login gets its own avatar and timer, started at its login time."""
        self.advance(2, 2)
        other = _Pair(self, _portal(self.realm))
        otherClient = TimeClient()
        otherAvatar = other.login(b"user2", b"pass2", client=otherClient)
        self.clock.advance(1)
        self.pair.flush()
        other.flush()
        assert self.client.times == [0.0, 1.0, 2.0, 3.0]
        assert otherClient.times == [2.0, 3.0]
        assert len(self.clock.getDelayedCalls()) == 2
        del otherAvatar


# -- PB17: chat server capability sketches --------------------------------------

OUT: list[str] = []


class ChatClient(pb.Referenceable):
    """The client side of every PB17 sketch: prints what the server sends."""

    def __init__(self, name: str) -> None:
        self.name = name

    def remote_print(self, message: str) -> None:
        OUT.append(f"{self.name}: {message}")


class NaiveChatServer(pb.Root):
    """
    PB17, first sketch: the server trusts the user name the client sends,
    so anyone can speak as anyone.
    """

    def __init__(self) -> None:
        self.groups: dict[str, list[Any]] = {}
        self.users: dict[str, Any] = {}

    def remote_register(self, username: str, clientref: Any) -> None:
        # Stands for "users have somehow given the server their references".
        self.users[username] = clientref

    def remote_joinGroup(self, username: str, groupname: str) -> None:
        self.groups.setdefault(groupname, []).append(self.users[username])

    def remote_sendMessage(self, from_username: str, groupname: str, message: str) -> None:
        for user in self.groups.get(groupname, []):
            user.callRemote("print", f"<{from_username}> says: {message}")


class User(pb.Referenceable):
    """PB17: the per-user object; its name is kept on the server side."""

    def __init__(self, username: str, server: Any, clientref: Any) -> None:
        self.name = username
        self.server = server
        self.remote = clientref

    def remote_joinGroup(self, groupname: str, allowMattress: bool = True) -> Any:
        return self.server.joinGroup(groupname, self, allowMattress)

    def remote_sendMessage(self, groupname: str, message: str) -> None:
        self.server.sendMessage(self.name, groupname, message)

    def send(self, message: str) -> None:
        self.remote.callRemote("print", message)


class ChatServer:
    """PB17, second sketch: not remotely accessible; users mediate every call."""

    def __init__(self) -> None:
        self.groups: dict[str, list[User]] = {}

    def joinGroup(self, groupname: str, user: User, allowMattress: bool) -> None:
        self.groups.setdefault(groupname, []).append(user)

    def sendMessage(self, from_username: str, groupname: str, message: str) -> None:
        for user in self.groups.get(groupname, []):
            user.send(f"<{from_username}> says: {message}")


class Group(pb.Referenceable):
    """
    PB17, third sketch: a group object handed to its members; the client
    names the sender by sending back a reference, which can be spoofed
    with any object having a C{name} unless C{checkSender} is set.
    """

    checkSender = False

    def __init__(self, groupname: str, allowMattress: bool) -> None:
        self.name = groupname
        self.allowMattress = allowMattress
        self.users: list[User] = []

    def remote_send(self, from_user: Any, message: str) -> None:
        if self.checkSender and not isinstance(from_user, User):
            raise pb.Error("from_user must be your User")
        if not self.allowMattress and "mattress" in message:
            raise ValueError("Don't say that word")
        for user in self.users:
            user.send(f"<{from_user.name}> says: {message}")

    def addUser(self, user: User) -> None:
        self.users.append(user)


class CheckedGroup(Group):
    """PB17, argument typechecking: only a User may be named as the sender."""

    checkSender = True


class GroupChatServer:
    """PB17, third sketch: groups are objects, returned to the users who join."""

    groupClass: type[Group] = Group

    def __init__(self) -> None:
        self.groups: dict[str, Group] = {}

    def joinGroup(self, groupname: str, user: User, allowMattress: bool) -> Group:
        if groupname not in self.groups:
            self.groups[groupname] = self.groupClass(groupname, allowMattress)
        self.groups[groupname].addUser(user)
        return self.groups[groupname]


class PlainGroup:
    """PB17, capabilities: the group itself is not remotely accessible."""

    def __init__(self, groupname: str, allowMattress: bool) -> None:
        self.name = groupname
        self.allowMattress = allowMattress
        self.users: list[User] = []

    def send(self, from_user: User, message: str) -> None:
        if not self.allowMattress and "mattress" in message:
            raise pb.Error("Don't say that word")
        for user in self.users:
            user.send(f"<{from_user.name}> says: {message}")

    def addUser(self, user: User) -> None:
        self.users.append(user)


class UserGroup(pb.Referenceable):
    """PB17, capabilities: one user's handle on one group; it sends only a message."""

    def __init__(self, user: User, group: PlainGroup) -> None:
        self.user = user
        self.group = group

    def remote_send(self, message: str) -> None:
        # The seed passes self.user.name, then reads .name of it again.
        self.group.send(self.user, message)


class CapabilityChatServer:
    """PB17, capabilities: joining gives a UserGroup, never the group."""

    def __init__(self) -> None:
        self.groups: dict[str, PlainGroup] = {}

    def joinGroup(self, groupname: str, user: User, allowMattress: bool) -> UserGroup:
        if groupname not in self.groups:
            self.groups[groupname] = PlainGroup(groupname, allowMattress)
        group = self.groups[groupname]
        group.addUser(user)
        return UserGroup(user, group)


class Account(pb.Avatar):
    """What a PB17 login gives: the user's own User object, made with the right name."""

    def __init__(self, user: User) -> None:
        self.user = user

    def perspective_getUser(self) -> User:
        return self.user


@implementer(portal.IRealm)
class ChatRealm:
    """The realm of the PB17 sketches: one User per login, named by cred."""

    def __init__(self, server: Any) -> None:
        self.server = server

    def requestAvatar(self, avatarId: Any, mind: Any, *interfaces: Any) -> Any:
        if pb.IPerspective not in interfaces:
            raise NotImplementedError
        return pb.IPerspective, Account(User(avatarId.decode(), self.server, mind)), lambda: None


class ChatTests(unittest.SynchronousTestCase):
    """PB17: per-user objects and unforgeable references stop spoofing."""

    def setUp(self) -> None:
        del OUT[:]

    def connect(self, server: Any) -> tuple[tuple[_Pair, Any], tuple[_Pair, Any]]:
        """Log alice and bob in to C{server}; return each pair with its remote User."""
        checker = checkers.InMemoryUsernamePasswordDatabaseDontUse(alice="a", bob="b")
        p = portal.Portal(ChatRealm(server), [checker])
        result = []
        for name in ("alice", "bob"):
            pair = _Pair(self, p)
            account = pair.login(name.encode(), name[0].encode(), client=ChatClient(name))
            pair.kept.append(account)
            result.append((pair, pair.call(account.callRemote("getUser"))))
        return result[0], result[1]

    def flushAll(self, *pairs: _Pair) -> None:
        """Deliver everything on every connection."""
        for _ in range(2):
            for pair in pairs:
                pair.flush()

    def test_naiveServerCanBeSpoofed(self) -> None:
        """First sketch: alice sends as bob, and bob's friends see '<bob>'."""
        server = NaiveChatServer()
        alice, bob = _Pair(self, server), _Pair(self, server)
        aroot, broot = alice.root(), bob.root()
        alice.call(aroot.callRemote("register", "alice", ChatClient("alice")))
        bob.call(broot.callRemote("register", "bob", ChatClient("bob")))
        bob.call(broot.callRemote("joinGroup", "bob", "#veg"))
        alice.call(aroot.callRemote("sendMessage", "bob", "#veg", "i like pork"))
        self.flushAll(alice, bob)
        assert OUT == ["bob: <bob> says: i like pork"]

    def test_userKeepsName(self) -> None:
        """Second sketch: messages carry the User's own name; the server is not remote."""
        (alice, auser), (bob, buser) = self.connect(ChatServer())
        alice.call(auser.callRemote("joinGroup", "#veg"))
        bob.call(buser.callRemote("joinGroup", "#veg"))
        alice.call(auser.callRemote("sendMessage", "#veg", "hello"))
        self.flushAll(alice, bob)
        assert sorted(OUT) == ["alice: <alice> says: hello", "bob: <alice> says: hello"]

    def test_userHasNoFromArgument(self) -> None:
        """Second sketch: a from-name argument is refused, nothing is sent."""
        (alice, auser), _ = self.connect(ChatServer())
        alice.call(auser.callRemote("joinGroup", "#veg"))
        reason = alice.fail(auser.callRemote("sendMessage", "bob", "#veg", "i like pork"))
        assert reason.check(TypeError)
        assert OUT == []
        assert len(self.flushLoggedErrors(TypeError)) == 1

    def test_serverInternalsNotRemote(self) -> None:
        """Second sketch: the User's attributes and the server's methods are out of reach."""
        (alice, auser), _ = self.connect(ChatServer())
        for name in ("send", "name", "server"):
            reason = alice.fail(auser.callRemote(name, "x"))
            assert reason.check(pb.NoSuchMethod)
        assert len(self.flushLoggedErrors(pb.NoSuchMethod)) == 3

    def test_groupReturnedAsReference(self) -> None:
        """Third sketch: joining returns a reference to the group; sending back the User names the sender."""
        (alice, auser), (bob, buser) = self.connect(GroupChatServer())
        group = alice.call(auser.callRemote("joinGroup", "#twisted", allowMattress=False))
        assert isinstance(group, pb.RemoteReference)
        bob.call(buser.callRemote("joinGroup", "#twisted"))
        alice.call(group.callRemote("send", auser, "hi everybody"))
        self.flushAll(alice, bob)
        assert sorted(OUT) == [
            "alice: <alice> says: hi everybody",
            "bob: <alice> says: hi everybody",
        ]

    def test_groupRefusesMattress(self) -> None:
        """Third sketch: a group made with allowMattress=False refuses the word."""
        (alice, auser), _ = self.connect(GroupChatServer())
        group = alice.call(auser.callRemote("joinGroup", "#twisted", allowMattress=False))
        reason = alice.fail(group.callRemote("send", auser, "my mattress"))
        assert reason.check(ValueError)
        assert reason.getErrorMessage() == "Don't say that word"
        assert OUT == []
        assert len(self.flushLoggedErrors(ValueError)) == 1

    def test_groupSpoofedWithGroupReference(self) -> None:
        """Third sketch's hole: naming the group as sender speaks as '#twisted'."""
        (alice, auser), _ = self.connect(GroupChatServer())
        group = alice.call(auser.callRemote("joinGroup", "#twisted"))
        # The seed's group.callRemote("send", from_user=group, "hi everybody")
        # is a syntax error (SCOPE 5, L13100); as keywords:
        alice.call(group.callRemote("send", from_user=group, message="hi everybody"))
        assert OUT == ["alice: <#twisted> says: hi everybody"]

    def test_typecheckedGroupRefusesSpoof(self) -> None:
        """Argument typechecking: a non-User sender fails and nothing is sent."""
        server = GroupChatServer()
        server.groupClass = CheckedGroup
        (alice, auser), _ = self.connect(server)
        group = alice.call(auser.callRemote("joinGroup", "#twisted"))
        reason = alice.fail(group.callRemote("send", from_user=group, message="hi everybody"))
        assert reason.check(pb.Error)
        assert OUT == []
        alice.call(group.callRemote("send", auser, "hi"))
        assert OUT == ["alice: <alice> says: hi"]

    def test_referenceNotGivenToThirdParty(self) -> None:
        """Bob cannot hand his User reference to alice's connection."""
        (alice, auser), (bob, buser) = self.connect(GroupChatServer())
        group = alice.call(auser.callRemote("joinGroup", "#twisted"))
        reason = alice.fail(group.callRemote("send", buser, "hi from bob?"))
        assert reason.check(pb.ProtocolError)
        assert "other than their own" in reason.getErrorMessage()
        self.flushAll(alice, bob)
        assert OUT == []

    def test_userGroupCapability(self) -> None:
        """Capabilities: the UserGroup sends with its user's name and takes only a message."""
        (alice, auser), (bob, buser) = self.connect(CapabilityChatServer())
        handle = alice.call(auser.callRemote("joinGroup", "#twisted", allowMattress=False))
        bob.call(buser.callRemote("joinGroup", "#twisted"))
        alice.call(handle.callRemote("send", "hi everybody"))
        self.flushAll(alice, bob)
        assert sorted(OUT) == [
            "alice: <alice> says: hi everybody",
            "bob: <alice> says: hi everybody",
        ]
        reason = alice.fail(handle.callRemote("send", handle, "spoof"))
        assert reason.check(TypeError)
        assert len(self.flushLoggedErrors(TypeError)) == 1
        reason = alice.fail(handle.callRemote("send", "a mattress"))
        assert reason.check(pb.Error)
        assert len(OUT) == 2
