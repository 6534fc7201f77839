"""
Tests for netframe.core.protocols.basic: the pure parsers (including
hypothesis properties) and the protocol adapters over StringTransport.
"""

from __future__ import annotations

import struct
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netframe.core.protocols import basic
from netframe.core.protocols._basicparsers import (
    FrameTooLong,
    LineParser,
    NetstringParser,
    PrefixedParser,
)
from netframe.core.testing import StringTransport


def drainLines(parser: LineParser, delimiter: bytes) -> list[bytes]:
    """Pop every complete line."""
    out = []
    while (line := parser.popLine(delimiter)) is not None:
        out.append(line)
    return out


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    """Split C{data} at the given (unsorted, possibly repeated) offsets."""
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, last = [], 0
    for p in points:
        pieces.append(data[last:p])
        last = p
    pieces.append(data[last:])
    return pieces


class LineParserTests:
    """The pure line splitter."""

    def test_splitsAllLinesOfOneChunk(self) -> None:
        """All complete lines of a chunk come out; the tail stays buffered."""
        p = LineParser()
        p.feed(b"a\r\nb\r\nc")
        assert drainLines(p, b"\r\n") == [b"a", b"b"]
        assert p.takeAll() == b"c"

    def test_delimiterChangeBetweenLines(self) -> None:
        """Changing the delimiter re-splits the pending lines."""
        p = LineParser()
        p.feed(b"a\nb\r\nc\n")
        assert p.popLine(b"\r\n") == b"a\nb"
        assert p.popLine(b"\n") == b"c"

    def test_delimiterChangeWithPendingLines(self) -> None:
        """Lines split with the old delimiter are re-joined and split with the new one."""
        p = LineParser()
        p.feed(b"a;b;c|d;")
        assert p.popLine(b";") == b"a"
        assert p.popLine(b"|") == b"b;c"
        assert p.popLine(b";") == b"d"

    def test_emptyDelimiterRejected(self) -> None:
        """An empty delimiter is a ValueError, not a hang."""
        p = LineParser()
        p.feed(b"abc")
        with pytest.raises(ValueError):
            p.popLine(b"")

    def test_manyLinesLinear(self) -> None:
        """100,000 lines in one chunk are split in one pass."""
        p = LineParser()
        p.feed(b"x\n" * 100_000)
        assert len(drainLines(p, b"\n")) == 100_000

    def test_partialTooLongAtLimit(self) -> None:
        """A partial line of exactly the limit, even with a partial delimiter, is fine."""
        p = LineParser()
        p.feed(b"x" * 10 + b"\r")
        assert p.popLine(b"\r\n") is None
        assert not p.partialTooLong(b"\r\n", 10)

    def test_partialTooLongPastLimit(self) -> None:
        """A partial line one byte past the limit is reported."""
        p = LineParser()
        p.feed(b"x" * 11)
        assert p.popLine(b"\r\n") is None
        assert p.partialTooLong(b"\r\n", 10)

    @given(
        st.lists(
            st.binary(max_size=20).filter(lambda b: b"\r\n" not in b and not b.endswith(b"\r")),
            max_size=20,
        ),
        st.lists(st.integers(min_value=0), max_size=30),
    )
    def test_randomChunkingSameLines(self, lines: list[bytes], cuts: list[int]) -> None:
        """Any chunking of a stream yields the same lines."""
        data = b"".join(line + b"\r\n" for line in lines)
        p = LineParser()
        out: list[bytes] = []
        for piece in chunked(data, cuts):
            p.feed(piece)
            out.extend(drainLines(p, b"\r\n"))
        assert out == lines

    @given(st.binary(min_size=1, max_size=8).filter(lambda d: len(set(d)) == len(d)))
    def test_delimiterSplitAtEveryBoundary(self, delimiter: bytes) -> None:
        """A delimiter split across every byte boundary is still found."""
        body = bytes(c for c in range(256) if c not in delimiter)[:7]
        data = body + delimiter + body + delimiter
        for cut in range(len(data) + 1):
            p = LineParser()
            out: list[bytes] = []
            for piece in (data[:cut], data[cut:]):
                p.feed(piece)
                out.extend(drainLines(p, delimiter))
            assert out == [body, body], cut


