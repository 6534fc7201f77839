"""Tests for netframe.cred.portal."""

from __future__ import annotations

from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.core.defer import Deferred, fail, succeed
from netframe.cred import checkers, credentials, error
from netframe.cred.checkers import ICredentialsChecker, InMemoryUsernamePasswordDatabaseDontUse
from netframe.cred.portal import IRealm, Portal


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


@pytest.fixture
def portal(realm: Any) -> Portal:
    """A portal with bob/secret in memory."""
    return Portal(realm, [InMemoryUsernamePasswordDatabaseDontUse(bob="secret")])


class RegistrationTests:
    """Checkers are registered by credentials interface."""

    def test_checkersFromConstructor(self, realm: Any) -> None:
        """Portal(realm, checkers) registers each for its own interfaces."""
        p = Portal(realm, [checkers.AllowAnonymousAccess()])
        assert p.listCredentialsInterfaces() == [credentials.IAnonymous]
        assert p.realm is realm

    def test_defaultInterfaces(self, realm: Any) -> None:
        """registerChecker without interfaces uses checker.credentialInterfaces."""
        p = Portal(realm)
        checker = InMemoryUsernamePasswordDatabaseDontUse()
        p.registerChecker(checker)
        assert p.listCredentialsInterfaces() == [
            credentials.IUsernamePassword,
            credentials.IUsernameHashedPassword,
        ]

    def test_explicitInterfaces(self, realm: Any) -> None:
        """registerChecker with interfaces registers only those."""
        p = Portal(realm)
        p.registerChecker(InMemoryUsernamePasswordDatabaseDontUse(), credentials.IUsernamePassword)
        assert p.listCredentialsInterfaces() == [credentials.IUsernamePassword]

    def test_laterReplaces(self, realm: Any) -> None:
        """A later checker for the same interface replaces the earlier one."""
        first, second = InMemoryUsernamePasswordDatabaseDontUse(), RaisingChecker()
        p = Portal(realm, [first, second])
        assert p.checkers[credentials.IUsernamePassword] is second
        assert p.checkers[credentials.IUsernameHashedPassword] is first

    def test_notAnInterface(self, realm: Any) -> None:
        """Registering for something that is not an interface is a TypeError."""
        with pytest.raises(TypeError, match="zope interfaces"):
            Portal(realm).registerChecker(RaisingChecker(), str)  # type: ignore[arg-type]

    def test_repr(self, portal: Portal) -> None:
        """repr names the interfaces with checkers."""
        assert "IUsernamePassword" in repr(portal)


class LoginTests:
    """login checks credentials, then asks the realm."""

    def test_success(self, portal: Portal, realm: Any, thing: Any, results: Any) -> None:
        """Good credentials fire (interface, avatar, logout) for the avatar ID."""
        iface, avatar, logout = results.succeeded(
            portal.login(credentials.UsernamePassword("bob", "secret"), None, thing)
        )
        assert iface is thing
        assert avatar.avatarId == b"bob"
        logout()
        assert avatar.loggedOut == 1

    def test_mindAndInterfacesPassed(
        self, portal: Portal, realm: Any, thing: Any, other: Any, results: Any
    ) -> None:
        """The realm gets the avatar ID, the mind and every interface in order."""
        mind = object()
        results.succeeded(
            portal.login(credentials.UsernamePassword(b"bob", b"secret"), mind, other, thing)
        )
        assert realm.calls == [(b"bob", mind, (other, thing))]

    def test_wrongPassword(self, portal: Portal, realm: Any, thing: Any, results: Any) -> None:
        """A wrong password fails with UnauthorizedLogin and never reaches the realm."""
        results.failed(
            portal.login(credentials.UsernamePassword("bob", "nope"), None, thing),
            error.UnauthorizedLogin,
        )
        assert realm.calls == []

    def test_unhandledCredentials(self, portal: Portal, thing: Any, results: Any) -> None:
        """Credentials no checker handles fail with UnhandledCredentials."""
        failure = results.failed(
            portal.login(credentials.Anonymous(), None, thing), error.UnhandledCredentials
        )
        assert "IAnonymous" in str(failure.value)

    def test_plainObjectUnhandled(self, portal: Portal, thing: Any, results: Any) -> None:
        """An object providing no interface at all is unhandled too."""
        failure = results.failed(portal.login(object(), None, thing), error.UnhandledCredentials)
        assert "none" in str(failure.value)

    def test_anonymous(self, realm: Any, thing: Any, results: Any) -> None:
        """Anonymous credentials reach the realm as ANONYMOUS."""
        p = Portal(realm, [checkers.AllowAnonymousAccess()])
        _, avatar, _ = results.succeeded(p.login(credentials.Anonymous(), None, thing))
        assert avatar.avatarId == checkers.ANONYMOUS == ()

    def test_checkerBugBecomesUnauthorized(
        self, realm: Any, thing: Any, results: Any, events: list[dict[str, Any]]
    ) -> None:
        """A checker raising unexpectedly yields UnauthorizedLogin; the error is logged."""
        p = Portal(realm, [RaisingChecker()])
        failure = results.failed(
            p.login(credentials.UsernamePassword("a", "b"), None, thing), error.UnauthorizedLogin
        )
        assert "secret internal detail" not in str(failure.value)
        assert str(failure.value) == error.UNAUTHORIZED_MESSAGE
        logged = [e for e in events if "log_failure" in e]
        assert len(logged) == 1
        assert logged[0]["log_failure"].check(RuntimeError)
        assert logged[0]["log_namespace"] == "netframe.cred.portal"

    def test_loginFailedPassesThrough(self, realm: Any, thing: Any, results: Any) -> None:
        """A checker's own LoginFailed subclass reaches the caller unchanged."""
        p = Portal(realm, [DeniedChecker()])
        failure = results.failed(
            p.login(credentials.UsernamePassword("a", "b"), None, thing), error.LoginDenied
        )
        assert str(failure.value) == "account disabled"

    def test_realmErrorPassesThrough(
        self, portal: Portal, other: Any, results: Any, events: list[dict[str, Any]]
    ) -> None:
        """An error raised by the realm reaches the caller unchanged."""
        results.failed(
            portal.login(credentials.UsernamePassword("bob", "secret"), None, other),
            NotImplementedError,
        )


