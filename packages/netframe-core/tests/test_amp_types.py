"""
Tests for the AMP argument types: documented encodings, round trips
(hypothesis) and clear errors for bad values.
"""

from __future__ import annotations

import datetime
import decimal
import math
import pathlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from zope.interface.verify import verifyObject

from netframe.core.protocols.amp import (
    AmpBox,
    AmpList,
    Argument,
    Boolean,
    Bytes,
    DateTime,
    Decimal,
    Descriptor,
    Float,
    IArgumentType,
    Integer,
    InvalidSignature,
    ListOf,
    MalformedAmpBox,
    Path,
    String,
    TooLong,
    Unicode,
    utc,
)

offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda m: datetime.timezone(datetime.timedelta(minutes=m))
)
awareDatetimes = st.datetimes(
    min_value=datetime.datetime(1, 1, 2),
    max_value=datetime.datetime(9999, 12, 30),
    timezones=offsets,
)


class _FakeProto:
    """Stands in for a BinaryBoxProtocol for Descriptor: records sent fds."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.received: dict[int, int] = {}

    def _sendFileDescriptor(self, fd: int) -> int:
        self.sent.append(fd)
        return len(self.sent) - 1

    def _getDescriptor(self, ordinal: int) -> int:
        return self.received.pop(ordinal)


class ArgumentBaseTests:
    """The Argument base class."""

    def test_providesIArgumentType(self) -> None:
        """Argument instances provide IArgumentType."""
        assert verifyObject(IArgumentType, Integer())
        assert verifyObject(IArgumentType, Argument())

    def test_baseConversionsNotImplemented(self) -> None:
        """The base class's fromString/toString raise NotImplementedError."""
        with pytest.raises(NotImplementedError):
            Argument().fromString(b"x")
        with pytest.raises(NotImplementedError):
            Argument().toString(1)

    def test_toBoxFromBox(self) -> None:
        """toBox serializes by text name into the wire key; fromBox reverses it."""
        strings: dict[bytes, bytes] = {}
        objects: dict[str, Any] = {"n": 5}
        Integer().toBox(b"n", strings, objects, None)
        assert strings == {b"n": b"5"} and objects == {}
        back: dict[str, Any] = {}
        Integer().fromBox(b"n", strings, back, None)
        assert back == {"n": 5}

    def test_missingRequiredToBox(self) -> None:
        """A missing required value raises InvalidSignature naming it."""
        with pytest.raises(InvalidSignature, match="'n'"):
            Integer().toBox(b"n", {}, {}, None)

    def test_missingRequiredFromBox(self) -> None:
        """A missing required value in a received box raises InvalidSignature."""
        with pytest.raises(InvalidSignature, match="b'n'"):
            Integer().fromBox(b"n", {}, {}, None)

    def test_optionalMissing(self) -> None:
        """A missing optional value is left out and received as None."""
        strings: dict[bytes, bytes] = {}
        Integer(optional=True).toBox(b"n", strings, {}, None)
        assert strings == {}
        objects: dict[str, Any] = {}
        Integer(optional=True).fromBox(b"n", strings, objects, None)
        assert objects == {"n": None}

    def test_optionalNoneLeftOut(self) -> None:
        """An optional value of None is not sent."""
        strings: dict[bytes, bytes] = {}
        Integer(optional=True).toBox(b"n", strings, {"n": None}, None)
        assert strings == {}

    def test_repr(self) -> None:
        """The repr shows the class and optional flag."""
        assert repr(Integer()) == "Integer()"
        assert repr(Integer(optional=True)) == "Integer(optional=True)"
        assert repr(ListOf(Integer())) == "ListOf(Integer())"


class IntegerTests:
    """Integer: base-10 ASCII."""

    @given(st.integers(min_value=-(10**200), max_value=10**200))
    def test_roundTrip(self, value: int) -> None:
        """Any integer round-trips."""
        assert Integer().fromString(Integer().toString(value)) == value

    def test_encoding(self) -> None:
        """Integers are their decimal representation."""
        assert Integer().toString(-20) == b"-20"

    def test_badValueReceived(self) -> None:
        """A non-number raises ValueError."""
        with pytest.raises(ValueError):
            Integer().fromString(b"abc")

    def test_floatRefused(self) -> None:
        """A float is not silently truncated."""
        with pytest.raises(TypeError):
            Integer().toString(1.5)


