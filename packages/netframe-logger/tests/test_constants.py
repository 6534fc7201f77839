"""Tests for netframe.logger._constants (Twisted's python.constants API)."""

from __future__ import annotations

import pytest

from netframe.logger._constants import (
    FlagConstant,
    Flags,
    NamedConstant,
    Names,
    ValueConstant,
    Values,
)


class METHOD(Names):
    """HTTP methods, as in the manual."""

    GET = NamedConstant()
    PUT = NamedConstant()
    POST = NamedConstant()
    DELETE = NamedConstant()

    @classmethod
    def isIdempotent(cls, method: NamedConstant) -> bool:
        """Return True for GET."""
        return method is cls.GET


class Letters(Names):
    """Three letters."""

    a = NamedConstant()
    b = NamedConstant()
    c = NamedConstant()


class STATUS(Values):
    """HTTP status codes, as in the manual."""

    OK = ValueConstant("200")
    NO_CONTENT = ValueConstant("204")
    FOUND = ValueConstant("302")
    NOT_MODIFIED = ValueConstant("304")
    NOT_FOUND = ValueConstant("404")
    ALSO_OK = ValueConstant("200")

    @classmethod
    def hasBody(cls, status: ValueConstant) -> bool:
        """Return True if the status has a body."""
        return status not in (cls.NO_CONTENT, cls.NOT_MODIFIED)


class Permission(Flags):
    """POSIX permission bits, as in the manual."""

    OTHER_EXECUTE = FlagConstant()
    OTHER_WRITE = FlagConstant()
    OTHER_READ = FlagConstant()
    GROUP_EXECUTE = FlagConstant()
    GROUP_WRITE = FlagConstant()
    GROUP_READ = FlagConstant()
    USER_EXECUTE = FlagConstant()
    USER_WRITE = FlagConstant()
    USER_READ = FlagConstant()

    @classmethod
    def format(cls, permissions: FlagConstant) -> str:
        """Format in the traditional rwxr-xr-x style."""
        out = []
        for who in ("USER", "GROUP", "OTHER"):
            for what, char in (("READ", "r"), ("WRITE", "w"), ("EXECUTE", "x")):
                flag = cls.lookupByName(f"{who}_{what}")
                out.append(char if flag in permissions else "-")
        return "".join(out)


class NamesTests:
    """Names and NamedConstant."""

    def test_attributeAccessReturnsConstant(self) -> None:
        """Attribute access on the container returns the NamedConstant itself."""
        assert isinstance(METHOD.GET, NamedConstant)
        assert METHOD.GET.name == "GET"

    def test_repr(self) -> None:
        """repr is <Container=name>."""
        assert repr(METHOD.GET) == "<METHOD=GET>"
        assert repr(METHOD.PUT) == "<METHOD=PUT>"

    def test_lookupByName(self) -> None:
        """lookupByName finds a constant by its attribute name."""
        assert METHOD.lookupByName("GET") is METHOD.GET

    def test_lookupByNameSpecialName(self) -> None:
        """lookupByName raises ValueError for special names such as __doc__."""
        with pytest.raises(ValueError, match="__doc__"):
            METHOD.lookupByName("__doc__")

    def test_lookupByNameMethod(self) -> None:
        """lookupByName raises ValueError for a class method's name."""
        with pytest.raises(ValueError):
            METHOD.lookupByName("isIdempotent")

    def test_lookupByNameUnhashable(self) -> None:
        """lookupByName raises ValueError, not TypeError, for an unhashable name."""
        with pytest.raises(ValueError):
            METHOD.lookupByName([])  # type: ignore[arg-type]

    def test_iterconstants(self) -> None:
        """iterconstants yields the constants in definition order."""
        assert list(METHOD.iterconstants()) == [
            METHOD.GET,
            METHOD.PUT,
            METHOD.POST,
            METHOD.DELETE,
        ]

    def test_identityAndEquality(self) -> None:
        """Constants are equal only to themselves."""
        assert METHOD.GET is METHOD.GET
        assert METHOD.GET == METHOD.GET
        assert METHOD.GET != METHOD.PUT
        assert METHOD.GET is not METHOD.PUT

    def test_hashable(self) -> None:
        """Constants can be dictionary keys."""
        table = {METHOD.GET: 1, METHOD.PUT: 2}
        assert table[METHOD.GET] == 1

    def test_ordering(self) -> None:
        """Constants are ordered by definition order."""
        assert Letters.a < Letters.b < Letters.c
        assert not Letters.a > Letters.b
        assert Letters.a <= Letters.a
        assert Letters.c >= Letters.b
        assert sorted([Letters.b, Letters.a, Letters.c]) == [Letters.a, Letters.b, Letters.c]

    def test_orderingAcrossContainers(self) -> None:
        """Ordering constants of different containers raises TypeError."""
        with pytest.raises(TypeError):
            _ = Letters.a < METHOD.GET
        with pytest.raises(TypeError):
            _ = Letters.a >= METHOD.GET

    def test_orderingAgainstOtherTypes(self) -> None:
        """Ordering a constant against a non-constant raises TypeError."""
        with pytest.raises(TypeError):
            _ = Letters.a < 1

    def test_classMethod(self) -> None:
        """A class method defined on a Names subclass works."""
        assert METHOD.isIdempotent(METHOD.GET)
        assert not METHOD.isIdempotent(METHOD.POST)

    def test_notInstantiable(self) -> None:
        """A container cannot be instantiated."""
        with pytest.raises(TypeError, match="may not be instantiated"):
            METHOD()
        with pytest.raises(TypeError):
            Names()

    def test_onlyDirectSubclasses(self) -> None:
        """Subclassing a container that has constants to add more raises TypeError."""
        with pytest.raises(TypeError, match="direct subclasses"):

            class More(METHOD):
                PATCH = NamedConstant()

    def test_wrongConstantKind(self) -> None:
        """A ValueConstant in a Names container raises TypeError."""
        with pytest.raises(TypeError, match="ValueConstant"):

            class Mixed(Names):
                x = NamedConstant()
                y = ValueConstant(1)

    def test_constantBoundTwice(self) -> None:
        """Binding one constant object under two names raises TypeError."""
        with pytest.raises(TypeError, match="already defined"):

            class Twice(Names):
                x = NamedConstant()
                y = x

    def test_unattachedRepr(self) -> None:
        """A constant outside any container has a repr that says so."""
        assert repr(NamedConstant()) == "<Constant=>"

    def test_emptyContainer(self) -> None:
        """A container with no constants iterates nothing."""

        class Empty(Names):
            pass

        assert list(Empty.iterconstants()) == []


