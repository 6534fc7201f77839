"""
Credentials: what a client presents to log in (Twisted's
C{twisted.cred.credentials}).

User names and passwords are bytes
==================================
Every user name and password in L{netframe.cred} is C{bytes}.  The
constructors here (and the checkers, and the password-file readers) accept
C{str} or C{bytes} and normalise once, at that edge: text is encoded as
UTF-8, bytes are kept as they are.  So C{UsernamePassword("bob", "pw")} and
C{UsernamePassword(b"bob", b"pw")} log in as the same user, and a password
that is not valid UTF-8 is simply bytes.  The avatar ID a built-in checker
hands the realm is the user name as bytes (decode it in the realm if you
need text).
"""

from netframe.cred._credentials import (
    Anonymous,
    IAnonymous,
    ICredentials,
    IUsernameHashedPassword,
    IUsernamePassword,
    UsernameHashedPassword,
    UsernamePassword,
)

__all__ = [
    "Anonymous",
    "IAnonymous",
    "ICredentials",
    "IUsernameHashedPassword",
    "IUsernamePassword",
    "UsernameHashedPassword",
    "UsernamePassword",
]

for _public in (
    Anonymous,
    UsernameHashedPassword,
    UsernamePassword,
):
    _public.__module__ = __name__
del _public
