"""
The AMP box wire format: L{AmpBox}, its serializer, the pure box parser and
the exceptions about malformed or oversized boxes.

Implementation module of L{netframe.core.protocols.amp}; import the names
from there.

On the wire a box is a sequence of key/value pairs, each item written as a
16-bit big-endian length followed by that many bytes; a key of length zero
ends the box.  Keys are 1 to L{MAX_KEY_LENGTH} bytes, values 0 to
L{MAX_VALUE_LENGTH} bytes.
"""

from __future__ import annotations

from struct import Struct
from typing import Any, Optional

__all__ = [
    "ANSWER",
    "ASK",
    "COMMAND",
    "ERROR",
    "ERROR_CODE",
    "ERROR_DESCRIPTION",
    "MAX_BOX_KEYS",
    "MAX_KEY_LENGTH",
    "MAX_VALUE_LENGTH",
    "UNHANDLED_ERROR_CODE",
    "UNKNOWN_ERROR_CODE",
    "AmpBox",
    "AmpBoxParser",
    "AmpError",
    "MalformedAmpBox",
    "NoEmptyBoxes",
    "QuitBox",
    "TooLong",
    "parseString",
    "serializeBox",
]

#: The key naming the command of a request box.
COMMAND = b"_command"
#: The key carrying the request tag of a request that wants an answer.
ASK = b"_ask"
#: The key carrying the tag of the request a successful answer is for.
ANSWER = b"_answer"
#: The key carrying the tag of the request an error answer is for.
ERROR = b"_error"
#: The key carrying the error code of an error answer.
ERROR_CODE = b"_error_code"
#: The key carrying the human-readable description of an error answer.
ERROR_DESCRIPTION = b"_error_description"
#: Error code of an error the responder did not declare.
UNKNOWN_ERROR_CODE = b"UNKNOWN"
#: Error code of a request for a command the peer has no responder for.
UNHANDLED_ERROR_CODE = b"UNHANDLED"

#: The longest key, in bytes (the wire format allows 255).
MAX_KEY_LENGTH = 0xFF
#: The longest value, in bytes (the 16-bit length prefix allows 65535).
MAX_VALUE_LENGTH = 0xFFFF
#: The most key/value pairs a received box may hold (bounds the memory of one
#: box; Twisted's peers never come close).
MAX_BOX_KEYS = 1024

_U16 = Struct("!H")
_pack16 = _U16.pack
_END = b"\x00\x00"


class AmpError(Exception):
    """Base class of the AMP-specific errors."""


class TooLong(AmpError):
    """
    A key or value is longer than the wire format (or the configured limit)
    allows.

    @ivar isKey: True if the key is too long, False if the value is.
    @ivar isLocal: True if raised while sending, False while receiving.
    @ivar keyName: The key (for a value too long), or None.
    @ivar value: The offending key or value (possibly truncated to 64 bytes).
    @ivar limit: The limit that was exceeded.
    """

    def __init__(
        self,
        isKey: bool,
        isLocal: bool,
        value: bytes,
        keyName: Optional[bytes] = None,
        limit: int = 0,
    ) -> None:
        """
        @param isKey: True if the key is too long, False if the value is.
        @param isLocal: True if raised while sending.
        @param value: The offending key or value.
        @param keyName: The key whose value is too long.
        @param limit: The limit that was exceeded.
        """
        what = "key" if isKey else f"value of key {keyName!r}"
        where = "to send" if isLocal else "received"
        super().__init__(f"AMP {what} {where} is {len(value)} bytes long; the limit is {limit}")
        self.isKey = isKey
        self.isLocal = isLocal
        self.keyName = keyName
        self.value = value[:64]
        self.limit = limit


class NoEmptyBoxes(AmpError):
    """An empty box was about to be sent, or was received."""


class MalformedAmpBox(AmpError):
    """
    Received bytes that are not a well-formed AMP box stream.

    @ivar boxes: The complete boxes parsed before the malformed part.
    """

    def __init__(self, message: str, boxes: Optional[list[AmpBox]] = None) -> None:
        """
        @param message: What was wrong.
        @param boxes: Complete boxes that preceded the malformed part.
        """
        super().__init__(message)
        self.boxes: list[AmpBox] = [] if boxes is None else boxes


