"""
Banana: the s-expression wire encoding under Perspective Broker.

Implementation of L{netframe.spread.banana}; see that module for the
specification summary and the limits.
"""

from __future__ import annotations

import struct
import sys
from itertools import chain as _chain
from typing import Any, ClassVar

from netframe.core.protocol import Protocol
from netframe.logger import Logger

_log = Logger(namespace="netframe.spread.banana")

# Type bytes (high bit set).
LIST = b"\x80"
INT = b"\x81"
STRING = b"\x82"
NEG = b"\x83"
FLOAT = b"\x84"
LONGINT = b"\x85"
LONGNEG = b"\x86"
VOCAB = b"\x87"

_LIST, _INT, _STRING, _NEG, _FLOAT, _LONGINT, _LONGNEG, _VOCAB = range(0x80, 0x88)

#: The longest sequence (list elements or string bytes) accepted, 640 KiB.
SIZE_LIMIT = 640 * 1024

#: The most base-128 digits a length/value prefix may have.
PREFIX_LIMIT = 64

#: The deepest list nesting accepted or produced (Twisted has no such limit).
DEPTH_LIMIT = 1000

#: Integers whose magnitude reaches this bound are refused (2 ** (7 * 64)).
LONG_INT_LIMIT = 2 ** (7 * PREFIX_LIMIT)

_MAX_INT = 2147483647
_MIN_INT = -2147483648

#: The strings of the "pb" profile, by one-byte code (1 .. 31).
PB_VOCABULARY: dict[int, bytes] = dict(
    enumerate(
        (
            b"None",
            b"class",
            b"dereference",
            b"reference",
            b"dictionary",
            b"function",
            b"instance",
            b"list",
            b"module",
            b"persistent",
            b"tuple",
            b"unpersistable",
            b"copy",
            b"cache",
            b"cached",
            b"remote",
            b"local",
            b"lcache",
            b"version",
            b"login",
            b"password",
            b"challenge",
            b"logged_in",
            b"not_logged_in",
            b"cachemessage",
            b"message",
            b"answer",
            b"error",
            b"decref",
            b"decache",
            b"uncache",
        ),
        start=1,
    )
)

#: The encoded form of each "pb" vocabulary string (code byte + VOCAB).
_PB_OUTGOING: dict[bytes, bytes] = {
    word: bytes((code, _VOCAB)) for code, word in PB_VOCABULARY.items()
}

_PROFILES = (b"none", b"pb")

_packFloat = struct.Struct(">d").pack
_unpackFloat = struct.Struct(">d").unpack_from

# Pre-encoded small non-negative integers (the common case).
_SMALL_INTS = [bytes((n, _INT)) for n in range(128)]


def _limit(name: str) -> Any:
    """
    Return the current default of a limit, as set on the public module
    L{netframe.spread.banana} (where users override it) or else here.

    @param name: C{"SIZE_LIMIT"}, C{"PREFIX_LIMIT"}, C{"DEPTH_LIMIT"} or
        C{"LONG_INT_LIMIT"}.
    @return: the value.
    """
    public = sys.modules.get("netframe.spread.banana")
    if public is not None:
        return getattr(public, name)
    return globals()[name]


class BananaError(Exception):
    """
    Banana input or output that breaks the encoding or one of its limits.
    """


def setPrefixLimit(limit: int) -> None:
    """
    Set the default prefix limit (and with it the long-integer bound
    C{2 ** (7 * limit)}) for encoders and decoders created afterwards.

    @param limit: the most base-128 digits allowed in a prefix (>= 5, so
        32-bit lengths still fit).
    @raise ValueError: if C{limit} is below 5.
    """
    if limit < 5:
        raise ValueError(f"prefix limit must be at least 5, not {limit!r}")
    for module in (sys.modules[__name__], sys.modules.get("netframe.spread.banana")):
        if module is not None:
            module.PREFIX_LIMIT = limit  # type: ignore[attr-defined]
            module.LONG_INT_LIMIT = 2 ** (7 * limit)  # type: ignore[attr-defined]


def _b128(n: int) -> bytes:
    """
    Encode a non-negative integer as base-128 digits, least significant first.

    @param n: the integer.
    @return: the digit bytes (C{b"\\x00"} for zero).
    """
    if n < 128:
        return bytes((n,))
    out = bytearray()
    while n:
        out.append(n & 0x7F)
        n >>= 7
    return bytes(out)


