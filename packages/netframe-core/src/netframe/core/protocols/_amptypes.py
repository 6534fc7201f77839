"""
AMP argument types: how Python values become box values and back.

Implementation module of L{netframe.core.protocols.amp}; import the names
from there.
"""

from __future__ import annotations

import datetime as _datetime
import decimal as _decimal
import operator
import pathlib
from collections.abc import Iterable, Sequence
from typing import Any

from zope.interface import Interface, implementer

from netframe.core.protocols._ampbox import (
    MAX_KEY_LENGTH,
    MAX_VALUE_LENGTH,
    AmpBox,
    AmpError,
    TooLong,
    parseString,
    serializeBox,
)

__all__ = [
    "AmpList",
    "Argument",
    "Boolean",
    "Bytes",
    "DateTime",
    "Decimal",
    "Descriptor",
    "Float",
    "IArgumentType",
    "Integer",
    "InvalidSignature",
    "ListOf",
    "Path",
    "String",
    "Unicode",
    "objectsToStrings",
    "stringsToObjects",
    "utc",
]

#: The UTC time zone (what L{DateTime} gives for a C{+00:00} offset).
utc = _datetime.UTC


class InvalidSignature(AmpError):
    """
    The arguments of a command or response do not match its declaration: a
    required one is missing or an unknown one was given.
    """


class IArgumentType(Interface):
    """
    Converts one named value between its Python form and a box.
    """

    __module__ = "netframe.core.protocols.amp"

    def fromBox(
        name: bytes, strings: dict[bytes, bytes], objects: dict[str, Any], proto: Any
    ) -> None:
        """
        Read the value called C{name} from C{strings} into C{objects}.

        @param name: The key of the value on the wire.
        @param strings: The received box.
        @param objects: The Python values, keyed by argument name (text).
        @param proto: The protocol the box came from.
        """

    def toBox(
        name: bytes, strings: dict[bytes, bytes], objects: dict[str, Any], proto: Any
    ) -> None:
        """
        Write the value called C{name} from C{objects} into C{strings}.

        @param name: The key of the value on the wire.
        @param strings: The box being built.
        @param objects: The Python values, keyed by argument name (text).
        @param proto: The protocol the box will be sent through.
        """


def _pyName(name: bytes) -> str:
    """Return the Python (keyword) name of the wire key C{name}."""
    return name.decode("utf-8")