class AmpBox(dict[bytes, bytes]):
    """
    A box: a dictionary of byte-string keys to byte-string values.

    Keys must be 1 to L{MAX_KEY_LENGTH} bytes, values at most
    L{MAX_VALUE_LENGTH} bytes; L{serialize} checks both.
    """

    __slots__ = ()

    def copy(self) -> AmpBox:
        """
        @return: A shallow copy of this box, as an L{AmpBox}.
        """
        return self.__class__(self)

    def serialize(self) -> bytes:
        """
        Encode this box for the wire.

        @return: The encoded box, terminator included.
        @raise TooLong: If a key or value is too long.
        @raise NoEmptyBoxes: If the box is empty.
        @raise TypeError: If a key or value is not C{bytes}.
        """
        return serializeBox(self, MAX_KEY_LENGTH, MAX_VALUE_LENGTH)

    def _sendTo(self, proto: Any) -> None:
        """
        Send this box through the box sender C{proto}.

        @param proto: An L{IBoxSender}.
        """
        proto.sendBox(self)

    def __repr__(self) -> str:
        """@return: C{AmpBox({...})}."""
        return f"{self.__class__.__name__}({dict.__repr__(self)})"


class QuitBox(AmpBox):
    """A box that closes the connection once it has been sent."""

    __slots__ = ()

    def _sendTo(self, proto: Any) -> None:
        """
        Send this box, then close C{proto}'s transport.

        @param proto: A L{BinaryBoxProtocol}-like sender with a transport.
        """
        proto.sendBox(self)
        proto.transport.loseConnection()


def _explainBadItem(box: dict[Any, Any]) -> TypeError:
    """Return the TypeError naming the first non-bytes key or value of C{box}."""
    for key, value in box.items():
        if not isinstance(key, bytes):
            return TypeError(f"AMP box keys must be bytes, not {type(key).__name__}: {key!r}")
        if not isinstance(value, bytes):
            return TypeError(
                f"AMP box values must be bytes, not {type(value).__name__}: {key!r}={value!r}"
            )
    return TypeError("AMP box items must be bytes")


def serializeBox(box: dict[bytes, bytes], maxKeyLength: int, maxValueLength: int) -> bytes:
    """
    Encode C{box} for the wire with the given limits.

    @param box: The key/value pairs.
    @param maxKeyLength: The longest key allowed (at most 255).
    @param maxValueLength: The longest value allowed (at most 65535).
    @return: The encoded box, terminator included.
    @raise TooLong: If a key or value is too long.
    @raise NoEmptyBoxes: If the box is empty.
    @raise ValueError: If a key is empty.
    @raise TypeError: If a key or value is not C{bytes}.
    """
    if not box:
        raise NoEmptyBoxes("cannot send an empty AMP box")
    parts: list[bytes] = []
    append = parts.append
    pack = _pack16
    try:
        for key, value in box.items():
            lk = len(key)
            lv = len(value)
            if lk > maxKeyLength or lk == 0 or lv > maxValueLength:
                _checkItem(key, value, maxKeyLength, maxValueLength)
            append(pack(lk))
            append(key)
            append(pack(lv))
            append(value)
        append(_END)
        return b"".join(parts)
    except TypeError:
        raise _explainBadItem(box) from None


def _checkItem(key: Any, value: Any, maxKeyLength: int, maxValueLength: int) -> None:
    """
    Raise the error for an item whose key or value length is out of range.

    @raise TypeError: If the key or value is not bytes.
    @raise ValueError: If the key is empty.
    @raise TooLong: If the key or value is too long.
    """
    if not isinstance(key, bytes) or not isinstance(value, bytes):
        raise TypeError("AMP box items must be bytes")
    if not key:
        raise ValueError("AMP box keys must not be empty")
    if len(key) > maxKeyLength:
        raise TooLong(True, True, key, None, maxKeyLength)
    raise TooLong(False, True, value, key, maxValueLength)