class StringTests:
    """String, Bytes, Unicode, Path."""

    @given(st.binary(max_size=200))
    def test_bytesRoundTrip(self, value: bytes) -> None:
        """Bytes go through unchanged (String and Bytes alike)."""
        assert String().fromString(String().toString(value)) == value
        assert Bytes().toString(value) == value

    def test_stringRefusesText(self) -> None:
        """String of a str raises TypeError."""
        with pytest.raises(TypeError, match="must be bytes"):
            String().toString("text")

    @given(st.text(max_size=100))
    def test_unicodeRoundTrip(self, value: str) -> None:
        """Text round-trips through UTF-8."""
        encoded = Unicode().toString(value)
        assert encoded == value.encode("utf-8")
        assert Unicode().fromString(encoded) == value

    def test_unicodeRefusesBytes(self) -> None:
        """Unicode of bytes raises TypeError."""
        with pytest.raises(TypeError, match="must be str"):
            Unicode().toString(b"x")

    def test_unicodeBadUTF8(self) -> None:
        """Invalid UTF-8 raises UnicodeDecodeError."""
        with pytest.raises(UnicodeDecodeError):
            Unicode().fromString(b"\xff")

    @given(
        st.text(
            alphabet=st.characters(codec="utf-8", blacklist_characters="\x00"),
            max_size=50,
        )
    )
    def test_pathRoundTrip(self, value: str) -> None:
        """A pathlib.Path round-trips as UTF-8 text."""
        path = pathlib.Path(value)
        assert Path().fromString(Path().toString(path)) == path

    def test_pathAcceptsStr(self) -> None:
        """A str path is accepted; a pathlib.Path comes back."""
        assert Path().toString("/tmp/x") == b"/tmp/x"
        assert Path().fromString(b"/tmp/x") == pathlib.Path("/tmp/x")

    def test_pathRefusesOther(self) -> None:
        """Path of an int raises TypeError."""
        with pytest.raises(TypeError):
            Path().toString(3)


class BooleanTests:
    """Boolean: b"True" / b"False"."""

    def test_encoding(self) -> None:
        """True and False are their names."""
        assert Boolean().toString(True) == b"True"
        assert Boolean().toString(False) == b"False"
        assert Boolean().fromString(b"True") is True
        assert Boolean().fromString(b"False") is False

    def test_badValue(self) -> None:
        """Anything else received raises TypeError naming it."""
        with pytest.raises(TypeError, match="b'true'"):
            Boolean().fromString(b"true")


class FloatTests:
    """Float: repr; inf, -inf, nan."""

    @given(st.floats(allow_nan=False))
    def test_roundTrip(self, value: float) -> None:
        """Every float (infinities included) round-trips exactly."""
        assert Float().fromString(Float().toString(value)) == value

    def test_specialValues(self) -> None:
        """Infinities and NaN use their documented spellings."""
        assert Float().toString(math.inf) == b"inf"
        assert Float().toString(-math.inf) == b"-inf"
        assert Float().toString(math.nan) == b"nan"
        assert math.isnan(Float().fromString(b"nan"))

    def test_encoding(self) -> None:
        """A float is its repr."""
        assert Float().toString(-123.40000000000001) == b"-123.4"
        assert Float().toString(10) == b"10.0"

    def test_badValues(self) -> None:
        """Non-floats are refused both ways."""
        with pytest.raises(TypeError):
            Float().toString("1.0")
        with pytest.raises(TypeError):
            Float().toString(True)
        with pytest.raises(ValueError):
            Float().fromString(b"one")