@implementer(IArgumentType)
class Argument:
    """
    Base class of the argument types: subclasses override L{fromString} and
    L{toString} (or the C{*Proto} variants when they need the protocol).

    @ivar optional: Whether the value may be missing (it is then C{None}).
    """

    optional: bool

    def __init__(self, optional: bool = False) -> None:
        """
        @param optional: Whether the value may be left out (None means absent).
        """
        self.optional = optional

    def retrieve(self, d: dict[str, Any], name: str, proto: Any) -> Any:
        """
        Remove and return the value called C{name} from C{d}.

        @param d: The Python values.
        @param name: The argument name.
        @param proto: The protocol (unused here).
        @return: The value, or None for a missing optional one.
        @raise InvalidSignature: If a required value is missing.
        """
        if self.optional:
            return d.pop(name, None)
        try:
            return d.pop(name)
        except KeyError:
            raise InvalidSignature(f"missing required argument {name!r}") from None

    def fromBox(
        self, name: bytes, strings: dict[bytes, bytes], objects: dict[str, Any], proto: Any
    ) -> None:
        """
        Parse the value of key C{name} of C{strings} into C{objects}.

        @param name: The wire key.
        @param strings: The received box.
        @param objects: Where the Python value goes (under the text name).
        @param proto: The protocol the box came from.
        @raise InvalidSignature: If a required value is missing.
        @raise Exception: Whatever L{fromStringProto} raises for a bad value.
        """
        st = strings.get(name)
        if st is None:
            if self.optional:
                objects[_pyName(name)] = None
                return
            raise InvalidSignature(f"missing required argument {name!r}")
        objects[_pyName(name)] = self.fromStringProto(st, proto)

    def toBox(
        self, name: bytes, strings: dict[bytes, bytes], objects: dict[str, Any], proto: Any
    ) -> None:
        """
        Serialize the value called C{name} of C{objects} into C{strings}.

        A missing (or None) optional value is left out.

        @param name: The wire key.
        @param strings: The box being built.
        @param objects: The Python values (the value is removed from it).
        @param proto: The protocol the box will be sent through.
        @raise InvalidSignature: If a required value is missing.
        @raise Exception: Whatever L{toStringProto} raises for a bad value.
        """
        obj = self.retrieve(objects, _pyName(name), proto)
        if obj is None and self.optional:
            return
        strings[name] = self.toStringProto(obj, proto)

    def fromStringProto(self, inString: bytes, proto: Any) -> Any:
        """
        Parse C{inString}; by default C{fromString(inString)}.

        @param inString: The wire value.
        @param proto: The protocol the value came from.
        @return: The Python value.
        """
        return self.fromString(inString)

    def toStringProto(self, inObject: Any, proto: Any) -> bytes:
        """
        Serialize C{inObject}; by default C{toString(inObject)}.

        @param inObject: The Python value.
        @param proto: The protocol the value will be sent through.
        @return: The wire value.
        """
        return self.toString(inObject)

    def fromString(self, inString: bytes) -> Any:
        """
        Parse a wire value (subclasses override this).

        @param inString: The wire value.
        @return: The Python value.
        @raise NotImplementedError: In the base class.
        """
        raise NotImplementedError(f"{self.__class__.__name__} does not implement fromString")

    def toString(self, inObject: Any) -> bytes:
        """
        Serialize a Python value (subclasses override this).

        @param inObject: The Python value.
        @return: The wire value.
        @raise NotImplementedError: In the base class.
        """
        raise NotImplementedError(f"{self.__class__.__name__} does not implement toString")

    def __repr__(self) -> str:
        """@return: C{Integer()} / C{Integer(optional=True)}."""
        return f"{self.__class__.__name__}({'optional=True' if self.optional else ''})"


class Integer(Argument):
    """
    An integer, sent as its base-10 ASCII representation (C{b"-20"}).

    Sending anything that is not an integer (per C{operator.index}) raises
    C{TypeError}; receiving something that is not a base-10 integer raises
    C{ValueError}.
    """

    def fromString(self, inString: bytes) -> int:
        """
        @param inString: Base-10 digits, optionally signed.
        @return: The integer.
        @raise ValueError: If C{inString} is not a base-10 integer.
        """
        return int(inString)

    def toString(self, inObject: Any) -> bytes:
        """
        @param inObject: An integer.
        @return: Its base-10 representation.
        @raise TypeError: If C{inObject} is not an integer.
        """
        return b"%d" % operator.index(inObject)


class String(Argument):
    """A byte string, sent as is."""

    def fromString(self, inString: bytes) -> bytes:
        """
        @param inString: The wire value.
        @return: The same bytes.
        """
        return inString

    def toString(self, inObject: Any) -> bytes:
        """
        @param inObject: A C{bytes} object.
        @return: The same bytes.
        @raise TypeError: If C{inObject} is not C{bytes}.
        """
        if not isinstance(inObject, bytes):
            raise TypeError(f"String/Bytes arguments must be bytes, not {type(inObject).__name__}")
        return inObject


class Bytes(String):
    """A byte string, sent as is (the same as L{String})."""


class Unicode(String):
    """A text string, sent as UTF-8."""

    def fromString(self, inString: bytes) -> str:  # type: ignore[override]
        """
        @param inString: UTF-8 bytes.
        @return: The text.
        @raise UnicodeDecodeError: If C{inString} is not valid UTF-8.
        """
        return inString.decode("utf-8")

    def toString(self, inObject: Any) -> bytes:
        """
        @param inObject: A C{str}.
        @return: Its UTF-8 encoding.
        @raise TypeError: If C{inObject} is not a C{str}.
        """
        if not isinstance(inObject, str):
            raise TypeError(f"Unicode arguments must be str, not {type(inObject).__name__}")
        return inObject.encode("utf-8")


