"""Tests for netframe.cred.portal."""

from __future__ import annotations

from typing import Any

from zope.interface import Interface, implementer
from zope.interface.verify import verifyObject

from netframe.core.defer import Deferred, fail, succeed
from netframe.cred import checkers, credentials, error
from netframe.cred.checkers import ICredentialsChecker, InMemoryUsernamePasswordDatabaseDontUse
from netframe.cred.portal import IRealm, Portal
from netframe.logger import globalLogPublisher
from netframe.trial import unittest


@implementer(ICredentialsChecker)
class RaisingChecker:
    """A checker with a bug."""

    credentialInterfaces = (credentials.IUsernamePassword,)

    def requestAvatarId(self, credentials: Any) -> object:
        """Raise an internal error."""
        raise RuntimeError("secret internal detail")


@implementer(ICredentialsChecker)
class DeniedChecker:
    """A checker refusing with LoginDenied."""

    credentialInterfaces = (credentials.IUsernamePassword,)

    def requestAvatarId(self, credentials: Any) -> object:
        """Refuse."""
        return fail(error.LoginDenied("account disabled"))


@implementer(IRealm)
class FixedRealm:
    """A realm returning whatever it was given."""

    def __init__(self, result: object) -> None:
        self.result = result

    def requestAvatar(self, avatarId: object, mind: object, *interfaces: Any) -> object:
        """Return the fixed result."""
        return self.result


class IThing(Interface):
    """An avatar interface for the tests."""


class IOther(Interface):
    """Another avatar interface, which RecordingRealm never offers."""


class Avatar:
    """
    A test avatar.

    @ivar avatarId: who it is.
    @ivar loggedOut: how many times its logout was called.
    """

    def __init__(self, avatarId: object) -> None:
        self.avatarId = avatarId
        self.loggedOut = 0

    def logout(self) -> None:
        """Count a logout."""
        self.loggedOut += 1


