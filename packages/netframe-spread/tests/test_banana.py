"""
Tests for netframe.spread.banana: the specification's byte vectors (PB18),
round trips, limits, the attack list and a fuzz run of the decoder.
"""

from __future__ import annotations

import random
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netframe.core.testing import StringTransport
from netframe.spread import banana
from netframe.spread.banana import Banana, BananaDecoder, BananaEncoder, BananaError, decode, encode

VECTORS = [
    (1, "01 81"),
    (-1, "01 83"),
    (1.5, "84 3f f8 00 00 00 00 00 00"),
    (b"hello", "05 82 68 65 6c 6c 6f"),
    ([], "00 80"),
    ([1, 23], "02 80 01 81 17 81"),
    (123456789123456789, "15 3e 41 66 3a 69 26 5b 01 85"),
    ([1, [b"hello"]], "02 80 01 81 01 80 05 82 68 65 6c 6c 6f"),
]

values = st.recursive(
    st.binary(max_size=50)
    | st.integers(min_value=-(2**440), max_value=2**440)
    | st.floats(allow_nan=False),
    lambda children: st.lists(children, max_size=8),
    max_leaves=40,
)


class VectorTests:
    """The byte vectors of the Banana specification (PB18)."""

    @pytest.mark.parametrize(("value", "hexBytes"), VECTORS)
    def test_encodeVector(self, value: Any, hexBytes: str) -> None:
        """Each example value encodes to the specification's bytes."""
        assert encode(value) == bytes.fromhex(hexBytes)

    @pytest.mark.parametrize(("value", "hexBytes"), VECTORS)
    def test_decodeVector(self, value: Any, hexBytes: str) -> None:
        """Each specification byte string decodes to the example value."""
        assert decode(bytes.fromhex(hexBytes)) == value

    def test_lengthPrefix(self) -> None:
        """Length 4674 is sent as 0x42 0x24 (base 128, least significant first)."""
        assert encode(b"x" * 4674)[:3] == b"\x42\x24\x82"

    def test_pbVocabulary(self) -> None:
        """In the pb profile the 31 strings are one code byte plus 0x87."""
        assert len(banana.PB_VOCABULARY) == 31
        assert banana.PB_VOCABULARY[1] == b"None"
        assert banana.PB_VOCABULARY[0x1F] == b"uncache"
        assert encode(b"message", b"pb") == b"\x1a\x87"
        assert decode(b"\x1b\x87", b"pb") == b"answer"
        assert encode(b"message") == b"\x07\x82message"

    def test_integerTypes(self) -> None:
        """32-bit integers use INT/NEG, larger ones LONGINT/LONGNEG."""
        assert encode(2147483647)[-1:] == banana.INT
        assert encode(2147483648)[-1:] == banana.LONGINT
        assert encode(-2147483648)[-1:] == banana.NEG
        assert encode(-2147483649)[-1:] == banana.LONGNEG

    def test_textRefused(self) -> None:
        """Text is not a Banana type."""
        with pytest.raises(BananaError):
            encode("text")

    def test_subclassesAsBase(self) -> None:
        """bool, tuples and subclasses of the base types encode as their base type."""
        assert decode(encode((True, False))) == [1, 0]


class RoundTripTests:
    """Encoding then decoding gives the value back, in any chunking."""

    @given(values)
    @settings(max_examples=200)
    def test_roundTrip(self, value: Any) -> None:
        """decode(encode(v)) == v (tuples aside, which become lists)."""
        assert decode(encode(value)) == value

    @given(values, st.integers(min_value=1, max_value=7))
    @settings(max_examples=100)
    def test_chunked(self, value: Any, size: int) -> None:
        """Feeding the bytes in small chunks gives the same value."""
        data = encode(value, b"pb")
        decoder = BananaDecoder(b"pb")
        out: list[Any] = []
        for i in range(0, len(data), size):
            out.extend(decoder.feed(data[i : i + size]))
        assert out == [value]

    def test_deepNestingRoundTrip(self) -> None:
        """Nesting up to the depth limit round-trips without recursion."""
        value: Any = []
        for _ in range(banana.DEPTH_LIMIT - 1):
            value = [value]
        data = encode(value)
        decoded = decode(data)
        depth = 0
        while decoded:
            decoded = decoded[0]
            depth += 1
        assert depth == banana.DEPTH_LIMIT - 1


