"""
Banana: the s-expression encoding Perspective Broker runs on (Twisted's
C{twisted.spread.banana}).

Wire format
===========
Every element is a prefix (an unsigned number in base-128 digits, least
significant first, high bit clear) and a type byte (high bit set):
LIST C{0x80} (prefix = element count), INT C{0x81} (value), STRING C{0x82}
(byte count, then the bytes), NEG C{0x83} (minus the value), FLOAT C{0x84}
(no prefix; 8 bytes IEEE-754 big-endian double), LONGINT C{0x85} and
LONGNEG C{0x86} (integers beyond 32 bits), and in the C{"pb"} profile VOCAB
C{0x87} (prefix = code 1..31 of a common PB string, see L{PB_VOCABULARY}).
Text is not a Banana type: encode it to bytes first.

Handshake: the listening side sends the list of profiles it supports; the
connecting side answers with the one it picked; the session then uses it,
symmetrically.  Illegal input or a failed handshake closes the connection.

Limits (each a module attribute read when an encoder/decoder is created, and
overridable per object or per L{Banana} subclass):

  - L{SIZE_LIMIT} = 640 KiB: the longest list (elements) or string (bytes).
    Change it on both sides.
  - L{PREFIX_LIMIT} = 64: the most base-128 digits in a prefix;
    L{setPrefixLimit} changes it together with L{LONG_INT_LIMIT}.
  - L{LONG_INT_LIMIT} = 2 ** 448: integers must lie strictly between
    C{-LONG_INT_LIMIT} and C{LONG_INT_LIMIT}.
  - L{DEPTH_LIMIT} = 1,000: the deepest list nesting (Twisted has none; the
    decoder here never recurses, and this bounds what a peer can make us
    build).

A violation raises L{BananaError}; in the L{Banana} protocol it is logged and
the connection dropped.
"""

from __future__ import annotations

from netframe.spread import _banana
from netframe.spread._banana import (
    DEPTH_LIMIT,
    FLOAT,
    INT,
    LIST,
    LONG_INT_LIMIT,
    LONGINT,
    LONGNEG,
    NEG,
    PB_VOCABULARY,
    PREFIX_LIMIT,
    SIZE_LIMIT,
    STRING,
    VOCAB,
    Banana,
    BananaDecoder,
    BananaEncoder,
    BananaError,
    decode,
    encode,
    setPrefixLimit,
)

__all__ = [
    "DEPTH_LIMIT",
    "FLOAT",
    "INT",
    "LIST",
    "LONGINT",
    "LONGNEG",
    "LONG_INT_LIMIT",
    "NEG",
    "PB_VOCABULARY",
    "PREFIX_LIMIT",
    "SIZE_LIMIT",
    "STRING",
    "VOCAB",
    "Banana",
    "BananaDecoder",
    "BananaEncoder",
    "BananaError",
    "decode",
    "encode",
    "setPrefixLimit",
]

for _public in (Banana, BananaDecoder, BananaEncoder, BananaError, decode, encode, setPrefixLimit):
    _public.__module__ = __name__
del _public
del _banana
