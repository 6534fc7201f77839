"""
Symbolic constants (Twisted's C{twisted.python.constants} API).

A I{container} is a class deriving directly from L{Names}, L{Values} or L{Flags}
whose class attributes are constants (L{NamedConstant}, L{ValueConstant} or
L{FlagConstant}).  When the container class is created each constant learns its
C{name} (the attribute name) and its container.  Constants compare by identity,
are hashable, and are ordered by definition order within one container.

This module is private; the public names are re-exported by
C{netframe.core.constants} (and used by C{netframe.logger.LogLevel}).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Generic, TypeVar

__all__ = [
    "FlagConstant",
    "Flags",
    "NamedConstant",
    "Names",
    "ValueConstant",
    "Values",
]

# Global instantiation counter: constants are ordered by creation order.
_nextIndex = 0


def _takeIndex() -> int:
    """
    Return a fresh, increasing instantiation index.

    @return: an integer larger than every index returned before.
    """
    global _nextIndex
    _nextIndex += 1
    return _nextIndex


class _Constant:
    """
    Behaviour shared by every kind of constant: a name, a container, and an
    ordering by definition order restricted to constants of one container.
    """

    __slots__ = ("_container", "_index", "name")

    name: str
    _container: type[Any] | None
    _index: int

    def __init__(self) -> None:
        """
        Create an unattached constant; it gets its C{name} when the container
        class that holds it is created.
        """
        self.name = ""
        self._container = None
        self._index = _takeIndex()

    def __repr__(self) -> str:
        """
        Return C{<Container=name>}, or C{<Constant=name>} for a constant that is
        not (yet) part of a container.
        """
        container = self._container
        containerName = "Constant" if container is None else container.__name__
        return f"<{containerName}={self.name}>"

    def _realize(self, container: type[Any], name: str) -> None:
        """
        Attach this constant to C{container} under C{name}.

        @param container: the container class being created.
        @param name: the attribute name the constant was bound to.
        @raise TypeError: if the constant already belongs to a container (the
            same constant object cannot have two names).
        """
        if self._container is not None:
            raise TypeError(
                f"constant {self!r} is already defined; cannot also bind it as "
                f"{container.__name__}.{name}"
            )
        self._container = container
        self.name = name

    # Ordering: definition order, only between constants of the same container.
    # Identity comparisons (==, hash) are object's defaults and stay fast.

    def __lt__(self, other: object) -> bool:
        """
        Return whether this constant was defined before C{other}.

        @param other: another constant of the same container.
        @return: C{NotImplemented} (so Python raises C{TypeError}) when C{other}
            is not a constant of the same kind and container.
        """
        if other.__class__ is not self.__class__ or other._container is not self._container:
            return NotImplemented
        return self._index < other._index

    def __le__(self, other: object) -> bool:
        """
        Return whether this constant is C{other} or was defined before it.

        @param other: another constant of the same container.
        @return: C{NotImplemented} for constants of other kinds or containers.
        """
        if other.__class__ is not self.__class__ or other._container is not self._container:
            return NotImplemented
        return self._index <= other._index

    def __gt__(self, other: object) -> bool:
        """
        Return whether this constant was defined after C{other}.

        @param other: another constant of the same container.
        @return: C{NotImplemented} for constants of other kinds or containers.
        """
        if other.__class__ is not self.__class__ or other._container is not self._container:
            return NotImplemented
        return self._index > other._index

    def __ge__(self, other: object) -> bool:
        """
        Return whether this constant is C{other} or was defined after it.

        @param other: another constant of the same container.
        @return: C{NotImplemented} for constants of other kinds or containers.
        """
        if other.__class__ is not self.__class__ or other._container is not self._container:
            return NotImplemented
        return self._index >= other._index


class NamedConstant(_Constant):
    """
    A constant with no value apart from its name and identity; define these as
    attributes of a L{Names} subclass.
    """

    __slots__ = ()


class ValueConstant(_Constant):
    """
    A constant with an associated C{value}; define these as attributes of a
    L{Values} subclass.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        """
        @param value: the value of the constant (any object; looked up with
            L{Values.lookupByValue} by equality).
        """
        super().__init__()
        self.value = value