class NetstringParserTests:
    """The strict netstring parser."""

    def test_parsesStrings(self) -> None:
        """Several netstrings in one chunk are parsed in order."""
        p = NetstringParser(100)
        p.feed(b"5:hello,0:,3:abc,")
        assert [p.popString(), p.popString(), p.popString(), p.popString()] == [
            b"hello",
            b"",
            b"abc",
            None,
        ]

    @pytest.mark.parametrize(
        "bad",
        [
            b"+5:hello,",
            b"-5:hello,",
            b" 5:hello,",
            b"5 :hello,",
            b"05:hello,",
            b"0x5:hello,",
            b"a:",
            b":",
            b"5:hello!",
        ],
    )
    def test_badPrefixes(self, bad: bytes) -> None:
        """Sign, whitespace, leading zero, hex, empty length and a missing comma are errors."""
        p = NetstringParser(100)
        p.feed(bad)
        with pytest.raises(basic.NetstringParseError):
            p.popString()

    def test_tooManyDigits(self) -> None:
        """A prefix with more digits than MAX_LENGTH has is rejected before the colon."""
        p = NetstringParser(99)
        p.feed(b"100")
        with pytest.raises(basic.NetstringParseError):
            p.popString()

    def test_lengthAtAndPastLimit(self) -> None:
        """A string of exactly maxLength is accepted; maxLength + 1 is not."""
        p = NetstringParser(5)
        p.feed(b"5:12345,")
        assert p.popString() == b"12345"
        p = NetstringParser(5)
        p.feed(b"6:123456,")
        with pytest.raises(basic.NetstringParseError):
            p.popString()

    def test_brokenStaysBroken(self) -> None:
        """After an error every later call fails too."""
        p = NetstringParser(10)
        p.feed(b"x")
        with pytest.raises(basic.NetstringParseError):
            p.popString()
        p.feed(b"1:a,")
        with pytest.raises(basic.NetstringParseError):
            p.popString()

    @given(
        st.lists(st.binary(max_size=50), max_size=10),
        st.lists(st.integers(min_value=0), max_size=20),
    )
    def test_roundTripAnyChunking(self, strings: list[bytes], cuts: list[int]) -> None:
        """Encoded strings come back unchanged under any chunking."""
        data = b"".join(b"%d:%s," % (len(s), s) for s in strings)
        p = NetstringParser(50)
        out: list[bytes] = []
        for piece in chunked(data, cuts):
            p.feed(piece)
            while (s := p.popString()) is not None:
                out.append(s)
        assert out == strings


class PrefixedParserTests:
    """The length-prefixed parser."""

    @pytest.mark.parametrize("fmt", ["!B", "!H", "!I"])
    def test_lengthAtAndPastLimit(self, fmt: str) -> None:
        """maxLength bytes pass; maxLength + 1 raises FrameTooLong."""
        p = PrefixedParser(fmt, 10)
        p.feed(struct.pack(fmt, 10) + b"0123456789")
        assert p.popString() == b"0123456789"
        p.feed(struct.pack(fmt, 11))
        with pytest.raises(FrameTooLong) as exc:
            p.popString()
        assert exc.value.length == 11

    @given(
        st.sampled_from(["!B", "!H", "!I"]),
        st.lists(st.binary(max_size=40), max_size=10),
        st.lists(st.integers(min_value=0), max_size=20),
    )
    def test_roundTripAnyChunking(self, fmt: str, strings: list[bytes], cuts: list[int]) -> None:
        """Prefixed strings come back unchanged under any chunking."""
        data = b"".join(struct.pack(fmt, len(s)) + s for s in strings)
        p = PrefixedParser(fmt, 40)
        out: list[bytes] = []
        for piece in chunked(data, cuts):
            p.feed(piece)
            while (s := p.popString()) is not None:
                out.append(s)
        assert out == strings


def connect(protocol: Any) -> StringTransport:
    """Attach a StringTransport to C{protocol}."""
    t = StringTransport()
    protocol.makeConnection(t)
    return t


