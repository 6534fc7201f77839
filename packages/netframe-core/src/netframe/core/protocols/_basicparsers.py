"""
Pure framing parsers behind L{netframe.core.protocols.basic}: bytes in,
frames out, no transport.

Every parser is fed with C{feed(data)} and drained one frame at a time
(C{popLine} / C{popString}), so the protocol adapter can stop between frames
(pause, mode switch, disconnect) and leave the rest buffered.  All complete
lines of a chunk are split in one pass: draining N lines costs O(N), not
O(N^2).
"""

from __future__ import annotations

import struct


class NetstringParseError(ValueError):
    """The peer sent something that is not a well-formed netstring."""


class IncompleteNetstring(Exception):
    """Not enough data yet to complete a netstring (kept for API parity)."""


class StringTooLongError(AssertionError):
    """A string is too long to be sent with the receiver's length prefix."""


class FrameTooLong(Exception):
    """
    A length prefix announced more than the receiver's MAX_LENGTH.

    @ivar length: the announced length.
    """

    def __init__(self, length: int) -> None:
        """@param length: the announced length."""
        super().__init__(f"announced frame length {length} exceeds the limit")
        self.length = length


class LineParser:
    """
    Splits a byte stream into delimiter-terminated lines.

    The delimiter is given to each L{popLine} call so the owner may change it
    between lines; pending lines already split with the old one are re-joined
    and split again.
    """

    __slots__ = ("_data", "_delimiter", "_lines", "_pos", "_scanned")

    def __init__(self) -> None:
        """Start empty."""
        self._data = b""
        self._lines: list[bytes] = []
        self._pos = 0
        self._delimiter = b""
        self._scanned = 0

    def feed(self, data: bytes) -> None:
        """Append C{data} to the stream."""
        if data:
            self._data += data

    def popLine(self, delimiter: bytes) -> bytes | None:
        """
        Return the next complete line without its delimiter, or None.

        @param delimiter: the line terminator (non-empty).
        @raise ValueError: If C{delimiter} is empty.
        """
        pos = self._pos
        lines = self._lines
        if pos < len(lines):
            if delimiter == self._delimiter:
                self._pos = pos + 1
                return lines[pos]
            self._data = self._pending()
            self._lines = []
            self._pos = 0
            self._scanned = 0
        elif lines:
            self._lines = []
            self._pos = 0
        if not delimiter:
            raise ValueError("the line delimiter must not be empty")
        if delimiter != self._delimiter:
            self._scanned = 0
            self._delimiter = delimiter
        data = self._data
        start = self._scanned - len(delimiter) + 1
        if data.find(delimiter, start if start > 0 else 0) == -1:
            self._scanned = len(data)
            return None
        parts = data.split(delimiter)
        self._data = parts.pop()
        self._scanned = 0
        if len(parts) == 1:
            return parts[0]
        self._lines = parts
        self._pos = 1
        return parts[0]

    def popLines(self, delimiter: bytes) -> list[bytes]:
        """
        Split every complete line available now and return them, in order.

        The batch form of L{popLine}: one split for a whole chunk.  The lines
        stay pending in the parser until consumed: the caller consumes line
        C{i} by setting C{parser._pos = i + 1} before handing it on, and
        must stop iterating once C{parser._lines} is no longer the returned
        list (something such as L{takeAll} or a delimiter change intervened).

        @param delimiter: the line terminator (non-empty).
        @return: the pending lines (without delimiters); empty if none.
        @raise ValueError: If C{delimiter} is empty.
        """
        pos = self._pos
        lines = self._lines
        if pos < len(lines):
            if delimiter == self._delimiter:
                if pos:
                    lines = self._lines = lines[pos:]
                    self._pos = 0
                return lines
            self._data = self._pending()
            self._lines = []
            self._pos = 0
            self._scanned = 0
        elif lines:
            self._lines = []
            self._pos = 0
        if not delimiter:
            raise ValueError("the line delimiter must not be empty")
        if delimiter != self._delimiter:
            self._scanned = 0
            self._delimiter = delimiter
        data = self._data
        start = self._scanned - len(delimiter) + 1
        if data.find(delimiter, start if start > 0 else 0) == -1:
            self._scanned = len(data)
            return []
        parts = data.split(delimiter)
        self._data = parts.pop()
        self._scanned = 0
        self._lines = parts
        self._pos = 0
        return parts

    def _pending(self) -> bytes:
        """Return the not yet returned lines (re-joined) and the partial tail."""
        if self._pos < len(self._lines):
            d = self._delimiter
            return d.join(self._lines[self._pos :]) + d + self._data
        return self._data

    def hasLines(self) -> bool:
        """Return True if lines split earlier are still waiting to be popped."""
        return self._pos < len(self._lines)

    def partialTooLong(self, delimiter: bytes, maxLength: int) -> bool:
        """
        Return True if the incomplete tail already exceeds C{maxLength}.

        Trailing bytes that could be the start of the delimiter do not count,
        so a line of exactly C{maxLength} bytes split inside its delimiter is
        not reported.  Call only after L{popLine} returned None.
        """
        data = self._data
        n = len(data)
        if n <= maxLength:
            return False
        for k in range(min(len(delimiter) - 1, n), 0, -1):
            if data.endswith(delimiter[:k]):
                return n - k > maxLength
        return True

    def takeAll(self) -> bytes:
        """Return everything buffered and not yet popped, and empty the parser."""
        rest = self._pending()
        self._data = b""
        self._lines = []
        self._pos = 0
        self._scanned = 0
        return rest

    def __len__(self) -> int:
        """Return the number of buffered bytes not yet returned (lines re-joined)."""
        return len(self._pending())


