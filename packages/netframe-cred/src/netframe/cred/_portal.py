"""
Implementation of L{netframe.cred.portal}.

Private module; the public names are re-exported by C{netframe.cred.portal}.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zope.interface import Interface, providedBy

from netframe.core.defer import Deferred, fail, maybeDeferred
from netframe.core.failure import Failure
from netframe.cred._error import LoginFailed, UnhandledCredentials, unauthorized
from netframe.logger import Logger

if TYPE_CHECKING:
    from netframe.cred._checkers import ICredentialsChecker

__all__ = ["IRealm", "LoginResult", "Portal"]

LoginResult = tuple[Any, Any, Callable[[], object]]
"""What L{Portal.login} fires with: C{(interface, avatar, logout)}."""

_log = Logger(namespace="netframe.cred.portal")


class IRealm(Interface):
    """
    The application side of a login: turns an authenticated avatar ID into
    an avatar, the object the protocol talks to on the user's behalf.
    """

    __module__ = "netframe.cred.portal"

    def requestAvatar(avatarId: object, mind: object, *interfaces: Any) -> object:
        """
        Return the avatar of an authenticated user.

        Only called after a checker accepted the credentials, so the realm
        may create the user on demand.

        @param avatarId: what the checker returned (bytes for the built-in
            checkers, or L{netframe.cred.checkers.ANONYMOUS}).
        @param mind: the object the protocol passed to L{Portal.login}
            (usually C{None}; Perspective Broker passes the client).
        @param interfaces: the interfaces the caller accepts, in order of
            preference.
        @return: C{(interface, avatar, logout)} where C{interface} is one of
            C{interfaces}, C{avatar} provides it and C{logout} is a callable
            of no argument the protocol calls when the user goes away.  The
            whole tuple may be a Deferred, and so may the avatar slot alone.
        @raise NotImplementedError: conventionally, when the realm has no
            avatar for any of C{interfaces}.
        """


class Portal:
    """
    The one object a protocol needs to log users in: a realm and the
    credential checkers that guard it.

    @ivar realm: the realm avatars come from.
    @ivar checkers: the checker for each credentials interface, in
        registration order.
    """

    def __init__(self, realm: IRealm, checkers: Iterable[ICredentialsChecker] = ()) -> None:
        """
        @param realm: the realm avatars come from.
        @param checkers: checkers to register, each for its own
            C{credentialInterfaces}.
        """
        self.realm = realm
        self.checkers: dict[type[Interface], ICredentialsChecker] = {}
        for checker in checkers:
            self.registerChecker(checker)

    def __repr__(self) -> str:
        """
        @return: the realm and the interfaces with a checker.
        """
        names = ", ".join(iface.__identifier__ for iface in self.checkers)
        return f"<Portal realm={self.realm!r} checkers=[{names}]>"

    def listCredentialsInterfaces(self) -> list[type[Interface]]:
        """
        List the credentials interfaces some registered checker handles.

        @return: the interfaces, in registration order.
        """
        return list(self.checkers)

    def registerChecker(
        self, checker: ICredentialsChecker, *credentialInterfaces: type[Interface]
    ) -> None:
        """
        Use C{checker} for credentials providing any of
        C{credentialInterfaces}, replacing the checker registered for the
        same interface before.

        @param checker: the checker.
        @param credentialInterfaces: the interfaces it handles; none means
            the checker's own C{credentialInterfaces}.
        @raise TypeError: if an interface is not a zope interface.
        """
        interfaces = credentialInterfaces or tuple(checker.credentialInterfaces)
        for iface in interfaces:
            if not isinstance(iface, type(Interface)):
                raise TypeError(f"registerChecker needs zope interfaces, not {iface!r}")
            self.checkers[iface] = checker

    def login(self, credentials: object, mind: object, *interfaces: Any) -> Deferred[LoginResult]:
        """
        Log a user in: check the credentials, then ask the realm for an
        avatar.

        The checker registered for the first interface (in registration
        order) the credentials provide checks them.  A checker that fails
        with a L{LoginFailed} fails the login with that error; any other
        exception from a checker is logged (namespace
        C{netframe.cred.portal}, level critical) and the login fails with
        L{UnauthorizedLogin} instead, so internals never reach the peer.
        The realm's C{requestAvatar} may return the C{(interface, avatar,
        logout)} tuple, a Deferred of it, or the tuple with a Deferred in
        the avatar slot; all three fire this Deferred with a plain tuple.
        If that avatar Deferred fails, C{logout} is called (the caller never
        gets it) and the login fails with the realm's error.  Errors raised
        by the realm are passed on unchanged.

        @param credentials: what the client presented (providing an
            L{ICredentials} subinterface).
        @param mind: passed to the realm; usually C{None}.
        @param interfaces: the interfaces the caller accepts for the avatar,
            in order of preference.
        @return: a Deferred firing with C{(interface, avatar, logout)}, or
            failing with L{UnhandledCredentials} (no checker for these
            credentials), L{UnauthorizedLogin}, another L{LoginFailed}, or
            the realm's error; a realm result that is not a 3-tuple fails it
            with C{TypeError}.
        """
        for iface, checker in self.checkers.items():
            if iface.providedBy(credentials):
                d = maybeDeferred(checker.requestAvatarId, credentials)
                d.addErrback(_checkerFailed, checker)
                return d.addCallback(self._requestAvatar, mind, interfaces)
        provided = ", ".join(i.__identifier__ for i in providedBy(credentials)) or "none"
        return fail(
            UnhandledCredentials(f"No checker for credentials providing interfaces: {provided}")
        )

    def _requestAvatar(
        self, avatarId: object, mind: object, interfaces: tuple[Any, ...]
    ) -> Deferred[LoginResult]:
        """
        Ask the realm for the avatar of an authenticated user.

        @param avatarId: what the checker returned.
        @param mind: the mind given to L{login}.
        @param interfaces: the interfaces given to L{login}.
        @return: a Deferred firing with the normalised tuple.
        """
        d: Deferred[Any] = maybeDeferred(self.realm.requestAvatar, avatarId, mind, *interfaces)
        resolved: Deferred[LoginResult] = d.addCallback(_resolveAvatar)
        return resolved


def _checkerFailed(failure: Failure, checker: object) -> Failure:
    """
    Pass on a login error; log anything else and replace it by
    L{UnauthorizedLogin}.

    @param failure: what the checker failed with.
    @param checker: the checker, for the log.
    @return: the failure to continue with.
    """
    if failure.check(LoginFailed):
        return failure
    _log.failure(
        "Credentials checker {checker!r} failed unexpectedly; refusing the login",
        failure,
        checker=checker,
    )
    return Failure(unauthorized())


def _resolveAvatar(result: object) -> Any:
    """
    Check a realm's result and wait for an avatar given as a Deferred.

    @param result: what C{requestAvatar} returned (or its Deferred fired
        with).
    @return: the C{(interface, avatar, logout)} tuple, or a Deferred of it
        when the avatar slot is a Deferred.
    @raise TypeError: if C{result} is not a 3-tuple.
    """
    if not isinstance(result, tuple) or len(result) != 3:
        raise TypeError(
            f"IRealm.requestAvatar must return (interface, avatar, logout), not {result!r}"
        )
    iface, avatar, logout = result
    if not isinstance(avatar, Deferred):
        return (iface, avatar, logout)

    def gotAvatar(value: object) -> LoginResult:
        return (iface, value, logout)

    def noAvatar(failure: Failure) -> Failure:
        try:
            logout()
        except Exception:
            _log.failure("logout of a failed login raised; ignored")
        return failure

    waiting: Deferred[Any] = avatar
    return waiting.addCallbacks(gotAvatar, noAvatar)