class LineCollector(basic.LineReceiver):
    """Records lines and raw data; can switch modes on cue."""

    MAX_LENGTH = 10

    def __init__(self) -> None:
        self.lines: list[bytes] = []
        self.raw: list[bytes] = []
        self.rawAfter: bytes | None = None
        self.pauseAfter: bytes | None = None
        self.exceeded: list[bytes] = []

    def lineReceived(self, line: bytes) -> None:
        self.lines.append(line)
        if line == self.rawAfter:
            self.setRawMode()
        if line == self.pauseAfter:
            self.pauseProducing()

    def rawDataReceived(self, data: bytes) -> None:
        self.raw.append(data)
        if b"!" in data:
            head, _, rest = data.partition(b"!")
            self.raw[-1] = head
            self.setLineMode(rest)

    def lineLengthExceeded(self, line: bytes) -> None:
        self.exceeded.append(line)
        super().lineLengthExceeded(line)


class LineReceiverTests:
    """LineReceiver over StringTransport."""

    def test_linesAndSendLine(self) -> None:
        """Lines are delivered without the delimiter; sendLine adds it."""
        p = LineCollector()
        t = connect(p)
        p.dataReceived(b"one\r\ntwo\r\nthr")
        p.dataReceived(b"ee\r\n")
        assert p.lines == [b"one", b"two", b"three"]
        p.sendLine(b"reply")
        assert t.value() == b"reply\r\n"

    def test_rawModeMidBuffer(self) -> None:
        """setRawMode from lineReceived sends the rest of the chunk to rawDataReceived."""
        p = LineCollector()
        p.rawAfter = b"raw"
        connect(p)
        p.dataReceived(b"a\r\nraw\r\nbinary\r\nstuff")
        assert p.lines == [b"a", b"raw"]
        assert p.raw == [b"binary\r\nstuff"]

    def test_setLineModeWithExtra(self) -> None:
        """setLineMode(extra) parses the extra bytes as lines."""
        p = LineCollector()
        p.rawAfter = b"go"
        connect(p)
        p.dataReceived(b"go\r\nrawbytes!x\r\ny\r\n")
        assert p.raw == [b"rawbytes"]
        assert p.lines == [b"go", b"x", b"y"]

    def test_clearLineBuffer(self) -> None:
        """clearLineBuffer returns and drops undelivered data."""

        class Clearer(basic.LineReceiver):
            def __init__(self) -> None:
                self.lines: list[bytes] = []
                self.cleared = b""

            def lineReceived(self, line: bytes) -> None:
                self.lines.append(line)
                self.cleared = self.clearLineBuffer()

        p = Clearer()
        connect(p)
        p.dataReceived(b"a\r\nb\r\nc")
        assert p.lines == [b"a"]
        assert p.cleared == b"b\r\nc"

    def test_pauseProducingHonoured(self) -> None:
        """After pauseProducing no line is delivered until resumeProducing."""
        p = LineCollector()
        p.pauseAfter = b"stop"
        t = connect(p)
        p.dataReceived(b"stop\r\nlater\r\n")
        assert p.lines == [b"stop"]
        assert t.producerState == "paused"
        p.resumeProducing()
        assert p.lines == [b"stop", b"later"]

    def test_maxLengthLineAccepted(self) -> None:
        """A line of exactly MAX_LENGTH bytes is delivered."""
        p = LineCollector()
        t = connect(p)
        p.dataReceived(b"x" * 10 + b"\r\n")
        assert p.lines == [b"x" * 10]
        assert not t.disconnecting

    def test_maxLengthPlusOneClosesConnection(self) -> None:
        """A line of MAX_LENGTH + 1 bytes goes to lineLengthExceeded, which closes."""
        p = LineCollector()
        t = connect(p)
        p.dataReceived(b"y" * 11 + b"\r\nnext\r\n")
        assert p.exceeded == [b"y" * 11]
        assert p.lines == []
        assert t.disconnecting

    def test_noDelimiterEver(self) -> None:
        """A peer that never sends a delimiter is cut off once past MAX_LENGTH."""
        p = LineCollector()
        t = connect(p)
        for _ in range(5):
            p.dataReceived(b"zz")
        assert not t.disconnecting
        p.dataReceived(b"z")
        t = t  # dataReceived closed it: drop mypy's narrowing (mypy issue 11969)
        assert t.disconnecting
        assert p.exceeded == [b"z" * 11]

    @given(st.lists(st.integers(min_value=0), max_size=20))
    def test_chunkingDoesNotMatter(self, cuts: list[int]) -> None:
        """Lines and a mode switch come out the same under any chunking."""
        data = b"a\r\nraw\r\nxyz!b\r\nc\r\n"
        p = LineCollector()
        p.rawAfter = b"raw"
        connect(p)
        for piece in chunked(data, cuts):
            p.dataReceived(piece)
        assert p.lines == [b"a", b"raw", b"b", b"c"]
        assert b"".join(p.raw) == b"xyz"


