"""
The Perspective Broker interface of the finger service: log in with a user
name and password, then read statuses, list users and set your own status.

Login
=====
The users are checked by a cred checker (C{--auth hashed:FILE}: salted
scrypt hashes).  Twisted's PB login (C{PBClientFactory.login}, an MD5
challenge-response) cannot be used with such a file: the server would need
each password in clear or as its plain MD5.  So the root object this
service publishes, L{PasswordLogin}, takes the password itself::

    root.callRemote("loginWithPassword", "alice", "secret")

and fires with a reference to the user's L{FingerAvatar}.  The password
crosses the connection as sent: keep the PB endpoint on loopback (the
default) or serve it over TLS (an C{ssl:} server endpoint, a C{tls:} client
endpoint).  A connection gets L{PasswordLogin.maxFailedLogins} failed
attempts, then is dropped.  Checking a scrypt hash takes tens of
milliseconds of the reactor's time per attempt.

The avatar
==========
  - C{getStatus(user)}: the user's status, or C{None} for an unknown user;
  - C{listUsers()}: the user names, sorted;
  - C{setStatus(status)}: sets the logged-in user's own status (checked by
    L{finger.store.checkStatus}; a refused status fails with
    L{netframe.spread.pb.Error}).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zope.interface import implementer

from finger.store import IFingerService, IFingerSetterService, InvalidStatusError
from netframe.core.defer import Deferred, fail
from netframe.core.failure import Failure
from netframe.cred.credentials import UsernamePassword
from netframe.cred.error import UnauthorizedLogin
from netframe.cred.portal import IRealm, Portal
from netframe.logger import Logger
from netframe.spread import pb

__all__ = ["FingerAvatar", "FingerPBRoot", "FingerRealm", "LoginRefusedError", "PasswordLogin"]

_log = Logger(namespace="finger.perspective")

MAX_FAILED_LOGINS = 3
"""The default of L{PasswordLogin.maxFailedLogins}."""

MAX_CREDENTIAL_LENGTH = 1024
"""The default of L{PasswordLogin.maxCredentialLength}."""


class FingerAvatar(pb.Avatar):
    """
    A logged-in user, as PB sees it.

    @ivar name: the user's name.
    @ivar store: the L{IFingerService} and L{IFingerSetterService} provider.
    """

    def __init__(self, name: str, store: Any) -> None:
        """
        @param name: the user's name.
        @param store: the user store.
        """
        self.name = name
        self.store = store

    def perspective_getStatus(self, user: object) -> Deferred[str | None]:
        """
        Look a user's status up.

        @param user: the user name (text).
        @return: a Deferred firing with the status, or C{None} for an
            unknown user.
        @raise netframe.spread.pb.Error: if C{user} is not text.
        """
        if not isinstance(user, str):
            raise pb.Error(f"a user name must be text, not {type(user).__name__}")
        return IFingerService(self.store).getUser(user)

    def perspective_listUsers(self) -> Deferred[list[str]]:
        """
        List the users.

        @return: a Deferred firing with the user names, sorted.
        """
        return IFingerService(self.store).getUsers()

    def perspective_setStatus(self, status: object) -> Deferred[None]:
        """
        Set this user's own status.

        @param status: the new status.
        @return: a Deferred firing with C{None} once stored.
        @raise netframe.spread.pb.Error: if the status is refused (see
            L{finger.store.checkStatus}).
        """
        if not isinstance(status, str):
            raise pb.Error(f"a status must be text, not {type(status).__name__}")
        try:
            d: Deferred[None] = IFingerSetterService(self.store).setUser(self.name, status)
        except InvalidStatusError as e:
            raise pb.Error(str(e)) from None
        d.addCallback(self._statusSet)
        return d

    def _statusSet(self, result: None) -> None:
        """
        Log the change.

        @param result: the store's result.
        """
        _log.info("{user} set their status", user=self.name)


@implementer(IRealm)
class FingerRealm:
    """
    Makes a L{FingerAvatar} for each authenticated user.

    @ivar store: the user store given to the avatars.
    """

    def __init__(self, store: Any) -> None:
        """
        @param store: the user store.
        """
        self.store = store

    def requestAvatar(
        self, avatarId: object, mind: object, *interfaces: Any
    ) -> tuple[Any, FingerAvatar, Callable[[], None]]:
        """
        Make the user's avatar.

        @param avatarId: the user name (bytes, UTF-8, from the checker).
        @param mind: the client's mind (unused).
        @param interfaces: must include L{netframe.spread.pb.IPerspective}.
        @return: C{(IPerspective, avatar, logout)}.
        @raise NotImplementedError: without C{IPerspective}.
        @raise TypeError: if the avatar ID is not bytes.
        """
        if pb.IPerspective not in interfaces:
            raise NotImplementedError("the finger realm only makes PB perspectives")
        if not isinstance(avatarId, bytes):
            raise TypeError(f"the avatar ID must be bytes, not {type(avatarId).__name__}")
        name = avatarId.decode("utf-8", "replace")
        return pb.IPerspective, FingerAvatar(name, self.store), lambda: None


class LoginRefusedError(pb.Error):
    """
    A login with a wrong user name or password (the client sees this
    class's name and message, never which of the two was wrong).
    """


class PasswordLogin(pb.Referenceable):
    """
    The root object of one PB connection: log in with a password.

    @ivar portal: the portal checking the credentials.
    @ivar broker: the connection.
    @ivar failedLogins: the failed attempts on this connection so far.
    @cvar maxFailedLogins: the failed attempts a connection gets; the next
        one fails and drops the connection.
    @cvar maxCredentialLength: the longest user name or password, in bytes
        of UTF-8.
    """

    maxFailedLogins: int = MAX_FAILED_LOGINS
    maxCredentialLength: int = MAX_CREDENTIAL_LENGTH

    def __init__(self, portal: Portal, broker: Any) -> None:
        """
        @param portal: the portal.
        @param broker: the connection's broker.
        """
        self.portal = portal
        self.broker = broker
        self.failedLogins = 0

    def _credential(self, value: object, what: str) -> bytes:
        """
        Check one credential.

        @param value: the value sent.
        @param what: its name, for the message.
        @return: its bytes.
        @raise netframe.spread.pb.Error: if it is not text/bytes or too long.
        """
        if isinstance(value, str):
            value = value.encode("utf-8", "surrogateescape")
        if not isinstance(value, bytes):
            raise pb.Error(f"the {what} must be text, not {type(value).__name__}")
        if len(value) > self.maxCredentialLength:
            raise pb.Error(f"the {what} is longer than {self.maxCredentialLength} bytes")
        return value

    def remote_loginWithPassword(
        self, username: object, password: object, mind: object = None
    ) -> Deferred[Any]:
        """
        Log in.

        @param username: the user name.
        @param password: the password.
        @param mind: an optional client object given to the realm.
        @return: a Deferred firing with the user's avatar (sent as a
            reference), or failing with L{LoginRefusedError} for a wrong user
            name or password.
        @raise netframe.spread.pb.Error: for a malformed user name or
            password, or once L{maxFailedLogins} attempts failed.
        """
        if self.failedLogins >= self.maxFailedLogins:
            self._drop()
            return fail(pb.Error("too many failed logins on this connection"))
        credentials = UsernamePassword(
            self._credential(username, "user name"), self._credential(password, "password")
        )
        d = self.portal.login(credentials, mind, pb.IPerspective)
        d.addCallbacks(self._loggedIn, self._loginFailed)
        return d

    def _loggedIn(self, result: tuple[Any, Any, Callable[[], None]]) -> Any:
        """
        Hand out the avatar; log out when the connection goes.

        @param result: the portal's C{(interface, avatar, logout)}.
        @return: the avatar, wrapped to be sent as a reference.
        """
        _interface, avatar, logout = result
        self.broker.notifyOnDisconnect(logout)
        _log.info("{user} logged in over PB", user=getattr(avatar, "name", "?"))
        return pb.AsReferenceable(avatar, "perspective")

    def _loginFailed(self, failure: Failure) -> Failure:
        """
        Count a failed attempt, and turn bad credentials into a
        L{LoginRefusedError} (an expected answer, not a server error whose
        traceback PB would log).

        @param failure: why it failed.
        @return: the failure.
        @raise LoginRefusedError: for bad credentials.
        """
        if failure.check(UnauthorizedLogin) is not None:
            self.failedLogins += 1
            _log.info("A PB login failed ({count} on this connection)", count=self.failedLogins)
            raise LoginRefusedError("invalid user name or password")
        return failure

    def _drop(self) -> None:
        """
        Drop the connection.
        """
        transport = self.broker.transport
        if transport is not None:
            transport.loseConnection()


class FingerPBRoot(pb.Root):
    """
    The PB root of the finger service: every connection gets its own
    L{PasswordLogin}.

    @ivar portal: the portal checking logins.
    """

    def __init__(self, portal: Portal) -> None:
        """
        @param portal: the portal (with the finger realm and the checkers).
        """
        self.portal = portal

    def rootObject(self, broker: Any) -> PasswordLogin:
        """
        @param broker: the new connection.
        @return: a L{PasswordLogin} for it.
        """
        return PasswordLogin(self.portal, broker)