class NetstringParser:
    """
    Parses netstrings (C{<decimal length>:<bytes>,}) strictly.

    The length must be plain ASCII digits with no sign, whitespace, hex or
    leading zero (C{0} itself is fine) and at most C{maxLength}; anything else
    raises L{NetstringParseError}, after which the parser stays broken.

    @ivar maxLength: the largest accepted string length.
    """

    __slots__ = ("_broken", "_buf", "_maxDigits", "_pos", "maxLength")

    def __init__(self, maxLength: int) -> None:
        """@param maxLength: the largest accepted string length (>= 0)."""
        self.maxLength = maxLength
        self._maxDigits = len(str(maxLength))
        self._buf = bytearray()
        self._pos = 0
        self._broken: NetstringParseError | None = None

    def feed(self, data: bytes) -> None:
        """Append C{data} to the stream."""
        self._buf += data

    def _fail(self, message: str) -> NetstringParseError:
        """Break the parser with C{message}."""
        self._broken = NetstringParseError(message)
        return self._broken

    def popString(self) -> bytes | None:
        """
        Return the next complete string, or None if more data is needed.

        @raise NetstringParseError: If the stream is malformed or announces a
            string longer than C{maxLength}.
        """
        if self._broken is not None:
            raise self._broken
        buf = self._buf
        pos = self._pos
        if pos >= len(buf):
            return None
        maxDigits = self._maxDigits
        colon = buf.find(b":", pos, pos + maxDigits + 1)
        if colon == -1:
            prefix = bytes(buf[pos : pos + maxDigits + 1])
            self._checkDigits(prefix, final=False)
            if len(prefix) > maxDigits:
                raise self._fail(
                    f"netstring length prefix {prefix!r} is longer than {maxDigits} digits "
                    f"(MAX_LENGTH {self.maxLength})"
                )
            return None
        digits = bytes(buf[pos:colon])
        self._checkDigits(digits, final=True)
        length = int(digits)
        if length > self.maxLength:
            raise self._fail(f"netstring length {length} exceeds MAX_LENGTH {self.maxLength}")
        end = colon + 1 + length
        if len(buf) <= end:
            return None
        if buf[end] != 0x2C:
            raise self._fail(
                f"netstring of length {length} is not followed by ',' (got {bytes(buf[end : end + 1])!r})"
            )
        string = bytes(buf[colon + 1 : end])
        pos = end + 1
        if pos == len(buf):
            buf.clear()
            pos = 0
        elif pos > 65536 and pos * 2 > len(buf):
            del buf[:pos]
            pos = 0
        self._pos = pos
        return string

    def _checkDigits(self, digits: bytes, final: bool) -> None:
        """
        Validate a (possibly partial) length prefix.

        @raise NetstringParseError: On anything but canonical decimal digits.
        """
        if final and not digits:
            raise self._fail("netstring length prefix is empty")
        if digits and not (digits.isdigit()):
            bad = next(bytes([c]) for c in digits if not 0x30 <= c <= 0x39)
            raise self._fail(
                f"netstring length prefix {digits!r} contains {bad!r}; only digits are allowed"
            )
        if len(digits) > 1 and digits[0] == 0x30:
            raise self._fail(f"netstring length prefix {digits!r} has a leading zero")

    def takeAll(self) -> bytes:
        """Return every buffered byte not yet consumed and empty the parser."""
        rest = bytes(self._buf[self._pos :])
        self._buf.clear()
        self._pos = 0
        return rest

    def __len__(self) -> int:
        """Return the number of buffered bytes not yet consumed."""
        return len(self._buf) - self._pos


class PrefixedParser:
    """
    Parses strings prefixed by a fixed-size unsigned big-endian length.

    @ivar maxLength: the largest accepted string length.
    @ivar prefixLength: the size of the length prefix in bytes.
    """

    __slots__ = ("_buf", "_pos", "_struct", "maxLength", "prefixLength")

    def __init__(self, structFormat: str, maxLength: int) -> None:
        """
        @param structFormat: a C{struct} format for the prefix, such as C{"!I"}.
        @param maxLength: the largest accepted string length.
        """
        self._struct = struct.Struct(structFormat)
        self.prefixLength = self._struct.size
        self.maxLength = maxLength
        self._buf = bytearray()
        self._pos = 0

    def feed(self, data: bytes) -> None:
        """Append C{data} to the stream."""
        self._buf += data

    def popString(self) -> bytes | None:
        """
        Return the next complete string, or None if more data is needed.

        @raise FrameTooLong: If a prefix announces more than C{maxLength}
            bytes; the prefix stays buffered.
        """
        buf = self._buf
        pos = self._pos
        start = pos + self.prefixLength
        if len(buf) < start:
            return None
        (length,) = self._struct.unpack_from(buf, pos)
        if length > self.maxLength:
            raise FrameTooLong(length)
        end = start + length
        if len(buf) < end:
            return None
        string = bytes(buf[start:end])
        if end == len(buf):
            buf.clear()
            end = 0
        elif end > 65536 and end * 2 > len(buf):
            del buf[:end]
            end = 0
        self._pos = end
        return string

    def takeAll(self) -> bytes:
        """Return every buffered byte not yet consumed and empty the parser."""
        rest = bytes(self._buf[self._pos :])
        self._buf.clear()
        self._pos = 0
        return rest

    def __len__(self) -> int:
        """Return the number of buffered bytes not yet consumed."""
        return len(self._buf) - self._pos
