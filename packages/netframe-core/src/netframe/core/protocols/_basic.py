"""
Framing protocols: thin L{Protocol} adapters over the pure parsers of
L{netframe.core.protocols._basicparsers}.
"""

from __future__ import annotations

import struct
from typing import Any

from netframe.core.protocol import Protocol
from netframe.core.protocols._basicparsers import (
    FrameTooLong,
    LineParser,
    NetstringParseError,
    NetstringParser,
    PrefixedParser,
    StringTooLongError,
)


def _disconnecting(transport: Any) -> bool:
    """Return True if C{transport} is closing (or gone)."""
    return transport is None or bool(getattr(transport, "disconnecting", False))


class _PauseableMixin:
    """Lets a protocol stop delivering frames while its transport is paused."""

    paused = False
    transport: Any

    def pauseProducing(self) -> None:
        """Stop delivering frames and stop the transport reading."""
        self.paused = True
        self.transport.pauseProducing()

    def resumeProducing(self) -> None:
        """Deliver buffered frames again and resume the transport."""
        self.paused = False
        self.transport.resumeProducing()
        self.dataReceived(b"")

    def stopProducing(self) -> None:
        """Stop delivering frames and close the transport."""
        self.paused = True
        self.transport.stopProducing()

    def dataReceived(self, data: bytes) -> None:
        """Overridden by the receivers."""


class LineOnlyReceiver(Protocol):
    """
    A protocol that receives lines only (no raw mode); faster than
    L{LineReceiver}.

    @cvar delimiter: the line terminator (not part of delivered lines).
    @cvar MAX_LENGTH: the longest line accepted, in bytes (delimiter
        excluded); longer lines go to L{lineLengthExceeded}.
    """

    delimiter = b"\r\n"
    MAX_LENGTH = 16384

    _parser: LineParser | None = None

    def dataReceived(self, data: bytes) -> None:
        """Split C{data} into lines and call L{lineReceived} for each."""
        parser = self._parser
        if parser is None:
            parser = self._parser = LineParser()
        parser.feed(data)
        popLine = parser.popLine
        while True:
            delimiter = self.delimiter
            line = popLine(delimiter)
            if line is None:
                if parser.partialTooLong(delimiter, self.MAX_LENGTH):
                    self.lineLengthExceeded(parser.takeAll())
                return
            if len(line) > self.MAX_LENGTH:
                self.lineLengthExceeded(line)
                if _disconnecting(self.transport):
                    return
                continue
            self.lineReceived(line)
            if _disconnecting(self.transport):
                return

    def lineReceived(self, line: bytes) -> None:
        """
        Called with each complete line (without the delimiter).

        @raise NotImplementedError: Unless overridden.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement lineReceived")

    def sendLine(self, line: bytes) -> None:
        """Write C{line} followed by the delimiter."""
        assert self.transport is not None
        self.transport.write(line + self.delimiter)

    def lineLengthExceeded(self, line: bytes) -> None:
        """
        Called with a line (or partial line) longer than C{MAX_LENGTH}.

        The default closes the connection.
        """
        assert self.transport is not None
        self.transport.loseConnection()


class LineReceiver(_PauseableMixin, Protocol):
    """
    A protocol that receives lines and/or raw data, switching mid-stream.

    In line mode each line goes to L{lineReceived}; after L{setRawMode} the
    bytes go to L{rawDataReceived} until L{setLineMode}.  A switch made from
    inside a callback applies to the rest of the chunk already received.
    L{pauseProducing<_PauseableMixin.pauseProducing>} stops delivery (the rest stays
    buffered) until L{resumeProducing<_PauseableMixin.resumeProducing>}.

    @cvar delimiter: the line terminator, default C{b"\\r\\n"}.
    @cvar MAX_LENGTH: the longest line accepted (delimiter excluded); a
        longer line, or a partial line already longer, goes to
        L{lineLengthExceeded}, which closes the connection by default.
    @ivar line_mode: 1 in line mode, 0 in raw mode.
    """

    line_mode = 1
    delimiter = b"\r\n"
    MAX_LENGTH = 16384

    _parser: LineParser | None = None
    _busyReceiving = False

    def _getParser(self) -> LineParser:
        """Return the parser, creating it on first use."""
        parser = self._parser
        if parser is None:
            parser = self._parser = LineParser()
        return parser

    def clearLineBuffer(self) -> bytes:
        """
        Discard everything buffered (including lines not delivered yet).

        @return: the discarded bytes.
        """
        return self._getParser().takeAll()

    def dataReceived(self, data: bytes) -> None:
        """Buffer C{data} and deliver lines or raw data according to the mode."""
        parser = self._getParser()
        parser.feed(data)
        if self._busyReceiving:
            return
        self._busyReceiving = True
        try:
            self._deliver(parser)
        finally:
            self._busyReceiving = False

    def _deliver(self, parser: LineParser) -> None:
        """Hand buffered data to the callbacks until blocked or drained."""
        popLines = parser.popLines
        while not self.paused:
            if not self.line_mode:
                data = parser.takeAll()
                if not data:
                    return
                self.rawDataReceived(data)
                if _disconnecting(self.transport):
                    return
                continue
            delimiter = self.delimiter
            lines = popLines(delimiter)
            if not lines:
                if parser.partialTooLong(delimiter, self.MAX_LENGTH):
                    self.lineLengthExceeded(parser.takeAll())
                return
            # Every complete line of the chunk from one split; after each
            # callback, stop if it paused, closed, cleared the buffer, or
            # changed mode/delimiter (the rest stays pending in the parser).
            maxLength = self.MAX_LENGTH
            lineReceived = self.lineReceived
            for i, line in enumerate(lines, 1):
                parser._pos = i
                if len(line) > maxLength:
                    self.lineLengthExceeded(line)
                else:
                    lineReceived(line)
                transport = self.transport
                if transport is None or getattr(transport, "disconnecting", False):
                    return
                if (
                    parser._lines is not lines
                    or self.paused
                    or not self.line_mode
                    or self.delimiter != delimiter
                ):
                    break

    def setLineMode(self, extra: bytes = b"") -> None:
        """
        Switch to line mode; C{extra} is parsed as if just received.

        @param extra: bytes to process in line mode now.
        """
        self.line_mode = 1
        if extra:
            self.dataReceived(extra)

    def setRawMode(self) -> None:
        """Switch to raw mode: further data goes to L{rawDataReceived}."""
        self.line_mode = 0

    def rawDataReceived(self, data: bytes) -> None:
        """
        Called with data received in raw mode.

        @raise NotImplementedError: Unless overridden.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement rawDataReceived")

    def lineReceived(self, line: bytes) -> None:
        """
        Called with each complete line (without the delimiter).

        @raise NotImplementedError: Unless overridden.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement lineReceived")

    def sendLine(self, line: bytes) -> None:
        """Write C{line} followed by the delimiter."""
        self.transport.write(line + self.delimiter)

    def lineLengthExceeded(self, line: bytes) -> None:
        """
        Called with a line (or partial line) longer than C{MAX_LENGTH}.

        The default closes the connection.
        """
        self.transport.loseConnection()


class NetstringReceiver(Protocol):
    """
    Receives netstrings (C{b"5:hello,"}), strictly parsed.

    A malformed length (sign, whitespace, hex, leading zero, too many digits)
    or a length above C{MAX_LENGTH} closes the connection and sets
    C{brokenPeer}.

    @cvar MAX_LENGTH: the longest string accepted, in bytes.
    @ivar brokenPeer: 1 once the peer sent something malformed.
    """

    MAX_LENGTH = 99999
    brokenPeer = 0

    _parser: NetstringParser | None = None

    def dataReceived(self, data: bytes) -> None:
        """Parse C{data} and call L{stringReceived} for each complete string."""
        if self.brokenPeer:
            return
        parser = self._parser
        if parser is None or parser.maxLength != self.MAX_LENGTH:
            old = parser
            parser = self._parser = NetstringParser(self.MAX_LENGTH)
            if old is not None:
                parser.feed(old.takeAll())
        parser.feed(data)
        while not self.brokenPeer:
            try:
                string = parser.popString()
            except NetstringParseError:
                self._handleParseError()
                return
            if string is None:
                return
            self.stringReceived(string)

    def _handleParseError(self) -> None:
        """Close the connection on malformed input."""
        self.brokenPeer = 1
        assert self.transport is not None
        self.transport.loseConnection()

    def stringReceived(self, string: bytes) -> None:
        """
        Called with each complete string.

        @raise NotImplementedError: Unless overridden.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement stringReceived")

    def sendString(self, string: bytes) -> None:
        """Write C{string} as a netstring."""
        assert self.transport is not None
        self.transport.write(b"%d:%s," % (len(string), string))