class Path(Unicode):
    """
    A filesystem path: a C{pathlib.Path} (or C{str}) sent as UTF-8 text,
    received as a C{pathlib.Path}.
    """

    def fromString(self, inString: bytes) -> pathlib.Path:  # type: ignore[override]
        """
        @param inString: The UTF-8 path.
        @return: The path.
        @raise UnicodeDecodeError: If C{inString} is not valid UTF-8.
        """
        return pathlib.Path(inString.decode("utf-8"))

    def toString(self, inObject: Any) -> bytes:
        """
        @param inObject: A C{pathlib.PurePath} or C{str}.
        @return: The path as UTF-8.
        @raise TypeError: For anything else.
        """
        if isinstance(inObject, pathlib.PurePath):
            inObject = str(inObject)
        if not isinstance(inObject, str):
            raise TypeError(
                f"Path arguments must be pathlib paths or str, not {type(inObject).__name__}"
            )
        return inObject.encode("utf-8")


class Boolean(Argument):
    """A truth value, sent as C{b"True"} or C{b"False"}."""

    def fromString(self, inString: bytes) -> bool:
        """
        @param inString: C{b"True"} or C{b"False"}.
        @return: The truth value.
        @raise TypeError: For any other value.
        """
        if inString == b"True":
            return True
        if inString == b"False":
            return False
        raise TypeError(f"bad AMP boolean value {inString[:64]!r}; expected b'True' or b'False'")

    def toString(self, inObject: Any) -> bytes:
        """
        @param inObject: Any object; its truth value is sent.
        @return: C{b"True"} or C{b"False"}.
        """
        return b"True" if inObject else b"False"


class Float(Argument):
    """
    A float, sent as its C{repr} (C{b"1.5"}); infinities and NaN are sent as
    C{b"inf"}, C{b"-inf"} and C{b"nan"}.
    """

    def fromString(self, inString: bytes) -> float:
        """
        @param inString: A float representation.
        @return: The float.
        @raise ValueError: If C{inString} is not a float.
        """
        return float(inString)

    def toString(self, inObject: Any) -> bytes:
        """
        @param inObject: A float (or an int, converted).
        @return: Its representation.
        @raise TypeError: If C{inObject} is neither a float nor an int.
        """
        if isinstance(inObject, bool) or not isinstance(inObject, (float, int)):
            raise TypeError(f"Float arguments must be float, not {type(inObject).__name__}")
        return repr(float(inObject)).encode("ascii")


class Decimal(Argument):
    """
    A C{decimal.Decimal}, sent as its string form (C{b"1.10"}); the special
    values are sent as C{b"Infinity"}, C{b"-Infinity"}, C{b"NaN"},
    C{b"-NaN"}, C{b"sNaN"} and C{b"-sNaN"}.
    """

    def fromString(self, inString: bytes) -> _decimal.Decimal:
        """
        @param inString: A decimal representation.
        @return: The decimal.
        @raise decimal.InvalidOperation: If C{inString} is not a decimal.
        @raise UnicodeDecodeError: If C{inString} is not ASCII.
        """
        return _decimal.Decimal(inString.decode("ascii"))

    def toString(self, inObject: Any) -> bytes:
        """
        @param inObject: A C{decimal.Decimal}.
        @return: Its string form.
        @raise TypeError: If C{inObject} is not a C{decimal.Decimal}.
        """
        if not isinstance(inObject, _decimal.Decimal):
            raise TypeError(
                f"Decimal arguments must be decimal.Decimal, not {type(inObject).__name__}"
            )
        return str(inObject).encode("ascii")


def _digits(s: bytes, start: int, end: int, what: str) -> int:
    """Return the unsigned decimal number in C{s[start:end]} or raise ValueError."""
    part = s[start:end]
    if not part.isdigit():
        raise ValueError(f"bad AMP DateTime {s!r}: {what} {part!r} is not a number")
    return int(part)


