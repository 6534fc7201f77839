"""
Parsing finger queries (RFC 1288, section 2.3), without any transport.

A query is one line.  L{parseQuery} turns its bytes into one of:

  - L{ListUsers}: an empty query (optionally C{/W}): list the users;
  - L{LookUp}: C{[/W ]user}: one user's status;
  - L{Forward}: C{[/W ][user]@host...}: a forwarding request, which this
    service refuses (RFC 1288 section 3.2.1 lets a server deny it, and an
    open finger relay is a known abuse vector);
  - L{Invalid}: a line that is not text (undecodable UTF-8), or whose user
    name holds whitespace or control characters.

The C{/W} ("verbose") token is accepted and remembered in C{verbose}; this
service answers the same either way.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = ["Forward", "Invalid", "ListUsers", "LookUp", "Query", "parseQuery"]

_VERBOSE = b"/W"


@dataclass(frozen=True, slots=True)
class ListUsers:
    """
    An empty query: list the users.

    @ivar verbose: whether the query carried C{/W}.
    """

    verbose: bool = False


@dataclass(frozen=True, slots=True)
class LookUp:
    """
    A query for one user's status.

    @ivar user: the user name.
    @ivar verbose: whether the query carried C{/W}.
    """

    user: str
    verbose: bool = False


@dataclass(frozen=True, slots=True)
class Forward:
    """
    A forwarding query (C{user@host}), refused by this service.

    @ivar target: the text after the user name, starting with C{@}.
    """

    target: str


@dataclass(frozen=True, slots=True)
class Invalid:
    """
    A line that is not a finger query.

    @ivar reason: why, for the log.
    """

    reason: str


Query = ListUsers | LookUp | Forward | Invalid
"""What L{parseQuery} returns."""


def _hasControlOrSpace(text: str) -> bool:
    """
    Say whether C{text} holds whitespace or a control/format character.

    @param text: the text.
    @return: C{True} if any character is whitespace or of category C{C*}.
    """
    return any(c.isspace() or unicodedata.category(c).startswith("C") for c in text)


def parseQuery(line: bytes) -> Query:
    """
    Parse one finger query line.

    @param line: the line, without its line feed; a trailing carriage
        return and surrounding spaces or tabs are ignored.
    @return: a L{ListUsers}, L{LookUp}, L{Forward} or L{Invalid}; never
        raises for any input.
    """
    line = line.rstrip(b"\r").strip(b" \t")
    verbose = False
    if line[:2] == _VERBOSE and (len(line) == 2 or line[2:3] in (b" ", b"\t")):
        verbose = True
        line = line[2:].lstrip(b" \t")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return Invalid("the query is not UTF-8 text")
    if not text:
        return ListUsers(verbose)
    user, at, rest = text.partition("@")
    if at:
        return Forward(at + rest)
    if _hasControlOrSpace(user):
        return Invalid("the user name holds whitespace or control characters")
    return LookUp(user, verbose)