class ValuesTests:
    """Values and ValueConstant."""

    def test_repr(self) -> None:
        """repr is <STATUS=OK>."""
        assert repr(STATUS.OK) == "<STATUS=OK>"

    def test_value(self) -> None:
        """The value attribute is the value given at definition."""
        assert STATUS.OK.value == "200"

    def test_lookupByName(self) -> None:
        """lookupByName works on Values."""
        assert STATUS.lookupByName("NOT_FOUND") is STATUS.NOT_FOUND

    def test_lookupByValue(self) -> None:
        """lookupByValue finds a constant by value."""
        assert STATUS.lookupByValue("404") is STATUS.NOT_FOUND

    def test_lookupByValueMissing(self) -> None:
        """lookupByValue raises ValueError for an unknown value."""
        with pytest.raises(ValueError, match="500"):
            STATUS.lookupByValue("500")

    def test_lookupByValueFirstDefinedWins(self) -> None:
        """With duplicate values, lookupByValue returns the first defined."""
        assert STATUS.lookupByValue("200") is STATUS.OK

    def test_lookupByUnhashableValue(self) -> None:
        """Unhashable values are found by equality."""

        class Lists(Values):
            x = ValueConstant([1])
            y = ValueConstant([2])

        assert Lists.lookupByValue([2]) is Lists.y
        with pytest.raises(ValueError):
            Lists.lookupByValue([3])

    def test_iterconstants(self) -> None:
        """iterconstants is in definition order."""
        assert list(STATUS.iterconstants())[:3] == [STATUS.OK, STATUS.NO_CONTENT, STATUS.FOUND]

    def test_orderingIsDefinitionOrder(self) -> None:
        """Values are ordered by definition order, not by value."""

        class Backwards(Values):
            big = ValueConstant(10)
            small = ValueConstant(1)

        assert Backwards.big < Backwards.small
        assert STATUS.NOT_FOUND > STATUS.OK
        assert not STATUS.FOUND < STATUS.OK

    def test_classMethod(self) -> None:
        """A class method defined on a Values subclass works."""
        assert STATUS.hasBody(STATUS.OK)
        assert not STATUS.hasBody(STATUS.NO_CONTENT)