def _baseValue(obj: object) -> object:
    """
    Return a subclass instance (C{bool}, a C{bytes} or C{list} subclass...)
    as a value of its Banana base type.

    @param obj: an instance of a subclass of bytes, int, float, list or tuple.
    @return: the equivalent plain value.
    """
    if isinstance(obj, bytes):
        return bytes(obj)
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj)
    assert isinstance(obj, (list, tuple))
    return list(obj)


class BananaEncoder:
    """
    Turn values into Banana bytes (a pure object: no transport).

    Encodable values: C{bytes} (STRING, or a "pb" vocabulary code when the
    profile is C{"pb"}), C{int} (INT/NEG when they fit 32 bits, else
    LONGINT/LONGNEG), C{float}, and C{list}/C{tuple} of encodable values.
    C{bool} is encoded as an integer.

    @ivar profile: C{b"none"} or C{b"pb"}.
    @ivar sizeLimit: the longest list or string that may be encoded.
    @ivar depthLimit: the deepest list nesting that may be encoded.
    @ivar longIntLimit: the exclusive magnitude bound for integers.
    """

    __slots__ = ("_vocab", "depthLimit", "longIntLimit", "profile", "sizeLimit")

    def __init__(
        self,
        profile: bytes = b"none",
        sizeLimit: int | None = None,
        depthLimit: int | None = None,
        longIntLimit: int | None = None,
    ) -> None:
        """
        @param profile: C{b"none"} or C{b"pb"}.
        @param sizeLimit: overrides L{SIZE_LIMIT}.
        @param depthLimit: overrides L{DEPTH_LIMIT}.
        @param longIntLimit: overrides L{LONG_INT_LIMIT}.
        @raise BananaError: if the profile is unknown.
        """
        if profile not in _PROFILES:
            raise BananaError(f"unknown Banana profile {profile!r}")
        self.profile = profile
        self._vocab: dict[bytes, bytes] = _PB_OUTGOING if profile == b"pb" else {}
        self.sizeLimit = _limit("SIZE_LIMIT") if sizeLimit is None else sizeLimit
        self.depthLimit = _limit("DEPTH_LIMIT") if depthLimit is None else depthLimit
        self.longIntLimit = _limit("LONG_INT_LIMIT") if longIntLimit is None else longIntLimit

    def encode(self, value: object) -> bytes:
        """
        Encode one value.

        @param value: an encodable value (see the class docstring).
        @return: its Banana bytes.
        @raise BananaError: for a value of another type (including C{str}),
            a list or string longer than C{sizeLimit}, nesting deeper than
            C{depthLimit}, or an integer whose magnitude reaches
            C{longIntLimit}.
        """
        out: list[bytes] = []
        write = out.append
        vocab = self._vocab
        sizeLimit = self.sizeLimit
        depthLimit = self.depthLimit
        small = _SMALL_INTS
        stack: list[Any] = []
        it: Any = iter((value,))
        while True:
            for obj in it:
                cls = obj.__class__
                if cls is bytes:
                    code = vocab.get(obj)
                    if code is not None:
                        write(code)
                        continue
                    n = len(obj)
                    if n > sizeLimit:
                        raise BananaError(
                            f"string of {n} bytes is longer than the size limit {sizeLimit}"
                        )
                    write(_b128(n))
                    write(STRING)
                    write(obj)
                elif cls is int:
                    if 0 <= obj < 128:
                        write(small[obj])
                    else:
                        self._encodeInt(obj, write)
                elif cls is list or cls is tuple:
                    n = len(obj)
                    if n > sizeLimit:
                        raise BananaError(
                            f"list of {n} elements is longer than the size limit {sizeLimit}"
                        )
                    if len(stack) >= depthLimit:
                        raise BananaError(f"lists nested deeper than the depth limit {depthLimit}")
                    write(_b128(n))
                    write(LIST)
                    stack.append(it)
                    it = iter(obj)
                    break
                elif cls is float:
                    write(FLOAT)
                    write(_packFloat(obj))
                elif isinstance(obj, (bytes, int, float, list, tuple)):
                    # bool and other subclasses: encode as the base type.
                    it = _chain((_baseValue(obj),), it)
                    break
                else:
                    raise BananaError(
                        f"Banana cannot encode {obj.__class__.__name__} objects: {obj!r:.80}"
                    )
            else:
                if not stack:
                    return b"".join(out)
                it = stack.pop()

    def _encodeInt(self, obj: int, write: Any) -> None:
        """
        Encode an integer outside 0..127.

        @param obj: the integer.
        @param write: appends bytes to the output.
        @raise BananaError: if its magnitude reaches C{longIntLimit}.
        """
        if 0 <= obj <= _MAX_INT:
            write(_b128(obj))
            write(INT)
        elif _MIN_INT <= obj < 0:
            write(_b128(-obj))
            write(NEG)
        else:
            if abs(obj) >= self.longIntLimit:
                raise BananaError(
                    f"integer of {obj.bit_length()} bits is beyond the long-integer limit"
                )
            if obj > 0:
                write(_b128(obj))
                write(LONGINT)
            else:
                write(_b128(-obj))
                write(LONGNEG)


