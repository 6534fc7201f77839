"""
The portal: where a protocol logs users in (Twisted's
C{twisted.cred.portal}).

A L{Portal} joins one L{IRealm} (which makes avatars, the objects a
protocol talks to for a user) with credential checkers (which turn
credentials into avatar IDs).  A protocol holds a portal and calls
L{Portal.login}, which fires with C{(interface, avatar, logout)}; the
protocol must call C{logout()} when the user logs out or the connection
is lost.

Deferred avatars
================
The reference documents allow C{IRealm.requestAvatar} to "return a
Deferred" and show a realm returning the tuple with a Deferred in the
avatar slot.  netframe accepts both: C{requestAvatar} may return the tuple,
a Deferred of the tuple, or the tuple with a Deferred avatar; C{login}
always fires with a plain tuple whose avatar is the result.  If a Deferred
avatar fails, the tuple's C{logout} is called and the login fails with the
realm's error.

Errors
======
C{login} fails with L{netframe.cred.error.UnhandledCredentials} when no
checker handles the credentials, with the checker's L{LoginFailed} error,
or with L{UnauthorizedLogin} when a checker raises anything else (that
error is logged, never passed to the caller).  Errors from the realm are
passed on unchanged.
"""

from netframe.cred._portal import IRealm, LoginResult, Portal

__all__ = ["IRealm", "LoginResult", "Portal"]

Portal.__module__ = __name__