class AmpBoxParser:
    """
    Turns a byte stream into L{AmpBox}es (bytes in, boxes out, no transport).

    Feed it with L{feed}; it returns every box completed by the new bytes.
    Malformed input (a key longer than C{maxKeyLength}, a value longer than
    C{maxValueLength}, an empty box, more than C{maxBoxKeys} pairs in a box,
    a key repeated within a box) raises L{MalformedAmpBox}, after which the
    parser stays broken.  Memory is bounded: one pending item is at most
    C{2 + maxKeyLength + 2 + maxValueLength} bytes and a box at most
    C{maxBoxKeys} pairs.

    @ivar maxKeyLength: The longest key accepted.
    @ivar maxValueLength: The longest value accepted.
    @ivar maxBoxKeys: The most pairs accepted in one box.
    """

    __slots__ = ("_box", "_broken", "_buf", "_need", "maxBoxKeys", "maxKeyLength", "maxValueLength")

    def __init__(
        self,
        maxKeyLength: int = MAX_KEY_LENGTH,
        maxValueLength: int = MAX_VALUE_LENGTH,
        maxBoxKeys: int = MAX_BOX_KEYS,
    ) -> None:
        """
        @param maxKeyLength: The longest key accepted (at most 255 makes sense).
        @param maxValueLength: The longest value accepted.
        @param maxBoxKeys: The most key/value pairs accepted in one box.
        """
        self.maxKeyLength = maxKeyLength
        self.maxValueLength = maxValueLength
        self.maxBoxKeys = maxBoxKeys
        self._buf: bytes | bytearray = b""
        self._need = 0
        self._box = AmpBox()
        self._broken: Optional[MalformedAmpBox] = None

    def feed(self, data: bytes) -> list[AmpBox]:
        """
        Add C{data} to the stream.

        @param data: The next bytes of the stream.
        @return: The boxes completed by C{data}, in order (often empty).
        @raise MalformedAmpBox: If the stream is malformed; its C{boxes}
            attribute holds the complete boxes that came before.
        """
        if self._broken is not None:
            raise self._broken
        buf = self._buf
        if buf:
            if len(buf) + len(data) < self._need:
                if type(buf) is bytes:
                    buf = self._buf = bytearray(buf)
                buf += data
                return []
            buf = bytes(buf) + data
        else:
            buf = data
        boxes: list[AmpBox] = []
        box = self._box
        n = len(buf)
        pos = 0
        maxKey = self.maxKeyLength
        maxValue = self.maxValueLength
        need = 0
        while True:
            if pos + 2 > n:
                need = pos + 2
                break
            klen = (buf[pos] << 8) | buf[pos + 1]
            if klen == 0:
                if not box:
                    raise self._fail("received an empty AMP box", boxes)
                boxes.append(box)
                box = AmpBox()
                pos += 2
                continue
            if klen > maxKey:
                raise self._fail(
                    f"received an AMP key of {klen} bytes; the limit is {maxKey}", boxes
                )
            kend = pos + 2 + klen
            if kend + 2 > n:
                need = kend + 2
                break
            vlen = (buf[kend] << 8) | buf[kend + 1]
            if vlen > maxValue:
                raise self._fail(
                    f"received an AMP value of {vlen} bytes; the limit is {maxValue}", boxes
                )
            vend = kend + 2 + vlen
            if vend > n:
                need = vend
                break
            key = buf[pos + 2 : kend]
            if key in box:
                raise self._fail(f"received an AMP box with key {key!r} twice", boxes)
            if len(box) >= self.maxBoxKeys:
                raise self._fail(
                    f"received an AMP box with more than {self.maxBoxKeys} keys", boxes
                )
            box[key] = buf[kend + 2 : vend]
            pos = vend
        self._box = box
        self._buf = buf[pos:] if pos < n else b""
        self._need = need - pos
        return boxes

    def _fail(self, message: str, boxes: list[AmpBox]) -> MalformedAmpBox:
        """Break the parser with C{message}; return the exception to raise."""
        self._buf = b""
        self._box = AmpBox()
        self._broken = MalformedAmpBox(message, boxes)
        return self._broken

    def pending(self) -> int:
        """
        @return: The number of bytes buffered in incomplete items (the pairs
            of an unfinished box that were already parsed are not counted).
        """
        return len(self._buf)

    def inBox(self) -> bool:
        """
        @return: True if part of a box was received (the stream does not end
            on a box boundary).
        """
        return bool(self._buf) or bool(self._box)


def parseString(data: bytes) -> list[AmpBox]:
    """
    Parse a complete byte string of boxes (such as an L{AmpList} value).

    @param data: Zero or more encoded boxes.
    @return: The boxes.
    @raise MalformedAmpBox: If C{data} is malformed or ends inside a box.
    """
    parser = AmpBoxParser()
    boxes = parser.feed(data)
    if parser.inBox():
        raise MalformedAmpBox(f"AMP box data ends inside a box ({len(data)} bytes)", boxes)
    return boxes