class FlagConstant(_Constant):
    """
    A bit flag; define these as attributes of a L{Flags} subclass.

    Flags combine with C{|}, C{&}, C{^} and C{~} into new flag constants whose
    C{name} lists the set flags, as in C{{USER_READ,USER_WRITE}}.  A combined
    flag iterates over the single flags it contains (sorted by name), supports
    C{in}, and is false when no bit is set.  Flags compare equal when they
    belong to the same container and have the same value.
    """

    __slots__ = ("_names", "value")

    value: int
    _names: frozenset[str]

    def __init__(self, value: int | None = None) -> None:
        """
        @param value: the integer value of the flag; when omitted the container
            assigns the next unused power of two (in definition order, starting
            at 1, continuing above the highest bit of the previous flag).
        @raise TypeError: if C{value} is given and is not an C{int}.
        @raise ValueError: if C{value} is negative.
        """
        super().__init__()
        if value is not None:
            if value.__class__ is not int:
                raise TypeError(f"FlagConstant value must be an int, not {value!r}")
            if value < 0:
                raise ValueError(f"FlagConstant value must not be negative: {value!r}")
            self.value = value
        self._names = frozenset()

    def _realize(self, container: type[Any], name: str) -> None:
        """
        Attach this flag to C{container} under C{name}; see L{_Constant._realize}.
        """
        super()._realize(container, name)
        self._names = frozenset((name,))

    @classmethod
    def _combined(cls, container: type[Any], value: int) -> FlagConstant:
        """
        Return the flag of C{container} with exactly C{value}: the defined
        constant itself if one has that value, else a new combined constant.

        @param container: a L{Flags} subclass.
        @param value: the combined integer value.
        @return: a flag constant of C{container}.
        """
        existing = container._byValue.get(value)
        if existing is not None:
            return existing  # type: ignore[no-any-return]
        members = [c for c in container._constants if c.value and c.value & value == c.value]
        names = sorted(c.name for c in members)
        result = cls.__new__(cls)
        result._container = container
        result._index = -1
        result.value = value
        result._names = frozenset(names)
        result.name = "{" + ",".join(names) + "}"
        return result

    def _peer(self, other: object) -> FlagConstant:
        """
        Check that C{other} is a flag of this flag's container.

        @param other: the right-hand operand of a flag operator.
        @return: C{other}, typed as a flag.
        @raise TypeError: if it is not a flag of the same container.
        """
        if not isinstance(other, FlagConstant) or other._container is not self._container:
            raise TypeError(f"cannot combine {self!r} with {other!r}")
        return other

    def __or__(self, other: object) -> FlagConstant:
        """
        Return the flag with the bits of both operands set.

        @raise TypeError: if C{other} is not a flag of the same container.
        """
        return self._combined(self._container, self.value | self._peer(other).value)  # type: ignore[arg-type]

    def __and__(self, other: object) -> FlagConstant:
        """
        Return the flag with the bits set in both operands.

        @raise TypeError: if C{other} is not a flag of the same container.
        """
        return self._combined(self._container, self.value & self._peer(other).value)  # type: ignore[arg-type]

    def __xor__(self, other: object) -> FlagConstant:
        """
        Return the flag with the bits set in exactly one operand.

        @raise TypeError: if C{other} is not a flag of the same container.
        """
        return self._combined(self._container, self.value ^ self._peer(other).value)  # type: ignore[arg-type]

    def __invert__(self) -> FlagConstant:
        """
        Return the flag with every defined bit of the container set except the
        bits of this flag.
        """
        container = self._container
        return self._combined(container, container._allBits & ~self.value)  # type: ignore[arg-type, union-attr]

    def __iter__(self) -> Iterator[FlagConstant]:
        """
        Iterate over the defined single flags contained in this flag, sorted by
        name.
        """
        container = self._container
        assert container is not None
        for name in sorted(self._names):
            yield container._enumerants[name]

    def __contains__(self, flag: object) -> bool:
        """
        Return whether every bit of C{flag} is set in this flag.

        @param flag: a flag of the same container.
        @return: False for anything else.
        """
        if not isinstance(flag, FlagConstant) or flag._container is not self._container:
            return False
        return flag._names <= self._names and flag.value & self.value == flag.value

    def __bool__(self) -> bool:
        """
        Return whether any bit is set.
        """
        return bool(self.value)

    def __eq__(self, other: object) -> bool:
        """
        Return whether C{other} is a flag of the same container with the same
        value.
        """
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._container is other._container and self.value == other.value

    def __ne__(self, other: object) -> bool:
        """
        Return the negation of L{__eq__}.
        """
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        """
        Hash by container and value, consistent with L{__eq__}.
        """
        return hash((self._container, self.value))

    def __lt__(self, other: object) -> bool:
        """
        Order single flags by definition order; combined flags are unordered.

        @return: C{NotImplemented} (so C{TypeError} is raised) when either side
            is a combined flag or not a flag of this container.
        """
        if self._index < 0 or getattr(other, "_index", -1) < 0:
            return NotImplemented
        return super().__lt__(other)

    def __le__(self, other: object) -> bool:
        """
        See L{__lt__}.
        """
        if self._index < 0 or getattr(other, "_index", -1) < 0:
            return NotImplemented
        return super().__le__(other)

    def __gt__(self, other: object) -> bool:
        """
        See L{__lt__}.
        """
        if self._index < 0 or getattr(other, "_index", -1) < 0:
            return NotImplemented
        return super().__gt__(other)

    def __ge__(self, other: object) -> bool:
        """
        See L{__lt__}.
        """
        if self._index < 0 or getattr(other, "_index", -1) < 0:
            return NotImplemented
        return super().__ge__(other)