class LimitTests:
    """Every limit: at the limit works, one past it is a BananaError."""

    def test_sizeLimitString(self) -> None:
        """A string of sizeLimit bytes decodes; one more byte is refused."""
        decoder = BananaDecoder(sizeLimit=10)
        assert decoder.feed(b"\x0a\x82" + b"x" * 10) == [b"x" * 10]
        with pytest.raises(BananaError, match="size limit"):
            BananaDecoder(sizeLimit=10).feed(b"\x0b\x82")

    def test_sizeLimitList(self) -> None:
        """A list header of sizeLimit elements is accepted; one more is refused."""
        assert BananaDecoder(sizeLimit=3).feed(b"\x03\x80\x01\x81\x01\x81\x01\x81") == [[1, 1, 1]]
        with pytest.raises(BananaError, match="size limit"):
            BananaDecoder(sizeLimit=3).feed(b"\x04\x80")

    def test_defaultSizeLimit(self) -> None:
        """SIZE_LIMIT is 640 KiB, enforced on both encoding and decoding."""
        assert banana.SIZE_LIMIT == 640 * 1024
        assert decode(encode(b"x" * banana.SIZE_LIMIT)) == b"x" * banana.SIZE_LIMIT
        with pytest.raises(BananaError):
            encode(b"x" * (banana.SIZE_LIMIT + 1))
        header = bytes([0, 0, 0x28, 0x80])  # 640 KiB + 0 -> exactly 655360 elements
        assert BananaDecoder().feed(header) == []
        with pytest.raises(BananaError):
            BananaDecoder().feed(bytes([1, 0, 0x28, 0x80]))

    def test_moduleSizeLimitOverride(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Changing banana.SIZE_LIMIT changes the default of new decoders."""
        monkeypatch.setattr(banana, "SIZE_LIMIT", 4)
        with pytest.raises(BananaError):
            BananaDecoder().feed(b"\x05\x82")

    def test_prefixLimit(self) -> None:
        """A 64-digit prefix is accepted; 65 digits are refused."""
        ok = b"\x01" * 64 + b"\x85"
        assert BananaDecoder(longIntLimit=2**1000).feed(ok) != []
        with pytest.raises(BananaError, match="prefix"):
            BananaDecoder().feed(b"\x01" * 65 + b"\x85")

    def test_setPrefixLimit(self) -> None:
        """setPrefixLimit changes the prefix and long-integer limits of new decoders."""
        saved = banana.PREFIX_LIMIT
        try:
            banana.setPrefixLimit(10)
            assert banana.LONG_INT_LIMIT == 2**70
            with pytest.raises(BananaError):
                BananaDecoder().feed(b"\x01" * 11 + b"\x85")
        finally:
            banana.setPrefixLimit(saved)
        assert banana.LONG_INT_LIMIT == 2**448
        with pytest.raises(ValueError):
            banana.setPrefixLimit(2)

    def test_longIntBounds(self) -> None:
        """Integers strictly inside (-2**448, 2**448) pass; the bounds are refused."""
        top = 2**448 - 1
        assert decode(encode(top)) == top
        assert decode(encode(-top)) == -top
        with pytest.raises(BananaError):
            encode(2**448)
        with pytest.raises(BananaError):
            encode(-(2**448))
        with pytest.raises(BananaError):
            BananaDecoder(prefixLimit=100).feed(BananaEncoder(longIntLimit=2**500).encode(2**448))

    def test_depthLimit(self) -> None:
        """depthLimit nested lists decode; one more level is refused both ways."""
        assert BananaDecoder(depthLimit=3).feed(b"\x01\x80\x01\x80\x00\x80") == [[[[]]]]
        with pytest.raises(BananaError, match="depth"):
            BananaDecoder(depthLimit=3).feed(b"\x01\x80\x01\x80\x01\x80\x00\x80")
        assert BananaEncoder(depthLimit=3).encode([[[]]]) == b"\x01\x80\x01\x80\x00\x80"
        with pytest.raises(BananaError, match="depth"):
            BananaEncoder(depthLimit=3).encode([[[[]]]])

    def test_defaultDepthLimit(self) -> None:
        """The default nesting limit is 1,000."""
        assert banana.DEPTH_LIMIT == 1000


class AttackTests:
    """The hostile inputs of issue 9, each a clear BananaError."""

    def test_longPrefix(self) -> None:
        """A length prefix of more than 64 bytes, even without a type byte yet."""
        with pytest.raises(BananaError, match="prefix"):
            BananaDecoder().feed(b"\x01" * 65)

    def test_hugeString(self) -> None:
        """A string header beyond SIZE_LIMIT is refused before any payload."""
        with pytest.raises(BananaError):
            BananaDecoder().feed(encode(banana.SIZE_LIMIT + 1)[:-1] + banana.STRING)

    def test_hugeList(self) -> None:
        """A list header beyond SIZE_LIMIT is refused."""
        with pytest.raises(BananaError):
            BananaDecoder().feed(encode(banana.SIZE_LIMIT + 1)[:-1] + banana.LIST)

    @pytest.mark.parametrize("typeByte", [0x88, 0x99, 0xFF])
    def test_unknownTypeByte(self, typeByte: int) -> None:
        """Type bytes other than 0x80-0x87 are refused."""
        with pytest.raises(BananaError, match="unknown type byte"):
            BananaDecoder(b"pb").feed(bytes([1, typeByte]))

    @pytest.mark.parametrize("code", [0, 32, 127])
    def test_vocabOutOfRange(self, code: int) -> None:
        """VOCAB codes outside 1..31 are refused."""
        with pytest.raises(BananaError, match="VOCAB"):
            BananaDecoder(b"pb").feed(bytes([code, 0x87]))

    def test_vocabInNoneProfile(self) -> None:
        """VOCAB elements are refused in the none profile."""
        with pytest.raises(BananaError, match="profile"):
            BananaDecoder(b"none").feed(b"\x01\x87")

    def test_nestedListHeaders(self) -> None:
        """100,000 nested LIST headers stop at the depth limit, without recursion."""
        with pytest.raises(BananaError, match="depth"):
            BananaDecoder().feed(b"\x01\x80" * 100_000)

    def test_truncatedFloat(self) -> None:
        """A truncated FLOAT waits for its bytes and yields nothing."""
        decoder = BananaDecoder()
        assert decoder.feed(b"\x84\x3f\xf8") == []
        assert decoder.feed(b"\x00" * 6) == [1.5]

    def test_floatWithPrefix(self) -> None:
        """A FLOAT with a length prefix is refused."""
        with pytest.raises(BananaError, match="FLOAT"):
            BananaDecoder().feed(b"\x01\x84" + struct.pack(">d", 1.0))

    def test_longIntHugePrefix(self) -> None:
        """A LONGINT with a huge prefix is refused by the prefix limit."""
        with pytest.raises(BananaError):
            BananaDecoder().feed(b"\x7f" * 10_000 + b"\x85")

    def test_errorIsSticky(self) -> None:
        """After an error the decoder refuses everything."""
        decoder = BananaDecoder()
        with pytest.raises(BananaError):
            decoder.feed(b"\x01\x88")
        with pytest.raises(BananaError):
            decoder.feed(b"\x01\x81")


class FuzzTests:
    """Random input never raises anything but BananaError."""

    def test_randomInputs(self) -> None:
        """10,000 seeded random inputs (raw and mutated valid ones)."""
        rng = random.Random(9)
        valid = [encode(v, b"pb") for v, _ in VECTORS] + [
            encode([b"message", 1, b"root", [1.5, -3]], b"pb")
        ]
        for i in range(10_000):
            if i % 2:
                mutated = bytearray(rng.choice(valid))
                for _ in range(rng.randint(1, 4)):
                    mutated[rng.randrange(len(mutated))] = rng.randrange(256)
                data = bytes(mutated)
            else:
                data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 40)))
            decoder = BananaDecoder(rng.choice([b"none", b"pb"]), sizeLimit=1000, depthLimit=50)
            try:
                decoder.feed(data)
            except BananaError:
                pass


class ProtocolTests:
    """The Banana protocol adapter: handshake and error handling."""

    class Recorder(Banana):
        received: list[Any]
        ready: bool

        def connectionReady(self) -> None:
            self.ready = True

        def expressionReceived(self, lst: Any) -> None:
            self.received.append(lst)

    def make(self, isClient: bool) -> Any:
        proto = self.Recorder(isClient)
        proto.received = []
        proto.ready = False
        transport = StringTransport()
        proto.makeConnection(transport)
        return proto, transport

    def test_serverOffersDialects(self) -> None:
        """The listening side sends the list of its dialects."""
        _proto, transport = self.make(False)
        assert decode(transport.value()) == [b"pb", b"none"]

    def test_clientChoosesPb(self) -> None:
        """The connecting side answers with pb and switches to it."""
        proto, transport = self.make(True)
        proto.dataReceived(encode([b"none", b"pb"]) + encode(b"message", b"pb"))
        assert transport.value() == encode(b"pb")
        assert proto.currentDialect == b"pb" and proto.ready
        assert proto.received == [b"message"]

    def test_serverAcceptsChoice(self) -> None:
        """The server uses the dialect the client picked."""
        proto, _transport = self.make(False)
        proto.dataReceived(encode(b"none") + encode([1]))
        assert proto.currentDialect == b"none" and proto.received == [[1]]

    def test_badHandshakeDrops(self, events: list[dict[str, Any]]) -> None:
        """An unknown dialect drops the connection with a logged BananaError."""
        proto, transport = self.make(False)
        proto.dataReceived(encode(b"klingon"))
        assert transport.disconnecting
        assert any("Banana" in str(e.get("log_format")) for e in events)

    def test_noCommonDialect(self) -> None:
        """A client offered no known dialect drops the connection."""
        proto, transport = self.make(True)
        proto.dataReceived(encode([b"klingon"]))
        assert transport.disconnecting

    def test_illegalInputDrops(self, events: list[dict[str, Any]]) -> None:
        """Illegal bytes after the handshake drop the connection, logged."""
        proto, transport = self.make(True)
        proto.dataReceived(encode([b"pb"]) + b"\x01\x88")
        assert transport.disconnecting
        failures = [e for e in events if "log_failure" in e]
        assert failures and failures[0]["log_failure"].check(BananaError)

    def test_sendEncoded(self) -> None:
        """sendEncoded writes the current dialect's encoding."""
        proto, transport = self.make(True)
        proto.dataReceived(encode([b"pb"]))
        transport.clear()
        proto.sendEncoded([b"answer", 1])
        assert transport.value() == b"\x02\x80\x1b\x87\x01\x81"
