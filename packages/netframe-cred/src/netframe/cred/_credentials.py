"""
Implementation of L{netframe.cred.credentials}.

Private module; the public names are re-exported by
C{netframe.cred.credentials}.
"""

from __future__ import annotations

import hmac

from zope.interface import Attribute, Interface, implementer

from netframe.cred._bytes import toBytes

__all__ = [
    "Anonymous",
    "IAnonymous",
    "ICredentials",
    "IUsernameHashedPassword",
    "IUsernamePassword",
    "UsernameHashedPassword",
    "UsernamePassword",
]


class ICredentials(Interface):
    """
    Something a client presents to log in.

    A marker interface: the interfaces extending it say what the credentials
    carry and how a checker verifies them.
    """

    __module__ = "netframe.cred.credentials"


class IUsernamePassword(ICredentials):
    """
    A user name and the plaintext password the client gave.

    Checkers that keep plaintext passwords call L{checkPassword}; checkers
    that keep password hashes read L{password} and hash it themselves.
    """

    __module__ = "netframe.cred.credentials"

    username = Attribute("The user name, as bytes (see netframe.cred.credentials).")
    password = Attribute("The password the client gave, as bytes.")

    def checkPassword(password: bytes) -> object:
        """
        Say whether the password the client gave is C{password}.

        @param password: the correct plaintext password, as the checker
            knows it.
        @return: C{True} or C{False}, or a Deferred firing with one of them.
        """


class IUsernameHashedPassword(ICredentials):
    """
    A user name and a password that the client gave in hashed form (so it
    cannot be used to recover the password); the checker hashes the correct
    password the same way and compares.
    """

    __module__ = "netframe.cred.credentials"

    username = Attribute("The user name, as bytes.")

    def checkPassword(password: bytes) -> object:
        """
        Say whether these credentials match the correct password.

        @param password: the correct password (as stored by the checker).
        @return: C{True} or C{False}, or a Deferred firing with one of them.
        """


class IAnonymous(ICredentials):
    """
    A client that logs in without giving a name.
    """

    __module__ = "netframe.cred.credentials"


@implementer(IUsernamePassword)
class UsernamePassword:
    """
    A user name and a plaintext password.

    Both are normalised to bytes when the object is made: C{str} is encoded
    as UTF-8, C{bytes} are kept, so C{UsernamePassword("bob", "pw")} and
    C{UsernamePassword(b"bob", b"pw")} are equal credentials.

    @ivar username: the user name (bytes).
    @ivar password: the password (bytes).
    """

    __slots__ = ("password", "username")

    def __init__(self, username: str | bytes, password: str | bytes) -> None:
        """
        @param username: the user name (text or bytes).
        @param password: the password (text or bytes; may be empty).
        @raise TypeError: if either is neither text nor bytes.
        """
        self.username = toBytes(username, "username")
        self.password = toBytes(password, "password")

    def checkPassword(self, password: str | bytes) -> bool:
        """
        Compare the password given with C{password} in constant time (for
        inputs of equal length).

        @param password: the correct password (text is encoded as UTF-8).
        @return: whether they are equal.
        @raise TypeError: if C{password} is neither text nor bytes.
        """
        return hmac.compare_digest(self.password, toBytes(password, "password"))

    def __repr__(self) -> str:
        """
        Show the user name, never the password.

        @return: C{<UsernamePassword username=b'...'>}.
        """
        return f"<UsernamePassword username={self.username!r}>"


@implementer(IUsernameHashedPassword)
class UsernameHashedPassword:
    """
    A user name and a password in the hashed form the client sent.

    The checker passes the correct password, hashed the same way, to
    L{checkPassword}.  Name and hash are normalised to bytes like
    L{UsernamePassword}'s.

    @ivar username: the user name (bytes).
    @ivar hashed: the hashed password the client sent (bytes).
    """

    __slots__ = ("hashed", "username")

    def __init__(self, username: str | bytes, hashed: str | bytes) -> None:
        """
        @param username: the user name (text or bytes).
        @param hashed: the hashed password (text or bytes).
        @raise TypeError: if either is neither text nor bytes.
        """
        self.username = toBytes(username, "username")
        self.hashed = toBytes(hashed, "hashed password")

    def checkPassword(self, password: str | bytes) -> bool:
        """
        Compare the hash the client sent with C{password} in constant time
        (for inputs of equal length).

        @param password: the correct password in the same hashed form.
        @return: whether they are equal.
        @raise TypeError: if C{password} is neither text nor bytes.
        """
        return hmac.compare_digest(self.hashed, toBytes(password, "password"))

    def __repr__(self) -> str:
        """
        Show the user name, never the hash.

        @return: C{<UsernameHashedPassword username=b'...'>}.
        """
        return f"<UsernameHashedPassword username={self.username!r}>"


@implementer(IAnonymous)
class Anonymous:
    """
    The credentials of a client that gives no name.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        """
        @return: C{<Anonymous>}.
        """
        return "<Anonymous>"