_C = TypeVar("_C", bound=_Constant)


class _ContainerType(type):
    """
    Metaclass of the constant containers: realizes the constants of each new
    container class and forbids instantiation.
    """

    def __new__(
        mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kw: Any
    ) -> _ContainerType:
        """
        Create a container class and attach its constants.

        @raise TypeError: if a constant of the wrong kind is defined in the
            container, if a container that already has constants is subclassed
            with new constants, or if a constant object is bound twice.
        """
        cls = super().__new__(mcls, name, bases, namespace, **kw)
        constantType: type[_Constant] | None = namespace.get("_constantType")
        if constantType is None:
            for base in cls.__mro__[1:]:
                constantType = base.__dict__.get("_constantType")
                if constantType is not None:
                    break
        if constantType is None:
            # The private generic base itself.
            return cls
        found: list[tuple[str, _Constant]] = [
            (key, value) for key, value in namespace.items() if isinstance(value, _Constant)
        ]
        inherited = [b for b in bases if getattr(b, "_constants", None)]
        if found and inherited:
            raise TypeError(
                f"{name}: only direct subclasses of {constantType._containerName} "  # type: ignore[attr-defined]
                f"may define constants ({inherited[0].__name__} already has constants)"
            )
        if not found:
            if not inherited:
                cls._constants = ()  # type: ignore[attr-defined]
                cls._enumerants = {}  # type: ignore[attr-defined]
                cls._byValue = {}  # type: ignore[attr-defined]
                cls._allBits = 0  # type: ignore[attr-defined]
            return cls
        for key, value in found:
            if value.__class__ is not constantType:
                raise TypeError(
                    f"{name}.{key} is a {value.__class__.__name__}; a "
                    f"{constantType._containerName} subclass holds only "  # type: ignore[attr-defined]
                    f"{constantType.__name__} instances"
                )
        found.sort(key=lambda item: item[1]._index)
        nextBit = 1
        allBits = 0
        byValue: dict[Any, _Constant] = {}
        for key, value in found:
            value._realize(cls, key)
            if isinstance(value, FlagConstant):
                if not hasattr(value, "value"):
                    value.value = nextBit
                nextBit = max(nextBit, 1 << value.value.bit_length())
                allBits |= value.value
            if isinstance(value, (ValueConstant, FlagConstant)):
                try:
                    byValue.setdefault(value.value, value)
                except TypeError:
                    # Unhashable values can only be found by a linear search.
                    pass
        cls._constants = tuple(c for _, c in found)  # type: ignore[attr-defined]
        cls._enumerants = dict(found)  # type: ignore[attr-defined]
        cls._byValue = byValue  # type: ignore[attr-defined]
        cls._allBits = allBits  # type: ignore[attr-defined]
        return cls

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        """
        Refuse to instantiate a container.

        @raise TypeError: always.
        """
        raise TypeError(f"{cls.__name__} may not be instantiated.")