class BananaDecoder:
    """
    Turn Banana bytes into values (a pure object: bytes in, values out).

    Feed it bytes in any chunking with L{feed}; it returns the complete
    top-level values decoded so far.  It never recurses, so any nesting
    allowed by C{depthLimit} is safe, and it buffers at most one incomplete
    element (bounded by C{sizeLimit}).  After an error the decoder is
    unusable (every later L{feed} raises the same error).

    Decoded types: STRING -> C{bytes}, INT/NEG/LONGINT/LONGNEG -> C{int},
    FLOAT -> C{float}, LIST -> C{list}, VOCAB (profile C{"pb"} only) ->
    the vocabulary C{bytes}.

    @ivar profile: C{b"none"} or C{b"pb"}.
    @ivar sizeLimit: the longest list or string accepted.
    @ivar prefixLimit: the most base-128 digits accepted in a prefix.
    @ivar depthLimit: the deepest list nesting accepted.
    @ivar longIntLimit: the exclusive magnitude bound for integers.
    """

    __slots__ = (
        "_buffer",
        "_error",
        "_stack",
        "_vocab",
        "depthLimit",
        "longIntLimit",
        "prefixLimit",
        "profile",
        "sizeLimit",
    )

    def __init__(
        self,
        profile: bytes = b"none",
        sizeLimit: int | None = None,
        prefixLimit: int | None = None,
        depthLimit: int | None = None,
        longIntLimit: int | None = None,
    ) -> None:
        """
        @param profile: C{b"none"} or C{b"pb"}.
        @param sizeLimit: overrides L{SIZE_LIMIT}.
        @param prefixLimit: overrides L{PREFIX_LIMIT}.
        @param depthLimit: overrides L{DEPTH_LIMIT}.
        @param longIntLimit: overrides L{LONG_INT_LIMIT}.
        @raise BananaError: if the profile is unknown.
        """
        self._vocab: dict[int, bytes] = {}
        self.profile = b"none"
        self.setProfile(profile)
        self.sizeLimit = _limit("SIZE_LIMIT") if sizeLimit is None else sizeLimit
        self.prefixLimit = _limit("PREFIX_LIMIT") if prefixLimit is None else prefixLimit
        self.depthLimit = _limit("DEPTH_LIMIT") if depthLimit is None else depthLimit
        self.longIntLimit = _limit("LONG_INT_LIMIT") if longIntLimit is None else longIntLimit
        self._buffer = b""
        # Open lists: [list, elements still expected] pairs, innermost last.
        self._stack: list[list[Any]] = []
        self._error: BananaError | None = None

    def setProfile(self, profile: bytes) -> None:
        """
        Switch profile (after the handshake).

        @param profile: C{b"none"} or C{b"pb"}.
        @raise BananaError: if the profile is unknown.
        """
        if profile not in _PROFILES:
            raise BananaError(f"unknown Banana profile {profile!r}")
        self.profile = profile
        self._vocab = PB_VOCABULARY if profile == b"pb" else {}

    def feed(self, data: bytes, maxValues: int = 0) -> list[Any]:
        """
        Decode more bytes.

        @param data: the next bytes of the stream.
        @param maxValues: if positive, stop after this many top-level values
            and keep the rest buffered (feed C{b""} later to continue), e.g.
            to switch profile after the handshake.
        @return: the top-level values completed by these bytes, in order.
        @raise BananaError: for a prefix longer than C{prefixLimit}, a list or
            string longer than C{sizeLimit}, nesting deeper than
            C{depthLimit}, an integer beyond C{longIntLimit}, an unknown type
            byte, a VOCAB element outside the "pb" profile or with an unknown
            code, or a FLOAT with a prefix.
        """
        if self._error is not None:
            raise self._error
        try:
            return self._feed(data, maxValues)
        except BananaError as e:
            self._error = e
            self._buffer = b""
            self._stack = []
            raise

    def _feed(self, data: bytes, maxValues: int) -> list[Any]:
        """
        Decode more bytes (see L{feed}).
        """
        buf = self._buffer + data if self._buffer else data
        end = len(buf)
        pos = 0
        results: list[Any] = []
        stack = self._stack
        prefixLimit = self.prefixLimit
        sizeLimit = self.sizeLimit
        while pos < end:
            # Read the prefix digits up to the type byte.
            start = pos
            b = buf[pos]
            while b < 0x80:
                pos += 1
                if pos - start > prefixLimit:
                    raise BananaError(
                        f"Security precaution: more than {prefixLimit} bytes of prefix"
                    )
                if pos == end:
                    self._buffer = buf[start:]
                    return results
                b = buf[pos]
            n = pos - start
            if n == 1:
                num = buf[start]
            elif n == 0:
                num = 0
            else:
                num = 0
                for i in range(pos - 1, start - 1, -1):
                    num = (num << 7) | buf[i]
            pos += 1
            if b == _STRING:
                if num > sizeLimit:
                    raise BananaError(
                        f"string of {num} bytes is longer than the size limit {sizeLimit}"
                    )
                stop = pos + num
                if stop > end:
                    self._buffer = buf[start:]
                    return results
                item: Any = buf[pos:stop]
                pos = stop
            elif b == _INT:
                item = num
            elif b == _LIST:
                if num > sizeLimit:
                    raise BananaError(
                        f"list of {num} elements is longer than the size limit {sizeLimit}"
                    )
                if len(stack) >= self.depthLimit:
                    raise BananaError(f"lists nested deeper than the depth limit {self.depthLimit}")
                if num:
                    stack.append([[], num])
                    continue
                item = []
            elif b == _NEG:
                item = -num
            elif b == _FLOAT:
                if n:
                    raise BananaError("FLOAT element must not have a length prefix")
                if pos + 8 > end:
                    self._buffer = buf[start:]
                    return results
                item = _unpackFloat(buf, pos)[0]
                pos += 8
            elif b in (_LONGINT, _LONGNEG):
                if num >= self.longIntLimit:
                    raise BananaError("long integer is beyond the long-integer limit")
                item = num if b == _LONGINT else -num
            elif b == _VOCAB:
                word = self._vocab.get(num)
                if word is None:
                    if not self._vocab:
                        raise BananaError("VOCAB element outside the 'pb' profile")
                    raise BananaError(f"unknown VOCAB code {num}")
                item = word
            else:
                raise BananaError(f"unknown type byte 0x{b:02x}")
            # Attach the finished item to its parent list(s).
            while stack:
                top = stack[-1]
                top[0].append(item)
                top[1] -= 1
                if top[1]:
                    break
                item = top[0]
                stack.pop()
            else:
                results.append(item)
                if maxValues and len(results) >= maxValues:
                    self._buffer = buf[pos:]
                    return results
        self._buffer = b""
        return results