@implementer(IRealm)
class RecordingRealm:
    """
    A realm making an L{Avatar} per avatar ID for L{IThing}.

    @ivar calls: C{(avatarId, mind, interfaces)} of each request.
    @ivar avatars: the avatars made, by ID.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[object, object, tuple[Any, ...]]] = []
        self.avatars: dict[object, Avatar] = {}

    def requestAvatar(self, avatarId: object, mind: object, *interfaces: Any) -> object:
        """Return (IThing, avatar, avatar.logout) or raise NotImplementedError."""
        self.calls.append((avatarId, mind, interfaces))
        if IThing not in interfaces:
            raise NotImplementedError("no interface")
        avatar = self.avatars.setdefault(avatarId, Avatar(avatarId))
        return IThing, avatar, avatar.logout


class PortalTestCase(unittest.SynchronousTestCase):
    """
    A fresh realm and a portal with bob/secret in memory for each test.

    @ivar realm: the L{RecordingRealm}.
    @ivar portal: the L{Portal} over it.
    """

    def setUp(self) -> None:
        self.realm = RecordingRealm()
        self.portal = Portal(self.realm, [InMemoryUsernamePasswordDatabaseDontUse(bob="secret")])

    def captureEvents(self) -> list[dict[str, Any]]:
        """The log events emitted from now until the end of the test."""
        captured: list[dict[str, Any]] = []
        globalLogPublisher.addObserver(captured.append)
        self.addCleanup(globalLogPublisher.removeObserver, captured.append)
        return captured


class RegistrationTests(PortalTestCase):
    """Checkers are registered by credentials interface."""

    def test_checkersFromConstructor(self) -> None:
        """Portal(realm, checkers) registers each for its own interfaces."""
        p = Portal(self.realm, [checkers.AllowAnonymousAccess()])
        assert p.listCredentialsInterfaces() == [credentials.IAnonymous]
        assert p.realm is self.realm

    def test_defaultInterfaces(self) -> None:
        """registerChecker without interfaces uses checker.credentialInterfaces."""
        p = Portal(self.realm)
        checker = InMemoryUsernamePasswordDatabaseDontUse()
        p.registerChecker(checker)
        assert p.listCredentialsInterfaces() == [
            credentials.IUsernamePassword,
            credentials.IUsernameHashedPassword,
        ]

    def test_explicitInterfaces(self) -> None:
        """registerChecker with interfaces registers only those."""
        p = Portal(self.realm)
        p.registerChecker(InMemoryUsernamePasswordDatabaseDontUse(), credentials.IUsernamePassword)
        assert p.listCredentialsInterfaces() == [credentials.IUsernamePassword]

    def test_laterReplaces(self) -> None:
        """A later checker for the same interface replaces the earlier one."""
        first: ICredentialsChecker = InMemoryUsernamePasswordDatabaseDontUse()
        second: ICredentialsChecker = RaisingChecker()
        p = Portal(self.realm, [first, second])
        assert p.checkers[credentials.IUsernamePassword] is second
        assert p.checkers[credentials.IUsernameHashedPassword] is first

    def test_notAnInterface(self) -> None:
        """Registering for something that is not an interface is a TypeError."""
        with self.assertRaisesRegex(TypeError, "zope interfaces"):
            Portal(self.realm).registerChecker(RaisingChecker(), str)  # type: ignore[arg-type]

    def test_repr(self) -> None:
        """repr names the interfaces with checkers."""
        assert "IUsernamePassword" in repr(self.portal)


class LoginTests(PortalTestCase):
    """login checks credentials, then asks the realm."""

    def test_success(self) -> None:
        """Good credentials fire (interface, avatar, logout) for the avatar ID."""
        iface, avatar, logout = self.successResultOf(
            self.portal.login(credentials.UsernamePassword("bob", "secret"), None, IThing)
        )
        assert iface is IThing
        assert avatar.avatarId == b"bob"
        logout()
        assert avatar.loggedOut == 1

    def test_mindAndInterfacesPassed(self) -> None:
        """The realm gets the avatar ID, the mind and every interface in order."""
        mind = object()
        self.successResultOf(
            self.portal.login(credentials.UsernamePassword(b"bob", b"secret"), mind, IOther, IThing)
        )
        assert self.realm.calls == [(b"bob", mind, (IOther, IThing))]

    def test_wrongPassword(self) -> None:
        """A wrong password fails with UnauthorizedLogin and never reaches the realm."""
        self.failureResultOf(
            self.portal.login(credentials.UsernamePassword("bob", "nope"), None, IThing),
            error.UnauthorizedLogin,
        )
        assert self.realm.calls == []

    def test_unhandledCredentials(self) -> None:
        """Credentials no checker handles fail with UnhandledCredentials."""
        failure = self.failureResultOf(
            self.portal.login(credentials.Anonymous(), None, IThing), error.UnhandledCredentials
        )
        assert "IAnonymous" in str(failure.value)

    def test_plainObjectUnhandled(self) -> None:
        """An object providing no interface at all is unhandled too."""
        failure = self.failureResultOf(
            self.portal.login(object(), None, IThing), error.UnhandledCredentials
        )
        assert "none" in str(failure.value)

    def test_anonymous(self) -> None:
        """Anonymous credentials reach the realm as ANONYMOUS."""
        p = Portal(self.realm, [checkers.AllowAnonymousAccess()])
        _, avatar, _ = self.successResultOf(p.login(credentials.Anonymous(), None, IThing))
        assert avatar.avatarId == checkers.ANONYMOUS == ()

    def test_checkerBugBecomesUnauthorized(self) -> None:
        """A checker raising unexpectedly yields UnauthorizedLogin; the error is logged."""
        events = self.captureEvents()
        p = Portal(self.realm, [RaisingChecker()])
        failure = self.failureResultOf(
            p.login(credentials.UsernamePassword("a", "b"), None, IThing), error.UnauthorizedLogin
        )
        assert "secret internal detail" not in str(failure.value)
        assert str(failure.value) == error.UNAUTHORIZED_MESSAGE
        logged = [e for e in events if "log_failure" in e]
        assert len(logged) == 1
        assert logged[0]["log_failure"].check(RuntimeError)
        assert logged[0]["log_namespace"] == "netframe.cred.portal"
        assert len(self.flushLoggedErrors(RuntimeError)) == 1

    def test_loginFailedPassesThrough(self) -> None:
        """A checker's own LoginFailed subclass reaches the caller unchanged."""
        p = Portal(self.realm, [DeniedChecker()])
        failure = self.failureResultOf(
            p.login(credentials.UsernamePassword("a", "b"), None, IThing), error.LoginDenied
        )
        assert str(failure.value) == "account disabled"

    def test_realmErrorPassesThrough(self) -> None:
        """An error raised by the realm reaches the caller unchanged."""
        self.failureResultOf(
            self.portal.login(credentials.UsernamePassword("bob", "secret"), None, IOther),
            NotImplementedError,
        )