class DeferredRealmTests:
    """The realm may answer with a Deferred tuple or a Deferred avatar (SCOPE §5)."""

    def login(self, realmResult: object, thing: Any) -> Deferred[Any]:
        """Log bob in against a realm returning realmResult."""
        p = Portal(FixedRealm(realmResult), [InMemoryUsernamePasswordDatabaseDontUse(bob="pw")])
        return p.login(credentials.UsernamePassword("bob", "pw"), None, thing)

    def test_deferredTuple(self, thing: Any, results: Any) -> None:
        """A Deferred firing with the tuple gives that tuple."""
        logout = lambda: None  # noqa: E731
        assert results.succeeded(self.login(succeed((thing, "A", logout)), thing)) == (
            thing,
            "A",
            logout,
        )

    def test_deferredAvatarSlot(self, thing: Any, results: Any) -> None:
        """A Deferred in the avatar slot is waited for; login gives a plain tuple."""
        avatar: Deferred[str] = Deferred()
        logout = lambda: None  # noqa: E731
        d = self.login((thing, avatar, logout), thing)
        box: list[Any] = []
        d.addCallback(box.append)
        assert box == []
        avatar.callback("A")
        assert box == [(thing, "A", logout)]

    def test_deferredTupleWithDeferredAvatar(self, thing: Any, results: Any) -> None:
        """Both at once work too."""
        logout = lambda: None  # noqa: E731
        d = self.login(succeed((thing, succeed("A"), logout)), thing)
        assert results.succeeded(d) == (thing, "A", logout)

    def test_failedAvatarCallsLogout(self, thing: Any, results: Any) -> None:
        """A failing avatar Deferred calls logout and fails the login with its error."""
        calls: list[int] = []
        d = self.login((thing, fail(error.LoginDenied("no")), lambda: calls.append(1)), thing)
        results.failed(d, error.LoginDenied)
        assert calls == [1]

    def test_failedAvatarLogoutRaises(
        self, thing: Any, results: Any, events: list[dict[str, Any]]
    ) -> None:
        """A logout raising after a failed avatar is logged; the avatar's error wins."""

        def logout() -> None:
            raise ValueError("logout bug")

        results.failed(
            self.login((thing, fail(error.LoginDenied("no")), logout), thing), error.LoginDenied
        )
        assert any(e.get("log_failure") and e["log_failure"].check(ValueError) for e in events)

    @pytest.mark.parametrize("bad", [None, "avatar", (1, 2), (1, 2, 3, 4), [1, 2, 3]])
    def test_notATuple(self, bad: object, thing: Any, results: Any) -> None:
        """A realm result that is not a 3-tuple fails the login with TypeError."""
        failure = results.failed(self.login(bad, thing), TypeError)
        assert "(interface, avatar, logout)" in str(failure.value)


class VerifyTests:
    """The test realm provides IRealm (sanity of the fixtures)."""

    def test_realmProvides(self, realm: Any) -> None:
        """verifyObject(IRealm, TestRealm()) holds."""
        assert verifyObject(IRealm, realm)

    def test_publicModule(self) -> None:
        """Portal and IRealm name their public module."""
        assert Portal.__module__ == IRealm.__module__ == "netframe.cred.portal"