class _ConstantsContainer(Generic[_C], metaclass=_ContainerType):
    """
    Shared class methods of L{Names}, L{Values} and L{Flags}.
    """

    _constants: ClassVar[tuple[Any, ...]] = ()
    _enumerants: ClassVar[dict[str, Any]] = {}
    _byValue: ClassVar[dict[Any, Any]] = {}
    _allBits: ClassVar[int] = 0

    @classmethod
    def lookupByName(cls, name: str) -> _C:
        """
        Return the constant called C{name}.

        @param name: the attribute name of a constant of this container.
        @return: the constant.
        @raise ValueError: if C{name} is not the name of a constant of this
            container (including special attributes such as C{__doc__}).
        """
        try:
            return cls._enumerants[name]  # type: ignore[no-any-return]
        except (KeyError, TypeError):
            raise ValueError(name) from None

    @classmethod
    def iterconstants(cls) -> Iterator[_C]:
        """
        Iterate over the constants of this container in definition order.

        @return: an iterator of constants.
        """
        return iter(cls._constants)


class Names(_ConstantsContainer[NamedConstant]):
    """
    Base class for containers of L{NamedConstant}s.  Subclass it directly; a
    subclass of a subclass may not add constants.
    """

    _constantType = NamedConstant


class Values(_ConstantsContainer[ValueConstant]):
    """
    Base class for containers of L{ValueConstant}s.
    """

    _constantType = ValueConstant

    @classmethod
    def lookupByValue(cls, value: Any) -> ValueConstant:
        """
        Return the first-defined constant whose value equals C{value}.

        @param value: the value to look for.
        @return: the constant.
        @raise ValueError: if no constant has that value.
        """
        try:
            found = cls._byValue.get(value)
        except TypeError:
            found = None
        if found is not None:
            return found  # type: ignore[no-any-return]
        for constant in cls._constants:
            if constant.value == value:
                return constant  # type: ignore[no-any-return]
        raise ValueError(value)


class Flags(_ConstantsContainer[FlagConstant]):
    """
    Base class for containers of L{FlagConstant}s.
    """

    _constantType = FlagConstant

    @classmethod
    def lookupByValue(cls, value: int) -> FlagConstant:
        """
        Return the first-defined single flag whose value is C{value}.

        @param value: an integer value.
        @return: the flag constant.
        @raise ValueError: if no defined flag has exactly that value.
        """
        try:
            return cls._byValue[value]  # type: ignore[no-any-return]
        except (KeyError, TypeError):
            raise ValueError(value) from None


NamedConstant._containerName = "Names"  # type: ignore[attr-defined]
ValueConstant._containerName = "Values"  # type: ignore[attr-defined]
FlagConstant._containerName = "Flags"  # type: ignore[attr-defined]