class DeferredRealmTests(PortalTestCase):
    """The realm may answer with a Deferred tuple or a Deferred avatar (SCOPE §5)."""

    def login(self, realmResult: object) -> Deferred[Any]:
        """Log bob in against a realm returning realmResult."""
        p = Portal(FixedRealm(realmResult), [InMemoryUsernamePasswordDatabaseDontUse(bob="pw")])
        return p.login(credentials.UsernamePassword("bob", "pw"), None, IThing)

    def test_deferredTuple(self) -> None:
        """A Deferred firing with the tuple gives that tuple."""
        logout = lambda: None  # noqa: E731
        assert self.successResultOf(self.login(succeed((IThing, "A", logout)))) == (
            IThing,
            "A",
            logout,
        )

    def test_deferredAvatarSlot(self) -> None:
        """A Deferred in the avatar slot is waited for; login gives a plain tuple."""
        avatar: Deferred[str] = Deferred()
        logout = lambda: None  # noqa: E731
        d = self.login((IThing, avatar, logout))
        box: list[Any] = []
        d.addCallback(box.append)
        assert box == []
        avatar.callback("A")
        assert box == [(IThing, "A", logout)]

    def test_deferredTupleWithDeferredAvatar(self) -> None:
        """Both at once work too."""
        logout = lambda: None  # noqa: E731
        d = self.login(succeed((IThing, succeed("A"), logout)))
        assert self.successResultOf(d) == (IThing, "A", logout)

    def test_failedAvatarCallsLogout(self) -> None:
        """A failing avatar Deferred calls logout and fails the login with its error."""
        calls: list[int] = []
        d = self.login((IThing, fail(error.LoginDenied("no")), lambda: calls.append(1)))
        self.failureResultOf(d, error.LoginDenied)
        assert calls == [1]

    def test_failedAvatarLogoutRaises(self) -> None:
        """A logout raising after a failed avatar is logged; the avatar's error wins."""

        def logout() -> None:
            raise ValueError("logout bug")

        self.failureResultOf(
            self.login((IThing, fail(error.LoginDenied("no")), logout)), error.LoginDenied
        )
        assert len(self.flushLoggedErrors(ValueError)) == 1

    def test_notATuple(self) -> None:
        """A realm result that is not a 3-tuple fails the login with TypeError."""
        for bad in [None, "avatar", (1, 2), (1, 2, 3, 4), [1, 2, 3]]:
            failure = self.failureResultOf(self.login(bad), TypeError)
            assert "(interface, avatar, logout)" in str(failure.value), bad


class VerifyTests(PortalTestCase):
    """The test realm provides IRealm (sanity of the fixtures)."""

    def test_realmProvides(self) -> None:
        """verifyObject(IRealm, RecordingRealm()) holds."""
        assert verifyObject(IRealm, self.realm)

    def test_publicModule(self) -> None:
        """Portal and IRealm name their public module."""
        assert Portal.__module__ == IRealm.__module__ == "netframe.cred.portal"
