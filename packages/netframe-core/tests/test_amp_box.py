"""
Tests for the AMP box wire format: AmpBox serialization, the pure box parser
(random chunking, hostile input) and parseString.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netframe.core.protocols.amp import (
    MAX_BOX_KEYS,
    MAX_KEY_LENGTH,
    MAX_VALUE_LENGTH,
    AmpBox,
    AmpBoxParser,
    MalformedAmpBox,
    NoEmptyBoxes,
    QuitBox,
    TooLong,
    parseString,
)

keys = st.binary(min_size=1, max_size=MAX_KEY_LENGTH)
values = st.binary(max_size=300)
boxes = st.dictionaries(keys, values, min_size=1, max_size=8).map(AmpBox)


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    """Split C{data} at the (sorted, deduplicated) positions C{cuts}."""
    points = sorted({c % (len(data) + 1) for c in cuts})
    out = []
    start = 0
    for p in points:
        out.append(data[start:p])
        start = p
    out.append(data[start:])
    return out


class AmpBoxSerializeTests:
    """AmpBox.serialize writes the documented wire format."""

    def test_serializeKnownBytes(self) -> None:
        """A box is length-prefixed keys and values ended by a zero key length."""
        box = AmpBox({b"_ask": b"1", b"_command": b"Sum", b"a": b"13"})
        assert box.serialize() == (
            b"\x00\x04_ask\x00\x011\x00\x08_command\x00\x03Sum\x00\x01a\x00\x0213\x00\x00"
        )

    def test_emptyValue(self) -> None:
        """An empty value is a zero length with no bytes."""
        assert AmpBox({b"k": b""}).serialize() == b"\x00\x01k\x00\x00\x00\x00"

    def test_emptyBoxRefused(self) -> None:
        """An empty box cannot be serialized."""
        with pytest.raises(NoEmptyBoxes):
            AmpBox().serialize()

    def test_keyAtLimit(self) -> None:
        """A key of MAX_KEY_LENGTH bytes is fine."""
        data = AmpBox({b"k" * MAX_KEY_LENGTH: b"v"}).serialize()
        assert data[:2] == b"\x00\xff"

    def test_keyPastLimit(self) -> None:
        """A key one byte past MAX_KEY_LENGTH raises TooLong (a key, local)."""
        with pytest.raises(TooLong) as info:
            AmpBox({b"k" * (MAX_KEY_LENGTH + 1): b"v"}).serialize()
        assert info.value.isKey and info.value.isLocal
        assert info.value.limit == MAX_KEY_LENGTH

    def test_valueAtLimit(self) -> None:
        """A value of MAX_VALUE_LENGTH bytes is fine."""
        data = AmpBox({b"k": b"v" * MAX_VALUE_LENGTH}).serialize()
        assert len(data) == 2 + 1 + 2 + MAX_VALUE_LENGTH + 2

    def test_valuePastLimit(self) -> None:
        """A value one byte past MAX_VALUE_LENGTH raises TooLong naming the key."""
        with pytest.raises(TooLong) as info:
            AmpBox({b"k": b"v" * (MAX_VALUE_LENGTH + 1)}).serialize()
        assert not info.value.isKey
        assert info.value.keyName == b"k"
        assert "65536" in str(info.value)

    def test_emptyKeyRefused(self) -> None:
        """An empty key (the terminator) cannot be sent."""
        with pytest.raises(ValueError, match="empty"):
            AmpBox({b"": b"v"}).serialize()

    def test_textKeyRefused(self) -> None:
        """A str key raises TypeError naming it."""
        with pytest.raises(TypeError, match=r"keys must be bytes.*'k'"):
            AmpBox({"k": b"v"}).serialize()

    def test_textValueRefused(self) -> None:
        """A str value raises TypeError naming its key."""
        with pytest.raises(TypeError, match="values must be bytes"):
            AmpBox({b"k": "v"}).serialize()  # type: ignore[dict-item]

    def test_copyIsAmpBox(self) -> None:
        """copy() returns an AmpBox."""
        box = AmpBox({b"a": b"b"})
        copied = box.copy()
        assert type(copied) is AmpBox and copied == box and copied is not box

    def test_repr(self) -> None:
        """The repr names the class and the items."""
        assert repr(AmpBox({b"a": b"b"})) == "AmpBox({b'a': b'b'})"

    def test_quitBoxClosesAfterSending(self) -> None:
        """A QuitBox is sent and then the sender's transport is closed."""
        events: list[str] = []

        class Transport:
            def loseConnection(self) -> None:
                events.append("lose")

        class Sender:
            transport = Transport()

            def sendBox(self, box: AmpBox) -> None:
                events.append("send")

        QuitBox({b"a": b"b"})._sendTo(Sender())
        assert events == ["send", "lose"]

    @given(boxes)
    def test_roundTrip(self, box: AmpBox) -> None:
        """Any box serializes and parses back to itself."""
        assert parseString(box.serialize()) == [box]