class LineOnlyReceiverTests:
    """LineOnlyReceiver over StringTransport."""

    def test_lines(self) -> None:
        """Lines are delivered; an overlong line closes the connection."""

        class P(basic.LineOnlyReceiver):
            delimiter = b"\n"
            MAX_LENGTH = 4

            def __init__(self) -> None:
                self.lines: list[bytes] = []

            def lineReceived(self, line: bytes) -> None:
                self.lines.append(line)

        p = P()
        t = connect(p)
        p.dataReceived(b"ab\ncd\nabcd\n")
        assert p.lines == [b"ab", b"cd", b"abcd"]
        p.dataReceived(b"abcde\n")
        assert t.disconnecting
        p.sendLine(b"x")
        assert t.value() == b"x\n"


class NetstringReceiverTests:
    """NetstringReceiver over StringTransport."""

    def test_stringsAndSend(self) -> None:
        """Strings are delivered; sendString frames them."""

        class P(basic.NetstringReceiver):
            def __init__(self) -> None:
                self.strings: list[bytes] = []

            def stringReceived(self, string: bytes) -> None:
                self.strings.append(string)

        p = P()
        t = connect(p)
        p.dataReceived(b"3:abc,1:")
        p.dataReceived(b"x,")
        assert p.strings == [b"abc", b"x"]
        p.sendString(b"hello")
        assert t.value() == b"5:hello,"

    def test_badInputClosesConnection(self) -> None:
        """Malformed input sets brokenPeer and closes the connection."""

        class P(basic.NetstringReceiver):
            def stringReceived(self, string: bytes) -> None:
                raise AssertionError("no string expected")

        p = P()
        t = connect(p)
        p.dataReceived(b"-1:x,")
        assert p.brokenPeer == 1
        assert t.disconnecting


class IntNStringReceiverTests:
    """Int8/Int16/Int32StringReceiver over StringTransport."""

    @pytest.mark.parametrize(
        "cls,fmt",
        [
            (basic.Int8StringReceiver, "!B"),
            (basic.Int16StringReceiver, "!H"),
            (basic.Int32StringReceiver, "!I"),
        ],
    )
    def test_roundTripAndLimit(self, cls: Any, fmt: str) -> None:
        """Strings round-trip; MAX_LENGTH passes, MAX_LENGTH + 1 closes the connection."""

        class P(cls):  # type: ignore[misc]
            MAX_LENGTH = 20

            def __init__(self) -> None:
                self.strings: list[bytes] = []

            def stringReceived(self, string: bytes) -> None:
                self.strings.append(string)

        p = P()
        t = connect(p)
        p.sendString(b"q" * 20)
        p.dataReceived(t.value())
        assert p.strings == [b"q" * 20]
        p.dataReceived(struct.pack(fmt, 21))
        assert t.disconnecting

    def test_sendStringTooLong(self) -> None:
        """A string that does not fit the prefix raises StringTooLongError."""
        p = basic.Int8StringReceiver()
        connect(p)
        with pytest.raises(basic.StringTooLongError):
            p.sendString(b"x" * 256)

    def test_pauseHonoured(self) -> None:
        """A paused receiver keeps the rest buffered until resumed."""

        class P(basic.Int16StringReceiver):
            def __init__(self) -> None:
                self.strings: list[bytes] = []

            def stringReceived(self, string: bytes) -> None:
                self.strings.append(string)
                self.pauseProducing()

        p = P()
        connect(p)
        p.dataReceived(b"\x00\x01a\x00\x01b")
        assert p.strings == [b"a"]
        p.resumeProducing()
        assert p.strings == [b"a", b"b"]
