"""
Implementation of L{netframe.cred.error}: the exceptions of a login.

Private module; the public names are re-exported by C{netframe.cred.error}.
"""

from __future__ import annotations

__all__ = [
    "UNAUTHORIZED_MESSAGE",
    "LoginDenied",
    "LoginFailed",
    "UnauthorizedLogin",
    "UnhandledCredentials",
]

UNAUTHORIZED_MESSAGE = "Invalid username or password"
"""
The one message every built-in checker gives a failed login, whatever the
reason (unknown user, wrong password, unreadable password file, a checker
bug), so that the message never tells the reasons apart.
"""


class LoginFailed(Exception):
    """
    A login did not succeed; the base class of every login error of
    L{netframe.cred}.
    """

    __module__ = "netframe.cred.error"


class UnauthorizedLogin(LoginFailed):
    """
    The credentials were rejected: unknown user, wrong password, or a checker
    that could not decide (the reason is logged, not carried here).

    C{str(error)} is safe to show to the peer.
    """

    __module__ = "netframe.cred.error"


class UnhandledCredentials(LoginFailed):
    """
    No checker registered with the portal handles the interfaces the
    credentials provide.
    """

    __module__ = "netframe.cred.error"


class LoginDenied(LoginFailed):
    """
    The realm refused a login although the credentials were valid (for
    example the account is disabled, or no avatar offers the requested
    interfaces).
    """

    __module__ = "netframe.cred.error"


def unauthorized() -> UnauthorizedLogin:
    """
    Make the L{UnauthorizedLogin} every built-in checker raises.

    @return: an exception carrying L{UNAUTHORIZED_MESSAGE}.
    """
    return UnauthorizedLogin(UNAUTHORIZED_MESSAGE)