def encode(value: object, profile: bytes = b"none") -> bytes:
    """
    Encode one value with default limits.

    @param value: an encodable value (see L{BananaEncoder}).
    @param profile: C{b"none"} or C{b"pb"}.
    @return: the Banana bytes.
    @raise BananaError: as L{BananaEncoder.encode}.
    """
    return BananaEncoder(profile).encode(value)


def decode(data: bytes, profile: bytes = b"none") -> Any:
    """
    Decode exactly one complete value with default limits.

    @param data: the Banana bytes of one value.
    @param profile: C{b"none"} or C{b"pb"}.
    @return: the value.
    @raise BananaError: as L{BananaDecoder.feed}, or if C{data} does not hold
        exactly one complete value.
    """
    values = BananaDecoder(profile).feed(data)
    if len(values) != 1:
        raise BananaError(f"expected one complete value, got {len(values)}")
    return values[0]


class Banana(Protocol):
    """
    The Banana protocol: handshake, then symmetric exchange of values.

    The listening side ("server", C{isClient} false) sends the list of its
    L{knownDialects}; the connecting side answers with the first of its own
    dialects in that list; both then call L{connectionReady}.  Received values
    go to L{expressionReceived}; L{sendEncoded} sends one.  Any illegal input
    or failed handshake logs the L{BananaError} and drops the connection.

    @cvar knownDialects: the profiles offered or accepted, preferred first.
    @ivar isClient: whether this side initiated the connection.
    @ivar currentDialect: the selected profile, or C{None} before the
        handshake completes.
    @cvar sizeLimit: the longest list or string, both ways (L{SIZE_LIMIT}).
    @cvar prefixLimit: the longest prefix accepted (L{PREFIX_LIMIT}).
    @cvar depthLimit: the deepest list nesting, both ways (L{DEPTH_LIMIT}).
    """

    knownDialects: ClassVar[list[bytes]] = [b"pb", b"none"]
    sizeLimit: int | None = None
    prefixLimit: int | None = None
    depthLimit: int | None = None

    def __init__(self, isClient: int | bool = 1) -> None:
        """
        @param isClient: true on the side that connected.
        """
        self.isClient = isClient
        self.disconnecting = False
        self.currentDialect: bytes | None = None
        self._decoder = BananaDecoder(
            b"none",
            sizeLimit=self.sizeLimit,
            prefixLimit=self.prefixLimit,
            depthLimit=self.depthLimit,
        )
        self._encoder = BananaEncoder(b"none", sizeLimit=self.sizeLimit, depthLimit=self.depthLimit)

    def connectionMade(self) -> None:
        """
        Start the handshake: the server offers its dialects.
        """
        if not self.isClient:
            self.sendEncoded(list(self.knownDialects))

    def _selectDialect(self, dialect: bytes) -> None:
        """
        Use C{dialect} from now on, both ways, and announce readiness.

        @param dialect: a known profile.
        """
        self.currentDialect = dialect
        self._decoder.setProfile(dialect)
        self._encoder = BananaEncoder(dialect, sizeLimit=self.sizeLimit, depthLimit=self.depthLimit)
        self.connectionReady()

    def _handshake(self, value: object) -> None:
        """
        Handle a value received before a dialect is selected.

        @param value: the value.
        @raise BananaError: if it is not a valid handshake message.
        """
        if self.isClient:
            if not isinstance(value, list):
                raise BananaError(f"handshake expected a list of dialects, got {value!r:.80}")
            for dialect in self.knownDialects:
                if dialect in value:
                    self.sendEncoded(dialect)
                    self._selectDialect(dialect)
                    return
            raise BananaError(f"no common dialect in {value!r:.200}")
        if value not in self.knownDialects:
            raise BananaError(f"handshake chose an unknown dialect {value!r:.80}")
        assert isinstance(value, bytes)
        self._selectDialect(value)

    def dataReceived(self, data: bytes) -> None:
        """
        Decode bytes; dispatch complete values; drop the connection on error.

        @param data: bytes from the transport.
        """
        decoder = self._decoder
        while self.currentDialect is None:
            try:
                values = decoder.feed(data, 1)
            except BananaError:
                self._fail()
                return
            if not values:
                return
            data = b""
            try:
                self._handshake(values[0])
            except BananaError:
                self._fail()
                return
        try:
            values = decoder.feed(data)
        except BananaError:
            self._fail()
            return
        for value in values:
            if self.transport is None or self.disconnecting:
                return
            self.expressionReceived(value)

    def _logSystem(self) -> str:
        """
        The C{log_system} of the events logged about this connection, shown
        as C{[system]} in classic log text: the transport's C{logPrefix()}
        (C{"Broker,0,127.0.0.1"} for the first connection a TCP port accepted
        from 127.0.0.1, C{"Broker,client"} on a connecting side), else this
        protocol's own L{Banana.logPrefix} (its class name) when there is no transport
        or it has no usable C{logPrefix}.

        @return: the system text.  Never raises.
        """
        logPrefix = getattr(self.transport, "logPrefix", None)
        if callable(logPrefix):
            try:
                return str(logPrefix())
            except Exception:
                pass
        return self.logPrefix()

    def _fail(self) -> None:
        """
        Log the error being handled and drop the connection.
        """
        _log.failure("Banana protocol error; dropping the connection", log_system=self._logSystem())
        transport = self.transport
        self.disconnecting = True
        if transport is not None:
            transport.loseConnection()

    def connectionReady(self) -> None:
        """
        Called once the dialect is chosen; subclasses start talking here.
        """

    def expressionReceived(self, lst: Any) -> None:
        """
        Handle one received value; subclasses override this.

        @param lst: the decoded value.
        @raise NotImplementedError: always, in this base class.
        """
        raise NotImplementedError()

    def sendEncoded(self, obj: object) -> None:
        """
        Encode a value in the current dialect and write it.

        @param obj: an encodable value.
        @raise BananaError: if it cannot be encoded.
        """
        data = self._encoder.encode(obj)
        transport = self.transport
        if transport is not None:
            transport.write(data)
