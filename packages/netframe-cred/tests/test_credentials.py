"""Tests for netframe.cred.credentials and netframe.cred.error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from zope.interface.verify import verifyObject

from netframe.cred import credentials, error
from netframe.cred.credentials import (
    Anonymous,
    IAnonymous,
    IUsernameHashedPassword,
    IUsernamePassword,
    UsernameHashedPassword,
    UsernamePassword,
)


class InterfaceTests:
    """The credentials classes provide their interfaces."""

    def test_usernamePasswordProvides(self) -> None:
        """verifyObject(IUsernamePassword, UsernamePassword(...)) holds."""
        assert verifyObject(IUsernamePassword, UsernamePassword("a", "b"))

    def test_usernameHashedPasswordProvides(self) -> None:
        """verifyObject(IUsernameHashedPassword, UsernameHashedPassword(...)) holds."""
        assert verifyObject(IUsernameHashedPassword, UsernameHashedPassword("a", "b"))

    def test_anonymousProvides(self) -> None:
        """verifyObject(IAnonymous, Anonymous()) holds."""
        assert verifyObject(IAnonymous, Anonymous())

    def test_publicModules(self) -> None:
        """Public classes and interfaces name their public module."""
        for name in credentials.__all__:
            assert getattr(credentials, name).__module__ == "netframe.cred.credentials"
        for name in ("LoginFailed", "UnauthorizedLogin", "UnhandledCredentials", "LoginDenied"):
            assert getattr(error, name).__module__ == "netframe.cred.error"


class NormalisationTests:
    """User names and passwords are bytes; text is encoded as UTF-8."""

    def test_textEncodedAsUtf8(self) -> None:
        """Text user names and passwords become their UTF-8 bytes."""
        creds = UsernamePassword("zoë", "pässword")
        assert creds.username == "zoë".encode()
        assert creds.password == "pässword".encode()

    def test_bytesKept(self) -> None:
        """Bytes, even invalid UTF-8, are kept as they are."""
        creds = UsernamePassword(b"\xff\xfe", b"\x80pw")
        assert (creds.username, creds.password) == (b"\xff\xfe", b"\x80pw")

    def test_bytearrayCopied(self) -> None:
        """A bytearray becomes bytes."""
        creds = UsernamePassword(bytearray(b"bob"), memoryview(b"pw"))  # type: ignore[arg-type]
        assert type(creds.username) is bytes and type(creds.password) is bytes

    def test_surrogateEscapeRoundTrips(self) -> None:
        """Text decoded with surrogateescape gets its original bytes back."""
        text = b"\xffbob".decode("utf-8", "surrogateescape")
        assert UsernamePassword(text, "x").username == b"\xffbob"

    def test_loneSurrogateEncodes(self) -> None:
        """A lone surrogate that surrogateescape cannot encode still encodes."""
        assert UsernamePassword("\ud800", "x").username == "\ud800".encode("utf-8", "surrogatepass")

    def test_otherTypesRefused(self) -> None:
        """A user name that is neither text nor bytes is a TypeError."""
        with pytest.raises(TypeError, match="username must be str or bytes, not int"):
            UsernamePassword(3, "pw")  # type: ignore[arg-type]

    @given(st.text(), st.text())
    def test_textAndBytesEqual(self, name: str, password: str) -> None:
        """Text and its UTF-8 bytes make equal credentials (hypothesis)."""
        a = UsernamePassword(name, password)
        b = UsernamePassword(
            name.encode("utf-8", "surrogatepass"), password.encode("utf-8", "surrogatepass")
        )
        assert (a.username, a.password) == (b.username, b.password)


class CheckPasswordTests:
    """checkPassword compares with the correct password."""

    def test_matchingPassword(self) -> None:
        """The right password, text or bytes, matches."""
        creds = UsernamePassword("bob", "secret")
        assert creds.checkPassword("secret") is True
        assert creds.checkPassword(b"secret") is True

    def test_wrongPassword(self) -> None:
        """A wrong password, a prefix or an empty one does not match."""
        creds = UsernamePassword("bob", "secret")
        assert creds.checkPassword("secreT") is False
        assert creds.checkPassword("secre") is False
        assert creds.checkPassword("") is False

    def test_emptyPassword(self) -> None:
        """An empty password matches only an empty password."""
        assert UsernamePassword("bob", "").checkPassword(b"") is True
        assert UsernamePassword("bob", "").checkPassword(b"x") is False

    def test_megabytePassword(self) -> None:
        """A 1 MB password is compared like any other."""
        big = b"x" * 2**20
        assert UsernamePassword("bob", big).checkPassword(big) is True
        assert UsernamePassword("bob", big).checkPassword(big[:-1] + b"y") is False

    def test_nonUtf8Password(self) -> None:
        """A password that is not UTF-8 is compared as bytes."""
        assert UsernamePassword("bob", b"\xff\x00").checkPassword(b"\xff\x00") is True

    def test_hashedCompares(self) -> None:
        """UsernameHashedPassword compares its hash with the given one."""
        creds = UsernameHashedPassword("bob", "abc123")
        assert creds.checkPassword(b"abc123") is True
        assert creds.checkPassword(b"abc124") is False

    def test_reprHidesPassword(self) -> None:
        """repr shows the user name, never the password or hash."""
        assert "secret" not in repr(UsernamePassword("bob", "secret"))
        assert "bob" in repr(UsernamePassword("bob", "secret"))
        assert "abc" not in repr(UsernameHashedPassword("bob", "abc"))
        assert repr(Anonymous()) == "<Anonymous>"


class ErrorTests:
    """The login errors form one hierarchy."""

    def test_hierarchy(self) -> None:
        """Every login error is a LoginFailed."""
        for cls in (error.UnauthorizedLogin, error.UnhandledCredentials, error.LoginDenied):
            assert issubclass(cls, error.LoginFailed)

    def test_unauthorizedMessage(self) -> None:
        """The shared message says nothing about which part was wrong."""
        assert error.UNAUTHORIZED_MESSAGE == "Invalid username or password"
