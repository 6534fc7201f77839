"""
The one rule for user names and passwords in L{netframe.cred}: they are
bytes.

A C{str} is encoded to UTF-8 where it enters (credentials, checkers,
password files, the C{passwd} tool).  Lone surrogates are encoded with
C{surrogateescape} first (so text decoded with C{surrogateescape} gets its
original bytes back) and C{surrogatepass} otherwise, so encoding never
fails.  Avatar IDs produced by the built-in checkers are these bytes.

Private module.
"""

from __future__ import annotations

__all__ = ["toBytes"]


def toBytes(value: str | bytes, what: str) -> bytes:
    """
    Normalise a user name or a password to bytes.

    @param value: the text (encoded as UTF-8) or bytes (kept as they are);
        C{bytearray} and C{memoryview} are copied to C{bytes}.
    @param what: what the value is, for the error message.
    @return: the bytes.
    @raise TypeError: if C{value} is neither text nor bytes.
    """
    if type(value) is bytes:
        return value
    if isinstance(value, str):
        try:
            return value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogatepass")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")
