"""
Basic framing protocols.

  - L{LineReceiver}: lines (C{lineReceived}) with a raw-data mode
    (C{setRawMode}/C{rawDataReceived}); L{LineOnlyReceiver}: lines only.
  - L{NetstringReceiver}: netstrings (C{b"5:hello,"}), strictly parsed.
  - L{Int8StringReceiver}, L{Int16StringReceiver}, L{Int32StringReceiver}:
    strings with a 1-, 2- or 4-byte big-endian length prefix.

Each is a thin adapter over a pure parser (bytes in, frames out); every
limit is a class attribute (C{MAX_LENGTH}) that subclasses may override.
"""

from __future__ import annotations

from netframe.core.protocols._basic import (
    Int8StringReceiver,
    Int16StringReceiver,
    Int32StringReceiver,
    IntNStringReceiver,
    LineOnlyReceiver,
    LineReceiver,
    NetstringReceiver,
)
from netframe.core.protocols._basicparsers import (
    IncompleteNetstring,
    NetstringParseError,
    StringTooLongError,
)
from netframe.core.protocols._filesender import FileSender

__all__ = [
    "FileSender",
    "IncompleteNetstring",
    "Int8StringReceiver",
    "Int16StringReceiver",
    "Int32StringReceiver",
    "IntNStringReceiver",
    "LineOnlyReceiver",
    "LineReceiver",
    "NetstringParseError",
    "NetstringReceiver",
    "StringTooLongError",
]

for _obj in (
    FileSender,
    IncompleteNetstring,
    Int8StringReceiver,
    Int16StringReceiver,
    Int32StringReceiver,
    IntNStringReceiver,
    LineOnlyReceiver,
    LineReceiver,
    NetstringParseError,
    NetstringReceiver,
    StringTooLongError,
):
    _obj.__module__ = __name__
del _obj