class DecimalTests:
    """Decimal: str form, with the special values."""

    @given(st.decimals(allow_nan=False))
    def test_roundTrip(self, value: decimal.Decimal) -> None:
        """Finite decimals and infinities round-trip exactly (exponent too)."""
        back = Decimal().fromString(Decimal().toString(value))
        assert back == value and str(back) == str(value)

    @pytest.mark.parametrize("text", ["Infinity", "-Infinity", "NaN", "-NaN", "sNaN", "-sNaN"])
    def test_specialValues(self, text: str) -> None:
        """The special values use their documented spellings both ways."""
        value = decimal.Decimal(text)
        assert Decimal().toString(value) == text.encode("ascii")
        assert str(Decimal().fromString(text.encode("ascii"))) == text

    def test_badValues(self) -> None:
        """Non-decimals are refused both ways."""
        with pytest.raises(TypeError):
            Decimal().toString(1.5)
        with pytest.raises(decimal.InvalidOperation):
            Decimal().fromString(b"one")


class DateTimeTests:
    """DateTime: YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM."""

    @given(awareDatetimes)
    def test_roundTrip(self, value: datetime.datetime) -> None:
        """Aware datetimes round-trip with their offset."""
        back = DateTime().fromString(DateTime().toString(value))
        assert back == value
        assert back.utcoffset() == value.utcoffset()

    def test_encoding(self) -> None:
        """The documented 32-byte format."""
        tz = datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))
        value = datetime.datetime(2012, 1, 2, 3, 4, 5, 6, tzinfo=tz)
        assert DateTime().toString(value) == b"2012-01-02T03:04:05.000006-05:30"

    def test_utc(self) -> None:
        """A zero offset is sent as +00:00 and received as utc."""
        value = datetime.datetime(2020, 5, 6, tzinfo=utc)
        assert DateTime().toString(value) == b"2020-05-06T00:00:00.000000+00:00"
        assert DateTime().fromString(b"2020-05-06T00:00:00.000000-00:00").tzinfo is utc

    def test_naiveRefused(self) -> None:
        """A naive datetime cannot be sent."""
        with pytest.raises(ValueError, match="time-zone aware"):
            DateTime().toString(datetime.datetime(2020, 1, 1))

    def test_secondsOffsetRefused(self) -> None:
        """An offset that is not whole minutes cannot be sent."""
        tz = datetime.timezone(datetime.timedelta(seconds=30))
        with pytest.raises(ValueError, match="whole number of minutes"):
            DateTime().toString(datetime.datetime(2020, 1, 1, tzinfo=tz))

    @pytest.mark.parametrize(
        "data",
        [
            b"2012-01-02T03:04:05.000006+00:0",
            b"2012-01-02T03:04:05.000006+00:000",
            b"2012/01/02T03:04:05.000006+00:00",
            b"2012-01-02T03:04:05.000006*00:00",
            b"2012-13-02T03:04:05.000006+00:00",
            b"2012-01-02T03:04:05.000006+00:60",
            b"2012-01-02T03:04:05.000006+24:00",
            b"2012-01-02T03:04:05.0000x6+00:00",
            b"2012-01-02T03:04:05.000-06+00:00",
        ],
    )
    def test_malformedRefused(self, data: bytes) -> None:
        """Malformed or out-of-range values raise ValueError."""
        with pytest.raises(ValueError):
            DateTime().fromString(data)