class DateTime(Argument):
    """
    A time-zone aware C{datetime.datetime}, sent as the 32 ASCII bytes
    C{YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM}.

    Received values carry a fixed-offset C{datetime.timezone} (C{utc} for
    C{+00:00}).  Naive datetimes, and offsets that are not whole minutes,
    cannot be sent (C{ValueError}).
    """

    #: The length of the wire form.
    LENGTH = 32

    def fromString(self, inString: bytes) -> _datetime.datetime:
        """
        @param inString: The 32-byte wire form.
        @return: An aware datetime.
        @raise ValueError: If C{inString} is malformed or out of range.
        """
        s = inString
        if len(s) != self.LENGTH:
            raise ValueError(
                f"bad AMP DateTime {s[:64]!r}: expected {self.LENGTH} bytes, got {len(s)}"
            )
        if (
            s[4:5] != b"-"
            or s[7:8] != b"-"
            or s[10:11] != b"T"
            or s[13:14] != b":"
            or s[16:17] != b":"
            or s[19:20] != b"."
            or s[29:30] != b":"
            or s[26:27] not in (b"+", b"-")
        ):
            raise ValueError(f"bad AMP DateTime {s!r}: expected YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM")
        offsetHours = _digits(s, 27, 29, "offset hours")
        offsetMinutes = _digits(s, 30, 32, "offset minutes")
        if offsetMinutes >= 60:
            raise ValueError(f"bad AMP DateTime {s!r}: offset minutes out of range")
        offset = _datetime.timedelta(hours=offsetHours, minutes=offsetMinutes)
        if s[26:27] == b"-":
            offset = -offset
        if offset >= _datetime.timedelta(hours=24) or offset <= _datetime.timedelta(hours=-24):
            raise ValueError(f"bad AMP DateTime {s!r}: offset out of range")
        tz = utc if not offset else _datetime.timezone(offset)
        return _datetime.datetime(
            _digits(s, 0, 4, "year"),
            _digits(s, 5, 7, "month"),
            _digits(s, 8, 10, "day"),
            _digits(s, 11, 13, "hour"),
            _digits(s, 14, 16, "minute"),
            _digits(s, 17, 19, "second"),
            _digits(s, 20, 26, "microsecond"),
            tzinfo=tz,
        )

    def toString(self, inObject: Any) -> bytes:
        """
        @param inObject: An aware C{datetime.datetime}.
        @return: The 32-byte wire form.
        @raise TypeError: If C{inObject} is not a datetime.
        @raise ValueError: If it is naive or its offset is not whole minutes.
        """
        if not isinstance(inObject, _datetime.datetime):
            raise TypeError(
                f"DateTime arguments must be datetime.datetime, not {type(inObject).__name__}"
            )
        offset = inObject.utcoffset()
        if offset is None:
            raise ValueError(f"DateTime arguments must be time-zone aware, got naive {inObject!r}")
        seconds = int(offset.total_seconds())
        if seconds % 60 or offset.microseconds:
            raise ValueError(f"DateTime offset {offset} is not a whole number of minutes")
        sign = "-" if seconds < 0 else "+"
        minutes = abs(seconds) // 60
        d = inObject
        return (
            f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}"
            f".{d.microsecond:06d}{sign}{minutes // 60:02d}:{minutes % 60:02d}"
        ).encode("ascii")