class IntNStringReceiver(_PauseableMixin, Protocol):
    """
    Receives strings prefixed by a fixed-size big-endian unsigned length.

    Subclasses set C{structFormat} (and C{prefixLength}); see
    L{Int8StringReceiver}, L{Int16StringReceiver}, L{Int32StringReceiver}.

    @cvar MAX_LENGTH: the longest string accepted; a longer announced length
        goes to L{lengthLimitExceeded}, which closes the connection.
    """

    structFormat = "!I"
    prefixLength = 4
    MAX_LENGTH = 99999

    _parser: PrefixedParser | None = None

    def dataReceived(self, data: bytes) -> None:
        """Parse C{data} and call L{stringReceived} for each complete string."""
        parser = self._parser
        if parser is None or parser.maxLength != self.MAX_LENGTH:
            old = parser
            parser = self._parser = PrefixedParser(self.structFormat, self.MAX_LENGTH)
            if old is not None:
                parser.feed(old.takeAll())
        parser.feed(data)
        while not self.paused:
            try:
                string = parser.popString()
            except FrameTooLong as e:
                parser.takeAll()
                self.lengthLimitExceeded(e.length)
                return
            if string is None:
                return
            self.stringReceived(string)
            if _disconnecting(self.transport):
                return

    def stringReceived(self, string: bytes) -> None:
        """
        Called with each complete string.

        @raise NotImplementedError: Unless overridden.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement stringReceived")

    def lengthLimitExceeded(self, length: int) -> None:
        """
        Called when a prefix announces more than C{MAX_LENGTH} bytes.

        The default closes the connection.
        """
        self.transport.loseConnection()

    def sendString(self, string: bytes) -> None:
        """
        Write C{string} with its length prefix.

        @raise StringTooLongError: If the length does not fit the prefix.
        """
        if len(string) >= 2 ** (8 * self.prefixLength):
            raise StringTooLongError(
                f"string of {len(string)} bytes does not fit a {self.prefixLength}-byte prefix"
            )
        self.transport.write(struct.pack(self.structFormat, len(string)) + string)


class Int32StringReceiver(IntNStringReceiver):
    """Strings with a 4-byte unsigned big-endian length prefix."""

    structFormat = "!I"
    prefixLength = 4


class Int16StringReceiver(IntNStringReceiver):
    """Strings with a 2-byte unsigned big-endian length prefix."""

    structFormat = "!H"
    prefixLength = 2


class Int8StringReceiver(IntNStringReceiver):
    """Strings with a 1-byte unsigned length prefix."""

    structFormat = "!B"
    prefixLength = 1
