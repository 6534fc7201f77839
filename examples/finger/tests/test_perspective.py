"""
Tests for finger.perspective: password login over PB and the finger avatar,
with a PB server and client connected in memory.
"""

from __future__ import annotations

from typing import Any

import pytest
from zope.interface.verify import verifyObject

from finger.perspective import FingerAvatar, FingerPBRoot, FingerRealm, PasswordLogin
from finger.store import UserStore
from netframe.cred.checkers import InMemoryUsernamePasswordDatabaseDontUse
from netframe.cred.portal import IRealm, Portal
from netframe.spread import pb


@pytest.fixture
def store(helpers: Any) -> UserStore:
    """A prepared store with the demo users."""
    store = UserStore(helpers.syncPool())
    helpers.succeeded(store.prepare())
    return store


@pytest.fixture
def pair(store: UserStore, helpers: Any) -> Any:
    """A PB connection to the finger root; alice's password is 'secret'."""
    checker = InMemoryUsernamePasswordDatabaseDontUse(alice=b"secret", bob=b"hunter2")
    return helpers.pbPair(FingerPBRoot(Portal(FingerRealm(store), [checker])))


def login(pair: Any, username: Any = "alice", password: Any = "secret") -> Any:
    """Log in; return the Deferred of the avatar reference."""
    return pair.root().callRemote("loginWithPassword", username, password)


class FingerRealmTests:
    """FingerRealm makes an avatar per user."""

    def test_interface(self, store: UserStore) -> None:
        """FingerRealm provides IRealm."""
        assert verifyObject(IRealm, FingerRealm(store))

    def test_avatar(self, store: UserStore) -> None:
        """The avatar is named after the (UTF-8) avatar ID and provides IPerspective."""
        interface, avatar, logout = FingerRealm(store).requestAvatar(
            "zoë".encode(), None, pb.IPerspective
        )
        assert interface is pb.IPerspective
        assert isinstance(avatar, FingerAvatar)
        assert avatar.name == "zoë"
        assert verifyObject(pb.IPerspective, avatar)
        assert logout() is None

    def test_onlyPerspectives(self, store: UserStore) -> None:
        """Other interfaces are not implemented."""
        with pytest.raises(NotImplementedError):
            FingerRealm(store).requestAvatar(b"alice", None, IRealm)

    def test_avatarIdBytes(self, store: UserStore) -> None:
        """A non-bytes avatar ID is a TypeError."""
        with pytest.raises(TypeError, match="must be bytes, not str"):
            FingerRealm(store).requestAvatar("alice", None, pb.IPerspective)