class ListOf(Argument):
    """
    A list of values of one simple type: each element is serialized with
    the element type's C{toString} and written with a 16-bit big-endian
    length prefix.

    @ivar elementType: The L{Argument} of the elements.
    """

    def __init__(self, elementType: Argument, optional: bool = False) -> None:
        """
        @param elementType: The type of every element.
        @param optional: Whether the whole list may be left out.
        """
        self.elementType = elementType
        super().__init__(optional)

    def fromString(self, inString: bytes) -> list[Any]:
        """
        @param inString: The concatenated length-prefixed elements.
        @return: The parsed elements.
        @raise ValueError: If an element is truncated.
        @raise Exception: Whatever the element type raises for a bad element.
        """
        result: list[Any] = []
        fromString = self.elementType.fromString
        pos = 0
        n = len(inString)
        while pos < n:
            if pos + 2 > n:
                raise ValueError(
                    f"truncated AMP ListOf value: a length prefix is cut at byte {pos}"
                )
            length = (inString[pos] << 8) | inString[pos + 1]
            end = pos + 2 + length
            if end > n:
                raise ValueError(
                    f"truncated AMP ListOf value: element of {length} bytes at byte {pos}"
                )
            result.append(fromString(inString[pos + 2 : end]))
            pos = end
        return result

    def toString(self, inObject: Any) -> bytes:
        """
        @param inObject: An iterable of elements.
        @return: The concatenated length-prefixed elements.
        @raise TooLong: If an element is longer than 65535 bytes.
        @raise TypeError: If C{inObject} is not iterable or an element is bad.
        """
        if isinstance(inObject, (bytes, str)):
            raise TypeError(
                f"ListOf arguments must be a sequence of elements, not {type(inObject).__name__}"
            )
        toString = self.elementType.toString
        parts: list[bytes] = []
        for element in inObject:
            s = toString(element)
            if len(s) > MAX_VALUE_LENGTH:
                raise TooLong(False, True, s, None, MAX_VALUE_LENGTH)
            parts.append(len(s).to_bytes(2, "big"))
            parts.append(s)
        return b"".join(parts)

    def __repr__(self) -> str:
        """@return: C{ListOf(Integer())}."""
        return f"ListOf({self.elementType!r}{', optional=True' if self.optional else ''})"


def objectsToStrings(
    objects: dict[str, Any],
    arglist: Iterable[tuple[bytes, Argument]],
    strings: dict[bytes, bytes],
    proto: Any,
) -> dict[bytes, bytes]:
    """
    Serialize C{objects} according to C{arglist} into C{strings}.

    @param objects: The Python values (not modified).
    @param arglist: C{(wireName, argumentType)} pairs.
    @param strings: The box to fill.
    @param proto: The protocol the box will be sent through.
    @return: C{strings}.
    @raise InvalidSignature: If a required value is missing or an unknown
        one is given.
    """
    myObjects = dict(objects)
    for name, argType in arglist:
        argType.toBox(name, strings, myObjects, proto)
    if myObjects:
        raise InvalidSignature(f"unknown arguments {sorted(myObjects)!r}")
    return strings


def stringsToObjects(
    strings: dict[bytes, bytes], arglist: Iterable[tuple[bytes, Argument]], proto: Any
) -> dict[str, Any]:
    """
    Parse the values of C{strings} declared in C{arglist}.

    Keys not declared are ignored.

    @param strings: A received box.
    @param arglist: C{(wireName, argumentType)} pairs.
    @param proto: The protocol the box came from.
    @return: The Python values, keyed by text name.
    @raise InvalidSignature: If a required value is missing.
    @raise Exception: Whatever an argument type raises for a bad value.
    """
    objects: dict[str, Any] = {}
    for name, argType in arglist:
        argType.fromBox(name, strings, objects, proto)
    return objects


def normalizeArguments(
    arglist: Sequence[tuple[bytes | str, Argument]],
) -> list[tuple[bytes, Argument]]:
    """
    Return C{arglist} with every name as bytes.

    @param arglist: C{(name, argumentType)} pairs; names are bytes or text.
    @return: The pairs with byte-string names.
    @raise TypeError: If a name is neither, or a type is not an argument type.
    @raise ValueError: If a name is empty or longer than 255 bytes.
    """
    result: list[tuple[bytes, Argument]] = []
    for name, argType in arglist:
        if isinstance(name, str):
            name = name.encode("utf-8")
        if not isinstance(name, bytes):
            raise TypeError(f"AMP argument names must be bytes or str, not {type(name).__name__}")
        if not 0 < len(name) <= MAX_KEY_LENGTH:
            raise ValueError(f"AMP argument name {name!r} must be 1 to {MAX_KEY_LENGTH} bytes")
        if not IArgumentType.providedBy(argType):
            raise TypeError(
                f"AMP argument {name!r} has type {argType!r}, which is not an argument type"
            )
        result.append((name, argType))
    return result


