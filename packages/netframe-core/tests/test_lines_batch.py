"""
LineReceiver's batch delivery (all complete lines of a chunk from one split):
every way a callback can interrupt the batch leaves the rest correctly
pending, and delivery does not depend on how the stream is chunked.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from netframe.core.protocols import basic
from netframe.core.protocols._basicparsers import LineParser
from netframe.core.testing import StringTransport


class Recorder(basic.LineReceiver):
    """Records lines and raw data; a hook may act on each line."""

    def __init__(self, hook: object = None) -> None:
        self.lines: list[bytes] = []
        self.raw: list[bytes] = []
        self.hook = hook

    def lineReceived(self, line: bytes) -> None:
        self.lines.append(line)
        if callable(self.hook):
            self.hook(self, line)

    def rawDataReceived(self, data: bytes) -> None:
        self.raw.append(data)


def connected(p: basic.LineReceiver) -> StringTransport:
    """Connect C{p} to a new StringTransport and return it."""
    t = StringTransport()
    p.makeConnection(t)
    return t


class BatchInterruptionTests:
    """A callback changing state mid-batch is honoured for the rest of the chunk."""

    def test_delimiterChangeMidBatch(self) -> None:
        """Lines after a delimiter change are re-split with the new delimiter."""

        def hook(p: Recorder, line: bytes) -> None:
            if line == b"switch":
                p.delimiter = b"\n"

        p = Recorder(hook)
        connected(p)
        p.dataReceived(b"a\r\nswitch\r\nb\nc\r\nd\n")
        assert p.lines == [b"a", b"switch", b"b", b"c\r", b"d"]

    def test_pauseMidBatchThenResume(self) -> None:
        """pauseProducing stops delivery; resumeProducing delivers the rest in order."""

        def hook(p: Recorder, line: bytes) -> None:
            if line == b"2":
                p.pauseProducing()

        p = Recorder(hook)
        connected(p)
        p.dataReceived(b"1\r\n2\r\n3\r\n4\r\n")
        assert p.lines == [b"1", b"2"]
        p.dataReceived(b"5\r\n")
        assert p.lines == [b"1", b"2"]
        p.resumeProducing()
        assert p.lines == [b"1", b"2", b"3", b"4", b"5"]

    def test_rawModeMidBatch(self) -> None:
        """setRawMode mid-batch sends the rest of the chunk, delimiters intact, as raw."""

        def hook(p: Recorder, line: bytes) -> None:
            p.setRawMode()

        p = Recorder(hook)
        connected(p)
        p.dataReceived(b"head\r\nx\r\ny\r\npartial")
        assert p.lines == [b"head"]
        assert b"".join(p.raw) == b"x\r\ny\r\npartial"

    def test_clearLineBufferMidBatch(self) -> None:
        """clearLineBuffer mid-batch returns and drops the rest of the batch."""
        cleared: list[bytes] = []

        def hook(p: Recorder, line: bytes) -> None:
            cleared.append(p.clearLineBuffer())

        p = Recorder(hook)
        connected(p)
        p.dataReceived(b"1\r\n2\r\n3")
        assert p.lines == [b"1"]
        assert cleared == [b"2\r\n3"]
        p.dataReceived(b"4\r\n")
        assert p.lines == [b"1", b"4"]

    def test_loseConnectionMidBatch(self) -> None:
        """After loseConnection no further line of the batch is delivered."""

        def hook(p: Recorder, line: bytes) -> None:
            p.transport.loseConnection()

        p = Recorder(hook)
        connected(p)
        p.dataReceived(b"1\r\n2\r\n3\r\n")
        assert p.lines == [b"1"]

    def test_overlongLineInBatch(self) -> None:
        """A line over MAX_LENGTH inside a batch goes to lineLengthExceeded and closes."""
        p = Recorder()
        p.MAX_LENGTH = 3
        t = connected(p)
        p.dataReceived(b"abc\r\nabcd\r\nok\r\n")
        assert p.lines == [b"abc"]
        assert t.disconnecting


class PopLinesTests:
    """LineParser.popLines, the batch form of popLine."""

    def test_noCompleteLine(self) -> None:
        """Without a delimiter nothing is returned and the data stays buffered."""
        parser = LineParser()
        parser.feed(b"abc")
        assert parser.popLines(b"\r\n") == []
        assert parser.takeAll() == b"abc"

    def test_unconsumedLinesReturnedAgain(self) -> None:
        """Lines not marked consumed come back from popLine in order."""
        parser = LineParser()
        parser.feed(b"a\nb\nc\nrest")
        lines = parser.popLines(b"\n")
        assert lines == [b"a", b"b", b"c"]
        parser._pos = 1
        assert parser.popLine(b"\n") == b"b"
        assert parser.popLines(b"\n") == [b"c"]
        parser._pos = 1
        assert parser.takeAll() == b"rest"


class ChunkingInvarianceTests:
    """Delivery does not depend on how the stream is cut into chunks."""

    @given(
        st.lists(st.binary(max_size=8).filter(lambda b: b"\n" not in b), max_size=30),
        st.lists(st.integers(min_value=1, max_value=17), min_size=1, max_size=40),
    )
    def test_anyChunking(self, lines: list[bytes], cuts: list[int]) -> None:
        """Every line arrives once, in order, whatever the chunk boundaries."""
        stream = b"".join(line + b"\n" for line in lines)
        p = Recorder()
        p.delimiter = b"\n"
        connected(p)
        i = 0
        k = 0
        while i < len(stream):
            n = cuts[k % len(cuts)]
            p.dataReceived(stream[i : i + n])
            i += n
            k += 1
        assert p.lines == lines