class FlagsTests:
    """Flags and FlagConstant."""

    def test_repr(self) -> None:
        """A single flag's repr is <Permission=USER_READ>."""
        assert repr(Permission.USER_READ) == "<Permission=USER_READ>"

    def test_autoValues(self) -> None:
        """Flags get powers of two in definition order."""
        assert Permission.OTHER_EXECUTE.value == 1
        assert Permission.OTHER_WRITE.value == 2
        assert Permission.USER_READ.value == 256

    def test_explicitValues(self) -> None:
        """Explicit values are kept and automatic values continue above them."""

        class Mixed(Flags):
            a = FlagConstant(4)
            b = FlagConstant()
            c = FlagConstant(0x3)

        assert (Mixed.a.value, Mixed.b.value, Mixed.c.value) == (4, 8, 3)

    def test_invalidValue(self) -> None:
        """A non-int or negative flag value raises at definition."""
        with pytest.raises(TypeError):
            FlagConstant("1")  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            FlagConstant(-1)

    def test_lookup(self) -> None:
        """Flags can be looked up by name and by value."""
        assert Permission.lookupByName("USER_READ") is Permission.USER_READ
        assert Permission.lookupByValue(256) is Permission.USER_READ

    def test_lookupByValueMissing(self) -> None:
        """lookupByValue raises ValueError for a value no single flag has."""
        with pytest.raises(ValueError):
            Permission.lookupByValue(3)

    def test_or(self) -> None:
        """| combines flags; the name lists the set flags in braces."""
        both = Permission.USER_READ | Permission.USER_WRITE
        assert repr(both) == "<Permission={USER_READ,USER_WRITE}>"
        assert both.name == "{USER_READ,USER_WRITE}"
        assert both.value == 384

    def test_and(self) -> None:
        """& keeps the common flags."""
        both = Permission.USER_READ | Permission.USER_WRITE
        assert repr(both & Permission.USER_WRITE) == "<Permission=USER_WRITE>"
        assert (both & Permission.USER_WRITE) is Permission.USER_WRITE

    def test_xor(self) -> None:
        """^ keeps the flags set on one side only."""
        both = Permission.USER_READ | Permission.USER_WRITE
        assert repr(both ^ Permission.USER_WRITE) == "<Permission=USER_READ>"

    def test_iteration(self) -> None:
        """A combined flag iterates over its single flags, sorted by name."""
        mode = Permission.USER_READ | Permission.USER_WRITE
        assert list(mode) == [Permission.USER_READ, Permission.USER_WRITE]

    def test_contains(self) -> None:
        """in tests whether a flag is set."""
        mode = Permission.USER_READ | Permission.USER_WRITE
        assert Permission.USER_READ in mode
        assert Permission.USER_EXECUTE not in mode
        assert "USER_READ" not in mode

    def test_truthiness(self) -> None:
        """Empty flags are false and render as {}."""
        mode = Permission.USER_READ | Permission.USER_WRITE
        assert bool(Permission.USER_READ & mode)
        empty = Permission.USER_EXECUTE & mode
        assert repr(empty) == "<Permission={}>"
        assert not empty
        assert list(empty) == []

    def test_invert(self) -> None:
        """~ sets every other defined flag."""
        assert repr(~Permission.USER_READ) == (
            "<Permission={GROUP_EXECUTE,GROUP_READ,GROUP_WRITE,OTHER_EXECUTE,"
            "OTHER_READ,OTHER_WRITE,USER_EXECUTE,USER_WRITE}>"
        )
        assert (~Permission.USER_WRITE).value == 383

    def test_equalityOfCombined(self) -> None:
        """Combined flags with the same value are equal and hash alike."""
        a = Permission.USER_READ | Permission.USER_WRITE
        b = Permission.USER_WRITE | Permission.USER_READ
        assert a == b
        assert (a != b) is False
        assert hash(a) == hash(b)
        assert a != Permission.USER_READ
        assert a != 384

    def test_combineAcrossContainers(self) -> None:
        """Combining flags of different containers raises TypeError."""

        class Other(Flags):
            x = FlagConstant()

        with pytest.raises(TypeError, match="cannot combine"):
            _ = Permission.OTHER_EXECUTE | Other.x
        with pytest.raises(TypeError):
            _ = Permission.OTHER_EXECUTE & 1

    def test_orderingSingleFlags(self) -> None:
        """Single flags are ordered by definition order."""
        assert Permission.OTHER_EXECUTE < Permission.USER_READ
        assert Permission.USER_READ >= Permission.USER_WRITE
        assert Permission.USER_READ > Permission.USER_WRITE
        assert Permission.OTHER_EXECUTE <= Permission.OTHER_EXECUTE

    def test_orderingCombinedRaises(self) -> None:
        """Combined flags are not ordered."""
        mode = Permission.USER_READ | Permission.USER_WRITE
        single = Permission.USER_READ
        with pytest.raises(TypeError):
            _ = mode < single
        with pytest.raises(TypeError):
            _ = mode <= single
        with pytest.raises(TypeError):
            _ = single > mode
        with pytest.raises(TypeError):
            _ = single >= mode

    def test_classMethod(self) -> None:
        """A class method defined on a Flags subclass works."""
        mode = (
            Permission.USER_READ
            | Permission.USER_WRITE
            | Permission.GROUP_READ
            | Permission.OTHER_READ
        )
        assert Permission.format(mode) == "rw-r--r--"