class ListOfTests:
    """ListOf: 16-bit length-prefixed elements."""

    @given(st.lists(st.integers(min_value=-(10**20), max_value=10**20), max_size=20))
    def test_integerRoundTrip(self, value: list[int]) -> None:
        """Lists of integers round-trip."""
        assert ListOf(Integer()).fromString(ListOf(Integer()).toString(value)) == value

    @given(st.lists(st.text(max_size=20), max_size=10))
    def test_unicodeRoundTrip(self, value: list[str]) -> None:
        """Lists of text round-trip."""
        assert ListOf(Unicode()).fromString(ListOf(Unicode()).toString(value)) == value

    def test_encoding(self) -> None:
        """Each element is prefixed by its 16-bit length."""
        assert ListOf(Integer()).toString([1, 2, 300]) == b"\x00\x011\x00\x012\x00\x03300"
        assert ListOf(Integer()).toString([]) == b""

    def test_truncated(self) -> None:
        """A cut element or prefix raises ValueError."""
        with pytest.raises(ValueError, match="truncated"):
            ListOf(Integer()).fromString(b"\x00\x05123")
        with pytest.raises(ValueError, match="truncated"):
            ListOf(Integer()).fromString(b"\x00\x011\x00")

    def test_badElement(self) -> None:
        """A bad element raises the element type's error."""
        with pytest.raises(ValueError):
            ListOf(Integer()).fromString(b"\x00\x03abc")

    def test_elementTooLong(self) -> None:
        """An element over 65535 bytes raises TooLong."""
        with pytest.raises(TooLong):
            ListOf(String()).toString([b"x" * 65536])

    def test_elementAtLimit(self) -> None:
        """An element of 65535 bytes is fine."""
        assert len(ListOf(String()).toString([b"x" * 65535])) == 65537

    def test_stringRefused(self) -> None:
        """A bytes or str object is not taken as a sequence of elements."""
        with pytest.raises(TypeError):
            ListOf(String()).toString(b"abc")


class AmpListTests:
    """AmpList: concatenated boxes."""

    sig: list[tuple[bytes | str, Argument]] = [(b"a", Integer()), ("b", Unicode(optional=True))]

    @given(
        st.lists(
            st.fixed_dictionaries(
                {"a": st.integers(min_value=-(10**9), max_value=10**9)},
                optional={"b": st.text(max_size=10)},
            ),
            max_size=8,
        )
    )
    def test_roundTrip(self, value: list[dict[str, Any]]) -> None:
        """Lists of dicts round-trip; missing optional keys come back as None."""
        arg = AmpList(self.sig)
        back = arg.fromStringProto(arg.toStringProto(value, None), None)
        assert back == [{"a": v["a"], "b": v.get("b")} for v in value]

    def test_encoding(self) -> None:
        """Each element is a serialized box."""
        data = AmpList(self.sig).toStringProto([{"a": 1, "b": "x"}], None)
        assert data == AmpBox({b"a": b"1", b"b": b"x"}).serialize()

    def test_unknownKeyRefused(self) -> None:
        """An element with an undeclared key raises InvalidSignature."""
        with pytest.raises(InvalidSignature, match="'c'"):
            AmpList(self.sig).toStringProto([{"a": 1, "c": 2}], None)

    def test_malformedReceived(self) -> None:
        """Malformed box data raises MalformedAmpBox."""
        with pytest.raises(MalformedAmpBox):
            AmpList(self.sig).fromStringProto(b"\x00\x01a\x00\x011", None)

    def test_badNamesRefused(self) -> None:
        """Names must be non-empty bytes/str and types argument types."""
        with pytest.raises(ValueError):
            AmpList([(b"", Integer())])
        with pytest.raises(TypeError):
            AmpList([(1, Integer())])  # type: ignore[list-item]
        with pytest.raises(TypeError):
            AmpList([(b"a", int)])  # type: ignore[list-item]


class DescriptorTests:
    """Descriptor: fd sent by the transport, ordinal in the box."""

    def test_sendsOrdinal(self) -> None:
        """Each descriptor is handed to the protocol; the box gets its ordinal."""
        proto = _FakeProto()
        assert Descriptor().toStringProto(7, proto) == b"0"
        assert Descriptor().toStringProto(9, proto) == b"1"
        assert proto.sent == [7, 9]

    def test_receivesByOrdinal(self) -> None:
        """The ordinal selects the received descriptor."""
        proto = _FakeProto()
        proto.received = {0: 11, 1: 12}
        assert Descriptor().fromStringProto(b"1", proto) == 12
        assert Descriptor().fromStringProto(b"0", proto) == 11

    def test_unknownOrdinal(self) -> None:
        """An ordinal nothing was received for raises KeyError."""
        with pytest.raises(KeyError):
            Descriptor().fromStringProto(b"3", _FakeProto())

    def test_nonIntegerRefused(self) -> None:
        """A non-integer descriptor raises TypeError."""
        with pytest.raises(TypeError):
            Descriptor().toStringProto("3", _FakeProto())