class AmpList(Argument):
    """
    A list of boxes with a fixed signature: each element is a dict of Python
    values, serialized as a complete box; the elements are concatenated.

    @ivar subargs: The C{(name, argumentType)} pairs of every element.
    """

    def __init__(
        self, subargs: Sequence[tuple[bytes | str, Argument]], optional: bool = False
    ) -> None:
        """
        @param subargs: The signature of every element.
        @param optional: Whether the whole list may be left out.
        """
        self.subargs = normalizeArguments(subargs)
        super().__init__(optional)

    def fromStringProto(self, inString: bytes, proto: Any) -> list[dict[str, Any]]:
        """
        @param inString: The concatenated encoded boxes.
        @param proto: The protocol the value came from.
        @return: One dict per box.
        @raise MalformedAmpBox: If the boxes are malformed.
        @raise Exception: Whatever an element's argument type raises.
        """
        return [stringsToObjects(box, self.subargs, proto) for box in parseString(inString)]

    def toStringProto(self, inObject: Any, proto: Any) -> bytes:
        """
        @param inObject: A sequence of dicts.
        @param proto: The protocol the value will be sent through.
        @return: The concatenated encoded boxes.
        @raise InvalidSignature: If an element does not match the signature.
        @raise TooLong: If an element's key or value is too long.
        @raise NoEmptyBoxes: If an element serializes to an empty box.
        """
        return b"".join(
            serializeBox(
                objectsToStrings(obj, self.subargs, AmpBox(), proto),
                MAX_KEY_LENGTH,
                MAX_VALUE_LENGTH,
            )
            for obj in inObject
        )

    def __repr__(self) -> str:
        """@return: C{AmpList([...])}."""
        return f"AmpList({self.subargs!r}{', optional=True' if self.optional else ''})"


class Descriptor(Integer):
    """
    A file descriptor passed over a UNIX socket.

    Descriptor numbers mean nothing to the peer, so the descriptor itself
    is sent with the transport's C{sendFileDescriptor} and the box carries
    its ordinal: how many descriptors this connection sent before it.  The
    receiver matches the ordinal against the descriptors its transport
    delivered (C{fileDescriptorReceived}), in order, and gets its own
    descriptor number for the same open file.  Needs a transport providing
    C{IUNIXTransport}.
    """

    def fromStringProto(self, inString: bytes, proto: Any) -> int:
        """
        @param inString: The ordinal, in base 10.
        @param proto: The receiving L{BinaryBoxProtocol}.
        @return: The received descriptor.
        @raise ValueError: If the ordinal is not a number.
        @raise KeyError: If no descriptor with that ordinal was received.
        """
        return int(proto._getDescriptor(self.fromString(inString)))

    def toStringProto(self, inObject: Any, proto: Any) -> bytes:
        """
        Send descriptor C{inObject} and return its ordinal.

        @param inObject: An open file descriptor.
        @param proto: The sending L{BinaryBoxProtocol}.
        @return: The ordinal, in base 10.
        @raise TypeError: If C{inObject} is not an integer.
        @raise AttributeError: If the transport cannot pass descriptors.
        """
        return self.toString(proto._sendFileDescriptor(operator.index(inObject)))


class _LocalArgument(Argument):
    """
    A value that is never sent: it stays in the local box (for StartTLS's
    certificate arguments) and is taken out before serialization.
    """

    def fromBox(
        self, name: bytes, strings: dict[bytes, bytes], objects: dict[str, Any], proto: Any
    ) -> None:
        """Receive nothing: the value is local to the other side."""

    def toBox(
        self, name: bytes, strings: dict[bytes, bytes], objects: dict[str, Any], proto: Any
    ) -> None:
        """Keep the (non-bytes) value in the box for its C{_sendTo}."""
        value = objects.pop(_pyName(name), None)
        if value is not None:
            strings[name] = value
