"""
The exceptions of a login (Twisted's C{twisted.cred.error}).

All derive from L{LoginFailed}:

  - L{UnauthorizedLogin}: the credentials were rejected.  Every built-in
    checker uses the same message (L{UNAUTHORIZED_MESSAGE}) for an unknown
    user, a wrong password and an internal failure, so a peer cannot tell
    them apart.
  - L{UnhandledCredentials}: no checker of the portal handles the
    credentials' interfaces.
  - L{LoginDenied}: the realm refused a valid login.
"""

from netframe.cred._error import (
    UNAUTHORIZED_MESSAGE,
    LoginDenied,
    LoginFailed,
    UnauthorizedLogin,
    UnhandledCredentials,
)

__all__ = [
    "UNAUTHORIZED_MESSAGE",
    "LoginDenied",
    "LoginFailed",
    "UnauthorizedLogin",
    "UnhandledCredentials",
]