class PasswordLoginTests:
    """loginWithPassword checks the password through the portal."""

    def test_rootPerConnection(self, store: UserStore) -> None:
        """Each connection gets its own PasswordLogin."""
        root = FingerPBRoot(Portal(FingerRealm(store)))
        first, second = root.rootObject("broker1"), root.rootObject("broker2")
        assert isinstance(first, PasswordLogin) and first is not second
        assert first.broker == "broker1"

    def test_goodPassword(self, pair: Any) -> None:
        """The right password gives a reference to the avatar."""
        avatar = pair.call(login(pair))
        assert isinstance(avatar, pb.RemoteReference)

    def test_bytesCredentials(self, pair: Any) -> None:
        """User name and password may be sent as bytes."""
        assert isinstance(pair.call(login(pair, b"alice", b"secret")), pb.RemoteReference)

    def test_wrongPassword(self, pair: Any) -> None:
        """A wrong password fails with LoginRefusedError, saying nothing more."""
        failure = pair.fail(login(pair, "alice", "wrong"))
        assert failure.check("finger.perspective.LoginRefusedError")
        assert failure.getErrorMessage() == "invalid user name or password"

    def test_unknownUser(self, pair: Any) -> None:
        """An unknown user fails exactly like a wrong password."""
        failure = pair.fail(login(pair, "mallory", "secret"))
        assert failure.getErrorMessage() == "invalid user name or password"

    def test_failedLoginLimit(self, pair: Any) -> None:
        """maxFailedLogins failures are answered; the next attempt is refused and drops the connection."""
        for _ in range(PasswordLogin.maxFailedLogins):
            assert pair.fail(login(pair, "alice", "wrong")).getErrorMessage() == (
                "invalid user name or password"
            )
        failure = pair.fail(login(pair, "alice", "secret"))
        assert failure.getErrorMessage() == "too many failed logins on this connection"
        assert pair.server.disconnected

    def test_failedLoginLimitOverridable(self, pair: Any, monkeypatch: Any) -> None:
        """With maxFailedLogins 0, the first attempt drops the connection."""
        monkeypatch.setattr(PasswordLogin, "maxFailedLogins", 0)
        failure = pair.fail(login(pair))
        assert failure.getErrorMessage() == "too many failed logins on this connection"
        assert pair.server.disconnected

    def test_successDoesNotCount(self, pair: Any) -> None:
        """Successful logins do not use up the attempts."""
        for _ in range(PasswordLogin.maxFailedLogins + 1):
            assert isinstance(pair.call(login(pair)), pb.RemoteReference)

    def test_credentialLengthLimit(self, pair: Any, monkeypatch: Any) -> None:
        """Credentials of maxCredentialLength bytes are checked; one more is refused."""
        monkeypatch.setattr(PasswordLogin, "maxCredentialLength", 6)
        assert isinstance(pair.call(login(pair, "alice", "secret")), pb.RemoteReference)
        failure = pair.fail(login(pair, "alice", "secret!"))
        assert failure.getErrorMessage() == "the password is longer than 6 bytes"

    def test_credentialType(self, pair: Any) -> None:
        """A user name that is not text is refused with a clear error."""
        failure = pair.fail(login(pair, 42, "secret"))
        assert failure.getErrorMessage() == "the user name must be text, not int"

    def test_logoutOnDisconnect(self, store: UserStore, helpers: Any) -> None:
        """The realm's logout runs when the connection drops."""
        logouts: list[str] = []

        class Realm(FingerRealm):
            def requestAvatar(self, avatarId: object, mind: object, *interfaces: Any) -> Any:
                interface, avatar, _ = super().requestAvatar(avatarId, mind, *interfaces)
                return interface, avatar, lambda: logouts.append(avatar.name)

        checker = InMemoryUsernamePasswordDatabaseDontUse(alice=b"secret")
        pair = helpers.pbPair(FingerPBRoot(Portal(Realm(store), [checker])))
        pair.call(login(pair))
        assert logouts == []
        pair.server.transport.loseConnection()
        pair.flush()
        assert logouts == ["alice"]


class FingerAvatarTests:
    """The avatar reads statuses, lists users and sets its own status."""

    def test_getStatus(self, pair: Any) -> None:
        """getStatus answers any user's status."""
        avatar = pair.call(login(pair))
        assert pair.call(avatar.callRemote("getStatus", "bob")) == "Giving a tutorial now, sorry!"

    def test_getStatusUnknown(self, pair: Any) -> None:
        """getStatus answers None for an unknown user."""
        avatar = pair.call(login(pair))
        assert pair.call(avatar.callRemote("getStatus", "mallory")) is None

    def test_getStatusNeedsText(self, pair: Any) -> None:
        """getStatus refuses a user name that is not text."""
        avatar = pair.call(login(pair))
        failure = pair.fail(avatar.callRemote("getStatus", [1]))
        assert failure.getErrorMessage() == "a user name must be text, not list"

    def test_listUsers(self, pair: Any) -> None:
        """listUsers answers the sorted names."""
        avatar = pair.call(login(pair))
        assert pair.call(avatar.callRemote("listUsers")) == ["alice", "bob"]

    def test_setStatusOwnOnly(self, pair: Any) -> None:
        """setStatus changes the logged-in user's status and nobody else's."""
        avatar = pair.call(login(pair))
        assert pair.call(avatar.callRemote("setStatus", "Writing docs")) is None
        assert pair.call(avatar.callRemote("getStatus", "alice")) == "Writing docs"
        assert pair.call(avatar.callRemote("getStatus", "bob")) == "Giving a tutorial now, sorry!"

    def test_setStatusRefused(self, pair: Any, events: list[dict[str, Any]]) -> None:
        """A refused status fails with pb.Error (no traceback logged)."""
        avatar = pair.call(login(pair))
        failure = pair.fail(avatar.callRemote("setStatus", "two\nlines"))
        assert failure.check("netframe.spread.pb.Error", "twisted.spread.pb.Error")
        assert "control character" in failure.getErrorMessage()
        assert not [e for e in events if e.get("log_level") and "log_failure" in e]
        assert pair.call(avatar.callRemote("getStatus", "alice")) == "Happy and well"
