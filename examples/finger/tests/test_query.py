"""
Tests for finger.query: the finger query parser.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from finger.query import Forward, Invalid, ListUsers, LookUp, parseQuery


class ParseQueryTests:
    """parseQuery turns query lines into queries."""

    def test_emptyLineListsUsers(self) -> None:
        """An empty line (with or without CR) asks for the user list."""
        assert parseQuery(b"") == ListUsers()
        assert parseQuery(b"\r") == ListUsers()

    def test_userName(self) -> None:
        """A user name is a lookup of that user."""
        assert parseQuery(b"alice\r") == LookUp("alice")

    def test_surroundingBlanksIgnored(self) -> None:
        """Spaces and tabs around the query do not count."""
        assert parseQuery(b" \talice \r") == LookUp("alice")

    def test_verboseToken(self) -> None:
        """/W before the name (or alone) is the verbose flag."""
        assert parseQuery(b"/W alice") == LookUp("alice", verbose=True)
        assert parseQuery(b"/W") == ListUsers(verbose=True)

    def test_verboseNeedsSeparator(self) -> None:
        """/Walice is not the verbose flag followed by alice."""
        assert parseQuery(b"/Walice") == LookUp("/Walice")

    def test_utf8Name(self) -> None:
        """User names are UTF-8 text."""
        assert parseQuery("zoë".encode()) == LookUp("zoë")

    def test_forwardingRequest(self) -> None:
        """user@host and @host are forwarding requests."""
        assert parseQuery(b"alice@example.com") == Forward("@example.com")
        assert parseQuery(b"@example.com@other") == Forward("@example.com@other")

    def test_notUtf8(self) -> None:
        """Bytes that are not UTF-8 are an invalid query."""
        assert isinstance(parseQuery(b"\xff\xfe"), Invalid)

    def test_innerWhitespace(self) -> None:
        """A name with inner whitespace is invalid."""
        assert isinstance(parseQuery(b"alice bob"), Invalid)

    def test_controlCharacters(self) -> None:
        """A name with a control character (escape, NUL) is invalid."""
        assert isinstance(parseQuery(b"al\x1bice"), Invalid)
        assert isinstance(parseQuery(b"al\x00ice"), Invalid)

    @given(st.binary(max_size=200))
    def test_anyBytesParse(self, line: bytes) -> None:
        """Every byte string parses to one of the four query kinds."""
        assert isinstance(parseQuery(line), ListUsers | LookUp | Forward | Invalid)

    @given(
        st.text(
            alphabet=st.characters(
                blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"),
                blacklist_characters="@",
            ),
            min_size=1,
            max_size=40,
        ).filter(lambda name: not name.startswith("/W") and name.strip() == name)
    )
    def test_nameRoundTrip(self, name: str) -> None:
        """A printable name without '@' comes back as a lookup of itself."""
        assert parseQuery(name.encode() + b"\r") == LookUp(name)