class AmpBoxParserTests:
    """The pure parser turns any chunking of a box stream into the boxes."""

    @settings(max_examples=200)
    @given(st.lists(boxes, min_size=1, max_size=5), st.lists(st.integers(min_value=0), max_size=20))
    def test_randomChunking(self, sent: list[AmpBox], cuts: list[int]) -> None:
        """Boxes split at arbitrary points come out whole and in order."""
        data = b"".join(b.serialize() for b in sent)
        parser = AmpBoxParser()
        received: list[AmpBox] = []
        for chunk in _chunks(data, cuts):
            received.extend(parser.feed(chunk))
        assert received == sent
        assert not parser.inBox()

    def test_byteByByte(self) -> None:
        """A box fed one byte at a time is delivered after its terminator."""
        data = AmpBox({b"a": b"x" * 1000, b"b": b""}).serialize()
        parser = AmpBoxParser()
        out: list[AmpBox] = []
        for i in range(len(data) - 1):
            assert parser.feed(data[i : i + 1]) == []
        out.extend(parser.feed(data[-1:]))
        assert out == [AmpBox({b"a": b"x" * 1000, b"b": b""})]

    def test_dripBigValueIsLinear(self) -> None:
        """A maximal value dripped in small chunks is buffered, not re-parsed."""
        data = AmpBox({b"k": b"v" * MAX_VALUE_LENGTH}).serialize()
        valueEnd = len(data) - 2
        parser = AmpBoxParser()
        for i in range(0, valueEnd - 1, 7):
            assert parser.feed(data[i : min(i + 7, valueEnd - 1)]) == []
        assert parser.pending() == valueEnd - 1
        assert parser.feed(data[valueEnd - 1 :]) == [AmpBox({b"k": b"v" * MAX_VALUE_LENGTH})]

    def test_truncatedWaits(self) -> None:
        """A truncated box yields nothing and reports being inside a box."""
        data = AmpBox({b"key": b"value"}).serialize()
        parser = AmpBoxParser()
        assert parser.feed(data[:-2]) == []
        assert parser.inBox()

    def test_emptyBoxIsMalformed(self) -> None:
        """A bare terminator (an empty box) is a protocol error."""
        with pytest.raises(MalformedAmpBox, match="empty AMP box"):
            AmpBoxParser().feed(b"\x00\x00")

    def test_keyAtLimitAccepted(self) -> None:
        """A received key of maxKeyLength bytes is accepted."""
        parser = AmpBoxParser(maxKeyLength=4)
        assert parser.feed(b"\x00\x04abcd\x00\x00\x00\x00") == [AmpBox({b"abcd": b""})]

    def test_keyPastLimit(self) -> None:
        """A received key length past the limit is a protocol error at once."""
        parser = AmpBoxParser(maxKeyLength=4)
        with pytest.raises(MalformedAmpBox, match="key of 5 bytes"):
            parser.feed(b"\x00\x05")

    def test_defaultKeyLimit(self) -> None:
        """By default a 256-byte key length is refused."""
        with pytest.raises(MalformedAmpBox, match="256"):
            AmpBoxParser().feed(b"\x01\x00")

    def test_valueAtLimitAccepted(self) -> None:
        """A received value of maxValueLength bytes is accepted."""
        parser = AmpBoxParser(maxValueLength=3)
        assert parser.feed(b"\x00\x01k\x00\x03abc\x00\x00") == [AmpBox({b"k": b"abc"})]

    def test_valuePastLimit(self) -> None:
        """A received value length past the limit is a protocol error."""
        parser = AmpBoxParser(maxValueLength=3)
        with pytest.raises(MalformedAmpBox, match="value of 4 bytes"):
            parser.feed(b"\x00\x01k\x00\x04")

    def test_boxKeysAtLimit(self) -> None:
        """A box with exactly maxBoxKeys pairs is accepted."""
        box = AmpBox({b"%d" % i: b"" for i in range(3)})
        assert AmpBoxParser(maxBoxKeys=3).feed(box.serialize()) == [box]

    def test_boxKeysPastLimit(self) -> None:
        """A box with one pair more than maxBoxKeys is a protocol error."""
        box = AmpBox({b"%d" % i: b"" for i in range(4)})
        with pytest.raises(MalformedAmpBox, match="more than 3 keys"):
            AmpBoxParser(maxBoxKeys=3).feed(box.serialize())

    def test_defaultBoxKeysLimit(self) -> None:
        """The default limit on pairs per box is MAX_BOX_KEYS."""
        assert AmpBoxParser().maxBoxKeys == MAX_BOX_KEYS

    def test_repeatedKey(self) -> None:
        """A key repeated inside one box is a protocol error."""
        with pytest.raises(MalformedAmpBox, match="twice"):
            AmpBoxParser().feed(b"\x00\x01k\x00\x00\x00\x01k\x00\x00\x00\x00")

    def test_earlierBoxesKeptOnError(self) -> None:
        """Boxes completed before the malformed part are on the exception."""
        good = AmpBox({b"a": b"b"}).serialize()
        with pytest.raises(MalformedAmpBox) as info:
            AmpBoxParser().feed(good + b"\x00\x00")
        assert info.value.boxes == [AmpBox({b"a": b"b"})]

    def test_brokenStaysBroken(self) -> None:
        """After an error every feed raises again."""
        parser = AmpBoxParser()
        with pytest.raises(MalformedAmpBox):
            parser.feed(b"\x00\x00")
        with pytest.raises(MalformedAmpBox):
            parser.feed(AmpBox({b"a": b"b"}).serialize())

    @settings(max_examples=300)
    @given(st.binary(max_size=600), st.lists(st.integers(min_value=0), max_size=10))
    def test_garbageNeverCrashes(self, data: bytes, cuts: list[int]) -> None:
        """Random bytes either parse, wait for more, or raise MalformedAmpBox."""
        parser = AmpBoxParser(maxKeyLength=MAX_KEY_LENGTH, maxValueLength=1000, maxBoxKeys=50)
        try:
            for chunk in _chunks(data, cuts):
                for box in parser.feed(chunk):
                    assert box and all(isinstance(k, bytes) and k for k in box)
        except MalformedAmpBox:
            pass
        assert parser.pending() <= 2 + MAX_KEY_LENGTH + 2 + 1000


class ParseStringTests:
    """parseString parses complete box data."""

    def test_empty(self) -> None:
        """No bytes are no boxes."""
        assert parseString(b"") == []

    def test_several(self) -> None:
        """Concatenated boxes come out in order."""
        data = AmpBox({b"a": b"1"}).serialize() + AmpBox({b"b": b"2"}).serialize()
        assert parseString(data) == [AmpBox({b"a": b"1"}), AmpBox({b"b": b"2"})]

    def test_truncated(self) -> None:
        """Data ending inside a box is malformed."""
        with pytest.raises(MalformedAmpBox, match="ends inside a box"):
            parseString(AmpBox({b"a": b"1"}).serialize()[:-1])
